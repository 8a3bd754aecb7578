/* order.c - most useful pages first (see order.h).
 *
 * State: `seen`, a keep-map whose present bits mark the kept pfns already
 * queued or given out (each is given out once); a FIFO of queued pfns; a
 * small translation cache, since the same pages are pointed at again and
 * again and most words that look like addresses are not; and the pfn where
 * the closing sweep in pfn order has got to.  Queueing stops at `budget`
 * pages: past what can fit, the order no longer matters.
 *
 * The crashed memory's words are read in the crashed machine's byte order
 * and word size (k->mach: big-endian s390x, 4-byte i386), never the host's;
 * which of them may be kernel addresses depends on where that kernel lives
 * (kernel_space_init).
 */
#include "order.h"

#include <stdlib.h>

#include "arch/arch.h"
#include "input/input.h"
#include "filter/memmap.h"
#include "kernel/kallsyms.h"
#include "kernel/printk.h"

#define TLB_SIZE 16384u              /* translated pages cached (direct-mapped) */
#define NO_PFN UINT64_MAX
#define RING_MAX (16ull << 20)           /* of each printk ring array, queued whole */

struct order {
	struct kernel *k;
	const struct keepmap *km;
	struct keepmap seen;
	uint64_t *queue;
	size_t head, tail, cap;          /* queue[head, tail) */
	/* pages wanted, but after what the first ones point at: every fourth
	 * page given out comes from here (bss, unwind tables...) */
	uint64_t *late;
	size_t late_head, late_tail;
	bool to_late;                    /* order_add_pfn queues here */
	/* the kernel's code [text_lo, text_hi) (pfns): an analysis has it in
	 * its vmlinux, and pointers to functions are everywhere: only a few
	 * functions and the code a crashed stack returns into are taken early
	 * (allow_text) */
	uint64_t text_lo, text_hi;
	bool allow_text;
	const struct memmap *mm;         /* struct pages: which pages are slab */
	bool modules_pass;               /* walk_tables: the module pages, not the tables */
	uint64_t bss_from, bss_to;       /* kallsyms' bss, for order_add_bss */
	unsigned turn;
	uint64_t budget, queued;
	uint64_t sweep;                  /* pfns below it were given by the sweep */
	bool copying;                    /* order_next was called: pages found now are "found" */
	/* what a kernel address looks like on the crashed machine
	 * (kernel_space_init): words of mach.word_size bytes in its byte
	 * order, and either a top byte (high-half kernels), a lowest value
	 * (32-bit), or a range of word-aligned values (identity-mapped) */
	unsigned word;
	uint8_t text_top;
	uint64_t space_lo, space_hi;
	bool high_half;
	struct { uint64_t vpage, pfn; } tlb[TLB_SIZE];
	struct order_stats st;
};

/* The i-th word of buf, in the crashed machine's byte order and size. */
static uint64_t word_at(const struct order *o, const uint8_t *buf, size_t i)
{
	return machine_get_word(&o->k->mach, buf + i * o->word);
}

/* Where the crashed kernel's addresses are, from where its code is
 * (SYMBOL(_stext)), so that only words that may be addresses are
 * translated:
 *   - 64-bit kernels in the top half (x86_64, arm64, riscv64: 0xff..;
 *     ppc64: 0xc0..): the top byte is 0xff or the one of _stext;
 *   - 32-bit kernels (i386): from _stext rounded down to 1 GiB, the lowest
 *     PAGE_OFFSET of the 3G/2G/1G splits (0xc0000000 for Debian's, whose
 *     KASLR puts _stext anywhere above it);
 *   - kernels whose code is in the first 4 GiB (s390x, identity-mapped):
 *     word-aligned values from 1 MiB (above the lowcore; small integers
 *     would all translate) below 2^53 (the region-first table's reach).
 * Without _stext: the top half on 64-bit machines, 0xc0000000 on 32-bit. */
static void kernel_space_init(struct order *o)
{
	uint64_t text = 0;

	o->word = o->k->mach.word_size == 4 ? 4 : 8;
	(void)vmci_symbol(o->k->vi, "_stext", &text);
	if (o->word == 4) {
		o->space_lo = text >= 0x40000000u && text <= UINT32_MAX ? text & ~0x3fffffffull
									 : 0xc0000000u;
		o->space_hi = UINT32_MAX;
	} else if (text && text < (1ull << 32)) {
		o->space_lo = 1u << 20;
		o->space_hi = (1ull << 53) - 1;
	} else {
		o->high_half = true;
		o->text_top = text ? (uint8_t)(text >> 56) : 0xff;
	}
}

/* Might w be a kernel address?  Anything else is not worth a translation. */
static bool kernel_address(const struct order *o, uint64_t w)
{
	uint8_t top = (uint8_t)(w >> 56);

	if (o->high_half)
		return (top == 0xff || top == o->text_top) && w != UINT64_MAX;
	if (o->word == 4)
		return w >= o->space_lo && w < o->space_hi;
	return w >= o->space_lo && w <= o->space_hi && !(w & 7);
}

int order_open(struct order **ret, struct kernel *k, const struct keepmap *km,
	       uint64_t budget, struct ds_err *err)
{
	struct order *o = calloc(1, sizeof(*o));
	int r;

	if (!o)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	o->k = k;
	o->km = km;
	o->budget = budget;
	o->cap = budget + 1;
	o->queue = malloc(o->cap * sizeof(*o->queue));
	o->late = malloc(o->cap * sizeof(*o->late));
	if (!o->queue || !o->late) {
		free(o->queue);
		free(o->late);
		free(o);
		return ds_err_set(err, DS_ENOMEM, "out of memory for the page order");
	}
	if ((r = keepmap_init(&o->seen, km->npfn, err)) < 0) {
		free(o->queue);
		free(o->late);
		free(o);
		return r;
	}
	for (size_t i = 0; i < TLB_SIZE; i++)
		o->tlb[i].vpage = NO_PFN;
	kernel_space_init(o);
	*ret = o;
	return 0;
}

void order_free(struct order *o)
{
	if (!o)
		return;
	keepmap_release(&o->seen);
	free(o->queue);
	free(o->late);
	free(o);
}

/* A word (unsigned long) of pfn's struct page, at byte off (not a root
 * itself: no trace). */
static bool page_field(struct order *o, uint64_t pfn, uint64_t flags_off, uint64_t *ret)
{
	const struct memmap *mm = o->mm;
	void (*trace)(void *, uint64_t, size_t) = o->k->trace;
	uint64_t sz;
	struct ds_err ignored;
	bool ok = false;

	if (!mm || !vmci_size(o->k->vi, "page", &sz) || flags_off + o->word > sz)
		return false;
	for (size_t i = 0; i < mm->n_ranges && !ok; i++) {
		const struct memmap_range *r = &mm->ranges[i];

		if (pfn < r->start_pfn || pfn >= r->end_pfn)
			continue;
		o->k->trace = NULL;
		ok = kernel_read_word(o->k, r->page_vaddr + (pfn - r->start_pfn) * sz + flags_off,
				      ret, &ignored) == 0;
		o->k->trace = trace;
	}
	return ok;
}

static bool page_flags(struct order *o, uint64_t pfn, uint64_t *ret)
{
	uint64_t off;

	return vmci_offset(o->k->vi, "page.flags", &off) && page_field(o, pfn, off, ret);
}

/* Is pfn a slab page (PG_slab: task structures, pid and radix tree nodes,
 * slab caches, the objects an analysis walks)?  Pages found through
 * addresses that are not go after those that are.  Unknown: yes. */
static bool is_slab(struct order *o, uint64_t pfn)
{
	uint64_t flags, head, off, sz;
	int64_t bit;

	if (!vmci_number(o->k->vi, "PG_slab", &bit) || bit < 0 || bit >= 8 * (int64_t)o->word ||
	    !page_flags(o, pfn, &flags))
		return true;
	if (flags >> bit & 1)
		return true;
	/* a tail page of a compound slab: the flag is on its head, which
	 * page.compound_head (bit 0 set) points at */
	if (!vmci_offset(o->k->vi, "page.compound_head", &off) || !vmci_size(o->k->vi, "page", &sz) ||
	    off < o->word || !page_field(o, pfn, off, &head) || !(head & 1))
		return false;
	for (size_t i = 0; i < o->mm->n_ranges; i++) {
		const struct memmap_range *r = &o->mm->ranges[i];
		uint64_t base = r->page_vaddr, end = base + (r->end_pfn - r->start_pfn) * sz;

		if ((head & ~1ull) >= base && (head & ~1ull) < end)
			return page_flags(o, r->start_pfn + ((head & ~1ull) - base) / sz, &flags) &&
			       (flags >> bit & 1);
	}
	return false;
}

/* A page found through an address, worth taking before the rest: slab
 * objects, and the kernel image's own pages (strings and tables an
 * analysis reads: slab cache names, page flag names), which are
 * PG_reserved. */
static bool wanted_early(struct order *o, uint64_t pfn)
{
	int64_t priv;
	uint64_t flags;

	if (is_slab(o, pfn))
		return true;
	return vmci_number(o->k->vi, "PG_private", &priv) && priv >= 1 && priv <= 8 * (int64_t)o->word &&
	       page_flags(o, pfn, &flags) && (flags >> (priv - 1) & 1);
}

void order_add_pfn(struct order *o, uint64_t pfn)
{
	/* below the sweep: given out by it already */
	if (o->queued >= o->budget || pfn >= o->km->npfn || pfn < o->sweep ||
	    !keepmap_is_dumped(o->km, pfn) || keepmap_is_present(&o->seen, pfn))
		return;
	if (pfn >= o->text_lo && pfn < o->text_hi && !o->allow_text)
		return;
	if (keepmap_add_present(&o->seen, pfn, pfn + 1) < 0)
		return;              /* no memory for the mark: the sweep gives it */
	if (o->to_late || (o->copying && !wanted_early(o, pfn)))
		o->late[o->late_tail++] = pfn;
	else
		o->queue[o->tail++] = pfn;
	o->queued++;
	if (o->copying)
		o->st.found++;
	else
		o->st.roots++;
}

void order_trace(void *arg, uint64_t paddr, size_t len)
{
	struct order *o = arg;
	unsigned shift = o->k->page_shift;

	if (!len)
		return;
	for (uint64_t pfn = paddr >> shift; pfn <= (paddr + len - 1) >> shift; pfn++)
		order_add_pfn(o, pfn);
}

/* Kernel virtual page -> pfn, or NO_PFN; cached either way. */
static uint64_t translate(struct order *o, uint64_t vpage)
{
	unsigned shift = o->k->page_shift;
	size_t slot = (size_t)(vpage >> shift) % TLB_SIZE;
	struct ds_err ignored;
	uint64_t paddr;

	if (o->tlb[slot].vpage == vpage)
		return o->tlb[slot].pfn;
	o->tlb[slot].vpage = vpage;
	o->tlb[slot].pfn = kernel_vtop(o->k, vpage, &paddr, &ignored) < 0 ? NO_PFN
									 : paddr >> shift;
	return o->tlb[slot].pfn;
}

void order_add_vaddr(struct order *o, uint64_t vaddr, unsigned above)
{
	uint64_t mask = (uint64_t)o->k->page_size - 1;

	for (unsigned i = 0; i <= above && o->queued < o->budget; i++) {
		uint64_t pfn = translate(o, (vaddr & ~mask) + (uint64_t)i * o->k->page_size);

		if (pfn != NO_PFN)
			order_add_pfn(o, pfn);
	}
}

void order_scan(struct order *o, const uint8_t *buf, size_t len, unsigned above)
{
	for (size_t i = 0; (i + 1) * o->word <= len && o->queued < o->budget; i++) {
		uint64_t w = word_at(o, buf, i);

		if (kernel_address(o, w))
			order_add_vaddr(o, w, above);
	}
}

void order_add_stacks(struct order *o, const uint8_t *regs, size_t len)
{
	uint64_t ps = o->k->page_size, mask = ps - 1;
	uint8_t *page = malloc(ps);
	struct ds_err ignored;

	if (!page)
		return;
	for (size_t i = 0; (i + 1) * o->word <= len && o->queued < o->budget; i++) {
		uint64_t w = word_at(o, regs, i);

		if (!kernel_address(o, w))
			continue;
		/* the page it points at and three above (a stack's older
		 * frames), each read now: the code its return addresses point
		 * into, the tasks and objects its frames hold */
		for (unsigned up = 0; up < 4 && o->queued < o->budget; up++) {
			uint64_t pfn = translate(o, (w & ~mask) + up * ps);

			if (pfn == NO_PFN || pfn >= o->km->npfn || !keepmap_is_dumped(o->km, pfn) ||
			    keepmap_is_present(&o->seen, pfn))
				continue;
			o->allow_text = true;
			order_add_pfn(o, pfn);
			if (input_read_phys(o->k->in, pfn * ps, page, ps, &ignored) == 0)
				order_scan(o, page, ps, 0);
			o->allow_text = false;
		}
	}
	free(page);
}

/* The pages of the kernel virtual range [from, to). */
static void add_vrange(struct order *o, uint64_t from, uint64_t to)
{
	uint64_t ps = o->k->page_size;

	if (!from || to <= from || to - from > (1ull << 30))
		return;
	for (uint64_t v = from & ~(ps - 1); v < to && o->queued < o->budget; v += ps)
		order_add_vaddr(o, v, 0);
}

static void add_table(void *arg, uint64_t paddr, bool table)
{
	struct order *o = arg;

	if (table == !o->modules_pass) {
		o->allow_text = true;        /* module code and data: all of it */
		order_add_pfn(o, paddr >> o->k->page_shift);
		o->allow_text = false;
	}
}

void order_add_modules(struct order *o)
{
	o->modules_pass = true;
	if (o->k->arch->walk_tables)
		o->k->arch->walk_tables(o->k, add_table, o);
	o->modules_pass = false;
}

void order_add_page_tables(struct order *o)
{
	uint64_t sym, len;

	if (o->k->arch->walk_tables)
		o->k->arch->walk_tables(o->k, add_table, o);
	/* SPARSEMEM_EXTREME's root table, whole (crash reads all of it; its
	 * pages are mostly zero, which costs only descriptors) */
	if (vmci_symbol(o->k->vi, "mem_section", &sym) && vmci_length(o->k->vi, "mem_section", &len) &&
	    len <= (64u << 20) / o->word)
		add_vrange(o, sym, sym + len * o->word);
	/* each NUMA node's pglist_data, whole (zones, free areas, node id) */
	uint64_t size, node;
	struct ds_err ignored;

	if (vmci_symbol(o->k->vi, "node_data", &sym) && vmci_length(o->k->vi, "node_data", &len) &&
	    vmci_size(o->k->vi, "pglist_data", &size) && size <= (16u << 20))
		for (uint64_t i = 0; i < len && i < 1024; i++) {
			if (kernel_read_word(o->k, sym + i * o->word, &node, &ignored) < 0)
				break;
			if (node)
				add_vrange(o, node, node + size);
		}
}

void order_add_symbols(struct order *o)
{
	uint64_t a[256], sym, list_off, next;
	size_t n = vmci_symbols(o->k->vi, a, sizeof(a) / sizeof(a[0]));
	struct ds_err ignored;

	for (size_t i = 0; i < n && i < sizeof(a) / sizeof(a[0]); i++)
		order_add_vaddr(o, a[i], 0);
	/* the first vmap_area, where vmap_area_list points (makedumpfile on
	 * ppc64 and i386 reads vmalloc_start from it before anything else) */
	if (vmci_symbol(o->k->vi, "vmap_area_list", &sym) &&
	    vmci_offset(o->k->vi, "vmap_area.list", &list_off) &&
	    kernel_read_word(o->k, sym, &next, &ignored) == 0 && next > list_off && next != sym)
		add_vrange(o, next - list_off, next + o->word);
}

static int log_read(void *arg, uint64_t vaddr, void *buf, size_t len, struct ds_err *err)
{
	return kernel_read(arg, vaddr, buf, len, err);
}

static int log_discard(void *arg, const void *buf, size_t len, struct ds_err *err)
{
	(void)arg;
	(void)buf;
	(void)len;
	(void)err;
	return 0;
}

void order_add_log(struct order *o)
{
	struct printk_mem mem = { log_read, o->k, o->word, o->k->mach.big_endian };
	struct printk_opts opts = { .version = o->k->version };
	struct printk_out out = { log_discard, NULL, NULL };
	struct printk_stats st;
	struct ds_err ignored;

	if (printk_layout_of(o->k->vi) == PRINTK_NONE)
		return;
	if (printk_dump(o->k->vi, &mem, &opts, &out, &st, &ignored) < 0)
		return;
	/* the rest of a lockless ring: makedumpfile --dump-dmesg reads its
	 * descriptor, info and text arrays whole, and fails on a page that
	 * is not there (about 600 KiB at the default 128 KiB log).  Only a
	 * ring the walk could read, and at most RING_MAX of each array:
	 * a huge log_buf_len (or a damaged header) does not take the room of
	 * the page tables and the image. */
	for (int i = 0; i < 3; i++)
		add_vrange(o, st.ring[i].addr, st.ring[i].addr +
			   (st.ring[i].len < RING_MAX ? st.ring[i].len : RING_MAX));
}

/* Is pfn part of the kernel image proper (not init memory freed after
 * boot)?  The image's pages are PG_reserved; PG_reserved comes right
 * before PG_private in every kernel's page-flags.h since 2.6, and
 * VMCOREINFO gives NUMBER(PG_private).  When the flag cannot be had, yes. */
static bool image_page(struct order *o, uint64_t pfn)
{
	int64_t priv;
	uint64_t flags;

	if (!vmci_number(o->k->vi, "PG_private", &priv) || priv < 1 || priv > 8 * (int64_t)o->word ||
	    !page_flags(o, pfn, &flags))
		return true;
	return flags >> (priv - 1) & 1;
}

/* Is the page data rather than code: does it hold at least `min_addrs`
 * words that are kernel addresses which translate (code is instructions,
 * whose aligned words rarely are), or is it three quarters zero words
 * (bss: counters, bitmaps, flags)? */
static bool looks_like_data(struct order *o, uint64_t pfn, uint8_t *page, unsigned min_addrs)
{
	uint64_t mask = (uint64_t)o->k->page_size - 1;
	size_t words = o->k->page_size / o->word, zeros = 0;
	struct ds_err ignored;
	unsigned addrs = 0;

	if (input_read_phys(o->k->in, pfn * o->k->page_size, page, o->k->page_size, &ignored) < 0)
		return false;
	for (size_t i = 0; i < words && addrs < min_addrs; i++) {
		uint64_t w = word_at(o, page, i);

		zeros += !w;
		addrs += kernel_address(o, w) && translate(o, w & ~mask) != NO_PFN;
	}
	return addrs >= min_addrs || zeros * 4 >= words * 3;
}

/* The kernel image: where SYMBOL(_stext) translates, on while the pages
 * translate to the next physical page (the image is one physical run).
 * First its data and bss, from the lowest data symbol VMCOREINFO names
 * (the data section starts with the page tables, 2 MiB aligned on x86_64)
 * to its end: init_task, __per_cpu_offset, the cpu masks, the roots of
 * every list, which every analysis reads before anything else.  Then, from
 * there down, the pages of the read-only data and code that hold kernel
 * addresses (__ro_after_init variables such as page_offset_base, tables of
 * pointers).  Init memory freed after boot is not the image any more (its
 * struct pages are not PG_reserved): it is ordered as any memory.  The
 * rest of the code and read-only data comes later: an analysis has them in
 * its vmlinux. */
/* With kallsyms, the sections an analysis reads, exactly: data,
 * __ro_after_init (page_offset_base...), linux_banner (crash compares it
 * with its vmlinux), bss, each CPU's per-CPU area, the few functions crash
 * reads at start. */
static bool add_image_sections(struct order *o)
{
	static const char *const names[] = {
		"_sdata", "_edata", "__start_ro_after_init", "__end_ro_after_init",
		"linux_banner", "__bss_start", "__bss_stop",
		"__start_orc_unwind_ip", "__stop_orc_unwind_ip",   /* not taken, see below */
		"__start_orc_unwind", "__stop_orc_unwind", "orc_lookup", "orc_lookup_end",
		"__per_cpu_offset", "__per_cpu_start", "__per_cpu_end", "_stext", "_etext",
		/* code crash reads when it starts (measured on the test
		 * vmcores: its frame-pointer check, gdb's look at the interrupt
		 * entry and at the scheduler, where sleeping tasks' stacks end) */
		"__x64_sys_open", "sys_open", "__x64_sys_fork", "sys_fork", "common_interrupt",
		"startup_64", "schedule", "__schedule", "__switch_to_asm", "ret_from_fork", "do_futex",
		/* read-only tables crash reads when it starts (names of page
		 * flags, task states, taints) */
		"pageflag_names", "task_state_array", "taint_flags",
	};
	uint64_t a[sizeof(names) / sizeof(names[0])];
	void (*trace)(void *, uint64_t, size_t) = o->k->trace;
	struct ds_err ignored;
	int r;

	o->k->trace = NULL;          /* the symbol table itself is not wanted first */
	r = kallsyms_find(o->k, names, sizeof(names) / sizeof(names[0]), a, &ignored);
	o->k->trace = trace;
	if (r < 0 || !a[0] || !a[1])
		return false;
	/* the code: [_stext, _etext) */
	if (a[16] && a[17] > a[16]) {
		uint64_t lo = translate(o, a[16] & ~(uint64_t)(o->k->page_size - 1));

		if (lo != NO_PFN) {
			o->text_lo = lo;
			o->text_hi = lo + (a[17] - (a[16] & ~(uint64_t)(o->k->page_size - 1)) +
					   o->k->page_size - 1) / o->k->page_size;
		}
	}
	add_vrange(o, a[0], a[1]);
	o->allow_text = true;
	add_vrange(o, a[2], a[3]);
	add_vrange(o, a[4], a[4] + 256);
	o->allow_text = false;
	o->allow_text = true;
	for (size_t i = 18; i < sizeof(names) / sizeof(names[0]); i++)
		add_vrange(o, a[i], a[i] + 2 * o->k->page_size);
	o->allow_text = false;
	/* each CPU's per-CPU area: run queue, current task, cpu number */
	if (a[13] && a[15] > a[14]) {
		uint8_t off[64 * 8];
		unsigned cpus = o->k->in->nr_cpus < 64 ? o->k->in->nr_cpus : 64;

		if (cpus && kernel_read(o->k, a[13], off, cpus * o->word, &ignored) == 0)
			for (unsigned c = 0; c < cpus; c++) {
				uint64_t v = word_at(o, off, c);

				add_vrange(o, a[14] + v, a[15] + v);
			}
	}
	o->bss_from = a[5];
	o->bss_to = a[6];
	/* Not the ORC unwind tables: 2.3 MB that do not compress, of which
	 * crash reads two pages for a backtrace (a binary search) */
	return true;
}

void order_add_image(struct order *o, const struct memmap *mm)
{
	o->mm = mm;
	static const char *const data_symbols[] = {
		"init_top_pgt", "init_level4_pgt", "swapper_pg_dir", "init_uts_ns",
		"node_online_map", "vmap_area_list", "prb", "log_buf", "node_data",
	};
	uint64_t text, start, end, first, last, ps = o->k->page_size, v;
	uint8_t *page;

	if (!vmci_symbol(o->k->vi, "_stext", &text) ||
	    (start = translate(o, text & ~(ps - 1))) == NO_PFN)
		return;
	/* at most 1 GiB: x86_64's KERNEL_IMAGE_SIZE */
	for (end = start + 1; end - start < (1ull << 30) / ps; end++)
		if (translate(o, (text & ~(ps - 1)) + (end - start) * ps) != end)
			break;
	first = end;
	last = start;
	for (size_t i = 0; i < sizeof(data_symbols) / sizeof(data_symbols[0]); i++) {
		uint64_t pfn;

		if (!vmci_symbol(o->k->vi, data_symbols[i], &v) || v <= text ||
		    v - text >= (end - start) * ps)
			continue;
		pfn = start + ((v - text) & ~((2ull << 20) - 1)) / ps;
		if (pfn < first)
			first = pfn;
		if (start + (v - text) / ps >= last)
			last = start + (v - text) / ps + 1;
	}
	if (add_image_sections(o))
		return;
	/* An identity-mapped kernel (s390x) translates on through all of
	 * memory: its image ends, at the latest, 2 MiB past the highest data
	 * symbol VMCOREINFO names (swapper_pg_dir, node_data: its bss) */
	if (!o->high_half && o->word == 8 && last > start && last + (2ull << 20) / ps < end)
		end = last + (2ull << 20) / ps;
	/* no kallsyms: the guesses */
	page = malloc(ps);
	if (!page)
		return;
	for (uint64_t pfn = first; pfn < end && o->queued < o->budget; pfn++)
		if (keepmap_is_dumped(o->km, pfn) && image_page(o, pfn) &&
		    looks_like_data(o, pfn, page, 1))
			order_add_pfn(o, pfn);
	o->to_late = true;
	for (uint64_t pfn = first; pfn-- > start && o->queued < o->budget;)
		if (keepmap_is_dumped(o->km, pfn) && !keepmap_is_present(&o->seen, pfn) &&
		    looks_like_data(o, pfn, page, 2))
			order_add_pfn(o, pfn);
	o->to_late = false;
	free(page);
}

/* Breadth first from the page of vaddr, `depth` levels, scanning each page
 * as it is queued (not when copied): the objects a walk from one kernel
 * global reaches (the pid tree to the tasks) come together, before the
 * breadth of everything else.  Only slab pages are followed. */
static void add_tree(struct order *o, uint64_t vaddr, unsigned depth, uint64_t max_pages)
{
	uint64_t ps = o->k->page_size, mask = ps - 1, *level, n, next_n, cap = max_pages;
	uint8_t *page = malloc(ps);
	struct ds_err ignored;

	level = malloc(2 * cap * sizeof(*level));
	if (!page || !level) {
		free(page);
		free(level);
		return;
	}
	n = 0;
	if ((level[0] = translate(o, vaddr & ~mask)) != NO_PFN)
		n = 1;
	order_add_pfn(o, level[0]);
	for (unsigned d = 0; d < depth && n && o->queued < o->budget; d++) {
		uint64_t *cur = level + (d % 2) * cap, *nxt = level + ((d + 1) % 2) * cap;

		next_n = 0;
		for (uint64_t i = 0; i < n && next_n < cap; i++) {
			if (input_read_phys(o->k->in, cur[i] * ps, page, ps, &ignored) < 0)
				continue;
			for (size_t w = 0; (w + 1) * o->word <= ps && next_n < cap; w++) {
				uint64_t v = word_at(o, page, w), pfn;

				if (!kernel_address(o, v) || (pfn = translate(o, v & ~mask)) == NO_PFN ||
				    pfn >= o->km->npfn || !keepmap_is_dumped(o->km, pfn) ||
				    keepmap_is_present(&o->seen, pfn) || !is_slab(o, pfn))
					continue;
				order_add_pfn(o, pfn);
				nxt[next_n++] = pfn;
			}
		}
		n = next_n;
	}
	free(page);
	free(level);
}

void order_add_trees(struct order *o)
{
	/* the pid tree (crash's ps, drgn's for_each_task), the task list, the
	 * slab caches (crash reads them all when it starts) */
	static const char *const names[] = { "init_pid_ns", "init_task", "slab_caches" };
	static const unsigned depth[] = { 6, 2, 2 };
	uint64_t a[3];
	void (*trace)(void *, uint64_t, size_t) = o->k->trace;
	struct ds_err ignored;
	int r;

	o->k->trace = NULL;
	r = kallsyms_find(o->k, names, 3, a, &ignored);
	o->k->trace = trace;
	for (size_t i = 0; r == 0 && i < 3; i++)
		if (a[i])
			add_tree(o, a[i], depth[i], 2048);
}

void order_add_bss(struct order *o)
{
	add_vrange(o, o->bss_from, o->bss_to);
}

uint64_t order_next(struct order *o)
{
	o->copying = true;
	if (o->head < o->tail)
		return o->queue[o->head++];
	if (o->late_head < o->late_tail)
		return o->late[o->late_head++];
	/* the rest in pfn order */
	for (o->sweep = keepmap_next_dumped(o->km, o->sweep); o->sweep < o->km->npfn;
	     o->sweep = keepmap_next_dumped(o->km, o->sweep + 1))
		if (!keepmap_is_present(&o->seen, o->sweep)) {
			o->st.swept++;
			return o->sweep++;
		}
	return o->km->npfn;
}

void order_saw(struct order *o, uint64_t pfn, const uint8_t *page)
{
	(void)pfn;
	if (o->queued < o->budget)
		order_scan(o, page, o->k->page_size, 0);
}

void order_stats(const struct order *o, struct order_stats *st)
{
	*st = o->st;
}

/* model.c - lay out the simulated machine: RAM, the kernel's own pages
 * (image, struct page arrays, page tables, mem_section, pgdat), then `at`,
 * `place` and the page mix, as a sorted list of extents covering all RAM.
 *
 * Allocation follows the kernel's early boot: the image sits where KASLR
 * put it, everything else comes from a top-down memblock allocator (struct
 * pages first, one 2 MiB block per present section, then page tables and
 * mem_section).  Page tables are real x86_64 tables: the kernel image mapped
 * with 2 MiB pages from tables inside the image (as level2_kernel_pgt), the
 * direct map with the largest page the spec allows, vmemmap with 2 MiB or
 * 4 KiB pages.  Bytes the generator writes to physical memory (tables,
 * mem_section, pgdat, image data) are kept in a page store; everything else
 * is produced on the fly by output.c and spage.c from the extents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define PTE_PRESENT   0x001ull
#define PTE_PSE       0x080ull
#define PTE_NX        0x8000000000000000ull
#define PTE_ADDR      0x000ffffffffff000ull
#define KERNPG_TABLE  0x063ull                  /* present rw accessed dirty */
#define PAGE_KERNEL   (0x163ull | PTE_NX)       /* + global, no execute */
#define PAGE_KERNEL_LARGE_EXEC 0x1e3ull         /* + pse, executable */
#define SZ_2M         (2ull << 20)
#define SZ_1G         (1ull << 30)

extern const uint32_t pgdat_layout[];

/* ---- page store ---- */

static size_t ps_slot(const struct pstore *ps, uint64_t pfn)
{
	return (size_t)(mix64(pfn) & (ps->cap - 1));
}

uint8_t *pstore_get(struct pstore *ps, uint64_t pfn, bool create)
{
	if (!ps->cap) {
		if (!create)
			return NULL;
		ps->cap = 1024;
		ps->keys = xcalloc(ps->cap, sizeof(*ps->keys));
		ps->pages = xcalloc(ps->cap, sizeof(*ps->pages));
	}
	for (size_t i = ps_slot(ps, pfn);; i = (i + 1) & (ps->cap - 1)) {
		if (ps->keys[i] == pfn + 1)
			return ps->pages[i];
		if (!ps->keys[i])
			break;
	}
	if (!create)
		return NULL;
	if ((ps->n + 1) * 4 > ps->cap * 3) {
		struct pstore grown = { NULL, NULL, ps->cap * 2, 0 };

		grown.keys = xcalloc(grown.cap, sizeof(*grown.keys));
		grown.pages = xcalloc(grown.cap, sizeof(*grown.pages));
		for (size_t i = 0; i < ps->cap; i++) {
			if (!ps->keys[i])
				continue;
			size_t j = ps_slot(&grown, ps->keys[i] - 1);

			while (grown.keys[j])
				j = (j + 1) & (grown.cap - 1);
			grown.keys[j] = ps->keys[i];
			grown.pages[j] = ps->pages[i];
			grown.n++;
		}
		free(ps->keys);
		free(ps->pages);
		*ps = grown;
	}
	size_t i = ps_slot(ps, pfn);
	while (ps->keys[i])
		i = (i + 1) & (ps->cap - 1);
	ps->keys[i] = pfn + 1;
	ps->pages[i] = xcalloc(1, PAGE_SIZE);
	ps->n++;
	return ps->pages[i];
}

void phys_write(struct model *m, uint64_t paddr, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t off = paddr & (PAGE_SIZE - 1), n = PAGE_SIZE - off;

		if (n > len)
			n = len;
		memcpy(pstore_get(&m->store, paddr >> PAGE_SHIFT, true) + off, p, n);
		p += n;
		paddr += n;
		len -= n;
	}
}

void phys_write_u64(struct model *m, uint64_t paddr, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	phys_write(m, paddr, b, 8);
}

uint64_t phys_read_u64(struct model *m, uint64_t paddr)
{
	const uint8_t *p = pstore_get(&m->store, paddr >> PAGE_SHIFT, false);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[(paddr & (PAGE_SIZE - 1)) + (unsigned)i];
	return v;
}

uint64_t direct_va(const struct model *m, uint64_t paddr)
{
	return m->page_offset + paddr;
}

uint64_t image_va(const struct model *m, uint64_t paddr)
{
	return paddr - m->phys_base + START_KERNEL_MAP;
}

/* ---- ranges and extents ---- */

static void range_push(struct range **v, size_t *n, size_t *cap, uint64_t s, uint64_t e)
{
	if (s >= e)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = (struct range){ s, e };
}

/* [s, e) minus the sorted, disjoint list cut[] */
static void subtract(struct range **out, size_t *n, size_t *cap, uint64_t s, uint64_t e,
		     const struct range *cut, size_t ncut)
{
	for (size_t i = 0; i < ncut && s < e; i++) {
		if (cut[i].end <= s || cut[i].start >= e)
			continue;
		range_push(out, n, cap, s, cut[i].start > s ? cut[i].start : s);
		s = cut[i].end;
	}
	range_push(out, n, cap, s, e);
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Append an extent to a sorted vector, merging it into the last one when it
 * continues it with the same kind, order and zero share. */
void extent_push(struct extent **v, size_t *n, size_t *cap, uint64_t pfn, uint64_t npages,
		 int kind, unsigned order, unsigned zero_pct, bool stored)
{
	if (!npages)
		return;
	if (*n) {
		struct extent *last = &(*v)[*n - 1];

		if (last->pfn + last->npages == pfn && last->kind == kind &&
		    last->order == order && last->zero_pct == zero_pct && last->stored == stored) {
			last->npages += npages;
			return;
		}
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = (struct extent){ pfn, npages, (uint8_t)kind, (uint8_t)order,
					(uint8_t)zero_pct, stored };
}

static void add_extent(struct model *m, uint64_t pfn, uint64_t n, int kind, unsigned order,
		       unsigned zero_pct)
{
	extent_push(&m->ext, &m->n_ext, &m->cap_ext, pfn, n, kind, order, zero_pct,
		    m->alloc_stored);
}

/* index of the avail range holding pfn, or -1 */
static long avail_find(const struct model *m, uint64_t pfn)
{
	size_t lo = 0, hi = m->n_avail;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < m->avail[mid].start)
			hi = mid;
		else if (pfn >= m->avail[mid].end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

static bool avail_has(const struct model *m, uint64_t pfn, uint64_t n)
{
	long i = avail_find(m, pfn);

	return i >= 0 && m->avail[i].end - pfn >= n;
}

/* Give [pfn, pfn+n) to an extent; it must still be available. */
static void take(struct model *m, uint64_t pfn, uint64_t n, int kind, unsigned order,
		 unsigned zero_pct)
{
	long i = avail_find(m, pfn);

	if (i < 0 || m->avail[i].end - pfn < n)
		die("pfns 0x%llx-0x%llx (%s) are not free RAM: they overlap a hole, the kernel's "
		    "own pages or an earlier object", (unsigned long long)pfn,
		    (unsigned long long)(pfn + n - 1), kinds[kind].name);
	struct range r = m->avail[i];

	if (r.start == pfn && r.end == pfn + n) {
		memmove(&m->avail[i], &m->avail[i + 1], (m->n_avail - (size_t)i - 1) * sizeof(r));
		m->n_avail--;
	} else if (r.start == pfn) {
		m->avail[i].start = pfn + n;
	} else if (r.end == pfn + n) {
		m->avail[i].end = pfn;
	} else {
		if (m->n_avail == m->cap_avail) {
			m->cap_avail *= 2;
			m->avail = xrealloc(m->avail, m->cap_avail * sizeof(*m->avail));
		}
		memmove(&m->avail[i + 2], &m->avail[i + 1], (m->n_avail - (size_t)i - 1) * sizeof(r));
		m->avail[i].end = pfn;
		m->avail[i + 1] = (struct range){ pfn + n, r.end };
		m->n_avail++;
	}
	add_extent(m, pfn, n, kind, order, zero_pct);
}

/* memblock: highest free run of n pages aligned to `align` pages inside
 * pfns [lo, hi) (a NUMA node: the kernel allocates a node's struct pages
 * and pgdat on the node itself) */
static uint64_t memblock_alloc_in(struct model *m, uint64_t n, uint64_t align, int kind,
				  uint64_t lo, uint64_t hi)
{
	for (size_t i = m->n_avail; i-- > 0;) {
		const struct range *r = &m->avail[i];
		uint64_t rs = r->start > lo ? r->start : lo, re = r->end < hi ? r->end : hi;

		if (re <= rs || re - rs < n)
			continue;
		uint64_t s = (re - n) & ~(align - 1);

		if (s >= rs) {
			take(m, s, n, kind, 0, 0);
			return s;
		}
	}
	die("memblock: no room for %llu pages (aligned to %llu) for the kernel's own data "
	    "in pfns 0x%llx-0x%llx", (unsigned long long)n, (unsigned long long)align,
	    (unsigned long long)lo, (unsigned long long)hi);
}

static uint64_t memblock_alloc(struct model *m, uint64_t n, uint64_t align, int kind)
{
	return memblock_alloc_in(m, n, align, kind, 0, UINT64_MAX);
}

/* the NUMA node of pfn */
static unsigned node_of(const struct model *m, uint64_t pfn)
{
	unsigned n = 0;

	while (n + 1 < m->nodes && pfn >= m->node_start[n + 1])
		n++;
	return n;
}

/* ---- the kernel image ---- */

/* bytes from the image's data area (after the code) */
static uint64_t kalloc(struct model *m, uint64_t size, uint64_t align)
{
	uint64_t off = (m->kbrk + align - 1) & ~(align - 1);

	if (off + size > m->ksize)
		die("kernel image too small (kernel-size %llu MiB) for its data",
		    (unsigned long long)(m->ksize >> 20));
	m->kbrk = off + size;
	return m->kphys + off;
}

uint64_t model_memblock(struct model *m, uint64_t pages)
{
	return memblock_alloc(m, pages, 1, K_META);
}

uint64_t model_free_block(struct model *m, unsigned order)
{
	uint64_t pfn;

	m->alloc_stored = true;
	pfn = memblock_alloc(m, 1ull << order, 1ull << order, K_FREE);
	m->alloc_stored = false;
	/* memblock_alloc gives order 0: a buddy block has its order */
	m->ext[m->n_ext - 1].order = (uint8_t)order;
	return pfn;
}

uint64_t model_kalloc(struct model *m, uint64_t size, uint64_t align)
{
	return kalloc(m, size, align);
}

/* ---- page tables ---- */

static uint64_t pt_page(struct model *m)
{
	uint64_t pa;

	if (m->pt_in_image)
		pa = kalloc(m, PAGE_SIZE, PAGE_SIZE);
	else
		pa = memblock_alloc(m, 1, 1, K_META) << PAGE_SHIFT;
	(void)pstore_get(&m->store, pa >> PAGE_SHIFT, true);
	return pa;
}

static const unsigned shifts5[] = { 48, 39, 30, 21, 12 };

static void pt_map(struct model *m, uint64_t va, uint64_t pa, unsigned shift, uint64_t flags)
{
	const unsigned *sh = m->levels == 5 ? shifts5 : shifts5 + 1;
	uint64_t table = m->pgd_paddr;

	for (unsigned lvl = 0; lvl < m->levels; lvl++) {
		uint64_t ea = table + ((va >> sh[lvl]) & 0x1ff) * 8;

		if (sh[lvl] == shift) {
			phys_write_u64(m, ea, pa | flags | (shift > 12 ? PTE_PSE : 0));
			return;
		}
		uint64_t e = phys_read_u64(m, ea);

		if (!e) {
			e = pt_page(m) | KERNPG_TABLE;
			phys_write_u64(m, ea, e);
		} else if (e & PTE_PSE) {
			die("page tables: 0x%llx is already mapped by a huge page",
			    (unsigned long long)va);
		}
		table = e & PTE_ADDR;
	}
	die("page tables: bad page size shift %u", shift);
}

/* The generator's own walk of its tables (for corrupt variants): the
 * physical address of va, *ok false when a level is not present. */
uint64_t walk_va(struct model *m, uint64_t va, bool *ok)
{
	const unsigned *sh = m->levels == 5 ? shifts5 : shifts5 + 1;
	uint64_t table = m->pgd_paddr;

	*ok = false;
	for (unsigned lvl = 0; lvl < m->levels; lvl++) {
		uint64_t e = phys_read_u64(m, table + ((va >> sh[lvl]) & 0x1ff) * 8);

		if (!(e & PTE_PRESENT))
			return 0;
		if (lvl == m->levels - 1 || (sh[lvl] <= 30 && (e & PTE_PSE))) {
			uint64_t size = 1ull << sh[lvl];

			*ok = true;
			return ((e & PTE_ADDR) & ~(size - 1)) | (va & (size - 1));
		}
		table = e & PTE_ADDR;
	}
	return 0;
}

/* ---- layout steps ---- */

static bool ram_between(const struct model *m, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < m->n_ram; i++)
		if (m->ram[i].start < hi && m->ram[i].end > lo)
			return true;
	return false;
}

static void layout_ram(struct model *m)
{
	const struct spec *sp = m->sp;
	struct range *holes = NULL, *ck = NULL;
	size_t nh = 0, ch = 0, nck = 0, cck = 0, cap_ram = 0, cap_vmc = 0;

	for (size_t i = 0; i < sp->n_holes; i++)
		range_push(&holes, &nh, &ch, sp->holes[i].start >> PAGE_SHIFT,
			   (sp->holes[i].start + sp->holes[i].size) >> PAGE_SHIFT);
	qsort(holes, nh, sizeof(*holes), cmp_range);
	/* merge overlapping holes */
	size_t w = 0;
	for (size_t i = 0; i < nh; i++) {
		if (w && holes[i].start <= holes[w - 1].end) {
			if (holes[i].end > holes[w - 1].end)
				holes[w - 1].end = holes[i].end;
		} else {
			holes[w++] = holes[i];
		}
	}
	nh = w;
	subtract(&m->ram, &m->n_ram, &cap_ram, 0, sp->memory >> PAGE_SHIFT, holes, nh);
	if (!m->n_ram)
		die("the holes leave no RAM");
	m->max_pfn = m->ram[m->n_ram - 1].end;
	/* NUMA nodes: equal shares of the physical address space, on section
	 * boundaries (a node's pgdat and struct pages live on the node) */
	m->nodes = sp->nodes ? sp->nodes : 1;
	m->node_start = xcalloc(m->nodes + 1, sizeof(*m->node_start));
	for (unsigned n = 1; n < m->nodes; n++)
		m->node_start[n] = (m->max_pfn * n / m->nodes) & ~(PAGES_PER_SECTION - 1);
	m->node_start[m->nodes] = m->max_pfn;
	for (unsigned n = 0; n < m->nodes; n++)
		if (m->node_start[n + 1] <= m->node_start[n] ||
		    !ram_between(m, m->node_start[n], m->node_start[n + 1]))
			die("nodes %u: node %u has no RAM (memory is too small or the holes cover it)",
			    m->nodes, n);
	if (sp->crashkernel.size)
		range_push(&ck, &nck, &cck, sp->crashkernel.start >> PAGE_SHIFT,
			   (sp->crashkernel.start + sp->crashkernel.size) >> PAGE_SHIFT);
	for (size_t i = 0; i < m->n_ram; i++)
		subtract(&m->vmc, &m->n_vmc, &cap_vmc, m->ram[i].start, m->ram[i].end, ck, nck);
	m->cap_avail = m->n_ram + 64;
	m->avail = xmalloc(m->cap_avail * sizeof(*m->avail));
	memcpy(m->avail, m->ram, m->n_ram * sizeof(*m->ram));
	m->n_avail = m->n_ram;
	free(holes);
	free(ck);
}

static bool ram_has(const struct model *m, uint64_t pfn, uint64_t n)
{
	for (size_t i = 0; i < m->n_ram; i++)
		if (pfn >= m->ram[i].start && pfn + n <= m->ram[i].end)
			return true;
	return false;
}

static void choose_addresses(struct model *m)
{
	struct spec *sp = m->sp;
	uint64_t po_default = m->levels == 5 ? 0xff11000000000000ull : 0xffff888000000000ull;
	uint64_t vm_default = m->levels == 5 ? 0xffd4000000000000ull : 0xffffea0000000000ull;
	uint64_t virt_off = 0;

	m->ksize = (sp->kernel_size + SZ_2M - 1) & ~(SZ_2M - 1);
	if (!sp->extreme)   /* the static mem_section array lives in the image's bss */
		m->ksize += ((1ull << (46 - SECTION_SIZE_BITS)) * sp->mem_section_size + SZ_2M - 1) &
			    ~(SZ_2M - 1);
	m->ktext_size = (m->ksize / 2) & ~(uint64_t)(PAGE_SIZE - 1);
	m->kbrk = m->ktext_size;
	m->page_offset = po_default;
	m->vmemmap_base = vm_default;
	m->kphys = 16ull << 20;

	if (sp->kaslr == KASLR_RANDOM) {
		/* physical: any 2 MiB-aligned spot of RAM above 16 MiB that holds the image */
		uint64_t slots = 0, pick = 0, kpages = m->ksize >> PAGE_SHIFT;

		for (int pass = 0; pass < 2; pass++) {
			uint64_t seen = 0;

			for (uint64_t pa = 16ull << 20; pa + m->ksize <= sp->memory; pa += SZ_2M) {
				uint64_t pfn = pa >> PAGE_SHIFT;

				if (!ram_has(m, pfn, kpages) || !avail_has(m, pfn, kpages))
					continue;
				if (pass == 1 && seen == pick) {
					m->kphys = pa;
					break;
				}
				seen++;
			}
			if (pass == 0) {
				slots = seen;
				if (!slots)
					die("no room for the kernel image in RAM");
				pick = rng_below(&m->rng, slots);
			}
		}
		virt_off = rng_below(&m->rng, (KERNEL_IMAGE_SIZE - (16ull << 20) - m->ksize) / SZ_2M) * SZ_2M;
		if (m->levels == 5) {
			m->page_offset += rng_below(&m->rng, 1ull << 20) * SZ_1G;
			m->vmemmap_base += rng_below(&m->rng, 1ull << 16) * SZ_1G;
		} else {
			m->page_offset += rng_below(&m->rng, 1ull << 14) * SZ_1G;
			m->vmemmap_base = 0xffffe80000000000ull + rng_below(&m->rng, 1ull << 10) * SZ_1G;
		}
	} else if (sp->kaslr == KASLR_FIXED) {
		if (sp->k_phys)
			m->kphys = sp->k_phys;
		virt_off = sp->k_virt_off;
		if (sp->k_direct)
			m->page_offset = sp->k_direct;
		if (sp->k_vmemmap)
			m->vmemmap_base = sp->k_vmemmap;
	}
	if (m->kphys & (SZ_2M - 1) || virt_off & (SZ_2M - 1))
		die("kaslr: phys and offset must be 2 MiB aligned");
	if (virt_off + m->ksize > KERNEL_IMAGE_SIZE - (16ull << 20))
		die("kaslr: offset puts the kernel outside the 1 GiB image area");
	if (m->page_offset & (SZ_1G - 1) || m->vmemmap_base & (SZ_1G - 1))
		die("kaslr: direct and vmemmap must be 1 GiB aligned");
	m->ktext = START_KERNEL + virt_off;
	m->phys_base = m->kphys - (m->ktext - START_KERNEL_MAP);
}

static void reserve_low(struct model *m)
{
	const struct spec *sp = m->sp;

	/* the first MiB: real-mode/BIOS area, reserved by the kernel */
	for (size_t i = 0; i < m->n_ram; i++) {
		uint64_t s = m->ram[i].start, e = m->ram[i].end < 256 ? m->ram[i].end : 256;

		if (s < e)
			take(m, s, e - s, K_RESERVED, 0, 50);
	}
	if (sp->crashkernel.size) {
		uint64_t s = sp->crashkernel.start >> PAGE_SHIFT, n = sp->crashkernel.size >> PAGE_SHIFT;

		if (!ram_has(m, s, n) || !avail_has(m, s, n))
			die("crashkernel range is not all RAM above 1 MiB");
		take(m, s, n, K_CRASHKERNEL, 0, 100);
	}
}

static void reserve_image(struct model *m)
{
	uint64_t kp = m->kphys >> PAGE_SHIFT, kn = m->ksize >> PAGE_SHIFT;

	if (!ram_has(m, kp, kn) || !avail_has(m, kp, kn))
		die("the kernel image (0x%llx, %llu MiB) is not in free RAM",
		    (unsigned long long)m->kphys, (unsigned long long)(m->ksize >> 20));
	take(m, kp, kn, K_KIMAGE, 0, 0);
}

static void sections_and_memmap(struct model *m)
{
	m->n_sections = (m->max_pfn + PAGES_PER_SECTION - 1) >> PFN_SECTION_SHIFT;
	m->sec_present = xcalloc(m->n_sections, 1);
	m->sec_memmap = xcalloc(m->n_sections, sizeof(*m->sec_memmap));
	for (size_t i = 0; i < m->n_ram; i++)
		for (uint64_t s = m->ram[i].start >> PFN_SECTION_SHIFT;
		     s <= (m->ram[i].end - 1) >> PFN_SECTION_SHIFT; s++)
			m->sec_present[s] = 1;
	/* 32768 struct pages of 64 bytes: 2 MiB per section, 2 MiB aligned */
	for (uint64_t s = 0; s < m->n_sections; s++)
		if (m->sec_present[s]) {
			unsigned n = node_of(m, s << PFN_SECTION_SHIFT);

			m->sec_memmap[s] = memblock_alloc_in(m, PAGES_PER_SECTION * SP_SIZE / PAGE_SIZE,
							     SZ_2M / PAGE_SIZE, K_MEMMAP,
							     m->node_start[n], m->node_start[n + 1])
					   << PAGE_SHIFT;
		}
}

static void page_tables(struct model *m)
{
	const struct spec *sp = m->sp;

	m->pgd_paddr = kalloc(m, PAGE_SIZE, PAGE_SIZE);
	(void)pstore_get(&m->store, m->pgd_paddr >> PAGE_SHIFT, true);

	/* kernel image: 2 MiB pages, tables inside the image */
	m->pt_in_image = true;
	for (uint64_t off = 0; off < m->ksize; off += SZ_2M)
		pt_map(m, m->ktext + off, m->kphys + off, 21, PAGE_KERNEL_LARGE_EXEC);
	m->pt_in_image = false;

	/* direct map of all RAM */
	for (size_t i = 0; i < m->n_ram; i++) {
		uint64_t pa = m->ram[i].start << PAGE_SHIFT, end = m->ram[i].end << PAGE_SHIFT;

		while (pa < end) {
			unsigned shift = sp->directmap_shift;

			while (shift > 12 && ((pa & ((1ull << shift) - 1)) || end - pa < (1ull << shift)))
				shift = shift == 30 ? 21 : 12;
			pt_map(m, direct_va(m, pa), pa, shift, PAGE_KERNEL);
			pa += 1ull << shift;
		}
	}

	/* vmemmap */
	if (sp->vmemmap) {
		for (uint64_t s = 0; s < m->n_sections; s++) {
			if (!m->sec_present[s])
				continue;
			uint64_t va = m->vmemmap_base + s * PAGES_PER_SECTION * SP_SIZE;

			if (sp->vmemmap_shift == 21) {
				pt_map(m, va, m->sec_memmap[s], 21, PAGE_KERNEL);
			} else {
				for (uint64_t off = 0; off < SZ_2M; off += PAGE_SIZE)
					pt_map(m, va + off, m->sec_memmap[s] + off, 12, PAGE_KERNEL);
			}
		}
	}
}

static uint64_t section_mem_map(const struct model *m, uint64_t s)
{
	uint64_t start = s * PAGES_PER_SECTION, coded;

	if (m->sp->vmemmap)
		coded = m->vmemmap_base;
	else
		coded = direct_va(m, m->sec_memmap[s]) - start * SP_SIZE;
	/* present | has_mem_map | online (4.13+) | early (5.3+) */
	return coded | 0x1 | 0x2 | 0x4 | (m->g->major >= 5 ? 0x8 : 0);
}

static void mem_sections(struct model *m)
{
	const struct spec *sp = m->sp;
	unsigned ms = sp->mem_section_size;
	unsigned physbits = m->levels == 5 ? 52 : 46;
	uint64_t per_root = PAGE_SIZE / ms;
	uint64_t usage = memblock_alloc(m, 1, 1, K_META) << PAGE_SHIFT;

	/* mem_section_usage: a subsection map and pageblock flags; contents are
	 * not read by filters, but the page is not empty */
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		phys_write_u64(m, usage + i * 8, 0xffffffffffffffffull);

	m->nr_mem_sections = 1ull << (physbits - SECTION_SIZE_BITS);
	if (sp->extreme) {
		m->nr_roots = m->nr_mem_sections / per_root;
		uint64_t bytes = m->nr_roots * 8;

		m->roots_paddr = memblock_alloc(m, (bytes + PAGE_SIZE - 1) / PAGE_SIZE, 1, K_META)
				 << PAGE_SHIFT;
		m->sym_mem_section = direct_va(m, m->roots_paddr);
		uint64_t used_roots = (m->n_sections + per_root - 1) / per_root;

		m->root_paddr = xcalloc(used_roots, sizeof(*m->root_paddr));
		for (uint64_t s = 0; s < m->n_sections; s++) {
			if (!m->sec_present[s])
				continue;
			uint64_t r = s / per_root;

			if (!m->root_paddr[r]) {
				m->root_paddr[r] = memblock_alloc(m, 1, 1, K_META) << PAGE_SHIFT;
				phys_write_u64(m, m->roots_paddr + r * 8, direct_va(m, m->root_paddr[r]));
			}
			uint64_t ent = m->root_paddr[r] + (s % per_root) * ms;

			phys_write_u64(m, ent, section_mem_map(m, s));
			phys_write_u64(m, ent + 8, direct_va(m, usage + (s % 64) * 64));
		}
	} else {
		m->nr_roots = m->nr_mem_sections;
		uint64_t arr = kalloc(m, m->nr_mem_sections * ms, PAGE_SIZE);

		m->sym_mem_section = image_va(m, arr);
		for (uint64_t s = 0; s < m->n_sections; s++) {
			if (!m->sec_present[s])
				continue;
			phys_write_u64(m, arr + s * ms, section_mem_map(m, s));
			phys_write_u64(m, arr + s * ms + 8, direct_va(m, usage + (s % 64) * 64));
		}
	}
}

static void put_str(struct model *m, uint64_t pa, const char *s, size_t field)
{
	char buf[65];

	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf), "%s", s);
	phys_write(m, pa, buf, field);
}

static void kernel_data(struct model *m)
{
	const struct spec *sp = m->sp;
	uint32_t sz_pgdat = pgdat_layout[0], sz_zone = pgdat_layout[1];
	uint32_t off_nr_zones = pgdat_layout[2], off_start = pgdat_layout[3];
	uint32_t off_spanned = pgdat_layout[4], off_id = pgdat_layout[5];
	uint32_t off_free = pgdat_layout[6], off_zspanned = pgdat_layout[7];
	uint32_t mtypes = pgdat_layout[8];
	char version[65];

	/* init_uts_ns: a kref before the name until 5.11 */
	uint64_t uts = kalloc(m, 512, 64);
	uint64_t name = uts + ((m->g->major > 5 || (m->g->major == 5 && m->g->minor >= 11)) ? 0 : 4);

	if (name != uts)
		phys_write_u64(m, uts, 3);
	m->sym_init_uts_ns = image_va(m, uts);
	snprintf(version, sizeof(version), "#1 SMP PREEMPT_DYNAMIC mkvmcore %.30s", sp->name);
	put_str(m, name + 0 * 65, "Linux", 65);
	put_str(m, name + 1 * 65, "synth", 65);
	put_str(m, name + 2 * 65, sp->osrelease, 65);
	put_str(m, name + 3 * 65, version, 65);
	put_str(m, name + 4 * 65, "x86_64", 65);
	put_str(m, name + 5 * 65, "(none)", 65);

	/* node_states[N_ONLINE]: nodes 0 .. nodes-1 */
	uint64_t online = kalloc(m, 128, 64);

	for (unsigned n = 0; n < m->nodes; n += 64)
		phys_write_u64(m, online + n / 8,
			       m->nodes - n >= 64 ? ~0ull : (1ull << (m->nodes - n)) - 1);
	m->sym_node_online_map = image_va(m, online);

	/* each node's pgdat (memblock, on the node) and node_data[] (image) */
	uint64_t nd = kalloc(m, 1024 * 8, 64);

	for (unsigned n = 0; n < m->nodes; n++) {
		uint64_t ns = m->node_start[n], ne = m->node_start[n + 1];
		uint64_t pgdat = memblock_alloc_in(m, (sz_pgdat + PAGE_SIZE - 1) / PAGE_SIZE, 1, K_META,
						   ns, ne) << PAGE_SHIFT;
		/* DMA below 16 MiB, DMA32 below 4 GiB, Normal above, Movable empty */
		uint64_t zone_end[4] = { 1ull << 12, 1ull << 20, ne, 0 };
		uint64_t zone_start = ns;

		if (n == 0)
			m->sym_pgdat = direct_va(m, pgdat);
		phys_write_u64(m, nd + n * 8, direct_va(m, pgdat));
		phys_write_u64(m, pgdat + off_start, ns);
		phys_write_u64(m, pgdat + off_spanned, ne - ns);
		phys_write_u64(m, pgdat + off_id, n);
		phys_write_u64(m, pgdat + off_nr_zones, 3);
		for (unsigned z = 0; z < 4; z++) {
			uint64_t zone = pgdat + (uint64_t)z * sz_zone;
			uint64_t end = zone_end[z] < ne ? zone_end[z] : ne;

			phys_write_u64(m, zone + off_zspanned, end > zone_start ? end - zone_start : 0);
			zone_start = end > zone_start ? end : zone_start;
			for (unsigned o = 0; o <= MAX_BUDDY_ORDER; o++)
				for (unsigned t = 0; t < mtypes; t++) {
					uint64_t lh = zone + off_free + o * (mtypes * 16 + 8) + t * 16;

					phys_write_u64(m, lh, direct_va(m, lh));
					phys_write_u64(m, lh + 8, direct_va(m, lh));
				}
		}
	}
	m->sym_node_data = image_va(m, nd);

	/* kallsyms, vmap_area_list ...: symbols exist, nothing reads them */
	m->sym_misc = image_va(m, kalloc(m, 16384, PAGE_SIZE));
	/* the kernel log (log.c) */
	log_build(m);
}

/* `at` and `place` objects */
static void place_objects(struct model *m)
{
	const struct spec *sp = m->sp;

	for (size_t i = 0; i < sp->n_at; i++) {
		const struct at_entry *a = &sp->at[i];
		uint64_t size = 1ull << a->order;
		/* bad-buddy-align: a block of 2^order pages that claims order+1,
		 * so it sits on an odd multiple of 2^order */
		bool misalign = a->kind == K_BAD_BUDDY_ALIGN;

		if (!a->random) {
			if (a->pfn & (size - 1))
				die("at 0x%llx %s: pfn not aligned to order %u",
				    (unsigned long long)a->pfn, kinds[a->kind].name, a->order);
			if (misalign && !(a->pfn & size))
				die("at 0x%llx bad-buddy-align: pfn must be an odd multiple of 2^order",
				    (unsigned long long)a->pfn);
			for (uint64_t c = 0; c < a->count; c++)
				take(m, a->pfn + c * size, size, a->kind, a->order, a->zero_pct);
			continue;
		}
		uint64_t slot = misalign ? size * 2 : size;

		for (uint64_t c = 0; c < a->count; c++) {
			uint64_t count = 0, pick, seen = 0;

			for (size_t r = 0; r < m->n_avail; r++) {
				uint64_t s = (m->avail[r].start + slot - 1) & ~(slot - 1);

				if (s + slot <= m->avail[r].end)
					count += (m->avail[r].end - s) / slot;
			}
			if (!count)
				die("place %s order=%u: no free aligned room left (object %llu of %llu)",
				    kinds[a->kind].name, a->order, (unsigned long long)c + 1,
				    (unsigned long long)a->count);
			pick = rng_below(&m->rng, count);
			for (size_t r = 0; r < m->n_avail; r++) {
				uint64_t s = (m->avail[r].start + slot - 1) & ~(slot - 1), k;

				if (s + slot > m->avail[r].end)
					continue;
				k = (m->avail[r].end - s) / slot;
				if (pick < seen + k) {
					uint64_t pfn = s + (pick - seen) * slot + (misalign ? size : 0);

					take(m, pfn, size, a->kind, a->order, a->zero_pct);
					break;
				}
				seen += k;
			}
		}
	}
}

static int cmp_extent(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static void finish_extents(struct model *m)
{
	size_t w = 0, ri = 0;

	qsort(m->ext, m->n_ext, sizeof(*m->ext), cmp_extent);
	for (size_t i = 0; i < m->n_ext; i++) {
		struct extent *e = &m->ext[i];

		if (w && m->ext[w - 1].pfn + m->ext[w - 1].npages == e->pfn &&
		    m->ext[w - 1].kind == e->kind && m->ext[w - 1].order == e->order &&
		    m->ext[w - 1].zero_pct == e->zero_pct && m->ext[w - 1].stored == e->stored)
			m->ext[w - 1].npages += e->npages;
		else
			m->ext[w++] = *e;
	}
	m->n_ext = w;
	/* the mix gets what is left; every RAM pfn is then in exactly one
	 * fixed extent or one mix range */
	m->mixr = m->avail;
	m->n_mixr = m->n_avail;
	m->avail = NULL;
	m->n_avail = m->cap_avail = 0;
	mix_prepare(m);

	uint64_t pfn = m->ram[0].start;
	size_t xi = 0, mi = 0;

	for (;;) {
		uint64_t s, n;

		if (xi < m->n_ext && (mi == m->n_mixr || m->ext[xi].pfn < m->mixr[mi].start)) {
			s = m->ext[xi].pfn;
			n = m->ext[xi++].npages;
		} else if (mi < m->n_mixr) {
			s = m->mixr[mi].start;
			n = m->mixr[mi].end - s;
			mi++;
		} else {
			break;
		}
		while (ri < m->n_ram && pfn >= m->ram[ri].end) {
			ri++;
			if (ri < m->n_ram)
				pfn = m->ram[ri].start;
		}
		if (ri == m->n_ram || s != pfn || s + n > m->ram[ri].end)
			die("internal: extents do not tile RAM at pfn 0x%llx", (unsigned long long)s);
		pfn += n;
	}
	if (ri + 1 < m->n_ram || pfn != m->ram[m->n_ram - 1].end)
		die("internal: extents do not cover RAM (stop at pfn 0x%llx)", (unsigned long long)pfn);
}

static bool store_page_zero(const struct model *m, uint64_t pfn)
{
	const uint8_t *p = pstore_get((struct pstore *)&m->store, pfn, false);

	if (!p)
		return true;
	for (unsigned i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

/* Is this page's content all zero?  The one definition the writer and the
 * truth share. */
bool page_is_zero(const struct model *m, const struct extent *e, uint64_t pfn)
{
	switch (e->kind) {
	case K_MEMMAP:
		return false;        /* every struct page has a non-zero word */
	case K_KIMAGE:
		if ((pfn << PAGE_SHIFT) - m->kphys < m->ktext_size)
			return false;
		return store_page_zero(m, pfn);
	case K_META:
		return store_page_zero(m, pfn);
	default:
		if (e->stored)
			return store_page_zero(m, pfn);
		break;
	}
	if (e->zero_pct >= 100)
		return true;
	if (!e->zero_pct)
		return false;
	return mix64(pfn ^ (m->sp->seed * 0x2545f4914f6cdd1dull)) % 100 < e->zero_pct;
}

/* Content of a non-zero data page: a stamp (pfn, magic) and, unless
 * `fill stamp`, pseudo-random words in every other slot (about 2:1 with
 * fast compressors, like real memory). */
void fill_data_page(const struct model *m, uint64_t pfn, uint8_t *buf)
{
	uint64_t *w = (uint64_t *)(void *)buf;
	uint64_t x = mix64(pfn + m->sp->seed * 0x9e3779b97f4a7c15ull);

	memset(buf, 0, PAGE_SIZE);
	w[0] = 0x65726f636d76ull ^ (m->sp->seed << 48);   /* "vmcore" */
	w[1] = pfn;
	if (m->sp->fill_stamp)
		return;
	for (unsigned i = 2; i < PAGE_SIZE / 8; i += 2) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

void model_free(struct model *m)
{
	log_free(m);
	for (size_t i = 0; i < m->store.cap; i++)
		free(m->store.pages[i]);
	free(m->store.keys);
	free(m->store.pages);
	free(m->ram);
	free(m->vmc);
	free(m->avail);
	free(m->ext);
	free(m->mixr);
	free(m->mixk);
	free(m->node_start);
	free(m->sec_present);
	free(m->sec_memmap);
	free(m->root_paddr);
	free(m->patch);
	memset(m, 0, sizeof(*m));
}

void model_build(struct model *m)
{
	m->g = m->sp->gen;
	m->levels = m->sp->paging;
	m->rng.s = m->sp->seed;
	layout_ram(m);
	reserve_low(m);
	choose_addresses(m);
	reserve_image(m);
	sections_and_memmap(m);
	page_tables(m);
	mem_sections(m);
	kernel_data(m);
	corrupt_before_mix(m);
	place_objects(m);
	finish_extents(m);
	corrupt_after_build(m);
}

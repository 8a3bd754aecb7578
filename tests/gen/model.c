/* model.c - lay out the simulated machine: RAM, the kernel's own pages
 * (image, struct page arrays, page tables, mem_section, pgdat), then `at`,
 * `place` and the page mix, as a sorted list of extents covering all RAM.
 *
 * Allocation follows the kernel's early boot: the image sits where KASLR
 * put it, everything else comes from a top-down memblock allocator (struct
 * pages first, in chunks of whole sections mapped together, or i386's one
 * FLATMEM mem_map, then page tables and mem_section; i386: all in lowmem).  Page tables are the architecture's real ones
 * (garch.c says how an entry looks): the kernel image mapped from tables
 * inside the image (as x86's level2_kernel_pgt), the direct map with the
 * largest leaf the spec allows, vmemmap with pages or blocks.  Bytes the
 * generator writes to physical memory (tables, mem_section, pgdat, image
 * data) are kept in a page store, in the machine's byte order; everything
 * else is produced on the fly by output.c and spage.c from the extents.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "../../lib/common/bytes.h"

#define SZ_2M         (2ull << 20)

extern const uint32_t pgdat_layout[], pgdat_layout_ilp32[];

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
		struct pstore grown = { ps->page_size, NULL, NULL, ps->cap * 2, 0 };

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
	ps->pages[i] = xcalloc(1, ps->page_size);
	ps->n++;
	return ps->pages[i];
}

void phys_write(struct model *m, uint64_t paddr, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t off = paddr & (m->page_size - 1), n = m->page_size - off;

		if (n > len)
			n = len;
		memcpy(pstore_get(&m->store, paddr >> m->page_shift, true) + off, p, n);
		p += n;
		paddr += n;
		len -= n;
	}
}

static void phys_read(struct model *m, uint64_t paddr, void *buf, size_t len)
{
	const uint8_t *pg = pstore_get(&m->store, paddr >> m->page_shift, false);

	if (!pg)
		memset(buf, 0, len);
	else
		memcpy(buf, pg + (paddr & (m->page_size - 1)), len);
}

void phys_write_u64(struct model *m, uint64_t paddr, uint64_t v)
{
	uint8_t b[8];

	bytes_put_u64(m->arch->big_endian, b, v);
	phys_write(m, paddr, b, 8);
}

void phys_write_u32(struct model *m, uint64_t paddr, uint32_t v)
{
	uint8_t b[4];

	bytes_put_u32(m->arch->big_endian, b, v);
	phys_write(m, paddr, b, 4);
}

uint64_t phys_read_u64(struct model *m, uint64_t paddr)
{
	uint8_t b[8];

	phys_read(m, paddr, b, 8);
	return bytes_get_u64(m->arch->big_endian, b);
}

void phys_write_word(struct model *m, uint64_t paddr, uint64_t v)
{
	if (m->word == 4)
		phys_write_u32(m, paddr, (uint32_t)v);
	else
		phys_write_u64(m, paddr, v);
}

/* entries of 8 bytes, or 4 (i386 without PAE) */
void pt_write(struct model *m, uint64_t paddr, uint64_t e)
{
	uint8_t b[8];

	if (m->entry_size == 4)
		bytes_put_u32(m->arch->entries_big_endian, b, (uint32_t)e);
	else
		bytes_put_u64(m->arch->entries_big_endian, b, e);
	phys_write(m, paddr, b, m->entry_size);
}

uint64_t pt_read(struct model *m, uint64_t paddr)
{
	uint8_t b[8];

	phys_read(m, paddr, b, m->entry_size);
	return m->entry_size == 4 ? bytes_get_u32(m->arch->entries_big_endian, b)
	       : bytes_get_u64(m->arch->entries_big_endian, b);
}

uint64_t direct_va(const struct model *m, uint64_t paddr)
{
	return m->page_offset + (paddr - m->linear_base);
}

uint64_t image_va(const struct model *m, uint64_t paddr)
{
	return paddr + m->image_voff;
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
	/* early allocations come from the linear map (i386: lowmem) */
	if (m->lowmem_end && hi > m->lowmem_end)
		hi = m->lowmem_end;
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

/* A table for `level`: whole pages for tables of a page or more (aligned
 * to their size), else cut from a page kept for that (s390x page tables,
 * ppc64 radix PTE tables).  Unused entries get the arch's empty value. */
static uint64_t pt_table(struct model *m, unsigned level)
{
	uint64_t size = ((uint64_t)1 << m->pt_bits[level]) * m->entry_size, pa;

	if (size >= m->page_size) {
		uint64_t pages = size >> m->page_shift;

		if (m->pt_in_image)
			pa = kalloc(m, size, size);
		else
			pa = memblock_alloc(m, pages, pages, K_META) << m->page_shift;
	} else {
		if (m->carve_left < size) {
			m->carve_pa = m->pt_in_image ? kalloc(m, m->page_size, m->page_size)
				    : memblock_alloc(m, 1, 1, K_META) << m->page_shift;
			m->carve_left = m->page_size;
		}
		pa = m->carve_pa + (m->page_size - m->carve_left);
		m->carve_left -= size;
	}
	for (uint64_t off = 0; off < size; off += m->page_size)
		(void)pstore_get(&m->store, (pa + off) >> m->page_shift, true);
	if (m->arch->empty_entry) {
		uint64_t e = m->arch->empty_entry(m, level);

		for (uint64_t i = 0; i < size; i += m->entry_size)
			pt_write(m, pa + i, e);
	}
	return pa;
}

static uint64_t pt_index(const struct model *m, unsigned lvl, uint64_t va)
{
	return (va >> m->pt_shift[lvl]) & (((uint64_t)1 << m->pt_bits[lvl]) - 1);
}

/* The bytes one leaf `up` levels above the last maps. */
static uint64_t leaf_size(const struct model *m, unsigned up)
{
	return (uint64_t)1 << m->pt_shift[m->levels - 1 - up];
}

/* Map va -> pa with a leaf `up` levels above the last (0: a page). */
static void pt_map(struct model *m, uint64_t va, uint64_t pa, unsigned up, bool exec)
{
	uint64_t table = m->pgd_paddr;
	unsigned leaf = m->levels - 1 - up;

	if (up > m->max_leaf_up)
		die("page tables: no leaf %u levels above the last on %s", up, m->arch->name);
	for (unsigned lvl = 0; lvl < m->levels; lvl++) {
		uint64_t ea = table + pt_index(m, lvl, va) * m->entry_size;
		uint64_t e, next;

		if (lvl == leaf) {
			pt_write(m, ea, m->arch->leaf_entry(m, lvl, pa, exec));
			return;
		}
		e = pt_read(m, ea);
		switch (m->arch->decode(m, lvl, e, &next)) {
		case 0:
			next = pt_table(m, lvl + 1);
			pt_write(m, ea, m->arch->table_entry(m, lvl, next));
			break;
		case 2:
			die("page tables: 0x%llx is already mapped by a huge page",
			    (unsigned long long)va);
		default:
			break;
		}
		table = next;
	}
}

/* The generator's own walk of its tables (for corrupt variants): the
 * physical address of va, *ok false when a level is not present. */
uint64_t walk_va(struct model *m, uint64_t va, bool *ok)
{
	uint64_t table = m->pgd_paddr;

	*ok = false;
	for (unsigned lvl = 0; lvl < m->levels; lvl++) {
		uint64_t e = pt_read(m, table + pt_index(m, lvl, va) * m->entry_size), next;
		int kind = m->arch->decode(m, lvl, e, &next);

		if (kind == 0)
			return 0;
		if (kind == 2 || lvl == m->levels - 1) {
			uint64_t size = (uint64_t)1 << m->pt_shift[lvl];

			*ok = true;
			return (next & ~(size - 1)) | (va & (size - 1));
		}
		table = next;
	}
	return 0;
}

/* Map [va, va + len) -> pa with the largest leaves, up to `max_up` levels
 * above the last, that alignment and length allow. */
static void pt_map_range(struct model *m, uint64_t va, uint64_t pa, uint64_t len,
			 unsigned max_up, bool exec)
{
	uint64_t end = pa + len;

	if (max_up > m->max_leaf_up)
		max_up = m->max_leaf_up;
	while (pa < end) {
		unsigned up = max_up;

		while (up && (((va | pa) & (leaf_size(m, up) - 1)) || end - pa < leaf_size(m, up)))
			up--;
		pt_map(m, va, pa, up, exec);
		va += leaf_size(m, up);
		pa += leaf_size(m, up);
	}
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
	unsigned ps = m->page_shift;

	for (size_t i = 0; i < sp->n_holes; i++)
		range_push(&holes, &nh, &ch, sp->holes[i].start >> ps,
			   (sp->holes[i].start + sp->holes[i].size) >> ps);
	if (nh)
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
	subtract(&m->ram, &m->n_ram, &cap_ram, 0, sp->memory >> ps, holes, nh);
	if (!m->n_ram)
		die("the holes leave no RAM");
	m->max_pfn = m->ram[m->n_ram - 1].end;
	/* NUMA nodes: equal shares of the physical address space, on section
	 * boundaries (a node's pgdat and struct pages live on the node) */
	m->nodes = sp->nodes ? sp->nodes : 1;
	m->node_start = xcalloc(m->nodes + 1, sizeof(*m->node_start));
	for (unsigned n = 1; n < m->nodes; n++)
		m->node_start[n] = (m->max_pfn * n / m->nodes) & ~(m->pages_per_section - 1);
	m->node_start[m->nodes] = m->max_pfn;
	for (unsigned n = 0; n < m->nodes; n++)
		if (m->node_start[n + 1] <= m->node_start[n] ||
		    !ram_between(m, m->node_start[n], m->node_start[n + 1]))
			die("nodes %u: node %u has no RAM (memory is too small or the holes cover it)",
			    m->nodes, n);
	if (sp->crashkernel.size)
		range_push(&ck, &nck, &cck, sp->crashkernel.start >> ps,
			   (sp->crashkernel.start + sp->crashkernel.size) >> ps);
	/* kexec-tools cuts a RAM range where lowmem ends (i386): the part
	 * above has no linear-map address */
	for (size_t i = 0; i < m->n_ram; i++) {
		if (m->lowmem_end && m->ram[i].start < m->lowmem_end && m->ram[i].end > m->lowmem_end) {
			subtract(&m->vmc, &m->n_vmc, &cap_vmc, m->ram[i].start, m->lowmem_end, ck, nck);
			subtract(&m->vmc, &m->n_vmc, &cap_vmc, m->lowmem_end, m->ram[i].end, ck, nck);
		} else {
			subtract(&m->vmc, &m->n_vmc, &cap_vmc, m->ram[i].start, m->ram[i].end, ck, nck);
		}
	}
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

/* Where the image goes: physically any 2 MiB-aligned spot of RAM above
 * 16 MiB that holds it (KASLR), virtually a 2 MiB step inside the arch's
 * image area (none where the image lives in the linear map). */
static void choose_addresses(struct model *m)
{
	struct spec *sp = m->sp;
	uint64_t virt_off = 0;

	m->ksize = (sp->kernel_size + SZ_2M - 1) & ~(SZ_2M - 1);
	if (!sp->extreme)   /* the static mem_section array lives in the image's bss */
		m->ksize += (((1ull << (m->physmem_bits - m->section_bits)) * sp->mem_section_size +
			      SZ_2M - 1) & ~(SZ_2M - 1));
	m->ktext_size = (m->ksize / 2) & ~(m->page_size - 1);
	m->kbrk = m->ktext_size;
	m->kphys = m->linear_base + (16ull << 20);

	if (sp->kaslr == KASLR_RANDOM) {
		uint64_t slots = 0, pick = 0, kpages = m->ksize >> m->page_shift;

		for (int pass = 0; pass < 2; pass++) {
			uint64_t seen = 0;

			uint64_t top = m->kaslr_phys_max ? m->kaslr_phys_max : sp->memory;

			for (uint64_t pa = 16ull << 20; pa + m->ksize <= top; pa += SZ_2M) {
				uint64_t pfn = pa >> m->page_shift;

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
		if (m->image_va_span > m->ksize)
			virt_off = rng_below(&m->rng, (m->image_va_span - m->ksize) / SZ_2M) * SZ_2M;
		if (m->arch->kaslr)
			m->arch->kaslr(m);
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
	if (m->image_va_span && virt_off + m->ksize > m->image_va_span)
		die("kaslr: offset puts the kernel outside its image area");
	if (m->arch->image_in_linear_map) {
		m->ktext = direct_va(m, m->kphys);
	} else {
		m->ktext = m->image_va_lo + virt_off;
	}
	m->image_voff = m->ktext - m->kphys;
	m->phys_base = m->kphys - (m->ktext - m->image_base_va);
}

static void reserve_low(struct model *m)
{
	const struct spec *sp = m->sp;
	uint64_t low = (1ull << 20) >> m->page_shift;

	/* the first MiB: firmware area, reserved by the kernel */
	if (!low)
		low = 1;
	for (size_t i = 0; i < m->n_ram; i++) {
		uint64_t s = m->ram[i].start, e = m->ram[i].end < low ? m->ram[i].end : low;

		if (s < e)
			take(m, s, e - s, K_RESERVED, 0, 50);
	}
	if (sp->crashkernel.size) {
		uint64_t s = sp->crashkernel.start >> m->page_shift;
		uint64_t n = sp->crashkernel.size >> m->page_shift;

		if (!ram_has(m, s, n) || !avail_has(m, s, n))
			die("crashkernel range is not all RAM above 1 MiB");
		take(m, s, n, K_CRASHKERNEL, 0, 100);
	}
}

static void reserve_image(struct model *m)
{
	uint64_t kp = m->kphys >> m->page_shift, kn = m->ksize >> m->page_shift;

	if (!ram_has(m, kp, kn) || !avail_has(m, kp, kn))
		die("the kernel image (0x%llx, %llu MiB) is not in free RAM",
		    (unsigned long long)m->kphys, (unsigned long long)(m->ksize >> 20));
	take(m, kp, kn, K_KIMAGE, 0, 0);
}

/* Struct pages come in chunks of whole sections, each allocated and mapped
 * together (memmap_chunk bytes, set by garch.c: one section's 2 MiB on
 * x86_64, a vmemmap block of several sections where sections are small).
 * A chunk is allocated when any of its sections is present; sec_memmap[]
 * points every section of it at its own struct pages. */
static void sections_and_memmap(struct model *m)
{
	uint64_t sec_bytes = m->pages_per_section * m->sp_size;
	uint64_t per_chunk, chunk_pages, align;

	/* FLATMEM: one array (mem_map) for every pfn up to the last section's
	 * end, holes included: one chunk of all sections */
	if (m->flatmem)
		m->memmap_chunk = ((m->max_pfn + m->pages_per_section - 1) >> m->pfn_section_shift) *
				  sec_bytes;
	per_chunk = m->memmap_chunk / sec_bytes;
	chunk_pages = m->memmap_chunk >> m->page_shift;
	align = m->memmap_leaf ? leaf_size(m, m->memmap_leaf) >> m->page_shift : 1;

	if (!per_chunk || m->memmap_chunk % sec_bytes || !chunk_pages)
		die("internal: memmap chunk of %llu bytes for %llu-byte sections",
		    (unsigned long long)m->memmap_chunk, (unsigned long long)sec_bytes);
	if (align < chunk_pages && !m->flatmem)
		align = chunk_pages;
	m->n_sections = (m->max_pfn + m->pages_per_section - 1) >> m->pfn_section_shift;
	m->n_sections = (m->n_sections + per_chunk - 1) / per_chunk * per_chunk;
	m->sec_present = xcalloc(m->n_sections, 1);
	m->sec_memmap = xcalloc(m->n_sections, sizeof(*m->sec_memmap));
	for (size_t i = 0; i < m->n_ram; i++)
		for (uint64_t s = m->ram[i].start >> m->pfn_section_shift;
		     s <= (m->ram[i].end - 1) >> m->pfn_section_shift; s++)
			m->sec_present[s] = 1;
	for (uint64_t c = 0; c < m->n_sections; c += per_chunk) {
		bool any = false;

		for (uint64_t s = c; s < c + per_chunk; s++)
			any |= m->sec_present[s];
		if (!any)
			continue;
		/* on the node of the chunk's first section, aligned to the chunk
		 * (x86_64: one section's 2 MiB, 2 MiB aligned) */
		unsigned n = node_of(m, c << m->pfn_section_shift);
		uint64_t pa = memblock_alloc_in(m, chunk_pages, align, K_MEMMAP, m->node_start[n],
						m->node_start[n + 1]) << m->page_shift;

		for (uint64_t s = c; s < c + per_chunk; s++)
			m->sec_memmap[s] = pa + (s - c) * sec_bytes;
	}
}

static void page_tables(struct model *m)
{
	const struct spec *sp = m->sp;
	uint64_t sec_bytes = m->pages_per_section * m->sp_size;

	m->pt_in_image = true;
	m->pgd_paddr = pt_table(m, 0);

	/* kernel image: tables inside the image, 2 MiB blocks where that is
	 * the block size, else pages */
	if (!m->arch->image_in_linear_map) {
		unsigned up = m->max_leaf_up && leaf_size(m, 1) == SZ_2M ? 1 : 0;

		pt_map_range(m, m->ktext, m->kphys, m->ksize, up, true);
	}
	m->pt_in_image = false;
	m->carve_left = 0;

	/* direct map of all RAM */
	for (size_t i = 0; i < m->n_ram; i++) {
		uint64_t pa = m->ram[i].start << m->page_shift, end = m->ram[i].end << m->page_shift;

		if (m->lowmem_end && end > m->lowmem_end << m->page_shift)
			end = m->lowmem_end << m->page_shift;
		if (end <= pa)
			continue;
		pt_map_range(m, direct_va(m, pa), pa, end - pa, sp->directmap_leaf, false);
	}

	/* vmemmap: each chunk of struct pages where its first pfn's struct
	 * page belongs (ppc64 with a vmemmap_list: the list, not the tables) */
	if (sp->vmemmap && !(m->sp->vmemmap_list && m->sp->hash_mmu)) {
		uint64_t per_chunk = m->memmap_chunk / sec_bytes;

		for (uint64_t c = 0; c < m->n_sections; c += per_chunk) {
			if (!m->sec_memmap[c])
				continue;
			pt_map_range(m, m->vmemmap_base + c * sec_bytes, m->sec_memmap[c],
				     m->memmap_chunk, m->memmap_leaf, false);
		}
	}
}

/* ppc64: vmemmap_list, one vmemmap_backing {list, phys, virt_addr} per
 * chunk (newest first, as the kernel pushes them), and the page size
 * definitions that say how large a chunk is.  Without `vmemmap-list on`
 * (radix since 6.6) the symbol is there and the list empty: the struct
 * pages are found through the page tables only. */
static void vmemmap_list(struct model *m)
{
	uint64_t sec_bytes = m->pages_per_section * m->sp_size;
	uint64_t per_chunk = m->memmap_chunk / sec_bytes, head = 0;
	uint64_t meta = memblock_alloc(m, 1, 1, K_META) << m->page_shift, used;
	unsigned shift = (unsigned)__builtin_ctzll(m->memmap_chunk);

	/* symbols: vmemmap_list (a pointer), mmu_vmemmap_psize (an int index),
	 * mmu_psize_defs[] of 96-byte entries whose shift is at 0; entries of
	 * 24 bytes */
	m->vmemmap_list_va = direct_va(m, meta);
	m->vmemmap_psize_va = direct_va(m, meta + 8);
	m->psize_defs_va = direct_va(m, meta + 16);
	phys_write_u32(m, meta + 8, 1);
	phys_write_u32(m, meta + 16 + 96, shift);            /* mmu_psize_defs[1].shift */
	used = 16 + 2 * 96;
	for (uint64_t c = 0; c < m->n_sections; c += per_chunk) {
		if (!m->sec_memmap[c] || !m->sp->vmemmap_list)
			continue;
		if (used + 24 > m->page_size) {
			meta = memblock_alloc(m, 1, 1, K_META) << m->page_shift;
			used = 0;
		}
		uint64_t ent = meta + used;

		phys_write_u64(m, ent, head);                              /* list */
		phys_write_u64(m, ent + 8, m->sec_memmap[c]);              /* phys */
		phys_write_u64(m, ent + 16, m->vmemmap_base + c * sec_bytes); /* virt_addr */
		head = direct_va(m, ent);
		used += 24;
	}
	phys_write_u64(m, m->vmemmap_list_va - m->page_offset + m->linear_base, head);
}

static uint64_t section_mem_map(const struct model *m, uint64_t s)
{
	uint64_t start = s * m->pages_per_section, coded;

	if (m->sp->vmemmap)
		coded = m->vmemmap_base;
	else
		coded = direct_va(m, m->sec_memmap[s]) - start * m->sp_size;
	/* present | has_mem_map | online (4.13+) | early (5.3+) */
	return coded | 0x1 | 0x2 | 0x4 | (m->g->major >= 5 ? 0x8 : 0);
}

static void mem_sections(struct model *m)
{
	const struct spec *sp = m->sp;
	unsigned ms = sp->mem_section_size;
	uint64_t per_root = m->page_size / ms;
	uint64_t usage;

	if (m->flatmem) {
		/* mem_map: a pointer in the image's data to the one array */
		uint64_t var = kalloc(m, m->word, m->word);

		phys_write_word(m, var, direct_va(m, m->sec_memmap[0]));
		m->sym_mem_map = image_va(m, var);
		return;
	}
	usage = memblock_alloc(m, 1, 1, K_META) << m->page_shift;

	/* mem_section_usage: a subsection map and pageblock flags; contents are
	 * not read by filters, but the page is not empty */
	for (uint64_t i = 0; i < m->page_size / 8; i++)
		phys_write_u64(m, usage + i * 8, 0xffffffffffffffffull);

	m->nr_mem_sections = 1ull << (m->physmem_bits - m->section_bits);
	if (sp->extreme) {
		m->nr_roots = (m->nr_mem_sections + per_root - 1) / per_root;
		uint64_t bytes = m->nr_roots * 8;

		m->roots_paddr = memblock_alloc(m, (bytes + m->page_size - 1) >> m->page_shift, 1,
						K_META) << m->page_shift;
		m->sym_mem_section = direct_va(m, m->roots_paddr);
		uint64_t used_roots = (m->n_sections + per_root - 1) / per_root;

		m->root_paddr = xcalloc(used_roots, sizeof(*m->root_paddr));
		for (uint64_t s = 0; s < m->n_sections; s++) {
			if (!m->sec_present[s])
				continue;
			uint64_t r = s / per_root;

			if (!m->root_paddr[r]) {
				m->root_paddr[r] = memblock_alloc(m, 1, 1, K_META) << m->page_shift;
				phys_write_u64(m, m->roots_paddr + r * 8, direct_va(m, m->root_paddr[r]));
			}
			uint64_t ent = m->root_paddr[r] + (s % per_root) * ms;

			phys_write_u64(m, ent, section_mem_map(m, s));
			phys_write_u64(m, ent + 8, direct_va(m, usage + (s % 64) * 64));
		}
	} else {
		m->nr_roots = m->nr_mem_sections;
		uint64_t arr = kalloc(m, m->nr_mem_sections * ms, m->page_size);

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
	const uint32_t *pl = m->word == 4 ? pgdat_layout_ilp32 : pgdat_layout;
	uint32_t sz_pgdat = pl[0], sz_zone = pl[1];
	uint32_t off_nr_zones = pl[2], off_start = pl[3];
	uint32_t off_spanned = pl[4], off_id = pl[5];
	uint32_t off_free = pl[6], off_zspanned = pl[7];
	uint32_t mtypes = pl[8], w = m->word;
	char version[65];

	/* init_uts_ns: a kref before the name until 5.11 */
	uint64_t uts = kalloc(m, 512, 64);
	uint64_t name = uts + ((m->g->major > 5 || (m->g->major == 5 && m->g->minor >= 11)) ? 0 : 4);

	if (name != uts)
		phys_write_u32(m, uts, 3);
	m->sym_init_uts_ns = image_va(m, uts);
	snprintf(version, sizeof(version), "#1 SMP PREEMPT_DYNAMIC mkvmcore %.30s", sp->name);
	put_str(m, name + 0 * 65, "Linux", 65);
	put_str(m, name + 1 * 65, "synth", 65);
	put_str(m, name + 2 * 65, sp->osrelease, 65);
	put_str(m, name + 3 * 65, version, 65);
	put_str(m, name + 4 * 65, m->arch->uts_machine, 65);
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
		/* FLATMEM: the one node's pgdat is contig_page_data, in the image */
		uint64_t pgdat = m->flatmem ? kalloc(m, sz_pgdat, 64) :
				 memblock_alloc_in(m, (sz_pgdat + m->page_size - 1) >> m->page_shift, 1,
						   K_META, ns, ne) << m->page_shift;
		/* DMA below 16 MiB, DMA32 below 4 GiB (i386: Normal in lowmem),
		 * Normal (HighMem) above, Movable empty */
		uint64_t zone_end[4] = { (16ull << 20) >> m->page_shift,
					 m->lowmem_end ? m->lowmem_end : (4ull << 30) >> m->page_shift,
					 ne, 0 };
		uint64_t zone_start = ns;

		if (n == 0)
			m->sym_pgdat = m->flatmem ? image_va(m, pgdat) : direct_va(m, pgdat);
		phys_write_word(m, nd + n * w, m->flatmem ? image_va(m, pgdat) : direct_va(m, pgdat));
		phys_write_word(m, pgdat + off_start, ns);
		phys_write_word(m, pgdat + off_spanned, ne - ns);
		phys_write_word(m, pgdat + off_id, n);
		phys_write_word(m, pgdat + off_nr_zones, 3);
		if (m->flatmem)   /* pglist_data.node_mem_map */
			phys_write_word(m, pgdat + pl[9], direct_va(m, m->sec_memmap[0]));
		for (unsigned z = 0; z < 4; z++) {
			uint64_t zone = pgdat + (uint64_t)z * sz_zone;
			uint64_t end = zone_end[z] < ne ? zone_end[z] : ne;

			phys_write_word(m, zone + off_zspanned, end > zone_start ? end - zone_start : 0);
			zone_start = end > zone_start ? end : zone_start;
			for (unsigned o = 0; o <= m->max_order; o++)
				for (unsigned t = 0; t < mtypes; t++) {
					uint64_t lh = zone + off_free + o * (mtypes * 2 * w + w) + t * 2 * w;
					uint64_t va = m->flatmem ? image_va(m, lh) : direct_va(m, lh);

					phys_write_word(m, lh, va);
					phys_write_word(m, lh + w, va);
				}
		}
	}
	m->sym_node_data = image_va(m, nd);

	/* kallsyms, vmap_area_list ...: symbols exist, nothing filters on them */
	uint64_t misc = kalloc(m, 16384, m->page_size);

	m->sym_misc = image_va(m, misc);
	/* (not on x86_64, whose vmcores stay as they were before the other
	 * machines came)
	 * before 6.9: vmap_area_list (at misc + 0x430) holds the first
	 * vmap_area (at misc + 0x500), whose va_start is where vmalloc
	 * space begins (makedumpfile on ppc64 reads it) */
	if (m->arch->e_machine != EM_X86_64 && (m->g->major < 6 || (m->g->major == 6 && m->g->minor < 9))) {
		unsigned off_list = m->word == 4 ? 20 :
				    m->g->major > 5 || (m->g->major == 5 && m->g->minor >= 10) ? 40 : 48;

		phys_write_word(m, misc + 0x430, image_va(m, misc + 0x500 + off_list));
		phys_write_word(m, misc + 0x430 + w, image_va(m, misc + 0x500 + off_list));
		phys_write_word(m, misc + 0x500, m->vmalloc_start);
		phys_write_word(m, misc + 0x500 + w, m->vmalloc_start + (2ull << 20));
		phys_write_word(m, misc + 0x500 + off_list, image_va(m, misc + 0x430));
		phys_write_word(m, misc + 0x500 + off_list + w, image_va(m, misc + 0x430));
	}
	/* s390x: high_memory, the end of the 1:1 map (makedumpfile's vmalloc start) */
	if (m->arch->e_machine == EM_S390)
		phys_write_u64(m, misc + 0x600, direct_va(m, m->max_pfn << m->page_shift));
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
	for (uint64_t i = 0; i < m->page_size; i++)
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
		if ((pfn << m->page_shift) - m->kphys < m->ktext_size)
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
	uint64_t x = mix64(pfn + m->sp->seed * 0x9e3779b97f4a7c15ull);

	memset(buf, 0, m->page_size);
	bytes_put_le64(buf, 0x65726f636d76ull ^ (m->sp->seed << 48));   /* "vmcore" */
	bytes_put_le64(buf + 8, pfn);
	if (m->sp->fill_stamp)
		return;
	for (uint64_t i = 16; i < m->page_size; i += 16) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bytes_put_le64(buf + i, x);
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

/* The machine's usual orders where the spec gave none, and a check of the
 * ones it gave: buddy blocks up to max_order, transparent and hugetlbfs
 * pages of the block size above a page (pmd_order). */
static unsigned default_order(const struct model *m, int kind, unsigned x86_order)
{
	switch (kind) {
	case K_THP:
	case K_HUGETLB:
	case K_BAD_COMPOUND:
		return m->pmd_order;
	case K_UNACCEPTED:
		return m->max_order;
	default:
		return x86_order < m->pmd_order ? x86_order : m->pmd_order;
	}
}

static void resolve_orders(struct model *m)
{
	struct spec *sp = m->sp;

	for (size_t i = 0; i < sp->n_mix; i++) {
		struct mix_entry *e = &sp->mix[i];

		if (e->order_default) {
			if (e->kind == K_FREE) {
				e->omin = 0;
				e->omax = (uint8_t)m->max_order;
			} else {
				e->omin = (uint8_t)default_order(m, e->kind, e->omin);
				e->omax = (uint8_t)default_order(m, e->kind, e->omax);
			}
		}
		if ((e->kind == K_FREE || e->kind == K_UNACCEPTED) && e->omax > m->max_order)
			die("free blocks have orders 0..%u on this machine", m->max_order);
	}
	for (size_t i = 0; i < sp->n_at; i++) {
		struct at_entry *a = &sp->at[i];

		if (a->order_default)
			a->order = (uint8_t)(a->kind == K_FREE ? m->max_order
					     : default_order(m, a->kind, a->order));
		if ((a->kind == K_FREE && a->order > m->max_order) ||
		    (a->kind == K_UNACCEPTED && a->order != m->max_order) ||
		    (a->kind == K_BAD_BUDDY_ALIGN && a->order >= m->max_order) ||
		    (kinds[a->kind].compound && a->order == 0 && a->kind != K_SLAB))
			die("%s order=%u is not possible", kinds[a->kind].name, a->order);
	}
}

void model_build(struct model *m)
{
	uint64_t sec_bytes;

	m->g = m->sp->gen;
	m->arch = m->sp->arch;
	m->rng.s = m->sp->seed;
	m->word = 8;
	m->sp_size = SP_SIZE;
	m->arch->configure(m);
	m->page_size = 1ull << m->page_shift;
	m->store.page_size = m->page_size;
	m->pfn_section_shift = m->section_bits - m->page_shift;
	m->pages_per_section = 1ull << m->pfn_section_shift;
	sec_bytes = m->pages_per_section * m->sp_size;
	if (!m->memmap_chunk) {
		m->memmap_chunk = sec_bytes > m->page_size ? sec_bytes : m->page_size;
		if (m->memmap_leaf && leaf_size(m, m->memmap_leaf) > m->memmap_chunk)
			m->memmap_chunk = leaf_size(m, m->memmap_leaf);
	}
	if (m->memmap_leaf > m->max_leaf_up)
		m->memmap_leaf = m->max_leaf_up;
	if (m->sp->memory & (m->page_size - 1))
		die("memory must be a multiple of the page size");
	resolve_orders(m);
	layout_ram(m);
	if (m->arch->linear_align) {
		m->linear_base = (m->ram[0].start << m->page_shift) & ~(m->arch->linear_align - 1);
		m->vmemmap_base -= (m->linear_base >> m->page_shift) * m->sp_size;
	}
	reserve_low(m);
	choose_addresses(m);
	reserve_image(m);
	sections_and_memmap(m);
	page_tables(m);
	if (m->arch->e_machine == EM_PPC64)
		vmemmap_list(m);
	mem_sections(m);
	kernel_data(m);
	corrupt_before_mix(m);
	place_objects(m);
	finish_extents(m);
	corrupt_after_build(m);
}

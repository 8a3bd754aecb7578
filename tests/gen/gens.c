/* gens.c - kernel generations: flag bits, page types, compound-page
 * encoding, and the VMCOREINFO note each one writes.
 *
 * Sources: the kernel's include/linux/page-flags.h, include/linux/mm_types.h
 * and kernel/crash_core.c (vmcore_info.c from 6.9) of each release, as
 * summarised in /work/shared/reference/filtering.md; a real Debian 6.1
 * VMCOREINFO (tests/vm) for the exact 6.1 text.  Flag bit numbers per release:
 *
 *   4.19       locked 0, error 1, referenced 2, uptodate 3, dirty 4, lru 5,
 *              active 6, waiters 7, slab 8, owner_priv_1 9, arch_1 10,
 *              reserved 11, private 12, private_2 13, writeback 14, head 15,
 *              mappedtodisk 16, reclaim 17, swapbacked 18, unevictable 19,
 *              mlocked 20, uncached 21, hwpoison 22
 *   4.20-6.5   PG_workingset inserted at 6 (error moves to 8): lru 4, slab 9,
 *              owner_priv_1 10, reserved 12, private 13, head 16,
 *              swapbacked 19, hwpoison 23 (real 6.1 VMCOREINFO)
 *   6.6-6.9    writeback 1 and head 6 moved to the low byte: lru 5, head 6,
 *              active 8, workingset 9, slab 11, owner_priv_1 12,
 *              reserved 14, private 15, swapbacked 19, hwpoison 23;
 *              PG_hugetlb = PG_active (page[1], 6.6-6.8)
 *   6.10-6.11  PG_slab gone: owner_priv_1 11, reserved 13, private 14,
 *              swapbacked 18, hwpoison 22
 *   6.12       PG_error gone, PG_owner_2 replaces PG_mappedtodisk:
 *              owner_priv_1 10, reserved 13, private 14, swapbacked 17,
 *              hwpoison 21
 *   7.1        PG_dropbehind added, PG_uncached gone: swapbacked 17,
 *              mlocked 20, hwpoison 21
 *
 * The 4.19 and 6.10-7.1 numbers are read from the enum, not from a real
 * VMCOREINFO; filters must take them from VMCOREINFO anyway.
 *
 * Page types (_mapcount / page_type word): before 6.12 an all-ones word
 * with one bit cleared (buddy ~0x80; 4.19 balloon ~0x100, not exported;
 * offline ~0x100 from 5.0; table ~0x400 in 4.19/5.x, ~0x200 from 5.11;
 * hugetlb ~0x800 from 6.9; slab ~0x1000 from 6.10); from 6.12 one type in
 * the top byte (buddy 0xf0, offline 0xf1, table 0xf2, hugetlb 0xf4,
 * slab 0xf5, unaccepted 0xf7).
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define T(bit)   ((uint32_t)~(uint32_t)(bit))
#define PGTY(x)  ((uint32_t)(x) << 24)

/* compound_dtor ids before 6.6 */
#define COMPOUND_PAGE_DTOR  1
#define HUGETLB_PAGE_DTOR   2

const struct kind_info kinds[K_COUNT] = {
	/*                     name                mix    comp  omin omax run zero */
	[K_RESERVED]        = { "reserved",         false, false, 0, 0, 1, 0 },
	[K_KIMAGE]          = { "kernel-image",     false, false, 0, 0, 1, 0 },
	[K_META]            = { "memblock",         false, false, 0, 0, 1, 0 },
	[K_MEMMAP]          = { "memmap",           false, false, 0, 0, 1, 0 },
	[K_CRASHKERNEL]     = { "crashkernel",      false, false, 0, 0, 1, 100 },
	[K_FREE]            = { "free",             true,  false, 0, 10, 1, 100 },
	[K_UNACCEPTED]      = { "unaccepted",       true,  false, 10, 10, 1, 100 },
	[K_CACHE]           = { "cache",            true,  false, 0, 0, 32, 0 },
	[K_CACHE_PRIV]      = { "cache-private",    true,  false, 0, 0, 32, 0 },
	[K_SHMEM]           = { "shmem",            true,  false, 0, 0, 16, 0 },
	[K_SWAPCACHE]       = { "swapcache",        true,  false, 0, 0, 8, 0 },
	[K_FILE_FOLIO]      = { "file-folio",       true,  true,  2, 9, 1, 0 },
	[K_FILE_FOLIO_PRIV] = { "file-folio-private", true, true, 2, 9, 1, 0 },
	[K_ANON]            = { "anon",             true,  false, 0, 0, 32, 0 },
	[K_ANON_SWAPCACHE]  = { "anon-swapcache",   true,  false, 0, 0, 8, 0 },
	[K_KSM]             = { "ksm",              true,  false, 0, 0, 4, 0 },
	[K_THP]             = { "thp",              true,  true,  9, 9, 1, 0 },
	[K_HUGETLB]         = { "hugetlb",          true,  true,  9, 9, 1, 0 },
	[K_SLAB]            = { "slab",             true,  true,  0, 3, 8, 0 },
	[K_PGTABLE]         = { "pgtable",          true,  false, 0, 0, 16, 0 },
	[K_KERNEL]          = { "kernel",           true,  false, 0, 0, 32, 0 },
	[K_KERNEL_COMPOUND] = { "kernel-compound",  true,  true,  1, 4, 1, 0 },
	[K_MOVABLE]         = { "movable",          true,  false, 0, 0, 16, 0 },
	[K_OWNERPRIV]       = { "ownerpriv",        true,  false, 0, 0, 8, 0 },
	[K_ZERO]            = { "zero",             true,  false, 0, 0, 32, 100 },
	[K_OFFLINE]         = { "offline",          true,  false, 0, 0, 256, 100 },
	[K_HWPOISON]        = { "hwpoison",         true,  false, 0, 0, 1, 0 },
	[K_BAD_BUDDY_ORDER] = { "bad-buddy-order",  true,  false, 0, 0, 1, 100 },
	[K_BAD_BUDDY_ALIGN] = { "bad-buddy-align",  true,  false, 0, 3, 1, 100 },
	[K_BAD_COMPOUND]    = { "bad-compound",     true,  true,  9, 9, 1, 0 },
	[K_BAD_FLAGS]       = { "bad-flags",        true,  false, 1, 1, 1, 0 },
	[K_BAD_SLAB_BUDDY]  = { "bad-slab-buddy",   true,  false, 0, 0, 1, 0 },
};

int kind_by_name(const char *name)
{
	for (int k = 0; k < K_COUNT; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

/*             lock ref upd dirty lru act ws slab own res priv head swb unev mlock hwp  hug lrm */
#define BITS_419     0,  2,  3,  4,  5,  6, -1,  8,  9, 11, 12, 15, 18, 19, 20, 22
#define BITS_510     0,  1,  2,  3,  4,  5,  6,  9, 10, 12, 13, 16, 19, 20, 21, 23
#define BITS_66      0,  2,  3,  4,  5,  8,  9, 11, 12, 14, 15,  6, 19, 20, 21, 23
#define BITS_610     0,  2,  3,  4,  5,  8,  9, -1, 11, 13, 14,  6, 18, 19, 20, 22
#define BITS_612     0,  2,  3,  4,  5,  8,  9, -1, 10, 13, 14,  6, 17, 18, 19, 21
#define BITS_71      0,  2,  3,  4,  5,  8,  9, -1, 10, 13, 14,  6, 17, 18, 20, 21

const struct gen gens[] = {
	{ "4.19", "4.19.0-27-amd64", 4, 19, BITS_419, -1, -1, ORD_FIELD,
	  T(0x80), T(0x100), T(0x400), 0, 0, 0, false, false, false, false },
	{ "5.10", "5.10.0-35-amd64", 5, 10, BITS_510, -1, -1, ORD_FIELD,
	  T(0x80), T(0x100), T(0x400), 0, 0, 0, true, false, false, false },
	{ "6.1", "6.1.0-56-amd64", 6, 1, BITS_510, -1, -1, ORD_FIELD,
	  T(0x80), T(0x100), T(0x200), 0, 0, 0, true, false, false, false },
	{ "6.4", "6.4.0-4-amd64", 6, 4, BITS_510, -1, -1, ORD_FOLIO,
	  T(0x80), T(0x100), T(0x200), 0, 0, 0, true, false, false, true },
	{ "6.6", "6.6.15-amd64", 6, 6, BITS_66, 8, 9, ORD_FLAGS1,
	  T(0x80), T(0x100), T(0x200), 0, 0, 0, true, false, false, true },
	{ "6.9", "6.9.12-amd64", 6, 9, BITS_66, -1, 9, ORD_FLAGS1,
	  T(0x80), T(0x100), T(0x200), T(0x800), 0, 0, true, false, false, true },
	{ "6.10", "6.10.11-amd64", 6, 10, BITS_610, -1, 9, ORD_FLAGS1,
	  T(0x80), T(0x100), T(0x200), T(0x800), T(0x1000), 0, true, false, false, true },
	{ "6.12", "6.12.38+deb13-amd64", 6, 12, BITS_612, -1, 9, ORD_FLAGS1,
	  PGTY(0xf0), PGTY(0xf1), PGTY(0xf2), PGTY(0xf4), PGTY(0xf5), 0,
	  true, false, false, true },
	{ "7.1", "7.1.0-1-amd64", 7, 1, BITS_71, -1, 9, ORD_FLAGS1,
	  PGTY(0xf0), PGTY(0xf1), PGTY(0xf2), PGTY(0xf4), PGTY(0xf5), PGTY(0xf7),
	  true, true, true, true },
	{ 0 },
};

const struct gen *gen_by_name(const char *name)
{
	for (const struct gen *g = gens; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

void gen_list(void)
{
	for (const struct gen *g = gens; g->name; g++)
		printf("%-5s %s\n", g->name, g->osrelease);
}

static bool at_least(const struct gen *g, unsigned major, unsigned minor)
{
	return g->major > major || (g->major == major && g->minor >= minor);
}

/* The kernel prints NUMBER() with %ld of a long: page types are ints */
static long as_int(uint32_t v)
{
	return (long)(int32_t)v;
}

/* Sizes of structures this VMCOREINFO mentions but nothing filters on:
 * plausible values of a Debian config (NODES_SHIFT 10, 5 migrate types). */
#define SZ_PGLIST_DATA   174208u
#define SZ_ZONE          1536u
#define OFF_NR_ZONES     171552u
#define OFF_START_PFN    171560u
#define OFF_SPANNED      171576u
#define OFF_NODE_ID      171584u
#define OFF_ZONE_FREE    256u
#define OFF_ZONE_VMSTAT  1344u
#define OFF_ZONE_SPANNED 144u
#define MIGRATE_TYPES    5u

extern const uint32_t pgdat_layout_ilp32[];

/* The first lines, the same on every machine */
static void vmci_first(const struct model *m, struct sbuf *b)
{
	const struct gen *g = m->g;
	const struct spec *sp = m->sp;

	sb_printf(b, "OSRELEASE=%s\n", sp->osrelease);
	if (at_least(g, 6, 1))
		sb_printf(b, "BUILD-ID=%016llx%016llx%08x\n",
			  (unsigned long long)mix64(sp->seed), (unsigned long long)mix64(sp->seed + 1),
			  (unsigned)mix64(sp->seed + 2));
	sb_printf(b, "PAGESIZE=%llu\n", (unsigned long long)m->page_size);
	sb_printf(b, "SYMBOL(init_uts_ns)=%llx\n", (unsigned long long)m->sym_init_uts_ns);
	if (at_least(g, 5, 11))
		sb_printf(b, "OFFSET(uts_namespace.name)=0\n");
	sb_printf(b, "SYMBOL(node_online_map)=%llx\n", (unsigned long long)m->sym_node_online_map);
	sb_printf(b, "SYMBOL(swapper_pg_dir)=%llx\n", (unsigned long long)image_va(m, m->pgd_paddr));
	sb_printf(b, "SYMBOL(_stext)=%llx\n", (unsigned long long)m->ktext);
}

/* The lines up to the log's (LP64) */
static void vmci_head_lp64(const struct model *m, struct sbuf *b)
{
	const struct gen *g = m->g;
	const struct spec *sp = m->sp;
	uint64_t misc = m->sym_misc;
	bool v510 = at_least(g, 5, 10), v69 = at_least(g, 6, 9);

	vmci_first(m, b);
	if (at_least(g, 7, 0))
		sb_printf(b, "NUMBER(VMALLOC_START)=0x%llx\n", (unsigned long long)m->vmalloc_start);
	if (!v69)
		sb_printf(b, "SYMBOL(vmap_area_list)=%llx\n", (unsigned long long)(misc + 0x430));
	if (at_least(g, 7, 0) && sp->vmemmap)
		sb_printf(b, "SYMBOL(vmemmap)=%llx\n", (unsigned long long)m->vmemmap_base);
	sb_printf(b, "SYMBOL(mem_section)=%llx\n", (unsigned long long)m->sym_mem_section);
	sb_printf(b, "LENGTH(mem_section)=%llu\n", (unsigned long long)m->nr_roots);
	sb_printf(b, "SIZE(mem_section)=%u\n", sp->mem_section_size);
	sb_printf(b, "OFFSET(mem_section.section_mem_map)=0\n");
	if (at_least(g, 5, 13))
		sb_printf(b, "NUMBER(SECTION_SIZE_BITS)=%u\n", m->section_bits);
	if (v510)
		sb_printf(b, "NUMBER(MAX_PHYSMEM_BITS)=%u\n", m->physmem_bits);
	sb_printf(b, "SIZE(page)=%u\n", SP_SIZE);
	sb_printf(b, "SIZE(pglist_data)=%u\n", SZ_PGLIST_DATA);
	sb_printf(b, "SIZE(zone)=%u\n", SZ_ZONE);
	sb_printf(b, "SIZE(free_area)=%u\n", MIGRATE_TYPES * 16 + 8);
	sb_printf(b, "SIZE(list_head)=16\n");
	sb_printf(b, "SIZE(nodemask_t)=128\n");
	sb_printf(b, "OFFSET(page.flags)=0\n");
	sb_printf(b, "OFFSET(page._refcount)=52\n");
	sb_printf(b, "OFFSET(page.mapping)=24\n");
	sb_printf(b, "OFFSET(page.lru)=8\n");
	sb_printf(b, "OFFSET(page._mapcount)=48\n");
	sb_printf(b, "OFFSET(page.private)=40\n");
	if (g->order_loc == ORD_FIELD) {
		sb_printf(b, "OFFSET(page.compound_dtor)=16\n");
		sb_printf(b, "OFFSET(page.compound_order)=17\n");
	}
	sb_printf(b, "OFFSET(page.%s)=8\n", g->compound_info ? "compound_info" : "compound_head");
	sb_printf(b, "OFFSET(pglist_data.node_zones)=0\n");
	sb_printf(b, "OFFSET(pglist_data.nr_zones)=%u\n", OFF_NR_ZONES);
	sb_printf(b, "OFFSET(pglist_data.node_start_pfn)=%u\n", OFF_START_PFN);
	sb_printf(b, "OFFSET(pglist_data.node_spanned_pages)=%u\n", OFF_SPANNED);
	sb_printf(b, "OFFSET(pglist_data.node_id)=%u\n", OFF_NODE_ID);
	sb_printf(b, "OFFSET(zone.free_area)=%u\n", OFF_ZONE_FREE);
	sb_printf(b, "OFFSET(zone.vm_stat)=%u\n", OFF_ZONE_VMSTAT);
	sb_printf(b, "OFFSET(zone.spanned_pages)=%u\n", OFF_ZONE_SPANNED);
	sb_printf(b, "OFFSET(free_area.free_list)=0\n");
	sb_printf(b, "OFFSET(list_head.next)=0\n");
	sb_printf(b, "OFFSET(list_head.prev)=8\n");
	if (!v69) {
		sb_printf(b, "OFFSET(vmap_area.va_start)=0\n");
		sb_printf(b, "OFFSET(vmap_area.list)=%u\n", v510 ? 40u : 48u);
	}
	if (g->order_loc == ORD_FOLIO) {
		/* 6.3 - 6.5: the folio members, counted from page[0] */
		sb_printf(b, "OFFSET(folio._folio_dtor)=%u\n", SP_SIZE + 16);
		sb_printf(b, "OFFSET(folio._folio_order)=%u\n", SP_SIZE + 17);
	}
	sb_printf(b, "LENGTH(zone.free_area)=%u\n", m->max_order + 1);
	log_vmcoreinfo(m, b);          /* log.c: the layout of the spec's log */
}

/* The lines up to the log's on i386 (ILP32, FLATMEM): the keys, order and
 * structure sizes and offsets of Debian's 6.1 686-pae kernel (its real
 * VMCOREINFO, tests/arch's capture).  The log's lines are left out: log.c
 * lays the ring buffer out for LP64 only (no --dump-dmesg on these). */
static void vmci_head_ilp32(const struct model *m, struct sbuf *b)
{
	const uint32_t *pl = pgdat_layout_ilp32;

	vmci_first(m, b);
	sb_printf(b, "SYMBOL(vmap_area_list)=%llx\n", (unsigned long long)(m->sym_misc + 0x430));
	sb_printf(b, "SYMBOL(mem_map)=%llx\n", (unsigned long long)m->sym_mem_map);
	sb_printf(b, "SYMBOL(contig_page_data)=%llx\n", (unsigned long long)m->sym_pgdat);
	sb_printf(b, "SIZE(page)=%u\n", m->sp_size);
	sb_printf(b, "SIZE(pglist_data)=%u\nSIZE(zone)=%u\n", pl[0], pl[1]);
	sb_printf(b, "SIZE(free_area)=%u\n", pl[8] * 8 + 4);
	sb_printf(b, "SIZE(list_head)=8\nSIZE(nodemask_t)=4\n");
	sb_printf(b, "OFFSET(page.flags)=0\nOFFSET(page._refcount)=28\nOFFSET(page.mapping)=12\n"
		  "OFFSET(page.lru)=4\nOFFSET(page._mapcount)=24\nOFFSET(page.private)=20\n"
		  "OFFSET(page.compound_dtor)=8\nOFFSET(page.compound_order)=9\n"
		  "OFFSET(page.compound_head)=4\n");
	sb_printf(b, "OFFSET(pglist_data.node_zones)=0\n");
	sb_printf(b, "OFFSET(pglist_data.nr_zones)=%u\n", pl[2]);
	sb_printf(b, "OFFSET(pglist_data.node_mem_map)=%u\n", pl[9]);
	sb_printf(b, "OFFSET(pglist_data.node_start_pfn)=%u\n", pl[3]);
	sb_printf(b, "OFFSET(pglist_data.node_spanned_pages)=%u\n", pl[4]);
	sb_printf(b, "OFFSET(pglist_data.node_id)=%u\n", pl[5]);
	sb_printf(b, "OFFSET(zone.free_area)=%u\nOFFSET(zone.vm_stat)=704\n", pl[6]);
	sb_printf(b, "OFFSET(zone.spanned_pages)=%u\n", pl[7]);
	sb_printf(b, "OFFSET(free_area.free_list)=0\nOFFSET(list_head.next)=0\n"
		  "OFFSET(list_head.prev)=4\nOFFSET(vmap_area.va_start)=0\n"
		  "OFFSET(vmap_area.list)=20\n");
	sb_printf(b, "LENGTH(zone.free_area)=%u\n", m->max_order + 1);
}

void vmcoreinfo_build(const struct model *m, struct sbuf *b)
{
	const struct gen *g = m->g;
	uint64_t misc = m->sym_misc;
	bool v61 = at_least(g, 6, 1);

	if (m->word == 4)
		vmci_head_ilp32(m, b);
	else
		vmci_head_lp64(m, b);
	sb_printf(b, "LENGTH(free_area.free_list)=%u\n", MIGRATE_TYPES);
	sb_printf(b, "NUMBER(NR_FREE_PAGES)=0\n");
	sb_printf(b, "NUMBER(PG_lru)=%d\n", g->pg_lru);
	sb_printf(b, "NUMBER(PG_private)=%d\n", g->pg_private);
	sb_printf(b, "NUMBER(PG_swapcache)=%d\n", g->pg_owner_priv_1);
	sb_printf(b, "NUMBER(PG_swapbacked)=%d\n", g->pg_swapbacked);
	if (g->pg_slab >= 0)
		sb_printf(b, "NUMBER(PG_slab)=%d\n", g->pg_slab);
	if (g->t_slab)
		sb_printf(b, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=%ld\n", as_int(g->t_slab));
	sb_printf(b, "NUMBER(PG_hwpoison)=%d\n", g->pg_hwpoison);
	sb_printf(b, "NUMBER(PG_head_mask)=%lu\n", 1ul << g->pg_head);
	sb_printf(b, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=%ld\n", as_int(g->t_buddy));
	if (g->order_loc != ORD_FLAGS1)
		sb_printf(b, "NUMBER(HUGETLB_PAGE_DTOR)=%d\n", HUGETLB_PAGE_DTOR);
	if (g->pg_hugetlb >= 0)
		sb_printf(b, "NUMBER(PG_hugetlb)=%d\n", g->pg_hugetlb);
	if (g->t_hugetlb)
		sb_printf(b, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=%ld\n", as_int(g->t_hugetlb));
	if (g->x_offline)
		sb_printf(b, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=%ld\n", as_int(g->t_offline));
	if (g->x_unaccepted)
		sb_printf(b, "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=%ld\n", as_int(g->t_unaccepted));
	if (v61) {
		sb_printf(b, "SYMBOL(kallsyms_names)=%llx\n", (unsigned long long)(misc + 0x2000));
		sb_printf(b, "SYMBOL(kallsyms_num_syms)=%llx\n", (unsigned long long)(misc + 0x1ff8));
		sb_printf(b, "SYMBOL(kallsyms_token_table)=%llx\n", (unsigned long long)(misc + 0x3000));
		sb_printf(b, "SYMBOL(kallsyms_token_index)=%llx\n", (unsigned long long)(misc + 0x3400));
		sb_printf(b, "SYMBOL(kallsyms_offsets)=%llx\n", (unsigned long long)(misc + 0x1000));
		if (!at_least(g, 6, 12))
			sb_printf(b, "SYMBOL(kallsyms_relative_base)=%llx\n",
				  (unsigned long long)(misc + 0x1ff0));
	}
	/* the architecture's own lines (arch/ * /kernel/vmcore_info.c) */
	m->arch->vmcoreinfo(m, b);
	sb_printf(b, "CRASHTIME=%llu\n", (unsigned long long)m->sp->crashtime);
}

/* pglist_data layout used by model.c for the node's pgdat (LP64; i386:
 * the real Debian 6.1 686-pae VMCOREINFO's, node_mem_map last) */
const uint32_t pgdat_layout_ilp32[] = { 4416, 768, 3112, 3124, 3132, 3136, 128, 72, 5, 3116 };

const uint32_t pgdat_layout[] = { SZ_PGLIST_DATA, SZ_ZONE, OFF_NR_ZONES, OFF_START_PFN,
				  OFF_SPANNED, OFF_NODE_ID, OFF_ZONE_FREE, OFF_ZONE_SPANNED,
				  MIGRATE_TYPES };

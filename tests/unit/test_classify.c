/* test_classify.c - unit tests for lib/filter/classify: for every struct
 * page encoding generation (4.14, 4.19, 5.10, 6.1, 6.4, 6.6, 6.9, 6.12,
 * 7.1) a VMCOREINFO text as that kernel writes it, raw struct pages built
 * with that kernel's layout, and the expected verdict (class, pfn count,
 * bad order) at dump levels 0, 1, 2, 4, 8, 16 and 31.  Then the degraded
 * cases: keys missing, the missing[] lines they produce, and the pages that
 * are kept because of them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/classify.h"
#include "kernel/vmcoreinfo.h"

/* ---- VMCOREINFO texts, as the kernels write them (x86_64) ---- */

static const char text_4_14[] =
	"OSRELEASE=4.14.336\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff82012480\n"
	"SYMBOL(node_online_map)=ffffffff8205a688\n"
	"SYMBOL(swapper_pg_dir)=ffffffff8200a000\n"
	"SYMBOL(_stext)=ffffffff81000000\n"
	"SYMBOL(vmap_area_list)=ffffffff820c6d00\n"
	"SYMBOL(mem_section)=ffff88803ffd6000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"SIZE(page)=64\n"
	"SIZE(pglist_data)=172288\n"
	"SIZE(zone)=1472\n"
	"SIZE(free_area)=88\n"
	"SIZE(list_head)=16\n"
	"SIZE(nodemask_t)=128\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=28\n"
	"OFFSET(page.mapping)=8\n"
	"OFFSET(page.lru)=32\n"
	"OFFSET(page._mapcount)=24\n"
	"OFFSET(page.private)=48\n"
	"OFFSET(page.compound_dtor)=40\n"
	"OFFSET(page.compound_order)=44\n"
	"OFFSET(page.compound_head)=32\n"
	"OFFSET(pglist_data.node_zones)=0\n"
	"OFFSET(zone.free_area)=192\n"
	"OFFSET(free_area.free_list)=0\n"
	"OFFSET(list_head.next)=0\n"
	"OFFSET(list_head.prev)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=5\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=12\n"
	"NUMBER(PG_swapcache)=9\n"
	"NUMBER(PG_slab)=8\n"
	"NUMBER(PG_hwpoison)=22\n"
	"NUMBER(PG_head_mask)=32768\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-128\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"NUMBER(phys_base)=0\n"
	"SYMBOL(init_top_pgt)=ffffffff8200a000\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"KERNELOFFSET=0\n"
	"CRASHTIME=1700000000\n";

static const char text_4_19[] =
	"OSRELEASE=4.19.0-27-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff82213500\n"
	"SYMBOL(mem_section)=ffff88807ffd7000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=5\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=12\n"
	"NUMBER(PG_swapcache)=9\n"
	"NUMBER(PG_swapbacked)=18\n"
	"NUMBER(PG_slab)=8\n"
	"NUMBER(PG_hwpoison)=22\n"
	"NUMBER(PG_head_mask)=32768\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"KERNELOFFSET=1c000000\n"
	"CRASHTIME=1700000000\n";

static const char text_5_10[] =
	"OSRELEASE=5.10.0-30-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff82613560\n"
	"SYMBOL(mem_section)=ffff88813fff9000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=4\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=9\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=65536\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"NUMBER(phys_base)=0\n"
	"KERNELOFFSET=2e00000\n";

/* Debian 6.1 (6.1.0-47-amd64) */
static const char text_6_1[] =
	"OSRELEASE=6.1.0-47-amd64\n"
	"BUILD-ID=3c1d6f3c0b6e0b1f7c6f0b6b0c7b56ab2c8d0e14\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff82a13d20\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffff82b0a5b0\n"
	"SYMBOL(swapper_pg_dir)=ffffffff82a10000\n"
	"SYMBOL(_stext)=ffffffff81000000\n"
	"SYMBOL(vmap_area_list)=ffffffff82b1c5b0\n"
	"SYMBOL(mem_section)=ffff88803fff6000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=52\n"
	"SIZE(page)=64\n"
	"SIZE(pglist_data)=174016\n"
	"SIZE(zone)=1664\n"
	"SIZE(free_area)=104\n"
	"SIZE(list_head)=16\n"
	"SIZE(nodemask_t)=128\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\n"
	"OFFSET(page.compound_head)=8\n"
	"OFFSET(pglist_data.node_zones)=0\n"
	"OFFSET(pglist_data.nr_zones)=173568\n"
	"OFFSET(pglist_data.node_start_pfn)=173576\n"
	"OFFSET(pglist_data.node_spanned_pages)=173592\n"
	"OFFSET(pglist_data.node_id)=173600\n"
	"OFFSET(zone.free_area)=192\n"
	"OFFSET(zone.vm_stat)=1432\n"
	"OFFSET(zone.spanned_pages)=104\n"
	"OFFSET(free_area.free_list)=0\n"
	"OFFSET(list_head.next)=0\n"
	"OFFSET(list_head.prev)=8\n"
	"OFFSET(vmap_area.va_start)=0\n"
	"OFFSET(vmap_area.list)=40\n"
	"LENGTH(zone.free_area)=11\n"
	"SYMBOL(prb)=ffffffff82a5fa40\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=9\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=65536\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"NUMBER(phys_base)=0\n"
	"SYMBOL(init_top_pgt)=ffffffff82a10000\n"
	"NUMBER(pgtable_l5_enabled)=1\n"
	"SYMBOL(node_data)=ffffffff82b07ae0\n"
	"LENGTH(node_data)=1024\n"
	"KERNELOFFSET=2a000000\n"
	"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
	"NUMBER(sme_mask)=0\n"
	"CRASHTIME=1732240000\n";

/* 6.3 - 6.5: order and destructor are folio members (page[1] bytes 16/17) */
static const char text_6_4[] =
	"OSRELEASE=6.4.0-4-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(mem_section)=ffff88803fff6000\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(folio._folio_dtor)=80\n"
	"OFFSET(folio._folio_order)=81\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=9\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=65536\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";

/* 6.6 - 6.8: order in page[1].flags, PG_hugetlb (= PG_active) there too */
static const char text_6_6[] =
	"OSRELEASE=6.6.15-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(mem_section)=ffff88803fff6000\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=15\n"
	"NUMBER(PG_swapcache)=12\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=11\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=64\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PG_hugetlb)=8\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";

/* 6.9 - 6.11: hugetlb is a page type (~0x800) */
static const char text_6_9[] =
	"OSRELEASE=6.9.12-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(mem_section)=ffff88803fff6000\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=15\n"
	"NUMBER(PG_swapcache)=12\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=11\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=64\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-2049\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";

/* 6.12+: one page type in the top byte; slab is a type, PG_slab gone */
static const char text_6_12[] =
	"OSRELEASE=6.12.48+deb13-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(mem_section)=ffff88803fff6000\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=14\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=17\n"
	"NUMBER(PG_hwpoison)=21\n"
	"NUMBER(PG_head_mask)=64\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n";

/* 7.1: compound_head renamed compound_info; unaccepted memory type */
static const char text_7_1[] =
	"OSRELEASE=7.1.0-1-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(mem_section)=ffff88803fff6000\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_info)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=14\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=17\n"
	"NUMBER(PG_hwpoison)=21\n"
	"NUMBER(PG_head_mask)=64\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
	"NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-150994944\n";

/* ---- each generation's struct page layout, to build raw pages ---- */

enum order_enc { ORD_FIELD, ORD_FLAGS1 };
enum huge_enc { HUGE_DTOR, HUGE_FLAG1, HUGE_TYPE };

struct gen {
	const char *name;
	const char *text;
	unsigned size;
	unsigned off_flags, off_mapping, off_mapcount, off_private, off_head;
	int pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_hwpoison, pg_head;
	int pg_slab;                /* -1: slab is a page type */
	uint32_t buddy, offline, slab, hugetlb, unaccepted;  /* 0: none */
	enum order_enc order_enc;
	unsigned off1_dtor, off1_order, field_width;  /* ORD_FIELD, in page[1] */
	enum huge_enc huge_enc;
	unsigned pg_hugetlb;        /* HUGE_FLAG1 */
};

#define T_(x) ((uint32_t)(x) << 24)

static const struct gen gens[] = {
	/* 4.4-4.15 (64-bit): unsigned int dtor/order in page[1] at 40/44 */
	{ "4.14", text_4_14, 64, 0, 8, 24, 48, 32, 5, 12, 9, 18, 22, 15, 8,
	  (uint32_t)-128, 0, 0, 0, 0, ORD_FIELD, 40, 44, 4, HUGE_DTOR, 0 },
	{ "4.19", text_4_19, 64, 0, 24, 48, 40, 8, 5, 12, 9, 18, 22, 15, 8,
	  (uint32_t)-129, 0, 0, 0, 0, ORD_FIELD, 16, 17, 1, HUGE_DTOR, 0 },
	{ "5.10", text_5_10, 64, 0, 24, 48, 40, 8, 4, 13, 10, 19, 23, 16, 9,
	  (uint32_t)-129, (uint32_t)-257, 0, 0, 0, ORD_FIELD, 16, 17, 1, HUGE_DTOR, 0 },
	{ "6.1", text_6_1, 64, 0, 24, 48, 40, 8, 4, 13, 10, 19, 23, 16, 9,
	  (uint32_t)-129, (uint32_t)-257, 0, 0, 0, ORD_FIELD, 16, 17, 1, HUGE_DTOR, 0 },
	{ "6.4", text_6_4, 64, 0, 24, 48, 40, 8, 4, 13, 10, 19, 23, 16, 9,
	  (uint32_t)-129, (uint32_t)-257, 0, 0, 0, ORD_FIELD, 16, 17, 1, HUGE_DTOR, 0 },
	{ "6.6", text_6_6, 64, 0, 24, 48, 40, 8, 5, 15, 12, 19, 23, 6, 11,
	  (uint32_t)-129, (uint32_t)-257, 0, 0, 0, ORD_FLAGS1, 0, 0, 0, HUGE_FLAG1, 8 },
	{ "6.9", text_6_9, 64, 0, 24, 48, 40, 8, 5, 15, 12, 19, 23, 6, 11,
	  (uint32_t)-129, (uint32_t)-257, 0, (uint32_t)-2049, 0, ORD_FLAGS1, 0, 0, 0,
	  HUGE_TYPE, 0 },
	{ "6.12", text_6_12, 64, 0, 24, 48, 40, 8, 5, 14, 10, 17, 21, 6, -1,
	  T_(0xf0), T_(0xf1), T_(0xf5), T_(0xf4), 0, ORD_FLAGS1, 0, 0, 0, HUGE_TYPE, 0 },
	{ "7.1", text_7_1, 64, 0, 24, 48, 40, 8, 5, 14, 10, 17, 21, 6, -1,
	  T_(0xf0), T_(0xf1), T_(0xf5), T_(0xf4), T_(0xf7), ORD_FLAGS1, 0, 0, 0,
	  HUGE_TYPE, 0 },
};

#define NGENS (sizeof(gens) / sizeof(gens[0]))
#define G(i) (1u << (i))
#define G_ALL 0x1ffu
#define G_OFFLINE (G_ALL & ~(G(0) | G(1)))   /* 5.0+ */
#define G_NO_OFFLINE (G(0) | G(1))
#define G_TOP (G(7) | G(8))                    /* 6.12+ */
#define G_EXACT (G_ALL & ~G_TOP)
#define G_UNACCEPTED G(8)

/* ---- page descriptions ---- */

enum {
	F_LRU = 1, F_PRIVATE = 2, F_SWAPCACHE = 4, F_SWAPBACKED = 8,
	F_SLAB = 16, F_HWPOISON = 32, F_HEAD = 64,
};
enum mc { MC_UNMAPPED, MC_RAW, MC_BUDDY, MC_OFFLINE, MC_UNACCEPTED };
enum nx { NEXT_NONE, NEXT_TAIL, NEXT_NOT_TAIL };

struct pspec {
	unsigned flags;              /* F_* */
	uint64_t mapping;
	enum mc mc;
	uint32_t mc_raw;             /* MC_RAW: the word itself */
	uint32_t mc_xor;             /* flipped in a type value (6.12+: type data) */
	uint64_t private;
	bool tail;
	bool hugetlb;                /* a hugetlbfs head, as the generation marks it */
	enum nx next;
	unsigned order;              /* written in page[1] */
};

struct expect {
	enum page_class cls;
	uint64_t npages;
	bool bad;
};

#define K   { PAGE_KEEP, 1, false }
#define KB  { PAGE_KEEP, 1, true }
#define T   { PAGE_TAIL, 1, false }
#define C(n)  { PAGE_CACHE, n, false }
#define CP(n) { PAGE_CACHE_PRIVATE, n, false }
#define U(n)  { PAGE_USER, n, false }
#define UB    { PAGE_USER, 1, true }
#define FR(n) { PAGE_FREE, n, false }
#define UA(n) { PAGE_UNACCEPTED, n, false }
#define HW(n) { PAGE_HWPOISON, n, false }
#define OFF   { PAGE_OFFLINE, 1, false }

static const unsigned levels[7] = { 0, 1, 2, 4, 8, 16, 31 };

struct tcase {
	const char *name;
	unsigned gens;               /* G_* mask */
	struct pspec p;
	uint64_t pfn, max_npages;
	struct expect e[7];          /* for levels[] */
};

#define ANON_MAPPING   UINT64_C(0xffff888004c5d001)    /* anon_vma | PAGE_MAPPING_ANON */
#define FILE_MAPPING   UINT64_C(0xffff888003a4b2c0)    /* struct address_space * */
#define SLAB_ODD       UINT64_C(0x0000000700000005)    /* slab.slabs-style odd word */
#define KMEM_CACHE     UINT64_C(0xffff888003000100)

static const struct tcase cases[] = {
	{ "plain kernel page", G_ALL, { 0, 0, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x1234, 1000, { K, K, K, K, K, K, K } },
	{ "free, order 0", G_ALL, { 0, 0, MC_BUDDY, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x2001, 1000, { K, K, K, K, K, FR(1), FR(1) } },
	{ "free, order 3", G_ALL, { 0, 0, MC_BUDDY, 0, 0, 3, false, false, NEXT_NONE, 0 },
	  0x2008, 1000, { K, K, K, K, K, FR(8), FR(8) } },
	{ "free, order 3, 5 pfns left", G_ALL,
	  { 0, 0, MC_BUDDY, 0, 0, 3, false, false, NEXT_NONE, 0 },
	  0x2008, 5, { K, K, K, K, K, FR(5), FR(5) } },
	{ "free, order 10 (the largest)", G_ALL,
	  { 0, 0, MC_BUDDY, 0, 0, 10, false, false, NEXT_NONE, 0 },
	  0x400, 5000, { K, K, K, K, K, FR(1024), FR(1024) } },
	{ "free, order 11 (impossible)", G_ALL,
	  { 0, 0, MC_BUDDY, 0, 0, 11, false, false, NEXT_NONE, 0 },
	  0x800000, 1u << 20, { K, K, K, K, K, KB, KB } },
	{ "free, huge private", G_ALL,
	  { 0, 0, MC_BUDDY, 0, 0, UINT64_C(0xffff888000001000), false, false, NEXT_NONE, 0 },
	  0x800000, 1u << 20, { K, K, K, K, K, KB, KB } },
	{ "free, order 3 at a misaligned pfn", G_ALL,
	  { 0, 0, MC_BUDDY, 0, 0, 3, false, false, NEXT_NONE, 0 },
	  0x2004, 1000, { K, K, K, K, K, KB, KB } },
	{ "free, type data in the low 24 bits", G_TOP,
	  { 0, 0, MC_BUDDY, 0, 0x00abcdef, 2, false, false, NEXT_NONE, 0 },
	  0x3000, 1000, { K, K, K, K, K, FR(4), FR(4) } },
	{ "buddy value with another bit cleared", G_EXACT,
	  { 0, 0, MC_BUDDY, 0, 0x100, 2, false, false, NEXT_NONE, 0 },
	  0x3000, 1000, { K, K, K, K, K, K, K } },
	{ "page cache", G_ALL,
	  { F_LRU, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x5000, 1000, { K, K, C(1), C(1), K, K, C(1) } },
	{ "page cache, mapped once", G_ALL,
	  { F_LRU, FILE_MAPPING, MC_RAW, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x5000, 1000, { K, K, C(1), C(1), K, K, C(1) } },
	{ "page cache with PG_private", G_ALL,
	  { F_LRU | F_PRIVATE, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0xffff888007777000, false, false,
	    NEXT_NONE, 0 },
	  0x5001, 1000, { K, K, K, CP(1), K, K, CP(1) } },
	{ "swap cache (swapbacked)", G_ALL,
	  { F_SWAPCACHE | F_SWAPBACKED, 0, MC_UNMAPPED, 0, 0, 0x1234, false, false, NEXT_NONE, 0 },
	  0x5002, 1000, { K, K, C(1), C(1), K, K, C(1) } },
	{ "PG_swapcache bit without PG_swapbacked", G_ALL,
	  { F_SWAPCACHE, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x5003, 1000, { K, K, K, K, K, K, K } },
	{ "anonymous page", G_ALL,
	  { F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x6000, 1000, { K, K, K, K, U(1), K, U(1) } },
	{ "anonymous page in the swap cache", G_ALL,
	  { F_SWAPCACHE | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0x77, false, false,
	    NEXT_NONE, 0 },
	  0x6001, 1000, { K, K, K, K, U(1), K, U(1) } },
	{ "slab page with an odd mapping word", G_ALL,
	  { F_SLAB, SLAB_ODD, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x7000, 1000, { K, K, K, K, K, K, K } },
	{ "slab page", G_ALL,
	  { F_SLAB, KMEM_CACHE, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x7001, 1000, { K, K, K, K, K, K, K } },
	{ "anonymous THP head, order 9", G_ALL,
	  { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false,
	    NEXT_TAIL, 9 },
	  0x40000, 1u << 20, { K, K, K, K, U(512), K, U(512) } },
	{ "anonymous THP head, 100 pfns left", G_ALL,
	  { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false,
	    NEXT_TAIL, 9 },
	  0x40000, 100, { K, K, K, K, U(100), K, U(100) } },
	{ "anonymous THP head without page[1]", G_ALL,
	  { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false,
	    NEXT_NONE, 9 },
	  0x40000, 1u << 20, { K, K, K, K, U(1), K, U(1) } },
	{ "anonymous THP head at a misaligned pfn", G_ALL,
	  { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false,
	    NEXT_TAIL, 9 },
	  0x40100, 1u << 20, { K, K, K, K, UB, K, UB } },
	{ "anonymous head, page[1] is not a tail", G_ALL,
	  { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false,
	    NEXT_NOT_TAIL, 9 },
	  0x40000, 1u << 20, { K, K, K, K, UB, K, UB } },
	{ "anonymous head, order 70", G_ALL,
	  { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0, false, false,
	    NEXT_TAIL, 70 },
	  0, UINT64_MAX, { K, K, K, K, UB, K, UB } },
	{ "page cache folio head, order 2", G_ALL,
	  { F_HEAD | F_LRU, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_TAIL, 2 },
	  0x5004, 1000, { K, K, C(4), C(4), K, K, C(4) } },
	{ "hugetlbfs head, order 9", G_ALL,
	  { F_HEAD, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, true, NEXT_TAIL, 9 },
	  0x80000, 1u << 20, { K, K, K, K, U(512), K, U(512) } },
	{ "hugetlbfs head, order 18 (1 GiB)", G_ALL,
	  { F_HEAD, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, true, NEXT_TAIL, 18 },
	  0x40000, 1u << 20, { K, K, K, K, U(1u << 18), K, U(1u << 18) } },
	{ "kernel compound page, order 9 (not hugetlb)", G_ALL,
	  { F_HEAD, 0, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_TAIL, 9 },
	  0x80000, 1u << 20, { K, K, K, K, K, K, K } },
	{ "tail page with an odd mapping", G_ALL,
	  { F_LRU, ANON_MAPPING, MC_RAW, 0, 0, 0, true, false, NEXT_NONE, 0 },
	  0x40001, 1000, { T, T, T, T, T, T, T } },
	{ "tail page that looks free", G_ALL,
	  { 0, 0, MC_BUDDY, 0, 0, 0, true, false, NEXT_NONE, 0 },
	  0x40002, 1000, { T, T, T, T, T, T, T } },
	{ "hwpoison", G_ALL,
	  { F_HWPOISON, 0, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x9000, 1000, { HW(1), HW(1), HW(1), HW(1), HW(1), HW(1), HW(1) } },
	{ "hwpoison on a page cache page", G_ALL,
	  { F_HWPOISON | F_LRU, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x9001, 1000, { HW(1), HW(1), C(1), C(1), HW(1), HW(1), C(1) } },
	{ "hwpoison compound head, order 9", G_ALL,
	  { F_HEAD | F_HWPOISON, 0, MC_UNMAPPED, 0, 0, 0, false, false, NEXT_TAIL, 9 },
	  0x40000, 1u << 20,
	  { HW(512), HW(512), HW(512), HW(512), HW(512), HW(512), HW(512) } },
	{ "offline", G_OFFLINE, { 0, 0, MC_OFFLINE, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0xa000, 1000, { OFF, OFF, OFF, OFF, OFF, OFF, OFF } },
	{ "slab page whose word reads as offline", G_OFFLINE,
	  { F_SLAB, KMEM_CACHE, MC_OFFLINE, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0xa001, 1000, { K, K, K, K, K, K, K } },
	{ "offline-looking word before 5.0", G_NO_OFFLINE,
	  { 0, 0, MC_RAW, (uint32_t)-257, 0, 0, false, false, NEXT_NONE, 0 },
	  0xa000, 1000, { K, K, K, K, K, K, K } },
	{ "unaccepted block", G_UNACCEPTED,
	  { 0, 0, MC_UNACCEPTED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x100000, 1u << 20, { K, K, K, K, K, UA(1024), UA(1024) } },
	{ "unaccepted at a misaligned pfn", G_UNACCEPTED,
	  { 0, 0, MC_UNACCEPTED, 0, 0, 0, false, false, NEXT_NONE, 0 },
	  0x100200, 1u << 20, { K, K, K, K, K, KB, KB } },
};

/* The machine the struct pages come from: x86_64 unless a test says
 * otherwise (big-endian: the s390x byte order with the same layouts). */
static struct machine tmach = { .big_endian = false, .word_size = 8 };

/* Store v in `width` bytes at p + off, in tmach's byte order. */
static void put_m(uint8_t *p, unsigned off, uint64_t v, unsigned width)
{
	bytes_put_uint(tmach.big_endian, p + off, width, v);
}

static uint64_t bit(int nr)
{
	assert_true(nr >= 0 && nr < 64);
	return UINT64_C(1) << nr;
}

/* Write struct page `p` of generation `g` into page[0] (and page[1]). */
static void build(const struct gen *g, const struct pspec *p, uint8_t *page, uint8_t *next)
{
	uint64_t flags = 0, flags1 = 0;
	uint32_t mapcount = UINT32_MAX;      /* -1: no type, not mapped */

	memset(page, 0, g->size);
	memset(next, 0, g->size);
	if (p->flags & F_LRU)
		flags |= bit(g->pg_lru);
	if (p->flags & F_PRIVATE)
		flags |= bit(g->pg_private);
	if (p->flags & F_SWAPCACHE)
		flags |= bit(g->pg_swapcache);
	if (p->flags & F_SWAPBACKED)
		flags |= bit(g->pg_swapbacked);
	if (p->flags & F_HWPOISON)
		flags |= bit(g->pg_hwpoison);
	if (p->flags & F_HEAD)
		flags |= bit(g->pg_head);
	flags |= UINT64_C(0x17) << 54;          /* node / zone / section bits */
	switch (p->mc) {
	case MC_UNMAPPED:
		break;
	case MC_RAW:
		mapcount = p->mc_raw;
		break;
	case MC_BUDDY:
		mapcount = g->buddy ^ p->mc_xor;
		break;
	case MC_OFFLINE:
		mapcount = g->offline ^ p->mc_xor;
		break;
	case MC_UNACCEPTED:
		mapcount = g->unaccepted ^ p->mc_xor;
		break;
	}
	if (p->flags & F_SLAB) {
		if (g->pg_slab >= 0)
			flags |= bit(g->pg_slab);
		else
			mapcount = g->slab;
	}

	/* page[1]: a tail pointing at the head, with the order (and, by
	 * generation, the hugetlb marker) */
	if (p->next != NEXT_NONE) {
		put_m(next, g->off_head, p->next == NEXT_TAIL ? UINT64_C(0xffffea0001000001)
							      : UINT64_C(0xffffea0001000048), 8);
		flags1 = UINT64_C(0x17) << 54;
		if (g->order_enc == ORD_FLAGS1) {
			flags1 |= p->order & 0xff;
		} else {
			put_m(next, g->off1_order, p->order, g->field_width);
			/* COMPOUND_PAGE_DTOR = 1, HUGETLB_PAGE_DTOR = 2 */
			put_m(next, g->off1_dtor, p->hugetlb ? 2 : 1, g->field_width);
		}
		if (p->hugetlb && g->huge_enc == HUGE_FLAG1)
			flags1 |= bit((int)g->pg_hugetlb);
		put_m(next, g->off_flags, flags1, 8);
		put_m(next, g->off_mapping, UINT64_C(0xdead000000000400), 8);
	}
	if (p->hugetlb && g->huge_enc == HUGE_TYPE)
		mapcount = g->hugetlb;

	put_m(page, g->off_flags, flags, 8);
	put_m(page, g->off_mapping, p->mapping, 8);
	put_m(page, g->off_mapcount, mapcount, 4);
	put_m(page, g->off_private, p->private, 8);
	/* compound_head shares its word with lru.next: an even list pointer,
	 * or head | 1 on a tail page */
	put_m(page, g->off_head, p->tail ? UINT64_C(0xffffea0000ff0001)
					  : UINT64_C(0xffff88800abc0110), 8);
}

static struct vmcoreinfo *parse(const char *text)
{
	struct vmcoreinfo *vi = NULL;
	struct ds_err err;

	ds_err_clear(&err);
	if (vmcoreinfo_parse(text, strlen(text), &vi, &err) != 0)
		fail_msg("%s: vmcoreinfo_parse failed: %s", where, err.msg);
	return vi;
}

static void init_rules(struct page_rules *r, const char *text, unsigned level)
{
	struct vmcoreinfo *vi = parse(text);
	struct ds_err err;
	int rc;

	ds_err_clear(&err);
	rc = page_rules_init(r, vi, &tmach, level, &err);
	vmcoreinfo_free(vi);
	if (rc != 0)
		fail_msg("%s: page_rules_init failed: %s", where, err.msg);
}

/* Text with every line that contains `drop` removed, and `add` appended. */
static char *edit_text(const char *text, const char *drop, const char *add)
{
	size_t len = strlen(text) + (add ? strlen(add) : 0) + 1;
	char *out = malloc(len), *o = out;
	const char *s = text;

	assert_non_null(out);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s + 1) : strlen(s);

		if (!drop || !memmem(s, n, drop, strlen(drop))) {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	if (add) {
		strcpy(o, add);
		o += strlen(add);
	}
	*o = '\0';
	return out;
}

static bool has_missing(const struct page_rules *r, const char *needle)
{
	for (unsigned i = 0; i < r->n_missing; i++)
		if (strstr(r->missing[i], needle))
			return true;
	return false;
}

static const char *class_name(enum page_class c)
{
	static const char *const names[] = {
		"KEEP", "TAIL", "CACHE", "CACHE_PRIVATE", "USER", "FREE",
		"UNACCEPTED", "HWPOISON", "OFFLINE",
	};

	return (unsigned)c < PAGE_CLASS_MAX ? names[c] : "?";
}

static void classify_at(const struct page_rules *r, const uint8_t *page, const uint8_t *next,
			uint64_t pfn, unsigned level, uint64_t max_npages,
			const struct expect *e)
{
	struct page_verdict v;

	memset(&v, 0x5a, sizeof(v));
	page_classify(r, page, next, pfn, level, max_npages, &v);
	if (v.cls != e->cls || v.npages != e->npages || v.bad_order != e->bad)
		fail_msg("%s, level %u: got %s npages %llu bad_order %d, expected %s npages %llu "
			 "bad_order %d", where, level, class_name(v.cls),
			 (unsigned long long)v.npages, v.bad_order, class_name(e->cls),
			 (unsigned long long)e->npages, e->bad);
}

/* ---- the table ---- */

static void test_generations(void **state)
{
	unsigned checked = 0;

	(void)state;
	for (size_t gi = 0; gi < NGENS; gi++) {
		const struct gen *g = &gens[gi];
		struct page_rules r;
		uint8_t buf[2 * 64];

		WHERE("kernel %s: init", g->name);
		init_rules(&r, g->text, DL_MAX);
		CHECK_EQ(r.page_size, g->size);
		CHECK_EQ(r.off_flags, g->off_flags);
		CHECK_EQ(r.off_mapping, g->off_mapping);
		CHECK_EQ(r.off_mapcount, g->off_mapcount);
		CHECK_EQ(r.off_private, g->off_private);
		CHECK(r.has_compound_head);
		CHECK_EQ(r.off_compound_head, g->off_head);
		if (r.n_missing)
			fail_msg("%s: unexpected missing[0] \"%s\"", where, r.missing[0]);
		CHECK(page_rules_need_scan(&r, 0));

		for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
			const struct tcase *c = &cases[ci];

			if (!(c->gens & G(gi)))
				continue;
			build(g, &c->p, buf, buf + g->size);
			for (unsigned li = 0; li < 7; li++) {
				WHERE("kernel %s, \"%s\" at pfn 0x%llx", g->name, c->name,
				      (unsigned long long)c->pfn);
				classify_at(&r, buf, c->p.next == NEXT_NONE ? NULL : buf + g->size,
					    c->pfn, levels[li], c->max_npages, &c->e[li]);
				checked++;
			}
			/* the scan's question: must page[1] be read? */
			CHECK_EQ(page_is_compound_head(&r, buf),
				 (c->p.flags & F_HEAD) && !c->p.tail);
		}
	}
	/* every case ran on some generation */
	CHECK(checked > 7 * (sizeof(cases) / sizeof(cases[0])));
}

/* The same struct pages written big-endian (s390x keeps the x86_64 layout
 * of struct page, in its own byte order) give the same verdicts. */
static void test_generations_big_endian(void **state)
{
	tmach.big_endian = true;
	test_generations(state);
	tmach.big_endian = false;
}

/* Read with the wrong byte order, the same pages give other verdicts: the
 * rules really read in the machine's order (a mutation check of the test
 * above). */
static void test_wrong_byte_order_differs(void **state)
{
	static const struct pspec buddy = { 0, 0, MC_BUDDY, 0, 0, 3, false, false, NEXT_NONE, 0 };
	struct page_rules r;
	struct page_verdict v;
	uint8_t buf[2 * 64];

	(void)state;
	WHERE("6.1 buddy page written big-endian, read little-endian");
	init_rules(&r, text_6_1, DL_MAX);
	tmach.big_endian = true;
	build(&gens[3], &buddy, buf, buf + 64);
	tmach.big_endian = false;
	page_classify(&r, buf, NULL, 0x1000, DL_MAX, 1000, &v);
	CHECK(v.cls != PAGE_FREE);
}

/* ---- the 6.12 encoding ---- */

/* A kernel that printed the type values unsigned means the same words. */
static void test_6_12_values_unsigned(void **state)
{
	char *text = edit_text(text_6_12, "MAPCOUNT_VALUE",
			       "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=4026531840\n"
			       "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=4110417920\n"
			       "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=0xf1000000\n");
	const struct gen *g = &gens[7];
	static const struct pspec buddy = { 0, 0, MC_BUDDY, 0, 0x42, 1, false, false, NEXT_NONE, 0 };
	static const struct pspec slab = { F_SLAB, SLAB_ODD, MC_UNMAPPED, 0, 0, 0, false, false,
					   NEXT_NONE, 0 };
	static const struct pspec offline = { 0, 0, MC_OFFLINE, 0, 0, 0, false, false, NEXT_NONE, 0 };
	static const struct expect fr2 = FR(2), keep = K, off = OFF;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.12, unsigned type values");
	init_rules(&r, text, DL_MAX);
	free(text);
	build(g, &buddy, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x10, 16, 100, &fr2);
	build(g, &slab, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x10, 8, 100, &keep);
	build(g, &offline, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x10, 0, 100, &off);
}

/* A mapcount of -1 / 0 / a big count never matches a 6.12 type. */
static void test_6_12_counts_are_not_types(void **state)
{
	static const uint32_t words[] = { 0, 1, 511, UINT32_MAX, 0xfeffffffu, 0x7fffffffu,
					  0xef000000u };
	static const struct expect keep = K;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.12, plain mapcounts");
	init_rules(&r, text_6_12, DL_MAX);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct pspec p = { 0, 0, MC_RAW, words[i], 0, 0, false, false, NEXT_NONE, 0 };

		WHERE("6.12, _mapcount 0x%08x", words[i]);
		build(&gens[7], &p, buf, buf + 64);
		classify_at(&r, buf, NULL, 0x2000, DL_MAX, 100, &keep);
	}
}

/* ---- degraded VMCOREINFO ---- */

static void test_no_size_page(void **state)
{
	char *text = edit_text(text_6_1, "SIZE(page)=", NULL);
	struct vmcoreinfo *vi;
	struct page_rules r;
	struct ds_err err;
	int rc;

	(void)state;
	WHERE("6.1 without SIZE(page)");
	vi = parse(text);
	free(text);
	ds_err_clear(&err);
	rc = page_rules_init(&r, vi, &tmach, DL_MAX, &err);
	vmcoreinfo_free(vi);
	CHECK_EQ(rc, -DS_ENODATA);
	CHECK_EQ(err.status, DS_ENODATA);
	CHECK(strstr(err.msg, "SIZE(page)") != NULL);
}

static void test_no_page_flags(void **state)
{
	char *text = edit_text(text_6_1, "OFFSET(page.flags)=", NULL);
	struct vmcoreinfo *vi;
	struct page_rules r;
	struct ds_err err;
	int rc;

	(void)state;
	WHERE("6.1 without OFFSET(page.flags)");
	vi = parse(text);
	free(text);
	ds_err_clear(&err);
	rc = page_rules_init(&r, vi, &tmach, 0, &err);
	vmcoreinfo_free(vi);
	CHECK_EQ(rc, -DS_ENODATA);
	CHECK(strstr(err.msg, "OFFSET(page.flags)") != NULL);
}

static void test_bad_geometry(void **state)
{
	static const char *const texts[] = {
		"SIZE(page)=100000\nOFFSET(page.flags)=0\n",
		"SIZE(page)=4\nOFFSET(page.flags)=0\n",
		"SIZE(page)=64\nOFFSET(page.flags)=60\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct vmcoreinfo *vi;
		struct page_rules r;
		struct ds_err err;

		WHERE("bad geometry %zu", i);
		vi = parse(texts[i]);
		ds_err_clear(&err);
		CHECK_EQ(page_rules_init(&r, vi, &tmach, DL_MAX, &err), -DS_ECORRUPT);
		CHECK(err.msg[0] != '\0');
		vmcoreinfo_free(vi);
	}
}

/* Only the basics: every rule is off, every page is kept, and missing[]
 * says why, once per rule the level uses. */
static void test_bare_minimum(void **state)
{
	static const char text[] = "OSRELEASE=6.1.0-47-amd64\nSIZE(page)=64\nOFFSET(page.flags)=0\n";
	static const struct expect keep = K;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("bare VMCOREINFO, level 31");
	init_rules(&r, text, DL_MAX);
	CHECK_EQ(r.n_missing, 5);
	CHECK(has_missing(&r, "page cache: no OFFSET(page.mapping)"));
	CHECK(has_missing(&r, "user data: no OFFSET(page.mapping)"));
	CHECK(has_missing(&r, "compound pages: no NUMBER(PG_head_mask)"));
	CHECK(has_missing(&r, "free pages: no OFFSET(page.private)"));
	CHECK(has_missing(&r, "PAGE_OFFLINE_MAPCOUNT_VALUE"));
	CHECK(!r.has_compound_head);
	CHECK(page_rules_need_scan(&r, DL_MAX));
	CHECK(page_rules_need_scan(&r, DL_EXCLUDE_FREE));
	CHECK(!page_rules_need_scan(&r, 0));
	CHECK(!page_rules_need_scan(&r, DL_EXCLUDE_ZERO));

	/* 6.1 pages of every kind: all kept now */
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		const struct tcase *c = &cases[ci];

		if (!(c->gens & G(3)))
			continue;
		WHERE("bare VMCOREINFO, 6.1 \"%s\"", c->name);
		build(&gens[3], &c->p, buf, buf + 64);
		CHECK(!page_is_compound_head(&r, buf));
		for (unsigned li = 0; li < 7; li++)
			classify_at(&r, buf, buf + 64, c->pfn, levels[li], c->max_npages, &keep);
	}

	WHERE("bare VMCOREINFO, level 1");
	init_rules(&r, text, DL_EXCLUDE_ZERO);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "offline pages"));
}

/* Before 5.0 there are no offline pages: nothing to report. */
static void test_old_kernel_no_offline_note(void **state)
{
	static const char text[] = "OSRELEASE=4.19.0\nSIZE(page)=64\nOFFSET(page.flags)=0\n";
	struct page_rules r;

	(void)state;
	WHERE("bare 4.19, level 1");
	init_rules(&r, text, DL_EXCLUDE_ZERO);
	CHECK_EQ(r.n_missing, 0);
}

static void test_no_buddy_value(void **state)
{
	char *text = edit_text(text_6_1, "PAGE_BUDDY_MAPCOUNT_VALUE", NULL);
	static const struct pspec buddy = { 0, 0, MC_BUDDY, 0, 0, 3, false, false, NEXT_NONE, 0 };
	static const struct expect keep = K;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.1 without PAGE_BUDDY_MAPCOUNT_VALUE");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "free pages: no PAGE_BUDDY_MAPCOUNT_VALUE or PG_buddy; "
			      "free pages kept"));
	build(&gens[3], &buddy, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x2008, DL_MAX, 1000, &keep);
	classify_at(&r, buf, NULL, 0x2008, DL_EXCLUDE_FREE, 1000, &keep);

	/* the level decides what is reported */
	text = edit_text(text_6_1, "PAGE_BUDDY_MAPCOUNT_VALUE", NULL);
	init_rules(&r, text, DL_EXCLUDE_USER_DATA);
	free(text);
	CHECK_EQ(r.n_missing, 0);
}

static void test_no_free_area_length(void **state)
{
	char *text = edit_text(text_6_1, "LENGTH(zone.free_area)", NULL);
	static const struct pspec o10 = { 0, 0, MC_BUDDY, 0, 0, 10, false, false, NEXT_NONE, 0 };
	static const struct pspec o11 = { 0, 0, MC_BUDDY, 0, 0, 11, false, false, NEXT_NONE, 0 };
	static const struct expect fr = FR(1024), kb = KB;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.1 without LENGTH(zone.free_area)");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "LENGTH(zone.free_area)"));
	build(&gens[3], &o10, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x400, DL_MAX, 5000, &fr);
	build(&gens[3], &o11, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x800, DL_MAX, 5000, &kb);
}

/* A smaller LENGTH(zone.free_area) (e.g. a kernel built with a lower
 * MAX_ORDER) bounds the free order. */
static void test_small_free_area_length(void **state)
{
	char *text = edit_text(text_6_1, "LENGTH(zone.free_area)", "LENGTH(zone.free_area)=4\n");
	static const struct pspec o3 = { 0, 0, MC_BUDDY, 0, 0, 3, false, false, NEXT_NONE, 0 };
	static const struct pspec o4 = { 0, 0, MC_BUDDY, 0, 0, 4, false, false, NEXT_NONE, 0 };
	static const struct expect fr = FR(8), kb = KB;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.1 with LENGTH(zone.free_area)=4");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 0);
	build(&gens[3], &o3, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x400, DL_MAX, 5000, &fr);
	build(&gens[3], &o4, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x400, DL_MAX, 5000, &kb);
}

/* 6.2+ without a way to see slab pages: anon(page) cannot be trusted. */
static void test_no_slab_info(void **state)
{
	char *text = edit_text(text_6_6, "PG_slab", NULL);
	static const struct pspec anon = { F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0, 0,
					   false, false, NEXT_NONE, 0 };
	static const struct pspec cache = { F_LRU, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false,
					    false, NEXT_NONE, 0 };
	static const struct expect keep = K, c1 = C(1);
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.6 without PG_slab");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "PG_slab"));
	build(&gens[5], &anon, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x6000, DL_MAX, 100, &keep);
	classify_at(&r, buf, NULL, 0x6000, DL_EXCLUDE_USER_DATA, 100, &keep);
	/* an anonymous page on the LRU is not page cache either */
	classify_at(&r, buf, NULL, 0x6000, DL_EXCLUDE_CACHE, 100, &keep);
	classify_at(&r, buf, NULL, 0x6000, DL_EXCLUDE_CACHE_PRI, 100, &keep);
	build(&gens[5], &cache, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x6000, DL_MAX, 100, &c1);

	/* before 6.2 slab pages never had an odd mapping: no need */
	text = edit_text(text_6_1, "PG_slab", NULL);
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 0);
}

/* 7.1 without the renamed key: tails are not recognised, so anon(page)
 * is not trusted (the makedumpfile 1.7.9 bug on 7.1). */
static void test_no_compound_info(void **state)
{
	char *text = edit_text(text_7_1, "compound_info", NULL);
	static const struct pspec tail = { F_LRU, ANON_MAPPING, MC_RAW, 0, 0, 0, true, false,
					   NEXT_NONE, 0 };
	static const struct pspec cache = { F_LRU, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false,
					    false, NEXT_NONE, 0 };
	static const struct expect keep = K, c1 = C(1);
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("7.1 without OFFSET(page.compound_info)");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK(!r.has_compound_head);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "compound_info"));
	build(&gens[8], &tail, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x40001, DL_MAX, 100, &keep);
	classify_at(&r, buf, NULL, 0x40001, DL_EXCLUDE_CACHE, 100, &keep);
	build(&gens[8], &cache, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x6000, DL_MAX, 100, &c1);
}

/* Level 2 alone must know PG_private to leave private pages alone. */
static void test_level2_without_pg_private(void **state)
{
	char *text = edit_text(text_6_1, "NUMBER(PG_private)", NULL);
	static const struct pspec cache = { F_LRU, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false,
					    false, NEXT_NONE, 0 };
	static const struct expect keep = K, c1 = C(1);
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.1 without PG_private");
	init_rules(&r, text, DL_EXCLUDE_CACHE);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "PG_private"));
	build(&gens[3], &cache, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x6000, DL_EXCLUDE_CACHE, 100, &keep);
	/* level 4 does not need it */
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 0);
	classify_at(&r, buf, NULL, 0x6000, DL_EXCLUDE_CACHE_PRI, 100, &c1);
}

/* No hugetlb marker (CONFIG_HUGETLB_PAGE=n): hugetlb heads are kept. */
static void test_no_hugetlb_marker(void **state)
{
	char *text = edit_text(text_6_1, "HUGETLB_PAGE_DTOR", NULL);
	static const struct pspec huge = { F_HEAD, FILE_MAPPING, MC_UNMAPPED, 0, 0, 0, false, true,
					   NEXT_TAIL, 9 };
	static const struct expect keep = K;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.1 without HUGETLB_PAGE_DTOR");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "hugetlbfs pages kept"));
	build(&gens[3], &huge, buf, buf + 64);
	classify_at(&r, buf, buf + 64, 0x80000, DL_MAX, 1u << 20, &keep);
}

/* No way to read the compound order: heads count as single pages. */
static void test_no_compound_order(void **state)
{
	char *text = edit_text(text_6_1, "OFFSET(page.compound_", "OFFSET(page.compound_head)=8\n");
	static const struct pspec thp = { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0,
					  0, false, false, NEXT_TAIL, 9 };
	static const struct expect u1 = U(1);
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.1 without compound_order/compound_dtor");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK(has_missing(&r, "compound pages: no OFFSET(folio._folio_order)"));
	CHECK(has_missing(&r, "hugetlbfs pages kept"));
	CHECK_EQ(r.n_missing, 2);
	build(&gens[3], &thp, buf, buf + 64);
	classify_at(&r, buf, buf + 64, 0x40000, DL_MAX, 1u << 20, &u1);
}

/* 6.6+ kernels built without hugetlbfs export neither PG_hugetlb nor
 * the folio offsets: the version alone says where the order is. */
static void test_6_6_order_by_version(void **state)
{
	char *text = edit_text(text_6_6, "PG_hugetlb", NULL);
	static const struct pspec thp = { F_HEAD | F_LRU | F_SWAPBACKED, ANON_MAPPING, MC_RAW, 0, 0,
					  0, false, false, NEXT_TAIL, 9 };
	static const struct expect u512 = U(512);
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("6.6 without PG_hugetlb");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 1);
	CHECK(has_missing(&r, "hugetlbfs pages kept"));
	build(&gens[5], &thp, buf, buf + 64);
	classify_at(&r, buf, buf + 64, 0x40000, DL_MAX, 1u << 20, &u512);
}

/* 4.4 - 4.15 on a 32-bit-style layout: two 2-byte members side by side
 * (dtor at 16, order at 18).  Reading one byte of each would still work
 * little-endian, so make the order 2-byte-only visible: the dtor of a
 * hugetlb page is 2, and the 2-byte order must not take the dtor's
 * neighbour byte. */
static void test_4_4_two_byte_fields(void **state)
{
	char *text = edit_text(text_4_19, "OFFSET(page.compound_",
			       "OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=18\n"
			       "OFFSET(page.compound_head)=8\n");
	char *text2 = edit_text(text, "OSRELEASE", "OSRELEASE=4.9.0-19-amd64\n");
	struct page_rules r;
	uint8_t buf[128];
	struct page_verdict v;

	(void)state;
	free(text);
	WHERE("4.9, 2-byte compound_dtor/order");
	init_rules(&r, text2, DL_MAX);
	free(text2);
	CHECK_EQ(r.n_missing, 0);
	memset(buf, 0, sizeof(buf));
	put_m(buf, 0, bit(15), 8);                         /* PG_head */
	put_m(buf, 8, UINT64_C(0xffff88800abc0110), 8);
	put_m(buf + 64, 8, UINT64_C(0xffffea0001000001), 8); /* page[1] is a tail */
	put_m(buf + 64, 16, 2, 2);                         /* HUGETLB_PAGE_DTOR */
	put_m(buf + 64, 18, 0x109, 2);                     /* order 0x109: impossible */
	page_classify(&r, buf, buf + 64, 0x40000, DL_EXCLUDE_USER_DATA, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_USER);
	CHECK_EQ(v.npages, 1);
	CHECK_EQ(v.bad_order, true);
	put_m(buf + 64, 18, 9, 2);
	page_classify(&r, buf, buf + 64, 0x40000, DL_EXCLUDE_USER_DATA, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_USER);
	CHECK_EQ(v.npages, 512);
	CHECK_EQ(v.bad_order, false);
	/* dtor 0x0102 (2 bytes) is not HUGETLB_PAGE_DTOR */
	put_m(buf + 64, 16, 0x102, 2);
	page_classify(&r, buf, buf + 64, 0x40000, DL_EXCLUDE_USER_DATA, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_KEEP);
}

/* From 4.16 the members are bytes: the version says so even where they
 * are not neighbours, and the byte after each is not part of it. */
static void test_4_16_one_byte_fields(void **state)
{
	char *text = edit_text(text_4_19, "OFFSET(page.compound_",
			       "OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=20\n"
			       "OFFSET(page.compound_head)=8\n");
	struct page_rules r;
	uint8_t buf[128];
	struct page_verdict v;

	(void)state;
	WHERE("4.19, 1-byte compound_dtor/order apart");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 0);
	memset(buf, 0, sizeof(buf));
	put_m(buf, 0, bit(15), 8);                         /* PG_head */
	put_m(buf, 8, UINT64_C(0xffff88800abc0110), 8);
	put_m(buf + 64, 8, UINT64_C(0xffffea0001000001), 8); /* page[1] is a tail */
	buf[64 + 16] = 2;                                   /* HUGETLB_PAGE_DTOR */
	buf[64 + 17] = 0xee;
	buf[64 + 20] = 9;
	buf[64 + 21] = 0xee;
	page_classify(&r, buf, buf + 64, 0x40000, DL_EXCLUDE_USER_DATA, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_USER);
	CHECK_EQ(v.npages, 512);
	CHECK_EQ(v.bad_order, false);
}

/* 2.6.x: PG_buddy flag, order and destructor in page[1].lru */
static void test_old_kernel_lru_generation(void **state)
{
	static const char text[] =
		"OSRELEASE=2.6.32-754.el6.x86_64\n"
		"SIZE(page)=56\n"
		"OFFSET(page.flags)=0\n"
		"OFFSET(page._count)=8\n"
		"OFFSET(page.mapping)=24\n"
		"OFFSET(page.lru)=40\n"
		"OFFSET(page._mapcount)=12\n"
		"OFFSET(page.private)=16\n"
		"LENGTH(zone.free_area)=11\n"
		"NUMBER(PG_lru)=5\n"
		"NUMBER(PG_private)=11\n"
		"NUMBER(PG_swapcache)=15\n"
		"NUMBER(PG_slab)=7\n"
		"NUMBER(PG_buddy)=19\n"
		"NUMBER(PG_head_mask)=16384\n"
		"SYMBOL(free_huge_page)=ffffffff81163a10\n";
	struct page_rules r;
	uint8_t buf[112];
	struct page_verdict v;

	(void)state;
	WHERE("2.6.32");
	init_rules(&r, text, DL_MAX);
	CHECK_EQ(r.n_missing, 0);
	CHECK(!r.has_compound_head);

	/* free block via PG_buddy, order 4 */
	memset(buf, 0, sizeof(buf));
	put_m(buf, 0, bit(19), 8);
	put_m(buf, 16, 4, 8);
	page_classify(&r, buf, NULL, 0x1230, DL_MAX, 1000, &v);
	CHECK_EQ(v.cls, PAGE_FREE);
	CHECK_EQ(v.npages, 16);

	/* hugetlb head: lru.next of page[1] = free_huge_page, lru.prev = 9 */
	memset(buf, 0, sizeof(buf));
	put_m(buf, 0, bit(14), 8);
	put_m(buf + 56, 40, UINT64_C(0xffffffff81163a10), 8);
	put_m(buf + 56, 48, 9, 8);
	page_classify(&r, buf, buf + 56, 0x40000, DL_EXCLUDE_USER_DATA, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_USER);
	CHECK_EQ(v.npages, 512);
	page_classify(&r, buf, buf + 56, 0x40000, DL_EXCLUDE_CACHE, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_KEEP);
	/* another destructor: not hugetlb */
	put_m(buf + 56, 40, UINT64_C(0xffffffff81163a20), 8);
	page_classify(&r, buf, buf + 56, 0x40000, DL_EXCLUDE_USER_DATA, 1u << 20, &v);
	CHECK_EQ(v.cls, PAGE_KEEP);

	/* anon page (no tail marker needed before 4.5) */
	memset(buf, 0, sizeof(buf));
	put_m(buf, 24, ANON_MAPPING, 8);
	page_classify(&r, buf, NULL, 0x77, DL_MAX, 1000, &v);
	CHECK_EQ(v.cls, PAGE_USER);
}

/* 2.6.39 - 4.17 kernels that did not export the buddy value: -128. */
static void test_buddy_value_fallback(void **state)
{
	char *text = edit_text(text_4_14, "PAGE_BUDDY_MAPCOUNT_VALUE", NULL);
	static const struct pspec buddy = { 0, 0, MC_BUDDY, 0, 0, 1, false, false, NEXT_NONE, 0 };
	static const struct expect fr2 = FR(2), keep = K;
	struct page_rules r;
	uint8_t buf[128];

	(void)state;
	WHERE("4.14 without PAGE_BUDDY_MAPCOUNT_VALUE");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK_EQ(r.n_missing, 0);
	build(&gens[0], &buddy, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x10, DL_MAX, 100, &fr2);

	/* but not from 4.18 on, where the value changed */
	text = edit_text(text_4_19, "PAGE_BUDDY_MAPCOUNT_VALUE", NULL);
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK(has_missing(&r, "free pages"));
	build(&gens[1], &buddy, buf, buf + 64);
	classify_at(&r, buf, NULL, 0x10, DL_MAX, 100, &keep);
}

/* A key that points outside the struct page is as good as absent. */
static void test_offset_outside_page(void **state)
{
	char *text = edit_text(text_6_1, "OFFSET(page.mapping)", "OFFSET(page.mapping)=60\n");
	struct page_rules r;

	(void)state;
	WHERE("6.1 with OFFSET(page.mapping)=60");
	init_rules(&r, text, DL_MAX);
	free(text);
	CHECK(!r.has_mapping);
	CHECK(has_missing(&r, "page cache: no OFFSET(page.mapping)"));
	CHECK(has_missing(&r, "user data: no OFFSET(page.mapping)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_generations_big_endian),
		cmocka_unit_test(test_wrong_byte_order_differs),
		cmocka_unit_test(test_6_12_values_unsigned),
		cmocka_unit_test(test_6_12_counts_are_not_types),
		cmocka_unit_test(test_no_size_page),
		cmocka_unit_test(test_no_page_flags),
		cmocka_unit_test(test_bad_geometry),
		cmocka_unit_test(test_bare_minimum),
		cmocka_unit_test(test_old_kernel_no_offline_note),
		cmocka_unit_test(test_no_buddy_value),
		cmocka_unit_test(test_no_free_area_length),
		cmocka_unit_test(test_small_free_area_length),
		cmocka_unit_test(test_no_slab_info),
		cmocka_unit_test(test_no_compound_info),
		cmocka_unit_test(test_level2_without_pg_private),
		cmocka_unit_test(test_no_hugetlb_marker),
		cmocka_unit_test(test_no_compound_order),
		cmocka_unit_test(test_6_6_order_by_version),
		cmocka_unit_test(test_4_4_two_byte_fields),
		cmocka_unit_test(test_4_16_one_byte_fields),
		cmocka_unit_test(test_old_kernel_lru_generation),
		cmocka_unit_test(test_buddy_value_fallback),
		cmocka_unit_test(test_offset_outside_page),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}

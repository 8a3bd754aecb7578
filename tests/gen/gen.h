/* gen.h - mkvmcore's model of a crashed machine: x86_64, arm64, ppc64le,
 * s390x, riscv64 or i386 (garch.c describes each: page size, paging form, address
 * layout, byte order, its VMCOREINFO lines).
 *
 * mkvmcore builds a machine in memory as a list of extents (runs of pfns
 * that hold one kind of page: free buddy blocks, page cache, slab, struct
 * page arrays, page tables ...), then writes the ELF vmcore that machine
 * would leave and, from the same extents, the pfn sets a correct filter
 * keeps at each dump level.  Nothing here reads the vmcore back: the truth
 * comes from what was placed where, not from decoding struct pages.
 *
 * Kernel-generation facts (flag bit numbers, page types, where a compound
 * page keeps its order, which VMCOREINFO keys exist) live in gens.c; the
 * struct page bytes are made in spage.c; the physical layout, page tables
 * and mem_section in model.c; file output and truth files in output.c.
 */
#ifndef MKVMCORE_GEN_H
#define MKVMCORE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SP_SIZE           64u          /* SIZE(page) of the LP64 machines (model.sp_size: i386's 40) */
#define TAIL_MAPPING      0xdead000000000400ull
#define MAX_LEVELS        7u           /* 0 1 2 4 8 16 31 */
#define MAX_PT_LEVELS     5u
/* The page size of the x86_64 specs; others set `page-size` (struct model
 * has the page size in use). */
#define BASE_PAGE_SHIFT   12
#define MAX_PAGE_SIZE     65536u       /* the largest page of any machine (64K) */

/* ---- util.c ---- */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);
void write_text(const char *dir, const char *name, const char *text, size_t len);

/* deterministic randomness: one generator state per use */
struct rng {
	uint64_t s;
};
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);   /* 0..n-1, n > 0 */
uint64_t mix64(uint64_t x);                       /* stateless hash */

/* ---- kinds of page ---- */
enum kind {
	/* kernel-owned, kept at every level */
	K_RESERVED,        /* firmware area, early reservations: PG_reserved */
	K_KIMAGE,          /* kernel image (text, data, bss) */
	K_META,            /* memblock: page tables, mem_section, pgdat */
	K_MEMMAP,          /* struct page arrays */
	K_CRASHKERNEL,     /* crashkernel= reservation: RAM, not in the vmcore */
	/* the page mix */
	K_FREE,            /* buddy block, order in page.private */
	K_UNACCEPTED,      /* unaccepted memory (6.16+): a MAX_PAGE_ORDER block */
	K_CACHE,           /* page cache, no PG_private */
	K_CACHE_PRIV,      /* page cache with PG_private (buffer heads) */
	K_SHMEM,           /* tmpfs/shmem: LRU + swapbacked, file mapping */
	K_SWAPCACHE,       /* swap cache, off the LRU, no mapping */
	K_FILE_FOLIO,      /* large page-cache folio (compound) */
	K_FILE_FOLIO_PRIV, /* large page-cache folio with PG_private */
	K_ANON,            /* anonymous */
	K_ANON_SWAPCACHE,  /* anonymous, also in the swap cache */
	K_KSM,             /* KSM page: mapping | 3 */
	K_THP,             /* anonymous transparent huge page (compound) */
	K_HUGETLB,         /* hugetlbfs page (compound, 2 MiB or 1 GiB) */
	K_SLAB,            /* slab (compound for order > 0) */
	K_PGTABLE,         /* page table page (page type "table") */
	K_KERNEL,          /* other kernel allocation */
	K_KERNEL_COMPOUND, /* kernel compound allocation whose page[1] looks anonymous */
	K_MOVABLE,         /* non-LRU movable (zsmalloc, balloon): mapping | 2 */
	K_OWNERPRIV,       /* kernel page with PG_owner_priv_1 (the PG_swapcache bit) */
	K_ZERO,            /* kernel allocation whose content is all zero */
	K_OFFLINE,         /* logically offline (balloon, virtio-mem) */
	K_HWPOISON,        /* PG_hwpoison */
	/* corrupt struct pages (--corrupt) */
	K_BAD_BUDDY_ORDER, /* buddy head with private = 63 */
	K_BAD_BUDDY_ALIGN, /* buddy head whose order is larger than its alignment */
	K_BAD_COMPOUND,    /* anonymous THP whose order (in page[1]) is 63 */
	K_BAD_FLAGS,       /* every PG_* bit set in flags (so: PG_head, PG_hwpoison) */
	K_BAD_SLAB_BUDDY,  /* buddy page type and PG_slab at once (before 6.10) */
	K_COUNT
};

/* How a kind fares at a dump level: see truth_class() in output.c. */
enum verdict { V_KEEP, V_EXCLUDE, V_HEAD_ONLY };

struct kind_info {
	const char *name;
	bool mixable;          /* may appear in `mix`, `place`, `at` */
	bool compound;         /* an object of order > 0 is a compound page */
	uint8_t omin, omax;    /* default order range */
	uint16_t run;          /* default longest run of order-0 objects */
	uint8_t zero_pct;      /* default share of all-zero pages (percent) */
};
extern const struct kind_info kinds[K_COUNT];
int kind_by_name(const char *name);   /* -1 if unknown */

/* ---- gens.c: kernel generations ---- */
enum order_loc {
	ORD_FIELD,   /* page[1] compound_order / compound_dtor bytes (4.16 - 6.2) */
	ORD_FOLIO,   /* folio._folio_order / _folio_dtor (6.3 - 6.5), same bytes */
	ORD_FLAGS1,  /* low byte of page[1].flags (6.6+) */
};

struct gen {
	const char *name;          /* as written in specs: "6.1" */
	const char *osrelease;     /* default OSRELEASE */
	unsigned major, minor;
	/* PG_* bit numbers; -1 when the flag does not exist */
	int8_t pg_locked, pg_referenced, pg_uptodate, pg_dirty, pg_lru, pg_active,
	       pg_workingset, pg_slab, pg_owner_priv_1, pg_reserved, pg_private,
	       pg_head, pg_swapbacked, pg_unevictable, pg_mlocked, pg_hwpoison;
	int8_t pg_hugetlb;         /* 6.6 - 6.8: flag in page[1].flags */
	int8_t pg_large_rmappable; /* 6.6+: flag in page[1].flags of anon/file folios */
	enum order_loc order_loc;
	/* values of the _mapcount / page_type word; 0 = no such type */
	uint32_t t_buddy, t_offline, t_table, t_hugetlb, t_slab, t_unaccepted;
	bool x_offline;            /* NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) exported */
	bool x_unaccepted;         /* NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE) exported */
	bool compound_info;        /* 7.1: field renamed, tails hold a mask | 1 */
	bool slab_counter_in_mapping; /* 6.2+: a slab counter overlays page.mapping */
};
extern const struct gen gens[];
const struct gen *gen_by_name(const char *name);
void gen_list(void);

/* ---- spec.c ---- */
struct mix_entry {
	int kind;
	bool order_default;        /* no order= given: the machine's usual orders */
	double weight;             /* percent of the pages left for the mix */
	uint8_t omin, omax;
	uint16_t run;
	uint8_t zero_pct;
};

struct at_entry {
	uint64_t pfn;
	int kind;
	bool order_default;
	uint8_t order;
	uint64_t count;
	uint8_t zero_pct;
	bool random;               /* `place`: pfn chosen at random */
};

struct addr_range {
	uint64_t start, size;      /* bytes */
};

enum kaslr_mode { KASLR_OFF, KASLR_RANDOM, KASLR_FIXED };

/* The kernel log (log.c): layout, size, messages, how the crash left it. */
enum log_format { LOG_DEFAULT, LOG_PLAIN, LOG_STRUCTURED, LOG_LOCKLESS };
enum log_last { LAST_FINALIZED, LAST_COMMITTED, LAST_RESERVED };
enum log_place { LOG_PLACE_IMAGE, LOG_PLACE_MEMBLOCK, LOG_PLACE_MISSING, LOG_PLACE_FREE };

struct log_spec {
	enum log_format format;    /* default: structured before 5.10, else lockless */
	uint64_t size;             /* text ring / log_buf_len bytes (32K) */
	unsigned desc_bits;        /* lockless count_bits (size_bits - 5) */
	uint64_t records;          /* messages printed since boot (400) */
	int64_t clear;             /* `dmesg --clear` before this message; -1 never */
	enum log_last last;        /* how the crash left the last message */
	bool caller;               /* structured: CONFIG_PRINTK_CALLER */
	bool old_name;             /* structured: struct log (3.5 - 3.10) */
	bool bytes;                /* control characters and bytes >= 0x80 */
	enum log_place place;
	char damage[24];           /* a damaged variant (log.c) */
};

struct garch;

struct spec {
	char name[64];
	const struct gen *gen;
	char osrelease[65];
	const struct garch *arch;  /* x86_64 unless `arch` says */
	unsigned paging;           /* x86_64: 4 or 5 levels */
	unsigned page_shift;       /* `page-size`: 12, 14 or 16 (0: the arch's default) */
	unsigned va_bits;          /* `va-bits` (arm64, riscv64; 0: the arch's default) */
	bool hash_mmu;             /* ppc64: `mmu hash` (else radix) */
	bool vmemmap_list;         /* ppc64: keep a vmemmap_list (hash: always) */
	uint64_t memory;           /* bytes: physical address just past RAM */
	struct addr_range *holes;
	size_t n_holes;
	struct addr_range crashkernel;
	enum kaslr_mode kaslr;
	uint64_t k_phys, k_virt_off, k_direct, k_vmemmap;   /* KASLR_FIXED, 0 = default */
	bool vmemmap;              /* SPARSEMEM_VMEMMAP, else classic SPARSEMEM */
	bool extreme;              /* SPARSEMEM_EXTREME, else a static array */
	unsigned mem_section_size; /* SIZE(mem_section): 16 or 32 */
	unsigned directmap_leaf;   /* largest direct-map mapping: 0 page, 1 block, 2 huge */
	unsigned vmemmap_leaf;     /* vmemmap mapping: 0 page, 1 block */
	unsigned nodes;            /* NUMA nodes (0: one) */
	unsigned cpus;
	uint64_t seed;
	uint64_t crashtime;
	uint64_t kernel_size;      /* bytes of the kernel image */
	bool fill_stamp;           /* data pages: one stamp, else half random */
	unsigned repeat;           /* content repeats in runs of this many pfns (0, 1: never) */
	bool ktext_load;           /* a PT_LOAD for the kernel text (kexec style) */
	bool page_type_data;       /* 6.12+: data in the low 24 bits of page types */
	struct mix_entry *mix;
	size_t n_mix;
	struct at_entry *at;
	size_t n_at;
	char corrupt[32];          /* --corrupt KIND or `corrupt KIND` */
	struct log_spec log;
};
void spec_init(struct spec *sp);
void spec_parse_file(struct spec *sp, const char *path);
void spec_parse_line(struct spec *sp, const char *line, const char *where);
void spec_finish(struct spec *sp);
/* SPEC file (or "-" for none), then the extra lines, then spec_finish. */
void spec_load(struct spec *sp, const char *path, const char *const *sets, size_t nsets);
void spec_free(struct spec *sp);

/* ---- garch.c: the architectures ---- */
struct model;
struct sbuf;

struct garch {
	const char *name;          /* spec word */
	const char *uts_machine;   /* utsname machine */
	uint16_t e_machine;
	bool big_endian;           /* the machine's (and the vmcore's) byte order */
	bool entries_big_endian;   /* page-table entries (ppc64: always) */
	bool image_in_linear_map;  /* kernel image addresses are linear-map ones */
	unsigned prstatus_size;    /* struct elf_prstatus */
	unsigned default_page_shift;
	/* non-zero: the linear map and vmemmap start at the start of RAM,
	 * rounded down to this (arm64 PHYS_OFFSET, riscv64 phys_ram_base) */
	uint64_t linear_align;
	/* page size, paging form, section/physmem bits, orders, address layout:
	 * fills the struct model fields marked "arch" (memmap_chunk 0: the
	 * struct pages of one section, at least a page and a vmemmap leaf) */
	void (*configure)(struct model *m);
	/* KASLR beyond the image's placement (x86_64: direct map, vmemmap) */
	void (*kaslr)(struct model *m);
	/* entries: a table at `level` (0 = top) pointing at pa; a leaf there
	 * mapping pa; an unused one (NULL: 0) */
	uint64_t (*table_entry)(const struct model *m, unsigned level, uint64_t pa);
	uint64_t (*leaf_entry)(const struct model *m, unsigned level, uint64_t pa, bool exec);
	uint64_t (*empty_entry)(const struct model *m, unsigned level);
	/* the generator's own reading of an entry: 0 invalid, 1 table, 2 leaf */
	int (*decode)(const struct model *m, unsigned level, uint64_t e, uint64_t *ret_pa);
	/* the architecture's VMCOREINFO lines */
	void (*vmcoreinfo)(const struct model *m, struct sbuf *b);
};

const struct garch *garch_by_name(const char *name);
void garch_list(void);

/* ---- model.c ---- */
struct range {
	uint64_t start, end;       /* pfns [start, end) */
};

struct extent {
	uint64_t pfn;
	uint64_t npages;           /* a whole number of objects of 2^order pages */
	uint8_t kind;
	uint8_t order;
	uint8_t zero_pct;          /* pages are all-zero with this probability (per pfn) */
	uint8_t stored;            /* content from the page store (log.c place=free) */
};

/* The mix is drawn per block of MIX_BLOCK_PFNS pfns, on demand (mix.c). */
#define MIX_BLOCK_SHIFT 18         /* 1 GiB: the largest object (order 18) fits */
#define MIX_BLOCK_PFNS  (1ull << MIX_BLOCK_SHIFT)
#define EXT_CURSOR_BLOCKS 4

struct mixblock {
	uint64_t index;            /* block number, UINT64_MAX: empty */
	struct extent *ext;        /* sorted, tiling the block's mix ranges */
	size_t n, cap;
};

/* Reads the extents of the machine, fixed and mixed, in any order; owns a
 * small cache of made blocks.  One per thread. */
struct ext_cursor {
	const struct model *m;
	struct mixblock blk[EXT_CURSOR_BLOCKS];
	unsigned victim, last;
	uint64_t blocks_made;
};

/* Physical pages whose bytes the generator made (page tables, mem_section,
 * pgdat, the kernel image's data): a hash map pfn -> 4 KiB buffer. */
struct pstore {
	uint64_t page_size;
	uint64_t *keys;            /* pfn + 1; 0 = empty slot */
	uint8_t **pages;
	size_t cap, n;
};

/* A struct page overridden after encoding (corrupt variants). */
struct sp_patch {
	uint64_t pfn;
	uint32_t off;              /* byte offset in the struct page */
	uint32_t width;            /* 1, 2, 4 or 8 */
	uint64_t value;
};

struct log_model;
struct mixk;

struct model {
	struct spec *sp;
	const struct gen *g;
	struct rng rng;
	uint64_t max_pfn;          /* pfn past the last RAM page */
	struct range *ram;         /* RAM, sorted */
	size_t n_ram;
	struct range *vmc;         /* RAM in the vmcore (RAM minus crashkernel) */
	size_t n_vmc;
	struct range *avail;       /* not yet given to any extent */
	size_t n_avail, cap_avail;
	struct extent *ext;        /* fixed extents: the kernel's own, `at`, `place` */
	size_t n_ext, cap_ext;
	struct range *mixr;        /* the rest of RAM: the mix, made per block (mix.c) */
	size_t n_mixr;
	struct mixk *mixk;
	size_t n_mixk, mix_free;
	struct pstore store;
	unsigned nodes;            /* NUMA nodes */
	uint64_t *node_start;      /* node n: pfns [node_start[n], node_start[n + 1]) */

	/* the machine (arch: set by garch.c's configure) */
	const struct garch *arch;
	unsigned page_shift;       /* arch */
	uint64_t page_size;
	unsigned section_bits;     /* arch: SECTION_SIZE_BITS */
	unsigned physmem_bits;     /* arch: MAX_PHYSMEM_BITS */
	unsigned pfn_section_shift;
	uint64_t pages_per_section;
	unsigned max_order;        /* arch: largest buddy order (LENGTH(zone.free_area) - 1) */
	unsigned pmd_order;        /* arch: order of a THP / hugetlb page */
	unsigned levels;           /* arch: page-table levels */
	uint8_t pt_shift[MAX_PT_LEVELS], pt_bits[MAX_PT_LEVELS];   /* arch, top first */
	unsigned entry_size;       /* arch: 8 (i386 without PAE: 4) */
	unsigned word;             /* arch: bytes of a long and a pointer (8; i386: 4) */
	unsigned sp_size;          /* arch: SIZE(page) (SP_SIZE; i386: 40) */
	bool flatmem;              /* arch: FLATMEM, one mem_map for every pfn (i386) */
	uint64_t lowmem_end;       /* arch: pfn where the linear map ends (i386's 896 MiB; 0: none) */
	uint64_t kaslr_phys_max;   /* arch: the image ends below this (0: end of RAM) */
	uint64_t sym_mem_map;      /* FLATMEM: SYMBOL(mem_map), the pointer to the array */
	unsigned max_leaf_up;      /* arch: leaves allowed this many levels above the last */
	unsigned va_bits;          /* arch: the VA bits in use */

	/* addresses (arch) */
	uint64_t page_offset;      /* direct map base: direct_va(linear_base) */
	uint64_t linear_base;      /* physical address at page_offset */
	uint64_t vmemmap_base;
	uint64_t vmalloc_start;    /* arch: where vmalloc space starts */
	uint64_t image_base_va;    /* where the image area starts (x86: __START_KERNEL_map) */
	uint64_t image_va_lo, image_va_span;   /* KASLR range of _text (arch) */
	uint64_t memmap_chunk;     /* bytes of struct pages allocated and mapped together */
	unsigned memmap_leaf;      /* 0 page, 1 block: how a chunk is mapped */
	uint64_t kphys;            /* physical address of _text */
	uint64_t ktext;            /* virtual address of _text (= _stext) */
	uint64_t ksize;            /* bytes, multiple of 2 MiB */
	uint64_t ktext_size;       /* bytes of "code" at the start of the image */
	uint64_t kbrk;             /* next free byte offset in the image's data */
	uint64_t phys_base;        /* the sub header's: x86 phys_base, arm64 PHYS_OFFSET ... */
	uint64_t image_voff;       /* image_va(pa) = pa + image_voff */
	uint64_t pgd_paddr;
	bool pt_in_image;          /* page-table pages come from the image */
	uint64_t carve_pa, carve_left;   /* sub-page tables: the page they are cut from */
	uint64_t vmemmap_list_va;  /* ppc64: SYMBOL(vmemmap_list) */
	uint64_t psize_defs_va, vmemmap_psize_va;   /* ppc64: mmu_psize_defs, mmu_vmemmap_psize */

	/* sparsemem */
	uint64_t n_sections;       /* sections 0 .. n_sections-1 cover RAM */
	uint8_t *sec_present;
	uint64_t *sec_memmap;      /* physical address of the section's struct pages */
	uint64_t nr_mem_sections;  /* 1 << (MAX_PHYSMEM_BITS - SECTION_SIZE_BITS) */
	uint64_t nr_roots;         /* LENGTH(mem_section) */
	uint64_t sym_mem_section;  /* SYMBOL(mem_section) */
	uint64_t roots_paddr;      /* EXTREME: the root pointer array */
	uint64_t *root_paddr;      /* EXTREME: per root, 0 = none */

	/* other kernel symbols */
	uint64_t sym_init_uts_ns, sym_node_online_map, sym_node_data, sym_pgdat;
	uint64_t sym_misc;         /* log buffer, kallsyms ...: unused data */

	/* corrupt variants */
	struct sp_patch *patch;
	size_t n_patch;
	enum { TRUNC_NONE, TRUNC_NOTES, TRUNC_LAST_LOAD } truncate;  /* cut the file */
	char expect_exit;          /* '0' or '1' */
	char expect_msg[256];      /* extended regex dumpsieve must print */
	char expect_note[512];     /* why */
	char vmci_edit[32];        /* how output.c damages the VMCOREINFO note */
	uint64_t bad_load_index;   /* corrupt PT_LOAD, 0 = none (1-based) */
	struct log_model *log;     /* log.c */
	bool alloc_stored;         /* extents being added take their bytes from the store */
};

void model_build(struct model *m);
void extent_push(struct extent **v, size_t *n, size_t *cap, uint64_t pfn, uint64_t npages,
		 int kind, unsigned order, unsigned zero_pct, bool stored);
void model_free(struct model *m);
uint8_t *pstore_get(struct pstore *ps, uint64_t pfn, bool create);
void phys_write(struct model *m, uint64_t paddr, const void *buf, size_t len);
/* integers in the machine's byte order; entries in the page tables' */
void phys_write_u64(struct model *m, uint64_t paddr, uint64_t v);
void phys_write_u32(struct model *m, uint64_t paddr, uint32_t v);
void phys_write_word(struct model *m, uint64_t paddr, uint64_t v);   /* a long: m->word bytes */
uint64_t phys_read_u64(struct model *m, uint64_t paddr);
void pt_write(struct model *m, uint64_t paddr, uint64_t e);
uint64_t pt_read(struct model *m, uint64_t paddr);
uint64_t direct_va(const struct model *m, uint64_t paddr);
uint64_t image_va(const struct model *m, uint64_t paddr);
uint64_t walk_va(struct model *m, uint64_t va, bool *ok);   /* the generator's own page walk */
uint64_t model_memblock(struct model *m, uint64_t pages);  /* kernel-owned pages: first pfn */
uint64_t model_free_block(struct model *m, unsigned order); /* a free buddy block whose bytes
                                                              come from the store: first pfn */
uint64_t model_kalloc(struct model *m, uint64_t size, uint64_t align); /* image data: paddr */
bool page_is_zero(const struct model *m, const struct extent *e, uint64_t pfn);
void fill_data_page(const struct model *m, uint64_t pfn, uint8_t *buf);

/* ---- mix.c ---- */
void mix_prepare(struct model *m);
void mix_block(const struct model *m, uint64_t blk, struct mixblock *b);
void ext_cursor_init(struct ext_cursor *c, const struct model *m);
void ext_cursor_release(struct ext_cursor *c);
/* The extent holding pfn (NULL: not RAM), or the first extent that ends
 * after pfn (NULL: none).  Valid until the cursor's next call. */
const struct extent *ext_find(struct ext_cursor *c, uint64_t pfn);
const struct extent *ext_next(struct ext_cursor *c, uint64_t pfn);

/* ---- spage.c ---- */
void spage_encode_range(struct ext_cursor *c, uint64_t pfn, uint64_t n, uint8_t *out);
uint64_t spage_va(const struct model *m, uint64_t pfn);   /* where pfn's struct page lives */

/* ---- gens.c ---- */
void vmcoreinfo_build(const struct model *m, struct sbuf *b);

/* ---- log.c ---- */
void log_build(struct model *m);
void log_vmcoreinfo(const struct model *m, struct sbuf *b);
void log_truth(const struct model *m, const char *dir);
void log_free(struct model *m);

/* ---- image.c: the vmcore file as a function of the model ---- */
struct memmap_block {
	uint64_t pfn;              /* first pfn of a chunk of struct pages (memmap_chunk) */
	uint64_t section;          /* the chunk's first section */
};

struct image {
	uint64_t size;             /* file size (after a `truncate` damage) */
	uint8_t *head;             /* ELF header and program headers */
	size_t head_len;
	uint64_t notes_off;
	struct sbuf notes;
	bool ktext;                /* the kernel-text PT_LOAD is there */
	uint64_t ktext_off;
	uint64_t *load_off;        /* file offset of each vmc range's data */
	struct memmap_block *mmb;  /* sorted by pfn */
	size_t n_mmb;
};

void image_build(struct model *m, struct image *im);
void image_free(struct image *im);
/* The bytes of RAM page pfn into buf; false (buf untouched) when they are
 * all zero, or pfn is not RAM. */
bool image_page(struct ext_cursor *c, const struct image *im, uint64_t pfn, uint8_t *buf);
/* Bytes [off, off + len) of the file (past its end: zeros). */
void image_read(struct ext_cursor *c, const struct image *im, uint64_t off, void *buf, size_t len);

/* ---- output.c ---- */
void output_vmcore(struct model *m, const char *path);
/* Truth files for the levels whose index (in 0 1 2 4 8 16 31) is set in
 * level_mask; with_e adds expected-d31e.pfns (what -e keeps at -d 31, as
 * dumpsieve defines it; makedumpfile 1.7.2 keeps more: docs/compat.md). */
#define TRUTH_ALL_LEVELS ((1u << MAX_LEVELS) - 1)
void output_truth(struct model *m, const char *dir, unsigned level_mask, bool with_e);
enum verdict truth_class(const struct model *m, int kind, unsigned level);

/* ---- corrupt.c ---- */
void corrupt_list(void);
bool corrupt_known(const char *name);
void corrupt_before_mix(struct model *m);   /* struct page kinds: add `at` objects */
void corrupt_after_build(struct model *m);  /* page tables, mem_section, notes ... */

#endif

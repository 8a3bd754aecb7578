/* classify.c - the per-struct-page filtering rules: which dump-level
 * category (page cache, user data, free, hwpoison, offline ...) one struct
 * page puts its pfn in.
 *
 * Owns: reading, once, every kernel fact the rules need from VMCOREINFO
 * (page_rules_init: struct page offsets, PG_* bit numbers, page-type values,
 * where a compound page keeps its order) and applying them to the raw bytes
 * of one struct page (page_classify: no I/O, no allocation).  Reading the
 * struct pages and the keep-map belong to scan.c.
 *
 * Where the rules come from: docs/filtering.md (shared reference
 * "filtering.md", sections 2, 2.1-2.4, 3.1, 5, 7, 8), which restates what
 * makedumpfile does and which kernel release changed which encoding.  When a
 * fact is missing the rule is switched off and the page is kept.
 *
 * Encoding generations, by the first kernel release that uses them (and
 * what VMCOREINFO shows of it):
 *
 *  from     | tail page      | compound order / hugetlb (read in page[1])   | page types (_mapcount word)
 *  ---------+----------------+----------------------------------------------+-------------------------------
 *  2.6.15   | -              | -                                            | (free pages: free lists only)
 *  2.6.17   | -              |                                              | PG_buddy flag
 *  2.6.26   | -              | (PG_* bits exported as NUMBER(); fixed before)|
 *  2.6.38   | -              | order = lru.prev, dtor = lru.next == address | buddy = -2
 *           |                |   of free_huge_page                          |
 *  2.6.39   | -              |                                              | buddy = -128
 *  4.4      | -              | page.compound_order/_dtor, 2 bytes; dtor is  |
 *           |                |   an id (HUGETLB_PAGE_DTOR)                  |
 *  4.5      | compound_head&1|                                              |
 *  4.16     |                | page.compound_order/_dtor, 1 byte            |
 *  4.18     |                |                                              | ~bit: buddy ~0x80 = -129
 *  5.0      |                |                                              | offline ~0x100 = -257
 *  6.2      | (slab.slabs overlays page.mapping: anon needs !slab)          |
 *  6.3      |                | folio._folio_order/_dtor (minus SIZE(page))  |
 *  6.6      |                | low byte of page[1].flags; PG_hugetlb flag   |
 *  6.9      |                | hugetlb = head's page type                   | hugetlb ~0x800
 *  6.10     |                |                                              | slab ~0x1000 (PG_slab gone)
 *  6.12     |                |                                              | one type, top byte: buddy
 *           |                |                                              |   0xf0, offline 0xf1,
 *           |                |                                              |   hugetlb 0xf4, slab 0xf5
 *  6.16     |                |                                              | unaccepted 0xf7
 *  7.1      | compound_info&1|                                              |
 *
 * The generation is chosen from which keys VMCOREINFO has, falling back on
 * the OSRELEASE version only where the keys cannot tell (1 or 2 byte
 * compound fields, the 6.6+ order location on kernels without hugetlbfs,
 * the pre-export defaults of section 8).
 *
 * Struct pages are read in the crashed machine's byte order, and unsigned
 * long is its word size (rules->mach: 4 bytes on i386, big-endian on s390x).
 */
#include "classify.h"

#include <inttypes.h>
#include <string.h>


/* The scan keeps struct pages in fixed buffers; nothing real comes close. */
#define PAGE_STRUCT_MAX 1024u

/* Buddy orders when LENGTH(zone.free_area) is absent: MAX_ORDER 11 (0..10)
 * on x86_64 and on arm64 with 4 KiB pages for every kernel we support. */
#define DEFAULT_FREE_ORDERS 11u

/* ---- reading struct page bytes (the crashed machine's byte order) ---- */

static uint64_t rd_uint(const struct page_rules *r, const uint8_t *p, uint32_t off,
			unsigned width)
{
	return machine_get_uint(&r->mach, p + off, width);
}

static uint64_t rd_word(const struct page_rules *r, const uint8_t *p, uint32_t off)
{
	return machine_get_word(&r->mach, p + off);
}

static bool flag_set(uint64_t flags, int16_t bit)
{
	return bit >= 0 && ((flags >> bit) & 1);
}

/* Does the _mapcount / page_type word hold this page type?
 *
 * makedumpfile compares the whole 32-bit word for equality with the value
 * VMCOREINFO exports.  Before 6.12 that is the right test: a type is an
 * all-ones word with one bit cleared (buddy ~0x80 = -129), or one of the
 * older fixed markers (-2, -128), so every bit is part of the value.  From
 * 6.12 a page has one type, stored in the top byte (PGTY_buddy 0xf0 ...),
 * and the kernel reserves the low 24 bits for data belonging to that type;
 * an exact compare would miss a typed page the day a type puts data there,
 * so for those values only the top byte is compared.  Which encoding a value
 * uses is decided once, in set_page_type(). */
static bool page_type_is(const struct page_type_value *t, uint32_t word)
{
	if (!t->known)
		return false;
	if (t->top_byte)
		return (word >> 24) == (t->value >> 24);
	return word == t->value;
}

/* ---- reading VMCOREINFO ---- */


/* OFFSET(name), usable only when a `width`-byte read there stays inside
 * the struct page. */
static bool field_offset(const struct vmcoreinfo *vi, const char *name,
			 unsigned width, uint32_t page_size, uint32_t *ret)
{
	uint64_t v;

	if (!vmci_offset(vi, name, &v) || v > page_size || page_size - v < width)
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* NUMBER(PG_x): a bit number inside one unsigned long, else -1. */
static int16_t flag_bit(const struct vmcoreinfo *vi, const char *name, unsigned word_bits)
{
	int64_t v;

	if (!vmci_number(vi, name, &v) || v < 0 || v >= (int64_t)word_bits)
		return -1;
	return (int16_t)v;
}

/* The kernel prints these as signed long of an int (-129, -268435456);
 * a value printed unsigned (4026531840) means the same 32-bit word. */
static void set_page_type(struct page_type_value *t, int64_t v)
{
	uint32_t w, top;

	if (v < INT32_MIN || v > (int64_t)UINT32_MAX)
		return;
	w = (uint32_t)v;
	top = w >> 24;
	t->known = true;
	t->value = w;
	t->top_byte = (w & 0x00ffffffu) == 0 && top >= 0xf0 && top <= 0xfe;
}

static void page_type_from(const struct vmcoreinfo *vi, const char *name,
			   struct page_type_value *t)
{
	int64_t v;

	if (vmci_number(vi, name, &v))
		set_page_type(t, v);
}

static void note_missing(struct page_rules *r, const char *what)
{
	if (r->n_missing < sizeof(r->missing) / sizeof(r->missing[0]))
		r->missing[r->n_missing++] = what;
}

static void init_flags(struct page_rules *r, const struct vmcoreinfo *vi)
{
	unsigned bits = r->word_size * 8;
	uint32_t kv = r->kernel_version;
	/* Before 2.6.26 the kernel exported no PG_* numbers and they were
	 * fixed (section 8).  Only then are the defaults safe to assume. */
	bool fixed_era = kv && kv < KERNEL_VERSION_CODE(2, 6, 26);
	int64_t v;

	r->pg_lru = flag_bit(vi, "PG_lru", bits);
	r->pg_private = flag_bit(vi, "PG_private", bits);
	r->pg_swapcache = flag_bit(vi, "PG_swapcache", bits);
	r->pg_swapbacked = flag_bit(vi, "PG_swapbacked", bits);
	r->pg_slab = flag_bit(vi, "PG_slab", bits);
	r->pg_hwpoison = flag_bit(vi, "PG_hwpoison", bits);
	r->pg_buddy = flag_bit(vi, "PG_buddy", bits);
	r->pg_hugetlb = flag_bit(vi, "PG_hugetlb", bits);
	if (fixed_era) {
		if (r->pg_lru < 0)
			r->pg_lru = 5;
		if (r->pg_slab < 0)
			r->pg_slab = 7;
		if (r->pg_private < 0)
			r->pg_private = 11;
		if (r->pg_swapcache < 0)
			r->pg_swapcache = 15;
	}
	/* Where PG_swapcache aliases a lower flag (PG_owner_priv_1, 4.10+)
	 * it means swap cache only together with PG_swapbacked; kernels of
	 * that time that did not export PG_swapbacked had it at
	 * PG_private + 6 (section 8). */
	if (r->pg_swapbacked < 0 && r->pg_swapcache >= 0 && r->pg_private >= 0 &&
	    r->pg_swapcache < r->pg_private && r->pg_private + 6 < (int)bits)
		r->pg_swapbacked = (int16_t)(r->pg_private + 6);

	/* compound head: the mask itself, else the bit (from DWARF-made
	 * VMCOREINFO), else the fixed PG_compound of the oldest kernels */
	if (vmci_number(vi, "PG_head_mask", &v) && v > 0 &&
	    (bits == 64 || (uint64_t)v < (UINT64_C(1) << bits)))
		r->head_mask = (uint64_t)v;
	else if ((v = flag_bit(vi, "PG_head", bits)) >= 0)
		r->head_mask = UINT64_C(1) << v;
	else if ((v = flag_bit(vi, "PG_compound", bits)) >= 0)
		r->head_mask = UINT64_C(1) << v;
	else if (fixed_era)
		r->head_mask = UINT64_C(1) << 14;
}

static void init_page_types(struct page_rules *r, const struct vmcoreinfo *vi)
{
	uint32_t kv = r->kernel_version;
	uint64_t len;

	if (r->has_mapcount) {
		page_type_from(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &r->pt_buddy);
		page_type_from(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE", &r->pt_offline);
		page_type_from(vi, "PAGE_SLAB_MAPCOUNT_VALUE", &r->pt_slab);
		page_type_from(vi, "PAGE_UNACCEPTED_MAPCOUNT_VALUE", &r->pt_unaccepted);
		page_type_from(vi, "PAGE_HUGETLB_MAPCOUNT_VALUE", &r->pt_hugetlb);
		/* Values used before the kernel exported the buddy marker
		 * (section 8).  From 4.18 it is ~PG_buddy and always
		 * exported, so no guess is made there. */
		if (!r->pt_buddy.known && kv >= KERNEL_VERSION_CODE(2, 6, 38) && kv < KERNEL_VERSION_CODE(2, 6, 39))
			set_page_type(&r->pt_buddy, -2);
		else if (!r->pt_buddy.known && kv >= KERNEL_VERSION_CODE(2, 6, 39) && kv < KERNEL_VERSION_CODE(4, 18, 0))
			set_page_type(&r->pt_buddy, -128);
	}

	/* section 3.1: which free-page test, if any */
	if (!r->has_private)
		r->free_rule = FREE_RULE_NONE;
	else if (r->pt_buddy.known)
		r->free_rule = FREE_RULE_MAPCOUNT;
	else if (r->pg_buddy >= 0)
		r->free_rule = FREE_RULE_FLAG;
	else
		r->free_rule = FREE_RULE_NONE;

	if (vmci_length(vi, "zone.free_area", &len) && len >= 1 && len <= r->word_size * 8)
		r->max_order = (uint32_t)len;
	else
		r->max_order = 0;    /* set to the default by the caller */
}

/* Where a compound head keeps its order and how a hugetlbfs head shows. */
static void init_compound(struct page_rules *r, const struct vmcoreinfo *vi)
{
	uint32_t kv = r->kernel_version, ps = r->page_size;
	uint32_t off, dtor_off = 0;
	bool has_dtor = false;
	uint64_t v;
	int64_t n;

	if (!r->head_mask)
		return;

	if (r->pt_hugetlb.known || r->pg_hugetlb >= 0 || kv >= KERNEL_VERSION_CODE(6, 6, 0)) {
		/* 6.6+: folio _flags_1 (page[1].flags), order in its low byte */
		r->order_src = ORDER_SRC_FLAGS1;
		r->off1_order = r->off_flags;
		r->order_width = 1;
	} else if (vmci_offset(vi, "folio._folio_order", &v) && v >= ps && v < 2 * (uint64_t)ps) {
		/* 6.3 - 6.5: folio members, counted from page[0] */
		r->order_src = ORDER_SRC_FIELD;
		r->off1_order = (uint32_t)(v - ps);
		r->order_width = 1;
		if (vmci_offset(vi, "folio._folio_dtor", &v) && v >= ps && v < 2 * (uint64_t)ps) {
			dtor_off = (uint32_t)(v - ps);
			has_dtor = true;
		}
	} else if (field_offset(vi, "page.compound_order", 1, ps, &off)) {
		/* 4.4 - 6.2: bytes since 4.16; 4.4 - 4.15 unsigned short, or
		 * unsigned int on 64-bit from 4.6 (on a little-endian machine
		 * its first 2 bytes are the value too) */
		r->order_src = ORDER_SRC_FIELD;
		r->off1_order = off;
		r->order_width = (kv >= KERNEL_VERSION_CODE(4, 4, 0) && kv < KERNEL_VERSION_CODE(4, 16, 0)) ? 2 : 1;
		has_dtor = field_offset(vi, "page.compound_dtor", 1, ps, &dtor_off);
		/* adjacent members can only be bytes, whatever the version
		 * says; 4 apart in the 2-byte era they are the unsigned ints
		 * of 64-bit kernels (read whole: on a big-endian machine the
		 * value is in the last 2 bytes) */
		if (has_dtor && off == dtor_off + 1)
			r->order_width = 1;
		else if (has_dtor && r->order_width == 2 && off == dtor_off + 4)
			r->order_width = 4;
	} else if (kv && kv < KERNEL_VERSION_CODE(4, 4, 0) &&
		   field_offset(vi, "page.lru", 2 * r->word_size, ps, &off)) {
		/* < 4.4: lru.next = destructor (a function), lru.prev = order */
		r->order_src = ORDER_SRC_LRU;
		r->off1_order = off + r->word_size;
		r->order_width = (uint8_t)r->word_size;
		dtor_off = off;
		has_dtor = true;
	}
	if (r->order_src != ORDER_SRC_NONE && r->off1_order + r->order_width > ps)
		r->order_src = ORDER_SRC_NONE;
	r->dtor_width = r->order_width;
	if (has_dtor && dtor_off + r->dtor_width > ps)
		has_dtor = false;

	if (r->pt_hugetlb.known) {
		r->hugetlb_src = HUGETLB_SRC_MAPCOUNT;
	} else if (r->pg_hugetlb >= 0) {
		r->hugetlb_src = HUGETLB_SRC_FLAG1;
	} else if (r->order_src == ORDER_SRC_FIELD && has_dtor &&
		   vmci_number(vi, "HUGETLB_PAGE_DTOR", &n) && n >= 0) {
		r->hugetlb_src = HUGETLB_SRC_DTOR;
		r->off1_dtor = dtor_off;
		r->hugetlb_dtor = (uint64_t)n;
	} else if (r->order_src == ORDER_SRC_LRU && has_dtor &&
		   vmci_symbol(vi, "free_huge_page", &v)) {
		r->hugetlb_src = HUGETLB_SRC_DTOR_ADDR;
		r->off1_dtor = dtor_off;
		r->hugetlb_dtor = v;
	}
}

int page_rules_init(struct page_rules *r, const struct vmcoreinfo *vi,
		    const struct machine *mach, unsigned dump_level, struct ds_err *err)
{
	uint32_t kv;
	uint64_t v;
	int64_t n;
	bool tails_known, slab_known;

	memset(r, 0, sizeof(*r));
	r->mach = *mach;
	r->word_size = mach->word_size == 4 ? 4 : 8;
	r->mach.word_size = (uint8_t)r->word_size;

	if (!vmci_size(vi, "page", &v))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SIZE(page): cannot read struct pages");
	if (v < r->word_size || v > PAGE_STRUCT_MAX)
		return ds_err_set(err, DS_ECORRUPT,
				  "VMCOREINFO SIZE(page)=%" PRIu64 " is not a struct page size (%u..%u)",
				  v, r->word_size, PAGE_STRUCT_MAX);
	r->page_size = (uint32_t)v;
	if (!vmci_offset(vi, "page.flags", &v))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no OFFSET(page.flags): cannot read page flags");
	if (v > r->page_size - r->word_size)
		return ds_err_set(err, DS_ECORRUPT,
				  "VMCOREINFO OFFSET(page.flags)=%" PRIu64 " lies outside SIZE(page)=%u",
				  v, r->page_size);
	r->off_flags = (uint32_t)v;

	r->kernel_version = kv = kernel_parse_version(vmci_string(vi, "OSRELEASE"));

	r->has_mapping = field_offset(vi, "page.mapping", r->word_size, r->page_size,
				      &r->off_mapping);
	r->has_mapcount = field_offset(vi, "page._mapcount", 4, r->page_size, &r->off_mapcount);
	r->has_private = field_offset(vi, "page.private", r->word_size, r->page_size,
				      &r->off_private);
	r->has_refcount = field_offset(vi, "page._refcount", 4, r->page_size, &r->off_refcount) ||
			  field_offset(vi, "page._count", 4, r->page_size, &r->off_refcount);
	r->has_compound_head =
		field_offset(vi, "page.compound_head", r->word_size, r->page_size,
			     &r->off_compound_head) ||
		field_offset(vi, "page.compound_info", r->word_size, r->page_size,
			     &r->off_compound_head);

	init_flags(r, vi);
	init_page_types(r, vi);
	init_compound(r, vi);

	/* Tail pages can carry an odd page.mapping since 4.5; without the
	 * tail marker they would pass for anonymous pages. */
	tails_known = r->has_compound_head || (kv && kv < KERNEL_VERSION_CODE(4, 5, 0));
	/* slab.slabs overlays page.mapping since 6.2 (may be odd) */
	slab_known = r->pg_slab >= 0 || r->pt_slab.known || (kv && kv < KERNEL_VERSION_CODE(6, 2, 0));

	r->cache_rule = r->pg_lru >= 0 && r->has_mapping;
	r->cache_nonpriv_rule = r->cache_rule && r->pg_private >= 0;
	r->anon_rule = r->has_mapping && tails_known && slab_known;

	/* What is switched off, one line per rule, only for rules this dump
	 * level uses.  At most 6 lines: missing[] has room for 8. */
	if (dump_level & (DL_EXCLUDE_CACHE | DL_EXCLUDE_CACHE_PRI)) {
		if (!r->has_mapping)
			note_missing(r, "page cache: no OFFSET(page.mapping); cache pages kept");
		else if (r->pg_lru < 0)
			note_missing(r, "page cache: no NUMBER(PG_lru); cache pages kept");
		else if (!(dump_level & DL_EXCLUDE_CACHE_PRI) && r->pg_private < 0)
			note_missing(r, "page cache (-d 2): no NUMBER(PG_private) to spot "
				     "private pages; cache pages kept");
	}
	if (dump_level & DL_EXCLUDE_USER_DATA) {
		if (!r->has_mapping)
			note_missing(r, "user data: no OFFSET(page.mapping); anonymous pages kept");
		else if (!tails_known)
			note_missing(r, "user data: no OFFSET(page.compound_head) or "
				     "OFFSET(page.compound_info) to skip tail pages; "
				     "anonymous pages kept");
		else if (!slab_known)
			note_missing(r, "user data: no NUMBER(PG_slab) or "
				     "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE) to tell slab pages "
				     "apart; anonymous pages kept");
		if (r->head_mask && r->hugetlb_src == HUGETLB_SRC_NONE)
			note_missing(r, "user data: no NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE), "
				     "NUMBER(PG_hugetlb) or NUMBER(HUGETLB_PAGE_DTOR); "
				     "hugetlbfs pages kept");
	}
	if (dump_level & (DL_EXCLUDE_CACHE | DL_EXCLUDE_CACHE_PRI | DL_EXCLUDE_USER_DATA)) {
		if (!r->head_mask)
			note_missing(r, "compound pages: no NUMBER(PG_head_mask); a head is "
				     "excluded alone and its tail pages kept");
		else if (r->order_src == ORDER_SRC_NONE)
			note_missing(r, "compound pages: no OFFSET(folio._folio_order) or "
				     "OFFSET(page.compound_order); a head is excluded alone "
				     "and its tail pages kept");
	}
	if (dump_level & DL_EXCLUDE_FREE) {
		if (!r->has_private)
			note_missing(r, "free pages: no OFFSET(page.private); free pages kept");
		else if (r->free_rule == FREE_RULE_NONE && !r->has_mapcount &&
			 vmci_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &n))
			note_missing(r, "free pages: no OFFSET(page._mapcount); free pages kept");
		else if (r->free_rule == FREE_RULE_NONE)
			note_missing(r, "free pages: no PAGE_BUDDY_MAPCOUNT_VALUE or PG_buddy; "
				     "free pages kept");
		else if (!r->max_order)
			note_missing(r, "free pages: no LENGTH(zone.free_area); assuming 11 "
				     "buddy orders, larger free blocks kept");
	}
	if (!r->max_order)
		r->max_order = DEFAULT_FREE_ORDERS;
	/* Logically offline pages exist since 5.0 (balloon, virtio-mem). */
	if (!r->pt_offline.known && (kv == 0 || kv >= KERNEL_VERSION_CODE(5, 0, 0))) {
		if (!r->has_mapcount && vmci_number(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE", &n))
			note_missing(r, "offline pages: no OFFSET(page._mapcount); logically "
				     "offline pages kept");
		else
			note_missing(r, "offline pages: no NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE); "
				     "logically offline pages kept");
	}
	return 0;
}

bool page_rules_need_scan(const struct page_rules *r, unsigned dump_level)
{
	if (dump_level & (DL_EXCLUDE_CACHE | DL_EXCLUDE_CACHE_PRI |
			  DL_EXCLUDE_USER_DATA | DL_EXCLUDE_FREE))
		return true;
	/* hwpoison and offline pages are excluded at every level */
	return r->pg_hwpoison >= 0 || r->pt_offline.known;
}

/* ---- per page ---- */

static bool is_tail(const struct page_rules *r, const uint8_t *page)
{
	return r->has_compound_head && (rd_word(r, page, r->off_compound_head) & 1);
}

bool page_is_compound_head(const struct page_rules *r, const uint8_t *page)
{
	return r->head_mask && (rd_word(r, page, r->off_flags) & r->head_mask) &&
	       !is_tail(r, page);
}

static bool aligned(uint64_t pfn, uint64_t order)
{
	return (pfn & ((UINT64_C(1) << order) - 1)) == 0;
}

static uint64_t clip(uint64_t n, uint64_t max_npages)
{
	if (max_npages == 0)
		max_npages = 1;
	return n < max_npages ? n : max_npages;
}

/* Is page[1] usable: present, and (where tails are marked) a tail? */
static bool first_tail_ok(const struct page_rules *r, const uint8_t *next)
{
	return next && (!r->has_compound_head || is_tail(r, next));
}

/* Order of the compound page whose head is at pfn, read in page[1];
 * 0 when unknown, and 0 with *bad set when it cannot be right. */
static unsigned compound_order(const struct page_rules *r, const uint8_t *next,
			       uint64_t pfn, bool *bad)
{
	uint64_t order;

	if (!next || r->order_src == ORDER_SRC_NONE)
		return 0;
	if (!first_tail_ok(r, next)) {
		*bad = true;
		return 0;
	}
	if (r->order_src == ORDER_SRC_FLAGS1)
		order = rd_word(r, next, r->off_flags) & 0xff;
	else
		order = rd_uint(r, next, r->off1_order, r->order_width);
	if (order >= r->word_size * 8 || !aligned(pfn, order)) {
		*bad = true;
		return 0;
	}
	return (unsigned)order;
}

static bool is_hugetlb(const struct page_rules *r, bool head, uint32_t mapcount,
		       const uint8_t *next)
{
	switch (r->hugetlb_src) {
	case HUGETLB_SRC_MAPCOUNT:
		return page_type_is(&r->pt_hugetlb, mapcount);
	case HUGETLB_SRC_FLAG1:
		return head && first_tail_ok(r, next) &&
		       flag_set(rd_word(r, next, r->off_flags), r->pg_hugetlb);
	case HUGETLB_SRC_DTOR:
	case HUGETLB_SRC_DTOR_ADDR:
		return head && first_tail_ok(r, next) &&
		       rd_uint(r, next, r->off1_dtor, r->dtor_width) == r->hugetlb_dtor;
	case HUGETLB_SRC_NONE:
		break;
	}
	return false;
}

/* page cache: on an LRU list, or in the swap cache.  PG_swapcache shares
 * its bit with another flag on newer kernels and then only means swap
 * cache together with PG_swapbacked. */
static bool is_cache(const struct page_rules *r, uint64_t flags)
{
	if (flag_set(flags, r->pg_lru))
		return true;
	return flag_set(flags, r->pg_swapcache) &&
	       (r->pg_swapbacked < 0 || flag_set(flags, r->pg_swapbacked));
}

void page_classify(const struct page_rules *r, const uint8_t *page,
		   const uint8_t *next, uint64_t pfn, unsigned dump_level,
		   uint64_t max_npages, struct page_verdict *v)
{
	enum page_class cls = PAGE_KEEP;
	uint64_t flags, order;
	uint32_t mapcount;
	bool slab, anon_like, anon, head;

	v->cls = PAGE_KEEP;
	v->npages = 1;
	v->bad_order = false;

	/* 1. tail pages are decided with their head */
	if (is_tail(r, page)) {
		v->cls = PAGE_TAIL;
		return;
	}
	flags = rd_word(r, page, r->off_flags);
	/* -1 ("no type, not mapped") when the word cannot be read */
	mapcount = r->has_mapcount ? (uint32_t)rd_uint(r, page, r->off_mapcount, 4) : UINT32_MAX;
	slab = page_type_is(&r->pt_slab, mapcount) || flag_set(flags, r->pg_slab);

	if (dump_level & DL_EXCLUDE_FREE) {
		bool buddy = false;

		if (r->free_rule == FREE_RULE_MAPCOUNT)
			buddy = page_type_is(&r->pt_buddy, mapcount);
		else if (r->free_rule == FREE_RULE_FLAG)
			buddy = flag_set(flags, r->pg_buddy);
		/* 2. a free buddy block: its order is in page.private */
		if (buddy && !slab) {
			order = rd_word(r, page, r->off_private);
			if (order >= r->max_order || !aligned(pfn, order)) {
				v->bad_order = true;
				return;
			}
			v->cls = PAGE_FREE;
			v->npages = clip(UINT64_C(1) << order, max_npages);
			return;
		}
		/* 3. unaccepted memory: one MAX_PAGE_ORDER block */
		if (page_type_is(&r->pt_unaccepted, mapcount)) {
			order = r->max_order - 1;
			if (!aligned(pfn, order)) {
				v->bad_order = true;
				return;
			}
			v->cls = PAGE_UNACCEPTED;
			v->npages = clip(UINT64_C(1) << order, max_npages);
			return;
		}
	}

	head = page_is_compound_head(r, page);
	/* PAGE_MAPPING_ANON in page.mapping, on a page that is not slab.
	 * Such a page is never page cache; it is user data only when the
	 * rule can be trusted (tail pages and slab pages recognisable). */
	anon_like = r->has_mapping && !slab && (rd_word(r, page, r->off_mapping) & 1);
	anon = r->anon_rule && anon_like;

	/* 4./5. page cache, without then with PG_private */
	if (r->cache_rule && (dump_level & (DL_EXCLUDE_CACHE | DL_EXCLUDE_CACHE_PRI)) &&
	    !anon_like && is_cache(r, flags)) {
		bool priv = flag_set(flags, r->pg_private);

		if ((dump_level & DL_EXCLUDE_CACHE) && r->cache_nonpriv_rule && !priv)
			cls = PAGE_CACHE;
		else if (dump_level & DL_EXCLUDE_CACHE_PRI)
			cls = priv ? PAGE_CACHE_PRIVATE : PAGE_CACHE;
	}
	/* 6. user data: anonymous, or a hugetlbfs page */
	if (cls == PAGE_KEEP && (dump_level & DL_EXCLUDE_USER_DATA) &&
	    (anon || is_hugetlb(r, head, mapcount, next)))
		cls = PAGE_USER;
	/* 7./8. at every level */
	if (cls == PAGE_KEEP && flag_set(flags, r->pg_hwpoison))
		cls = PAGE_HWPOISON;
	if (cls == PAGE_KEEP && !slab && page_type_is(&r->pt_offline, mapcount))
		cls = PAGE_OFFLINE;
	if (cls == PAGE_KEEP)
		return;

	v->cls = cls;
	/* an excluded compound head takes its whole compound page along */
	if (head)
		v->npages = clip(UINT64_C(1) << compound_order(r, next, pfn, &v->bad_order),
				 max_npages);
}

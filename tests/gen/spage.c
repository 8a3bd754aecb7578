/* spage.c - the struct page of every pfn (64 bytes on the LP64 machines,
 * 40 on i386), in the encoding of the spec's kernel generation (gens.c).
 *
 * Layout (x86_64, every generation here):
 *   0 flags   8 lru.next | compound_head/compound_info   16 lru.prev
 *   24 mapping   32 index   40 private   48 _mapcount | page_type
 *   52 _refcount   56 memcg_data
 * The first tail page (page[1]) of a compound page holds its order:
 *   4.16 - 6.5   byte 16 = compound_dtor, byte 17 = compound_order
 *                (6.3 - 6.5 call them folio._folio_dtor/_folio_order)
 *   6.6+         low byte of page[1].flags; PG_hugetlb there in 6.6 - 6.8
 * i386 (ILP32, as Debian's 686-pae 6.1 VMCOREINFO has it): 4-byte words,
 *   0 flags   4 lru.next | compound_head   8 lru.prev (page[1]: dtor at 8,
 *   order at 9)   12 mapping (page[1]: compound_mapcount)   16 index
 *   (page[1]: compound_pincount)   20 private   24 _mapcount   28 _refcount
 *   32 memcg_data   36 virtual; no compound_nr.
 * Tail pages have bit 0 set in compound_head; from 7.1 (compound_info,
 * with HugeTLB vmemmap optimisation) the rest of the word is a mask that
 * turns a tail's address into its head's, not a pointer.
 *
 * Besides the flag bits a filter reads, flags carry what a real kernel puts
 * there: the zone in bits 51-52 and an all-ones last_cpupid field in bits
 * 30-50 (as in the real 6.1 dumps), so a filter that does not mask flag
 * numbers reads the same noise it would on a real machine.
 */
#include <string.h>

#include "gen.h"
#include "../../lib/common/bytes.h"

#define DTOR_COMPOUND  1
#define DTOR_HUGETLB   2
#define DTOR_THP       3

/* Where the fields are: LP64, or ILP32 (i386); NONE: no such field */
#define NONE 0xffu
struct sp_layout {
	uint8_t w, flags, lru, lru2, mapping, index, private, mapcount, refcount;
	uint8_t dtor, order, cmapcount, pincount, nr;   /* page[1], before 6.6 */
	uint8_t f1_entire, f1_mapped, f1_pin;          /* page[1], 6.6+ (LP64 only) */
};
static const struct sp_layout lp64 = { 8, 0, 8, 16, 24, 32, 40, 48, 52, 16, 17, 20, 24, 28,
				       20, 24, 28 };
static const struct sp_layout ilp32 = { 4, 0, 4, 8, 12, 16, 20, 24, 28, 8, 9, 12, 16, NONE,
					NONE, NONE, NONE };

/* The machine whose struct pages these are: put() writes in its order,
 * at its layout's offsets. */
static bool big_endian;
static const struct sp_layout *L = &lp64;
static unsigned sp_size = SP_SIZE;

static void put(uint8_t *p, unsigned off, uint64_t v, unsigned width)
{
	if (off == NONE)
		return;
	bytes_put_uint(big_endian, p + off, width, v);
}

static uint64_t bit(int b)
{
	return b >= 0 ? 1ull << b : 0;
}

uint64_t spage_va(const struct model *m, uint64_t pfn)
{
	if (m->sp->vmemmap)
		return m->vmemmap_base + pfn * m->sp_size;
	uint64_t s = pfn >> m->pfn_section_shift;

	return direct_va(m, m->sec_memmap[s]) + (pfn - (s << m->pfn_section_shift)) * m->sp_size;
}

static uint64_t flags_hi(uint64_t pfn)
{
	uint64_t zone = pfn < (1ull << 12) ? 0 : pfn < (1ull << 20) ? 1 : 2;

	return (0x1fffffull << 30) | (zone << 51);
}

/* a plausible kernel pointer (direct map, 64-byte aligned) */
static uint64_t kptr(const struct model *m, uint64_t salt)
{
	return m->page_offset + ((mix64(salt) % (m->max_pfn << m->page_shift)) & ~63ull);
}

/* a page that is nothing in particular: reserved, or plain */
static void plain(const struct model *m, uint64_t pfn, uint8_t *sp, bool reserved)
{
	uint64_t va = spage_va(m, pfn);

	memset(sp, 0, sp_size);
	put(sp, L->flags, flags_hi(pfn) | (reserved ? bit(m->g->pg_reserved) : 0), L->w);
	put(sp, L->lru, va + L->lru, L->w);   /* INIT_LIST_HEAD(&page->lru) */
	put(sp, L->lru2, va + L->lru, L->w);
	put(sp, L->mapcount, 0xffffffff, 4);  /* _mapcount -1 / no page type */
	put(sp, L->refcount, reserved ? 1 : 0, 4);
}

static void tail(const struct model *m, uint64_t head, unsigned order, uint64_t pfn, uint8_t *sp)
{
	uint64_t info;

	memset(sp, 0, sp_size);
	put(sp, L->flags, flags_hi(pfn), L->w);
	if (m->g->compound_info && m->sp->vmemmap)
		info = ~(((uint64_t)SP_SIZE << order) - 1) | 1;
	else
		info = spage_va(m, head) | 1;
	put(sp, L->lru, info, L->w);
	put(sp, L->mapping, TAIL_MAPPING, L->w);   /* ILP32: 0x400, the poison without its delta */
	put(sp, L->mapcount, 0xffffffff, 4);
}

/* page[1]: order and destructor / hugetlb flag, per generation */
static void first_tail(const struct model *m, int kind, uint64_t head, unsigned order,
		       unsigned order_value, uint8_t *sp)
{
	const struct gen *g = m->g;
	unsigned dtor = kind == K_HUGETLB ? DTOR_HUGETLB :
			kind == K_THP || kind == K_BAD_COMPOUND ? DTOR_THP : DTOR_COMPOUND;
	/* the word at page.mapping: pin / mapped counters, odd when one is set */
	uint32_t pin = kind == K_KERNEL_COMPOUND || kind == K_THP ||
		       (kind == K_FILE_FOLIO && (mix64(head) & 1)) ? 1 : 0;

	tail(m, head, order, head + 1, sp);
	if (g->order_loc == ORD_FLAGS1) {
		uint64_t f = flags_hi(head + 1) | (order_value & 0xff);

		if (kind == K_HUGETLB)
			f |= bit(g->pg_hugetlb);
		else if (kind == K_THP || kind == K_FILE_FOLIO || kind == K_FILE_FOLIO_PRIV)
			f |= bit(g->pg_large_rmappable);
		put(sp, L->flags, f, L->w);
		put(sp, L->f1_entire, 0xffffffff, 4);   /* _entire_mapcount */
		put(sp, L->f1_mapped, pin, 4);          /* _nr_pages_mapped */
		put(sp, L->f1_pin, 0, 4);               /* _pincount */
	} else {
		put(sp, L->dtor, dtor, 1);
		put(sp, L->order, order_value & 0xff, 1);
		put(sp, L->cmapcount, 0xffffffff, 4);   /* compound_mapcount */
		if (g->major >= 5) {
			put(sp, L->pincount, pin, 4);      /* compound_pincount */
			put(sp, L->nr, 1u << order, 4);    /* compound_nr (64-bit only) */
		}
	}
}

/* the head (or only) page of an object of `kind` */
static void head_page(const struct model *m, const struct extent *e, uint64_t pfn, uint8_t *sp)
{
	const struct gen *g = m->g;
	uint64_t h = mix64(pfn ^ 0x5bd1e995ull);
	uint64_t f = flags_hi(pfn);
	bool compound = kinds[e->kind].compound && e->order > 0;
	uint64_t mapping = 0, private = 0, index = h & 0xfffff;
	uint32_t mapcount = 0xffffffff, refcount = 1;

	plain(m, pfn, sp, false);
	if (compound)
		f |= bit(g->pg_head);
	switch (e->kind) {
	case K_FREE:
		mapcount = g->t_buddy;
		private = e->order;
		refcount = 0;
		index = 0;
		put(sp, L->lru, kptr(m, h), L->w);
		put(sp, L->lru2, kptr(m, h + 1), L->w);
		break;
	case K_UNACCEPTED:
		mapcount = g->t_unaccepted;
		refcount = 0;
		index = 0;
		break;
	case K_CACHE:
	case K_CACHE_PRIV:
	case K_FILE_FOLIO:
	case K_FILE_FOLIO_PRIV:
		f |= bit(g->pg_lru) | bit(g->pg_uptodate) | ((h & 2) ? bit(g->pg_referenced) : 0) |
		     ((h & 4) ? bit(g->pg_dirty) : 0) | ((h & 8) ? bit(g->pg_active) : 0);
		mapping = kptr(m, h >> 8 & 0xff);     /* a few files */
		if (e->kind == K_CACHE_PRIV || e->kind == K_FILE_FOLIO_PRIV) {
			f |= bit(g->pg_private);
			private = kptr(m, h + 7);
		}
		mapcount = (h & 16) ? 0 : 0xffffffff;
		refcount = 1 + (h & 16 ? 1 : 0);
		break;
	case K_SHMEM:
		f |= bit(g->pg_lru) | bit(g->pg_uptodate) | bit(g->pg_swapbacked) |
		     ((h & 8) ? bit(g->pg_active) : 0);
		mapping = kptr(m, 0x5e3e3);
		mapcount = (h & 16) ? 0 : 0xffffffff;
		break;
	case K_SWAPCACHE:
		f |= bit(g->pg_uptodate) | bit(g->pg_swapbacked) | bit(g->pg_owner_priv_1);
		private = (h & 0xffffff) << 8 | 1;   /* swp_entry_t */
		break;
	case K_ANON:
	case K_ANON_SWAPCACHE:
	case K_THP:
	case K_BAD_COMPOUND:
		f |= bit(g->pg_lru) | bit(g->pg_uptodate) | bit(g->pg_swapbacked) |
		     ((h & 8) ? bit(g->pg_active) : 0) | ((h & 4) ? bit(g->pg_dirty) : 0);
		mapping = kptr(m, h >> 12 & 0x3ff) | 1;   /* anon_vma | PAGE_MAPPING_ANON */
		mapcount = 0;
		if (e->kind == K_ANON_SWAPCACHE) {
			f |= bit(g->pg_owner_priv_1);
			private = (h & 0xffffff) << 8 | 1;
		}
		break;
	case K_KSM:
		f |= bit(g->pg_lru) | bit(g->pg_uptodate) | bit(g->pg_swapbacked);
		mapping = kptr(m, h >> 12 & 0xff) | 3;    /* stable_node | ANON | MOVABLE */
		mapcount = 1;
		break;
	case K_HUGETLB:
		f |= bit(g->pg_uptodate) | ((h & 4) ? bit(g->pg_dirty) : 0);
		/* private hugetlb mappings are anonymous, shared ones a hugetlbfs file */
		mapping = (h & 1) ? (kptr(m, h >> 12 & 0xff) | 1) : kptr(m, 0x4e7);
		if (g->t_hugetlb)
			mapcount = g->t_hugetlb;
		break;
	case K_SLAB:
		f |= bit(g->pg_slab);
		if (g->t_slab)
			mapcount = g->t_slab;
		/* 6.2+: slab.slabs/counters overlay page.mapping (odd half the time) */
		mapping = g->slab_counter_in_mapping ? (h & 0x3f) : kptr(m, h >> 16 & 0x3f);
		index = kptr(m, h);                  /* freelist */
		break;
	case K_PGTABLE:
		mapcount = g->t_table;
		index = 0;
		break;
	case K_KERNEL:
	case K_KERNEL_COMPOUND:
	case K_ZERO:
		index = 0;
		break;
	case K_MOVABLE:
		mapping = kptr(m, 0x2a5 + (h & 3)) | 2;   /* movable_operations | MOVABLE */
		break;
	case K_OWNERPRIV:
		f |= bit(g->pg_owner_priv_1);            /* PG_checked / PG_pinned ... */
		break;
	case K_OFFLINE:
		mapcount = g->t_offline;                  /* 4.19: PageBalloon, same value */
		index = 0;
		break;
	case K_HWPOISON:
		f |= bit(g->pg_hwpoison) | ((h & 1) ? bit(g->pg_lru) | bit(g->pg_uptodate) : 0);
		index = 0;
		break;
	case K_BAD_BUDDY_ORDER:
		mapcount = g->t_buddy;
		private = 63;
		refcount = 0;
		index = 0;
		break;
	case K_BAD_BUDDY_ALIGN:
		mapcount = g->t_buddy;
		private = e->order + 1u;
		refcount = 0;
		index = 0;
		break;
	case K_BAD_FLAGS:
		f |= 0xffffff;                            /* every PG_* bit */
		mapping = 0;
		index = 0;
		break;
	case K_BAD_SLAB_BUDDY:
		f |= bit(g->pg_slab);
		mapcount = g->t_buddy;
		refcount = 0;
		index = 0;
		break;
	default:
		break;
	}
	put(sp, L->flags, f, L->w);
	put(sp, L->mapping, mapping, L->w);
	put(sp, L->index, index, L->w);
	put(sp, L->private, private, L->w);
	/* 6.12+: the low 24 bits of a page type belong to the type */
	if (m->sp->page_type_data && mapcount >= 0xf0000000u && mapcount < 0xff000000u)
		mapcount |= (uint32_t)(h >> 40) & 0xffffff;
	put(sp, L->mapcount, mapcount, 4);
	put(sp, L->refcount, refcount, 4);
}

static void encode_pfn(const struct model *m, const struct extent *e, uint64_t pfn, uint8_t *sp)
{
	if (!e || e->kind == K_RESERVED || e->kind == K_KIMAGE || e->kind == K_META ||
	    e->kind == K_MEMMAP || e->kind == K_CRASHKERNEL) {
		plain(m, pfn, sp, true);
		return;
	}
	uint64_t size = 1ull << e->order;
	uint64_t head = e->pfn + ((pfn - e->pfn) & ~(size - 1));
	uint64_t i = pfn - head;
	bool compound = kinds[e->kind].compound && e->order > 0;

	if (i == 0) {
		head_page(m, e, pfn, sp);
		return;
	}
	if (e->kind == K_BAD_FLAGS) {
		/* page[1] of the bad page: a plain kernel page, lru zeroed so no
		 * byte there reads as an order or a destructor */
		plain(m, pfn, sp, false);
		put(sp, L->lru, 0, L->w);
		put(sp, L->lru2, 0, L->w);
		put(sp, L->refcount, 1, 4);
		return;
	}
	if (!compound) {
		/* the rest of a free / unaccepted block: plain free pages */
		plain(m, pfn, sp, false);
		return;
	}
	if (i == 1)
		first_tail(m, e->kind, head, e->order,
			   e->kind == K_BAD_COMPOUND ? 0xff : e->order, sp);
	else
		tail(m, head, e->order, pfn, sp);
}

void spage_encode_range(struct ext_cursor *c, uint64_t pfn, uint64_t n, uint8_t *out)
{
	const struct model *m = c->m;
	const struct extent *e = NULL;
	uint64_t e_start = 0, e_end = 0, first = pfn;

	big_endian = m->arch->big_endian;
	L = m->word == 4 ? &ilp32 : &lp64;
	sp_size = m->sp_size;
	for (uint64_t i = 0; i < n; i++, pfn++) {
		if (pfn >= e_end) {
			/* the extent holding pfn, or the hole up to the next one */
			e = ext_next(c, pfn);
			e_start = e ? e->pfn : UINT64_MAX;
			e_end = e ? e->pfn + e->npages : UINT64_MAX;
			if (e_start > pfn)
				e_end = e_start;
		}
		encode_pfn(m, pfn >= e_start ? e : NULL, pfn, out + i * sp_size);
	}
	/* corrupt variants: patched bytes */
	for (size_t i = 0; i < m->n_patch; i++) {
		const struct sp_patch *p = &m->patch[i];

		if (p->pfn >= first && p->pfn < first + n)
			put(out + (p->pfn - first) * sp_size, p->off, p->value, p->width);
	}
}

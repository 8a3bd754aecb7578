/* mix.c - the page mix, made on demand one block of pfns at a time, and the
 * extent cursor every reader of the model goes through.
 *
 * The kernel's own pages and the `at`/`place` objects are a short list of
 * extents made at build time (m->ext).  Everything else (m->mixr, the RAM
 * they left) is the mix, and a busy 16 TiB machine's mix is billions of
 * objects: far too many to keep.  So the mix is a pure function of the block
 * it lies in: block b (MIX_BLOCK_PFNS pfns, 1 GiB) draws its objects with a
 * generator seeded from (spec seed, b), its budgets being the spec's
 * percentages of that block's mix pages.  Any reader that needs the extents
 * of block b makes them again, the same every time, so the vmcore writer,
 * the truth files and the FUSE file (vmcorefs) all see one machine, at any
 * size, in memory that does not grow with it.
 *
 * A cursor (struct ext_cursor) keeps a few recently made blocks; each
 * thread uses its own.  A block is at least as large as the largest object
 * (order 18), so objects never straddle blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* one mix entry: its share of the mix pages and its object shape */
struct mixk {
	int kind;
	double frac;           /* share of a block's mix pages */
	double mean;           /* mean object size, pages */
	uint8_t omin, omax;
	uint16_t run;
	uint8_t zero_pct;
	bool whole_block;      /* order 18 objects: a whole block each (see mix_block) */
};

/* the working state of one block's draw */
struct drawk {
	double budget, used;
};

void mix_prepare(struct model *m)
{
	const struct spec *sp = m->sp;
	struct mixk *mk = xcalloc(sp->n_mix + 1, sizeof(*mk));
	size_t n = 0, fi = SIZE_MAX;
	double total = 0;

	for (size_t i = 0; i < sp->n_mix; i++) {
		mk[n] = (struct mixk){ sp->mix[i].kind, sp->mix[i].weight / 100, 0, sp->mix[i].omin,
				       sp->mix[i].omax, sp->mix[i].run, sp->mix[i].zero_pct, false };
		total += sp->mix[i].weight;
		if (mk[n].kind == K_FREE && fi == SIZE_MAX)
			fi = n;
		n++;
	}
	if (fi == SIZE_MAX) {
		fi = n;
		mk[n++] = (struct mixk){ K_FREE, 0, 0, 0, m->max_order, 1, kinds[K_FREE].zero_pct, false };
	}
	if (total < 100)
		mk[fi].frac += (100 - total) / 100;
	for (size_t i = 0; i < n; i++) {
		mk[i].whole_block = mk[i].omin == MIX_BLOCK_SHIFT && mk[i].kind != K_FREE;
		if (mk[i].omax > 0 || kinds[mk[i].kind].compound || mk[i].kind == K_FREE) {
			for (unsigned o = mk[i].omin; o <= mk[i].omax; o++)
				mk[i].mean += (double)(1ull << o);
			mk[i].mean /= mk[i].omax - mk[i].omin + 1;
		} else {
			mk[i].mean = (1.0 + mk[i].run) / 2;
		}
	}
	m->mixk = mk;
	m->n_mixk = n;
	m->mix_free = fi;
}

static void blk_push(struct mixblock *b, uint64_t pfn, uint64_t n, int kind, unsigned order,
		     unsigned zero_pct)
{
	extent_push(&b->ext, &b->n, &b->cap, pfn, n, kind, order, zero_pct, false);
}

static unsigned fit_order(uint64_t p, uint64_t end, unsigned omax)
{
	unsigned o = omax;

	while (o && ((p & ((1ull << o) - 1)) || end - p < (1ull << o)))
		o--;
	return o;
}

/* free blocks from p up to target, largest aligned orders first */
static uint64_t fill_free(const struct model *m, struct mixblock *b, uint64_t p, uint64_t target,
			  unsigned zero_pct, struct drawk *free_entry)
{
	free_entry->used += (double)(target > p ? target - p : 0);
	while (p < target) {
		unsigned o = fit_order(p, target, m->max_order);

		blk_push(b, p, 1ull << o, K_FREE, o, zero_pct);
		p += 1ull << o;
	}
	return p;
}

/* Draw the objects of [p, end) into b.  Each entry has a budget of pages;
 * the next object's kind is drawn with probability proportional to the
 * objects an entry still needs (budget left / mean object size).  Objects
 * are aligned to their size; the gap before an aligned object is filled
 * with free blocks (charged to the free entry). */
static void draw_range(const struct model *m, struct rng *rng, struct drawk *dk,
		       struct mixblock *b, uint64_t p, uint64_t end)
{
	const struct mixk *mk = m->mixk;
	size_t n = m->n_mixk, fi = m->mix_free;

	while (p < end) {
		double psum = 0, x;
		size_t i;

		for (i = 0; i < n; i++)
			if (dk[i].used < dk[i].budget && !mk[i].whole_block)
				psum += (dk[i].budget - dk[i].used) / mk[i].mean;
		i = fi;
		if (psum > 0) {
			x = (double)(rng_next(rng) >> 11) / 9007199254740992.0 * psum;
			for (size_t j = 0; j < n; j++) {
				if (dk[j].used >= dk[j].budget || mk[j].whole_block)
					continue;
				i = j;
				x -= (dk[j].budget - dk[j].used) / mk[j].mean;
				if (x < 0)
					break;
			}
		}
		const struct mixk *k = &mk[i];
		bool ordered = k->omax > 0 || kinds[k->kind].compound || k->kind == K_FREE;

		if (k->kind == K_FREE) {
			unsigned o = k->omin + (unsigned)rng_below(rng, k->omax - k->omin + 1u);

			o = fit_order(p, end, o);
			blk_push(b, p, 1ull << o, K_FREE, o, k->zero_pct);
			dk[i].used += (double)(1ull << o);
			p += 1ull << o;
		} else if (ordered) {
			unsigned o = k->omin + (unsigned)rng_below(rng, k->omax - k->omin + 1u);
			uint64_t size = 1ull << o;
			uint64_t start = (p + size - 1) & ~(size - 1);

			while (o > k->omin && (start + size > end)) {
				o--;
				size = 1ull << o;
				start = (p + size - 1) & ~(size - 1);
			}
			if (start + size > end) {
				fill_free(m, b, p, end, mk[fi].zero_pct, &dk[fi]);
				return;
			}
			p = fill_free(m, b, p, start, mk[fi].zero_pct, &dk[fi]);
			blk_push(b, p, size, k->kind, o, k->zero_pct);
			dk[i].used += (double)size;
			p += size;
		} else {
			uint64_t len = 1 + rng_below(rng, k->run);

			if (len > end - p)
				len = end - p;
			blk_push(b, p, len, k->kind, 0, k->zero_pct);
			dk[i].used += (double)len;
			p += len;
		}
	}
}

/* first mix range whose end is past pfn */
static size_t mixr_from(const struct model *m, uint64_t pfn)
{
	size_t lo = 0, hi = m->n_mixr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->mixr[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void mix_block(const struct model *m, uint64_t blk, struct mixblock *b)
{
	uint64_t lo = blk << MIX_BLOCK_SHIFT, hi = lo + MIX_BLOCK_PFNS, pages = 0;
	struct drawk dk[64];
	struct rng rng = { mix64(m->sp->seed ^ (blk * 0xd1b54a32d192ed03ull)) };
	size_t first = mixr_from(m, lo), r;

	b->index = blk;
	b->n = 0;
	if (m->n_mixk > sizeof(dk) / sizeof(dk[0]))
		die("too many mix entries (%zu)", m->n_mixk);
	for (r = first; r < m->n_mixr && m->mixr[r].start < hi; r++)
		pages += (m->mixr[r].end < hi ? m->mixr[r].end : hi) -
			 (m->mixr[r].start > lo ? m->mixr[r].start : lo);
	for (size_t i = 0; i < m->n_mixk; i++)
		dk[i] = (struct drawk){ m->mixk[i].frac * (double)pages, 0 };
	/* Objects of order 18 (1 GiB hugetlb pages, reserved at boot) fill a
	 * whole block, drawn per block with their entry's share as the
	 * chance; the other entries share the blocks left. */
	if (pages == MIX_BLOCK_PFNS) {
		double x = (double)(rng_next(&rng) >> 11) / 9007199254740992.0;

		for (size_t i = 0; i < m->n_mixk; i++) {
			if (!m->mixk[i].whole_block)
				continue;
			x -= m->mixk[i].frac;
			if (x < 0) {
				blk_push(b, lo, MIX_BLOCK_PFNS, m->mixk[i].kind, MIX_BLOCK_SHIFT,
					 m->mixk[i].zero_pct);
				return;
			}
		}
	}
	double whole = 0;

	for (size_t i = 0; i < m->n_mixk; i++)
		if (m->mixk[i].whole_block)
			whole += m->mixk[i].frac;
	if (whole > 0 && whole < 1)
		for (size_t i = 0; i < m->n_mixk; i++)
			dk[i].budget /= 1 - whole;
	for (r = first; r < m->n_mixr && m->mixr[r].start < hi; r++) {
		uint64_t s = m->mixr[r].start > lo ? m->mixr[r].start : lo;
		uint64_t e = m->mixr[r].end < hi ? m->mixr[r].end : hi;

		draw_range(m, &rng, dk, b, s, e);
	}
}

/* ---- cursor ---- */

void ext_cursor_init(struct ext_cursor *c, const struct model *m)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	for (unsigned i = 0; i < EXT_CURSOR_BLOCKS; i++)
		c->blk[i].index = UINT64_MAX;
}

void ext_cursor_release(struct ext_cursor *c)
{
	for (unsigned i = 0; i < EXT_CURSOR_BLOCKS; i++)
		free(c->blk[i].ext);
	memset(c, 0, sizeof(*c));
}

static const struct mixblock *get_block(struct ext_cursor *c, uint64_t blk)
{
	struct mixblock *b;

	for (unsigned i = 0; i < EXT_CURSOR_BLOCKS; i++)
		if (c->blk[i].index == blk) {
			c->last = i;
			return &c->blk[i];
		}
	c->victim = (c->victim + 1) % EXT_CURSOR_BLOCKS;
	b = &c->blk[c->victim];
	mix_block(c->m, blk, b);
	c->blocks_made++;
	c->last = c->victim;
	return b;
}

/* first extent of v[0..n) that ends after pfn (n if none) */
static size_t ext_from(const struct extent *v, size_t n, uint64_t pfn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].pfn + v[mid].npages <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct extent *ext_next(struct ext_cursor *c, uint64_t pfn)
{
	const struct model *m = c->m;
	const struct extent *fixed = NULL, *mixed = NULL;
	const struct mixblock *b = &c->blk[c->last];
	size_t i;

	/* the fast path: the block used last holds pfn */
	if (b->index == pfn >> MIX_BLOCK_SHIFT && b->n && pfn >= b->ext[0].pfn &&
	    pfn < b->ext[b->n - 1].pfn + b->ext[b->n - 1].npages) {
		i = ext_from(b->ext, b->n, pfn);
		if (b->ext[i].pfn <= pfn)
			return &b->ext[i];
	}
	i = ext_from(m->ext, m->n_ext, pfn);
	if (i < m->n_ext) {
		fixed = &m->ext[i];
		if (fixed->pfn <= pfn)
			return fixed;
	}
	for (size_t r = mixr_from(m, pfn); r < m->n_mixr; r++) {
		uint64_t from = m->mixr[r].start > pfn ? m->mixr[r].start : pfn;

		if (fixed && from >= fixed->pfn)
			break;
		b = get_block(c, from >> MIX_BLOCK_SHIFT);
		i = ext_from(b->ext, b->n, from);
		if (i < b->n) {
			mixed = &b->ext[i];
			break;
		}
		/* the rest of this range lies in later blocks */
		while (((from >> MIX_BLOCK_SHIFT) + 1) << MIX_BLOCK_SHIFT < m->mixr[r].end) {
			from = ((from >> MIX_BLOCK_SHIFT) + 1) << MIX_BLOCK_SHIFT;
			b = get_block(c, from >> MIX_BLOCK_SHIFT);
			i = ext_from(b->ext, b->n, from);
			if (i < b->n) {
				mixed = &b->ext[i];
				break;
			}
		}
		if (mixed)
			break;
	}
	if (!mixed)
		return fixed;
	if (!fixed)
		return mixed;
	return fixed->pfn < mixed->pfn ? fixed : mixed;
}

const struct extent *ext_find(struct ext_cursor *c, uint64_t pfn)
{
	const struct extent *e = ext_next(c, pfn);

	return e && e->pfn <= pfn ? e : NULL;
}

/* test_keepmap.c - unit tests for lib/common/keepmap: keepmap_add_present and
 * keepmap_exclude over ranges on 64-bit word boundaries and not, empty and
 * single-pfn ranges, clipping at npfn (also for npfn not a multiple of 64
 * and npfn 0), is_present / is_dumped, next_dumped (within a word, across
 * words, past the end), the counts, and keepmap_copy_bytes: the on-disk
 * LSB-first layout (pfn 9 -> byte 1 bit 1), offsets, and zero bytes past
 * the map.  Results are checked against a one-byte-per-pfn model, or in the
 * differential test (random operations in any order) against plain bitmaps.
 * Then the chunk forms inside (uniform, run list, bitmap, spilled bitmap):
 * the moves between them, the run-list limit, what each costs in
 * keepmap_memory, the budget, and the spread idle 1 TiB machine.  Past the
 * budget without a spill file: sealed chunks dropped and made again by a
 * callback answer everything as before, a change after the scan keeps the
 * chunk, and bits that come out differently are an error, not a silent
 * wrong map. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keepmap.h"

/* ---- a trivially correct model: one byte per pfn ---- */

struct model {
	uint64_t npfn;
	uint8_t *present, *dumped;
};

static void model_init(struct model *m, uint64_t npfn)
{
	m->npfn = npfn;
	m->present = calloc(npfn + 1, 1);
	m->dumped = calloc(npfn + 1, 1);
	assert_non_null(m->present);
	assert_non_null(m->dumped);
}

static void model_free(struct model *m)
{
	free(m->present);
	free(m->dumped);
}

static void model_add(struct model *m, uint64_t s, uint64_t e)
{
	for (uint64_t p = s; p < e && p < m->npfn; p++)
		m->present[p] = m->dumped[p] = 1;
}

static void model_exclude(struct model *m, uint64_t s, uint64_t e)
{
	for (uint64_t p = s; p < e && p < m->npfn; p++)
		m->dumped[p] = 0;
}

/* Compare everything the keepmap answers with the model. */
static void check_against(const struct keepmap *km, const struct model *m)
{
	uint64_t np = 0, nd = 0;

	CHECK_EQ(km->npfn, m->npfn);
	for (uint64_t p = 0; p < m->npfn; p++) {
		if (keepmap_is_present(km, p) != (m->present[p] != 0))
			fail_msg("%s: pfn %llu present is %d", where,
				 (unsigned long long)p, keepmap_is_present(km, p));
		if (keepmap_is_dumped(km, p) != (m->dumped[p] != 0))
			fail_msg("%s: pfn %llu dumped is %d", where,
				 (unsigned long long)p, keepmap_is_dumped(km, p));
		np += m->present[p];
		nd += m->dumped[p];
	}
	CHECK(!keepmap_is_present(km, m->npfn));
	CHECK(!keepmap_is_dumped(km, m->npfn));
	CHECK(!keepmap_is_present(km, m->npfn + 1000));
	CHECK_EQ(keepmap_count_present(km), np);
	CHECK_EQ(keepmap_count_dumped(km), nd);

	/* next_dumped from every pfn */
	uint64_t next = m->npfn;
	for (uint64_t p = m->npfn; p-- > 0;) {
		if (m->dumped[p])
			next = p;
		if (keepmap_next_dumped(km, p) != next)
			fail_msg("%s: next_dumped(%llu) is %llu, expected %llu", where,
				 (unsigned long long)p,
				 (unsigned long long)keepmap_next_dumped(km, p),
				 (unsigned long long)next);
	}
	CHECK_EQ(keepmap_next_dumped(km, m->npfn), m->npfn);
	CHECK_EQ(keepmap_next_dumped(km, m->npfn + 77), m->npfn);

	/* next_undumped from every pfn: the end of each run */
	next = m->npfn;
	for (uint64_t p = m->npfn; p-- > 0;) {
		if (!m->dumped[p])
			next = p;
		if (keepmap_next_undumped(km, p) != next)
			fail_msg("%s: next_undumped(%llu) is %llu, expected %llu", where,
				 (unsigned long long)p,
				 (unsigned long long)keepmap_next_undumped(km, p),
				 (unsigned long long)next);
	}
	CHECK_EQ(keepmap_next_undumped(km, m->npfn), m->npfn);

	/* the bitmaps as bytes: whole, and at every offset in pieces */
	size_t nbytes = (size_t)((m->npfn + 7) / 8);
	uint8_t *b1 = malloc(nbytes + 16), *b2 = malloc(nbytes + 16);

	assert_non_null(b1);
	assert_non_null(b2);
	memset(b1, 0xcc, nbytes + 16);
	memset(b2, 0xcc, nbytes + 16);
	keepmap_copy_bytes(km, false, 0, b1, nbytes + 16);
	keepmap_copy_bytes(km, true, 0, b2, nbytes + 16);
	for (size_t i = 0; i < nbytes + 16; i++) {
		uint8_t w1 = 0, w2 = 0;

		for (unsigned bit = 0; bit < 8; bit++) {
			uint64_t p = (uint64_t)i * 8 + bit;

			if (p < m->npfn) {
				w1 |= (uint8_t)(m->present[p] << bit);
				w2 |= (uint8_t)(m->dumped[p] << bit);
			}
		}
		if (b1[i] != w1 || b2[i] != w2)
			fail_msg("%s: bitmap byte %zu is 0x%02x/0x%02x, expected 0x%02x/0x%02x",
				 where, i, b1[i], b2[i], w1, w2);
	}
	for (size_t off = 0; off < nbytes + 3; off += 5) {
		uint8_t piece[7];

		memset(piece, 0xcc, sizeof(piece));
		keepmap_copy_bytes(km, true, off, piece, sizeof(piece));
		for (size_t i = 0; i < sizeof(piece); i++)
			if (piece[i] != b2[off + i])
				fail_msg("%s: copy at offset %zu byte %zu is 0x%02x, expected 0x%02x",
					 where, off, i, piece[i], b2[off + i]);
	}
	free(b1);
	free(b2);
}

static void init_both(struct keepmap *km, struct model *m, uint64_t npfn)
{
	struct ds_err err = { 0 };

	CHECK_EQ(keepmap_init(km, npfn, &err), 0);
	model_init(m, npfn);
}

/* ---- tests ---- */

static void test_empty(void **state)
{
	struct keepmap km;
	struct model m;

	(void)state;
	WHERE("fresh map of 1000 pfns");
	init_both(&km, &m, 1000);
	CHECK_EQ(keepmap_count_present(&km), 0);
	CHECK_EQ(keepmap_count_dumped(&km), 0);
	CHECK_EQ(keepmap_next_dumped(&km, 0), 1000);
	check_against(&km, &m);
	keepmap_release(&km);
	CHECK(km.present == NULL);
	CHECK(km.dumped == NULL);
	keepmap_release(&km);      /* twice is harmless */
	model_free(&m);
}

/* add/exclude tables: each row is applied in order to one map. */
struct op {
	char kind;                 /* 'a' add_present, 'x' exclude */
	uint64_t start, end;
};

struct scenario {
	const char *what;
	uint64_t npfn;
	struct op ops[8];
	uint64_t present, dumped;  /* expected counts */
};

static const struct scenario scenarios[] = {
	{ "word-aligned add", 256, { { 'a', 64, 192 } }, 128, 128 },
	{ "unaligned add inside one word", 256, { { 'a', 3, 17 } }, 14, 14 },
	{ "unaligned add across words", 256, { { 'a', 60, 130 } }, 70, 70 },
	{ "add of exactly one word", 256, { { 'a', 128, 192 } }, 64, 64 },
	{ "single pfns at word edges", 256,
	  { { 'a', 63, 64 }, { 'a', 64, 65 }, { 'a', 0, 1 }, { 'a', 255, 256 } }, 4, 4 },
	{ "empty and inverted ranges", 256,
	  { { 'a', 10, 10 }, { 'a', 20, 5 }, { 'a', 100, 101 } }, 1, 1 },
	{ "add clipped at npfn (not a word multiple)", 100, { { 'a', 50, 1000 } }, 50, 50 },
	{ "add starting past npfn", 100, { { 'a', 100, 200 }, { 'a', 150, 160 } }, 0, 0 },
	{ "exclude aligned", 256, { { 'a', 0, 256 }, { 'x', 64, 128 } }, 256, 192 },
	{ "exclude unaligned across three words", 256,
	  { { 'a', 0, 256 }, { 'x', 33, 170 } }, 256, 119 },
	{ "exclude a hole not present", 256,
	  { { 'a', 0, 100 }, { 'x', 150, 200 } }, 100, 100 },
	{ "exclude clipped at npfn", 130,
	  { { 'a', 0, 130 }, { 'x', 120, 5000 } }, 130, 120 },
	{ "re-add after exclude makes dumped again", 256,
	  { { 'a', 0, 256 }, { 'x', 10, 20 }, { 'a', 15, 18 } }, 256, 249 },
	{ "mixed", 1000,
	  { { 'a', 0, 640 }, { 'a', 700, 999 }, { 'x', 1, 2 }, { 'x', 63, 65 },
	    { 'x', 300, 450 }, { 'x', 998, 1000 }, { 'a', 999, 1000 } },
	  640 + 300, 640 + 300 - 1 - 2 - 150 - 1 },
	{ "npfn 1", 1, { { 'a', 0, 5 } }, 1, 1 },
	{ "npfn 64", 64, { { 'a', 0, 64 }, { 'x', 63, 64 } }, 64, 63 },
	{ "npfn 65", 65, { { 'a', 0, 65 }, { 'x', 0, 64 } }, 65, 1 },
	/* a run list whose last run reaches the chunk's end, a kept chunk
	 * after it: the run of kept pfns goes on into the next chunk */
	{ "run to the chunk's end", 65536 + 100,
	  { { 'a', 0, 65536 + 100 }, { 'x', 100, 200 }, { 'x', 65536 + 50, 65536 + 60 } },
	  65536 + 100, 65536 + 100 - 100 - 10 },
};

static void test_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		struct keepmap km;
		struct model m;

		WHERE("%s", s->what);
		init_both(&km, &m, s->npfn);
		for (size_t j = 0; j < 8 && s->ops[j].kind; j++) {
			const struct op *o = &s->ops[j];

			if (o->kind == 'a') {
				keepmap_add_present(&km, o->start, o->end);
				model_add(&m, o->start, o->end);
			} else {
				keepmap_exclude(&km, o->start, o->end);
				model_exclude(&m, o->start, o->end);
			}
		}
		CHECK_EQ(keepmap_count_present(&km), s->present);
		CHECK_EQ(keepmap_count_dumped(&km), s->dumped);
		check_against(&km, &m);
		keepmap_release(&km);
		model_free(&m);
	}
}

static void test_count_dumped_range(void **state)
{
	struct keepmap km;
	struct model m;

	(void)state;
	WHERE("count_dumped_range");
	init_both(&km, &m, 300);
	keepmap_add_present(&km, 10, 290);
	keepmap_exclude(&km, 60, 70);
	CHECK_EQ(keepmap_count_dumped_range(&km, 0, 300), 270);
	CHECK_EQ(keepmap_count_dumped_range(&km, 0, 10), 0);
	CHECK_EQ(keepmap_count_dumped_range(&km, 0, 11), 1);
	CHECK_EQ(keepmap_count_dumped_range(&km, 60, 70), 0);
	CHECK_EQ(keepmap_count_dumped_range(&km, 59, 71), 2);
	CHECK_EQ(keepmap_count_dumped_range(&km, 64, 128), 58);
	CHECK_EQ(keepmap_count_dumped_range(&km, 280, 1000), 10);   /* clipped */
	CHECK_EQ(keepmap_count_dumped_range(&km, 100, 100), 0);
	CHECK_EQ(keepmap_count_dumped_range(&km, 200, 100), 0);
	CHECK_EQ(keepmap_count_dumped_range(&km, 400, 500), 0);
	keepmap_release(&km);
	model_free(&m);
}

static void test_next_dumped(void **state)
{
	struct keepmap km;
	struct model m;

	(void)state;
	WHERE("next_dumped");
	init_both(&km, &m, 1000);
	keepmap_add_present(&km, 5, 6);
	keepmap_add_present(&km, 500, 501);
	keepmap_add_present(&km, 999, 1000);
	CHECK_EQ(keepmap_next_dumped(&km, 0), 5);
	CHECK_EQ(keepmap_next_dumped(&km, 5), 5);
	CHECK_EQ(keepmap_next_dumped(&km, 6), 500);    /* skips 7 empty words */
	CHECK_EQ(keepmap_next_dumped(&km, 501), 999);
	CHECK_EQ(keepmap_next_dumped(&km, 999), 999);
	CHECK_EQ(keepmap_next_dumped(&km, 1000), 1000);
	keepmap_exclude(&km, 999, 1000);
	CHECK_EQ(keepmap_next_dumped(&km, 501), 1000);
	/* present but excluded pfns are not "dumped" */
	keepmap_exclude(&km, 500, 501);
	CHECK_EQ(keepmap_next_dumped(&km, 6), 1000);
	CHECK(keepmap_is_present(&km, 500));
	keepmap_release(&km);
	model_free(&m);
}

/* The on-disk layout, spelt out: LSB first within each byte. */
static void test_copy_bytes_layout(void **state)
{
	struct keepmap km;
	struct model m;
	uint8_t b[32];

	(void)state;
	WHERE("copy_bytes layout");
	init_both(&km, &m, 200);
	keepmap_add_present(&km, 9, 10);               /* byte 1, bit 1 */
	keepmap_add_present(&km, 0, 1);                /* byte 0, bit 0 */
	keepmap_add_present(&km, 23, 24);              /* byte 2, bit 7 */
	keepmap_add_present(&km, 64, 72);              /* byte 8 = 0xff */
	keepmap_add_present(&km, 196, 200);            /* byte 24, bits 4-7 */
	keepmap_exclude(&km, 66, 67);
	model_add(&m, 9, 10);
	model_add(&m, 0, 1);
	model_add(&m, 23, 24);
	model_add(&m, 64, 72);
	model_add(&m, 196, 200);
	model_exclude(&m, 66, 67);
	memset(b, 0xcc, sizeof(b));
	keepmap_copy_bytes(&km, false, 0, b, sizeof(b));
	CHECK_EQ(b[0], 0x01);
	CHECK_EQ(b[1], 0x02);
	CHECK_EQ(b[2], 0x80);
	CHECK_EQ(b[3], 0x00);
	CHECK_EQ(b[8], 0xff);
	CHECK_EQ(b[24], 0xf0);
	/* bytes past the map (200 pfns = 25 bytes) are zero */
	for (size_t i = 25; i < sizeof(b); i++)
		CHECK_EQ(b[i], 0);
	memset(b, 0xcc, sizeof(b));
	keepmap_copy_bytes(&km, true, 0, b, sizeof(b));
	CHECK_EQ(b[1], 0x02);
	CHECK_EQ(b[8], 0xfb);                          /* pfn 66 excluded */
	/* from an offset */
	memset(b, 0xcc, sizeof(b));
	keepmap_copy_bytes(&km, true, 8, b, 4);
	CHECK_EQ(b[0], 0xfb);
	CHECK_EQ(b[1], 0);
	CHECK_EQ(b[4], 0xcc);                          /* not written past len */
	/* starting at and past the end: all zero */
	memset(b, 0xcc, sizeof(b));
	keepmap_copy_bytes(&km, false, 24, b, 8);
	CHECK_EQ(b[0], 0xf0);
	for (size_t i = 1; i < 8; i++)
		CHECK_EQ(b[i], 0);
	memset(b, 0xcc, sizeof(b));
	keepmap_copy_bytes(&km, false, 25, b, 8);
	for (size_t i = 0; i < 8; i++)
		CHECK_EQ(b[i], 0);
	memset(b, 0xcc, sizeof(b));
	keepmap_copy_bytes(&km, false, 4096, b, 8);
	for (size_t i = 0; i < 8; i++)
		CHECK_EQ(b[i], 0);
	CHECK_EQ(b[8], 0xcc);
	check_against(&km, &m);
	keepmap_release(&km);
	model_free(&m);
}

/* A larger map with a pseudo-random pattern of operations. */
static void test_random(void **state)
{
	struct keepmap km;
	struct model m;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	init_both(&km, &m, 5003);
	for (int i = 0; i < 300; i++) {
		uint64_t a, b;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		a = seed % 5100;
		b = a + (seed >> 20) % 300;
		WHERE("random op %d: %c [%llu, %llu)", i, (seed >> 40) % 3 ? 'a' : 'x',
		      (unsigned long long)a, (unsigned long long)b);
		if ((seed >> 40) % 3) {
			keepmap_add_present(&km, a, b);
			model_add(&m, a, b);
		} else {
			keepmap_exclude(&km, a, b);
			model_exclude(&m, a, b);
		}
	}
	WHERE("random ops, final state");
	check_against(&km, &m);
	keepmap_release(&km);
	model_free(&m);
}

static void test_zero_pfns(void **state)
{
	struct keepmap km;
	struct ds_err err = { 0 };
	uint8_t b[4] = { 0xcc, 0xcc, 0xcc, 0xcc };

	(void)state;
	WHERE("npfn 0");
	CHECK_EQ(keepmap_init(&km, 0, &err), 0);
	keepmap_add_present(&km, 0, 10);
	keepmap_exclude(&km, 0, 10);
	CHECK_EQ(keepmap_count_present(&km), 0);
	CHECK_EQ(keepmap_count_dumped(&km), 0);
	CHECK_EQ(keepmap_next_dumped(&km, 0), 0);
	CHECK(!keepmap_is_present(&km, 0));
	keepmap_copy_bytes(&km, true, 0, b, sizeof(b));
	CHECK_EQ(b[0], 0);
	CHECK_EQ(b[3], 0);
	keepmap_release(&km);
}

/* The compact representation: 32768-pfn chunks that hold storage only
 * while mixed, a run list while they have at most RUNS_MAX runs (as
 * keepmap.c), a 4 KiB bitmap past that.  An idle machine's free blocks are
 * cleared one block at a time; each chunk must give its storage back once
 * it is all clear, or the map would cost memory per 128 MiB of RAM again. */
#define CHUNK 32768u
#define RUNS_MAX 512u

static void test_chunks_turn_uniform(void **state)
{
	struct keepmap km;
	struct ds_err err;
	size_t base;

	(void)state;
	assert_int_equal(keepmap_init(&km, 3 * CHUNK + 100, &err), 0);
	assert_int_equal(keepmap_add_present(&km, 0, 3 * CHUNK + 100), 0);
	assert_int_equal(km.mixed_chunks, 0);
	base = keepmap_memory(&km);

	/* chunk 1 cleared in 32 blocks of 1024: mixed on the way (one run
	 * left, so a run list), free after */
	for (unsigned b = 0; b < 32; b++) {
		assert_int_equal(keepmap_exclude(&km, CHUNK + b * 1024, CHUNK + (b + 1) * 1024), 0);
		assert_int_equal(km.run_chunks, b < 31 ? 1 : 0);
		assert_int_equal(km.mixed_chunks, 0);
	}
	assert_int_equal(keepmap_memory(&km), base);
	assert_int_equal(keepmap_count_dumped(&km), 2 * CHUNK + 100);
	assert_int_equal(keepmap_next_dumped(&km, CHUNK - 1), CHUNK - 1);
	assert_int_equal(keepmap_next_dumped(&km, CHUNK), 2 * CHUNK);

	/* a range across a chunk boundary mixes both chunks */
	assert_int_equal(keepmap_exclude(&km, 3 * CHUNK - 10, 3 * CHUNK + 10), 0);
	assert_int_equal(km.run_chunks, 2);
	assert_int_equal(keepmap_count_dumped_range(&km, 3 * CHUNK - 20, 3 * CHUNK + 20), 20);
	assert_true(keepmap_memory(&km) > base);

	/* setting them back makes them uniform again */
	assert_int_equal(keepmap_add_present(&km, 3 * CHUNK - 10, 3 * CHUNK + 10), 0);
	assert_int_equal(km.run_chunks, 0);
	assert_int_equal(km.run_bytes, 0);
	assert_int_equal(keepmap_memory(&km), base);
	keepmap_release(&km);
}

/* The short last chunk, uniform and all set, must not put bits past npfn
 * on disk, whether it is copied uniform or after being made mixed: as a run
 * list, or (past a budget, with a spill file) straight as a bitmap. */
static void test_short_last_chunk_bytes(void **state)
{
	(void)state;
	for (int spill = 0; spill < 2; spill++) {
		struct keepmap km;
		struct ds_err err;
		uint8_t buf[8];

		assert_int_equal(keepmap_init(&km, CHUNK + 13, &err), 0);
		if (spill)
			assert_int_equal(keepmap_set_budget(&km, 1, "/tmp", &err), 0);
		assert_int_equal(keepmap_add_present(&km, 0, CHUNK + 13), 0);
		keepmap_copy_bytes(&km, true, CHUNK / 8, buf, sizeof(buf));
		assert_int_equal(buf[0], 0xff);
		assert_int_equal(buf[1], 0x1f);          /* pfns CHUNK+8 .. CHUNK+12 */
		assert_int_equal(buf[2], 0);
		assert_int_equal(keepmap_exclude(&km, CHUNK, CHUNK + 1), 0);
		assert_int_equal(km.spilled_chunks, spill);
		assert_int_equal(km.run_chunks, !spill);
		keepmap_copy_bytes(&km, true, CHUNK / 8, buf, sizeof(buf));
		assert_int_equal(buf[0], 0xfe);
		assert_int_equal(buf[1], 0x1f);
		assert_int_equal(buf[2], 0);
		keepmap_copy_bytes(&km, false, CHUNK / 8, buf, sizeof(buf));
		assert_int_equal(buf[0], 0xff);
		assert_int_equal(buf[1], 0x1f);
		keepmap_release(&km);
	}
}

/* Past the budget, mixed chunks live in the spill file; the map must read
 * the same as one kept in memory, and spilled chunks must come back to the
 * spill file's free list when they turn uniform.  Every other chunk gets
 * more than RUNS_MAX runs first, so that it needs a bitmap. */
static void test_spill_same_as_memory(void **state)
{
	const uint64_t npfn = 40 * CHUNK + 77;
	struct keepmap mem, sp;
	struct ds_err err;
	uint64_t seed = 12345;

	(void)state;
	assert_int_equal(keepmap_init(&mem, npfn, &err), 0);
	assert_int_equal(keepmap_init(&sp, npfn, &err), 0);
	assert_int_equal(keepmap_set_budget(&sp, 3 * CHUNK / 8, "/tmp", &err), 0);
	assert_int_equal(keepmap_add_present(&mem, 0, npfn), 0);
	assert_int_equal(keepmap_add_present(&sp, 0, npfn), 0);
	for (uint64_t c = 0; c < 40; c += 2)
		for (uint64_t p = c * CHUNK; p < c * CHUNK + 4 * RUNS_MAX; p += 4) {
			assert_int_equal(keepmap_exclude(&mem, p, p + 1), 0);
			assert_int_equal(keepmap_exclude(&sp, p, p + 1), 0);
		}
	for (int i = 0; i < 3000; i++) {
		uint64_t a, len;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		a = (seed >> 20) % npfn;
		len = 1 + (seed >> 8) % 700;
		assert_int_equal(keepmap_exclude(&mem, a, a + len), 0);
		assert_int_equal(keepmap_exclude(&sp, a, a + len), 0);
	}
	assert_true(sp.spilled_chunks > 0);           /* the spill file was used */
	assert_true(sp.mixed_chunks - sp.spilled_chunks <= 3);
	assert_false(sp.over_budget);
	assert_int_equal(keepmap_count_dumped(&sp), keepmap_count_dumped(&mem));
	for (uint64_t off = 0; off < (npfn + 7) / 8; off += 4096) {
		uint8_t a[4096], b[4096];

		keepmap_copy_bytes(&mem, true, off, a, sizeof(a));
		keepmap_copy_bytes(&sp, true, off, b, sizeof(b));
		assert_memory_equal(a, b, sizeof(a));
	}
	for (uint64_t p = 0; p < npfn; p = keepmap_next_dumped(&mem, p + 1))
		assert_int_equal(keepmap_next_dumped(&sp, p), keepmap_next_dumped(&mem, p));
	/* clearing everything gives every spilled slot back */
	assert_int_equal(keepmap_exclude(&sp, 0, npfn), 0);
	assert_int_equal(sp.mixed_chunks, 0);
	assert_int_equal(sp.spilled_chunks, 0);
	assert_int_equal(sp.run_chunks, 0);
	keepmap_release(&mem);
	keepmap_release(&sp);
}

/* Without a spill directory the map stays in memory past the budget and
 * says so; a directory that does not exist is an error.  Each chunk has
 * more than RUNS_MAX runs, so holds a bitmap. */
static void test_budget_without_spill(void **state)
{
	struct keepmap km;
	struct ds_err err;

	(void)state;
	assert_int_equal(keepmap_init(&km, 4 * CHUNK, &err), 0);
	assert_int_equal(keepmap_set_budget(&km, CHUNK / 8, NULL, &err), 0);
	assert_int_equal(keepmap_add_present(&km, 0, 4 * CHUNK), 0);
	for (unsigned c = 0; c < 4; c++)
		for (unsigned p = 5; p < 5 + 2 * (RUNS_MAX + 1); p += 2)
			assert_int_equal(keepmap_exclude(&km, c * CHUNK + p, c * CHUNK + p + 1), 0);
	assert_int_equal(km.mixed_chunks, 4);
	assert_true(km.over_budget);
	assert_int_equal(keepmap_count_dumped(&km), 4 * CHUNK - 4 * (RUNS_MAX + 1));
	keepmap_release(&km);
	assert_int_equal(keepmap_init(&km, 10, &err), 0);
	assert_true(keepmap_set_budget(&km, 4096, "/nonexistent-dir", &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent-dir"));
	keepmap_release(&km);
}

/* ---- the differential test: the keepmap against plain bitmaps ---- */

struct refmap {
	uint64_t npfn;
	uint64_t *present, *dumped;  /* bit p of word p/64 */
};

static void ref_set(uint64_t *w, uint64_t npfn, uint64_t s, uint64_t e, bool on)
{
	if (e > npfn)
		e = npfn;
	while (s < e) {
		uint64_t bit = s & 63, n = 64 - bit < e - s ? 64 - bit : e - s;
		uint64_t mask = (n == 64 ? ~0ull : (1ull << n) - 1) << bit;

		if (on)
			w[s / 64] |= mask;
		else
			w[s / 64] &= ~mask;
		s += n;
	}
}

static bool ref_test(const uint64_t *w, uint64_t npfn, uint64_t p)
{
	return p < npfn && (w[p / 64] >> (p & 63)) & 1;
}

static uint64_t ref_count(const uint64_t *w, uint64_t npfn, uint64_t s, uint64_t e)
{
	uint64_t total = 0;

	if (e > npfn)
		e = npfn;
	while (s < e) {
		uint64_t bit = s & 63, n = 64 - bit < e - s ? 64 - bit : e - s;
		uint64_t mask = (n == 64 ? ~0ull : (1ull << n) - 1) << bit;

		total += (uint64_t)__builtin_popcountll(w[s / 64] & mask);
		s += n;
	}
	return total;
}

static uint64_t ref_next(const uint64_t *w, uint64_t npfn, uint64_t p)
{
	if (p >= npfn)
		return npfn;
	for (uint64_t wi = p / 64, m = ~0ull << (p & 63); wi <= (npfn - 1) / 64; wi++, m = ~0ull)
		if (w[wi] & m) {
			uint64_t q = wi * 64 + (uint64_t)__builtin_ctzll(w[wi] & m);

			return q < npfn ? q : npfn;
		}
	return npfn;
}

static uint8_t ref_byte(const uint64_t *w, uint64_t npfn, uint64_t i)
{
	return i < (npfn + 7) / 8 ? (uint8_t)(w[i / 8] >> (i % 8 * 8)) : 0;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A range of a random kind: mostly single pfns and a few, some up to a
 * word or two or a few thousand, rarely up to three chunks (across their
 * edges) or 0: whole chunks.  Big ones are rare so that chunks keep many
 * runs between them. */
static uint64_t rnd_len(uint64_t *s)
{
	uint64_t x = rnd(s) % 256;

	if (x < 112)
		return 1;
	if (x < 160)
		return 1 + rnd(s) % 8;
	if (x < 200)
		return 1 + rnd(s) % 130;
	if (x < 253)
		return 1 + rnd(s) % 3000;
	if (x < 255)
		return 1 + rnd(s) % (3 * CHUNK);
	return 0;
}

static void diff_check(const struct keepmap *km, const struct refmap *r, uint64_t *seed,
		       unsigned batch)
{
	static uint8_t got[3 * CHUNK / 8 + 64];
	uint64_t npfn = r->npfn, nbytes = (npfn + 7) / 8;

	WHERE("batch %u: counts", batch);
	CHECK_EQ(keepmap_count_present(km), ref_count(r->present, npfn, 0, npfn));
	CHECK_EQ(keepmap_count_dumped(km), ref_count(r->dumped, npfn, 0, npfn));
	for (int i = 0; i < 2000; i++) {
		/* random pfns, and some at or next to a chunk's edge */
		uint64_t p = i % 4 ? rnd(seed) % (npfn + 50)
				   : (rnd(seed) % (npfn / CHUNK + 2)) * CHUNK + rnd(seed) % 3 - 1;

		WHERE("batch %u: pfn %llu", batch, (unsigned long long)p);
		CHECK_EQ(keepmap_is_present(km, p), ref_test(r->present, npfn, p));
		CHECK_EQ(keepmap_is_dumped(km, p), ref_test(r->dumped, npfn, p));
	}
	for (int i = 0; i < 300; i++) {
		uint64_t p = rnd(seed) % (npfn + 50);

		WHERE("batch %u: next_dumped(%llu)", batch, (unsigned long long)p);
		CHECK_EQ(keepmap_next_dumped(km, p), ref_next(r->dumped, npfn, p));
	}
	/* next_dumped walked through a stretch, as the copy loop does */
	for (uint64_t p = rnd(seed) % npfn, n = 0; p < npfn && n < 3000; n++) {
		uint64_t q = keepmap_next_dumped(km, p);

		WHERE("batch %u: next_dumped(%llu) in a walk", batch, (unsigned long long)p);
		CHECK_EQ(q, ref_next(r->dumped, npfn, p));
		p = q + 1;
	}
	for (int i = 0; i < 300; i++) {
		uint64_t a = rnd(seed) % (npfn + 50), b = a + rnd_len(seed);

		WHERE("batch %u: count range [%llu, %llu)", batch,
		      (unsigned long long)a, (unsigned long long)b);
		CHECK_EQ(keepmap_count_dumped_range(km, a, b), ref_count(r->dumped, npfn, a, b));
		CHECK_EQ(keepmap_count_present_range(km, a, b), ref_count(r->present, npfn, a, b));
	}
	for (int i = 0; i < 60; i++) {
		bool dumped = i & 1;
		uint64_t off = rnd(seed) % (nbytes + 16);
		size_t len = (size_t)(1 + rnd(seed) % (i % 3 ? 64 : sizeof(got) - 8));
		const uint64_t *w = dumped ? r->dumped : r->present;

		memset(got, 0xcc, sizeof(got));
		keepmap_copy_bytes(km, dumped, off, got, len);
		for (size_t j = 0; j < len; j++)
			if (got[j] != ref_byte(w, npfn, off + j))
				fail_msg("batch %u: %s bitmap at offset %llu+%zu is 0x%02x, expected 0x%02x",
					 batch, dumped ? "2nd" : "1st", (unsigned long long)off, j,
					 got[j], ref_byte(w, npfn, off + j));
		CHECK_EQ(got[len], 0xcc);
	}
	/* the whole 2nd bitmap, in the writer's increasing pieces */
	for (uint64_t off = 0; off < nbytes; off += sizeof(got) - 8) {
		keepmap_copy_bytes(km, true, off, got, sizeof(got) - 8);
		for (size_t j = 0; j < sizeof(got) - 8; j++)
			if (got[j] != ref_byte(r->dumped, npfn, off + j))
				fail_msg("batch %u: whole 2nd bitmap byte %llu is 0x%02x, expected 0x%02x",
					 batch, (unsigned long long)(off + j), got[j],
					 ref_byte(r->dumped, npfn, off + j));
	}
}

/* Random set (add_present) and clear (exclude) ranges of every length in
 * any order, some spanning chunks, crowded into a few "hot" chunks so they
 * pass RUNS_MAX runs and become bitmaps, and whole-chunk ranges that make
 * chunks uniform again.  The last chunk is short and not a byte multiple.
 * With a budget, the chunks past it must be bitmaps in the spill file and
 * the memory in use must stay within it. */
static void differential(const char *spill_dir, size_t budget)
{
	const uint64_t npfn = 7 * CHUNK + 12345;
	struct refmap r = { .npfn = npfn };
	struct keepmap km;
	struct ds_err err;
	uint64_t seed = 0x2545f4914f6cdd1dull;
	uint64_t checked_bitmaps = 0, checked_runs = 0, checked_spilled = 0;
	size_t base;

	r.present = calloc(npfn / 64 + 1, 8);
	r.dumped = calloc(npfn / 64 + 1, 8);
	assert_non_null(r.present);
	assert_non_null(r.dumped);
	assert_int_equal(keepmap_init(&km, npfn, &err), 0);
	base = keepmap_memory(&km);
	if (budget)
		assert_int_equal(keepmap_set_budget(&km, budget, spill_dir, &err), 0);
	for (unsigned batch = 0; batch < 60; batch++) {
		for (int i = 0; i < 400; i++) {
			uint64_t a, len = rnd_len(&seed), hot = rnd(&seed) % 7;
			uint64_t comb = rnd(&seed) % 400 ? 1 : 300 + rnd(&seed) % 1200;
			uint64_t step = 2 + rnd(&seed) % 3;
			bool on = rnd(&seed) % 5 < 2;

			if (hot < 3)              /* a hot chunk: 1, 4 or the short last */
				a = (hot == 0 ? 1 : hot == 1 ? 4 : 7) * CHUNK +
				    rnd(&seed) % (hot == 2 ? 12345 : CHUNK);
			else
				a = rnd(&seed) % (npfn + 100);
			if (!len) {               /* whole chunks */
				a &= ~(uint64_t)(CHUNK - 1);
				len = CHUNK * (1 + rnd(&seed) % 2);
			}
			/* now and then a comb: single pfns every 2 to 4, enough
			 * of them to pass RUNS_MAX runs in a chunk */
			for (uint64_t n = comb; n--; a += step, len = 1) {
				if (on) {
					assert_int_equal(keepmap_add_present(&km, a, a + len), 0);
					ref_set(r.present, npfn, a, a + len, true);
					ref_set(r.dumped, npfn, a, a + len, true);
				} else {
					assert_int_equal(keepmap_exclude(&km, a, a + len), 0);
					ref_set(r.dumped, npfn, a, a + len, false);
				}
			}
			if (budget && spill_dir && keepmap_memory(&km) - base > budget)
				fail_msg("batch %u op %d: %zu bytes of chunks in memory, budget %zu",
					 batch, i, keepmap_memory(&km) - base, budget);
		}
		diff_check(&km, &r, &seed, batch);
		checked_bitmaps += km.mixed_chunks;
		checked_runs += km.run_chunks;
		checked_spilled += km.spilled_chunks;
		if (batch == 40) {        /* uniform: the map must give everything back */
			assert_int_equal(keepmap_add_present(&km, 0, npfn), 0);
			assert_int_equal(keepmap_exclude(&km, 0, npfn), 0);
			ref_set(r.present, npfn, 0, npfn, true);
			ref_set(r.dumped, npfn, 0, npfn, false);
			diff_check(&km, &r, &seed, batch);
			assert_int_equal(km.run_chunks + km.mixed_chunks + km.spilled_chunks, 0);
			assert_int_equal(km.run_bytes, 0);
		}
	}
	/* the checks met every form: run lists, bitmaps, and with a budget,
	 * spilled bitmaps */
	assert_true(checked_runs > 0);
	assert_true(checked_bitmaps > 0);
	if (budget)
		assert_true(checked_spilled > 0);
	assert_false(km.over_budget);
	keepmap_release(&km);
	free(r.present);
	free(r.dumped);
}

static void test_differential(void **state)
{
	(void)state;
	differential(NULL, 0);
}

static void test_differential_spilled(void **state)
{
	(void)state;
	differential("/tmp", 6 * 1024);
}

/* A chunk with about a hundred scattered runs is a run list of a few
 * hundred bytes; past RUNS_MAX runs it becomes a 4 KiB bitmap and reads
 * the same. */
static void test_run_list_to_bitmap(void **state)
{
	struct keepmap km;
	struct model m;
	size_t base, mem;
	uint64_t seed = 77, from = CHUNK;

	(void)state;
	WHERE("run list, then bitmap");
	init_both(&km, &m, 2 * CHUNK + 300);
	assert_int_equal(keepmap_add_present(&km, 0, 2 * CHUNK + 300), 0);
	model_add(&m, 0, 2 * CHUNK + 300);
	base = keepmap_memory(&km);
	/* chunk 1 of the 2nd map: all but 100 single pfns cleared, in order */
	for (unsigned i = 0; i < 100; i++) {
		uint64_t p = CHUNK + i * 320 + rnd(&seed) % 300;

		assert_int_equal(keepmap_exclude(&km, from, p), 0);
		model_exclude(&m, from, p);
		from = p + 1;
	}
	assert_int_equal(keepmap_exclude(&km, from, 2 * CHUNK), 0);
	model_exclude(&m, from, 2 * CHUNK);
	mem = keepmap_memory(&km) - base;
	assert_int_equal(km.run_chunks, 1);
	assert_int_equal(km.mixed_chunks, 0);
	assert_true(mem >= 100 * 4);
	assert_true(mem <= 100 * 4 + 64);          /* far below a bitmap's 4096 */
	assert_int_equal(mem, km.run_bytes);
	check_against(&km, &m);

	/* chunk 0: holes at every third pfn; RUNS_MAX runs are still a list,
	 * one more and it is a bitmap */
	for (unsigned i = 0; i < RUNS_MAX - 1; i++) {
		assert_int_equal(keepmap_exclude(&km, 3 * i + 2, 3 * i + 3), 0);
		model_exclude(&m, 3 * i + 2, 3 * i + 3);
	}
	assert_int_equal(km.run_chunks, 2);
	assert_int_equal(km.mixed_chunks, 0);
	assert_int_equal(keepmap_memory(&km) - base, RUNS_MAX * 4 + mem);
	WHERE("exactly RUNS_MAX runs");
	check_against(&km, &m);
	assert_int_equal(keepmap_exclude(&km, 3 * RUNS_MAX - 1, 3 * RUNS_MAX), 0);
	model_exclude(&m, 3 * RUNS_MAX - 1, 3 * RUNS_MAX);
	assert_int_equal(km.run_chunks, 1);
	assert_int_equal(km.mixed_chunks, 1);
	assert_int_equal(keepmap_memory(&km) - base, 4096 + mem);
	WHERE("past RUNS_MAX runs: a bitmap");
	check_against(&km, &m);
	/* the bitmap chunk and the run-list chunk edited across their edge */
	assert_int_equal(keepmap_exclude(&km, CHUNK - 5, CHUNK + 5), 0);
	model_exclude(&m, CHUNK - 5, CHUNK + 5);
	assert_int_equal(keepmap_add_present(&km, CHUNK - 2, CHUNK + 700), 0);
	model_add(&m, CHUNK - 2, CHUNK + 700);
	WHERE("edited across the edge");
	check_against(&km, &m);
	/* all set again: both uniform, no storage */
	assert_int_equal(keepmap_add_present(&km, 0, 2 * CHUNK), 0);
	model_add(&m, 0, 2 * CHUNK);
	assert_int_equal(km.run_chunks + km.mixed_chunks, 0);
	assert_int_equal(keepmap_memory(&km), base);
	WHERE("all set again");
	check_against(&km, &m);
	keepmap_release(&km);
	model_free(&m);
}

/* An idle 1 TiB machine as the scan leaves it: all present, then every
 * chunk cleared in increasing order but for ~100 scattered used pages
 * (0.3% of RAM in use, as the synthetic idle-1t spec) - single pfns, so
 * that no two runs merge.  As bitmaps that was 32 MiB. */
static void test_spread_idle_1tib(void **state)
{
	const uint64_t npfn = (1ull << 40) / 4096;
	struct keepmap km;
	struct ds_err err;
	uint64_t seed = 1099511627776ull, kept = 0;

	(void)state;
	assert_int_equal(keepmap_init(&km, npfn, &err), 0);
	assert_int_equal(keepmap_add_present(&km, 0, npfn), 0);
	for (uint64_t base = 0; base < npfn; base += CHUNK) {
		uint64_t from = base;

		/* 100 pfns, one in each 327-pfn stretch, at a random spot in it */
		for (unsigned i = 0; i < 100; i++) {
			uint64_t p = base + i * 327 + rnd(&seed) % 326;

			assert_int_equal(keepmap_exclude(&km, from, p), 0);
			from = p + 1;
			kept++;
		}
		assert_int_equal(keepmap_exclude(&km, from, base + CHUNK), 0);
	}
	assert_int_equal(keepmap_count_dumped(&km), kept);
	assert_int_equal(keepmap_count_present(&km), npfn);
	assert_int_equal(km.mixed_chunks, 0);
	assert_int_equal(km.run_chunks, npfn / CHUNK);
	print_message("spread idle 1 TiB: keepmap_memory %zu bytes (%zu of run lists)\n",
		      keepmap_memory(&km), km.run_bytes);
	assert_true(keepmap_memory(&km) < 6u << 20);
	keepmap_release(&km);
}

/* ---- lost chunks, made again ---- */

struct regen_src {
	const struct model *m;
	unsigned calls;
	bool lie;                    /* make one bit wrong */
};

static int regen_from_model(void *arg, uint64_t first, uint64_t n, uint64_t *bits,
			    struct ds_err *err)
{
	struct regen_src *r = arg;

	(void)err;
	r->calls++;
	for (uint64_t i = 0; i < n; i++)
		if (r->m->dumped[first + i])
			bits[i / 64] |= UINT64_C(1) << (i % 64);
	if (r->lie)
		bits[0] ^= 1;
	return 0;
}

static void test_lost_chunks(void **state)
{
	const uint64_t npfn = 8 * KEEPMAP_CHUNK_PFNS + 123;
	struct keepmap km;
	struct model m;
	struct regen_src src;
	struct ds_err err = { 0 };
	uint64_t x = 12345;

	(void)state;
	WHERE("a busy map, scanned in order, over a 4 KiB budget");
	model_init(&m, npfn);
	src = (struct regen_src){ &m, 0, false };
	CHECK_EQ(keepmap_init(&km, npfn, &err), 0);
	CHECK_EQ(keepmap_set_budget(&km, 4096, NULL, &err), 0);
	CHECK_EQ(keepmap_set_regen(&km, regen_from_model, &src, &err), 0);
	CHECK_EQ(keepmap_add_present(&km, 0, npfn - 50), 0);
	model_add(&m, 0, npfn - 50);
	/* exclusions in pfn order, many runs per chunk, sealing as it goes */
	for (uint64_t p = 0; p < npfn;) {
		uint64_t len;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		len = 1 + (x >> 33) % 40;
		if ((x >> 20) & 1) {
			CHECK_EQ(keepmap_exclude(&km, p, p + len), 0);
			model_exclude(&m, p, p + len);
		}
		p += len;
		keepmap_seal(&km, p);
	}
	keepmap_seal(&km, npfn);
	CHECK(keepmap_lost_chunks(&km) >= 6);
	CHECK(keepmap_memory(&km) < 4096 + 2 * 9 * 32 + 4096);
	CHECK_EQ(keepmap_regen_status(&km, &err), 0);
	WHERE("lost chunks answer as before");
	check_against(&km, &m);
	CHECK(src.calls > 0);
	CHECK_EQ(keepmap_regenerated_chunks(&km), src.calls);
	CHECK_EQ(keepmap_regen_status(&km, &err), 0);

	WHERE("a change after the scan (-e): the chunk is kept from then on");
	unsigned calls = src.calls;

	CHECK_EQ(keepmap_exclude(&km, 3 * KEEPMAP_CHUNK_PFNS + 100, 3 * KEEPMAP_CHUNK_PFNS + 200), 0);
	model_exclude(&m, 3 * KEEPMAP_CHUNK_PFNS + 100, 3 * KEEPMAP_CHUNK_PFNS + 200);
	check_against(&km, &m);
	CHECK(km.over_budget);
	(void)calls;

	WHERE("bits that come out differently: an error, reported once");
	src.lie = true;
	keepmap_copy_bytes(&km, true, (5 * KEEPMAP_CHUNK_PFNS) / 8, (uint8_t[64]){ 0 }, 64);
	for (uint64_t c = 0; c < 8; c++)
		(void)keepmap_is_dumped(&km, c * KEEPMAP_CHUNK_PFNS + 7);
	CHECK(keepmap_regen_status(&km, &err) < 0);
	CHECK_MSG(&err, "when made again");
	keepmap_release(&km);
	model_free(&m);
}

static void test_no_regen_no_loss(void **state)
{
	struct keepmap km;
	struct ds_err err = { 0 };

	(void)state;
	WHERE("without a regen callback, sealing drops nothing");
	CHECK_EQ(keepmap_init(&km, 4 * KEEPMAP_CHUNK_PFNS, &err), 0);
	CHECK_EQ(keepmap_set_budget(&km, 64, NULL, &err), 0);
	CHECK_EQ(keepmap_add_present(&km, 0, 4 * KEEPMAP_CHUNK_PFNS), 0);
	for (uint64_t p = 0; p < 4 * KEEPMAP_CHUNK_PFNS; p += 100)
		CHECK_EQ(keepmap_exclude(&km, p, p + 7), 0);
	keepmap_seal(&km, 4 * KEEPMAP_CHUNK_PFNS);
	CHECK_EQ(keepmap_lost_chunks(&km), 0);
	CHECK(km.over_budget);
	CHECK(keepmap_is_dumped(&km, 7));
	CHECK(!keepmap_is_dumped(&km, 6));
	keepmap_release(&km);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_count_dumped_range),
		cmocka_unit_test(test_next_dumped),
		cmocka_unit_test(test_copy_bytes_layout),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_zero_pfns),
		cmocka_unit_test(test_chunks_turn_uniform),
		cmocka_unit_test(test_short_last_chunk_bytes),
		cmocka_unit_test(test_spill_same_as_memory),
		cmocka_unit_test(test_budget_without_spill),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_differential_spilled),
		cmocka_unit_test(test_run_list_to_bitmap),
		cmocka_unit_test(test_spread_idle_1tib),
		cmocka_unit_test(test_lost_chunks),
		cmocka_unit_test(test_no_regen_no_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

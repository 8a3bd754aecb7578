/* test_keepmap.c - unit tests for lib/common/keepmap: keepmap_add_present and
 * keepmap_exclude over ranges on 64-bit word boundaries and not, empty and
 * single-pfn ranges, clipping at npfn (also for npfn not a multiple of 64
 * and npfn 0), is_present / is_dumped, next_dumped (within a word, across
 * words, past the end), the counts, and keepmap_copy_bytes: the on-disk
 * LSB-first layout (pfn 9 -> byte 1 bit 1), offsets, and zero bytes past
 * the map.  Every result is checked against a one-byte-per-pfn model. */
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

/* The compact representation: 32768-pfn chunks that hold a bitmap only
 * while mixed.  An idle machine's free blocks are cleared one block at a
 * time; each chunk must give its bitmap back once it is all clear, or the
 * map would cost 4 KiB per 128 MiB of RAM again. */
#define CHUNK 32768u

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

	/* chunk 1 cleared in 32 blocks of 1024: mixed on the way, free after */
	for (unsigned b = 0; b < 32; b++) {
		assert_int_equal(keepmap_exclude(&km, CHUNK + b * 1024, CHUNK + (b + 1) * 1024), 0);
		assert_int_equal(km.mixed_chunks, b < 31 ? 1 : 0);
	}
	assert_int_equal(keepmap_memory(&km), base);
	assert_int_equal(keepmap_count_dumped(&km), 2 * CHUNK + 100);
	assert_int_equal(keepmap_next_dumped(&km, CHUNK - 1), CHUNK - 1);
	assert_int_equal(keepmap_next_dumped(&km, CHUNK), 2 * CHUNK);

	/* a range across a chunk boundary mixes both chunks */
	assert_int_equal(keepmap_exclude(&km, 3 * CHUNK - 10, 3 * CHUNK + 10), 0);
	assert_int_equal(km.mixed_chunks, 2);
	assert_int_equal(keepmap_count_dumped_range(&km, 3 * CHUNK - 20, 3 * CHUNK + 20), 20);
	assert_true(keepmap_memory(&km) > base);

	/* setting them back makes them uniform again */
	assert_int_equal(keepmap_add_present(&km, 3 * CHUNK - 10, 3 * CHUNK + 10), 0);
	assert_int_equal(km.mixed_chunks, 0);
	keepmap_release(&km);
}

/* The short last chunk, uniform and all set, must not put bits past npfn
 * on disk, whether it is copied uniform or after being made mixed. */
static void test_short_last_chunk_bytes(void **state)
{
	struct keepmap km;
	struct ds_err err;
	uint8_t buf[8];

	(void)state;
	assert_int_equal(keepmap_init(&km, CHUNK + 13, &err), 0);
	assert_int_equal(keepmap_add_present(&km, 0, CHUNK + 13), 0);
	keepmap_copy_bytes(&km, true, CHUNK / 8, buf, sizeof(buf));
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(buf[1], 0x1f);          /* pfns CHUNK+8 .. CHUNK+12 */
	assert_int_equal(buf[2], 0);
	assert_int_equal(keepmap_exclude(&km, CHUNK, CHUNK + 1), 0);
	keepmap_copy_bytes(&km, true, CHUNK / 8, buf, sizeof(buf));
	assert_int_equal(buf[0], 0xfe);
	assert_int_equal(buf[1], 0x1f);
	assert_int_equal(buf[2], 0);
	keepmap_copy_bytes(&km, false, CHUNK / 8, buf, sizeof(buf));
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(buf[1], 0x1f);
	keepmap_release(&km);
}

/* Past the budget, mixed chunks live in the spill file; the map must read
 * the same as one kept in memory, and spilled chunks must come back to the
 * spill file's free list when they turn uniform. */
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
	keepmap_release(&mem);
	keepmap_release(&sp);
}

/* Without a spill directory the map stays in memory past the budget and
 * says so; a directory that does not exist is an error. */
static void test_budget_without_spill(void **state)
{
	struct keepmap km;
	struct ds_err err;

	(void)state;
	assert_int_equal(keepmap_init(&km, 4 * CHUNK, &err), 0);
	assert_int_equal(keepmap_set_budget(&km, CHUNK / 8, NULL, &err), 0);
	assert_int_equal(keepmap_add_present(&km, 0, 4 * CHUNK), 0);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(keepmap_exclude(&km, c * CHUNK + 5, c * CHUNK + 6), 0);
	assert_int_equal(km.mixed_chunks, 4);
	assert_true(km.over_budget);
	assert_int_equal(keepmap_count_dumped(&km), 4 * CHUNK - 4);
	keepmap_release(&km);
	assert_int_equal(keepmap_init(&km, 10, &err), 0);
	assert_true(keepmap_set_budget(&km, 4096, "/nonexistent-dir", &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent-dir"));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

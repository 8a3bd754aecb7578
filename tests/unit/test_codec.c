/* test_codec.c - unit tests for lib/compress: the registry lookups and, for
 * every codec that is built, round trips of typical pages, the on-disk
 * format facts makedumpfile relies on, hand-made streams in each format, and
 * clean failure on truncated, extended, corrupted or mis-sized input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress/codec.h"

#define PAGE 4096
#define GUARD 64          /* canary bytes after every output buffer */
#define CANARY 0xa5

/* ---- test pages ---- */

enum page_kind { PG_ZERO, PG_RANDOM, PG_TEXT, PG_PATTERN, PG_KINDS };

static const char *const page_names[PG_KINDS] = {
	"zero page", "random page", "text page", "pattern page"
};

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64*, fixed seed per page so every run sees the same data */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void make_page(enum page_kind kind, unsigned char *p)
{
	static const char *const words[] = {
		"kernel", "page", "dump", "memory", "the", "of", "and",
		"vmcore", "task_struct", "init", "0x", "mapping", "=", "\n",
	};
	size_t i, n;

	switch (kind) {
	case PG_ZERO:
		memset(p, 0, PAGE);
		break;
	case PG_RANDOM:
		rng_state = 0x9e3779b97f4a7c15ull;
		for (i = 0; i < PAGE; i++)
			p[i] = (unsigned char)(rng_next() >> 56);
		break;
	case PG_TEXT:
		rng_state = 12345;
		for (i = 0; i < PAGE; i += n) {
			const char *w = words[rng_next() % (sizeof(words) /
							    sizeof(words[0]))];
			char buf[32];

			n = (size_t)snprintf(buf, sizeof(buf), "%s ", w);
			if (n > PAGE - i)
				n = PAGE - i;
			memcpy(p + i, buf, n);
		}
		break;
	case PG_PATTERN:
		for (i = 0; i < PAGE; i++)
			p[i] = (unsigned char)"\xde\xad\xbe\xef\x00\x11\x22\x33"
						"dumpsieve\xff"[i % 18];
		break;
	default:
		fail();
	}
}

/* ---- helpers ---- */

/* not const: cmocka's initial_state is a plain void * */
static enum codec_id codec_ids[CODEC_MAX] = {
	CODEC_NONE, CODEC_ZLIB, CODEC_LZO, CODEC_SNAPPY, CODEC_ZSTD
};

/* The codec under test, or skip the test when it was not built. */
static const struct codec_ops *codec_or_skip(void **state)
{
	enum codec_id id = *(const enum codec_id *)*state;
	const struct codec_ops *ops = codec_find(id);

	if (!ops) {
		print_message("%s not built, skipped\n", codec_name(id));
		skip();
	}
	assert_non_null(ops);
	return ops;
}

static unsigned char *xmalloc(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

static void check_canary(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != CANARY)
			fail_msg("%s: byte %zu past the end was written", where, i);
}

/* Compress one page; returns a malloc'ed stream, its length in *len. */
static unsigned char *compress_page(const struct codec_ops *ops,
				    struct codec_ctx *ctx,
				    const unsigned char *page, size_t *len)
{
	size_t cap = ops->bound(PAGE);
	unsigned char *out = xmalloc(cap + GUARD);
	struct ds_err err = { 0 };
	long ret;

	memset(out, CANARY, cap + GUARD);
	ret = ops->compress(ctx, page, PAGE, out, cap, &err);
	if (ret <= 0)
		fail_msg("%s: compress returned %ld: %s", where, ret, err.msg);
	CHECK((size_t)ret <= cap);
	check_canary(out + cap, GUARD);
	*len = (size_t)ret;
	return out;
}

/* Decompress a copy of src[0..src_len) held in a buffer of exactly that size
 * into dst_len bytes followed by a canary.  Returns the codec's result;
 * writes past dst_len fail the test.  The output goes to *out if non-NULL. */
static int decompress_exact(const struct codec_ops *ops,
			    const unsigned char *src, size_t src_len,
			    size_t dst_len, struct ds_err *err,
			    unsigned char **out)
{
	unsigned char *in = xmalloc(src_len);
	unsigned char *dst = xmalloc(dst_len + GUARD);
	int ret;

	if (src_len)
		memcpy(in, src, src_len);
	memset(dst, CANARY, dst_len + GUARD);
	ds_err_clear(err);
	ret = ops->decompress(in, src_len, dst, dst_len, err);
	check_canary(dst + dst_len, GUARD);
	free(in);
	if (out)
		*out = dst;
	else
		free(dst);
	return ret;
}

/* A failed decompression must say -DS_ECORRUPT with a "<name>: " message. */
static void check_corrupt(const struct codec_ops *ops, int ret,
			  const struct ds_err *err)
{
	size_t n = strlen(ops->name);

	if (ret != -DS_ECORRUPT)
		fail_msg("%s: returned %d, expected %d (corrupt); message: %s",
			 where, ret, -DS_ECORRUPT, err->msg);
	CHECK_EQ(err->status, DS_ECORRUPT);
	CHECK(strncmp(err->msg, ops->name, n) == 0 && err->msg[n] == ':');
	CHECK(strlen(err->msg) > n + 2);
}

/* ---- registry ---- */

static void test_all_codecs_built(void **state)
{
	(void)state;
	/* the default build requires every library (meson_options.txt) */
	WHERE("registry");
	CHECK(codec_find(CODEC_NONE) != NULL);
	CHECK(codec_find(CODEC_ZLIB) != NULL);
	CHECK(codec_find(CODEC_LZO) != NULL);
	CHECK(codec_find(CODEC_SNAPPY) != NULL);
	CHECK(codec_find(CODEC_ZSTD) != NULL);
	CHECK(codec_find(CODEC_MAX) == NULL);
	CHECK(codec_find((enum codec_id)(CODEC_MAX + 7)) == NULL);
}

static void test_find_by_flag(void **state)
{
	static const struct { uint32_t flag; enum codec_id id; } map[] = {
		{ 0, CODEC_NONE }, { 0x1, CODEC_ZLIB }, { 0x2, CODEC_LZO },
		{ 0x4, CODEC_SNAPPY }, { 0x20, CODEC_ZSTD },
	};
	static const uint32_t bad[] = { 0x8, 0x3, 0x10, 0x40, 0x21, 0xffffffffu };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct codec_ops *ops = codec_find_by_flag(map[i].flag);

		WHERE("flag 0x%x", (unsigned)map[i].flag);
		CHECK(ops != NULL);
		CHECK_EQ(ops->id, map[i].id);
		CHECK_EQ(ops->kdump_flag, map[i].flag);
		CHECK(ops == codec_find(map[i].id));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		WHERE("flag 0x%x", (unsigned)bad[i]);
		CHECK(codec_find_by_flag(bad[i]) == NULL);
	}
}

static void test_names(void **state)
{
	(void)state;
	WHERE("codec_name");
	assert_string_equal(codec_name(CODEC_NONE), "none");
	assert_string_equal(codec_name(CODEC_ZLIB), "zlib");
	assert_string_equal(codec_name(CODEC_LZO), "lzo");
	assert_string_equal(codec_name(CODEC_SNAPPY), "snappy");
	assert_string_equal(codec_name(CODEC_ZSTD), "zstd");
	assert_string_equal(codec_name(CODEC_MAX), "unknown");
	assert_string_equal(codec_name((enum codec_id)-1), "unknown");
}

/* ---- per codec ---- */

static const uint32_t expect_flag[CODEC_MAX] = {
	[CODEC_NONE] = 0, [CODEC_ZLIB] = KDUMP_FLAG_ZLIB,
	[CODEC_LZO] = KDUMP_FLAG_LZO, [CODEC_SNAPPY] = KDUMP_FLAG_SNAPPY,
	[CODEC_ZSTD] = KDUMP_FLAG_ZSTD,
};

static void test_ops_table(void **state)
{
	const struct codec_ops *ops = codec_or_skip(state);

	WHERE("%s ops", ops->name);
	assert_string_equal(ops->name, codec_name(ops->id));
	CHECK_EQ(ops->id, *(const enum codec_id *)*state);
	CHECK_EQ(ops->kdump_flag, expect_flag[ops->id]);
	CHECK(ops->bound && ops->ctx_new && ops->ctx_free && ops->compress &&
	      ops->decompress);
	CHECK(ops->bound(PAGE) >= PAGE);
	if (ops->id == CODEC_NONE)
		CHECK_EQ(ops->bound(PAGE), PAGE);
	if (ops->id == CODEC_LZO)   /* makedumpfile's formula */
		CHECK_EQ(ops->bound(PAGE), PAGE + PAGE / 16 + 64 + 3);
	ops->ctx_free(NULL);
}

static void test_round_trip(void **state)
{
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	struct codec_ctx *ctx2 = ops->ctx_new();
	unsigned char page[PAGE];
	int kind, pass;

	assert_non_null(ctx);
	assert_non_null(ctx2);
	/* two passes over the same ctx: its state must reset between pages */
	for (pass = 0; pass < 2; pass++) {
		for (kind = 0; kind < PG_KINDS; kind++) {
			struct ds_err err = { 0 };
			unsigned char *c, *c2, *out;
			size_t len, len2;
			int ret;

			WHERE("%s, %s, pass %d", ops->name, page_names[kind],
			      pass);
			make_page((enum page_kind)kind, page);
			c = compress_page(ops, ctx, page, &len);

			if (ops->id == CODEC_NONE) {
				CHECK_EQ(len, PAGE);
			} else if (kind == PG_RANDOM) {
				/* random data does not shrink; the caller
				 * stores such pages raw */
				CHECK(len >= PAGE);
			} else {
				CHECK(len < PAGE);
				if (kind != PG_TEXT)
					CHECK(len < PAGE / 8);
			}

			/* same output from another ctx (deterministic) */
			c2 = compress_page(ops, ctx2, page, &len2);
			CHECK_EQ(len2, len);
			CHECK(memcmp(c, c2, len) == 0);
			free(c2);

			ret = decompress_exact(ops, c, len, PAGE, &err, &out);
			if (ret != 0)
				fail_msg("%s: decompress returned %d: %s",
					 where, ret, err.msg);
			CHECK(memcmp(out, page, PAGE) == 0);
			free(out);
			free(c);
		}
	}
	ops->ctx_free(ctx);
	ops->ctx_free(ctx2);
}

/* Facts of the formats that readers of makedumpfile dumps rely on. */
static void test_stream_format(void **state)
{
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	unsigned char page[PAGE], *c;
	size_t len;

	assert_non_null(ctx);
	make_page(PG_TEXT, page);
	WHERE("%s stream format", ops->name);
	c = compress_page(ops, ctx, page, &len);
	switch (ops->id) {
	case CODEC_NONE:
		CHECK(memcmp(c, page, PAGE) == 0);
		break;
	case CODEC_ZLIB:
		/* zlib wrapper, deflate, 32K window, level 1 (FLEVEL 0) */
		CHECK_EQ(c[0], 0x78);
		CHECK_EQ(c[1], 0x01);
		break;
	case CODEC_LZO:
		/* LZO1X end-of-stream marker */
		CHECK(len >= 3);
		CHECK_EQ(c[len - 3], 0x11);
		CHECK_EQ(c[len - 2], 0x00);
		CHECK_EQ(c[len - 1], 0x00);
		break;
	case CODEC_SNAPPY:
		/* raw snappy: varint of the uncompressed length, no framing */
		CHECK_EQ(c[0], 0x80);
		CHECK_EQ(c[1], 0x20);
		break;
	case CODEC_ZSTD:
		/* frame magic, then a header that records the content size
		 * (descriptor bits 7-6 or single-segment) and no checksum */
		CHECK_EQ(c[0], 0x28);
		CHECK_EQ(c[1], 0xb5);
		CHECK_EQ(c[2], 0x2f);
		CHECK_EQ(c[3], 0xfd);
		CHECK((c[4] & 0xc0) != 0 || (c[4] & 0x20) != 0);
		CHECK((c[4] & 0x04) == 0);
		break;
	default:
		fail();
	}
	free(c);
	ops->ctx_free(ctx);
}

/* Hand-made streams from the format specifications decode to "abcd". */
static void test_known_stream(void **state)
{
	static const unsigned char none_s[] = { 'a', 'b', 'c', 'd' };
	/* zlib header 78 01, one stored deflate block, adler32 03d8018b */
	static const unsigned char zlib_s[] = {
		0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 'a', 'b', 'c', 'd',
		0x03, 0xd8, 0x01, 0x8b
	};
	/* literal run of 4 (17 + 4), then the M4 end marker */
	static const unsigned char lzo_s[] = {
		0x15, 'a', 'b', 'c', 'd', 0x11, 0x00, 0x00
	};
	/* varint length 4, literal tag of length 4 */
	static const unsigned char snappy_s[] = {
		0x04, 0x0c, 'a', 'b', 'c', 'd'
	};
	/* magic, single-segment header with 1-byte content size 4, last raw
	 * block of 4 bytes */
	static const unsigned char zstd_s[] = {
		0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x04, 0x21, 0x00, 0x00,
		'a', 'b', 'c', 'd'
	};
	static const struct { const unsigned char *s; size_t n; } known[] = {
		[CODEC_NONE] = { none_s, sizeof(none_s) },
		[CODEC_ZLIB] = { zlib_s, sizeof(zlib_s) },
		[CODEC_LZO] = { lzo_s, sizeof(lzo_s) },
		[CODEC_SNAPPY] = { snappy_s, sizeof(snappy_s) },
		[CODEC_ZSTD] = { zstd_s, sizeof(zstd_s) },
	};
	const struct codec_ops *ops = codec_or_skip(state);
	const unsigned char *s = known[ops->id].s;
	size_t n = known[ops->id].n;
	struct ds_err err = { 0 };
	unsigned char *out, bad[32];
	int ret;

	WHERE("%s hand-made stream", ops->name);
	ret = decompress_exact(ops, s, n, 4, &err, &out);
	if (ret != 0)
		fail_msg("%s: decompress returned %d: %s", where, ret, err.msg);
	CHECK(memcmp(out, "abcd", 4) == 0);
	free(out);

	if (ops->id == CODEC_ZLIB) {
		/* the same stream with a wrong adler32 */
		WHERE("zlib hand-made stream, bad checksum");
		memcpy(bad, s, n);
		bad[n - 1] ^= 0x01;
		ret = decompress_exact(ops, bad, n, 4, &err, NULL);
		check_corrupt(ops, ret, &err);
	}
}

static void test_truncated(void **state)
{
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	unsigned char page[PAGE];
	int kind;

	assert_non_null(ctx);
	for (kind = 0; kind < PG_KINDS; kind++) {
		unsigned char *c;
		size_t len, n;

		make_page((enum page_kind)kind, page);
		WHERE("%s, %s", ops->name, page_names[kind]);
		c = compress_page(ops, ctx, page, &len);
		/* every proper prefix, down to the empty stream */
		for (n = 0; n < len; n++) {
			struct ds_err err = { 0 };
			int ret;

			WHERE("%s, %s truncated to %zu of %zu bytes",
			      ops->name, page_names[kind], n, len);
			ret = decompress_exact(ops, c, n, PAGE, &err, NULL);
			check_corrupt(ops, ret, &err);
		}
		free(c);
	}
	ops->ctx_free(ctx);
}

static void test_trailing_garbage(void **state)
{
	static const size_t extra[] = { 1, 2, 3, 16, 100 };
	static const unsigned char fill[] = { 0x00, 0x11, 0xff };
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	unsigned char page[PAGE];
	int kind;

	assert_non_null(ctx);
	for (kind = 0; kind < PG_KINDS; kind++) {
		unsigned char *c, *longer;
		size_t len, i, f;

		make_page((enum page_kind)kind, page);
		WHERE("%s, %s", ops->name, page_names[kind]);
		c = compress_page(ops, ctx, page, &len);
		longer = xmalloc(len + 100);
		memcpy(longer, c, len);
		for (f = 0; f < sizeof(fill); f++) {
			for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
				struct ds_err err = { 0 };
				int ret;

				memset(longer + len, fill[f], extra[i]);
				WHERE("%s, %s with %zu trailing 0x%02x bytes",
				      ops->name, page_names[kind], extra[i],
				      fill[f]);
				ret = decompress_exact(ops, longer,
						       len + extra[i], PAGE,
						       &err, NULL);
				check_corrupt(ops, ret, &err);
			}
		}
		free(longer);

		/* the whole stream twice */
		longer = xmalloc(2 * len);
		memcpy(longer, c, len);
		memcpy(longer + len, c, len);
		{
			struct ds_err err = { 0 };
			int ret;

			WHERE("%s, %s stored twice", ops->name,
			      page_names[kind]);
			ret = decompress_exact(ops, longer, 2 * len, PAGE, &err,
					       NULL);
			check_corrupt(ops, ret, &err);
		}
		free(longer);
		free(c);
	}
	ops->ctx_free(ctx);
}

/* Byte position whose corruption the format is sure to detect (a header,
 * checksum or end marker), or -1 when nothing is checked (none). */
static long must_fail_pos(enum codec_id id, size_t len)
{
	switch (id) {
	case CODEC_ZLIB:        /* adler32 */
	case CODEC_LZO:         /* end marker offset */
		return (long)len - 1;
	case CODEC_SNAPPY:      /* length varint */
	case CODEC_ZSTD:        /* magic */
		return 0;
	default:
		return -1;
	}
}

static void test_flipped_byte(void **state)
{
	static const unsigned char masks[] = { 0xff, 0x01, 0x80 };
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	unsigned char page[PAGE];
	int kind;

	assert_non_null(ctx);
	for (kind = 0; kind < PG_KINDS; kind++) {
		unsigned char *c;
		size_t len, pos, m, failed = 0, tried = 0;
		long must;

		make_page((enum page_kind)kind, page);
		WHERE("%s, %s", ops->name, page_names[kind]);
		c = compress_page(ops, ctx, page, &len);
		must = must_fail_pos(ops->id, len);
		for (pos = 0; pos < len; pos++) {
			for (m = 0; m < sizeof(masks); m++) {
				struct ds_err err = { 0 };
				unsigned char *out;
				int ret;

				WHERE("%s, %s, byte %zu of %zu xor 0x%02x",
				      ops->name, page_names[kind], pos, len,
				      masks[m]);
				c[pos] ^= masks[m];
				ret = decompress_exact(ops, c, len, PAGE, &err,
						       &out);
				tried++;
				if (ret != 0) {
					check_corrupt(ops, ret, &err);
					failed++;
				} else if (ops->id == CODEC_NONE) {
					CHECK(memcmp(out, c, PAGE) == 0);
				}
				if ((long)pos == must)
					CHECK(ret != 0);
				c[pos] ^= masks[m];
				free(out);
			}
			/* a long stream: every byte near the ends, a sample
			 * in the middle */
			if (pos >= 64 && pos + 64 < len)
				pos += 6;
		}
		WHERE("%s, %s", ops->name, page_names[kind]);
		if (ops->id != CODEC_NONE)
			CHECK(failed > 0);
		print_message("%s, %s: %zu of %zu corruptions detected\n",
			      ops->name, page_names[kind], failed, tried);
		free(c);
	}
	ops->ctx_free(ctx);
}

static void test_wrong_dst_len(void **state)
{
	static const size_t lens[] = {
		0, 1, PAGE / 2, PAGE - 1, PAGE + 1, PAGE * 2
	};
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	unsigned char page[PAGE];
	int kind;

	assert_non_null(ctx);
	for (kind = 0; kind < PG_KINDS; kind++) {
		unsigned char *c;
		size_t len, i;

		make_page((enum page_kind)kind, page);
		WHERE("%s, %s", ops->name, page_names[kind]);
		c = compress_page(ops, ctx, page, &len);
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			struct ds_err err = { 0 };
			int ret;

			/* the canary right after dst_len also proves no
			 * write goes past the size the caller gave */
			WHERE("%s, %s, dst_len %zu", ops->name,
			      page_names[kind], lens[i]);
			ret = decompress_exact(ops, c, len, lens[i], &err, NULL);
			check_corrupt(ops, ret, &err);
		}
		free(c);
	}
	ops->ctx_free(ctx);
}

static void test_compress_args(void **state)
{
	const struct codec_ops *ops = codec_or_skip(state);
	struct codec_ctx *ctx = ops->ctx_new();
	unsigned char page[PAGE];
	size_t cap = ops->bound(PAGE);
	unsigned char *out = xmalloc(cap);
	struct ds_err err = { 0 };
	long ret;

	assert_non_null(ctx);
	make_page(PG_ZERO, page);

	WHERE("%s, output buffer one byte below bound", ops->name);
	ret = ops->compress(ctx, page, PAGE, out, cap - 1, &err);
	CHECK_EQ(ret, -DS_EINVAL);
	CHECK_EQ(err.status, DS_EINVAL);
	CHECK(strncmp(err.msg, ops->name, strlen(ops->name)) == 0);

	WHERE("%s, empty input", ops->name);
	ds_err_clear(&err);
	ret = ops->compress(ctx, page, 0, out, cap, &err);
	CHECK_EQ(ret, -DS_EINVAL);
	CHECK_EQ(err.status, DS_EINVAL);

	/* the ctx still works after refusing */
	WHERE("%s, compress after errors", ops->name);
	ret = ops->compress(ctx, page, PAGE, out, cap, &err);
	CHECK(ret > 0);
	free(out);
	ops->ctx_free(ctx);
}

/* ---- main ---- */

static const struct {
	const char *name;
	CMUnitTestFunction fn;
} per_codec[] = {
	{ "ops table", test_ops_table },
	{ "round trip", test_round_trip },
	{ "stream format", test_stream_format },
	{ "known stream", test_known_stream },
	{ "truncated", test_truncated },
	{ "trailing garbage", test_trailing_garbage },
	{ "flipped byte", test_flipped_byte },
	{ "wrong dst_len", test_wrong_dst_len },
	{ "compress arguments", test_compress_args },
};

#define NPER (sizeof(per_codec) / sizeof(per_codec[0]))

int main(void)
{
	static struct CMUnitTest tests[3 + CODEC_MAX * NPER];
	static char names[CODEC_MAX * NPER][48];
	size_t n = 0, i;
	int id;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_all_codecs_built);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_find_by_flag);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_names);
	for (id = CODEC_NONE; id < CODEC_MAX; id++) {
		for (i = 0; i < NPER; i++) {
			char *name = names[(size_t)id * NPER + i];

			snprintf(name, sizeof(names[0]), "%s: %s",
				 codec_name((enum codec_id)id), per_codec[i].name);
			tests[n].name = name;
			tests[n].test_func = per_codec[i].fn;
			tests[n].setup_func = NULL;
			tests[n].teardown_func = NULL;
			tests[n].initial_state = &codec_ids[id];
			n++;
		}
	}
	assert_true(n == sizeof(tests) / sizeof(tests[0]));
	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}

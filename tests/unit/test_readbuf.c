/* test_readbuf.c - lib/io/readbuf: pread into reused buffers, on a fake
 * file whose reads are recorded.
 *
 * An announced range is read in pieces of at most READBUF_RUN from where
 * the first read falls in it, and the reads after it inside the piece cost
 * no read; an unannounced bulk read goes straight to the caller's buffer at
 * its own size (a peek, which has no buffer, gets the run buffer with just
 * its bytes); small reads are served from the page around them, least
 * recently used page replaced; a short last page at the end of the file;
 * a failed read gives NULL and leaves no stale bytes behind; a new
 * announcement that continues the last one extends it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "io/readbuf.h"

#define FILE_SIZE (64u << 20)

struct fake {
	unsigned reads;
	uint64_t last_off;
	size_t last_len, bytes;
	uint64_t fail_at;            /* a read covering this offset fails */
};

static uint8_t byte_at(uint64_t off)
{
	return (uint8_t)(off * 13 + (off >> 12));
}

static int fake_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct fake *f = arg;
	uint8_t *p = buf;

	f->reads++;
	f->last_off = off;
	f->last_len = len;
	if (off + len > FILE_SIZE || (f->fail_at >= off && f->fail_at < off + len))
		return -1;
	f->bytes += len;
	for (size_t i = 0; i < len; i++)
		p[i] = byte_at(off + i);
	return 0;
}

static void check_bytes(const uint8_t *p, uint64_t off, size_t len)
{
	CHECK(p != NULL);
	for (size_t i = 0; i < len; i += 509)
		CHECK_EQ(p[i], byte_at(off + i));
	CHECK_EQ(p[len - 1], byte_at(off + len - 1));
}

static void test_planned_runs(void **state)
{
	struct readbuf rb;
	struct fake f = { .fail_at = UINT64_MAX };
	const uint8_t *p;

	(void)state;
	readbuf_init(&rb);
	WHERE("an announced range: one read of the rest of it");
	readbuf_plan(&rb, 4096, 64 * 4096);
	p = readbuf_get(&rb, 4096, 4096, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, 4096, 4096);
	CHECK_EQ(f.reads, 1);
	CHECK_EQ(f.last_off, 4096);
	CHECK_EQ(f.last_len, 64 * 4096);
	for (uint64_t o = 8192; o < 65 * 4096; o += 4096) {
		p = readbuf_get(&rb, o, 4096, FILE_SIZE, NULL, fake_read, &f);
		check_bytes(p, o, 4096);
	}
	CHECK_EQ(f.reads, 1);

	WHERE("a continuation extends the announcement");
	readbuf_plan(&rb, 65 * 4096, 4096);
	readbuf_plan(&rb, 66 * 4096, 10 * 4096);
	p = readbuf_get(&rb, 65 * 4096, 4096, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, 65 * 4096, 4096);
	CHECK_EQ(f.reads, 2);
	CHECK_EQ(f.last_len, 11 * 4096);

	WHERE("a long announcement is read READBUF_RUN at a time");
	readbuf_plan(&rb, 2u << 20, 3u << 20);
	p = readbuf_get(&rb, (2u << 20) + 100, 4096, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, (2u << 20) + 100, 4096);
	CHECK_EQ(f.last_len, READBUF_RUN);
	CHECK_EQ(f.reads, 3);
	p = readbuf_get(&rb, (3u << 20) + 100, 4096, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, (3u << 20) + 100, 4096);
	CHECK_EQ(f.reads, 4);
	CHECK_EQ(rb.run_fills, 4);

	WHERE("thousands of announced ranges, read in their order: one read each");
	unsigned before = f.reads;

	for (uint64_t i = 0; i < 3000; i++)
		readbuf_plan(&rb, (16u << 20) + i * 3 * 4096, 2 * 4096);
	for (uint64_t i = 0; i < 3000; i++) {
		uint64_t o = (16u << 20) + i * 3 * 4096;

		check_bytes(readbuf_get(&rb, o, 4096, FILE_SIZE, NULL, fake_read, &f), o, 4096);
		check_bytes(readbuf_get(&rb, o + 4096, 4096, FILE_SIZE, NULL, fake_read, &f), o + 4096, 4096);
	}
	CHECK_EQ(f.reads - before, 3000);
	CHECK_EQ(f.last_len, 2 * 4096);

	WHERE("clipped at the end of the file");
	readbuf_plan(&rb, FILE_SIZE - 8192, 1u << 20);
	p = readbuf_get(&rb, FILE_SIZE - 8192, 4096, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, FILE_SIZE - 8192, 4096);
	CHECK_EQ(f.last_len, 8192);
	readbuf_release(&rb);
}

static void test_unplanned(void **state)
{
	struct readbuf rb;
	struct fake f = { .fail_at = UINT64_MAX };
	uint8_t *direct = malloc(3 * 4096);
	const uint8_t *p;

	(void)state;
	readbuf_init(&rb);
	WHERE("not announced, with a buffer: read there, at its size");
	p = readbuf_get(&rb, 40960, 3 * 4096, FILE_SIZE, direct, fake_read, &f);
	CHECK(p == direct);
	check_bytes(p, 40960, 3 * 4096);
	CHECK_EQ(f.last_len, 3 * 4096);
	WHERE("not announced, a peek: the run buffer, just its bytes");
	p = readbuf_get(&rb, 90000, 4096, FILE_SIZE, NULL, fake_read, &f);
	CHECK(p != direct);
	check_bytes(p, 90000, 4096);
	CHECK_EQ(f.last_len, 4096);
	WHERE("and read again from there");
	p = readbuf_get(&rb, 90100, 3000, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, 90100, 3000);
	CHECK_EQ(f.reads, 2);
	WHERE("larger than the run buffer: only with a buffer");
	CHECK(readbuf_get(&rb, 0, READBUF_RUN + 1, FILE_SIZE, NULL, fake_read, &f) == NULL);
	free(direct);
	readbuf_release(&rb);
}

static void test_small(void **state)
{
	struct readbuf rb;
	struct fake f = { .fail_at = UINT64_MAX };
	const uint8_t *p;

	(void)state;
	readbuf_init(&rb);
	WHERE("small reads: the page around them, once");
	for (int round = 0; round < 3; round++)
		for (uint64_t pg = 0; pg < READBUF_SMALL_PAGES; pg++) {
			p = readbuf_get(&rb, pg * 65536 + 8 * (uint64_t)round, 8, FILE_SIZE, NULL,
					fake_read, &f);
			check_bytes(p, pg * 65536 + 8 * (uint64_t)round, 8);
		}
	CHECK_EQ(f.reads, READBUF_SMALL_PAGES);
	CHECK_EQ(f.last_len, 4096);
	CHECK_EQ(rb.small_hits, 2 * READBUF_SMALL_PAGES);
	WHERE("one more page replaces the least recently used");
	p = readbuf_get(&rb, 5 * 65536 + 16, 8, FILE_SIZE, NULL, fake_read, &f);   /* used again */
	p = readbuf_get(&rb, 100 * 65536, 8, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, 100 * 65536, 8);
	CHECK_EQ(f.reads, READBUF_SMALL_PAGES + 1);
	p = readbuf_get(&rb, 5 * 65536, 8, FILE_SIZE, NULL, fake_read, &f);
	CHECK_EQ(f.reads, READBUF_SMALL_PAGES + 1);
	p = readbuf_get(&rb, 0, 8, FILE_SIZE, NULL, fake_read, &f);        /* page 0 went */
	check_bytes(p, 0, 8);
	CHECK_EQ(f.reads, READBUF_SMALL_PAGES + 2);
	WHERE("the short last page of a file");
	p = readbuf_get(&rb, 10000 - 8, 8, 10000, NULL, fake_read, &f);
	check_bytes(p, 10000 - 8, 8);
	CHECK_EQ(f.last_off, 8192);
	CHECK_EQ(f.last_len, 10000 - 8192);
	WHERE("across a page boundary: not small");
	p = readbuf_get(&rb, 4096 - 4, 8, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, 4096 - 4, 8);
	CHECK_EQ(f.last_len, 8);
	WHERE("READBUF_SMALL bytes and more: read as asked");
	p = readbuf_get(&rb, 300000, READBUF_SMALL, FILE_SIZE, NULL, fake_read, &f);
	check_bytes(p, 300000, READBUF_SMALL);
	CHECK_EQ(f.last_len, READBUF_SMALL);
	CHECK_EQ(f.last_off, 300000);
	readbuf_release(&rb);
}

static void test_errors(void **state)
{
	struct readbuf rb;
	struct fake f = { .fail_at = 200000 };
	uint8_t buf[4096];

	(void)state;
	readbuf_init(&rb);
	WHERE("a failed read: NULL, and nothing stale afterwards");
	readbuf_plan(&rb, 196608, 65536);
	CHECK(readbuf_get(&rb, 196608, 4096, FILE_SIZE, NULL, fake_read, &f) == NULL);
	CHECK(readbuf_get(&rb, 196608, 4096, FILE_SIZE, buf, fake_read, &f) == NULL);
	CHECK(readbuf_get(&rb, 200000, 8, FILE_SIZE, NULL, fake_read, &f) == NULL);
	f.fail_at = UINT64_MAX;
	CHECK(readbuf_get(&rb, 200000, 8, FILE_SIZE, NULL, fake_read, &f) != NULL);
	check_bytes(readbuf_get(&rb, 196608, 4096, FILE_SIZE, NULL, fake_read, &f), 196608, 4096);
	readbuf_release(&rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planned_runs),
		cmocka_unit_test(test_unplanned),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

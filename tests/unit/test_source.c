/* test_source.c - lib/io/source: reads through mmap that fault.
 *
 * A SIGBUS handler is installed as programs/main.c does (SA_SIGINFO |
 * SA_NODEFER, passing si_addr to source_fault).  A 1 MiB file is read
 * through the mapping; then the file shrinks under the mapping (what a
 * vmcore on a failing disk, or /proc/vmcore with an unreadable page, does):
 * reads and peeks past the new end must fail with pread's error ("is
 * truncated"), counted as faults, without a crash, many times over (the
 * handler is re-entered each time), and reads below it still work.  Peeked
 * pages are 64-byte aligned copies, also at odd file offsets.  Without
 * source_enable_mmap nothing is mapped: peeks come from the pread buffer.  A fault outside a guarded copy is
 * not claimed (source_fault returns false).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/source.h"

#define SIZE (1u << 20)

static char path[64];

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!source_fault(si->si_addr))
		signal(sig, SIG_DFL);
}

static uint8_t byte_at(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 12));
}

static void make_file(void)
{
	uint8_t *b = malloc(SIZE);
	int fd;

	assert_non_null(b);
	for (uint64_t i = 0; i < SIZE; i++)
		b[i] = byte_at(i);
	snprintf(path, sizeof(path), "/tmp/test_source.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, SIZE), SIZE);
	close(fd);
	free(b);
}

static void test_fault_becomes_error(void **state)
{
	struct sigaction sa;
	struct source src;
	struct ds_err err = { 0 };
	uint8_t buf[8192];
	const uint8_t *p;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &sa, NULL), 0);

	make_file();
	WHERE("mapped reads");
	CHECK_EQ(source_open(&src, path, &err), 0);
	source_enable_mmap(&src);
	CHECK_EQ(source_read(&src, 600000, buf, 4096, &err), 0);
	CHECK_EQ(buf[0], byte_at(600000));
	CHECK_EQ(src.mmap_calls, 1);
	CHECK_EQ(src.pread_calls, 0);

	WHERE("peek: an aligned copy, also at an odd offset");
	p = source_peek(&src, 600001, 4096);
	CHECK(p != NULL);
	CHECK_EQ((uintptr_t)p % 64, 0);
	CHECK_EQ(p[0], byte_at(600001));
	CHECK_EQ(p[4095], byte_at(600001 + 4095));

	WHERE("the file shrinks under the mapping");
	CHECK_EQ(truncate(path, SIZE / 4), 0);
	for (int round = 0; round < 50; round++) {
		ds_err_clear(&err);
		CHECK(source_read(&src, 600000 + round * 4096, buf, 4096, &err) < 0);
		CHECK_EQ(err.status, DS_EREAD);
		CHECK_MSG(&err, "is truncated at offset");
		CHECK(source_peek(&src, 700000, 4096) == NULL);
	}
	CHECK(src.faults >= 50);
	WHERE("below the new end, reads work");
	CHECK_EQ(source_read(&src, 1000, buf, 4096, &err), 0);
	CHECK_EQ(buf[0], byte_at(1000));
	p = source_peek(&src, 8192, 4096);
	CHECK(p != NULL && p[0] == byte_at(8192));
	source_close(&src);

	WHERE("not claimed: a fault outside a guarded copy");
	CHECK(!source_fault(buf));

	WHERE("without source_enable_mmap: pread only, peeks from its buffer");
	CHECK_EQ(source_open(&src, path, &err), 0);
	CHECK_EQ(source_read(&src, 1000, buf, 4096, &err), 0);
	p = source_peek(&src, 1000, 4096);
	CHECK(p != NULL && p[0] == byte_at(1000) && p[4095] == byte_at(1000 + 4095));
	CHECK_EQ(src.mmap_calls, 0);
	CHECK(src.pread_calls > 0);
	WHERE("not mapped: past the end is still an error");
	ds_err_clear(&err);
	CHECK(source_read(&src, SIZE / 4 - 100, buf, 4096, &err) < 0);
	CHECK_MSG(&err, "is truncated");
	CHECK(source_peek(&src, SIZE / 4 - 100, 4096) == NULL);
	source_close(&src);
	unlink(path);
	signal(SIGBUS, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_becomes_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

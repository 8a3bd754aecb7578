/* test_order.c - unit tests of lib/order.c (most useful pages first): the
 * words of the crashed memory are read in the crashed machine's byte order
 * and word size, not the host's, and what counts as a kernel address is
 * that kernel's.
 *
 * Each case is a fake vmcore (fakecore.c) with one page holding pointers,
 * written in the machine's own encoding, to other pages of a small kept
 * range.  order_scan of that page must queue exactly the pages pointed at,
 * in the order of the words, before the closing sweep gives the rest in
 * pfn order; words that are not the machine's pointers (the other byte
 * order, a small integer, half of a pointer) must queue nothing.
 *   s390x  big-endian, 64-bit, identity-mapped kernel (_stext at 1 MiB):
 *          pointers are low addresses
 *   i386   little-endian, 32-bit words, 2-level paging, lowmem at
 *          0xc0000000 (_stext above it)
 * Under the s390x cross build (make crosscheck) the host is big-endian, so
 * the i386 case checks the little-endian reads there.  And the page of
 * every variable VMCOREINFO names is queued first, in note order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/keepmap.h"
#include "kernel/kernel.h"
#include "order.h"
#include "fakecore.h"

static void open_ok(struct fakecore *fc, struct fc_open *o)
{
	struct ds_err err = { 0 };
	int r = fc_open_kernel(fc, o, &err);

	if (r != 0)
		fail_msg("%s: kernel_init = %d (%s)", where, r, err.msg);
}

/* Keep pfns [first, first + n), scan the page at paddr `page` of the fake
 * core, and expect order_next to give `want` (n pfns) in that order. */
static void expect_order(struct fakecore *fc, uint64_t first, uint64_t n, uint64_t page,
			 const uint64_t *want)
{
	struct fc_open o;
	struct keepmap km;
	struct order *ord = NULL;
	struct ds_err err = { 0 };

	open_ok(fc, &o);
	assert_int_equal(keepmap_init(&km, first + n, &err), 0);
	assert_int_equal(keepmap_add_present(&km, first, first + n), 0);
	assert_int_equal(order_open(&ord, &o.k, &km, 16, &err), 0);
	order_scan(ord, fc_phys(fc, page, o.k.page_size), o.k.page_size, 0);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t got = order_next(ord);

		if (got != want[i])
			fail_msg("%s: pfn %llu of the order is 0x%llx, expected 0x%llx", where,
				 (unsigned long long)i, (unsigned long long)got,
				 (unsigned long long)want[i]);
	}
	CHECK_EQ(order_next(ord), first + n);        /* each pfn once */
	order_free(ord);
	keepmap_release(&km);
	fc_close(&o);
}

/* ---- s390x: big-endian, identity-mapped ---- */

static void test_s390x_big_endian(void **state)
{
	struct fc_paging pg = fc_paging_s390x(3);
	const uint64_t base = 0x2000000, p0 = base >> 12;
	const uint64_t want[] = { p0 + 3, p0 + 2, p0, p0 + 1, p0 + 4 };
	struct fakecore fc;
	uint8_t *page;

	(void)state;
	WHERE("s390x: big-endian words, low kernel addresses");
	fc_init_paging(&fc, &pg, 0x1000000, 0x20000);
	page = fc_add_region(&fc, base, 0x5000);
	fc_map(&fc, base, base, 20, 0);               /* identity, 1 MiB frame */
	fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0-50-s390x\nPAGESIZE=4096\n"
			  "SYMBOL(swapper_pg_dir)=1000000\nSYMBOL(_stext)=100000\n");
	bytes_put_be64(page + 8 * 1, 0x10);                    /* a count: not */
	bytes_put_le64(page + 8 * 2, base + 0x4010);           /* wrong order: not */
	bytes_put_be64(page + 8 * 3, base + 0x3010);           /* -> p0 + 3 */
	bytes_put_be64(page + 8 * 4, base + 0x2ff8);           /* -> p0 + 2 */
	bytes_put_be64(page + 8 * 5, base + 0x3000);           /* again: once */
	expect_order(&fc, p0, 5, base, want);
	fc_free(&fc);
}

/* ---- i386: 32-bit words, little-endian ---- */

static void test_i386_words(void **state)
{
	struct fc_paging pg = fc_paging_i386(false);
	const uint64_t want[] = { 3, 2, 0, 1, 4 };
	struct fakecore fc;
	uint8_t *page;

	(void)state;
	WHERE("i386: 4-byte little-endian words");
	fc_init_paging(&fc, &pg, 0x1000000, 0x4000);
	page = fc_add_region(&fc, 0, 0x5000);
	fc_map(&fc, 0xc0000000, 0, 22, 0);            /* lowmem, 4 MiB page */
	fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0-57-686\nPAGESIZE=4096\n"
			  "SYMBOL(swapper_pg_dir)=c1000000\nSYMBOL(_stext)=c1000000\n");
	bytes_put_be32(page + 4 * 2, 0xc0004010);     /* wrong order: not */
	bytes_put_le32(page + 4 * 4, 0x00001000);     /* user space: not */
	bytes_put_le32(page + 4 * 5, 0xc0003010);     /* -> 3 (an odd word) */
	bytes_put_le32(page + 4 * 6, 0xc0002ffc);     /* -> 2 */
	expect_order(&fc, 0, 5, 0, want);
	fc_free(&fc);
}

/* ---- the variables VMCOREINFO names come first ---- */

static void test_symbols_first(void **state)
{
	struct fc_paging pg = fc_paging_i386(false);
	struct fakecore fc;
	struct fc_open o;
	struct keepmap km;
	struct order *ord = NULL;
	struct ds_err err = { 0 };
	/* the symbols' pages in note order (twice named: once), then the
	 * pfn sweep; SYMBOL(_stext) lies outside the kept range */
	const uint64_t want[] = { 4, 2, 0, 1, 3, 5 };

	(void)state;
	WHERE("i386: SYMBOL() pages first");
	fc_init_paging(&fc, &pg, 0x1000000, 0x4000);
	fc_add_region(&fc, 0, 0x6000);
	fc_map(&fc, 0xc0000000, 0, 22, 0);
	fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0-57-686\nPAGESIZE=4096\n"
			  "SYMBOL(swapper_pg_dir)=c1000000\nSYMBOL(_stext)=c1000000\n"
			  "SYMBOL(node_online_map)=c0004ffc\nSYMBOL(prb)=c0002010\n"
			  "SYMBOL(init_uts_ns)=c0004000\n");
	open_ok(&fc, &o);
	assert_int_equal(keepmap_init(&km, 6, &err), 0);
	assert_int_equal(keepmap_add_present(&km, 0, 6), 0);
	assert_int_equal(order_open(&ord, &o.k, &km, 16, &err), 0);
	order_add_symbols(ord);
	for (size_t i = 0; i < 6; i++) {
		uint64_t got = order_next(ord);

		if (got != want[i])
			fail_msg("%s: pfn %zu of the order is 0x%llx, expected 0x%llx", where, i,
				 (unsigned long long)got, (unsigned long long)want[i]);
	}
	order_free(ord);
	keepmap_release(&km);
	fc_close(&o);
	fc_free(&fc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s390x_big_endian),
		cmocka_unit_test(test_i386_words),
		cmocka_unit_test(test_symbols_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

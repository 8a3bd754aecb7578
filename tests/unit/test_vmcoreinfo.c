/* test_vmcoreinfo.c - unit tests for lib/kernel/vmcoreinfo: the typed lookup
 * of every key kind (SYMBOL hex, SIZE/OFFSET/LENGTH decimal, NUMBER signed
 * decimal with its hex retry, plain keys as string, decimal or hex), keys
 * that are absent, malformed values that make a key absent (non-digits,
 * empty, "--1", 64-bit overflow), a repeated key (the last line wins), bad
 * lines (no '=', empty key, unclosed parenthesis, embedded NUL) and their
 * count, the note's NUL padding and CRLF line ends, and the DS_ECORRUPT
 * failure for text holding no KEY=value line at all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/vmcoreinfo.h"

/* Parse a text given with its exact length (it may hold NULs). */
static struct vmcoreinfo *parse_len(const char *text, size_t len)
{
	struct vmcoreinfo *vi = NULL;
	struct ds_err err = { 0 };
	int r = vmcoreinfo_parse(text, len, &vi, &err);

	if (r != 0)
		fail_msg("%s: vmcoreinfo_parse returned %d: %s", where, r, err.msg);
	CHECK(vi != NULL);
	return vi;
}

static struct vmcoreinfo *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* A VMCOREINFO text as a 6.1 x86_64 kernel writes it (abridged), plus a few
 * keys made up for the cases below. */
static const char typical[] =
	"OSRELEASE=6.1.0-47-amd64\n"
	"BUILD-ID=4d8a2f0c6d6f1e4a35a3e9e0b06b1cbe4f6c1b2a\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff82c13a20\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffff82d4bb68\n"
	"SYMBOL(swapper_pg_dir)=ffffffff82a0c000\n"
	"SYMBOL(_stext)=ffffffff81000000\n"
	"SYMBOL(mem_section)=ffff88813fff5000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\n"
	"SIZE(page)=64\n"
	"SIZE(pglist_data)=174336\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"LENGTH(zone.free_area)=11\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PG_head_mask)=65536\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"NUMBER(phys_base)=0\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"NUMBER(hexval)=0x800000000000\n"
	"NUMBER(barehex)=ff\n"
	"NUMBER(int64max)=9223372036854775807\n"
	"NUMBER(int64min)=-9223372036854775808\n"
	"SIZE(max64)=18446744073709551615\n"
	"KERNELOFFSET=1000000\n"
	"CRASHTIME=1700000000\n"
	"CONFIG_X86_PAE=y\n";

/* ---- each kind, table-driven ---- */

enum lookup { L_SYMBOL, L_SIZE, L_OFFSET, L_LENGTH, L_NUMBER, L_HEX, L_DECIMAL };

struct typed_case {
	enum lookup how;
	const char *name;
	bool present;
	uint64_t value;      /* for L_NUMBER: the int64_t bit pattern */
};

static const struct typed_case typical_cases[] = {
	{ L_SYMBOL, "init_uts_ns", true, 0xffffffff82c13a20ull },
	{ L_SYMBOL, "swapper_pg_dir", true, 0xffffffff82a0c000ull },
	{ L_SYMBOL, "mem_section", true, 0xffff88813fff5000ull },
	{ L_SIZE, "mem_section", true, 16 },
	{ L_SIZE, "page", true, 64 },
	{ L_SIZE, "pglist_data", true, 174336 },
	{ L_SIZE, "max64", true, UINT64_MAX },
	{ L_OFFSET, "page._refcount", true, 52 },
	{ L_OFFSET, "page.flags", true, 0 },
	{ L_OFFSET, "mem_section.section_mem_map", true, 0 },
	{ L_LENGTH, "mem_section", true, 2048 },
	{ L_LENGTH, "free_area.free_list", true, 6 },
	{ L_NUMBER, "PG_lru", true, 4 },
	{ L_NUMBER, "PG_head_mask", true, 65536 },
	{ L_NUMBER, "PAGE_BUDDY_MAPCOUNT_VALUE", true, (uint64_t)-129 },
	{ L_NUMBER, "PAGE_OFFLINE_MAPCOUNT_VALUE", true, (uint64_t)-257 },
	{ L_NUMBER, "SECTION_SIZE_BITS", true, 27 },
	{ L_NUMBER, "hexval", true, 0x800000000000ull },      /* hex retry, 0x */
	{ L_NUMBER, "barehex", true, 0xff },                  /* hex retry, bare */
	{ L_NUMBER, "int64max", true, (uint64_t)INT64_MAX },
	{ L_NUMBER, "int64min", true, (uint64_t)INT64_MIN },
	{ L_HEX, "KERNELOFFSET", true, 0x1000000 },
	{ L_DECIMAL, "PAGESIZE", true, 4096 },
	{ L_DECIMAL, "CRASHTIME", true, 1700000000 },
	/* absent keys */
	{ L_SYMBOL, "no_such_symbol", false, 0 },
	{ L_SIZE, "zone", false, 0 },
	{ L_OFFSET, "page.lru.next", false, 0 },
	{ L_LENGTH, "node_data", false, 0 },
	{ L_NUMBER, "PG_slab", false, 0 },
	{ L_DECIMAL, "NOSUCHKEY", false, 0 },
	{ L_HEX, "NOSUCHKEY", false, 0 },
	/* a name present under another kind only */
	{ L_SYMBOL, "page", false, 0 },
	{ L_NUMBER, "mem_section", false, 0 },
	{ L_OFFSET, "mem_section", false, 0 },
	{ L_SIZE, "page.flags", false, 0 },
	{ L_LENGTH, "page", false, 0 },
	/* the whole key is not a name for the typed lookups */
	{ L_SIZE, "SIZE(page)", false, 0 },
	/* names are case-sensitive */
	{ L_SIZE, "PAGE", false, 0 },
	{ L_DECIMAL, "pagesize", false, 0 },
};

static const char *const lookup_names[] = {
	"vmci_symbol", "vmci_size", "vmci_offset", "vmci_length", "vmci_number",
	"vmci_hex", "vmci_decimal",
};

static void check_typed(const struct vmcoreinfo *vi, const struct typed_case *c)
{
	uint64_t u = 0x5a5a5a5a5a5a5a5aull;
	int64_t s = 0x5a5a5a5a5a5a5a5all;
	bool found = false;

	WHERE("%s(\"%s\")", lookup_names[c->how], c->name);
	switch (c->how) {
	case L_SYMBOL: found = vmci_symbol(vi, c->name, &u); break;
	case L_SIZE: found = vmci_size(vi, c->name, &u); break;
	case L_OFFSET: found = vmci_offset(vi, c->name, &u); break;
	case L_LENGTH: found = vmci_length(vi, c->name, &u); break;
	case L_HEX: found = vmci_hex(vi, c->name, &u); break;
	case L_DECIMAL: found = vmci_decimal(vi, c->name, &u); break;
	case L_NUMBER:
		found = vmci_number(vi, c->name, &s);
		u = (uint64_t)s;
		break;
	}
	CHECK_EQ(found, c->present);
	if (c->present)
		CHECK_EQ_U64(u, c->value);
}

static void test_typed_lookups(void **state)
{
	struct vmcoreinfo *vi;

	(void)state;
	WHERE("typical text");
	vi = parse(typical);
	for (size_t i = 0; i < sizeof(typical_cases) / sizeof(typical_cases[0]); i++)
		check_typed(vi, &typical_cases[i]);
	WHERE("typical text");
	CHECK_EQ(vmci_bad_lines(vi), 0);
	vmcoreinfo_free(vi);
}

/* Every well-formed SYMBOL(), in note order, malformed ones skipped; the
 * count is the whole, even past max. */
static void test_all_symbols(void **state)
{
	static const char text[] =
		"OSRELEASE=6.1.0\nSYMBOL(a)=ffffffff81000000\nSIZE(page)=64\n"
		"SYMBOL(b)=zz\nSYMBOL(c)=d2d10324\nSYMBOL(a)=10\nSYMBOL(d)=-1\n";
	struct vmcoreinfo *vi;
	uint64_t a[4] = { 0 };

	(void)state;
	WHERE("all SYMBOL() lines");
	vi = parse(text);
	CHECK_EQ(vmci_symbols(vi, a, 4), 3);
	CHECK_EQ(a[0], 0xffffffff81000000ull);
	CHECK_EQ(a[1], 0xd2d10324);
	CHECK_EQ(a[2], 0x10);
	CHECK_EQ(a[3], 0);
	CHECK_EQ(vmci_symbols(vi, a, 1), 3);
	vmcoreinfo_free(vi);
}

static void test_strings(void **state)
{
	struct vmcoreinfo *vi;
	const char *s;

	(void)state;
	WHERE("plain keys as strings");
	vi = parse(typical);
	s = vmci_string(vi, "OSRELEASE");
	CHECK(s != NULL);
	assert_string_equal(s, "6.1.0-47-amd64");
	s = vmci_string(vi, "BUILD-ID");
	CHECK(s != NULL);
	assert_string_equal(s, "4d8a2f0c6d6f1e4a35a3e9e0b06b1cbe4f6c1b2a");
	s = vmci_string(vi, "CONFIG_X86_PAE");
	CHECK(s != NULL);
	assert_string_equal(s, "y");
	s = vmci_string(vi, "PAGESIZE");
	CHECK(s != NULL);
	assert_string_equal(s, "4096");
	/* typed keys are not plain keys, whichever way they are spelt */
	CHECK(vmci_string(vi, "SIZE(page)") == NULL);
	CHECK(vmci_string(vi, "page") == NULL);
	CHECK(vmci_string(vi, "SYMBOL(_stext)") == NULL);
	CHECK(vmci_string(vi, "NOSUCHKEY") == NULL);
	/* a plain key holding a non-number is not a number */
	{
		uint64_t v = 7;

		CHECK(!vmci_decimal(vi, "OSRELEASE", &v));
		CHECK(!vmci_hex(vi, "CONFIG_X86_PAE", &v));
		CHECK_EQ(v, 7);   /* untouched on failure */
	}
	vmcoreinfo_free(vi);
}

/* ---- malformed values: the key is absent ---- */

static const char malformed[] =
	"OSRELEASE=6.1.0\n"
	"SIZE(page)=abc\n"
	"SIZE(zone)=12x\n"
	"SIZE(neg)=-5\n"
	"SIZE(space)= 5\n"
	"SYMBOL(x)=\n"
	"SYMBOL(notHex)=ffffffffg2000000\n"
	"SYMBOL(overflow)=1ffffffffffffffff\n"
	"OFFSET(page.flags)=\n"
	"OFFSET(big)=99999999999999999999\n"
	"LENGTH(mem_section)=2O48\n"
	"NUMBER(y)=--1\n"
	"NUMBER(empty)=\n"
	"NUMBER(huge)=99999999999999999999\n"
	"NUMBER(hugeneg)=-99999999999999999999\n"
	"NUMBER(junk)=12zz\n"
	"PAGESIZE=4k\n"
	"CRASHTIME=\n"
	"KERNELOFFSET=0xg\n"
	"SIZE(good)=8\n";

static const struct typed_case malformed_cases[] = {
	{ L_SIZE, "page", false, 0 },
	{ L_SIZE, "zone", false, 0 },
	{ L_SIZE, "neg", false, 0 },
	{ L_SIZE, "space", false, 0 },
	{ L_SYMBOL, "x", false, 0 },
	{ L_SYMBOL, "notHex", false, 0 },
	{ L_SYMBOL, "overflow", false, 0 },
	{ L_OFFSET, "page.flags", false, 0 },
	{ L_OFFSET, "big", false, 0 },
	{ L_LENGTH, "mem_section", false, 0 },
	{ L_NUMBER, "y", false, 0 },
	{ L_NUMBER, "empty", false, 0 },
	{ L_NUMBER, "huge", false, 0 },
	{ L_NUMBER, "hugeneg", false, 0 },
	{ L_NUMBER, "junk", false, 0 },
	{ L_DECIMAL, "PAGESIZE", false, 0 },
	{ L_DECIMAL, "CRASHTIME", false, 0 },
	{ L_HEX, "KERNELOFFSET", false, 0 },
	/* the neighbours of bad lines are unaffected */
	{ L_SIZE, "good", true, 8 },
};

static void test_malformed_values(void **state)
{
	struct vmcoreinfo *vi;

	(void)state;
	WHERE("malformed values");
	vi = parse(malformed);
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++)
		check_typed(vi, &malformed_cases[i]);
	/* the raw text of a plain key is still there */
	WHERE("malformed values");
	CHECK(vmci_string(vi, "PAGESIZE") != NULL);
	assert_string_equal(vmci_string(vi, "PAGESIZE"), "4k");
	assert_string_equal(vmci_string(vi, "OSRELEASE"), "6.1.0");
	vmcoreinfo_free(vi);
}

/* vmcoreinfo.h: "a value that does not parse for its kind makes that key
 * absent (and is counted)"; vmci_bad_lines: "Lines that were not KEY=value
 * or whose value did not parse". */
static void test_malformed_values_counted(void **state)
{
	static const char text[] =
		"OSRELEASE=6.1.0\n"
		"SIZE(page)=abc\n"            /* bad value */
		"SYMBOL(x)=\n"                /* bad value */
		"NUMBER(y)=--1\n"             /* bad value */
		"OFFSET(big)=99999999999999999999\n"   /* bad value */
		"SIZE(good)=8\n";
	struct vmcoreinfo *vi;

	(void)state;
	WHERE("bad values are counted as bad lines");
	vi = parse(text);
	CHECK_EQ(vmci_bad_lines(vi), 4);
	vmcoreinfo_free(vi);
}

/* ---- repeated keys ---- */

static void test_repeated_key_last_wins(void **state)
{
	static const char text[] =
		"SIZE(page)=56\n"
		"SYMBOL(mem_section)=ffff888000001000\n"
		"OSRELEASE=5.10.0\n"
		"SIZE(page)=64\n"
		"NUMBER(PG_lru)=5\n"
		"OSRELEASE=6.1.0\n"
		"SYMBOL(mem_section)=ffff888000002000\n"
		"NUMBER(PG_lru)=4\n";
	struct vmcoreinfo *vi;
	uint64_t u = 0;
	int64_t s = 0;

	(void)state;
	WHERE("repeated keys");
	vi = parse(text);
	CHECK(vmci_size(vi, "page", &u));
	CHECK_EQ(u, 64);
	CHECK(vmci_symbol(vi, "mem_section", &u));
	CHECK_EQ_U64(u, 0xffff888000002000ull);
	CHECK(vmci_number(vi, "PG_lru", &s));
	CHECK_EQ(s, 4);
	assert_string_equal(vmci_string(vi, "OSRELEASE"), "6.1.0");
	CHECK_EQ(vmci_bad_lines(vi), 0);
	vmcoreinfo_free(vi);
}

/* ---- bad lines ---- */

static void test_bad_lines(void **state)
{
	static const char text[] =
		"OSRELEASE=6.1.0\n"
		"this line has no equals sign\n"       /* bad 1 */
		"=novalue\n"                           /* bad 2: empty key */
		"SIZE(page=64\n"                       /* bad 3: no ')' */
		"NUMBER(PG_lru=4\n"                    /* bad 4 */
		"\n"                                   /* blank: not counted */
		"SIZE(page)=64\n"
		"just-text\n"                          /* bad 5 */
		"OFFSET(page.flags)=0";                /* no final newline */
	struct vmcoreinfo *vi;
	uint64_t u = 99;
	int64_t s = 99;

	(void)state;
	WHERE("bad lines");
	vi = parse(text);
	CHECK_EQ(vmci_bad_lines(vi), 5);
	CHECK(vmci_size(vi, "page", &u));
	CHECK_EQ(u, 64);
	CHECK(vmci_offset(vi, "page.flags", &u));
	CHECK_EQ(u, 0);
	CHECK(!vmci_number(vi, "PG_lru", &s));
	CHECK(vmci_string(vi, "this line has no equals sign") == NULL);
	CHECK(vmci_string(vi, "") == NULL);
	assert_string_equal(vmci_string(vi, "OSRELEASE"), "6.1.0");
	vmcoreinfo_free(vi);
}

/* A NUL inside a line makes the line bad (it cannot be a C string key). */
static void test_embedded_nul(void **state)
{
	static const char text[] = "SIZE(page)=64\nSIZE(zo\0ne)=8\nSIZE(zone)=1472\n";
	struct vmcoreinfo *vi;
	uint64_t u = 0;

	(void)state;
	WHERE("embedded NUL");
	vi = parse_len(text, sizeof(text) - 1);
	CHECK_EQ(vmci_bad_lines(vi), 1);
	CHECK(vmci_size(vi, "page", &u));
	CHECK_EQ(u, 64);
	CHECK(vmci_size(vi, "zone", &u));
	CHECK_EQ(u, 1472);
	CHECK(!vmci_size(vi, "zo", &u));
	vmcoreinfo_free(vi);
}

/* ---- note padding and line ends ---- */

static void test_nul_padding(void **state)
{
	/* the note descriptor is padded with NULs to a multiple of 4, and
	 * n_descsz may or may not include them */
	static const char padded_nl[] = "PAGESIZE=4096\nSIZE(page)=64\n\0\0\0";
	static const char padded_nonl[] = "PAGESIZE=4096\nSIZE(page)=64\0\0";
	struct vmcoreinfo *vi;
	uint64_t u = 0;

	(void)state;
	WHERE("NUL padding after the last newline");
	vi = parse_len(padded_nl, sizeof(padded_nl) - 1);
	CHECK(vmci_size(vi, "page", &u));
	CHECK_EQ(u, 64);
	CHECK(vmci_decimal(vi, "PAGESIZE", &u));
	CHECK_EQ(u, 4096);
	CHECK_EQ(vmci_bad_lines(vi), 0);
	vmcoreinfo_free(vi);

	WHERE("NUL padding right after the last value");
	vi = parse_len(padded_nonl, sizeof(padded_nonl) - 1);
	CHECK(vmci_size(vi, "page", &u));
	CHECK_EQ(u, 64);
	CHECK_EQ(vmci_bad_lines(vi), 0);
	vmcoreinfo_free(vi);
}

static void test_crlf(void **state)
{
	static const char text[] =
		"OSRELEASE=6.1.0-47-amd64\r\n"
		"PAGESIZE=4096\r\n"
		"SYMBOL(mem_section)=ffff88813fff5000\r\n"
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\r\n"
		"SIZE(page)=64\r\n";
	struct vmcoreinfo *vi;
	uint64_t u = 0;
	int64_t s = 0;

	(void)state;
	WHERE("CRLF line ends");
	vi = parse(text);
	assert_string_equal(vmci_string(vi, "OSRELEASE"), "6.1.0-47-amd64");
	CHECK(vmci_decimal(vi, "PAGESIZE", &u));
	CHECK_EQ(u, 4096);
	CHECK(vmci_symbol(vi, "mem_section", &u));
	CHECK_EQ_U64(u, 0xffff88813fff5000ull);
	CHECK(vmci_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &s));
	CHECK_EQ(s, -129);
	CHECK(vmci_size(vi, "page", &u));
	CHECK_EQ(u, 64);
	CHECK_EQ(vmci_bad_lines(vi), 0);
	vmcoreinfo_free(vi);
}

/* The length given is honoured: text past it is not read. */
static void test_length_bound(void **state)
{
	static const char text[] = "SIZE(page)=64\nSIZE(zone)=1472\n";
	struct vmcoreinfo *vi;
	uint64_t u = 0;

	(void)state;
	WHERE("length stops inside the second line");
	vi = parse_len(text, strlen("SIZE(page)=64\nSIZE(zone)=14"));
	CHECK(vmci_size(vi, "zone", &u));
	CHECK_EQ(u, 14);
	vmcoreinfo_free(vi);
}

/* ---- no KEY=value at all ---- */

static void test_not_vmcoreinfo(void **state)
{
	static const struct {
		const char *text;
		size_t len;
	} cases[] = {
		{ "", 0 },
		{ "\n\n\n", 3 },
		{ "\0\0\0\0", 4 },
		{ "garbage without equals\nmore garbage\n", 36 },
		{ "=1\n=2\n", 6 },
		{ "SIZE(page=64\n", 13 },
		{ "\x7f" "ELF\x02\x01\x01", 7 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmcoreinfo *vi = NULL;
		struct ds_err err = { 0 };
		int r;

		WHERE("not VMCOREINFO, case %zu", i);
		r = vmcoreinfo_parse(cases[i].text, cases[i].len, &vi, &err);
		CHECK_EQ(r, -DS_ECORRUPT);
		CHECK_EQ(err.status, DS_ECORRUPT);
		CHECK(strstr(err.msg, "VMCOREINFO") != NULL);
		CHECK(vi == NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_lookups),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_all_symbols),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_malformed_values_counted),
		cmocka_unit_test(test_repeated_key_last_wins),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_nul_padding),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_not_vmcoreinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

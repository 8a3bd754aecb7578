/* test_kallsyms.c - unit tests of lib/kernel/kallsyms.c: the crashed
 * kernel's own symbol table, read from its memory in its byte order and
 * word size.
 *
 * Each case lays a kallsyms table into a fake vmcore (fakecore.c) where
 * VMCOREINFO says it lies, as scripts/kallsyms would for these symbols
 * (one token per character, so a name's tokens are its type and letters),
 * and looks names up in one pass:
 *   i386    kallsyms_relative_base is a 4-byte unsigned long, and right
 *           after it (as in Debian's 686-pae kernel) lies
 *           kallsyms_num_syms: a reader that takes 8 bytes gets a base
 *           with the symbol count in its high half
 *   s390x   big-endian, 64-bit words and offsets
 *   x86_64  absolute per-CPU symbols (CONFIG_KALLSYMS_ABSOLUTE_PERCPU):
 *           an offset >= 0 is the address itself, one < 0 is
 *           base - 1 - offset; taken because only that reading puts _stext
 *           where VMCOREINFO says
 * Names past the 127-token length (two length bytes) and names not in the
 * table are tried too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <string.h>

#include "kernel/kallsyms.h"
#include "kernel/kernel.h"
#include "fakecore.h"

#define TABLE_SIZE 0x20000u       /* names are read in 64 KiB chunks */
#define TOKENS      0x0000u       /* token t: the character t, NUL */
#define TOKEN_INDEX 0x0200u
#define RELBASE     0x0400u
#define OFFSETS     0x0800u
#define NAMES       0x1000u

struct sym {
	char type;
	const char *name;
	int32_t offset;
};

/* A name longer than one length byte allows (128 tokens or more). */
static char long_name[300];

/* Lay the table for syms[0..n) at paddr (mapped at vaddr); VMCOREINFO is
 * the machine's lines `head` and those that locate the table. */
static void lay_table(struct fakecore *fc, uint64_t paddr, uint64_t vaddr, uint64_t base,
		      const struct sym *syms, size_t n, const char *head)
{
	uint8_t *t = fc_add_region(fc, paddr, TABLE_SIZE), *p;
	unsigned word = fc->pg.elf_class == 32 ? 4 : 8;
	char vmci[2048];

	for (unsigned c = 1; c < 256; c++) {
		t[TOKENS + 2 * c] = (uint8_t)c;
		p = fc_phys(fc, paddr + TOKEN_INDEX + 2 * c, 2);
		if (fc->pg.big_endian) {
			p[0] = (uint8_t)(2 * c >> 8);
			p[1] = (uint8_t)(2 * c);
		} else {
			p[0] = (uint8_t)(2 * c);
			p[1] = (uint8_t)(2 * c >> 8);
		}
	}
	if (word == 4)
		fc_put_u32(fc, paddr + RELBASE, (uint32_t)base);
	else
		fc_put_u64(fc, paddr + RELBASE, base);
	fc_put_u32(fc, paddr + RELBASE + word, (uint32_t)n);        /* kallsyms_num_syms */
	p = t + NAMES;
	for (size_t i = 0; i < n; i++) {
		size_t len = 1 + strlen(syms[i].name);

		fc_put_u32(fc, paddr + OFFSETS + 4 * i, (uint32_t)syms[i].offset);
		if (len < 0x80) {
			*p++ = (uint8_t)len;
		} else {
			*p++ = (uint8_t)(0x80 | (len & 0x7f));
			*p++ = (uint8_t)(len >> 7);
		}
		*p++ = (uint8_t)syms[i].type;
		memcpy(p, syms[i].name, len - 1);
		p += len - 1;
	}
	snprintf(vmci, sizeof(vmci),
		 "%sSYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
		 "SYMBOL(kallsyms_token_table)=%llx\nSYMBOL(kallsyms_token_index)=%llx\n"
		 "SYMBOL(kallsyms_offsets)=%llx\nSYMBOL(kallsyms_relative_base)=%llx\n",
		 head, (unsigned long long)(vaddr + NAMES), (unsigned long long)(vaddr + RELBASE + word),
		 (unsigned long long)(vaddr + TOKENS), (unsigned long long)(vaddr + TOKEN_INDEX),
		 (unsigned long long)(vaddr + OFFSETS), (unsigned long long)(vaddr + RELBASE));
	fc_set_vmcoreinfo(fc, vmci);
}

/* Open the fake core, look names[0..n) up, compare with want[]. */
static void expect_found(struct fakecore *fc, const char *const *names, size_t n,
			 const uint64_t *want)
{
	struct fc_open o;
	struct ds_err err = { 0 };
	uint64_t got[8];
	int r = fc_open_kernel(fc, &o, &err);

	if (r != 0)
		fail_msg("%s: kernel_init = %d (%s)", where, r, err.msg);
	assert_true(n <= 8);
	r = kallsyms_find(&o.k, names, n, got, &err);
	if (r != 0)
		fail_msg("%s: kallsyms_find = %d (%s)", where, r, err.msg);
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("%s: %s at 0x%llx, expected 0x%llx", where, names[i],
				 (unsigned long long)got[i], (unsigned long long)want[i]);
	fc_close(&o);
}

static void make_long_name(void)
{
	memset(long_name, 'x', sizeof(long_name) - 1);
	memcpy(long_name, "long_", 5);
}

static void test_i386(void **state)
{
	struct fc_paging pg = fc_paging_i386(false);
	const uint64_t base = 0xc1000000;
	const struct sym syms[] = {
		{ 't', "startup_32", 0 }, { 'T', "_stext", 0 }, { 'T', "schedule", 0x1234 },
		{ 'D', "_sdata", 0x500000 }, { 'd', long_name, 0x500800 },
		{ 'D', "init_task", 0x600040 }, { 'T', "_etext", 0x93c940 },
	};
	const char *const names[] = { "init_task", "_sdata", "no_such_symbol", long_name,
				      "schedule" };
	const uint64_t want[] = { base + 0x600040, base + 0x500000, 0, base + 0x500800,
				  base + 0x1234 };
	struct fakecore fc;

	(void)state;
	WHERE("i386: a 4-byte relative_base, the symbol count after it");
	make_long_name();
	fc_init_paging(&fc, &pg, 0x1000000, 0x4000);
	fc_map(&fc, 0xc0000000, 0, 22, 0);            /* lowmem, 4 MiB page */
	lay_table(&fc, 0x100000, 0xc0100000, base, syms, sizeof(syms) / sizeof(syms[0]),
		  "OSRELEASE=6.1.0-57-686-pae\nPAGESIZE=4096\n"
		  "SYMBOL(swapper_pg_dir)=c1000000\nSYMBOL(_stext)=c1000000\n");
	expect_found(&fc, names, 5, want);
	fc_free(&fc);
}

static void test_s390x(void **state)
{
	struct fc_paging pg = fc_paging_s390x(3);
	const uint64_t base = 0x100000, tab = 0x2000000;
	const struct sym syms[] = {
		{ 'T', "_stext", 0 }, { 'D', "init_task", 0x1c0a00 }, { 'B', "__bss_stop", 0x2fff000 },
	};
	const char *const names[] = { "__bss_stop", "init_task", "_stext" };
	const uint64_t want[] = { base + 0x2fff000, base + 0x1c0a00, base };
	struct fakecore fc;

	(void)state;
	WHERE("s390x: big-endian, 64-bit");
	fc_init_paging(&fc, &pg, 0x1000000, 0x20000);
	fc_map(&fc, tab, tab, 20, 0);                 /* identity, 1 MiB frame */
	lay_table(&fc, tab, tab, base, syms, sizeof(syms) / sizeof(syms[0]),
		  "OSRELEASE=6.1.0-50-s390x\nPAGESIZE=4096\n"
		  "SYMBOL(swapper_pg_dir)=1000000\nSYMBOL(_stext)=100000\n");
	expect_found(&fc, names, 3, want);
	fc_free(&fc);
}

static void test_x86_64_absolute_percpu(void **state)
{
	const uint64_t stext = FC_START_KERNEL_MAP + 0x1000000, tab = 0x4000000;
	const struct sym syms[] = {
		{ 'A', "fixed_percpu_data", 0 }, { 'D', "cpu_number", 0x1a01c },
		{ 'T', "_stext", -1 }, { 'D', "init_task", -1 - 0x1a0c940 },
	};
	const char *const names[] = { "cpu_number", "init_task", "_stext" };
	const uint64_t want[] = { 0x1a01c, stext + 0x1a0c940, stext };
	struct fakecore fc;

	(void)state;
	WHERE("x86_64: absolute per-CPU symbols");
	fc_init(&fc, 4, 0x100000, 16);               /* init_top_pgt at 0x100000 */
	fc_map_range(&fc, FC_START_KERNEL_MAP + tab, tab, TABLE_SIZE);
	lay_table(&fc, tab, FC_START_KERNEL_MAP + tab, stext, syms, sizeof(syms) / sizeof(syms[0]),
		  "OSRELEASE=6.1.0-57-amd64\nPAGESIZE=4096\n"
		  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		  "NUMBER(pgtable_l5_enabled)=0\nSYMBOL(_stext)=ffffffff81000000\n");
	/* cpu_number: the per-CPU offset itself */
	expect_found(&fc, names, 3, want);
	fc_free(&fc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i386),
		cmocka_unit_test(test_s390x),
		cmocka_unit_test(test_x86_64_absolute_percpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

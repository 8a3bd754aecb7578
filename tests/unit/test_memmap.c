/* test_memmap.c - unit tests for lib/filter/memmap: fake x86_64 vmcores
 * (tests/unit/fakecore.c) with 4-level page tables mapping a kernel-image
 * page (the mem_section root array, or the mem_section array itself, or the
 * mem_map pointer) and direct-map pages (the roots), decoded by
 * memmap_build.  SPARSEMEM_EXTREME with SIZE(mem_section) 16 and 32, with
 * OFFSET(mem_section.section_mem_map) 0 and 8, LENGTH(mem_section) equal to
 * NR_SECTION_ROOTS or absent, NUMBER(SECTION_SIZE_BITS/MAX_PHYSMEM_BITS)
 * given or defaulted, SECTION_SIZE_BITS 28: sections present / absent /
 * flagged but not present / present without an address, a NULL root,
 * encoded mem_map = vmemmap_base (struct page of pfn p at vmemmap_base +
 * p * 64) and mem_maps allocated elsewhere, adjacent sections merged only
 * when their struct pages are contiguous, ranges clipped at max_pfn and the
 * sections past it ignored, end_pfn; the non-EXTREME array; FLATMEM via
 * SYMBOL(mem_map); and the errors: neither symbol (DS_ENODATA), no present
 * section (DS_ECORRUPT), missing or bad SIZE/OFFSET/SIZE(page), bad section
 * bits, unreadable roots, root page or mem_map pointer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/memmap.h"
#include "kernel/kernel.h"
#include "fakecore.h"

/* ---- the fake machine ---- */

#define TABLES     0x100000ull
#define DATA       0x200000ull                     /* data region start */
#define DATA_SIZE  0x20000ull
#define KPAGE      DATA                            /* kernel-image page */
#define VKPAGE     (FC_START_KERNEL_MAP + KPAGE)   /* 0xffffffff80200000 */
#define ROOTS_PHYS (DATA + 0x10000)                /* root pages, in order of use */
#define DM(p)      (FC_PAGE_OFFSET_4L + (p))       /* direct-map address of p */
#define VMEMMAP    FC_VMEMMAP_4L
#define PPS        32768ull                        /* pfns per 128 MiB section */
#define SPAGE      64ull                           /* SIZE(page) */

/* mem_maps allocated outside the vmemmap (as with !VMEMMAP SPARSEMEM) */
#define MAPX       0xffff888000400000ull
#define MAPY       0xffff888100000000ull

/* coded section_mem_map of a section whose first struct page is at `map` */
#define CODED(map, nr, flags) ((uint64_t)(map) - (uint64_t)(nr) * PPS * SPAGE + (flags))

struct sec {
	uint64_t nr;
	uint64_t coded;
};

/* The main layout.  Flags: 1 present, 2 has_mem_map, 4 online, 8 early,
 * 16 zone-device taint. */
static const struct sec main_secs[] = {
	{ 0, VMEMMAP | 0x3 },
	{ 1, VMEMMAP | 0x7 },          /* adjacent to 0, struct pages follow */
	/* 2: absent (zero) */
	{ 3, VMEMMAP | 0x2 },          /* has a mem_map but not present */
	{ 4, VMEMMAP | 0x1f },         /* every flag */
	{ 5, 0x1 },                    /* present but no address */
	{ 7, CODED(MAPX, 7, 0x3) },
	{ 8, CODED(MAPY, 8, 0x3) },    /* adjacent to 7, struct pages elsewhere */
	{ 9, CODED(MAPY + PPS * SPAGE, 9, 0x3) },   /* continues 8 */
	/* 256..511: a NULL root (for 16-byte sections) */
	{ 512, VMEMMAP | 0x3 },
	{ 513, VMEMMAP | 0x3 },        /* past max_pfn: never reached */
};

#define MAIN_MAX_PFN (512 * PPS + 1000)

static const struct memmap_range main_want[] = {
	{ 0, 2 * PPS, VMEMMAP },
	{ 4 * PPS, 5 * PPS, VMEMMAP + 4 * PPS * SPAGE },
	{ 7 * PPS, 8 * PPS, MAPX },
	{ 8 * PPS, 10 * PPS, MAPY },
	{ 512 * PPS, MAIN_MAX_PFN, VMEMMAP + 512 * PPS * SPAGE },
};

struct layout {
	unsigned ms_size;              /* SIZE(mem_section) */
	unsigned off_map;              /* OFFSET(mem_section.section_mem_map) */
	bool extreme;
	const char *length;            /* LENGTH(mem_section)= value, NULL: absent */
	bool numbers;                  /* NUMBER(SECTION_SIZE_BITS/MAX_PHYSMEM_BITS) */
	unsigned section_bits;
};

/* Apply `extra` to a VMCOREINFO text: each of its lines replaces the line
 * with the same key (so the key is defined once, whatever the parser does
 * with repeated keys), or is appended. */
static void replace_keys(char *text, size_t cap, const char *extra)
{
	const char *line = extra;

	while (*line) {
		const char *nl = strchr(line, '\n');
		const char *eq = strchr(line, '=');
		size_t line_len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		size_t key_len = (size_t)(eq - line) + 1;     /* with the '=' */
		char *found = NULL;

		assert_non_null(eq);
		for (char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
			if (!strncmp(p, line, key_len)) {
				found = p;
				break;
			}
		if (found) {
			char *end = strchr(found, '\n');

			end = end ? end + 1 : found + strlen(found);
			memmove(found, end, strlen(end) + 1);
		}
		assert_true(strlen(text) + line_len < cap);
		strncat(text, line, line_len);
		line += line_len;
	}
}

/* Build the machine: tables, the kernel page mapped at VKPAGE, root pages
 * mapped in the direct map, the sections, and VMCOREINFO (+ extra lines). */
static void build(struct fakecore *fc, const struct layout *lay, const struct sec *secs,
		  size_t nsecs, const char *extra)
{
	unsigned per_root = 4096 / lay->ms_size;
	uint64_t root_phys[64] = { 0 };
	uint64_t next_root = ROOTS_PHYS;
	char text[2048];
	size_t len;

	fc_init(fc, 4, TABLES, 16);
	fc_add_region(fc, DATA, DATA_SIZE);
	fc_map(fc, VKPAGE, KPAGE, 12, 0);
	for (size_t i = 0; i < nsecs; i++) {
		uint64_t at;

		if (lay->extreme) {
			uint64_t r = secs[i].nr / per_root;

			assert_true(r < 64);
			if (!root_phys[r]) {
				root_phys[r] = next_root;
				next_root += 4096;
				assert_true(next_root <= DATA + DATA_SIZE);
				fc_map(fc, DM(root_phys[r]), root_phys[r], 12, 0);
				fc_put_u64(fc, KPAGE + r * 8, DM(root_phys[r]));
			}
			at = root_phys[r] + (secs[i].nr % per_root) * lay->ms_size;
		} else {
			at = KPAGE + secs[i].nr * lay->ms_size;
			assert_true(at + lay->ms_size <= KPAGE + 4096);
		}
		fc_put_u64(fc, at + lay->off_map, secs[i].coded);
		/* the other members of struct mem_section hold pointers too */
		if (lay->ms_size >= 16)
			fc_put_u64(fc, at + (lay->off_map ? 0 : 8), 0xffff888012345000ull);
	}
	len = (size_t)snprintf(text, sizeof(text),
			       "OSRELEASE=6.1.0-47-amd64\nPAGESIZE=4096\n"
			       "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
			       "SYMBOL(mem_section)=%llx\nSIZE(mem_section)=%u\n"
			       "OFFSET(mem_section.section_mem_map)=%u\nSIZE(page)=%llu\n",
			       (unsigned long long)VKPAGE, lay->ms_size, lay->off_map,
			       (unsigned long long)SPAGE);
	if (lay->length)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"LENGTH(mem_section)=%s\n", lay->length);
	if (lay->numbers)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"NUMBER(SECTION_SIZE_BITS)=%u\nNUMBER(MAX_PHYSMEM_BITS)=46\n",
					lay->section_bits);
	if (extra)
		replace_keys(text, sizeof(text), extra);
	fc_set_vmcoreinfo(fc, text);
}

static void open_ok(struct fakecore *fc, struct fc_open *o)
{
	struct ds_err err = { 0 };
	int r = fc_open_kernel(fc, o, &err);

	if (r != 0)
		fail_msg("%s: kernel_init = %d: %s", where, r, err.msg);
}

static void check_ranges(const struct memmap *mm, const struct memmap_range *want,
			 size_t n, uint64_t end_pfn)
{
	for (size_t i = 0; i < mm->n_ranges && i < n; i++)
		if (mm->ranges[i].start_pfn != want[i].start_pfn ||
		    mm->ranges[i].end_pfn != want[i].end_pfn ||
		    mm->ranges[i].page_vaddr != want[i].page_vaddr)
			fail_msg("%s: range %zu is [0x%llx, 0x%llx) at 0x%llx, expected "
				 "[0x%llx, 0x%llx) at 0x%llx", where, i,
				 (unsigned long long)mm->ranges[i].start_pfn,
				 (unsigned long long)mm->ranges[i].end_pfn,
				 (unsigned long long)mm->ranges[i].page_vaddr,
				 (unsigned long long)want[i].start_pfn,
				 (unsigned long long)want[i].end_pfn,
				 (unsigned long long)want[i].page_vaddr);
	CHECK_EQ(mm->n_ranges, n);
	CHECK_EQ(mm->end_pfn, end_pfn);
}

/* Build, open, memmap_build with max_pfn; expect success. */
static void run_ok(const struct layout *lay, const struct sec *secs, size_t nsecs,
		   const char *extra, uint64_t max_pfn, enum memmap_model model,
		   const struct memmap_range *want, size_t nwant, uint64_t end_pfn)
{
	struct fakecore fc;
	struct fc_open o;
	struct memmap mm;
	struct ds_err err = { 0 };
	int r;

	build(&fc, lay, secs, nsecs, extra);
	open_ok(&fc, &o);
	memset(&mm, 0xa5, sizeof(mm));
	r = memmap_build(&mm, &o.k, max_pfn, &err);
	if (r != 0)
		fail_msg("%s: memmap_build = %d: %s", where, r, err.msg);
	CHECK_EQ(mm.model, model);
	if (model != MEMMAP_FLAT)
		CHECK_EQ(mm.pages_per_section, 1ull << (lay->section_bits - 12));
	check_ranges(&mm, want, nwant, end_pfn);
	memmap_release(&mm);
	CHECK(mm.ranges == NULL);
	CHECK_EQ(mm.n_ranges, 0);
	memmap_release(&mm);
	fc_close(&o);
	fc_free(&fc);
}

/* Build, open, memmap_build; expect failure with status and message. */
static void run_fail(const struct layout *lay, const struct sec *secs, size_t nsecs,
		     const char *extra, uint64_t max_pfn, int status, const char *msg)
{
	struct fakecore fc;
	struct fc_open o;
	struct memmap mm;
	struct ds_err err = { 0 };
	int r;

	build(&fc, lay, secs, nsecs, extra);
	open_ok(&fc, &o);
	r = memmap_build(&mm, &o.k, max_pfn, &err);
	if (r != -status)
		fail_msg("%s: memmap_build = %d (\"%s\"), expected %d", where, r, err.msg,
			 -status);
	CHECK_EQ(err.status, status);
	CHECK_MSG(&err, msg);
	CHECK(mm.ranges == NULL);
	CHECK_EQ(mm.n_ranges, 0);
	memmap_release(&mm);
	fc_close(&o);
	fc_free(&fc);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- SPARSEMEM_EXTREME ---- */

static void test_extreme_layouts(void **state)
{
	/* NR_MEM_SECTIONS = 2^(46-27) = 524288; roots = that / (4096/size) */
	static const struct {
		const char *what;
		struct layout lay;
	} cases[] = {
		{ "EXTREME, SIZE 16, LENGTH 2048",
		  { 16, 0, true, "2048", true, 27 } },
		{ "EXTREME, SIZE 32, LENGTH 4096",
		  { 32, 0, true, "4096", true, 27 } },
		{ "EXTREME, SIZE 32, OFFSET 8",
		  { 32, 8, true, "4096", true, 27 } },
		{ "EXTREME, LENGTH absent",
		  { 16, 0, true, NULL, true, 27 } },
		{ "EXTREME, section bits from the x86_64 defaults",
		  { 16, 0, true, "2048", false, 27 } },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		WHERE("%s", cases[i].what);
		run_ok(&cases[i].lay, main_secs, N(main_secs), NULL, MAIN_MAX_PFN,
		       MEMMAP_SPARSE_EXTREME, main_want, N(main_want), MAIN_MAX_PFN);
	}
}

/* max_pfn at various places */
static void test_extreme_max_pfn(void **state)
{
	static const struct layout lay = { 16, 0, true, "2048", true, 27 };

	(void)state;
	{
		static const struct memmap_range want[] = { { 0, 1000, VMEMMAP } };

		WHERE("max_pfn inside the first section");
		run_ok(&lay, main_secs, N(main_secs), NULL, 1000, MEMMAP_SPARSE_EXTREME,
		       want, N(want), 1000);
	}
	{
		static const struct memmap_range want[] = { { 0, 2 * PPS, VMEMMAP } };

		WHERE("max_pfn at the end of section 1");
		run_ok(&lay, main_secs, N(main_secs), NULL, 2 * PPS, MEMMAP_SPARSE_EXTREME,
		       want, N(want), 2 * PPS);
	}
	{
		/* sections 8 and 9 merge, then 9 is cut */
		static const struct memmap_range want[] = {
			{ 0, 2 * PPS, VMEMMAP },
			{ 4 * PPS, 5 * PPS, VMEMMAP + 4 * PPS * SPAGE },
			{ 7 * PPS, 8 * PPS, MAPX },
			{ 8 * PPS, 9 * PPS + 5, MAPY },
		};

		WHERE("max_pfn just inside section 9");
		run_ok(&lay, main_secs, N(main_secs), NULL, 9 * PPS + 5, MEMMAP_SPARSE_EXTREME,
		       want, N(want), 9 * PPS + 5);
	}
	{
		/* beyond everything: 513 is the last present section */
		static const struct memmap_range want[] = {
			{ 0, 2 * PPS, VMEMMAP },
			{ 4 * PPS, 5 * PPS, VMEMMAP + 4 * PPS * SPAGE },
			{ 7 * PPS, 8 * PPS, MAPX },
			{ 8 * PPS, 10 * PPS, MAPY },
			{ 512 * PPS, 514 * PPS, VMEMMAP + 512 * PPS * SPAGE },
		};

		WHERE("max_pfn far past the last section");
		run_ok(&lay, main_secs, N(main_secs), NULL, 600 * PPS, MEMMAP_SPARSE_EXTREME,
		       want, N(want), 514 * PPS);
	}
}

/* 256 MiB sections (SECTION_SIZE_BITS 28): 65536 pfns each. */
static void test_section_bits_28(void **state)
{
	static const struct layout lay = { 16, 0, true, "1024", true, 28 };
	static const struct sec secs[] = {
		{ 0, VMEMMAP | 0x3 },
		{ 2, VMEMMAP | 0x3 },
		{ 3, 0x0 },
	};
	static const struct memmap_range want[] = {
		{ 0, 65536, VMEMMAP },
		{ 131072, 150000, VMEMMAP + 131072 * SPAGE },
	};
	static const struct memmap_range want_all[] = {
		{ 0, 65536, VMEMMAP },
		{ 131072, 196608, VMEMMAP + 131072 * SPAGE },
	};

	(void)state;
	WHERE("SECTION_SIZE_BITS 28, max_pfn inside section 2");
	run_ok(&lay, secs, N(secs), NULL, 150000, MEMMAP_SPARSE_EXTREME, want, N(want), 150000);
	WHERE("SECTION_SIZE_BITS 28, max_pfn past section 2");
	run_ok(&lay, secs, N(secs), NULL, 250000, MEMMAP_SPARSE_EXTREME, want_all,
	       N(want_all), 196608);
}

/* ---- SPARSEMEM without EXTREME: the array itself at SYMBOL(mem_section) ---- */

static void test_sparse_static(void **state)
{
	static const struct sec secs[] = {
		{ 0, VMEMMAP | 0x3 },
		{ 1, VMEMMAP | 0x3 },
		{ 3, CODED(MAPX, 3, 0x1) },
		{ 4, VMEMMAP | 0x2 },          /* not present */
		{ 6, VMEMMAP | 0x3 },
		{ 9, VMEMMAP | 0x3 },          /* past max_pfn */
	};
	static const struct memmap_range want[] = {
		{ 0, 2 * PPS, VMEMMAP },
		{ 3 * PPS, 4 * PPS, MAPX },
		{ 6 * PPS, 6 * PPS + 77, VMEMMAP + 6 * PPS * SPAGE },
	};
	/* LENGTH = NR_MEM_SECTIONS, not the root count: not EXTREME */
	static const struct layout lay = { 16, 0, false, "524288", true, 27 };
	static const struct layout lay32 = { 32, 8, false, "524288", true, 27 };

	(void)state;
	WHERE("SPARSEMEM, static array, SIZE 16");
	run_ok(&lay, secs, N(secs), NULL, 6 * PPS + 77, MEMMAP_SPARSE, want, N(want),
	       6 * PPS + 77);
	WHERE("SPARSEMEM, static array, SIZE 32, OFFSET 8");
	run_ok(&lay32, secs, N(secs), NULL, 6 * PPS + 77, MEMMAP_SPARSE, want, N(want),
	       6 * PPS + 77);
	/* scanning past the mapped page of the array: the read fails and the
	 * message names the section (4096 / 16 = 256 is the first unmapped) */
	WHERE("SPARSEMEM, static array runs into unmapped memory");
	run_fail(&lay, secs, N(secs), NULL, 300 * PPS, DS_ENODATA, "mem_section 256");
}

/* ---- FLATMEM ---- */

static void test_flatmem(void **state)
{
	const uint64_t map = 0xffff888001000000ull;
	struct fakecore fc;
	struct fc_open o;
	struct memmap mm;
	struct ds_err err = { 0 };
	int r;

	(void)state;
	WHERE("FLATMEM");
	fc_init(&fc, 4, TABLES, 16);
	fc_add_region(&fc, DATA, DATA_SIZE);
	fc_map(&fc, VKPAGE, KPAGE, 12, 0);
	fc_put_u64(&fc, KPAGE + 0x800, map);
	fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
			  "SYMBOL(mem_map)=ffffffff80200800\nSIZE(page)=64\n");
	open_ok(&fc, &o);
	r = memmap_build(&mm, &o.k, 262144, &err);
	if (r)
		fail_msg("%s: memmap_build = %d: %s", where, r, err.msg);
	CHECK_EQ(mm.model, MEMMAP_FLAT);
	CHECK_EQ(mm.n_ranges, 1);
	CHECK_EQ(mm.ranges[0].start_pfn, 0);
	CHECK_EQ(mm.ranges[0].end_pfn, 262144);
	CHECK_EQ(mm.ranges[0].page_vaddr, map);
	CHECK_EQ(mm.end_pfn, 262144);
	memmap_release(&mm);
	fc_close(&o);

	WHERE("FLATMEM, no SIZE(page)");
	fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
			  "SYMBOL(mem_map)=ffffffff80200800\n");
	open_ok(&fc, &o);
	r = memmap_build(&mm, &o.k, 262144, &err);
	CHECK_EQ(r, -DS_ENODATA);
	CHECK_MSG(&err, "SIZE(page)");
	memmap_release(&mm);
	fc_close(&o);

	WHERE("FLATMEM, mem_map pointer unreadable");
	fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
			  "SYMBOL(mem_map)=ffffffff80300000\nSIZE(page)=64\n");
	open_ok(&fc, &o);
	r = memmap_build(&mm, &o.k, 262144, &err);
	CHECK(r < 0);
	CHECK_MSG(&err, "mem_map");
	CHECK_MSG(&err, "not mapped");
	memmap_release(&mm);
	fc_close(&o);
	fc_free(&fc);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	static const struct layout lay = { 16, 0, true, "2048", true, 27 };
	static const struct sec none_present[] = {
		{ 0, 0 }, { 1, VMEMMAP | 0x2 }, { 2, 0x1 }, { 300, 0 },
	};
	/* a root pointer into nothing: root 0 points to an unmapped page */
	static const struct sec one[] = { { 0, VMEMMAP | 0x3 } };

	(void)state;
	WHERE("no present section");
	run_fail(&lay, none_present, N(none_present), NULL, 400 * PPS, DS_ECORRUPT,
		 "no present section");
	WHERE("all roots NULL");
	run_fail(&lay, NULL, 0, NULL, 400 * PPS, DS_ECORRUPT, "no present section");
	WHERE("max_pfn 0");
	run_fail(&lay, main_secs, N(main_secs), NULL, 0, DS_ECORRUPT, "no present section");

	/* neither SYMBOL(mem_section) nor SYMBOL(mem_map) */
	{
		struct fakecore fc;
		struct fc_open o;
		struct memmap mm;
		struct ds_err err = { 0 };

		WHERE("neither mem_section nor mem_map");
		fc_init(&fc, 4, TABLES, 16);
		fc_set_vmcoreinfo(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
				  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
				  "SIZE(mem_section)=16\nSIZE(page)=64\n");
		open_ok(&fc, &o);
		CHECK_EQ(memmap_build(&mm, &o.k, 1000, &err), -DS_ENODATA);
		CHECK_EQ(err.status, DS_ENODATA);
		CHECK_MSG(&err, "SYMBOL(mem_section)");
		CHECK_MSG(&err, "SYMBOL(mem_map)");
		memmap_release(&mm);
		fc_close(&o);
		fc_free(&fc);
	}

	/* VMCOREINFO problems: each extra line replaces the standard one */
	static const struct {
		const char *what;
		const char *extra;
		int status;
		const char *msg;
	} bad_keys[] = {
		{ "SIZE(mem_section) malformed", "SIZE(mem_section)=x\n", DS_ENODATA,
		  "SIZE(mem_section)" },
		{ "SIZE(mem_section) 0", "SIZE(mem_section)=0\n", DS_ENODATA,
		  "SIZE(mem_section)" },
		{ "SIZE(mem_section) 8192", "SIZE(mem_section)=8192\n", DS_ENODATA,
		  "SIZE(mem_section)" },
		{ "OFFSET past SIZE", "OFFSET(mem_section.section_mem_map)=12\n", DS_ENODATA,
		  "OFFSET(mem_section.section_mem_map)" },
		{ "SIZE(page) 0", "SIZE(page)=0\n", DS_ECORRUPT, "SIZE(page)" },
		{ "SIZE(page) malformed", "SIZE(page)=sixty-four\n", DS_ENODATA, "SIZE(page)" },
		{ "SECTION_SIZE_BITS <= PAGE_SHIFT", "NUMBER(SECTION_SIZE_BITS)=12\n",
		  DS_ECORRUPT, "SECTION_SIZE_BITS" },
		{ "MAX_PHYSMEM_BITS < SECTION_SIZE_BITS", "NUMBER(MAX_PHYSMEM_BITS)=20\n",
		  DS_ECORRUPT, "MAX_PHYSMEM_BITS" },
		{ "MAX_PHYSMEM_BITS 65", "NUMBER(MAX_PHYSMEM_BITS)=65\n", DS_ECORRUPT,
		  "MAX_PHYSMEM_BITS" },
		{ "SYMBOL(mem_section) unmapped", "SYMBOL(mem_section)=ffffffff80300000\n",
		  DS_ENODATA, "mem_section roots" },
	};
	for (size_t i = 0; i < N(bad_keys); i++) {
		WHERE("%s", bad_keys[i].what);
		run_fail(&lay, main_secs, N(main_secs), bad_keys[i].extra, MAIN_MAX_PFN,
			 bad_keys[i].status, bad_keys[i].msg);
	}

	/* a root that points at an unmapped page */
	{
		struct fakecore fc;
		struct fc_open o;
		struct memmap mm;
		struct ds_err err = { 0 };

		WHERE("root pointer to an unmapped page");
		build(&fc, &lay, one, N(one), NULL);
		fc_put_u64(&fc, KPAGE + 8, DM(0x7000000));   /* root 1: sections 256.. */
		open_ok(&fc, &o);
		CHECK_EQ(memmap_build(&mm, &o.k, 300 * PPS, &err), -DS_ENODATA);
		CHECK_MSG(&err, "mem_section 256");
		CHECK_MSG(&err, "not mapped");
		memmap_release(&mm);
		fc_close(&o);
		fc_free(&fc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extreme_layouts),
		cmocka_unit_test(test_extreme_max_pfn),
		cmocka_unit_test(test_section_bits_28),
		cmocka_unit_test(test_sparse_static),
		cmocka_unit_test(test_flatmem),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

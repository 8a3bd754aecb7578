/* test_kdump_write.c - unit tests for lib/format/kdump_write: the layout
 * (kdump_layout_compute) for a table of inputs; every field offset of the
 * 464-byte main header and the 104-byte sub header (kdump-format.md
 * §1.2-1.3), max_mapnr clipped to UINT32_MAX in the main header only; then
 * complete small dumps written to temporary files through kdump_writer_open /
 * add_zero / add_page / finish and parsed back: header INCOMPLETE until
 * finish, sub
 * header and notes, both bitmaps at their offsets (holes, excluded pfns),
 * one descriptor per 2nd-bitmap bit in pfn order (the shared zero page at
 * data_off, raw pages, "compressed" pages), the page bytes, the file size;
 * a dump large enough to flush the data and descriptor buffers; the same
 * dumps through a flattened-stream sink (-F: main header first, records,
 * end marker) rebuilt with flat_rearrange into the identical file; the null
 * sink (--dry-run); and the misuse errors: more pages than planned, finish short,
 * add_zero without exclude_zero, raw page of the wrong size, compressed page
 * of block size, empty and oversized pages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/keepmap.h"
#include "format/kdump_write.h"
#include "io/sink.h"

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* The C layouts of the two headers, as gcc lays them out for x86_64 (and
 * every LP64 machine) and for i686: where the fields of check_dump are. */
struct hdr_layout {
	unsigned hdr, sub;           /* sizes */
	unsigned long_size;
	unsigned timestamp, status;  /* main header: tv_sec; status, block_size ... */
	unsigned vmcoreinfo, note, pfn64;   /* sub header */
};

static const struct hdr_layout lay_lp64 = { 464, 104, 8, 408, 424, 32, 48, 80 };
static const struct hdr_layout lay_i386 = { 452, 80, 4, 404, 412, 20, 32, 56 };

static const struct hdr_layout *lay(const struct kdump_params *p)
{
	return p->mach.word_size == 4 ? &lay_i386 : &lay_lp64;
}

/* integers of the dumped machine */
static uint32_t m32(const struct kdump_params *p, const uint8_t *at)
{
	return bytes_get_u32(p->mach.big_endian, at);
}

static uint64_t m64(const struct kdump_params *p, const uint8_t *at)
{
	return bytes_get_u64(p->mach.big_endian, at);
}

static uint64_t mlong(const struct kdump_params *p, const uint8_t *at)
{
	return bytes_get_uint(p->mach.big_endian, at, lay(p)->long_size);
}

/* ---- layout ---- */

struct layout_case {
	uint32_t block;
	uint64_t max_mapnr, notes_size, ndump;
	uint32_t sub_blocks;
	uint64_t bitmap_bytes, b1, b2, desc, data;
};

static const struct layout_case layout_cases[] = {
	/* the brief's example: 1 GiB of 4 KiB pages, 1000 bytes of notes */
	{ 4096, 262144, 1000, 0, 1, 32768, 8192, 40960, 73728, 73728 },
	{ 4096, 262144, 1000, 1, 1, 32768, 8192, 40960, 73728, 73728 + 24 },
	{ 4096, 262144, 1000, 200000, 1, 32768, 8192, 40960, 73728, 73728 + 24 * 200000ull },
	/* sub header + notes just fit one block, then need two */
	{ 4096, 262144, 4096 - 104, 5, 1, 32768, 8192, 40960, 73728, 73728 + 120 },
	{ 4096, 262144, 4096 - 103, 5, 2, 32768, 12288, 45056, 77824, 77824 + 120 },
	/* no notes: still one block */
	{ 4096, 262144, 0, 0, 1, 32768, 8192, 40960, 73728, 73728 },
	/* a bitmap that is not a block multiple is rounded up */
	{ 4096, 100, 1000, 82, 1, 4096, 8192, 12288, 16384, 16384 + 24 * 82 },
	{ 4096, 32769, 1000, 3, 1, 8192, 8192, 16384, 24576, 24576 + 72 },
	{ 4096, 1, 1000, 1, 1, 4096, 8192, 12288, 16384, 16384 + 24 },
	/* max_mapnr 0: one block each anyway */
	{ 4096, 0, 1000, 0, 1, 4096, 8192, 12288, 16384, 16384 },
	/* 64 KiB pages (arm64/ppc64) */
	{ 65536, 1u << 20, 3000, 10, 1, 131072, 131072, 262144, 393216, 393216 + 240 },
	/* 16 TiB of 4 KiB pages: max_mapnr > UINT32_MAX */
	{ 4096, 1ull << 32, 2000, 7, 1, 1ull << 29, 8192, 8192 + (1ull << 29),
	  8192 + (2ull << 29), 8192 + (2ull << 29) + 168 },
};

static void test_layout(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(layout_cases) / sizeof(layout_cases[0]); i++) {
		const struct layout_case *c = &layout_cases[i];
		struct kdump_params p;
		struct kdump_layout l;

		WHERE("layout: block %u max_mapnr %llu notes %llu N %llu", c->block,
		      (unsigned long long)c->max_mapnr, (unsigned long long)c->notes_size,
		      (unsigned long long)c->ndump);
		memset(&p, 0, sizeof(p));
		p.block_size = c->block;
		p.max_mapnr = c->max_mapnr;
		p.notes_size = c->notes_size;
		memset(&l, 0xa5, sizeof(l));
		kdump_layout_compute(&p, c->ndump, &l);
		CHECK_EQ(l.sub_hdr_blocks, c->sub_blocks);
		CHECK_EQ(l.bitmap_bytes, c->bitmap_bytes);
		CHECK_EQ(l.bitmap1_off, c->b1);
		CHECK_EQ(l.bitmap2_off, c->b2);
		CHECK_EQ(l.desc_off, c->desc);
		CHECK_EQ(l.data_off, c->data);
		CHECK_EQ(l.num_dumpable, c->ndump);
	}
}

/* ---- headers ---- */

static void fill_params(struct kdump_params *p)
{
	static const char *const uts[6] = {
		"Linux", "crashbox", "6.1.0-47-amd64",
		"#1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)", "x86_64", "(none)",
	};

	memset(p, 0, sizeof(*p));
	p->block_size = 4096;
	p->max_mapnr = 262144;
	p->notes_size = 1000;
	p->vmcoreinfo_off = 700;
	p->vmcoreinfo_size = 290;
	for (int i = 0; i < 6; i++)
		snprintf(p->utsname[i], KDUMP_UTS_LEN, "%s", uts[i]);
	p->crashtime = 0x1122334455667788ull;
	p->nr_cpus = 3;
	p->phys_base = 0x4000000;
	p->dump_level = 31;
	p->status = 0x20 | KDUMP_STATUS_EXCLUDED_VMEMMAP;
	p->exclude_zero = true;
}

static void test_main_header(void **state)
{
	struct kdump_params p;
	struct kdump_layout l;
	uint8_t h[KDUMP_MAIN_HEADER_SIZE + 16];

	(void)state;
	WHERE("main header");
	CHECK_EQ(KDUMP_MAIN_HEADER_SIZE, 464);
	fill_params(&p);
	kdump_layout_compute(&p, 1234, &l);
	memset(h, 0xcc, sizeof(h));
	kdump_encode_main_header(&p, &l, h);
	CHECK(memcmp(h, "KDUMP   ", 8) == 0);
	CHECK_EQ(get_u32(h + 8), 6);
	for (int i = 0; i < 6; i++) {
		WHERE("main header: utsname[%d]", i);
		CHECK(memcmp(h + 12 + 65 * i, p.utsname[i], 65) == 0);
	}
	WHERE("main header");
	assert_string_equal((const char *)h + 12, "Linux");
	assert_string_equal((const char *)h + 12 + 65, "crashbox");
	assert_string_equal((const char *)h + 12 + 130, "6.1.0-47-amd64");
	assert_string_equal((const char *)h + 12 + 260, "x86_64");
	assert_string_equal((const char *)h + 12 + 325, "(none)");
	/* padding 402..407 */
	for (int i = 402; i < 408; i++)
		CHECK_EQ(h[i], 0);
	CHECK_EQ(get_u64(h + 408), 0x1122334455667788ull);   /* tv_sec */
	CHECK_EQ(get_u64(h + 416), 0);                       /* tv_usec */
	CHECK_EQ(get_u32(h + 424), 0x30);                    /* status */
	CHECK_EQ(get_u32(h + 428), 4096);                    /* block_size */
	CHECK_EQ(get_u32(h + 432), 1);                       /* sub_hdr_size */
	CHECK_EQ(get_u32(h + 436), 2 * 32768 / 4096);        /* bitmap_blocks = 16 */
	CHECK_EQ(get_u32(h + 440), 262144);                  /* max_mapnr */
	CHECK_EQ(get_u32(h + 444), 0);                       /* total_ram_blocks */
	CHECK_EQ(get_u32(h + 448), 0);                       /* device_blocks */
	CHECK_EQ(get_u32(h + 452), 0);                       /* written_blocks */
	CHECK_EQ(get_u32(h + 456), 0);                       /* current_cpu */
	CHECK_EQ(get_u32(h + 460), 3);                       /* nr_cpus */
	/* nothing written past 464 */
	for (size_t i = KDUMP_MAIN_HEADER_SIZE; i < sizeof(h); i++)
		CHECK_EQ(h[i], 0xcc);

	/* a 65-byte utsname field with no NUL is copied whole */
	WHERE("main header: full-length utsname");
	memset(p.utsname[3], 'v', KDUMP_UTS_LEN);
	kdump_encode_main_header(&p, &l, h);
	CHECK_EQ(h[12 + 3 * 65], 'v');
	CHECK_EQ(h[12 + 3 * 65 + 64], 'v');
	CHECK_EQ(h[12 + 4 * 65], 'x');

	/* max_mapnr above 32 bits: clipped here, whole in the sub header */
	WHERE("main header: max_mapnr 2^32 + 5");
	p.max_mapnr = (1ull << 32) + 5;
	kdump_layout_compute(&p, 1, &l);
	kdump_encode_main_header(&p, &l, h);
	CHECK_EQ(get_u32(h + 440), UINT32_MAX);
	CHECK_EQ(get_u32(h + 436), 2 * l.bitmap_bytes / 4096);
	CHECK_EQ(get_u32(h + 436), 2 * 131073);
	p.max_mapnr = UINT32_MAX;
	kdump_layout_compute(&p, 1, &l);
	kdump_encode_main_header(&p, &l, h);
	CHECK_EQ(get_u32(h + 440), UINT32_MAX);

	/* 64 KiB blocks */
	WHERE("main header: 64 KiB blocks");
	fill_params(&p);
	p.block_size = 65536;
	p.max_mapnr = 1u << 20;
	p.notes_size = 70000;
	kdump_layout_compute(&p, 1, &l);
	kdump_encode_main_header(&p, &l, h);
	CHECK_EQ(get_u32(h + 428), 65536);
	CHECK_EQ(get_u32(h + 432), 2);                       /* (104+70000)/64K up */
	CHECK_EQ(get_u32(h + 436), 4);                       /* 2 * 128 KiB / 64 KiB */
}

static void test_sub_header(void **state)
{
	struct kdump_params p;
	struct kdump_layout l;
	uint8_t s[KDUMP_SUB_HEADER_SIZE + 16];

	(void)state;
	WHERE("sub header");
	CHECK_EQ(KDUMP_SUB_HEADER_SIZE, 104);
	fill_params(&p);
	p.max_mapnr = (1ull << 32) + 5;
	kdump_layout_compute(&p, 10, &l);
	memset(s, 0xcc, sizeof(s));
	kdump_encode_sub_header(&p, &l, s);
	CHECK_EQ(get_u64(s + 0), 0x4000000);                 /* phys_base */
	CHECK_EQ(get_u32(s + 8), 31);                        /* dump_level */
	CHECK_EQ(get_u32(s + 12), 0);                        /* split */
	CHECK_EQ(get_u64(s + 16), 0);                        /* start_pfn */
	CHECK_EQ(get_u64(s + 24), 0);                        /* end_pfn */
	CHECK_EQ(get_u64(s + 32), 4096 + 104 + 700);         /* offset_vmcoreinfo */
	CHECK_EQ(get_u64(s + 40), 290);                      /* size_vmcoreinfo */
	CHECK_EQ(get_u64(s + 48), 4096 + 104);               /* offset_note */
	CHECK_EQ(get_u64(s + 56), 1000);                     /* size_note */
	CHECK_EQ(get_u64(s + 64), 0);                        /* offset_eraseinfo */
	CHECK_EQ(get_u64(s + 72), 0);                        /* size_eraseinfo */
	CHECK_EQ(get_u64(s + 80), 0);                        /* start_pfn_64 */
	CHECK_EQ(get_u64(s + 88), 0);                        /* end_pfn_64 */
	CHECK_EQ(get_u64(s + 96), (1ull << 32) + 5);         /* max_mapnr_64 */
	for (size_t i = KDUMP_SUB_HEADER_SIZE; i < sizeof(s); i++)
		CHECK_EQ(s[i], 0xcc);

	WHERE("sub header: phys_base 0, dump level 1, 64 KiB blocks");
	p.phys_base = 0;
	p.dump_level = 1;
	p.block_size = 65536;
	kdump_layout_compute(&p, 10, &l);
	kdump_encode_sub_header(&p, &l, s);
	CHECK_EQ(get_u64(s + 0), 0);
	CHECK_EQ(get_u32(s + 8), 1);
	CHECK_EQ(get_u64(s + 32), 65536 + 104 + 700);
	CHECK_EQ(get_u64(s + 48), 65536 + 104);

	/* no VMCOREINFO, no notes: those fields stay 0 */
	WHERE("sub header: no notes");
	p.notes_size = 0;
	p.vmcoreinfo_off = 0;
	p.vmcoreinfo_size = 0;
	kdump_encode_sub_header(&p, &l, s);
	CHECK_EQ(get_u64(s + 32), 0);
	CHECK_EQ(get_u64(s + 40), 0);
	CHECK_EQ(get_u64(s + 48), 0);
	CHECK_EQ(get_u64(s + 56), 0);
}

/* ---- complete dumps ---- */

/* Every temporary file, removed at exit even when a test fails midway. */
static char temp_paths[64][64];
static unsigned n_temp_paths;

static void remove_temp_files(void)
{
	for (unsigned i = 0; i < n_temp_paths; i++)
		unlink(temp_paths[i]);
}

static int temp_file(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/test_kdump_write.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	if (n_temp_paths < 64)
		snprintf(temp_paths[n_temp_paths++], sizeof(temp_paths[0]), "%s", path);
	return fd;
}

static uint8_t *slurp(const char *path, size_t *ret_size)
{
	struct stat st;
	uint8_t *b;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(pread(fd, b, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*ret_size = (size_t)st.st_size;
	return b;
}

static uint8_t page_byte(uint64_t pfn, size_t i)
{
	return (uint8_t)(pfn * 31 + i * 7 + (i >> 8) + 1);
}

/* How each dumped pfn is stored in these tests. */
enum store { ST_ZERO, ST_RAW, ST_COMP };

/* Small dump: 100 pfns, hole 40..47, excluded 10..19 and 70, zero pages
 * (shared) every 7th pfn, "compressed" (flag zlib, 100+pfn bytes) every
 * 3rd, raw otherwise. */
static enum store small_store(uint64_t pfn)
{
	if (pfn % 7 == 0)
		return ST_ZERO;
	if (pfn % 3 == 0)
		return ST_COMP;
	return ST_RAW;
}

static void small_params(struct kdump_params *p, uint8_t *notes)
{
	fill_params(p);
	p->max_mapnr = 100;
	for (unsigned i = 0; i < 1000; i++)
		notes[i] = (uint8_t)(i * 3 + 5);
	p->notes = notes;
	p->notes_size = 1000;
	p->vmcoreinfo_off = 700;
	p->vmcoreinfo_size = 290;
}

static void small_keepmap(struct keepmap *km)
{
	struct ds_err err = { 0 };

	CHECK_EQ(keepmap_init(km, 100, &err), 0);
	keepmap_add_present(km, 0, 40);
	keepmap_add_present(km, 48, 100);
	keepmap_exclude(km, 10, 20);
	keepmap_exclude(km, 70, 71);
}

/* Feed every dumped pfn of km to w according to store_of. */
static void feed(struct kdump_writer *w, const struct keepmap *km,
		 enum store (*store_of)(uint64_t), uint32_t block)
{
	uint8_t *page = malloc(block);
	struct ds_err err = { 0 };

	assert_non_null(page);
	for (uint64_t pfn = keepmap_next_dumped(km, 0); pfn < km->npfn;
	     pfn = keepmap_next_dumped(km, pfn + 1)) {
		int r;

		for (size_t i = 0; i < block; i++)
			page[i] = page_byte(pfn, i);
		switch (store_of(pfn)) {
		case ST_ZERO:
			r = kdump_writer_add_zero(w, pfn, &err);
			break;
		case ST_COMP:
			r = kdump_writer_add_page(w, pfn, page, (uint32_t)(100 + pfn % 50), 0x1, &err);
			break;
		default:
			r = kdump_writer_add_page(w, pfn, page, block, 0, &err);
			break;
		}
		if (r != 0)
			fail_msg("%s: adding pfn %llu: %d %s", where,
				 (unsigned long long)pfn, r, err.msg);
	}
	free(page);
}

/* Parse a written dump back and check everything against km/p/store_of. */
static void check_dump(const uint8_t *f, size_t size, const struct kdump_params *p,
		       const struct keepmap *km, enum store (*store_of)(uint64_t))
{
	const uint32_t B = p->block_size;
	struct kdump_layout l;
	uint8_t want_hdr[KDUMP_MAIN_HEADER_SIZE], want_sub[KDUMP_SUB_HEADER_SIZE];
	uint64_t n = keepmap_count_dumped(km), expect_size;

	kdump_layout_compute(p, n, &l);
	CHECK(size >= l.data_off);

	/* main header: as encoded, and spot-checked by hand */
	const struct hdr_layout *L = lay(p);

	kdump_encode_main_header(p, &l, want_hdr);
	CHECK(memcmp(f, want_hdr, L->hdr) == 0);
	CHECK(memcmp(f, "KDUMP   ", 8) == 0);
	CHECK_EQ(m32(p, f + 8), 6);
	CHECK_EQ(mlong(p, f + L->timestamp), p->crashtime & (L->long_size == 4 ? 0xffffffffu
							      : UINT64_MAX));
	CHECK_EQ(m32(p, f + L->status), p->status);
	CHECK_EQ(m32(p, f + L->status + 4), B);
	CHECK_EQ(m32(p, f + L->status + 8), l.sub_hdr_blocks);
	CHECK_EQ(m32(p, f + L->status + 12), 2 * l.bitmap_bytes / B);
	CHECK_EQ(m32(p, f + L->status + 16), p->max_mapnr);
	CHECK_EQ(m32(p, f + L->status + 36), p->nr_cpus);
	for (size_t i = L->hdr; i < B; i++)
		if (f[i])
			fail_msg("%s: byte %zu of block 0 is 0x%02x", where, i, f[i]);

	/* sub header and the notes right after it */
	kdump_encode_sub_header(p, &l, want_sub);
	CHECK(memcmp(f + B, want_sub, L->sub) == 0);
	CHECK_EQ(mlong(p, f + B), p->phys_base);
	CHECK_EQ(m64(p, f + B + L->pfn64 + 16), p->max_mapnr);
	if (p->notes_size) {
		CHECK_EQ(m64(p, f + B + L->note), B + L->sub);
		CHECK_EQ(mlong(p, f + B + L->note + 8), p->notes_size);
		CHECK(memcmp(f + B + L->sub, p->notes, p->notes_size) == 0);
	}
	if (p->vmcoreinfo_size) {
		CHECK_EQ(mlong(p, f + B + L->vmcoreinfo + 8), p->vmcoreinfo_size);
		CHECK(memcmp(f + m64(p, f + B + L->vmcoreinfo), p->notes + p->vmcoreinfo_off,
			     p->vmcoreinfo_size) == 0);
	}

	/* bitmaps: each pfn's bit where the format says */
	const uint8_t *bm1 = f + l.bitmap1_off, *bm2 = f + l.bitmap2_off;
	CHECK_EQ(l.bitmap1_off, (1 + (uint64_t)l.sub_hdr_blocks) * B);
	for (uint64_t pfn = 0; pfn < l.bitmap_bytes * 8; pfn++) {
		int b1 = bm1[pfn >> 3] >> (pfn & 7) & 1, b2 = bm2[pfn >> 3] >> (pfn & 7) & 1;

		if (b1 != (int)keepmap_is_present(km, pfn) || b2 != (int)keepmap_is_dumped(km, pfn))
			fail_msg("%s: pfn %llu: bitmap bits %d/%d, keepmap %d/%d", where,
				 (unsigned long long)pfn, b1, b2, keepmap_is_present(km, pfn),
				 keepmap_is_dumped(km, pfn));
	}

	/* descriptors in pfn order, and the data they point at */
	uint64_t idx = 0, pos = l.data_off;
	if (p->exclude_zero) {
		for (uint32_t i = 0; i < B; i++)
			if (f[l.data_off + i])
				fail_msg("%s: shared zero page byte %u is 0x%02x", where, i,
					 f[l.data_off + i]);
		pos += B;
	}
	for (uint64_t pfn = 0; pfn < km->npfn; pfn++) {
		if (!keepmap_is_dumped(km, pfn))
			continue;
		const uint8_t *d = f + l.desc_off + 24 * idx;
		uint64_t off = m64(p, d);
		uint32_t dsize = m32(p, d + 8), flags = m32(p, d + 12);

		if (m64(p, d + 16) != 0)
			fail_msg("%s: pfn %llu: page_flags not 0", where, (unsigned long long)pfn);
		switch (store_of(pfn)) {
		case ST_ZERO:
			if (off != l.data_off || dsize != B || flags != 0)
				fail_msg("%s: pfn %llu (zero): desc %llu/%u/%u, expected %llu/%u/0",
					 where, (unsigned long long)pfn, (unsigned long long)off,
					 dsize, flags, (unsigned long long)l.data_off, B);
			break;
		case ST_COMP:
			if (off != pos || dsize != 100 + pfn % 50 || flags != 1)
				fail_msg("%s: pfn %llu (comp): desc %llu/%u/%u, expected %llu/%llu/1",
					 where, (unsigned long long)pfn, (unsigned long long)off,
					 dsize, flags, (unsigned long long)pos,
					 (unsigned long long)(100 + pfn % 50));
			CHECK(dsize < B);
			break;
		case ST_RAW:
			if (off != pos || dsize != B || flags != 0)
				fail_msg("%s: pfn %llu (raw): desc %llu/%u/%u, expected %llu/%u/0",
					 where, (unsigned long long)pfn, (unsigned long long)off,
					 dsize, flags, (unsigned long long)pos, B);
			break;
		}
		if (store_of(pfn) != ST_ZERO) {
			for (uint32_t i = 0; i < dsize; i++)
				if (f[off + i] != page_byte(pfn, i))
					fail_msg("%s: pfn %llu data byte %u is 0x%02x, expected 0x%02x",
						 where, (unsigned long long)pfn, i, f[off + i],
						 page_byte(pfn, i));
			pos += dsize;
		}
		idx++;
	}
	CHECK_EQ(idx, n);
	expect_size = pos;
	CHECK_EQ(size, expect_size);
}

/* The small dump of one machine: x86_64 (and every little-endian LP64
 * machine), big-endian LP64 (s390x), i386. */
static struct machine small_mach;

static void test_small_dump(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	uint8_t notes[1000], peek[8];
	char path[64];
	uint64_t bytes = 0;
	size_t size;
	uint8_t *f;
	int fd, r;

	(void)state;
	WHERE("small dump (%s, %u-byte longs)", small_mach.big_endian ? "big-endian" : "little-endian",
	      small_mach.word_size ? small_mach.word_size : 8);
	small_params(&p, notes);
	p.mach = small_mach;
	small_keepmap(&km);
	CHECK_EQ(keepmap_count_dumped(&km), 100 - 8 - 10 - 1);
	fd = temp_file(path, sizeof(path));
	sink_file_init(&sink, fd, path);
	r = kdump_writer_open(&w, &sink, &p, &km, &err);
	if (r)
		fail_msg("%s: kdump_writer_open = %d: %s", where, r, err.msg);
	feed(w, &km, small_store, p.block_size);

	/* before finish the header is there, saying incomplete */
	memset(peek, 0xcc, sizeof(peek));
	CHECK_EQ(pread(fd, peek, 8, 0), 8);
	CHECK(memcmp(peek, "KDUMP   ", 8) == 0);
	CHECK_EQ(pread(fd, peek, 4, lay(&p)->status), 4);
	CHECK_EQ(m32(&p, peek), p.status | KDUMP_STATUS_INCOMPLETE);

	r = kdump_writer_finish(w, &bytes, &err);
	if (r)
		fail_msg("%s: kdump_writer_finish = %d: %s", where, r, err.msg);
	close(fd);
	f = slurp(path, &size);
	CHECK_EQ(bytes, size);
	check_dump(f, size, &p, &km, small_store);

	/* spelt-out numbers for this dump */
	CHECK_EQ(m32(&p, f + lay(&p)->status + 8), 1);  /* (104 + 1000) / 4096 up */
	CHECK_EQ(m32(&p, f + lay(&p)->status + 12), 2); /* 2 bitmaps of one block */
	CHECK_EQ(f[8192 + 0], 0xff);                    /* 1st bitmap: pfns 0-7 */
	CHECK_EQ(f[8192 + 5], 0x00);                    /* pfns 40-47: the hole */
	CHECK_EQ(f[8192 + 12], 0x0f);                   /* pfns 96-99 */
	CHECK_EQ(f[8192 + 13], 0x00);
	CHECK_EQ(f[12288 + 1], 0x03);                   /* 2nd: 8,9 kept; 10-15 out */
	CHECK_EQ(f[12288 + 2], 0xf0);                   /* 16-19 out; 20-23 kept */
	CHECK_EQ(f[12288 + 8], 0xbf);                   /* pfn 70 out */
	CHECK_EQ(m64(&p, f + 16384), 16384 + 24 * 81);  /* pfn 0 is a zero page */
	CHECK_EQ(m32(&p, f + 16384 + 8), 4096);
	CHECK_EQ(m32(&p, f + 16384 + 12), 0);
	CHECK_EQ(m64(&p, f + 16384 + 24), 16384 + 24 * 81 + 4096);  /* pfn 1, raw */
	free(f);
	unlink(path);
	keepmap_release(&km);
}

static void test_small_dump_big_endian(void **state)
{
	small_mach = (struct machine){ .big_endian = true, .word_size = 8 };
	test_small_dump(state);
	small_mach = (struct machine){ 0 };
}

static void test_small_dump_i386(void **state)
{
	small_mach = (struct machine){ .big_endian = false, .word_size = 4 };
	test_small_dump(state);
	small_mach = (struct machine){ 0 };
}

/* The i386 and big-endian headers field by field, against the offsets
 * gcc gives makedumpfile's structures for i686 and s390x. */
static void test_other_layouts(void **state)
{
	struct kdump_params p;
	struct kdump_layout l;
	uint8_t h[KDUMP_MAIN_HEADER_SIZE + 16], s[KDUMP_SUB_HEADER_SIZE + 16];

	(void)state;
	WHERE("i386 headers");
	fill_params(&p);
	p.mach.word_size = 4;
	p.max_mapnr = (1ull << 32) + 5;
	kdump_layout_compute(&p, 10, &l);
	CHECK_EQ(kdump_main_header_size(&p), 452);
	CHECK_EQ(kdump_sub_header_size(&p), 80);
	CHECK_EQ(l.sub_hdr_blocks, 1);
	memset(h, 0xcc, sizeof(h));
	kdump_encode_main_header(&p, &l, h);
	CHECK_EQ(get_u32(h + 404), 0x55667788);        /* tv_sec: a 4-byte long */
	CHECK_EQ(get_u32(h + 408), 0);                 /* tv_usec */
	CHECK_EQ(get_u32(h + 412), 0x30);              /* status */
	CHECK_EQ(get_u32(h + 416), 4096);              /* block_size */
	CHECK_EQ(get_u32(h + 428), UINT32_MAX);        /* max_mapnr */
	CHECK_EQ(get_u32(h + 448), 3);                 /* nr_cpus */
	for (int i = 452; i < (int)KDUMP_MAIN_HEADER_SIZE; i++)
		CHECK_EQ(h[i], 0);
	memset(s, 0xcc, sizeof(s));
	kdump_encode_sub_header(&p, &l, s);
	CHECK_EQ(get_u32(s + 0), 0x4000000);           /* phys_base */
	CHECK_EQ(get_u32(s + 4), 31);                  /* dump_level */
	CHECK_EQ(get_u64(s + 20), 4096 + 80 + 700);    /* offset_vmcoreinfo */
	CHECK_EQ(get_u32(s + 28), 290);                /* size_vmcoreinfo */
	CHECK_EQ(get_u64(s + 32), 4096 + 80);          /* offset_note */
	CHECK_EQ(get_u32(s + 40), 1000);               /* size_note */
	CHECK_EQ(get_u64(s + 72), (1ull << 32) + 5);   /* max_mapnr_64 */

	WHERE("big-endian headers");
	fill_params(&p);
	p.mach.big_endian = true;
	p.mach.word_size = 8;
	kdump_layout_compute(&p, 10, &l);
	kdump_encode_main_header(&p, &l, h);
	CHECK_EQ(bytes_get_be32(h + 8), 6);
	CHECK_EQ(bytes_get_be64(h + 408), 0x1122334455667788ull);
	CHECK_EQ(bytes_get_be32(h + 424), 0x30);
	CHECK_EQ(bytes_get_be32(h + 428), 4096);
	CHECK_EQ(bytes_get_be32(h + 460), 3);
	kdump_encode_sub_header(&p, &l, s);
	CHECK_EQ(bytes_get_be64(s + 0), 0x4000000);
	CHECK_EQ(bytes_get_be32(s + 8), 31);
	CHECK_EQ(bytes_get_be64(s + 48), 4096 + 104);
	CHECK_EQ(bytes_get_be64(s + 96), 262144);
}

/* Without exclude_zero: no shared zero page, the data starts at data_off. */
static enum store no_zero_store(uint64_t pfn)
{
	return pfn % 2 ? ST_COMP : ST_RAW;
}

static void test_dump_without_zero_page(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	uint8_t notes[1000];
	char path[64];
	uint64_t bytes = 0;
	size_t size;
	uint8_t *f;
	int fd, r;

	(void)state;
	WHERE("dump without exclude_zero");
	small_params(&p, notes);
	p.exclude_zero = false;
	p.dump_level = 30;
	small_keepmap(&km);
	fd = temp_file(path, sizeof(path));
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	/* add_zero is refused without exclude_zero */
	r = kdump_writer_add_zero(w, 0, &err);
	CHECK(r < 0);
	CHECK_EQ(err.status, DS_EINVAL);
	feed(w, &km, no_zero_store, p.block_size);
	r = kdump_writer_finish(w, &bytes, &err);
	if (r)
		fail_msg("%s: kdump_writer_finish = %d: %s", where, r, err.msg);
	close(fd);
	f = slurp(path, &size);
	CHECK_EQ(bytes, size);
	check_dump(f, size, &p, &km, no_zero_store);
	/* the first dumped pfn (0, raw) sits right at data_off */
	CHECK_EQ(get_u64(f + 16384), 16384 + 24 * 81);
	CHECK_EQ(get_u32(f + 16384 + 8), 4096);
	free(f);
	unlink(path);
	keepmap_release(&km);
}

/* Big enough to flush the data buffer (4 MiB today) and the descriptor
 * buffer (65536 entries today) several times: 200000 pfns, ~20 MiB. */
#define BIG_NPFN 200000u
#define BIG_PRESENT 190000u

static enum store big_store(uint64_t pfn)
{
	if (pfn % 128 == 0)
		return ST_RAW;
	if (pfn % 5 == 0)
		return ST_ZERO;
	return ST_COMP;
}

static void test_big_dump(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	char path[64];
	uint64_t bytes = 0;
	size_t size;
	uint8_t *f;
	int fd, r;

	(void)state;
	WHERE("big dump");
	fill_params(&p);
	p.max_mapnr = BIG_NPFN;
	p.notes = NULL;
	p.notes_size = 0;
	p.vmcoreinfo_off = p.vmcoreinfo_size = 0;
	CHECK_EQ(keepmap_init(&km, BIG_NPFN, &err), 0);
	keepmap_add_present(&km, 0, BIG_PRESENT);
	keepmap_exclude(&km, 5000, 5100);
	fd = temp_file(path, sizeof(path));
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	feed(w, &km, big_store, p.block_size);
	r = kdump_writer_finish(w, &bytes, &err);
	if (r)
		fail_msg("%s: kdump_writer_finish = %d: %s", where, r, err.msg);
	close(fd);
	f = slurp(path, &size);
	CHECK_EQ(bytes, size);
	check_dump(f, size, &p, &km, big_store);
	free(f);
	unlink(path);
	keepmap_release(&km);
}

/* --dry-run: fd -1 writes nothing but counts the same size. */
static void test_dry_run(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	uint8_t notes[1000];
	uint64_t bytes = 0, expect = 0;
	struct kdump_layout l;

	(void)state;
	WHERE("dry run");
	small_params(&p, notes);
	small_keepmap(&km);
	sink_null_init(&sink);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	feed(w, &km, small_store, p.block_size);
	CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
	kdump_layout_compute(&p, keepmap_count_dumped(&km), &l);
	expect = l.data_off + p.block_size;
	for (uint64_t pfn = 0; pfn < 100; pfn++) {
		if (!keepmap_is_dumped(&km, pfn))
			continue;
		if (small_store(pfn) == ST_RAW)
			expect += p.block_size;
		else if (small_store(pfn) == ST_COMP)
			expect += 100 + pfn % 50;
	}
	CHECK_EQ(bytes, expect);
	keepmap_release(&km);
}

/* An empty 2nd bitmap: the file still reaches the end of the bitmaps. */
static void test_no_pages(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	char path[64];
	uint64_t bytes = 0;
	size_t size;
	uint8_t *f;
	int fd;

	(void)state;
	WHERE("no dumped page, no zero page");
	fill_params(&p);
	p.exclude_zero = false;
	p.max_mapnr = 64;
	p.notes = NULL;
	p.notes_size = 0;
	p.vmcoreinfo_size = 0;
	CHECK_EQ(keepmap_init(&km, 64, &err), 0);
	keepmap_add_present(&km, 0, 64);
	keepmap_exclude(&km, 0, 64);
	fd = temp_file(path, sizeof(path));
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
	close(fd);
	f = slurp(path, &size);
	CHECK_EQ(size, 4 * 4096);       /* header, sub header, 2 bitmaps */
	CHECK_EQ(bytes, size);
	CHECK_EQ(f[8192], 0xff);
	CHECK_EQ(f[12288], 0x00);
	CHECK(memcmp(f, "KDUMP   ", 8) == 0);
	free(f);
	unlink(path);
	keepmap_release(&km);
}

/* -F: the same dump through a flattened stream, rebuilt with -R, is the
 * same file byte for byte; on a stream the main header is the first record. */
static void flat_round_trip(const struct kdump_params *p, const struct keepmap *km,
			    enum store (*store_of)(uint64_t))
{
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	char direct[64], stream[64], rebuilt[64];
	uint64_t bytes_direct = 0, bytes_stream = 0, bytes_rebuilt = 0;
	uint8_t *fd_bytes, *fs_bytes, *fr_bytes;
	size_t sd, ss, sr;
	int fd, r;

	/* direct file */
	fd = temp_file(direct, sizeof(direct));
	sink_file_init(&sink, fd, direct);
	CHECK_EQ(kdump_writer_open(&w, &sink, p, km, &err), 0);
	feed(w, km, store_of, p->block_size);
	CHECK_EQ(kdump_writer_finish(w, &bytes_direct, &err), 0);
	close(fd);

	/* stream */
	fd = temp_file(stream, sizeof(stream));
	r = sink_flat_init(&sink, fd, stream, &err);
	CHECK_EQ(r, 0);
	CHECK(sink.header_first);
	CHECK_EQ(kdump_writer_open(&w, &sink, p, km, &err), 0);
	feed(w, km, store_of, p->block_size);
	r = kdump_writer_finish(w, &bytes_stream, &err);
	if (r)
		fail_msg("%s: finish on a flat sink = %d: %s", where, r, err.msg);
	close(fd);
	CHECK_EQ(bytes_stream, bytes_direct);
	fs_bytes = slurp(stream, &ss);
	CHECK(ss > FLAT_HEADER_SIZE + 16 + KDUMP_MAIN_HEADER_SIZE);
	CHECK(memcmp(fs_bytes, "makedumpfile", 12) == 0);
	/* first record: offset 0, the main header (big-endian offset/size) */
	{
		const uint8_t *rec = fs_bytes + FLAT_HEADER_SIZE;
		uint64_t off = 0, size = 0;

		for (int i = 0; i < 8; i++) {
			off = off << 8 | rec[i];
			size = size << 8 | rec[8 + i];
		}
		CHECK_EQ(off, 0);
		CHECK_EQ(size, KDUMP_MAIN_HEADER_SIZE);
		CHECK(memcmp(rec + 16, "KDUMP   ", 8) == 0);
	}
	/* the end marker */
	for (size_t i = ss - 16; i < ss; i++)
		CHECK_EQ(fs_bytes[i], 0xff);

	/* -R */
	{
		int in = open(stream, O_RDONLY), out;

		assert_true(in >= 0);
		out = temp_file(rebuilt, sizeof(rebuilt));
		struct flat_extents ext = { 0 };
		struct flat_result res;

		r = flat_rearrange(in, stream, out, rebuilt, 0, NULL, &ext, &res, &err);
		if (r)
			fail_msg("%s: flat_rearrange = %d: %s", where, r, err.msg);
		bytes_rebuilt = res.end;
		CHECK(!res.cut);
		CHECK(flat_extents_have(&ext, 0, KDUMP_MAIN_HEADER_SIZE));
		CHECK(!flat_extents_have(&ext, 0, res.end));   /* holes between blocks */
		flat_extents_release(&ext);
		close(in);
		close(out);
	}
	fd_bytes = slurp(direct, &sd);
	fr_bytes = slurp(rebuilt, &sr);
	CHECK_EQ(bytes_rebuilt, sd);
	CHECK_EQ(sr, sd);
	if (sr == sd)
		for (size_t i = 0; i < sd; i++)
			if (fd_bytes[i] != fr_bytes[i])
				fail_msg("%s: rebuilt file differs at byte %zu", where, i);
	check_dump(fr_bytes, sr, p, km, store_of);
	free(fd_bytes);
	free(fs_bytes);
	free(fr_bytes);
	unlink(direct);
	unlink(stream);
	unlink(rebuilt);
}

static void test_flat_stream(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct ds_err err = { 0 };
	uint8_t notes[1000];

	(void)state;
	WHERE("flattened stream, small dump");
	small_params(&p, notes);
	small_keepmap(&km);
	flat_round_trip(&p, &km, small_store);
	keepmap_release(&km);

	WHERE("flattened stream, big dump");
	fill_params(&p);
	p.max_mapnr = BIG_NPFN;
	p.notes = NULL;
	p.notes_size = 0;
	p.vmcoreinfo_off = p.vmcoreinfo_size = 0;
	CHECK_EQ(keepmap_init(&km, BIG_NPFN, &err), 0);
	keepmap_add_present(&km, 0, BIG_PRESENT);
	keepmap_exclude(&km, 5000, 5100);
	flat_round_trip(&p, &km, big_store);
	keepmap_release(&km);
}

/* ---- misuse ---- */

static void test_errors(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	uint8_t notes[1000], page[8192] = { 0 };
	uint64_t bytes = 0;
	int r;

	(void)state;
	small_params(&p, notes);
	small_keepmap(&km);

	/* bad page sizes / flags: refused, nothing added */
	static const struct {
		const char *what;
		uint32_t size, flags;
	} bad[] = {
		{ "raw page of 100 bytes", 100, 0 },
		{ "raw page of block+1 bytes", 4097, 0 },
		{ "compressed page of block size", 4096, 0x1 },
		{ "compressed page larger than a block", 5000, 0x1 },
		{ "empty page", 0, 0 },
		{ "empty compressed page", 0, 0x20 },
	};
	sink_null_init(&sink);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		WHERE("%s", bad[i].what);
		ds_err_clear(&err);
		r = kdump_writer_add_page(w, 0, page, bad[i].size, bad[i].flags, &err);
		CHECK_EQ(r, -DS_EINVAL);
		CHECK_EQ(err.status, DS_EINVAL);
		CHECK(err.msg[0] != '\0');
	}
	/* the refused pages did not count: exactly 81 more are accepted */
	WHERE("more pages than planned");
	for (int i = 0; i < 81; i++) {
		r = (i % 2) ? kdump_writer_add_zero(w, 0, &err)
			    : kdump_writer_add_page(w, 0, page, 4096, 0, &err);
		if (r)
			fail_msg("%s: page %d refused: %s", where, i, err.msg);
	}
	r = kdump_writer_add_page(w, 0, page, 4096, 0, &err);
	CHECK_EQ(r, -DS_EINVAL);
	CHECK(strstr(err.msg, "81") != NULL);
	r = kdump_writer_add_zero(w, 0, &err);
	CHECK_EQ(r, -DS_EINVAL);
	r = kdump_writer_add_page(w, 0, page, 200, 0x2, &err);
	CHECK_EQ(r, -DS_EINVAL);
	/* still finishable with exactly the planned count */
	CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);

	/* finish with fewer pages than planned */
	WHERE("finish with fewer pages");
	sink_null_init(&sink);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	for (int i = 0; i < 80; i++)
		CHECK_EQ(kdump_writer_add_zero(w, 0, &err), 0);
	bytes = 12345;
	r = kdump_writer_finish(w, &bytes, &err);
	CHECK_EQ(r, -DS_EINVAL);
	CHECK(strstr(err.msg, "80") != NULL);
	CHECK(strstr(err.msg, "81") != NULL);
	CHECK_EQ(bytes, 12345);
	kdump_writer_abort(w);          /* a failed finish leaves w to the caller */

	/* a file aborted keeps the header it had from the start: incomplete */
	WHERE("abort");
	{
		char path[64];
		int fd = temp_file(path, sizeof(path));
		uint8_t peek[8];

		sink_file_init(&sink, fd, path);
		CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
		CHECK_EQ(kdump_writer_add_zero(w, 0, &err), 0);
		kdump_writer_abort(w);
		memset(peek, 0xcc, sizeof(peek));
		CHECK_EQ(pread(fd, peek, 8, 0), 8);
		CHECK(memcmp(peek, "KDUMP   ", 8) == 0);
		CHECK_EQ(pread(fd, peek, 4, 424), 4);
		CHECK(get_u32(peek) & KDUMP_STATUS_INCOMPLETE);
		close(fd);
		unlink(path);
	}
	kdump_writer_abort(NULL);

	/* a write error (read-only fd) is reported with the path */
	WHERE("write error");
	{
		char path[64];
		int fd = temp_file(path, sizeof(path)), rofd;

		close(fd);
		rofd = open(path, O_RDONLY);
		assert_true(rofd >= 0);
		w = NULL;
		sink_file_init(&sink, rofd, path);
		r = kdump_writer_open(&w, &sink, &p, &km, &err);
		CHECK_EQ(r, -DS_ESYS);
		CHECK(strstr(err.msg, path) != NULL);
		close(rofd);
		unlink(path);
	}
	keepmap_release(&km);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_main_header),
		cmocka_unit_test(test_sub_header),
		cmocka_unit_test(test_small_dump),
		cmocka_unit_test(test_small_dump_big_endian),
		cmocka_unit_test(test_small_dump_i386),
		cmocka_unit_test(test_other_layouts),
		cmocka_unit_test(test_dump_without_zero_page),
		cmocka_unit_test(test_big_dump),
		cmocka_unit_test(test_flat_stream),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_no_pages),
		cmocka_unit_test(test_errors),
	};

	atexit(remove_temp_files);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

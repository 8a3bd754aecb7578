/* test_incomplete.c - dumps that stop early stay readable (kdump_write,
 * kdump_repair, the sinks, -R in lib/rearrange.c, DUMPFILE safety in
 * lib/io/outfile.c).
 *
 * One plan of 14000 pfns (holes, excluded pfns, shared zero pages, raw and
 * "compressed" pages of many sizes, ~9 MiB of page data, so the writer's
 * 4 MiB buffer is flushed three times) is written:
 *   - to a file whose size is limited (the -L mechanism, which fails like a
 *     full disk: the write that crosses the limit goes through in part), at
 *     limits spread over the whole file;
 *   - as a flattened stream cut at byte offsets spread over the whole
 *     stream, each prefix rebuilt with ds_rearrange (-R);
 *   - stopped half way on purpose (what a signal does), to a file and to a
 *     stream; killed before its first page (the file already holds the
 *     whole descriptor table, empty);
 *   - with pages that could not be read.
 * Every result is parsed by an independent reader here: the header must say
 * incomplete (or complete, for a finished dump), the 1st bitmap must be the
 * plan's, the 2nd a subset of the plan's, and every page it holds must have
 * a well-formed descriptor whose data is the page's own bytes.  The number of
 * pages kept must be the most the bytes that got out allow: for the file,
 * every page whose data lies below the limit; for a cut stream, every page
 * whose descriptor and data records arrived whole (found by replaying the
 * stream prefix here, byte by byte).
 * -R refuses records past what the output or the dump's header allows, and
 * leaves no file when nothing of a dump arrived.  outfile_open refuses FIFOs
 * and the input itself (also through a link), and never removes a device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dumpsieve/dumpsieve.h>

#include "common/keepmap.h"
#include "format/kdump_repair.h"
#include "format/kdump_write.h"
#include "io/outfile.h"
#include "io/sink.h"

#define NPFN 14000u
#define B 4096u

/* on tmpfs when there is one: the writers fsync, a disk makes that slow */
static char tmpdir[64];

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* The dumped machine of the plan: x86_64 unless a test says otherwise
 * (big-endian LP64 as s390x; i386, with its 4-byte longs). */
static struct machine tm = { .word_size = 8 };
/* the "anywhere" tests try every cut point for x86_64 but every third for
 * the other machines' layouts: the same code paths, a third of the time */
static unsigned step_stride = 1;

static uint32_t le32(const uint8_t *p)
{
	return machine_get_u32(&tm, p);
}

static uint64_t le64(const uint8_t *p)
{
	return machine_get_u64(&tm, p);
}

/* where status, block_size, sub_hdr_size, bitmap_blocks lie */
static uint32_t status_off(void)
{
	return kdump_offsets_of(&tm)->status;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- the plan ---- */

enum store { ST_ZERO, ST_RAW, ST_COMP };

static enum store store_of(uint64_t pfn)
{
	if (pfn % 5 == 0)
		return ST_ZERO;
	if (pfn % 31 == 0)
		return ST_RAW;
	return ST_COMP;
}

static uint32_t comp_size(uint64_t pfn)
{
	return (uint32_t)(40 + (pfn * 2654435761u) % 1500);
}

static uint8_t byte_of(uint64_t pfn, size_t i)
{
	return (uint8_t)(pfn * 13 + i * 5 + (i >> 7) + 3);
}

static void plan(struct kdump_params *p, struct keepmap *km, uint8_t *notes)
{
	struct ds_err err = { 0 };

	memset(p, 0, sizeof(*p));
	p->block_size = B;
	p->max_mapnr = NPFN;
	for (unsigned i = 0; i < 600; i++)
		notes[i] = (uint8_t)(i * 7);
	p->notes = notes;
	p->notes_size = 600;
	snprintf(p->utsname[0], KDUMP_UTS_LEN, "Linux");
	snprintf(p->utsname[4], KDUMP_UTS_LEN, "%s",
		 tm.word_size == 4 ? "i686" : tm.big_endian ? "s390x" : "x86_64");
	p->mach = tm;
	p->nr_cpus = 1;
	p->dump_level = 31;
	p->status = 0x2;
	p->exclude_zero = true;
	CHECK_EQ(keepmap_init(km, NPFN, &err), 0);
	keepmap_add_present(km, 0, 9000);
	keepmap_add_present(km, 9500, NPFN);
	keepmap_exclude(km, 100, 900);
	keepmap_exclude(km, 11000, 11001);
}

/* Feed the plan; pages for which lost() says so are added as lost.  Stops
 * after `stop` pages or at the first error (returned). */
static int feed(struct kdump_writer *w, const struct keepmap *km, uint64_t stop,
		bool (*lost)(uint64_t), uint64_t *ret_added, struct ds_err *err)
{
	uint8_t page[B];
	uint64_t n = 0;
	int r = 0;

	for (uint64_t pfn = keepmap_next_dumped(km, 0); pfn < km->npfn && n < stop;
	     pfn = keepmap_next_dumped(km, pfn + 1)) {
		for (size_t i = 0; i < B; i++)
			page[i] = byte_of(pfn, i);
		if (lost && lost(pfn))
			r = kdump_writer_add_lost(w, pfn, err);
		else if (store_of(pfn) == ST_ZERO)
			r = kdump_writer_add_zero(w, pfn, err);
		else if (store_of(pfn) == ST_RAW)
			r = kdump_writer_add_page(w, pfn, page, B, 0, err);
		else
			r = kdump_writer_add_page(w, pfn, page, comp_size(pfn), 0x2, err);
		if (r < 0)
			break;
		n++;
	}
	*ret_added = n;
	return r;
}

/* Feed the plan in the order of pfns[0..n) (any_order writers). */
static int feed_order(struct kdump_writer *w, const uint64_t *pfns, uint64_t n,
		      struct ds_err *err)
{
	uint8_t page[B];
	int r = 0;

	for (uint64_t i = 0; i < n && r == 0; i++) {
		uint64_t pfn = pfns[i];

		for (size_t k = 0; k < B; k++)
			page[k] = byte_of(pfn, k);
		if (store_of(pfn) == ST_ZERO)
			r = kdump_writer_add_zero(w, pfn, err);
		else if (store_of(pfn) == ST_RAW)
			r = kdump_writer_add_page(w, pfn, page, B, 0, err);
		else
			r = kdump_writer_add_page(w, pfn, page, comp_size(pfn), 0x2, err);
	}
	return r;
}

/* Plan index -> where its data ends in a whole dump (0 for zero pages). */
static uint64_t *data_ends(const struct kdump_params *p, const struct keepmap *km,
			   struct kdump_layout *l)
{
	uint64_t n = keepmap_count_dumped(km), i = 0, pos;
	uint64_t *ends = calloc(n + 1, sizeof(*ends));

	assert_non_null(ends);
	kdump_layout_compute(p, n, l);
	pos = l->data_off + B;               /* after the shared zero page */
	for (uint64_t pfn = keepmap_next_dumped(km, 0); pfn < km->npfn;
	     pfn = keepmap_next_dumped(km, pfn + 1), i++) {
		if (store_of(pfn) == ST_ZERO)
			continue;
		pos += store_of(pfn) == ST_RAW ? B : comp_size(pfn);
		ends[i] = pos;
	}
	return ends;
}

static uint8_t *slurp(const char *path, size_t *ret_size)
{
	struct stat st;
	uint8_t *b;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = calloc(1, (size_t)st.st_size + 1);
	assert_non_null(b);
	if (st.st_size)
		assert_int_equal(pread(fd, b, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*ret_size = (size_t)st.st_size;
	return b;
}

/* The independent reader: everything the 2nd bitmap promises is there and
 * right.  Returns the number of pages the dump holds. */
static uint64_t check_readable(const uint8_t *f, size_t size, const struct keepmap *km,
			       bool want_incomplete, bool cut)
{
	uint32_t status, sub_blocks, bitmap_blocks;
	uint64_t bitmap_bytes, b1, b2, desc, planned = 0, i = 0;

	CHECK(size >= KDUMP_MAIN_HEADER_SIZE);
	CHECK(memcmp(f, "KDUMP   ", 8) == 0);
	status = le32(f + status_off());
	CHECK_EQ(!!(status & KDUMP_STATUS_INCOMPLETE), want_incomplete);
	CHECK_EQ(le32(f + status_off() + 4), B);
	sub_blocks = le32(f + status_off() + 8);
	bitmap_blocks = le32(f + status_off() + 12);
	bitmap_bytes = (uint64_t)bitmap_blocks / 2 * B;
	b1 = (1 + (uint64_t)sub_blocks) * B;
	b2 = b1 + bitmap_bytes;
	desc = b2 + bitmap_bytes;
	CHECK(size >= desc);
	for (uint64_t pfn = 0; pfn < bitmap_bytes * 8; pfn++) {
		bool in1 = f[b1 + pfn / 8] >> (pfn % 8) & 1, in2 = f[b2 + pfn / 8] >> (pfn % 8) & 1;

		/* a cut stream may have brought only part of the 1st bitmap */
		if (in1 ? !keepmap_is_present(km, pfn) : keepmap_is_present(km, pfn) && !cut)
			fail_msg("%s: pfn %llu: 1st bitmap %d, plan %d", where,
				 (unsigned long long)pfn, in1, keepmap_is_present(km, pfn));
		if (in2 && !in1)
			fail_msg("%s: pfn %llu in the 2nd bitmap, not in the 1st", where,
				 (unsigned long long)pfn);
		if (in2 && !keepmap_is_dumped(km, pfn))
			fail_msg("%s: pfn %llu in the 2nd bitmap, not planned", where,
				 (unsigned long long)pfn);
		planned += in2;
	}
	for (uint64_t pfn = 0; pfn < NPFN; pfn++) {
		const uint8_t *d;
		uint64_t off;
		uint32_t dsize, flags;

		if (!(f[b2 + pfn / 8] >> (pfn % 8) & 1))
			continue;
		CHECK(desc + 24 * (i + 1) <= size);
		d = f + desc + 24 * i;
		off = le64(d);
		dsize = le32(d + 8);
		flags = le32(d + 12);
		if (off < desc + 24 * planned || off + dsize > size || le64(d + 16))
			fail_msg("%s: pfn %llu: descriptor %llu {0x%llx, %u, 0x%x} is not whole",
				 where, (unsigned long long)pfn, (unsigned long long)i,
				 (unsigned long long)off, dsize, flags);
		switch (store_of(pfn)) {
		case ST_ZERO:
			CHECK_EQ(dsize, B);
			CHECK_EQ(flags, 0);
			for (uint32_t k = 0; k < B; k++)
				if (f[off + k])
					fail_msg("%s: pfn %llu: zero page byte %u", where,
						 (unsigned long long)pfn, k);
			break;
		case ST_RAW:
		case ST_COMP:
			CHECK_EQ(dsize, store_of(pfn) == ST_RAW ? B : comp_size(pfn));
			CHECK_EQ(flags, store_of(pfn) == ST_RAW ? 0 : 0x2);
			for (uint32_t k = 0; k < dsize; k++)
				if (f[off + k] != byte_of(pfn, k))
					fail_msg("%s: pfn %llu: data byte %u is 0x%02x, not 0x%02x",
						 where, (unsigned long long)pfn, k, f[off + k],
						 byte_of(pfn, k));
			break;
		}
		i++;
	}
	CHECK_EQ(i, planned);
	return planned;
}

/* ---- the disk fills ---- */

static void test_disk_full_anywhere(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_layout l;
	uint8_t notes[600];
	uint64_t *ends, full, n;

	(void)state;
	plan(&p, &km, notes);
	ends = data_ends(&p, &km, &l);
	n = keepmap_count_dumped(&km);
	full = ends[n - 1] > l.data_off + B ? ends[n - 1] : l.data_off + B;
	for (unsigned step = 0; step <= 32; step += step_stride) {
		/* from before the header to past the end, denser in the data */
		uint64_t limit = step < 8 ? 1 + (uint64_t)step * l.data_off / 7
				 : l.data_off + (full - l.data_off) * (step - 8) / 23 + step;
		struct kdump_writer *w = NULL;
		struct kdump_incomplete inc;
		struct sink sink;
		struct ds_err err = { 0 };
		char path[128];
		uint64_t added, expect = 0, bytes;
		size_t size;
		uint8_t *f;
		int fd, r;

		WHERE("disk full at byte %llu of %llu", (unsigned long long)limit,
		      (unsigned long long)full);
		path_of(path, sizeof(path), "full.kdump");
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		sink_file_init(&sink, fd, path);
		sink.limit = limit;
		r = kdump_writer_open(&w, &sink, &p, &km, &err);
		if (limit < l.desc_off) {
			/* no room for the bitmaps: no dump to speak of */
			CHECK(r < 0);
			CHECK_MSG(&err, "size limit");
			close(fd);
			continue;
		}
		CHECK_EQ(r, 0);
		r = feed(w, &km, UINT64_MAX, NULL, &added, &err);
		if (limit >= full + 24) {
			CHECK_EQ(r, 0);
			CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
			close(fd);
			f = slurp(path, &size);
			CHECK_EQ(check_readable(f, size, &km, false, false), n);
			free(f);
			continue;
		}
		/* the page in flight when the disk filled, or finish's flush */
		if (r == 0)
			r = kdump_writer_finish(w, &bytes, &err);
		CHECK(r < 0);
		CHECK_MSG(&err, "size limit");
		CHECK_EQ(kdump_writer_close_incomplete(w, &inc, &err), 0);
		close(fd);
		/* the most the bytes allow: every page up to the first whose data
		 * did not fit (zero pages need the shared one) */
		if (limit >= l.data_off + B)
			while (expect < n && ends[expect] <= limit)
				expect++;
		f = slurp(path, &size);
		CHECK(size <= limit);
		CHECK_EQ(inc.planned, n);
		CHECK_EQ(inc.kept, expect);
		CHECK_EQ(check_readable(f, size, &km, true, false), expect);
		free(f);
	}
	free(ends);
	keepmap_release(&km);
}


/* ---- pages in any order (most useful first) ---- */

/* The plan written in two orders far from pfn order (descending pfns; every
 * seventh pfn first, then the rest): whole, every descriptor in its pfn's
 * slot; and cut by a full disk at three points, where what made it is
 * readable and is exactly the pages, in the order written, whose data fit. */
static void test_any_order(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_layout l;
	uint8_t notes[600], *f;
	uint64_t n, *pfns, i = 0;
	char path[128];
	size_t size;

	(void)state;
	plan(&p, &km, notes);
	p.any_order = true;
	n = keepmap_count_dumped(&km);
	kdump_layout_compute(&p, n, &l);
	pfns = malloc(n * sizeof(*pfns));
	assert_non_null(pfns);
	path_of(path, sizeof(path), "any.kdump");
	for (int order = 0; order < 2; order++) {
		i = 0;
		if (order == 0) {
			for (uint64_t pfn = NPFN; pfn-- > 0;)
				if (keepmap_is_dumped(&km, pfn))
					pfns[i++] = pfn;
		} else {
			for (int pass = 0; pass < 2; pass++)
				for (uint64_t pfn = keepmap_next_dumped(&km, 0); pfn < NPFN;
				     pfn = keepmap_next_dumped(&km, pfn + 1))
					if ((pfn % 7 == 0) == (pass == 0))
						pfns[i++] = pfn;
		}
		CHECK_EQ(i, n);
		for (int cut = 0; cut < 4; cut++) {
			struct kdump_writer *w = NULL;
			struct kdump_incomplete inc;
			struct sink sink;
			struct ds_err err = { 0 };
			uint64_t bytes, limit = 0, expect = 0, end = l.data_off + B;
			int fd, r;

			if (cut)
				limit = l.data_off + (uint64_t)cut * 2000000 + 777;
			WHERE("any order %d, %s", order, cut ? "disk full" : "whole");
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
			sink_file_init(&sink, fd, path);
			sink.limit = limit;
			CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
			r = feed_order(w, pfns, n, &err);
			if (!cut) {
				CHECK_EQ(r, 0);
				CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
				close(fd);
				f = slurp(path, &size);
				CHECK_EQ(check_readable(f, size, &km, false, false), n);
				free(f);
				continue;
			}
			if (r == 0)
				r = kdump_writer_finish(w, &bytes, &err);
			CHECK(r < 0);
			CHECK_EQ(kdump_writer_close_incomplete(w, &inc, &err), 0);
			close(fd);
			/* the pages, in the order written, up to the first whose
			 * data did not fit; zero pages need only the shared page */
			for (uint64_t k = 0; k < n; k++) {
				if (store_of(pfns[k]) != ST_ZERO)
					end += store_of(pfns[k]) == ST_RAW ? B : comp_size(pfns[k]);
				if (end > limit)
					break;
				expect++;
			}
			f = slurp(path, &size);
			CHECK_EQ(inc.kept, expect);
			CHECK_EQ(check_readable(f, size, &km, true, false), expect);
			free(f);
		}
	}
	free(pfns);
	keepmap_release(&km);
}

/* ---- streams ---- */

/* Write the whole plan (or its first `stop` pages, then stop on purpose)
 * as a flattened stream into path; returns what close_incomplete said. */
static void write_stream(const char *path, const struct kdump_params *p,
			 const struct keepmap *km, uint64_t stop, bool (*lost)(uint64_t),
			 struct kdump_incomplete *inc)
{
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	uint64_t added, bytes;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	CHECK_EQ(sink_flat_init(&sink, fd, path, &err), 0);
	CHECK_EQ(kdump_writer_open(&w, &sink, p, km, &err), 0);
	CHECK_EQ(feed(w, km, stop, lost, &added, &err), 0);
	if (stop == UINT64_MAX)
		CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
	else
		CHECK_EQ(kdump_writer_close_incomplete(w, inc, &err), 0);
	close(fd);
}

/* -R of the stream in `in` into `out`. */
static int rearrange(const char *in, const char *out, struct ds_rearranged *rep,
		     struct ds_err *err)
{
	int fd = open(in, O_RDONLY), r;

	assert_true(fd >= 0);
	r = ds_rearrange(fd, out, true, NULL, rep, err);
	close(fd);
	return r;
}

/* Replay a stream prefix here: which bytes of the rebuilt file arrived,
 * and their values. */
struct replay {
	uint8_t *img, *got;
	size_t size;
};

static void replay(const uint8_t *s, size_t len, size_t file_size, struct replay *rp)
{
	size_t pos = 4096;

	rp->size = file_size;
	rp->img = calloc(1, file_size);
	rp->got = calloc(1, file_size);
	assert_true(rp->img && rp->got);
	while (pos + 16 <= len) {
		uint64_t off = be64(s + pos), size = be64(s + pos + 8);

		if (off == UINT64_MAX)
			break;
		pos += 16;
		for (uint64_t k = 0; k < size && pos < len; k++, pos++) {
			CHECK(off + k < file_size);
			rp->img[off + k] = s[pos];
			rp->got[off + k] = 1;
		}
	}
}

static bool replay_has(const struct replay *rp, uint64_t off, uint64_t len)
{
	for (uint64_t k = 0; k < len; k++)
		if (off + k >= rp->size || !rp->got[off + k])
			return false;
	return true;
}

static void test_stream_cut_anywhere(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_layout l;
	uint8_t notes[600];
	uint64_t *ends, n;
	char full[128], cut[128], out[128];
	uint8_t *s;
	size_t slen, file_size;

	(void)state;
	plan(&p, &km, notes);
	ends = data_ends(&p, &km, &l);
	n = keepmap_count_dumped(&km);
	path_of(full, sizeof(full), "full.flat");
	path_of(cut, sizeof(cut), "cut.flat");
	path_of(out, sizeof(out), "cut.kdump");
	write_stream(full, &p, &km, UINT64_MAX, NULL, NULL);
	s = slurp(full, &slen);
	file_size = ends[n - 1] > l.data_off + B ? ends[n - 1] : l.data_off + B;

	for (unsigned step = 0; step <= 30; step += step_stride) {
		uint64_t at = step == 30 ? slen : step < 6 ? (uint64_t)step * 1000
			      : 6000 + (slen - 6000) * (step - 6) / 24 + step * 7;
		struct ds_rearranged rep;
		struct ds_err err = { 0 };
		struct replay rp;
		struct stat st;
		uint64_t expect = 0;
		int fd, r;

		WHERE("stream cut at byte %llu of %zu", (unsigned long long)at, slen);
		fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		CHECK_EQ(write(fd, s, at), (ssize_t)at);
		close(fd);
		r = rearrange(cut, out, &rep, &err);
		if (at == slen) {
			CHECK_EQ(r, 0);
			CHECK(!rep.cut && !rep.incomplete);
			uint8_t *f = slurp(out, &file_size);

			CHECK_EQ(check_readable(f, file_size, &km, false, false), n);
			free(f);
			continue;
		}
		CHECK(r < 0);
		CHECK(rep.cut);
		CHECK_MSG(&err, "standard input");
		replay(s, at, file_size, &rp);
		if (!replay_has(&rp, 0, kdump_offsets_of(&tm)->hdr_size)) {
			/* nothing of a dump: no file */
			CHECK(!rep.incomplete);
			CHECK(stat(out, &st) < 0 && errno == ENOENT);
		} else {
			/* every page whose descriptor and data arrived */
			uint64_t i = 0;

			for (uint64_t pfn = keepmap_next_dumped(&km, 0); pfn < NPFN;
			     pfn = keepmap_next_dumped(&km, pfn + 1), i++) {
				uint64_t start = store_of(pfn) == ST_ZERO ? l.data_off : 0;
				uint64_t end = store_of(pfn) == ST_ZERO ? l.data_off + B : ends[i];

				if (!start)
					start = end - (store_of(pfn) == ST_RAW ? B : comp_size(pfn));
				if (replay_has(&rp, l.desc_off + 24 * i, 24) &&
				    replay_has(&rp, start, end - start) &&
				    replay_has(&rp, l.bitmap2_off + pfn / 8, 1))
					expect++;
			}
			CHECK(rep.incomplete && rep.kdump);
			if (replay_has(&rp, l.bitmap2_off, l.bitmap_bytes))
				CHECK_EQ(rep.pages_planned, n);
			CHECK_EQ(rep.pages_kept, expect);
			uint8_t *f;
			size_t size;

			f = slurp(out, &size);
			CHECK_EQ(check_readable(f, size, &km, true, true), expect);
			free(f);
		}
		free(rp.img);
		free(rp.got);
	}
	free(s);
	free(ends);
	keepmap_release(&km);
}

/* ---- stopped on purpose (a signal) ---- */

static void test_stopped_half_way(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_incomplete inc;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_rearranged rep;
	struct ds_err err = { 0 };
	uint8_t notes[600], *f;
	char path[128], out[128];
	uint64_t n, added;
	size_t size;
	int fd;

	(void)state;
	plan(&p, &km, notes);
	n = keepmap_count_dumped(&km);

	WHERE("file stopped half way");
	path_of(path, sizeof(path), "half.kdump");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	CHECK_EQ(feed(w, &km, n / 2, NULL, &added, &err), 0);
	CHECK_EQ(kdump_writer_close_incomplete(w, &inc, &err), 0);
	close(fd);
	CHECK_EQ(inc.kept, n / 2);
	f = slurp(path, &size);
	CHECK_EQ(check_readable(f, size, &km, true, false), n / 2);
	free(f);

	WHERE("stream stopped half way, rebuilt");
	path_of(path, sizeof(path), "half.flat");
	path_of(out, sizeof(out), "half-R.kdump");
	write_stream(path, &p, &km, n / 2, NULL, &inc);
	CHECK_EQ(inc.kept, n / 2);
	CHECK(rearrange(path, out, &rep, &err) < 0);
	CHECK(!rep.cut);                 /* the stream itself ended properly */
	CHECK(rep.incomplete && rep.kdump);
	CHECK_MSG(&err, "says it is incomplete");
	CHECK_EQ(rep.pages_kept, n / 2);
	f = slurp(out, &size);
	CHECK_EQ(check_readable(f, size, &km, true, false), n / 2);
	free(f);

	/* a plain rebuild (makedumpfile -R applies records, repairs nothing):
	 * the stream's own end leaves every promised page there */
	WHERE("stream stopped half way, rebuilt without repair");
	{
		struct flat_extents ext = { 0 };
		struct flat_result res;
		int in = open(path, O_RDONLY), o = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);

		CHECK_EQ(flat_rearrange(in, path, o, out, 0, NULL, &ext, &res, &err), 0);
		close(in);
		close(o);
		flat_extents_release(&ext);
		f = slurp(out, &size);
		CHECK_EQ(check_readable(f, size, &km, true, false), n / 2);
		free(f);
	}
	keepmap_release(&km);
}

/* Killed (SIGKILL, a power cut) after the header and bitmaps, before the
 * first page: nothing more is written (kdump_writer_abort writes nothing).
 * The file must already cover the whole descriptor table, every entry
 * empty, or readers find the table past the end of the file and refuse it
 * (libkdumpfile: "descriptor table ... beyond end of file"). */
static void test_killed_before_first_page(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct ds_err err = { 0 };
	uint8_t notes[600], *f;
	char path[128];
	uint64_t n, desc;
	size_t size;
	int fd;

	(void)state;
	WHERE("killed before the first page");
	plan(&p, &km, notes);
	n = keepmap_count_dumped(&km);
	path_of(path, sizeof(path), "killed.kdump");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	kdump_writer_abort(w);
	close(fd);
	f = slurp(path, &size);
	CHECK(size >= KDUMP_MAIN_HEADER_SIZE);
	CHECK(le32(f + status_off()) & KDUMP_STATUS_INCOMPLETE);
	desc = (1 + (uint64_t)le32(f + status_off() + 8) + le32(f + status_off() + 12)) * B;
	CHECK(size >= desc + n * 24);
	for (uint64_t i = desc; i < desc + n * 24; i++)
		if (f[i])
			fail_msg("%s: descriptor table byte %llu is %u, not 0", where,
				 (unsigned long long)(i - desc), f[i]);
	free(f);
	keepmap_release(&km);
}

/* ---- pages that could not be read ---- */

static bool lost13(uint64_t pfn)
{
	return pfn % 13 == 7;
}

static void test_lost_pages(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_writer *w = NULL;
	struct kdump_layout l;
	struct sink sink;
	struct ds_rearranged rep;
	struct ds_err err = { 0 };
	uint8_t notes[600], *f;
	char path[128], out[128];
	uint64_t n, added, bytes, nlost = 0, i = 0;
	size_t size;
	int fd;

	(void)state;
	plan(&p, &km, notes);
	n = keepmap_count_dumped(&km);
	kdump_layout_compute(&p, n, &l);
	for (uint64_t pfn = keepmap_next_dumped(&km, 0); pfn < NPFN;
	     pfn = keepmap_next_dumped(&km, pfn + 1))
		nlost += lost13(pfn);

	WHERE("file with unreadable pages: complete, those pages left out");
	path_of(path, sizeof(path), "lost.kdump");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	CHECK_EQ(feed(w, &km, UINT64_MAX, lost13, &added, &err), 0);
	CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
	close(fd);
	f = slurp(path, &size);
	CHECK_EQ(check_readable(f, size, &km, false, false), n - nlost);
	for (uint64_t pfn = 7; pfn < NPFN; pfn += 13)
		CHECK(!(f[l.bitmap2_off + pfn / 8] >> (pfn % 8) & 1));
	free(f);

	WHERE("stream with unreadable pages: empty descriptors, rebuilt as makedumpfile -R does");
	path_of(path, sizeof(path), "lost.flat");
	path_of(out, sizeof(out), "lost-R.kdump");
	write_stream(path, &p, &km, UINT64_MAX, lost13, NULL);
	CHECK_EQ(rearrange(path, out, &rep, &err), 0);
	f = slurp(out, &size);
	CHECK_EQ(le32(f + status_off()) & KDUMP_STATUS_INCOMPLETE, 0);
	for (uint64_t pfn = keepmap_next_dumped(&km, 0); pfn < NPFN;
	     pfn = keepmap_next_dumped(&km, pfn + 1), i++) {
		CHECK(f[l.bitmap2_off + pfn / 8] >> (pfn % 8) & 1);
		if (lost13(pfn))
			CHECK_EQ(le64(f + l.desc_off + 24 * i), 0);
		else
			CHECK(le64(f + l.desc_off + 24 * i) >= l.data_off);
	}
	free(f);
	keepmap_release(&km);
}

/* ---- -R refuses what no dump can be ---- */

/* ---- the same of other machines' layouts ---- */

static void other_machines(void (*test)(void **), void **state)
{
	static const struct {
		const char *name;
		struct machine m;
	} ms[] = {
		{ "big-endian LP64 (s390x)", { .big_endian = true, .word_size = 8 } },
		{ "i386", { .word_size = 4 } },
	};

	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		print_message("    dumped machine: %s\n", ms[i].name);
		tm = ms[i].m;
		step_stride = 3;
		test(state);
	}
	tm = (struct machine){ .word_size = 8 };
	step_stride = 1;
}

static void test_other_machines_stopped(void **state)
{
	other_machines(test_stopped_half_way, state);
}

static void test_other_machines_lost(void **state)
{
	other_machines(test_lost_pages, state);
}

static void test_other_machines_stream_cut(void **state)
{
	other_machines(test_stream_cut_anywhere, state);
}

static void test_other_machines_disk_full(void **state)
{
	other_machines(test_disk_full_anywhere, state);
}

static void write_raw_stream(const char *path, const uint8_t *recs, size_t len)
{
	uint8_t hdr[4096] = "makedumpfile";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	hdr[23] = 1;                     /* type 1, big-endian */
	hdr[31] = 1;                     /* version 1 */
	assert_true(fd >= 0);
	CHECK_EQ(write(fd, hdr, sizeof(hdr)), 4096);
	CHECK_EQ(write(fd, recs, len), (ssize_t)len);
	close(fd);
}

static size_t put_record(uint8_t *p, uint64_t off, const void *data, uint64_t size)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(off >> (56 - 8 * i));
		p[8 + i] = (uint8_t)(size >> (56 - 8 * i));
	}
	memcpy(p + 16, data, size);
	return 16 + size;
}

static void test_rearrange_refuses_far_records(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_layout l;
	struct ds_rearranged rep;
	struct ds_err err = { 0 };
	uint8_t notes[600], hdr[KDUMP_MAIN_HEADER_SIZE], sub[KDUMP_SUB_HEADER_SIZE], recs[2048];
	char in[128], out[128];
	struct stat st;
	size_t len;

	(void)state;
	path_of(in, sizeof(in), "far.flat");
	path_of(out, sizeof(out), "far.kdump");

	WHERE("-R: a record at 2^62 (an exabyte sparse file on tmpfs)");
	len = put_record(recs, 1ull << 62, "hello", 5);
	write_raw_stream(in, recs, len);
	CHECK(rearrange(in, out, &rep, &err) < 0);
	CHECK_MSG(&err, "more than the output can hold");
	CHECK(stat(out, &st) < 0);      /* nothing of a dump: removed */

	WHERE("-R: a record past what the dump's main header allows");
	plan(&p, &km, notes);
	kdump_layout_compute(&p, keepmap_count_dumped(&km), &l);
	kdump_encode_main_header(&p, &l, hdr);
	kdump_encode_sub_header(&p, &l, sub);
	len = put_record(recs, 0, hdr, sizeof(hdr));
	len += put_record(recs + len, B, sub, sizeof(sub));
	len += put_record(recs + len, 1ull << 36, "hello", 5);
	write_raw_stream(in, recs, len);
	CHECK(rearrange(in, out, &rep, &err) < 0);
	CHECK_MSG(&err, "the largest dump its main header allows");
	/* what came before is what there is: a header, no page */
	CHECK(rep.incomplete);
	CHECK_EQ(rep.pages_kept, 0);
	CHECK_EQ(stat(out, &st), 0);
	CHECK(st.st_size < (1 << 20));
	keepmap_release(&km);
}

/* A cut file whose header claims bitmaps far larger than the file: the
 * repair reads only what the file holds.  (The fuzz campaign's
 * repair-timeout input: bitmaps of 2^41 bytes, whose zeros the repair
 * counted for seconds; a header may claim up to 2^51.) */
static void test_repair_huge_bitmaps(void **state)
{
	struct kdump_params p;
	struct keepmap km;
	struct kdump_layout l;
	struct kdump_repair_stats rs;
	struct kdump_repair_io io = { .mark_incomplete = true };
	struct ds_err err = { 0 };
	uint8_t notes[600], hdr[KDUMP_MAIN_HEADER_SIZE], sub[KDUMP_SUB_HEADER_SIZE];
	const uint32_t bitmap_blocks = 1u << 21;        /* 2 x 4 GiB of bitmap */
	char path[128];
	struct stat st;
	uint64_t bm1_off;
	uint8_t status[4];

	(void)state;
	WHERE("repair: bitmaps claimed far past the end of the file");
	path_of(path, sizeof(path), "huge-bitmaps.kdump");
	plan(&p, &km, notes);
	kdump_layout_compute(&p, keepmap_count_dumped(&km), &l);
	kdump_encode_main_header(&p, &l, hdr);
	kdump_encode_sub_header(&p, &l, sub);
	machine_put_u32(&tm, hdr + status_off() + 12, bitmap_blocks);
	bm1_off = (1 + (uint64_t)machine_get_u32(&tm, hdr + status_off() + 8)) * B;
	io.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(io.fd >= 0);
	CHECK_EQ(pwrite(io.fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	CHECK_EQ(pwrite(io.fd, sub, sizeof(sub), B), (ssize_t)sizeof(sub));
	/* a few bytes of the 1st bitmap arrived, none of the 2nd */
	CHECK_EQ(pwrite(io.fd, "\xff\xff", 2, (off_t)bm1_off), 2);
	io.name = path;
	io.size = bm1_off + 2;
	CHECK_EQ(kdump_repair(&io, &rs, &err), 0);
	CHECK_EQ(rs.planned, 0);
	CHECK_EQ(rs.kept, 0);
	CHECK_EQ(rs.bitmap_read, 0);    /* the 2nd bitmap begins past the end */

	WHERE("repair: 2nd bitmap cut 3 bytes in");
	io.size = bm1_off + (uint64_t)bitmap_blocks / 2 * B + 3;
	CHECK_EQ(ftruncate(io.fd, (off_t)io.size), 0);
	CHECK_EQ(kdump_repair(&io, &rs, &err), 0);
	CHECK_EQ(rs.planned, 0);
	CHECK_EQ(rs.bitmap_read, 2 * 3);        /* two passes of its 3 bytes */
	/* the layout is whole again (holes), the header says incomplete */
	CHECK_EQ(fstat(io.fd, &st), 0);
	CHECK_EQ((uint64_t)st.st_size, bm1_off + (uint64_t)bitmap_blocks * B);
	CHECK_EQ(pread(io.fd, status, 4, status_off()), 4);
	CHECK(machine_get_u32(&tm, status) & KDUMP_STATUS_INCOMPLETE);
	close(io.fd);
	unlink(path);
	keepmap_release(&km);
}

/* ---- DUMPFILE safety ---- */

static void test_outfile(void **state)
{
	struct outfile of;
	struct ds_err err = { 0 };
	struct stat in_st, st;
	char fifo[128], in[128], link[128], reg[128];
	int fd;

	(void)state;
	WHERE("-f on a FIFO: refused, left alone");
	path_of(fifo, sizeof(fifo), "fifo");
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	CHECK(outfile_open(&of, fifo, true, NULL, &err) < 0);
	CHECK_MSG(&err, "is a FIFO");
	CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));

	WHERE("DUMPFILE is VMCORE: refused before anything is written");
	path_of(in, sizeof(in), "vmcore");
	path_of(link, sizeof(link), "vmcore-link");
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK_EQ(write(fd, "ELF-ish", 7), 7);
	close(fd);
	CHECK_EQ(stat(in, &in_st), 0);
	CHECK(outfile_open(&of, in, true, &in_st, &err) < 0);
	CHECK_MSG(&err, "is the input file itself");
	CHECK_EQ(symlink(in, link), 0);
	CHECK(outfile_open(&of, link, true, &in_st, &err) < 0);
	CHECK_MSG(&err, "is the input file itself");
	CHECK(stat(in, &st) == 0 && st.st_size == 7);

	WHERE("-f /dev/null: written in place, never removed");
	CHECK_EQ(outfile_open(&of, "/dev/null", true, NULL, &err), 0);
	CHECK_EQ(of.kind, OUTFILE_CHARDEV);
	CHECK(!of.removable);
	outfile_discard(&of);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));

	WHERE("a regular file: exists without -f; replaced (and removable) with it");
	path_of(reg, sizeof(reg), "old.kdump");
	fd = open(reg, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK_EQ(write(fd, "old dump", 8), 8);
	close(fd);
	CHECK(outfile_open(&of, reg, false, NULL, &err) < 0);
	CHECK_MSG(&err, "file exists");
	CHECK(stat(reg, &st) == 0 && st.st_size == 8);
	CHECK_EQ(outfile_open(&of, reg, true, NULL, &err), 0);
	CHECK(stat(reg, &st) == 0 && st.st_size == 0);
	CHECK(of.removable);
	outfile_discard(&of);
	CHECK(stat(reg, &st) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_full_anywhere),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_stream_cut_anywhere),
		cmocka_unit_test(test_stopped_half_way),
		cmocka_unit_test(test_killed_before_first_page),
		cmocka_unit_test(test_lost_pages),
		cmocka_unit_test(test_other_machines_stopped),
		cmocka_unit_test(test_other_machines_lost),
		cmocka_unit_test(test_other_machines_disk_full),
		cmocka_unit_test(test_other_machines_stream_cut),
		cmocka_unit_test(test_rearrange_refuses_far_records),
		cmocka_unit_test(test_repair_huge_bitmaps),
		cmocka_unit_test(test_outfile),
	};

	RUN_TESTS_IN_TMPDIR(tmpdir, "test_incomplete", tests);
}

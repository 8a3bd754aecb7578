/* test_elf_write.c - the ELF output (lib/output/elf.c, -E) under issue 13's
 * "nothing lost" rules, read back by an independent ELF64 parser here.
 *
 * One plan of 6000 pfns (a hole, an excluded run, zero pages, ~20 MiB of
 * page data: the 4 MiB buffer is flushed several times) is written through
 * the output seam (output_elf_ops on a file or flattened-stream sink):
 *   - whole, with runs of unreadable pages: e_flags 0, no PT_LOAD covers an
 *     unreadable pfn (not even in p_memsz), every other kept pfn is covered
 *     and holds its own bytes;
 *   - with more unreadable runs than the table's reserve: still no
 *     unreadable pfn covered, and the readable pages left out with them are
 *     counted (output.dropped_pages) exactly;
 *   - right after begin (a SIGKILL): e_flags 1;
 *   - to a file whose size is limited (a full disk) at 26 limits spread
 *     over the whole file (14 on the others): closed incomplete, e_flags 1,
 *     every PT_LOAD inside the file, and the pages claimed exactly those
 *     whose data is below the limit, less the unreadable ones (the most the
 *     bytes allow);
 *   - as a stream stopped half way (a signal): rebuilt by ds_rearrange, the
 *     same holds, and -R says the dump is incomplete;
 *   - as a whole stream cut at ~17 points (~5 on the others): -R rebuilds
 *     a flagged dump whose PT_LOADs claim exactly the pages whose data
 *     arrived;
 * and all of it again in s390x's (ELF64 big-endian) and i386's (ELF32)
 * layouts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dumpsieve/dumpsieve.h>

#include "common/keepmap.h"
#include "output/output.h"

#define NPFN 6000u
#define B 4096u

static char tmpdir[64];

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static bool is_zero(uint64_t pfn)
{
	return pfn % 7 == 0;
}

static uint8_t byte_of(uint64_t pfn, size_t i)
{
	return (uint8_t)(pfn * 13 + i * 5 + (i >> 7) + 3);
}

static uint8_t notes[600];

/* the dumped machine: x86_64, then s390x (big-endian) and i386 (ELF32) */
static struct machine tm = { .word_size = 8 };
/* how many places the disk fills / a stream is cut (fewer on the others) */
static unsigned points = 25;

static void plan(struct dump_meta *m, struct keepmap *km)
{
	struct ds_err err = { 0 };

	memset(m, 0, sizeof(*m));
	m->page_size = B;
	m->max_pfn = NPFN;
	m->elf_machine = tm.word_size == 4 ? EM_386 : tm.big_endian ? EM_S390 : EM_X86_64;
	m->mach = tm;
	m->elf_class = tm.word_size == 4 ? 32 : 64;
	for (unsigned i = 0; i < sizeof(notes); i++)
		notes[i] = (uint8_t)(i * 7);
	m->notes = notes;
	m->notes_size = sizeof(notes);
	m->dump_level = 31;
	CHECK_EQ(keepmap_init(km, NPFN, &err), 0);
	keepmap_add_present(km, 0, 4000);
	keepmap_add_present(km, 4500, NPFN);
	keepmap_exclude(km, 100, 300);
}

/* An output on a file (limit: its -L size, 0 none) or, with stream, a
 * flattened stream into the file. */
static void open_out(struct output *o, const char *path, uint64_t limit, bool stream)
{
	struct ds_err err = { 0 };
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	memset(o, 0, sizeof(*o));
	o->ops = &output_elf_ops;
	o->file.fd = -1;
	if (stream) {
		CHECK_EQ(sink_flat_init(&o->sink, fd, path, &err), 0);
	} else {
		sink_file_init(&o->sink, fd, path);
		o->sink.limit = limit;
	}
}

/* Feed the plan's pages (lost() ones as unreadable) until `stop` pages or
 * the first error, which is returned. */
static int feed(struct output *o, const struct keepmap *km, uint64_t stop,
		bool (*lost)(uint64_t), struct ds_err *err)
{
	uint8_t page[B];
	uint64_t n = 0;
	int r = 0;

	for (uint64_t pfn = keepmap_next_dumped(km, 0); pfn < NPFN && n < stop && r == 0;
	     pfn = keepmap_next_dumped(km, pfn + 1), n++) {
		if (lost(pfn)) {
			r = output_add_lost(o, pfn, err);
		} else if (is_zero(pfn)) {
			r = output_add_zero(o, pfn, err);
		} else {
			for (size_t i = 0; i < B; i++)
				page[i] = byte_of(pfn, i);
			r = output_add_page(o, pfn, page, B, 0, err);
		}
	}
	return r;
}

static uint8_t *slurp(const char *path, size_t *ret_size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	buf = malloc((size_t)st.st_size + 1);
	CHECK(buf != NULL);
	CHECK_EQ(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*ret_size = (size_t)st.st_size;
	return buf;
}

struct parsed {
	uint32_t e_flags;
	size_t phnum;
	uint64_t covered;                /* distinct pfns in PT_LOADs */
	uint64_t min_off;                /* the first page data's offset */
};

/* An unsigned integer of n bytes in the file's byte order (e_ident) */
static uint64_t get(const uint8_t *f, const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	if (f[EI_DATA] == ELFDATA2MSB)
		for (size_t i = 0; i < n; i++)
			v = v << 8 | p[i];
	else
		while (n--)
			v = v << 8 | p[n];
	return v;
}

/* A field of an ELF structure of the file f's class at p, whatever the host */
#define FIELD(f, p, type, field) (f[EI_CLASS] == ELFCLASS64 \
	? get(f, (p) + offsetof(Elf64_##type, field), sizeof(((Elf64_##type *)0)->field)) \
	: get(f, (p) + offsetof(Elf32_##type, field), sizeof(((Elf32_##type *)0)->field)))

/* Parse a dump of the machine tm (ELF32 for i386, big-endian for s390x): the notes are ours, every PT_LOAD lies
 * in the file, covers only kept pfns that lost() does not name, and holds
 * their bytes (zeros for zero pages). */
static void parse(const char *path, const struct keepmap *km, bool (*lost)(uint64_t),
		  struct parsed *ps)
{
	size_t size;
	uint8_t *f = slurp(path, &size);
	uint8_t *seen = calloc(NPFN, 1);
	uint64_t phoff;
	size_t ehsz, phsz;
	static uint8_t want[B];

	memset(ps, 0, sizeof(*ps));
	ps->min_off = UINT64_MAX;
	CHECK(size >= sizeof(Elf64_Ehdr) && seen);
	CHECK(!memcmp(f, ELFMAG, SELFMAG));
	CHECK_EQ(f[EI_CLASS], tm.word_size == 4 ? ELFCLASS32 : ELFCLASS64);
	CHECK_EQ(f[EI_DATA], tm.big_endian ? ELFDATA2MSB : ELFDATA2LSB);
	ehsz = tm.word_size == 4 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	phsz = tm.word_size == 4 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	CHECK_EQ(FIELD(f, f, Ehdr, e_type), ET_CORE);
	phoff = FIELD(f, f, Ehdr, e_phoff);
	CHECK_EQ(phoff, ehsz);
	ps->e_flags = (uint32_t)FIELD(f, f, Ehdr, e_flags);
	ps->phnum = FIELD(f, f, Ehdr, e_phnum);
	if (ps->phnum == PN_XNUM) {
		uint64_t shoff = FIELD(f, f, Ehdr, e_shoff);

		CHECK(shoff + sizeof(Elf64_Shdr) <= size);
		ps->phnum = FIELD(f, f + shoff, Shdr, sh_info);
	}
	CHECK(phoff + ps->phnum * phsz <= size);
	for (size_t i = 0; i < ps->phnum; i++) {
		const uint8_t *ph = f + phoff + i * phsz;
		uint64_t off = FIELD(f, ph, Phdr, p_offset), paddr = FIELD(f, ph, Phdr, p_paddr);
		uint64_t filesz = FIELD(f, ph, Phdr, p_filesz);

		CHECK(off + filesz <= size);
		if (i == 0) {
			CHECK_EQ(FIELD(f, ph, Phdr, p_type), PT_NOTE);
			CHECK_EQ(filesz, sizeof(notes));
			CHECK(!memcmp(f + off, notes, sizeof(notes)));
			continue;
		}
		WHERE("%s: PT_LOAD %zu at paddr 0x%llx", path, i, (unsigned long long)paddr);
		CHECK_EQ(FIELD(f, ph, Phdr, p_type), PT_LOAD);
		CHECK_EQ(filesz, FIELD(f, ph, Phdr, p_memsz));
		CHECK(filesz > 0 && paddr % B == 0 && filesz % B == 0);
		if (off < ps->min_off)
			ps->min_off = off;
		for (uint64_t p = paddr / B; p < (paddr + filesz) / B; p++) {
			const uint8_t *d = f + off + (p * B - paddr);

			WHERE("%s: pfn 0x%llx", path, (unsigned long long)p);
			CHECK(p < NPFN && keepmap_is_dumped(km, p));
			CHECK(!lost(p));
			for (size_t b = 0; b < B; b++)
				want[b] = is_zero(p) ? 0 : byte_of(p, b);
			if (memcmp(d, want, B))
				fail_msg("%s: its bytes are not the page's", where);
			if (!seen[p]++)
				ps->covered++;
		}
	}
	free(seen);
	free(f);
}

static bool lost_none(uint64_t pfn)
{
	(void)pfn;
	return false;
}

/* runs of 1 to 10 pages, at the edges of PT_LOADs and inside them */
static bool lost_some(uint64_t pfn)
{
	return (pfn >= 50 && pfn < 53) || pfn % 97 == 3 || (pfn >= 4500 && pfn < 4510) ||
	       pfn == 3999 || pfn == 300;
}

/* 1500 runs: more than the 1024 program headers in reserve */
static bool lost_many(uint64_t pfn)
{
	return pfn >= 1000 && pfn < 4000 && pfn % 2 == 0;
}

static uint64_t count_kept(const struct keepmap *km, bool (*pred)(uint64_t), bool want)
{
	uint64_t n = 0;

	for (uint64_t pfn = keepmap_next_dumped(km, 0); pfn < NPFN;
	     pfn = keepmap_next_dumped(km, pfn + 1))
		n += pred(pfn) == want;
	return n;
}

/* Write the whole plan; returns the parse, *dropped the output's count. */
static void whole(const char *name, bool (*lost)(uint64_t), struct parsed *ps, uint64_t *dropped)
{
	struct ds_err err = { 0 };
	struct output o;
	struct dump_meta m;
	struct keepmap km;
	char path[128];

	path_of(path, sizeof(path), name);
	plan(&m, &km);
	open_out(&o, path, 0, false);
	WHERE("%s", name);
	CHECK_EQ(o.ops->begin(&o, &m, &km, &err), 0);
	CHECK_EQ(feed(&o, &km, UINT64_MAX, lost, &err), 0);
	CHECK_EQ(o.ops->finish(&o, NULL, &err), 0);
	close(o.sink.fd);
	parse(path, &km, lost, ps);
	*dropped = o.dropped_pages;
	keepmap_release(&km);
	unlink(path);
}

static void test_whole_with_lost_pages(void **state)
{
	struct parsed ps;
	struct keepmap km;
	struct dump_meta m;
	uint64_t dropped;

	(void)state;
	plan(&m, &km);
	whole("none.elf", lost_none, &ps, &dropped);
	WHERE("no lost page");
	CHECK_EQ(ps.e_flags, 0);
	CHECK_EQ(ps.covered, keepmap_count_dumped(&km));
	CHECK_EQ(dropped, 0);

	whole("some.elf", lost_some, &ps, &dropped);
	WHERE("lost pages");
	CHECK_EQ(ps.e_flags, 0);
	CHECK_EQ(ps.covered, count_kept(&km, lost_some, false));
	CHECK_EQ(dropped, 0);
	keepmap_release(&km);
}

static void test_reserve_full(void **state)
{
	struct parsed ps;
	struct keepmap km;
	struct dump_meta m;
	uint64_t dropped, readable;

	(void)state;
	plan(&m, &km);
	readable = count_kept(&km, lost_many, false);
	whole("many.elf", lost_many, &ps, &dropped);
	WHERE("1500 lost runs");
	CHECK_EQ(ps.e_flags, 0);
	CHECK(dropped > 0 && dropped < readable);
	CHECK_EQ(ps.covered + dropped, readable);
	CHECK(ps.phnum <= 2 + 1024 + 4);
	keepmap_release(&km);
}

static void test_flagged_from_the_first_write(void **state)
{
	struct ds_err err = { 0 };
	struct output o;
	struct dump_meta m;
	struct keepmap km;
	struct parsed ps;
	char path[128];

	(void)state;
	path_of(path, sizeof(path), "killed.elf");
	plan(&m, &km);
	open_out(&o, path, 0, false);
	CHECK_EQ(o.ops->begin(&o, &m, &km, &err), 0);
	CHECK_EQ(feed(&o, &km, 1000, lost_none, &err), 0);
	/* killed here: nothing more is written */
	WHERE("after begin");
	{
		size_t size;
		uint8_t *f = slurp(path, &size);

		CHECK_EQ(FIELD(f, f, Ehdr, e_flags), 1);
		free(f);
	}
	o.ops->abort(&o);
	close(o.sink.fd);
	/* finished: 0 (and the parse of a whole file) */
	whole("finished.elf", lost_none, &ps, &(uint64_t){ 0 });
	CHECK_EQ(ps.e_flags, 0);
	keepmap_release(&km);
	unlink(path);
}

/* kept pages not lost whose slot (kept index) is below `slots` */
static uint64_t readable_below(const struct keepmap *km, bool (*lost)(uint64_t), uint64_t slots)
{
	uint64_t n = 0, i = 0;

	for (uint64_t pfn = keepmap_next_dumped(km, 0); pfn < NPFN && i < slots;
	     pfn = keepmap_next_dumped(km, pfn + 1), i++)
		n += !lost(pfn);
	return n;
}

static void test_disk_full_anywhere(void **state)
{
	struct parsed whole_ps, ps;
	struct keepmap km;
	struct dump_meta m;
	uint64_t data_off, end;
	char path[128];

	(void)state;
	whole("ref.elf", lost_some, &whole_ps, &(uint64_t){ 0 });
	data_off = whole_ps.min_off;
	plan(&m, &km);
	end = data_off + keepmap_count_dumped(&km) * B;
	path_of(path, sizeof(path), "full.elf");
	for (uint64_t limit = 1000; limit < end; limit += end / points + 4321) {
		struct ds_err err = { 0 };
		struct output_incomplete inc;
		struct output o;
		int r;

		WHERE("limit %llu of %llu", (unsigned long long)limit, (unsigned long long)end);
		open_out(&o, path, limit, false);
		r = o.ops->begin(&o, &m, &km, &err);
		if (r == 0 && (r = feed(&o, &km, UINT64_MAX, lost_some, &err)) == 0)
			r = o.ops->finish(&o, NULL, &err);
		CHECK(r < 0);
		CHECK_MSG(&err, "size limit");
		CHECK_EQ(o.ops->close_incomplete(&o, &inc, &err), 0);
		close(o.sink.fd);
		CHECK_EQ(inc.planned, keepmap_count_dumped(&km));
		if (limit <= data_off) {
			CHECK_EQ(inc.pages, 0);
			continue;
		}
		parse(path, &km, lost_some, &ps);
		CHECK_EQ(ps.e_flags, 1);
		CHECK_EQ(ps.covered, inc.pages);
		/* every page whose data is below the limit */
		CHECK_EQ(inc.pages, readable_below(&km, lost_some, (limit - data_off) / B));
	}
	keepmap_release(&km);
	unlink(path);
}

static void test_stream_stopped_half_way(void **state)
{
	struct ds_err err = { 0 };
	struct output_incomplete inc;
	struct ds_rearranged rep;
	struct output o;
	struct dump_meta m;
	struct keepmap km;
	struct parsed ps;
	char path[128], out[128];
	int fd;

	(void)state;
	path_of(path, sizeof(path), "half.flat");
	path_of(out, sizeof(out), "half.elf");
	plan(&m, &km);
	open_out(&o, path, 0, true);
	CHECK_EQ(o.ops->begin(&o, &m, &km, &err), 0);
	CHECK_EQ(feed(&o, &km, 2500, lost_some, &err), 0);
	WHERE("stream stopped after 2500 pages");
	CHECK_EQ(o.ops->close_incomplete(&o, &inc, &err), 0);
	close(o.sink.fd);
	CHECK(inc.pages > 0 && inc.pages <= readable_below(&km, lost_some, 2500));
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(ds_rearrange(fd, out, true, NULL, &rep, &err) < 0);
	close(fd);
	CHECK(rep.incomplete && !rep.cut);
	CHECK_MSG(&err, "says it is incomplete");
	parse(out, &km, lost_some, &ps);
	CHECK_EQ(ps.e_flags, 1);
	CHECK_EQ(ps.covered, inc.pages);
	keepmap_release(&km);
	unlink(path);
	unlink(out);
}

/* The whole stream cut at points spread over it: -R rebuilds a flagged
 * dump whose PT_LOADs claim exactly the pages whose data arrived. */
static void test_stream_cut_anywhere(void **state)
{
	struct ds_err err = { 0 };
	struct output o;
	struct dump_meta m;
	struct keepmap km;
	struct parsed ref, ps;
	char path[128], cut[128], out[128];
	uint8_t *s;
	size_t len;
	unsigned rebuilt = 0;

	(void)state;
	whole("ref2.elf", lost_none, &ref, &(uint64_t){ 0 });
	path_of(path, sizeof(path), "whole.flat");
	path_of(cut, sizeof(cut), "cut.flat");
	path_of(out, sizeof(out), "cut.elf");
	plan(&m, &km);
	open_out(&o, path, 0, true);
	CHECK_EQ(o.ops->begin(&o, &m, &km, &err), 0);
	CHECK_EQ(feed(&o, &km, UINT64_MAX, lost_none, &err), 0);
	CHECK_EQ(o.ops->finish(&o, NULL, &err), 0);
	close(o.sink.fd);
	s = slurp(path, &len);
	for (size_t at = 4096 + 100; at < len; at += len / (points - 8) + 777) {
		struct ds_rearranged rep;
		int fd = open(cut, O_RDWR | O_CREAT | O_TRUNC, 0600), r;

		WHERE("stream of %zu bytes cut at %zu", len, at);
		CHECK(fd >= 0 && write(fd, s, at) == (ssize_t)at);
		CHECK(lseek(fd, 0, SEEK_SET) == 0);
		r = ds_rearrange(fd, out, true, NULL, &rep, &err);
		close(fd);
		CHECK(r < 0 && rep.cut);
		if (!rep.incomplete)
			continue;                /* not even the ELF header arrived */
		parse(out, &km, lost_none, &ps);
		CHECK_EQ(ps.e_flags, 1);
		CHECK_EQ(ps.covered, rep.bytes > ref.min_off
			 ? readable_below(&km, lost_none, (rep.bytes - ref.min_off) / B) : 0);
		rebuilt++;
	}
	CHECK(rebuilt >= points / 4);
	free(s);
	keepmap_release(&km);
	unlink(path);
	unlink(cut);
	unlink(out);
}

/* The same on the other machines' layouts */
static void other_machines(void (*test)(void **), void **state)
{
	static const struct machine ms[] = {
		{ .big_endian = true, .word_size = 8 },   /* s390x: ELF64 big-endian */
		{ .word_size = 4 },                       /* i386: ELF32 */
	};

	points = 13;
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		tm = ms[i];
		test(state);
	}
	tm = (struct machine){ .word_size = 8 };
	points = 25;
}

static void test_other_machines_lost(void **state)
{
	other_machines(test_whole_with_lost_pages, state);
	other_machines(test_reserve_full, state);
}

static void test_other_machines_disk_full(void **state)
{
	other_machines(test_disk_full_anywhere, state);
}

static void test_other_machines_streams(void **state)
{
	other_machines(test_stream_stopped_half_way, state);
	other_machines(test_stream_cut_anywhere, state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_with_lost_pages),
		cmocka_unit_test(test_reserve_full),
		cmocka_unit_test(test_flagged_from_the_first_write),
		cmocka_unit_test(test_disk_full_anywhere),
		cmocka_unit_test(test_stream_stopped_half_way),
		cmocka_unit_test(test_stream_cut_anywhere),
		cmocka_unit_test(test_other_machines_lost),
		cmocka_unit_test(test_other_machines_disk_full),
		cmocka_unit_test(test_other_machines_streams),
	};
	RUN_TESTS_IN_TMPDIR(tmpdir, "test_elf_write", tests);
}

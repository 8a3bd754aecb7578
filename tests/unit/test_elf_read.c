/* test_elf_read.c - unit tests for lib/elf/elf_read (with lib/io/source):
 * ELF64 cores written to temporary files and opened with source_open +
 * elf_core_open.  Covers program headers right after the ELF header, after a
 * section header table (QEMU 7.2 layout, e_phoff=192) and at the end of the
 * file; PT_LOADs given out of order, nested (the kernel text mapped twice),
 * partly overlapping and adjacent: the resulting ranges (sorted, cut,
 * file offsets), elf_read_phys across the overlap and across two ranges,
 * the zero tail of p_memsz > p_filesz, addresses in no range (DS_ENODATA);
 * the notes (one or two PT_NOTEs, VMCOREINFO offset/size, NT_PRSTATUS
 * count, zero padding); and each rejection with its status and message:
 * short file, bad magic, unknown class or byte order, ET_EXEC, bad e_phentsize,
 * e_phnum 0, program headers or a segment past EOF ("truncated"), filesz >
 * memsz, a note running past its segment, no PT_LOAD.  ELF32 and
 * big-endian cores (i386, s390x) written field by field with bytes.h: the
 * same segments, notes and reads in all four class/order combinations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "elf/elf_read.h"
#include "io/source.h"

/* ---- building a file image in memory ---- */

struct img {
	uint8_t *b;
	size_t size;
};

static void img_put(struct img *im, size_t off, const void *p, size_t len)
{
	if (off + len > im->size) {
		uint8_t *g = realloc(im->b, off + len);

		assert_non_null(g);
		memset(g + im->size, 0, off + len - im->size);
		im->b = g;
		im->size = off + len;
	}
	memcpy(im->b + off, p, len);
}

static void img_free(struct img *im)
{
	free(im->b);
	im->b = NULL;
	im->size = 0;
}

/* ELF structures in the file's byte order (little-endian here, whatever
 * the host's: the tests also run on s390x), field by field. */
#define EHDR_FIELDS(X) X(e_type) X(e_machine) X(e_version) X(e_entry) X(e_phoff) \
	X(e_shoff) X(e_flags) X(e_ehsize) X(e_phentsize) X(e_phnum) X(e_shentsize) \
	X(e_shnum) X(e_shstrndx)
#define PHDR_FIELDS(X) X(p_type) X(p_flags) X(p_offset) X(p_vaddr) X(p_paddr) \
	X(p_filesz) X(p_memsz) X(p_align)
#define SHDR_FIELDS(X) X(sh_name) X(sh_type) X(sh_flags) X(sh_addr) X(sh_offset) \
	X(sh_size) X(sh_link) X(sh_info) X(sh_addralign) X(sh_entsize)
#define NHDR_FIELDS(X) X(n_namesz) X(n_descsz) X(n_type)

#define PUT_FIELD(type, f) \
	bytes_put_uint(false, b + offsetof(type, f), sizeof(v->f), v->f);
#define GET_FIELD(type, f) \
	v->f = (__typeof__(v->f))bytes_get_uint(false, b + offsetof(type, f), sizeof(v->f));

static void put_ehdr(struct img *im, size_t off, const Elf64_Ehdr *v)
{
	uint8_t b[sizeof(*v)];

	memcpy(b, v->e_ident, EI_NIDENT);
#define X(f) PUT_FIELD(Elf64_Ehdr, f)
	EHDR_FIELDS(X)
#undef X
	img_put(im, off, b, sizeof(b));
}

static void get_ehdr(const struct img *im, size_t off, Elf64_Ehdr *v)
{
	const uint8_t *b = im->b + off;

	memcpy(v->e_ident, b, EI_NIDENT);
#define X(f) GET_FIELD(Elf64_Ehdr, f)
	EHDR_FIELDS(X)
#undef X
}

static void put_phdr(struct img *im, size_t off, const Elf64_Phdr *v)
{
	uint8_t b[sizeof(*v)];

#define X(f) PUT_FIELD(Elf64_Phdr, f)
	PHDR_FIELDS(X)
#undef X
	img_put(im, off, b, sizeof(b));
}

static void get_phdr(const struct img *im, size_t off, Elf64_Phdr *v)
{
	const uint8_t *b = im->b + off;

#define X(f) GET_FIELD(Elf64_Phdr, f)
	PHDR_FIELDS(X)
#undef X
}

static void put_shdr(struct img *im, size_t off, const Elf64_Shdr *v)
{
	uint8_t b[sizeof(*v)];

#define X(f) PUT_FIELD(Elf64_Shdr, f)
	SHDR_FIELDS(X)
#undef X
	img_put(im, off, b, sizeof(b));
}

static void put_nhdr(struct img *im, size_t off, const Elf64_Nhdr *v)
{
	uint8_t b[sizeof(*v)];

#define X(f) PUT_FIELD(Elf64_Nhdr, f)
	NHDR_FIELDS(X)
#undef X
	img_put(im, off, b, sizeof(b));
}

static void get_nhdr(const struct img *im, size_t off, Elf64_Nhdr *v)
{
	const uint8_t *b = im->b + off;

#define X(f) GET_FIELD(Elf64_Nhdr, f)
	NHDR_FIELDS(X)
#undef X
}

/* The byte every test file holds at physical address p (a function of p
 * only, so overlapping segments agree and a wrong offset shows). */
static uint8_t phys_byte(uint64_t p)
{
	return (uint8_t)(p * 7u + (p >> 8) * 13u + (p >> 16) * 3u + 1u);
}

static void fill_phys(uint8_t *buf, uint64_t paddr, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = phys_byte(paddr + i);
}

static Elf64_Ehdr core_ehdr(uint64_t phoff, unsigned phnum)
{
	Elf64_Ehdr eh;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = phoff;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)phnum;
	return eh;
}

/* Append one note (name, type, desc) to a note buffer. */
static void note_add(struct img *notes, const char *name, uint32_t type,
		     const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh;
	size_t off = notes->size;
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	uint8_t zero[4] = { 0 };

	nh.n_namesz = namesz;
	nh.n_descsz = descsz;
	nh.n_type = type;
	put_nhdr(notes, off, &nh);
	off += sizeof(nh);
	img_put(notes, off, name, namesz);
	off += namesz;
	if (off % 4)
		img_put(notes, off, zero, 4 - off % 4), off += 4 - off % 4;
	if (descsz)
		img_put(notes, off, desc, descsz);
	off += descsz;
	if (off % 4)
		img_put(notes, off, zero, 4 - off % 4);
}

static const char vmci_text[] =
	"OSRELEASE=6.1.0-47-amd64\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a0c000\n";

/* Notes as /proc/vmcore has them: one NT_PRSTATUS per CPU, then
 * VMCOREINFO.  Returns the offset of the VMCOREINFO desc. */
static size_t std_notes(struct img *notes, unsigned ncpus)
{
	uint8_t prstatus[336];

	for (unsigned i = 0; i < ncpus; i++) {
		memset(prstatus, (int)(0x40 + i), sizeof(prstatus));
		note_add(notes, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	}
	note_add(notes, "VMCOREINFO", 0, vmci_text, (uint32_t)strlen(vmci_text));
	return notes->size - ((strlen(vmci_text) + 3) & ~(size_t)3);
}

struct seg {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
	uint64_t offset;         /* where its data goes in the file */
};

/* Write ehdr + phdrs (at phoff) + note bytes + load data (phys_byte pattern)
 * into im. */
static void build(struct img *im, uint64_t phoff, const struct seg *segs, unsigned n,
		  const struct img *notes)
{
	Elf64_Ehdr eh = core_ehdr(phoff, n);

	put_ehdr(im, 0, &eh);
	for (unsigned i = 0; i < n; i++) {
		Elf64_Phdr ph;

		memset(&ph, 0, sizeof(ph));
		ph.p_type = segs[i].type;
		ph.p_offset = segs[i].offset;
		ph.p_vaddr = segs[i].vaddr;
		ph.p_paddr = segs[i].paddr;
		ph.p_filesz = segs[i].filesz;
		ph.p_memsz = segs[i].memsz;
		ph.p_align = segs[i].type == PT_NOTE ? 0 : 4096;
		put_phdr(im, phoff + i * sizeof(ph), &ph);
		if (segs[i].type == PT_LOAD && segs[i].filesz) {
			uint8_t *data = malloc(segs[i].filesz);

			assert_non_null(data);
			fill_phys(data, segs[i].paddr, segs[i].filesz);
			img_put(im, segs[i].offset, data, segs[i].filesz);
			free(data);
		} else if (segs[i].type == PT_NOTE && notes && segs[i].filesz) {
			img_put(im, segs[i].offset, notes->b, segs[i].filesz);
		}
	}
}

/* ---- temp files and opening ---- */

struct opened {
	char path[64];
	struct source src;
	struct elf_core core;
	bool src_open;
};

/* Every temporary file, removed at exit even when a test fails midway. */
static char temp_paths[64][64];
static unsigned n_temp_paths;

static void remove_temp_files(void)
{
	for (unsigned i = 0; i < n_temp_paths; i++)
		unlink(temp_paths[i]);
}

static void write_file(struct opened *o, const struct img *im)
{
	int fd;

	snprintf(o->path, sizeof(o->path), "/tmp/test_elf_read.XXXXXX");
	fd = mkstemp(o->path);
	assert_true(fd >= 0);
	if (n_temp_paths < 64)
		snprintf(temp_paths[n_temp_paths++], sizeof(temp_paths[0]), "%s", o->path);
	assert_int_equal(write(fd, im->b, im->size), (ssize_t)im->size);
	close(fd);
}

/* Open im as a core; returns elf_core_open's result. */
static int open_img(struct opened *o, const struct img *im, struct ds_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	write_file(o, im);
	r = source_open(&o->src, o->path, err);
	if (r < 0)
		fail_msg("%s: source_open: %s", where, err->msg);
	o->src_open = true;
	return elf_core_open(&o->core, &o->src, err);
}

static void close_opened(struct opened *o)
{
	elf_core_release(&o->core);
	if (o->src_open)
		source_close(&o->src);
	unlink(o->path);
}

/* Read phys [paddr, +len) and compare with the pattern (zero from zero_from). */
static void check_phys(struct opened *o, uint64_t paddr, size_t len, uint64_t zero_from)
{
	uint8_t *buf = malloc(len), *want = malloc(len);
	struct ds_err err = { 0 };
	int r;

	assert_non_null(buf);
	assert_non_null(want);
	memset(buf, 0xee, len);
	fill_phys(want, paddr, len);
	for (size_t i = 0; i < len; i++)
		if (paddr + i >= zero_from)
			want[i] = 0;
	r = elf_read_phys(&o->core, &o->src, paddr, buf, len, &err);
	if (r != 0)
		fail_msg("%s: elf_read_phys(0x%llx, %zu) = %d: %s", where,
			 (unsigned long long)paddr, len, r, err.msg);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != want[i])
			fail_msg("%s: read at 0x%llx: byte %zu (paddr 0x%llx) is 0x%02x, expected 0x%02x",
				 where, (unsigned long long)paddr, i,
				 (unsigned long long)(paddr + i), buf[i], want[i]);
	free(buf);
	free(want);
}

/* ---- tests ---- */

static void test_is_elf(void **state)
{
	(void)state;
	WHERE("elf_is_elf");
	CHECK(elf_is_elf((const uint8_t *)"\177ELF\002\001", 6));
	CHECK(elf_is_elf((const uint8_t *)"\177ELF", 4));
	CHECK(!elf_is_elf((const uint8_t *)"\177EL", 3));
	CHECK(!elf_is_elf((const uint8_t *)"\177ELG", 4));
	CHECK(!elf_is_elf((const uint8_t *)"KDUMP   ", 8));
}

/* Phdrs right after the ehdr: NOTE + one LOAD, as the simplest core. */
static void test_simple(void **state)
{
	struct img notes = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	size_t vmci_off;
	int r;

	(void)state;
	WHERE("simple core");
	vmci_off = std_notes(&notes, 3);
	struct seg segs[] = {
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
		{ PT_LOAD, 0x100000, 0xffff888000100000ull, 0x3000, 0x3000, 0x2000 },
	};
	build(&im, sizeof(Elf64_Ehdr), segs, 2, &notes);
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	CHECK_EQ(o.core.machine, EM_X86_64);
	CHECK_EQ(o.core.n_loads, 1);
	CHECK_EQ(o.core.loads[0].paddr, 0x100000);
	CHECK_EQ(o.core.loads[0].vaddr, 0xffff888000100000ull);
	CHECK_EQ(o.core.loads[0].filesz, 0x3000);
	CHECK_EQ(o.core.loads[0].memsz, 0x3000);
	CHECK_EQ(o.core.loads[0].offset, 0x2000);
	CHECK_EQ(o.core.n_ranges, 1);
	CHECK_EQ(o.core.ranges[0].start, 0x100000);
	CHECK_EQ(o.core.ranges[0].end, 0x103000);
	CHECK_EQ(o.core.ranges[0].data_end, 0x103000);
	CHECK_EQ(o.core.ranges[0].file_off, 0x2000);
	/* notes */
	CHECK_EQ(o.core.notes_size, notes.size);
	CHECK(memcmp(o.core.notes, notes.b, notes.size) == 0);
	CHECK_EQ(o.core.nr_prstatus, 3);
	CHECK_EQ(o.core.vmcoreinfo_off, vmci_off);
	CHECK_EQ(o.core.vmcoreinfo_size, strlen(vmci_text));
	CHECK(memcmp(o.core.notes + o.core.vmcoreinfo_off, vmci_text, strlen(vmci_text)) == 0);
	/* reads */
	check_phys(&o, 0x100000, 0x3000, UINT64_MAX);
	check_phys(&o, 0x101ff8, 16, UINT64_MAX);
	CHECK_EQ(elf_find_range(&o.core, 0x100000), 0);
	CHECK_EQ(elf_find_range(&o.core, 0x102fff), 0);
	CHECK_EQ((unsigned long long)elf_find_range(&o.core, 0x103000), (unsigned long long)-1);
	CHECK_EQ((unsigned long long)elf_find_range(&o.core, 0xfffff), (unsigned long long)-1);
	close_opened(&o);
	img_free(&im);
	img_free(&notes);
}

/* QEMU 7.2 layout: section headers at 64, program headers at 192.  The
 * bytes at 64 are a section header table that must not be read as phdrs. */
static void test_phdrs_after_shdrs(void **state)
{
	struct img notes = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	Elf64_Shdr sh[2];
	Elf64_Ehdr eh;
	size_t vmci_off;
	int r;

	(void)state;
	WHERE("QEMU layout, e_phoff=192");
	vmci_off = std_notes(&notes, 2);
	struct seg segs[] = {
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
		{ PT_LOAD, 0, 0, 0x2000, 0x2000, 0x2000 },
		{ PT_LOAD, 0x10000, 0, 0x1000, 0x1000, 0x4000 },
	};
	build(&im, 192, segs, 3, &notes);
	/* a section header table at 64 with values that would be nonsense
	 * as phdrs (type PT_LOAD-like numbers, offsets past EOF) */
	memset(sh, 0, sizeof(sh));
	sh[0].sh_type = SHT_NULL;
	sh[0].sh_info = 4;     /* the real e_phnum when PN_XNUM is used */
	sh[1].sh_type = SHT_NOTE;
	sh[1].sh_name = 1;
	sh[1].sh_offset = 0x7fffffff0000ull;
	sh[1].sh_size = 0x7fffffff0000ull;
	put_shdr(&im, 64, &sh[0]);
	put_shdr(&im, 64 + sizeof(sh[0]), &sh[1]);
	get_ehdr(&im, 0, &eh);
	eh.e_shoff = 64;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 2;
	put_ehdr(&im, 0, &eh);

	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	CHECK_EQ(o.core.n_loads, 2);
	CHECK_EQ(o.core.n_ranges, 2);
	CHECK_EQ(o.core.ranges[0].start, 0);
	CHECK_EQ(o.core.ranges[0].end, 0x2000);
	CHECK_EQ(o.core.ranges[1].start, 0x10000);
	CHECK_EQ(o.core.ranges[1].file_off, 0x4000);
	CHECK_EQ(o.core.nr_prstatus, 2);
	CHECK_EQ(o.core.vmcoreinfo_off, vmci_off);
	check_phys(&o, 0x10000, 0x1000, UINT64_MAX);
	check_phys(&o, 0x1ff0, 16, UINT64_MAX);
	close_opened(&o);
	img_free(&im);
	img_free(&notes);
}

/* Program headers at the end of the file, after all data. */
static void test_phdrs_at_end(void **state)
{
	struct img notes = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	int r;

	(void)state;
	WHERE("phdrs at the end");
	std_notes(&notes, 1);
	struct seg segs[] = {
		{ PT_LOAD, 0x200000, 0, 0x1000, 0x1000, 0x1000 },
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x2000 },
	};
	build(&im, 0x3000, segs, 2, &notes);
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	CHECK_EQ(o.core.n_ranges, 1);
	CHECK_EQ(o.core.nr_prstatus, 1);
	CHECK(o.core.vmcoreinfo_size == strlen(vmci_text));
	check_phys(&o, 0x200000, 0x1000, UINT64_MAX);
	close_opened(&o);
	img_free(&im);
	img_free(&notes);
}

/* The kdump /proc/vmcore shape: the kernel text has its own PT_LOAD inside a
 * RAM one; plus a partial overlap, an adjacent segment, a memsz > filesz
 * tail and holes.  Segments are given out of order. */
/* /proc/kcore: segments without a physical address (p_paddr = -1: vmalloc,
 * modules, vmemmap) are skipped; the text segment overlaps RAM */
static void test_kcore(void **state)
{
	struct img notes = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	int r;

	(void)state;
	WHERE("kcore segments");
	std_notes(&notes, 1);
	struct seg segs[] = {
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
		{ PT_LOAD, UINT64_MAX, 0xffffc90000000000ull, 0x10000, 0x10000, 0x2000 },
		{ PT_LOAD, 0x10000, 0xffffffff81000000ull, 0x20000, 0x20000, 0x12000 },
		{ PT_LOAD, 0, 0xffff888000000000ull, 0x100000, 0x100000, 0x32000 },
		{ PT_LOAD, UINT64_MAX, 0xffffea0000000000ull, 0x1000, 0x1000, 0x132000 },
	};
	build(&im, sizeof(Elf64_Ehdr), segs, 5, &notes);
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	CHECK_EQ(o.core.n_loads, 2);
	CHECK_EQ(o.core.n_ranges, 1);
	CHECK_EQ(o.core.ranges[0].start, 0);
	CHECK_EQ(o.core.ranges[0].end, 0x100000);
	close_opened(&o);
	img_free(&im);
	img_free(&notes);
}

static void test_overlaps(void **state)
{
	struct img notes = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	uint8_t buf[64];
	int r;

	(void)state;
	WHERE("overlapping PT_LOADs");
	std_notes(&notes, 1);
	struct seg segs[] = {
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
		/* kernel text: inside RAM A */
		{ PT_LOAD, 0x10000, 0xffffffff81000000ull, 0x20000, 0x20000, 0x2000 },
		/* RAM C: overlaps the last 0x10000 of RAM B */
		{ PT_LOAD, 0x170000, 0xffff888000170000ull, 0x30000, 0x30000, 0x22000 },
		/* RAM A */
		{ PT_LOAD, 0, 0xffff888000000000ull, 0x100000, 0x100000, 0x52000 },
		/* RAM D: only the first half is in the file */
		{ PT_LOAD, 0x200000, 0xffff888000200000ull, 0x10000, 0x20000, 0x152000 },
		/* RAM B: right after A */
		{ PT_LOAD, 0x100000, 0xffff888000100000ull, 0x80000, 0x80000, 0x162000 },
		/* an empty PT_LOAD is ignored */
		{ PT_LOAD, 0x300000, 0, 0, 0, 0x1e2000 },
		/* inside A, ending where A ends */
		{ PT_LOAD, 0xf0000, 0, 0x10000, 0x10000, 0x1e2000 },
		/* B again, exactly */
		{ PT_LOAD, 0x100000, 0, 0x80000, 0x80000, 0x1f2000 },
	};
	build(&im, sizeof(Elf64_Ehdr), segs, 9, &notes);
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);

	/* loads as found */
	CHECK_EQ(o.core.n_loads, 8);
	CHECK_EQ(o.core.loads[0].paddr, 0x10000);
	CHECK_EQ(o.core.loads[0].vaddr, 0xffffffff81000000ull);
	CHECK_EQ(o.core.loads[1].paddr, 0x170000);
	CHECK_EQ(o.core.loads[3].memsz, 0x20000);
	CHECK_EQ(o.core.loads[3].filesz, 0x10000);

	/* ranges: sorted, non-overlapping */
	static const struct phys_range want[] = {
		{ 0, 0x100000, 0x100000, 0x52000 },
		{ 0x100000, 0x180000, 0x180000, 0x162000 },
		{ 0x180000, 0x1a0000, 0x1a0000, 0x22000 + 0x10000 },
		{ 0x200000, 0x220000, 0x210000, 0x152000 },
	};
	CHECK_EQ(o.core.n_ranges, 4);
	for (size_t i = 0; i < 4 && i < o.core.n_ranges; i++) {
		WHERE("overlapping PT_LOADs: range %zu", i);
		CHECK_EQ(o.core.ranges[i].start, want[i].start);
		CHECK_EQ(o.core.ranges[i].end, want[i].end);
		CHECK_EQ(o.core.ranges[i].data_end, want[i].data_end);
		CHECK_EQ(o.core.ranges[i].file_off, want[i].file_off);
		if (i)
			CHECK(o.core.ranges[i].start >= o.core.ranges[i - 1].end);
	}
	WHERE("overlapping PT_LOADs: reads");
	/* inside the kernel text (both A and text hold it) */
	check_phys(&o, 0x10000, 0x20000, UINT64_MAX);
	check_phys(&o, 0x2fff0, 0x20, UINT64_MAX);
	/* across the A|B boundary (two ranges) */
	check_phys(&o, 0xffff0, 0x20, UINT64_MAX);
	/* inside the B/C overlap, and across the cut into trimmed C */
	check_phys(&o, 0x170000, 0x10000, UINT64_MAX);
	check_phys(&o, 0x17fff0, 0x20, UINT64_MAX);
	check_phys(&o, 0x180000, 0x20000, UINT64_MAX);
	/* one read spanning three ranges: A, B and C */
	check_phys(&o, 0xff000, 0x1a0000 - 0xff000, UINT64_MAX);
	/* D: data, then the memsz tail reads as zero */
	check_phys(&o, 0x20fff0, 0x20, 0x210000);
	check_phys(&o, 0x215000, 0x100, 0x210000);
	check_phys(&o, 0x200000, 0x20000, 0x210000);

	/* not in any range */
	static const struct {
		uint64_t paddr;
		size_t len;
		uint64_t bad;      /* the address the message should name */
	} holes[] = {
		{ 0x1a0000, 8, 0x1a0000 },
		{ 0x19fff0, 32, 0x1a0000 },     /* starts in C, runs into the hole */
		{ 0x1fffff, 2, 0x1fffff },
		{ 0x220000, 1, 0x220000 },
		{ 0x300000, 16, 0x300000 },     /* the empty PT_LOAD */
		{ 0xffffffffff000ull, 8, 0xffffffffff000ull },
	};
	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		char hex[32];

		WHERE("read of 0x%llx (+%zu): not in the vmcore",
		      (unsigned long long)holes[i].paddr, holes[i].len);
		ds_err_clear(&err);
		r = elf_read_phys(&o.core, &o.src, holes[i].paddr, buf, holes[i].len, &err);
		CHECK_EQ(r, -DS_ENODATA);
		CHECK_EQ(err.status, DS_ENODATA);
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)holes[i].bad);
		CHECK_MSG(&err, hex);
	}
	WHERE("elf_find_range");
	CHECK_EQ(elf_find_range(&o.core, 0), 0);
	CHECK_EQ(elf_find_range(&o.core, 0x20000), 0);
	CHECK_EQ(elf_find_range(&o.core, 0x100000), 1);
	CHECK_EQ(elf_find_range(&o.core, 0x17ffff), 1);
	CHECK_EQ(elf_find_range(&o.core, 0x180000), 2);
	CHECK_EQ(elf_find_range(&o.core, 0x21ffff), 3);
	CHECK_EQ((unsigned long long)elf_find_range(&o.core, 0x1a0000), (unsigned long long)-1);
	CHECK_EQ((unsigned long long)elf_find_range(&o.core, 0x220000), (unsigned long long)-1);
	close_opened(&o);
	img_free(&im);
	img_free(&notes);
}

/* Two PT_NOTEs are concatenated; VMCOREINFO in the second; other notes
 * (PRPSINFO, a non-"CORE" name with type 1) are not counted as CPUs; zero
 * padding after the last note ends the walk quietly. */
static void test_notes(void **state)
{
	struct img n1 = { 0 }, n2 = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	uint8_t desc[336] = { 0 };
	size_t vmci_in_n2;
	int r;

	(void)state;
	note_add(&n1, "CORE", NT_PRSTATUS, desc, sizeof(desc));
	note_add(&n1, "CORE", NT_PRPSINFO, desc, 136);
	note_add(&n1, "LINUX", NT_PRSTATUS, desc, 16);  /* not "CORE" */
	note_add(&n1, "CORE", NT_PRSTATUS, desc, sizeof(desc));
	note_add(&n2, "CORE", NT_PRSTATUS, desc, sizeof(desc));
	note_add(&n2, "VMCOREINFO", 0, vmci_text, (uint32_t)strlen(vmci_text));
	vmci_in_n2 = n2.size - ((strlen(vmci_text) + 3) & ~(size_t)3);

	for (int padded = 0; padded < 2; padded++) {
		WHERE("two note segments%s", padded ? ", zero padding at the end" : "");
		if (padded)
			img_put(&n2, n2.size, desc, 40);
		struct seg segs[] = {
			{ PT_NOTE, 0, 0, n1.size, n1.size, 0x1000 },
			{ PT_NOTE, 0, 0, n2.size, n2.size, 0x2000 },
			{ PT_LOAD, 0, 0, 0x1000, 0x1000, 0x3000 },
		};
		build(&im, sizeof(Elf64_Ehdr), segs, 3, NULL);
		img_put(&im, 0x1000, n1.b, n1.size);
		img_put(&im, 0x2000, n2.b, n2.size);
		r = open_img(&o, &im, &err);
		if (r)
			fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
		CHECK_EQ(o.core.notes_size, n1.size + n2.size);
		CHECK(memcmp(o.core.notes, n1.b, n1.size) == 0);
		CHECK(memcmp(o.core.notes + n1.size, n2.b, n2.size) == 0);
		CHECK_EQ(o.core.nr_prstatus, 3);
		CHECK_EQ(o.core.vmcoreinfo_off, n1.size + vmci_in_n2);
		CHECK_EQ(o.core.vmcoreinfo_size, strlen(vmci_text));
		CHECK(memcmp(o.core.notes + o.core.vmcoreinfo_off, vmci_text,
			     strlen(vmci_text)) == 0);
		close_opened(&o);
		img_free(&im);
	}
	img_free(&n1);
	img_free(&n2);
}

/* No PT_NOTE at all: open succeeds, nothing found. */
static void test_no_notes(void **state)
{
	struct img im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	int r;

	(void)state;
	WHERE("no PT_NOTE");
	struct seg segs[] = { { PT_LOAD, 0, 0, 0x1000, 0x1000, 0x1000 } };
	build(&im, sizeof(Elf64_Ehdr), segs, 1, NULL);
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	CHECK_EQ(o.core.notes_size, 0);
	CHECK_EQ(o.core.vmcoreinfo_size, 0);
	CHECK_EQ(o.core.nr_prstatus, 0);
	close_opened(&o);
	img_free(&im);
}

/* ---- rejections ---- */

enum mutation {
	M_SHORT, M_MAGIC, M_BADCLASS, M_BADDATA, M_SHORT32, M_EXEC, M_PHENTSIZE, M_PHNUM0,
	M_PHDRS_PAST_EOF, M_PHOFF_HUGE, M_SEG_PAST_EOF, M_NOTE_PAST_EOF,
	M_FILESZ_GT_MEMSZ, M_NOTE_OVERRUN, M_NOTE_NAME_OVERRUN, M_NO_LOAD,
};

struct bad_case {
	enum mutation m;
	const char *what;
	int status;
	const char *msg[3];     /* substrings the message must hold */
};

static const struct bad_case bad_cases[] = {
	{ M_SHORT, "file shorter than an ELF header", DS_ECORRUPT, { "too small" } },
	{ M_MAGIC, "bad magic", DS_ECORRUPT, { "not an ELF file", "bad magic" } },
	{ M_BADCLASS, "ELF class 3", DS_ECORRUPT, { "unknown ELF class 3", "offset 0x4" } },
	{ M_BADDATA, "ELF byte order 3", DS_ECORRUPT, { "unknown ELF byte order 3", "offset 0x5" } },
	{ M_SHORT32, "ELF32 file shorter than its header", DS_ECORRUPT, { "too small" } },
	{ M_EXEC, "ET_EXEC", DS_ECORRUPT, { "not an ELF core" } },
	{ M_PHENTSIZE, "bad e_phentsize", DS_ECORRUPT, { "program header size" } },
	{ M_PHNUM0, "e_phnum 0", DS_ECORRUPT, { "program header count" } },
	{ M_PHDRS_PAST_EOF, "phdrs past EOF", DS_ECORRUPT, { "truncated", "program headers" } },
	{ M_PHOFF_HUGE, "e_phoff far past EOF", DS_ECORRUPT, { "truncated" } },
	{ M_NOTE_PAST_EOF, "PT_NOTE past EOF", DS_ECORRUPT, { "truncated", "segment 0" } },
	{ M_FILESZ_GT_MEMSZ, "filesz > memsz", DS_ECORRUPT, { "bad PT_LOAD" } },
	{ M_NOTE_OVERRUN, "note desc past its segment", DS_ECORRUPT,
	  { "runs past the end of the note segment", "0x1000" } },
	{ M_NOTE_NAME_OVERRUN, "note name past its segment", DS_ECORRUPT,
	  { "runs past the end of the note segment" } },
	{ M_NO_LOAD, "no PT_LOAD", DS_ECORRUPT, { "no PT_LOAD" } },
};

static void make_bad(struct img *im, enum mutation m)
{
	struct img notes = { 0 };
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf64_Nhdr nh;

	std_notes(&notes, 1);
	struct seg segs[] = {
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
		{ PT_LOAD, 0, 0, 0x2000, 0x2000, 0x2000 },
	};
	if (m == M_NO_LOAD)
		segs[1].type = PT_NULL;
	build(im, sizeof(Elf64_Ehdr), segs, 2, &notes);
	img_free(&notes);
	get_ehdr(im, 0, &eh);
	switch (m) {
	case M_SHORT: im->size = 40; return;
	case M_MAGIC: eh.e_ident[EI_MAG1] = 'X'; break;
	case M_BADCLASS: eh.e_ident[EI_CLASS] = 3; break;
	case M_BADDATA: eh.e_ident[EI_DATA] = 3; break;
	case M_SHORT32: eh.e_ident[EI_CLASS] = ELFCLASS32; put_ehdr(im, 0, &eh);
		im->size = 50; return;
	case M_EXEC: eh.e_type = ET_EXEC; break;
	case M_PHENTSIZE: eh.e_phentsize = 32; break;
	case M_PHNUM0: eh.e_phnum = 0; break;
	case M_PHDRS_PAST_EOF: eh.e_phoff = im->size - 10; break;
	case M_PHOFF_HUGE: eh.e_phoff = 0xfffffffffffffff0ull; break;
	case M_SEG_PAST_EOF:
	case M_FILESZ_GT_MEMSZ:
		get_phdr(im, 64 + sizeof(ph), &ph);
		if (m == M_SEG_PAST_EOF)
			ph.p_filesz = ph.p_memsz = 0x3000;    /* file ends at 0x4000 */
		else
			ph.p_memsz = 0x1000;
		put_phdr(im, 64 + sizeof(ph), &ph);
		break;
	case M_NOTE_PAST_EOF:
		get_phdr(im, 64, &ph);
		ph.p_offset = 0x3f00;
		put_phdr(im, 64, &ph);
		break;
	case M_NOTE_OVERRUN:
	case M_NOTE_NAME_OVERRUN:
		/* the first note's descsz/namesz too large for the segment */
		get_nhdr(im, 0x1000, &nh);
		if (m == M_NOTE_OVERRUN)
			nh.n_descsz = 0x10000;
		else
			nh.n_namesz = 0xfffffff0u;
		put_nhdr(im, 0x1000, &nh);
		break;
	case M_NO_LOAD:
		break;
	}
	put_ehdr(im, 0, &eh);
}

static void test_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct img im = { 0 };
		struct opened o;
		struct ds_err err = { 0 };
		int r;

		WHERE("%s", c->what);
		make_bad(&im, c->m);
		r = open_img(&o, &im, &err);
		CHECK_EQ(r, -c->status);
		CHECK_EQ(err.status, c->status);
		for (int j = 0; j < 3 && c->msg[j]; j++)
			CHECK_MSG(&err, c->msg[j]);
		/* every message names the file */
		CHECK_MSG(&err, o.path);
		/* a failed open leaves nothing allocated behind */
		CHECK(o.core.loads == NULL);
		CHECK(o.core.ranges == NULL);
		CHECK(o.core.notes == NULL);
		close_opened(&o);
		img_free(&im);
	}
}

/* A PT_LOAD the file cuts short (the last one runs 2 KiB or 12 KiB past the
 * end): the core opens, says by how much, and reads fail (DS_EREAD) only
 * where the bytes are missing.  makedumpfile dumps such a vmcore; it used to
 * be refused whole. */
static void test_load_past_eof(void **state)
{
	struct img im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	uint8_t buf[16];
	int r;

	(void)state;
	WHERE("PT_LOAD running past the end of the file");
	make_bad(&im, M_SEG_PAST_EOF);   /* paddr 0, filesz 0x3000 at offset 0x2000, file ends at 0x4000 */
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	CHECK_EQ(o.core.short_by, 0x1000);
	CHECK_EQ(o.core.short_load, 1);
	CHECK_EQ(elf_read_phys(&o.core, &o.src, 0x1ff0, buf, 16, &err), 0);
	r = elf_read_phys(&o.core, &o.src, 0x1ff8, buf, 16, &err);
	CHECK_EQ(r, -DS_EREAD);
	CHECK_MSG(&err, "truncated");
	close_opened(&o);
	img_free(&im);
}

/* ---- ELF32 and big-endian cores ---- */

/* One note in `big_endian` order (Elf32_Nhdr and Elf64_Nhdr are alike). */
static void note_add_order(struct img *notes, bool be, const char *name, uint32_t type,
			   const void *desc, uint32_t descsz)
{
	size_t off = notes->size;
	uint8_t hdr[12];

	note_add(notes, name, type, desc, descsz);   /* host order, then fix the words */
	bytes_put_u32(be, hdr, (uint32_t)strlen(name) + 1);
	bytes_put_u32(be, hdr + 4, descsz);
	bytes_put_u32(be, hdr + 8, type);
	img_put(notes, off, hdr, sizeof(hdr));
}

#define PUT(be, b, type, member, v) \
	bytes_put_uint(be, (b) + offsetof(type, member), sizeof(((type *)0)->member), v)

/* ehdr + phdrs right after it + segment data, in any class and order. */
static void build_any(struct img *im, int class, bool be, uint16_t machine,
		      const struct seg *segs, unsigned n, const struct img *notes)
{
	bool c64 = class == ELFCLASS64;
	size_t ehsize = c64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = c64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	uint8_t eh[sizeof(Elf64_Ehdr)] = { 0 }, ph[sizeof(Elf64_Phdr)];

	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = (uint8_t)class;
	eh[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	if (c64) {
		PUT(be, eh, Elf64_Ehdr, e_type, ET_CORE);
		PUT(be, eh, Elf64_Ehdr, e_machine, machine);
		PUT(be, eh, Elf64_Ehdr, e_version, EV_CURRENT);
		PUT(be, eh, Elf64_Ehdr, e_phoff, ehsize);
		PUT(be, eh, Elf64_Ehdr, e_ehsize, ehsize);
		PUT(be, eh, Elf64_Ehdr, e_phentsize, phsize);
		PUT(be, eh, Elf64_Ehdr, e_phnum, n);
	} else {
		PUT(be, eh, Elf32_Ehdr, e_type, ET_CORE);
		PUT(be, eh, Elf32_Ehdr, e_machine, machine);
		PUT(be, eh, Elf32_Ehdr, e_version, EV_CURRENT);
		PUT(be, eh, Elf32_Ehdr, e_phoff, ehsize);
		PUT(be, eh, Elf32_Ehdr, e_ehsize, ehsize);
		PUT(be, eh, Elf32_Ehdr, e_phentsize, phsize);
		PUT(be, eh, Elf32_Ehdr, e_phnum, n);
	}
	img_put(im, 0, eh, ehsize);
	for (unsigned i = 0; i < n; i++) {
		const struct seg *sg = &segs[i];

		memset(ph, 0, sizeof(ph));
		if (c64) {
			PUT(be, ph, Elf64_Phdr, p_type, sg->type);
			PUT(be, ph, Elf64_Phdr, p_offset, sg->offset);
			PUT(be, ph, Elf64_Phdr, p_vaddr, sg->vaddr);
			PUT(be, ph, Elf64_Phdr, p_paddr, sg->paddr);
			PUT(be, ph, Elf64_Phdr, p_filesz, sg->filesz);
			PUT(be, ph, Elf64_Phdr, p_memsz, sg->memsz);
		} else {
			PUT(be, ph, Elf32_Phdr, p_type, sg->type);
			PUT(be, ph, Elf32_Phdr, p_offset, sg->offset);
			PUT(be, ph, Elf32_Phdr, p_vaddr, sg->vaddr);
			PUT(be, ph, Elf32_Phdr, p_paddr, sg->paddr);
			PUT(be, ph, Elf32_Phdr, p_filesz, sg->filesz);
			PUT(be, ph, Elf32_Phdr, p_memsz, sg->memsz);
		}
		img_put(im, ehsize + i * phsize, ph, phsize);
		if (sg->type == PT_LOAD && sg->filesz) {
			uint8_t *data = malloc(sg->filesz);

			assert_non_null(data);
			fill_phys(data, sg->paddr, sg->filesz);
			img_put(im, sg->offset, data, sg->filesz);
			free(data);
		} else if (sg->type == PT_NOTE && sg->filesz) {
			img_put(im, sg->offset, notes->b, sg->filesz);
		}
	}
}

/* The same core (two CPUs, VMCOREINFO, the kernel text mapped twice, a
 * zero tail) as ELF64/ELF32, little/big-endian: same map, notes, reads. */
static void test_class_and_byte_order(void **state)
{
	static const struct { int class; bool be; uint16_t machine; const char *what; } forms[] = {
		{ ELFCLASS64, false, EM_X86_64, "ELF64 little-endian" },
		{ ELFCLASS64, true, EM_S390, "ELF64 big-endian (s390x)" },
		{ ELFCLASS32, false, EM_386, "ELF32 little-endian (i386)" },
		{ ELFCLASS32, true, EM_PPC, "ELF32 big-endian" },
	};

	(void)state;
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		struct img notes = { 0 }, im = { 0 };
		struct opened o;
		struct ds_err err = { 0 };
		uint8_t prstatus[144];
		size_t vmci_off;
		int r;

		WHERE("%s", forms[f].what);
		memset(prstatus, 0x5a, sizeof(prstatus));
		note_add_order(&notes, forms[f].be, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
		note_add_order(&notes, forms[f].be, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
		note_add_order(&notes, forms[f].be, "VMCOREINFO", 0, vmci_text,
			       (uint32_t)strlen(vmci_text));
		vmci_off = notes.size - ((strlen(vmci_text) + 3) & ~(size_t)3);
		struct seg segs[] = {
			{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
			{ PT_LOAD, 0x100000, 0xc0100000, 0x2000, 0x2000, 0x2000 },
			{ PT_LOAD, 0x0, 0xc0000000, 0x300000, 0x300000, 0x4000 },
			{ PT_LOAD, 0x800000, 0xc0800000, 0x1000, 0x3000, 0x304000 },
		};
		build_any(&im, forms[f].class, forms[f].be, forms[f].machine, segs, 4, &notes);
		r = open_img(&o, &im, &err);
		if (r)
			fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
		CHECK_EQ(o.core.machine, forms[f].machine);
		CHECK_EQ(o.core.big_endian, forms[f].be);
		CHECK_EQ(o.core.elf_class, forms[f].class == ELFCLASS64 ? 64 : 32);
		CHECK_EQ(o.core.n_loads, 3);
		CHECK_EQ(o.core.loads[0].vaddr, 0xc0100000);
		CHECK_EQ(o.core.loads[2].memsz, 0x3000);
		CHECK_EQ(o.core.n_ranges, 2);
		CHECK_EQ(o.core.ranges[0].start, 0);
		CHECK_EQ(o.core.ranges[0].end, 0x300000);
		CHECK_EQ(o.core.ranges[1].start, 0x800000);
		CHECK_EQ(o.core.ranges[1].data_end, 0x801000);
		CHECK_EQ(o.core.nr_prstatus, 2);
		CHECK_EQ(o.core.vmcoreinfo_off, vmci_off);
		CHECK_EQ(o.core.vmcoreinfo_size, strlen(vmci_text));
		CHECK(memcmp(o.core.notes, notes.b, notes.size) == 0);
		check_phys(&o, 0xff000, 0x3000, UINT64_MAX);
		check_phys(&o, 0x800ff0, 0x20, 0x801000);
		close_opened(&o);
		img_free(&im);
		img_free(&notes);
	}
}

/* source_read: exact reads, "truncated" past EOF. */
/* Readahead requests cover file data only: not holes between ranges, not
 * the zero-filled tail past p_filesz, not bytes past the end of the file. */
static void test_prefetch(void **state)
{
	struct img notes = { 0 }, im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	int r;

	(void)state;
	WHERE("elf_prefetch_phys");
	(void)std_notes(&notes, 1);
	struct seg segs[] = {
		{ PT_NOTE, 0, 0, notes.size, notes.size, 0x1000 },
		{ PT_LOAD, 0x100000, 0, 0x2000, 0x3000, 0x2000 },   /* 0x1000 zero tail */
		{ PT_LOAD, 0x200000, 0, 0x1000, 0x1000, 0x4000 },
	};
	build(&im, sizeof(Elf64_Ehdr), segs, 3, &notes);
	r = open_img(&o, &im, &err);
	if (r)
		fail_msg("%s: elf_core_open = %d: %s", where, r, err.msg);
	elf_prefetch_phys(&o.core, &o.src, 0x0, 0x300000);     /* everything */
	CHECK_EQ(o.src.prefetch_calls, 2);
	CHECK_EQ(o.src.prefetch_bytes, 0x3000);
	elf_prefetch_phys(&o.core, &o.src, 0x101000, 0x1000);  /* inside the first */
	CHECK_EQ(o.src.prefetch_calls, 3);
	CHECK_EQ(o.src.prefetch_bytes, 0x4000);
	elf_prefetch_phys(&o.core, &o.src, 0x102000, 0x10000); /* zero tail + hole */
	CHECK_EQ(o.src.prefetch_calls, 3);
	elf_prefetch_phys(&o.core, &o.src, 0x400000, 0x1000);  /* past every range */
	CHECK_EQ(o.src.prefetch_calls, 3);
	source_prefetch(&o.src, o.src.size - 0x10, 0x1000);    /* clipped to the file */
	CHECK_EQ(o.src.prefetch_bytes, 0x4000 + 0x10);
	source_prefetch(&o.src, o.src.size, 0x1000);           /* nothing left */
	CHECK_EQ(o.src.prefetch_calls, 4);
	close_opened(&o);
	img_free(&im);
	img_free(&notes);
}

static void test_source_read(void **state)
{
	struct img im = { 0 };
	struct opened o;
	struct ds_err err = { 0 };
	uint8_t buf[16];
	int r;

	(void)state;
	WHERE("source_read");
	memset(&o, 0, sizeof(o));
	for (unsigned i = 0; i < 100; i++) {
		uint8_t b = (uint8_t)i;

		img_put(&im, i, &b, 1);
	}
	write_file(&o, &im);
	r = source_open(&o.src, o.path, &err);
	CHECK_EQ(r, 0);
	o.src_open = true;
	CHECK_EQ(o.src.size, 100);
	r = source_read(&o.src, 90, buf, 10, &err);
	CHECK_EQ(r, 0);
	CHECK_EQ(buf[0], 90);
	CHECK_EQ(buf[9], 99);
	r = source_read(&o.src, 95, buf, 10, &err);
	CHECK_EQ(r, -DS_EREAD);
	CHECK_MSG(&err, "truncated");
	r = source_read(&o.src, 200, buf, 1, &err);
	CHECK_EQ(r, -DS_EREAD);
	close_opened(&o);
	img_free(&im);

	WHERE("source_open of a missing file");
	{
		struct source src;

		r = source_open(&src, "/tmp/test_elf_read.does-not-exist", &err);
		CHECK_EQ(r, -DS_ESYS);
		CHECK_MSG(&err, "does-not-exist");
	}
	WHERE("source_open of a directory");
	{
		struct source src;

		r = source_open(&src, "/tmp", &err);
		CHECK_EQ(r, -DS_EINVAL);
		CHECK_MSG(&err, "not a regular file");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_elf),
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_phdrs_after_shdrs),
		cmocka_unit_test(test_phdrs_at_end),
		cmocka_unit_test(test_kcore),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_no_notes),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_load_past_eof),
		cmocka_unit_test(test_class_and_byte_order),
		cmocka_unit_test(test_source_read),
		cmocka_unit_test(test_prefetch),
	};

	atexit(remove_temp_files);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fakecore.c - a hand-made ELF vmcore for the unit tests of lib/arch and
 * lib/filter/memmap (see fakecore.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakecore.h"

#include "common/bytes.h"

#define TABLE_FLAGS (FC_P | FC_RW | FC_A | FC_D)
#define ADDR_MASK   0x000ffffffffff000ull

static uint64_t x86_table_entry(const struct fakecore *fc, unsigned level, uint64_t paddr)
{
	(void)level;
	return paddr | TABLE_FLAGS | fc->entry_bits;
}

static uint64_t x86_leaf_entry(const struct fakecore *fc, unsigned level, uint64_t paddr)
{
	bool huge = level + 1 < fc->pg.levels;

	return paddr | TABLE_FLAGS | (huge ? FC_PSE : 0) | fc->entry_bits;
}

static uint64_t x86_next_table(const struct fakecore *fc, unsigned level, uint64_t e)
{
	if (!(e & FC_P))
		return 0;
	if (e & FC_PSE && fc->pg.shift[level] <= 30)
		fail_msg("fakecore: an address is already inside a huge page");
	return e & ADDR_MASK & ~fc->entry_bits;
}

static void fill_table(struct fakecore *fc, unsigned l, uint64_t t, uint64_t size);

void fc_init_paging(struct fakecore *fc, const struct fc_paging *pg, uint64_t tables_paddr,
		    uint64_t tables_bytes)
{
	uint64_t top;

	assert_true(pg->levels >= 1 && pg->levels <= 5);
	memset(fc, 0, sizeof(*fc));
	fc->pg = *pg;
	fc->machine = pg->machine;
	fc->levels = pg->levels;
	fc_add_region(fc, tables_paddr, tables_bytes);
	fc->next_table = tables_paddr;
	fc->tables_end = tables_paddr + tables_bytes;
	top = ((uint64_t)1 << pg->bits[0]) * pg->entry_size;
	fc->pgd = tables_paddr;
	fc->next_table = tables_paddr + (top < 256 ? 256 : top);
	fill_table(fc, 0, tables_paddr, top);
}

void fc_init(struct fakecore *fc, unsigned levels, uint64_t tables_paddr,
	     unsigned ntables)
{
	struct fc_paging pg = {
		.machine = EM_X86_64, .elf_class = 64, .levels = levels, .entry_size = 8,
		.table_entry = x86_table_entry, .leaf_entry = x86_leaf_entry,
		.next_table = x86_next_table,
	};
	static const unsigned shifts5[] = { 48, 39, 30, 21, 12 };

	assert_true(levels == 4 || levels == 5);
	assert_true(ntables >= 1);
	for (unsigned l = 0; l < levels; l++) {
		pg.shift[l] = shifts5[5 - levels + l];
		pg.bits[l] = 9;
	}
	fc_init_paging(fc, &pg, tables_paddr, (uint64_t)ntables * 4096);
}

void fc_free(struct fakecore *fc)
{
	for (size_t i = 0; i < fc->n_regions; i++)
		free(fc->regions[i].data);
	free(fc->vmcoreinfo);
	if (fc->path[0])
		unlink(fc->path);
	memset(fc, 0, sizeof(*fc));
}

uint8_t *fc_add_region(struct fakecore *fc, uint64_t paddr, uint64_t size)
{
	struct fc_region *r;

	assert_true(fc->n_regions < FC_MAX_REGIONS);
	r = &fc->regions[fc->n_regions++];
	r->paddr = paddr;
	r->vaddr = 0;
	r->size = size;
	r->filesz = size;
	r->data = calloc(1, size);
	assert_non_null(r->data);
	return r->data;
}

uint8_t *fc_phys(struct fakecore *fc, uint64_t paddr, size_t len)
{
	for (size_t i = 0; i < fc->n_regions; i++) {
		struct fc_region *r = &fc->regions[i];

		if (paddr >= r->paddr && paddr - r->paddr + len <= r->size)
			return r->data + (paddr - r->paddr);
	}
	fail_msg("fakecore: paddr 0x%llx (+%zu) is in no region",
		 (unsigned long long)paddr, len);
	return NULL;
}

void fc_put_u64(struct fakecore *fc, uint64_t paddr, uint64_t v)
{
	bytes_put_u64(fc->pg.big_endian, fc_phys(fc, paddr, 8), v);
}

void fc_put_u32(struct fakecore *fc, uint64_t paddr, uint32_t v)
{
	bytes_put_u32(fc->pg.big_endian, fc_phys(fc, paddr, 4), v);
}

static uint64_t get_entry(struct fakecore *fc, uint64_t paddr)
{
	return bytes_get_uint(fc->pg.entries_big_endian, fc_phys(fc, paddr, fc->pg.entry_size),
			      fc->pg.entry_size);
}

static void put_entry(struct fakecore *fc, uint64_t paddr, uint64_t e)
{
	bytes_put_uint(fc->pg.entries_big_endian, fc_phys(fc, paddr, fc->pg.entry_size),
		       fc->pg.entry_size, e);
}

static void fill_table(struct fakecore *fc, unsigned l, uint64_t t, uint64_t size)
{
	memset(fc_phys(fc, t, size), 0, size);
	if (fc->pg.empty_entry)
		for (uint64_t i = 0; i < ((uint64_t)1 << fc->pg.bits[l]); i++)
			put_entry(fc, t + i * fc->pg.entry_size, fc->pg.empty_entry(fc, l));
}

static uint64_t slot_of(const struct fakecore *fc, uint64_t table, unsigned l, uint64_t vaddr)
{
	uint64_t idx = (vaddr >> fc->pg.shift[l]) & (((uint64_t)1 << fc->pg.bits[l]) - 1);

	return table + idx * fc->pg.entry_size;
}

static uint64_t new_table(struct fakecore *fc, unsigned l)
{
	uint64_t size = ((uint64_t)1 << fc->pg.bits[l]) * fc->pg.entry_size;
	uint64_t t;

	if (size < 256)
		size = 256;
	t = (fc->next_table + size - 1) & ~(size - 1);
	if (t + size > fc->tables_end)
		fail_msg("fakecore: out of page-table space");
	fc->next_table = t + size;
	fill_table(fc, l, t, size);
	return t;
}

uint64_t fc_map(struct fakecore *fc, uint64_t vaddr, uint64_t paddr,
		unsigned page_shift, uint64_t leaf_extra)
{
	uint64_t table = fc->pgd;

	assert_true((paddr & (((uint64_t)1 << page_shift) - 1)) == 0);
	for (unsigned l = 0; l < fc->pg.levels; l++) {
		uint64_t slot = slot_of(fc, table, l, vaddr);
		uint64_t e, next;

		if (fc->pg.shift[l] == page_shift) {
			put_entry(fc, slot, fc->pg.leaf_entry(fc, l, paddr) | leaf_extra);
			return slot;
		}
		e = get_entry(fc, slot);
		next = fc->pg.next_table(fc, l, e);
		if (!next) {
			next = new_table(fc, l + 1);
			put_entry(fc, slot, fc->pg.table_entry(fc, l, next));
		}
		table = next;
	}
	fail_msg("fakecore: bad page shift %u", page_shift);
	return 0;
}

void fc_map_range(struct fakecore *fc, uint64_t vaddr, uint64_t paddr, uint64_t len)
{
	unsigned shift = fc->pg.shift[fc->pg.levels - 1];

	for (uint64_t off = 0; off < len; off += (uint64_t)1 << shift)
		fc_map(fc, vaddr + off, paddr + off, shift, 0);
}

uint64_t fc_entry_addr(struct fakecore *fc, uint64_t vaddr, unsigned level)
{
	uint64_t table = fc->pgd;

	for (unsigned l = 0; l < fc->pg.levels; l++) {
		uint64_t slot = slot_of(fc, table, l, vaddr);

		if (fc->pg.levels - l == level)
			return slot;
		table = fc->pg.next_table(fc, l, get_entry(fc, slot));
		if (!table)
			return 0;
	}
	return 0;
}

void fc_set_vmcoreinfo(struct fakecore *fc, const char *text)
{
	free(fc->vmcoreinfo);
	fc->vmcoreinfo = strdup(text);
	assert_non_null(fc->vmcoreinfo);
}

/* ---- the ELF file ---- */

static size_t put_note(const struct fakecore *fc, uint8_t *buf, size_t off, const char *name,
		       uint32_t type, const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	if (buf) {
		bytes_put_u32(fc->pg.big_endian, buf + off, namesz);
		bytes_put_u32(fc->pg.big_endian, buf + off + 4, descsz);
		bytes_put_u32(fc->pg.big_endian, buf + off + 8, type);
	}
	off += 12;
	if (buf)
		memcpy(buf + off, name, namesz);
	off += (namesz + 3) & ~3u;
	if (buf && descsz)
		memcpy(buf + off, desc, descsz);
	off += (descsz + 3) & ~3u;
	return off;
}

static size_t build_notes(const struct fakecore *fc, uint8_t *buf)
{
	static const uint8_t prstatus[336];
	size_t off = 0;

	for (unsigned i = 0; i < fc->nr_cpus; i++)
		off = put_note(fc, buf, off, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	if (fc->vmcoreinfo)
		off = put_note(fc, buf, off, "VMCOREINFO", 0, fc->vmcoreinfo,
			       (uint32_t)strlen(fc->vmcoreinfo));
	return off;
}

static void pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

/* Every file written, removed at exit even when a test fails midway
 * (a failing check jumps past fc_free). */
static char written[256][64];
static unsigned n_written;

static void remove_written(void)
{
	for (unsigned i = 0; i < n_written; i++)
		unlink(written[i]);
}

static void remember(const char *path)
{
	if (n_written == 0)
		atexit(remove_written);
	if (n_written < 256)
		snprintf(written[n_written++], sizeof(written[0]), "%s", path);
}

#define PUT(fc, b, type, member, v) \
	bytes_put_uint((fc)->pg.big_endian, (b) + offsetof(type, member), \
		       sizeof(((type *)0)->member), v)

/* One program header of the file's class and byte order. */
static void put_phdr(const struct fakecore *fc, uint8_t *b, uint32_t type, uint64_t offset,
		     uint64_t vaddr, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	if (fc->pg.elf_class == 32) {
		PUT(fc, b, Elf32_Phdr, p_type, type);
		PUT(fc, b, Elf32_Phdr, p_flags, PF_R | PF_W | PF_X);
		PUT(fc, b, Elf32_Phdr, p_offset, offset);
		PUT(fc, b, Elf32_Phdr, p_vaddr, vaddr);
		PUT(fc, b, Elf32_Phdr, p_paddr, paddr);
		PUT(fc, b, Elf32_Phdr, p_filesz, filesz);
		PUT(fc, b, Elf32_Phdr, p_memsz, memsz);
	} else {
		PUT(fc, b, Elf64_Phdr, p_type, type);
		PUT(fc, b, Elf64_Phdr, p_flags, PF_R | PF_W | PF_X);
		PUT(fc, b, Elf64_Phdr, p_offset, offset);
		PUT(fc, b, Elf64_Phdr, p_vaddr, vaddr);
		PUT(fc, b, Elf64_Phdr, p_paddr, paddr);
		PUT(fc, b, Elf64_Phdr, p_filesz, filesz);
		PUT(fc, b, Elf64_Phdr, p_memsz, memsz);
	}
}

void fc_write(struct fakecore *fc)
{
	bool c32 = fc->pg.elf_class == 32;
	size_t ehsize = c32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	size_t phsize = c32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	size_t notes_size = build_notes(fc, NULL);
	unsigned phnum = (unsigned)fc->n_regions + (notes_size ? 1 : 0);
	uint8_t eh[sizeof(Elf64_Ehdr)] = { 0 }, ph[sizeof(Elf64_Phdr)];
	uint64_t off;
	uint8_t *notes = NULL;
	unsigned i = 0;
	int fd;

	if (fc->path[0])
		unlink(fc->path);
	snprintf(fc->path, sizeof(fc->path), "/tmp/test_fakecore.XXXXXX");
	fd = mkstemp(fc->path);
	assert_true(fd >= 0);
	remember(fc->path);

	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = c32 ? ELFCLASS32 : ELFCLASS64;
	eh[EI_DATA] = fc->pg.big_endian ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	if (c32) {
		PUT(fc, eh, Elf32_Ehdr, e_type, ET_CORE);
		PUT(fc, eh, Elf32_Ehdr, e_machine, fc->machine);
		PUT(fc, eh, Elf32_Ehdr, e_version, EV_CURRENT);
		PUT(fc, eh, Elf32_Ehdr, e_phoff, ehsize);
		PUT(fc, eh, Elf32_Ehdr, e_ehsize, ehsize);
		PUT(fc, eh, Elf32_Ehdr, e_phentsize, phsize);
		PUT(fc, eh, Elf32_Ehdr, e_phnum, phnum);
	} else {
		PUT(fc, eh, Elf64_Ehdr, e_type, ET_CORE);
		PUT(fc, eh, Elf64_Ehdr, e_machine, fc->machine);
		PUT(fc, eh, Elf64_Ehdr, e_version, EV_CURRENT);
		PUT(fc, eh, Elf64_Ehdr, e_phoff, ehsize);
		PUT(fc, eh, Elf64_Ehdr, e_ehsize, ehsize);
		PUT(fc, eh, Elf64_Ehdr, e_phentsize, phsize);
		PUT(fc, eh, Elf64_Ehdr, e_phnum, phnum);
	}
	pwrite_all(fd, eh, ehsize, 0);

	off = ehsize + (uint64_t)phnum * phsize;
	if (notes_size) {
		notes = calloc(1, notes_size);
		assert_non_null(notes);
		build_notes(fc, notes);
		memset(ph, 0, sizeof(ph));
		put_phdr(fc, ph, PT_NOTE, off, 0, 0, notes_size, notes_size);
		pwrite_all(fd, ph, phsize, ehsize + i++ * phsize);
		pwrite_all(fd, notes, notes_size, off);
		off += notes_size;
		free(notes);
	}
	for (size_t r = 0; r < fc->n_regions; r++) {
		const struct fc_region *rg = &fc->regions[r];

		off = (off + 4095) & ~4095ull;
		memset(ph, 0, sizeof(ph));
		put_phdr(fc, ph, PT_LOAD, off, rg->vaddr, rg->paddr, rg->filesz, rg->size);
		pwrite_all(fd, ph, phsize, ehsize + i++ * phsize);
		if (rg->filesz)
			pwrite_all(fd, rg->data, rg->filesz, off);
		off += rg->filesz;
	}
	/* the file must reach the end of the last segment */
	assert_int_equal(ftruncate(fd, (off_t)off), 0);
	close(fd);
}

int fc_open_kernel(struct fakecore *fc, struct fc_open *o, struct ds_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	fc_write(fc);
	r = input_open(&o->in, fc->path, NULL, err);
	if (r < 0)
		fail_msg("fakecore: input_open: %s", err->msg);
	o->in_ok = true;
	o->k_tried = true;
	return kernel_init(&o->k, &o->in, err);
}

void fc_close(struct fc_open *o)
{
	if (o->k_tried)
		kernel_release(&o->k);
	if (o->in_ok)
		input_close(&o->in);
	memset(o, 0, sizeof(*o));
}

/* ---- i386: 2-level (4 MiB PSE-36 pages) or PAE (2 MiB pages) ---- */

static uint64_t i386_table(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	/* the PAE pointer table holds present only */
	return pa | (fc->pg.entry_size == 8 && level == 0 ? 0x1 : 0x63);
}

static uint64_t i386_leaf(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	bool huge = level + 1 < fc->pg.levels;

	if (huge && fc->pg.entry_size == 4)     /* PSE-36 */
		return (pa & 0xffc00000ull) | ((pa >> 32) & 0xf) << 13 | 0xe3;
	return pa | 0x63 | (huge ? 0x80 : 0) | (fc->pg.entry_size == 8 ? 1ull << 63 : 0);
}

static uint64_t i386_next(const struct fakecore *fc, unsigned level, uint64_t e)
{
	(void)level;
	if (!(e & 1))
		return 0;
	return e & (fc->pg.entry_size == 8 ? 0x000ffffffffff000ull : 0xfffff000ull);
}

struct fc_paging fc_paging_i386(bool pae)
{
	struct fc_paging two = {
		.machine = EM_386, .elf_class = 32, .levels = 2, .entry_size = 4,
		.shift = { 22, 12 }, .bits = { 10, 10 },
		.table_entry = i386_table, .leaf_entry = i386_leaf, .next_table = i386_next,
	};
	struct fc_paging three = {
		.machine = EM_386, .elf_class = 32, .levels = 3, .entry_size = 8,
		.shift = { 30, 21, 12 }, .bits = { 2, 9, 9 },
		.table_entry = i386_table, .leaf_entry = i386_leaf, .next_table = i386_next,
	};

	return pae ? three : two;
}

/* ---- s390x: region, segment and page tables (test_arch, test_order) ---- */

static uint64_t s390_type(const struct fakecore *fc, unsigned level)
{
	/* region-first 3 ... segment 0, counted from the bottom (page 1) */
	return fc->pg.levels - 2 - level;
}

static uint64_t s390_table(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	return pa | s390_type(fc, level) << 2 | (s390_type(fc, level) ? 0x3 : 0);
}

static uint64_t s390_leaf(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	if (level + 1 == fc->pg.levels)
		return pa;                          /* valid page */
	return pa | 0x400 | s390_type(fc, level) << 2;   /* large: 1M segment / 2G region-third */
}

static uint64_t s390_next(const struct fakecore *fc, unsigned level, uint64_t e)
{
	if (e & 0x20)
		return 0;
	return e & (s390_type(fc, level) ? ~0xfffull : ~0x7ffull);
}

static uint64_t s390_empty(const struct fakecore *fc, unsigned level)
{
	if (level + 1 == fc->pg.levels)
		return 0x400;
	return 0x20 | s390_type(fc, level) << 2;
}

struct fc_paging fc_paging_s390x(unsigned levels)
{
	static const unsigned shift[] = { 53, 42, 31, 20, 12 }, bits[] = { 11, 11, 11, 11, 8 };
	struct fc_paging pg = {
		.machine = EM_S390, .elf_class = 64, .big_endian = true,
		.entries_big_endian = true, .levels = levels, .entry_size = 8,
		.table_entry = s390_table, .leaf_entry = s390_leaf, .next_table = s390_next,
		.empty_entry = s390_empty,
	};

	for (unsigned l = 0; l < levels; l++) {
		pg.shift[l] = shift[5 - levels + l];
		pg.bits[l] = bits[5 - levels + l];
	}
	return pg;
}

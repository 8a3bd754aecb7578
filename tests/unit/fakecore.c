/* fakecore.c - a hand-made x86_64 ELF vmcore for the unit tests of
 * lib/arch/x86_64 and lib/filter/memmap (see fakecore.h). */
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

#define TABLE_FLAGS (FC_P | FC_RW | FC_A | FC_D)
#define ADDR_MASK   0x000ffffffffff000ull

void fc_init(struct fakecore *fc, unsigned levels, uint64_t tables_paddr,
	     unsigned ntables)
{
	assert_true(levels == 4 || levels == 5);
	assert_true(ntables >= 1);
	memset(fc, 0, sizeof(*fc));
	fc->machine = EM_X86_64;
	fc->levels = levels;
	fc_add_region(fc, tables_paddr, (uint64_t)ntables * 4096);
	fc->pgd = tables_paddr;
	fc->next_table = tables_paddr + 4096;
	fc->tables_end = tables_paddr + (uint64_t)ntables * 4096;
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
	memcpy(fc_phys(fc, paddr, 8), &v, 8);
}

static uint64_t get_u64(struct fakecore *fc, uint64_t paddr)
{
	uint64_t v;

	memcpy(&v, fc_phys(fc, paddr, 8), 8);
	return v;
}

/* index shifts, top level first */
static const unsigned *level_shifts(const struct fakecore *fc)
{
	static const unsigned shifts5[] = { 48, 39, 30, 21, 12 };

	return fc->levels == 5 ? shifts5 : shifts5 + 1;
}

uint64_t fc_map(struct fakecore *fc, uint64_t vaddr, uint64_t paddr,
		unsigned page_shift, uint64_t leaf_extra)
{
	const unsigned *shift = level_shifts(fc);
	uint64_t table = fc->pgd;

	assert_true(page_shift == 12 || page_shift == 21 || page_shift == 30);
	assert_true((paddr & ((1ull << page_shift) - 1)) == 0);
	for (unsigned l = 0; l < fc->levels; l++) {
		uint64_t slot = table + ((vaddr >> shift[l]) & 0x1ff) * 8;
		uint64_t e;

		if (shift[l] == page_shift) {
			e = paddr | TABLE_FLAGS | (page_shift > 12 ? FC_PSE : 0) |
			    leaf_extra | fc->entry_bits;
			fc_put_u64(fc, slot, e);
			return slot;
		}
		e = get_u64(fc, slot);
		if (!(e & FC_P)) {
			uint64_t t = fc->next_table;

			if (t >= fc->tables_end)
				fail_msg("fakecore: out of page-table pages");
			fc->next_table += 4096;
			memset(fc_phys(fc, t, 4096), 0, 4096);
			e = t | TABLE_FLAGS | fc->entry_bits;
			fc_put_u64(fc, slot, e);
		} else if (e & FC_PSE && shift[l] <= 30) {
			fail_msg("fakecore: 0x%llx is already inside a huge page",
				 (unsigned long long)vaddr);
		}
		table = e & ADDR_MASK & ~fc->entry_bits;
	}
	fail_msg("fakecore: bad page shift %u", page_shift);
	return 0;
}

void fc_map_range(struct fakecore *fc, uint64_t vaddr, uint64_t paddr, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += 4096)
		fc_map(fc, vaddr + off, paddr + off, 12, 0);
}

uint64_t fc_entry_addr(struct fakecore *fc, uint64_t vaddr, unsigned level)
{
	const unsigned *shift = level_shifts(fc);
	uint64_t table = fc->pgd;

	for (unsigned l = 0; l < fc->levels; l++) {
		uint64_t slot = table + ((vaddr >> shift[l]) & 0x1ff) * 8;
		uint64_t e;

		if (fc->levels - l == level)
			return slot;
		e = get_u64(fc, slot);
		if (!(e & FC_P))
			return 0;
		table = e & ADDR_MASK & ~fc->entry_bits;
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

static size_t put_note(uint8_t *buf, size_t off, const char *name, uint32_t type,
		       const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh;
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	nh.n_namesz = namesz;
	nh.n_descsz = descsz;
	nh.n_type = type;
	if (buf)
		memcpy(buf + off, &nh, sizeof(nh));
	off += sizeof(nh);
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
		off = put_note(buf, off, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	if (fc->vmcoreinfo)
		off = put_note(buf, off, "VMCOREINFO", 0, fc->vmcoreinfo,
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

void fc_write(struct fakecore *fc)
{
	size_t notes_size = build_notes(fc, NULL);
	unsigned phnum = (unsigned)fc->n_regions + (notes_size ? 1 : 0);
	uint64_t off;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t *notes = NULL;
	unsigned i = 0;
	int fd;

	if (fc->path[0])
		unlink(fc->path);
	snprintf(fc->path, sizeof(fc->path), "/tmp/test_fakecore.XXXXXX");
	fd = mkstemp(fc->path);
	assert_true(fd >= 0);
	remember(fc->path);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = fc->machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)phnum;
	pwrite_all(fd, &eh, sizeof(eh), 0);

	off = sizeof(eh) + (uint64_t)phnum * sizeof(ph);
	if (notes_size) {
		notes = calloc(1, notes_size);
		assert_non_null(notes);
		build_notes(fc, notes);
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_NOTE;
		ph.p_offset = off;
		ph.p_filesz = ph.p_memsz = notes_size;
		pwrite_all(fd, &ph, sizeof(ph), sizeof(eh) + i++ * sizeof(ph));
		pwrite_all(fd, notes, notes_size, off);
		off += notes_size;
		free(notes);
	}
	for (size_t r = 0; r < fc->n_regions; r++) {
		const struct fc_region *rg = &fc->regions[r];

		off = (off + 4095) & ~4095ull;
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = PF_R | PF_W | PF_X;
		ph.p_offset = off;
		ph.p_vaddr = rg->vaddr;
		ph.p_paddr = rg->paddr;
		ph.p_filesz = rg->filesz;
		ph.p_memsz = rg->size;
		ph.p_align = 4096;
		pwrite_all(fd, &ph, sizeof(ph), sizeof(eh) + i++ * sizeof(ph));
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

/* fakecore.h - shared by the unit tests of the architectures and of
 * memmap: builds a small vmcore in a temporary file whose physical memory
 * holds hand-made page tables, the caller's data pages and a VMCOREINFO
 * note, then opens it through the input seam (input_open) + kernel_init.
 *
 * Physical memory is a list of regions, each one PT_LOAD.  Page tables are
 * taken from a region set aside at fc_init (the first table is the top
 * level).  The machine is x86_64 (fc_init: 4 or 5 levels), or whatever a
 * struct fc_paging describes (fc_init_paging): the ELF class and byte
 * order of the file, the geometry of the tables and how an entry encodes a
 * table or a leaf.  The descriptions are written here, apart from lib/arch,
 * so that the tests check the library against an independent statement of
 * each paging form.
 */
#ifndef TEST_FAKECORE_H
#define TEST_FAKECORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "input/input.h"
#include "kernel/kernel.h"

#define FC_START_KERNEL_MAP 0xffffffff80000000ull
#define FC_PAGE_OFFSET_4L   0xffff888000000000ull   /* direct map, 4-level */
#define FC_PAGE_OFFSET_5L   0xff11000000000000ull   /* direct map, 5-level */
#define FC_VMEMMAP_4L       0xffffea0000000000ull
#define FC_MAX_REGIONS      32

/* entry bits */
#define FC_P    0x001ull     /* present */
#define FC_RW   0x002ull
#define FC_A    0x020ull
#define FC_D    0x040ull
#define FC_PSE  0x080ull     /* huge page (PMD / PUD) */
#define FC_G    0x100ull
#define FC_PAT_HUGE 0x1000ull   /* PAT bit of a huge entry (bit 12) */
#define FC_NX   (1ull << 63)

struct fc_region {
	uint64_t paddr, vaddr;   /* vaddr: PT_LOAD p_vaddr (0 unless set) */
	uint64_t size;           /* p_memsz */
	uint64_t filesz;         /* p_filesz (= size unless changed) */
	uint8_t *data;           /* size bytes, zeroed at creation */
};

struct fakecore;

/* A paging form, top level first. */
struct fc_paging {
	uint16_t machine;                /* e_machine */
	uint8_t elf_class;               /* 64 or 32 */
	bool big_endian;                 /* the file, its notes, fc_put_* */
	bool entries_big_endian;         /* page-table entries */
	unsigned levels;
	unsigned shift[5], bits[5];
	unsigned entry_size;             /* 4 or 8 */
	/* entry for a table at paddr, from a level's table */
	uint64_t (*table_entry)(const struct fakecore *fc, unsigned level, uint64_t paddr);
	/* entry mapping 2^shift[level] bytes at paddr */
	uint64_t (*leaf_entry)(const struct fakecore *fc, unsigned level, uint64_t paddr);
	/* the next table's paddr if e is a table entry, else 0 */
	uint64_t (*next_table)(const struct fakecore *fc, unsigned level, uint64_t e);
	/* what an unused entry of a level's table holds (NULL: 0) */
	uint64_t (*empty_entry)(const struct fakecore *fc, unsigned level);
};

struct fakecore {
	uint16_t machine;                /* e_machine, EM_X86_64 by default */
	struct fc_paging pg;             /* the paging form */
	struct fc_region regions[FC_MAX_REGIONS];
	size_t n_regions;
	char *vmcoreinfo;                /* note text (NULL: no VMCOREINFO note) */
	unsigned nr_cpus;                /* "CORE" NT_PRSTATUS notes */

	unsigned levels;                 /* 4 or 5 */
	uint64_t pgd;                    /* paddr of the top level table */
	uint64_t next_table, tables_end; /* page-table page allocator */
	uint64_t entry_bits;             /* ORed into every entry (SME C-bit) */

	char path[64];                   /* the written file, "" before fc_write */
};

/* x86_64, 4 or 5 levels.  Tables: `ntables` 4 KiB pages at `tables_paddr`
 * (a new region); the first is the top level table. */
void fc_init(struct fakecore *fc, unsigned levels, uint64_t tables_paddr,
	     unsigned ntables);
/* Any paging form; `tables_bytes` at `tables_paddr` hold the tables, each
 * allocated at its own size and alignment ((1 << bits) * entry_size,
 * at least 256 bytes), the top table first. */
void fc_init_paging(struct fakecore *fc, const struct fc_paging *pg, uint64_t tables_paddr,
		    uint64_t tables_bytes);
/* s390x's paging form with `levels` of region-first, -second, -third,
 * segment and page tables (the lowest ones): big-endian entries that carry
 * their table type, 1 MiB segment and 2 GiB region-third frames. */
struct fc_paging fc_paging_s390x(unsigned levels);
/* i386's paging form: 2-level with 4 MiB (PSE-36) pages, or PAE (pae):
 * 3 levels with 2 MiB pages and NX. */
struct fc_paging fc_paging_i386(bool pae);
/* Remove the file and free everything. */
void fc_free(struct fakecore *fc);

/* A new zeroed region = one PT_LOAD; returns its bytes. */
uint8_t *fc_add_region(struct fakecore *fc, uint64_t paddr, uint64_t size);
/* Pointer to the bytes at paddr (must lie in a region, len bytes long). */
uint8_t *fc_phys(struct fakecore *fc, uint64_t paddr, size_t len);
/* Integers in the machine's byte order. */
void fc_put_u64(struct fakecore *fc, uint64_t paddr, uint64_t v);
void fc_put_u32(struct fakecore *fc, uint64_t paddr, uint32_t v);

/* Map [vaddr, vaddr + 2^page_shift) to paddr with a leaf at the level of
 * that size (x86_64: 12 PTE, 21 PMD huge, 30 PUD huge); intermediate tables
 * are allocated as needed.  leaf_extra is ORed into the leaf (e.g.
 * FC_PAT_HUGE).  Returns the paddr of the leaf entry. */
uint64_t fc_map(struct fakecore *fc, uint64_t vaddr, uint64_t paddr,
		unsigned page_shift, uint64_t leaf_extra);
/* fc_map for each last-level page of [vaddr, vaddr + len). */
void fc_map_range(struct fakecore *fc, uint64_t vaddr, uint64_t paddr, uint64_t len);
/* paddr of the entry for vaddr at `level` (levels..1, 1 = PTE), or 0 if the
 * table above it is missing. */
uint64_t fc_entry_addr(struct fakecore *fc, uint64_t vaddr, unsigned level);

/* Set the VMCOREINFO text (copied). */
void fc_set_vmcoreinfo(struct fakecore *fc, const char *text);

/* Write the ELF file (mkstemp under /tmp). */
void fc_write(struct fakecore *fc);

/* An opened fake core: input and kernel. */
struct fc_open {
	struct input in;
	struct kernel k;
	bool in_ok, k_tried;
};

/* fc_write, input_open (these must succeed), then kernel_init whose result
 * is returned. */
int fc_open_kernel(struct fakecore *fc, struct fc_open *o, struct ds_err *err);
void fc_close(struct fc_open *o);

#endif

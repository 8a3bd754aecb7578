/* elf_read.h - an ELF vmcore (/proc/vmcore, a QEMU or makedumpfile -E dump)
 * as a physical memory map plus its notes.
 *
 * What is checked, because the file is untrusted: ELF magic, class (64 or
 * 32) and byte order (either) known, ET_CORE, program header table inside
 * the file (at e_phoff, wherever that is: QEMU 7.2 puts section headers
 * first), notes inside the file and well formed; a PT_LOAD whose data the
 * file does not hold (in part or at all) is kept, see short_by.  PT_LOADs
 * may overlap (a kdump
 * /proc/vmcore maps the kernel image twice); the map built here resolves that.
 */
#ifndef DS_ELF_READ_H
#define DS_ELF_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../io/source.h"

/* One piece of physical memory backed by the file: paddr [start, end).
 * Bytes of [start, data_end) are at file_off + (paddr - start); bytes of
 * [data_end, end) (p_memsz beyond p_filesz) read as zero. */
struct phys_range {
	uint64_t start, end, data_end;
	uint64_t file_off;
};

struct elf_load {
	uint64_t paddr, vaddr, filesz, memsz, offset;
};

struct elf_core {
	uint16_t machine;          /* e_machine (EM_X86_64 = 62) */
	bool big_endian;           /* EI_DATA: the crashed machine's byte order */
	uint8_t elf_class;         /* 64 or 32 */
	struct elf_load *loads;    /* PT_LOADs as found */
	size_t n_loads;
	/* PT_LOADs sorted by paddr, overlaps removed */
	struct phys_range *ranges;
	size_t n_ranges;
	/* The note segment, verbatim (all PT_NOTEs concatenated in order). */
	uint8_t *notes;
	uint64_t notes_size;
	/* Within notes: the VMCOREINFO descriptor (0/0 when absent). */
	uint64_t vmcoreinfo_off, vmcoreinfo_size;
	unsigned nr_prstatus;      /* "CORE" NT_PRSTATUS notes = CPUs */
	/* PT_LOAD data the file is too short for (bytes, summed), and the
	 * index of the first such program header */
	uint64_t short_by;
	unsigned short_load;
};

int elf_core_open(struct elf_core *core, struct source *src, struct ds_err *err);
void elf_core_release(struct elf_core *core);

/* Is the first 4 bytes of buf an ELF magic? (format detection) */
bool elf_is_elf(const uint8_t *buf, size_t len);

/* Read physical memory [paddr, paddr+len).  A byte not in any range is an
 * error naming the address (DS_ENODATA). */
int elf_read_phys(const struct elf_core *core, struct source *src,
		  uint64_t paddr, void *buf, size_t len, struct ds_err *err);

/* Announce that physical memory [paddr, paddr+len) will be read soon
 * (source_prefetch of its file data); addresses outside the vmcore are
 * skipped, nothing fails. */
void elf_prefetch_phys(const struct elf_core *core, struct source *src,
		       uint64_t paddr, uint64_t len);

/* Index of the range holding paddr, or -1. */
long elf_find_range(const struct elf_core *core, uint64_t paddr);

#endif

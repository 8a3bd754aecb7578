/* meta.h - what a dump says about the crash, apart from its pages: the
 * facts every output format records in its own way (the kdump-compressed
 * headers, an ELF dump's notes, a split file's headers), gathered once by
 * the dump from the input and the kernel model.  It belongs to no format.
 */
#ifndef DS_META_H
#define DS_META_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

#define META_UTS_LEN 65

/* A kernel virtual mapping a file records (an ELF PT_LOAD's p_vaddr):
 * [vaddr, vaddr + size) -> [paddr, paddr + size).  Architectures use it to
 * find phys_base when VMCOREINFO does not say it; the ELF output gives its
 * PT_LOADs the same virtual addresses. */
struct dump_vmap {
	uint64_t vaddr, paddr, size;
};

struct dump_meta {
	uint32_t page_size;              /* the crashed kernel's */
	uint64_t max_pfn;                /* pfns [0, max_pfn) are described */
	uint16_t elf_machine;            /* EM_* of the crashed machine */
	struct machine mach;             /* its byte order and word size: header layouts */
	uint8_t elf_class;               /* an ELF vmcore input's class (32, 64), else 0 */
	/* the ELF note segment verbatim (NT_PRSTATUS per CPU, VMCOREINFO, ...) */
	const uint8_t *notes;
	uint64_t notes_size;
	uint64_t vmcoreinfo_off, vmcoreinfo_size;   /* the VMCOREINFO desc in notes */
	/* sysname, nodename, release, version, machine, domainname */
	char utsname[6][META_UTS_LEN];
	uint64_t crashtime;              /* seconds; 0 when unknown */
	int32_t nr_cpus;
	uint64_t phys_base;
	uint32_t dump_level;             /* the -d the kept set answers to */
	bool excluded_vmemmap;           /* -e left struct pages out */
	const struct dump_vmap *vmaps;   /* known virtual mappings (may be none) */
	size_t n_vmaps;
	/* a split file's pfn range; 0/0 when not split */
	uint64_t split_start, split_end;
};

#endif

/* kernel.h - what we know about the crashed kernel: its VMCOREINFO, page
 * size, version, architecture, and reads of its virtual memory.
 *
 * struct kernel is the context the filter and the writers work from.  It is
 * built once from an opened input of any format (kernel_init) and owns the parsed
 * VMCOREINFO and the architecture's private state.  Reads of kernel virtual
 * addresses go through the architecture's page-table walk with a one-entry
 * translation cache (the struct page scan reads the vmemmap sequentially, so
 * nearly every lookup hits the same 2 MiB mapping as the one before).
 */
#ifndef DS_KERNEL_H
#define DS_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/machine.h"
#include "../input/input.h"
#include "vmcoreinfo.h"

struct arch_ops;

struct kernel {
	struct input *in;           /* physical memory and notes; not owned */
	struct vmcoreinfo *vi;
	const struct arch_ops *arch;
	void *arch_data;
	/* byte order (the input's), word size (the architecture's), page
	 * size (VMCOREINFO's): every read of kernel data goes through it */
	struct machine mach;

	uint32_t page_size;        /* = mach.page_size */
	unsigned page_shift;
	char osrelease[65];
	unsigned version;          /* KERNEL_VERSION_CODE from OSRELEASE */
	uint64_t phys_base;        /* written to the kdump sub header */
	uint64_t crashtime;        /* CRASHTIME=, 0 if absent */

	/* translation cache: [tlb_vaddr, tlb_vaddr + tlb_size) -> tlb_paddr */
	uint64_t tlb_vaddr, tlb_paddr, tlb_size;

	/* When set, told of every physical read (page tables, mem_section,
	 * kernel data): the pages dumpsieve needs to understand the kernel are
	 * the pages an analysis needs first (lib/order.c). */
	void (*trace)(void *arg, uint64_t paddr, size_t len);
	void *trace_arg;
};

/* Parse VMCOREINFO, check the required keys, pick and initialise the
 * architecture.  Errors name the missing key or the unsupported machine. */
int kernel_init(struct kernel *k, struct input *in, struct ds_err *err);
void kernel_release(struct kernel *k);

/* The i-th kernel virtual mapping the input records (an ELF PT_LOAD's
 * p_vaddr -> p_paddr, p_memsz bytes): architectures find phys_base in them
 * on kernels whose VMCOREINFO does not say it.  False past the last. */
bool kernel_input_mapping(const struct kernel *k, size_t i, uint64_t *ret_vaddr,
			  uint64_t *ret_paddr, uint64_t *ret_size);

/* Translate a kernel virtual address (page-table walk, cached). */
int kernel_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		struct ds_err *err);

/* Read kernel virtual memory, page by page. */
int kernel_read(struct kernel *k, uint64_t vaddr, void *buf, size_t len,
		struct ds_err *err);

/* Read physical memory. */
int kernel_read_phys(struct kernel *k, uint64_t paddr, void *buf, size_t len,
		     struct ds_err *err);

/* Announce that kernel virtual [vaddr, vaddr+len) will be read soon
 * (readahead of a vmcore file).  Untranslatable pages are skipped: the read
 * itself reports them. */
void kernel_prefetch(struct kernel *k, uint64_t vaddr, uint64_t len);

/* Read an integer at a kernel virtual address, in the crashed machine's
 * byte order: 32 or 64 bits, or an unsigned long / pointer (its word). */
int kernel_read_u32(struct kernel *k, uint64_t vaddr, uint32_t *ret,
		    struct ds_err *err);
int kernel_read_u64(struct kernel *k, uint64_t vaddr, uint64_t *ret,
		    struct ds_err *err);
int kernel_read_word(struct kernel *k, uint64_t vaddr, uint64_t *ret,
		     struct ds_err *err);


#endif

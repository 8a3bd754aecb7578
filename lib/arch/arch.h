/* arch.h - the architecture ops table.
 *
 * One file per architecture (x86_64.c, arm64.c, ...), always compiled, chosen
 * at run time from the dump's ELF e_machine by arch_find() in arch.c, the
 * only file that lists them.  Adding an architecture = one new file + one
 * line in arch.c.  The page-table walk itself is shared (pgtable.c): an
 * architecture describes its paging form in a struct pgtable_format and
 * keeps only what is really its own (where the top table is, how its
 * kernel maps its image, its SPARSEMEM constants).
 */
#ifndef DS_ARCH_H
#define DS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"

struct kernel;

/* byte_orders: the orders the architecture's dumps come in */
#define ARCH_LITTLE_ENDIAN 1u
#define ARCH_BIG_ENDIAN    2u

struct arch_ops {
	const char *name;             /* "x86_64": also utsname machine */
	const char *uts_aliases;      /* other utsname machines, space separated, or NULL */
	uint16_t elf_machine;         /* EM_* */
	uint8_t word_size;            /* the kernel's unsigned long: 4 or 8 */
	uint8_t byte_orders;          /* ARCH_LITTLE_ENDIAN | ARCH_BIG_ENDIAN */

	/* SPARSEMEM defaults when VMCOREINFO lacks NUMBER(SECTION_SIZE_BITS) /
	 * NUMBER(MAX_PHYSMEM_BITS). */
	unsigned (*section_size_bits)(const struct kernel *k);
	unsigned (*max_physmem_bits)(const struct kernel *k);

	/* Read what the translation needs (page-table root, paging mode,
	 * phys_base) into k->arch_data (malloc'ed) and k->phys_base. */
	int (*init)(struct kernel *k, struct ds_err *err);
	/* Free what k->arch_data holds; NULL: free(k->arch_data) is enough. */
	void (*release)(struct kernel *k);

	/* Translate vaddr.  *ret_map_base / *ret_map_size describe the whole
	 * mapping (4 KiB page, 2 MiB or 1 GiB huge page) that holds vaddr, so
	 * the caller can cache it: vaddr - map_base + paddr_of(map_base). */
	int (*vtop)(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		    uint64_t *ret_map_size, struct ds_err *err);

	/* Call fn(arg, paddr, true) for every page-table page of the kernel's
	 * half of the address space (an analysis needs them all to translate
	 * anything), and fn(arg, paddr, false) for every page of module data
	 * (found by nothing else).  May be NULL. */
	void (*walk_tables)(struct kernel *k, void (*fn)(void *arg, uint64_t paddr, bool table),
			    void *arg);
};

const struct arch_ops *arch_find(uint16_t elf_machine);
/* By utsname machine ("x86_64"), for inputs that record no ELF machine. */
const struct arch_ops *arch_find_name(const char *machine);

extern const struct arch_ops arch_x86_64_ops;
extern const struct arch_ops arch_arm64_ops;
extern const struct arch_ops arch_ppc64_ops;
extern const struct arch_ops arch_s390x_ops;
extern const struct arch_ops arch_riscv64_ops;
extern const struct arch_ops arch_i386_ops;

#endif

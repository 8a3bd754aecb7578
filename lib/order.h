/* order.h - the order in which the copy takes the kept pages when they may
 * not all fit (-L, or a disk known to be short): the pages an analysis
 * needs first, so that a dump cut anywhere still opens in crash and
 * makedumpfile and shows what matters.
 *
 * What an analysis needs is found the way an analysis finds it: by reading
 * the kernel.  The roots are the pages dumpsieve itself read to understand
 * the crashed kernel (page tables, mem_section, utsname), the pages of the
 * kernel log (read once with the log reader, output discarded), the
 * stacks the crashed CPUs' registers point into, and the kernel image's
 * data and bss (init_task, __per_cpu_offset, the cpu masks, the roots of
 * every list).  From them the order goes
 * breadth first: every word of a page taken that is a kernel address which
 * translates (the translation's page-table pages come along) adds the page
 * it points at, and for the registers the three pages above it (a stack's
 * older frames).  Task structures, run queues, per-CPU areas, slab caches
 * and stacks are reached that way from the crashed tasks and the kernel's
 * data, most-referenced first.  Once `budget` pages have been ordered this
 * way (more than can fit), the rest follows in pfn order.
 *
 * Each kept pfn is given out exactly once.  Everything here only chooses an
 * order: a wrong guess costs dump space, never correctness.
 */
#ifndef DS_ORDER_H
#define DS_ORDER_H

#include <stdint.h>

#include "common/err.h"
#include "common/keepmap.h"
#include "kernel/kernel.h"

struct order;

/* Pages to order by usefulness before going on in pfn order. */
int order_open(struct order **ret, struct kernel *k, const struct keepmap *km,
	       uint64_t budget, struct ds_err *err);
void order_free(struct order *o);

/* Roots, in the order given: a pfn; a kernel virtual address (and the
 * `above` pages after it); the bytes of buf read as words that may be
 * kernel addresses (notes with registers, a page just read). */
void order_add_pfn(struct order *o, uint64_t pfn);
void order_add_vaddr(struct order *o, uint64_t vaddr, unsigned above);
void order_scan(struct order *o, const uint8_t *buf, size_t len, unsigned above);

/* Every page-table page of the kernel's half of the address space, the
 * mem_section root table and every node's pglist_data. */
void order_add_page_tables(struct order *o);

/* What the kernel's pid tree, task list and slab cache list reach (kallsyms:
 * init_pid_ns, init_task, slab_caches), a few levels down, now. */
void order_add_trees(struct order *o);

/* Every page mapped where modules live (struct module, their symbols). */
void order_add_modules(struct order *o);

/* The kernel's bss (known from kallsyms by order_add_image): mostly zero
 * pages, which cost a descriptor and no data. */
void order_add_bss(struct order *o);

/* The stacks the registers in regs (the crashed CPUs' notes) point into:
 * each such page and the three above it, and right after them what they
 * point at, the code their return addresses are in included. */
void order_add_stacks(struct order *o, const uint8_t *regs, size_t len);

/* The page of every variable VMCOREINFO names (its SYMBOL() lines), and
 * the first vmap_area: what every reader starts from (makedumpfile on
 * i386 and ppc64 will not start without the vmap_area). */
void order_add_symbols(struct order *o);

/* Read the kernel log once, every page it touches a root. */
void order_add_log(struct order *o);

/* The kernel image's data and bss (from its lowest data symbol on), then
 * its pages below that hold kernel addresses.  mm (may be NULL) tells the
 * image from init memory freed after boot. */
struct memmap;
void order_add_image(struct order *o, const struct memmap *mm);

/* The next pfn to copy, or km->npfn when every kept pfn was given out. */
uint64_t order_next(struct order *o);

/* The copy read pfn's page: the addresses in it order the next pages. */
void order_saw(struct order *o, uint64_t pfn, const uint8_t *page);

/* For kernel->trace: every page a read touches becomes a root. */
void order_trace(void *arg, uint64_t paddr, size_t len);

struct order_stats {
	uint64_t roots;                  /* pages queued before the copy */
	uint64_t found;                  /* pages queued by the addresses in pages */
	uint64_t swept;                  /* pages given in pfn order */
};
void order_stats(const struct order *o, struct order_stats *st);

#endif

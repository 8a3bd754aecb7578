/* kallsyms.h - the crashed kernel's own symbol table (kallsyms), read from
 * its memory where VMCOREINFO says it lies (SYMBOL(kallsyms_names),
 * kallsyms_num_syms, kallsyms_token_table, kallsyms_token_index,
 * kallsyms_offsets, kallsyms_relative_base: exported by Debian's 6.1 and by
 * mainline since 6.4).  Without debug information it tells where the kernel
 * image's sections and a few variables are.
 */
#ifndef DS_KALLSYMS_H
#define DS_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

struct kernel;

/* Look up names[0..n) in one pass over the table: ret[i] = the address of
 * names[i], or 0 when the table has no such symbol.  Fails (DS_ENODATA)
 * when VMCOREINFO does not locate the table, DS_ECORRUPT when it is not
 * one, or with the read error. */
int kallsyms_find(struct kernel *k, const char *const *names, size_t n, uint64_t *ret,
		  struct ds_err *err);

#endif

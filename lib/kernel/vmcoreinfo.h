/* vmcoreinfo.h - the VMCOREINFO note, parsed into typed values.
 *
 * The crashed kernel describes itself in its VMCOREINFO ELF note: ASCII lines
 * KEY=value.  Keys have a kind, given by their spelling:
 *   SYMBOL(name)=hex address     SIZE(type)=decimal     OFFSET(type.member)=decimal
 *   LENGTH(name)=decimal         NUMBER(name)=signed decimal (hex accepted)
 *   KERNELOFFSET=hex   PAGESIZE=decimal   CRASHTIME=decimal   OSRELEASE=string
 * and any other KEY=value line is kept as a string (CONFIG_*, BUILD-ID, ...).
 * The text is untrusted: malformed lines are counted and skipped, a value
 * that does not parse for its kind makes that key absent (and is counted).
 */
#ifndef DS_VMCOREINFO_H
#define DS_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

enum vmci_kind {
	VMCI_SYMBOL,
	VMCI_SIZE,
	VMCI_OFFSET,
	VMCI_LENGTH,
	VMCI_NUMBER,
	VMCI_OTHER,     /* plain KEY=value: OSRELEASE, PAGESIZE, KERNELOFFSET ... */
	VMCI_KIND_MAX
};

struct vmcoreinfo;

/* Parse `len` bytes of note text (need not be NUL-terminated).  Fails only
 * when nothing at all looks like VMCOREINFO (no KEY=value line) or on ENOMEM. */
int vmcoreinfo_parse(const char *text, size_t len, struct vmcoreinfo **ret_vi,
		     struct ds_err *err);
void vmcoreinfo_free(struct vmcoreinfo *vi);

/* Typed lookups: true and *ret set when the key is present and well formed.
 * `name` is what stands between the parentheses: "mem_section",
 * "page.flags", "PG_lru". */
bool vmci_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
bool vmci_size(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
bool vmci_offset(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
bool vmci_length(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
bool vmci_number(const struct vmcoreinfo *vi, const char *name, int64_t *ret);

/* The addresses of the first `max` well-formed SYMBOL() lines, in note
 * order (a name given twice counts each time); returns how many there are
 * in all. */
size_t vmci_symbols(const struct vmcoreinfo *vi, uint64_t *ret, size_t max);

/* Plain keys.  vmci_string returns the raw value or NULL. */
const char *vmci_string(const struct vmcoreinfo *vi, const char *key);
bool vmci_hex(const struct vmcoreinfo *vi, const char *key, uint64_t *ret);   /* KERNELOFFSET */
bool vmci_decimal(const struct vmcoreinfo *vi, const char *key, uint64_t *ret); /* PAGESIZE, CRASHTIME */

/* Kernel versions as comparable numbers: KERNEL_VERSION_CODE(6, 1, 0). */
#define KERNEL_VERSION_CODE(a, b, c) \
	(((unsigned)(a) << 16) | ((unsigned)(b) << 8) | (unsigned)(c))

/* "6.1.0-47-amd64" -> KERNEL_VERSION_CODE(6, 1, 0); patch levels above 255
 * saturate; 0 when the text does not start with major.minor (major 1-255,
 * minor 0-255). */
unsigned kernel_parse_version(const char *osrelease);

/* Lines that were not KEY=value or whose value did not parse. */
unsigned vmci_bad_lines(const struct vmcoreinfo *vi);

#endif

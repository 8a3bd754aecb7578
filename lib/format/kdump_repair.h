/* kdump_repair.h - make a cut-short kdump-compressed file consistent.
 *
 * A dump that stopped before its end (disk full, -L, a signal, a flattened
 * stream cut in transit) has its 2nd bitmap, but some of the descriptors
 * that bitmap promises are missing (offset 0: never written) or point at
 * data that never arrived.  crash calls such pages "incomplete"; libkdumpfile
 * and makedumpfile's reader fail on them.  kdump_repair keeps exactly the
 * pages whose descriptor and data are whole: their 2nd-bitmap bits stay and
 * their descriptors are packed to the front of the table (in pfn order, as
 * the format wants: descriptor N is the Nth set bit), every other bit is
 * cleared, and the main header gets the INCOMPLETE status flag.  Page data
 * does not move.  The file is rewritten in place, a few MiB at a time; it
 * writes only the header, the 2nd bitmap and the front of the descriptor
 * table, which a dump has written (or reserved) before its first page, so
 * it works on a full disk.
 *
 * Any kdump-compressed file can be repaired: ours, makedumpfile's, or one
 * rebuilt by -R from a stream that ended early, of any machine: the byte
 * order and C layout (LP64, i386) are read from the main header
 * (kdump_header_machine, lib/format/kdump_header.h).
 */
#ifndef DS_KDUMP_REPAIR_H
#define DS_KDUMP_REPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"

struct kdump_repair_io {
	int fd;                          /* open read-write */
	const char *name;                /* for messages */
	uint64_t size;                   /* bytes of the file that may hold data */
	/* Did [off, off+len) arrive?  NULL: every byte below size did. */
	bool (*have)(void *arg, uint64_t off, uint64_t len);
	void *have_arg;
	/* set the INCOMPLETE status flag (a dump that ended early); without
	 * it only pages that could not be read are packed away */
	bool mark_incomplete;
};

struct kdump_repair_stats {
	uint64_t planned;                /* 2nd-bitmap bits before */
	uint64_t kept;                   /* pages left readable */
	uint64_t max_mapnr;
	uint32_t block_size;
	uint64_t bitmap_read;            /* 2nd-bitmap bytes read, both passes:
					  * never more than the file holds */
};

/* Returns 0, or -DS_ENODATA when the file has no kdump-compressed main
 * header (nothing to repair: not this format, or the header never came),
 * or another error (unreadable, bad header values). */
int kdump_repair(const struct kdump_repair_io *io, struct kdump_repair_stats *st,
		 struct ds_err *err);

#endif

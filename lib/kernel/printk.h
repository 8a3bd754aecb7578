/* printk.h - the crashed kernel's log buffer, read from its memory and
 * written as text, in the three layouts Linux has used:
 *
 *   plain       before 3.5: one char ring (log_buf, log_buf_len, log_end);
 *               the bytes are written as they are, oldest first
 *   structured  3.5 - 5.9: variable-length records (struct printk_log, named
 *               `log` before 3.11) between log_first_idx and log_next_idx
 *   lockless    5.10 and later: the printk_ringbuffer (prb), a descriptor
 *               ring of ids and states plus a text data ring
 *
 * The layout is chosen from VMCOREINFO (which symbols exist), as the page
 * rules are; every size, offset and index comes from it or from the dump.
 * Records are written one line each, as makedumpfile 1.7.2 writes them:
 * "[%5llu.%06lu] " and the text, an embedded newline followed by spaces up to
 * the text column, other unprintable bytes as \xNN.
 *
 * Dump data is untrusted.  Header values that leave nothing to trust (an
 * unmapped buffer, impossible ring sizes) fail with an error naming the
 * field.  Damage inside the log (a record whose length leaves the buffer, a
 * cycle, descriptor indexes further apart than the ring, a text block that
 * belongs to another record) ends or skips only what it touches: the
 * records that can be trusted are written, each damage is reported through
 * the warn callback, and stats->damaged counts them.  Every walk is bounded
 * by the size of the ring, so no input loops.
 */
#ifndef DS_PRINTK_H
#define DS_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "vmcoreinfo.h"

enum printk_layout {
	PRINTK_NONE,        /* VMCOREINFO describes no log buffer */
	PRINTK_PLAIN,
	PRINTK_STRUCTURED,
	PRINTK_LOCKLESS,
};

/* Where the log comes from: reads of the crashed kernel's virtual memory.
 * A read that fails fills err naming the address (and, where the input
 * knows it, the page that is missing). */
struct printk_mem {
	int (*read)(void *arg, uint64_t vaddr, void *buf, size_t len, struct ds_err *err);
	void *arg;
	unsigned word_size;        /* sizeof(long) of the crashed kernel: 4 or 8 */
	bool big_endian;
};

/* Where the text goes.  write gets the log in pieces, in order; warn gets
 * one message per damage found (may be NULL). */
struct printk_out {
	int (*write)(void *arg, const void *buf, size_t len, struct ds_err *err);
	void (*warn)(void *arg, const char *msg);
	void *arg;
};

struct printk_opts {
	bool partial;              /* only records after the last `dmesg --clear` */
	bool caller_id;            /* "[    T123] " after the time (makedumpfile 1.7.5+) */
	unsigned version;          /* KERNEL_VERSION_CODE of OSRELEASE (0: unknown) */
};

struct printk_stats {
	enum printk_layout layout;
	uint64_t records;          /* records written (plain: 0) */
	uint64_t bytes;            /* bytes written */
	uint64_t not_finished;     /* lockless: descriptors reserved, reusable or of
	                              another id (records being written or already
	                              given up by the kernel): not written */
	uint64_t empty;            /* lockless: records without text (not written,
	                              as makedumpfile) */
	uint64_t truncated;        /* records whose text_len exceeded their block */
	uint64_t damaged;          /* damages reported through warn */
	bool partial_ignored;      /* --partial-dmesg on a layout without a clear mark */
	/* lockless: where the ring lies (kernel addresses and byte lengths:
	 * descriptors, infos, text), known once its header was read, all of
	 * it, whether or not the records use it (makedumpfile reads each
	 * array whole); zero otherwise */
	struct { uint64_t addr, len; } ring[3];
};

/* Which layout the VMCOREINFO describes. */
enum printk_layout printk_layout_of(const struct vmcoreinfo *vi);
const char *printk_layout_name(enum printk_layout l);

/* Read the log and write it to out.  Returns 0 (possibly with damages
 * counted in stats and reported through warn) or -DS_E*: the VMCOREINFO
 * lacks what the layout needs, a read failed, the header values are
 * impossible, or out->write failed. */
int printk_dump(const struct vmcoreinfo *vi, const struct printk_mem *mem,
		const struct printk_opts *opts, const struct printk_out *out,
		struct printk_stats *stats, struct ds_err *err);

#endif

/* sink.h - where a dump's bytes go: positioned writes behind an ops table.
 *
 *   file  pwrite into a regular file (the normal case)
 *   flat  makedumpfile's flattened stream on a pipe (-F): a 4096-byte
 *         header, then records {be64 offset, be64 size, data}, then an end
 *         marker {-1, -1}; `makedumpfile -R` or `dumpsieve -R` rebuilds the file
 *   null  counts bytes only (--dry-run)
 *
 * Writers say where bytes belong; the sink decides how they travel.  A
 * writer that can produce its header early should do so on a stream
 * (header_first): crash sorts flattened records by insertion, so records
 * that arrive in ascending offset order cost it nothing.
 *
 * When the output fails (ENOSPC, EIO, EFBIG, EPIPE, or the -L size limit),
 * the failing write returns the error and the sink remembers it: `broken`,
 * and `fail_end`, the offset the bytes of that write reached (a file may
 * take part of a write before it is full).  The writer decides what the
 * bytes already out make of the dump: a file still takes writes where it
 * has room; a stream takes nothing more (a cut record cannot be resumed).
 */
#ifndef DS_SINK_H
#define DS_SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

struct sink;

struct sink_ops {
	int (*write_at)(struct sink *s, uint64_t off, const void *buf, size_t len,
			struct ds_err *err);
	/* After the last write: end marker (flat), fsync (file). */
	int (*finish)(struct sink *s, uint64_t final_size, struct ds_err *err);
	/* Make the bytes written so far durable before any written later
	 * (file: fdatasync); NULL where that means nothing. */
	int (*barrier)(struct sink *s, struct ds_err *err);
	/* Allocate [off, off+len) now, so that writing there later cannot
	 * fail for want of space (file: fallocate); NULL or failing: not
	 * reserved, which costs nothing but that promise.  A regular file
	 * also grows to cover the range (zeros), allocated or not. */
	int (*reserve)(struct sink *s, uint64_t off, uint64_t len);
};

struct sink {
	const struct sink_ops *ops;
	int fd;
	const char *name;          /* for messages */
	bool header_first;         /* stream: write headers before the data */
	uint64_t records;          /* flat: records emitted */
	uint64_t bytes;            /* payload bytes written */
	/* file: the range written last, whose writeback was started but not
	 * yet waited for (see file_write_at) */
	uint64_t pending_off, pending_len;
	bool keep_cache;           /* file: leave written pages in the page cache */
	bool regular;              /* file: a regular file (it can be truncated) */
	bool readable;             /* file: a writer may read back what it wrote
	                            * (pread on fd): a regular file or a disk */
	uint64_t end;              /* file: the highest offset written */
	uint64_t sent;             /* flat: bytes of stream sent */
	uint64_t limit;            /* -L: bytes the output may hold (file: its size;
	                            * flat: the stream's length); 0 = no limit */
	bool broken;               /* a write failed; nothing more goes out */
	/* a write that waits (a stalled pipe, a slow disk) is given up when a
	 * signal interrupts it and *cancel is set; may be NULL */
	const volatile sig_atomic_t *cancel;
	uint64_t fail_end;         /* the failed write's bytes reached this offset */
};

/* A regular file.  Written pages do not stay in the page cache: each write
 * starts its writeback, the write after it waits for that and drops the
 * pages, so at most two writes' worth (a few MiB) is cached or dirty at any
 * time — the capture kernel's memory is not spent on the dump. */
void sink_file_init(struct sink *s, int fd, const char *name);
/* fd is a block or character device (-f /dev/sdb, /dev/null): written in
 * place, never truncated; read back only when it is a disk. */
void sink_device_init(struct sink *s, int fd, const char *name, bool disk);
/* Writes the flattened-format header at once. */
int sink_flat_init(struct sink *s, int fd, const char *name, struct ds_err *err);
void sink_null_init(struct sink *s);

static inline int sink_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
				struct ds_err *err)
{
	return s->ops->write_at(s, off, buf, len, err);
}

static inline int sink_finish(struct sink *s, uint64_t final_size, struct ds_err *err)
{
	return s->ops->finish(s, final_size, err);
}

static inline int sink_barrier(struct sink *s, struct ds_err *err)
{
	return s->ops->barrier ? s->ops->barrier(s, err) : 0;
}

static inline bool sink_reserve(struct sink *s, uint64_t off, uint64_t len)
{
	return s->ops->reserve && s->ops->reserve(s, off, len) == 0;
}

/* The byte ranges of a file rebuilt by -R that arrived, merged. */
struct flat_extents {
	struct { uint64_t start, end; } *v;
	size_t n, cap;
	bool overflow;                   /* too scattered: some were not recorded */
};

bool flat_extents_have(const struct flat_extents *e, uint64_t off, uint64_t len);
void flat_extents_release(struct flat_extents *e);

struct flat_result {
	uint64_t end;                    /* size of the rebuilt file */
	uint64_t records;                /* whole records applied */
	uint64_t stream_bytes;           /* bytes of stream read */
	bool cut;                        /* it ended (or failed) before its end marker */
};

/* Rebuild a file from a flattened stream read from in_fd (-R).  Records
 * are applied in stream order; what they write is added to *ext.  A record
 * ending past max_end (0: no limit) or past what a kdump-compressed main
 * header at offset 0 allows is refused.  Once *cancel (may be NULL) is
 * non-zero it stops (a read that waits is ended by the signal that set
 * it).  Returns 0 when the stream ends with its end marker; otherwise an
 * error, with res->cut set when the stream just stopped (EOF, a read
 * error, cancel): what arrived is in the file and in *ext, for the caller
 * to make a dump of. */
int flat_rearrange(int in_fd, const char *in_name, int out_fd, const char *out_name,
		   uint64_t max_end, const volatile sig_atomic_t *cancel,
		   struct flat_extents *ext, struct flat_result *res, struct ds_err *err);

#define FLAT_HEADER_SIZE 4096u

#endif

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
 */
#ifndef DS_SINK_H
#define DS_SINK_H

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
};

/* A regular file.  Written pages do not stay in the page cache: each write
 * starts its writeback, the write after it waits for that and drops the
 * pages, so at most two writes' worth (a few MiB) is cached or dirty at any
 * time — the capture kernel's memory is not spent on the dump. */
void sink_file_init(struct sink *s, int fd, const char *name);
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

/* Rebuild a file from a flattened stream read from in_fd (-R).  Records
 * are applied in stream order; the stream must end with the end marker. */
int flat_rearrange(int in_fd, const char *in_name, int out_fd, const char *out_name,
		   uint64_t *ret_bytes, struct ds_err *err);

#define FLAT_HEADER_SIZE 4096u

#endif

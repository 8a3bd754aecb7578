/* source.h - the input file: /proc/vmcore or a dump file, read by offset.
 *
 * All reads are exact: a read that ends past the end of the file is a
 * DS_ECORRUPT error naming the offset ("truncated"), never a short buffer.
 *
 * Reads go through large mmap windows (no blanket readahead: most of a
 * vmcore is skipped; /proc/vmcore supports mmap since Linux 3.11), and fall
 * back to pread when mapping is refused or turned off (--non-mmap).  Callers
 * that know what they will read next say so with source_prefetch: the scan
 * for the struct page arrays, the copy for the pages it keeps.  Two windows are kept: one follows the
 * bulk stream (struct pages, then page data), the other absorbs the
 * scattered small reads (page tables, mem_section) without evicting it.
 */
#ifndef DS_SOURCE_H
#define DS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define SOURCE_WINDOWS 2

struct source_window {
	uint8_t *map;          /* NULL: unused */
	uint64_t off, len;     /* file range mapped */
	uint64_t last_use;
};

struct source {
	int fd;
	uint64_t size;        /* st_size; /proc/vmcore reports its real size */
	const char *path;     /* for messages; not owned */
	bool use_mmap;        /* cleared on the first refused mmap */
	uint64_t window_size;
	struct source_window win[SOURCE_WINDOWS];
	uint64_t clock;
	uint64_t mmap_calls, pread_calls;   /* for benchmarks and tests */
	uint64_t prefetch_calls, prefetch_bytes;
};

int source_open(struct source *src, const char *path, struct ds_err *err);
/* --non-mmap: pread only, from now on. */
void source_disable_mmap(struct source *src);
void source_close(struct source *src);

/* Read exactly len bytes at off. */
int source_read(struct source *src, uint64_t off, void *buf, size_t len,
		struct ds_err *err);

/* A pointer to the len bytes at off, valid until the next source_* call, or
 * NULL when they cannot be mapped (then use source_read).  Lets the copy
 * loop compress straight from the mapping. */
const void *source_peek(struct source *src, uint64_t off, size_t len);

/* Tell the kernel that [off, off+len) will be read soon (readahead of a
 * file; a no-op for /proc/vmcore and pipes).  Clipped to the file. */
void source_prefetch(struct source *src, uint64_t off, uint64_t len);

#endif

/* source.h - the input file: /proc/vmcore or a dump file, read by offset.
 *
 * All reads are exact: a read that ends past the end of the file is a
 * DS_EREAD error naming the offset ("truncated"), never a short buffer; so is
 * a read that fails (EIO), whether through read(2) or a mapping.
 *
 * Reads go through large mmap windows (no blanket readahead: most of a
 * vmcore is skipped; /proc/vmcore supports mmap since Linux 3.11), and fall
 * back to pread when mapping is refused or turned off (--non-mmap).  Callers
 * that know what they will read next say so with source_prefetch: the scan
 * for the struct page arrays, the copy for the pages it keeps.  Two windows are kept: one follows the
 * bulk stream (struct pages, then page data), the other absorbs the
 * scattered small reads (page tables, mem_section) without evicting it.
 *
 * A page that cannot be read (EIO, a file that shrank) makes a read fail
 * with the error pread gives, in either mode: through a mapping it is a
 * SIGBUS, which the program hands to source_fault (source.c says how).
 * Mapping is used only when the caller says it does (source_enable_mmap).
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

/* With extents, the source is a view: bytes [off, off + len) of the view
 * are at file_off in the file; bytes in no extent read as zero (a hole).
 * Sorted by off, not overlapping.  A flattened dump is read this way
 * (lib/input/flat.c builds them from its records). */
struct source_extent {
	uint64_t off, len, file_off;
};

struct source {
	int fd;
	uint64_t size;        /* st_size; /proc/vmcore reports its real size;
				 with extents: the view's size */
	uint64_t file_size;   /* st_size */
	struct source_extent *extents;     /* owned; NULL: the file as it is */
	size_t n_extents;
	const char *path;     /* for messages; not owned */
	bool use_mmap;        /* cleared on the first refused mmap */
	uint64_t window_size;
	struct source_window win[SOURCE_WINDOWS];
	uint64_t clock;
	uint64_t mmap_calls, pread_calls;   /* for benchmarks and tests */
	uint64_t prefetch_calls, prefetch_bytes;
	uint64_t faults;      /* reads through a mapping that faulted */
	uint8_t *bounce;      /* source_peek's copy */
	size_t bounce_len;
};

/* Opened for pread only; source_enable_mmap adds the mapping windows. */
int source_open(struct source *src, const char *path, struct ds_err *err);
/* Read through mmap windows from now on.  Only for a caller whose SIGBUS
 * handler (installed with SA_SIGINFO | SA_NODEFER) calls source_fault. */
void source_enable_mmap(struct source *src);
/* An already open regular file (a spooled standard input); takes fd. */
int source_open_fd(struct source *src, int fd, const char *name, struct ds_err *err);
/* Read the file through extents from now on (the source takes the array);
 * size is the view's. */
void source_set_extents(struct source *src, struct source_extent *ext, size_t n,
			uint64_t size);
/* --non-mmap: pread only, from now on. */
void source_disable_mmap(struct source *src);

/* For the SIGBUS handler: when addr is in bytes this thread is reading
 * through a mapping, the read is abandoned (it fails or is done again with
 * pread) and this does not return; otherwise it returns false and the
 * fault is not ours. */
bool source_fault(const void *addr);
void source_close(struct source *src);

/* Read exactly len bytes at off. */
int source_read(struct source *src, uint64_t off, void *buf, size_t len,
		struct ds_err *err);

/* A pointer to a copy of the len bytes at off (64-byte aligned), valid
 * until the next source_* call, or NULL when they cannot be mapped or
 * faulted (then use source_read, which says why).  One copy from the
 * mapping instead of a read(2). */
const void *source_peek(struct source *src, uint64_t off, size_t len);

/* Tell the kernel that [off, off+len) will be read soon (readahead of a
 * file; a no-op for /proc/vmcore and pipes).  Clipped to the file. */
void source_prefetch(struct source *src, uint64_t off, uint64_t len);

#endif

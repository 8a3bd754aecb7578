/* source.h - the input file: /proc/vmcore or a dump file, read by offset.
 *
 * All reads are exact: a read that ends past the end of the file is a
 * DS_EREAD error naming the offset ("truncated"), never a short buffer; so is
 * a read that fails (EIO), whether through read(2) or a mapping.
 *
 * Two ways to read, chosen by the caller (lib/input/input.c) by what the
 * file is, as measured (docs/performance.md, "Read path"):
 *   - mmap windows, for /proc/vmcore (SOURCE_PROC): its mmap maps the old
 *     kernel's memory whole when the window is made (no page faults, no
 *     copy in the kernel), where each read(2) of it maps and unmaps every
 *     page.  No blanket readahead (most of a vmcore is skipped).  Two
 *     windows: one follows the bulk stream (struct pages, then page data),
 *     the other absorbs the scattered small reads (page tables,
 *     mem_section) without evicting it.
 *   - pread into reused buffers (readbuf.h), for every other file: one
 *     system call copies up to 1 MiB of what callers announced they will
 *     read, where a mapping takes a page fault per 4 KiB page.
 * Callers that know what they will read next say so with source_prefetch:
 * the scan for the struct page arrays it will read, the copy for the pages
 * it keeps.
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
#include "readbuf.h"

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

/* What the file is: it decides how it is best read (see above). */
enum source_fs { SOURCE_FILE, SOURCE_PROC, SOURCE_FUSE };

struct source {
	int fd;
	enum source_fs fs;    /* statfs of the file */
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
	struct readbuf rb;    /* not mapped: the pread buffers */
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

/* A pointer to a copy of the len bytes at off, valid until the next
 * source_* call, or NULL when they cannot be read (then use source_read,
 * which says why).  Mapped: a 64-byte aligned copy from the mapping (one
 * copy instead of a read(2)); not mapped: the bytes in the pread buffer,
 * read with what was announced after them. */
const void *source_peek(struct source *src, uint64_t off, size_t len);

/* [off, off+len) will be read soon: the pread buffers read it in large
 * pieces, and the kernel is told to read a disk file ahead (not FUSE or
 * /proc/vmcore).  Clipped to the file. */
void source_prefetch(struct source *src, uint64_t off, uint64_t len);

#endif

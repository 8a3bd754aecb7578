/* readbuf.h - reading a file with pread into reused buffers: how an input
 * that is not mapped is read (every file but /proc/vmcore, see source.h).
 *
 * Three parts, so that a read(2) is made for many bytes, never for a few:
 *   plan     the ranges callers announced (source_prefetch: the scan's
 *            struct pages, the copy's next kept pages), in the order they
 *            will be read: a queue of up to READBUF_PLAN ranges (the copy
 *            announces the next 4096 kept pages at once, a busy machine's in
 *            thousands of ranges), consumed as reads reach them;
 *   run      one buffer of up to READBUF_RUN bytes: a read that falls in an
 *            announced range fills it with the rest of that range (at most
 *            READBUF_RUN), so the reads after it are copies from memory;
 *   small    READBUF_SMALL_PAGES page-sized slots, least recently used
 *            replaced: reads of a few bytes (page-table entries,
 *            mem_section, symbols: under READBUF_SMALL) are served from the
 *            page around them, which holds their neighbours.  Larger reads
 *            (the scan's struct pages after a jump: 128 bytes) are read as
 *            asked.
 * A read that is neither announced nor small goes straight to the caller's
 * buffer.  The caller (source.c) owns the file descriptor and the errors.
 */
#ifndef DS_READBUF_H
#define DS_READBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define READBUF_RUN (1u << 20)
#define READBUF_PAGE 4096u
#define READBUF_SMALL_PAGES 16u
#define READBUF_SMALL 64u            /* reads under this are "small" */
#define READBUF_PLAN 8192u

struct readbuf_range {
	uint64_t off, end;
};

struct readbuf {
	uint8_t *run;                /* READBUF_RUN bytes, 64-byte aligned; NULL until used */
	uint64_t run_off;
	size_t run_len;              /* valid bytes */
	uint8_t *small;              /* READBUF_SMALL_PAGES pages */
	uint64_t small_off[READBUF_SMALL_PAGES];   /* UINT64_MAX: empty */
	size_t small_len[READBUF_SMALL_PAGES];     /* short at the end of the file */
	uint64_t small_use[READBUF_SMALL_PAGES];
	struct readbuf_range *plan;  /* a ring of READBUF_PLAN; NULL until used */
	unsigned plan_head, plan_n;
	uint64_t clock;
	uint64_t run_fills, small_misses, small_hits;   /* for tests and benchmarks */
};

/* A pread-like callback: read exactly len bytes at off, or return < 0
 * (the source reports the error). */
typedef int (*readbuf_read_fn)(void *arg, uint64_t off, void *buf, size_t len);

void readbuf_init(struct readbuf *rb);
void readbuf_release(struct readbuf *rb);

/* [off, off + len) will be read soon. */
void readbuf_plan(struct readbuf *rb, uint64_t off, uint64_t len);

/* The len bytes at off, from the buffers or read into them; NULL when a
 * read failed or memory ran out (the caller reads again itself to report
 * why), or when the bytes are neither announced nor small and `direct` is
 * given: then they are read straight into direct (returned).  size is the
 * file's size; off + len <= size. */
const uint8_t *readbuf_get(struct readbuf *rb, uint64_t off, size_t len, uint64_t size,
			   uint8_t *direct, readbuf_read_fn read, void *arg);

#endif

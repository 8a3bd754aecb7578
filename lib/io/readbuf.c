/* readbuf.c - pread into reused buffers (see readbuf.h).
 *
 * Why not mmap for a file: reading a page-cached 4 GiB vmcore through mmap
 * windows spent more time in page faults (one per 4 KiB page touched: the
 * windows are mapped without readahead, since most of a vmcore is skipped)
 * than in the codec; a pread of up to 1 MiB copies the same bytes in one
 * system call.  What is read in one call is decided by what the callers
 * announced they will read, so skipped memory is never read: the scan of an
 * idle machine asks for one struct page chunk in sixteen.
 */
#include "readbuf.h"

#include <stdlib.h>
#include <string.h>

void readbuf_init(struct readbuf *rb)
{
	memset(rb, 0, sizeof(*rb));
	for (unsigned i = 0; i < READBUF_SMALL_PAGES; i++)
		rb->small_off[i] = UINT64_MAX;
}

void readbuf_release(struct readbuf *rb)
{
	free(rb->run);
	free(rb->small);
	free(rb->plan);
	readbuf_init(rb);
}

void readbuf_plan(struct readbuf *rb, uint64_t off, uint64_t len)
{
	struct readbuf_range *last;

	if (!len || off + len < off)
		return;
	if (!rb->plan && !(rb->plan = malloc(READBUF_PLAN * sizeof(*rb->plan))))
		return;                  /* advice only */
	/* a continuation of the last announcement extends it */
	last = rb->plan_n ? &rb->plan[(rb->plan_head + rb->plan_n - 1) % READBUF_PLAN] : NULL;
	if (last && off >= last->off && off <= last->end) {
		if (off + len > last->end)
			last->end = off + len;
		return;
	}
	if (rb->plan_n == READBUF_PLAN) {        /* full: the oldest goes */
		rb->plan_head = (rb->plan_head + 1) % READBUF_PLAN;
		rb->plan_n--;
	}
	rb->plan[(rb->plan_head + rb->plan_n) % READBUF_PLAN] = (struct readbuf_range){ off, off + len };
	rb->plan_n++;
}

/* The end of the announced range holding off, or 0.  Reads come in the
 * order of the announcements, so the ranges before the one found were read
 * or skipped: they are dropped; and the one a read falls in is near the
 * head of the queue: only the first PLAN_LOOK are looked at. */
#define PLAN_LOOK 256u

static uint64_t planned_end(struct readbuf *rb, uint64_t off)
{
	for (unsigned i = 0; i < rb->plan_n && i < PLAN_LOOK; i++) {
		const struct readbuf_range *r = &rb->plan[(rb->plan_head + i) % READBUF_PLAN];

		if (off >= r->off && off < r->end) {
			rb->plan_head = (rb->plan_head + i) % READBUF_PLAN;
			rb->plan_n -= i;
			return r->end;
		}
	}
	return 0;
}

/* fill the run buffer with n bytes at off */
static const uint8_t *fill_run(struct readbuf *rb, uint64_t off, size_t n, readbuf_read_fn read,
			       void *arg)
{
	if (!rb->run) {
		void *p = NULL;

		if (posix_memalign(&p, 64, READBUF_RUN) != 0)
			return NULL;
		rb->run = p;
	}
	rb->run_len = 0;
	if (read(arg, off, rb->run, n) < 0)
		return NULL;
	rb->run_off = off;
	rb->run_len = n;
	rb->run_fills++;
	return rb->run;
}

static const uint8_t *small_get(struct readbuf *rb, uint64_t off, uint64_t size,
				readbuf_read_fn read, void *arg)
{
	uint64_t page = off & ~(uint64_t)(READBUF_PAGE - 1);
	unsigned victim = 0;

	for (unsigned i = 0; i < READBUF_SMALL_PAGES; i++) {
		if (rb->small_off[i] == page) {
			rb->small_use[i] = ++rb->clock;
			rb->small_hits++;
			return rb->small + (size_t)i * READBUF_PAGE + (off - page);
		}
		if (rb->small_use[i] < rb->small_use[victim])
			victim = i;
	}
	if (!rb->small && !(rb->small = malloc((size_t)READBUF_SMALL_PAGES * READBUF_PAGE)))
		return NULL;
	uint8_t *slot = rb->small + (size_t)victim * READBUF_PAGE;
	size_t n = size - page < READBUF_PAGE ? (size_t)(size - page) : READBUF_PAGE;

	rb->small_off[victim] = UINT64_MAX;
	if (read(arg, page, slot, n) < 0)
		return NULL;
	rb->small_off[victim] = page;
	rb->small_len[victim] = n;
	rb->small_use[victim] = ++rb->clock;
	rb->small_misses++;
	return slot + (off - page);
}

const uint8_t *readbuf_get(struct readbuf *rb, uint64_t off, size_t len, uint64_t size,
			   uint8_t *direct, readbuf_read_fn read, void *arg)
{
	uint64_t end;

	if (rb->run_len && off >= rb->run_off && off + len <= rb->run_off + rb->run_len)
		return rb->run + (off - rb->run_off);
	/* a few bytes inside one page */
	if (len < READBUF_SMALL &&
	    (off & ~(uint64_t)(READBUF_PAGE - 1)) == ((off + len - 1) & ~(uint64_t)(READBUF_PAGE - 1)))
		return small_get(rb, off, size, read, arg);
	if (len <= READBUF_RUN) {
		end = planned_end(rb, off);
		if (end) {
			/* the rest of the announced range, as much as fits */
			uint64_t n = end - off;

			if (n > READBUF_RUN)
				n = READBUF_RUN;
			if (n > size - off)
				n = size - off;
			if (n < len)
				n = len;
			return fill_run(rb, off, (size_t)n, read, arg);
		}
		if (!direct)
			return fill_run(rb, off, len, read, arg);
	}
	if (!direct)
		return NULL;
	return read(arg, off, direct, len) < 0 ? NULL : direct;
}

/* copy.h - the copy phase: every dumped pfn, in pfn order, read once through
 * the input seam, zero checked, compressed (when the output stores pages
 * compressed), handed to the output seam.  Serial when threads <= 1;
 * otherwise worker threads compress batches of pages while the calling
 * thread reads and writes them in order, so the output is byte-identical. */
#ifndef DS_COPY_H
#define DS_COPY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keepmap.h"
#include "compress/codec.h"
#include "input/input.h"
#include "output/output.h"

struct order;

struct copy_job {
	struct input *in;
	uint32_t page_size;
	unsigned page_shift;
	const struct keepmap *km;
	uint64_t start_pfn, end_pfn;     /* the pfns to copy: [start, end) */
	const struct codec_ops *codec;   /* CODEC_NONE: pages go out raw */
	bool exclude_zero;               /* dump level bit 1: zero pages are not stored */
	/* The input stores its pages with this codec: copy them as stored
	 * (no decompression, no compression).  input_zero_free: the input
	 * left zero pages out of its stored data (its level had bit 1), so a
	 * compressed page is not a zero page. */
	bool pass_through;
	bool input_zero_free;
	unsigned threads;                /* compression workers; <= 1: none */
	struct output *out;
	const volatile sig_atomic_t *cancel;   /* stop when set (may be NULL) */
	/* NULL: pages go in pfn order; else in this order (most useful first,
	 * lib/order.h), which the pages read feed */
	struct order *order;
	void (*progress)(void *arg, const char *phase, uint64_t done, uint64_t total);
	void *progress_arg;

	uint64_t zero_pages;             /* out: pages that pointed at the zero page */
	uint64_t unreadable_pages;       /* out: pages the input could not give: left out */
	char first_unreadable[DS_ERR_MSG_MAX + 32];   /* out: why the first one */
};

int copy_pages(struct copy_job *c, struct ds_err *err);

/* What the page data of the dump will take, about: `samples` kept pages
 * spread over the whole set, read and encoded as the copy will (unreadable
 * ones as nothing), scaled to all.  *ret_bytes 0 when nothing is kept. */
int copy_estimate(struct copy_job *c, unsigned samples, uint64_t *ret_bytes);

#endif

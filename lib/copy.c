/* copy.c - read, zero check, compress and hand on each dumped page (copy.h).
 *
 * Serial path: one page at a time, compressed straight from the input's
 * mapping into one buffer.  No locks, no threads: a capture kernel with one
 * CPU pays nothing for the parallel path.  Both paths compare each page with
 * the one before and reuse its encoding when equal (struct repeat).
 *
 * Parallel path (threads >= 2): the calling thread fills batches of
 * BATCH_PAGES pages (copied out of the input, since a mapping window may
 * move before a worker gets to it) and puts them in a ring of 2 x threads
 * slots; workers take the oldest filled batch, encode every page (zero check,
 * compress, raw fallback) into the batch's own output area, and mark it done;
 * the calling thread writes finished batches strictly in ring order.  Each
 * page's encoding depends on that page alone, so the bytes written are the
 * serial path's.  The first error, in any thread, stops the pipeline and is
 * the one reported.
 */
#include "copy.h"

#include "order.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_PAGES 256u
#define PROGRESS_STEP 4096u

/* What one page became. */
struct encoded {
	const uint8_t *data;
	uint32_t size, flags;
	bool zero;
	bool lost;                   /* the input could not give it: left out */
};

/* Eight words per test: one branch per 64 bytes lets the compiler use wide
 * loads, and a zero page (the common case at -d 0) is read at memory speed.
 * Page sizes are multiples of 64. */
static bool page_is_zero(const uint8_t *page, size_t len)
{
	const uint64_t *w = (const uint64_t *)(const void *)page;

	for (size_t i = 0; i < len / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] |
		    w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	return true;
}

/* The last page compressed, for the next one to reuse if it is the same.
 * Kernel memory repeats itself page after page (runs of identical tables,
 * zero pages at -d 0, poisoned or untouched areas: 11 % of the kept pages of
 * a busy 4 GiB guest at -d 31 equal the page before), and a 4 KiB compare
 * costs a small fraction of a compression.  The reused bytes are what the
 * codec would have produced again, so the output does not change. */
struct repeat {
	const uint8_t *in;           /* the previous input page, or NULL */
	struct encoded enc;          /* what it became */
};

/* Encode one page into e (e->data: out, or the page itself when stored
 * raw).  Returns 1 when it reused rep's encoding, 0 when fresh, < 0 on
 * error.  The caller keeps rep's `in` and `enc.data` readable until the page
 * is written; for a page stored raw, enc.data may be any copy equal to it. */
static int encode_page(const struct copy_job *c, struct codec_ctx *ctx,
		       const uint8_t *page, uint8_t *out, size_t cap,
		       struct encoded *e, const struct repeat *rep,
		       struct ds_err *err)
{
	uint32_t ps = c->page_size;
	long n;

	e->lost = false;
	e->zero = c->exclude_zero && page_is_zero(page, ps);
	e->data = page;
	e->size = ps;
	e->flags = 0;
	if (e->zero || c->codec->id == CODEC_NONE)
		return 0;
	if (rep && rep->in && memcmp(page, rep->in, ps) == 0) {
		*e = rep->enc;       /* data stays valid: see struct repeat */
		return 1;
	}
	n = c->codec->compress(ctx, page, ps, out, cap, err);
	if (n < 0)
		return (int)n;
	if ((size_t)n < ps) {        /* else raw: never store a page larger */
		e->data = out;
		e->size = (uint32_t)n;
		e->flags = c->codec->kdump_flag;
	}
	return 0;
}

static int emit(struct copy_job *c, uint64_t pfn, const struct encoded *e,
		struct ds_err *err)
{
	if (e->lost)
		return output_add_lost(c->out, pfn, err);
	if (e->zero) {
		c->zero_pages++;
		return output_add_zero(c->out, pfn, err);
	}
	return output_add_page(c->out, pfn, e->data, e->size, e->flags, err);
}

/* Readahead for the copy.  Ahead of the loop, the file ranges of the next
 * PREFETCH_PAGES dumped pages are announced (input_prefetch), gaps of up to
 * PREFETCH_GAP pages merged (reading 32 KiB of excluded pages costs less
 * than another request); half way through, the next stretch.  An input read
 * with pread reads each announced range in one call of up to 1 MiB; on a
 * disk file the kernel also reads them ahead (each kept page would
 * otherwise be its own 4 KiB disk read, one at a time).  /proc/vmcore is
 * mapped and ignores the hint: its pages are already memory. */
#define PREFETCH_PAGES 4096u
#define PREFETCH_GAP 8u

struct prefetch {
	uint64_t next_pfn;           /* dumped pfns below it are announced */
	uint64_t trigger_pfn;        /* announce more on reaching it */
};

static void prefetch_ahead(struct copy_job *c, struct prefetch *pf, uint64_t pfn)
{
	const struct keepmap *km = c->km;
	uint64_t p, run_start = UINT64_MAX, run_end = 0;
	unsigned n = 0;

	if (pfn < pf->trigger_pfn)
		return;
	pf->trigger_pfn = UINT64_MAX;
	for (p = keepmap_next_dumped(km, pf->next_pfn > pfn ? pf->next_pfn : pfn);
	     p < c->end_pfn && n < PREFETCH_PAGES; p = keepmap_next_dumped(km, p + 1)) {
		if (run_start != UINT64_MAX && p - run_end > PREFETCH_GAP) {
			input_prefetch(c->in, run_start << c->page_shift,
				       (run_end - run_start) << c->page_shift);
			run_start = UINT64_MAX;
		}
		if (run_start == UINT64_MAX)
			run_start = p;
		run_end = p + 1;
		if (++n == PREFETCH_PAGES / 2)
			pf->trigger_pfn = p;
	}
	if (run_start != UINT64_MAX)
		input_prefetch(c->in, run_start << c->page_shift,
			       (run_end - run_start) << c->page_shift);
	pf->next_pfn = p;
}

/* One page: *ret_page points into the input's mapping when it can (no
 * copy), else at buf (see input_read_page).  In most-useful-first order
 * the page's addresses order the next pages (order_saw); the readahead,
 * which assumes pfn order, is left to the kernel. */
static int read_page(struct copy_job *c, struct prefetch *pf, uint64_t pfn, uint8_t *buf,
		     const uint8_t **ret_page, struct ds_err *err)
{
	int r;

	if (!c->order)
		prefetch_ahead(c, pf, pfn);
	r = input_read_page(c->in, pfn << c->page_shift, c->page_size, buf, ret_page, err);
	if (r == 0 && c->order)
		order_saw(c->order, pfn, *ret_page);
	return r;
}

/* The kept pfns, in pfn order or in the order's. */
static uint64_t first_pfn(const struct copy_job *c)
{
	return c->order ? order_next(c->order) : keepmap_next_dumped(c->km, c->start_pfn);
}

static uint64_t next_pfn(const struct copy_job *c, uint64_t pfn)
{
	return c->order ? order_next(c->order) : keepmap_next_dumped(c->km, pfn + 1);
}

/* A page the input could not give (EIO in /proc/vmcore, a file that shrank,
 * a mapping that faulted): it is counted and left out, and the dump goes
 * on; the first such error is kept for the report. */
static void unreadable(struct copy_job *c, uint64_t pfn, const struct ds_err *why)
{
	if (!c->unreadable_pages++)
		snprintf(c->first_unreadable, sizeof(c->first_unreadable),
			 "pfn 0x%" PRIx64 ": %s", pfn, why->msg);
}

static bool stop_requested(const struct copy_job *c, struct ds_err *err)
{
	if (!c->cancel || !*c->cancel)
		return false;
	ds_err_set(err, DS_ECANCELED, "stopped on request");
	return true;
}

static void progress(const struct copy_job *c, uint64_t done, uint64_t total)
{
	if (c->progress)
		c->progress(c->progress_arg, "Copying data", done, total);
}

/* Pages copied as the input stores them (same codec): no decompression,
 * no compression.  A zero page must still be told apart when zero pages
 * are left out: a raw page is checked; a compressed one is decompressed
 * for the check only when the input may hold zero pages compressed. */
static int copy_stored(struct copy_job *c, uint64_t total, struct ds_err *err)
{
	uint32_t ps = c->page_size;
	uint8_t *buf = malloc(ps);
	struct prefetch pf = { 0 };
	uint64_t done = 0;
	int r = 0;

	if (!buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (uint64_t pfn = first_pfn(c); pfn < c->end_pfn; pfn = next_pfn(c, pfn)) {
		struct encoded e = { 0 };

		if (stop_requested(c, err)) {
			r = -DS_ECANCELED;
			break;
		}
		if (!c->order)
			prefetch_ahead(c, &pf, pfn);
		if (c->exclude_zero && !c->input_zero_free) {
			const uint8_t *page;

			if (read_page(c, &pf, pfn, buf, &page, err) < 0)
				e.lost = true;
			else
				e.zero = page_is_zero(page, ps);
		}
		if (!e.zero && !e.lost) {
			if (c->in->ops->read_stored(c->in, pfn, &e.data, &e.size, &e.flags, err) < 0)
				e.lost = true;
			else
				e.zero = c->exclude_zero && e.flags == 0 && page_is_zero(e.data, ps);
		}
		if (e.lost)
			unreadable(c, pfn, err);
		if ((r = emit(c, pfn, &e, err)) < 0)
			break;
		if (++done % PROGRESS_STEP == 0)
			progress(c, done, total);
	}
	if (r == 0)
		progress(c, total, total);
	free(buf);
	return r;
}

static int copy_serial(struct copy_job *c, uint64_t total, struct ds_err *err)
{
	uint32_t ps = c->page_size;
	size_t cap = c->codec->bound(ps);
	uint8_t *buf = malloc(ps), *out = malloc(cap), *last = malloc(ps);
	struct codec_ctx *ctx = c->codec->ctx_new();
	struct repeat rep = { 0 };
	struct prefetch pf = { 0 };
	uint64_t done = 0;
	int r = 0;

	if (!buf || !out || !last || !ctx) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	for (uint64_t pfn = first_pfn(c); pfn < c->end_pfn; pfn = next_pfn(c, pfn)) {
		const uint8_t *page;
		struct encoded e;

		if (stop_requested(c, err)) {
			r = -DS_ECANCELED;
			goto out;
		}
		if (read_page(c, &pf, pfn, buf, &page, err) < 0) {
			struct encoded lost = { .lost = true };

			unreadable(c, pfn, err);
			if ((r = emit(c, pfn, &lost, err)) < 0)
				goto out;
			goto next;
		}
		int how = encode_page(c, ctx, page, out, cap, &e, &rep, err);

		if ((r = how) < 0 || (r = emit(c, pfn, &e, err)) < 0)
			goto out;
		if (how == 0 && !e.zero && c->codec->id != CODEC_NONE) {
			/* a fresh encoding: remember it (the input may move, so copy it) */
			memcpy(last, page, ps);
			rep.in = last;
			rep.enc = e;
			if (e.data == page)          /* raw: the mapping may move */
				rep.enc.data = last;
		}
next:
		if (++done % PROGRESS_STEP == 0)
			progress(c, done, total);
	}
	progress(c, total, total);
out:
	c->codec->ctx_free(ctx);
	free(buf);
	free(out);
	free(last);
	return r;
}

/* ---- parallel ---- */

enum batch_state { BATCH_FREE, BATCH_FILLED, BATCH_WORKING, BATCH_DONE };

struct batch {
	enum batch_state state;
	unsigned n;
	uint8_t *in;                 /* n pages */
	uint8_t *out;                /* n * cap */
	uint64_t pfn[BATCH_PAGES];
	struct encoded enc[BATCH_PAGES];
	int rc;
	struct ds_err err;
};

struct pool {
	struct copy_job *c;
	size_t cap;
	pthread_mutex_t lock;
	pthread_cond_t work;         /* a batch was filled, or stop */
	pthread_cond_t done;         /* a batch was done */
	struct batch *ring;
	unsigned nslots;
	unsigned next_work;          /* oldest slot a worker may take */
	bool stop;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	const struct copy_job *c = p->c;
	uint32_t ps = c->page_size;
	struct codec_ctx *ctx = c->codec->ctx_new();

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct batch *b;

		while (!p->stop && p->ring[p->next_work].state != BATCH_FILLED)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		b = &p->ring[p->next_work];
		b->state = BATCH_WORKING;
		p->next_work = (p->next_work + 1) % p->nslots;
		pthread_mutex_unlock(&p->lock);

		b->rc = 0;
		if (!ctx)
			b->rc = ds_err_set(&b->err, DS_ENOMEM, "out of memory");
		for (unsigned i = 0; i < b->n && b->rc == 0; i++) {
			/* the previous page of the batch and its encoding stay put
			 * until the batch is written */
			struct repeat rep = { 0 };

			if (b->enc[i].lost)
				continue;
			if (i > 0 && !b->enc[i - 1].zero && !b->enc[i - 1].lost) {
				rep.in = b->in + (size_t)(i - 1) * ps;
				rep.enc = b->enc[i - 1];
			}
			int how = encode_page(c, ctx, b->in + (size_t)i * ps,
					      b->out + i * p->cap, p->cap, &b->enc[i],
					      &rep, &b->err);

			b->rc = how < 0 ? how : 0;
		}

		pthread_mutex_lock(&p->lock);
		b->state = BATCH_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	c->codec->ctx_free(ctx);
	return NULL;
}

/* Fill batch b with the next dumped pfns from *pfn on. */
static int fill_batch(struct copy_job *c, struct prefetch *pf, struct batch *b,
		      uint64_t *pfn, struct ds_err *err)
{
	uint32_t ps = c->page_size;

	b->n = 0;
	while (b->n < BATCH_PAGES && *pfn < c->end_pfn) {
		uint8_t *slot = b->in + (size_t)b->n * ps;
		const uint8_t *page;

		if (stop_requested(c, err))
			return -DS_ECANCELED;
		b->enc[b->n].lost = false;
		if (read_page(c, pf, *pfn, slot, &page, err) < 0) {
			unreadable(c, *pfn, err);
			b->enc[b->n].lost = true;
		} else if (page != slot) {
			memcpy(slot, page, ps);
		}
		b->pfn[b->n] = *pfn;
		b->n++;
		*pfn = next_pfn(c, *pfn);
	}
	return 0;
}

static int copy_parallel(struct copy_job *c, uint64_t total, struct ds_err *err)
{
	struct pool p = { .c = c };
	struct prefetch pf = { 0 };
	uint32_t ps = c->page_size;
	pthread_t *tids;
	unsigned started = 0, head = 0, tail = 0, inflight = 0;
	uint64_t pfn = first_pfn(c), done = 0;
	int r = 0;

	p.cap = c->codec->bound(ps);
	p.nslots = 2 * c->threads;
	p.ring = calloc(p.nslots, sizeof(*p.ring));
	tids = calloc(c->threads, sizeof(*tids));
	if (!p.ring || !tids) {
		free(p.ring);
		free(tids);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < p.nslots; i++) {
		p.ring[i].in = malloc((size_t)BATCH_PAGES * ps);
		p.ring[i].out = malloc(BATCH_PAGES * p.cap);
		if (!p.ring[i].in || !p.ring[i].out) {
			r = ds_err_set(err, DS_ENOMEM, "out of memory for %u compression buffers",
				       p.nslots);
			goto out;
		}
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	for (; started < c->threads; started++)
		if (pthread_create(&tids[started], NULL, worker, &p) != 0) {
			r = ds_err_sys(err, "cannot start compression thread %u", started + 1);
			break;
		}

	/* head: next slot to fill; tail: next slot to write */
	while (r == 0 && (pfn < c->end_pfn || inflight)) {
		if (pfn < c->end_pfn && inflight < p.nslots) {
			struct batch *b = &p.ring[head];

			if ((r = fill_batch(c, &pf, b, &pfn, err)) < 0)
				break;
			pthread_mutex_lock(&p.lock);
			b->state = BATCH_FILLED;
			pthread_cond_signal(&p.work);
			pthread_mutex_unlock(&p.lock);
			head = (head + 1) % p.nslots;
			inflight++;
			continue;
		}
		struct batch *b = &p.ring[tail];

		pthread_mutex_lock(&p.lock);
		while (b->state != BATCH_DONE)
			pthread_cond_wait(&p.done, &p.lock);
		pthread_mutex_unlock(&p.lock);
		if (b->rc < 0) {
			*err = b->err;
			r = b->rc;
			break;
		}
		for (unsigned i = 0; i < b->n && r == 0; i++)
			r = emit(c, b->pfn[i], &b->enc[i], err);
		done += b->n;
		if (done / PROGRESS_STEP != (done - b->n) / PROGRESS_STEP)
			progress(c, done, total);
		pthread_mutex_lock(&p.lock);   /* workers read state under the lock */
		b->state = BATCH_FREE;
		pthread_mutex_unlock(&p.lock);
		tail = (tail + 1) % p.nslots;
		inflight--;
	}
	if (r == 0)
		progress(c, total, total);

	pthread_mutex_lock(&p.lock);
	p.stop = true;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.work);
	pthread_mutex_destroy(&p.lock);
out:
	for (unsigned i = 0; i < p.nslots; i++) {
		free(p.ring[i].in);
		free(p.ring[i].out);
	}
	free(p.ring);
	free(tids);
	return r;
}

int copy_estimate(struct copy_job *c, unsigned samples, uint64_t *ret_bytes)
{
	uint64_t total = keepmap_count_dumped(c->km), step, i = 0, taken = 0, bytes = 0;
	uint32_t ps = c->page_size;
	size_t cap = c->codec->bound(ps);
	uint8_t *buf = malloc(ps), *out = malloc(cap);
	struct codec_ctx *ctx = c->codec->ctx_new();
	struct ds_err err;

	*ret_bytes = 0;
	if (!buf || !out || !ctx || !total || !samples) {
		c->codec->ctx_free(ctx);
		free(buf);
		free(out);
		return total && samples ? -1 : 0;
	}
	step = total / samples ? total / samples : 1;
	for (uint64_t pfn = keepmap_next_dumped(c->km, 0); pfn < c->km->npfn;
	     pfn = keepmap_next_dumped(c->km, pfn + 1), i++) {
		const uint8_t *page;
		struct encoded e;

		if (i % step)
			continue;
		taken++;
		if (input_read_page(c->in, pfn << c->page_shift, ps, buf, &page, &err) < 0 ||
		    encode_page(c, ctx, page, out, cap, &e, NULL, &err) < 0)
			continue;            /* unreadable: stored as nothing */
		if (!e.zero)
			bytes += e.size;
	}
	c->codec->ctx_free(ctx);
	free(buf);
	free(out);
	*ret_bytes = taken ? bytes * total / taken : 0;
	return 0;
}

int copy_pages(struct copy_job *c, struct ds_err *err)
{
	uint64_t total;

	if (c->end_pfn > c->km->npfn)
		c->end_pfn = c->km->npfn;
	total = keepmap_count_dumped_range(c->km, c->start_pfn, c->end_pfn);

	c->zero_pages = 0;
	if (c->pass_through && c->in->ops->read_stored)
		return copy_stored(c, total, err);
	if (c->threads >= 2)
		return copy_parallel(c, total, err);
	return copy_serial(c, total, err);
}

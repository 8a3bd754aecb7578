/* output.c - write the model's vmcore to a file, and the truth.
 *
 * The bytes come from image.c (the same functions vmcorefs serves through
 * FUSE); pages whose content is zero are never written: they are holes of
 * a sparse file.
 *
 * Truth files (format of `tests/tools/dumpcheck.py pfns`: one `0xS-0xE`
 * inclusive range per line, then `total N`):
 *   expected-present.pfns  pfns inside a PT_LOAD (the 1st bitmap)
 *   expected-d<L>.pfns     the 2nd bitmap of a kdump-compressed dump at -d L
 *                          (zero pages stay in it, as makedumpfile does)
 *   expected-d<L>.zero     for odd L: the pfns of that set whose page is all
 *                          zero, so must share the zero-page descriptor
 * They are computed from the extents (what was placed where) with the rules
 * of filtering.md section 2.2 applied to kinds, never from the bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE          /* pwrite, ftruncate, getopt_long, strtok_r ... */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen.h"

#define WBUF_BYTES (1u << 20)     /* 1 MiB write batches */

static const unsigned levels[MAX_LEVELS] = { 0, 1, 2, 4, 8, 16, 31 };

struct writer {
	int fd;
	const char *path;
	uint64_t size;            /* nothing is written past it (a `truncate` damage) */
	/* batch of consecutive pages */
	uint8_t *buf;
	uint64_t buf_off;         /* file offset of buf[0] */
	size_t buf_len;
	uint64_t bytes_written;
	uint64_t page_size;
};

static void w_flush(struct writer *w)
{
	size_t done = 0;

	if (w->buf_off >= w->size)
		w->buf_len = 0;
	else if (w->buf_len > w->size - w->buf_off)
		w->buf_len = (size_t)(w->size - w->buf_off);
	while (done < w->buf_len) {
		ssize_t r = pwrite(w->fd, w->buf + done, w->buf_len - done,
				   (off_t)(w->buf_off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("write %s: %s", w->path, strerror(errno));
		}
		done += (size_t)r;
	}
	w->bytes_written += w->buf_len;
	w->buf_len = 0;
}

/* queue one page for file offset off */
static uint8_t *w_page(struct writer *w, uint64_t off)
{
	if (w->buf_len && (w->buf_off + w->buf_len != off || w->buf_len + w->page_size > WBUF_BYTES))
		w_flush(w);
	if (!w->buf_len)
		w->buf_off = off;
	w->buf_len += w->page_size;
	return w->buf + w->buf_len - w->page_size;
}

/* take back the page w_page gave last (it is all zero: a hole) */
static void w_unpage(struct writer *w)
{
	w->buf_len -= w->page_size;
}

static void w_direct(struct writer *w, uint64_t off, const void *p, size_t len)
{
	w_flush(w);
	w->buf_off = off;
	while (len) {
		size_t n = len < WBUF_BYTES ? len : WBUF_BYTES;

		memcpy(w->buf, p, n);
		w->buf_len = n;
		w_flush(w);
		w->buf_off += n;
		p = (const uint8_t *)p + n;
		len -= n;
	}
}

void output_vmcore(struct model *m, const char *path)
{
	struct writer w = { .path = path, .page_size = m->page_size };
	struct ext_cursor c;
	struct image im;
	uint8_t *page;

	image_build(m, &im);
	ext_cursor_init(&c, m);
	w.fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w.fd < 0)
		die("cannot create %s: %s", path, strerror(errno));
	if (ftruncate(w.fd, (off_t)im.size) < 0)
		die("cannot size %s to %" PRIu64 " bytes: %s", path, im.size, strerror(errno));
	w.buf = xmalloc(WBUF_BYTES);
	w.size = im.size;
	w_direct(&w, 0, im.head, im.head_len);
	w_direct(&w, im.notes_off, im.notes.s, im.notes.len);

	/* the kernel text load: the image again */
	if (im.ktext)
		for (uint64_t i = 0; i < m->ksize >> m->page_shift; i++) {
			page = w_page(&w, im.ktext_off + (i << m->page_shift));
			if (!image_page(&c, &im, (m->kphys >> m->page_shift) + i, page))
				w_unpage(&w);
		}
	/* RAM, extent by extent: zero pages are never written (holes) */
	for (size_t r = 0; r < m->n_vmc; r++) {
		uint64_t pfn = m->vmc[r].start;

		while (pfn < m->vmc[r].end) {
			const struct extent *e = ext_next(&c, pfn);
			uint64_t end;

			if (!e || e->pfn >= m->vmc[r].end)
				break;
			if (e->pfn > pfn)
				pfn = e->pfn;
			end = e->pfn + e->npages < m->vmc[r].end ? e->pfn + e->npages : m->vmc[r].end;
			if (e->kind != K_CRASHKERNEL &&
			    !(e->zero_pct >= 100 && e->kind != K_KIMAGE && e->kind != K_META))
				for (; pfn < end; pfn++) {
					page = w_page(&w, im.load_off[r] +
							   ((pfn - m->vmc[r].start) << m->page_shift));
					if (!image_page(&c, &im, pfn, page))
						w_unpage(&w);
				}
			pfn = end;
		}
	}
	w_flush(&w);
	if (close(w.fd) < 0)
		die("close %s: %s", path, strerror(errno));
	free(w.buf);
	ext_cursor_release(&c);
	image_free(&im);
}

/* ---- truth ---- */

enum verdict truth_class(const struct model *m, int kind, unsigned L)
{
	switch (kind) {
	case K_FREE:
	case K_UNACCEPTED:
		return L & 16 ? V_EXCLUDE : V_KEEP;
	case K_CACHE:
	case K_SHMEM:
	case K_SWAPCACHE:
	case K_FILE_FOLIO:
		return L & (2 | 4) ? V_EXCLUDE : V_KEEP;
	case K_CACHE_PRIV:
	case K_FILE_FOLIO_PRIV:
		return L & 4 ? V_EXCLUDE : V_KEEP;
	case K_ANON:
	case K_ANON_SWAPCACHE:
	case K_KSM:
	case K_THP:
	case K_HUGETLB:
		return L & 8 ? V_EXCLUDE : V_KEEP;
	case K_OFFLINE:
		return m->g->x_offline ? V_EXCLUDE : V_KEEP;
	case K_HWPOISON:
		return V_EXCLUDE;
	case K_BAD_COMPOUND:
		/* the order cannot be right: the head goes alone, tails stay */
		return L & 8 ? V_HEAD_ONLY : V_KEEP;
	case K_BAD_FLAGS:
		/* PG_hwpoison is among the bits; PG_head too, but page[1] is no tail */
		return V_HEAD_ONLY;
	default:
		return V_KEEP;
	}
}

struct rangeout {
	FILE *f;
	uint64_t start, end, total;   /* pending [start, end) */
};

static void ro_add(struct rangeout *r, uint64_t s, uint64_t e)
{
	if (s >= e)
		return;
	if (r->end == s && r->end > r->start) {
		r->end = e;
		return;
	}
	if (r->end > r->start)
		fprintf(r->f, "0x%" PRIx64 "-0x%" PRIx64 "\n", r->start, r->end - 1);
	r->start = s;
	r->end = e;
}

static void ro_close(struct rangeout *r)
{
	if (r->end > r->start)
		fprintf(r->f, "0x%" PRIx64 "-0x%" PRIx64 "\n", r->start, r->end - 1);
	fprintf(r->f, "total %" PRIu64 "\n", r->total);
	if (fclose(r->f))
		die("write truth file: %s", strerror(errno));
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die("cannot create %s: %s", path, strerror(errno));
	return f;
}

/* kept pfns [s, e) of extent x: add them, and their zero pages */
static void kept(const struct model *m, const struct extent *x, uint64_t s, uint64_t e,
		 struct rangeout *keep, struct rangeout *zero)
{
	ro_add(keep, s, e);
	keep->total += e - s;
	if (!zero)
		return;
	bool uniform = x->kind == K_MEMMAP ||
		       (x->kind != K_KIMAGE && x->kind != K_META &&
			(x->zero_pct == 0 || x->zero_pct >= 100));

	if (uniform) {
		if (page_is_zero(m, x, s)) {
			ro_add(zero, s, e);
			zero->total += e - s;
		}
		return;
	}
	for (uint64_t p = s; p < e; p++)
		if (page_is_zero(m, x, p)) {
			ro_add(zero, p, p + 1);
			zero->total++;
		}
}

/* ---- -e: struct page array pages that describe only excluded pfns ---- */

struct rvec {
	struct range *v;
	size_t n, cap;
};

static void rv_push(struct rvec *r, uint64_t s, uint64_t e)
{
	if (s >= e)
		return;
	if (r->n && r->v[r->n - 1].end == s) {
		r->v[r->n - 1].end = e;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = (struct range){ s, e };
}

static int cmp_range_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The struct page array pages -e drops, given the kept pfns (sorted
 * ranges): each 4 KiB page holds the struct pages of 64 aligned pfns (one
 * word of the bitmaps); it goes when all 64 are present and not kept
 * (FLATMEM with 40-byte struct pages: every pfn whose struct page is in
 * the page, whole or in part).
 * That is dumpsieve's rule; makedumpfile 1.7.2 drops a subset of these
 * (runs of at least two words inside one physically contiguous piece of
 * vmemmap, docs/compat.md), so its -e dump lies between this set and the
 * -d 31 one.  Returns the memmap pfns, sorted. */
static void vmemmap_truth(const struct model *m, const struct rvec *keep, struct rvec *out)
{
	const uint64_t per = m->page_size / SP_SIZE;   /* pfns per struct page page */
	size_t ki = 0;
	struct rvec tmp = { 0 };

	for (size_t r = 0; r < m->n_vmc; r++) {
		/* excluded runs inside this present range: its gaps between kept ranges */
		uint64_t p = m->vmc[r].start, end = m->vmc[r].end;

		while (p < end) {
			while (ki < keep->n && keep->v[ki].end <= p)
				ki++;
			uint64_t gap_end = ki < keep->n && keep->v[ki].start < end ? keep->v[ki].start : end;

			if (gap_end > p && m->flatmem) {
				/* one mem_map from pfn 0 whose struct pages may
				 * straddle pages (i386's 40 bytes): page j holds
				 * pfns j*ps/sz .. ((j+1)*ps-1)/sz, so the pages
				 * inside the gap are j = ceil(p*sz/ps) .. g*sz/ps - 1 */
				uint64_t sz = m->sp_size, ps = m->page_size;
				uint64_t j0 = (p * sz + ps - 1) / ps, j1 = gap_end * sz / ps;

				for (uint64_t j = j0; j < j1; j++)
					rv_push(&tmp, (m->sec_memmap[0] >> m->page_shift) + j,
						(m->sec_memmap[0] >> m->page_shift) + j + 1);
			} else if (gap_end > p) {
				uint64_t w0 = (p + per - 1) / per, w1 = gap_end / per;

				if (w1 > w0)
					for (uint64_t w = w0; w < w1; w++) {
						/* a section's struct pages may be less
						 * than a page: offsets from its own */
						uint64_t pfn0 = w * per;
						uint64_t sec = pfn0 >> m->pfn_section_shift;
						uint64_t mp = (m->sec_memmap[sec] +
							       (pfn0 - (sec << m->pfn_section_shift)) * SP_SIZE)
							      >> m->page_shift;

						rv_push(&tmp, mp, mp + 1);
					}
			}
			p = ki < keep->n && keep->v[ki].start < end ? keep->v[ki].end : end;
		}
	}
	if (tmp.n)
		qsort(tmp.v, tmp.n, sizeof(*tmp.v), cmp_range_start);
	for (size_t i = 0; i < tmp.n; i++)
		rv_push(out, tmp.v[i].start, tmp.v[i].end);
	free(tmp.v);
}

/* keep minus drop (both sorted) into a truth file */
static void write_minus(const char *dir, const char *name, const struct rvec *keep,
			const struct rvec *drop)
{
	struct rangeout o = { open_out(dir, name), 0, 0, 0 };
	size_t di = 0;

	for (size_t i = 0; i < keep->n; i++) {
		uint64_t s = keep->v[i].start, e = keep->v[i].end;

		while (di < drop->n && drop->v[di].end <= s)
			di++;
		for (size_t d = di; d < drop->n && drop->v[d].start < e; d++) {
			if (drop->v[d].start > s) {
				ro_add(&o, s, drop->v[d].start);
				o.total += drop->v[d].start - s;
			}
			if (drop->v[d].end > s)
				s = drop->v[d].end;
		}
		if (s < e) {
			ro_add(&o, s, e);
			o.total += e - s;
		}
	}
	ro_close(&o);
}

void output_truth(struct model *m, const char *dir, unsigned level_mask, bool with_e)
{
	struct rangeout pres = { open_out(dir, "expected-present.pfns"), 0, 0, 0 };
	struct ext_cursor c;

	ext_cursor_init(&c, m);
	for (size_t i = 0; i < m->n_vmc; i++) {
		ro_add(&pres, m->vmc[i].start, m->vmc[i].end);
		pres.total += m->vmc[i].end - m->vmc[i].start;
	}
	ro_close(&pres);

	for (unsigned li = 0; li < MAX_LEVELS; li++) {
		unsigned L = levels[li];
		bool e_too = with_e && L == 31;
		char name[64];
		struct rangeout keep, zero;
		struct rvec kv = { 0 };

		if (!(level_mask & (1u << li)))
			continue;
		snprintf(name, sizeof(name), "expected-d%u.pfns", L);
		keep = (struct rangeout){ open_out(dir, name), 0, 0, 0 };
		if (L & 1) {
			snprintf(name, sizeof(name), "expected-d%u.zero", L);
			zero = (struct rangeout){ open_out(dir, name), 0, 0, 0 };
		}
		const struct extent *x;

		for (uint64_t pfn = 0; (x = ext_next(&c, pfn)) != NULL; pfn = x->pfn + x->npages) {
			enum verdict v;

			if (x->kind == K_CRASHKERNEL)
				continue;
			v = truth_class(m, x->kind, L);
			if (v == V_KEEP) {
				kept(m, x, x->pfn, x->pfn + x->npages, &keep, L & 1 ? &zero : NULL);
				if (e_too)
					rv_push(&kv, x->pfn, x->pfn + x->npages);
			} else if (v == V_HEAD_ONLY) {
				uint64_t size = 1ull << x->order;

				for (uint64_t h = x->pfn; h < x->pfn + x->npages; h += size) {
					kept(m, x, h + 1, h + size, &keep, L & 1 ? &zero : NULL);
					if (e_too)
						rv_push(&kv, h + 1, h + size);
				}
			}
		}
		ro_close(&keep);
		if (L & 1)
			ro_close(&zero);
		if (e_too) {
			struct rvec drop = { 0 };

			vmemmap_truth(m, &kv, &drop);
			snprintf(name, sizeof(name), "expected-d%ue.pfns", L);
			write_minus(dir, name, &kv, &drop);
			free(drop.v);
		}
		free(kv.v);
	}
	ext_cursor_release(&c);
	log_truth(m, dir);
}

/* flat.c - a flattened stream (makedumpfile -F, dumpsieve -F) read as the
 * file it describes, without rebuilding it: the records are indexed once
 * (record headers only: the data is skipped) and the input's source becomes
 * a view through that index (source_set_extents).  The dump inside, a
 * kdump-compressed or ELF file, is then read by its own member.
 *
 * Records apply in stream order, a later one overwriting an earlier one
 * (makedumpfile rewrites its sub header that way), and a part of the file
 * no record wrote reads as zero, as in the file -R would rebuild.  The
 * stream must end with the end marker: a stream cut short is refused here,
 * as by -R (a dump flagged incomplete inside a complete stream is read as
 * such by its member).  Standard input is spooled to a temporary file first
 * (input.c), since the index needs to seek.
 *
 * Untrusted: record offsets and sizes are checked (non-negative, no
 * overflow, data inside the stream file) and every error names the file,
 * the record's offset in it and the field.
 */
#include "input.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../io/sink.h"

#define FLAT_SIG "makedumpfile"
#define REC_HDR 16u

struct rec {
	uint64_t off, len, file_off, seq;
};

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

bool flat_probe(const uint8_t *head, size_t len)
{
	return len >= 24 && !memcmp(head, FLAT_SIG, sizeof(FLAT_SIG)) &&
	       get_be64(head + 16) == 1;
}

static int cmp_off(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct ext_list {
	struct source_extent *v;
	size_t n, cap;
};

static int push(struct ext_list *l, uint64_t off, uint64_t len, uint64_t file_off)
{
	if (!len)
		return 0;
	if (l->n && l->v[l->n - 1].off + l->v[l->n - 1].len == off &&
	    l->v[l->n - 1].file_off + l->v[l->n - 1].len == file_off) {
		l->v[l->n - 1].len += len;       /* contiguous in both: one extent */
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct source_extent *g = realloc(l->v, cap * sizeof(*g));

		if (!g)
			return -1;
		l->v = g;
		l->cap = cap;
	}
	l->v[l->n++] = (struct source_extent){ off, len, file_off };
	return 0;
}

/* Overlapping records (rare: a header rewritten): paint them in stream
 * order onto a small sorted list, each cutting what it covers. */
static int paint(struct rec *c, size_t n, struct ext_list *out)
{
	struct ext_list l = { 0 };
	int r = 0;

	qsort(c, n, sizeof(*c), cmp_seq);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct ext_list next = { 0 };
		uint64_t s = c[i].off, e = c[i].off + c[i].len;

		for (size_t j = 0; j < l.n && r == 0; j++)          /* what lies before */
			if (l.v[j].off < s)
				r = push(&next, l.v[j].off,
					 (l.v[j].off + l.v[j].len < s ? l.v[j].off + l.v[j].len : s) - l.v[j].off,
					 l.v[j].file_off);
		r = r ? r : push(&next, s, c[i].len, c[i].file_off);
		for (size_t j = 0; j < l.n && r == 0; j++) {        /* what lies after */
			uint64_t xe = l.v[j].off + l.v[j].len;
			uint64_t from = l.v[j].off > e ? l.v[j].off : e;

			if (xe > e)
				r = push(&next, from, xe - from, l.v[j].file_off + (from - l.v[j].off));
		}
		free(l.v);
		l = next;
	}
	for (size_t j = 0; j < l.n && r == 0; j++)
		r = push(out, l.v[j].off, l.v[j].len, l.v[j].file_off);
	free(l.v);
	return r;
}

int flat_index(struct source *src, struct ds_err *err)
{
	struct rec *recs = NULL;
	size_t n = 0, cap = 0;
	struct ext_list out = { 0 };
	uint64_t pos = FLAT_HEADER_SIZE, end = 0;
	uint8_t hdr[REC_HDR];
	int r = 0;

	if (src->size < FLAT_HEADER_SIZE)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is a truncated flattened dump: %" PRIu64 " bytes, the header needs %u",
				  src->path, src->size, FLAT_HEADER_SIZE);
	for (;;) {
		uint64_t off, len;

		if (src->size - pos < REC_HDR) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "'%s': flattened stream ends at offset 0x%" PRIx64
				       " without its end marker (after %zu records): the stream was cut short",
				       src->path, src->size, n);
			goto out;
		}
		if ((r = source_read(src, pos, hdr, sizeof(hdr), err)) < 0)
			goto out;
		off = get_be64(hdr);
		len = get_be64(hdr + 8);
		if (off == UINT64_MAX && len == UINT64_MAX)
			break;
		if ((int64_t)off < 0 || (int64_t)len <= 0 || off > INT64_MAX - len) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "'%s': flattened record at offset 0x%" PRIx64
				       " has a bad offset/size (0x%" PRIx64 "/0x%" PRIx64 ")",
				       src->path, pos, off, len);
			goto out;
		}
		if (len > src->size - pos - REC_HDR) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "'%s': flattened record at offset 0x%" PRIx64
				       " has 0x%" PRIx64 " bytes of data, the file ends 0x%" PRIx64 " bytes later",
				       src->path, pos, len, src->size - pos - REC_HDR);
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct rec *g = realloc(recs, ncap * sizeof(*g));

			if (!g) {
				r = ds_err_set(err, DS_ENOMEM, "out of memory");
				goto out;
			}
			recs = g;
			cap = ncap;
		}
		recs[n] = (struct rec){ off, len, pos + REC_HDR, n };
		n++;
		if (off + len > end)
			end = off + len;
		pos += REC_HDR + len;
	}
	if (n)                       /* no record: recs is NULL, which qsort may not take */
		qsort(recs, n, sizeof(*recs), cmp_off);
	for (size_t i = 0; i < n && r == 0;) {
		uint64_t reach = recs[i].off + recs[i].len;
		size_t j = i + 1;

		while (j < n && recs[j].off < reach) {  /* a cluster of overlaps */
			if (recs[j].off + recs[j].len > reach)
				reach = recs[j].off + recs[j].len;
			j++;
		}
		if (j == i + 1)
			r = push(&out, recs[i].off, recs[i].len, recs[i].file_off);
		else
			r = paint(recs + i, j - i, &out);
		i = j;
	}
	if (r < 0) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	source_set_extents(src, out.v, out.n, end);
	out.v = NULL;
out:
	free(out.v);
	free(recs);
	return r;
}

/* kdump_write.c - stream a kdump-compressed file (see kdump_write.h).
 *
 * I/O pattern: the main header (status INCOMPLETE), sub header, notes and
 * both bitmaps are written first; then page data is appended through a
 * 4 MiB buffer in ascending file order.  The descriptors of the pages in the
 * buffer are gathered beside it, and each flush ("commit") writes both:
 * data first on a file (a descriptor on disk always has its data there),
 * descriptors first on a stream (-R keeps a page whose data arrived).  The
 * rewrite of the main header without INCOMPLETE is the last write.  The
 * file is read back only to pack the descriptors of a dump that ended early
 * or lost pages (kdump_repair).  Field offsets are those of the dumped
 * machine's C layout (docs/formats.md: LP64, or i386 with 4-byte longs and
 * 4-aligned 64-bit members), integers in its byte order: what that
 * architecture's makedumpfile writes and its crash and libkdumpfile read.
 */
#include "kdump_write.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../compress/codec.h"
#include "kdump_repair.h"

/* Large buffers mean few, large writes; on a flattened stream they also mean
 * few records, and descriptor records (which land behind the data already
 * sent) rare: crash's insertion sort of the records stays cheap. */
#define DATA_BUF_SIZE (4u << 20)
#define DESC_SIZE 24u
#define DESC_BUF_ENTRIES 65536u
#define BITMAP_CHUNK (4u << 20)

struct kdump_writer {
	struct sink *sink;
	const struct keepmap *km;    /* the plan: which pfns the descriptors are for */
	struct kdump_params p;
	struct kdump_layout l;
	uint64_t added;              /* descriptors produced so far */
	uint64_t lost;               /* of them, pages that could not be read */
	uint64_t data_pos;           /* file offset of the next page's data */
	uint8_t *data_buf;
	size_t data_len;             /* bytes pending in data_buf (end at data_pos) */
	uint8_t *desc_buf;
	size_t desc_len;             /* entries pending: those of the pages in data_buf */
	uint64_t desc_first;         /* index of desc_buf[0] */
	uint64_t zero_desc_off;
	uint64_t committed;          /* descriptors [0, committed) are out, data with them */
	uint64_t lost_pending, lost_committed;   /* lost pages not yet out / out */
	/* any order (p.any_order): pages come in any pfn order; a page's
	 * descriptor goes to the slot of its rank among the dumped pfns */
	uint64_t *desc_idx;          /* the slot of each pending descriptor */
	uint64_t *rank_base;         /* dumped pfns below each RANK_BLOCK */
	uint8_t *run_buf;            /* pending descriptors sorted into runs */
	struct slot { uint64_t idx; uint32_t at; } *slots;
};

#define RANK_SHIFT 15u               /* pfns per rank_base entry: 2^15 */

static const struct kdump_offsets *layout_of(const struct kdump_params *p)
{
	return kdump_offsets_of(&p->mach);
}

uint32_t kdump_main_header_size(const struct kdump_params *p)
{
	return layout_of(p)->hdr_size;
}

uint32_t kdump_sub_header_size(const struct kdump_params *p)
{
	return layout_of(p)->sub_size;
}

static void put_u32(const struct kdump_params *p, uint8_t *at, uint32_t v)
{
	bytes_put_u32(p->mach.big_endian, at, v);
}

static void put_u64(const struct kdump_params *p, uint8_t *at, uint64_t v)
{
	bytes_put_u64(p->mach.big_endian, at, v);
}

/* an unsigned long of the dumped machine (truncated on 32-bit, as there) */
static void put_long(const struct kdump_params *p, const struct kdump_offsets *c, uint8_t *at,
		     uint64_t v)
{
	bytes_put_uint(p->mach.big_endian, at, c->long_size, v);
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

void kdump_layout_compute(const struct kdump_params *p, uint64_t num_dumpable,
			  struct kdump_layout *ret)
{
	uint64_t b = p->block_size;

	ret->sub_hdr_blocks = (uint32_t)((kdump_sub_header_size(p) + p->notes_size + b - 1) / b);
	ret->bitmap_bytes = round_up((p->max_mapnr + 7) / 8, b);
	if (!ret->bitmap_bytes)
		ret->bitmap_bytes = b;
	ret->bitmap1_off = (1 + (uint64_t)ret->sub_hdr_blocks) * b;
	ret->bitmap2_off = ret->bitmap1_off + ret->bitmap_bytes;
	ret->desc_off = ret->bitmap2_off + ret->bitmap_bytes;
	ret->num_dumpable = num_dumpable;
	ret->planned = num_dumpable;
	ret->data_off = ret->desc_off + DESC_SIZE * num_dumpable;
}

void kdump_encode_main_header(const struct kdump_params *p, const struct kdump_layout *l,
			      uint8_t out[KDUMP_MAIN_HEADER_SIZE])
{
	const struct kdump_offsets *c = layout_of(p);
	uint64_t bitmap_blocks = 2 * l->bitmap_bytes / p->block_size;
	uint8_t *f = out + c->status;

	memset(out, 0, KDUMP_MAIN_HEADER_SIZE);
	memcpy(out, "KDUMP   ", 8);
	put_u32(p, out + 8, KDUMP_HEADER_VERSION);
	for (int i = 0; i < 6; i++)
		memcpy(out + 12 + i * KDUMP_UTS_LEN, p->utsname[i], KDUMP_UTS_LEN);
	put_long(p, c, out + c->timestamp, p->crashtime);   /* tv_sec */
	/* tv_usec: always 0 (readers.md Q1) */
	put_u32(p, f, p->status);
	put_u32(p, f + 4, p->block_size);
	put_u32(p, f + 8, l->sub_hdr_blocks);
	put_u32(p, f + 12, (uint32_t)bitmap_blocks);
	put_u32(p, f + 16, p->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)p->max_mapnr);
	/* total_ram_blocks, device_blocks, written_blocks, current_cpu: 0 */
	put_u32(p, f + 36, (uint32_t)p->nr_cpus);
}

void kdump_encode_sub_header(const struct kdump_params *p, const struct kdump_layout *l,
			     uint8_t out[KDUMP_SUB_HEADER_SIZE])
{
	const struct kdump_offsets *c = layout_of(p);
	uint64_t note_off = p->block_size + c->sub_size;

	(void)l;
	memset(out, 0, KDUMP_SUB_HEADER_SIZE);
	put_long(p, c, out, p->phys_base);
	put_u32(p, out + c->dump_level, (uint32_t)p->dump_level);
	if (p->split) {
		/* split, then the legacy start_pfn and end_pfn (longs, capped
		 * at 32 bits as makedumpfile does), and their 64-bit fields */
		put_u32(p, out + c->dump_level + 4, 1);
		put_long(p, c, out + c->start_pfn,
			 p->start_pfn > UINT32_MAX ? UINT32_MAX : p->start_pfn);
		put_long(p, c, out + c->start_pfn + c->long_size,
			 p->end_pfn > UINT32_MAX ? UINT32_MAX : p->end_pfn);
		put_u64(p, out + c->pfn64, p->start_pfn);
		put_u64(p, out + c->pfn64 + 8, p->end_pfn);
	}
	if (p->vmcoreinfo_size) {
		put_u64(p, out + c->vmcoreinfo, note_off + p->vmcoreinfo_off);
		put_long(p, c, out + c->vmcoreinfo + 8, p->vmcoreinfo_size);
	}
	if (p->notes_size) {
		put_u64(p, out + c->note, note_off);
		put_long(p, c, out + c->note + 8, p->notes_size);
	}
	/* eraseinfo 0/0 */
	put_u64(p, out + c->pfn64 + 16, p->max_mapnr);
}

static int write_at(struct kdump_writer *w, uint64_t off, const void *buf, size_t len,
		    struct ds_err *err)
{
	return sink_write_at(w->sink, off, buf, len, err);
}

static int write_main_header(struct kdump_writer *w, bool complete, struct ds_err *err)
{
	struct kdump_params p = w->p;
	uint8_t hdr[KDUMP_MAIN_HEADER_SIZE];

	if (!complete)
		p.status |= KDUMP_STATUS_INCOMPLETE;
	kdump_encode_main_header(&p, &w->l, hdr);
	return write_at(w, 0, hdr, kdump_main_header_size(&w->p), err);
}

static int flush_data(struct kdump_writer *w, struct ds_err *err)
{
	int r = write_at(w, w->data_pos - w->data_len, w->data_buf, w->data_len, err);

	w->data_len = 0;
	return r;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Any order: the first n pending descriptors to their slots, one write per
 * run of consecutive slots. */
static int flush_placed(struct kdump_writer *w, size_t n, struct ds_err *err)
{
	int r = 0;

	for (size_t i = 0; i < n; i++)
		w->slots[i] = (struct slot){ w->desc_idx[i], (uint32_t)i };
	qsort(w->slots, n, sizeof(*w->slots), cmp_slot);
	for (size_t i = 0; i < n && r == 0;) {
		size_t j = i;

		do {
			memcpy(w->run_buf + (j - i) * DESC_SIZE,
			       w->desc_buf + (size_t)w->slots[j].at * DESC_SIZE, DESC_SIZE);
			j++;
		} while (j < n && w->slots[j].idx == w->slots[j - 1].idx + 1);
		r = write_at(w, w->l.desc_off + w->slots[i].idx * DESC_SIZE, w->run_buf,
			     (j - i) * DESC_SIZE, err);
		i = j;
	}
	return r;
}

static int flush_desc(struct kdump_writer *w, size_t n, struct ds_err *err)
{
	int r = w->p.any_order ? flush_placed(w, n, err)
			       : write_at(w, w->l.desc_off + w->desc_first * DESC_SIZE,
					  w->desc_buf, n * DESC_SIZE, err);

	w->desc_first += n;
	w->desc_len = 0;
	return r;
}

/* How many of the pending descriptors have their data below `end`: those
 * of a data write that a full disk took only in part.  Data offsets grow
 * with the index; zero pages share the first page of the data area. */
static size_t descs_with_data(const struct kdump_writer *w, uint64_t end)
{
	size_t n = 0;

	for (; n < w->desc_len; n++) {
		const uint8_t *d = w->desc_buf + n * DESC_SIZE;
		uint64_t off = bytes_get_u64(w->p.mach.big_endian, d);
		uint32_t size = bytes_get_u32(w->p.mach.big_endian, d + 8);

		if (off && off + size > end)
			break;
	}
	return n;
}

/* Write the pending pages: their data and their descriptors, in the order
 * that leaves no descriptor without its data behind a cut (see the top). */
static int commit(struct kdump_writer *w, struct ds_err *err)
{
	int r;

	if (w->sink->header_first) {
		if ((r = flush_desc(w, w->desc_len, err)) < 0 || (r = flush_data(w, err)) < 0)
			return r;
	} else if ((r = flush_data(w, err)) < 0) {
		/* save the descriptors of the pages that made it (the table's
		 * space was reserved at open, so this write can still succeed) */
		size_t n = descs_with_data(w, w->sink->fail_end);
		struct ds_err ignored;

		if (n && flush_desc(w, n, &ignored) == 0)
			w->committed = w->desc_first;
		return r;
	} else if ((r = flush_desc(w, w->desc_len, err)) < 0) {
		return r;
	}
	w->committed = w->desc_first;
	w->lost_committed += w->lost_pending;
	w->lost_pending = 0;
	return 0;
}

static int write_bitmap(struct kdump_writer *w, const struct keepmap *km, bool dumped,
			uint64_t off, struct ds_err *err)
{
	uint8_t *buf = malloc(BITMAP_CHUNK);
	int r = 0;

	if (!buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (uint64_t pos = 0; pos < w->l.bitmap_bytes && r == 0; pos += BITMAP_CHUNK) {
		size_t n = w->l.bitmap_bytes - pos < BITMAP_CHUNK ? w->l.bitmap_bytes - pos
								  : BITMAP_CHUNK;

		keepmap_copy_bytes(km, dumped, pos, buf, n);
		r = write_at(w, off + pos, buf, n, err);
	}
	free(buf);
	return r;
}

/* The descriptor slot of pfn: how many dumped pfns lie below it. */
static uint64_t rank_of(const struct kdump_writer *w, uint64_t pfn)
{
	uint64_t block = pfn >> RANK_SHIFT;

	return w->rank_base[block] + keepmap_count_dumped_range(w->km, block << RANK_SHIFT, pfn);
}

static int setup_any_order(struct kdump_writer *w)
{
	uint64_t blocks = (w->km->npfn >> RANK_SHIFT) + 1, sum = 0;

	w->rank_base = malloc(blocks * sizeof(*w->rank_base));
	w->desc_idx = malloc(DESC_BUF_ENTRIES * sizeof(*w->desc_idx));
	w->slots = malloc(DESC_BUF_ENTRIES * sizeof(*w->slots));
	w->run_buf = malloc(DESC_BUF_ENTRIES * DESC_SIZE);
	if (!w->rank_base || !w->desc_idx || !w->slots || !w->run_buf)
		return -1;
	for (uint64_t b = 0; b < blocks; b++) {
		w->rank_base[b] = sum;
		sum += keepmap_count_dumped_range(w->km, b << RANK_SHIFT, (b + 1) << RANK_SHIFT);
	}
	return 0;
}

int kdump_writer_open(struct kdump_writer **ret_w, struct sink *sink,
		      const struct kdump_params *p, const struct keepmap *km,
		      struct ds_err *err)
{
	struct kdump_writer *w = calloc(1, sizeof(*w));
	uint8_t sub[KDUMP_SUB_HEADER_SIZE];
	int r;

	if (!w)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	w->sink = sink;
	w->km = km;
	w->p = *p;
	w->p.status &= ~KDUMP_STATUS_INCOMPLETE;
	kdump_layout_compute(p, keepmap_count_dumped(km), &w->l);
	if (p->split)
		w->l.planned = keepmap_count_dumped_range(km, p->start_pfn, p->end_pfn);
	w->data_buf = malloc(DATA_BUF_SIZE);
	w->desc_buf = malloc(DESC_BUF_ENTRIES * DESC_SIZE);
	if (w->p.any_order && sink->header_first) {
		kdump_writer_abort(w);
		return ds_err_set(err, DS_EINVAL, "pages in any order need a file, not a stream");
	}
	if (!w->data_buf || !w->desc_buf || (w->p.any_order && setup_any_order(w) < 0)) {
		kdump_writer_abort(w);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	w->data_pos = w->l.data_off;

	kdump_encode_sub_header(p, &w->l, sub);
	/* From its first write the file is a dump that says it is incomplete.
	 * Right after it, the descriptor table is reserved, so that the
	 * descriptors of pages written before the disk fills still find room;
	 * that also makes the file reach the end of the table, so a dump
	 * killed from here on (SIGKILL, a power cut) has every structure a
	 * reader looks for inside the file.  The barrier makes all of it
	 * durable before any page can be. */
	if ((r = write_main_header(w, false, err)) < 0) {
		kdump_writer_abort(w);
		return r;
	}
	(void)sink_reserve(sink, w->l.desc_off, w->l.data_off - w->l.desc_off);
	if ((r = write_at(w, p->block_size, sub, kdump_sub_header_size(p), err)) < 0 ||
	    (r = write_at(w, p->block_size + kdump_sub_header_size(p), p->notes, p->notes_size,
			  err)) < 0 ||
	    (r = write_bitmap(w, km, false, w->l.bitmap1_off, err)) < 0 ||
	    (r = write_bitmap(w, km, true, w->l.bitmap2_off, err)) < 0 ||
	    (r = sink_barrier(sink, err)) < 0) {
		kdump_writer_abort(w);
		return r;
	}
	if (p->exclude_zero) {
		/* the shared zero page: first thing in the data area */
		memset(w->data_buf, 0, p->block_size);
		w->data_len = p->block_size;
		w->zero_desc_off = w->data_pos;
		w->data_pos += p->block_size;
	}
	*ret_w = w;
	return 0;
}

static int add_desc(struct kdump_writer *w, uint64_t pfn, uint64_t off, uint32_t size,
		    uint32_t flags, struct ds_err *err)
{
	uint8_t *d;

	if (w->added >= w->l.planned)
		return ds_err_set(err, DS_EINVAL,
				  "more pages than the %" PRIu64 " planned", w->l.planned);
	if (w->desc_len == DESC_BUF_ENTRIES) {
		int r = commit(w, err);

		if (r < 0)
			return r;
	}
	if (w->p.any_order)
		w->desc_idx[w->desc_len] = rank_of(w, pfn);
	d = w->desc_buf + w->desc_len * DESC_SIZE;
	/* 24 bytes in every layout: off_t offset, uint size, uint flags,
	 * u64 page_flags (naturally aligned on i386 too) */
	put_u64(&w->p, d, off);
	put_u32(&w->p, d + 8, size);
	put_u32(&w->p, d + 12, flags);
	put_u64(&w->p, d + 16, 0);
	w->desc_len++;
	w->added++;
	return 0;
}

int kdump_writer_add_zero(struct kdump_writer *w, uint64_t pfn, struct ds_err *err)
{
	if (!w->p.exclude_zero)
		return ds_err_set(err, DS_EINVAL, "zero page shared without dump level 1");
	return add_desc(w, pfn, w->zero_desc_off, w->p.block_size, 0, err);
}

int kdump_writer_add_lost(struct kdump_writer *w, uint64_t pfn, struct ds_err *err)
{
	int r = add_desc(w, pfn, 0, 0, 0, err);

	if (r == 0) {
		w->lost++;
		w->lost_pending++;
	}
	return r;
}

int kdump_writer_add_page(struct kdump_writer *w, uint64_t pfn, const void *data,
			  uint32_t size, uint32_t flags, struct ds_err *err)
{
	int r;

	if (size == 0 || size > w->p.block_size || (flags == 0 && size != w->p.block_size) ||
	    (flags != 0 && size == w->p.block_size))
		return ds_err_set(err, DS_EINVAL, "bad page size %u with flags 0x%x", size, flags);
	if (w->data_len + size > DATA_BUF_SIZE && (r = commit(w, err)) < 0)
		return r;
	if ((r = add_desc(w, pfn, w->data_pos, size, flags, err)) < 0)
		return r;
	memcpy(w->data_buf + w->data_len, data, size);
	w->data_len += size;
	w->data_pos += size;
	return 0;
}

/* Pack the descriptors of a file read back (kdump_repair): pages without
 * one, or whose data is not there, leave the 2nd bitmap. */
static int repack(struct kdump_writer *w, bool mark_incomplete, uint64_t *ret_kept,
		  struct ds_err *err)
{
	struct kdump_repair_io io = {
		.fd = w->sink->fd, .name = w->sink->name, .size = w->sink->end,
		.mark_incomplete = mark_incomplete,
	};
	struct kdump_repair_stats st;
	int r = kdump_repair(&io, &st, err);

	if (r == 0)
		*ret_kept = st.kept;
	return r;
}

int kdump_writer_finish(struct kdump_writer *w, uint64_t *ret_bytes, struct ds_err *err)
{
	uint64_t kept;
	int r;

	if (w->added != w->l.planned)
		return ds_err_set(err, DS_EINVAL, "wrote %" PRIu64 " pages, planned %" PRIu64,
				  w->added, w->l.planned);
	if ((r = commit(w, err)) < 0)
		return r;
	/* Unreadable pages leave the dump, as if excluded.  A stream cannot
	 * be read back: there they keep their empty descriptors, which crash
	 * reports as "page incomplete" and dumpsieve -R packs. */
	if (w->lost && w->sink->readable && (r = repack(w, false, &kept, err)) < 0)
		return r;
	/* everything else on disk before the header says it is complete */
	if ((r = sink_barrier(w->sink, err)) < 0 ||
	    (r = write_main_header(w, true, err)) < 0 ||
	    (r = sink_finish(w->sink, w->data_pos, err)) < 0)
		return r;
	if (ret_bytes)
		*ret_bytes = w->data_pos;
	kdump_writer_abort(w);
	return 0;
}

/* On a stream still open, end the dump after the committed pages: the 2nd
 * bitmap is sent again without the pfns past them, then the end marker, so
 * that any -R rebuilds a dump whose every descriptor is there. */
static int end_stream(struct kdump_writer *w, struct ds_err *err)
{
	uint64_t pfn = keepmap_next_dumped(w->km, 0), first_byte;
	uint8_t *buf;
	int r = 0;

	for (uint64_t i = 0; i < w->committed && pfn < w->km->npfn; i++)
		pfn = keepmap_next_dumped(w->km, pfn + 1);
	first_byte = pfn / 8;
	if (first_byte < w->l.bitmap_bytes) {
		buf = calloc(1, BITMAP_CHUNK);
		if (!buf)
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		/* the committed pfns' bits of the first byte stay */
		keepmap_copy_bytes(w->km, true, first_byte, buf, 1);
		buf[0] &= (uint8_t)((1u << (pfn % 8)) - 1);
		for (uint64_t pos = first_byte; pos < w->l.bitmap_bytes && r == 0; pos += BITMAP_CHUNK) {
			size_t n = w->l.bitmap_bytes - pos < BITMAP_CHUNK ? w->l.bitmap_bytes - pos
									  : BITMAP_CHUNK;

			r = write_at(w, w->l.bitmap2_off + pos, buf, n, err);
			buf[0] = 0;
		}
		free(buf);
	}
	return r ? r : sink_finish(w->sink, w->data_pos, err);
}

int kdump_writer_close_incomplete(struct kdump_writer *w, struct kdump_incomplete *ret,
				  struct ds_err *err)
{
	struct ds_err first = { 0 };
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	ret->planned = w->l.num_dumpable;
	/* what is pending goes out if the output still takes it */
	if (!w->sink->broken && commit(w, &first) < 0)
		ds_err_clear(&first);
	if (w->sink->readable) {
		r = repack(w, true, &ret->kept, err);
	} else {
		ret->kept = w->committed - w->lost_committed;
		if (w->sink->header_first && !w->sink->broken)
			r = end_stream(w, err);
	}
	ret->lost = w->lost;
	kdump_writer_abort(w);
	return r;
}

void kdump_writer_abort(struct kdump_writer *w)
{
	if (!w)
		return;
	free(w->data_buf);
	free(w->desc_buf);
	free(w->desc_idx);
	free(w->rank_base);
	free(w->slots);
	free(w->run_buf);
	free(w);
}

/* kdump_write.c - stream a kdump-compressed file (see kdump_write.h).
 *
 * I/O pattern: sub header, notes and bitmaps are written first; then page
 * data is appended through a 4 MiB buffer in ascending file order, and the
 * descriptors are gathered in a buffer and written to their table slots when
 * it fills.  Both buffers are flushed with pwrite at known offsets, so the
 * file never has to be read back.  Field offsets are the LP64 ones of
 * docs/formats.md; integers are little-endian (x86_64).
 */
#include "kdump_write.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../compress/codec.h"

/* Large buffers mean few, large writes; on a flattened stream they also mean
 * few records, and descriptor records (which land behind the data already
 * sent) rare: crash's insertion sort of the records stays cheap. */
#define DATA_BUF_SIZE (4u << 20)
#define DESC_SIZE 24u
#define DESC_BUF_ENTRIES 65536u
#define BITMAP_CHUNK (4u << 20)

struct kdump_writer {
	struct sink *sink;
	struct kdump_params p;
	struct kdump_layout l;
	uint64_t added;              /* descriptors produced so far */
	uint64_t data_pos;           /* file offset of the next page's data */
	uint8_t *data_buf;
	size_t data_len;             /* bytes pending in data_buf (end at data_pos) */
	uint8_t *desc_buf;
	size_t desc_len;             /* entries pending */
	uint64_t desc_first;         /* index of desc_buf[0] */
	uint64_t zero_desc_off;
};

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

void kdump_layout_compute(const struct kdump_params *p, uint64_t num_dumpable,
			  struct kdump_layout *ret)
{
	uint64_t b = p->block_size;

	ret->sub_hdr_blocks = (uint32_t)((KDUMP_SUB_HEADER_SIZE + p->notes_size + b - 1) / b);
	ret->bitmap_bytes = round_up((p->max_mapnr + 7) / 8, b);
	if (!ret->bitmap_bytes)
		ret->bitmap_bytes = b;
	ret->bitmap1_off = (1 + (uint64_t)ret->sub_hdr_blocks) * b;
	ret->bitmap2_off = ret->bitmap1_off + ret->bitmap_bytes;
	ret->desc_off = ret->bitmap2_off + ret->bitmap_bytes;
	ret->num_dumpable = num_dumpable;
	ret->data_off = ret->desc_off + DESC_SIZE * num_dumpable;
}

void kdump_encode_main_header(const struct kdump_params *p, const struct kdump_layout *l,
			      uint8_t out[KDUMP_MAIN_HEADER_SIZE])
{
	uint64_t bitmap_blocks = 2 * l->bitmap_bytes / p->block_size;

	memset(out, 0, KDUMP_MAIN_HEADER_SIZE);
	memcpy(out, "KDUMP   ", 8);
	put_u32(out + 8, KDUMP_HEADER_VERSION);
	for (int i = 0; i < 6; i++)
		memcpy(out + 12 + i * KDUMP_UTS_LEN, p->utsname[i], KDUMP_UTS_LEN);
	put_u64(out + 408, p->crashtime);   /* tv_sec */
	put_u64(out + 416, 0);              /* tv_usec: always 0 (readers.md Q1) */
	put_u32(out + 424, p->status);
	put_u32(out + 428, p->block_size);
	put_u32(out + 432, l->sub_hdr_blocks);
	put_u32(out + 436, (uint32_t)bitmap_blocks);
	put_u32(out + 440, p->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)p->max_mapnr);
	/* total_ram_blocks, device_blocks, written_blocks, current_cpu: 0 */
	put_u32(out + 460, (uint32_t)p->nr_cpus);
}

void kdump_encode_sub_header(const struct kdump_params *p, const struct kdump_layout *l,
			     uint8_t out[KDUMP_SUB_HEADER_SIZE])
{
	uint64_t note_off = p->block_size + KDUMP_SUB_HEADER_SIZE;

	(void)l;
	memset(out, 0, KDUMP_SUB_HEADER_SIZE);
	put_u64(out + 0, p->phys_base);
	put_u32(out + 8, (uint32_t)p->dump_level);
	/* split 0, start_pfn 0, end_pfn 0 */
	if (p->vmcoreinfo_size) {
		put_u64(out + 32, note_off + p->vmcoreinfo_off);
		put_u64(out + 40, p->vmcoreinfo_size);
	}
	if (p->notes_size) {
		put_u64(out + 48, note_off);
		put_u64(out + 56, p->notes_size);
	}
	/* eraseinfo 0/0, start_pfn_64 0, end_pfn_64 0 */
	put_u64(out + 96, p->max_mapnr);
}

static int write_at(struct kdump_writer *w, uint64_t off, const void *buf, size_t len,
		    struct ds_err *err)
{
	return sink_write_at(w->sink, off, buf, len, err);
}

static int write_main_header(struct kdump_writer *w, struct ds_err *err)
{
	uint8_t hdr[KDUMP_MAIN_HEADER_SIZE];

	kdump_encode_main_header(&w->p, &w->l, hdr);
	return write_at(w, 0, hdr, sizeof(hdr), err);
}

static int flush_data(struct kdump_writer *w, struct ds_err *err)
{
	int r = write_at(w, w->data_pos - w->data_len, w->data_buf, w->data_len, err);

	w->data_len = 0;
	return r;
}

static int flush_desc(struct kdump_writer *w, struct ds_err *err)
{
	int r = write_at(w, w->l.desc_off + w->desc_first * DESC_SIZE, w->desc_buf,
			 w->desc_len * DESC_SIZE, err);

	w->desc_first += w->desc_len;
	w->desc_len = 0;
	return r;
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
	w->p = *p;
	kdump_layout_compute(p, keepmap_count_dumped(km), &w->l);
	w->data_buf = malloc(DATA_BUF_SIZE);
	w->desc_buf = malloc(DESC_BUF_ENTRIES * DESC_SIZE);
	if (!w->data_buf || !w->desc_buf) {
		kdump_writer_abort(w);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	w->data_pos = w->l.data_off;

	kdump_encode_sub_header(p, &w->l, sub);
	/* On a file the main header comes last, so a dump cut short never has
	 * a valid signature; on a stream ascending order matters more, and a
	 * cut stream is recognised by its missing end marker. */
	if ((sink->header_first && (r = write_main_header(w, err)) < 0) ||
	    (r = write_at(w, p->block_size, sub, sizeof(sub), err)) < 0 ||
	    (r = write_at(w, p->block_size + sizeof(sub), p->notes, p->notes_size, err)) < 0 ||
	    (r = write_bitmap(w, km, false, w->l.bitmap1_off, err)) < 0 ||
	    (r = write_bitmap(w, km, true, w->l.bitmap2_off, err)) < 0) {
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

static int add_desc(struct kdump_writer *w, uint64_t off, uint32_t size, uint32_t flags,
		    struct ds_err *err)
{
	uint8_t *d;

	if (w->added >= w->l.num_dumpable)
		return ds_err_set(err, DS_EINVAL,
				  "more pages than the %" PRIu64 " planned", w->l.num_dumpable);
	if (w->desc_len == DESC_BUF_ENTRIES) {
		int r = flush_desc(w, err);

		if (r < 0)
			return r;
	}
	d = w->desc_buf + w->desc_len * DESC_SIZE;
	put_u64(d, off);
	put_u32(d + 8, size);
	put_u32(d + 12, flags);
	put_u64(d + 16, 0);
	w->desc_len++;
	w->added++;
	return 0;
}

int kdump_writer_add_zero(struct kdump_writer *w, struct ds_err *err)
{
	if (!w->p.exclude_zero)
		return ds_err_set(err, DS_EINVAL, "zero page shared without dump level 1");
	return add_desc(w, w->zero_desc_off, w->p.block_size, 0, err);
}

int kdump_writer_add_page(struct kdump_writer *w, const void *data, uint32_t size,
			  uint32_t flags, struct ds_err *err)
{
	int r;

	if (size == 0 || size > w->p.block_size || (flags == 0 && size != w->p.block_size) ||
	    (flags != 0 && size == w->p.block_size))
		return ds_err_set(err, DS_EINVAL, "bad page size %u with flags 0x%x", size, flags);
	if (w->data_len + size > DATA_BUF_SIZE && (r = flush_data(w, err)) < 0)
		return r;
	if ((r = add_desc(w, w->data_pos, size, flags, err)) < 0)
		return r;
	memcpy(w->data_buf + w->data_len, data, size);
	w->data_len += size;
	w->data_pos += size;
	return 0;
}

int kdump_writer_finish(struct kdump_writer *w, uint64_t *ret_bytes, struct ds_err *err)
{
	int r;

	if (w->added != w->l.num_dumpable) {
		r = ds_err_set(err, DS_EINVAL, "wrote %" PRIu64 " pages, planned %" PRIu64,
			       w->added, w->l.num_dumpable);
		goto out;
	}
	/* descriptors before the data flush: on a stream, the last record
	 * then ends at the file's end, which is what -R rebuilds */
	if ((r = flush_desc(w, err)) < 0 || (r = flush_data(w, err)) < 0)
		goto out;
	if (!w->sink->header_first && (r = write_main_header(w, err)) < 0)
		goto out;
	if ((r = sink_finish(w->sink, w->data_pos, err)) < 0)
		goto out;
	if (ret_bytes)
		*ret_bytes = w->data_pos;
	r = 0;
out:
	kdump_writer_abort(w);
	return r;
}

void kdump_writer_abort(struct kdump_writer *w)
{
	if (!w)
		return;
	free(w->data_buf);
	free(w->desc_buf);
	free(w);
}

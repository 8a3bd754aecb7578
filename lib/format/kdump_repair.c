/* kdump_repair.c - keep the whole pages of a cut-short kdump-compressed file
 * (see kdump_repair.h).
 *
 * One pass over the 2nd bitmap, in chunks, with the descriptor table read
 * in step: descriptor i belongs to the ith set bit.  A page is kept when its
 * 1st-bitmap bit is set too, its descriptor arrived and is well formed
 * (offset past the table, size 1..block size, raw pages a whole block,
 * a known codec flag) and its data arrived.  Kept descriptors are written
 * to position `kept` (never past the one being read, so reading ahead of the
 * writes is safe); bitmap and table chunks that did not change are not
 * written back.
 */
#include "kdump_repair.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdump_write.h"
#include "../common/machine.h"

#define BITMAP_CHUNK (1u << 20)          /* bytes of bitmap per step: 8 Mi pfns */
#define DESC_SIZE 24u
#define DESC_CHUNK 65536u                /* descriptors per read */

struct repair {
	const struct kdump_repair_io *io;
	struct machine m;                /* the dumped machine: byte order, layout */
	const struct kdump_offsets *off;
	uint32_t block;
	uint64_t max_mapnr, bitmap_bytes, bitmap1_off, bitmap2_off, desc_off;
	uint64_t planned;                /* set bits in the 2nd bitmap before */
	uint8_t *in, *out;               /* descriptor windows: read / to write */
	uint64_t in_first, in_count;     /* descriptors [in_first, +in_count) in `in` */
	uint64_t out_first, out_count;   /* pending writes: positions [out_first, +out_count) */
	bool out_moved;                  /* a pending entry differs from what is on disk */
};

static bool have(const struct repair *rp, uint64_t off, uint64_t len)
{
	const struct kdump_repair_io *io = rp->io;

	if (off > io->size || len > io->size - off)
		return false;
	return !io->have || io->have(io->have_arg, off, len);
}

static int read_at(const struct repair *rp, uint64_t off, void *buf, size_t len,
		   struct ds_err *err)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(rp->io->fd, p, len, (off_t)off);

		if (n < 0)
			return ds_err_sys(err, "cannot read '%s' at offset 0x%" PRIx64,
					  rp->io->name, off);
		if (n == 0) {            /* past the end: what was never written reads as 0 */
			memset(p, 0, len);
			return 0;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_at(const struct repair *rp, uint64_t off, const void *buf, size_t len,
		    struct ds_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(rp->io->fd, p, len, (off_t)off);

		if (n <= 0)
			return ds_err_sys(err, "cannot repair '%s' at offset 0x%" PRIx64,
					  rp->io->name, off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* The main header's layout, checked before anything is read by it. */
static int read_layout(struct repair *rp, uint8_t hdr[KDUMP_MAIN_HEADER_SIZE],
		       struct ds_err *err)
{
	const struct kdump_repair_io *io = rp->io;
	uint32_t version, sub_blocks, bitmap_blocks;
	int r;

	if (!have(rp, 0, KDUMP_MAIN_HEADER_MIN))
		return ds_err_set(err, DS_ENODATA, "'%s' has no kdump-compressed main header",
				  io->name);
	if ((r = read_at(rp, 0, hdr, KDUMP_MAIN_HEADER_SIZE, err)) < 0)
		return r;
	if (memcmp(hdr, "KDUMP   ", 8))
		return ds_err_set(err, DS_ENODATA, "'%s' is not a kdump-compressed file "
				  "(no \"KDUMP   \" signature at offset 0)", io->name);
	/* the machine it was written for: byte order and C layout */
	(void)kdump_header_machine(hdr, &rp->m);
	rp->off = kdump_offsets_of(&rp->m);
	if (!have(rp, 0, rp->off->hdr_size))
		return ds_err_set(err, DS_ENODATA, "'%s' has no kdump-compressed main header",
				  io->name);
	version = machine_get_u32(&rp->m, hdr + 8);
	rp->block = machine_get_u32(&rp->m, hdr + rp->off->status + 4);
	sub_blocks = machine_get_u32(&rp->m, hdr + rp->off->status + 8);
	bitmap_blocks = machine_get_u32(&rp->m, hdr + rp->off->status + 12);
	if (rp->block < 4096 || rp->block > (1u << 20) || (rp->block & (rp->block - 1)))
		return ds_err_set(err, DS_ECORRUPT, "'%s': bad block_size %u at offset 0x%x",
				  io->name, rp->block, rp->off->status + 4);
	if (version > 1000 || !sub_blocks || sub_blocks > 1024 ||
	    !bitmap_blocks || bitmap_blocks % 2)
		return ds_err_set(err, DS_ECORRUPT, "'%s': bad header_version %u, sub_hdr_size %u "
				  "or bitmap_blocks %u", io->name, version, sub_blocks,
				  bitmap_blocks);
	rp->max_mapnr = machine_get_u32(&rp->m, hdr + rp->off->status + 16);
	if (version >= 6) {
		uint8_t v[8];

		if (!have(rp, rp->block + rp->off->pfn64 + 16, 8))
			return ds_err_set(err, DS_ENODATA,
					  "'%s': the sub header (max_mapnr_64) is missing", io->name);
		if ((r = read_at(rp, rp->block + rp->off->pfn64 + 16, v, 8, err)) < 0)
			return r;
		rp->max_mapnr = machine_get_u64(&rp->m, v);
	}
	rp->bitmap_bytes = (uint64_t)bitmap_blocks / 2 * rp->block;
	if (rp->max_mapnr > rp->bitmap_bytes * 8)
		return ds_err_set(err, DS_ECORRUPT, "'%s': max_mapnr 0x%" PRIx64 " needs more "
				  "than the %u bitmap blocks", io->name, rp->max_mapnr,
				  bitmap_blocks);
	rp->bitmap1_off = (1 + (uint64_t)sub_blocks) * rp->block;
	rp->bitmap2_off = rp->bitmap1_off + rp->bitmap_bytes;
	rp->desc_off = rp->bitmap2_off + rp->bitmap_bytes;
	return 0;
}

/* Write the pending kept descriptors (only if one moved or changed). */
static int flush_out(struct repair *rp, struct ds_err *err)
{
	int r = 0;

	if (rp->out_count && rp->out_moved)
		r = write_at(rp, rp->desc_off + rp->out_first * DESC_SIZE, rp->out,
			     rp->out_count * DESC_SIZE, err);
	rp->out_first += rp->out_count;
	rp->out_count = 0;
	rp->out_moved = false;
	return r;
}

/* Descriptor i (i >= the last one asked for): a pointer into `in`. */
static int desc_at(struct repair *rp, uint64_t i, const uint8_t **ret, struct ds_err *err)
{
	if (i >= rp->in_first + rp->in_count) {
		uint64_t n = rp->planned - i < DESC_CHUNK ? rp->planned - i : DESC_CHUNK;
		int r;

		/* Writes go to positions <= i, reads start at i: flushing first
		 * keeps the two apart. */
		if ((r = flush_out(rp, err)) < 0)
			return r;
		if ((r = read_at(rp, rp->desc_off + i * DESC_SIZE, rp->in, n * DESC_SIZE, err)) < 0)
			return r;
		rp->in_first = i;
		rp->in_count = n;
	}
	*ret = rp->in + (i - rp->in_first) * DESC_SIZE;
	return 0;
}

static bool desc_whole(const struct repair *rp, uint64_t i, const uint8_t *d)
{
	uint64_t off = machine_get_u64(&rp->m, d), data_start = rp->desc_off + rp->planned * DESC_SIZE;
	uint32_t size = machine_get_u32(&rp->m, d + 8), flags = machine_get_u32(&rp->m, d + 12);

	if (!have(rp, rp->desc_off + i * DESC_SIZE, DESC_SIZE))
		return false;
	if (off < data_start || size == 0 || size > rp->block)
		return false;
	if (flags == 0 ? size != rp->block
		       : (size == rp->block || (flags != 0x1 && flags != 0x2 &&
						flags != 0x4 && flags != 0x20)))
		return false;
	return have(rp, off, size);
}

static int keep_desc(struct repair *rp, uint64_t i, const uint8_t *d, uint64_t kept,
		     struct ds_err *err)
{
	int r;

	if (rp->out_count == DESC_CHUNK && (r = flush_out(rp, err)) < 0)
		return r;
	if (!rp->out_count)
		rp->out_first = kept;
	memcpy(rp->out + rp->out_count * DESC_SIZE, d, DESC_SIZE);
	rp->out_count++;
	if (kept != i)
		rp->out_moved = true;
	return 0;
}

/* The bytes of each bitmap that the file holds.  Past the end of the file a
 * bitmap reads as zeros (never written: no page), so the passes over it
 * stop there: what they cost follows the file, not a header's claim (a
 * header may claim bitmaps of up to 2^51 bytes, whose zeros took seconds to
 * minutes to count; found by the fuzz campaign). */
static uint64_t bitmap_in_file(const struct repair *rp)
{
	uint64_t size = rp->io->size;

	if (size <= rp->bitmap2_off)
		return 0;
	return size - rp->bitmap2_off < rp->bitmap_bytes ? size - rp->bitmap2_off
							 : rp->bitmap_bytes;
}

static uint64_t count_bits(const uint8_t *p, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (uint64_t)__builtin_popcount(p[i]);
	return c;
}

int kdump_repair(const struct kdump_repair_io *io, struct kdump_repair_stats *st,
		 struct ds_err *err)
{
	struct repair rp = { .io = io };
	uint8_t hdr[KDUMP_MAIN_HEADER_SIZE];
	uint8_t *bm1 = NULL, *bm2 = NULL;
	uint64_t kept = 0, i = 0, scan_bytes;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = read_layout(&rp, hdr, err)) < 0)
		return r;
	st->max_mapnr = rp.max_mapnr;
	st->block_size = rp.block;

	bm1 = malloc(BITMAP_CHUNK);
	bm2 = malloc(BITMAP_CHUNK);
	rp.in = malloc(DESC_CHUNK * DESC_SIZE);
	rp.out = malloc(DESC_CHUNK * DESC_SIZE);
	if (!bm1 || !bm2 || !rp.in || !rp.out) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	/* the number of descriptors the table was made for: where data starts */
	scan_bytes = bitmap_in_file(&rp);
	for (uint64_t pos = 0; pos < scan_bytes; pos += BITMAP_CHUNK) {
		size_t n = scan_bytes - pos < BITMAP_CHUNK ? scan_bytes - pos : BITMAP_CHUNK;

		if ((r = read_at(&rp, rp.bitmap2_off + pos, bm2, n, err)) < 0)
			goto out;
		rp.planned += count_bits(bm2, n);
		st->bitmap_read += n;
	}
	st->planned = rp.planned;

	/* the header says incomplete before anything else changes */
	machine_put_u32(&rp.m, hdr + rp.off->status,
			machine_get_u32(&rp.m, hdr + rp.off->status) | KDUMP_STATUS_INCOMPLETE);
	if (io->mark_incomplete &&
	    (r = write_at(&rp, rp.off->status, hdr + rp.off->status, 4, err)) < 0)
		goto out;

	for (uint64_t pos = 0; pos < scan_bytes; pos += BITMAP_CHUNK) {
		size_t n = scan_bytes - pos < BITMAP_CHUNK ? scan_bytes - pos : BITMAP_CHUNK;
		bool changed = false;

		if ((r = read_at(&rp, rp.bitmap1_off + pos, bm1, n, err)) < 0 ||
		    (r = read_at(&rp, rp.bitmap2_off + pos, bm2, n, err)) < 0)
			goto out;
		st->bitmap_read += n;
		for (size_t b = 0; b < n; b++) {
			if (!bm2[b])
				continue;
			for (unsigned bit = 0; bit < 8; bit++) {
				uint8_t mask = (uint8_t)(1u << bit);
				uint64_t pfn = (pos + b) * 8 + bit;
				const uint8_t *d;

				if (!(bm2[b] & mask))
					continue;
				if ((r = desc_at(&rp, i, &d, err)) < 0)
					goto out;
				if (pfn < rp.max_mapnr && (bm1[b] & mask) && desc_whole(&rp, i, d)) {
					if ((r = keep_desc(&rp, i, d, kept, err)) < 0)
						goto out;
					kept++;
				} else {
					bm2[b] &= (uint8_t)~mask;
					changed = true;
				}
				i++;
			}
		}
		if (changed && (r = write_at(&rp, rp.bitmap2_off + pos, bm2, n, err)) < 0)
			goto out;
	}
	if ((r = flush_out(&rp, err)) < 0)
		goto out;
	/* a file that stopped before its bitmaps still has them (holes: no
	 * page), so that readers find the layout the header describes */
	if (io->size < rp.desc_off && ftruncate(io->fd, (off_t)rp.desc_off) < 0) {
		r = ds_err_sys(err, "cannot extend '%s' to its bitmaps' end", io->name);
		goto out;
	}
	if (fsync(io->fd) < 0) {
		r = ds_err_sys(err, "cannot flush '%s' to disk", io->name);
		goto out;
	}
	st->kept = kept;
	r = 0;
out:
	free(bm1);
	free(bm2);
	free(rp.in);
	free(rp.out);
	return r;
}

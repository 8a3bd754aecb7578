/* kdump.c - the kdump-compressed input member (input.h): a dump written by
 * makedumpfile or dumpsieve (any codec, header versions 1 to 6, split
 * files, -e dumps, incomplete dumps) read as the crashed machine's memory,
 * so that it can be filtered again, split, joined or turned into ELF.
 *
 * Layout facts: docs/formats.md and docs/input-formats.md.  The file is
 * untrusted: every header field is checked against the file and against the
 * others before use, and every error names the file, the field and its
 * offset.  What is checked when:
 *   open       signature, version, block size, the sub header, notes and
 *              VMCOREINFO inside the file, both bitmaps inside the file, the
 *              descriptor table the 2nd bitmap implies inside the file (the
 *              bitmap is read once: it also builds the rank index below)
 *   map_pages  present = 1st bitmap; data = 2nd bitmap (and, for a split
 *              file, its pfn range; for an incomplete dump, descriptors that
 *              point at data really written)
 *   read       each descriptor: offset, size, flags, data inside the file
 *
 * Finding a page: the descriptor of pfn p is entry popcount(2nd bitmap
 * [base, p)) of the table, base = the split file's start pfn or 0.  A rank
 * index holds that count at every RANK_PFNS boundary (8 bytes per 16 MiB of
 * 4 KiB pages), so a lookup reads at most RANK_PFNS/8 bytes of bitmap.
 *
 * Reads of physical memory (page tables, struct pages) decompress whole
 * pages into a small cache; the copy reads each page once, raw pages
 * straight from the mapping.
 */
#include "input.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../compress/codec.h"
#include "../format/kdump_header.h"

#define KDUMP_SIG "KDUMP   "
#define DESC_SIZE 24u
#define STATUS_INCOMPLETE 0x08u
#define STATUS_EXCLUDED_VMEMMAP 0x10u
#define MAX_NOTES (64u << 20)
#define RANK_PFNS 4096u                  /* pfns per rank entry: 512 bitmap bytes */
#define CACHE_PAGES 64u                  /* read_phys page cache (direct mapped) */
#define SCAN_CHUNK (1u << 20)            /* bitmap bytes read at a time */

struct kdump_input {
	struct machine m;                    /* the dumped machine: byte order, word */
	const struct kdump_offsets *o;       /* its header layout (LP64 or i386) */
	uint32_t bs;
	unsigned shift;
	uint32_t version, status;
	uint64_t max_mapnr;
	uint64_t bitmap_bytes, bitmap1_off, bitmap2_off;
	uint64_t desc_off, n_desc;           /* this file's table */
	uint64_t data_start;                 /* the least offset page data may have */
	bool split;
	uint64_t start_pfn, end_pfn;         /* pfns this file holds pages of */
	uint64_t *rank;                      /* 2nd-bitmap bits below i * RANK_PFNS */
	uint64_t rank_base;                  /* bits below start_pfn */

	uint8_t *notes;                      /* owned */
	uint8_t *zbuf;                       /* one compressed page */

	uint64_t block_of;                   /* 1 + the rank block block_bits holds */
	uint8_t block_bits[RANK_PFNS / 8];
	uint64_t last_pfn, last_rank;        /* rank_of's last answer, in that block */

	uint8_t *cache;                      /* CACHE_PAGES pages */
	uint64_t cache_pfn[CACHE_PAGES];     /* UINT64_MAX: empty */
};

/* Integers in the dumped machine's byte order (kdump_header.h) */
static uint32_t get32(const struct kdump_input *d, const uint8_t *p)
{
	return bytes_get_u32(d->m.big_endian, p);
}

static uint64_t get64(const struct kdump_input *d, const uint8_t *p)
{
	return bytes_get_u64(d->m.big_endian, p);
}

/* an unsigned long of the dumped machine */
static uint64_t getlong(const struct kdump_input *d, const uint8_t *p)
{
	return bytes_get_uint(d->m.big_endian, p, d->o->long_size);
}

static bool kdump_probe(const uint8_t *head, size_t len)
{
	return len >= 8 && !memcmp(head, KDUMP_SIG, 8);
}

static void kdump_close(struct input *in)
{
	struct kdump_input *d = in->priv;

	free(d->rank);
	free(d->notes);
	free(d->zbuf);
	free(d->cache);
	free(d);
	in->priv = NULL;
}

/* "'path': what (field at offset 0x..)" */
#define BAD(in, field, off, fmt, ...) \
	ds_err_set(err, DS_ECORRUPT, "'%s': kdump-compressed %s at offset 0x%" PRIx64 \
		   " " fmt, (in)->path, field, (uint64_t)(off), __VA_ARGS__)

static int read_main_header(struct input *in, struct kdump_input *d, struct ds_err *err)
{
	uint8_t h[KDUMP_MAIN_HEADER_SIZE];
	uint32_t sub_blocks, bitmap_blocks, st;
	int r;

	if (in->src.size < KDUMP_MAIN_HEADER_MIN)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is truncated: %" PRIu64 " bytes, the kdump-compressed header needs %u",
				  in->path, in->src.size, KDUMP_MAIN_HEADER_MIN);
	memset(h, 0, sizeof(h));
	if ((r = source_read(&in->src, 0, h,
			     in->src.size < sizeof(h) ? (size_t)in->src.size : sizeof(h), err)) < 0)
		return r;
	/* the machine it describes: byte order from header_version, the
	 * layout (LP64 or i386) from utsname.machine */
	if (!kdump_header_machine(h, &d->m))
		return BAD(in, "header_version", 8, "is 0x%08x in either byte order (makedumpfile writes 1 to 6)",
			   bytes_get_le32(h + 8));
	d->o = kdump_offsets_of(&d->m);
	in->big_endian = d->m.big_endian;
	d->version = get32(d, h + 8);
	if (d->version < 1 || d->version > 1000)
		return BAD(in, "header_version", 8, "is %u (makedumpfile writes 1 to 6)", d->version);
	if (in->src.size < d->o->hdr_size)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is truncated: %" PRIu64 " bytes, the kdump-compressed header needs %u",
				  in->path, in->src.size, d->o->hdr_size);
	for (int i = 0; i < 6; i++)
		if (!memchr(h + 12 + 65 * i, 0, 65))
			return BAD(in, "utsname field", 12 + 65 * i, "has no terminating NUL%s", "");
	memcpy(in->utsname, h + 12, sizeof(in->utsname));
	memcpy(in->machine, in->utsname[4], sizeof(in->machine));
	in->has_utsname = true;
	in->is_dump = true;
	st = d->o->status;           /* status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr */
	d->status = get32(d, h + st);
	d->bs = get32(d, h + st + 4);
	if (d->bs < 1024 || d->bs > (1u << 20) || (d->bs & (d->bs - 1)))
		return BAD(in, "block_size", st + 4, "is %u, not a page size", d->bs);
	d->shift = (unsigned)__builtin_ctz(d->bs);
	sub_blocks = get32(d, h + st + 8);
	bitmap_blocks = get32(d, h + st + 12);
	d->max_mapnr = get32(d, h + st + 16);
	in->nr_cpus = get32(d, h + st + 36);
	in->page_size = d->bs;
	if (sub_blocks == 0)
		return BAD(in, "sub_hdr_size", st + 8, "is 0%s", "");
	if (bitmap_blocks == 0 || bitmap_blocks % 2)
		return BAD(in, "bitmap_blocks", st + 12, "is %u (two bitmaps of whole blocks)", bitmap_blocks);
	d->bitmap_bytes = (uint64_t)bitmap_blocks / 2 * d->bs;
	d->bitmap1_off = (1 + (uint64_t)sub_blocks) * d->bs;
	d->bitmap2_off = d->bitmap1_off + d->bitmap_bytes;
	d->desc_off = d->bitmap2_off + d->bitmap_bytes;
	if (d->desc_off > in->src.size)
		return BAD(in, "bitmap_blocks", st + 12,
			   "(%u blocks after %u header blocks of %u bytes) puts the bitmaps past the end of the file (0x%" PRIx64 " bytes)",
			   bitmap_blocks, sub_blocks + 1, d->bs, in->src.size);
	return 0;
}

/* Notes: the copied ELF note segment (version 4+), else a VMCOREINFO note
 * made from the text the sub header points at (version 3). */
static int read_notes(struct input *in, struct kdump_input *d, const uint8_t *sub,
		      struct ds_err *err)
{
	uint64_t sub_off = d->bs;
	const struct kdump_offsets *o = d->o;
	uint64_t vi_off = d->version >= 3 ? get64(d, sub + o->vmcoreinfo) : 0;
	uint64_t vi_size = d->version >= 3 ? getlong(d, sub + o->vmcoreinfo + 8) : 0;
	uint64_t note_off = d->version >= 4 ? get64(d, sub + o->note) : 0;
	uint64_t note_size = d->version >= 4 ? getlong(d, sub + o->note + 8) : 0;
	int r;

	if (note_size) {
		if (note_size > MAX_NOTES || note_off > in->src.size ||
		    note_size > in->src.size - note_off)
			return BAD(in, "offset_note/size_note", sub_off + o->note,
				   "(0x%" PRIx64 "/0x%" PRIx64 ") lie past the end of the file (0x%" PRIx64 ")",
				   note_off, note_size, in->src.size);
		if (!(d->notes = malloc(note_size)))
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		if ((r = source_read(&in->src, note_off, d->notes, note_size, err)) < 0)
			return r;
		in->notes = d->notes;
		in->notes_size = note_size;
		if (vi_size) {
			if (vi_off < note_off || vi_off - note_off > note_size ||
			    vi_size > note_size - (vi_off - note_off))
				return BAD(in, "offset_vmcoreinfo/size_vmcoreinfo", sub_off + o->vmcoreinfo,
					   "(0x%" PRIx64 "/0x%" PRIx64 ") lie outside the notes (0x%" PRIx64 "/0x%" PRIx64 ")",
					   vi_off, vi_size, note_off, note_size);
			in->vmcoreinfo_off = vi_off - note_off;
			in->vmcoreinfo_size = vi_size;
		}
		return 0;
	}
	if (!vi_size)
		return 0;
	if (vi_size > MAX_NOTES || vi_off > in->src.size || vi_size > in->src.size - vi_off)
		return BAD(in, "offset_vmcoreinfo/size_vmcoreinfo", sub_off + o->vmcoreinfo,
			   "(0x%" PRIx64 "/0x%" PRIx64 ") lie past the end of the file (0x%" PRIx64 ")",
			   vi_off, vi_size, in->src.size);
	/* an ELF note: namesz, descsz, type 0, "VMCOREINFO\0" padded to 12 */
	uint64_t total = 12 + 12 + ((vi_size + 3) & ~3ull);

	if (!(d->notes = calloc(1, total)))
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	/* in the machine's byte order, as the notes of its ELF vmcore */
	bytes_put_u32(d->m.big_endian, d->notes, 11);
	bytes_put_u32(d->m.big_endian, d->notes + 4, (uint32_t)vi_size);
	memcpy(d->notes + 12, "VMCOREINFO", 10);
	if ((r = source_read(&in->src, vi_off, d->notes + 24, vi_size, err)) < 0)
		return r;
	in->notes = d->notes;
	in->notes_size = total;
	in->vmcoreinfo_off = 24;
	in->vmcoreinfo_size = vi_size;
	return 0;
}

static int read_sub_header(struct input *in, struct kdump_input *d, struct ds_err *err)
{
	const struct kdump_offsets *o = d->o;
	uint8_t sub[KDUMP_SUB_HEADER_SIZE];
	uint64_t sub_off = d->bs;
	int r;

	memset(sub, 0, sizeof(sub));
	if ((r = source_read(&in->src, sub_off, sub, o->sub_size, err)) < 0)
		return r;
	in->has_phys_base = true;
	in->phys_base = getlong(d, sub);
	in->dump_level = get32(d, sub + o->dump_level);
	if (in->dump_level > 31)
		return BAD(in, "dump_level", sub_off + o->dump_level, "is %u (0 to 31)", in->dump_level);
	d->start_pfn = 0;
	d->end_pfn = UINT64_MAX;
	if (d->version >= 2 && get32(d, sub + o->dump_level + 4)) {    /* split */
		d->split = true;
		d->start_pfn = getlong(d, sub + o->start_pfn);
		d->end_pfn = getlong(d, sub + o->start_pfn + o->long_size);
		if (d->version >= 6) {
			d->start_pfn = get64(d, sub + o->pfn64);
			d->end_pfn = get64(d, sub + o->pfn64 + 8);
		}
	}
	if (d->version >= 6 && get64(d, sub + o->pfn64 + 16))
		d->max_mapnr = get64(d, sub + o->pfn64 + 16);
	if (d->max_mapnr > d->bitmap_bytes * 8)
		return BAD(in, d->version >= 6 ? "max_mapnr_64" : "max_mapnr",
			   d->version >= 6 ? sub_off + o->pfn64 + 16 : o->status + 16u,
			   "(0x%" PRIx64 ") needs more than the bitmaps' 0x%" PRIx64 " bits",
			   d->max_mapnr, d->bitmap_bytes * 8);
	if (d->split) {
		if (d->end_pfn > d->max_mapnr)
			d->end_pfn = d->max_mapnr;   /* makedumpfile's last file: end = max_mapnr */
		/* an empty range is a file of no pages (the last of a split of
		 * memory smaller than the split blocks) */
		if (d->start_pfn > d->end_pfn)
			return BAD(in, "split start_pfn/end_pfn",
				   sub_off + (d->version >= 6 ? o->pfn64 : o->start_pfn),
				   "(0x%" PRIx64 "/0x%" PRIx64 ") is a reversed range", d->start_pfn,
				   d->end_pfn);
	} else {
		d->end_pfn = d->max_mapnr;
	}
	in->split = d->split;
	in->split_start = d->start_pfn;
	in->split_end = d->end_pfn;
	in->incomplete = d->status & STATUS_INCOMPLETE;
	in->excluded_vmemmap = d->status & STATUS_EXCLUDED_VMEMMAP;
	in->codec_flag = d->status & (KDUMP_FLAG_ZLIB | KDUMP_FLAG_LZO | KDUMP_FLAG_SNAPPY |
				      KDUMP_FLAG_ZSTD);
	return read_notes(in, d, sub, err);
}

/* One pass over the 2nd bitmap: the rank index, this file's descriptor
 * count, and the check that the table fits in the file. */
static int build_rank(struct input *in, struct kdump_input *d, struct ds_err *err)
{
	uint64_t nblocks = (d->max_mapnr + RANK_PFNS - 1) / RANK_PFNS + 1;
	uint64_t bytes = (d->max_mapnr + 7) / 8;
	uint64_t count = 0, in_range = 0;
	uint8_t *buf;
	int r = 0;

	d->rank = calloc(nblocks, sizeof(*d->rank));
	buf = malloc(SCAN_CHUNK);
	if (!d->rank || !buf) {
		free(buf);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	for (uint64_t pos = 0; pos < bytes && r == 0; pos += SCAN_CHUNK) {
		size_t n = bytes - pos < SCAN_CHUNK ? (size_t)(bytes - pos) : SCAN_CHUNK;

		if ((r = source_read(&in->src, d->bitmap2_off + pos, buf, n, err)) < 0)
			break;
		if (pos + n == bytes && d->max_mapnr % 8)  /* bits past max_mapnr do not count */
			buf[n - 1] &= (uint8_t)((1u << (d->max_mapnr % 8)) - 1);
		for (size_t i = 0; i < n; i++) {
			uint64_t byte = pos + i;
			unsigned bits = (unsigned)__builtin_popcount(buf[i]);

			if (byte % (RANK_PFNS / 8) == 0)
				d->rank[byte / (RANK_PFNS / 8)] = count;
			if (byte * 8 >= d->start_pfn && byte * 8 + 8 <= d->end_pfn) {
				in_range += bits;
			} else if (bits) {
				for (unsigned b = 0; b < 8; b++)
					if ((buf[i] >> b) & 1 && byte * 8 + b >= d->start_pfn &&
					    byte * 8 + b < d->end_pfn)
						in_range++;
			}
			count += bits;
		}
	}
	free(buf);
	if (r < 0)
		return r;
	d->rank[(d->max_mapnr + RANK_PFNS - 1) / RANK_PFNS] = count;
	d->n_desc = in_range;
	d->data_start = d->desc_off + DESC_SIZE * d->n_desc;
	if (d->n_desc > (in->src.size - d->desc_off) / DESC_SIZE && !in->incomplete)
		return BAD(in, "descriptor table", d->desc_off,
			   "is short: the 2nd bitmap sets %" PRIu64 " bits, the file ends at 0x%" PRIx64
			   " (room for %" PRIu64 " descriptors)",
			   d->n_desc, in->src.size, (in->src.size - d->desc_off) / DESC_SIZE);
	return 0;
}

/* Set bits of block_bits in bit positions [from, to) of the block. */
static uint64_t count_bits(const uint8_t *bits, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	while (from < to && from % 8) {
		n += (bits[from / 8] >> (from % 8)) & 1;
		from++;
	}
	for (; from + 8 <= to; from += 8)
		n += (unsigned)__builtin_popcount(bits[from / 8]);
	for (; from < to; from++)
		n += (bits[from / 8] >> (from % 8)) & 1;
	return n;
}

/* Bits of the 2nd bitmap set in [0, pfn).  Lookups in ascending order (the
 * copy, the scan) go on from the previous one. */
static int rank_of(struct input *in, struct kdump_input *d, uint64_t pfn, uint64_t *ret,
		   struct ds_err *err)
{
	uint64_t block = pfn / RANK_PFNS;
	int r;

	if (d->block_of != block + 1) {
		uint64_t off = block * (RANK_PFNS / 8);
		uint64_t len = d->bitmap_bytes - off < RANK_PFNS / 8 ? d->bitmap_bytes - off
								     : RANK_PFNS / 8;

		memset(d->block_bits, 0, sizeof(d->block_bits));
		if ((r = source_read(&in->src, d->bitmap2_off + off, d->block_bits, len, err)) < 0)
			return r;
		d->block_of = block + 1;
		d->last_pfn = block * RANK_PFNS;
		d->last_rank = d->rank[block];
	}
	if (pfn < d->last_pfn) {
		d->last_pfn = block * RANK_PFNS;
		d->last_rank = d->rank[block];
	}
	d->last_rank += count_bits(d->block_bits, d->last_pfn % RANK_PFNS, pfn % RANK_PFNS);
	d->last_pfn = pfn;
	*ret = d->last_rank;
	return 0;
}

static bool bit_set(struct kdump_input *d, uint64_t pfn)
{
	return (d->block_bits[(pfn % RANK_PFNS) / 8] >> (pfn % 8)) & 1;
}

struct desc {
	uint64_t offset;
	uint32_t size, flags;
	uint64_t at;                         /* the descriptor's own file offset */
};

/* The descriptor of pfn; returns 1 when the file holds none for it (bit
 * clear, outside a split file's range, or lost in an incomplete dump). */
static int find_desc(struct input *in, struct kdump_input *d, uint64_t pfn, struct desc *ds,
		     struct ds_err *err)
{
	uint64_t idx;
	uint8_t raw[DESC_SIZE];
	int r;

	if (pfn >= d->max_mapnr || pfn < d->start_pfn || pfn >= d->end_pfn)
		return 1;
	if ((r = rank_of(in, d, pfn, &idx, err)) < 0)
		return r;
	if (!bit_set(d, pfn))
		return 1;
	if (d->split)
		idx -= d->rank_base;
	ds->at = d->desc_off + idx * DESC_SIZE;
	if (ds->at + DESC_SIZE > in->src.size) {
		if (in->incomplete)
			return 1;
		return BAD(in, "page descriptor", ds->at,
			   "of pfn 0x%" PRIx64 " lies past the end of the file (0x%" PRIx64 ")",
			   pfn, in->src.size);
	}
	if ((r = source_read(&in->src, ds->at, raw, sizeof(raw), err)) < 0)
		return r;
	ds->offset = get64(d, raw);
	ds->size = get32(d, raw + 8);
	ds->flags = get32(d, raw + 12);
	if (ds->offset == 0 && (in->incomplete || ds->size == 0))
		return 1;                /* a page lost when the dump was cut short */
	if (ds->offset < d->data_start || ds->offset > in->src.size ||
	    ds->size > in->src.size - ds->offset) {
		if (in->incomplete && ds->offset >= d->data_start)
			return 1;        /* its data never reached the file */
		return BAD(in, "page descriptor", ds->at,
			   "of pfn 0x%" PRIx64 ": data at 0x%" PRIx64 " size 0x%x lies outside the page data (0x%" PRIx64 "-0x%" PRIx64 ")",
			   pfn, ds->offset, ds->size, d->data_start, in->src.size);
	}
	if (ds->size == 0 || ds->size > d->bs || (ds->flags == 0 && ds->size != d->bs))
		return BAD(in, "page descriptor", ds->at,
			   "of pfn 0x%" PRIx64 ": size 0x%x with flags 0x%x for %u-byte pages",
			   pfn, ds->size, ds->flags, d->bs);
	return 0;
}

/* The page of pfn into buf (or *ret pointing into the mapping when it is
 * stored raw).  1: the file holds no data for it. */
static int load_page(struct input *in, struct kdump_input *d, uint64_t pfn, uint8_t *buf,
		     const uint8_t **ret, struct ds_err *err)
{
	struct desc ds = { 0 };  /* gcc -O3 cannot see that find_desc fills it whenever it returns 0 */
	const struct codec_ops *c;
	int r = find_desc(in, d, pfn, &ds, err);

	if (r != 0)
		return r;
	*ret = buf;
	if (ds.flags == 0) {
		const void *p = source_peek(&in->src, ds.offset, d->bs);

		if (p) {
			*ret = p;
			return 0;
		}
		return source_read(&in->src, ds.offset, buf, d->bs, err);
	}
	c = codec_find_by_flag(ds.flags);
	if (!c || c->id == CODEC_NONE) {
		if (ds.flags & ~(KDUMP_FLAG_ZLIB | KDUMP_FLAG_LZO | KDUMP_FLAG_SNAPPY | KDUMP_FLAG_ZSTD) ||
		    __builtin_popcount(ds.flags) != 1)
			return BAD(in, "page descriptor", ds.at,
				   "of pfn 0x%" PRIx64 ": unknown compression flags 0x%x", pfn, ds.flags);
		return ds_err_set(err, DS_EUNSUPP,
				  "'%s': pfn 0x%" PRIx64 " is compressed with %s, which this dumpsieve was built without",
				  in->path, pfn,
				  ds.flags == KDUMP_FLAG_ZLIB ? "zlib" : ds.flags == KDUMP_FLAG_LZO ? "lzo" :
				  ds.flags == KDUMP_FLAG_SNAPPY ? "snappy" : "zstd");
	}
	if ((r = source_read(&in->src, ds.offset, d->zbuf, ds.size, err)) < 0)
		return r;
	if ((r = c->decompress(d->zbuf, ds.size, buf, d->bs, err)) < 0)
		return ds_err_wrap(err, "'%s': page of pfn 0x%" PRIx64 " (descriptor at offset 0x%" PRIx64
				   ", data at 0x%" PRIx64 ")", in->path, pfn, ds.at, ds.offset);
	return 0;
}

static int kdump_open(struct input *in, struct ds_err *err)
{
	struct kdump_input *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	in->priv = d;
	if ((r = read_main_header(in, d, err)) < 0 || (r = read_sub_header(in, d, err)) < 0 ||
	    (r = build_rank(in, d, err)) < 0)
		return r;
	if (d->split) {
		uint64_t base;

		if ((r = rank_of(in, d, d->start_pfn, &base, err)) < 0)
			return r;
		d->rank_base = base;
	}
	d->zbuf = malloc(d->bs);
	d->cache = malloc((size_t)CACHE_PAGES * d->bs);
	if (!d->zbuf || !d->cache)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (unsigned i = 0; i < CACHE_PAGES; i++)
		d->cache_pfn[i] = UINT64_MAX;
	return 0;
}

static uint64_t kdump_max_pfn(const struct input *in, unsigned shift)
{
	const struct kdump_input *d = in->priv;

	(void)shift;                 /* kernel_init checked it is the block size's */
	return d->max_mapnr;
}

/* Apply one bitmap to pfns [lo, hi) of the keep-map, a chunk at a time:
 * runs of set bits become present (first == true); runs of clear bits of
 * the 2nd bitmap lose their data bit. */
static int apply_bitmap(struct input *in, uint64_t off, bool first, struct keepmap *km,
			uint64_t lo, uint64_t hi, struct ds_err *err)
{
	uint64_t run = UINT64_MAX;           /* start of the current run */
	uint8_t *buf = malloc(SCAN_CHUNK);
	int r = 0;

	if (!buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (uint64_t pos = lo / 8; pos < (hi + 7) / 8 && r == 0; pos += SCAN_CHUNK) {
		size_t n = (hi + 7) / 8 - pos < SCAN_CHUNK ? (size_t)((hi + 7) / 8 - pos) : SCAN_CHUNK;

		if ((r = source_read(&in->src, off + pos, buf, n, err)) < 0)
			break;
		for (size_t i = 0; i < n && r == 0; i++) {
			uint8_t v = buf[i];
			uint64_t pfn0 = (pos + i) * 8;

			/* a whole byte that continues the current state */
			if (pfn0 >= lo && pfn0 + 8 <= hi && (v == 0xff || v == 0) &&
			    (run != UINT64_MAX) == ((v == 0xff) == first))
				continue;
			for (unsigned b = 0; b < 8 && r == 0; b++) {
				uint64_t pfn = pfn0 + b;
				bool want = (((v >> b) & 1) != 0) == first;

				if (pfn < lo || pfn >= hi)
					continue;
				if (want && run == UINT64_MAX) {
					run = pfn;
				} else if (!want && run != UINT64_MAX) {
					r = first ? keepmap_add_present(km, run, pfn)
						  : keepmap_exclude(km, run, pfn);
					run = UINT64_MAX;
				}
			}
		}
	}
	if (r == 0 && run != UINT64_MAX)
		r = first ? keepmap_add_present(km, run, hi) : keepmap_exclude(km, run, hi);
	free(buf);
	if (r == -DS_ENOMEM)
		return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	return r;
}

static int kdump_map_pages(struct input *in, unsigned shift, struct keepmap *km,
			   uint64_t start, uint64_t end, struct ds_err *err)
{
	struct kdump_input *d = in->priv;
	uint64_t hi = end < d->max_mapnr ? end : d->max_mapnr;
	uint64_t lo = start;
	int r;

	(void)shift;                 /* kernel_init checked it is the block size's */
	if (hi > km->npfn)
		hi = km->npfn;
	if (lo >= hi)
		return 0;
	if ((r = apply_bitmap(in, d->bitmap1_off, true, km, lo, hi, err)) < 0 ||
	    (r = apply_bitmap(in, d->bitmap2_off, false, km, lo, hi, err)) < 0)
		return r;
	/* a split file holds only its range's pages */
	if ((d->start_pfn > lo && keepmap_exclude(km, lo, d->start_pfn < hi ? d->start_pfn : hi) < 0) ||
	    (d->end_pfn < hi && keepmap_exclude(km, d->end_pfn > lo ? d->end_pfn : lo, hi) < 0))
		return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	if (!in->incomplete)
		return 0;
	/* an incomplete dump: each descriptor says whether its page arrived */
	for (uint64_t pfn = keepmap_next_dumped(km, lo); pfn < hi;
	     pfn = keepmap_next_dumped(km, pfn + 1)) {
		struct desc ds;

		r = find_desc(in, d, pfn, &ds, err);
		if (r < 0)
			return r;
		if (r == 1 && keepmap_exclude(km, pfn, pfn + 1) < 0)
			return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	}
	return 0;
}

static int kdump_read_page(struct input *in, uint64_t paddr, uint32_t size, uint8_t *buf,
			   const uint8_t **ret_page, struct ds_err *err)
{
	struct kdump_input *d = in->priv;
	uint64_t pfn = paddr >> d->shift;
	int r;

	if (size != d->bs || (paddr & (d->bs - 1)))
		return ds_err_set(err, DS_EINVAL, "page read of 0x%x bytes at 0x%" PRIx64, size, paddr);
	r = load_page(in, d, pfn, buf, ret_page, err);
	if (r == 1)
		return ds_err_set(err, DS_ENODATA, "'%s' holds no data for pfn 0x%" PRIx64,
				  in->path, pfn);
	return r;
}

static int kdump_read_phys(struct input *in, uint64_t paddr, void *buf, size_t len,
			   struct ds_err *err)
{
	struct kdump_input *d = in->priv;
	uint8_t *p = buf;

	while (len) {
		uint64_t pfn = paddr >> d->shift;
		uint32_t off = (uint32_t)(paddr & (d->bs - 1));
		size_t n = d->bs - off < len ? d->bs - off : len;
		unsigned slot = (unsigned)(pfn % CACHE_PAGES);
		uint8_t *page = d->cache + (size_t)slot * d->bs;

		if (d->cache_pfn[slot] != pfn) {
			const uint8_t *got = NULL;
			int r = load_page(in, d, pfn, page, &got, err);

			d->cache_pfn[slot] = UINT64_MAX;
			if (r == 1)
				return ds_err_set(err, DS_ENODATA,
						  "physical address 0x%" PRIx64 " is not in the dump", paddr);
			if (r < 0)
				return r;
			if (got != page)
				memcpy(page, got, d->bs);
			d->cache_pfn[slot] = pfn;
		}
		memcpy(p, page + off, n);
		p += n;
		paddr += n;
		len -= n;
	}
	return 0;
}

static int kdump_read_stored(struct input *in, uint64_t pfn, const uint8_t **data,
			     uint32_t *size, uint32_t *flags, struct ds_err *err)
{
	struct kdump_input *d = in->priv;
	struct desc ds = { 0 };  /* gcc -O3 cannot see that find_desc fills it whenever it returns 0 */
	int r = find_desc(in, d, pfn, &ds, err);

	if (r == 1)
		return ds_err_set(err, DS_ENODATA, "'%s' holds no data for pfn 0x%" PRIx64,
				  in->path, pfn);
	if (r < 0)
		return r;
	if (!(*data = source_peek(&in->src, ds.offset, ds.size))) {
		if ((r = source_read(&in->src, ds.offset, d->zbuf, ds.size, err)) < 0)
			return r;
		*data = d->zbuf;
	}
	*size = ds.size;
	*flags = ds.flags;
	return 0;
}

static void kdump_prefetch(struct input *in, uint64_t paddr, uint64_t len)
{
	(void)in;                    /* page data is found one descriptor at a time */
	(void)paddr;
	(void)len;
}

const struct input_ops input_kdump_ops = {
	.name = "kdump-compressed",
	.probe = kdump_probe,
	.open = kdump_open,
	.close = kdump_close,
	.max_pfn = kdump_max_pfn,
	.map_pages = kdump_map_pages,
	.read_phys = kdump_read_phys,
	.read_page = kdump_read_page,
	.prefetch = kdump_prefetch,
	.read_stored = kdump_read_stored,
};

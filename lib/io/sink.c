/* sink.c - file, flattened-stream and null sinks, and the flattened-stream
 * reader (see sink.h).  Flattened format: docs/formats.md ("flattened"). */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/machine.h"
#include "../format/kdump_header.h"

#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_TYPE 1
#define FLAT_VERSION 1
#define COPY_CHUNK (1u << 20)
/* a record larger than this is not something any writer produces */
#define FLAT_MAX_RECORD (1ull << 40)

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static bool cancelled(const volatile sig_atomic_t *cancel)
{
	return cancel && *cancel;
}

static int write_all(int fd, const void *buf, size_t len, const char *name,
		     const volatile sig_atomic_t *cancel, struct ds_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR && !cancelled(cancel))
				continue;
			if (errno == EINTR)
				return ds_err_set(err, DS_ECANCELED, "stopped on request");
			return ds_err_sys(err, "cannot write to %s", name);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write len bytes at off; *ret_end = how far they got, also on failure
 * (a full disk takes part of a write before it says ENOSPC). */
static int pwrite_all(int fd, uint64_t off, const void *buf, size_t len,
		      const char *name, const volatile sig_atomic_t *cancel,
		      uint64_t *ret_end, struct ds_err *err)
{
	const uint8_t *p = buf;

	*ret_end = off;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR && !cancelled(cancel))
				continue;
			if (errno == EINTR)
				return ds_err_set(err, DS_ECANCELED, "stopped on request");
			return ds_err_sys(err, "cannot write '%s' at offset 0x%" PRIx64, name, off);
		}
		if (n == 0)          /* a device with no room left says 0, not ENOSPC */
			return ds_err_set(err, DS_ESYS,
					  "cannot write '%s' at offset 0x%" PRIx64 ": no room left",
					  name, off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
		*ret_end = off;
	}
	return 0;
}

/* The -L limit: the bytes of [off, off+len) past it are refused. */
static size_t within_limit(const struct sink *s, uint64_t off, size_t len)
{
	if (!s->limit || (off <= s->limit && len <= s->limit - off))
		return len;
	return off < s->limit ? (size_t)(s->limit - off) : 0;
}

static int limit_reached(struct sink *s, struct ds_err *err)
{
	err->sys_errno = EFBIG;
	return ds_err_set(err, DS_ESYS, "cannot write '%s': size limit (%" PRIu64 ") reached",
			  s->name, s->limit);
}

/* ---- file ---- */

/* Wait for the writeback of the pending range and drop its pages from the
 * cache.  Failures here only cost memory (a filesystem without
 * sync_file_range support, for instance), so they are ignored. */
static void settle_pending(struct sink *s)
{
	if (!s->pending_len)
		return;
	(void)sync_file_range(s->fd, (off_t)s->pending_off, (off_t)s->pending_len,
			      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			      SYNC_FILE_RANGE_WAIT_AFTER);
	(void)posix_fadvise(s->fd, (off_t)s->pending_off, (off_t)s->pending_len,
			    POSIX_FADV_DONTNEED);
	s->pending_len = 0;
}

static int file_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
			 struct ds_err *err)
{
	size_t fits = within_limit(s, off, len);
	uint64_t end;
	int r;

	s->bytes += fits;
	r = pwrite_all(s->fd, off, buf, fits, s->name, s->cancel, &end, err);
	if (end > s->end)
		s->end = end;
	if (r == 0 && fits < len)
		r = limit_reached(s, err);
	if (r < 0) {
		s->broken = true;
		s->fail_end = end;
		return r;
	}
	if (s->keep_cache)
		return 0;
	/* the disk writes this range while we prepare the next one */
	settle_pending(s);
	(void)sync_file_range(s->fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
	s->pending_off = off;
	s->pending_len = len;
	return 0;
}

/* fsync that a device without a cache (/dev/null) refuses is no failure */
static int flush_to_disk(struct sink *s, bool data_only, struct ds_err *err)
{
	int r = data_only ? fdatasync(s->fd) : fsync(s->fd);

	if (r < 0 && !(!s->regular && (errno == EINVAL || errno == EROFS)))
		return ds_err_sys(err, "cannot flush '%s' to disk", s->name);
	return 0;
}

static int file_finish(struct sink *s, uint64_t final_size, struct ds_err *err)
{
	int r;

	settle_pending(s);
	/* the file must reach its planned end even if the tail was never
	 * written (a device is as large as it is) */
	if (s->regular && ftruncate(s->fd, (off_t)final_size) < 0)
		return ds_err_sys(err, "cannot set the size of '%s'", s->name);
	if ((r = flush_to_disk(s, false, err)) < 0)
		return r;
	if (!s->keep_cache)
		(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

static int file_barrier(struct sink *s, struct ds_err *err)
{
	return flush_to_disk(s, true, err);
}

static int file_reserve(struct sink *s, uint64_t off, uint64_t len)
{
	struct stat st;
	int r;

	if (!s->regular || !len || within_limit(s, off, len) < len)
		return -1;
	r = fallocate(s->fd, FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
	/* The range becomes part of the file now (zeros where nothing was
	 * written), whether or not its blocks could be allocated: a dump
	 * killed before its next write (SIGKILL, a power cut) still holds the
	 * whole kdump descriptor table, every entry empty ("page incomplete"),
	 * and readers open it instead of finding the table past the end. */
	if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size < off + len)
		(void)ftruncate(s->fd, (off_t)(off + len));
	return r;
}

static const struct sink_ops file_ops = {
	.write_at = file_write_at, .finish = file_finish,
	.barrier = file_barrier, .reserve = file_reserve,
};

void sink_file_init(struct sink *s, int fd, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->ops = &file_ops;
	s->fd = fd;
	s->name = name;
	s->regular = true;
	s->readable = true;
}

void sink_device_init(struct sink *s, int fd, const char *name, bool disk)
{
	sink_file_init(s, fd, name);
	s->regular = false;
	s->readable = disk;
}

/* ---- flat ---- */

/* The stream's bytes go out in order, so the -L limit counts them all
 * (stream header, record headers, data), and a record it cuts is sent up to
 * the limit: -R keeps what arrived. */
static int flat_send(struct sink *s, const void *buf, size_t len, struct ds_err *err)
{
	size_t fits = within_limit(s, s->sent, len);
	int r = write_all(s->fd, buf, fits, s->name, s->cancel, err);

	if (r == 0 && fits < len)
		r = limit_reached(s, err);
	if (r < 0) {
		s->broken = true;
		return r;
	}
	s->sent += len;
	return 0;
}

static int flat_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
			 struct ds_err *err)
{
	uint8_t rec[16];
	int r;

	if (s->broken)
		return ds_err_set(err, DS_ESYS, "'%s': nothing is written after a failed write",
				  s->name);
	if (!len)
		return 0;
	put_be64(rec, off);
	put_be64(rec + 8, len);
	s->fail_end = off;           /* what -R can use of a cut record is its own business */
	if ((r = flat_send(s, rec, sizeof(rec), err)) < 0)
		return r;
	s->records++;
	s->bytes += len;
	return flat_send(s, buf, len, err);
}

static int flat_finish(struct sink *s, uint64_t final_size, struct ds_err *err)
{
	uint8_t end[16];
	int r;

	/* A rebuilt file ends at its last written byte.  The kdump writer's
	 * last bytes are page data (or the bitmaps when nothing is dumped), so
	 * that is final_size and no padding record is needed. */
	(void)final_size;
	memset(end, 0xff, sizeof(end));
	if (s->broken)
		return ds_err_set(err, DS_ESYS, "'%s': nothing is written after a failed write",
				  s->name);
	if ((r = flat_send(s, end, sizeof(end), err)) < 0)
		return r;
	return 0;
}

static const struct sink_ops flat_ops = { .write_at = flat_write_at, .finish = flat_finish };

int sink_flat_init(struct sink *s, int fd, const char *name, struct ds_err *err)
{
	uint8_t hdr[FLAT_HEADER_SIZE];

	memset(s, 0, sizeof(*s));
	s->ops = &flat_ops;
	s->fd = fd;
	s->name = name;
	s->header_first = true;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE));
	put_be64(hdr + 16, FLAT_TYPE);
	put_be64(hdr + 24, FLAT_VERSION);
	return flat_send(s, hdr, sizeof(hdr), err);
}

/* ---- null ---- */

static int null_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
			 struct ds_err *err)
{
	(void)off;
	(void)buf;
	(void)err;
	s->bytes += len;
	return 0;
}

static int null_finish(struct sink *s, uint64_t final_size, struct ds_err *err)
{
	(void)s;
	(void)final_size;
	(void)err;
	return 0;
}

static const struct sink_ops null_ops = { .write_at = null_write_at, .finish = null_finish };

void sink_null_init(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->ops = &null_ops;
	s->fd = -1;
	s->name = "(dry run)";
}

/* ---- reader (-R) ---- */

static int stopped(struct ds_err *err)
{
	return ds_err_set(err, DS_ECANCELED, "stopped on request");
}

/* Read exactly len bytes; *ret_got tells how many came before EOF.  A
 * signal that asks to stop (*cancel) ends a read that waits. */
static int read_exact(int fd, void *buf, size_t len, size_t *ret_got, const char *name,
		      const volatile sig_atomic_t *cancel, struct ds_err *err)
{
	uint8_t *p = buf;
	size_t got = 0;

	*ret_got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR && !(cancel && *cancel))
				continue;
			*ret_got = got;
			return errno == EINTR ? stopped(err) : ds_err_sys(err, "cannot read %s", name);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret_got = got;
	return 0;
}

/* ---- what -R received ---- */

#define EXTENTS_MAX (1u << 20)           /* 16 MiB of intervals at most */

bool flat_extents_have(const struct flat_extents *e, uint64_t off, uint64_t len)
{
	size_t lo = 0, hi = e->n;

	/* the last interval starting at or before off must reach off+len */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->v[mid].start <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && e->v[lo - 1].end >= off + len && off + len >= off;
}

/* Add [start, end), merging with the intervals it touches.  Past
 * EXTENTS_MAX separate intervals a new one is dropped: those bytes count as
 * not received, so a repair never trusts bytes it cannot vouch for. */
static void extents_add(struct flat_extents *e, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = e->n, first, last;

	if (start >= end)
		return;
	/* first interval that ends at or after start */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->v[mid].end < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = last = lo;
	while (last < e->n && e->v[last].start <= end)
		last++;
	if (last > first) {          /* merge [first, last) with the new one */
		if (e->v[first].start < start)
			start = e->v[first].start;
		if (e->v[last - 1].end > end)
			end = e->v[last - 1].end;
		e->v[first].start = start;
		e->v[first].end = end;
		memmove(&e->v[first + 1], &e->v[last], (e->n - last) * sizeof(e->v[0]));
		e->n -= last - first - 1;
		return;
	}
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 64;
		void *grown;

		if (e->cap >= EXTENTS_MAX || !(grown = realloc(e->v, ncap * sizeof(e->v[0])))) {
			e->overflow = true;
			return;
		}
		e->v = grown;
		e->cap = ncap;
	}
	memmove(&e->v[first + 1], &e->v[first], (e->n - first) * sizeof(e->v[0]));
	e->v[first].start = start;
	e->v[first].end = end;
	e->n++;
}

void flat_extents_release(struct flat_extents *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* The largest file a kdump-compressed main header allows: headers and
 * bitmaps, a descriptor and a raw page for every pfn the bitmaps cover,
 * the shared zero page, and room for erase information. */
static uint64_t kdump_size_bound(const uint8_t *hdr, uint64_t n)
{
	const struct kdump_offsets *o;
	struct machine m;

	/* in the byte order and layout of the machine it was written for */
	(void)kdump_header_machine(hdr, &m);
	o = kdump_offsets_of(&m);
	if (n < o->hdr_size)
		return UINT64_MAX;

	uint64_t block = machine_get_u32(&m, hdr + o->status + 4);
	uint64_t sub = machine_get_u32(&m, hdr + o->status + 8);
	uint64_t bitmap_blocks = machine_get_u32(&m, hdr + o->status + 12);
	uint64_t pfns = sat_mul(sat_mul(bitmap_blocks / 2, block), 8);
	uint64_t meta = sat_mul(1 + sub + bitmap_blocks, block);

	return sat_add(sat_add(meta, sat_mul(pfns, 24)),
		       sat_add(sat_mul(pfns + 1, block), 64ull << 20));
}

int flat_rearrange(int in_fd, const char *in_name, int out_fd, const char *out_name,
		   uint64_t max_end, const volatile sig_atomic_t *cancel,
		   struct flat_extents *ext, struct flat_result *res, struct ds_err *err)
{
	uint8_t hdr[FLAT_HEADER_SIZE], rec[16];
	uint8_t *buf = NULL;
	uint64_t pos = FLAT_HEADER_SIZE, bound = max_end ? max_end : UINT64_MAX;
	size_t got = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = read_exact(in_fd, hdr, sizeof(hdr), &got, in_name, cancel, err)) < 0)
		return r;
	if (got < sizeof(hdr))
		return ds_err_set(err, DS_ECORRUPT,
				  "%s is not a flattened dump: only %zu bytes, the header needs %u",
				  in_name, got, FLAT_HEADER_SIZE);
	if (memcmp(hdr, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE)) || hdr[12] != 0)
		return ds_err_set(err, DS_ECORRUPT,
				  "%s is not a flattened dump (no \"makedumpfile\" signature at offset 0)",
				  in_name);
	if (get_be64(hdr + 16) != FLAT_TYPE)
		return ds_err_set(err, DS_ECORRUPT,
				  "%s: unknown flattened type %" PRIu64 " at offset 0x10",
				  in_name, get_be64(hdr + 16));
	buf = malloc(COPY_CHUNK);
	if (!buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (;;) {
		uint64_t off, size, rec_pos = pos;

		res->stream_bytes = pos;
		if (cancel && *cancel) {
			res->cut = true;
			r = stopped(err);
			goto out;
		}
		if ((r = read_exact(in_fd, rec, sizeof(rec), &got, in_name, cancel, err)) < 0) {
			res->cut = true;
			goto out;
		}
		if (got < sizeof(rec)) {
			res->cut = true;
			r = ds_err_set(err, DS_ECORRUPT,
				       "%s ends at byte %" PRIu64 " without its end marker "
				       "(after %" PRIu64 " records): the stream was cut short",
				       in_name, pos + got, res->records);
			goto out;
		}
		off = get_be64(rec);
		size = get_be64(rec + 8);
		if (off == UINT64_MAX && size == UINT64_MAX)
			break;
		if ((int64_t)off < 0 || (int64_t)size <= 0 || size > FLAT_MAX_RECORD ||
		    off > INT64_MAX - size) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "%s: bad record at byte %" PRIu64 " (offset 0x%" PRIx64
				       ", size 0x%" PRIx64 ")", in_name, pos, off, size);
			goto out;
		}
		/* a record past any file the stream can describe would make a
		 * sparse file of that size (exabytes on tmpfs) */
		if (off + size > bound) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "%s: record at byte %" PRIu64 " (offset 0x%" PRIx64
				       ", size 0x%" PRIx64 ") ends past 0x%" PRIx64 ", %s",
				       in_name, pos, off, size, bound,
				       bound == max_end ? "more than the output can hold"
							: "the largest dump its main header allows");
			goto out;
		}
		pos += sizeof(rec);
		while (size) {
			size_t n = size < COPY_CHUNK ? (size_t)size : COPY_CHUNK;
			uint64_t end;

			r = read_exact(in_fd, buf, n, &got, in_name, cancel, err);
			if (r < 0 || got < n) {
				/* the part that came is kept: -R may still use it */
				if (got && pwrite_all(out_fd, off, buf, got, out_name, NULL, &end, err) == 0) {
					extents_add(ext, off, off + got);
					if (off + got > res->end)
						res->end = off + got;
				}
				res->cut = true;
				res->stream_bytes = pos + got;
				if (r == 0)
					r = ds_err_set(err, DS_ECORRUPT,
						       "%s ends at byte %" PRIu64 " inside a record's data "
						       "(record %" PRIu64 " at byte %" PRIu64 ")", in_name,
						       pos + got, res->records + 1, rec_pos);
				goto out;
			}
			if ((r = pwrite_all(out_fd, off, buf, n, out_name, NULL, &end, err)) < 0)
				goto out;
			/* a kdump-compressed header bounds the rest of the file */
			if (off == 0 && n >= KDUMP_MAIN_HEADER_MIN && !memcmp(buf, "KDUMP   ", 8)) {
				uint64_t b = kdump_size_bound(buf, n);

				if (b < bound)
					bound = b;
			}
			extents_add(ext, off, off + n);
			off += n;
			pos += n;
			size -= n;
			if (off > res->end)
				res->end = off;
		}
		res->records++;
	}
	res->stream_bytes = pos + sizeof(rec);
	if (fsync(out_fd) < 0 && errno != EINVAL) {
		r = ds_err_sys(err, "cannot flush '%s' to disk", out_name);
		goto out;
	}
	r = 0;
out:
	free(buf);
	return r;
}

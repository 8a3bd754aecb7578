/* sink.c - file, flattened-stream and null sinks, and the flattened-stream
 * reader (see sink.h).  Flattened format: docs/formats.md ("flattened"). */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int write_all(int fd, const void *buf, size_t len, const char *name,
		     struct ds_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ds_err_sys(err, "cannot write to %s", name);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, uint64_t off, const void *buf, size_t len,
		      const char *name, struct ds_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ds_err_sys(err, "cannot write '%s' at offset 0x%" PRIx64, name, off);
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
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
	int r;

	s->bytes += len;
	if ((r = pwrite_all(s->fd, off, buf, len, s->name, err)) < 0)
		return r;
	if (s->keep_cache)
		return 0;
	/* the disk writes this range while we prepare the next one */
	settle_pending(s);
	(void)sync_file_range(s->fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
	s->pending_off = off;
	s->pending_len = len;
	return 0;
}

static int file_finish(struct sink *s, uint64_t final_size, struct ds_err *err)
{
	settle_pending(s);
	/* the file must reach its planned end even if the tail was never written */
	if (ftruncate(s->fd, (off_t)final_size) < 0)
		return ds_err_sys(err, "cannot set the size of '%s'", s->name);
	if (fsync(s->fd) < 0)
		return ds_err_sys(err, "cannot flush '%s' to disk", s->name);
	if (!s->keep_cache)
		(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

static const struct sink_ops file_ops = { file_write_at, file_finish };

void sink_file_init(struct sink *s, int fd, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->ops = &file_ops;
	s->fd = fd;
	s->name = name;
}

/* ---- flat ---- */

static int flat_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
			 struct ds_err *err)
{
	uint8_t rec[16];
	int r;

	if (!len)
		return 0;
	put_be64(rec, off);
	put_be64(rec + 8, len);
	if ((r = write_all(s->fd, rec, sizeof(rec), s->name, err)) < 0)
		return r;
	s->records++;
	s->bytes += len;
	return write_all(s->fd, buf, len, s->name, err);
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
	if ((r = write_all(s->fd, end, sizeof(end), s->name, err)) < 0)
		return r;
	return 0;
}

static const struct sink_ops flat_ops = { flat_write_at, flat_finish };

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
	return write_all(fd, hdr, sizeof(hdr), name, err);
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

static const struct sink_ops null_ops = { null_write_at, null_finish };

void sink_null_init(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->ops = &null_ops;
	s->fd = -1;
	s->name = "(dry run)";
}

/* ---- reader (-R) ---- */

/* Read exactly len bytes; *ret_got tells how many came before EOF. */
static int read_exact(int fd, void *buf, size_t len, size_t *ret_got, const char *name,
		      struct ds_err *err)
{
	uint8_t *p = buf;
	size_t got = 0;

	*ret_got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ds_err_sys(err, "cannot read %s", name);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret_got = got;
	return 0;
}

int flat_rearrange(int in_fd, const char *in_name, int out_fd, const char *out_name,
		   uint64_t *ret_bytes, struct ds_err *err)
{
	uint8_t hdr[FLAT_HEADER_SIZE], rec[16];
	uint8_t *buf = NULL;
	uint64_t pos = FLAT_HEADER_SIZE, end = 0, records = 0;
	size_t got = 0;
	int r;

	if ((r = read_exact(in_fd, hdr, sizeof(hdr), &got, in_name, err)) < 0)
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
		uint64_t off, size;

		if ((r = read_exact(in_fd, rec, sizeof(rec), &got, in_name, err)) < 0)
			goto out;
		if (got < sizeof(rec)) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "%s ends at byte %" PRIu64 " without its end marker "
				       "(after %" PRIu64 " records): the stream was cut short",
				       in_name, pos + got, records);
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
		pos += sizeof(rec);
		while (size) {
			size_t n = size < COPY_CHUNK ? (size_t)size : COPY_CHUNK;

			if ((r = read_exact(in_fd, buf, n, &got, in_name, err)) < 0)
				goto out;
			if (got < n) {
				r = ds_err_set(err, DS_ECORRUPT,
					       "%s ends at byte %" PRIu64 " inside a record's data "
					       "(record %" PRIu64 ")", in_name, pos + got, records + 1);
				goto out;
			}
			if ((r = pwrite_all(out_fd, off, buf, n, out_name, err)) < 0)
				goto out;
			off += n;
			pos += n;
			size -= n;
			if (off > end)
				end = off;
		}
		records++;
	}
	if (fsync(out_fd) < 0) {
		r = ds_err_sys(err, "cannot flush '%s' to disk", out_name);
		goto out;
	}
	if (ret_bytes)
		*ret_bytes = end;
	r = 0;
out:
	free(buf);
	return r;
}

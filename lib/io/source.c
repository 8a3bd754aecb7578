/* source.c - exact positioned reads of the input file, through mmap windows
 * or pread (see source.h).
 *
 * A page of a mapping that cannot be read (EIO from /proc/vmcore or a disk,
 * a file that shrank) is a SIGBUS at the instruction that touches it, not
 * an error code.  Every read from a mapping is therefore a copy made under a
 * guard: the thread-local `guard` says which bytes are being copied, the
 * program's SIGBUS handler passes the fault address to source_fault, and a
 * fault inside the guarded bytes jumps back here; the window is dropped and
 * the read done again with pread, which returns the error the caller would
 * have seen with --non-mmap (or the data, when the fault was passing).  The
 * copy also gives callers aligned pages: a PT_LOAD's data may start at any
 * file offset.
 *
 * Not mapped (every input but /proc/vmcore, see source.h), reads are
 * pread()s into reused buffers (readbuf.c) sized by what callers announced.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define WINDOW_SIZE (64ull << 20)     /* per window; 2 windows = 128 MiB of address space */
#define SMALL_READ 4096u              /* reads below this use the second window */

static _Thread_local struct {
	sigjmp_buf jump;
	const uint8_t *lo, *hi;              /* the bytes being copied */
	volatile sig_atomic_t armed;
} guard;

bool source_fault(const void *addr)
{
	const uint8_t *a = addr;

	if (!guard.armed || a < guard.lo || a >= guard.hi)
		return false;
	guard.armed = 0;
	siglongjmp(guard.jump, 1);
}

/* memcpy from a mapping; false when a page of it faulted.  The handler
 * runs with SA_NODEFER, so SIGBUS is not left blocked by the jump, and
 * sigsetjmp need not save the signal mask (a system call per read). */
static bool copy_mapped(void *dst, const uint8_t *from, size_t len)
{
	if (sigsetjmp(guard.jump, 0)) {
		guard.armed = 0;
		return false;
	}
	guard.lo = from;
	guard.hi = from + len;
	guard.armed = 1;
	memcpy(dst, from, len);
	guard.armed = 0;
	return true;
}

/* statfs f_type of procfs and FUSE (linux/magic.h) */
#define PROC_MAGIC 0x9fa0
#define FUSE_MAGIC 0x65735546

int source_open_fd(struct source *src, int fd, const char *name, struct ds_err *err)
{
	struct stat st;
	struct statfs sfs;

	memset(src, 0, sizeof(*src));
	src->path = name;
	src->use_mmap = false;
	src->window_size = WINDOW_SIZE;
	src->fd = fd;
	if (fstat(src->fd, &st) < 0) {
		int r = ds_err_sys(err, "cannot stat '%s'", name);

		source_close(src);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		source_close(src);
		return ds_err_set(err, DS_EINVAL, "'%s' is not a regular file", name);
	}
	src->size = src->file_size = (uint64_t)st.st_size;
	src->fs = SOURCE_FILE;
	if (fstatfs(src->fd, &sfs) == 0) {
		if (sfs.f_type == PROC_MAGIC)
			src->fs = SOURCE_PROC;
		else if (sfs.f_type == FUSE_MAGIC)
			src->fs = SOURCE_FUSE;
	}
	readbuf_init(&src->rb);
	(void)posix_fadvise(src->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

void source_enable_mmap(struct source *src)
{
	src->use_mmap = true;
}

int source_open(struct source *src, const char *path, struct ds_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		memset(src, 0, sizeof(*src));
		src->fd = -1;
		src->path = path;
		return ds_err_sys(err, "cannot open '%s'", path);
	}
	return source_open_fd(src, fd, path, err);
}

void source_set_extents(struct source *src, struct source_extent *ext, size_t n,
			uint64_t size)
{
	free(src->extents);
	src->extents = ext;
	src->n_extents = n;
	src->size = size;
}

void source_disable_mmap(struct source *src)
{
	src->use_mmap = false;
}

static void unmap_window(struct source_window *w)
{
	if (w->map)
		munmap(w->map, w->len);
	w->map = NULL;
	w->len = 0;
}

void source_close(struct source *src)
{
	for (int i = 0; i < SOURCE_WINDOWS; i++)
		unmap_window(&src->win[i]);
	free(src->bounce);
	src->bounce = NULL;
	src->bounce_len = 0;
	readbuf_release(&src->rb);
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
	free(src->extents);
	src->extents = NULL;
	src->n_extents = 0;
}

/* The window holding [off, off+len), mapping one if needed; NULL when
 * mmap is off or refused (then mmap stays off for this file). */
static struct source_window *window_for(struct source *src, uint64_t off, size_t len)
{
	struct source_window *w;
	uint64_t start, wlen;
	int slot;
	void *map;

	if (!src->use_mmap || len > src->window_size / 2)
		return NULL;
	for (int i = 0; i < SOURCE_WINDOWS; i++) {
		w = &src->win[i];
		if (w->map && off >= w->off && off + len <= w->off + w->len) {
			w->last_use = ++src->clock;
			return w;
		}
	}
	/* bulk reads take window 0, scattered small ones window 1 */
	slot = len >= SMALL_READ ? 0 : 1;
	w = &src->win[slot];
	unmap_window(w);
	start = off & ~(src->window_size / 2 - 1);   /* half-window aligned: a read never straddles */
	wlen = src->window_size;
	if (start + wlen > src->file_size)
		wlen = src->file_size - start;
	map = mmap(NULL, wlen, PROT_READ, MAP_SHARED, src->fd, (off_t)start);
	if (map == MAP_FAILED) {
		src->use_mmap = false;
		return NULL;
	}
	/* No readahead: the scan touches one struct page chunk in sixteen and
	 * the copy skips excluded memory.  With MADV_SEQUENTIAL a vmcore file
	 * was read whole (holes too) — a 1 TiB synthetic -e dump took 70 s
	 * instead of 3 s; /proc/vmcore has no readahead either way. */
	(void)madvise(map, wlen, MADV_RANDOM);
	src->mmap_calls++;
	w->map = map;
	w->off = start;
	w->len = wlen;
	w->last_use = ++src->clock;
	return w;
}

static int check_range(const struct source *src, uint64_t off, size_t len,
		       struct ds_err *err)
{
	if (off > src->size || len > src->size - off)
		return ds_err_set(err, DS_EREAD,
				  "'%s' is truncated: need %zu bytes at offset 0x%" PRIx64
				  ", file size is 0x%" PRIx64, src->path, len, off, src->size);
	return 0;
}

/* A read through a window that faulted: drop the window (it is mapped
 * again on the next read there, which may work: a fault can pass). */
static void window_faulted(struct source *src, struct source_window *w)
{
	unmap_window(w);
	src->faults++;
}

/* readbuf's reads: exactly len bytes at off */
static int pread_exact(void *arg, uint64_t off, void *buf, size_t len)
{
	struct source *src = arg;
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(src->fd, p, len, (off_t)off);

		src->pread_calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;       /* file_read's own loop says why */
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static const void *file_peek(struct source *src, uint64_t off, size_t len)
{
	struct source_window *w;

	if (off > src->file_size || len > src->file_size - off)
		return NULL;
	w = window_for(src, off, len);
	if (!w)
		return readbuf_get(&src->rb, off, len, src->file_size, NULL, pread_exact, src);
	if (len > src->bounce_len) {
		void *b = NULL;

		if (posix_memalign(&b, 64, len) != 0)
			return NULL;
		free(src->bounce);
		src->bounce = b;
		src->bounce_len = len;
	}
	if (!copy_mapped(src->bounce, w->map + (off - w->off), len)) {
		window_faulted(src, w);
		return NULL;             /* the caller's source_read says why */
	}
	return src->bounce;
}

static void file_prefetch(struct source *src, uint64_t off, uint64_t len)
{
	if (off >= src->file_size)
		return;
	if (len > src->file_size - off)
		len = src->file_size - off;
	if (!src->use_mmap)
		readbuf_plan(&src->rb, off, len);
	/* advice only: an error (a pipe, a filesystem without readahead)
	 * changes nothing about the reads that follow.  Not to FUSE (it would
	 * read the range into the page cache, which pread with direct_io does
	 * not use) or /proc/vmcore (nothing to read ahead: it is memory). */
	if (src->fs == SOURCE_FILE)
		(void)posix_fadvise(src->fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
	src->prefetch_calls++;
	src->prefetch_bytes += len;
}

static int file_read(struct source *src, uint64_t off, void *buf, size_t len,
		     struct ds_err *err)
{
	struct source_window *w;
	uint8_t *p = buf;

	if (off > src->file_size || len > src->file_size - off)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is truncated: need %zu bytes at offset 0x%" PRIx64
				  ", file size is 0x%" PRIx64, src->path, len, off, src->file_size);
	w = window_for(src, off, len);
	if (w) {
		if (copy_mapped(buf, w->map + (off - w->off), len))
			return 0;
		window_faulted(src, w);
	} else {
		const uint8_t *got = readbuf_get(&src->rb, off, len, src->file_size, buf,
						 pread_exact, src);

		if (got) {
			if (got != buf)
				memcpy(buf, got, len);
			return 0;
		}
	}
	while (len) {
		ssize_t n = pread(src->fd, p, len, (off_t)off);

		src->pread_calls++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ds_err_sys(err, "cannot read '%s' at offset 0x%" PRIx64, src->path, off);
			err->status = DS_EREAD;
			return -DS_EREAD;
		}
		if (n == 0)        /* the file shrank since it was opened */
			return ds_err_set(err, DS_EREAD,
					  "'%s' is truncated at offset 0x%" PRIx64, src->path, off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the view through extents ---- */

/* Index of the extent holding off, or of the first one after it (n when
 * none). */
static size_t extent_at(const struct source *src, uint64_t off)
{
	size_t lo = 0, hi = src->n_extents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct source_extent *e = &src->extents[mid];

		if (off >= e->off + e->len)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const void *source_peek(struct source *src, uint64_t off, size_t len)
{
	const struct source_extent *e;
	size_t i;

	if (!src->extents)
		return file_peek(src, off, len);
	if (off > src->size || len > src->size - off)
		return NULL;
	i = extent_at(src, off);
	if (i == src->n_extents)
		return NULL;
	e = &src->extents[i];
	if (off < e->off || len > e->off + e->len - off)
		return NULL;         /* in a hole, or across an extent's end */
	return file_peek(src, e->file_off + (off - e->off), len);
}

void source_prefetch(struct source *src, uint64_t off, uint64_t len)
{
	if (!src->extents) {
		file_prefetch(src, off, len);
		return;
	}
	for (size_t i = extent_at(src, off); i < src->n_extents && len; i++) {
		const struct source_extent *e = &src->extents[i];
		uint64_t from = off > e->off ? off : e->off;
		uint64_t to = off + len < e->off + e->len ? off + len : e->off + e->len;

		if (e->off >= off + len)
			break;
		if (to > from)
			file_prefetch(src, e->file_off + (from - e->off), to - from);
	}
}

int source_read(struct source *src, uint64_t off, void *buf, size_t len,
		struct ds_err *err)
{
	uint8_t *p = buf;
	size_t i;
	int r;

	if ((r = check_range(src, off, len, err)) < 0)
		return r;
	if (!src->extents)
		return file_read(src, off, buf, len, err);
	for (i = extent_at(src, off); len;) {
		const struct source_extent *e = i < src->n_extents ? &src->extents[i] : NULL;
		size_t n;

		if (!e || off < e->off) {        /* a hole up to the next extent */
			uint64_t gap = e ? e->off - off : len;

			n = gap < len ? (size_t)gap : len;
			memset(p, 0, n);
		} else {
			uint64_t room = e->off + e->len - off;

			n = room < len ? (size_t)room : len;
			if ((r = file_read(src, e->file_off + (off - e->off), p, n, err)) < 0)
				return r;
			i++;
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

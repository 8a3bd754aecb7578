/* source.c - exact positioned reads of the input file (see source.h). */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

int source_open(struct source *src, const char *path, struct ds_err *err)
{
	struct stat st;

	src->path = path;
	src->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0)
		return ds_err_sys(err, "cannot open '%s'", path);
	if (fstat(src->fd, &st) < 0) {
		int r = ds_err_sys(err, "cannot stat '%s'", path);

		source_close(src);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		source_close(src);
		return ds_err_set(err, DS_EINVAL, "'%s' is not a regular file", path);
	}
	src->size = (uint64_t)st.st_size;
	(void)posix_fadvise(src->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

void source_close(struct source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
}

int source_read(struct source *src, uint64_t off, void *buf, size_t len,
		struct ds_err *err)
{
	uint8_t *p = buf;

	if (off > src->size || len > src->size - off)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is truncated: need %zu bytes at offset 0x%" PRIx64
				  ", file size is 0x%" PRIx64, src->path, len, off, src->size);
	while (len) {
		ssize_t n = pread(src->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ds_err_sys(err, "cannot read '%s' at offset 0x%" PRIx64,
					  src->path, off);
		}
		if (n == 0)
			return ds_err_set(err, DS_ECORRUPT,
					  "'%s' is truncated at offset 0x%" PRIx64, src->path, off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

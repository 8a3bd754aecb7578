/* fuzz.c - the helpers of fuzz.h: inputs as memfd files, the parameter
 * trailer, fuzz_fail. */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int in_fd = -1, out_fd = -1;
static char in_path[64], out_path[64];

static int scratch(const char *name, char *path, size_t path_len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0) {
		perror("fuzz: memfd_create");
		abort();
	}
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (in_fd < 0)
		in_fd = scratch("fuzz-input", in_path, sizeof(in_path));
	if (ftruncate(in_fd, 0) < 0 || ftruncate(in_fd, (off_t)size) < 0) {
		perror("fuzz: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(in_fd, data + done, size - done, (off_t)done);

		if (n <= 0) {
			perror("fuzz: pwrite");
			abort();
		}
		done += (size_t)n;
	}
	return in_path;
}

int fuzz_file_fd(void)
{
	return in_fd;
}

const char *fuzz_out_file(int *ret_fd)
{
	if (out_fd < 0)
		out_fd = scratch("fuzz-output", out_path, sizeof(out_path));
	if (ftruncate(out_fd, 0) < 0) {
		perror("fuzz: ftruncate");
		abort();
	}
	*ret_fd = out_fd;
	return out_path;
}

void fuzz_params_get(const uint8_t *data, size_t size, struct fuzz_params *p)
{
	memset(p, 0, sizeof(*p));
	if (size >= FUZZ_TRAILER)
		memcpy(p, data + size - FUZZ_TRAILER, FUZZ_TRAILER);
}

void fuzz_say(const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: fuzz check failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int fuzz_vmcore_open(struct fuzz_vmcore *v, const uint8_t *data, size_t size)
{
	struct input_config cfg = { 0 };

	memset(v, 0, sizeof(*v));
	v->in.src.fd = -1;
	fuzz_params_get(data, size, &v->p);
	cfg.no_mmap = v->p.flags & FUZZ_F_NO_MMAP;
	if (input_open(&v->in, fuzz_file(data, size), &cfg, &v->err) < 0)
		return -1;
	if (kernel_init(&v->k, &v->in, &v->err) < 0)
		return -1;
	fuzz_check(v->k.page_size >= 4096 && !(v->k.page_size & (v->k.page_size - 1)) &&
		   v->k.page_size == 1u << v->k.page_shift, "page size %u, shift %u",
		   v->k.page_size, v->k.page_shift);
	return 0;
}

void fuzz_vmcore_close(struct fuzz_vmcore *v)
{
	kernel_release(&v->k);
	input_close(&v->in);
}

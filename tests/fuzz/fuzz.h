/* fuzz.h - what the fuzz targets of tests/fuzz share (see README.md there).
 *
 * Every target is one LLVMFuzzerTestOneInput over one reader of untrusted
 * bytes.  It is linked either with libFuzzer (-Dfuzz=true, clang) or with
 * driver.c, which replays saved inputs and runs as a unit test in every
 * build.  A target aborts (fuzz_check) when the library breaks one of its
 * own promises on an input it accepted; a clean error is never a finding.
 */
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "input/input.h"
#include "kernel/kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a regular file: a memfd (reused from one run to the next)
 * holding exactly these bytes.  Returns its path, /proc/self/fd/N, which
 * the library opens like any vmcore. */
const char *fuzz_file(const uint8_t *data, size_t size);

/* The memfd behind the last fuzz_file, open read-write. */
int fuzz_file_fd(void);

/* An empty scratch memfd for output, its fd in *ret_fd (reused too). */
const char *fuzz_out_file(int *ret_fd);

/* Targets whose input is a vmcore read the last FUZZ_TRAILER bytes as
 * parameters as well (dump level, options, addresses to translate).  Past
 * the last segment they are bytes no reader looks at, and the seeds put
 * them there; in a mutated input they may be anything, as they should. */
#define FUZZ_TRAILER 64u
#define FUZZ_TRAILER_MAGIC 0x7a7a6664u   /* "dfzz": marks a seed's trailer */
struct fuzz_params {
	uint32_t magic;         /* FUZZ_TRAILER_MAGIC in seeds; not checked */
	uint8_t level;          /* -d, & 31 */
	uint8_t flags;          /* FUZZ_F_* */
	uint8_t codec;          /* enum ds_codec, % DS_CODEC_MAX */
	uint8_t threads;        /* compression threads, & 3 */
	uint64_t vaddr[7];      /* kernel virtual addresses to translate */
};
#define FUZZ_F_EXCLUDE_VMEMMAP 0x01u   /* -e */
#define FUZZ_F_NO_MMAP         0x02u   /* --non-mmap */
#define FUZZ_F_WRITE           0x04u   /* fuzz_dump: a real file, not --dry-run */
#define FUZZ_F_DMESG           0x08u   /* fuzz_dump: --dump-dmesg instead of a dump */
#define FUZZ_F_MEM_USAGE       0x10u   /* fuzz_dump: --mem-usage instead of a dump */

_Static_assert(sizeof(struct fuzz_params) == FUZZ_TRAILER, "trailer layout");

void fuzz_params_get(const uint8_t *data, size_t size, struct fuzz_params *p);

/* A vmcore input opened as a dump opens it: the input seam (any format
 * it knows), then the kernel model (VMCOREINFO, architecture).  0, or -1
 * when the library refused the input (cleanly: that is not a finding);
 * fuzz_vmcore_close either way. */
struct fuzz_vmcore {
	struct input in;
	struct kernel k;
	struct fuzz_params p;
	struct ds_err err;
};
int fuzz_vmcore_open(struct fuzz_vmcore *v, const uint8_t *data, size_t size);
void fuzz_vmcore_close(struct fuzz_vmcore *v);

/* FUZZ_VERBOSE=1 in the environment: targets print one line per input
 * saying how far it got (to check that seeds reach deep). */
void fuzz_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* abort() with a message naming the broken promise: libFuzzer (and the
 * replay driver) report it as a crash with this input. */
#define fuzz_check(cond, ...) \
	do { if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); } while (0)
_Noreturn void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

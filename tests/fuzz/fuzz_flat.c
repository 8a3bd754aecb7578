/* fuzz_flat.c - fuzz target: -R, rebuilding a dump from a flattened stream
 * (ds_rearrange: flat_rearrange in lib/io/sink, then lib/format/kdump_repair
 * on what arrived when the stream stopped early, and the output file rules
 * of lib/io/outfile).
 *
 * Input: a flattened stream (4096-byte header, records {be64 offset, be64
 * size, data}, end marker).  The output is a file in a private temporary
 * directory, replaced at each run.  Promises checked: a whole stream whose
 * dump is not marked incomplete rebuilds into exactly the file its records
 * describe (this target applies them itself: a hole reads as zero); a kept
 * incomplete kdump dump is consistent (repairing it again keeps every page
 * it holds); a failed run that kept nothing left no file.
 */
#include <dumpsieve/dumpsieve.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "format/kdump_repair.h"
#include "io/sink.h"

#define ORACLE_MAX (4u << 20)

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The file the whole stream describes, when it ends within ORACLE_MAX
 * bytes; NULL otherwise. */
static uint8_t *rebuild(const uint8_t *data, size_t size, uint64_t *ret_end)
{
	uint64_t end = 0;
	uint8_t *img;

	for (size_t p = FLAT_HEADER_SIZE; p + 16 <= size;) {
		uint64_t off = be64(data + p), len = be64(data + p + 8);

		if (off == UINT64_MAX && len == UINT64_MAX)
			break;
		if (off > ORACLE_MAX || len > ORACLE_MAX - off || len > size - p - 16)
			return NULL;
		if (off + len > end)
			end = off + len;
		p += 16 + len;
	}
	img = calloc(1, end ? end : 1);
	if (!img)
		abort();
	for (size_t p = FLAT_HEADER_SIZE; p + 16 <= size;) {
		uint64_t off = be64(data + p), len = be64(data + p + 8);

		if (off == UINT64_MAX && len == UINT64_MAX)
			break;
		memcpy(img + off, data + p + 16, len);
		p += 16 + len;
	}
	*ret_end = end;
	return img;
}

/* The output file of -R, in a directory of its own, removed at exit (the
 * library may leave a kept incomplete dump there) */
static char out_dir[] = "/tmp/fuzz-flat-XXXXXX";
static char out_file[64];

static void remove_out(void)
{
	unlink(out_file);
	rmdir(out_dir);
}

static const char *out_path(void)
{
	if (!out_file[0]) {
		fuzz_check(mkdtemp(out_dir) != NULL, "mkdtemp failed");
		snprintf(out_file, sizeof(out_file), "%s/dump", out_dir);
		atexit(remove_out);
	}
	return out_file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = out_path();
	int in_fd = open(fuzz_file(data, size), O_RDONLY | O_CLOEXEC);
	struct ds_rearranged rep;
	struct ds_err err;
	struct stat st;
	int r;

	fuzz_check(in_fd >= 0, "cannot open the input memfd");
	r = ds_rearrange(in_fd, path, true, NULL, &rep, &err);
	close(in_fd);
	fuzz_say("flat: %s; %" PRIu64 " records, %" PRIu64 " bytes%s%s", r < 0 ? err.msg : "ok",
		 rep.records, rep.bytes, rep.incomplete ? ", kept incomplete" : "",
		 rep.kdump ? " kdump" : "");
	if (r < 0 && !rep.incomplete) {
		fuzz_check(err.msg[0], "a failed -R without a message");
		fuzz_check(stat(path, &st) < 0, "a failed -R that kept nothing left its output");
		return 0;
	}
	fuzz_check(stat(path, &st) == 0, "-R kept no file");
	if (r == 0 && !rep.incomplete) {
		uint64_t end;
		uint8_t *want = rebuild(data, size, &end), *got;
		int fd;

		fuzz_check((uint64_t)st.st_size == rep.bytes,
			   "rebuilt file is %lld bytes, -R says %" PRIu64, (long long)st.st_size,
			   rep.bytes);
		if (want) {
			fuzz_check(end == rep.bytes, "the stream ends at %" PRIu64 ", -R says %" PRIu64,
				   end, rep.bytes);
			got = malloc(end ? end : 1);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			fuzz_check(got && fd >= 0, "cannot read the rebuilt file");
			fuzz_check(pread(fd, got, end, 0) == (ssize_t)end && !memcmp(got, want, end),
				   "rebuilt file differs from the stream's records");
			close(fd);
			free(got);
			free(want);
		}
	}
	if (rep.incomplete && rep.kdump) {
		/* what -R kept must be whole: a second repair keeps every page */
		int fd = open(path, O_RDWR | O_CLOEXEC);
		struct kdump_repair_io io = { .fd = fd, .name = path, .size = (uint64_t)st.st_size };
		struct kdump_repair_stats rs;

		fuzz_check(fd >= 0, "cannot open the rebuilt file");
		fuzz_check(kdump_repair(&io, &rs, &err) == 0, "repairing the kept dump again: %s",
			   err.msg);
		fuzz_check(rs.planned == rep.pages_kept && rs.kept == rep.pages_kept,
			   "-R kept %" PRIu64 " pages; again: %" PRIu64 " planned, %" PRIu64 " kept",
			   rep.pages_kept, rs.planned, rs.kept);
		close(fd);
	}
	unlink(path);
	return 0;
}

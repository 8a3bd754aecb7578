/* flatsink.c - a counting sink for flattened dump streams (-F), so that a
 * dump of any size can be measured without the disk to hold it.
 *
 *   TOOL -F ... | flatsink [--keep FILE [--descriptors N]]
 *
 * Reads the stream on standard input to its end marker and prints
 *   stream_bytes=S records=R dump_bytes=D
 * D being the size of the file `-R` would rebuild (the highest byte any
 * record writes).  With --keep, the records' bytes below the end of the page
 * descriptor table are written to FILE at their offsets (a sparse file
 * holding the headers, both bitmaps and, with --descriptors N, the first N
 * descriptors), which tests/tools/dumpcheck.py pfns and
 * tests/gen/kdumpzero.py read like the whole dump; the page data is only
 * counted.  The table's offset comes from the main header (the stream's
 * record at offset 0); N is the number of dumped pages the caller expects
 * (the truth's total): if the dump kept another number, its bitmap already
 * differs from the truth.
 * Exit status: 0, 1 for a malformed stream, 2 for usage or I/O errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)

static uint8_t buf[CHUNK];

static void fail(int code, const char *msg, uint64_t at)
{
	fprintf(stderr, "flatsink: %s (stream byte %" PRIu64 ")\n", msg, at);
	exit(code);
}

/* read exactly n bytes; false at a clean end of input before any byte */
static int read_full(void *p, size_t n, uint64_t *pos)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(STDIN_FILENO, (uint8_t *)p + done, n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail(2, strerror(errno), *pos);
		}
		if (r == 0)
			return done == 0 ? 0 : -1;
		done += (size_t)r;
		*pos += (uint64_t)r;
	}
	return 1;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
	const char *keep = NULL;
	uint64_t ndesc = 0, pos = 0, records = 0, dump_bytes = 0;
	uint64_t limit = UINT64_MAX;      /* keep bytes below it (once the header is seen) */
	int out = -1;
	uint8_t h[16];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep") && i + 1 < argc)
			keep = argv[++i];
		else if (!strcmp(argv[i], "--descriptors") && i + 1 < argc)
			ndesc = strtoull(argv[++i], NULL, 0);
		else {
			fputs("usage: flatsink [--keep FILE [--descriptors N]] < STREAM\n", stderr);
			return 2;
		}
	}
	if (keep) {
		out = open(keep, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			fail(2, strerror(errno), 0);
	}
	if (read_full(buf, 4096, &pos) != 1 || memcmp(buf, "makedumpfile", 12) || be64(buf + 16) != 1)
		fail(1, "no flattened-format header", pos);
	for (;;) {
		int r = read_full(h, sizeof(h), &pos);

		if (r != 1)
			fail(1, "no end marker", pos);
		uint64_t off = be64(h), size = be64(h + 8);

		if (off == UINT64_MAX && size == UINT64_MAX)
			break;
		if (off > INT64_MAX || size > INT64_MAX || off + size < off)
			fail(1, "bad record header", pos);
		records++;
		if (off + size > dump_bytes)
			dump_bytes = off + size;
		for (uint64_t done = 0; done < size;) {
			size_t n = size - done < CHUNK ? (size_t)(size - done) : CHUNK;
			uint64_t at = off + done;

			if (read_full(buf, n, &pos) != 1)
				fail(1, "stream ends inside a record", pos);
			if (at == 0 && n >= 440 && !memcmp(buf, "KDUMP   ", 8)) {
				/* the main header: where the descriptor table starts */
				uint32_t bs = le32(buf + 428), sub = le32(buf + 432), bmb = le32(buf + 436);

				limit = ((uint64_t)1 + sub + bmb) * bs + 24 * ndesc;
			}
			if (out >= 0 && at < limit) {
				size_t k = limit - at < n ? (size_t)(limit - at) : n;

				if (pwrite(out, buf, k, (off_t)at) != (ssize_t)k)
					fail(2, strerror(errno), pos);
			}
			done += n;
		}
	}
	if (out >= 0 && close(out) < 0)
		fail(2, strerror(errno), pos);
	printf("stream_bytes=%" PRIu64 " records=%" PRIu64 " dump_bytes=%" PRIu64 "\n",
	       pos, records, dump_bytes);
	return 0;
}

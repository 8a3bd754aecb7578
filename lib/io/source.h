/* source.h - the input file: /proc/vmcore or a dump file, read by offset.
 *
 * All reads are exact: a read that ends past the end of the file is a
 * DS_ECORRUPT error naming the offset ("truncated"), never a short buffer.
 * Reads go through pread for now; large mmap windows (--non-mmap turns
 * them off) come with the performance work and stay behind this interface.
 */
#ifndef DS_SOURCE_H
#define DS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

struct source {
	int fd;
	uint64_t size;        /* st_size; /proc/vmcore reports its real size */
	const char *path;     /* for messages; not owned */
};

int source_open(struct source *src, const char *path, struct ds_err *err);
void source_close(struct source *src);

/* Read exactly len bytes at off. */
int source_read(struct source *src, uint64_t off, void *buf, size_t len,
		struct ds_err *err);

#endif

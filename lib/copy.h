/* copy.h - the copy phase: every dumped pfn, in pfn order, read once, zero
 * checked, compressed, handed to the kdump writer.  Serial when threads <= 1;
 * otherwise worker threads compress batches of pages while the calling
 * thread reads and writes them in order, so the output is byte-identical. */
#ifndef DS_COPY_H
#define DS_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keepmap.h"
#include "compress/codec.h"
#include "elf/elf_read.h"
#include "format/kdump_write.h"
#include "io/source.h"
#include "kernel/kernel.h"

struct copy_job {
	struct kernel *k;
	struct elf_core *core;
	struct source *src;
	const struct keepmap *km;
	const struct codec_ops *codec;
	bool exclude_zero;               /* dump level bit 1: share the zero page */
	unsigned threads;                /* compression workers; <= 1: none */
	struct kdump_writer *w;
	void (*progress)(void *arg, const char *phase, uint64_t done, uint64_t total);
	void *progress_arg;

	uint64_t zero_pages;             /* out: pages that pointed at the zero page */
};

int copy_pages(struct copy_job *c, struct ds_err *err);

#endif

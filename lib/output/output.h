/* output.h - the output seam: where the kept pages go, whatever the format.
 *
 * One ops table per format, one file per member (kdump.c: kdump-compressed,
 * through lib/format/kdump_write; elf.c: ELF, -E); output.c is the registry and owns the
 * output files: it creates them, hands the member a sink (a file, the
 * flattened stream on standard output with -F, or nothing with --dry-run),
 * and is the one place where a failed dump's files are dealt with
 * (output_fail).
 *
 * Call order: output_create (as soon as the input is known to be good, so
 * that "file exists" comes before the work), output_begin once the kept set
 * is final (the dump's metadata and the page maps), then output_add_page or
 * output_add_zero once per dumped pfn in ascending pfn order, then
 * output_finish; on any failure after output_create, output_fail.
 *
 * A member that stores pages compressed (takes_compressed) gets each page
 * as the copy encoded it (flags 0: raw, size = page size; else one codec
 * flag); one that does not gets raw pages only.  Zero pages (dump level bit
 * 1) come as output_add_zero.
 */
#ifndef DS_OUTPUT_H
#define DS_OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../common/err.h"
#include "../common/keepmap.h"
#include "../common/meta.h"
#include "../compress/codec.h"
#include "../io/outfile.h"
#include "../io/sink.h"

enum output_format {
	OUTPUT_KDUMP,                    /* kdump-compressed (the default) */
	OUTPUT_ELF,                      /* -E */
	OUTPUT_FORMAT_MAX
};

struct output_config {
	enum output_format format;
	const struct codec_ops *codec;   /* how pages are compressed, when they are */
	const char *path;                /* DUMPFILE (unused with flatten or dry_run) */
	bool force;                      /* overwrite an existing DUMPFILE */
	bool flatten;                    /* -F: the flattened stream on standard output */
	bool dry_run;                    /* write nothing */
	uint64_t size_limit;             /* -L: bytes the output may take; 0 = no limit */
	const volatile sig_atomic_t *cancel;   /* a write that waits ends when set */
	const struct stat *input;        /* VMCORE: never written over; NULL if none */
};

/* What a dump that could not be finished left behind (output_fail). */
struct output_incomplete {
	bool kept;                       /* a readable dump flagged incomplete is there */
	uint64_t planned;                /* pages it was to hold */
	uint64_t pages;                  /* pages it holds */
	uint64_t lost;                   /* of the planned, unreadable in the input */
};

struct output;

struct output_ops {
	const char *name;
	bool takes_compressed;
	int (*begin)(struct output *o, const struct dump_meta *m, const struct keepmap *km,
		     struct ds_err *err);
	int (*add_page)(struct output *o, uint64_t pfn, const void *data, uint32_t size,
			uint32_t flags, struct ds_err *err);
	int (*add_zero)(struct output *o, uint64_t pfn, struct ds_err *err);
	/* The page at pfn could not be read from the input: it is left out. */
	int (*add_lost)(struct output *o, uint64_t pfn, struct ds_err *err);
	/* Everything written and flushed; *ret_bytes = the dump's size.  On
	 * failure the member's state stays, for close_incomplete or abort. */
	int (*finish)(struct output *o, uint64_t *ret_bytes, struct ds_err *err);
	/* The dump cannot go on: leave what was written a readable dump
	 * flagged incomplete, if the format can; fills *ret.  Frees the
	 * member's state.  NULL: the member cannot. */
	int (*close_incomplete)(struct output *o, struct output_incomplete *ret,
				struct ds_err *err);
	/* Give up; frees the member's state.  Safe before begin. */
	void (*abort)(struct output *o);
};

struct output {
	const struct output_ops *ops;
	struct output_config cfg;
	void *priv;                      /* the member's state, after begin */
	struct sink sink;
	struct outfile file;             /* DUMPFILE once begun (fd -1 before) */
	/* Set before output_begin: pages will come in any pfn order (the most
	 * useful first); only for a file. */
	bool any_order;
	bool finished;
	struct output_incomplete left;   /* after output_fail */
	/* Readable pages the format had to leave out of the dump (ELF: more
	 * runs of unreadable pages than program headers to cut them out) */
	uint64_t dropped_pages;
};

/* Check that DUMPFILE can be written (or set up the stream / dry run) for
 * cfg's format.  A file is created only by output_begin, when the dump has
 * its first bytes: a dump that fails before leaves nothing behind, and -f
 * leaves the old file alone until then. */
int output_create(struct output *o, const struct output_config *cfg, struct ds_err *err);

/* How many bytes the output can take, as far as is known before writing:
 * the -L limit, and for a file the free space of its file system (plus
 * what a file replaced with -f gives back); UINT64_MAX when unknown (a
 * stream without -L, --dry-run). */
uint64_t output_room(const struct output *o);

int output_begin(struct output *o, const struct dump_meta *m, const struct keepmap *km,
		 struct ds_err *err);

static inline int output_add_page(struct output *o, uint64_t pfn, const void *data,
				  uint32_t size, uint32_t flags, struct ds_err *err)
{
	return o->ops->add_page(o, pfn, data, size, flags, err);
}

static inline int output_add_zero(struct output *o, uint64_t pfn, struct ds_err *err)
{
	return o->ops->add_zero(o, pfn, err);
}

static inline int output_add_lost(struct output *o, uint64_t pfn, struct ds_err *err)
{
	return o->ops->add_lost(o, pfn, err);
}

/* Finish the format, close the file.  On failure the caller still calls
 * output_fail. */
int output_finish(struct output *o, uint64_t *ret_bytes, struct ds_err *err);

/* The failure path of every dump.  What was written stays when it is a
 * readable dump holding pages: the member closes it as an incomplete dump
 * (o->left says how much is in it).  Otherwise the member stops and a
 * file this run created (or was told to replace) is removed; a device is
 * never removed.  Safe on a zeroed output and after output_finish. */
void output_fail(struct output *o);

extern const struct output_ops output_kdump_ops;
extern const struct output_ops output_elf_ops;

#endif

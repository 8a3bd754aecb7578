/* dumpsieve.h - the library API used by the command-line front.
 *
 * The library is silent: it never prints and never exits.  Warnings reach
 * the caller through the notice callback, progress through the progress
 * callback, failures as a negative status with a message in struct ds_err.
 */
#ifndef DUMPSIEVE_H
#define DUMPSIEVE_H

#include <stdbool.h>
#include <stdint.h>

#include "ds_err.h"

enum ds_codec {
	DS_CODEC_NONE,
	DS_CODEC_ZLIB,     /* -c */
	DS_CODEC_LZO,      /* -l */
	DS_CODEC_SNAPPY,   /* -p */
	DS_CODEC_ZSTD,     /* -z */
	DS_CODEC_MAX
};

struct ds_options {
	const char *input;         /* VMCORE */
	const char *output;        /* DUMPFILE (ignored with dry_run) */
	unsigned dump_level;       /* 0..31 */
	enum ds_codec codec;
	bool force;                /* overwrite an existing DUMPFILE */
	bool dry_run;              /* do everything but write */
	bool flatten;              /* -F: flattened stream on standard output */
	bool no_mmap;              /* --non-mmap: read the input with pread only */
	unsigned num_threads;      /* compression threads; 0 or 1: none (serial) */
	bool exclude_vmemmap;      /* -e: drop struct pages of excluded memory */
	/* Memory for the page maps' mixed parts (--cyclic-buffer, in bytes here);
	 * 0 = a quarter of MemAvailable, at most 256 MiB.  Past it they spill
	 * to a file in work_dir (--work-dir) when one is given. */
	uint64_t map_budget;
	const char *work_dir;

	/* A warning that does not stop the dump, e.g. a filtering rule that
	 * cannot be applied for lack of VMCOREINFO.  May be NULL. */
	void (*notice)(void *arg, const char *msg);
	void *notice_arg;
	/* Phase progress; done == total at the end of a phase.  May be NULL. */
	void (*progress)(void *arg, const char *phase, uint64_t done, uint64_t total);
	void *progress_arg;
};

/* What happened, in the terms of makedumpfile's final report. */
struct ds_report {
	uint64_t max_mapnr;        /* Total pages */
	uint64_t hole_pages;       /* Memory Hole */
	uint64_t original_pages;   /* max_mapnr - holes */
	uint64_t zero_pages;
	uint64_t cache_pages;      /* non-private cache */
	uint64_t cache_private_pages;
	uint64_t user_pages;
	uint64_t free_pages;       /* includes unaccepted memory */
	uint64_t hwpoison_pages;
	uint64_t offline_pages;
	uint64_t vmemmap_pages;    /* -e: struct page array pages left out */
	uint64_t excluded_pages;   /* sum of the above */
	uint64_t remaining_pages;
	uint64_t write_bytes;
	char osrelease[65];
};

/* Create the dump described by o.  Returns 0 or -DS_E*. */
int ds_dump(const struct ds_options *o, struct ds_report *rep, struct ds_err *err);

/* -R: rebuild `output` from the flattened stream read on in_fd.  Refuses
 * an existing file unless force; removes the output on failure. */
int ds_rearrange(int in_fd, const char *output, bool force, uint64_t *ret_bytes,
		 struct ds_err *err);

/* Is this codec built in?  (A requested codec that is not is an error,
 * never a silent uncompressed dump.) */
bool ds_codec_available(enum ds_codec c);
const char *ds_codec_name(enum ds_codec c);

const char *ds_version(void);

#endif

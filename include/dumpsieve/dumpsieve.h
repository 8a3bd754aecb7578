/* dumpsieve.h - the library API used by the command-line front.
 *
 * The library is silent: it never prints and never exits.  Warnings reach
 * the caller through the notice callback, progress through the progress
 * callback, failures as a negative status with a message in struct ds_err.
 */
#ifndef DUMPSIEVE_H
#define DUMPSIEVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
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
	const char *input;         /* VMCORE: an ELF vmcore, a kdump-compressed or
				      flattened dump, "-" = standard input */
	const char *output;        /* DUMPFILE (ignored with dry_run) */
	bool elf;                  /* -E: write an ELF dump */
	/* VMCORE given as several files: the files of a split dump */
	const char *const *inputs;
	unsigned n_inputs;         /* > 1: inputs is used instead of input */
	/* --split: DUMPFILE1..n, each a dump of its range of pfns */
	const char *const *outputs;
	unsigned n_outputs;        /* > 1: outputs is used instead of output */
	uint64_t splitblock_size;  /* --splitblock-size, bytes; 0: 1 GiB */
	bool codec_from_input;     /* --reassemble: the input dump's codec */
	unsigned dump_level;       /* 0..31 */
	enum ds_codec codec;
	bool force;                /* overwrite an existing DUMPFILE */
	bool dry_run;              /* do everything but write */
	bool flatten;              /* -F: flattened stream on standard output */
	bool no_mmap;              /* --non-mmap: read the input with pread only */
	/* The caller's SIGBUS handler, installed with SA_SIGINFO | SA_NODEFER,
	 * calls ds_input_fault: VMCORE may then be read through mmap (a page
	 * that cannot be read is a SIGBUS there).  Without it: read(2) only. */
	bool faults_handled;
	unsigned num_threads;      /* compression threads; 0 or 1: none (serial) */
	bool exclude_vmemmap;      /* -e: drop struct pages of excluded memory */
	/* Memory for the page maps' mixed parts (--cyclic-buffer, in bytes here);
	 * 0 = an eighth of MemAvailable or of the memory cgroup's room
	 * (limit - usage) when lower, at most 48 MiB.  Past it they spill
	 * to a file in work_dir (--work-dir) when one is given, else the scan
	 * makes the pieces it dropped again when they are read. */
	uint64_t map_budget;
	const char *work_dir;
	/* -L: the most bytes DUMPFILE (with -F: the stream) may hold; 0 = no
	 * limit.  Reaching it closes the dump as an incomplete dump. */
	uint64_t size_limit;
	/* Stop as soon as possible once *cancel is non-zero (the caller's
	 * signal handler sets it); a dump is then closed as an incomplete
	 * dump, -R keeps what arrived.  May be NULL. */
	const volatile sig_atomic_t *cancel;

	/* The input is the running system (/proc/kcore): leave its crashkernel
	 * reservation (/proc/iomem) out of the pages, as a kdump of it would. */
	bool omit_crashkernel;
	/* --mem-usage: a dump given as input lacks the pages it left out, but
	 * not their struct pages: classify those pages too, so the census of a
	 * dump is the census of the memory it was made from. */
	bool census_absent;

	/* --dump-dmesg: the kernel log instead of a dump (ds_dump_dmesg).  The
	 * log goes to `output`, or to standard output with `flatten` (-F). */
	bool partial_dmesg;        /* only what came after the last `dmesg --clear` */
	bool dmesg_caller_id;      /* the "[    T123] " column of makedumpfile 1.7.5+ */

	/* The VMCOREINFO text of the input, as soon as it is known (for the
	 * debug messages, which scripts parse for OSRELEASE= and CRASHTIME=).
	 * May be NULL. */
	void (*vmcoreinfo)(void *arg, const char *text, size_t len);
	void *vmcoreinfo_arg;

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
	uint32_t page_size;
	char osrelease[65];
	/* A dump that could not be finished (the output filled or failed, -L,
	 * cancel) but was kept: DUMPFILE is a readable dump flagged INCOMPLETE
	 * holding kept_pages of the planned_pages. */
	bool incomplete;
	uint64_t planned_pages, kept_pages;
	/* Pages of VMCORE that could not be read (EIO, a short file): left out
	 * of the dump, which goes on. */
	uint64_t unreadable_pages;
};

/* Create the dump described by o.  Returns 0 or -DS_E*. */
int ds_dump(const struct ds_options *o, struct ds_report *rep, struct ds_err *err);

/* --mem-usage: the page census of o->input (a vmcore, a dump, or the
 * running system's /proc/kcore): what dump level 31 leaves out, by category,
 * and the kernel data that stays; nothing is written.  rep as ds_dump fills
 * it (excluded_pages + remaining_pages = original_pages). */
int ds_mem_usage(const struct ds_options *o, struct ds_report *rep, struct ds_err *err);

/* What --dump-dmesg found. */
struct ds_dmesg_report {
	char osrelease[65];
	const char *layout;        /* which printk layout the kernel used */
	uint64_t records;          /* lines written (0 for the plain layout) */
	uint64_t bytes;            /* bytes written */
	uint64_t not_finished;     /* records the kernel was still writing or had given up */
	uint64_t truncated;        /* records whose text was cut to their block */
	uint64_t damaged;          /* damages found (each reported through notice) */
	bool partial_ignored;      /* --partial-dmesg: the kernel keeps no clear mark */
};

/* --dump-dmesg: write the crashed kernel's log (o->input; o->output, or
 * standard output with o->flatten).  Returns 0 or -DS_E*.  A log with
 * damage still returns 0 with rep->damaged > 0 when some records could be
 * trusted (they are in the output; each damage went to o->notice); when
 * none could, it fails and leaves no file. */
int ds_dump_dmesg(const struct ds_options *o, struct ds_dmesg_report *rep, struct ds_err *err);

/* What -R rebuilt. */
struct ds_rearranged {
	uint64_t bytes;            /* size of DUMPFILE */
	uint64_t records;          /* whole records applied */
	uint64_t stream_bytes;     /* bytes of stream read */
	bool cut;                  /* the stream stopped before its end marker (or failed) */
	bool incomplete;           /* DUMPFILE was kept as an incomplete dump */
	bool kdump;                /* ... kdump-compressed: the page counts say how much */
	uint64_t pages_planned;    /* pages the dump was to hold */
	uint64_t pages_kept;       /* pages it holds, readable */
};

/* -R: rebuild `output` from the flattened stream read on in_fd.  Refuses
 * an existing file unless force.  A stream that stops early, or whose dump
 * says it is incomplete, fails (the message says why) but leaves the
 * readable part as an incomplete dump (rep->incomplete); when nothing in it
 * is a dump, the output is removed. */
int ds_rearrange(int in_fd, const char *output, bool force,
		 const volatile sig_atomic_t *cancel, struct ds_rearranged *rep,
		 struct ds_err *err);

/* For the caller's SIGBUS handler (see ds_options.faults_handled), with
 * the fault address (si_addr): a fault in a read of VMCORE through its
 * mapping makes that read fail as read(2) would, and this does not return;
 * any other fault returns false (restore the default action and return). */
bool ds_input_fault(void *addr);

/* Is this codec built in?  (A requested codec that is not is an error,
 * never a silent uncompressed dump.) */
bool ds_codec_available(enum ds_codec c);
const char *ds_codec_name(enum ds_codec c);

const char *ds_version(void);

#endif

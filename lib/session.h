/* session.h - the dump's phases as steps that every job reuses.
 *
 * A job (the dump in dump.c; the kernel log, the page census and the
 * re-filtering jobs beside it) strings together the steps it needs, in this
 * order, each building on the ones before:
 *
 *   session_open_input   open the input, whatever its format (input seam)
 *   session_kernel       the kernel model: VMCOREINFO, page size,
 *                        architecture, page-table root
 *   session_create_output  create the output file(s) (output seam); early,
 *                        so that "file exists" comes before the work
 *   session_page_maps    the dump level's rules; where the struct page
 *                        arrays are; the keep-map with every present pfn
 *                        that the input holds
 *   session_filter       the one scan, -e
 *   session_write        the dump's metadata, then every kept page read,
 *                        encoded and handed to the output (with --split:
 *                        each file's pfn range by its own thread, each
 *                        thread reading through its own input)
 *   session_end          the one place where a job ends: on failure the
 *                        output is given up (output_fail), then everything
 *                        is released, whatever steps ran
 *
 * The steps take their settings from struct ds_options (a job fills the
 * fields it uses) and report through its notice and progress callbacks.
 */
#ifndef DS_SESSION_H
#define DS_SESSION_H

#include <dumpsieve/dumpsieve.h>

#include <sys/stat.h>

#include "common/keepmap.h"
#include "common/meta.h"
#include "filter/classify.h"
#include "filter/memmap.h"
#include "filter/scan.h"
#include "input/input.h"
#include "kernel/kernel.h"
#include "output/output.h"

struct session {
	const struct ds_options *o;

	struct input in;                 /* session_open_input */
	struct input_range *omit;        /* omit_crashkernel: what in leaves out */
	size_t n_omit;
	struct kernel k;                 /* session_kernel */
	struct output out;               /* session_create_output */
	struct output *split_outs;       /* session_create_split: --split files */
	unsigned n_split;
	struct page_rules rules;         /* session_page_maps */
	struct memmap mm;
	struct keepmap km;
	uint64_t max_pfn;                /* pfns the keep-map covers */
	uint64_t absent_pages;           /* present pfns the input holds no data for */
	struct scan_stats scan;          /* session_filter */
	struct scan_regen regen;         /* chunks of the keep-map made again */
	uint64_t vmemmap_pages;          /* -e: struct page pages left out */
	uint64_t zero_pages;             /* session_write: pages found zero */
	uint64_t unreadable_pages;       /* session_write: pages the input could not give */
	struct stat in_stat;             /* the input file, never written over */
	/* pages read to understand the kernel (page tables, mem_section,
	 * utsname): the first an analysis needs (lib/order.h) */
	uint64_t *traced;
	size_t n_traced, cap_traced;
	struct order *order;             /* session_write: most useful first, or NULL */
	uint64_t write_bytes;            /* the output's size */

	bool in_open, k_init, out_open, maps_built, regen_init;
};

void session_init(struct session *s, const struct ds_options *o);

int session_open_input(struct session *s, struct ds_err *err);
int session_kernel(struct session *s, struct ds_err *err);
int session_create_output(struct session *s, const struct output_config *cfg,
			  struct ds_err *err);
/* --split: one output per path (cfg's path is ignored). */
int session_create_split(struct session *s, const struct output_config *cfg,
			 const char *const *paths, unsigned n, struct ds_err *err);
int session_page_maps(struct session *s, struct ds_err *err);
int session_filter(struct session *s, struct ds_err *err);

/* The metadata a dump of this session records (utsname read from the
 * crashed kernel's memory). */
void session_meta(struct session *s, struct dump_meta *m);

int session_write(struct session *s, struct ds_err *err);

/* End the job: status < 0 means it failed (the output is given up). */
void session_end(struct session *s, int status);

/* Warnings and progress through the job's callbacks. */
void session_notice(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void session_progress(const struct session *s, const char *phase, uint64_t done,
		      uint64_t total);

#endif

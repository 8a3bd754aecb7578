/* kdump_write.h - writer of the kdump-compressed ("KDUMP   ") format.
 *
 * Layout (docs/formats.md, "kdump-compressed"): block 0 main header, block 1..
 * sub header + verbatim copy of the vmcore's ELF notes, 1st bitmap, 2nd
 * bitmap, page descriptor table (one 24-byte entry per set bit of the 2nd
 * bitmap, in pfn order), page data.  Because zero pages keep their 2nd-bitmap
 * bit (they share one descriptor pointing at a single zero page), the number
 * of descriptors is known right after the struct page scan, before any page
 * is read: the writer places the table and streams the data in one pass.
 *
 * A dump file is a valid dump that says it is incomplete from its first
 * write: the main header goes out first with the INCOMPLETE status flag,
 * and only the last write, after everything else is on disk, rewrites it
 * without the flag.  Whatever stops the dump in between (a full disk, -L,
 * a signal, SIGKILL, a power cut), readers see an incomplete dump; every
 * descriptor that reached the file has its data there (docs/formats.md,
 * "Incomplete dumps").
 *
 * Call order: kdump_writer_open, then kdump_writer_add_* once per dumped pfn
 * in pfn order (any order with params.any_order), then kdump_writer_finish, or kdump_writer_close_incomplete
 * when the dump cannot go on (keeps what is there, readable), or
 * kdump_writer_abort (touches nothing more).  The sink decides where bytes
 * go: a file, a flattened stream (-F), or nowhere (--dry-run).
 */
#ifndef DS_KDUMP_WRITE_H
#define DS_KDUMP_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/keepmap.h"
#include "../common/machine.h"
#include "kdump_header.h"
#include "../io/sink.h"

#define KDUMP_HEADER_VERSION 6
#define KDUMP_STATUS_INCOMPLETE      0x08u
#define KDUMP_STATUS_EXCLUDED_VMEMMAP 0x10u

struct kdump_params {
	/* the dumped machine: the headers and descriptors are in its byte
	 * order and C layout (word_size 4: i386's; 8 or 0: LP64's), as that
	 * architecture's makedumpfile writes them and its readers expect */
	struct machine mach;
	uint32_t block_size;             /* the kernel's page size */
	uint64_t max_mapnr;              /* pfns covered by the bitmaps */
	const uint8_t *notes;            /* verbatim PT_NOTE contents */
	uint64_t notes_size;
	uint64_t vmcoreinfo_off;         /* of the VMCOREINFO desc within notes */
	uint64_t vmcoreinfo_size;
	char utsname[6][KDUMP_UTS_LEN];  /* sysname, nodename, release, version, machine, domainname */
	uint64_t crashtime;              /* tv_sec; tv_usec is always 0 */
	int32_t nr_cpus;
	uint64_t phys_base;
	int32_t dump_level;
	uint32_t status;                 /* compression flag (+ other status bits) */
	bool exclude_zero;               /* dump level has bit 1: shared zero page first */
	/* --split: this file holds the pages of pfns [start_pfn, end_pfn) only;
	 * bitmaps and the size of the descriptor table stay the whole dump's,
	 * its descriptors start at the table's beginning. */
	bool split;
	uint64_t start_pfn, end_pfn;
	/* Pages come in any pfn order (most useful first, when not all may
	 * fit): each descriptor goes to the slot of its pfn.  Files only. */
	bool any_order;
};

struct kdump_layout {
	uint32_t sub_hdr_blocks;
	uint64_t bitmap_bytes;           /* each bitmap */
	uint64_t bitmap1_off, bitmap2_off;
	uint64_t desc_off;
	uint64_t data_off;               /* the shared zero page sits here when exclude_zero */
	uint64_t num_dumpable;           /* 2nd-bitmap bits: the table's size */
	uint64_t planned;                /* descriptors this file holds */
};

struct kdump_writer;

/* Compute the layout for a dump with this many 2nd-bitmap bits. */
void kdump_layout_compute(const struct kdump_params *p, uint64_t num_dumpable,
			  struct kdump_layout *ret);

/* Write the sub header, notes and both bitmaps; prepare page streaming. */
int kdump_writer_open(struct kdump_writer **ret_w, struct sink *sink,
		      const struct kdump_params *p, const struct keepmap *km,
		      struct ds_err *err);

/* Dumped pfn `pfn` (the next one in pfn order, unless any_order) is all
 * zeros (only when exclude_zero). */
int kdump_writer_add_zero(struct kdump_writer *w, uint64_t pfn, struct ds_err *err);

/* Dumped pfn `pfn`'s data: size bytes, flags 0 (raw, size == block size)
 * or one KDUMP_FLAG_* codec flag (size < block size). */
int kdump_writer_add_page(struct kdump_writer *w, uint64_t pfn, const void *data,
			  uint32_t size, uint32_t flags, struct ds_err *err);

/* Dumped pfn `pfn` could not be read: it leaves the dump (on a file its
 * 2nd-bitmap bit is cleared at the end; a stream keeps an empty descriptor,
 * which readers call a lost page). */
int kdump_writer_add_lost(struct kdump_writer *w, uint64_t pfn, struct ds_err *err);

/* Flush everything, check that exactly num_dumpable pages were added, make
 * it durable, then rewrite the main header without INCOMPLETE and finish
 * the sink (fsync, end marker).  *ret_bytes = the dump's size.  Frees w on
 * success; on failure w stays, for close_incomplete or abort. */
int kdump_writer_finish(struct kdump_writer *w, uint64_t *ret_bytes, struct ds_err *err);

struct kdump_incomplete {
	uint64_t planned;                /* pages the dump was to hold */
	uint64_t kept;                   /* pages it holds, readable */
	uint64_t lost;                   /* of the planned, unreadable in the input */
};

/* The dump cannot go on (the output failed or is full, a signal): write
 * what is pending if the output still takes it, then leave a consistent
 * incomplete dump: on a file the pages without their descriptor or data
 * leave the 2nd bitmap (kdump_repair); a stream still open gets a 2nd
 * bitmap ending at the last page sent and its end marker.  The header keeps
 * INCOMPLETE.  Fills *ret; returns 0 or the error of the repair.  Frees w. */
int kdump_writer_close_incomplete(struct kdump_writer *w, struct kdump_incomplete *ret,
				  struct ds_err *err);

/* Stop here and touch nothing more (the file, if any, says incomplete).
 * Frees w. */
void kdump_writer_abort(struct kdump_writer *w);

/* Serialise the main header / sub header in p->mach's layout: LP64 (464 /
 * 104 bytes) or i386 (452 / 80: 4-byte longs, 8-byte members 4-aligned),
 * in its byte order.  out has room for the LP64 sizes (the largest).
 * Exposed for unit tests. */
/* (KDUMP_MAIN_HEADER_SIZE, KDUMP_SUB_HEADER_SIZE: kdump_header.h) */
uint32_t kdump_main_header_size(const struct kdump_params *p);
uint32_t kdump_sub_header_size(const struct kdump_params *p);

void kdump_encode_main_header(const struct kdump_params *p, const struct kdump_layout *l,
			      uint8_t out[KDUMP_MAIN_HEADER_SIZE]);
void kdump_encode_sub_header(const struct kdump_params *p, const struct kdump_layout *l,
			     uint8_t out[KDUMP_SUB_HEADER_SIZE]);

#endif

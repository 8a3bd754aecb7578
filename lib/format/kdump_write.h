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
 * Call order: kdump_writer_open, then kdump_writer_add_* once per dumped pfn
 * in pfn order, then kdump_writer_finish (writes the main header last, so a
 * file cut short never carries a valid signature; a stream sink gets it
 * first) or kdump_writer_abort.  The sink decides where bytes go: a file,
 * a flattened stream (-F), or nowhere (--dry-run).
 */
#ifndef DS_KDUMP_WRITE_H
#define DS_KDUMP_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/keepmap.h"
#include "../io/sink.h"

#define KDUMP_UTS_LEN 65
#define KDUMP_HEADER_VERSION 6
#define KDUMP_STATUS_INCOMPLETE      0x08u
#define KDUMP_STATUS_EXCLUDED_VMEMMAP 0x10u

struct kdump_params {
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
};

struct kdump_layout {
	uint32_t sub_hdr_blocks;
	uint64_t bitmap_bytes;           /* each bitmap */
	uint64_t bitmap1_off, bitmap2_off;
	uint64_t desc_off;
	uint64_t data_off;               /* the shared zero page sits here when exclude_zero */
	uint64_t num_dumpable;
};

struct kdump_writer;

/* Compute the layout for a dump with this many 2nd-bitmap bits. */
void kdump_layout_compute(const struct kdump_params *p, uint64_t num_dumpable,
			  struct kdump_layout *ret);

/* Write the sub header, notes and both bitmaps; prepare page streaming. */
int kdump_writer_open(struct kdump_writer **ret_w, struct sink *sink,
		      const struct kdump_params *p, const struct keepmap *km,
		      struct ds_err *err);

/* The next dumped pfn is all zeros (only when exclude_zero). */
int kdump_writer_add_zero(struct kdump_writer *w, struct ds_err *err);

/* The next dumped pfn's data: size bytes, flags 0 (raw, size == block
 * size) or one KDUMP_FLAG_* codec flag (size < block size). */
int kdump_writer_add_page(struct kdump_writer *w, const void *data, uint32_t size,
			  uint32_t flags, struct ds_err *err);

/* Flush everything, check that exactly num_dumpable pages were added, write
 * the main header, finish the sink (fsync, end marker).  *ret_bytes = the
 * dump's size.  Frees w in all cases. */
int kdump_writer_finish(struct kdump_writer *w, uint64_t *ret_bytes, struct ds_err *err);

/* Stop without a header (the caller removes the file).  Frees w. */
void kdump_writer_abort(struct kdump_writer *w);

/* Serialise the 464-byte main header / 104-byte sub header (x86_64 LP64
 * layout, little-endian).  Exposed for unit tests. */
#define KDUMP_MAIN_HEADER_SIZE 464u
#define KDUMP_SUB_HEADER_SIZE  104u
void kdump_encode_main_header(const struct kdump_params *p, const struct kdump_layout *l,
			      uint8_t out[KDUMP_MAIN_HEADER_SIZE]);
void kdump_encode_sub_header(const struct kdump_params *p, const struct kdump_layout *l,
			     uint8_t out[KDUMP_SUB_HEADER_SIZE]);

#endif

/* kdump_header.h - where the fields of a kdump-compressed file's main
 * header and sub header lie, for the machine the file describes.
 *
 * makedumpfile writes struct disk_dump_header and struct kdump_sub_header
 * straight from memory: the dumped architecture's C layout and byte order
 * (docs/formats.md).  Two layouts exist among the architectures dumpsieve
 * reads: LP64 (x86_64, arm64, ppc64, s390x, riscv64: 464 / 104 bytes) and
 * i386 (4-byte longs, 8-byte members 4-aligned: 452 / 80 bytes).
 *
 * Only lib/common below this: the flattened-stream reader (lib/io) and the
 * writer and repair (lib/format) share it.
 */
#ifndef DS_KDUMP_HEADER_H
#define DS_KDUMP_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/machine.h"

#define KDUMP_MAIN_HEADER_SIZE 464u      /* the largest (LP64) */
#define KDUMP_SUB_HEADER_SIZE  104u
#define KDUMP_MAIN_HEADER_MIN  452u      /* the smallest (i386) */
#define KDUMP_UTS_LEN          65u       /* struct new_utsname's strings */

struct kdump_offsets {
	uint16_t hdr_size, sub_size;     /* of the main header, the sub header */
	uint8_t long_size;               /* unsigned long */
	uint16_t timestamp;              /* struct timeval: two longs */
	uint16_t status;                 /* then block_size, sub_hdr_size,
					  * bitmap_blocks, max_mapnr, total_ram_blocks,
					  * device_blocks, written_blocks, current_cpu,
					  * nr_cpus: 4 bytes each */
	/* in the sub header */
	uint8_t dump_level;              /* after phys_base (a long); split follows */
	uint8_t start_pfn;               /* start_pfn, end_pfn: longs */
	uint8_t vmcoreinfo;              /* offset (s64) + size (long) */
	uint8_t note;                    /* offset (s64) + size (long) */
	uint8_t eraseinfo;               /* offset (s64) + size (long) */
	uint8_t pfn64;                   /* start_pfn_64, end_pfn_64, max_mapnr_64 */
};

/* The layout of a machine: i386's for 4-byte words, LP64's otherwise. */
const struct kdump_offsets *kdump_offsets_of(const struct machine *m);

/* Which machine a main header (at least KDUMP_MAIN_HEADER_MIN bytes) was
 * written for: the byte order from header_version (a small number in one
 * order only), the word size from utsname.machine (i386 ... i686: 4 bytes,
 * else 8).  False, with x86_64's little-endian LP64 in *ret, when
 * header_version is no plausible version in either order. */
bool kdump_header_machine(const uint8_t *hdr, struct machine *ret);

#endif

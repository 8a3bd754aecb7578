/* machine.h - the crashed machine, described apart from the host.
 *
 * What a reader or writer of dump data must know about the machine that
 * crashed, and nothing about the one dumpsieve runs on: the byte order of
 * its integers, the size of its `unsigned long` (4 on i386, 8 elsewhere) and
 * its page size.  The input fills byte order (ELF EI_DATA) and word size (the
 * architecture), the kernel model the page size (VMCOREINFO PAGESIZE); the
 * filter reads struct pages with it and the writers lay out headers with it.
 * All integer access goes through bytes.h.
 */
#ifndef DS_MACHINE_H
#define DS_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"

struct machine {
	bool big_endian;
	uint8_t word_size;       /* bytes in unsigned long and pointers: 4 or 8 */
	uint8_t page_shift;
	uint32_t page_size;      /* 0 until known */
};

/* An unsigned long (or pointer) of the crashed machine. */
static inline uint64_t machine_get_word(const struct machine *m, const void *p)
{
	return m->word_size == 4 ? bytes_get_u32(m->big_endian, p)
				 : bytes_get_u64(m->big_endian, p);
}

static inline void machine_put_word(const struct machine *m, void *p, uint64_t v)
{
	if (m->word_size == 4)
		bytes_put_u32(m->big_endian, p, (uint32_t)v);
	else
		bytes_put_u64(m->big_endian, p, v);
}

static inline uint16_t machine_get_u16(const struct machine *m, const void *p)
{
	return bytes_get_u16(m->big_endian, p);
}

static inline uint32_t machine_get_u32(const struct machine *m, const void *p)
{
	return bytes_get_u32(m->big_endian, p);
}

static inline uint64_t machine_get_u64(const struct machine *m, const void *p)
{
	return bytes_get_u64(m->big_endian, p);
}

static inline uint64_t machine_get_uint(const struct machine *m, const void *p,
					unsigned width)
{
	return bytes_get_uint(m->big_endian, p, width);
}

static inline void machine_put_u16(const struct machine *m, void *p, uint16_t v)
{
	bytes_put_u16(m->big_endian, p, v);
}

static inline void machine_put_u32(const struct machine *m, void *p, uint32_t v)
{
	bytes_put_u32(m->big_endian, p, v);
}

static inline void machine_put_u64(const struct machine *m, void *p, uint64_t v)
{
	bytes_put_u64(m->big_endian, p, v);
}

/* The largest value an unsigned long holds. */
static inline uint64_t machine_word_max(const struct machine *m)
{
	return m->word_size == 4 ? UINT32_MAX : UINT64_MAX;
}

#endif

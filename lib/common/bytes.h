/* bytes.h - the one set of byte helpers every reader and writer uses.
 *
 * A dump's integers are in the crashed machine's byte order (little-endian
 * x86_64, arm64, riscv64, ppc64le, i386; big-endian s390x), or in an order
 * a format fixes (the flattened stream's big-endian record headers).  They
 * are always assembled from bytes here, never by casting a buffer to an
 * integer type, so nothing depends on the host's byte order or alignment:
 * the same code runs on a big-endian host (the unit tests run on s390x under
 * qemu-user).  Compilers turn these shift sequences into single loads (and a
 * byte swap where needed).
 *
 * bytes_get_le64 / bytes_put_be32 ...: a fixed order.
 * bytes_get_u32(big_endian, p) ...:     an order chosen at run time.
 * bytes_get_uint(big_endian, p, width): 1, 2, 4 or 8 bytes.
 * struct machine (machine.h) adds the word size for `unsigned long`s.
 */
#ifndef DS_BYTES_H
#define DS_BYTES_H

#include <stdbool.h>
#include <stdint.h>

static inline uint16_t bytes_get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | (uint16_t)b[1] << 8);
}

static inline uint32_t bytes_get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t bytes_get_le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)bytes_get_le32(b) | (uint64_t)bytes_get_le32(b + 4) << 32;
}

static inline uint16_t bytes_get_be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)((uint16_t)b[0] << 8 | b[1]);
}

static inline uint32_t bytes_get_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	       (uint32_t)b[3];
}

static inline uint64_t bytes_get_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)bytes_get_be32(b) << 32 | (uint64_t)bytes_get_be32(b + 4);
}

static inline void bytes_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void bytes_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void bytes_put_le64(void *p, uint64_t v)
{
	uint8_t *b = p;

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void bytes_put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void bytes_put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void bytes_put_be64(void *p, uint64_t v)
{
	uint8_t *b = p;

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* ---- byte order chosen at run time ---- */

static inline uint16_t bytes_get_u16(bool big_endian, const void *p)
{
	return big_endian ? bytes_get_be16(p) : bytes_get_le16(p);
}

static inline uint32_t bytes_get_u32(bool big_endian, const void *p)
{
	return big_endian ? bytes_get_be32(p) : bytes_get_le32(p);
}

static inline uint64_t bytes_get_u64(bool big_endian, const void *p)
{
	return big_endian ? bytes_get_be64(p) : bytes_get_le64(p);
}

static inline void bytes_put_u16(bool big_endian, void *p, uint16_t v)
{
	if (big_endian)
		bytes_put_be16(p, v);
	else
		bytes_put_le16(p, v);
}

static inline void bytes_put_u32(bool big_endian, void *p, uint32_t v)
{
	if (big_endian)
		bytes_put_be32(p, v);
	else
		bytes_put_le32(p, v);
}

static inline void bytes_put_u64(bool big_endian, void *p, uint64_t v)
{
	if (big_endian)
		bytes_put_be64(p, v);
	else
		bytes_put_le64(p, v);
}

/* An unsigned integer of `width` bytes (1, 2, 4; anything else reads 8). */
static inline uint64_t bytes_get_uint(bool big_endian, const void *p, unsigned width)
{
	switch (width) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return bytes_get_u16(big_endian, p);
	case 4:
		return bytes_get_u32(big_endian, p);
	default:
		return bytes_get_u64(big_endian, p);
	}
}

/* Store the low `width` bytes of v (1, 2, 4; anything else writes 8). */
static inline void bytes_put_uint(bool big_endian, void *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		bytes_put_u16(big_endian, p, (uint16_t)v);
		break;
	case 4:
		bytes_put_u32(big_endian, p, (uint32_t)v);
		break;
	default:
		bytes_put_u64(big_endian, p, v);
		break;
	}
}

#endif

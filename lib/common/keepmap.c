/* keepmap.c - plain two-bitmap keep-map (see keepmap.h). */
#include "keepmap.h"

#include <stdlib.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "keepmap_copy_bytes assumes a little-endian host (words = on-disk bytes)"
#endif

int keepmap_init(struct keepmap *km, uint64_t npfn, struct ds_err *err)
{
	size_t words = (size_t)((npfn + 63) / 64);

	memset(km, 0, sizeof(*km));
	km->npfn = npfn;
	km->present = calloc(words ? words : 1, sizeof(uint64_t));
	km->dumped = calloc(words ? words : 1, sizeof(uint64_t));
	if (!km->present || !km->dumped) {
		keepmap_release(km);
		return ds_err_set(err, DS_ENOMEM,
				  "out of memory for the page bitmaps (%zu bytes)", words * 16);
	}
	return 0;
}

void keepmap_release(struct keepmap *km)
{
	free(km->present);
	free(km->dumped);
	km->present = km->dumped = NULL;
}

static void set_bits(uint64_t *w, uint64_t start, uint64_t end, bool on)
{
	while (start < end) {
		uint64_t bit = start & 63, n = 64 - bit;
		uint64_t mask;

		if (n > end - start)
			n = end - start;
		mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;
		if (on)
			w[start / 64] |= mask;
		else
			w[start / 64] &= ~mask;
		start += n;
	}
}

void keepmap_add_present(struct keepmap *km, uint64_t start, uint64_t end)
{
	if (end > km->npfn)
		end = km->npfn;
	set_bits(km->present, start, end, true);
	set_bits(km->dumped, start, end, true);
}

void keepmap_exclude(struct keepmap *km, uint64_t start, uint64_t end)
{
	if (end > km->npfn)
		end = km->npfn;
	set_bits(km->dumped, start, end, false);
}

bool keepmap_is_present(const struct keepmap *km, uint64_t pfn)
{
	return pfn < km->npfn && (km->present[pfn / 64] >> (pfn & 63)) & 1;
}

bool keepmap_is_dumped(const struct keepmap *km, uint64_t pfn)
{
	return pfn < km->npfn && (km->dumped[pfn / 64] >> (pfn & 63)) & 1;
}

uint64_t keepmap_next_dumped(const struct keepmap *km, uint64_t from)
{
	if (from >= km->npfn)
		return km->npfn;
	uint64_t i = from / 64;
	uint64_t w = km->dumped[i] & (~0ull << (from & 63));
	uint64_t nwords = (km->npfn + 63) / 64;

	while (!w) {
		if (++i >= nwords)
			return km->npfn;
		w = km->dumped[i];
	}
	uint64_t pfn = i * 64 + (uint64_t)__builtin_ctzll(w);
	return pfn < km->npfn ? pfn : km->npfn;
}

static uint64_t count_bits(const uint64_t *w, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	while (start < end) {
		uint64_t bit = start & 63, len = 64 - bit;
		uint64_t mask;

		if (len > end - start)
			len = end - start;
		mask = (len == 64 ? ~0ull : ((1ull << len) - 1)) << bit;
		n += (uint64_t)__builtin_popcountll(w[start / 64] & mask);
		start += len;
	}
	return n;
}

uint64_t keepmap_count_present(const struct keepmap *km)
{
	return count_bits(km->present, 0, km->npfn);
}

uint64_t keepmap_count_dumped(const struct keepmap *km)
{
	return count_bits(km->dumped, 0, km->npfn);
}

uint64_t keepmap_count_dumped_range(const struct keepmap *km, uint64_t start, uint64_t end)
{
	if (end > km->npfn)
		end = km->npfn;
	return start < end ? count_bits(km->dumped, start, end) : 0;
}

void keepmap_copy_bytes(const struct keepmap *km, bool dumped, uint64_t off,
			void *buf, size_t len)
{
	const uint8_t *bytes = (const uint8_t *)(dumped ? km->dumped : km->present);
	uint64_t have = (km->npfn + 7) / 8;

	memset(buf, 0, len);
	if (off >= have)
		return;
	memcpy(buf, bytes + off, have - off < len ? have - off : len);
	/* the last byte may hold bits past npfn only if set_bits put them
	 * there, which it never does (ranges are clipped) */
}

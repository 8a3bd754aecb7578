/* keepmap.c - the keep-map as chunks that are stored only when mixed.
 *
 * Each map (present, dumped) is cut into chunks of CHUNK_PFNS pfns.  A chunk
 * is uniform (all clear or all set: no storage, 16 bytes of bookkeeping) or
 * mixed (a 4 KiB bitmap).  Each chunk keeps its count of set bits, so when a
 * range operation makes it uniform again it is freed at once, counts cost
 * nothing, and the next dumped pfn is found without touching uniform chunks.
 * On an idle machine almost every chunk is uniform: the free-page chunks of
 * the "dumped" map turn all-clear as the scan passes them.  Memory therefore
 * follows the number of chunks that mix kept and dropped pages, not the
 * machine's size (1 TiB: 8192 chunks = 256 KiB of bookkeeping).
 *
 * Mixed chunks cost memory only up to a budget (keepmap_set_budget); past
 * it, with a --work-dir, their bitmaps live in a mapped, unlinked file, so a
 * pathological map (every other page kept) still cannot exhaust the
 * capture kernel's memory.
 *
 * The on-disk layout (keepmap_copy_bytes) is the plain bitmap: bit p of
 * byte p/8, least significant first.
 */
#include "keepmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "keepmap_copy_bytes assumes a little-endian host (words = on-disk bytes)"
#endif

#define CHUNK_SHIFT 15u
#define CHUNK_PFNS (1ull << CHUNK_SHIFT)
#define CHUNK_WORDS (CHUNK_PFNS / 64)

struct keepmap_chunk {
	uint64_t *bits;      /* NULL: uniform, all set when count == size */
	uint32_t count;      /* set bits */
	uint32_t size;       /* pfns in this chunk (the last one may be short) */
	bool spilled;        /* bits lives in the spill file */
};

/* The spill file: segments of SPILL_SEGMENT bytes mapped from an unlinked
 * temporary file, carved into chunk bitmaps; freed ones form a list. */
#define SPILL_SEGMENT (16u << 20)
#define CHUNK_BYTES (CHUNK_PFNS / 8)

struct keepmap_spill {
	int fd;
	uint64_t file_size;
	uint8_t **segments;
	size_t n_segments;
	size_t next_in_segment;    /* bytes used in the last segment */
	void *free_list;           /* freed slots, linked through their first word */
};

static uint64_t *spill_alloc(struct keepmap_spill *s)
{
	if (s->free_list) {
		void *slot = s->free_list;

		memcpy(&s->free_list, slot, sizeof(void *));
		return slot;
	}
	if (!s->n_segments || s->next_in_segment == SPILL_SEGMENT) {
		uint8_t **grown = realloc(s->segments, (s->n_segments + 1) * sizeof(*grown));
		void *seg;

		if (!grown)
			return NULL;
		s->segments = grown;
		if (ftruncate(s->fd, (off_t)(s->file_size + SPILL_SEGMENT)) < 0)
			return NULL;
		seg = mmap(NULL, SPILL_SEGMENT, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
			   (off_t)s->file_size);
		if (seg == MAP_FAILED)
			return NULL;
		s->file_size += SPILL_SEGMENT;
		s->segments[s->n_segments++] = seg;
		s->next_in_segment = 0;
	}
	uint64_t *slot = (uint64_t *)(void *)(s->segments[s->n_segments - 1] + s->next_in_segment);

	s->next_in_segment += CHUNK_BYTES;
	return slot;
}

static void spill_free_slot(struct keepmap_spill *s, uint64_t *slot)
{
	memcpy(slot, &s->free_list, sizeof(void *));
	s->free_list = slot;
}

static void spill_close(struct keepmap_spill *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_segments; i++)
		munmap(s->segments[i], SPILL_SEGMENT);
	free(s->segments);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

int keepmap_set_budget(struct keepmap *km, size_t budget, const char *spill_dir,
		       struct ds_err *err)
{
	struct keepmap_spill *s;
	char path[4096];

	km->budget = budget;
	if (!spill_dir)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/dumpsieve-maps.XXXXXX", spill_dir);
	s->fd = mkstemp(path);
	if (s->fd < 0) {
		free(s);
		return ds_err_sys(err, "cannot create a spill file in --work-dir '%s'", spill_dir);
	}
	(void)unlink(path);     /* nothing to clean up, whatever happens */
	km->spill = s;
	return 0;
}

/* A 4 KiB bitmap for a chunk becoming mixed: memory within the budget,
 * the spill file past it, memory again if there is no spill file. */
static uint64_t *chunk_bits_alloc(struct keepmap *km, bool *spilled)
{
	*spilled = false;
	if (km->budget && (km->mixed_chunks - km->spilled_chunks + 1) * CHUNK_BYTES > km->budget) {
		if (km->spill) {
			uint64_t *slot = spill_alloc(km->spill);

			if (slot) {
				*spilled = true;
				km->spilled_chunks++;
				return slot;
			}
		}
		km->over_budget = true;
	}
	return malloc(CHUNK_BYTES);
}

static void chunk_bits_free(struct keepmap *km, struct keepmap_chunk *c)
{
	if (!c->bits)
		return;
	if (c->spilled) {
		spill_free_slot(km->spill, c->bits);
		km->spilled_chunks--;
	} else {
		free(c->bits);
	}
	c->bits = NULL;
	c->spilled = false;
	km->mixed_chunks--;
}

static uint64_t nchunks(uint64_t npfn)
{
	return (npfn + CHUNK_PFNS - 1) >> CHUNK_SHIFT;
}

static int map_init(struct keepmap_chunk **ret, uint64_t npfn)
{
	uint64_t n = nchunks(npfn);
	struct keepmap_chunk *c = calloc(n ? n : 1, sizeof(*c));

	if (!c)
		return -1;
	for (uint64_t i = 0; i < n; i++)
		c[i].size = (uint32_t)(i + 1 < n ? CHUNK_PFNS : npfn - i * CHUNK_PFNS);
	*ret = c;
	return 0;
}

static void map_free(struct keepmap_chunk *c, uint64_t npfn)
{
	if (!c)
		return;
	for (uint64_t i = 0; i < nchunks(npfn); i++)
		if (!c[i].spilled)
			free(c[i].bits);
	free(c);
}

int keepmap_init(struct keepmap *km, uint64_t npfn, struct ds_err *err)
{
	memset(km, 0, sizeof(*km));
	km->npfn = npfn;
	if (map_init(&km->present, npfn) < 0 || map_init(&km->dumped, npfn) < 0) {
		keepmap_release(km);
		return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	}
	return 0;
}

void keepmap_release(struct keepmap *km)
{
	map_free(km->present, km->npfn);
	map_free(km->dumped, km->npfn);
	spill_close(km->spill);
	km->spill = NULL;
	km->present = km->dumped = NULL;
	km->mixed_chunks = km->spilled_chunks = 0;
}

static uint64_t word_mask(uint64_t bit, uint64_t n)
{
	return (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;
}

/* Set or clear [start, end) inside chunk c (offsets within the chunk).
 * Returns false only when a bitmap could not be allocated. */
static bool chunk_set(struct keepmap *km, struct keepmap_chunk *c,
		      uint64_t start, uint64_t end, bool on)
{
	if (start == 0 && end == c->size) {           /* the whole chunk */
		chunk_bits_free(km, c);
		c->count = on ? c->size : 0;
		return true;
	}
	if (!c->bits) {
		if (c->count == (on ? c->size : 0))
			return true;                      /* already so */
		c->bits = chunk_bits_alloc(km, &c->spilled);
		if (!c->bits)
			return false;
		km->mixed_chunks++;
		memset(c->bits, 0, CHUNK_WORDS * sizeof(uint64_t));
		if (c->count) {
			/* all set: exactly the chunk's own pfns, never bits past a
			 * short last chunk's end (they would reach the disk) */
			memset(c->bits, 0xff, c->size / 64 * sizeof(uint64_t));
			if (c->size % 64)
				c->bits[c->size / 64] = word_mask(0, c->size % 64);
		}
	}
	while (start < end) {
		uint64_t bit = start & 63, n = 64 - bit;
		uint64_t *w = &c->bits[start / 64], mask, before;

		if (n > end - start)
			n = end - start;
		mask = word_mask(bit, n);
		before = (uint64_t)__builtin_popcountll(*w & mask);
		if (on) {
			*w |= mask;
			c->count += (uint32_t)(n - before);
		} else {
			*w &= ~mask;
			c->count -= (uint32_t)before;
		}
		start += n;
	}
	if (c->count == 0 || c->count == c->size)     /* uniform again */
		chunk_bits_free(km, c);
	return true;
}

static bool map_set(struct keepmap *km, struct keepmap_chunk *map,
		    uint64_t start, uint64_t end, bool on)
{
	if (end > km->npfn)
		end = km->npfn;
	while (start < end) {
		uint64_t ci = start >> CHUNK_SHIFT, base = ci << CHUNK_SHIFT;
		uint64_t stop = end - base < map[ci].size ? end - base : map[ci].size;

		if (!chunk_set(km, &map[ci], start - base, stop, on))
			return false;
		start = base + stop;
	}
	return true;
}

int keepmap_add_present(struct keepmap *km, uint64_t start, uint64_t end)
{
	if (!map_set(km, km->present, start, end, true) ||
	    !map_set(km, km->dumped, start, end, true))
		return -DS_ENOMEM;
	return 0;
}

int keepmap_exclude(struct keepmap *km, uint64_t start, uint64_t end)
{
	return map_set(km, km->dumped, start, end, false) ? 0 : -DS_ENOMEM;
}

static bool map_test(const struct keepmap_chunk *map, uint64_t npfn, uint64_t pfn)
{
	const struct keepmap_chunk *c;
	uint64_t off;

	if (pfn >= npfn)
		return false;
	c = &map[pfn >> CHUNK_SHIFT];
	if (!c->bits)
		return c->count != 0;
	off = pfn & (CHUNK_PFNS - 1);
	return (c->bits[off / 64] >> (off & 63)) & 1;
}

bool keepmap_is_present(const struct keepmap *km, uint64_t pfn)
{
	return map_test(km->present, km->npfn, pfn);
}

bool keepmap_is_dumped(const struct keepmap *km, uint64_t pfn)
{
	return map_test(km->dumped, km->npfn, pfn);
}

uint64_t keepmap_next_dumped(const struct keepmap *km, uint64_t from)
{
	uint64_t n = nchunks(km->npfn);

	for (uint64_t ci = from >> CHUNK_SHIFT; from < km->npfn && ci < n; ci++) {
		const struct keepmap_chunk *c = &km->dumped[ci];
		uint64_t base = ci << CHUNK_SHIFT;
		uint64_t off = from > base ? from - base : 0;

		if (!c->bits) {
			if (c->count)
				return base + off;
			continue;
		}
		for (uint64_t wi = off / 64; wi < CHUNK_WORDS; wi++) {
			uint64_t w = c->bits[wi];

			if (wi == off / 64)
				w &= ~0ull << (off & 63);
			if (w) {
				uint64_t pfn = base + wi * 64 + (uint64_t)__builtin_ctzll(w);

				return pfn < km->npfn ? pfn : km->npfn;
			}
		}
	}
	return km->npfn;
}

static uint64_t map_count(const struct keepmap_chunk *map, uint64_t npfn,
			  uint64_t start, uint64_t end)
{
	uint64_t total = 0;

	if (end > npfn)
		end = npfn;
	while (start < end) {
		uint64_t ci = start >> CHUNK_SHIFT, base = ci << CHUNK_SHIFT;
		const struct keepmap_chunk *c = &map[ci];
		uint64_t lo = start - base, hi = end - base < c->size ? end - base : c->size;

		if (lo == 0 && hi == c->size)
			total += c->count;
		else if (!c->bits)
			total += c->count ? hi - lo : 0;
		else
			for (uint64_t p = lo; p < hi;) {
				uint64_t bit = p & 63, n = 64 - bit;

				if (n > hi - p)
					n = hi - p;
				total += (uint64_t)__builtin_popcountll(c->bits[p / 64] &
									 word_mask(bit, n));
				p += n;
			}
		start = base + hi;
	}
	return total;
}

uint64_t keepmap_count_present(const struct keepmap *km)
{
	return map_count(km->present, km->npfn, 0, km->npfn);
}

uint64_t keepmap_count_dumped(const struct keepmap *km)
{
	return map_count(km->dumped, km->npfn, 0, km->npfn);
}

uint64_t keepmap_count_dumped_range(const struct keepmap *km, uint64_t start, uint64_t end)
{
	return map_count(km->dumped, km->npfn, start, end);
}

uint64_t keepmap_count_present_range(const struct keepmap *km, uint64_t start, uint64_t end)
{
	return map_count(km->present, km->npfn, start, end);
}

void keepmap_copy_bytes(const struct keepmap *km, bool dumped, uint64_t off,
			void *buf, size_t len)
{
	const struct keepmap_chunk *map = dumped ? km->dumped : km->present;
	const uint64_t chunk_bytes = CHUNK_PFNS / 8;
	uint64_t have = (km->npfn + 7) / 8;
	uint8_t *out = buf;

	memset(buf, 0, len);
	if (off >= have)
		return;
	if (len > have - off)
		len = (size_t)(have - off);
	while (len) {
		uint64_t ci = off / chunk_bytes, in = off % chunk_bytes;
		const struct keepmap_chunk *c = &map[ci];
		uint64_t chunk_have = (c->size + 7) / 8;
		size_t n = chunk_have - in < len ? (size_t)(chunk_have - in) : len;

		if (c->bits) {
			memcpy(out, (const uint8_t *)c->bits + in, n);
		} else if (c->count) {
			memset(out, 0xff, n);
			/* a short last chunk: no bits past its end */
			if (in + n == chunk_have && c->size % 8)
				out[n - 1] = (uint8_t)((1u << (c->size % 8)) - 1);
		}
		out += n;
		off += n;
		len -= n;
	}
}

size_t keepmap_memory(const struct keepmap *km)
{
	return (size_t)(2 * nchunks(km->npfn) * sizeof(struct keepmap_chunk) +
			(km->mixed_chunks - km->spilled_chunks) * CHUNK_BYTES);
}

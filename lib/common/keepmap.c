/* keepmap.c - the keep-map as chunks that are stored only when mixed.
 *
 * Each map (present, dumped) is cut into chunks of CHUNK_PFNS pfns, and a
 * chunk takes one of three forms:
 *   uniform   all clear or all set: no storage, only its bookkeeping (24
 *             bytes);
 *   run list  mixed, with few runs of set bits: a sorted array of [start,
 *             end) offsets in 16 bits each, grown as runs appear;
 *   bitmap    mixed, with more than RUNS_MAX runs: a 4 KiB bitmap.
 * Each chunk keeps its count of set bits, so when a range operation makes it
 * uniform again its storage is freed at once, counts cost nothing, and the
 * next dumped pfn is found without touching uniform chunks.
 *
 * Why three forms: on an idle machine the scan clears the free blocks of the
 * "dumped" map, but the few pages in use are spread over all of RAM, so most
 * chunks keep a few scattered runs of them (the synthetic idle 1 TiB machine
 * at -d 31: three chunks in four, 3 runs on average).  As bitmaps those
 * chunks cost 4 KiB each, some 25 MiB for 1 TiB; as run lists, tens of bytes
 * (a few hundred in the scan's worst cases).  A chunk whose list would pass
 * RUNS_MAX runs (2 KiB, half a bitmap) becomes a bitmap and stays one until
 * it turns uniform: with that many runs the list saves little, and editing
 * and searching it cost more.  Memory therefore follows the number of runs
 * of kept pages, at most a bitmap per chunk, not the machine's size (1 TiB:
 * 2 maps x 8192 chunks = 384 KiB of bookkeeping).
 *
 * Mixed chunks cost memory only up to a budget (keepmap_set_budget); past
 * it, with a --work-dir, a chunk that needs more storage gets a bitmap in a
 * mapped, unlinked file, so a pathological map (every other page kept)
 * still cannot exhaust the capture kernel's memory.
 *
 * Without a spill file, past the budget, a fourth form: lost.  The scan
 * seals the chunks it has finished (keepmap_seal); a sealed chunk of the
 * dumped map that holds storage then drops it and keeps only its count,
 * and when its bits are read (the writer's 2nd bitmap, the copy's walk,
 * -e) the regeneration callback makes them again from the struct pages,
 * into a cache of REGEN_SLOTS bitmaps.  Memory stays within the budget at
 * the cost of reading those chunks' struct pages again, which is what
 * makedumpfile's cyclic mode does for every chunk.  The made bits must
 * count what the chunk counted; if not (or a read fails) the first failure
 * is kept for keepmap_regen_status and the bits read as zero.
 *
 * The on-disk layout (keepmap_copy_bytes) is the plain bitmap: bit p of
 * byte p/8, least significant first.
 */
#include "keepmap.h"

#include "bytes.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_SHIFT KEEPMAP_CHUNK_SHIFT
#define CHUNK_PFNS KEEPMAP_CHUNK_PFNS
#define CHUNK_WORDS (CHUNK_PFNS / 64)

/* Set bits [start, end) of a chunk; CHUNK_PFNS itself fits in 16 bits. */
struct run {
	uint16_t start, end;
};

/* A list of RUNS_MAX runs is 2 KiB, half a bitmap.  Lists start at RUNS_MIN
 * runs (a chunk of the "present" map at a range's edge needs one or two)
 * and double up to RUNS_STEP, then grow by RUNS_STEP: an insert moves the
 * list's tail anyway, so growing by a step costs no more in order, and
 * leaves at most 60 bytes unused where doubling would leave up to half of
 * every list. */
#define RUNS_MIN 4u
#define RUNS_STEP 16u
#define RUNS_MAX 512u

enum chunk_form { CHUNK_UNIFORM, CHUNK_RUNS, CHUNK_BITS, CHUNK_LOST };

struct keepmap_chunk {
	union {                  /* one pointer: a chunk holds one form */
		uint64_t *bits;      /* CHUNK_BITS */
		struct run *runs;    /* CHUNK_RUNS: sorted, apart, never touching */
	};
	uint16_t count;          /* set bits; when uniform, all set iff == size;
				    lost: what the made bits must count */
	uint16_t size;           /* pfns in this chunk (the last one may be short) */
	unsigned nruns : 10;     /* runs in use (CHUNK_RUNS), at most RUNS_MAX */
	unsigned cap : 10;       /* runs allocated */
	unsigned form : 2;       /* enum chunk_form */
	unsigned spilled : 1;    /* bits lives in the spill file */
};

/* 16 bytes a chunk, two maps: 1 MiB of bookkeeping per 4 TiB of memory */
_Static_assert(sizeof(struct keepmap_chunk) <= 16, "chunk bookkeeping grew");
_Static_assert(CHUNK_PFNS <= UINT16_MAX && RUNS_MAX < 1024, "chunk fields too narrow");

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

/* ---- lost chunks, made again ---- */

#define REGEN_SLOTS 4u

struct keepmap_regen {
	keepmap_regen_fn fn;
	void *arg;
	uint64_t sealed;              /* chunks below this index are final */
	uint64_t slot_ci[REGEN_SLOTS];   /* UINT64_MAX: empty */
	uint64_t *slot_bits[REGEN_SLOTS];
	unsigned next;
	int status;                   /* first failure, and its message */
	struct ds_err err;
	uint64_t lost, made;
};

int keepmap_set_regen(struct keepmap *km, keepmap_regen_fn fn, void *arg, struct ds_err *err)
{
	struct keepmap_regen *g = calloc(1, sizeof(*g));

	if (!g)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	g->fn = fn;
	g->arg = arg;
	for (unsigned i = 0; i < REGEN_SLOTS; i++) {
		g->slot_ci[i] = UINT64_MAX;
		if (!(g->slot_bits[i] = malloc(CHUNK_BYTES))) {
			for (unsigned j = 0; j < i; j++)
				free(g->slot_bits[j]);
			free(g);
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		}
	}
	km->regen = g;
	return 0;
}

static void regen_free(struct keepmap_regen *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < REGEN_SLOTS; i++)
		free(g->slot_bits[i]);
	free(g);
}

/* The bits of lost chunk ci (of the dumped map), made again if they are
 * not in the cache.  The cache lives behind a pointer: reading a const
 * keep-map may fill it. */
static const uint64_t *lost_bits(const struct keepmap *km, uint64_t ci)
{
	struct keepmap_regen *g = km->regen;
	const struct keepmap_chunk *c = &km->dumped[ci];
	unsigned i;

	for (i = 0; i < REGEN_SLOTS; i++)
		if (g->slot_ci[i] == ci)
			return g->slot_bits[i];
	i = g->next;
	g->next = (g->next + 1) % REGEN_SLOTS;
	memset(g->slot_bits[i], 0, CHUNK_BYTES);
	g->slot_ci[i] = ci;
	g->made++;
	if (!g->status) {
		struct ds_err err = { 0 };
		uint64_t n = 0;
		int r = g->fn(g->arg, ci << CHUNK_SHIFT, c->size, g->slot_bits[i], &err);

		if (r == 0) {
			for (unsigned w = 0; w < CHUNK_WORDS; w++)
				n += (uint64_t)__builtin_popcountll(g->slot_bits[i][w]);
			if (n != c->count)
				r = ds_err_set(&err, DS_ECORRUPT,
					       "the page maps of pfns 0x%" PRIx64 "-0x%" PRIx64
					       " came out with %" PRIu64 " pages kept instead of %u "
					       "when made again (the struct pages read differently)",
					       ci << CHUNK_SHIFT, (ci << CHUNK_SHIFT) + c->size - 1,
					       n, c->count);
		}
		if (r < 0) {
			g->status = r;
			g->err = err;
			memset(g->slot_bits[i], 0, CHUNK_BYTES);
		}
	}
	return g->slot_bits[i];
}

int keepmap_regen_status(const struct keepmap *km, struct ds_err *err)
{
	if (!km->regen || !km->regen->status)
		return 0;
	*err = km->regen->err;
	return km->regen->status;
}

uint64_t keepmap_lost_chunks(const struct keepmap *km)
{
	return km->regen ? km->regen->lost : 0;
}

uint64_t keepmap_regenerated_chunks(const struct keepmap *km)
{
	return km->regen ? km->regen->made : 0;
}

/* forward: chunk_free_storage is below */
static void chunk_free_storage(struct keepmap *km, struct keepmap_chunk *c);
static bool past_budget(const struct keepmap *km, size_t more);

void keepmap_seal(struct keepmap *km, uint64_t pfn)
{
	struct keepmap_regen *g = km->regen;
	uint64_t upto = (pfn > km->npfn ? km->npfn : pfn) >> CHUNK_SHIFT;

	if (!g)
		return;
	for (; g->sealed < upto; g->sealed++) {
		struct keepmap_chunk *c = &km->dumped[g->sealed];

		if ((c->form != CHUNK_RUNS && c->form != CHUNK_BITS) || c->spilled ||
		    !past_budget(km, 0))
			continue;
		chunk_free_storage(km, c);      /* count stays */
		c->form = CHUNK_LOST;
		g->lost++;
	}
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

/* Bytes of chunk storage in memory: unspilled bitmaps and run lists. */
static size_t in_memory(const struct keepmap *km)
{
	return (size_t)(km->mixed_chunks - km->spilled_chunks) * CHUNK_BYTES + km->run_bytes;
}

/* The budget covers the bookkeeping too: the maps' whole memory stays
 * within it. */
static bool past_budget(const struct keepmap *km, size_t more)
{
	return km->budget && keepmap_memory(km) + more > km->budget;
}

/* A 4 KiB bitmap for a chunk becoming one, in place of `replaced` bytes of
 * run list: memory within the budget, the spill file past it, memory again
 * if there is no spill file. */
static uint64_t *chunk_bits_alloc(struct keepmap *km, size_t replaced, bool *spilled)
{
	*spilled = false;
	if (past_budget(km, CHUNK_BYTES - replaced)) {
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

/* Back to uniform: give the storage back (count is the caller's). */
static void chunk_free_storage(struct keepmap *km, struct keepmap_chunk *c)
{
	if (c->form == CHUNK_LOST) {
		c->form = CHUNK_UNIFORM;
		return;
	}
	if (c->form == CHUNK_BITS) {
		if (c->spilled) {
			spill_free_slot(km->spill, c->bits);
			km->spilled_chunks--;
		} else {
			free(c->bits);
		}
		km->mixed_chunks--;
	} else if (c->form == CHUNK_RUNS) {
		free(c->runs);
		km->run_bytes -= c->cap * sizeof(struct run);
		km->run_chunks--;
	}
	c->bits = NULL;
	c->spilled = false;
	c->nruns = c->cap = 0;
	c->form = CHUNK_UNIFORM;
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
		if (c[i].form == CHUNK_RUNS)
			free(c[i].runs);
		else if (c[i].form == CHUNK_BITS && !c[i].spilled)
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
	regen_free(km->regen);
	km->regen = NULL;
	km->present = km->dumped = NULL;
	km->mixed_chunks = km->spilled_chunks = km->run_chunks = 0;
	km->run_bytes = 0;
}

static uint64_t word_mask(uint64_t bit, uint64_t n)
{
	return (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;
}

/* Set or clear bits [start, end) of a chunk bitmap; returns how many
 * changed. */
static uint32_t bits_set(uint64_t *bits, uint64_t start, uint64_t end, bool on)
{
	uint32_t changed = 0;

	while (start < end) {
		uint64_t bit = start & 63, n = 64 - bit;
		uint64_t *w = &bits[start / 64], mask, before;

		if (n > end - start)
			n = end - start;
		mask = word_mask(bit, n);
		before = (uint64_t)__builtin_popcountll(*w & mask);
		if (on) {
			*w |= mask;
			changed += (uint32_t)(n - before);
		} else {
			*w &= ~mask;
			changed += (uint32_t)before;
		}
		start += n;
	}
	return changed;
}

/* Index of the first run that ends after off, nruns if none.  The scan
 * tests and clears pfns in increasing order, inside the chunk's last run
 * (its all-set tail), so that run is tried before the binary search. */
static uint32_t runs_find(const struct keepmap_chunk *c, uint32_t off)
{
	const struct run *r = c->runs;
	uint32_t lo = 0, hi = c->nruns;

	if (!hi || r[hi - 1].end <= off)
		return hi;
	if (r[--hi].start <= off)
		return hi;
	while (lo < hi) {                    /* r[hi] ends after off */
		uint32_t mid = (lo + hi) / 2;

		if (r[mid].end > off)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Room for `need` runs in c's list.  Returns 1, 0 when the chunk should be
 * a bitmap instead (more than RUNS_MAX runs, or past the budget with a
 * spill file for the bitmap), or -1 when out of memory. */
static int runs_reserve(struct keepmap *km, struct keepmap_chunk *c, uint32_t need)
{
	uint32_t cap = c->cap;
	struct run *r;

	if (need <= cap)
		return 1;
	if (need > RUNS_MAX)
		return 0;
	cap = cap < RUNS_STEP ? (cap ? 2 * cap : RUNS_MIN) : cap + RUNS_STEP;
	if (cap < need)
		cap = need;
	if (cap > RUNS_MAX)
		cap = RUNS_MAX;
	if (past_budget(km, (cap - c->cap) * sizeof(*r))) {
		if (km->spill)
			return 0;
		km->over_budget = true;
	}
	r = realloc(c->runs, cap * sizeof(*r));
	if (!r)
		return -1;
	km->run_bytes += (cap - c->cap) * sizeof(*r);
	c->runs = r;
	c->cap = (uint16_t)cap;
	return 1;
}

/* A uniform chunk becoming mixed starts as a run list; returns as
 * runs_reserve. */
static int chunk_make_runs(struct keepmap *km, struct keepmap_chunk *c)
{
	int r = runs_reserve(km, c, 1);

	if (r <= 0)
		return r;
	c->form = CHUNK_RUNS;
	km->run_chunks++;
	c->nruns = 0;
	if (c->count)
		c->runs[c->nruns++] = (struct run){ 0, (uint16_t)c->size };
	return 1;
}

/* A uniform or run-list chunk becoming a bitmap. */
static bool chunk_make_bits(struct keepmap *km, struct keepmap_chunk *c)
{
	size_t list = c->form == CHUNK_RUNS ? c->cap * sizeof(struct run) : 0;
	uint64_t *bits;
	bool spilled;

	bits = chunk_bits_alloc(km, list, &spilled);
	if (!bits)
		return false;
	memset(bits, 0, CHUNK_BYTES);
	/* exactly the chunk's own pfns, never bits past a short last chunk's
	 * end (they would reach the disk) */
	if (c->form == CHUNK_RUNS)
		for (uint32_t i = 0; i < c->nruns; i++)
			bits_set(bits, c->runs[i].start, c->runs[i].end, true);
	else if (c->count)
		bits_set(bits, 0, c->size, true);
	chunk_free_storage(km, c);
	c->bits = bits;
	c->spilled = spilled;
	c->form = CHUNK_BITS;
	km->mixed_chunks++;
	return true;
}

/* Set or clear [s, e) in c's run list, keeping the runs sorted and apart
 * (so the list is as short as it can be).  Returns as runs_reserve, and
 * changes nothing unless it returns 1. */
static int runs_set(struct keepmap *km, struct keepmap_chunk *c,
		    uint32_t s, uint32_t e, bool on)
{
	const struct run *r = c->runs;
	struct run piece[2];
	uint32_t n = c->nruns, i, j, k = 0, covered = 0;
	int ret;

	if (on) {
		/* [s, e) and the runs it overlaps or touches become one */
		i = s ? runs_find(c, s - 1) : 0;
		for (j = i; j < n && r[j].start <= e; j++)
			covered += (uint32_t)(r[j].end - r[j].start);
		piece[k++] = (struct run){
			(uint16_t)(i < j && r[i].start < s ? r[i].start : s),
			(uint16_t)(i < j && r[j - 1].end > e ? r[j - 1].end : e),
		};
	} else {
		/* the runs it overlaps go, but for what sticks out at each end */
		i = runs_find(c, s);
		for (j = i; j < n && r[j].start < e; j++)
			covered += (uint32_t)(r[j].end - r[j].start);
		if (i == j)
			return 1;
		if (r[i].start < s)
			piece[k++] = (struct run){ r[i].start, (uint16_t)s };
		if (r[j - 1].end > e)
			piece[k++] = (struct run){ (uint16_t)e, r[j - 1].end };
	}
	if ((ret = runs_reserve(km, c, n - (j - i) + k)) <= 0)
		return ret;
	memmove(&c->runs[i + k], &c->runs[j], (n - j) * sizeof(struct run));
	memcpy(&c->runs[i], piece, k * sizeof(struct run));
	c->nruns = (uint16_t)(n - (j - i) + k);
	c->count -= covered;
	for (uint32_t p = 0; p < k; p++)
		c->count += (uint32_t)(piece[p].end - piece[p].start);
	return 1;
}

/* Set or clear [start, end) inside chunk c (offsets within the chunk).
 * Returns false only when storage could not be allocated. */
static bool chunk_set(struct keepmap *km, struct keepmap_chunk *c,
		      uint64_t start, uint64_t end, bool on)
{
	int r;

	if (start == 0 && end == c->size) {           /* the whole chunk */
		chunk_free_storage(km, c);
		c->count = on ? c->size : 0;
		return true;
	}
	if (c->form == CHUNK_LOST) {
		/* changed after the scan (-e): its bits are kept from now on */
		const uint64_t *made = lost_bits(km, (uint64_t)(c - km->dumped));
		bool spilled;
		uint64_t *bits = chunk_bits_alloc(km, 0, &spilled);

		if (!bits)
			return false;
		memcpy(bits, made, CHUNK_BYTES);
		c->bits = bits;
		c->spilled = spilled;
		c->form = CHUNK_BITS;
		km->mixed_chunks++;
	}
	if (c->form == CHUNK_UNIFORM) {
		if (c->count == (on ? c->size : 0))
			return true;                      /* already so */
		if ((r = chunk_make_runs(km, c)) < 0 || (!r && !chunk_make_bits(km, c)))
			return false;
	}
	if (c->form == CHUNK_RUNS) {
		/* r == 0: past RUNS_MAX or the budget, it takes a bitmap */
		if ((r = runs_set(km, c, (uint32_t)start, (uint32_t)end, on)) < 0 ||
		    (!r && !chunk_make_bits(km, c)))
			return false;
	}
	if (c->form == CHUNK_BITS) {
		uint32_t changed = bits_set(c->bits, start, end, on);

		if (on)
			c->count += changed;
		else
			c->count -= changed;
	}
	if (c->count == 0 || c->count == c->size)     /* uniform again */
		chunk_free_storage(km, c);
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

/* The bitmap of a chunk in bitmap form, or lost (made again). */
static const uint64_t *chunk_bits(const struct keepmap *km, const struct keepmap_chunk *c)
{
	return c->form == CHUNK_LOST ? lost_bits(km, (uint64_t)(c - km->dumped)) : c->bits;
}

static bool map_test(const struct keepmap *km, const struct keepmap_chunk *map, uint64_t pfn)
{
	const struct keepmap_chunk *c;
	uint32_t off, i;

	if (pfn >= km->npfn)
		return false;
	c = &map[pfn >> CHUNK_SHIFT];
	off = (uint32_t)(pfn & (CHUNK_PFNS - 1));
	switch (c->form) {
	case CHUNK_BITS:
	case CHUNK_LOST:
		return (chunk_bits(km, c)[off / 64] >> (off & 63)) & 1;
	case CHUNK_RUNS:
		i = runs_find(c, off);
		return i < c->nruns && c->runs[i].start <= off;
	default:
		return c->count != 0;
	}
}

bool keepmap_is_present(const struct keepmap *km, uint64_t pfn)
{
	return map_test(km, km->present, pfn);
}

bool keepmap_is_dumped(const struct keepmap *km, uint64_t pfn)
{
	return map_test(km, km->dumped, pfn);
}

/* First pfn >= from whose dumped bit is `set`, or npfn. */
static uint64_t next_with(const struct keepmap *km, uint64_t from, bool set)
{
	uint64_t n = nchunks(km->npfn);

	for (uint64_t ci = from >> CHUNK_SHIFT; from < km->npfn && ci < n; ci++) {
		const struct keepmap_chunk *c = &km->dumped[ci];
		uint64_t base = ci << CHUNK_SHIFT;
		uint64_t off = from > base ? from - base : 0;

		if (c->form == CHUNK_UNIFORM) {
			if ((c->count != 0) == set)
				return base + off;
			continue;
		}
		if (c->form == CHUNK_RUNS) {
			uint32_t i = runs_find(c, (uint32_t)off);

			if (set && i < c->nruns)
				return base + (off > c->runs[i].start ? off : c->runs[i].start);
			if (!set && (i == c->nruns || c->runs[i].start > off))
				return base + off;            /* off is in no run */
			if (!set && c->runs[i].end < c->size)
				return base + c->runs[i].end;
			continue;
		}
		const uint64_t *bits = chunk_bits(km, c);

		for (uint64_t wi = off / 64; wi < CHUNK_WORDS; wi++) {
			uint64_t w = set ? bits[wi] : ~bits[wi];

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

uint64_t keepmap_next_dumped(const struct keepmap *km, uint64_t from)
{
	return next_with(km, from, true);
}

uint64_t keepmap_next_undumped(const struct keepmap *km, uint64_t from)
{
	return next_with(km, from, false);
}

static uint64_t map_count(const struct keepmap *km, const struct keepmap_chunk *map,
			  uint64_t start, uint64_t end)
{
	uint64_t total = 0;

	if (end > km->npfn)
		end = km->npfn;
	while (start < end) {
		uint64_t ci = start >> CHUNK_SHIFT, base = ci << CHUNK_SHIFT;
		const struct keepmap_chunk *c = &map[ci];
		uint64_t lo = start - base, hi = end - base < c->size ? end - base : c->size;

		if (lo == 0 && hi == c->size)
			total += c->count;
		else if (c->form == CHUNK_UNIFORM)
			total += c->count ? hi - lo : 0;
		else if (c->form == CHUNK_RUNS)
			for (uint32_t i = runs_find(c, (uint32_t)lo);
			     i < c->nruns && c->runs[i].start < hi; i++)
				total += (c->runs[i].end < hi ? c->runs[i].end : hi) -
					 (c->runs[i].start > lo ? c->runs[i].start : lo);
		else {
			const uint64_t *bits = chunk_bits(km, c);

			for (uint64_t p = lo; p < hi;) {
				uint64_t bit = p & 63, n = 64 - bit;

				if (n > hi - p)
					n = hi - p;
				total += (uint64_t)__builtin_popcountll(bits[p / 64] & word_mask(bit, n));
				p += n;
			}
		}
		start = base + hi;
	}
	return total;
}

uint64_t keepmap_count_present(const struct keepmap *km)
{
	return map_count(km, km->present, 0, km->npfn);
}

uint64_t keepmap_count_dumped(const struct keepmap *km)
{
	return map_count(km, km->dumped, 0, km->npfn);
}

uint64_t keepmap_count_dumped_range(const struct keepmap *km, uint64_t start, uint64_t end)
{
	return map_count(km, km->dumped, start, end);
}

uint64_t keepmap_count_present_range(const struct keepmap *km, uint64_t start, uint64_t end)
{
	return map_count(km, km->present, start, end);
}

/* Bits [s, e) of out set, out zeroed before. */
static void bytes_set(uint8_t *out, uint32_t s, uint32_t e)
{
	if (s / 8 == (e - 1) / 8) {
		out[s / 8] |= (uint8_t)(((1u << (e - s)) - 1) << (s % 8));
		return;
	}
	out[s / 8] |= (uint8_t)(0xffu << (s % 8));
	memset(out + s / 8 + 1, 0xff, e / 8 - s / 8 - 1);
	if (e % 8)
		out[e / 8] |= (uint8_t)((1u << (e % 8)) - 1);
}

/* Bytes [in, in + n) of a chunk bitmap in the on-disk order: bit p of byte
 * p/8 is bit p%64 of word p/64, so the bytes are the words little-endian.
 * On a little-endian host that is the memory itself. */
static void copy_bits_bytes(const uint64_t *bits, uint64_t in, uint8_t *out, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(out, (const uint8_t *)bits + in, n);
#else
	uint8_t word[8];

	for (size_t i = 0; i < n; i++) {
		uint64_t b = in + i;

		if (i == 0 || b % 8 == 0)
			bytes_put_le64(word, bits[b / 8]);
		out[i] = word[b % 8];
	}
#endif
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

		if (c->form == CHUNK_BITS || c->form == CHUNK_LOST) {
			copy_bits_bytes(chunk_bits(km, c), in, out, n);
		} else if (c->form == CHUNK_RUNS) {
			/* runs end at the chunk's size: no bits past it */
			uint32_t lo = (uint32_t)in * 8, hi = lo + (uint32_t)n * 8;

			for (uint32_t i = runs_find(c, lo);
			     i < c->nruns && c->runs[i].start < hi; i++)
				bytes_set(out, (c->runs[i].start > lo ? c->runs[i].start : lo) - lo,
					  (c->runs[i].end < hi ? c->runs[i].end : hi) - lo);
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

uint64_t keepmap_overhead(uint64_t npfn)
{
	return 2 * nchunks(npfn) * sizeof(struct keepmap_chunk);
}

size_t keepmap_memory(const struct keepmap *km)
{
	return (size_t)(2 * nchunks(km->npfn) * sizeof(struct keepmap_chunk)) + in_memory(km);
}

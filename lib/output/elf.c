/* elf.c - the ELF output member (output.h, -E): an ELF core file that
 * crash, libkdumpfile and drgn read like /proc/vmcore.  It is in the
 * crashed machine's byte order (EI_DATA; big-endian on s390x), and of the
 * class of the ELF vmcore it was made from (ELF32 from an i386 kdump's
 * ELF32 /proc/vmcore, as makedumpfile -E does; from a dump, ELF32 for a
 * 4-byte-word machine) unless an address or offset does not fit 32 bits:
 * then ELF64.
 *
 * Layout (docs/formats.md, "ELF dumps"):
 *   0        ELF header (ET_CORE, the crashed machine's e_machine)
 *   64 (52)  program headers: PT_NOTE, then the PT_LOADs, then room for
 *            ELF_PHDR_RESERVE more (zeros; e_phnum does not count them)
 *            [when the table can reach PN_XNUM: one section header after
 *            it, which holds the count when it does]
 *   then     the notes, verbatim
 *   then     page data, from the next page boundary: every kept page in
 *            pfn order, back to back, so that each run of kept pages is one
 *            stretch of the file
 * A PT_LOAD is the intersection of one run of kept pages with one virtual
 * mapping the input knows (its PT_LOADs' p_vaddr; a dump input knows none:
 * p_vaddr 0).  Where the input mapped memory twice (/proc/vmcore maps the
 * kernel text a second time) two PT_LOADs point at the same file bytes:
 * nothing is written twice.  Excluded pages are in no PT_LOAD and their
 * data is never written (makedumpfile -E writes the contents of excluded
 * runs shorter than 256 pages).  Zero pages are kept but not written: a run
 * of ZERO_HOLE_PAGES or more stays a hole in the file (reads as zeros,
 * costs no disk); shorter runs are written as zeros, which keeps the writes
 * large.  The file's last page is always written, so that a flattened
 * stream rebuilds to the full size.
 *
 * Nothing lost (docs/formats.md, "Incomplete dumps"): the ELF header says
 * DUMP_ELF_INCOMPLETE (e_flags bit 0, makedumpfile's; crash shows it) from
 * the first write; the last write, after a barrier, clears it.  A page the
 * input could not give keeps its slot in the file, but no PT_LOAD covers
 * it: at the end the table is rewritten with the PT_LOADs split around
 * each run of lost pages (into the reserve), so readers find it not
 * present, never zeros.  When the lost runs need more program headers than
 * the reserve holds, runs close to each other are joined (the readable
 * pages between them leave the dump too, counted in output.dropped_pages
 * and reported): a lost page is never presented as data.  A dump that
 * stops early (full disk, output error, signal) is closed flagged, its
 * table rewritten to claim only the pages whose data reached the output,
 * where the output still takes writes.
 *
 * Pages arrive raw (takes_compressed is false), in pfn order.  The head is
 * written first, in ascending order (a flattened stream rebuilds cheaply);
 * the table and the header are sent again at the end, as later records of
 * a stream at lower offsets, which -R (ours and makedumpfile's) applies in
 * stream order.
 */
#include "output.h"

#include <elf.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"

#define DATA_BUF (4u << 20)
#define ZERO_HOLE_PAGES 16u
/* Program headers beyond the planned ones, for the pieces the lost runs
 * cut PT_LOADs into (docs/formats.md, "ELF dumps") */
#define ELF_PHDR_RESERVE 1024u
#define DUMP_ELF_INCOMPLETE 1u               /* e_flags: makedumpfile's, crash's */

struct run {
	uint64_t start, end;                 /* kept pfns [start, end) */
	uint64_t index;                      /* kept pages before start */
};

struct seg {
	uint64_t paddr, vaddr, len, offset;
};

/* The file's class and byte order, and its header sizes */
struct elf_form {
	bool is64, be;
	size_t ehdr, phdr, shdr;
};

struct lost_run {
	uint64_t start, end;                 /* unreadable pfns [start, end) */
	uint64_t index;                      /* kept pages before start */
};

struct elf_out {
	struct elf_form f;
	uint32_t ps;
	unsigned shift;
	uint16_t machine;
	uint64_t notes_off, notes_size, shdr_off;
	uint64_t data_off;                   /* file offset of the first kept page */
	uint64_t n_kept, added;
	uint64_t end;                        /* the file's size */
	uint8_t *buf;                        /* pending bytes, ending at pos */
	size_t buf_len;
	uint64_t pos;                        /* file offset of the next page */
	uint64_t zeros;                      /* zero pages pending (not yet placed) */
	struct seg *segs;                    /* the PT_LOADs planned at begin */
	size_t n_segs;
	size_t cap;                          /* program headers the table has room for */
	size_t table_n;                      /* entries of the table written last */
	struct lost_run *lost;               /* unreadable pages, in pfn order */
	size_t n_lost, cap_lost;
	uint64_t n_lost_pages;
	uint64_t dropped;                    /* readable pages left out (reserve full) */
	bool begun;                          /* the head is written */
};

static void form_init(struct elf_form *f, bool is64, bool be)
{
	f->is64 = is64;
	f->be = be;
	f->ehdr = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	f->phdr = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	f->shdr = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
}

/* A field's offset in the form's structure; its fields of the class's width
 * (addresses, offsets, sizes) are written by putw. */
#define OFF(f, type, field) ((f)->is64 ? offsetof(Elf64_##type, field) : offsetof(Elf32_##type, field))

static void put16(const struct elf_form *f, uint8_t *p, uint16_t v)
{
	if (f->be)
		bytes_put_be16(p, v);
	else
		bytes_put_le16(p, v);
}

static void put32(const struct elf_form *f, uint8_t *p, uint32_t v)
{
	bytes_put_u32(f->be, p, v);
}

static void putw(const struct elf_form *f, uint8_t *p, uint64_t v)
{
	bytes_put_uint(f->be, p, f->is64 ? 8 : 4, v);
}

/* Runs of kept pages, in pfn order, with their place among the kept. */
static int kept_runs(const struct keepmap *km, struct run **ret, size_t *ret_n, uint64_t *ret_kept)
{
	struct run *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t index = 0;

	for (uint64_t p = keepmap_next_dumped(km, 0); p < km->npfn;) {
		uint64_t e = keepmap_next_undumped(km, p);

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct run *g = realloc(v, ncap * sizeof(*g));

			if (!g) {
				free(v);
				return -1;
			}
			v = g;
			cap = ncap;
		}
		v[n++] = (struct run){ p, e, index };
		index += e - p;
		p = keepmap_next_dumped(km, e);
	}
	*ret = v;
	*ret_n = n;
	*ret_kept = index;
	return 0;
}

/* The PT_LOADs: each mapping cut by the runs (offsets relative to the
 * start of the page data).  segs == NULL: count only. */
static size_t make_segs(const struct dump_meta *m, const struct run *runs, size_t n_runs,
			unsigned shift, struct seg *segs)
{
	static const struct dump_vmap identity = { 0, 0, UINT64_MAX };
	const struct dump_vmap *maps = m->n_vmaps ? m->vmaps : &identity;
	size_t n_maps = m->n_vmaps ? m->n_vmaps : 1, n = 0;

	for (size_t i = 0; i < n_maps; i++) {
		uint64_t lo = maps[i].paddr, hi = maps[i].paddr + maps[i].size;

		if (!maps[i].size || hi < lo)
			continue;
		for (size_t j = 0; j < n_runs; j++) {
			uint64_t s = runs[j].start << shift, e = runs[j].end << shift;

			/* whole pages: a kept page the mapping covers in part
			 * (a RAM range starting or ending inside it) is whole */
			uint64_t flo = lo >> shift << shift;
			uint64_t chi = hi > UINT64_MAX - (1ull << shift) ? hi >> shift << shift
				     : (hi + (1ull << shift) - 1) >> shift << shift;

			if (s < flo)
				s = flo;
			if (e > chi)
				e = chi;
			if (s >= e)
				continue;
			if (segs)
				segs[n] = (struct seg){
					/* 0 and -1 say "no virtual address" */
					.paddr = s,
					.vaddr = maps[i].vaddr && maps[i].vaddr != UINT64_MAX
						 ? maps[i].vaddr + s - lo : maps[i].vaddr,
					.len = e - s,
					.offset = (runs[j].index + ((s >> shift) - runs[j].start)) << shift,
				};
			n++;
		}
	}
	return n;
}

/* Where the parts of the head are, in w->f's form: the program header
 * table has room for w->cap entries (PT_NOTE included), then comes the
 * section header PN_XNUM may need (when cap reaches PN_XNUM), then the
 * notes. */
static void place_head(struct elf_out *w)
{
	const struct elf_form *f = &w->f;

	w->shdr_off = f->ehdr + (uint64_t)w->cap * f->phdr;
	w->notes_off = w->shdr_off + (w->cap >= PN_XNUM ? f->shdr : 0);
}

/* The ELF header for a table of phnum entries; flags: e_flags. */
static int write_ehdr(struct output *o, const struct elf_out *w, size_t phnum, uint32_t flags,
		      struct ds_err *err)
{
	const struct elf_form *f = &w->f;
	bool xnum = phnum >= PN_XNUM;
	uint8_t eh[sizeof(Elf64_Ehdr)];

	memset(eh, 0, sizeof(eh));
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = f->is64 ? ELFCLASS64 : ELFCLASS32;
	eh[EI_DATA] = f->be ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	put16(f, eh + OFF(f, Ehdr, e_type), ET_CORE);
	put16(f, eh + OFF(f, Ehdr, e_machine), w->machine);
	put32(f, eh + OFF(f, Ehdr, e_version), EV_CURRENT);
	putw(f, eh + OFF(f, Ehdr, e_phoff), f->ehdr);
	put32(f, eh + OFF(f, Ehdr, e_flags), flags);
	put16(f, eh + OFF(f, Ehdr, e_ehsize), (uint16_t)f->ehdr);
	put16(f, eh + OFF(f, Ehdr, e_phentsize), (uint16_t)f->phdr);
	put16(f, eh + OFF(f, Ehdr, e_phnum), xnum ? PN_XNUM : (uint16_t)phnum);
	if (xnum) {
		putw(f, eh + OFF(f, Ehdr, e_shoff), w->shdr_off);
		put16(f, eh + OFF(f, Ehdr, e_shentsize), (uint16_t)f->shdr);
		put16(f, eh + OFF(f, Ehdr, e_shnum), 1);
	}
	return sink_write_at(&o->sink, 0, eh, f->ehdr, err);
}

/* The program header table: PT_NOTE, then segs.  Entries past them that
 * an earlier table used are written as zeros; the section header that
 * holds the count goes with a table of PN_XNUM entries or more. */
static int write_table(struct output *o, struct elf_out *w, const struct seg *segs,
		       size_t n_segs, struct ds_err *err)
{
	const struct elf_form *f = &w->f;
	size_t phnum = n_segs + 1, span = phnum > w->table_n ? phnum : w->table_n;
	uint8_t *ph;
	int r;

	if (!(ph = calloc(span, f->phdr)))
		return ds_err_set(err, DS_ENOMEM, "out of memory for %zu program headers", span);
	put32(f, ph + OFF(f, Phdr, p_type), PT_NOTE);
	putw(f, ph + OFF(f, Phdr, p_offset), w->notes_off);
	putw(f, ph + OFF(f, Phdr, p_filesz), w->notes_size);
	putw(f, ph + OFF(f, Phdr, p_memsz), w->notes_size);
	putw(f, ph + OFF(f, Phdr, p_align), 4);
	for (size_t i = 0; i < n_segs; i++) {
		uint8_t *p = ph + (i + 1) * f->phdr;

		put32(f, p + OFF(f, Phdr, p_type), PT_LOAD);
		put32(f, p + OFF(f, Phdr, p_flags), PF_R | PF_W | PF_X);
		putw(f, p + OFF(f, Phdr, p_offset), w->data_off + segs[i].offset);
		putw(f, p + OFF(f, Phdr, p_vaddr), segs[i].vaddr);
		putw(f, p + OFF(f, Phdr, p_paddr), segs[i].paddr);
		putw(f, p + OFF(f, Phdr, p_filesz), segs[i].len);
		putw(f, p + OFF(f, Phdr, p_memsz), segs[i].len);
		/* p_align 0, as in /proc/vmcore: crash takes an ELF core whose
		 * first PT_LOAD has page-aligned data and a p_align for a
		 * netdump file, and then cannot find phys_base */
	}
	r = sink_write_at(&o->sink, f->ehdr, ph, (size_t)span * f->phdr, err);
	free(ph);
	if (r < 0)
		return r;
	w->table_n = phnum;
	if (phnum >= PN_XNUM) {   /* the real count, where PN_XNUM says */
		uint8_t sh[sizeof(Elf64_Shdr)];

		memset(sh, 0, sizeof(sh));
		put32(f, sh + OFF(f, Shdr, sh_info), (uint32_t)phnum);
		if ((r = sink_write_at(&o->sink, w->shdr_off, sh, f->shdr, err)) < 0)
			return r;
	}
	return 0;
}

/* The PT_LOADs as the dump ends: w->segs without the pfn runs in `cut`
 * (sorted), and without the file data at or past `reach` (a file offset;
 * UINT64_MAX: it all arrived).  out == NULL: count only. */
static size_t final_segs(const struct elf_out *w, const struct lost_run *cut, size_t n_cut,
			 uint64_t reach, struct seg *out)
{
	size_t n = 0, first = 0;

	for (size_t i = 0; i < w->n_segs; i++) {
		const struct seg *g = &w->segs[i];
		uint64_t p = g->paddr >> w->shift, e = (g->paddr + g->len) >> w->shift;
		size_t lo = 0, hi = n_cut;

		/* the first cut run ending past p (segments need not be
		 * sorted: the kernel text's mapping comes again) */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cut[mid].end <= p)
				lo = mid + 1;
			else
				hi = mid;
		}
		first = lo;
		while (p < e) {
			uint64_t q = e;

			if (first < n_cut && cut[first].start < e) {
				if (cut[first].start <= p) {
					p = cut[first].end < e ? cut[first].end : e;
					first++;
					continue;
				}
				q = cut[first].start;
			}
			/* [p, q) kept and read: its file data, cut at reach */
			uint64_t off = g->offset + ((p << w->shift) - g->paddr);
			uint64_t len = (q - p) << w->shift;

			if (reach != UINT64_MAX) {
				uint64_t rel = reach > w->data_off ? reach - w->data_off : 0;

				if (off >= rel)
					len = 0;
				else if (len > rel - off)
					len = (rel - off) >> w->shift << w->shift;
			}
			if (len) {
				if (out)
					out[n] = (struct seg){
						.paddr = p << w->shift,
						.vaddr = g->vaddr && g->vaddr != UINT64_MAX
							 ? g->vaddr + ((p << w->shift) - g->paddr) : g->vaddr,
						.len = len,
						.offset = off,
					};
				n++;
			}
			p = q;
		}
	}
	return n;
}

/* The lost runs with every gap of at most `gap` pfns between two of them
 * joined (the readable pages in such a gap leave the dump too). */
static size_t join_lost(const struct lost_run *v, size_t n, uint64_t gap, struct lost_run *out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (m && v[i].start - out[m - 1].end <= gap)
			out[m - 1].end = v[i].end;
		else
			out[m++] = v[i];
	}
	return m;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The PT_LOADs the dump ends with (*ret, *ret_n): the lost runs out, the
 * data past reach out.  When they need more program headers than the
 * table has room for, lost runs close to each other are joined, the
 * smallest gaps first, until they fit; the readable pages of the joined
 * gaps are left out too and counted in w->dropped.  A lost page is never
 * in a PT_LOAD. */
static int plan_final(struct elf_out *w, uint64_t reach, struct seg **ret, size_t *ret_n,
		      struct ds_err *err)
{
	const struct lost_run *cut = w->lost;
	struct lost_run *joined = NULL;
	size_t n_cut = w->n_lost, n;
	struct seg *segs;

	w->dropped = 0;
	n = final_segs(w, cut, n_cut, reach, NULL);
	if (n + 1 > w->cap) {
		uint64_t *gaps = malloc(n_cut * sizeof(*gaps));
		size_t m = 0;

		joined = malloc(n_cut * sizeof(*joined));
		if (!gaps || !joined) {
			free(gaps);
			free(joined);
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		}
		if (n_cut >= 2) {
			size_t lo = 0, hi = n_cut - 2;

			for (size_t i = 1; i < n_cut; i++)
				gaps[i - 1] = w->lost[i].start - w->lost[i - 1].end;
			qsort(gaps, n_cut - 1, sizeof(*gaps), cmp_u64);
			/* the smallest gap bound that fits */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				m = join_lost(w->lost, n_cut, gaps[mid], joined);
				if (final_segs(w, joined, m, reach, NULL) + 1 <= w->cap)
					hi = mid;
				else
					lo = mid + 1;
			}
			m = join_lost(w->lost, n_cut, gaps[lo], joined);
		}
		free(gaps);
		if (!m || final_segs(w, joined, m, reach, NULL) + 1 > w->cap) {
			/* one run inside more mappings than the reserve holds:
			 * everything from the first lost page on leaves (each
			 * PT_LOAD then keeps one piece at most) */
			joined[0] = (struct lost_run){ w->lost[0].start, UINT64_MAX, w->lost[0].index };
			m = 1;
		}
		cut = joined;
		n_cut = m;
		n = final_segs(w, cut, n_cut, reach, NULL);
		/* readable pages inside the joined runs: the kept pages from
		 * the first lost one on (slot indices run on through a gap)
		 * less the lost ones */
		for (size_t i = 0, j = 0; i < n_cut; i++) {
			uint64_t first = UINT64_MAX, last = 0, lost = 0;

			for (; j < w->n_lost && w->lost[j].start < joined[i].end; j++) {
				if (first == UINT64_MAX)
					first = w->lost[j].index;
				last = w->lost[j].index + (w->lost[j].end - w->lost[j].start);
				lost += w->lost[j].end - w->lost[j].start;
			}
			if (joined[i].end == UINT64_MAX)
				last = w->added;
			if (first != UINT64_MAX)
				w->dropped += last - first - lost;
		}
	}
	segs = calloc(n ? n : 1, sizeof(*segs));
	if (!segs) {
		free(joined);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	final_segs(w, cut, n_cut, reach, segs);
	free(joined);
	*ret = segs;
	*ret_n = n;
	return 0;
}

/* Rewrite the table for how the dump ends, then the ELF header: its
 * e_flags keep DUMP_ELF_INCOMPLETE unless `complete`.  On a file, the
 * table is durable before the header that says complete. */
static int rewrite_head(struct output *o, struct elf_out *w, uint64_t reach, bool complete,
			struct ds_err *err)
{
	struct seg *segs = NULL;
	size_t n = 0;
	int r;

	if ((r = plan_final(w, reach, &segs, &n, err)) < 0)
		return r;
	r = write_table(o, w, segs, n, err);
	free(segs);
	if (r < 0 || (r = sink_barrier(&o->sink, err)) < 0)
		return r;
	return write_ehdr(o, w, n + 1, complete ? 0 : DUMP_ELF_INCOMPLETE, err);
}

/* Does everything fit ELF32's 32-bit addresses, sizes and offsets? */
static bool fits_elf32(const struct elf_out *w, const struct seg *segs, size_t n_segs)
{
	if (w->end > UINT32_MAX)
		return false;
	for (size_t i = 0; i < n_segs; i++)
		if (segs[i].paddr + segs[i].len - 1 > UINT32_MAX ||
		    (segs[i].vaddr != UINT64_MAX &&
		     segs[i].vaddr + (segs[i].vaddr ? segs[i].len - 1 : 0) > UINT32_MAX))
			return false;
	return true;
}

/* Where the page data starts and the file ends, in w->f's form. */
static void place_data(struct elf_out *w)
{
	uint64_t head;

	place_head(w);
	head = w->notes_off + w->notes_size;
	w->data_off = (head + w->ps - 1) / w->ps * w->ps;
	w->pos = w->data_off;
	w->end = w->data_off + (w->n_kept << w->shift);
	if (!w->n_kept)
		w->end = head;
}

static void elf_abort(struct output *o)
{
	struct elf_out *w = o->priv;

	if (!w)
		return;
	free(w->buf);
	free(w->segs);
	free(w->lost);
	free(w);
	o->priv = NULL;
}

static int elf_begin(struct output *o, const struct dump_meta *m, const struct keepmap *km,
		     struct ds_err *err)
{
	struct elf_out *w = calloc(1, sizeof(*w));
	struct run *runs = NULL;
	size_t n_runs = 0;
	int r;

	if (!w)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	o->priv = w;
	w->ps = m->page_size;
	w->shift = (unsigned)__builtin_ctz(m->page_size);
	w->machine = m->elf_machine;
	w->notes_size = m->notes_size;
	if (kept_runs(km, &runs, &n_runs, &w->n_kept) < 0)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	w->n_segs = make_segs(m, runs, n_runs, w->shift, NULL);
	if (w->n_segs + 1 + ELF_PHDR_RESERVE > UINT32_MAX) {
		free(runs);
		return ds_err_set(err, DS_EINVAL, "%zu program headers are too many for ELF",
				  w->n_segs);
	}
	w->cap = w->n_segs + 1 + ELF_PHDR_RESERVE;
	w->segs = calloc(w->n_segs ? w->n_segs : 1, sizeof(*w->segs));
	w->buf = malloc(DATA_BUF);
	if (!w->segs || !w->buf) {
		free(runs);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	make_segs(m, runs, n_runs, w->shift, w->segs);
	free(runs);
	/* the vmcore's class (a dump's: the machine's word), when it fits */
	form_init(&w->f, !(m->elf_class ? m->elf_class == 32 : m->mach.word_size == 4),
		  m->mach.big_endian);
	place_data(w);
	if (!w->f.is64 && !fits_elf32(w, w->segs, w->n_segs)) {
		form_init(&w->f, true, m->mach.big_endian);
		place_data(w);
	}
	/* From its first write the file says it is incomplete; the barrier
	 * makes that durable before any page can be.  The table's reserve is
	 * allocated, so that it can be rewritten when the disk is full. */
	if ((r = write_ehdr(o, w, w->n_segs + 1, DUMP_ELF_INCOMPLETE, err)) < 0 ||
	    (r = write_table(o, w, w->segs, w->n_segs, err)) < 0 ||
	    (r = sink_write_at(&o->sink, w->notes_off, m->notes, m->notes_size, err)) < 0 ||
	    (r = sink_barrier(&o->sink, err)) < 0)
		return r;
	(void)sink_reserve(&o->sink, w->f.ehdr, w->notes_off - w->f.ehdr);
	w->begun = true;
	return 0;
}

static int flush(struct output *o, struct elf_out *w, struct ds_err *err)
{
	int r = sink_write_at(&o->sink, w->pos - w->buf_len, w->buf, w->buf_len, err);

	w->buf_len = 0;
	return r;
}

static int append(struct output *o, struct elf_out *w, const void *data, struct ds_err *err)
{
	int r;

	if (w->buf_len + w->ps > DATA_BUF && (r = flush(o, w, err)) < 0)
		return r;
	if (data)
		memcpy(w->buf + w->buf_len, data, w->ps);
	else
		memset(w->buf + w->buf_len, 0, w->ps);
	w->buf_len += w->ps;
	w->pos += w->ps;
	return 0;
}

/* Place the pending zero pages: a long run stays a hole. */
static int place_zeros(struct output *o, struct elf_out *w, struct ds_err *err)
{
	int r;

	if (w->zeros >= ZERO_HOLE_PAGES) {
		if (w->buf_len && (r = flush(o, w, err)) < 0)
			return r;
		w->pos += w->zeros << w->shift;
	} else {
		for (uint64_t i = 0; i < w->zeros; i++)
			if ((r = append(o, w, NULL, err)) < 0)
				return r;
	}
	w->zeros = 0;
	return 0;
}

static int elf_add_page(struct output *o, uint64_t pfn, const void *data, uint32_t size,
			uint32_t flags, struct ds_err *err)
{
	struct elf_out *w = o->priv;
	int r;

	(void)pfn;
	if (flags || size != w->ps)
		return ds_err_set(err, DS_EINVAL, "ELF output takes raw pages (size %u flags 0x%x)",
				  size, flags);
	if (w->added >= w->n_kept)
		return ds_err_set(err, DS_EINVAL, "more pages than the %" PRIu64 " planned", w->n_kept);
	if (w->zeros && (r = place_zeros(o, w, err)) < 0)
		return r;
	if ((r = append(o, w, data, err)) < 0)
		return r;
	w->added++;
	return 0;
}

static int elf_add_zero(struct output *o, uint64_t pfn, struct ds_err *err)
{
	struct elf_out *w = o->priv;

	(void)pfn;
	if (w->added >= w->n_kept)
		return ds_err_set(err, DS_EINVAL, "more pages than the %" PRIu64 " planned", w->n_kept);
	w->added++;
	w->zeros++;
	return 0;
}

/* A page the input could not give: its slot in the file stays (a hole or
 * zeros, as a zero page), and the PT_LOADs written at the end leave its
 * pfn out: a reader finds it not present, never a page of zeros. */
static int elf_add_lost(struct output *o, uint64_t pfn, struct ds_err *err)
{
	struct elf_out *w = o->priv;
	uint64_t index = w->added;
	int r;

	if ((r = elf_add_zero(o, pfn, err)) < 0)
		return r;
	w->n_lost_pages++;
	if (w->n_lost && w->lost[w->n_lost - 1].end == pfn) {
		w->lost[w->n_lost - 1].end++;
		return 0;
	}
	if (w->n_lost && pfn < w->lost[w->n_lost - 1].end)
		return ds_err_set(err, DS_EINVAL, "ELF output takes pages in pfn order (pfn %#" PRIx64
				  " after %#" PRIx64 ")", pfn, w->lost[w->n_lost - 1].end - 1);
	if (w->n_lost == w->cap_lost) {
		size_t ncap = w->cap_lost ? w->cap_lost * 2 : 64;
		struct lost_run *g = realloc(w->lost, ncap * sizeof(*g));

		if (!g)
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		w->lost = g;
		w->cap_lost = ncap;
	}
	w->lost[w->n_lost++] = (struct lost_run){ pfn, pfn + 1, index };
	return 0;
}

static int elf_finish(struct output *o, uint64_t *ret_bytes, struct ds_err *err)
{
	struct elf_out *w = o->priv;
	int r;

	if (w->added != w->n_kept)
		return ds_err_set(err, DS_EINVAL, "wrote %" PRIu64 " pages, planned %" PRIu64,
				  w->added, w->n_kept);
	if (w->zeros) {           /* a trailing zero run: write its last page */
		w->zeros--;
		if ((r = place_zeros(o, w, err)) < 0 || (r = append(o, w, NULL, err)) < 0)
			return r;
	}
	/* the data, then the final table (lost runs out), then the header
	 * without DUMP_ELF_INCOMPLETE: the last write */
	if ((r = flush(o, w, err)) < 0 ||
	    (r = rewrite_head(o, w, UINT64_MAX, true, err)) < 0 ||
	    (r = sink_finish(&o->sink, w->end, err)) < 0)
		return r;
	o->dropped_pages = w->dropped;
	if (ret_bytes)
		*ret_bytes = w->end;
	elf_abort(o);
	return 0;
}

/* The dump stops early (a full disk, an output error, a signal): what
 * reached the output stays a dump flagged DUMP_ELF_INCOMPLETE (it was from
 * the first write).  Where the output still takes writes (a file, even a
 * full one: the table's blocks are allocated; a stream not broken), the
 * table is rewritten to claim only the pages whose data arrived, the lost
 * ones left out, and a stream gets its end marker.  A broken stream keeps
 * its first table: -R of it is flagged, and pages past the cut read as
 * missing data. */
static int elf_close_incomplete(struct output *o, struct output_incomplete *ret,
				struct ds_err *err)
{
	struct elf_out *w = o->priv;
	struct sink *s = &o->sink;
	struct ds_err ignored;
	uint64_t reach, slots = 0, lost = 0;

	memset(ret, 0, sizeof(*ret));
	ret->planned = w->n_kept;
	ret->lost = w->n_lost_pages;
	if (!w->begun) {
		elf_abort(o);
		return 0;
	}
	if (!s->broken && w->buf_len)
		(void)flush(o, w, &ignored);
	reach = s->broken ? s->fail_end : w->pos;
	if (reach > w->data_off)
		slots = (reach - w->data_off) >> w->shift;
	if (slots > w->added)
		slots = w->added;
	for (size_t i = 0; i < w->n_lost && w->lost[i].index < slots; i++) {
		uint64_t e = w->lost[i].index + (w->lost[i].end - w->lost[i].start);

		lost += (e < slots ? e : slots) - w->lost[i].index;
	}
	ret->pages = slots - lost;
	if (ret->pages && (!s->header_first || !s->broken) &&
	    rewrite_head(o, w, reach, false, &ignored) == 0 && s->header_first)
		(void)sink_finish(s, reach, &ignored);
	o->dropped_pages = w->dropped;
	(void)err;
	elf_abort(o);
	return 0;
}

const struct output_ops output_elf_ops = {
	.name = "ELF",
	.takes_compressed = false,
	.begin = elf_begin,
	.add_page = elf_add_page,
	.add_zero = elf_add_zero,
	.add_lost = elf_add_lost,
	.finish = elf_finish,
	.close_incomplete = elf_close_incomplete,
	.abort = elf_abort,
};

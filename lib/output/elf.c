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
 *   64 (52)  program headers: PT_NOTE, then the PT_LOADs
 *            [PN_XNUM: one section header after them holds the count]
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
 * Pages arrive raw (takes_compressed is false).  Everything but the page
 * data is known at begin, so the headers are written first, in ascending
 * order (a flattened stream rebuilds cheaply).
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

struct elf_out {
	struct elf_form f;
	uint32_t ps;
	unsigned shift;
	uint64_t data_off;                   /* file offset of the first kept page */
	uint64_t n_kept, added;
	uint64_t end;                        /* the file's size */
	uint8_t *buf;                        /* pending bytes, ending at pos */
	size_t buf_len;
	uint64_t pos;                        /* file offset of the next page */
	uint64_t zeros;                      /* zero pages pending (not yet placed) */
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

/* The size of the headers and notes in a form: the page data follows. */
static uint64_t head_size(const struct elf_form *f, const struct dump_meta *m, size_t n_segs)
{
	return f->ehdr + (n_segs + 1) * f->phdr + (n_segs + 1 >= PN_XNUM ? f->shdr : 0) +
	       m->notes_size;
}

static int write_headers(struct output *o, struct elf_out *w, const struct dump_meta *m,
			 const struct seg *segs, size_t n_segs, struct ds_err *err)
{
	const struct elf_form *f = &w->f;
	size_t phnum = n_segs + 1;
	bool xnum = phnum >= PN_XNUM;
	uint64_t ph_bytes = (uint64_t)phnum * f->phdr;
	uint64_t notes_off = f->ehdr + ph_bytes + (xnum ? f->shdr : 0);
	uint8_t eh[sizeof(Elf64_Ehdr)], *ph;
	int r;

	memset(eh, 0, sizeof(eh));
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = f->is64 ? ELFCLASS64 : ELFCLASS32;
	eh[EI_DATA] = f->be ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	put16(f, eh + OFF(f, Ehdr, e_type), ET_CORE);
	put16(f, eh + OFF(f, Ehdr, e_machine), m->elf_machine);
	put32(f, eh + OFF(f, Ehdr, e_version), EV_CURRENT);
	putw(f, eh + OFF(f, Ehdr, e_phoff), f->ehdr);
	put16(f, eh + OFF(f, Ehdr, e_ehsize), (uint16_t)f->ehdr);
	put16(f, eh + OFF(f, Ehdr, e_phentsize), (uint16_t)f->phdr);
	put16(f, eh + OFF(f, Ehdr, e_phnum), xnum ? PN_XNUM : (uint16_t)phnum);
	if (xnum) {
		putw(f, eh + OFF(f, Ehdr, e_shoff), f->ehdr + ph_bytes);
		put16(f, eh + OFF(f, Ehdr, e_shentsize), (uint16_t)f->shdr);
		put16(f, eh + OFF(f, Ehdr, e_shnum), 1);
	}
	if ((r = sink_write_at(&o->sink, 0, eh, f->ehdr, err)) < 0)
		return r;

	if (!(ph = calloc(phnum, f->phdr)))
		return ds_err_set(err, DS_ENOMEM, "out of memory for %zu program headers", phnum);
	put32(f, ph + OFF(f, Phdr, p_type), PT_NOTE);
	putw(f, ph + OFF(f, Phdr, p_offset), notes_off);
	putw(f, ph + OFF(f, Phdr, p_filesz), m->notes_size);
	putw(f, ph + OFF(f, Phdr, p_memsz), m->notes_size);
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
	r = sink_write_at(&o->sink, f->ehdr, ph, ph_bytes, err);
	free(ph);
	if (r < 0)
		return r;
	if (xnum) {               /* the real count, where PN_XNUM says */
		uint8_t sh[sizeof(Elf64_Shdr)];

		memset(sh, 0, sizeof(sh));
		put32(f, sh + OFF(f, Shdr, sh_info), (uint32_t)phnum);
		if ((r = sink_write_at(&o->sink, f->ehdr + ph_bytes, sh, f->shdr, err)) < 0)
			return r;
	}
	return sink_write_at(&o->sink, notes_off, m->notes, m->notes_size, err);
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
static void place_data(struct elf_out *w, const struct dump_meta *m, size_t n_segs)
{
	uint64_t head = head_size(&w->f, m, n_segs);

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
	free(w);
	o->priv = NULL;
}

static int elf_begin(struct output *o, const struct dump_meta *m, const struct keepmap *km,
		     struct ds_err *err)
{
	struct elf_out *w = calloc(1, sizeof(*w));
	struct run *runs = NULL;
	struct seg *segs = NULL;
	size_t n_runs = 0, n_segs;
	int r;

	if (!w)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	o->priv = w;
	w->ps = m->page_size;
	w->shift = (unsigned)__builtin_ctz(m->page_size);
	if (kept_runs(km, &runs, &n_runs, &w->n_kept) < 0)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	n_segs = make_segs(m, runs, n_runs, w->shift, NULL);
	if (n_segs + 1 > UINT32_MAX) {
		free(runs);
		return ds_err_set(err, DS_EINVAL, "%zu program headers are too many for ELF", n_segs);
	}
	segs = calloc(n_segs ? n_segs : 1, sizeof(*segs));
	w->buf = malloc(DATA_BUF);
	if (!segs || !w->buf) {
		free(runs);
		free(segs);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	make_segs(m, runs, n_runs, w->shift, segs);
	free(runs);
	/* the vmcore's class (a dump's: the machine's word), when it fits */
	form_init(&w->f, !(m->elf_class ? m->elf_class == 32 : m->mach.word_size == 4),
		  m->mach.big_endian);
	place_data(w, m, n_segs);
	if (!w->f.is64 && !fits_elf32(w, segs, n_segs)) {
		form_init(&w->f, true, m->mach.big_endian);
		place_data(w, m, n_segs);
	}
	r = write_headers(o, w, m, segs, n_segs, err);
	free(segs);
	return r;
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
	if (w->added++ >= w->n_kept)
		return ds_err_set(err, DS_EINVAL, "more pages than the %" PRIu64 " planned", w->n_kept);
	if (w->zeros && (r = place_zeros(o, w, err)) < 0)
		return r;
	return append(o, w, data, err);
}

static int elf_add_zero(struct output *o, uint64_t pfn, struct ds_err *err)
{
	struct elf_out *w = o->priv;

	(void)pfn;
	if (w->added++ >= w->n_kept)
		return ds_err_set(err, DS_EINVAL, "more pages than the %" PRIu64 " planned", w->n_kept);
	w->zeros++;
	return 0;
}

/* A page the input could not give: its place in the PT_LOAD is planned
 * already, so it reads as zeros (a hole). */
static int elf_add_lost(struct output *o, uint64_t pfn, struct ds_err *err)
{
	return elf_add_zero(o, pfn, err);
}

static int elf_finish(struct output *o, uint64_t *ret_bytes, struct ds_err *err)
{
	struct elf_out *w = o->priv;
	int r;

	if (w->added != w->n_kept) {
		r = ds_err_set(err, DS_EINVAL, "wrote %" PRIu64 " pages, planned %" PRIu64,
			       w->added, w->n_kept);
		goto out;
	}
	if (w->zeros) {           /* a trailing zero run: write its last page */
		w->zeros--;
		if ((r = place_zeros(o, w, err)) < 0 || (r = append(o, w, NULL, err)) < 0)
			goto out;
	}
	if ((r = flush(o, w, err)) < 0 || (r = sink_finish(&o->sink, w->end, err)) < 0)
		goto out;
	if (ret_bytes)
		*ret_bytes = w->end;
	r = 0;
out:
	elf_abort(o);
	return r;
}

const struct output_ops output_elf_ops = {
	.name = "ELF",
	.takes_compressed = false,
	.begin = elf_begin,
	.add_page = elf_add_page,
	.add_zero = elf_add_zero,
	.add_lost = elf_add_lost,
	.finish = elf_finish,
	.abort = elf_abort,
};

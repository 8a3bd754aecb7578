/* output.c - write the model as a kdump-style ELF vmcore, and the truth.
 *
 * The vmcore looks like /proc/vmcore in a capture kernel: ELF header,
 * program headers at offset 64, one PT_NOTE (a CORE/NT_PRSTATUS note per
 * CPU, then the VMCOREINFO note), a PT_LOAD for the kernel text (vaddr in
 * the kernel map, the same physical pages as the RAM load that holds them,
 * as kexec-tools makes it), then one PT_LOAD per RAM range with the direct
 * map address as p_vaddr.  Segment data starts on a page boundary and
 * follows in program-header order.  Pages whose content is zero are never
 * written: they are holes of a sparse file.
 *
 * Truth files (format of `tests/tools/dumpcheck.py pfns`: one `0xS-0xE`
 * inclusive range per line, then `total N`):
 *   expected-present.pfns  pfns inside a PT_LOAD (the 1st bitmap)
 *   expected-d<L>.pfns     the 2nd bitmap of a kdump-compressed dump at -d L
 *                          (zero pages stay in it, as makedumpfile does)
 *   expected-d<L>.zero     for odd L: the pfns of that set whose page is all
 *                          zero, so must share the zero-page descriptor
 * They are computed from the extents (what was placed where) with the rules
 * of filtering.md section 2.2 applied to kinds, never from the bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE          /* pwrite, ftruncate, getopt_long, strtok_r ... */
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen.h"

#define WBUF_PAGES 256u           /* 1 MiB write batches */
#define PRSTATUS_SIZE 336u        /* struct elf_prstatus on x86_64 */

static const unsigned levels[MAX_LEVELS] = { 0, 1, 2, 4, 8, 16, 31 };

struct writer {
	int fd;
	const char *path;
	uint64_t *load_off;       /* file offset of each vmc range's data */
	uint64_t ktext_off;
	/* batch of consecutive pages */
	uint8_t *buf;
	uint64_t buf_off;         /* file offset of buf[0] */
	size_t buf_len;
	uint64_t bytes_written;
};

static void w_flush(struct writer *w)
{
	size_t done = 0;

	while (done < w->buf_len) {
		ssize_t r = pwrite(w->fd, w->buf + done, w->buf_len - done,
				   (off_t)(w->buf_off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("write %s: %s", w->path, strerror(errno));
		}
		done += (size_t)r;
	}
	w->bytes_written += w->buf_len;
	w->buf_len = 0;
}

/* queue one page for file offset off */
static uint8_t *w_page(struct writer *w, uint64_t off)
{
	if (w->buf_len && (w->buf_off + w->buf_len != off || w->buf_len == WBUF_PAGES * PAGE_SIZE))
		w_flush(w);
	if (!w->buf_len)
		w->buf_off = off;
	w->buf_len += PAGE_SIZE;
	return w->buf + w->buf_len - PAGE_SIZE;
}

static void w_direct(struct writer *w, uint64_t off, const void *p, size_t len)
{
	w_flush(w);
	w->buf_off = off;
	while (len) {
		size_t n = len < WBUF_PAGES * PAGE_SIZE ? len : WBUF_PAGES * PAGE_SIZE;

		memcpy(w->buf, p, n);
		w->buf_len = n;
		w_flush(w);
		w->buf_off += n;
		p = (const uint8_t *)p + n;
		len -= n;
	}
}

static long vmc_index(const struct model *m, uint64_t pfn)
{
	size_t lo = 0, hi = m->n_vmc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < m->vmc[mid].start)
			hi = mid;
		else if (pfn >= m->vmc[mid].end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

static uint64_t file_off(const struct model *m, const struct writer *w, uint64_t pfn)
{
	long i = vmc_index(m, pfn);

	if (i < 0)
		die("internal: pfn 0x%llx is not in the vmcore", (unsigned long long)pfn);
	return w->load_off[i] + ((pfn - m->vmc[i].start) << PAGE_SHIFT);
}

static void text_page(const struct model *m, uint64_t pfn, uint8_t *buf)
{
	/* "code": dense non-zero bytes */
	uint64_t *q = (uint64_t *)(void *)buf;
	uint64_t x = mix64(pfn * 31 + 7);

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		q[i] = x | 0x0100000000000001ull;
	}
	(void)m;
}

/* bytes of a page that is not all zero */
static void page_content(const struct model *m, const struct extent *e, uint64_t pfn, uint8_t *buf)
{
	const uint8_t *st;
	/* the pfn whose content this one repeats (spec `repeat N`) */
	uint64_t key = m->sp->repeat > 1 ? pfn - pfn % m->sp->repeat : pfn;

	switch (e->kind) {
	case K_KIMAGE:
		if ((pfn << PAGE_SHIFT) - m->kphys < m->ktext_size) {
			text_page(m, key, buf);
			return;
		}
		/* fall through */
	case K_META:
		st = pstore_get((struct pstore *)&m->store, pfn, false);
		memcpy(buf, st, PAGE_SIZE);
		return;
	default:
		if (e->stored) {
			st = pstore_get((struct pstore *)&m->store, pfn, false);
			memcpy(buf, st, PAGE_SIZE);
			return;
		}
		fill_data_page(m, key, buf);
	}
}

static void note_hdr(struct sbuf *b, const char *name, uint32_t type, const void *desc,
		     uint32_t descsz, uint32_t claimed_descsz)
{
	Elf64_Nhdr nh = { (Elf64_Word)(strlen(name) + 1), claimed_descsz, type };
	static const char zeros[4];
	size_t namesz = strlen(name) + 1;

	if (b->cap - b->len < sizeof(nh) + namesz + descsz + 8) {
		b->cap = (b->cap + sizeof(nh) + namesz + descsz + 8) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, &nh, sizeof(nh));
	b->len += sizeof(nh);
	memcpy(b->s + b->len, name, namesz);
	b->len += namesz;
	memcpy(b->s + b->len, zeros, (4 - namesz % 4) % 4);
	b->len += (4 - namesz % 4) % 4;
	memcpy(b->s + b->len, desc, descsz);
	b->len += descsz;
	memcpy(b->s + b->len, zeros, (4 - descsz % 4) % 4);
	b->len += (4 - descsz % 4) % 4;
}

/* replace the first `from` in b by `to` */
static void sb_replace(struct sbuf *b, const char *from, const char *to)
{
	char *p = strstr(b->s, from);
	struct sbuf n = { 0 };

	if (!p)
		die("internal: '%s' not in VMCOREINFO", from);
	sb_printf(&n, "%.*s%s%s", (int)(p - b->s), b->s, to, p + strlen(from));
	sb_free(b);
	*b = n;
}

static void build_notes(struct model *m, struct sbuf *notes, struct sbuf *vi)
{
	uint8_t pr[PRSTATUS_SIZE];
	const char *edit = m->vmci_edit;

	for (unsigned c = 0; c < m->sp->cpus; c++) {
		uint64_t regs[27];

		memset(pr, 0, sizeof(pr));
		memset(regs, 0, sizeof(regs));
		uint32_t pid = c == 0 ? 1234 : 0;

		memcpy(pr + 32, &pid, 4);                 /* pr_pid */
		regs[16] = m->ktext + 0x123456 + c * 0x40; /* rip */
		regs[17] = 0x10;                          /* cs */
		regs[18] = 0x246;                         /* eflags */
		regs[19] = direct_va(m, (m->max_pfn << PAGE_SHIFT) / 2 + c * 0x4000 + 0x3f00); /* rsp */
		regs[20] = 0x18;                          /* ss */
		memcpy(pr + 112, regs, sizeof(regs));
		note_hdr(notes, "CORE", NT_PRSTATUS, pr, sizeof(pr), sizeof(pr));
	}
	vmcoreinfo_build(m, vi);
	if (!strcmp(edit, "no-note"))
		return;
	if (!strcmp(edit, "garbage")) {
		struct rng r = { m->sp->seed };

		for (size_t i = 0; i < vi->len; i++) {
			uint8_t c = (uint8_t)rng_next(&r);

			vi->s[i] = (char)(c == '=' ? '?' : c);
		}
	} else if (!strcmp(edit, "cut")) {
		char *p = strstr(vi->s, "PAGESIZE=");

		p = strchr(p, '\n');
		vi->len = (size_t)(p + 1 - vi->s);
	} else if (!strcmp(edit, "bad-pagesize")) {
		sb_replace(vi, "PAGESIZE=4096\n", "PAGESIZE=1234\n");
	} else if (!strcmp(edit, "bad-page-size")) {
		sb_replace(vi, "SIZE(page)=64\n", "SIZE(page)=4096\n");
	} else if (!strcmp(edit, "pgd-symbol")) {
		char from[64], to[64];

		snprintf(from, sizeof(from), "SYMBOL(init_top_pgt)=%llx\n",
			 (unsigned long long)image_va(m, m->pgd_paddr));
		snprintf(to, sizeof(to), "SYMBOL(init_top_pgt)=%llx\n",
			 (unsigned long long)direct_va(m, m->pgd_paddr));
		sb_replace(vi, from, to);
	}
	note_hdr(notes, "VMCOREINFO", 0, vi->s, (uint32_t)vi->len,
		 !strcmp(edit, "overrun") ? (uint32_t)vi->len + 0x10000 : (uint32_t)vi->len);
}

void output_vmcore(struct model *m, const char *path)
{
	struct sbuf notes = { 0 }, vi = { 0 };
	struct writer w = { .path = path };
	size_t nph = 1 + (m->sp->ktext_load ? 1 : 0) + m->n_vmc;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = xcalloc(nph, sizeof(*ph));
	uint64_t off, total;
	size_t k = 0;
	uint8_t *page;

	build_notes(m, &notes, &vi);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)nph;
	if (nph >= PN_XNUM)
		die("too many RAM ranges (%zu)", nph);

	off = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	ph[k++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off, .p_filesz = notes.len,
				.p_memsz = notes.len };
	off = (off + notes.len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (m->sp->ktext_load) {
		w.ktext_off = off;
		ph[k++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					.p_offset = off, .p_vaddr = m->ktext, .p_paddr = m->kphys,
					.p_filesz = m->ksize, .p_memsz = m->ksize };
		off += m->ksize;
	}
	w.load_off = xcalloc(m->n_vmc, sizeof(*w.load_off));
	for (size_t i = 0; i < m->n_vmc; i++) {
		uint64_t pa = m->vmc[i].start << PAGE_SHIFT, len = (m->vmc[i].end - m->vmc[i].start) << PAGE_SHIFT;

		w.load_off[i] = off;
		ph[k++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					.p_offset = off, .p_vaddr = direct_va(m, pa), .p_paddr = pa,
					.p_filesz = len, .p_memsz = len };
		off += len;
	}
	total = off;
	if (m->bad_load_index && m->bad_load_index < nph) {
		ph[m->bad_load_index].p_filesz = ph[m->bad_load_index].p_memsz + PAGE_SIZE;
		ph[m->bad_load_index].p_offset = PAGE_SIZE;   /* keep it inside the file */
	}

	w.fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w.fd < 0)
		die("cannot create %s: %s", path, strerror(errno));
	if (ftruncate(w.fd, (off_t)total) < 0)
		die("cannot size %s to %" PRIu64 " bytes: %s", path, total, strerror(errno));
	w.buf = xmalloc(WBUF_PAGES * PAGE_SIZE);
	{
		uint8_t *head = xcalloc(1, (size_t)(sizeof(eh) + nph * sizeof(*ph)));

		memcpy(head, &eh, sizeof(eh));
		memcpy(head + sizeof(eh), ph, nph * sizeof(*ph));
		w_direct(&w, 0, head, sizeof(eh) + nph * sizeof(*ph));
		w_direct(&w, ph[0].p_offset, notes.s, notes.len);
		free(head);
	}

	/* the kernel text load: the image again */
	if (m->sp->ktext_load) {
		const struct extent *e = extent_at(m, m->kphys >> PAGE_SHIFT);

		for (uint64_t i = 0; i < m->ksize >> PAGE_SHIFT; i++) {
			uint64_t pfn = (m->kphys >> PAGE_SHIFT) + i;

			if (page_is_zero(m, e, pfn))
				continue;
			page = w_page(&w, w.ktext_off + (i << PAGE_SHIFT));
			page_content(m, e, pfn, page);
		}
	}
	/* RAM, extent by extent; struct page arrays come next */
	for (size_t x = 0; x < m->n_ext; x++) {
		const struct extent *e = &m->ext[x];

		if (e->kind == K_CRASHKERNEL || e->kind == K_MEMMAP)
			continue;
		if (e->zero_pct >= 100 && e->kind != K_KIMAGE && e->kind != K_META)
			continue;
		for (uint64_t pfn = e->pfn; pfn < e->pfn + e->npages; pfn++) {
			if (page_is_zero(m, e, pfn))
				continue;
			page = w_page(&w, file_off(m, &w, pfn));
			page_content(m, e, pfn, page);
		}
	}
	/* struct pages, a section (2 MiB) at a time */
	{
		uint8_t *sec = xmalloc(PAGES_PER_SECTION * SP_SIZE);

		for (uint64_t s = 0; s < m->n_sections; s++) {
			if (!m->sec_present[s])
				continue;
			spage_encode_range(m, s << PFN_SECTION_SHIFT, PAGES_PER_SECTION, sec);
			w_direct(&w, file_off(m, &w, m->sec_memmap[s] >> PAGE_SHIFT), sec,
				 PAGES_PER_SECTION * SP_SIZE);
		}
		free(sec);
	}
	w_flush(&w);
	if (m->truncate != TRUNC_NONE) {
		/* in the middle of the notes, or of the last PT_LOAD's data */
		uint64_t size = m->truncate == TRUNC_NOTES ? ph[0].p_offset + notes.len / 2
				: ph[nph - 1].p_offset + ph[nph - 1].p_filesz / 2;

		if (ftruncate(w.fd, (off_t)size) < 0)
			die("cannot truncate %s: %s", path, strerror(errno));
	}
	if (close(w.fd) < 0)
		die("close %s: %s", path, strerror(errno));
	free(w.buf);
	free(w.load_off);
	free(ph);
	sb_free(&notes);
	sb_free(&vi);
}

/* ---- truth ---- */

enum verdict truth_class(const struct model *m, int kind, unsigned L)
{
	switch (kind) {
	case K_FREE:
	case K_UNACCEPTED:
		return L & 16 ? V_EXCLUDE : V_KEEP;
	case K_CACHE:
	case K_SHMEM:
	case K_SWAPCACHE:
	case K_FILE_FOLIO:
		return L & (2 | 4) ? V_EXCLUDE : V_KEEP;
	case K_CACHE_PRIV:
	case K_FILE_FOLIO_PRIV:
		return L & 4 ? V_EXCLUDE : V_KEEP;
	case K_ANON:
	case K_ANON_SWAPCACHE:
	case K_KSM:
	case K_THP:
	case K_HUGETLB:
		return L & 8 ? V_EXCLUDE : V_KEEP;
	case K_OFFLINE:
		return m->g->x_offline ? V_EXCLUDE : V_KEEP;
	case K_HWPOISON:
		return V_EXCLUDE;
	case K_BAD_COMPOUND:
		/* the order cannot be right: the head goes alone, tails stay */
		return L & 8 ? V_HEAD_ONLY : V_KEEP;
	case K_BAD_FLAGS:
		/* PG_hwpoison is among the bits; PG_head too, but page[1] is no tail */
		return V_HEAD_ONLY;
	default:
		return V_KEEP;
	}
}

struct rangeout {
	FILE *f;
	uint64_t start, end, total;   /* pending [start, end) */
};

static void ro_add(struct rangeout *r, uint64_t s, uint64_t e)
{
	if (s >= e)
		return;
	if (r->end == s && r->end > r->start) {
		r->end = e;
		return;
	}
	if (r->end > r->start)
		fprintf(r->f, "0x%" PRIx64 "-0x%" PRIx64 "\n", r->start, r->end - 1);
	r->start = s;
	r->end = e;
}

static void ro_close(struct rangeout *r)
{
	if (r->end > r->start)
		fprintf(r->f, "0x%" PRIx64 "-0x%" PRIx64 "\n", r->start, r->end - 1);
	fprintf(r->f, "total %" PRIu64 "\n", r->total);
	if (fclose(r->f))
		die("write truth file: %s", strerror(errno));
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die("cannot create %s: %s", path, strerror(errno));
	return f;
}

/* kept pfns [s, e) of extent x: add them, and their zero pages */
static void kept(const struct model *m, const struct extent *x, uint64_t s, uint64_t e,
		 struct rangeout *keep, struct rangeout *zero)
{
	ro_add(keep, s, e);
	keep->total += e - s;
	if (!zero)
		return;
	bool uniform = x->kind == K_MEMMAP ||
		       (x->kind != K_KIMAGE && x->kind != K_META &&
			(x->zero_pct == 0 || x->zero_pct >= 100));

	if (uniform) {
		if (page_is_zero(m, x, s)) {
			ro_add(zero, s, e);
			zero->total += e - s;
		}
		return;
	}
	for (uint64_t p = s; p < e; p++)
		if (page_is_zero(m, x, p)) {
			ro_add(zero, p, p + 1);
			zero->total++;
		}
}

void output_truth(struct model *m, const char *dir)
{
	struct rangeout pres = { open_out(dir, "expected-present.pfns"), 0, 0, 0 };

	for (size_t i = 0; i < m->n_vmc; i++) {
		ro_add(&pres, m->vmc[i].start, m->vmc[i].end);
		pres.total += m->vmc[i].end - m->vmc[i].start;
	}
	ro_close(&pres);

	for (unsigned li = 0; li < MAX_LEVELS; li++) {
		unsigned L = levels[li];
		char name[64];
		struct rangeout keep, zero;

		snprintf(name, sizeof(name), "expected-d%u.pfns", L);
		keep = (struct rangeout){ open_out(dir, name), 0, 0, 0 };
		if (L & 1) {
			snprintf(name, sizeof(name), "expected-d%u.zero", L);
			zero = (struct rangeout){ open_out(dir, name), 0, 0, 0 };
		}
		for (size_t i = 0; i < m->n_ext; i++) {
			const struct extent *x = &m->ext[i];
			enum verdict v;

			if (x->kind == K_CRASHKERNEL)
				continue;
			v = truth_class(m, x->kind, L);
			if (v == V_KEEP) {
				kept(m, x, x->pfn, x->pfn + x->npages, &keep, L & 1 ? &zero : NULL);
			} else if (v == V_HEAD_ONLY) {
				uint64_t size = 1ull << x->order;

				for (uint64_t h = x->pfn; h < x->pfn + x->npages; h += size)
					kept(m, x, h + 1, h + size, &keep, L & 1 ? &zero : NULL);
			}
		}
		ro_close(&keep);
		if (L & 1)
			ro_close(&zero);
	}
	log_truth(m, dir);
}

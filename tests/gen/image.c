/* image.c - the vmcore file as a function of the model: its layout, and the
 * bytes of any range of it, made on demand.
 *
 * The vmcore looks like /proc/vmcore in a capture kernel: ELF header,
 * program headers at offset 64, one PT_NOTE (a CORE/NT_PRSTATUS note per
 * CPU, then the VMCOREINFO note), a PT_LOAD for the kernel text (vaddr in
 * the kernel map, the same physical pages as the RAM load that holds them,
 * as kexec-tools makes it), then one PT_LOAD per RAM range with the direct
 * map address as p_vaddr.  Segment data starts on a page boundary and
 * follows in program-header order.
 *
 * output.c writes the file from these functions (skipping zero pages, so
 * they become holes) and vmcorefs.c serves it through FUSE from the same
 * functions, so the two are the same bytes.  A page's bytes depend only on
 * the model: struct page arrays are encoded 64 struct pages at a time
 * (spage.c), data pages are made from their pfn, the kernel's own tables
 * come from the page store.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define PRSTATUS_SIZE 336u        /* struct elf_prstatus on x86_64 */

static void text_page(uint64_t pfn, uint8_t *buf)
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
}

/* bytes of a page that is not all zero and not a struct page array page */
static void page_content(const struct model *m, const struct extent *e, uint64_t pfn, uint8_t *buf)
{
	const uint8_t *st;
	/* the pfn whose content this one repeats (spec `repeat N`) */
	uint64_t key = m->sp->repeat > 1 ? pfn - pfn % m->sp->repeat : pfn;

	switch (e->kind) {
	case K_KIMAGE:
		if ((pfn << PAGE_SHIFT) - m->kphys < m->ktext_size) {
			text_page(key, buf);
			return;
		}
		/* fall through */
	case K_META:
		st = pstore_get((struct pstore *)&m->store, pfn, false);
		memcpy(buf, st, PAGE_SIZE);
		return;
	default:
		if (e->stored) {        /* log.c: a log placed in a free block */
			st = pstore_get((struct pstore *)&m->store, pfn, false);
			memcpy(buf, st, PAGE_SIZE);
			return;
		}
		fill_data_page(m, key, buf);
	}
}

static const struct memmap_block *mmb_find(const struct image *im, uint64_t pfn)
{
	size_t lo = 0, hi = im->n_mmb;
	const uint64_t per_block = PAGES_PER_SECTION * SP_SIZE / PAGE_SIZE;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < im->mmb[mid].pfn)
			hi = mid;
		else if (pfn >= im->mmb[mid].pfn + per_block)
			lo = mid + 1;
		else
			return &im->mmb[mid];
	}
	return NULL;
}

bool image_page(struct ext_cursor *c, const struct image *im, uint64_t pfn, uint8_t *buf)
{
	const struct model *m = c->m;
	const struct extent *e = ext_find(c, pfn);
	const uint64_t per_page = PAGE_SIZE / SP_SIZE;

	if (!e || e->kind == K_CRASHKERNEL)
		return false;
	if (e->kind == K_MEMMAP) {
		const struct memmap_block *b = mmb_find(im, pfn);

		if (!b)
			die("internal: pfn 0x%llx is memmap but no section's", (unsigned long long)pfn);
		spage_encode_range(c, (b->section << PFN_SECTION_SHIFT) + (pfn - b->pfn) * per_page,
				   per_page, buf);
		return true;
	}
	if (e->zero_pct >= 100 && e->kind != K_KIMAGE && e->kind != K_META)
		return false;
	if (page_is_zero(m, e, pfn))
		return false;
	page_content(m, e, pfn, buf);
	return true;
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

static void build_notes(struct model *m, struct sbuf *notes)
{
	uint8_t pr[PRSTATUS_SIZE];
	const char *edit = m->vmci_edit;
	struct sbuf vi = { 0 };

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
	vmcoreinfo_build(m, &vi);
	if (!strcmp(edit, "no-note")) {
		sb_free(&vi);
		return;
	}
	if (!strcmp(edit, "garbage")) {
		struct rng r = { m->sp->seed };

		for (size_t i = 0; i < vi.len; i++) {
			uint8_t c = (uint8_t)rng_next(&r);

			vi.s[i] = (char)(c == '=' ? '?' : c);
		}
	} else if (!strcmp(edit, "cut")) {
		char *p = strstr(vi.s, "PAGESIZE=");

		p = strchr(p, '\n');
		vi.len = (size_t)(p + 1 - vi.s);
	} else if (!strcmp(edit, "bad-pagesize")) {
		sb_replace(&vi, "PAGESIZE=4096\n", "PAGESIZE=1234\n");
	} else if (!strcmp(edit, "bad-page-size")) {
		sb_replace(&vi, "SIZE(page)=64\n", "SIZE(page)=4096\n");
	} else if (!strcmp(edit, "pgd-symbol")) {
		char from[64], to[64];

		snprintf(from, sizeof(from), "SYMBOL(init_top_pgt)=%llx\n",
			 (unsigned long long)image_va(m, m->pgd_paddr));
		snprintf(to, sizeof(to), "SYMBOL(init_top_pgt)=%llx\n",
			 (unsigned long long)direct_va(m, m->pgd_paddr));
		sb_replace(&vi, from, to);
	}
	note_hdr(notes, "VMCOREINFO", 0, vi.s, (uint32_t)vi.len,
		 !strcmp(edit, "overrun") ? (uint32_t)vi.len + 0x10000 : (uint32_t)vi.len);
	sb_free(&vi);
}

static int cmp_mmb(const void *a, const void *b)
{
	const struct memmap_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

void image_build(struct model *m, struct image *im)
{
	size_t nph = 1 + (m->sp->ktext_load ? 1 : 0) + m->n_vmc, k = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t off;

	memset(im, 0, sizeof(*im));
	build_notes(m, &im->notes);
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

	im->head_len = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	im->head = xcalloc(1, im->head_len);
	ph = (Elf64_Phdr *)(void *)(im->head + sizeof(eh));
	off = im->head_len;
	im->notes_off = off;
	ph[k++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off, .p_filesz = im->notes.len,
				.p_memsz = im->notes.len };
	off = (off + im->notes.len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (m->sp->ktext_load) {
		im->ktext = true;
		im->ktext_off = off;
		ph[k++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					.p_offset = off, .p_vaddr = m->ktext, .p_paddr = m->kphys,
					.p_filesz = m->ksize, .p_memsz = m->ksize };
		off += m->ksize;
	}
	im->load_off = xcalloc(m->n_vmc, sizeof(*im->load_off));
	for (size_t i = 0; i < m->n_vmc; i++) {
		uint64_t pa = m->vmc[i].start << PAGE_SHIFT;
		uint64_t len = (m->vmc[i].end - m->vmc[i].start) << PAGE_SHIFT;

		im->load_off[i] = off;
		ph[k++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					.p_offset = off, .p_vaddr = direct_va(m, pa), .p_paddr = pa,
					.p_filesz = len, .p_memsz = len };
		off += len;
	}
	im->size = off;
	if (m->bad_load_index && m->bad_load_index < nph) {
		ph[m->bad_load_index].p_filesz = ph[m->bad_load_index].p_memsz + PAGE_SIZE;
		ph[m->bad_load_index].p_offset = PAGE_SIZE;   /* keep it inside the file */
	}
	memcpy(im->head, &eh, sizeof(eh));
	if (m->truncate != TRUNC_NONE)
		/* in the middle of the notes, or of the last PT_LOAD's data */
		im->size = m->truncate == TRUNC_NOTES ? ph[0].p_offset + im->notes.len / 2
			   : ph[nph - 1].p_offset + ph[nph - 1].p_filesz / 2;

	/* struct page array pages -> the section they describe */
	for (uint64_t s = 0; s < m->n_sections; s++)
		if (m->sec_present[s])
			im->n_mmb++;
	im->mmb = xcalloc(im->n_mmb ? im->n_mmb : 1, sizeof(*im->mmb));
	k = 0;
	for (uint64_t s = 0; s < m->n_sections; s++)
		if (m->sec_present[s])
			im->mmb[k++] = (struct memmap_block){ m->sec_memmap[s] >> PAGE_SHIFT, s };
	qsort(im->mmb, im->n_mmb, sizeof(*im->mmb), cmp_mmb);
}

void image_free(struct image *im)
{
	free(im->head);
	free(im->load_off);
	free(im->mmb);
	sb_free(&im->notes);
	memset(im, 0, sizeof(*im));
}

/* the page at file offset off (page aligned) and whether the file holds one there */
static bool page_at(const struct model *m, const struct image *im, uint64_t off, uint64_t *pfn)
{
	if (im->ktext && off >= im->ktext_off && off - im->ktext_off < m->ksize) {
		*pfn = (m->kphys >> PAGE_SHIFT) + ((off - im->ktext_off) >> PAGE_SHIFT);
		return true;
	}
	size_t lo = 0, hi = m->n_vmc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t len = (m->vmc[mid].end - m->vmc[mid].start) << PAGE_SHIFT;

		if (off < im->load_off[mid])
			hi = mid;
		else if (off - im->load_off[mid] >= len)
			lo = mid + 1;
		else {
			*pfn = m->vmc[mid].start + ((off - im->load_off[mid]) >> PAGE_SHIFT);
			return true;
		}
	}
	return false;
}

void image_read(struct ext_cursor *c, const struct image *im, uint64_t off, void *buf, size_t len)
{
	uint8_t *out = buf, scratch[PAGE_SIZE];

	while (len) {
		uint64_t page_off = off & ~(uint64_t)(PAGE_SIZE - 1), pfn;
		size_t in = (size_t)(off - page_off), n = PAGE_SIZE - in;

		if (n > len)
			n = len;
		if (off >= im->size) {
			memset(out, 0, len);
			return;
		}
		if (off < im->head_len) {
			n = im->head_len - off < len ? (size_t)(im->head_len - off) : len;
			memcpy(out, im->head + off, n);
		} else if (off >= im->notes_off && off < im->notes_off + im->notes.len) {
			n = im->notes_off + im->notes.len - off < len ?
			    (size_t)(im->notes_off + im->notes.len - off) : len;
			memcpy(out, im->notes.s + (off - im->notes_off), n);
		} else if (page_at(c->m, im, page_off, &pfn)) {
			if (n == PAGE_SIZE) {
				if (!image_page(c, im, pfn, out))
					memset(out, 0, PAGE_SIZE);
			} else {
				if (!image_page(c, im, pfn, scratch))
					memset(scratch, 0, PAGE_SIZE);
				memcpy(out, scratch + in, n);
			}
		} else {
			/* padding between the notes and the first load */
			memset(out, 0, n);
		}
		out += n;
		off += n;
		len -= n;
	}
}

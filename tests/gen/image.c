/* image.c - the vmcore file as a function of the model: its layout, and the
 * bytes of any range of it, made on demand.
 *
 * The vmcore looks like /proc/vmcore in a capture kernel: ELF header,
 * program headers after it (offset 64; ELF32 on i386: 52), one PT_NOTE (a CORE/NT_PRSTATUS note per
 * CPU, then the VMCOREINFO note), a PT_LOAD for the kernel text (vaddr in
 * the kernel map, the same physical pages as the RAM load that holds them,
 * as kexec-tools makes it), then one PT_LOAD per RAM range with the direct
 * map address as p_vaddr.  Segment data starts on a page boundary and
 * follows in program-header order.
 *
 * output.c writes the file from these functions (skipping zero pages, so
 * they become holes) and vmcorefs.c serves it through FUSE from the same
 * functions, so the two are the same bytes.  A page's bytes depend only on
 * the model: struct page arrays are encoded a page's worth of struct pages
 * at a time (spage.c; i386's 40-byte ones straddle pages), data pages are made from their pfn, the kernel's own tables
 * come from the page store.
 */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "../../lib/common/bytes.h"

static void text_page(const struct model *m, uint64_t pfn, uint8_t *buf)
{
	/* "code": dense non-zero bytes */
	uint64_t x = mix64(pfn * 31 + 7);

	for (uint64_t i = 0; i < m->page_size; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bytes_put_le64(buf + i, x | 0x0100000000000001ull);
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
		if ((pfn << m->page_shift) - m->kphys < m->ktext_size) {
			text_page(m, key, buf);
			return;
		}
		/* fall through */
	case K_META:
		st = pstore_get((struct pstore *)&m->store, pfn, false);
		memcpy(buf, st, m->page_size);
		return;
	default:
		if (e->stored) {        /* log.c: a log placed in a free block */
			st = pstore_get((struct pstore *)&m->store, pfn, false);
			memcpy(buf, st, m->page_size);
			return;
		}
		fill_data_page(m, key, buf);
	}
}

static const struct memmap_block *mmb_find(const struct model *m, const struct image *im,
					   uint64_t pfn)
{
	size_t lo = 0, hi = im->n_mmb;
	const uint64_t per_block = m->memmap_chunk >> m->page_shift;

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
	const uint64_t per_page = m->page_size / m->sp_size;

	if (!e || e->kind == K_CRASHKERNEL)
		return false;
	if (e->kind == K_MEMMAP) {
		const struct memmap_block *b = mmb_find(m, im, pfn);

		if (!b)
			die("internal: pfn 0x%llx is memmap but no section's", (unsigned long long)pfn);
		if (m->page_size % m->sp_size == 0) {
			spage_encode_range(c, (b->section << m->pfn_section_shift) +
					   (pfn - b->pfn) * per_page, per_page, buf);
			return true;
		}
		/* struct pages that do not divide a page (i386's 40 bytes):
		 * encode those this page overlaps, copy its bytes */
		uint8_t tmp[MAX_PAGE_SIZE + 2 * 64];
		uint64_t off = (pfn - b->pfn) << m->page_shift, first = off / m->sp_size;
		uint64_t last = (off + m->page_size - 1) / m->sp_size;

		spage_encode_range(c, (b->section << m->pfn_section_shift) + first, last - first + 1,
				   tmp);
		memcpy(buf, tmp + (off - first * m->sp_size), m->page_size);
		return true;
	}
	if (e->zero_pct >= 100 && e->kind != K_KIMAGE && e->kind != K_META)
		return false;
	if (page_is_zero(m, e, pfn))
		return false;
	page_content(m, e, pfn, buf);
	return true;
}

/* a note header in the machine's byte order (the same for ELF32 and ELF64) */
static void note_hdr(const struct model *m, struct sbuf *b, const char *name, uint32_t type,
		     const void *desc, uint32_t descsz, uint32_t claimed_descsz)
{
	static const char zeros[4];
	size_t namesz = strlen(name) + 1;
	bool be = m->arch->big_endian;

	if (b->cap - b->len < 12 + namesz + descsz + 8) {
		b->cap = (b->cap + 12 + namesz + descsz + 8) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	bytes_put_u32(be, b->s + b->len, (uint32_t)namesz);
	bytes_put_u32(be, b->s + b->len + 4, claimed_descsz);
	bytes_put_u32(be, b->s + b->len + 8, type);
	b->len += 12;
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
	uint8_t pr[1024];
	const char *edit = m->vmci_edit;
	struct sbuf vi = { 0 };
	bool be = m->arch->big_endian;

	for (unsigned c = 0; c < m->sp->cpus; c++) {
		memset(pr, 0, sizeof(pr));
		/* pr_pid: at 32 in LP64's elf_prstatus, 24 in i386's */
		bytes_put_u32(be, pr + (m->word == 4 ? 24 : 32), c == 0 ? 1234 : 0);
		if (m->arch->e_machine == EM_X86_64) {
			/* pr_reg at 112: rip, cs, eflags, rsp, ss */
			bytes_put_u64(be, pr + 112 + 16 * 8, m->ktext + 0x123456 + c * 0x40);
			bytes_put_u64(be, pr + 112 + 17 * 8, 0x10);
			bytes_put_u64(be, pr + 112 + 18 * 8, 0x246);
			bytes_put_u64(be, pr + 112 + 19 * 8,
				      direct_va(m, (m->max_pfn << m->page_shift) / 2 + c * 0x4000 + 0x3f00));
			bytes_put_u64(be, pr + 112 + 20 * 8, 0x18);
		}
		note_hdr(m, notes, "CORE", NT_PRSTATUS, pr, m->arch->prstatus_size,
			 m->arch->prstatus_size);
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
		char from[64];

		snprintf(from, sizeof(from), "PAGESIZE=%llu\n", (unsigned long long)m->page_size);
		sb_replace(&vi, from, "PAGESIZE=1234\n");
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
	note_hdr(m, notes, "VMCOREINFO", 0, vi.s, (uint32_t)vi.len,
		 !strcmp(edit, "overrun") ? (uint32_t)vi.len + 0x10000 : (uint32_t)vi.len);
	sb_free(&vi);
}

static int cmp_mmb(const void *a, const void *b)
{
	const struct memmap_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* one program header, ELF64 (or ELF32 on a 32-bit machine) in the
 * machine's byte order */
static void put_phdr(const struct model *m, uint8_t *b, uint32_t type, uint64_t off,
		     uint64_t vaddr, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	bool be = m->arch->big_endian;

	if (m->word == 4) {
		memset(b, 0, sizeof(Elf32_Phdr));
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_type), type);
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_offset), (uint32_t)off);
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_vaddr), (uint32_t)vaddr);
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_paddr), (uint32_t)paddr);
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_filesz), (uint32_t)filesz);
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_memsz), (uint32_t)memsz);
		bytes_put_u32(be, b + offsetof(Elf32_Phdr, p_flags),
			      type == PT_LOAD ? PF_R | PF_W | PF_X : 0);
		return;
	}

	memset(b, 0, sizeof(Elf64_Phdr));
	bytes_put_u32(be, b + offsetof(Elf64_Phdr, p_type), type);
	bytes_put_u32(be, b + offsetof(Elf64_Phdr, p_flags), type == PT_LOAD ? PF_R | PF_W | PF_X : 0);
	bytes_put_u64(be, b + offsetof(Elf64_Phdr, p_offset), off);
	bytes_put_u64(be, b + offsetof(Elf64_Phdr, p_vaddr), vaddr);
	bytes_put_u64(be, b + offsetof(Elf64_Phdr, p_paddr), paddr);
	bytes_put_u64(be, b + offsetof(Elf64_Phdr, p_filesz), filesz);
	bytes_put_u64(be, b + offsetof(Elf64_Phdr, p_memsz), memsz);
}

struct seg {
	uint32_t type;
	uint64_t off, vaddr, paddr, filesz, memsz;
};

void image_build(struct model *m, struct image *im)
{
	/* kexec-tools makes no separate kernel-text load where the image is
	 * in the linear map (ppc64, s390x) */
	bool ktext_load = m->sp->ktext_load && !m->arch->image_in_linear_map;
	size_t nph = 1 + (ktext_load ? 1 : 0) + m->n_vmc, k = 0;
	bool be = m->arch->big_endian, elf32 = m->word == 4;
	uint16_t ehsz = elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	uint16_t phsz = elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	uint64_t off, ps = m->page_size;
	uint8_t *eh;
	struct seg *ph;

	memset(im, 0, sizeof(*im));
	build_notes(m, &im->notes);
	if (nph >= PN_XNUM)
		die("too many RAM ranges (%zu)", nph);

	im->head_len = ehsz + nph * phsz;
	im->head = xcalloc(1, im->head_len);
	eh = im->head;
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = elf32 ? ELFCLASS32 : ELFCLASS64;
	eh[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	if (elf32) {   /* i386: an ELF32 core, as kexec-tools writes it */
		bytes_put_u16(be, eh + offsetof(Elf32_Ehdr, e_type), ET_CORE);
		bytes_put_u16(be, eh + offsetof(Elf32_Ehdr, e_machine), m->arch->e_machine);
		bytes_put_u32(be, eh + offsetof(Elf32_Ehdr, e_version), EV_CURRENT);
		bytes_put_u32(be, eh + offsetof(Elf32_Ehdr, e_phoff), ehsz);
		bytes_put_u16(be, eh + offsetof(Elf32_Ehdr, e_ehsize), ehsz);
		bytes_put_u16(be, eh + offsetof(Elf32_Ehdr, e_phentsize), phsz);
		bytes_put_u16(be, eh + offsetof(Elf32_Ehdr, e_phnum), (uint16_t)nph);
	} else {
		bytes_put_u16(be, eh + offsetof(Elf64_Ehdr, e_type), ET_CORE);
		bytes_put_u16(be, eh + offsetof(Elf64_Ehdr, e_machine), m->arch->e_machine);
		bytes_put_u32(be, eh + offsetof(Elf64_Ehdr, e_version), EV_CURRENT);
		bytes_put_u64(be, eh + offsetof(Elf64_Ehdr, e_phoff), sizeof(Elf64_Ehdr));
		bytes_put_u16(be, eh + offsetof(Elf64_Ehdr, e_ehsize), sizeof(Elf64_Ehdr));
		bytes_put_u16(be, eh + offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf64_Phdr));
		bytes_put_u16(be, eh + offsetof(Elf64_Ehdr, e_phnum), (uint16_t)nph);
	}

	ph = xcalloc(nph, sizeof(*ph));
	off = im->head_len;
	im->notes_off = off;
	ph[k++] = (struct seg){ PT_NOTE, off, 0, 0, im->notes.len, im->notes.len };
	off = (off + im->notes.len + ps - 1) & ~(ps - 1);
	if (ktext_load) {
		im->ktext = true;
		im->ktext_off = off;
		ph[k++] = (struct seg){ PT_LOAD, off, m->ktext, m->kphys, m->ksize, m->ksize };
		off += m->ksize;
	}
	im->load_off = xcalloc(m->n_vmc, sizeof(*im->load_off));
	for (size_t i = 0; i < m->n_vmc; i++) {
		uint64_t pa = m->vmc[i].start << m->page_shift;
		uint64_t len = (m->vmc[i].end - m->vmc[i].start) << m->page_shift;

		/* above lowmem (i386): no linear-map address; kexec-tools
		 * writes the all-ones one there */
		uint64_t va = m->lowmem_end && m->vmc[i].start >= m->lowmem_end ? 0xffffffffull
			      : direct_va(m, pa);

		im->load_off[i] = off;
		ph[k++] = (struct seg){ PT_LOAD, off, va, pa, len, len };
		off += len;
	}
	im->size = off;
	if (m->bad_load_index && m->bad_load_index < nph) {
		ph[m->bad_load_index].filesz = ph[m->bad_load_index].memsz + ps;
		ph[m->bad_load_index].off = ps;   /* keep it inside the file */
	}
	for (size_t i = 0; i < nph; i++)
		put_phdr(m, im->head + ehsz + i * phsz, ph[i].type,
			 ph[i].off, ph[i].vaddr, ph[i].paddr, ph[i].filesz, ph[i].memsz);
	if (m->truncate != TRUNC_NONE)
		/* in the middle of the notes, or of the last PT_LOAD's data */
		im->size = m->truncate == TRUNC_NOTES ? ph[0].off + im->notes.len / 2
			   : ph[nph - 1].off + ph[nph - 1].filesz / 2;
	free(ph);

	/* struct page array pages -> the first section of their chunk (the
	 * sections of a chunk that are not present have struct pages too,
	 * reserved ones, as the kernel initialises a whole vmemmap block) */
	uint64_t per_chunk = m->memmap_chunk / (m->pages_per_section * m->sp_size);

	for (uint64_t s = 0; s < m->n_sections; s += per_chunk)
		if (m->sec_memmap[s])
			im->n_mmb++;
	im->mmb = xcalloc(im->n_mmb ? im->n_mmb : 1, sizeof(*im->mmb));
	k = 0;
	for (uint64_t s = 0; s < m->n_sections; s += per_chunk)
		if (m->sec_memmap[s])
			im->mmb[k++] = (struct memmap_block){ m->sec_memmap[s] >> m->page_shift, s };
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
		*pfn = (m->kphys >> m->page_shift) + ((off - im->ktext_off) >> m->page_shift);
		return true;
	}
	size_t lo = 0, hi = m->n_vmc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t len = (m->vmc[mid].end - m->vmc[mid].start) << m->page_shift;

		if (off < im->load_off[mid])
			hi = mid;
		else if (off - im->load_off[mid] >= len)
			lo = mid + 1;
		else {
			*pfn = m->vmc[mid].start + ((off - im->load_off[mid]) >> m->page_shift);
			return true;
		}
	}
	return false;
}

void image_read(struct ext_cursor *c, const struct image *im, uint64_t off, void *buf, size_t len)
{
	const uint64_t ps = c->m->page_size;
	uint8_t *out = buf, scratch[MAX_PAGE_SIZE];

	while (len) {
		uint64_t page_off = off & ~(ps - 1), pfn;
		size_t in = (size_t)(off - page_off), n = (size_t)ps - in;

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
			if (n == ps) {
				if (!image_page(c, im, pfn, out))
					memset(out, 0, ps);
			} else {
				if (!image_page(c, im, pfn, scratch))
					memset(scratch, 0, ps);
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

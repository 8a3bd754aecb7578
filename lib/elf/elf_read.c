/* elf_read.c - parse an ELF vmcore into a physical memory map and notes.
 *
 * Layout facts: docs/formats.md; the ELF header and program headers are the
 * standard ELF64 or ELF32 ones (<elf.h> structures give the field offsets),
 * in the byte order EI_DATA names: a vmcore is written in the crashed
 * machine's order (big-endian s390x), its class follows the machine's word
 * (i386 kdump: ELF32), and both are read through bytes.h, so the host's
 * own order does not matter.  Every size and offset read from the file is
 * checked against the file size before use; a PT_LOAD the file cuts
 * short, or that starts past its end, is kept (its missing bytes fail to
 * read: the pages are reported unreadable, not the whole vmcore refused).
 */
#include "elf_read.h"

#include "../common/bytes.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PHNUM 65536u          /* /proc/vmcore has one PT_LOAD per RAM range */
#define MAX_NOTES_SIZE (64u << 20)

bool elf_is_elf(const uint8_t *buf, size_t len)
{
	return len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
}

/* The fields of an ELF header or program header that we use, whatever the
 * class and byte order of the file. */
struct ehdr {
	uint8_t class;               /* ELFCLASS32 / ELFCLASS64 */
	bool big_endian;
	uint16_t type, machine, phentsize, phnum;
	uint64_t phoff;
};

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

#define GET(f, p, type, member) \
	bytes_get_uint((f)->big_endian, (p) + offsetof(type, member), sizeof(((type *)0)->member))

static void decode_ehdr(const uint8_t *b, struct ehdr *eh)
{
	eh->class = b[EI_CLASS];
	eh->big_endian = b[EI_DATA] == ELFDATA2MSB;
	if (eh->class == ELFCLASS64) {
		eh->type = (uint16_t)GET(eh, b, Elf64_Ehdr, e_type);
		eh->machine = (uint16_t)GET(eh, b, Elf64_Ehdr, e_machine);
		eh->phoff = GET(eh, b, Elf64_Ehdr, e_phoff);
		eh->phentsize = (uint16_t)GET(eh, b, Elf64_Ehdr, e_phentsize);
		eh->phnum = (uint16_t)GET(eh, b, Elf64_Ehdr, e_phnum);
	} else {
		eh->type = (uint16_t)GET(eh, b, Elf32_Ehdr, e_type);
		eh->machine = (uint16_t)GET(eh, b, Elf32_Ehdr, e_machine);
		eh->phoff = GET(eh, b, Elf32_Ehdr, e_phoff);
		eh->phentsize = (uint16_t)GET(eh, b, Elf32_Ehdr, e_phentsize);
		eh->phnum = (uint16_t)GET(eh, b, Elf32_Ehdr, e_phnum);
	}
}

static void decode_phdr(const struct ehdr *eh, const uint8_t *b, struct phdr *ph)
{
	if (eh->class == ELFCLASS64) {
		ph->type = (uint32_t)GET(eh, b, Elf64_Phdr, p_type);
		ph->offset = GET(eh, b, Elf64_Phdr, p_offset);
		ph->vaddr = GET(eh, b, Elf64_Phdr, p_vaddr);
		ph->paddr = GET(eh, b, Elf64_Phdr, p_paddr);
		ph->filesz = GET(eh, b, Elf64_Phdr, p_filesz);
		ph->memsz = GET(eh, b, Elf64_Phdr, p_memsz);
	} else {
		ph->type = (uint32_t)GET(eh, b, Elf32_Phdr, p_type);
		ph->offset = GET(eh, b, Elf32_Phdr, p_offset);
		ph->vaddr = GET(eh, b, Elf32_Phdr, p_vaddr);
		ph->paddr = GET(eh, b, Elf32_Phdr, p_paddr);
		ph->filesz = GET(eh, b, Elf32_Phdr, p_filesz);
		ph->memsz = GET(eh, b, Elf32_Phdr, p_memsz);
		/* (Elf32_Addr)-1: no address (i386 highmem has no kernel
		 * virtual one; kcore's vmalloc no physical one) */
		if (ph->paddr == UINT32_MAX)
			ph->paddr = UINT64_MAX;
		if (ph->vaddr == UINT32_MAX)
			ph->vaddr = UINT64_MAX;
	}
}

static int check_ehdr(const uint8_t *ident, const struct ehdr *eh, const struct source *src,
		      struct ds_err *err)
{
	size_t phentsize = eh->class == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	if (!elf_is_elf(ident, EI_NIDENT))
		return ds_err_set(err, DS_ECORRUPT, "'%s' is not an ELF file (bad magic)",
				  src->path);
	if (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': unknown ELF class %u at offset 0x%x", src->path,
				  ident[EI_CLASS], EI_CLASS);
	if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': unknown ELF byte order %u at offset 0x%x", src->path,
				  ident[EI_DATA], EI_DATA);
	if (eh->type != ET_CORE)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is not an ELF core file (e_type %u)", src->path, eh->type);
	if (eh->phentsize != phentsize)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': bad program header size %u at offset 0x%zx",
				  src->path, eh->phentsize,
				  eh->class == ELFCLASS64 ? offsetof(Elf64_Ehdr, e_phentsize)
							  : offsetof(Elf32_Ehdr, e_phentsize));
	if (eh->phnum == 0 || eh->phnum == PN_XNUM)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': unsupported program header count %u", src->path, eh->phnum);
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct phys_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;   /* longer first */
}

/* Sort the PT_LOAD ranges and cut overlaps: where two segments cover the same
 * physical page (kernel text mapped twice), both hold the same bytes, so the
 * earlier-starting one is kept and the later one trimmed or dropped. */
static int build_ranges(struct elf_core *core, struct ds_err *err)
{
	size_t n = 0;

	core->ranges = calloc(core->n_loads ? core->n_loads : 1, sizeof(*core->ranges));
	if (!core->ranges)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (size_t i = 0; i < core->n_loads; i++) {
		const struct elf_load *l = &core->loads[i];

		if (!l->memsz)
			continue;
		core->ranges[n].start = l->paddr;
		core->ranges[n].end = l->paddr + l->memsz;
		core->ranges[n].data_end = l->paddr + l->filesz;
		core->ranges[n].file_off = l->offset;
		n++;
	}
	qsort(core->ranges, n, sizeof(*core->ranges), cmp_range);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		struct phys_range r = core->ranges[i];

		if (out) {
			struct phys_range *prev = &core->ranges[out - 1];

			if (r.end <= prev->end)
				continue;            /* wholly inside the previous one */
			if (r.start < prev->end) {
				uint64_t cut = prev->end - r.start;

				r.start += cut;
				r.file_off += cut;
				if (r.data_end < r.start)
					r.data_end = r.start;
			}
		}
		core->ranges[out++] = r;
	}
	core->n_ranges = out;
	return 0;
}

/* Walk one note segment, notes[start, end) (its bytes came from file offset
 * seg_file_off): find VMCOREINFO and count NT_PRSTATUS.  A note that runs
 * past its segment's end is corruption; the offset in the message is the file
 * offset of the bad note header.  Zero padding ends this segment only. */
static int scan_notes(struct elf_core *core, uint64_t start, uint64_t end,
		      uint64_t seg_file_off, const char *path, struct ds_err *err)
{
	uint64_t pos = start, size = end;

	while (pos + sizeof(Elf64_Nhdr) <= size) {
		Elf64_Nhdr nh;           /* Elf32_Nhdr is the same three words */
		uint64_t name_pad, desc_pad, name_off;

		nh.n_namesz = bytes_get_u32(core->big_endian, core->notes + pos);
		nh.n_descsz = bytes_get_u32(core->big_endian, core->notes + pos + 4);
		nh.n_type = bytes_get_u32(core->big_endian, core->notes + pos + 8);
		if (nh.n_namesz == 0 && nh.n_descsz == 0 && nh.n_type == 0)
			break;                   /* zero padding at the end */
		name_pad = ((uint64_t)nh.n_namesz + 3) & ~3ull;
		desc_pad = ((uint64_t)nh.n_descsz + 3) & ~3ull;
		if (name_pad + desc_pad > size - pos - sizeof(nh))
			return ds_err_set(err, DS_ECORRUPT,
					  "'%s': ELF note at offset 0x%" PRIx64
					  " runs past the end of the note segment",
					  path, seg_file_off + (pos - start));
		name_off = pos + sizeof(nh);
		const char *name = (const char *)core->notes + name_off;
		if (nh.n_namesz == 11 && !memcmp(name, "VMCOREINFO", 11)) {
			core->vmcoreinfo_off = name_off + name_pad;
			core->vmcoreinfo_size = nh.n_descsz;
		} else if (nh.n_namesz == 5 && !memcmp(name, "CORE", 5) &&
			   nh.n_type == NT_PRSTATUS) {
			core->nr_prstatus++;
		}
		pos = name_off + name_pad + desc_pad;
	}
	return 0;
}

int elf_core_open(struct elf_core *core, struct source *src, struct ds_err *err)
{
	uint8_t head[sizeof(Elf64_Ehdr)];
	struct ehdr eh;
	uint8_t *ph = NULL;
	size_t phsize;
	int r;

	memset(core, 0, sizeof(*core));
	memset(head, 0, sizeof(head));
	if (src->size >= EI_NIDENT &&
	    (r = source_read(src, 0, head, src->size < sizeof(head) ? (size_t)src->size
					 : sizeof(head), err)) < 0)
		return r;
	if (src->size < (head[EI_CLASS] == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr)))
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is too small to be a vmcore (%" PRIu64 " bytes)",
				  src->path, src->size);
	decode_ehdr(head, &eh);
	if ((r = check_ehdr(head, &eh, src, err)) < 0)
		return r;
	core->machine = eh.machine;
	core->big_endian = eh.big_endian;
	core->elf_class = eh.class == ELFCLASS64 ? 64 : 32;
	phsize = eh.phentsize;

	uint64_t ph_bytes = (uint64_t)eh.phnum * phsize;
	if (eh.phoff > src->size || ph_bytes > src->size - eh.phoff)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is truncated: program headers at offset 0x%" PRIx64
				  " (%u entries) end past the file size 0x%" PRIx64,
				  src->path, eh.phoff, eh.phnum, src->size);
	ph = malloc(ph_bytes);
	core->loads = calloc(eh.phnum, sizeof(*core->loads));
	if (!ph || !core->loads) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = source_read(src, eh.phoff, ph, ph_bytes, err)) < 0)
		goto out;

	for (unsigned i = 0; i < eh.phnum; i++) {
		struct phdr p;
		uint64_t hdr_off = eh.phoff + (uint64_t)i * phsize;

		decode_phdr(&eh, ph + (size_t)i * phsize, &p);
		if (p.type != PT_LOAD && p.type != PT_NOTE)
			continue;
		if (p.offset > src->size || p.filesz > src->size - p.offset) {
			/* A PT_LOAD whose data the file cuts short (a copy that
			 * stopped, a disk that filled): its pages past the end
			 * cannot be read, the rest can (makedumpfile dumps it too,
			 * with zeros for what is missing).  Notes cannot be. */
			if (p.type == PT_LOAD && p.filesz <= p.memsz &&
			    p.offset <= UINT64_MAX - p.filesz) {
				uint64_t end = p.offset + p.filesz;
				uint64_t missing = end - (p.offset > src->size ? p.offset : src->size);

				if (!core->short_by)
					core->short_load = i;
				/* saturating: the sum of a hostile file's claims
				 * would wrap to a small, wrong figure */
				core->short_by = missing > UINT64_MAX - core->short_by
							 ? UINT64_MAX : core->short_by + missing;
			} else {
				r = ds_err_set(err, DS_ECORRUPT,
					       "'%s' is truncated: segment %u (header at offset 0x%" PRIx64
					       ") needs bytes up to 0x%" PRIx64 ", file size is 0x%" PRIx64,
					       src->path, i, hdr_off, p.offset + p.filesz, src->size);
				goto out;
			}
		}
		if (p.type == PT_NOTE) {
			uint8_t *grown;

			if (p.filesz > MAX_NOTES_SIZE - core->notes_size) {
				r = ds_err_set(err, DS_ECORRUPT,
					       "'%s': note segment too large (header at offset 0x%" PRIx64 ")",
					       src->path, hdr_off);
				goto out;
			}
			grown = realloc(core->notes, core->notes_size + p.filesz + 1);
			if (!grown) {
				r = ds_err_set(err, DS_ENOMEM, "out of memory");
				goto out;
			}
			core->notes = grown;
			if ((r = source_read(src, p.offset, core->notes + core->notes_size,
					     p.filesz, err)) < 0)
				goto out;
			core->notes_size += p.filesz;
			if ((r = scan_notes(core, core->notes_size - p.filesz, core->notes_size,
					    p.offset, src->path, err)) < 0)
				goto out;
			continue;
		}
		if (p.paddr == UINT64_MAX)
			continue;        /* no physical address: /proc/kcore's vmalloc,
					    module and vmemmap segments */
		if (p.filesz > p.memsz || p.paddr + p.memsz < p.paddr) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "'%s': bad PT_LOAD %u (header at offset 0x%" PRIx64
				       "): filesz 0x%" PRIx64 " memsz 0x%" PRIx64,
				       src->path, i, hdr_off, p.filesz, p.memsz);
			goto out;
		}
		core->loads[core->n_loads++] = (struct elf_load){
			.paddr = p.paddr, .vaddr = p.vaddr, .filesz = p.filesz,
			.memsz = p.memsz, .offset = p.offset,
		};
	}
	if (!core->n_loads) {
		r = ds_err_set(err, DS_ECORRUPT, "'%s' has no PT_LOAD segment", src->path);
		goto out;
	}
	if ((r = build_ranges(core, err)) < 0)
		goto out;
	r = 0;
out:
	free(ph);
	if (r < 0)
		elf_core_release(core);
	return r;
}

void elf_core_release(struct elf_core *core)
{
	free(core->loads);
	free(core->ranges);
	free(core->notes);
	memset(core, 0, sizeof(*core));
}

long elf_find_range(const struct elf_core *core, uint64_t paddr)
{
	size_t lo = 0, hi = core->n_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (paddr < core->ranges[mid].start)
			hi = mid;
		else if (paddr >= core->ranges[mid].end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

void elf_prefetch_phys(const struct elf_core *core, struct source *src,
		       uint64_t paddr, uint64_t len)
{
	uint64_t end = paddr + len;

	while (paddr < end) {
		long i = elf_find_range(core, paddr);
		const struct phys_range *r;
		uint64_t stop;

		if (i < 0) {         /* a hole: go on at the next range, if any */
			size_t j = 0;

			while (j < core->n_ranges && core->ranges[j].start <= paddr)
				j++;
			if (j == core->n_ranges)
				return;
			paddr = core->ranges[j].start;
			continue;
		}
		r = &core->ranges[i];
		stop = end < r->data_end ? end : r->data_end;
		if (stop > paddr)
			source_prefetch(src, r->file_off + (paddr - r->start), stop - paddr);
		paddr = end < r->end ? end : r->end;
	}
}

int elf_read_phys(const struct elf_core *core, struct source *src,
		  uint64_t paddr, void *buf, size_t len, struct ds_err *err)
{
	uint8_t *p = buf;

	while (len) {
		long i = elf_find_range(core, paddr);
		const struct phys_range *r;
		uint64_t chunk;
		int rc;

		if (i < 0)
			return ds_err_set(err, DS_ENODATA,
					  "physical address 0x%" PRIx64 " is not in the vmcore", paddr);
		r = &core->ranges[i];
		chunk = r->end - paddr < len ? r->end - paddr : len;
		if (paddr >= r->data_end) {
			memset(p, 0, chunk);
		} else {
			uint64_t in_file = r->data_end - paddr < chunk ? r->data_end - paddr : chunk;

			rc = source_read(src, r->file_off + (paddr - r->start), p, in_file, err);
			if (rc < 0)
				return rc;
			memset(p + in_file, 0, chunk - in_file);
		}
		p += chunk;
		paddr += chunk;
		len -= chunk;
	}
	return 0;
}

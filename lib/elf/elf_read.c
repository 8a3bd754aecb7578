/* elf_read.c - parse an ELF64 vmcore into a physical memory map and notes.
 *
 * Layout facts: docs/formats.md; the ELF header and program headers are the
 * standard ELF64 ones (<elf.h> constants).  Every size and offset read from the
 * file is checked against the file size before use; a PT_LOAD the file cuts
 * short, or that starts past its end, is kept (its missing bytes fail to
 * read: the pages are reported unreadable, not the whole vmcore refused).
 */
#include "elf_read.h"

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

static int check_ehdr(const Elf64_Ehdr *eh, const struct source *src,
		      struct ds_err *err)
{
	if (!elf_is_elf(eh->e_ident, sizeof(eh->e_ident)))
		return ds_err_set(err, DS_ECORRUPT, "'%s' is not an ELF file (bad magic)",
				  src->path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return ds_err_set(err, DS_EUNSUPP,
				  "'%s' is a 32-bit ELF file (class %u); only ELF64 vmcores are supported",
				  src->path, eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return ds_err_set(err, DS_EUNSUPP,
				  "'%s' is a big-endian ELF file; only little-endian vmcores are supported",
				  src->path);
	if (eh->e_type != ET_CORE)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is not an ELF core file (e_type %u)", src->path, eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': bad program header size %u at offset 0x%zx",
				  src->path, eh->e_phentsize, offsetof(Elf64_Ehdr, e_phentsize));
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': unsupported program header count %u", src->path, eh->e_phnum);
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
		Elf64_Nhdr nh;
		uint64_t name_pad, desc_pad, name_off;

		memcpy(&nh, core->notes + pos, sizeof(nh));
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
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	int r;

	memset(core, 0, sizeof(*core));
	if (src->size < sizeof(eh))
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is too small to be a vmcore (%" PRIu64 " bytes)",
				  src->path, src->size);
	if ((r = source_read(src, 0, &eh, sizeof(eh), err)) < 0)
		return r;
	if ((r = check_ehdr(&eh, src, err)) < 0)
		return r;
	core->machine = eh.e_machine;

	uint64_t ph_bytes = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (eh.e_phoff > src->size || ph_bytes > src->size - eh.e_phoff)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s' is truncated: program headers at offset 0x%" PRIx64
				  " (%u entries) end past the file size 0x%" PRIx64,
				  src->path, (uint64_t)eh.e_phoff, eh.e_phnum, src->size);
	ph = malloc(ph_bytes);
	core->loads = calloc(eh.e_phnum, sizeof(*core->loads));
	if (!ph || !core->loads) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = source_read(src, eh.e_phoff, ph, ph_bytes, err)) < 0)
		goto out;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t hdr_off = eh.e_phoff + (uint64_t)i * sizeof(*p);

		if (p->p_type != PT_LOAD && p->p_type != PT_NOTE)
			continue;
		if (p->p_offset > src->size || p->p_filesz > src->size - p->p_offset) {
			/* A PT_LOAD whose data the file cuts short (a copy that
			 * stopped, a disk that filled): its pages past the end
			 * cannot be read, the rest can (makedumpfile dumps it too,
			 * with zeros for what is missing).  Notes cannot be. */
			if (p->p_type == PT_LOAD && p->p_filesz <= p->p_memsz &&
			    p->p_offset <= UINT64_MAX - p->p_filesz) {
				uint64_t end = p->p_offset + p->p_filesz;

				if (!core->short_by)
					core->short_load = i;
				core->short_by += end - (p->p_offset > src->size ? p->p_offset : src->size);
			} else {
				r = ds_err_set(err, DS_ECORRUPT,
					       "'%s' is truncated: segment %u (header at offset 0x%" PRIx64
					       ") needs bytes up to 0x%" PRIx64 ", file size is 0x%" PRIx64,
					       src->path, i, hdr_off, (uint64_t)(p->p_offset + p->p_filesz),
					       src->size);
				goto out;
			}
		}
		if (p->p_type == PT_NOTE) {
			uint8_t *grown;

			if (p->p_filesz > MAX_NOTES_SIZE - core->notes_size) {
				r = ds_err_set(err, DS_ECORRUPT,
					       "'%s': note segment too large (header at offset 0x%" PRIx64 ")",
					       src->path, hdr_off);
				goto out;
			}
			grown = realloc(core->notes, core->notes_size + p->p_filesz + 1);
			if (!grown) {
				r = ds_err_set(err, DS_ENOMEM, "out of memory");
				goto out;
			}
			core->notes = grown;
			if ((r = source_read(src, p->p_offset, core->notes + core->notes_size,
					     p->p_filesz, err)) < 0)
				goto out;
			core->notes_size += p->p_filesz;
			if ((r = scan_notes(core, core->notes_size - p->p_filesz, core->notes_size,
					    p->p_offset, src->path, err)) < 0)
				goto out;
			continue;
		}
		if (p->p_paddr == UINT64_MAX)
			continue;        /* no physical address: /proc/kcore's vmalloc,
					    module and vmemmap segments */
		if (p->p_filesz > p->p_memsz || p->p_paddr + p->p_memsz < p->p_paddr) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "'%s': bad PT_LOAD %u (header at offset 0x%" PRIx64
				       "): filesz 0x%" PRIx64 " memsz 0x%" PRIx64,
				       src->path, i, hdr_off, (uint64_t)p->p_filesz,
				       (uint64_t)p->p_memsz);
			goto out;
		}
		core->loads[core->n_loads++] = (struct elf_load){
			.paddr = p->p_paddr, .vaddr = p->p_vaddr, .filesz = p->p_filesz,
			.memsz = p->p_memsz, .offset = p->p_offset,
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

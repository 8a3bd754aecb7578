/* elf.c - the ELF vmcore input member (input.h): /proc/vmcore, a QEMU or
 * makedumpfile -E dump, parsed by lib/elf/elf_read into a sorted physical
 * map (PT_LOADs, overlaps resolved) and the notes.
 *
 * A pfn is present when its page starts inside a PT_LOAD and the PT_LOAD
 * does not end inside it (as in makedumpfile: the kernel never uses a
 * partial page, and a kdump /proc/vmcore's first range ends at 0x9fc00).
 * An ELF vmcore holds data for every present pfn (p_memsz beyond p_filesz
 * reads as zero), so nothing is cleared from the dumped bits.
 */
#include "input.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../elf/elf_read.h"

struct elf_input {
	struct elf_core core;
	struct dump_vmap *vmaps;
};

static struct elf_core *core_of(const struct input *in)
{
	return &((struct elf_input *)in->priv)->core;
}

static bool elf_probe(const uint8_t *head, size_t len)
{
	return elf_is_elf(head, len);
}

static void elf_close(struct input *in)
{
	struct elf_input *e = in->priv;

	elf_core_release(&e->core);
	free(e->vmaps);
	free(e);
	in->priv = NULL;
}

static int elf_open(struct input *in, struct ds_err *err)
{
	struct elf_input *e = calloc(1, sizeof(*e));
	struct elf_core *c;
	int r;

	if (!e)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	in->priv = e;
	c = &e->core;
	if ((r = elf_core_open(c, &in->src, err)) < 0)
		return r;
	e->vmaps = calloc(c->n_loads ? c->n_loads : 1, sizeof(*e->vmaps));
	if (!e->vmaps)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->n_loads; i++)
		e->vmaps[i] = (struct dump_vmap){
			.vaddr = c->loads[i].vaddr, .paddr = c->loads[i].paddr,
			.size = c->loads[i].memsz,
		};
	in->elf_machine = c->machine;
	in->big_endian = c->big_endian;     /* EI_DATA: the crashed machine's order */
	in->elf_class = c->elf_class;
	in->notes = c->notes;
	in->notes_size = c->notes_size;
	in->vmcoreinfo_off = c->vmcoreinfo_off;
	in->vmcoreinfo_size = c->vmcoreinfo_size;
	in->nr_cpus = c->nr_prstatus;
	if (c->short_by)
		snprintf(in->warning, sizeof(in->warning),
			 "'%s' is truncated: its PT_LOADs need 0x%" PRIx64 " bytes more than the "
			 "file has (first: segment %u); the pages there cannot be read",
			 in->path, c->short_by, c->short_load);
	in->vmaps = e->vmaps;
	in->n_vmaps = c->n_loads;
	return 0;
}

/* pfns past the highest byte of any PT_LOAD */
static uint64_t elf_max_pfn(const struct input *in, unsigned shift)
{
	const struct elf_core *c = core_of(in);
	uint64_t end = 0;

	for (size_t i = 0; i < c->n_ranges; i++)
		if (c->ranges[i].end > end)
			end = c->ranges[i].end;
	return (end + (1ull << shift) - 1) >> shift;
}

/* Present pfns [start, end), minus the ranges the caller leaves out (a
 * partly omitted page is left out whole). */
static int add_present(struct input *in, uint64_t start, uint64_t end, unsigned shift,
		       struct keepmap *km)
{
	for (size_t i = 0; i < in->n_omit && start < end; i++) {
		uint64_t os = in->omit[i].start >> shift;
		uint64_t oe = (in->omit[i].end + (1ull << shift) - 1) >> shift;

		if (oe <= start || os >= end)
			continue;
		if (os > start && add_present(in, start, os, shift, km) < 0)
			return -1;
		start = oe;
	}
	return start < end ? keepmap_add_present(km, start, end) : 0;
}

static int elf_map_pages(struct input *in, unsigned shift, struct keepmap *km,
			 uint64_t start, uint64_t end, struct ds_err *err)
{
	const struct elf_core *c = core_of(in);

	for (size_t i = 0; i < c->n_ranges; i++) {
		uint64_t first = c->ranges[i].start >> shift, stop = c->ranges[i].end >> shift;

		if (first < start)
			first = start;
		if (stop > end)
			stop = end;
		if (first < stop && add_present(in, first, stop, shift, km) < 0)
			return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	}
	return 0;
}

static int elf_read(struct input *in, uint64_t paddr, void *buf, size_t len,
		    struct ds_err *err)
{
	return elf_read_phys(core_of(in), &in->src, paddr, buf, len, err);
}

/* Zero-copy when the page lies whole in one PT_LOAD's file data; else
 * read, with bytes outside every PT_LOAD as zero. */
static int elf_read_page(struct input *in, uint64_t paddr, uint32_t ps, uint8_t *buf,
			 const uint8_t **ret_page, struct ds_err *err)
{
	const struct elf_core *c = core_of(in);
	long i = elf_find_range(c, paddr);

	*ret_page = buf;
	if (i >= 0 && c->ranges[i].data_end >= paddr + ps) {
		const struct phys_range *r = &c->ranges[i];
		const void *p = source_peek(&in->src, r->file_off + (paddr - r->start), ps);

		if (p) {
			*ret_page = p;
			return 0;
		}
	}
	if (i >= 0 && c->ranges[i].end - paddr >= ps)
		return elf_read(in, paddr, buf, ps, err);
	for (uint32_t off = 0; off < ps;) {
		long ri = elf_find_range(c, paddr + off);
		uint32_t n = 1;

		if (ri >= 0) {
			uint64_t room = c->ranges[ri].end - (paddr + off);
			int r;

			n = room < ps - off ? (uint32_t)room : ps - off;
			if ((r = elf_read(in, paddr + off, buf + off, n, err)) < 0)
				return r;
		} else {
			buf[off] = 0;
		}
		off += n;
	}
	return 0;
}

static void elf_prefetch(struct input *in, uint64_t paddr, uint64_t len)
{
	elf_prefetch_phys(core_of(in), &in->src, paddr, len);
}

const struct input_ops input_elf_ops = {
	.name = "ELF vmcore",
	.probe = elf_probe,
	.open = elf_open,
	.close = elf_close,
	.max_pfn = elf_max_pfn,
	.map_pages = elf_map_pages,
	.read_phys = elf_read,
	.read_page = elf_read_page,
	.prefetch = elf_prefetch,
};

/* split.c - the files of a split dump (makedumpfile --split, dumpsieve
 * --split) given together, read as the one dump they make (input.h).
 *
 * Each file is opened by its own member (kdump-compressed, possibly
 * flattened) and holds the pages of one pfn range.  The set must tile the
 * pfns [0, max_pfn) without gaps or overlaps, and its files must describe
 * the same dump (page size, max_pfn, codec, dump level); otherwise the error
 * names the files and the pfns.  Reads go to the file whose range holds the
 * pfn; the notes, VMCOREINFO and header facts are the first file's.
 */
#include "input.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct split_input {
	struct input *parts;                 /* sorted by range */
	size_t n;
};

static struct input *part_of(const struct input *in, uint64_t pfn)
{
	const struct split_input *s = in->priv;

	for (size_t i = 0; i < s->n; i++)
		if (pfn >= s->parts[i].split_start && pfn < s->parts[i].split_end)
			return &s->parts[i];
	return NULL;
}

static bool split_probe(const uint8_t *head, size_t len)
{
	(void)head;
	(void)len;
	return false;                /* chosen by input_open_set, never by content */
}

static int split_open(struct input *in, struct ds_err *err)
{
	(void)in;
	return ds_err_set(err, DS_EINVAL, "a split set is opened with input_open_set");
}

static void split_close(struct input *in)
{
	struct split_input *s = in->priv;

	for (size_t i = 0; i < s->n; i++)
		input_close(&s->parts[i]);
	free(s->parts);
	free(s);
	in->priv = NULL;
}

static uint64_t split_max_pfn(const struct input *in, unsigned shift)
{
	const struct split_input *s = in->priv;

	return input_max_pfn(&s->parts[0], shift);
}

static int split_map_pages(struct input *in, unsigned shift, struct keepmap *km,
			   uint64_t start, uint64_t end, struct ds_err *err)
{
	const struct split_input *s = in->priv;

	for (size_t i = 0; i < s->n; i++) {
		struct input *p = &s->parts[i];
		uint64_t lo = p->split_start > start ? p->split_start : start;
		uint64_t hi = p->split_end < end ? p->split_end : end;
		int r;

		if (lo < hi && (r = p->ops->map_pages(p, shift, km, lo, hi, err)) < 0)
			return r;
	}
	return 0;
}

static int split_read_phys(struct input *in, uint64_t paddr, void *buf, size_t len,
			   struct ds_err *err)
{
	uint8_t *b = buf;
	uint32_t ps = in->page_size;

	while (len) {
		size_t n = ps - (paddr & (ps - 1));
		struct input *p = part_of(in, paddr / ps);
		int r;

		if (n > len)
			n = len;
		if (!p)
			return ds_err_set(err, DS_ENODATA,
					  "physical address 0x%" PRIx64 " is not in the dump", paddr);
		if ((r = input_read_phys(p, paddr, b, n, err)) < 0)
			return r;
		b += n;
		paddr += n;
		len -= n;
	}
	return 0;
}

static int split_read_page(struct input *in, uint64_t paddr, uint32_t size, uint8_t *buf,
			   const uint8_t **ret, struct ds_err *err)
{
	struct input *p = part_of(in, paddr / in->page_size);

	if (!p)
		return ds_err_set(err, DS_ENODATA,
				  "physical address 0x%" PRIx64 " is not in the dump", paddr);
	return input_read_page(p, paddr, size, buf, ret, err);
}

static int split_read_stored(struct input *in, uint64_t pfn, const uint8_t **data,
			     uint32_t *size, uint32_t *flags, struct ds_err *err)
{
	struct input *p = part_of(in, pfn);

	if (!p)
		return ds_err_set(err, DS_ENODATA, "pfn 0x%" PRIx64 " is in no file of the split set",
				  pfn);
	return p->ops->read_stored(p, pfn, data, size, flags, err);
}

static void split_prefetch(struct input *in, uint64_t paddr, uint64_t len)
{
	(void)in;
	(void)paddr;
	(void)len;
}

static const struct input_ops split_ops = {
	.name = "split set",
	.probe = split_probe,
	.open = split_open,
	.close = split_close,
	.max_pfn = split_max_pfn,
	.map_pages = split_map_pages,
	.read_phys = split_read_phys,
	.read_page = split_read_page,
	.prefetch = split_prefetch,
	.read_stored = split_read_stored,
};

static int cmp_start(const void *a, const void *b)
{
	const struct input *x = a, *y = b;

	return x->split_start < y->split_start ? -1 : x->split_start > y->split_start;
}

int input_open_set(struct input *in, const char *const *paths, size_t n,
		   const struct input_config *cfg, struct ds_err *err)
{
	struct split_input *s;
	uint64_t next = 0, max;
	int r;

	if (n == 1)
		return input_open(in, paths[0], cfg, err);
	memset(in, 0, sizeof(*in));
	in->src.fd = -1;
	in->path = paths[0];
	if (!(s = calloc(1, sizeof(*s))) || !(s->parts = calloc(n, sizeof(*s->parts)))) {
		free(s);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	in->ops = &split_ops;
	in->priv = s;
	for (size_t i = 0; i < n; i++) {
		struct input *p = &s->parts[i];

		if ((r = input_open(p, paths[i], cfg, err)) < 0)
			goto fail;
		s->n = i + 1;
		if (!p->split || !p->ops->read_stored) {
			r = ds_err_set(err, DS_EINVAL,
				       "'%s' is not a file of a split dump: several VMCOREs must be the files of one --split dump",
				       paths[i]);
			goto fail;
		}
		if (i && (p->page_size != s->parts[0].page_size ||
			  p->dump_level != s->parts[0].dump_level ||
			  p->codec_flag != s->parts[0].codec_flag ||
			  p->ops->max_pfn(p, 12) != s->parts[0].ops->max_pfn(&s->parts[0], 12))) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "'%s' and '%s' are not files of the same split dump (page size, dump level, compression or max_mapnr differ)",
				       paths[0], paths[i]);
			goto fail;
		}
	}
	qsort(s->parts, n, sizeof(*s->parts), cmp_start);
	max = split_max_pfn(in, 12);
	for (size_t i = 0; i < n; i++) {
		const struct input *p = &s->parts[i];

		if (p->split_start != next) {
			r = ds_err_set(err, DS_ECORRUPT,
				       "split set: '%s' holds pfns 0x%" PRIx64 "-0x%" PRIx64 ", but the files before it end at 0x%" PRIx64 " (%s)",
				       p->path, p->split_start, p->split_end, next,
				       p->split_start > next ? "a gap" : "an overlap");
			goto fail;
		}
		next = p->split_end;
	}
	if (next != max) {
		r = ds_err_set(err, DS_ECORRUPT,
			       "split set: the files end at pfn 0x%" PRIx64 ", the dump has 0x%" PRIx64 " (a file is missing)",
			       next, max);
		goto fail;
	}
	/* the first file speaks for the set */
	{
		const struct input *f = &s->parts[0];

		in->path = f->path;
		in->elf_machine = f->elf_machine;
		in->big_endian = f->big_endian;
		in->elf_class = f->elf_class;
		memcpy(in->machine, f->machine, sizeof(in->machine));
		in->page_size = f->page_size;
		in->notes = f->notes;
		in->notes_size = f->notes_size;
		in->vmcoreinfo_off = f->vmcoreinfo_off;
		in->vmcoreinfo_size = f->vmcoreinfo_size;
		in->nr_cpus = f->nr_cpus;
		in->has_phys_base = f->has_phys_base;
		in->phys_base = f->phys_base;
		in->is_dump = true;
		in->dump_level = f->dump_level;
		in->excluded_vmemmap = f->excluded_vmemmap;
		in->codec_flag = f->codec_flag;
		in->has_utsname = f->has_utsname;
		memcpy(in->utsname, f->utsname, sizeof(in->utsname));
		for (size_t i = 0; i < n; i++)
			in->incomplete |= s->parts[i].incomplete;
	}
	return 0;
fail:
	input_close(in);
	return r;
}

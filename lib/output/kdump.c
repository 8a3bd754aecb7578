/* kdump.c - the kdump-compressed output member (output.h): the dump's
 * metadata becomes lib/format/kdump_write's parameters, and pages pass
 * through to its writer in pfn order (it needs no pfn: the 2nd bitmap,
 * written first, says which pfns the descriptors are for). */
#include "output.h"

#include <string.h>

#include "../format/kdump_write.h"

_Static_assert(KDUMP_UTS_LEN == META_UTS_LEN, "utsname field sizes");

#define DL_ZERO 1u                       /* dump level bit 1: zero pages */

static int kdump_begin(struct output *o, const struct dump_meta *m,
		       const struct keepmap *km, struct ds_err *err)
{
	struct kdump_params p;
	struct kdump_writer *w = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	p.mach = m->mach;
	p.block_size = m->page_size;
	p.max_mapnr = m->max_pfn;
	p.notes = m->notes;
	p.notes_size = m->notes_size;
	p.vmcoreinfo_off = m->vmcoreinfo_off;
	p.vmcoreinfo_size = m->vmcoreinfo_size;
	p.crashtime = m->crashtime;
	p.nr_cpus = m->nr_cpus;
	p.phys_base = m->phys_base;
	p.dump_level = (int32_t)m->dump_level;
	p.status = o->cfg.codec->kdump_flag |
		   (m->excluded_vmemmap ? KDUMP_STATUS_EXCLUDED_VMEMMAP : 0);
	p.exclude_zero = m->dump_level & DL_ZERO;
	if (m->split_end) {
		p.split = true;
		p.start_pfn = m->split_start;
		p.end_pfn = m->split_end;
	}
	p.any_order = o->any_order;
	/* verbatim, bytes after the NUL included (makedumpfile copies the
	 * kernel's struct whole) */
	memcpy(p.utsname, m->utsname, sizeof(p.utsname));
	if ((r = kdump_writer_open(&w, &o->sink, &p, km, err)) < 0)
		return r;
	o->priv = w;
	return 0;
}

static int kdump_add_page(struct output *o, uint64_t pfn, const void *data, uint32_t size,
			  uint32_t flags, struct ds_err *err)
{
	return kdump_writer_add_page(o->priv, pfn, data, size, flags, err);
}

static int kdump_add_zero(struct output *o, uint64_t pfn, struct ds_err *err)
{
	return kdump_writer_add_zero(o->priv, pfn, err);
}

static int kdump_add_lost(struct output *o, uint64_t pfn, struct ds_err *err)
{
	return kdump_writer_add_lost(o->priv, pfn, err);
}

static int kdump_finish(struct output *o, uint64_t *ret_bytes, struct ds_err *err)
{
	int r = kdump_writer_finish(o->priv, ret_bytes, err);

	if (r == 0)
		o->priv = NULL;      /* freed; on failure it stays for close_incomplete */
	return r;
}

static int kdump_close_incomplete(struct output *o, struct output_incomplete *ret,
				  struct ds_err *err)
{
	struct kdump_incomplete inc;
	int r = kdump_writer_close_incomplete(o->priv, &inc, err);

	o->priv = NULL;
	ret->planned = inc.planned;
	ret->pages = inc.kept;
	ret->lost = inc.lost;
	return r;
}

static void kdump_abort(struct output *o)
{
	kdump_writer_abort(o->priv);
	o->priv = NULL;
}

const struct output_ops output_kdump_ops = {
	.name = "kdump-compressed",
	.takes_compressed = true,
	.begin = kdump_begin,
	.add_page = kdump_add_page,
	.add_zero = kdump_add_zero,
	.add_lost = kdump_add_lost,
	.finish = kdump_finish,
	.close_incomplete = kdump_close_incomplete,
	.abort = kdump_abort,
};

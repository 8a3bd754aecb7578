/* dump.c - the dump job (ds_dump) and -R (ds_rearrange), the library's
 * public entry points.  The dump strings the session's steps together in the
 * order of the design's data flow:
 *
 *   input    open the input (any format): physical map, notes, VMCOREINFO
 *   kernel   page size, architecture, page-table root
 *   output   create DUMPFILE, before the work
 *   maps     locate the struct page arrays; present pfns
 *   filter   one pass decides every pfn; -e
 *   write    read each kept page once, zero check, compress, hand on;
 *            main header last, fsync; on any failure the file is given up
 *
 * Each step lives in session.c, each phase's facts in its own module.
 * -R (ds_rearrange) is in rearrange.c.
 */
#include <dumpsieve/dumpsieve.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compress/codec.h"
#include "filter/classify.h"
#include "io/sink.h"
#include "io/source.h"
#include "output/output.h"
#include "session.h"

bool ds_input_fault(void *addr)
{
	return source_fault(addr);
}

const char *ds_version(void)
{
	return "0.1.0";
}

static enum codec_id codec_of(enum ds_codec c)
{
	switch (c) {
	case DS_CODEC_ZLIB: return CODEC_ZLIB;
	case DS_CODEC_LZO: return CODEC_LZO;
	case DS_CODEC_SNAPPY: return CODEC_SNAPPY;
	case DS_CODEC_ZSTD: return CODEC_ZSTD;
	default: return CODEC_NONE;
	}
}

bool ds_codec_available(enum ds_codec c)
{
	return codec_find(codec_of(c)) != NULL;
}

const char *ds_codec_name(enum ds_codec c)
{
	return codec_name(codec_of(c));
}

static void fill_report(const struct session *s, struct ds_report *rep)
{
	const struct scan_stats *st = &s->scan;

	rep->max_mapnr = s->max_pfn;
	rep->original_pages = keepmap_count_present(&s->km);
	rep->hole_pages = s->max_pfn - rep->original_pages;
	rep->vmemmap_pages = s->vmemmap_pages;
	rep->zero_pages = s->zero_pages;
	rep->write_bytes = s->write_bytes;
	rep->page_size = s->k.page_size;
	rep->cache_pages = st->excluded[PAGE_CACHE];
	rep->cache_private_pages = st->excluded[PAGE_CACHE_PRIVATE];
	rep->user_pages = st->excluded[PAGE_USER];
	rep->free_pages = st->excluded[PAGE_FREE] + st->excluded[PAGE_UNACCEPTED];
	rep->hwpoison_pages = st->excluded[PAGE_HWPOISON];
	rep->offline_pages = st->excluded[PAGE_OFFLINE];
	rep->excluded_pages = rep->zero_pages + rep->cache_pages + rep->cache_private_pages +
			      rep->user_pages + rep->free_pages + rep->hwpoison_pages +
			      rep->offline_pages + rep->vmemmap_pages;
	rep->remaining_pages = rep->original_pages - rep->excluded_pages;
}

static int run(struct session *s, struct ds_report *rep, struct ds_err *err)
{
	const struct ds_options *o = s->o;
	struct output_config oc = {
		.format = o->elf ? OUTPUT_ELF : OUTPUT_KDUMP,
		.codec = codec_find(codec_of(o->codec)),
		.path = o->output, .force = o->force, .flatten = o->flatten,
		.dry_run = o->dry_run,
	};
	int r;

	if (!oc.codec)
		return ds_err_set(err, DS_EUNSUPP,
				  "%s compression was requested but this dumpsieve was built without it",
				  ds_codec_name(o->codec));
	if (o->dump_level > DL_MAX)
		return ds_err_set(err, DS_EINVAL, "dump level %u is invalid (0..31)", o->dump_level);
	if ((r = session_open_input(s, err)) < 0 || (r = session_kernel(s, err)) < 0)
		return r;
	snprintf(rep->osrelease, sizeof(rep->osrelease), "%s", s->k.osrelease);
	if (o->codec_from_input) {       /* --reassemble: pages as they are stored */
		oc.codec = codec_find_by_flag(s->in.codec_flag);
		if (!oc.codec)
			return ds_err_set(err, DS_EUNSUPP,
					  "'%s' is compressed with a codec this dumpsieve was built without",
					  s->in.path);
	}
	if (o->n_outputs > 1)
		r = session_create_split(s, &oc, o->outputs, o->n_outputs, err);
	else
		r = session_create_output(s, &oc, err);
	if (r < 0 ||
	    (r = session_page_maps(s, err)) < 0 ||
	    (r = session_filter(s, err)) < 0 ||
	    (r = session_write(s, err)) < 0)
		return r;
	fill_report(s, rep);
	return 0;
}

int ds_dump(const struct ds_options *o, struct ds_report *rep, struct ds_err *err)
{
	struct session s;
	int r;

	memset(rep, 0, sizeof(*rep));
	ds_err_clear(err);
	session_init(&s, o);
	r = run(&s, rep, err);
	session_end(&s, r);
	/* a dump that could not be finished but was kept (session_end) */
	rep->unreadable_pages = s.unreadable_pages;
	if (r < 0 && s.out.left.kept) {
		rep->incomplete = true;
		rep->planned_pages = s.out.left.planned;
		rep->kept_pages = s.out.left.pages;
	}
	return r;
}

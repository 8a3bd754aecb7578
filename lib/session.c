/* session.c - the dump's phases as reusable steps (session.h).  Each step's
 * facts live in its own module; this file only strings them together and
 * keeps what one step hands the next. */
#include "session.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/arch.h"
#include "compress/codec.h"
#include "copy.h"
#include "filter/vmemmap.h"

void session_notice(const struct session *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!s->o->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o->notice(s->o->notice_arg, msg);
}

void session_progress(const struct session *s, const char *phase, uint64_t done,
		      uint64_t total)
{
	if (s->o->progress)
		s->o->progress(s->o->progress_arg, phase, done, total);
}

void session_init(struct session *s, const struct ds_options *o)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->in.src.fd = -1;
	s->out.file.fd = -1;
}

int session_open_input(struct session *s, struct ds_err *err)
{
	struct input_config cfg = {
		.no_mmap = s->o->no_mmap, .faults_handled = s->o->faults_handled,
	};
	int r;

	if (s->o->omit_crashkernel) {
		if ((r = input_crashkernel(&s->omit, &s->n_omit, err)) < 0)
			return r;
		cfg.omit = s->omit;
		cfg.n_omit = s->n_omit;
	}
	if ((r = input_open(&s->in, s->o->input, &cfg, err)) < 0)
		return r;
	s->in_open = true;
	if (s->in.warning[0])
		session_notice(s, "%s", s->in.warning);
	return 0;
}

int session_kernel(struct session *s, struct ds_err *err)
{
	int r;

	s->k_init = true;            /* kernel_release is safe after a failed init */
	if ((r = kernel_init(&s->k, &s->in, err)) < 0)
		return r;
	/* every job's debug messages show it (SUSE's scripts parse them) */
	if (s->o->vmcoreinfo)
		s->o->vmcoreinfo(s->o->vmcoreinfo_arg, (const char *)s->in.notes + s->in.vmcoreinfo_off,
				 (size_t)s->in.vmcoreinfo_size);
	return 0;
}

int session_create_output(struct session *s, const struct output_config *cfg,
			  struct ds_err *err)
{
	struct output_config c = *cfg;
	int r;

	/* DUMPFILE must not be VMCORE, whatever the name says */
	if (s->in_open && fstat(s->in.src.fd, &s->in_stat) == 0)
		c.input = &s->in_stat;
	c.size_limit = s->o->size_limit;
	c.cancel = s->o->cancel;
	r = output_create(&s->out, &c, err);

	s->out_open = true;          /* output_fail is safe after a failed create */
	return r;
}

/* A quarter of MemAvailable, capped at 256 MiB, at least 1 MiB: what the
 * page maps may use before they spill to --work-dir. */
static size_t default_budget(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kb = 0;
	char line[128];
	size_t budget = 256u << 20;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
				break;
		fclose(f);
	}
	if (kb && kb * 1024 / 4 < budget)
		budget = (size_t)(kb * 1024 / 4);
	return budget < (1u << 20) ? (1u << 20) : budget;
}

int session_page_maps(struct session *s, struct ds_err *err)
{
	const struct ds_options *o = s->o;
	uint64_t max_pfn = input_max_pfn(&s->in, s->k.page_shift);
	size_t budget = o->map_budget ? (size_t)o->map_budget : default_budget();
	int r;

	/* The input's claim of memory is checked before anything is sized by
	 * it: the page maps' bookkeeping (and the struct page ranges, one per
	 * section at most, as much again) must fit the memory budget. */
	if (2 * keepmap_overhead(max_pfn) > budget)
		return ds_err_set(err, DS_ENOMEM,
				  "'%s' claims memory up to physical address 0x%" PRIx64 " (%" PRIu64
				  " GiB): its page maps would need %" PRIu64 " MiB before any page is "
				  "decided, more than the memory budget of %zu MiB (--cyclic-buffer)",
				  s->o->input, max_pfn << s->k.page_shift,
				  (max_pfn << s->k.page_shift) >> 30,
				  2 * keepmap_overhead(max_pfn) >> 20, budget >> 20);
	s->maps_built = true;
	if ((r = memmap_build(&s->mm, &s->k, max_pfn, err)) < 0)
		return r;
	/* pfns above the last struct page are not covered (as makedumpfile) */
	if (s->mm.end_pfn < max_pfn)
		max_pfn = s->mm.end_pfn;
	s->max_pfn = max_pfn;

	if ((r = keepmap_init(&s->km, max_pfn, err)) < 0)
		return r;
	if ((r = keepmap_set_budget(&s->km, budget, o->work_dir, err)) < 0)
		return r;
	return input_map_pages(&s->in, s->k.page_shift, &s->km, err);
}

int session_filter(struct session *s, struct ds_err *err)
{
	const struct ds_options *o = s->o;
	int r;

	if ((r = page_rules_init(&s->rules, s->k.vi, o->dump_level, err)) < 0)
		return r;
	for (unsigned i = 0; i < s->rules.n_missing; i++)
		session_notice(s, "%s", s->rules.missing[i]);

	if (page_rules_need_scan(&s->rules, o->dump_level)) {
		session_progress(s, "Excluding unnecessary pages", 0, 1);
		if ((r = scan_run(&s->k, &s->mm, &s->rules, o->dump_level, &s->km,
				  &s->scan, err)) < 0)
			return r;
		session_progress(s, "Excluding unnecessary pages", 1, 1);
		if (s->scan.bad_order)
			session_notice(s, "%" PRIu64 " struct pages had an impossible order; those pages were kept",
				       s->scan.bad_order);
		if (s->scan.unreadable)
			session_notice(s, "%" PRIu64 " chunks of struct pages could not be read; the pages "
				       "they describe are kept (the first, %s)", s->scan.unreadable,
				       s->scan.first_unreadable);
	}

	if (o->exclude_vmemmap) {
		uint64_t sz;

		if (!vmci_size(s->k.vi, "page", &sz))
			return ds_err_set(err, DS_ENODATA, "-e needs SIZE(page) in VMCOREINFO");
		if ((r = vmemmap_exclude(&s->k, &s->mm, sz, &s->km, &s->vmemmap_pages, err)) < 0)
			return r;
	}

	if (s->km.over_budget)
		session_notice(s, "the page maps outgrew their memory budget (%zu KiB in memory)%s",
			       keepmap_memory(&s->km) >> 10,
			       o->work_dir ? "" : "; give --work-dir to spill them to disk");
	return 0;
}

/* The utsname of the crashed kernel, from init_uts_ns in its memory. */
static void read_utsname(struct session *s, struct dump_meta *m)
{
	struct kernel *k = &s->k;
	uint64_t sym, off;
	char buf[6 * META_UTS_LEN];
	struct ds_err err;

	if (!vmci_symbol(k->vi, "init_uts_ns", &sym)) {
		session_notice(s, "VMCOREINFO has no SYMBOL(init_uts_ns); utsname taken from OSRELEASE");
		goto fallback;
	}
	if (!vmci_offset(k->vi, "uts_namespace.name", &off))
		/* before 5.11 a struct kref (4 bytes) came first */
		off = k->version < KERNEL_VERSION_CODE(5, 11, 0) ? 4 : 0;
	if (kernel_read(k, sym + off, buf, sizeof(buf), &err) < 0) {
		session_notice(s, "cannot read utsname: %s", err.msg);
		goto fallback;
	}
	for (int i = 0; i < 6; i++) {
		memcpy(m->utsname[i], buf + i * META_UTS_LEN, META_UTS_LEN);
		m->utsname[i][META_UTS_LEN - 1] = '\0';
	}
	return;
fallback:
	snprintf(m->utsname[0], META_UTS_LEN, "Linux");
	snprintf(m->utsname[2], META_UTS_LEN, "%s", k->osrelease);
	snprintf(m->utsname[4], META_UTS_LEN, "%s", k->arch->name);
}

void session_meta(struct session *s, struct dump_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->page_size = s->k.page_size;
	m->max_pfn = s->max_pfn;
	m->elf_machine = s->k.arch->elf_machine;
	m->notes = s->in.notes;
	m->notes_size = s->in.notes_size;
	m->vmcoreinfo_off = s->in.vmcoreinfo_off;
	m->vmcoreinfo_size = s->in.vmcoreinfo_size;
	m->crashtime = s->k.crashtime;
	m->nr_cpus = (int32_t)s->in.nr_cpus;
	m->phys_base = s->k.phys_base;
	m->dump_level = s->o->dump_level;
	m->excluded_vmemmap = s->o->exclude_vmemmap;
	read_utsname(s, m);
}

int session_write(struct session *s, struct ds_err *err)
{
	const struct ds_options *o = s->o;
	struct dump_meta m;
	int r;

	session_meta(s, &m);
	if ((r = output_begin(&s->out, &m, &s->km, err)) < 0)
		return r;
	struct copy_job cj = {
		.in = &s->in, .page_size = s->k.page_size, .page_shift = s->k.page_shift,
		.km = &s->km,
		.codec = s->out.ops->takes_compressed ? s->out.cfg.codec : codec_find(CODEC_NONE),
		.exclude_zero = m.dump_level & DL_EXCLUDE_ZERO,
		.threads = o->num_threads, .out = &s->out, .cancel = o->cancel,
		.progress = o->progress, .progress_arg = o->progress_arg,
	};
	r = copy_pages(&cj, err);
	s->zero_pages = cj.zero_pages;
	s->unreadable_pages = cj.unreadable_pages;
	if (cj.unreadable_pages)
		session_notice(s, "%" PRIu64 " pages could not be read and are not in the dump "
			       "(the first, %s)", cj.unreadable_pages, cj.first_unreadable);
	if (r < 0)
		return r;
	return output_finish(&s->out, &s->write_bytes, err);
}

void session_end(struct session *s, int status)
{
	if (s->out_open && status < 0)
		output_fail(&s->out);
	if (s->maps_built) {
		keepmap_release(&s->km);
		memmap_release(&s->mm);
	}
	if (s->k_init)
		kernel_release(&s->k);
	if (s->in_open)
		input_close(&s->in);
	free(s->omit);
	s->omit = NULL;
	s->n_omit = 0;
	s->maps_built = s->k_init = s->in_open = s->out_open = false;
}

/* session.c - the dump's phases as reusable steps (session.h).  Each step's
 * facts live in its own module; this file only strings them together and
 * keeps what one step hands the next. */
#include "session.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/arch.h"
#include "common/membudget.h"
#include "compress/codec.h"
#include "copy.h"
#include "filter/vmemmap.h"
#include "order.h"

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
		.work_dir = s->o->work_dir,
	};
	int r;

	if (s->o->omit_crashkernel) {
		if ((r = input_crashkernel(&s->omit, &s->n_omit, err)) < 0)
			return r;
		cfg.omit = s->omit;
		cfg.n_omit = s->n_omit;
	}
	if (s->o->n_inputs > 1)
		r = input_open_set(&s->in, s->o->inputs, s->o->n_inputs, &cfg, err);
	else
		r = input_open(&s->in, s->o->input, &cfg, err);
	if (r < 0)
		return r;
	s->in_open = true;
	if (s->in.warning[0])
		session_notice(s, "%s", s->in.warning);
	return 0;
}

/* kernel->trace until the scan: the pfns the kernel model reads. */
static void trace_kernel_reads(void *arg, uint64_t paddr, size_t len)
{
	struct session *s = arg;
	unsigned shift = s->k.page_shift;

	if (!len || !shift)
		return;
	for (uint64_t pfn = paddr >> shift; pfn <= (paddr + len - 1) >> shift; pfn++) {
		if (s->n_traced && s->traced[s->n_traced - 1] == pfn)
			continue;
		if (s->n_traced == s->cap_traced) {
			size_t ncap = s->cap_traced ? 2 * s->cap_traced : 256;
			uint64_t *grown;

			if (ncap > (1u << 20) || !(grown = realloc(s->traced, ncap * sizeof(*grown))))
				return;      /* only an order hint: stop recording */
			s->traced = grown;
			s->cap_traced = ncap;
		}
		s->traced[s->n_traced++] = pfn;
	}
}

int session_kernel(struct session *s, struct ds_err *err)
{
	int r;

	s->k_init = true;            /* kernel_release is safe after a failed init */
	if ((r = kernel_init(&s->k, &s->in, err)) < 0)
		return r;
	s->k.trace = trace_kernel_reads;
	s->k.trace_arg = s;
	/* every job's debug messages show it (SUSE's scripts parse them) */
	if (s->o->vmcoreinfo)
		s->o->vmcoreinfo(s->o->vmcoreinfo_arg, (const char *)s->in.notes + s->in.vmcoreinfo_off,
				 (size_t)s->in.vmcoreinfo_size);
	return 0;
}

/* What every output of this session is told: never VMCORE, -L, stop. */
static void output_cfg(struct session *s, const struct output_config *cfg,
		       struct output_config *c)
{
	*c = *cfg;
	/* DUMPFILE must not be VMCORE, whatever the name says */
	if (s->in_open && s->in.src.fd >= 0 && fstat(s->in.src.fd, &s->in_stat) == 0)
		c->input = &s->in_stat;
	c->size_limit = s->o->size_limit;
	c->cancel = s->o->cancel;
}

int session_create_output(struct session *s, const struct output_config *cfg,
			  struct ds_err *err)
{
	struct output_config c;
	int r;

	output_cfg(s, cfg, &c);
	r = output_create(&s->out, &c, err);
	s->out_open = true;          /* output_fail is safe after a failed create */
	return r;
}

int session_create_split(struct session *s, const struct output_config *cfg,
			 const char *const *paths, unsigned n, struct ds_err *err)
{
	s->split_outs = calloc(n, sizeof(*s->split_outs));
	if (!s->split_outs)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		struct output_config c;
		int r;

		output_cfg(s, cfg, &c);
		c.path = paths[i];
		s->n_split = i + 1;
		if ((r = output_create(&s->split_outs[i], &c, err)) < 0)
			return r;
	}
	return 0;
}

int session_page_maps(struct session *s, struct ds_err *err)
{
	const struct ds_options *o = s->o;
	uint64_t max_pfn = input_max_pfn(&s->in, s->k.page_shift);
	size_t budget = o->map_budget ? (size_t)o->map_budget : membudget_default();
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
	/* the dump level's rules first: their checks of VMCOREINFO (SIZE(page)
	 * and the like) give the more precise message */
	if ((r = page_rules_init(&s->rules, s->k.vi, &s->k.mach, o->dump_level, err)) < 0)
		return r;
	for (unsigned i = 0; i < s->rules.n_missing; i++)
		session_notice(s, "%s", s->rules.missing[i]);
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
	if ((r = input_map_pages(&s->in, s->k.page_shift, &s->km, err)) < 0)
		return r;
	/* a dump given as input lacks the pages it left out */
	s->absent_pages = keepmap_count_present(&s->km) - keepmap_count_dumped(&s->km);
	return 0;
}

/* --mem-usage of a dump: the pages the dump left out (present, not
 * dumped) are classified from their struct pages by a scan of their own,
 * and its counts join the filter's.  What the scan keeps of them (pages
 * the dump lost, not filtered) stays counted as kernel data. */
static int census_absent(struct session *s, struct ds_err *err)
{
	struct keepmap absent;
	struct scan_stats st;
	uint64_t run = UINT64_MAX;
	int r;

	memset(&st, 0, sizeof(st));
	if ((r = keepmap_init(&absent, s->km.npfn, err)) < 0)
		return r;
	for (uint64_t pfn = keepmap_next_undumped(&s->km, 0);; pfn = keepmap_next_undumped(&s->km, pfn + 1)) {
		bool take = pfn < s->km.npfn && keepmap_is_present(&s->km, pfn);

		if (take && run == UINT64_MAX)
			run = pfn;
		if (run != UINT64_MAX && (!take || pfn + 1 >= s->km.npfn ||
					  keepmap_is_dumped(&s->km, pfn + 1))) {
			if (keepmap_add_present(&absent, run, take ? pfn + 1 : pfn) < 0) {
				r = ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
				goto out;
			}
			run = UINT64_MAX;
		}
		if (pfn >= s->km.npfn)
			break;
	}
	if ((r = scan_run(&s->k, &s->mm, &s->rules, s->o->dump_level, &absent, NULL, &st, err)) < 0)
		goto out;
	for (unsigned c = 0; c < PAGE_CLASS_MAX; c++)
		s->scan.excluded[c] += st.excluded[c];
	r = 0;
out:
	keepmap_release(&absent);
	return r;
}

int session_filter(struct session *s, struct ds_err *err)
{
	const struct ds_options *o = s->o;
	int r;

	s->k.trace = NULL;           /* the struct pages the scan reads are not */
	if (page_rules_need_scan(&s->rules, o->dump_level)) {
		struct scan_regen *g = NULL;

		/* Past the memory budget, with nowhere to spill, the keep-map
		 * drops the chunks the scan is done with and the scan makes them
		 * again when they are read: memory that does not grow with a busy
		 * machine.  Only where the dumped bits before the scan are the
		 * present ones (an ELF vmcore; a dump as input clears some), and
		 * not for --split, whose files are written by threads at once. */
		if (!o->work_dir && s->in.ops == &input_elf_ops && !s->n_split) {
			if ((r = scan_regen_init(&s->regen, &s->k, &s->mm, &s->rules, o->dump_level,
						 &s->km, err)) < 0)
				return r;
			s->regen_init = true;
			g = &s->regen;
		}
		session_progress(s, "Excluding unnecessary pages", 0, 1);
		if ((r = scan_run(&s->k, &s->mm, &s->rules, o->dump_level, &s->km, g,
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

	if (o->census_absent && s->absent_pages &&
	    page_rules_need_scan(&s->rules, o->dump_level) && (r = census_absent(s, err)) < 0)
		return r;

	if (o->exclude_vmemmap) {
		uint64_t sz;

		if (!vmci_size(s->k.vi, "page", &sz))
			return ds_err_set(err, DS_ENODATA, "-e needs SIZE(page) in VMCOREINFO");
		if ((r = vmemmap_exclude(&s->k, &s->mm, sz, &s->km, &s->vmemmap_pages, err)) < 0)
			return r;
	}

	if ((r = keepmap_regen_status(&s->km, err)) < 0)
		return r;
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
	if (s->in.has_utsname) {     /* a dump's header recorded it */
		memcpy(m->utsname, s->in.utsname, sizeof(m->utsname));
		return;
	}
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
	m->mach = s->k.mach;
	m->elf_class = s->in.elf_class;
	m->notes = s->in.notes;
	m->notes_size = s->in.notes_size;
	m->vmcoreinfo_off = s->in.vmcoreinfo_off;
	m->vmcoreinfo_size = s->in.vmcoreinfo_size;
	m->crashtime = s->k.crashtime;
	m->nr_cpus = (int32_t)s->in.nr_cpus;
	m->phys_base = s->k.phys_base;
	/* re-filtering keeps what both levels keep: the input's pages are
	 * already filtered at its level (as makedumpfile, the levels are ORed) */
	m->dump_level = s->o->dump_level | s->in.dump_level;
	m->excluded_vmemmap = s->o->exclude_vmemmap || s->in.excluded_vmemmap;
	m->vmaps = s->in.vmaps;
	m->n_vmaps = s->in.n_vmaps;
	read_utsname(s, m);
}

static void copy_job_init(struct session *s, const struct dump_meta *m, struct input *in,
			  struct output *out, struct copy_job *cj)
{
	const struct ds_options *o = s->o;

	*cj = (struct copy_job){
		.in = in, .page_size = s->k.page_size, .page_shift = s->k.page_shift,
		.km = &s->km, .start_pfn = 0, .end_pfn = s->km.npfn,
		.codec = out->ops->takes_compressed ? out->cfg.codec : codec_find(CODEC_NONE),
		/* an output of raw pages keeps zero pages as holes */
		.exclude_zero = (m->dump_level & DL_EXCLUDE_ZERO) || !out->ops->takes_compressed,
		.threads = o->num_threads, .out = out, .cancel = o->cancel,
		/* a dump given as input, written again with its own codec:
		 * its stored pages are what compressing would give again */
		.pass_through = out->ops->takes_compressed && in->ops->read_stored &&
				out->cfg.codec->kdump_flag == in->codec_flag,
		.input_zero_free = in->dump_level & DL_EXCLUDE_ZERO,
		.progress = o->progress, .progress_arg = o->progress_arg,
	};
}

/* --split: file i holds pfns [start[i], start[i+1]).  Boundaries fall on
 * split blocks (--splitblock-size), each file ending at the first block
 * boundary where the kept pages so far reach its share (as makedumpfile). */
static void split_ranges(struct session *s, unsigned n, uint64_t *start)
{
	uint64_t block = s->o->splitblock_size ? s->o->splitblock_size >> s->k.page_shift
					       : (1ull << 30) >> s->k.page_shift;
	uint64_t total = keepmap_count_dumped(&s->km), acc = 0, pfn = 0;
	unsigned i = 1;

	if (!block)
		block = 1;
	start[0] = 0;
	while (i < n && pfn < s->km.npfn) {
		uint64_t end = s->km.npfn - pfn > block ? pfn + block : s->km.npfn;

		acc += keepmap_count_dumped_range(&s->km, pfn, end);
		pfn = end;
		while (i < n && acc >= total / n * i && acc)
			start[i++] = pfn;
	}
	while (i < n)
		start[i++] = s->km.npfn;
	start[n] = s->km.npfn;
}

struct split_job {
	struct session *s;
	struct output *out;
	struct dump_meta m;
	bool own_input;                  /* opens its own input (parallel) */
	int r;
	struct ds_err err;
	uint64_t zero_pages, bytes, unreadable_pages;
};

static void *split_worker(void *arg)
{
	struct split_job *j = arg;
	struct session *s = j->s;
	struct input_config cfg = {
		.no_mmap = s->o->no_mmap, .faults_handled = s->o->faults_handled,
		.work_dir = s->o->work_dir,
	};
	struct input own, *in = &s->in;
	struct copy_job cj;

	memset(&own, 0, sizeof(own));
	own.src.fd = -1;
	if (j->own_input) {
		j->r = s->o->n_inputs > 1
		     ? input_open_set(&own, s->o->inputs, s->o->n_inputs, &cfg, &j->err)
		     : input_open(&own, s->o->input, &cfg, &j->err);
		if (j->r < 0)
			return NULL;
		in = &own;
	}
	if ((j->r = output_begin(j->out, &j->m, &s->km, &j->err)) == 0) {
		copy_job_init(s, &j->m, in, j->out, &cj);
		cj.start_pfn = j->m.split_start;
		cj.end_pfn = j->m.split_end;
		cj.threads = 0;                  /* the files are the parallelism */
		cj.progress = NULL;
		if ((j->r = copy_pages(&cj, &j->err)) == 0)
			j->r = output_finish(j->out, &j->bytes, &j->err);
		j->zero_pages = cj.zero_pages;
		j->unreadable_pages = cj.unreadable_pages;
	}
	if (j->own_input)
		input_close(&own);
	return NULL;
}

static int write_split(struct session *s, const struct dump_meta *m, struct ds_err *err)
{
	unsigned n = s->n_split, started = 0;
	uint64_t *start = calloc(n + 1, sizeof(*start));
	struct split_job *jobs = calloc(n, sizeof(*jobs));
	pthread_t *tids = calloc(n, sizeof(*tids));
	/* standard input was spooled once: it cannot be opened again */
	bool parallel = strcmp(s->o->input ? s->o->input : "", "-") != 0;
	int r = 0;

	if (!start || !jobs || !tids) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	split_ranges(s, n, start);
	for (unsigned i = 0; i < n; i++) {
		jobs[i] = (struct split_job){ .s = s, .out = &s->split_outs[i], .m = *m,
					      .own_input = parallel };
		jobs[i].m.split_start = start[i];
		jobs[i].m.split_end = start[i + 1];
		if (!parallel) {
			split_worker(&jobs[i]);
			continue;
		}
		if (pthread_create(&tids[i], NULL, split_worker, &jobs[i]) != 0) {
			r = ds_err_sys(err, "cannot start the thread of split file %u", i + 1);
			break;
		}
		started++;
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (unsigned i = 0; i < n && r == 0; i++) {
		if (jobs[i].r < 0) {
			*err = jobs[i].err;
			r = jobs[i].r;
		}
		s->write_bytes += jobs[i].bytes;
		s->zero_pages += m->dump_level & DL_EXCLUDE_ZERO ? jobs[i].zero_pages : 0;
		s->unreadable_pages += jobs[i].unreadable_pages;
	}
	session_progress(s, "Copying data", 1, 1);
out:
	free(start);
	free(jobs);
	free(tids);
	return r;
}

/* Will the dump fit where it goes?  When the -L limit or the free space of
 * the file system is below what the dump is estimated to take, the copy
 * goes most useful first (lib/order.h) and the writer places pages in any
 * order.  A stream keeps pfn order (its descriptors could not be placed). */
static int plan_order(struct session *s, struct copy_job *cj, struct ds_err *err)
{
	uint64_t room = output_room(&s->out), n = keepmap_count_dumped(&s->km), data, need;
	uint64_t budget, fixed, worst;
	int r;

	if (room == UINT64_MAX || s->out.cfg.flatten || s->out.cfg.format != OUTPUT_KDUMP || !n)
		return 0;
	/* headers, notes, two bitmaps, the descriptor table, the zero page */
	fixed = 3 * (uint64_t)s->k.page_size + s->in.notes_size + 2 * ((s->max_pfn + 7) / 8) +
		24 * n + s->k.page_size;
	/* If every page at the codec's worst case fits, the estimate (never
	 * more than that) cannot say otherwise: skip it.  It reads and
	 * compresses 4096 sample pages, 8 % of the CPU time of the real 4 GiB
	 * -d 31 -l dump (docs/performance.md). */
	worst = cj->codec->bound(s->k.page_size);
	if (worst < s->k.page_size)
		worst = s->k.page_size;
	if (n <= (UINT64_MAX - fixed) / worst && fixed + n * worst <= room)
		return 0;
	if (copy_estimate(cj, 4096, &data) < 0)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	need = fixed + data;
	if (need <= room)
		return 0;
	/* order by usefulness what could fit, twice over, at least 16 Ki pages */
	budget = room / (need / n + 1) * 2;
	if (budget < 16384)
		budget = 16384;
	if (budget > n)
		budget = n;
	if ((r = order_open(&s->order, &s->k, &s->km, budget, err)) < 0)
		return r;
	s->k.trace = order_trace;
	s->k.trace_arg = s->order;
	for (size_t i = 0; i < s->n_traced; i++)
		order_add_pfn(s->order, s->traced[i]);
	/* the variables VMCOREINFO names and the log: small, and what every
	 * reader wants before anything else (crash's first screen, --dump-dmesg) */
	order_add_symbols(s->order);
	order_add_log(s->order);
	order_add_page_tables(s->order);
	order_add_image(s->order, &s->mm);
	/* the bss: the pointers every analysis starts from (mem_section,
	 * the log buffer); mostly zero pages, which cost no data */
	order_add_bss(s->order);
	/* the registers the crashed CPUs saved in the notes: their stacks */
	order_add_stacks(s->order, s->in.notes, s->in.notes_size);
	order_add_trees(s->order);
	order_add_modules(s->order);
	s->out.any_order = true;
	cj->order = s->order;
	session_notice(s, "the dump may not fit: about %" PRIu64 " MiB for %" PRIu64
		       " MiB of room; the pages most useful to an analysis go first",
		       need >> 20, room >> 20);
	return 0;
}

/* What the budget cost, when the page maps had to be made again. */
static void regen_notice(const struct session *s)
{
	if (keepmap_lost_chunks(&s->km))
		session_notice(s, "the page maps outgrew their memory budget: %" PRIu64 " pieces "
			       "of them (%" PRIu64 " MiB of memory each) were made again from the "
			       "struct pages, %" PRIu64 " times", keepmap_lost_chunks(&s->km),
			       (KEEPMAP_CHUNK_PFNS * s->k.page_size) >> 20,
			       keepmap_regenerated_chunks(&s->km));
}

int session_write(struct session *s, struct ds_err *err)
{
	struct dump_meta m;
	struct copy_job cj;
	int r;

	s->k.trace = trace_kernel_reads;     /* utsname */
	s->k.trace_arg = s;
	session_meta(s, &m);
	s->k.trace = NULL;
	if (s->n_split)
		return write_split(s, &m, err);
	copy_job_init(s, &m, &s->in, &s->out, &cj);
	if ((r = plan_order(s, &cj, err)) < 0)
		return r;
	if ((r = output_begin(&s->out, &m, &s->km, err)) < 0)
		return r;
	r = copy_pages(&cj, err);
	/* the bits made again (the 2nd bitmap, the copy's walk) must be right */
	if (r == 0)
		r = keepmap_regen_status(&s->km, err);
	regen_notice(s);
	if (s->order) {
		struct order_stats st;

		order_stats(s->order, &st);
		session_notice(s, "most useful first: %" PRIu64 " pages ordered before the copy, %"
			       PRIu64 " found by the pages copied, %" PRIu64 " in pfn order",
			       st.roots, st.found, st.swept);
	}
	s->zero_pages = m.dump_level & DL_EXCLUDE_ZERO ? cj.zero_pages : 0;
	s->unreadable_pages = cj.unreadable_pages;
	if (cj.unreadable_pages)
		session_notice(s, "%" PRIu64 " pages could not be read and are not in the dump "
			       "(the first, %s)", cj.unreadable_pages, cj.first_unreadable);
	if (r < 0)
		return r;
	r = output_finish(&s->out, &s->write_bytes, err);
	if (s->out.dropped_pages)
		session_notice(s, "%" PRIu64 " readable pages are left out of the ELF dump too: the "
			       "unreadable ones come in more runs than its reserved program "
			       "headers can cut out", s->out.dropped_pages);
	return r;
}

void session_end(struct session *s, int status)
{
	if (s->out_open && status < 0)
		output_fail(&s->out);
	for (unsigned i = 0; i < s->n_split; i++)
		if (status < 0)
			output_fail(&s->split_outs[i]);
	free(s->split_outs);
	s->split_outs = NULL;
	s->n_split = 0;
	s->k.trace = NULL;
	order_free(s->order);
	s->order = NULL;
	free(s->traced);
	s->traced = NULL;
	s->n_traced = s->cap_traced = 0;
	if (s->maps_built) {
		keepmap_release(&s->km);
		memmap_release(&s->mm);
	}
	if (s->regen_init)
		scan_regen_release(&s->regen);
	s->regen_init = false;
	if (s->k_init)
		kernel_release(&s->k);
	if (s->in_open)
		input_close(&s->in);
	free(s->omit);
	s->omit = NULL;
	s->n_omit = 0;
	s->maps_built = s->k_init = s->in_open = s->out_open = false;
}

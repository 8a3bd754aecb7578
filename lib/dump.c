/* dump.c - the whole job, in the order of the design's data flow:
 *
 *   input    open the ELF vmcore: physical memory map, notes, VMCOREINFO
 *   kernel   page size, architecture, page-table root
 *   scan     locate the struct page arrays; one pass decides every pfn
 *   plan     count the dumpable pfns: the descriptor table's size is known
 *   copy     read each kept page once, zero check, compress, append
 *   finish   main header last, fsync; on any failure the file is removed
 *
 * This is the only file that strings the modules together; each phase's
 * facts live in its own module.
 */
#include <dumpsieve/dumpsieve.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/keepmap.h"
#include "copy.h"
#include "compress/codec.h"
#include "elf/elf_read.h"
#include "filter/classify.h"
#include "filter/memmap.h"
#include "filter/scan.h"
#include "filter/vmemmap.h"
#include "format/kdump_write.h"
#include "io/sink.h"
#include "io/source.h"
#include "arch/arch.h"
#include "kernel/kernel.h"

struct job {
	const struct ds_options *o;
	struct source src;
	struct elf_core core;
	struct kernel k;
	struct memmap mm;
	struct page_rules rules;
	struct keepmap km;
	struct scan_stats scan;
	const struct codec_ops *codec;
	struct sink sink;
	int out_fd;
	bool created;
};

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

static void notice(const struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void notice(const struct job *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!j->o->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j->o->notice(j->o->notice_arg, msg);
}

static void progress(const struct job *j, const char *phase, uint64_t done, uint64_t total)
{
	if (j->o->progress)
		j->o->progress(j->o->progress_arg, phase, done, total);
}

/* pfns past the highest byte of any PT_LOAD */
static uint64_t vmcore_max_pfn(const struct elf_core *core, unsigned shift)
{
	uint64_t end = 0;

	for (size_t i = 0; i < core->n_ranges; i++)
		if (core->ranges[i].end > end)
			end = core->ranges[i].end;
	return (end + (1ull << shift) - 1) >> shift;
}

/* The utsname of the crashed kernel, from init_uts_ns in its memory. */
static void read_utsname(struct job *j, struct kdump_params *p)
{
	uint64_t sym, off;
	char buf[6 * KDUMP_UTS_LEN];
	struct ds_err err;

	if (!vmci_symbol(j->k.vi, "init_uts_ns", &sym)) {
		notice(j, "VMCOREINFO has no SYMBOL(init_uts_ns); utsname taken from OSRELEASE");
		goto fallback;
	}
	if (!vmci_offset(j->k.vi, "uts_namespace.name", &off))
		/* before 5.11 a struct kref (4 bytes) came first */
		off = j->k.version < KERNEL_VERSION_CODE(5, 11, 0) ? 4 : 0;
	if (kernel_read(&j->k, sym + off, buf, sizeof(buf), &err) < 0) {
		notice(j, "cannot read utsname: %s", err.msg);
		goto fallback;
	}
	for (int i = 0; i < 6; i++) {
		memcpy(p->utsname[i], buf + i * KDUMP_UTS_LEN, KDUMP_UTS_LEN);
		p->utsname[i][KDUMP_UTS_LEN - 1] = '\0';
	}
	return;
fallback:
	snprintf(p->utsname[0], KDUMP_UTS_LEN, "Linux");
	snprintf(p->utsname[2], KDUMP_UTS_LEN, "%s", j->k.osrelease);
	snprintf(p->utsname[4], KDUMP_UTS_LEN, "%s", j->k.arch->name);
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

/* Create DUMPFILE as makedumpfile does: mode 0600, refused if it exists
 * unless force.  Shared by dumping and -R. */
static int create_output(const char *path, bool force, int *ret_fd, struct ds_err *err)
{
	int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | (force ? 0 : O_EXCL);
	int fd = open(path, flags, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return ds_err_set(err, DS_EINVAL,
					  "cannot create '%s': file exists (use -f to overwrite)", path);
		return ds_err_sys(err, "cannot create '%s'", path);
	}
	*ret_fd = fd;
	return 0;
}

static int open_output(struct job *j, struct ds_err *err)
{
	int r;

	if (j->o->dry_run) {
		sink_null_init(&j->sink);
		return 0;
	}
	if (j->o->flatten)
		return sink_flat_init(&j->sink, STDOUT_FILENO, "standard output", err);
	if ((r = create_output(j->o->output, j->o->force, &j->out_fd, err)) < 0)
		return r;
	j->created = true;
	sink_file_init(&j->sink, j->out_fd, j->o->output);
	return 0;
}

static int run(struct job *j, struct ds_report *rep, struct ds_err *err)
{
	const struct ds_options *o = j->o;
	struct kdump_params p;
	struct kdump_writer *w = NULL;
	uint64_t max_pfn;
	int r;

	j->codec = codec_find(codec_of(o->codec));
	if (!j->codec)
		return ds_err_set(err, DS_EUNSUPP,
				  "%s compression was requested but this dumpsieve was built without it",
				  ds_codec_name(o->codec));
	if (o->dump_level > DL_MAX)
		return ds_err_set(err, DS_EINVAL, "dump level %u is invalid (0..31)", o->dump_level);
	if ((r = source_open(&j->src, o->input, err)) < 0)
		return r;
	if (o->no_mmap)
		source_disable_mmap(&j->src);
	if ((r = elf_core_open(&j->core, &j->src, err)) < 0)
		return r;
	if ((r = kernel_init(&j->k, &j->src, &j->core, err)) < 0)
		return r;
	snprintf(rep->osrelease, sizeof(rep->osrelease), "%s", j->k.osrelease);
	/* the output is created as soon as the input is known to be a vmcore,
	 * so that "file exists" or "permission denied" come before the work */
	if ((r = open_output(j, err)) < 0)
		return r;

	if ((r = page_rules_init(&j->rules, j->k.vi, o->dump_level, err)) < 0)
		return r;
	for (unsigned i = 0; i < j->rules.n_missing; i++)
		notice(j, "%s", j->rules.missing[i]);

	max_pfn = vmcore_max_pfn(&j->core, j->k.page_shift);
	if ((r = memmap_build(&j->mm, &j->k, max_pfn, err)) < 0)
		return r;
	/* pfns above the last struct page are not covered (as makedumpfile) */
	if (j->mm.end_pfn < max_pfn)
		max_pfn = j->mm.end_pfn;

	if ((r = keepmap_init(&j->km, max_pfn, err)) < 0)
		return r;
	if ((r = keepmap_set_budget(&j->km, o->map_budget ? (size_t)o->map_budget : default_budget(),
				    o->work_dir, err)) < 0)
		return r;
	for (size_t i = 0; i < j->core.n_ranges; i++) {
		const struct phys_range *pr = &j->core.ranges[i];

		/* A page the range ends inside of is not present (as in
		 * makedumpfile): the kernel never uses a partial page, and a
		 * kdump /proc/vmcore's first range ends at 0x9fc00. */
		if (keepmap_add_present(&j->km, pr->start >> j->k.page_shift,
					pr->end >> j->k.page_shift) < 0)
			return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	}
	rep->max_mapnr = max_pfn;
	rep->original_pages = keepmap_count_present(&j->km);
	rep->hole_pages = max_pfn - rep->original_pages;

	if (page_rules_need_scan(&j->rules, o->dump_level)) {
		progress(j, "Excluding unnecessary pages", 0, 1);
		if ((r = scan_run(&j->k, &j->mm, &j->rules, o->dump_level, &j->km,
				  &j->scan, err)) < 0)
			return r;
		progress(j, "Excluding unnecessary pages", 1, 1);
		if (j->scan.bad_order)
			notice(j, "%" PRIu64 " struct pages had an impossible order; those pages were kept",
			       j->scan.bad_order);
	}

	if (o->exclude_vmemmap) {
		uint64_t sz;

		if (!vmci_size(j->k.vi, "page", &sz))
			return ds_err_set(err, DS_ENODATA, "-e needs SIZE(page) in VMCOREINFO");
		if ((r = vmemmap_exclude(&j->k, &j->mm, sz, &j->km, &rep->vmemmap_pages, err)) < 0)
			return r;
	}

	if (j->km.over_budget)
		notice(j, "the page maps outgrew their memory budget (%zu KiB in memory)%s",
		       keepmap_memory(&j->km) >> 10,
		       o->work_dir ? "" : "; give --work-dir to spill them to disk");

	memset(&p, 0, sizeof(p));
	p.block_size = j->k.page_size;
	p.max_mapnr = max_pfn;
	p.notes = j->core.notes;
	p.notes_size = j->core.notes_size;
	p.vmcoreinfo_off = j->core.vmcoreinfo_off;
	p.vmcoreinfo_size = j->core.vmcoreinfo_size;
	p.crashtime = j->k.crashtime;
	p.nr_cpus = (int32_t)j->core.nr_prstatus;
	p.phys_base = j->k.phys_base;
	p.dump_level = (int32_t)o->dump_level;
	p.status = j->codec->kdump_flag |
		   (o->exclude_vmemmap ? KDUMP_STATUS_EXCLUDED_VMEMMAP : 0);
	p.exclude_zero = o->dump_level & DL_EXCLUDE_ZERO;
	read_utsname(j, &p);

	if ((r = kdump_writer_open(&w, &j->sink, &p, &j->km, err)) < 0)
		return r;
	struct copy_job cj = {
		.k = &j->k, .core = &j->core, .src = &j->src, .km = &j->km,
		.codec = j->codec, .exclude_zero = p.exclude_zero,
		.threads = o->num_threads, .w = w,
		.progress = o->progress, .progress_arg = o->progress_arg,
	};
	if ((r = copy_pages(&cj, err)) < 0) {
		kdump_writer_abort(w);
		return r;
	}
	rep->zero_pages = cj.zero_pages;
	if ((r = kdump_writer_finish(w, &rep->write_bytes, err)) < 0)
		return r;

	rep->cache_pages = j->scan.excluded[PAGE_CACHE];
	rep->cache_private_pages = j->scan.excluded[PAGE_CACHE_PRIVATE];
	rep->user_pages = j->scan.excluded[PAGE_USER];
	rep->free_pages = j->scan.excluded[PAGE_FREE] + j->scan.excluded[PAGE_UNACCEPTED];
	rep->hwpoison_pages = j->scan.excluded[PAGE_HWPOISON];
	rep->offline_pages = j->scan.excluded[PAGE_OFFLINE];
	rep->excluded_pages = rep->zero_pages + rep->cache_pages + rep->cache_private_pages +
			      rep->user_pages + rep->free_pages + rep->hwpoison_pages +
			      rep->offline_pages + rep->vmemmap_pages;
	rep->remaining_pages = rep->original_pages - rep->excluded_pages;
	return 0;
}

int ds_rearrange(int in_fd, const char *output, bool force, uint64_t *ret_bytes,
		 struct ds_err *err)
{
	int fd = -1, r;

	ds_err_clear(err);
	if ((r = create_output(output, force, &fd, err)) < 0)
		return r;
	r = flat_rearrange(in_fd, "standard input", fd, output, ret_bytes, err);
	if (close(fd) < 0 && r == 0)
		r = ds_err_sys(err, "cannot close '%s'", output);
	if (r < 0)
		(void)unlink(output);
	return r;
}

int ds_dump(const struct ds_options *o, struct ds_report *rep, struct ds_err *err)
{
	struct job j;
	int r;

	memset(&j, 0, sizeof(j));
	memset(rep, 0, sizeof(*rep));
	j.o = o;
	j.src.fd = -1;
	j.out_fd = -1;
	ds_err_clear(err);
	r = run(&j, rep, err);
	if (j.out_fd >= 0 && close(j.out_fd) < 0 && r == 0)
		r = ds_err_sys(err, "cannot close '%s'", o->output);
	/* never leave a file that looks like a finished dump */
	if (r < 0 && j.created)
		(void)unlink(o->output);
	keepmap_release(&j.km);
	memmap_release(&j.mm);
	kernel_release(&j.k);
	elf_core_release(&j.core);
	source_close(&j.src);
	return r;
}

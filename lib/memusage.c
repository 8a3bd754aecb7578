/* memusage.c - the --mem-usage job (ds_mem_usage): the page census of a
 * vmcore, a dump or a running system, in makedumpfile's categories.
 *
 * It is the dump at level 31 without an output: the same steps (input,
 * kernel model, page maps, the one filter pass, then every page the filter
 * keeps read once to find the zero ones), so the census is exactly what a
 * `-d 31` dump would leave out and keep.  No codec, nothing written.
 *
 * On a dump (kdump-compressed, flattened) the pages it left out are
 * classified from their struct pages, which every dump keeps: the census
 * of a -d 31 dump is the census of the vmcore it was made from.
 *
 * On /proc/kcore the input is the running kernel's memory: its segments
 * without a physical address (vmalloc, modules, vmemmap) are skipped by the
 * ELF reader, and the crashkernel reservation is left out.
 */
#include <dumpsieve/dumpsieve.h>

#include <sys/stat.h>

/* Is path the running system's /proc/kcore (whatever it is called)? */
static bool is_kcore(const char *path)
{
	struct stat a, b;

	return stat(path, &a) == 0 && stat("/proc/kcore", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ds_mem_usage(const struct ds_options *o, struct ds_report *rep, struct ds_err *err)
{
	struct ds_options census = *o;

	/* as makedumpfile: what a kdump of this system would hold, so the
	 * crashkernel reservation is not counted */
	census.omit_crashkernel = is_kcore(o->input);
	census.census_absent = true;
	census.dump_level = 31;
	census.codec = DS_CODEC_NONE;
	census.dry_run = true;
	census.flatten = false;
	census.exclude_vmemmap = false;
	census.output = NULL;
	return ds_dump(&census, rep, err);
}

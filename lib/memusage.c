/* memusage.c - the --mem-usage job (ds_mem_usage): the page census of a
 * vmcore, a dump or a running system, in makedumpfile's categories.
 *
 * It is the dump at level 31 without an output: the same steps (input,
 * kernel model, page maps, the one filter pass, then every page the filter
 * keeps read once to find the zero ones), so the census is exactly what a
 * `-d 31` dump would leave out and keep.  No codec, nothing written.
 */
#include <dumpsieve/dumpsieve.h>

int ds_mem_usage(const struct ds_options *o, struct ds_report *rep, struct ds_err *err)
{
	struct ds_options census = *o;

	census.dump_level = 31;
	census.codec = DS_CODEC_NONE;
	census.dry_run = true;
	census.flatten = false;
	census.exclude_vmemmap = false;
	census.output = NULL;
	return ds_dump(&census, rep, err);
}

/* output.c - the registry of output formats and the life of the output
 * files (output.h).  The only list of formats; the only place that creates,
 * closes, keeps or removes a dump file (through lib/io/outfile: FIFOs and
 * VMCORE itself refused, devices written in place and never removed).
 *
 * A file is checked at output_create and created at output_begin, right
 * before the member's first write (its header), so a file under the final
 * name is always a dump that says what it is.  On failure after that, the
 * member closes what it wrote as an incomplete dump if it holds pages.
 */
#include "output.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const struct output_ops *const members[OUTPUT_FORMAT_MAX] = {
	[OUTPUT_KDUMP] = &output_kdump_ops,
	[OUTPUT_ELF] = &output_elf_ops,
};

int output_create(struct output *o, const struct output_config *cfg, struct ds_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	o->file.fd = -1;
	o->cfg = *cfg;
	if (cfg->format >= OUTPUT_FORMAT_MAX || !members[cfg->format])
		return ds_err_set(err, DS_EINVAL, "unknown output format %d", (int)cfg->format);
	o->ops = members[cfg->format];
	if (cfg->dry_run) {
		sink_null_init(&o->sink);
		return 0;
	}
	if (cfg->flatten) {
		r = sink_flat_init(&o->sink, STDOUT_FILENO, "standard output", err);
		o->sink.limit = cfg->size_limit;
		o->sink.cancel = cfg->cancel;
		return r;
	}
	return outfile_check(cfg->path, cfg->force, cfg->input, err);
}

uint64_t output_room(const struct output *o)
{
	uint64_t room = UINT64_MAX;
	struct statvfs sv;
	struct stat st;
	char dir[4096];
	const char *slash;

	if (o->cfg.dry_run)
		return UINT64_MAX;
	if (!o->cfg.flatten) {
		slash = strrchr(o->cfg.path, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else
			snprintf(dir, sizeof(dir), "%.*s", slash == o->cfg.path ? 1 : (int)(slash - o->cfg.path),
				 o->cfg.path);
		if (statvfs(dir, &sv) == 0) {
			room = (uint64_t)sv.f_bavail * sv.f_frsize;
			/* -f: the file replaced gives its blocks back */
			if (o->cfg.force && stat(o->cfg.path, &st) == 0 && S_ISREG(st.st_mode))
				room += (uint64_t)st.st_blocks * 512;
		}
	}
	if (o->cfg.size_limit && o->cfg.size_limit < room)
		room = o->cfg.size_limit;
	return room;
}

int output_begin(struct output *o, const struct dump_meta *m, const struct keepmap *km,
		 struct ds_err *err)
{
	int r;

	if (!o->cfg.dry_run && !o->cfg.flatten) {
		if ((r = outfile_open(&o->file, o->cfg.path, o->cfg.force, o->cfg.input, err)) < 0)
			return r;
		outfile_sink(&o->file, &o->sink);
		o->sink.limit = o->cfg.size_limit;
		o->sink.cancel = o->cfg.cancel;
	}
	return o->ops->begin(o, m, km, err);
}

int output_finish(struct output *o, uint64_t *ret_bytes, struct ds_err *err)
{
	int r = o->ops->finish(o, ret_bytes, err);

	if (r < 0)
		return r;
	o->finished = true;          /* from now on the file is the user's */
	return outfile_close(&o->file, err);
}

void output_fail(struct output *o)
{
	struct ds_err ignored;

	memset(&o->left, 0, sizeof(o->left));
	if (o->ops && o->priv && !o->finished) {
		if (o->ops->close_incomplete &&
		    o->ops->close_incomplete(o, &o->left, &ignored) == 0 && o->left.pages)
			o->left.kept = true;
		else if (o->priv)
			o->ops->abort(o);
		o->priv = NULL;
	}
	if (o->left.kept || o->finished)
		(void)outfile_close(&o->file, &ignored);
	else
		outfile_discard(&o->file);   /* nothing readable in it (or never made) */
}

/* output.c - the registry of output formats and the life of the output
 * files (output.h).  The only list of formats; the only place that creates,
 * closes or removes a dump file. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const struct output_ops *const members[OUTPUT_FORMAT_MAX] = {
	[OUTPUT_KDUMP] = &output_kdump_ops,
};

int output_create_file(const char *path, bool force, int *ret_fd, struct ds_err *err)
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

int output_create(struct output *o, const struct output_config *cfg, struct ds_err *err)
{
	int r;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->cfg = *cfg;
	if (cfg->format >= OUTPUT_FORMAT_MAX || !members[cfg->format])
		return ds_err_set(err, DS_EINVAL, "unknown output format %d", (int)cfg->format);
	o->ops = members[cfg->format];
	if (cfg->dry_run) {
		sink_null_init(&o->sink);
		return 0;
	}
	if (cfg->flatten)
		return sink_flat_init(&o->sink, STDOUT_FILENO, "standard output", err);
	if ((r = output_create_file(cfg->path, cfg->force, &o->fd, err)) < 0)
		return r;
	o->created = true;
	sink_file_init(&o->sink, o->fd, cfg->path);
	return 0;
}

int output_begin(struct output *o, const struct dump_meta *m, const struct keepmap *km,
		 struct ds_err *err)
{
	return o->ops->begin(o, m, km, err);
}

static int close_file(struct output *o, struct ds_err *err)
{
	int fd = o->fd;

	o->fd = -1;
	if (fd >= 0 && close(fd) < 0)
		return ds_err_sys(err, "cannot close '%s'", o->cfg.path);
	return 0;
}

int output_finish(struct output *o, uint64_t *ret_bytes, struct ds_err *err)
{
	int r = o->ops->finish(o, ret_bytes, err);

	if (r < 0)
		return r;
	if ((r = close_file(o, err)) < 0)
		return r;
	o->created = false;          /* finished: from now on it is the user's */
	return 0;
}

void output_fail(struct output *o)
{
	struct ds_err ignored;

	if (o->ops && o->priv)
		o->ops->abort(o);
	(void)close_file(o, &ignored);
	/* never leave a file that looks like a finished dump */
	if (o->created)
		(void)unlink(o->cfg.path);
	o->created = false;
}

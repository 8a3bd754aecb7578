/* input.c - the registry of input formats (input.h): the only list of them.
 * Opens the file, reads its first bytes and gives it to the first member
 * whose probe recognises them.  A flattened stream is a wrapper, not a
 * format: it is indexed (flat.c) and the file it describes is probed in
 * turn.  Standard input ("-", or a pipe given by name) is copied to an
 * unlinked temporary file first, since every format needs to seek.  A file
 * no member recognises goes to the ELF member, whose checks say precisely
 * what is wrong with it (most inputs are vmcores, and "bad ELF magic at
 * offset 0" is the useful message).  Adding a format = one new file + one
 * line here.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct input_ops *const members[] = {
	&input_elf_ops,
	&input_kdump_ops,
};

#define PROBE_BYTES 4096u

#define SPOOL_CHUNK (1u << 20)

/* Copy fd (a pipe) into an unlinked temporary file in dir. */
static int spool(int fd, const char *name, const char *dir, int *ret_fd, struct ds_err *err)
{
	int out = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	uint8_t *buf;
	int r = 0;

	if (out < 0)
		return ds_err_sys(err, "cannot create a temporary file in '%s' for %s", dir, name);
	if (!(buf = malloc(SPOOL_CHUNK))) {
		close(out);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	for (;;) {
		ssize_t n = read(fd, buf, SPOOL_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ds_err_sys(err, "cannot read %s", name);
			break;
		}
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				r = ds_err_sys(err, "cannot copy %s to a temporary file in '%s'", name, dir);
				break;
			}
			done += w;
		}
		if (r < 0)
			break;
	}
	free(buf);
	if (r < 0) {
		close(out);
		return r;
	}
	*ret_fd = out;
	return 0;
}

static int open_source(struct input *in, const char *path, const struct input_config *cfg,
		       struct ds_err *err)
{
	struct stat st;
	const char *dir;
	int fd, tmp = -1, r;

	if (strcmp(path, "-") && (stat(path, &st) < 0 || !S_ISFIFO(st.st_mode)))
		return source_open(&in->src, path, err);
	/* a stream: standard input or a named pipe */
	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
		in->path = "standard input";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return ds_err_sys(err, "cannot open '%s'", path);
	}
	dir = cfg && cfg->work_dir ? cfg->work_dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	r = spool(fd, in->path, dir, &tmp, err);
	if (strcmp(path, "-"))
		close(fd);
	if (r < 0)
		return r;
	return source_open_fd(&in->src, tmp, in->path, err);
}

static const struct input_ops *probe(const uint8_t *head, size_t len)
{
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (members[i]->probe(head, len))
			return members[i];
	return &input_elf_ops;
}

static int read_head(struct input *in, uint8_t *head, size_t *len, struct ds_err *err)
{
	*len = in->src.size < PROBE_BYTES ? (size_t)in->src.size : PROBE_BYTES;
	return *len ? source_read(&in->src, 0, head, *len, err) : 0;
}

int input_open(struct input *in, const char *path, const struct input_config *cfg,
	       struct ds_err *err)
{
	uint8_t head[PROBE_BYTES];
	size_t len;
	int r;

	memset(in, 0, sizeof(*in));
	in->src.fd = -1;
	in->path = path;
	if ((r = open_source(in, path, cfg, err)) < 0)
		goto fail;
	/* mmap where it is the faster path: /proc/vmcore (source.h) */
	if (cfg && cfg->faults_handled && !cfg->no_mmap && in->src.fs == SOURCE_PROC)
		source_enable_mmap(&in->src);
	if ((r = read_head(in, head, &len, err)) < 0)
		goto fail;
	if (flat_probe(head, len)) {
		in->flattened = true;
		if ((r = flat_index(&in->src, err)) < 0 || (r = read_head(in, head, &len, err)) < 0)
			goto fail;
	}
	in->ops = probe(head, len);
	if ((r = in->ops->open(in, err)) < 0)
		goto fail;
	if (cfg) {
		in->omit = cfg->omit;
		in->n_omit = cfg->n_omit;
	}
	return 0;
fail:
	input_close(in);
	return r;
}

void input_close(struct input *in)
{
	if (in->ops && in->priv)
		in->ops->close(in);
	in->priv = NULL;
	in->ops = NULL;
	if (in->src.path || in->src.fd >= 0)
		source_close(&in->src);
	memset(in, 0, sizeof(*in));
	in->src.fd = -1;
}

int input_crashkernel(struct input_range **ret, size_t *n, struct ds_err *err)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	struct input_range *r = NULL;
	size_t cnt = 0;

	*ret = NULL;
	*n = 0;
	if (!f)
		return ds_err_sys(err, "cannot open /proc/iomem");
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;
		char name[64];
		struct input_range *grown;

		if (sscanf(line, " %llx-%llx : %63[^\n]", &start, &end, name) != 3 ||
		    strcmp(name, "Crash kernel") || end < start)
			continue;
		if (!start && !end) {
			fclose(f);
			free(r);
			return ds_err_set(err, DS_EINVAL, "/proc/iomem hides its addresses "
					  "(needs CAP_SYS_ADMIN): the crashkernel range is unknown");
		}
		grown = realloc(r, (cnt + 1) * sizeof(*r));
		if (!grown) {
			fclose(f);
			free(r);
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		}
		r = grown;
		r[cnt++] = (struct input_range){ start, end + 1 };
	}
	fclose(f);
	*ret = r;
	*n = cnt;
	return 0;
}

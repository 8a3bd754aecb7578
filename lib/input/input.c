/* input.c - the registry of input formats (input.h): the only list of them.
 * Opens the file, reads its first bytes and gives it to the first member
 * whose probe recognises them.  A file no member recognises goes to the ELF
 * member, whose checks say precisely what is wrong with it (most inputs are
 * vmcores, and "bad ELF magic at offset 0" is the useful message).  Adding a
 * format = one new file + one line here.
 */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct input_ops *const members[] = {
	&input_elf_ops,
};

#define PROBE_BYTES 4096u

int input_open(struct input *in, const char *path, const struct input_config *cfg,
	       struct ds_err *err)
{
	uint8_t head[PROBE_BYTES];
	size_t len;
	int r;

	memset(in, 0, sizeof(*in));
	in->src.fd = -1;
	in->path = path;
	if ((r = source_open(&in->src, path, err)) < 0)
		return r;
	if (cfg && cfg->faults_handled && !cfg->no_mmap)
		source_enable_mmap(&in->src);
	len = in->src.size < sizeof(head) ? (size_t)in->src.size : sizeof(head);
	if (len && (r = source_read(&in->src, 0, head, len, err)) < 0)
		goto fail;
	in->ops = &input_elf_ops;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (members[i]->probe(head, len)) {
			in->ops = members[i];
			break;
		}
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
	if (in->src.path)
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

/* input.c - the registry of input formats (input.h): the only list of them.
 * Opens the file, reads its first bytes and gives it to the first member
 * whose probe recognises them.  A file no member recognises goes to the ELF
 * member, whose checks say precisely what is wrong with it (most inputs are
 * vmcores, and "bad ELF magic at offset 0" is the useful message).  Adding a
 * format = one new file + one line here.
 */
#include "input.h"

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

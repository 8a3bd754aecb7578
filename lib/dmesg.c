/* dmesg.c - the --dump-dmesg job (ds_dump_dmesg): the crashed kernel's log
 * as text, from any input the kernel model can read.
 *
 *   input    open the input and build the kernel model (VMCOREINFO, page
 *            tables): the same steps a dump starts with
 *   output   create LOGFILE (0600, refused if it exists unless -f), before
 *            the work, or use standard output (-F)
 *   log      lib/kernel/printk reads the log buffer through the kernel's
 *            virtual reads and writes the text
 *   finish   fsync; on failure, or when nothing could be trusted, the file
 *            is removed: no empty or half-written log is left looking good
 *            (but a log cut at the -L size limit is kept, as makedumpfile
 *            keeps it, and the job fails saying so)
 */
#include <dumpsieve/dumpsieve.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/printk.h"
#include "session.h"

struct dmesg_job {
	const struct ds_options *o;
	struct session s;            /* open input + kernel model */
	int fd;
	const char *out_name;
	bool created;
	uint64_t written;
	bool limit_hit;              /* -L: the log is kept, cut at the limit */
};

static int open_output(struct dmesg_job *j, struct ds_err *err)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (j->o->force ? 0 : O_EXCL);

	if (j->o->flatten) {
		j->fd = STDOUT_FILENO;
		j->out_name = "standard output";
		return 0;
	}
	j->out_name = j->o->output;
	j->fd = open(j->o->output, flags, 0600);
	if (j->fd < 0) {
		if (errno == EEXIST)
			return ds_err_set(err, DS_EINVAL,
					  "cannot create '%s': file exists (use -f to overwrite)",
					  j->o->output);
		return ds_err_sys(err, "cannot create '%s'", j->o->output);
	}
	j->created = true;
	return 0;
}

static int write_out_all(struct dmesg_job *j, const char *p, size_t len, struct ds_err *err);

static int write_out(void *arg, const void *buf, size_t len, struct ds_err *err)
{
	struct dmesg_job *j = arg;
	uint64_t limit = j->o->size_limit;
	const char *p = buf;
	size_t room = len;

	/* -L: as makedumpfile, the log is written up to the limit and kept */
	if (limit && len > limit - (j->written < limit ? j->written : limit))
		room = (size_t)(limit - (j->written < limit ? j->written : limit));
	if (room < len) {
		int r = write_out_all(j, p, room, err);

		if (r < 0)
			return r;
		j->limit_hit = true;
		err->sys_errno = EFBIG;
		return ds_err_set(err, DS_ESYS, "cannot write the log to '%s': size limit (%" PRIu64
				  ") reached; the first %" PRIu64 " bytes of the log are in it",
				  j->out_name, limit, j->written);
	}
	return write_out_all(j, p, len, err);
}

static int write_out_all(struct dmesg_job *j, const char *p, size_t len, struct ds_err *err)
{
	while (len) {
		ssize_t n = write(j->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ds_err_sys(err, "cannot write the log to '%s'", j->out_name);
		p += n;
		len -= (size_t)n;
		j->written += (uint64_t)n;
	}
	return 0;
}

static void warn_out(void *arg, const char *msg)
{
	struct dmesg_job *j = arg;

	if (j->o->notice)
		j->o->notice(j->o->notice_arg, msg);
}

/* A read of the crashed kernel's memory.  When a page is missing from the
 * input (a dump that filtered it out), the error names that page: its
 * kernel address and pfn, which crash and the dump's bitmaps speak of. */
static int read_kernel(void *arg, uint64_t vaddr, void *buf, size_t len, struct ds_err *err)
{
	struct dmesg_job *j = arg;
	struct kernel *k = &j->s.k;
	uint64_t page = vaddr & ~(uint64_t)(k->page_size - 1), paddr;
	int r = kernel_read(k, vaddr, buf, len, err);

	if (r != -DS_ENODATA)
		return r;
	for (; page < vaddr + len; page += k->page_size) {
		struct ds_err e = { 0 };
		uint8_t byte;
		uint64_t at = page < vaddr ? vaddr : page;

		if (kernel_vtop(k, at, &paddr, &e) < 0)
			return r;                /* unmapped: the error says so */
		if (kernel_read_phys(k, paddr, &byte, 1, &e) < 0)
			return ds_err_set(err, DS_ENODATA, "its page at kernel address 0x%" PRIx64
					  " (pfn 0x%" PRIx64 ") is not in '%s'", page,
					  paddr >> k->page_shift, j->o->input);
	}
	return r;
}

static int run(struct dmesg_job *j, struct ds_dmesg_report *rep, struct ds_err *err)
{
	struct printk_mem mem = { read_kernel, j, 8, false };
	struct printk_out out = { write_out, warn_out, j };
	struct printk_opts po = { .partial = j->o->partial_dmesg,
				  .caller_id = j->o->dmesg_caller_id };
	struct printk_stats st;
	int r;

	if ((r = session_open_input(&j->s, err)) < 0 || (r = session_kernel(&j->s, err)) < 0)
		return r;
	/* the crashed machine's longs and byte order (i386: 4, s390x: big) */
	mem.word_size = j->s.k.mach.word_size;
	mem.big_endian = j->s.k.mach.big_endian;
	snprintf(rep->osrelease, sizeof(rep->osrelease), "%s", j->s.k.osrelease);
	po.version = j->s.k.version;
	if ((r = open_output(j, err)) < 0)
		return r;
	r = printk_dump(j->s.k.vi, &mem, &po, &out, &st, err);
	rep->layout = printk_layout_name(st.layout);
	rep->records = st.records;
	rep->bytes = st.bytes;
	rep->not_finished = st.not_finished;
	rep->truncated = st.truncated;
	rep->damaged = st.damaged;
	rep->partial_ignored = st.partial_ignored;
	if (r < 0)
		return r;
	if (st.damaged && st.bytes == 0)
		return ds_err_set(err, DS_ECORRUPT,
				  "the %s log buffer is damaged: no record could be trusted",
				  rep->layout);
	if (j->created && fsync(j->fd) < 0 && errno != EINVAL)
		return ds_err_sys(err, "cannot write the log to '%s'", j->out_name);
	return 0;
}

int ds_dump_dmesg(const struct ds_options *o, struct ds_dmesg_report *rep, struct ds_err *err)
{
	struct dmesg_job j;
	int r;

	memset(&j, 0, sizeof(j));
	memset(rep, 0, sizeof(*rep));
	j.o = o;
	session_init(&j.s, o);
	j.fd = -1;
	ds_err_clear(err);
	r = run(&j, rep, err);
	if (j.created && close(j.fd) < 0 && r == 0)
		r = ds_err_sys(err, "cannot close '%s'", o->output);
	if (r < 0 && j.created && !j.limit_hit)
		(void)unlink(o->output);
	session_end(&j.s, r);
	return r;
}

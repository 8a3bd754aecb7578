/* rearrange.c - -R: rebuild DUMPFILE from a flattened stream on a file
 * descriptor (ds_rearrange), and make the most of a stream that stopped.
 *
 * A stream that ends without its end marker (a reader or writer that died,
 * a full disk behind a pipe, a cut ssh connection), that fails, or that
 * turns to garbage, leaves in DUMPFILE whatever its good records wrote.  If
 * that is a kdump-compressed dump, it is made consistent by kdump_repair:
 * only pages whose descriptor and data arrived whole stay, and the header
 * says incomplete.  An ELF dump gets the ELF "incomplete" flag.  Anything
 * else is not a dump and is removed.  A whole stream whose dump says it is
 * incomplete (its writer stopped early) is repaired the same way.  Records
 * that reach past what the output can hold, or past what the dump's own
 * header allows, are refused: they would make sparse files of any size.
 */
#include <dumpsieve/dumpsieve.h>

#include <elf.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <linux/fs.h>
#include <unistd.h>

#include "format/kdump_repair.h"
#include "format/kdump_write.h"
#include "io/outfile.h"
#include "io/sink.h"

/* How far records may reach in this output: twice what its filesystem
 * holds (a dump needs blocks for what it writes; the rest is holes), the
 * size of a disk, no bound for a character device (/dev/null). */
static uint64_t output_reach(const struct outfile *of)
{
	struct statvfs sv;
	uint64_t size = 0;

	switch (of->kind) {
	case OUTFILE_REGULAR:
		if (fstatvfs(of->fd, &sv) < 0)
			return 0;
		size = (uint64_t)sv.f_blocks * sv.f_frsize;
		return size > (UINT64_MAX - (1ull << 30)) / 2 ? 0 : 2 * size + (1ull << 30);
	case OUTFILE_DISK:
		return ioctl(of->fd, BLKGETSIZE64, &size) == 0 ? size : 0;
	default:
		return 0;
	}
}

static bool have_extent(void *arg, uint64_t off, uint64_t len)
{
	return flat_extents_have(arg, off, len);
}

/* An ELF dump that stopped: its header gets e_flags bit 0 (crash's
 * DUMP_ELF_INCOMPLETE).  Returns false when the file is not ELF. */
static bool mark_elf_incomplete(int fd, const struct flat_extents *ext)
{
	unsigned char id[EI_NIDENT];
	uint8_t flags[4];
	off_t at;

	if (!flat_extents_have(ext, 0, sizeof(Elf64_Ehdr)) ||
	    pread(fd, id, sizeof(id), 0) != (ssize_t)sizeof(id) || memcmp(id, ELFMAG, SELFMAG))
		return false;
	at = id[EI_CLASS] == ELFCLASS64 ? (off_t)offsetof(Elf64_Ehdr, e_flags)
				       : (off_t)offsetof(Elf32_Ehdr, e_flags);
	if (pread(fd, flags, 4, at) != 4)
		return false;
	flags[id[EI_DATA] == ELFDATA2MSB ? 3 : 0] |= 1;
	return pwrite(fd, flags, 4, at) == 4;
}

/* Did the rebuilt dump's writer say it is incomplete?  (kdump status
 * INCOMPLETE; ELF e_flags bit 0, which our -E writer sets from its first
 * write until its last) */
static bool says_incomplete(int fd)
{
	uint8_t h[KDUMP_MAIN_HEADER_SIZE];
	struct machine m;

	if (pread(fd, h, sizeof(h), 0) < (ssize_t)sizeof(Elf64_Ehdr))
		return false;
	if (!memcmp(h, ELFMAG, SELFMAG)) {
		size_t at = h[EI_CLASS] == ELFCLASS64 ? offsetof(Elf64_Ehdr, e_flags)
						      : offsetof(Elf32_Ehdr, e_flags);

		return h[at + (h[EI_DATA] == ELFDATA2MSB ? 3 : 0)] & 1;
	}
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "KDUMP   ", 8))
		return false;
	/* in the dumped machine's byte order and layout */
	(void)kdump_header_machine(h, &m);
	return machine_get_u32(&m, h + kdump_offsets_of(&m)->status) & KDUMP_STATUS_INCOMPLETE;
}

int ds_rearrange(int in_fd, const char *output, bool force,
		 const volatile sig_atomic_t *cancel, struct ds_rearranged *rep,
		 struct ds_err *err)
{
	struct outfile of;
	struct flat_extents ext = { 0 };
	struct flat_result res;
	struct kdump_repair_stats st;
	struct ds_err why;
	int r, rr;

	memset(rep, 0, sizeof(*rep));
	ds_err_clear(err);
	if ((r = outfile_open(&of, output, force, NULL, err)) < 0)
		return r;
	r = flat_rearrange(in_fd, "standard input", of.fd, output, output_reach(&of), cancel,
			   &ext, &res, err);
	rep->bytes = res.end;
	rep->records = res.records;
	rep->stream_bytes = res.stream_bytes;
	rep->cut = r < 0;
	if (r == 0 && !says_incomplete(of.fd))
		goto out;                /* the common case: a whole dump */
	why = *err;
	if (r == 0)
		ds_err_set(&why, DS_ENODATA, "the dump in the stream says it is incomplete "
			   "(its writer stopped early)");
	if (of.kind == OUTFILE_CHARDEV)
		goto out;                /* nothing to read back, nothing to remove */

	/* what arrived, made a dump if it is one */
	struct kdump_repair_io io = {
		.fd = of.fd, .name = output, .size = res.end,
		.have = have_extent, .have_arg = &ext, .mark_incomplete = true,
	};
	rr = kdump_repair(&io, &st, err);
	if (rr == 0) {
		rep->incomplete = rep->kdump = true;
		rep->pages_planned = st.planned;
		rep->pages_kept = st.kept;
	} else if (rr == -DS_ENODATA && mark_elf_incomplete(of.fd, &ext)) {
		rep->incomplete = true;
	} else if (rr != -DS_ENODATA) {
		ds_err_wrap(err, "%s; repairing what arrived", why.msg);
		r = rr;
		goto out;
	}
	*err = why;
	r = -(int)why.status;
out:
	flat_extents_release(&ext);
	if (r < 0 && !rep->incomplete) {
		outfile_discard(&of);    /* nothing in it is a dump */
		return r;
	}
	rr = outfile_close(&of, r < 0 ? &why : err);
	return r < 0 ? r : rr;
}

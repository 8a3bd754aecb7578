/* rearrange.c - -R: rebuild DUMPFILE from a flattened stream on a file
 * descriptor (ds_rearrange), and make the most of a stream that stopped.
 *
 * A stream that ends without its end marker (a reader or writer that died,
 * a full disk behind a pipe, a cut ssh connection), that fails, or that
 * turns to garbage, leaves in DUMPFILE whatever its good records wrote.  If
 * that is a kdump-compressed dump, it is made consistent by kdump_repair:
 * only pages whose descriptor and data arrived whole stay, and the header
 * says incomplete.  An ELF dump gets the ELF "incomplete" flag, and its
 * PT_LOADs are cut where the page data that arrived ends.  Anything
 * else is not a dump and is removed.  A whole stream whose dump says it is
 * incomplete (its writer stopped early) is repaired the same way.  Records
 * that reach past what the output can hold, or past what the dump's own
 * header allows, are refused: they would make sparse files of any size.
 */
#include <dumpsieve/dumpsieve.h>

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <linux/fs.h>
#include <unistd.h>

#include "common/bytes.h"
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

/* An ELF field of the file's class: offset and width in Elf64_* or Elf32_* */
#define EF(is64, type, field) (is64) ? offsetof(Elf64_##type, field) : offsetof(Elf32_##type, field), \
			      (is64) ? sizeof(((Elf64_##type *)0)->field) : sizeof(((Elf32_##type *)0)->field)

static uint64_t get_field(const uint8_t *p, bool be, size_t off, size_t width)
{
	return bytes_get_uint(be, p + off, (unsigned)width);
}

static void put_field(uint8_t *p, bool be, size_t off, size_t width, uint64_t v)
{
	bytes_put_uint(be, p + off, (unsigned)width, v);
}

/* An ELF dump rebuilt from a stream that was cut: its PT_LOADs still
 * claim what its writer planned.  Page data travels in ascending file
 * order (ours, and makedumpfile's segments back to back), so what arrived
 * of it is what lies below `reach`, the furthest byte a record wrote.  The
 * PT_LOADs are cut there (p_memsz too: the rest is not present, not
 * zeros) and those wholly past it leave the table, so that every page the
 * table claims is in the file.  Returns the PT_LOADs left with data (0:
 * the table or every page of data is missing, not a dump), or -1 when the
 * table is not one this understands (left as it is). */
static int64_t trim_elf(int fd, uint64_t reach)
{
	uint8_t eh[sizeof(Elf64_Ehdr)], sh[sizeof(Elf64_Shdr)], *tab;
	uint64_t phoff, shoff = 0, phnum, n = 0, size;
	size_t ent;
	uint64_t page = 4096;
	int64_t loads = 0;
	bool is64, be, changed = false;

	if (pread(fd, eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh, ELFMAG, SELFMAG) ||
	    (eh[EI_CLASS] != ELFCLASS64 && eh[EI_CLASS] != ELFCLASS32))
		return -1;
	is64 = eh[EI_CLASS] == ELFCLASS64;
	be = eh[EI_DATA] == ELFDATA2MSB;
	ent = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	phoff = get_field(eh, be, EF(is64, Ehdr, e_phoff));
	phnum = get_field(eh, be, EF(is64, Ehdr, e_phnum));
	if (get_field(eh, be, EF(is64, Ehdr, e_phentsize)) != ent)
		return -1;
	if (phnum == PN_XNUM) {
		shoff = get_field(eh, be, EF(is64, Ehdr, e_shoff));
		if (pread(fd, sh, sizeof(sh), (off_t)shoff) < (ssize_t)(is64 ? sizeof(Elf64_Shdr)
									  : sizeof(Elf32_Shdr)))
			return 0;
		phnum = get_field(sh, be, EF(is64, Shdr, sh_info));
	}
	size = phnum * ent;
	if (!phnum || phoff >= reach || size > reach - phoff)
		return 0;                        /* the table did not arrive */
	if (size > (256u << 20) || !(tab = malloc(size)))
		return -1;
	if (pread(fd, tab, size, (off_t)phoff) != (ssize_t)size) {
		free(tab);
		return 0;
	}
	/* whole pages of the dumped machine's size (VMCOREINFO's PAGESIZE in
	 * the notes, which come before the data) */
	for (uint64_t i = 0; i < phnum; i++) {
		uint8_t *p = tab + i * ent;
		uint64_t len = get_field(p, be, EF(is64, Phdr, p_filesz));
		char *notes, *at;

		if (get_field(p, be, EF(is64, Phdr, p_type)) != PT_NOTE || len > (1u << 20) ||
		    !(notes = malloc(len + 1)))
			continue;
		if (pread(fd, notes, len, (off_t)get_field(p, be, EF(is64, Phdr, p_offset))) ==
		    (ssize_t)len) {
			notes[len] = '\0';
			at = memmem(notes, len, "PAGESIZE=", 9);
			if (at) {
				unsigned long v = strtoul(at + 9, NULL, 10);

				if (v >= 1024 && v <= (1u << 20) && !(v & (v - 1)))
					page = v;
			}
		}
		free(notes);
	}
	for (uint64_t i = 0; i < phnum; i++) {
		uint8_t *p = tab + i * ent;
		uint64_t off = get_field(p, be, EF(is64, Phdr, p_offset));
		uint64_t filesz = get_field(p, be, EF(is64, Phdr, p_filesz));
		uint64_t memsz = get_field(p, be, EF(is64, Phdr, p_memsz));

		if (get_field(p, be, EF(is64, Phdr, p_type)) == PT_LOAD && filesz) {
			if (off >= reach) {
				changed = true;
				continue;                /* nothing of it arrived */
			}
			if (filesz > reach - off) {
				/* p_paddr and p_offset advance together */
				uint64_t paddr = get_field(p, be, EF(is64, Phdr, p_paddr));

				filesz = ((paddr + (reach - off)) & ~(page - 1)) - paddr;
				if ((int64_t)filesz <= 0) {
					changed = true;
					continue;
				}
				memsz = filesz;
				put_field(p, be, EF(is64, Phdr, p_filesz), filesz);
				put_field(p, be, EF(is64, Phdr, p_memsz), memsz);
				changed = true;
			}
		}
		if (get_field(p, be, EF(is64, Phdr, p_type)) == PT_LOAD && filesz)
			loads++;
		memmove(tab + n++ * ent, p, ent);
	}
	if (changed) {
		memset(tab + n * ent, 0, (size_t)(size - n * ent));
		/* the table first, then the count that reads it */
		if (pwrite(fd, tab, size, (off_t)phoff) == (ssize_t)size) {
			if (phnum >= PN_XNUM && n >= PN_XNUM) {
				put_field(sh, be, EF(is64, Shdr, sh_info), n);
				(void)!pwrite(fd, sh, is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr),
					      (off_t)shoff);
			} else {
				put_field(eh, be, EF(is64, Ehdr, e_phnum), n);
				(void)!pwrite(fd, eh, is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), 0);
			}
		}
	}
	free(tab);
	return loads;
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
	} else if (rr == -DS_ENODATA && mark_elf_incomplete(of.fd, &ext) &&
		   (!rep->cut || trim_elf(of.fd, res.end) != 0)) {
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

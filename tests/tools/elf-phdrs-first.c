/*
 * tests/tools/elf-phdrs-first.c - rewrite an ELF64 core file so that its
 * program header table sits right after the ELF header (offset 64).
 * Owned by the VM test harness (tests/vm/capture-vmcore.sh builds it).
 *
 *     elf-phdrs-first IN OUT
 *
 * QEMU 7.2's dump-guest-memory writes the section headers at offset 64 and
 * the program headers after them.  That is valid ELF, but makedumpfile 1.7.2
 * assumes e_phoff == sizeof(Elf64_Ehdr) and cannot read such a file.  OUT is
 * IN with:
 *   - the program headers moved to offset 64 (e_phoff = 64),
 *   - the section headers dropped (e_shoff = e_shnum = e_shstrndx = 0),
 *   - e_ehsize set to 64 (QEMU 7.2 writes a wrong value),
 *   - every segment's data left at its original file offset.
 * This only works when the moved table ends before the first segment's
 * data; otherwise the tool fails.  The copy is sparse: all-zero 64 KiB
 * blocks (and holes of IN) are not written, and OUT gets IN's size by
 * ftruncate, so copying a mostly-empty 1 GiB dump is quick and small.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK (64u * 1024u)
#define CHUNK (16u * BLOCK)

static const char *out_path;
static int out_fd = -1;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "elf-phdrs-first: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	if (out_fd >= 0)
		unlink(out_path);
	exit(1);
}

static void read_at(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read: %s", strerror(errno));
		if (r == 0)
			die("%s: unexpected end of file", "input");
		done += (size_t)r;
	}
}

static void write_at(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("write: %s", strerror(errno));
		done += (size_t)r;
	}
}

static int all_zero(const unsigned char *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* Copy IN[from, end) to the same offsets of OUT, skipping holes and zeros. */
static void sparse_copy(int in, int out, off_t from, off_t end)
{
	unsigned char *buf = malloc(CHUNK);
	if (!buf)
		die("%s", "out of memory");
	off_t pos = from;
	while (pos < end) {
		off_t data = lseek(in, pos, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;			/* only a hole is left */
		if (data < 0)
			data = pos;		/* no SEEK_DATA: read everything */
		if (data >= end)
			break;
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > end)
			hole = end;
		for (pos = data; pos < hole; ) {
			size_t len = (size_t)(hole - pos < (off_t)CHUNK ? hole - pos : (off_t)CHUNK);
			read_at(in, buf, len, pos);
			for (size_t o = 0; o < len; o += BLOCK) {
				size_t n = len - o < BLOCK ? len - o : BLOCK;
				if (!all_zero(buf + o, n))
					write_at(out, buf + o, n, pos + (off_t)o);
			}
			pos += (off_t)len;
		}
	}
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: elf-phdrs-first IN OUT\n");
		return 2;
	}
	const char *in_path = argv[1];
	out_path = argv[2];

	int in = open(in_path, O_RDONLY);
	if (in < 0)
		die("%s: cannot open", in_path);
	struct stat st;
	if (fstat(in, &st))
		die("%s: cannot stat", in_path);

	Elf64_Ehdr eh;
	if ((size_t)st.st_size < sizeof(eh))
		die("%s: too small for an ELF header", in_path);
	read_at(in, &eh, sizeof(eh), 0);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		die("%s: not a little-endian ELF64 file", in_path);
	if (eh.e_type != ET_CORE)
		die("%s: not an ELF core file (e_type != ET_CORE)", in_path);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		die("%s: unexpected e_phentsize", in_path);
	if (eh.e_phnum == 0 || eh.e_phnum == PN_XNUM)
		die("%s: no program headers, or PN_XNUM (not supported)", in_path);

	size_t phsz = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (eh.e_phoff > (uint64_t)st.st_size || phsz > (uint64_t)st.st_size - eh.e_phoff)
		die("%s: program header table beyond end of file", in_path);
	Elf64_Phdr *ph = malloc(phsz);
	if (!ph)
		die("%s", "out of memory");
	read_at(in, ph, phsz, (off_t)eh.e_phoff);

	/* where the first segment's data starts: the new table must end there */
	uint64_t first = (uint64_t)st.st_size;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_filesz == 0)
			continue;
		if (ph[i].p_offset > (uint64_t)st.st_size ||
		    ph[i].p_filesz > (uint64_t)st.st_size - ph[i].p_offset)
			die("%s: segment data beyond end of file", in_path);
		if (ph[i].p_offset < first)
			first = ph[i].p_offset;
	}
	if (sizeof(Elf64_Ehdr) + phsz > first)
		die("%s: no room for the program headers before the first segment", in_path);

	out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out_fd < 0) {
		fprintf(stderr, "elf-phdrs-first: %s: %s\n", out_path, strerror(errno));
		return 1;
	}

	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_shoff = 0;
	eh.e_shentsize = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = SHN_UNDEF;
	write_at(out_fd, &eh, sizeof(eh), 0);
	write_at(out_fd, ph, phsz, (off_t)sizeof(eh));
	/* [64 + phsz, first) stays a hole: the old tables are not carried over */
	sparse_copy(in, out_fd, (off_t)first, st.st_size);
	if (ftruncate(out_fd, st.st_size))
		die("ftruncate: %s", strerror(errno));
	if (close(out_fd))
		die("close: %s", strerror(errno));
	close(in);
	free(ph);
	return 0;
}

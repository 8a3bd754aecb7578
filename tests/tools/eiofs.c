/* eiofs.c - a FUSE file system that serves one file whose chosen byte
 * ranges cannot be read: the unreadable crashed memory of the robustness
 * tests (tests/robust/run.sh).  Device-mapper's "error" target would do
 * this for a block device, but does not work on the test machines.
 *
 *   eiofs SOURCE MOUNTPOINT [--eio OFF:LEN[,OFF:LEN...]] [--stall OFF:LEN
 *         [--stall-mark PATH]] [-f]
 *
 * MOUNTPOINT/vmcore has SOURCE's size and bytes.  A read that touches any
 * byte of an --eio range fails with EIO, as /proc/vmcore does for memory the
 * capture kernel cannot read; through mmap the same read is a SIGBUS.  The
 * kernel asks for single pages (no readahead, page-sized requests), so only
 * the pages holding the ranges fail.  A read that touches the --stall
 * range waits STALL_SECONDS before it is served: the reader is held at a
 * known point (the robustness tests kill a dump there); --stall-mark
 * creates PATH when such a read begins, so that a test knows.  Offsets and
 * lengths are decimal or 0x hex.  Unmount with `fusermount3 -u MOUNTPOINT`
 * (or umount).
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RANGES 4096
#define STALL_SECONDS 10

struct range {
	uint64_t off, len;
};

static struct {
	const char *source;
	char *eio, *stall, *stall_mark;
	struct range held;               /* --stall */
	int fd;
	off_t size;
	struct range r[MAX_RANGES];
	unsigned n;
	uint64_t reads, failed;
} fs;

static const struct fuse_opt opts[] = {
	{ "--eio=%s", offsetof(__typeof__(fs), eio), 0 },
	{ "--stall=%s", offsetof(__typeof__(fs), stall), 0 },
	{ "--stall-mark=%s", offsetof(__typeof__(fs), stall_mark), 0 },
	FUSE_OPT_END
};

/* "OFF:LEN", LEN > 0, each decimal or 0x hex. */
static int parse_range(const char *tok, struct range *r)
{
	const char *colon = strchr(tok, ':');
	char *end;

	if (!colon)
		return -1;
	r->off = strtoull(tok, &end, 0);
	if (end != colon)
		return -1;
	r->len = strtoull(colon + 1, &end, 0);
	return *end || !r->len ? -1 : 0;
}

static int parse_ranges(char *s)
{
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (fs.n == MAX_RANGES || parse_range(tok, &fs.r[fs.n]) < 0)
			return -1;
		fs.n++;
	}
	return 0;
}

/* Does a read of [off, off + size) touch r? */
static int touches(const struct range *r, off_t off, size_t size)
{
	return (uint64_t)off < r->off + r->len && r->off < (uint64_t)off + size;
}

static void *eio_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* one page per request (max_read=4096 is set at mount), so that only
	 * the pages of the ranges fail */
	conn->max_readahead = 0;
	conn->max_read = 4096;
	cfg->kernel_cache = 0;
	cfg->attr_timeout = 0;
	return NULL;
}

static int eio_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/vmcore"))
		return -ENOENT;
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_size = fs.size;
	return 0;
}

static int eio_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "vmcore", NULL, 0, 0);
	return 0;
}

static int eio_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/vmcore"))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	return 0;
}

static int eio_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	(void)fi;
	fs.reads++;
	if (fs.held.len && touches(&fs.held, off, size)) {
		if (fs.stall_mark) {
			int fd = open(fs.stall_mark, O_WRONLY | O_CREAT, 0644);

			if (fd >= 0)
				close(fd);
		}
		sleep(STALL_SECONDS);
	}
	for (unsigned i = 0; i < fs.n; i++)
		if (touches(&fs.r[i], off, size)) {
			fs.failed++;
			return -EIO;
		}
	n = pread(fs.fd, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static const struct fuse_operations ops = {
	.init = eio_init,
	.getattr = eio_getattr,
	.readdir = eio_readdir,
	.open = eio_open,
	.read = eio_read,
};

static int keep_arg(void *data, const char *arg, int key, struct fuse_args *out)
{
	(void)data;
	(void)out;
	if (key == FUSE_OPT_KEY_NONOPT && !fs.source) {
		fs.source = arg;
		return 0;            /* consumed: the mount point is fuse's */
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct stat st;

	if (fuse_opt_parse(&args, &fs, opts, keep_arg) < 0)
		return 2;
	if (!fs.source) {
		fprintf(stderr, "usage: eiofs SOURCE MOUNTPOINT [--eio=OFF:LEN,...] "
			"[--stall=OFF:LEN [--stall-mark=PATH]] [fuse options]\n");
		return 2;
	}
	if (fs.eio && parse_ranges(fs.eio) < 0) {
		fprintf(stderr, "eiofs: bad --eio ranges (OFF:LEN,OFF:LEN...)\n");
		return 2;
	}
	if (fs.stall && parse_range(fs.stall, &fs.held) < 0) {
		fprintf(stderr, "eiofs: bad --stall range (OFF:LEN)\n");
		return 2;
	}
	fs.fd = open(fs.source, O_RDONLY);
	if (fs.fd < 0 || fstat(fs.fd, &st) < 0) {
		perror(fs.source);
		return 2;
	}
	fs.size = st.st_size;
	if (fuse_opt_add_arg(&args, "-omax_read=4096") < 0)
		return 2;
	return fuse_main(args.argc, args.argv, &ops, NULL);
}

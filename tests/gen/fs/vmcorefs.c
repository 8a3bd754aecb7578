/* vmcorefs.c - serve a synthetic vmcore of any size as a read-only file
 * through FUSE, every byte made on demand from the generator's model.
 *
 *   vmcorefs [options] SPEC MOUNTPOINT
 *
 * The mount holds:
 *   vmcore.elf    the vmcore mkvmcore would write for SPEC: the same bytes
 *                 (image.c makes them for both), but nothing on disk, so a
 *                 64 TiB machine costs what its model costs (the kernel's
 *                 own extents and a few mix blocks per thread)
 *   stats         counters, read fresh each time: requests and bytes served
 *                 from vmcore.elf, read sizes, time spent making bytes
 *   summary.txt   the layout, as mkvmcore's summary (without the counts per
 *                 kind, which would make the whole machine)
 *
 * Options:
 *   -s, --set LINE       one more spec line (as mkvmcore)
 *   -t, --truth DIR      write the truth files for -d 31 (mkvmcore's
 *                        expected-*.pfns/.zero, with the -e variants) to DIR
 *                        before serving; --truth-all for every level
 *   -d, --direct-io      open vmcore.elf with direct_io: no page cache, every
 *                        read reaches the daemon at the size it was asked
 *                        (mmap then works only MAP_PRIVATE, through the cache)
 *   -r, --max-readahead N  readahead the kernel may ask for (bytes)
 *   -S, --single         one thread instead of the multithreaded loop
 *   -T, --threads N      at most N threads in the loop (default 4)
 *   -o OPT               a FUSE mount option (e.g. max_read=131072)
 *   -l, --log FILE       write "offset length" of every read of vmcore.elf
 *                        to FILE (for studying a tool's reads)
 * It stays in the foreground (a caller backgrounds it and waits for the
 * file to appear) and serves until unmounted (fusermount3 -u MOUNTPOINT, or umount).
 * Exit status: 0 after unmount, 2 on a bad spec or a failed mount.
 */
#define FUSE_USE_VERSION 312
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fuse_lowlevel.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../gen.h"

enum { INO_ROOT = 1, INO_VMCORE, INO_STATS, INO_SUMMARY };

static struct {
	struct model m;
	struct image im;
	bool direct_io;
	unsigned max_readahead;     /* 0: the kernel's default */
	char *summary;
	size_t summary_len;
	/* counters (vmcore.elf only) */
	atomic_uint_fast64_t requests, bytes, ns;
	atomic_uint_fast64_t size_hist[24];   /* by log2 of the read size */
	atomic_uint_fast64_t blocks_made;
	FILE *log;
	pthread_mutex_t log_lock;
} fs;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* per thread: a cursor with its cache of mix blocks, a reply buffer */
static __thread struct ext_cursor *tl_cursor;
static __thread uint8_t *tl_buf;
static __thread size_t tl_cap;

static struct ext_cursor *cursor(void)
{
	if (!tl_cursor) {
		tl_cursor = xmalloc(sizeof(*tl_cursor));
		ext_cursor_init(tl_cursor, &fs.m);
	}
	return tl_cursor;
}

static char *stats_text(size_t *len)
{
	struct sbuf b = { 0 };

	sb_printf(&b, "requests %" PRIuFAST64 "\n", atomic_load(&fs.requests));
	sb_printf(&b, "bytes %" PRIuFAST64 "\n", atomic_load(&fs.bytes));
	sb_printf(&b, "make_seconds %.6f\n", (double)atomic_load(&fs.ns) / 1e9);
	sb_printf(&b, "direct_io %d\n", fs.direct_io);
	for (unsigned i = 0; i < 24; i++) {
		uint_fast64_t n = atomic_load(&fs.size_hist[i]);

		if (n)
			sb_printf(&b, "reads_upto_%u %" PRIuFAST64 "\n", 1u << i, n);
	}
	*len = b.len;
	return b.s;
}

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_nlink = 1;
	switch (ino) {
	case INO_ROOT:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	case INO_VMCORE:
		st->st_mode = S_IFREG | 0444;
		st->st_size = (off_t)fs.im.size;
		break;
	case INO_STATS:
		st->st_mode = S_IFREG | 0444;
		st->st_size = 4096;       /* read with direct_io: the size is a hint */
		break;
	case INO_SUMMARY:
		st->st_mode = S_IFREG | 0444;
		st->st_size = (off_t)fs.summary_len;
		break;
	default:
		break;
	}
}

static const char *const names[] = { [INO_VMCORE] = "vmcore.elf", [INO_STATS] = "stats",
				     [INO_SUMMARY] = "summary.txt" };

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	if (fs.max_readahead)
		conn->max_readahead = fs.max_readahead;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	if (parent != INO_ROOT) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	for (fuse_ino_t i = INO_VMCORE; i <= INO_SUMMARY; i++)
		if (!strcmp(name, names[i])) {
			memset(&e, 0, sizeof(e));
			e.ino = i;
			e.attr_timeout = 3600;
			e.entry_timeout = 3600;
			fill_attr(i, &e.attr);
			fuse_reply_entry(req, &e);
			return;
		}
	fuse_reply_err(req, ENOENT);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (ino < INO_ROOT || ino > INO_SUMMARY) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, 3600);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	char buf[1024];
	size_t len = 0;
	struct stat st;

	(void)fi;
	if (ino != INO_ROOT) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	for (off_t i = off; i < 5; i++) {
		const char *name = i == 0 ? "." : i == 1 ? ".." : names[i];
		fuse_ino_t n = i < 2 ? INO_ROOT : (fuse_ino_t)i;
		size_t need;

		fill_attr(n, &st);
		need = fuse_add_direntry(req, buf + len, sizeof(buf) - len, name, &st, i + 1);
		if (len + need > size || len + need > sizeof(buf))
			break;
		len += need;
	}
	fuse_reply_buf(req, buf, len);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino < INO_VMCORE || ino > INO_SUMMARY) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	/* stats is made fresh on every read; vmcore.elf as asked */
	fi->direct_io = ino == INO_STATS || (ino == INO_VMCORE && fs.direct_io);
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

static void reply_text(fuse_req_t req, const char *s, size_t len, size_t size, off_t off)
{
	if ((uint64_t)off >= len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, s + off, len - (size_t)off < size ? len - (size_t)off : size);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)fi;
	if (ino == INO_STATS) {
		size_t len;
		char *s = stats_text(&len);

		reply_text(req, s, len, size, off);
		free(s);
		return;
	}
	if (ino == INO_SUMMARY) {
		reply_text(req, fs.summary, fs.summary_len, size, off);
		return;
	}
	if (ino != INO_VMCORE) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((uint64_t)off >= fs.im.size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > fs.im.size - (uint64_t)off)
		size = (size_t)(fs.im.size - (uint64_t)off);
	if (size > tl_cap) {
		free(tl_buf);
		tl_cap = size;
		tl_buf = xmalloc(tl_cap);
	}
	uint64_t t0 = now_ns();
	struct ext_cursor *c = cursor();
	uint64_t made = c->blocks_made;

	image_read(c, &fs.im, (uint64_t)off, tl_buf, size);
	atomic_fetch_add(&fs.ns, now_ns() - t0);
	atomic_fetch_add(&fs.blocks_made, c->blocks_made - made);
	atomic_fetch_add(&fs.requests, 1);
	atomic_fetch_add(&fs.bytes, size);
	unsigned h = 0;

	while (h < 23 && (1u << h) < size)
		h++;
	atomic_fetch_add(&fs.size_hist[h], 1);
	if (fs.log) {
		pthread_mutex_lock(&fs.log_lock);
		fprintf(fs.log, "%" PRIu64 " %zu\n", (uint64_t)off, size);
		pthread_mutex_unlock(&fs.log_lock);
	}
	fuse_reply_buf(req, (const char *)tl_buf, size);
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
};

static void usage(FILE *f)
{
	fputs("Usage: vmcorefs [-s LINE]... [-t DIR [--truth-all]] [-d] [-r BYTES] [-S | -T N]\n"
	      "                [-o FUSEOPT]... SPEC MOUNTPOINT\n"
	      "  serves MOUNTPOINT/vmcore.elf (see the head of tests/gen/fs/vmcorefs.c)\n", f);
}

static void make_summary(const struct spec *sp, double model_s)
{
	struct sbuf b = { 0 };
	uint64_t present = 0;

	for (size_t i = 0; i < fs.m.n_vmc; i++)
		present += fs.m.vmc[i].end - fs.m.vmc[i].start;
	sb_printf(&b, "name            %s\n", sp->name);
	sb_printf(&b, "kernel          %s (OSRELEASE=%s)\n", sp->gen->name, sp->osrelease);
	sb_printf(&b, "paging          %u-level\n", fs.m.levels);
	sb_printf(&b, "memory          %" PRIu64 " MiB, max_pfn 0x%" PRIx64 ", %zu RAM ranges, "
		  "%" PRIu64 " pages in the vmcore, %u NUMA node(s)\n", sp->memory >> 20,
		  fs.m.max_pfn, fs.m.n_ram, present, fs.m.nodes);
	sb_printf(&b, "kernel image    phys 0x%" PRIx64 " virt 0x%" PRIx64 " size %" PRIu64 " MiB\n",
		  fs.m.kphys, fs.m.ktext, fs.m.ksize >> 20);
	sb_printf(&b, "mem_section     LENGTH %" PRIu64 ", %" PRIu64 " sections\n",
		  fs.m.nr_roots, fs.m.n_sections);
	sb_printf(&b, "fixed extents   %zu, mix ranges %zu\n", fs.m.n_ext, fs.m.n_mixr);
	sb_printf(&b, "file            %" PRIu64 " bytes\n", fs.im.size);
	sb_printf(&b, "time            model %.2f s\n", model_s);
	fs.summary = b.s;
	fs.summary_len = b.len;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "truth", required_argument, NULL, 't' },
		{ "truth-all", no_argument, NULL, 1 },
		{ "direct-io", no_argument, NULL, 'd' },
		{ "max-readahead", required_argument, NULL, 'r' },
		{ "single", no_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 'T' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct spec sp;
	const char **sets = NULL, *truth = NULL;
	char **fargv = xcalloc((size_t)argc * 2 + 8, sizeof(*fargv));
	int fargc = 0, c, rc;
	size_t nsets = 0;
	bool truth_all = false, single = false;
	unsigned threads = 4;

	fargv[fargc++] = argv[0];
	fargv[fargc++] = "-o";
	fargv[fargc++] = "ro,fsname=vmcorefs,subtype=vmcorefs";
	spec_init(&sp);
	while ((c = getopt_long(argc, argv, "s:t:dr:ST:o:l:h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sets = xrealloc(sets, (nsets + 1) * sizeof(*sets));
			sets[nsets++] = optarg;
			break;
		case 't':
			truth = optarg;
			break;
		case 1:
			truth_all = true;
			break;
		case 'd':
			fs.direct_io = true;
			break;
		case 'r':
			fs.max_readahead = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'S':
			single = true;
			break;
		case 'T':
			threads = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			fs.log = fopen(optarg, "w");
			if (!fs.log)
				die("cannot create %s: %s", optarg, strerror(errno));
			pthread_mutex_init(&fs.log_lock, NULL);
			break;
		case 'o':
			fargv[fargc++] = "-o";
			fargv[fargc++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	spec_load(&sp, argv[optind], sets, nsets);

	double t0 = now();

	fs.m.sp = &sp;
	model_build(&fs.m);
	image_build(&fs.m, &fs.im);
	make_summary(&sp, now() - t0);
	if (truth) {
		if (mkdir(truth, 0755) < 0 && errno != EEXIST)
			die("cannot create %s: %s", truth, strerror(errno));
		output_truth(&fs.m, truth, truth_all ? TRUTH_ALL_LEVELS : 1u << (MAX_LEVELS - 1), true);
	}

	struct fuse_args args = FUSE_ARGS_INIT(fargc, fargv);
	struct fuse_session *se = fuse_session_new(&args, &ops, sizeof(ops), NULL);

	if (!se)
		die("cannot start a FUSE session");
	if (fuse_set_signal_handlers(se) != 0)
		die("cannot set signal handlers");
	if (fuse_session_mount(se, argv[optind + 1]) != 0)
		die("cannot mount on %s (is /dev/fuse there, and are we root?)", argv[optind + 1]);
	if (single) {
		rc = fuse_session_loop(se);
	} else {
		struct fuse_loop_config *cfg = fuse_loop_cfg_create();

		fuse_loop_cfg_set_max_threads(cfg, threads);
		fuse_loop_cfg_set_idle_threads(cfg, threads);
		rc = fuse_session_loop_mt(se, cfg);
		fuse_loop_cfg_destroy(cfg);
	}
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	if (fs.log)
		fclose(fs.log);
	image_free(&fs.im);
	model_free(&fs.m);
	spec_free(&sp);
	free(sets);
	free(fargv);
	free(fs.summary);
	return rc ? 1 : 0;
}

/*
 * tests/vm/workload.c - memory shaper run inside the test guest (and on the
 * host, to make the page-cache data file).  Owned by the VM test harness
 * (tests/vm/capture-vmcore.sh builds it with gcc -static -O2).
 *
 * Its job is to leave guest memory in a state that exercises every page
 * class a dump filter cares about:
 *
 *   workload fill FILE MB [SEED]
 *       Write MB MiB of mixed content (random / text-like / sparse pages) to
 *       FILE.  On a tmpfs this makes shmem pages; on the host it makes the
 *       data file that the guest reads back from ext4 (page cache).
 *
 *   workload churn MB
 *       Touch MB MiB of anonymous memory with mixed content, then exit: the
 *       pages go back to the buddy allocator as free pages that still hold
 *       data (what free memory looks like on a long-running machine).
 *
 *   workload hold [-a MB] [-z MB] [-n FILES] [-d DIR] [-r READYFILE]
 *       -a  anonymous memory filled with mixed content (user data pages)
 *       -z  anonymous memory that is written and then cleared: allocated
 *           pages whose content is all zero (what "-d 1" should drop)
 *       -n  create FILES empty files, one directory per 64 files, under DIR
 *           (dentry and inode slab objects)
 *       -r  create READYFILE once all of the above is in place
 *       Then pause() forever, keeping the memory mapped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u

/* splitmix64: tiny, fast, good enough to be incompressible */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void page_random(unsigned char *p, uint64_t *s)
{
	uint64_t *q = (uint64_t *)p;
	for (unsigned i = 0; i < PAGE / 8; i++)
		q[i] = rng_next(s);
}

static const char *const vocab[] = {
	"the", "page", "frame", "zone", "slab", "cache", "dirty", "mapped",
	"kernel:", "[", "]", "error", "ok", "0x", "ffff8880", "=", "struct",
	"task", "pid", "mm", "inode", "dentry", "buffer", "free", "lru",
	"anon", "shmem", "read", "write", "sync", "done", "info",
};

static void page_text(unsigned char *p, uint64_t *s)
{
	unsigned off = 0, words = 0;
	uint64_t r = 0;
	while (off < PAGE) {
		if ((words & 7) == 0)
			r = rng_next(s);
		const char *w = vocab[r & 31];
		r >>= 5;
		size_t len = strlen(w);
		if (off + len + 1 > PAGE)
			len = PAGE - off - 1;
		memcpy(p + off, w, len);
		off += (unsigned)len;
		p[off++] = (++words % 12) ? ' ' : '\n';
	}
}

static void page_sparse(unsigned char *p, uint64_t *s)
{
	memset(p, 0, PAGE);
	for (int i = 0; i < 6; i++) {
		uint64_t r = rng_next(s);
		((uint64_t *)p)[r % (PAGE / 8)] = r | 1;
	}
}

/* page n of a mixed region: 1/2 random, 3/8 text, 1/8 sparse */
static void page_mixed(unsigned char *p, uint64_t n, uint64_t *s)
{
	switch (n & 7) {
	case 0: case 2: case 4: case 6: page_random(p, s); break;
	case 1: case 3: case 5:         page_text(p, s);   break;
	default:                        page_sparse(p, s); break;
	}
}

static unsigned char *map_anon(size_t len)
{
	void *a = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		perror("workload: mmap");
		exit(1);
	}
	/* 4 KiB pages: a realistic mix rather than a few huge pages */
	madvise(a, len, MADV_NOHUGEPAGE);
	return a;
}

static size_t mib(const char *arg)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);
	if (*end) {
		fprintf(stderr, "workload: bad size '%s'\n", arg);
		exit(2);
	}
	return (size_t)v << 20;
}

static int cmd_fill(const char *path, size_t len, uint64_t seed)
{
	static unsigned char buf[256 * PAGE];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	uint64_t n = 0;
	for (size_t done = 0; done < len; ) {
		size_t chunk = len - done < sizeof(buf) ? len - done : sizeof(buf);
		for (size_t o = 0; o < chunk; o += PAGE)
			page_mixed(buf + o, n++, &seed);
		for (size_t w = 0; w < chunk; ) {
			ssize_t r = write(fd, buf + w, chunk - w);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				perror(path);
				return 1;
			}
			w += (size_t)r;
		}
		done += chunk;
	}
	return close(fd) ? (perror(path), 1) : 0;
}

static void touch_mixed(size_t len, uint64_t seed)
{
	unsigned char *a = map_anon(len);
	for (size_t o = 0; o < len; o += PAGE)
		page_mixed(a + o, o / PAGE, &seed);
}

static void make_files(const char *dir, unsigned long n)
{
	char path[4096];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		exit(1);
	}
	for (unsigned long i = 0; i < n; i++) {
		if (i % 64 == 0) {
			snprintf(path, sizeof(path), "%s/d%lu", dir, i / 64);
			mkdir(path, 0755);
		}
		snprintf(path, sizeof(path), "%s/d%lu/f%lu", dir, i / 64, i);
		int fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
}

static int cmd_hold(int argc, char **argv)
{
	size_t anon = 0, zero = 0;
	unsigned long nfiles = 0;
	const char *dir = "/tmp/ds-files", *ready = NULL;
	int c;
	while ((c = getopt(argc, argv, "a:z:n:d:r:")) != -1) {
		switch (c) {
		case 'a': anon = mib(optarg); break;
		case 'z': zero = mib(optarg); break;
		case 'n': nfiles = strtoul(optarg, NULL, 0); break;
		case 'd': dir = optarg; break;
		case 'r': ready = optarg; break;
		default: return 2;
		}
	}
	if (anon)
		touch_mixed(anon, 0x5eed0001);
	if (zero) {
		volatile unsigned char *z = map_anon(zero);
		for (size_t o = 0; o < zero; o += PAGE) {
			z[o] = 0xa5;	/* fault in a real page ... */
			z[o] = 0;	/* ... and leave it all zero */
		}
	}
	if (nfiles)
		make_files(dir, nfiles);
	printf("workload: holding anon=%zuMiB zero=%zuMiB files=%lu pid=%d\n",
	       anon >> 20, zero >> 20, nfiles, (int)getpid());
	fflush(stdout);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			perror(ready);
			return 1;
		}
		close(fd);
	}
	for (;;)
		pause();
}

static int usage(void)
{
	fprintf(stderr,
		"usage: workload fill FILE MB [SEED]\n"
		"       workload churn MB\n"
		"       workload hold [-a MB] [-z MB] [-n FILES] [-d DIR] [-r READYFILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "fill") && (argc == 4 || argc == 5))
		return cmd_fill(argv[2], mib(argv[3]),
				argc == 5 ? strtoull(argv[4], NULL, 0) : 0xda7a);
	if (!strcmp(argv[1], "churn") && argc == 3) {
		touch_mixed(mib(argv[2]), 0xc4a2);
		return 0;	/* exit: the pages become free, data intact */
	}
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc - 1, argv + 1);
	return usage();
}

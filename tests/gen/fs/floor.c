/* floor.c - vmcorefloor: the least time any kdump-compressed collector
 * needs for a dump: reading the bytes it must read, plus compressing the
 * pages it keeps.  Printed beside dumpsieve's time in the bench (bench/
 * scale.sh, bench/run-all.sh).
 *
 *   vmcorefloor [-s LINE]... [-e] [-c CODEC] SPEC VMCORE   synthetic: the model says
 *   vmcorefloor --kept PFNS [--scan PFNS] [-c CODEC] VMCORE  any vmcore: pfn lists say
 *
 * What "must" means, for the kdump-compressed format at -d 31:
 *   scan   the struct pages a filter cannot decide without: every page of a
 *          run of single pages, the head of every larger object (and its
 *          first tail, which holds a compound page's order); never the
 *          tails of a free block or an excluded compound page.  Read as
 *          64-byte struct pages, adjacent ones together, in pfn order, as a
 *          scan does.
 *   copy   every kept page (zero pages too: they must be read to be found
 *          zero), in pfn order; with -e not the struct page array pages
 *          that describe only excluded pfns.
 * A collector reads the struct pages it keeps twice (once to decide, once
 * to copy): the data area comes after a table whose size is known only
 * after the scan, and no collector can hold a large machine's struct pages
 * in memory in between.
 * Reads are pread()s of up to 1 MiB into one reused buffer (the cheapest way
 * to read a file or the virtual vmcore), a read taking in what follows it
 * within GAP_SCAN bytes (scan) or GAP_COPY bytes (copy): one request costs
 * more than reading those bytes (and dumpsieve reads the same way); the
 * codec (dumpsieve's own, lib/compress, LZO1X-1 with -l) runs on every
 * kept page that is not all zero.  Times are measured separately (wall
 * clock; floor_cpu_s is this process's CPU time in the same parts, a check
 * on a machine that is not quiet) and printed with the byte counts:
 *   scan_bytes= scan_s= copy_bytes= copy_s= gap_bytes= pages= zero_pages=
 *   codec_s= floor_s= floor_cpu_s=
 *
 * With pfn lists (real vmcores, bench/run-all.sh): --kept is the dump's
 * 2nd bitmap (tests/tools/dumpcheck.py pfns), --scan the struct page array
 * pages (tests/tools/vmemmap_oracle.py --list-memmap); both in the format
 * of dumpcheck.py (`0xS-0xE` lines, `total N`).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../gen.h"
#include "compress/codec.h"

/* The bench's machines are x86_64 specs: 4 KiB pages, 128 MiB sections,
 * one section's struct pages a memmap chunk (checked after model_build). */
#define PAGE_SHIFT        12
#define PAGE_SIZE         4096u
#define PFN_SECTION_SHIFT (27 - PAGE_SHIFT)
#define PAGES_PER_SECTION (1ull << PFN_SECTION_SHIFT)

#define RUN_MAX (1u << 20)       /* bytes per pread */
#define GAP_SCAN 4096u           /* bytes skipped inside one read, scan */
#define GAP_COPY (8u * 4096)     /* copy: dumpsieve's PREFETCH_GAP */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* this process's CPU time: a check on the wall times of a busy machine */
static double cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* ---- the vmcore: PT_LOADs ---- */

struct load {
	uint64_t pa, end, off;
};

static struct load *loads;
static size_t n_loads;
static int fd;

static void read_phdrs(const char *path)
{
	Elf64_Ehdr eh;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		die("%s: not an ELF64 file", path);
	loads = xcalloc(eh.e_phnum, sizeof(*loads));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
			die("%s: cannot read program header %u", path, i);
		if (ph.p_type == PT_LOAD && ph.p_filesz)
			loads[n_loads++] = (struct load){ ph.p_paddr, ph.p_paddr + ph.p_filesz, ph.p_offset };
	}
}

/* file offset of page pfn, or UINT64_MAX; the largest load holding it wins
 * (a kexec vmcore repeats the kernel text in a load of its own) */
static uint64_t page_off(uint64_t pfn)
{
	uint64_t pa = pfn << PAGE_SHIFT, best = UINT64_MAX, best_len = 0;

	for (size_t i = 0; i < n_loads; i++)
		if (pa >= loads[i].pa && pa + PAGE_SIZE <= loads[i].end &&
		    loads[i].end - loads[i].pa > best_len) {
			best = loads[i].off + (pa - loads[i].pa);
			best_len = loads[i].end - loads[i].pa;
		}
	return best;
}

/* ---- reading runs of pages, compressing the kept ones ---- */

struct pass {
	const char *name;
	bool compress;
	uint64_t gap;
	uint8_t *buf;
	uint64_t run_off;           /* file offset of buf[0] */
	size_t run_len;
	uint64_t last_pfn;          /* pages are fed once each, in order */
	uint32_t kept_at[RUN_MAX / PAGE_SIZE];   /* the run's pages (not its gaps) */
	unsigned n_kept;
	uint64_t bytes, skip, pages, zero_pages;
	double read_s, codec_s, cpu_s;
};

static const struct codec_ops *codec;
static struct codec_ctx *ctx;
static uint8_t *cbuf;

static bool all_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

static void flush(struct pass *p)
{
	size_t done = 0;
	double t0 = now(), c0 = cpu();

	while (done < p->run_len) {
		ssize_t r = pread(fd, p->buf + done, p->run_len - done, (off_t)(p->run_off + done));

		if (r <= 0)
			die("read at 0x%" PRIx64 ": %s", p->run_off + done, r ? strerror(errno) : "end of file");
		done += (size_t)r;
	}
	double t1 = now();

	p->read_s += t1 - t0;
	p->bytes += p->run_len;
	if (p->compress) {
		struct ds_err err;

		for (unsigned i = 0; i < p->n_kept; i++) {
			const uint8_t *pg = p->buf + p->kept_at[i];

			if (all_zero(pg)) {
				p->zero_pages++;
				continue;
			}
			if (codec->compress(ctx, pg, PAGE_SIZE, cbuf, codec->bound(PAGE_SIZE), &err) < 0)
				die("compress: %s", err.msg);
		}
		p->codec_s += now() - t1;
	}
	p->cpu_s += cpu() - c0;
	p->pages += p->n_kept;
	p->n_kept = 0;
	p->run_len = 0;
}

/* len bytes at file offset off (the pass reads them with the bytes next
 * to them; len divides RUN_MAX) */
static void feed_bytes(struct pass *p, uint64_t off, size_t len)
{
	uint64_t end = p->run_off + p->run_len;

	if (p->run_len && off >= end && off - end <= p->gap && off + len - p->run_off <= RUN_MAX) {
		/* read the gap too (not compressed: it is excluded memory) */
		p->skip += off - end;
		p->run_len = (size_t)(off + len - p->run_off);
		return;
	}
	if (p->run_len)
		flush(p);
	p->run_off = off;
	p->run_len = len;
}

static void feed(struct pass *p, uint64_t pfn)
{
	uint64_t off;

	if (pfn == p->last_pfn)
		return;
	p->last_pfn = pfn;
	off = page_off(pfn);
	if (off != UINT64_MAX) {
		feed_bytes(p, off, PAGE_SIZE);
		p->kept_at[p->n_kept++] = (uint32_t)(off - p->run_off);
	}
}

static void report(const struct pass *scan, const struct pass *copy)
{
	printf("scan_bytes=%" PRIu64 " scan_s=%.3f copy_bytes=%" PRIu64 " copy_s=%.3f "
	       "gap_bytes=%" PRIu64 " pages=%" PRIu64 " zero_pages=%" PRIu64 " codec_s=%.3f floor_s=%.3f"
	       " floor_cpu_s=%.3f\n",
	       scan->bytes, scan->read_s, copy->bytes, copy->read_s, scan->skip + copy->skip, copy->pages,
	       copy->zero_pages, copy->codec_s, scan->read_s + copy->read_s + copy->codec_s,
	       scan->cpu_s + copy->cpu_s);
}

/* ---- pfn lists ---- */

static void feed_list(struct pass *p, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (sscanf(line, "0x%llx-0x%llx", &s, &e) == 2)
			for (uint64_t pfn = s; pfn <= e; pfn++)
				feed(p, pfn);
	}
	fclose(f);
	if (p->run_len)
		flush(p);
}

/* ---- the model ---- */

/* pfns [pfn, pfn + n) of one section: their struct pages, to be read */
static void feed_sp(struct pass *p, const struct model *m, uint64_t pfn, uint64_t n)
{
	uint64_t s = pfn >> PFN_SECTION_SHIFT;
	uint64_t pa = m->sec_memmap[s] + (pfn & (PAGES_PER_SECTION - 1)) * SP_SIZE;

	while (n) {
		/* the struct pages of one 4 KiB page of the array at a time */
		uint64_t in_page = (PAGE_SIZE - (pa & (PAGE_SIZE - 1))) / SP_SIZE;
		uint64_t k = n < in_page ? n : in_page;
		uint64_t off = page_off(pa >> PAGE_SHIFT);

		if (off != UINT64_MAX)
			feed_bytes(p, off + (pa & (PAGE_SIZE - 1)), (size_t)(k * SP_SIZE));
		pa += k * SP_SIZE;
		n -= k;
	}
}

static int cmp_mmb(const void *a, const void *b)
{
	const struct memmap_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static void model_floor(struct model *m, bool exclude_vmemmap, struct pass *scan, struct pass *copy)
{
	const unsigned L = 31;
	const uint64_t per = PAGE_SIZE / SP_SIZE;
	const uint64_t per_block = PAGES_PER_SECTION * SP_SIZE / PAGE_SIZE;
	struct ext_cursor c;
	const struct extent *x;
	/* -e: a bit per 64 pfns: set when one of them is kept or not present */
	uint64_t nwin = (m->max_pfn + per - 1) / per;
	uint8_t *busy = xcalloc((size_t)(nwin + 7) / 8, 1);
	uint64_t vi = 0, next = 0;

#define MARK(p) (busy[((p) / per) >> 3] |= (uint8_t)(1u << (((p) / per) & 7)))
	ext_cursor_init(&c, m);
	/* scan: in pfn order, the struct pages a filter must look at */
	for (uint64_t pfn = 0; (x = ext_next(&c, pfn)) != NULL; pfn = x->pfn + x->npages) {
		enum verdict v = x->kind == K_CRASHKERNEL ? V_EXCLUDE : truth_class(m, x->kind, L);
		uint64_t size = 1ull << x->order;

		/* pfns before this extent are holes: not present */
		for (; next < x->pfn; next += per - next % per)
			MARK(next);
		next = x->pfn + x->npages;
		if (x->kind == K_CRASHKERNEL) {
			for (uint64_t p = x->pfn; p < next; p += per - p % per)
				MARK(p);
			MARK(next - 1);
			continue;
		}
		if (x->order == 0) {
			/* every struct page, a section at a time */
			for (uint64_t p = x->pfn; p < next;) {
				uint64_t sec_end = (p | (PAGES_PER_SECTION - 1)) + 1;
				uint64_t e = next < sec_end ? next : sec_end;

				feed_sp(scan, m, p, e - p);
				p = e;
			}
		} else {
			for (uint64_t h = x->pfn; h < next; h += size)
				feed_sp(scan, m, h, kinds[x->kind].compound ? 2 : 1);
		}
		if (v == V_KEEP) {
			for (uint64_t p = x->pfn; p < next; p += per - p % per)
				MARK(p);
			MARK(next - 1);
		} else if (v == V_HEAD_ONLY) {
			for (uint64_t h = x->pfn; h < next; h += size) {
				for (uint64_t p = h + 1; p < h + size; p += per - p % per)
					MARK(p);
				MARK(h + size - 1);
			}
		}
	}
	for (; next < m->max_pfn; next += per - next % per)
		MARK(next);
	if (scan->run_len)
		flush(scan);

	/* memmap page -> the 64 pfns it describes */
	struct memmap_block *mmb = xcalloc(m->n_sections ? m->n_sections : 1, sizeof(*mmb));
	size_t n_mmb = 0;

	for (uint64_t s = 0; s < m->n_sections; s++)
		if (m->sec_present[s])
			mmb[n_mmb++] = (struct memmap_block){ m->sec_memmap[s] >> PAGE_SHIFT, s };
	qsort(mmb, n_mmb, sizeof(*mmb), cmp_mmb);

	/* copy: the kept pages, in pfn order */
	for (uint64_t pfn = 0; (x = ext_next(&c, pfn)) != NULL; pfn = x->pfn + x->npages) {
		enum verdict v = x->kind == K_CRASHKERNEL ? V_EXCLUDE : truth_class(m, x->kind, L);
		uint64_t size = 1ull << x->order, end = x->pfn + x->npages;

		if (v == V_KEEP && x->kind == K_MEMMAP && exclude_vmemmap) {
			for (uint64_t p = x->pfn; p < end; p++) {
				/* the section whose struct pages page p holds */
				if (!(p >= mmb[vi].pfn && p < mmb[vi].pfn + per_block)) {
					size_t lo = 0, hi = n_mmb;

					while (hi - lo > 1) {
						size_t mid = lo + (hi - lo) / 2;

						if (mmb[mid].pfn <= p)
							lo = mid;
						else
							hi = mid;
					}
					vi = lo;
					if (!(p >= mmb[vi].pfn && p < mmb[vi].pfn + per_block))
						die("internal: memmap pfn 0x%" PRIx64 " in no section's block", p);
				}
				uint64_t w = ((mmb[vi].section << PFN_SECTION_SHIFT) / per) + (p - mmb[vi].pfn);

				if (busy[w >> 3] & (1u << (w & 7)))
					feed(copy, p);
			}
		} else if (v == V_KEEP) {
			for (uint64_t p = x->pfn; p < end; p++)
				feed(copy, p);
		} else if (v == V_HEAD_ONLY) {
			for (uint64_t h = x->pfn; h < end; h += size)
				for (uint64_t p = h + 1; p < h + size; p++)
					feed(copy, p);
		}
	}
	if (copy->run_len)
		flush(copy);
#undef MARK
	ext_cursor_release(&c);
	free(mmb);
	free(busy);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "kept", required_argument, NULL, 'k' },
		{ "scan", required_argument, NULL, 'S' },
		{ "codec", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char **sets = NULL, *kept = NULL, *scan_list = NULL, *cname = "lzo";
	size_t nsets = 0;
	bool e = false;
	int o;

	while ((o = getopt_long(argc, argv, "s:ek:S:c:", lopts, NULL)) != -1) {
		switch (o) {
		case 's':
			sets = xrealloc(sets, (nsets + 1) * sizeof(*sets));
			sets[nsets++] = optarg;
			break;
		case 'e':
			e = true;
			break;
		case 'k':
			kept = optarg;
			break;
		case 'S':
			scan_list = optarg;
			break;
		case 'c':
			cname = optarg;
			break;
		default:
			fputs("usage: vmcorefloor [-s LINE]... [-e] [-c CODEC] SPEC VMCORE\n"
			      "       vmcorefloor --kept PFNS [--scan PFNS] [-c CODEC] VMCORE\n", stderr);
			return 2;
		}
	}
	for (int id = CODEC_NONE; id < CODEC_MAX; id++)
		if (!strcmp(codec_name((enum codec_id)id), cname))
			codec = codec_find((enum codec_id)id);
	if (!codec)
		die("codec '%s' is not built in", cname);
	ctx = codec->ctx_new();
	cbuf = xmalloc(codec->bound(PAGE_SIZE));

	struct pass scan = { .name = "scan", .gap = GAP_SCAN, .buf = xmalloc(RUN_MAX),
			     .last_pfn = UINT64_MAX };
	struct pass copy = { .name = "copy", .compress = true, .gap = GAP_COPY,
			     .buf = xmalloc(RUN_MAX), .last_pfn = UINT64_MAX };

	if (kept) {
		if (argc - optind != 1)
			die("--kept takes one VMCORE");
		read_phdrs(argv[optind]);
		if (scan_list)
			feed_list(&scan, scan_list);
		feed_list(&copy, kept);
	} else {
		struct spec sp;
		struct model m;

		if (argc - optind != 2)
			die("usage: vmcorefloor [-s LINE]... [-e] SPEC VMCORE");
		spec_init(&sp);
		spec_load(&sp, argv[optind], sets, nsets);
		memset(&m, 0, sizeof(m));
		m.sp = &sp;
		model_build(&m);
		if (m.page_shift != PAGE_SHIFT || m.pfn_section_shift != PFN_SECTION_SHIFT ||
		    m.memmap_chunk != PAGES_PER_SECTION * SP_SIZE)
			die("vmcorefloor: only machines of 4 KiB pages and 128 MiB sections (x86_64)");
		read_phdrs(argv[optind + 1]);
		model_floor(&m, e, &scan, &copy);
		model_free(&m);
		spec_free(&sp);
	}
	report(&scan, &copy);
	codec->ctx_free(ctx);
	free(scan.buf);
	free(copy.buf);
	free(cbuf);
	free(loads);
	free(sets);
	close(fd);
	return 0;
}

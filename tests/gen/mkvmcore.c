/* mkvmcore.c - write a synthetic x86_64 kdump vmcore and its truth.
 *
 *   mkvmcore [-s LINE]... [-c CORRUPTION] SPEC OUTDIR
 *
 * OUTDIR (created if missing) receives:
 *   vmcore.elf              the ELF vmcore (sparse: zero pages are holes)
 *   expected-present.pfns   pfns inside a PT_LOAD
 *   expected-d<L>.pfns      2nd-bitmap pfn set at -d L, L in 0 1 2 4 8 16 31
 *   expected-d<L>.zero      (odd L) pfns that must use the shared zero page
 *   expect                  `exit N` and, for damaged files, `message REGEX`
 *                           (and `level L` for the level the message needs)
 *   vmcoreinfo.txt          the VMCOREINFO text as written
 *   summary.txt             layout, page counts per kind, sizes, timings
 *
 * Spec syntax: spec.c.  Model: gen.h.  Damaged variants: corrupt.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE          /* pwrite, ftruncate, getopt_long, strtok_r ... */
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gen.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mkvmcore [options] SPEC OUTDIR\n"
		"  -s, --set LINE        one more spec line, after the file (repeatable)\n"
		"  -c, --corrupt NAME    write a damaged variant (see --list-corruptions)\n"
		"  -q, --quiet           no summary on stdout\n"
		"      --list-kernels    kernel generations\n"
		"      --list-arches     machines (spec `arch`)\n"
		"      --list-kinds      page kinds for mix/place/at\n"
		"      --list-corruptions\n"
		"SPEC may be '-' for no file (settings from --set only).\n");
}

/* mkdir -p */
static void mkdir_p(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(path))
		die("path too long: %s", dir);
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];

		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			die("cannot create %s: %s", path, strerror(errno));
		path[i] = c;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "corrupt", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "list-kernels", no_argument, NULL, 1 },
		{ "list-kinds", no_argument, NULL, 2 },
		{ "list-corruptions", no_argument, NULL, 3 },
		{ "list-arches", no_argument, NULL, 4 },
		{ NULL, 0, NULL, 0 },
	};
	struct spec sp;
	struct model m;
	const char **sets = NULL;
	size_t nsets = 0;
	const char *corrupt = NULL;
	bool quiet = false;
	int c;

	spec_init(&sp);
	while ((c = getopt_long(argc, argv, "s:c:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sets = xrealloc(sets, (nsets + 1) * sizeof(*sets));
			sets[nsets++] = optarg;
			break;
		case 'c':
			corrupt = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 1:
			gen_list();
			return 0;
		case 2:
			for (int k = 0; k < K_COUNT; k++)
				if (kinds[k].mixable)
					printf("%-19s orders %u-%u, run %u, zero %u%%%s\n", kinds[k].name,
					       kinds[k].omin, kinds[k].omax, kinds[k].run,
					       kinds[k].zero_pct, kinds[k].compound ? ", compound" : "");
			return 0;
		case 3:
			corrupt_list();
			return 0;
		case 4:
			garch_list();
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
	const char *spec_path = argv[optind], *dir = argv[optind + 1];

	char corrupt_line[64];

	if (corrupt) {
		/* -c NAME is the spec line `corrupt NAME`, after the others */
		if (!corrupt_known(corrupt))
			die("unknown corruption '%s' (see --list-corruptions)", corrupt);
		snprintf(corrupt_line, sizeof(corrupt_line), "corrupt %.50s", corrupt);
		sets = xrealloc(sets, (nsets + 1) * sizeof(*sets));
		sets[nsets++] = corrupt_line;
	}
	spec_load(&sp, spec_path, sets, nsets);
	mkdir_p(dir);

	double t0 = now();

	memset(&m, 0, sizeof(m));
	m.sp = &sp;
	model_build(&m);
	double t1 = now();

	char path[4096];

	snprintf(path, sizeof(path), "%s/vmcore.elf", dir);
	output_vmcore(&m, path);
	double t2 = now();

	output_truth(&m, dir, TRUTH_ALL_LEVELS, true);
	double t3 = now();

	/* expect */
	{
		struct sbuf b = { 0 };

		sb_printf(&b, "exit %c\n", m.expect_exit ? m.expect_exit : '0');
		if (m.expect_msg[0]) {
			sb_printf(&b, "message %s\n", m.expect_msg);
			if (m.expect_exit == '0')
				sb_printf(&b, "level 31\n");
		}
		if (m.expect_note[0])
			sb_printf(&b, "note %s\n", m.expect_note);
		write_text(dir, "expect", b.s, b.len);
		sb_free(&b);
	}
	/* vmcoreinfo.txt */
	{
		struct sbuf b = { 0 };

		vmcoreinfo_build(&m, &b);
		write_text(dir, "vmcoreinfo.txt", b.s, b.len);
		sb_free(&b);
	}
	/* summary */
	{
		struct sbuf b = { 0 };
		uint64_t count[K_COUNT] = { 0 }, objects[K_COUNT] = { 0 };
		struct stat st;
		uint64_t present = 0;

		struct ext_cursor cur;
		const struct extent *x;
		uint64_t n_ext = 0;

		ext_cursor_init(&cur, &m);
		for (uint64_t pfn = 0; (x = ext_next(&cur, pfn)) != NULL; pfn = x->pfn + x->npages) {
			count[x->kind] += x->npages;
			objects[x->kind] += x->npages >> x->order;
			n_ext++;
		}
		ext_cursor_release(&cur);
		for (size_t i = 0; i < m.n_vmc; i++)
			present += m.vmc[i].end - m.vmc[i].start;
		if (stat(path, &st) < 0)
			die("stat %s: %s", path, strerror(errno));
		sb_printf(&b, "name            %s\n", sp.name);
		sb_printf(&b, "kernel          %s (OSRELEASE=%s)\n", sp.gen->name, sp.osrelease);
		sb_printf(&b, "machine         %s, %llu-byte pages, %u-level paging, %u VA bits\n",
			  m.arch->name, (unsigned long long)m.page_size, m.levels, m.va_bits);
		if (m.flatmem)
			sb_printf(&b, "memmap          flatmem, SYMBOL(mem_map) 0x%" PRIx64 ", SIZE(page)=%u\n",
				  m.sym_mem_map, m.sp_size);
		else
			sb_printf(&b, "memmap          %s, %s, SIZE(mem_section)=%u\n",
				  sp.vmemmap ? "vmemmap" : "classic", sp.extreme ? "extreme" : "static",
				  sp.mem_section_size);
		sb_printf(&b, "corrupt         %s\n", sp.corrupt[0] ? sp.corrupt : "-");
		sb_printf(&b, "memory          %" PRIu64 " MiB, max_pfn 0x%" PRIx64 ", %zu RAM ranges, "
			  "%" PRIu64 " pages in the vmcore\n", sp.memory >> 20, m.max_pfn, m.n_ram, present);
		sb_printf(&b, "kernel image    phys 0x%" PRIx64 " virt 0x%" PRIx64 " size %" PRIu64
			  " MiB, phys_base 0x%" PRIx64 "\n", m.kphys, m.ktext, m.ksize >> 20, m.phys_base);
		sb_printf(&b, "page_offset     0x%" PRIx64 "\n", m.page_offset);
		sb_printf(&b, "vmemmap_base    0x%" PRIx64 "\n", m.vmemmap_base);
		sb_printf(&b, "swapper_pg_dir  0x%" PRIx64 " (phys 0x%" PRIx64 ")\n",
			  image_va(&m, m.pgd_paddr), m.pgd_paddr);
		if (m.flatmem)
			sb_printf(&b, "mem_map         0x%" PRIx64 " (phys 0x%" PRIx64 "), %" PRIu64 " bytes\n",
				  direct_va(&m, m.sec_memmap[0]), m.sec_memmap[0], m.memmap_chunk);
		else
			sb_printf(&b, "mem_section     0x%" PRIx64 ", LENGTH %" PRIu64 ", %" PRIu64 " sections\n",
				  m.sym_mem_section, m.nr_roots, m.n_sections);
		sb_printf(&b, "extents         %" PRIu64 " (%zu fixed)\n", n_ext, m.n_ext);
		sb_printf(&b, "page store      %zu pages\n", m.store.n);
		sb_printf(&b, "file            %" PRIu64 " bytes, %" PRIu64 " bytes on disk\n",
			  (uint64_t)st.st_size, (uint64_t)st.st_blocks * 512);
		sb_printf(&b, "time            model %.2f s, vmcore %.2f s, truth %.2f s\n",
			  t1 - t0, t2 - t1, t3 - t2);
		sb_printf(&b, "pages by kind   (pages, objects)\n");
		for (int k = 0; k < K_COUNT; k++)
			if (count[k])
				sb_printf(&b, "  %-20s %12" PRIu64 " %10" PRIu64 "\n", kinds[k].name,
					  count[k], objects[k]);
		write_text(dir, "summary.txt", b.s, b.len);
		if (!quiet)
			fputs(b.s, stdout);
		sb_free(&b);
	}
	free(sets);
	model_free(&m);
	spec_free(&sp);
	return 0;
}

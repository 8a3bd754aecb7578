/* mkseed.c - cut a vmcore down to a fuzz seed (tests/fuzz/README.md).
 *
 *   fuzz-mkseed vmcore IN OUT [--level N] [--flags F] [--codec C] [--threads T] [--log]
 *   fuzz-mkseed classify IN OUTDIR
 *
 * vmcore: runs fuzz_vmcore (linked in) on IN (a vmcore from
 * tests/gen/mkvmcore, or a real one) at every dump level, with and without
 * -e (with --log: then --dump-dmesg), and records which file bytes the library read
 * (every pread of the input: this tool is linked with -Wl,--wrap=pread64
 * and reads with --non-mmap).  Those are the
 * ELF headers, the notes, and the physical pages holding page tables,
 * mem_section, struct pages and utsname.  OUT is IN with every other page
 * of memory zero: each PT_LOAD is cut into pieces of needed pages (file
 * data) followed by unneeded ones (p_memsz past p_filesz, which reads as
 * zero), so a 64 MiB machine becomes a few hundred KiB that the library
 * walks and scans exactly as it did IN.  The 64-byte trailer of fuzz.h is
 * appended, with the options given and seven addresses to translate.
 *
 * dmesg: as vmcore, but what is recorded is what --dump-dmesg reads
 * (ds_dump_dmesg): the ELF headers, notes, the page tables on the way and
 * the kernel log.  Of a real 1 GiB vmcore that is ~200 KiB: a seed with a
 * real kernel's page tables and log for fuzz_dump (trailer: FUZZ_F_DMESG)
 * and fuzz_pagewalk.
 *
 * headers: writes IN's ELF header, program headers and notes, each PT_LOAD
 * with at most its first 256 bytes of data (the rest reads as zero): a
 * seed for fuzz_elf of any vmcore, however large, real ones included.
 *
 * printk: reads IN's kernel log as --dump-dmesg does, recording every
 * virtual read, and writes a fuzz_printk input: IN's VMCOREINFO and the
 * memory read, as regions (adjacent reads merged).
 *
 * classify: writes one fuzz_classify input per kind of struct page found
 * in IN (class, compound head or not, at level 31 and level 0), each with
 * IN's VMCOREINFO.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "filter/classify.h"
#include "filter/memmap.h"
#include "kernel/printk.h"

#include <dumpsieve/dumpsieve.h>

#define PAGE 4096u

/* ---- recording reads ---- */

static int recording;
static uint8_t *read_pages;           /* one byte per file page */
static uint64_t n_file_pages;

ssize_t __real_pread64(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread64(int fd, void *buf, size_t n, off_t off);

ssize_t __wrap_pread64(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = __real_pread64(fd, buf, n, off);

	if (recording && r > 0)
		for (uint64_t p = (uint64_t)off / PAGE; p <= ((uint64_t)off + (uint64_t)r - 1) / PAGE &&
		     p < n_file_pages; p++)
			read_pages[p] = 1;
	return r;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz-mkseed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint8_t *slurp(const char *path, size_t *ret_size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f || fstat(fileno(f), &st) < 0)
		die("cannot open %s: %s", path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		die("cannot read %s", path);
	fclose(f);
	*ret_size = (size_t)st.st_size;
	return buf;
}

/* Run fuzz_vmcore (linked in) on the file at every level, with and
 * without -e, through pread only. */
static void record(const uint8_t *file, size_t size)
{
	static const unsigned levels[] = { 0, 1, 2, 4, 8, 16, 31 };
	uint8_t *in = malloc(size + FUZZ_TRAILER);

	n_file_pages = (size + PAGE - 1) / PAGE;
	read_pages = calloc(n_file_pages ? n_file_pages : 1, 1);
	if (!read_pages || !in)
		die("out of memory");
	memcpy(in, file, size);
	for (int e = 0; e < 2; e++) {
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
			struct fuzz_params p = {
				.magic = FUZZ_TRAILER_MAGIC, .level = (uint8_t)levels[i],
				.flags = FUZZ_F_NO_MMAP | (e ? FUZZ_F_EXCLUDE_VMEMMAP : 0),
			};

			memcpy(in + size, &p, sizeof(p));
			recording = 1;
			LLVMFuzzerTestOneInput(in, size + FUZZ_TRAILER);
			recording = 0;
		}
	}
	free(in);
}

/* What ds_dump_dmesg reads of the file, through pread (added to what was
 * recorded before).  A log that cannot be read is no error here. */
static void record_dmesg(const char *path, size_t size, bool must)
{
	char out[] = "/tmp/fuzz-mkseed-XXXXXX";
	int fd = mkstemp(out);
	struct ds_options o = { .input = path, .output = out, .force = true, .no_mmap = true };
	struct ds_dmesg_report rep;
	struct ds_err err;

	if (fd < 0)
		die("mkstemp: %s", strerror(errno));
	close(fd);
	if (!read_pages) {
		n_file_pages = (size + PAGE - 1) / PAGE;
		read_pages = calloc(n_file_pages ? n_file_pages : 1, 1);
		if (!read_pages)
			die("out of memory");
	}
	recording = 1;
	if (ds_dump_dmesg(&o, &rep, &err) < 0 && must)
		die("%s: --dump-dmesg: %s", path, err.msg);
	recording = 0;
	unlink(out);
}

/* ---- cutting down ---- */

struct piece {
	Elf64_Phdr ph;
	const uint8_t *data;        /* ph.p_filesz bytes */
};

struct out {
	struct piece *v;
	size_t n, cap;
};

static void add_piece(struct out *o, const Elf64_Phdr *ph, const uint8_t *data)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = realloc(o->v, o->cap * sizeof(*o->v));
		if (!o->v)
			die("out of memory");
	}
	o->v[o->n].ph = *ph;
	o->v[o->n].data = data;
	o->n++;
}

/* Physical pages that were read through some PT_LOAD: kept in every
 * PT_LOAD that maps them, so that segments mapping the same memory (the
 * kernel image twice) stay equal and overlap resolution finds the data. */
struct phys_set {
	uint64_t *v;
	size_t n, cap;
};

static void phys_add(struct phys_set *s, uint64_t pfn)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("out of memory");
	}
	s->v[s->n++] = pfn;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool phys_has(const struct phys_set *s, uint64_t pfn)
{
	return bsearch(&pfn, s->v, s->n, sizeof(*s->v), cmp_u64) != NULL;
}

static void cut_load(struct out *o, const Elf64_Phdr *ph, const uint8_t *file,
		     const struct phys_set *need)
{
	uint64_t units = (ph->p_memsz + PAGE - 1) / PAGE;
	uint64_t file_units = (ph->p_filesz + PAGE - 1) / PAGE;
	uint64_t u = 0;

	while (u < units) {
		uint64_t s = u, data_end;
		Elf64_Phdr p = *ph;

		while (u < file_units && phys_has(need, (ph->p_paddr + u * PAGE) / PAGE))
			u++;
		data_end = u;
		while (u < units && (u >= file_units ||
				     !phys_has(need, (ph->p_paddr + u * PAGE) / PAGE)))
			u++;
		p.p_paddr += s * PAGE;
		p.p_vaddr += s * PAGE;
		p.p_offset += s * PAGE;
		p.p_filesz = data_end * PAGE > ph->p_filesz ? ph->p_filesz - s * PAGE
							   : (data_end - s) * PAGE;
		if (data_end == s)
			p.p_filesz = 0;
		p.p_memsz = (u == units ? ph->p_memsz : u * PAGE) - s * PAGE;
		add_piece(o, &p, file + ph->p_offset + s * PAGE);
	}
}

static void put(FILE *f, const void *buf, size_t len, const char *path)
{
	if (len && fwrite(buf, 1, len, f) != len)
		die("cannot write %s", path);
}

static void pad_to(FILE *f, uint64_t *pos, uint64_t align, const char *path)
{
	static const uint8_t zero[16];

	while (*pos % align) {
		put(f, zero, 1, path);
		(*pos)++;
	}
}

/* IN as a dump opens it (input seam, kernel model), or die. */
static void open_vmcore(struct fuzz_vmcore *v, const char *path)
{
	struct input_config cfg = { 0 };

	memset(v, 0, sizeof(*v));
	if (input_open(&v->in, path, &cfg, &v->err) < 0 || kernel_init(&v->k, &v->in, &v->err) < 0)
		die("%s: %s", path, v->err.msg);
}

/* Addresses for fuzz_pagewalk: where the kernel's own structures are (the
 * fuzzer then mutates the tables behind them), and two that must fail. */
static void pick_vaddrs(const char *path, uint64_t *vaddr)
{
	struct fuzz_vmcore v;
	struct memmap mm;
	uint64_t sym, n = 0;

	open_vmcore(&v, path);
	if (memmap_build(&mm, &v.k, UINT64_MAX >> v.k.page_shift, &v.err) == 0) {
		vaddr[n++] = mm.ranges[0].page_vaddr;
		vaddr[n++] = mm.ranges[mm.n_ranges - 1].page_vaddr +
			     (mm.ranges[mm.n_ranges - 1].end_pfn - mm.ranges[mm.n_ranges - 1].start_pfn - 1) * 64;
		memmap_release(&mm);
	}
	for (size_t i = 0; i < v.in.n_vmaps && n < 5; i++)
		if (v.in.vmaps[i].size > 0x200000)
			vaddr[n++] = v.in.vmaps[i].vaddr + 0x1fff00;   /* direct map, image */
	if (vmci_symbol(v.k.vi, "init_top_pgt", &sym) && n < 6)
		vaddr[n++] = sym;
	vaddr[6] = 0x0000800000000000ull;   /* not canonical with 4 levels */
	fuzz_vmcore_close(&v);
}

static void write_elf(const char *outp, const Elf64_Ehdr *eh, struct out *pieces,
		      const struct fuzz_params *params, const char *in);

static int cmd_vmcore(const char *in, const char *outp, const struct fuzz_params *params,
		      bool dmesg, bool with_log)
{
	size_t size;
	uint8_t *file = slurp(in, &size);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(void *)file;
	const Elf64_Phdr *ph;
	struct phys_set need = { 0 };
	struct out o = { 0 };

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > size)
		die("%s: not an ELF vmcore", in);
	ph = (const Elf64_Phdr *)(void *)(file + eh->e_phoff);
	if (dmesg) {
		record_dmesg(in, size, true);
	} else {
		record(file, size);
		if (with_log)
			record_dmesg(in, size, true);   /* the kernel log too */
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset + ph[i].p_filesz > size)
			continue;
		/* a unit of the segment may straddle two file pages (p_offset
		 * need not be page aligned) */
		for (uint64_t off = 0; off < ph[i].p_filesz; off += PAGE) {
			uint64_t last = ph[i].p_offset + (off + PAGE < ph[i].p_filesz ? off + PAGE : ph[i].p_filesz) - 1;

			if (read_pages[(ph[i].p_offset + off) / PAGE] || read_pages[last / PAGE])
				phys_add(&need, (ph[i].p_paddr + off) / PAGE);
		}
	}
	qsort(need.v, need.n, sizeof(*need.v), cmp_u64);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_NOTE)
			add_piece(&o, &ph[i], file + ph[i].p_offset);
		else if (ph[i].p_type == PT_LOAD)
			cut_load(&o, &ph[i], file, &need);
	}

	write_elf(outp, eh, &o, params, in);
	free(need.v);
	free(read_pages);
	free(file);
	return 0;
}

/* Write the pieces as an ELF file: header, program headers, data (16-byte
 * aligned), then the trailer when params is given. */
static void write_elf(const char *outp, const Elf64_Ehdr *eh, struct out *pieces,
		      const struct fuzz_params *params, const char *in)
{
	struct out o = *pieces;
	FILE *f;
	uint64_t pos;
	Elf64_Ehdr neh = *eh;

	neh.e_phoff = sizeof(neh);
	neh.e_phnum = (uint16_t)o.n;
	neh.e_shoff = 0;
	neh.e_shnum = 0;
	neh.e_shstrndx = 0;
	if (o.n >= PN_XNUM)
		die("%s: %zu segments after cutting", in, o.n);
	pos = sizeof(neh) + o.n * sizeof(Elf64_Phdr);
	for (size_t i = 0; i < o.n; i++) {
		pos = (pos + 15) & ~15ull;     /* 16-byte aligned data: as in any real file */
		o.v[i].ph.p_offset = o.v[i].ph.p_filesz ? pos : 0;
		pos += o.v[i].ph.p_filesz;
	}
	f = fopen(outp, "wb");
	if (!f)
		die("cannot create %s: %s", outp, strerror(errno));
	put(f, &neh, sizeof(neh), outp);
	for (size_t i = 0; i < o.n; i++)
		put(f, &o.v[i].ph, sizeof(o.v[i].ph), outp);
	pos = sizeof(neh) + o.n * sizeof(Elf64_Phdr);
	for (size_t i = 0; i < o.n; i++) {
		if (!o.v[i].ph.p_filesz)
			continue;
		pad_to(f, &pos, 16, outp);
		put(f, o.v[i].data, o.v[i].ph.p_filesz, outp);
		pos += o.v[i].ph.p_filesz;
	}
	if (params) {
		struct fuzz_params p = *params;

		p.magic = FUZZ_TRAILER_MAGIC;
		pick_vaddrs(in, p.vaddr);
		put(f, &p, sizeof(p), outp);
		pos += sizeof(p);
	}
	if (fclose(f))
		die("cannot write %s", outp);
	fprintf(stderr, "%s: %zu bytes, %zu segments\n", outp, (size_t)pos, o.n);
	free(o.v);
}

static int cmd_headers(const char *in, const char *outp)
{
	size_t size;
	uint8_t *file = slurp(in, &size);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(void *)file;
	const Elf64_Phdr *ph;
	struct out o = { 0 };

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > size)
		die("%s: not an ELF vmcore", in);
	ph = (const Elf64_Phdr *)(void *)(file + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr p = ph[i];

		if (p.p_offset + p.p_filesz > size)
			die("%s: segment %u past the end of the file", in, i);
		if (p.p_type == PT_LOAD && p.p_filesz > 256)
			p.p_filesz = 256;
		add_piece(&o, &p, file + p.p_offset);
	}
	write_elf(outp, eh, &o, NULL, in);
	free(file);
	return 0;
}

/* ---- classify seeds ---- */

struct sample_key {
	int cls;
	bool head;
	unsigned level;
};

static int cmd_classify(const char *in, const char *outdir)
{
	struct fuzz_vmcore v;
	struct memmap mm;
	static const unsigned levels[] = { 31, 0 };
	struct sample_key seen[64];
	size_t n_seen = 0, written = 0;
	const char *vi_text;
	uint16_t vi_len;

	open_vmcore(&v, in);
	if (memmap_build(&mm, &v.k, UINT64_MAX >> v.k.page_shift, &v.err) < 0)
		die("%s: %s", in, v.err.msg);
	vi_text = (const char *)v.in.notes + v.in.vmcoreinfo_off;
	vi_len = (uint16_t)v.in.vmcoreinfo_size;
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		die("cannot create %s: %s", outdir, strerror(errno));
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct page_rules r;

		if (page_rules_init(&r, v.k.vi, &v.k.mach, levels[l], &v.err) < 0)
			die("%s: %s", in, v.err.msg);
		for (size_t i = 0; i < mm.n_ranges; i++) {
			const struct memmap_range *mr = &mm.ranges[i];

			for (uint64_t pfn = mr->start_pfn; pfn + 1 < mr->end_pfn; pfn++) {
				uint8_t two[2 * 1024];
				struct page_verdict verdict;
				bool head, dup = false;

				if (kernel_read(&v.k, mr->page_vaddr + (pfn - mr->start_pfn) * r.page_size,
						two, 2 * r.page_size, &v.err) < 0)
					break;
				head = page_is_compound_head(&r, two);
				page_classify(&r, two, two + r.page_size, pfn, levels[l], 1u << 20, &verdict);
				for (size_t s = 0; s < n_seen; s++)
					dup |= seen[s].cls == (int)verdict.cls && seen[s].head == head &&
					       seen[s].level == levels[l];
				if (dup || n_seen == sizeof(seen) / sizeof(seen[0]))
					continue;
				seen[n_seen++] = (struct sample_key){ (int)verdict.cls, head, levels[l] };

				char path[4096];
				uint8_t hdr[16] = { 0 };
				uint32_t max = 1u << 20;
				FILE *f;

				hdr[0] = (uint8_t)levels[l];
				memcpy(hdr + 2, &vi_len, 2);
				memcpy(hdr + 4, &max, 4);
				memcpy(hdr + 8, &pfn, 8);
				snprintf(path, sizeof(path), "%s/%s-d%u-c%d%s", outdir,
					 v.k.osrelease, levels[l], (int)verdict.cls, head ? "-head" : "");
				f = fopen(path, "wb");
				if (!f)
					die("cannot create %s", path);
				put(f, hdr, sizeof(hdr), path);
				put(f, vi_text, vi_len, path);
				put(f, two, 2 * r.page_size, path);
				if (fclose(f))
					die("cannot write %s", path);
				written++;
			}
		}
	}
	fprintf(stderr, "%s: %zu classify seeds\n", outdir, written);
	memmap_release(&mm);
	fuzz_vmcore_close(&v);
	return 0;
}

/* ---- printk seeds ---- */

struct vread {
	uint64_t vaddr, len;
	uint8_t *data;
};

struct vreads {
	struct kernel *k;
	struct vread *v;
	size_t n, cap;
};

static int rec_read(void *arg, uint64_t vaddr, void *buf, size_t len, struct ds_err *err)
{
	struct vreads *r = arg;
	int rc = kernel_read(r->k, vaddr, buf, len, err);

	if (rc < 0 || !len)
		return rc;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			die("out of memory");
	}
	r->v[r->n].vaddr = vaddr;
	r->v[r->n].len = len;
	r->v[r->n].data = malloc(len);
	if (!r->v[r->n].data)
		die("out of memory");
	memcpy(r->v[r->n].data, buf, len);
	r->n++;
	return 0;
}

static int cmp_vread(const void *a, const void *b)
{
	const struct vread *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int discard(void *arg, const void *buf, size_t len, struct ds_err *err)
{
	(void)arg;
	(void)buf;
	(void)len;
	(void)err;
	return 0;
}

static int cmd_printk(const char *in, const char *outp)
{
	struct fuzz_vmcore v;
	struct vreads r = { 0 };
	struct printk_stats st;
	struct printk_out out = { .write = discard };
	struct printk_opts opts = { 0 };
	struct printk_mem mem = { .read = rec_read, .arg = &r, .word_size = 8 };
	uint8_t hdr[4] = { 0 };
	uint16_t vi_len;
	FILE *f;
	size_t i, regions = 0, bytes = 0;

	open_vmcore(&v, in);
	r.k = &v.k;
	opts.version = v.k.version;
	memset(&st, 0, sizeof(st));
	if (printk_dump(v.k.vi, &mem, &opts, &out, &st, &v.err) < 0) {
		if (!r.n)
			die("%s: %s", in, v.err.msg);
		fprintf(stderr, "%s: %s (the reads before it are kept)\n", in, v.err.msg);
	}
	qsort(r.v, r.n, sizeof(*r.v), cmp_vread);
	vi_len = (uint16_t)v.in.vmcoreinfo_size;
	memcpy(hdr + 2, &vi_len, 2);
	f = fopen(outp, "wb");
	if (!f)
		die("cannot create %s: %s", outp, strerror(errno));
	put(f, hdr, sizeof(hdr), outp);
	put(f, v.in.notes + v.in.vmcoreinfo_off, vi_len, outp);
	/* merge reads less than a page apart into regions, the gaps read from
	 * the dump too (fuzz_printk takes at most 64 regions) */
	for (i = 0; i < r.n;) {
		uint64_t start = r.v[i].vaddr, end = start + r.v[i].len;
		size_t j = i + 1;

		while (j < r.n && r.v[j].vaddr <= end + 4096) {
			if (r.v[j].vaddr + r.v[j].len > end)
				end = r.v[j].vaddr + r.v[j].len;
			j++;
		}
		uint8_t *buf = calloc(1, end - start);
		uint32_t len = (uint32_t)(end - start);

		if (!buf)
			die("out of memory");
		if (kernel_read(&v.k, start, buf, len, &v.err) < 0)
			for (size_t k = i; k < j; k++)
				memcpy(buf + (r.v[k].vaddr - start), r.v[k].data, r.v[k].len);
		put(f, &start, 8, outp);
		put(f, &len, 4, outp);
		put(f, buf, len, outp);
		free(buf);
		regions++;
		bytes += len;
		i = j;
	}
	if (fclose(f))
		die("cannot write %s", outp);
	fprintf(stderr, "%s: %s log, %" PRIu64 " records, %zu regions, %zu bytes\n", outp,
		printk_layout_name(st.layout), st.records, regions, bytes);
	for (i = 0; i < r.n; i++)
		free(r.v[i].data);
	free(r.v);
	fuzz_vmcore_close(&v);
	return 0;
}

int main(int argc, char **argv)
{
	struct fuzz_params p = { .level = 31 };

	if (argc >= 4 && !strcmp(argv[1], "classify"))
		return cmd_classify(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "headers"))
		return cmd_headers(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "printk"))
		return cmd_printk(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "dmesg")) {
		p.flags = FUZZ_F_DMESG;
		return cmd_vmcore(argv[2], argv[3], &p, true, true);
	}
	if (argc < 4 || strcmp(argv[1], "vmcore"))
		die("usage: fuzz-mkseed vmcore IN OUT [--level N] [--flags F] [--codec C] [--threads T] [--log]\n"
		    "       fuzz-mkseed classify IN OUTDIR\n"
		    "       fuzz-mkseed dmesg IN OUT\n"
		    "       fuzz-mkseed headers IN OUT\n"
		    "       fuzz-mkseed printk IN OUT");
	bool with_log = false;

	for (int i = 4; i < argc; i += 2) {
		if (!strcmp(argv[i], "--log")) {
			with_log = true;
			i--;
			continue;
		}
		if (i + 1 >= argc)
			die("%s needs a value", argv[i]);
		unsigned long v = strtoul(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--level"))
			p.level = (uint8_t)v;
		else if (!strcmp(argv[i], "--flags"))
			p.flags = (uint8_t)v;
		else if (!strcmp(argv[i], "--codec"))
			p.codec = (uint8_t)v;
		else if (!strcmp(argv[i], "--threads"))
			p.threads = (uint8_t)v;
		else
			die("unknown option %s", argv[i]);
	}
	return cmd_vmcore(argv[2], argv[3], &p, false, with_log);
}

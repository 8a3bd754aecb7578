/* spec.c - the spec file: one setting per line, `#` starts a comment.
 *
 *   name NAME                 label used in messages and summary.txt
 *   kernel GEN [osrelease=S]  4.19 5.10 6.1 6.4 6.6 6.9 6.10 6.12 7.1
 *   arch NAME                 x86_64 (default), arm64, ppc64le, s390x, riscv64
 *   paging 4|5                x86_64 page-table levels (5 = LA57)
 *   page-size 4K|16K|64K      arm64 (4K default), ppc64le (64K default)
 *   va-bits N                 arm64: 39/42/47/48; riscv64: 39/48/57 (Sv39 default)
 *   mmu radix|hash            ppc64le (radix default)
 *   vmemmap-list on|off       ppc64le: keep a vmemmap_list (hash: always)
 *   memory SIZE               physical address just past the last RAM byte
 *   hole START SIZE           not RAM (not in the vmcore, no struct pages if a
 *                             whole section)
 *   crashkernel START SIZE    RAM reserved for the capture kernel: struct
 *                             pages exist, the vmcore leaves it out
 *   kaslr off|random          or: kaslr phys=ADDR offset=OFF direct=VA vmemmap=VA
 *   memmap vmemmap|classic    SPARSEMEM_VMEMMAP or classic SPARSEMEM
 *   sections extreme|static   SPARSEMEM_EXTREME, or a static mem_section array
 *   mem-section-size 16|32    SIZE(mem_section)
 *   directmap huge|block|page largest direct-map leaf: two levels above the
 *                             last (x86 1G), one (2M), the last (4K); the
 *                             x86 names 1G, 2M, 4K are accepted
 *   vmemmap-pages block|page  vmemmap leaves (2M, 4K on x86)
 *   nodes N                   NUMA nodes (1..64): equal shares of the address
 *                             space, each with its pgdat and struct pages
 *   cpus N | seed N | crashtime N | kernel-size SIZE
 *   fill random|stamp         content of non-zero data pages
 *   repeat N                  non-zero pages (data and kernel text) come in
 *                             runs of N identical pages: content is keyed on
 *                             the pfn rounded down to a multiple of N, as
 *                             real memory repeats tables and poison patterns
 *   ktext-load on|off         PT_LOAD for the kernel text (as kexec-tools makes)
 *   page-type-data on|off     6.12+: put data in the low 24 bits of every page
 *                             type word (the kernel reserves them for the type)
 *   mix KIND PERCENT [order=A[-B]] [run=N] [zero=P]
 *   place KIND [order=N] [count=N] [zero=P]    at random aligned free spots
 *   at PFN KIND [order=N] [count=N] [zero=P]   at a fixed pfn
 *   corrupt NAME              a corrupt variant (see --list-corruptions)
 *   log LAYOUT [size=SIZE] [descs=BITS] [records=N] [clear=N]
 *       [last=finalized|committed|reserved] [caller=on|off] [struct=printk_log|log]
 *       [text=plain|bytes] [place=image|memblock|missing|free] [damage=NAME]
 *                             the kernel log (log.c); LAYOUT default|plain|
 *                             structured|lockless
 *   include FILE              read FILE (relative to this spec's folder) here
 *
 * Sizes take K/M/G/T suffixes (powers of 1024); numbers may be hex (0x).
 * The mix fills what is left after the kernel's own pages, `at` and `place`;
 * percentages that do not add up to 100 leave the rest to free pages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE          /* pwrite, ftruncate, getopt_long, strtok_r ... */
#endif
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gen.h"

#define MAX_TOKENS 16

void spec_init(struct spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->name, sizeof(sp->name), "unnamed");
	sp->gen = gen_by_name("6.1");
	sp->arch = garch_by_name("x86_64");
	sp->paging = 4;
	sp->memory = 256ull << 20;
	sp->kaslr = KASLR_RANDOM;
	sp->vmemmap = true;
	sp->extreme = true;
	sp->mem_section_size = 32;
	sp->directmap_leaf = 2;
	sp->vmemmap_leaf = 1;
	sp->cpus = 2;
	sp->seed = 1;
	sp->crashtime = 1700000000;
	sp->kernel_size = 48ull << 20;
	sp->ktext_load = true;
	sp->log.clear = -1;
}

static bool parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

/* "on" or "off" into *ret; false for anything else */
static bool parse_on_off(const char *s, bool *ret)
{
	if (strcmp(s, "on") && strcmp(s, "off"))
		return false;
	*ret = !strcmp(s, "on");
	return true;
}

static bool parse_size(const char *s, uint64_t *ret)
{
	char buf[64], *end;
	unsigned long long v;
	size_t n = strlen(s);
	unsigned shift = 0;

	if (!n || n >= sizeof(buf) || *s == '-')
		return false;
	memcpy(buf, s, n + 1);
	switch (toupper((unsigned char)buf[n - 1])) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: break;
	}
	if (shift)
		buf[n - 1] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || *end || end == buf)
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*ret = (uint64_t)v << shift;
	return true;
}

/* how many levels above the last a leaf is: 1G/huge 2, 2M/block 1, 4K/page 0 */
static unsigned leaf_up_of(const char *s, const char *where)
{
	if (!strcasecmp(s, "1G") || !strcmp(s, "huge"))
		return 2;
	if (!strcasecmp(s, "2M") || !strcmp(s, "block"))
		return 1;
	if (!strcasecmp(s, "4K") || !strcmp(s, "page"))
		return 0;
	die("%s: mapping size '%s' is not huge, block or page (1G, 2M, 4K)", where, s);
}

/* key=value options after the positional words of mix/place/at */
static void parse_obj_opts(char **tok, int ntok, int first, const char *where,
			   uint8_t *omin, uint8_t *omax, uint16_t *run, uint64_t *count,
			   uint8_t *zero_pct)
{
	for (int i = first; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		uint64_t a, b;

		if (!eq) {
			if (!strcmp(tok[i], "zero") && zero_pct) {
				*zero_pct = 100;
				continue;
			}
			die("%s: expected key=value, got '%s'", where, tok[i]);
		}
		*eq = '\0';
		const char *key = tok[i], *val = eq + 1;
		if (!strcmp(key, "order") && omin) {
			char *dash = strchr(val, '-');

			if (dash) {
				*dash = '\0';
				if (!parse_u64(val, &a) || !parse_u64(dash + 1, &b) || a > b || b > 18)
					die("%s: bad order range", where);
			} else {
				if (!parse_u64(val, &a) || a > 18)
					die("%s: bad order '%s' (0..18)", where, val);
				b = a;
			}
			*omin = (uint8_t)a;
			*omax = (uint8_t)b;
		} else if (!strcmp(key, "run") && run) {
			if (!parse_u64(val, &a) || !a || a > 65535)
				die("%s: bad run '%s' (1..65535)", where, val);
			*run = (uint16_t)a;
		} else if (!strcmp(key, "count") && count) {
			if (!parse_u64(val, &a) || !a)
				die("%s: bad count '%s'", where, val);
			*count = a;
		} else if (!strcmp(key, "zero") && zero_pct) {
			if (!parse_u64(val, &a) || a > 100)
				die("%s: bad zero percentage '%s' (0..100)", where, val);
			*zero_pct = (uint8_t)a;
		} else {
			die("%s: unknown option '%s'", where, key);
		}
	}
}

static bool has_order_opt(char **tok, int ntok, int first)
{
	for (int i = first; i < ntok; i++)
		if (!strncmp(tok[i], "order", 5))
			return true;
	return false;
}

static int need_kind(const char *name, const char *where)
{
	int k = kind_by_name(name);

	if (k < 0 || !kinds[k].mixable)
		die("%s: unknown page kind '%s' (see --list-kinds)", where, name);
	return k;
}

static void parse_file(struct spec *sp, const char *path, int depth);

static void parse_line(struct spec *sp, const char *text, const char *where, const char *dir,
		       int depth)
{
	char line[1024], *tok[MAX_TOKENS], *save = NULL;
	int ntok = 0;
	uint64_t v, w;

	if (strlen(text) >= sizeof(line))
		die("%s: line too long", where);
	strcpy(line, text);
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == MAX_TOKENS)
			die("%s: too many words", where);
		tok[ntok++] = t;
	}
	if (!ntok)
		return;
	const char *key = tok[0];

#define NEED(n) do { if (ntok != (n)) die("%s: '%s' takes %d argument(s)", where, key, (n) - 1); } while (0)
	if (!strcmp(key, "include")) {
		char full[1024];

		NEED(2);
		if (tok[1][0] == '/')
			snprintf(full, sizeof(full), "%s", tok[1]);
		else
			snprintf(full, sizeof(full), "%s/%s", dir, tok[1]);
		parse_file(sp, full, depth + 1);
	} else if (!strcmp(key, "name")) {
		NEED(2);
		snprintf(sp->name, sizeof(sp->name), "%s", tok[1]);
	} else if (!strcmp(key, "kernel")) {
		if (ntok < 2 || ntok > 3)
			die("%s: kernel GEN [osrelease=STRING]", where);
		sp->gen = gen_by_name(tok[1]);
		if (!sp->gen)
			die("%s: unknown kernel generation '%s' (see --list-kernels)", where, tok[1]);
		if (ntok == 3) {
			if (strncmp(tok[2], "osrelease=", 10) || strlen(tok[2] + 10) > 64)
				die("%s: bad '%s'", where, tok[2]);
			snprintf(sp->osrelease, sizeof(sp->osrelease), "%s", tok[2] + 10);
		}
	} else if (!strcmp(key, "arch")) {
		NEED(2);
		sp->arch = garch_by_name(tok[1]);
		if (!sp->arch)
			die("%s: unknown arch '%s' (see --list-arches)", where, tok[1]);
	} else if (!strcmp(key, "paging")) {
		NEED(2);
		if (!parse_u64(tok[1], &v) || v < 2 || v > 5)
			die("%s: paging is 4 or 5 (i386: 2 or 3)", where);
		sp->paging = (unsigned)v;
	} else if (!strcmp(key, "page-size")) {
		NEED(2);
		if (!parse_size(tok[1], &v) || (v != 4096 && v != 16384 && v != 65536))
			die("%s: page-size 4K|16K|64K", where);
		sp->page_shift = (unsigned)__builtin_ctzll(v);
	} else if (!strcmp(key, "va-bits")) {
		NEED(2);
		if (!parse_u64(tok[1], &v) || v < 36 || v > 57)
			die("%s: va-bits 36..57", where);
		sp->va_bits = (unsigned)v;
	} else if (!strcmp(key, "mmu")) {
		NEED(2);
		if (strcmp(tok[1], "radix") && strcmp(tok[1], "hash"))
			die("%s: mmu radix|hash", where);
		sp->hash_mmu = !strcmp(tok[1], "hash");
	} else if (!strcmp(key, "vmemmap-list")) {
		NEED(2);
		if (!parse_on_off(tok[1], &sp->vmemmap_list))
			die("%s: vmemmap-list on|off", where);
	} else if (!strcmp(key, "memory")) {
		NEED(2);
		if (!parse_size(tok[1], &v) || v < (64ull << 20) || v > (64ull << 40))
			die("%s: memory must be 64M .. 64T", where);
		sp->memory = v;
	} else if (!strcmp(key, "hole") || !strcmp(key, "crashkernel")) {
		NEED(3);
		if (!parse_size(tok[1], &v) || !parse_size(tok[2], &w) || !w ||
		    (v | w) & ((1u << BASE_PAGE_SHIFT) - 1) || v + w < v)
			die("%s: %s START SIZE, page aligned", where, key);
		if (!strcmp(key, "hole")) {
			sp->holes = xrealloc(sp->holes, (sp->n_holes + 1) * sizeof(*sp->holes));
			sp->holes[sp->n_holes++] = (struct addr_range){ v, w };
		} else {
			sp->crashkernel = (struct addr_range){ v, w };
		}
	} else if (!strcmp(key, "kaslr")) {
		if (ntok == 2 && !strcmp(tok[1], "off")) {
			sp->kaslr = KASLR_OFF;
		} else if (ntok == 2 && !strcmp(tok[1], "random")) {
			sp->kaslr = KASLR_RANDOM;
		} else {
			sp->kaslr = KASLR_FIXED;
			for (int i = 1; i < ntok; i++) {
				char *eq = strchr(tok[i], '=');

				if (!eq || !parse_u64(eq + 1, &v))
					die("%s: kaslr off|random|phys=A offset=O direct=VA vmemmap=VA", where);
				*eq = '\0';
				if (!strcmp(tok[i], "phys"))
					sp->k_phys = v;
				else if (!strcmp(tok[i], "offset"))
					sp->k_virt_off = v;
				else if (!strcmp(tok[i], "direct"))
					sp->k_direct = v;
				else if (!strcmp(tok[i], "vmemmap"))
					sp->k_vmemmap = v;
				else
					die("%s: unknown kaslr key '%s'", where, tok[i]);
			}
		}
	} else if (!strcmp(key, "memmap")) {
		NEED(2);
		if (strcmp(tok[1], "vmemmap") && strcmp(tok[1], "classic"))
			die("%s: memmap vmemmap|classic", where);
		sp->vmemmap = !strcmp(tok[1], "vmemmap");
	} else if (!strcmp(key, "sections")) {
		NEED(2);
		if (strcmp(tok[1], "extreme") && strcmp(tok[1], "static"))
			die("%s: sections extreme|static", where);
		sp->extreme = !strcmp(tok[1], "extreme");
	} else if (!strcmp(key, "mem-section-size")) {
		NEED(2);
		if (!parse_u64(tok[1], &v) || (v != 16 && v != 32))
			die("%s: mem-section-size 16|32", where);
		sp->mem_section_size = (unsigned)v;
	} else if (!strcmp(key, "directmap")) {
		NEED(2);
		sp->directmap_leaf = leaf_up_of(tok[1], where);
	} else if (!strcmp(key, "vmemmap-pages")) {
		NEED(2);
		sp->vmemmap_leaf = leaf_up_of(tok[1], where);
		if (sp->vmemmap_leaf == 2)
			die("%s: vmemmap-pages block|page (2M|4K)", where);
	} else if (!strcmp(key, "nodes")) {
		NEED(2);
		if (!parse_u64(tok[1], &v) || !v || v > 64)
			die("%s: nodes 1..64", where);
		sp->nodes = (unsigned)v;
	} else if (!strcmp(key, "cpus")) {
		NEED(2);
		if (!parse_u64(tok[1], &v) || !v || v > 64)
			die("%s: cpus 1..64", where);
		sp->cpus = (unsigned)v;
	} else if (!strcmp(key, "seed")) {
		NEED(2);
		if (!parse_u64(tok[1], &v))
			die("%s: bad seed", where);
		sp->seed = v;
	} else if (!strcmp(key, "crashtime")) {
		NEED(2);
		if (!parse_u64(tok[1], &v))
			die("%s: bad crashtime", where);
		sp->crashtime = v;
	} else if (!strcmp(key, "kernel-size")) {
		NEED(2);
		if (!parse_size(tok[1], &v) || v < (8ull << 20) || v > (512ull << 20))
			die("%s: kernel-size 8M .. 512M", where);
		sp->kernel_size = v;
	} else if (!strcmp(key, "fill")) {
		NEED(2);
		if (strcmp(tok[1], "random") && strcmp(tok[1], "stamp"))
			die("%s: fill random|stamp", where);
		sp->fill_stamp = !strcmp(tok[1], "stamp");
	} else if (!strcmp(key, "repeat")) {
		NEED(2);
		if (!parse_u64(tok[1], &v) || v < 1 || v > 4096)
			die("%s: repeat 1 .. 4096", where);
		sp->repeat = (unsigned)v;
	} else if (!strcmp(key, "ktext-load")) {
		NEED(2);
		if (!parse_on_off(tok[1], &sp->ktext_load))
			die("%s: ktext-load on|off", where);
	} else if (!strcmp(key, "page-type-data")) {
		NEED(2);
		if (!parse_on_off(tok[1], &sp->page_type_data))
			die("%s: page-type-data on|off", where);
	} else if (!strcmp(key, "mix")) {
		struct mix_entry e;
		char *end;

		if (ntok < 3)
			die("%s: mix KIND PERCENT [order=A-B] [run=N] [zero=P]", where);
		e.kind = need_kind(tok[1], where);
		errno = 0;
		e.weight = strtod(tok[2], &end);
		if (errno || *end || e.weight < 0 || e.weight > 100)
			die("%s: bad percentage '%s'", where, tok[2]);
		e.omin = kinds[e.kind].omin;
		e.omax = kinds[e.kind].omax;
		e.run = kinds[e.kind].run;
		e.zero_pct = kinds[e.kind].zero_pct;
		parse_obj_opts(tok, ntok, 3, where, &e.omin, &e.omax, &e.run, NULL, &e.zero_pct);
		e.order_default = !has_order_opt(tok, ntok, 3);
		sp->mix = xrealloc(sp->mix, (sp->n_mix + 1) * sizeof(*sp->mix));
		sp->mix[sp->n_mix++] = e;
	} else if (!strcmp(key, "place") || !strcmp(key, "at")) {
		struct at_entry e;
		int first = 2;
		uint8_t omin, omax;

		memset(&e, 0, sizeof(e));
		e.random = !strcmp(key, "place");
		if (!e.random) {
			if (ntok < 3 || !parse_u64(tok[1], &e.pfn))
				die("%s: at PFN KIND [order=N] [count=N] [zero=P]", where);
			e.kind = need_kind(tok[2], where);
			first = 3;
		} else {
			if (ntok < 2)
				die("%s: place KIND [order=N] [count=N] [zero=P]", where);
			e.kind = need_kind(tok[1], where);
		}
		omin = omax = kinds[e.kind].omax;
		e.count = 1;
		e.zero_pct = kinds[e.kind].zero_pct;
		parse_obj_opts(tok, ntok, first, where, &omin, &omax, NULL, &e.count, &e.zero_pct);
		if (omin != omax)
			die("%s: %s needs one order, not a range", where, key);
		e.order = omin;
		e.order_default = !has_order_opt(tok, ntok, first);
		sp->at = xrealloc(sp->at, (sp->n_at + 1) * sizeof(*sp->at));
		sp->at[sp->n_at++] = e;
	} else if (!strcmp(key, "log")) {
		struct log_spec *ls = &sp->log;

		if (ntok < 2)
			die("%s: log LAYOUT [key=value ...]", where);
		if (!strcmp(tok[1], "default"))
			ls->format = LOG_DEFAULT;
		else if (!strcmp(tok[1], "plain"))
			ls->format = LOG_PLAIN;
		else if (!strcmp(tok[1], "structured"))
			ls->format = LOG_STRUCTURED;
		else if (!strcmp(tok[1], "lockless"))
			ls->format = LOG_LOCKLESS;
		else
			die("%s: log layout is default, plain, structured or lockless", where);
		for (int i = 2; i < ntok; i++) {
			char *val = strchr(tok[i], '=');

			if (!val)
				die("%s: '%s' is not key=value", where, tok[i]);
			*val++ = '\0';
			if (!strcmp(tok[i], "size") && parse_size(val, &v))
				ls->size = v;
			else if (!strcmp(tok[i], "descs") && parse_u64(val, &v) && v >= 1 && v <= 24)
				ls->desc_bits = (unsigned)v;
			else if (!strcmp(tok[i], "records") && parse_u64(val, &v) && v >= 2 && v <= 10000000)
				ls->records = v;
			else if (!strcmp(tok[i], "clear") && parse_u64(val, &v))
				ls->clear = (int64_t)v;
			else if (!strcmp(tok[i], "last") && !strcmp(val, "finalized"))
				ls->last = LAST_FINALIZED;
			else if (!strcmp(tok[i], "last") && !strcmp(val, "committed"))
				ls->last = LAST_COMMITTED;
			else if (!strcmp(tok[i], "last") && !strcmp(val, "reserved"))
				ls->last = LAST_RESERVED;
			else if (!strcmp(tok[i], "caller") && (!strcmp(val, "on") || !strcmp(val, "off")))
				ls->caller = !strcmp(val, "on");
			else if (!strcmp(tok[i], "struct") && (!strcmp(val, "log") || !strcmp(val, "printk_log")))
				ls->old_name = !strcmp(val, "log");
			else if (!strcmp(tok[i], "text") && (!strcmp(val, "plain") || !strcmp(val, "bytes")))
				ls->bytes = !strcmp(val, "bytes");
			else if (!strcmp(tok[i], "place") && !strcmp(val, "image"))
				ls->place = LOG_PLACE_IMAGE;
			else if (!strcmp(tok[i], "place") && !strcmp(val, "memblock"))
				ls->place = LOG_PLACE_MEMBLOCK;
			else if (!strcmp(tok[i], "place") && !strcmp(val, "missing"))
				ls->place = LOG_PLACE_MISSING;
			else if (!strcmp(tok[i], "place") && !strcmp(val, "free"))
				ls->place = LOG_PLACE_FREE;
			else if (!strcmp(tok[i], "damage") && strlen(val) < sizeof(ls->damage))
				snprintf(ls->damage, sizeof(ls->damage), "%s", val);
			else
				die("%s: bad log setting '%s=%s'", where, tok[i], val);
		}
	} else if (!strcmp(key, "corrupt")) {
		NEED(2);
		if (!corrupt_known(tok[1]))
			die("%s: unknown corruption '%s' (see --list-corruptions)", where, tok[1]);
		snprintf(sp->corrupt, sizeof(sp->corrupt), "%s", tok[1]);
	} else {
		die("%s: unknown setting '%s'", where, key);
	}
#undef NEED
}

static void parse_file(struct spec *sp, const char *path, int depth)
{
	FILE *f;
	char line[1024], where[512], dir[512];
	const char *slash = strrchr(path, '/');
	unsigned no = 0;

	if (depth > 8)
		die("%s: includes nested too deep", path);
	f = fopen(path, "r");
	if (!f)
		die("cannot open spec '%s': %s", path, strerror(errno));
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	while (fgets(line, sizeof(line), f)) {
		no++;
		snprintf(where, sizeof(where), "%s:%u", path, no);
		if (!strchr(line, '\n') && !feof(f))
			die("%s: line too long", where);
		parse_line(sp, line, where, dir, depth);
	}
	fclose(f);
}

void spec_parse_line(struct spec *sp, const char *text, const char *where)
{
	parse_line(sp, text, where, ".", 0);
}

void spec_parse_file(struct spec *sp, const char *path)
{
	parse_file(sp, path, 0);
}

void spec_finish(struct spec *sp)
{
	double total = 0;

	if (!sp->osrelease[0]) {
		/* a log layout older than the generation: a kernel of its time */
		const char *os = sp->gen->osrelease;

		if (sp->log.format == LOG_PLAIN)
			os = "3.2.0-4-amd64";
		else if (sp->log.format == LOG_STRUCTURED && sp->log.old_name)
			os = "3.10.0-1-amd64";
		snprintf(sp->osrelease, sizeof(sp->osrelease), "%s", os);
	}
	{
		bool lockless_gen = sp->gen->major > 5 || (sp->gen->major == 5 && sp->gen->minor >= 10);

		if ((sp->log.format == LOG_LOCKLESS && !lockless_gen) ||
		    ((sp->log.format == LOG_PLAIN || sp->log.format == LOG_STRUCTURED) && lockless_gen))
			die("log layout %s does not exist in kernel %s (plain and structured: 4.19; "
			    "lockless: 5.10 and later)",
			    sp->log.format == LOG_LOCKLESS ? "lockless" :
			    sp->log.format == LOG_PLAIN ? "plain" : "structured", sp->gen->name);
		if ((sp->log.old_name || sp->log.caller) && sp->log.format != LOG_STRUCTURED &&
		    !(sp->log.format == LOG_DEFAULT && !lockless_gen))
			die("log struct=log and caller=on are settings of the structured layout");
	}
	/* i386: 2 levels (no PAE) or 3 (PAE, the default); FLATMEM, no vmemmap */
	if (!strcmp(sp->arch->name, "i386")) {
		if (sp->paging == 4)
			sp->paging = 3;
		if (sp->paging != 2 && sp->paging != 3)
			die("i386 paging is 2 (no PAE) or 3 (PAE)");
		sp->vmemmap = false;
	} else if (sp->paging < 4) {
		die("paging 2 and 3 are i386's");
	}
	for (size_t i = 0; i < sp->n_mix; i++)
		total += sp->mix[i].weight;
	if (total > 100.0001)
		die("the mix adds up to %.2f%%, more than 100%%", total);
	if (sp->page_type_data && (sp->gen->t_buddy & 0xffffff))
		die("page-type-data needs a kernel whose page types live in the top byte (6.12+)");
	if (!sp->extreme && (sp->paging == 5 || strcmp(sp->arch->name, "x86_64")))
		die("'sections static' needs x86_64 with 'paging 4' (a static mem_section "
		    "array for more physical address bits would not fit the image)");
	if (sp->arch->e_machine == EM_PPC64 && sp->hash_mmu)
		sp->vmemmap_list = true;
	if (sp->memory & ((2ull << 20) - 1))
		die("memory must be a multiple of 2 MiB");
	for (size_t i = 0; i < sp->n_at; i++) {
		const struct at_entry *a = &sp->at[i];

		if (a->kind == K_UNACCEPTED && !(sp->gen->major > 6 ||
						 (sp->gen->major == 6 && sp->gen->minor >= 16)))
			die("unaccepted pages exist only from Linux 6.16 (kernel %s)", sp->gen->name);
	}
	for (size_t i = 0; i < sp->n_mix; i++)
		if (sp->mix[i].kind == K_UNACCEPTED && !sp->gen->t_unaccepted)
			die("unaccepted pages exist only from Linux 6.16 (kernel %s)", sp->gen->name);
}

void spec_load(struct spec *sp, const char *path, const char *const *sets, size_t nsets)
{
	if (strcmp(path, "-"))
		spec_parse_file(sp, path);
	for (size_t i = 0; i < nsets; i++)
		spec_parse_line(sp, sets[i], "--set");
	spec_finish(sp);
}

void spec_free(struct spec *sp)
{
	free(sp->holes);
	free(sp->mix);
	free(sp->at);
	memset(sp, 0, sizeof(*sp));
}

/* options.c - the option table and its parsing (see options.h).
 *
 * One row per option: the getopt_long table below is the single list; the
 * switch in cli_parse gives each its meaning.  The short option string is
 * makedumpfile's, so the same groupings parse the same way.
 */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_OPTS "b:cDd:eEFfg:hi:lL:pRvXx:z"

enum long_only {
	OPT_SPLIT = 256, OPT_REASSEMBLE, OPT_XEN_SYMS, OPT_XEN_VMCOREINFO,
	OPT_XEN_PHYS_START, OPT_MESSAGE_LEVEL, OPT_VTOP, OPT_DUMP_DMESG,
	OPT_PARTIAL_DMESG, OPT_CONFIG, OPT_DISKSET, OPT_CYCLIC_BUFFER, OPT_EPPIC,
	OPT_NON_MMAP, OPT_MEM_USAGE, OPT_SPLITBLOCK_SIZE, OPT_WORK_DIR,
	OPT_NUM_THREADS, OPT_CHECK_PARAMS, OPT_DRY_RUN, OPT_SHOW_STATS,
	OPT_DMESG_CALLER_ID,
};

static const struct option long_opts[] = {
	{ "split", no_argument, NULL, OPT_SPLIT },
	{ "reassemble", no_argument, NULL, OPT_REASSEMBLE },
	{ "xen-syms", required_argument, NULL, OPT_XEN_SYMS },
	{ "xen-vmcoreinfo", required_argument, NULL, OPT_XEN_VMCOREINFO },
	{ "xen_phys_start", required_argument, NULL, OPT_XEN_PHYS_START },
	{ "message-level", required_argument, NULL, OPT_MESSAGE_LEVEL },
	{ "vtop", required_argument, NULL, OPT_VTOP },
	{ "dump-dmesg", no_argument, NULL, OPT_DUMP_DMESG },
	{ "partial-dmesg", no_argument, NULL, OPT_PARTIAL_DMESG },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "diskset", required_argument, NULL, OPT_DISKSET },
	{ "cyclic-buffer", required_argument, NULL, OPT_CYCLIC_BUFFER },
	{ "eppic", required_argument, NULL, OPT_EPPIC },
	{ "non-mmap", no_argument, NULL, OPT_NON_MMAP },
	{ "mem-usage", no_argument, NULL, OPT_MEM_USAGE },
	{ "splitblock-size", required_argument, NULL, OPT_SPLITBLOCK_SIZE },
	{ "work-dir", required_argument, NULL, OPT_WORK_DIR },
	{ "num-threads", required_argument, NULL, OPT_NUM_THREADS },
	{ "check-params", no_argument, NULL, OPT_CHECK_PARAMS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "show-stats", no_argument, NULL, OPT_SHOW_STATS },
	/* dumpsieve's own: the caller id column of makedumpfile 1.7.5+ */
	{ "dmesg-caller-id", no_argument, NULL, OPT_DMESG_CALLER_ID },
	{ NULL, 0, NULL, 0 },
};

const char *cli_short_options(void)
{
	return SHORT_OPTS;
}

const struct option *cli_long_options(void)
{
	return long_opts;
}

/* Strict unsigned decimal in [0, max]; makedumpfile's atoi took garbage as
 * 0, which turned typos into dump level 0 — we refuse them instead. */
static bool parse_level(const char *s, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*ret = (unsigned)v;
	return true;
}

/* -d DL[,DL2,...]: the first level is used; the others are makedumpfile's
 * retry levels after ENOSPC, validated now, honoured in a later release. */
static bool parse_dump_levels(const char *arg, unsigned *ret)
{
	char buf[256];
	char *save = NULL, *tok;
	bool first = true;
	unsigned count = 0;

	if (strlen(arg) >= sizeof(buf) || !*arg || arg[strlen(arg) - 1] == ',')
		return false;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned v;

		if (!parse_level(tok, 31, &v) || ++count > 32)
			return false;
		if (first)
			*ret = v;
		first = false;
	}
	return !first;
}

/* -L SIZE as makedumpfile's memparse: a number (decimal, or 0x hex) with an
 * optional binary suffix K, M, G, T, P or E in either case; 0, a negative
 * number, an overflow or anything after the suffix is refused. */
static bool parse_size(const char *s, uint64_t *ret)
{
	static const char suffixes[] = "kmgtpe";
	unsigned long long v;
	const char *unit;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end) {
		unit = strchr(suffixes, tolower((unsigned char)*end));
		if (!unit || end[1])
			return false;
		for (long i = 0; i <= unit - suffixes; i++) {
			if (v > UINT64_MAX / 1024)
				return false;
			v *= 1024;
		}
	}
	if (!v)
		return false;
	*ret = v;
	return true;
}

static const char *option_name(int c, char *buf, size_t len)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == c) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

int cli_parse(struct cli *c, int argc, char **argv, char *errbuf, size_t errlen)
{
	unsigned show_stats = 0, debug = 0;
	const char *codec_opt = NULL, *level_opt = NULL;
	bool rearrange = false, dmesg = false, mem_usage = false, split = false, reassemble = false;
	char name[64];
	int opt;

	memset(c, 0, sizeof(*c));
	c->mode = CLI_DUMP;
	c->message_level = ML_DEFAULT;
	opterr = 0;
	optind = 0;    /* full re-initialisation (GNU), so tests can parse twice */
	while ((opt = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c': c->ds.codec = DS_CODEC_ZLIB; codec_opt = "-c"; break;
		case 'l': c->ds.codec = DS_CODEC_LZO; codec_opt = "-l"; break;
		case 'p': c->ds.codec = DS_CODEC_SNAPPY; codec_opt = "-p"; break;
		case 'z': c->ds.codec = DS_CODEC_ZSTD; codec_opt = "-z"; break;
		case 'd':
			level_opt = "-d";
			if (!parse_dump_levels(optarg, &c->ds.dump_level)) {
				snprintf(errbuf, errlen, "dump level '%s' is invalid (0-31)", optarg);
				return -1;
			}
			break;
		case 'f': c->ds.force = true; break;
		case 'L':
			if (!parse_size(optarg, &c->ds.size_limit)) {
				snprintf(errbuf, errlen, "limit size '%s' is invalid (bytes, > 0, with "
					 "an optional K, M, G, T, P or E suffix)", optarg);
				return -1;
			}
			break;
		case 'F': c->ds.flatten = true; break;
		case 'e': c->ds.exclude_vmemmap = true; break;
		case 'E': c->ds.elf = true; break;
		case 'R': rearrange = true; break;
		case 'D': debug = ML_DEBUG; break;
		case 'h': c->mode = CLI_HELP; break;
		case 'v': c->mode = CLI_VERSION; break;
		case OPT_MESSAGE_LEVEL:
			if (!parse_level(optarg, 31, &c->message_level)) {
				snprintf(errbuf, errlen, "message level '%s' is invalid (0-31)", optarg);
				return -1;
			}
			break;
		case OPT_CHECK_PARAMS: c->check_params = true; break;
		case OPT_DRY_RUN: c->ds.dry_run = true; break;
		case OPT_SHOW_STATS: show_stats = ML_REPORT; break;
		case OPT_DUMP_DMESG: dmesg = true; break;
		case OPT_MEM_USAGE: mem_usage = true; break;
		case OPT_SPLIT: split = true; break;
		case OPT_REASSEMBLE: reassemble = true; break;
		case OPT_SPLITBLOCK_SIZE: {
			unsigned kb;

			if (!parse_level(optarg, 1u << 30, &kb) || kb == 0) {
				snprintf(errbuf, errlen, "split block size '%s' is invalid (KiB, > 0)", optarg);
				return -1;
			}
			c->ds.splitblock_size = (uint64_t)kb << 10;
			break;
		}
		case OPT_PARTIAL_DMESG: c->ds.partial_dmesg = true; break;
		case OPT_DMESG_CALLER_ID: c->ds.dmesg_caller_id = true; break;
		case OPT_NON_MMAP: c->ds.no_mmap = true; break;
		case OPT_WORK_DIR: c->ds.work_dir = optarg; break;
		case OPT_CYCLIC_BUFFER: {
			unsigned kb;

			/* makedumpfile: the bitmap buffer in KiB; here the memory
			 * the page maps may use before spilling to --work-dir */
			if (!parse_level(optarg, 1u << 30, &kb) || kb == 0) {
				snprintf(errbuf, errlen, "cyclic buffer size '%s' is invalid (KiB, > 0)", optarg);
				return -1;
			}
			c->ds.map_budget = (uint64_t)kb << 10;
			break;
		}
		case OPT_NUM_THREADS:
			/* makedumpfile: atoi, negative means 0; we refuse garbage */
			if (!parse_level(optarg[0] == '-' ? optarg + 1 : optarg, 4096,
					 &c->ds.num_threads)) {
				snprintf(errbuf, errlen, "number of threads '%s' is invalid", optarg);
				return -1;
			}
			if (optarg[0] == '-')
				c->ds.num_threads = 0;
			break;
		case '?':
			if (optopt && optopt < 256)
				snprintf(errbuf, errlen, "unknown option '-%c' or missing argument", optopt);
			else if (optopt)
				snprintf(errbuf, errlen, "option '%s' is missing its argument or takes none",
					 option_name(optopt, name, sizeof(name)));
			else
				snprintf(errbuf, errlen, "unknown or ambiguous option '%s'",
					 argv[optind - 1]);
			return -1;
		default:
			/* recognised makedumpfile options that come in a later release */
			snprintf(errbuf, errlen, "option '%s' is not supported yet",
				 option_name(opt, name, sizeof(name)));
			return -2;
		}
	}
	c->message_level |= show_stats | debug;
	if (c->check_params)
		c->message_level = ML_DEFAULT;
	if (c->mode != CLI_DUMP)
		return 0;
	if (!dmesg && (c->ds.partial_dmesg || c->ds.dmesg_caller_id)) {
		snprintf(errbuf, errlen, "option '%s' needs --dump-dmesg",
			 c->ds.partial_dmesg ? "--partial-dmesg" : "--dmesg-caller-id");
		return -1;
	}
	if (mem_usage) {
		const char *clash = rearrange ? "-R" : dmesg ? "--dump-dmesg" : NULL;

		if (clash) {
			snprintf(errbuf, errlen, "option '%s' cannot be used with --mem-usage", clash);
			return -1;
		}
		if (argc - optind != 1) {
			snprintf(errbuf, errlen, "--mem-usage takes one operand, VMCORE "
				 "(/proc/kcore, a vmcore or a dump)");
			return -1;
		}
		c->mode = CLI_MEM_USAGE;
		c->vmcore = c->ds.input = argv[optind];
		return 0;
	}
	if (dmesg) {
		const char *clash = rearrange ? "-R" : c->ds.dry_run ? "--dry-run" : NULL;

		if (clash) {
			snprintf(errbuf, errlen, "option '%s' cannot be used with --dump-dmesg", clash);
			return -1;
		}
		c->mode = CLI_DMESG;
		if (c->ds.flatten) {
			if (argc - optind != 1) {
				snprintf(errbuf, errlen, "-F --dump-dmesg takes one operand, VMCORE "
					 "(the log goes to standard output)");
				return -1;
			}
			c->vmcore = c->ds.input = argv[optind];
			return 0;
		}
		if (argc - optind != 2) {
			snprintf(errbuf, errlen, "%s (expected VMCORE LOGFILE)",
				 argc - optind < 2 ? "missing operand" : "too many operands");
			return -1;
		}
		c->vmcore = c->ds.input = argv[optind];
		c->dumpfile = c->ds.output = argv[optind + 1];
		return 0;
	}
	if (rearrange) {
		const char *clash = c->ds.flatten ? "-F" : codec_opt ? codec_opt : level_opt;

		if (clash) {
			snprintf(errbuf, errlen, "option '%s' cannot be used with -R", clash);
			return -1;
		}
		if (argc - optind != 1) {
			snprintf(errbuf, errlen, "-R takes one operand, DUMPFILE (the stream comes on standard input)");
			return -1;
		}
		c->mode = CLI_REARRANGE;
		c->dumpfile = argv[optind];
		return 0;
	}
	if (reassemble) {
		const char *clash = c->ds.flatten ? "-F" : codec_opt ? codec_opt : level_opt ? level_opt :
				    c->ds.elf ? "-E" : split ? "--split" : c->ds.dry_run ? "--dry-run" : NULL;

		if (clash) {
			snprintf(errbuf, errlen, "option '%s' cannot be used with --reassemble", clash);
			return -1;
		}
		if (argc - optind < 3) {
			snprintf(errbuf, errlen, "--reassemble takes the split files, then DUMPFILE (at least 3 operands)");
			return -1;
		}
		c->ds.inputs = (const char *const *)argv + optind;
		c->ds.n_inputs = (unsigned)(argc - optind - 1);
		c->ds.input = c->vmcore = argv[optind];
		c->ds.output = c->dumpfile = argv[argc - 1];
		c->ds.codec_from_input = true;
		c->reassemble = true;
		return 0;
	}
	if (split) {
		const char *clash = c->ds.flatten ? "-F" : c->ds.elf ? "-E" : NULL;

		/* makedumpfile also refuses --num-threads; here the files are
		 * written in parallel and the option is ignored */
		if (clash) {
			snprintf(errbuf, errlen, "option '%s' cannot be used with --split", clash);
			return -1;
		}
		if (argc - optind < 3) {
			snprintf(errbuf, errlen, "--split takes VMCORE, then two or more DUMPFILEs");
			return -1;
		}
		c->ds.input = c->vmcore = argv[optind];
		c->ds.outputs = (const char *const *)argv + optind + 1;
		c->ds.n_outputs = (unsigned)(argc - optind - 1);
		c->ds.output = c->dumpfile = argv[optind + 1];
		c->split = true;
		return 0;
	}
	if (c->ds.splitblock_size) {
		snprintf(errbuf, errlen, "option '--splitblock-size' needs --split");
		return -1;
	}
	if (c->ds.elf && codec_opt) {
		/* ELF has no compressed pages (makedumpfile refuses it too) */
		snprintf(errbuf, errlen, "option '%s' cannot be used with -E (ELF pages are not compressed)",
			 codec_opt);
		return -1;
	}
	if (c->ds.flatten) {
		if (argc - optind != 1) {
			snprintf(errbuf, errlen, "-F takes one operand, VMCORE (the stream goes to standard output)");
			return -1;
		}
		c->vmcore = c->ds.input = argv[optind];
		return 0;
	}
	if (argc - optind < 2) {
		snprintf(errbuf, errlen, "missing operand (expected VMCORE DUMPFILE)");
		return -1;
	}
	/* more: the files of a split dump, then DUMPFILE */
	c->ds.inputs = (const char *const *)argv + optind;
	c->ds.n_inputs = (unsigned)(argc - optind - 1);
	c->vmcore = argv[optind];
	c->dumpfile = argv[argc - 1];
	c->ds.input = c->vmcore;
	c->ds.output = c->dumpfile;
	return 0;
}

static const char *const usage_lines[] = {
	"Usage:",
	"  dumpsieve [OPTION]... VMCORE DUMPFILE",
	"  dumpsieve -F [OPTION]... VMCORE > STREAM",
	"  dumpsieve -R DUMPFILE < STREAM",
	"  dumpsieve --split [OPTION]... VMCORE DUMPFILE1 DUMPFILE2...",
	"  dumpsieve --reassemble DUMPFILE1 DUMPFILE2... DUMPFILE",
	"  dumpsieve --dump-dmesg [--partial-dmesg] VMCORE LOGFILE",
	"  dumpsieve -F --dump-dmesg VMCORE > LOGFILE",
	"  dumpsieve --mem-usage /proc/kcore|VMCORE",
	"",
	"Creates a kdump-compressed (or, with -E, ELF) DUMPFILE from VMCORE, leaving",
	"out the pages the dump level excludes.  VMCORE is /proc/vmcore, an ELF",
	"vmcore, or a dump to filter again: kdump-compressed or flattened, ours or",
	"makedumpfile's; - reads it from standard input.  Command line and output",
	"are compatible with makedumpfile.",
	"",
	"Options:",
	"  -c, -l, -p, -z   compress each page with zlib, lzo, snappy or zstd",
	"  -d DL            dump level 0-31, the sum of the pages to leave out:",
	"                     1 zero pages, 2 cache without private, 4 all cache,",
	"                     8 user process data, 16 free pages",
	"                   hwpoison and offline pages are always left out",
	"  -E               write an ELF dump (no compression; excluded pages are in",
	"                   no PT_LOAD, zero pages are file holes)",
	"  -e               also leave out the struct pages that describe only",
	"                   excluded memory (no --work-dir needed)",
	"  -f               overwrite an existing DUMPFILE",
	"  -L SIZE          write at most SIZE bytes (K, M, G, T, P, E suffixes); a",
	"                   dump that does not fit is kept incomplete, the pages most",
	"                   useful to crash first",
	"  -F               write a flattened stream to standard output instead",
	"                   (dumpsieve -F ... VMCORE | ssh host dumpsieve -R DUMPFILE)",
	"  -R               read a flattened stream on standard input, write DUMPFILE",
	"  --split          write N DUMPFILEs, each the dump of one range of pfns,",
	"                   in parallel",
	"  --splitblock-size KB  granularity of the --split ranges (default 1 GiB)",
	"  --reassemble     join the files of a split dump into one DUMPFILE",
	"  --dump-dmesg     write the crashed kernel's log (as makedumpfile 1.7.2",
	"                   does) instead of a dump; with -F to standard output",
	"  --partial-dmesg  only the log after the last 'dmesg --clear'",
	"  --dmesg-caller-id  add the caller column \"[    T123] \" (makedumpfile 1.7.5+)",
	"  --mem-usage      count the pages of each kind (what -d 31 leaves out) on",
	"                   the running system (/proc/kcore) or in a vmcore or dump",
	"  -D               debug messages",
	"  --message-level ML  message mask 0-31: 1 progress, 2 common, 4 errors,",
	"                   8 debug, 16 report (default 7)",
	"  --show-stats     print the report of excluded pages",
	"  --dry-run        do everything but write DUMPFILE",
	"  --non-mmap       read VMCORE with read(2) only, never mmap(2)",
	"  --num-threads N  compress with N threads (output identical to one)",
	"  --cyclic-buffer KB  memory the page maps may use (default: an eighth of",
	"                   MemAvailable, or of the memory cgroup's room when lower;",
	"                   at most 48 MiB; past it, parts are read again)",
	"  --work-dir DIR   where the page maps spill past that budget",
	"  --check-params   only check the command line",
	"  -v               version and built-in compression",
	"  -h, --help       this text",
	"",
	"Exit status: 0 success, 1 failure (a dump that could not be finished is",
	"kept, flagged incomplete, when it holds any page).",
	NULL,
};

void cli_usage(void (*out)(const char *line, void *arg), void *arg)
{
	char line[128];

	for (const char *const *l = usage_lines; *l; l++)
		out(*l, arg);
	out("", arg);
	for (int c = DS_CODEC_ZLIB; c < DS_CODEC_MAX; c++) {
		snprintf(line, sizeof(line), "%s support: %s", ds_codec_name((enum ds_codec)c),
			 ds_codec_available((enum ds_codec)c) ? "enabled" : "disabled");
		out(line, arg);
	}
}

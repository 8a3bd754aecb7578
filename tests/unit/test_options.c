/* test_options.c - unit tests for programs/options.c (cli_parse, cli_usage):
 * argv arrays parsed as makedumpfile's getopt_long would: grouped short
 * options ("-cd31"), attached and separate arguments, --opt=value and
 * --opt value, unambiguous prefixes ("--mess=7", "--num-thr") and an
 * ambiguous one, options after operands, "--" before an operand that
 * starts with '-', the last of -c/-l/-p/-z winning, "-d 1,31" (first level
 * used), the message level (--show-stats ORs 16, -D ORs 8, --check-params
 * forces 7), invalid values (-d 32, -d x, -d "", -d "1,", --message-level
 * 32 ...), unknown options and missing arguments (-1 with a message),
 * recognised-but-later options (-2 "not supported yet"), -h / -v modes,
 * -F and -R with their operand rules and clashes, missing and extra
 * operands, and parsing twice in one process (getopt re-initialised even
 * after stopping inside a group). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 16

/* Parse the NULL-terminated argument list (after "dumpsieve"); the
 * description of the case is the command line itself. */
static char errbuf[256];

static int parse_argv(struct cli *c, const char *const *args)
{
	static char *argv[MAX_ARGS + 2];
	int argc = 0;
	size_t len;

	argv[argc++] = (char *)"dumpsieve";
	len = (size_t)snprintf(where, sizeof(where), "dumpsieve");
	for (; *args; args++) {
		assert_true(argc <= MAX_ARGS);
		argv[argc++] = (char *)*args;
		if (len < sizeof(where))
			len += (size_t)snprintf(where + len, sizeof(where) - len, " '%s'", *args);
	}
	argv[argc] = NULL;
	memset(errbuf, 0, sizeof(errbuf));
	return cli_parse(c, argc, argv, errbuf, sizeof(errbuf));
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- accepted command lines ---- */

struct ok_case {
	const char *const *args;
	unsigned dump_level;
	enum ds_codec codec;
	unsigned message_level;
	const char *vmcore, *dumpfile;
};

static void test_accepted(void **state)
{
	const struct ok_case cases[] = {
		{ ARGS("vmcore", "dump"), 0, DS_CODEC_NONE, 7, "vmcore", "dump" },
		{ ARGS("-d31", "vmcore", "dump"), 31, DS_CODEC_NONE, 7, "vmcore", "dump" },
		{ ARGS("-d", "31", "vmcore", "dump"), 31, DS_CODEC_NONE, 7, "vmcore", "dump" },
		{ ARGS("-cd31", "vmcore", "dump"), 31, DS_CODEC_ZLIB, 7, "vmcore", "dump" },
		{ ARGS("-cd", "17", "vmcore", "dump"), 17, DS_CODEC_ZLIB, 7, "vmcore", "dump" },
		{ ARGS("-zd0", "/proc/vmcore", "/var/crash/dumpfile"), 0, DS_CODEC_ZSTD, 7,
		  "/proc/vmcore", "/var/crash/dumpfile" },
		{ ARGS("-l", "-d", "1", "a", "b"), 1, DS_CODEC_LZO, 7, "a", "b" },
		{ ARGS("-p", "a", "b"), 0, DS_CODEC_SNAPPY, 7, "a", "b" },
		/* the last codec option wins */
		{ ARGS("-c", "-l", "-p", "-z", "a", "b"), 0, DS_CODEC_ZSTD, 7, "a", "b" },
		{ ARGS("-z", "-p", "-l", "-c", "a", "b"), 0, DS_CODEC_ZLIB, 7, "a", "b" },
		{ ARGS("-zcl", "a", "b"), 0, DS_CODEC_LZO, 7, "a", "b" },
		/* dump level lists: the first is used */
		{ ARGS("-d", "1,31", "a", "b"), 1, DS_CODEC_NONE, 7, "a", "b" },
		{ ARGS("-d", "31,1,0", "a", "b"), 31, DS_CODEC_NONE, 7, "a", "b" },
		{ ARGS("-d", "031", "a", "b"), 31, DS_CODEC_NONE, 7, "a", "b" },
		/* a later -d replaces an earlier one */
		{ ARGS("-d", "3", "-d", "5", "a", "b"), 5, DS_CODEC_NONE, 7, "a", "b" },
		/* message level */
		{ ARGS("--message-level=1", "a", "b"), 0, DS_CODEC_NONE, 1, "a", "b" },
		{ ARGS("--message-level", "7", "a", "b"), 0, DS_CODEC_NONE, 7, "a", "b" },
		{ ARGS("--message-level", "0", "a", "b"), 0, DS_CODEC_NONE, 0, "a", "b" },
		{ ARGS("--message-level=31", "a", "b"), 0, DS_CODEC_NONE, 31, "a", "b" },
		{ ARGS("--mess=3", "a", "b"), 0, DS_CODEC_NONE, 3, "a", "b" },
		{ ARGS("--message", "12", "a", "b"), 0, DS_CODEC_NONE, 12, "a", "b" },
		{ ARGS("--show-stats", "a", "b"), 0, DS_CODEC_NONE, 7 | 16, "a", "b" },
		{ ARGS("--show", "a", "b"), 0, DS_CODEC_NONE, 7 | 16, "a", "b" },
		{ ARGS("--message-level=1", "--show-stats", "a", "b"), 0, DS_CODEC_NONE, 17,
		  "a", "b" },
		/* --show-stats before --message-level still ORs */
		{ ARGS("--show-stats", "--message-level", "2", "a", "b"), 0, DS_CODEC_NONE, 18,
		  "a", "b" },
		{ ARGS("-D", "a", "b"), 0, DS_CODEC_NONE, 15, "a", "b" },
		{ ARGS("-D", "--message-level=1", "a", "b"), 0, DS_CODEC_NONE, 9, "a", "b" },
		{ ARGS("-D", "--show-stats", "--message-level=0", "a", "b"), 0, DS_CODEC_NONE,
		  24, "a", "b" },
		{ ARGS("--check-params", "a", "b"), 0, DS_CODEC_NONE, 7, "a", "b" },
		{ ARGS("--check-params", "-D", "--show-stats", "--message-level=31", "a", "b"),
		  0, DS_CODEC_NONE, 7, "a", "b" },
		/* options after and between operands */
		{ ARGS("vmcore", "dump", "-c", "-d", "31"), 31, DS_CODEC_ZLIB, 7, "vmcore", "dump" },
		{ ARGS("vmcore", "-d", "31", "dump", "--message-level=5"), 31, DS_CODEC_NONE, 5,
		  "vmcore", "dump" },
		/* "--" ends the options */
		{ ARGS("-d", "1", "--", "-weird-file", "out"), 1, DS_CODEC_NONE, 7,
		  "-weird-file", "out" },
		{ ARGS("vmcore", "--", "-d31"), 0, DS_CODEC_NONE, 7, "vmcore", "-d31" },
		{ ARGS("-c", "--", "--", "-"), 0, DS_CODEC_ZLIB, 7, "--", "-" },
		/* a lone "-" is an operand */
		{ ARGS("-", "dump"), 0, DS_CODEC_NONE, 7, "-", "dump" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ok_case *k = &cases[i];
		struct cli c;
		int r;

		memset(&c, 0xa5, sizeof(c));
		r = parse_argv(&c, k->args);
		if (r != 0)
			fail_msg("%s: cli_parse = %d (\"%s\")", where, r, errbuf);
		CHECK_EQ(c.mode, CLI_DUMP);
		CHECK_EQ(c.ds.dump_level, k->dump_level);
		CHECK_EQ(c.ds.codec, k->codec);
		CHECK_EQ(c.message_level, k->message_level);
		CHECK_STR(c.vmcore, k->vmcore);
		CHECK_STR(c.dumpfile, k->dumpfile);
		CHECK_STR(c.ds.input, k->vmcore);
		CHECK_STR(c.ds.output, k->dumpfile);
		CHECK(!c.ds.flatten);
	}
}

static void test_flags(void **state)
{
	struct cli c;

	(void)state;
	CHECK_EQ(parse_argv(&c, ARGS("a", "b")), 0);
	CHECK(!c.ds.force);
	CHECK(!c.ds.dry_run);
	CHECK(!c.check_params);
	CHECK(!c.ds.flatten);
	CHECK(!c.ds.no_mmap);

	CHECK(!c.ds.exclude_vmemmap);
	CHECK_EQ(parse_argv(&c, ARGS("-led31", "a", "b")), 0);
	CHECK(c.ds.exclude_vmemmap);
	CHECK_EQ(c.ds.codec, DS_CODEC_LZO);
	CHECK_EQ(c.ds.dump_level, 31);

	CHECK_EQ(parse_argv(&c, ARGS("--non-mm", "a", "b")), 0);
	CHECK(c.ds.no_mmap);

	CHECK_EQ(parse_argv(&c, ARGS("--cyclic-buffer", "1024", "--work-dir=/tmp", "a", "b")), 0);
	CHECK_EQ(c.ds.map_budget, 1024u << 10);
	CHECK(c.ds.work_dir && !strcmp(c.ds.work_dir, "/tmp"));

	CHECK_EQ(c.ds.size_limit, 0);
	/* -L as makedumpfile's memparse: binary suffixes, either case, 0x */
	static const struct { const char *arg; uint64_t bytes; } sizes[] = {
		{ "1", 1 }, { "4096", 4096 }, { "0x1000", 4096 }, { "3k", 3072 },
		{ "3K", 3072 }, { "10M", 10u << 20 }, { "2g", 2ull << 30 },
		{ "1T", 1ull << 40 }, { "1p", 1ull << 50 }, { "15E", 15ull << 60 },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		WHERE("-L %s", sizes[i].arg);
		CHECK_EQ(parse_argv(&c, ARGS("-L", sizes[i].arg, "a", "b")), 0);
		CHECK_EQ(c.ds.size_limit, sizes[i].bytes);
	}
	WHERE("-L10M attached");
	CHECK_EQ(parse_argv(&c, ARGS("-cL10M", "a", "b")), 0);
	CHECK_EQ(c.ds.size_limit, 10u << 20);
	CHECK_EQ(c.ds.codec, DS_CODEC_ZLIB);

	CHECK_EQ(parse_argv(&c, ARGS("--num-thr", "4", "a", "b")), 0);
	CHECK_EQ(c.ds.num_threads, 4);
	CHECK_EQ(parse_argv(&c, ARGS("--num-threads=-3", "a", "b")), 0);
	CHECK_EQ(c.ds.num_threads, 0);

	CHECK_EQ(parse_argv(&c, ARGS("-f", "--dry-run", "--check-params", "a", "b")), 0);
	CHECK(c.ds.force);
	CHECK(c.ds.dry_run);
	CHECK(c.check_params);

	CHECK_EQ(parse_argv(&c, ARGS("-fcd", "7", "--dry", "a", "b")), 0);
	CHECK(c.ds.force);
	CHECK(c.ds.dry_run);
	CHECK_EQ(c.ds.codec, DS_CODEC_ZLIB);
	CHECK_EQ(c.ds.dump_level, 7);
}

/* ---- modes ---- */

static void test_modes(void **state)
{
	struct cli c;

	(void)state;
	CHECK_EQ(parse_argv(&c, ARGS("-h")), 0);
	CHECK_EQ(c.mode, CLI_HELP);
	CHECK_EQ(parse_argv(&c, ARGS("--help")), 0);
	CHECK_EQ(c.mode, CLI_HELP);
	CHECK_EQ(parse_argv(&c, ARGS("--he")), 0);
	CHECK_EQ(c.mode, CLI_HELP);
	CHECK_EQ(parse_argv(&c, ARGS("-v")), 0);
	CHECK_EQ(c.mode, CLI_VERSION);
	/* operands do not matter with -h / -v */
	CHECK_EQ(parse_argv(&c, ARGS("-c", "-v", "a", "b", "c")), 0);
	CHECK_EQ(c.mode, CLI_VERSION);
	CHECK_EQ(parse_argv(&c, ARGS("a", "-h")), 0);
	CHECK_EQ(c.mode, CLI_HELP);
	/* a bad option before -h is still an error */
	CHECK_EQ(parse_argv(&c, ARGS("--bogus", "-h")), -1);
	/* the last of -h / -v wins */
	CHECK_EQ(parse_argv(&c, ARGS("-h", "-v")), 0);
	CHECK_EQ(c.mode, CLI_VERSION);
	CHECK_EQ(parse_argv(&c, ARGS("-vh")), 0);
	CHECK_EQ(c.mode, CLI_HELP);
}

/* -F: stream to stdout, one operand; -R: stream from stdin, one operand. */
static void test_flatten_rearrange(void **state)
{
	struct cli c;

	(void)state;
	CHECK_EQ(parse_argv(&c, ARGS("-F", "-c", "-d", "31", "/proc/vmcore")), 0);
	CHECK_EQ(c.mode, CLI_DUMP);
	CHECK(c.ds.flatten);
	CHECK_STR(c.vmcore, "/proc/vmcore");
	CHECK_STR(c.ds.input, "/proc/vmcore");
	CHECK(c.dumpfile == NULL);
	CHECK_EQ(c.ds.dump_level, 31);
	CHECK_EQ(c.ds.codec, DS_CODEC_ZLIB);
	CHECK_EQ(parse_argv(&c, ARGS("-cFd31", "/proc/vmcore")), 0);
	CHECK(c.ds.flatten);
	CHECK_EQ(parse_argv(&c, ARGS("-F", "vmcore", "dump")), -1);
	CHECK(strstr(errbuf, "-F") != NULL);
	CHECK_EQ(parse_argv(&c, ARGS("-F")), -1);

	CHECK_EQ(parse_argv(&c, ARGS("-R", "dumpfile")), 0);
	CHECK_EQ(c.mode, CLI_REARRANGE);
	CHECK_STR(c.dumpfile, "dumpfile");
	CHECK_EQ(parse_argv(&c, ARGS("dumpfile", "-R", "-f")), 0);
	CHECK_EQ(c.mode, CLI_REARRANGE);
	CHECK(c.ds.force);
	CHECK_EQ(parse_argv(&c, ARGS("-R")), -1);
	CHECK(strstr(errbuf, "-R") != NULL);
	CHECK_EQ(parse_argv(&c, ARGS("-R", "a", "b")), -1);
	CHECK_EQ(parse_argv(&c, ARGS("-R", "-c", "dumpfile")), -1);
	CHECK(strstr(errbuf, "'-c'") != NULL);
	CHECK(strstr(errbuf, "-R") != NULL);
	CHECK_EQ(parse_argv(&c, ARGS("-R", "-z", "dumpfile")), -1);
	CHECK(strstr(errbuf, "'-z'") != NULL);
	CHECK_EQ(parse_argv(&c, ARGS("-R", "-d", "31", "dumpfile")), -1);
	CHECK(strstr(errbuf, "'-d'") != NULL);
	CHECK_EQ(parse_argv(&c, ARGS("-FR", "dumpfile")), -1);
	CHECK(strstr(errbuf, "'-F'") != NULL);
}

/* ---- rejected command lines ---- */

struct bad_case {
	const char *const *args;
	int ret;
	const char *msg[2];          /* substrings of the message */
};

static void test_rejected(void **state)
{
	const struct bad_case cases[] = {
		/* dump levels */
		{ ARGS("-d", "32", "a", "b"), -1, { "dump level '32'", "0-31" } },
		{ ARGS("-d32", "a", "b"), -1, { "'32'" } },
		{ ARGS("-d", "x", "a", "b"), -1, { "dump level 'x'" } },
		{ ARGS("-d", "", "a", "b"), -1, { "dump level ''" } },
		{ ARGS("-d", "1,", "a", "b"), -1, { "dump level '1,'" } },
		{ ARGS("-d", "1,32", "a", "b"), -1, { "'1,32'" } },
		{ ARGS("-d", "1,x", "a", "b"), -1, { "'1,x'" } },
		{ ARGS("-d", "-1", "a", "b"), -1, { "'-1'" } },
		{ ARGS("-d", "+1", "a", "b"), -1, { "'+1'" } },
		{ ARGS("-d", " 5", "a", "b"), -1, { "' 5'" } },
		{ ARGS("-d", "5 ", "a", "b"), -1, { "'5 '" } },
		{ ARGS("-d", "0x1f", "a", "b"), -1, { "'0x1f'" } },
		{ ARGS("-d", "99999999999999999999", "a", "b"), -1, { "99999999999999999999" } },
		{ ARGS("-d"), -1, { "'-d'", "missing argument" } },
		/* message levels */
		{ ARGS("--message-level", "32", "a", "b"), -1, { "message level '32'", "0-31" } },
		{ ARGS("--message-level=abc", "a", "b"), -1, { "message level 'abc'" } },
		{ ARGS("--message-level=", "a", "b"), -1, { "message level ''" } },
		{ ARGS("--message-level=-1", "a", "b"), -1, { "'-1'" } },
		{ ARGS("--message-level"), -1, { "--message-level" } },
		/* unknown options, bad arguments to long options */
		{ ARGS("--bogus", "a", "b"), -1, { "--bogus" } },
		{ ARGS("--bogus=1", "a", "b"), -1, { "--bogus" } },
		{ ARGS("-q", "a", "b"), -1, { "'-q'" } },
		{ ARGS("-cq", "a", "b"), -1, { "'-q'" } },
		{ ARGS("--show-stats=1", "a", "b"), -1, { "--show-stats" } },
		{ ARGS("--d", "a", "b"), -1, { "ambiguous", "'--d'" } },
		/* operands */
		{ ARGS(NULL), -1, { "missing operand" } },
		{ ARGS("a"), -1, { "missing operand", "VMCORE DUMPFILE" } },
		{ ARGS("-c", "-d", "31", "a"), -1, { "missing operand" } },
		{ ARGS("--split", "a", "b"), -1, { "--split takes VMCORE, then two or more" } },
		{ ARGS("--split", "-F", "a", "b", "c"), -1, { "'-F' cannot be used with --split" } },
		{ ARGS("--split", "-E", "a", "b", "c"), -1, { "'-E' cannot be used with --split" } },
		{ ARGS("--reassemble", "a", "b"), -1, { "at least 3 operands" } },
		{ ARGS("--reassemble", "-d", "31", "a", "b", "c"), -1, { "'-d' cannot be used with --reassemble" } },
		{ ARGS("--reassemble", "-l", "a", "b", "c"), -1, { "'-l' cannot be used with --reassemble" } },
		{ ARGS("--splitblock-size", "1024", "a", "b"), -1, { "needs --split" } },
		{ ARGS("--split", "--splitblock-size", "0", "a", "b", "c"), -1, { "split block size '0' is invalid" } },
		/* --dump-dmesg */
		{ ARGS("--partial-dmesg", "a", "b"), -1, { "'--partial-dmesg' needs --dump-dmesg" } },
		{ ARGS("--dmesg-caller-id", "a", "b"), -1, { "'--dmesg-caller-id' needs" } },
		{ ARGS("--dump-dmesg", "a"), -1, { "missing operand", "VMCORE LOGFILE" } },
		{ ARGS("--dump-dmesg", "a", "b", "c"), -1, { "too many operands", "LOGFILE" } },
		{ ARGS("-F", "--dump-dmesg", "a", "b"), -1, { "takes one operand", "standard output" } },
		{ ARGS("--dry-run", "--dump-dmesg", "a", "b"), -1, { "'--dry-run' cannot be used with --dump-dmesg" } },
		{ ARGS("-R", "--dump-dmesg", "b"), -1, { "'-R' cannot be used with --dump-dmesg" } },
		/* --mem-usage */
		{ ARGS("--mem-usage"), -1, { "--mem-usage takes one operand" } },
		{ ARGS("--mem-usage", "a", "b"), -1, { "--mem-usage takes one operand" } },
		{ ARGS("--mem-usage", "--dump-dmesg", "a"), -1, { "'--dump-dmesg' cannot be used with --mem-usage" } },
		/* recognised, implemented later */
		{ ARGS("-cE", "a", "b"), -1, { "'-c' cannot be used with -E" } },
		{ ARGS("-E", "-z", "a", "b"), -1, { "'-z' cannot be used with -E" } },
		{ ARGS("-X", "a", "b"), -2, { "'-X'" } },
		{ ARGS("-x", "vmlinux", "a", "b"), -2, { "'-x'" } },
		{ ARGS("-i", "vmcoreinfo", "a", "b"), -2, { "'-i'" } },
		{ ARGS("-g", "vmcoreinfo", "vmlinux"), -2, { "'-g'" } },
		{ ARGS("-b", "8", "a", "b"), -2, { "'-b'" } },
		{ ARGS("-L", "0", "a", "b"), -1, { "limit size '0' is invalid" } },
		{ ARGS("-L", "1X", "a", "b"), -1, { "limit size '1X' is invalid" } },
		{ ARGS("-L", "1GB", "a", "b"), -1, { "limit size '1GB' is invalid" } },
		{ ARGS("-L", "-5", "a", "b"), -1, { "limit size '-5' is invalid" } },
		{ ARGS("-L", "", "a", "b"), -1, { "limit size '' is invalid" } },
		{ ARGS("-L", "16E", "a", "b"), -1, { "limit size '16E' is invalid" } },
		{ ARGS("-L", "99999999999999999999", "a", "b"), -1, { "is invalid" } },
		{ ARGS("--num-thr", "x", "a", "b"), -1, { "number of threads 'x' is invalid" } },
		{ ARGS("--cyclic-buffer", "x", "a", "b"), -1, { "cyclic buffer size 'x' is invalid" } },
		{ ARGS("--cyclic-buffer", "0", "a", "b"), -1, { "cyclic buffer size '0' is invalid" } },
		{ ARGS("--config", "f", "a", "b"), -2, { "'--config'" } },
		{ ARGS("--eppic", "f", "a", "b"), -2, { "'--eppic'" } },
		{ ARGS("--vtop", "0xffffffff81000000", "a"), -2, { "'--vtop'" } },
		{ ARGS("--diskset=x", "a", "b"), -2, { "'--diskset'" } },
		{ ARGS("--xen-syms", "f", "a", "b"), -2, { "'--xen-syms'" } },
		{ ARGS("--xen-vmcoreinfo", "f", "a", "b"), -2, { "'--xen-vmcoreinfo'" } },
		{ ARGS("--xen_phys_start", "0x1", "a", "b"), -2, { "'--xen_phys_start'" } },
		/* the first problem is the one reported */
		{ ARGS("-d", "40", "--split", "a", "b"), -1, { "'40'" } },
		{ ARGS("-X", "-d", "40", "a", "b"), -2, { "-X" } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *k = &cases[i];
		struct cli c;
		int r;

		r = parse_argv(&c, k->args);
		if (r != k->ret)
			fail_msg("%s: cli_parse = %d (\"%s\"), expected %d", where, r, errbuf,
				 k->ret);
		for (int j = 0; j < 2 && k->msg[j]; j++)
			if (!strstr(errbuf, k->msg[j]))
				fail_msg("%s: message \"%s\" lacks \"%s\"", where, errbuf, k->msg[j]);
		/* one line */
		CHECK(strchr(errbuf, '\n') == NULL);
	}
}

/* --dump-dmesg: Debian's form (VMCORE LOGFILE), SUSE's (-F, one operand,
 * the log on standard output), options a dump takes are accepted. */
static void test_dmesg(void **state)
{
	struct cli c;

	(void)state;
	CHECK_EQ(parse_argv(&c, ARGS("--dump-dmesg", "/proc/vmcore", "dmesg.202612051200")), 0);
	CHECK_EQ(c.mode, CLI_DMESG);
	CHECK_STR(c.ds.input, "/proc/vmcore");
	CHECK_STR(c.ds.output, "dmesg.202612051200");
	CHECK_STR(c.dumpfile, "dmesg.202612051200");
	CHECK(!c.ds.flatten && !c.ds.partial_dmesg && !c.ds.dmesg_caller_id && !c.ds.force);
	CHECK_EQ(c.message_level, 7);

	CHECK_EQ(parse_argv(&c, ARGS("-F", "--message-level", "8", "--dump-dmesg", "/proc/vmcore")), 0);
	CHECK_EQ(c.mode, CLI_DMESG);
	CHECK(c.ds.flatten);
	CHECK_STR(c.ds.input, "/proc/vmcore");
	CHECK(c.ds.output == NULL);
	CHECK_EQ(c.message_level, 8);

	CHECK_EQ(parse_argv(&c, ARGS("a", "--partial-dmesg", "-f", "--dump", "b", "-ld31",
				      "--dmesg-caller-id")), 0);
	CHECK_EQ(c.mode, CLI_DMESG);
	CHECK(c.ds.partial_dmesg && c.ds.dmesg_caller_id && c.ds.force);
	CHECK_STR(c.ds.input, "a");
	CHECK_STR(c.ds.output, "b");

	/* help still wins */
	CHECK_EQ(parse_argv(&c, ARGS("--dump-dmesg", "-h")), 0);
	CHECK_EQ(c.mode, CLI_HELP);
	CHECK_EQ(parse_argv(&c, ARGS("--check-params", "--dump-dmesg", "a", "b")), 0);
	CHECK_EQ(c.mode, CLI_DMESG);
	CHECK(c.check_params);
}

/* --mem-usage: one operand, /proc/kcore or a file; a dump level is ignored
 * (the census is at 31). */
static void test_mem_usage(void **state)
{
	struct cli c;

	(void)state;
	CHECK_EQ(parse_argv(&c, ARGS("--mem-usage", "/proc/kcore")), 0);
	CHECK_EQ(c.mode, CLI_MEM_USAGE);
	CHECK_STR(c.ds.input, "/proc/kcore");
	CHECK(c.ds.output == NULL);
	CHECK_EQ(parse_argv(&c, ARGS("-d", "1", "vmcore", "--mem")), 0);
	CHECK_EQ(c.mode, CLI_MEM_USAGE);
	CHECK_STR(c.ds.input, "vmcore");
}

/* The message is cut to the buffer given, never overrun. */
static void test_small_errbuf(void **state)
{
	char *argv[] = { (char *)"dumpsieve", (char *)"-d", (char *)"123456789012345678",
			 (char *)"a", (char *)"b", NULL };
	char small[16];
	struct cli c;

	(void)state;
	snprintf(where, sizeof(where), "small errbuf");
	memset(small, 'Z', sizeof(small));
	CHECK_EQ(cli_parse(&c, 5, argv, small, 10), -1);
	CHECK_EQ(strlen(small), 9);
	CHECK_EQ(small[10], 'Z');
}

/* cli_parse re-initialises getopt: a second parse in the same process is
 * not affected by the first, even one that stopped inside "-cq". */
static void test_parse_twice(void **state)
{
	struct cli c;

	(void)state;
	CHECK_EQ(parse_argv(&c, ARGS("vmcore", "-d", "5", "dump")), 0);
	CHECK_EQ(c.ds.dump_level, 5);
	CHECK_EQ(parse_argv(&c, ARGS("-l", "x", "y")), 0);
	CHECK_EQ(c.ds.dump_level, 0);            /* nothing left from the first */
	CHECK_EQ(c.ds.codec, DS_CODEC_LZO);
	CHECK_STR(c.vmcore, "x");
	CHECK_STR(c.dumpfile, "y");

	/* stop in the middle of a group ... */
	CHECK_EQ(parse_argv(&c, ARGS("-cqd31", "a", "b")), -1);
	/* ... then parse a different group: no leftover "d31" */
	CHECK_EQ(parse_argv(&c, ARGS("-zd7", "p", "q")), 0);
	CHECK_EQ(c.ds.codec, DS_CODEC_ZSTD);
	CHECK_EQ(c.ds.dump_level, 7);
	CHECK_STR(c.vmcore, "p");
	CHECK_STR(c.dumpfile, "q");

	/* stop after an error with operands left, then parse again */
	CHECK_EQ(parse_argv(&c, ARGS("a", "b", "--bogus", "-c")), -1);
	CHECK_EQ(parse_argv(&c, ARGS("-d", "3", "m", "n")), 0);
	CHECK_EQ(c.ds.dump_level, 3);
	CHECK_EQ(c.ds.codec, DS_CODEC_NONE);
	CHECK_STR(c.vmcore, "m");
	CHECK_STR(c.dumpfile, "n");
	/* and the same argv twice gives the same answer */
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(parse_argv(&c, ARGS("x", "-pd", "11", "y", "--show-stats")), 0);
		CHECK_EQ(c.ds.dump_level, 11);
		CHECK_EQ(c.ds.codec, DS_CODEC_SNAPPY);
		CHECK_EQ(c.message_level, 23);
		CHECK_STR(c.vmcore, "x");
		CHECK_STR(c.dumpfile, "y");
	}
}

/* ---- usage ---- */

struct usage_seen {
	unsigned lines;
	bool usage, dump_level, codecs, message_level;
	bool too_long;
};

static void usage_line(const char *line, void *arg)
{
	struct usage_seen *s = arg;

	s->lines++;
	if (!strcmp(line, "Usage:"))
		s->usage = true;
	if (strstr(line, "-d DL"))
		s->dump_level = true;
	if (strstr(line, "--message-level"))
		s->message_level = true;
	if (strstr(line, "zlib support: "))
		s->codecs = true;
	if (strlen(line) > 80 || strchr(line, '\n'))
		s->too_long = true;
}

static void test_usage(void **state)
{
	struct usage_seen s = { 0 };

	(void)state;
	snprintf(where, sizeof(where), "cli_usage");
	cli_usage(usage_line, &s);
	CHECK(s.lines > 10);
	CHECK(s.usage);
	CHECK(s.dump_level);
	CHECK(s.message_level);
	CHECK(s.codecs);
	CHECK(!s.too_long);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_flatten_rearrange),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_dmesg),
		cmocka_unit_test(test_mem_usage),
		cmocka_unit_test(test_small_errbuf),
		cmocka_unit_test(test_parse_twice),
		cmocka_unit_test(test_usage),
	};

	/* GNU getopt permutes only without POSIXLY_CORRECT */
	unsetenv("POSIXLY_CORRECT");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

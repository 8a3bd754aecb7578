/* options.h - makedumpfile-compatible command line -> struct cli.
 *
 * Parsing follows makedumpfile's rules (GNU getopt_long: grouped short
 * options "-cd31", attached or separate arguments, --opt=value or --opt value,
 * unambiguous prefixes "--num-thr", options after operands, "--" ends them).
 * Options that a later release of dumpsieve will implement are recognised and
 * answered "not supported yet" (exit 1) rather than "invalid".
 */
#ifndef DS_OPTIONS_H
#define DS_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <dumpsieve/dumpsieve.h>

/* message levels (--message-level bits) */
#define ML_PROGRESS 1u
#define ML_COMMON   2u
#define ML_ERROR    4u
#define ML_DEBUG    8u
#define ML_REPORT   16u
#define ML_DEFAULT  (ML_PROGRESS | ML_COMMON | ML_ERROR)

enum cli_mode { CLI_DUMP, CLI_REARRANGE, CLI_DMESG, CLI_MEM_USAGE, CLI_HELP, CLI_VERSION };

struct cli {
	enum cli_mode mode;
	struct ds_options ds;
	unsigned message_level;
	bool check_params;
	const char *vmcore;
	const char *dumpfile;      /* DUMPFILE, or LOGFILE with --dump-dmesg */
	bool split, reassemble;
};

/* Parse argv.  On error returns -1 with a one-line reason in errbuf (the
 * caller adds the "Try --help" hint and exits 1). */
int cli_parse(struct cli *c, int argc, char **argv, char *errbuf, size_t errlen);

/* The option table itself (getopt's short option string, and the long
 * options ending with a zero row), for tests/tools/list-options.c: the
 * manual page and --help are checked against it. */
const char *cli_short_options(void);
const struct option *cli_long_options(void);

/* The usage text (for -h). */
void cli_usage(void (*out)(const char *line, void *arg), void *arg);

#endif

/* list-options.c - print dumpsieve's option table (programs/options.c) as
 * the documentation check (check-optdoc.py) reads it: one line per option,
 *
 *     NAME <TAB> arg|noarg <TAB> supported|later [<TAB> alias-of]
 *
 * NAME is "-x" or "--long".  An option is "later" when cli_parse answers it
 * with -2 ("not supported yet"), so the list follows the parser itself, not
 * a second list that could drift.  A long option whose value is a short
 * option character is that option's alias (--help is -h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

/* What cli_parse says to "dumpsieve OPT [1] a b". */
static const char *status(const char *opt, int has_arg)
{
	char *argv[] = { (char *)"dumpsieve", (char *)opt, (char *)"1", (char *)"a",
			 (char *)"b", NULL };
	char err[256];
	struct cli c;
	int argc = 5;

	if (!has_arg) {
		argv[2] = argv[3];
		argv[3] = argv[4];
		argv[4] = NULL;
		argc = 4;
	}
	return cli_parse(&c, argc, argv, err, sizeof(err)) == -2 ? "later" : "supported";
}

int main(void)
{
	const char *s = cli_short_options();
	char name[64];

	for (; *s; s++) {
		int has_arg = s[1] == ':';

		if (*s == ':' || *s == '+' || *s == '-')
			continue;
		snprintf(name, sizeof(name), "-%c", *s);
		printf("%s\t%s\t%s\n", name, has_arg ? "arg" : "noarg", status(name, has_arg));
	}
	for (const struct option *o = cli_long_options(); o->name; o++) {
		int has_arg = o->has_arg != no_argument;

		snprintf(name, sizeof(name), "--%s", o->name);
		printf("%s\t%s\t%s", name, has_arg ? "arg" : "noarg", status(name, has_arg));
		if (o->val > 0 && o->val < 256 && isalnum(o->val) && strchr(cli_short_options(), o->val))
			printf("\t-%c", o->val);
		putchar('\n');
	}
	return ferror(stdout) ? 1 : 0;
}

/* test_progress.c - unit tests for programs/progress.c, driven with made-up
 * times into a memory stream: the terminal display rewrites one line per
 * phase in place ("\r", blanking a longer earlier text) at most twice a
 * second and ends it with a newline at 100 %; the plain display prints a
 * line at a phase's start, at each tenth at most once a second, at least one
 * a minute, and at its end; the time left is the average rate so far applied
 * to the rest, shown only after a second of work; a phase's end is shown
 * once even when reported twice; progress_break ends an open line;
 * durations read 12s / 3m05s / 1h02m. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

static char *buf;
static size_t len;
static FILE *out;

static void open_out(struct progress *p, bool tty)
{
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	progress_init(p, out, tty);
}

/* what was written so far (the stream stays open) */
static const char *text(void)
{
	fflush(out);
	return buf;
}

static void close_out(void)
{
	fclose(out);
	free(buf);
	buf = NULL;
}

static size_t count(const char *s, const char *sub)
{
	size_t n = 0;

	for (const char *q = strstr(s, sub); q; q = strstr(q + 1, sub))
		n++;
	return n;
}

static void test_duration(void **state)
{
	char b[32];

	(void)state;
	WHERE("progress_duration");
	progress_duration(b, sizeof(b), 0.2);
	CHECK_STR(b, "0s");
	progress_duration(b, sizeof(b), 12.4);
	CHECK_STR(b, "12s");
	progress_duration(b, sizeof(b), 185);
	CHECK_STR(b, "3m05s");
	progress_duration(b, sizeof(b), 3725);
	CHECK_STR(b, "1h02m");
	progress_duration(b, sizeof(b), -3);
	CHECK_STR(b, "0s");
}

/* One displayed text, as progress.c lays it out: phase padded to 28. */
static const char *line(const char *phase, const char *pct, const char *rest)
{
	static char b[4][128];
	static unsigned turn;
	char *r = b[turn++ % 4];

	snprintf(r, sizeof(b[0]), "%-28s: [%s %%]%s%s", phase, pct, *rest ? " " : "", rest);
	return r;
}

static bool has(const char *t, const char *before, const char *l, const char *after)
{
	char want[256];

	snprintf(want, sizeof(want), "%s%s%s", before, l, after);
	if (strstr(t, want))
		return true;
	print_message("missing: \"%s\"\n", want);
	return false;
}

/* A 250-second phase reported every 0.25 s on a terminal. */
static void test_tty(void **state)
{
	struct progress p;
	const char *t;

	(void)state;
	WHERE("terminal, 1000 units over 250 s");
	open_out(&p, true);
	for (unsigned i = 0; i <= 1000; i++)
		progress_update(&p, "Copying data", i, 1000, 10.0 + i * 0.25);
	t = text();
	/* one line: no newline before the end, one at the end */
	CHECK_EQ(count(t, "\n"), 1);
	CHECK(t[strlen(t) - 1] == '\n');
	/* twice a second: every other report */
	CHECK_EQ(count(t, "\r"), 501);
	CHECK(has(t, "\r", line("Copying data", "  0.0", ""), "\r"));
	/* no estimate before a second of work */
	CHECK(has(t, "\r", line("Copying data", "  0.2", ""), "\r"));
	CHECK(has(t, "\r", line("Copying data", "  0.4", "4m09s left"), "\r"));
	/* half way: 125 s gone, 125 s left */
	CHECK(has(t, "\r", line("Copying data", " 50.0", "2m05s left"), "\r"));
	CHECK(has(t, "\r", line("Copying data", " 90.0", "25s left"), "\r"));
	CHECK(has(t, "\r", line("Copying data", "100.0", "4m10s in all"), "\n"));
	close_out();
}

/* A shorter text after a longer one is blanked to the end of the old one. */
static void test_tty_blanks_longer_text(void **state)
{
	struct progress p;
	const char *t, *last;
	char longer[128];

	(void)state;
	WHERE("terminal, shrinking text");
	open_out(&p, true);
	progress_update(&p, "Copying data", 0, 3600, 0);
	progress_update(&p, "Copying data", 1, 3600, 2);        /* 1h59m58s left */
	progress_update(&p, "Copying data", 1800, 3600, 3);     /* 3s left */
	t = text();
	snprintf(longer, sizeof(longer), "%s", line("Copying data", "  0.0", "1h59m left"));
	CHECK(has(t, "\r", longer, "\r"));
	last = strrchr(t, '\r');
	CHECK(has(last, "\r", line("Copying data", " 50.0", "3s left"), "   "));
	CHECK_EQ(strlen(last), 1 + strlen(longer));
	CHECK_EQ(strspn(last + 1 + strlen(line("Copying data", " 50.0", "3s left")), " "), 3);
	close_out();
}

/* Not a terminal: plain lines, never "\r". */
static void test_plain(void **state)
{
	struct progress p;
	const char *t;

	(void)state;
	WHERE("plain lines, 1000 units over 100 s");
	open_out(&p, false);
	for (unsigned i = 0; i <= 1000; i++)
		progress_update(&p, "Copying data", i, 1000, i * 0.1);
	t = text();
	CHECK_EQ(count(t, "\r"), 0);
	/* the start, nine tenths, the end */
	CHECK_EQ(count(t, "\n"), 11);
	CHECK(has(t, "", line("Copying data", "  0.0", ""), "\n"));
	CHECK(strncmp(t, line("Copying data", "  0.0", ""), 38) == 0);
	CHECK(has(t, "\n", line("Copying data", " 10.0", "1m30s left"), "\n"));
	CHECK(has(t, "\n", line("Copying data", "100.0", "1m40s in all"), "\n"));
	close_out();
}

/* A fast phase: tenths come faster than one a second; only some are shown. */
static void test_plain_fast(void **state)
{
	struct progress p;
	const char *t;

	(void)state;
	WHERE("plain lines, 1000 units over 2 s");
	open_out(&p, false);
	for (unsigned i = 0; i <= 1000; i++)
		progress_update(&p, "Copying data", i, 1000, i * 0.002);
	t = text();
	CHECK(count(t, "\n") <= 4);      /* start, at 1 s, (2 s,) end */
	CHECK(count(t, "\n") >= 2);
	CHECK(strstr(t, "[100.0 %] 2s in all\n") != NULL);
	close_out();
}

/* A slow phase: a line at least once a minute even inside one tenth. */
static void test_plain_slow(void **state)
{
	struct progress p;
	const char *t;

	(void)state;
	WHERE("plain lines, 1 %% in 10 minutes");
	open_out(&p, false);
	for (unsigned i = 0; i <= 600; i++)
		progress_update(&p, "Copying data", i, 60000, (double)i);
	t = text();
	CHECK_EQ(count(t, "\n"), 11);    /* the start and one a minute */
	CHECK(strstr(t, "[  0.1 %] 16h39m left\n") != NULL);
	close_out();
}

/* Two phases; each end once; the same phase again after its end. */
static void test_phases(void **state)
{
	struct progress p;
	const char *t;

	(void)state;
	WHERE("two phases on a terminal, end reported twice");
	open_out(&p, true);
	progress_update(&p, "Excluding unnecessary pages", 0, 1, 0);
	progress_update(&p, "Excluding unnecessary pages", 1, 1, 3);
	progress_update(&p, "Copying data", 0, 10, 3);
	progress_update(&p, "Copying data", 10, 10, 5);
	progress_update(&p, "Copying data", 10, 10, 5);
	t = text();
	CHECK_EQ(count(t, "\n"), 2);
	CHECK(has(t, "\r", line("Excluding unnecessary pages", "100.0", "3s in all"), "\n"));
	CHECK(has(t, "\r", line("Copying data", "100.0", "2s in all"), "\n"));
	CHECK_EQ(count(t, "[100.0 %]"), 2);
	progress_update(&p, "Copying data", 5, 10, 6);
	t = text();
	CHECK(strstr(t, "[ 50.0 %]") != NULL);
	close_out();
}

/* A message in the middle of a terminal line starts on a line of its own. */
static void test_break(void **state)
{
	struct progress p;
	const char *t;

	(void)state;
	WHERE("progress_break");
	open_out(&p, true);
	progress_break(&p);                       /* nothing open: nothing */
	text();
	CHECK_EQ(len, 0);
	progress_update(&p, "Copying data", 1, 10, 0);
	progress_break(&p);
	progress_break(&p);
	t = text();
	CHECK_EQ(count(t, "\n"), 1);
	CHECK(t[strlen(t) - 1] == '\n');
	/* the next update starts a fresh line (no stale width) */
	progress_update(&p, "Copying data", 2, 10, 0.7);
	t = text();
	CHECK(has(t, "\n\r", line("Copying data", " 20.0", ""), ""));
	close_out();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_tty),
		cmocka_unit_test(test_tty_blanks_longer_text),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_plain_fast),
		cmocka_unit_test(test_plain_slow),
		cmocka_unit_test(test_phases),
		cmocka_unit_test(test_break),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

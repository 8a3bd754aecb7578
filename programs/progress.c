/* progress.c - what a person watching a long dump sees: the phase, the
 * percentage done and an estimate of the time left.
 *
 * On a terminal one line per phase is rewritten in place ("\r") at most
 * twice a second, and ended with a newline when the phase completes.
 * Anywhere else (a log file, the capture kernel's console through
 * systemd, a pipe) "\r" would pile up into one unreadable line, so plain
 * lines are printed instead: when a phase starts, at each further tenth
 * (at most one a second), at least one a minute while the phase lasts,
 * and when it ends.  The time left assumes the rest goes at the average
 * rate so far; it is shown once a phase has run a second and done
 * something.  Pure: the caller passes the time, so tests drive it. */
#include "progress.h"

#include <string.h>

#define TTY_INTERVAL   0.5      /* seconds between terminal updates */
#define PLAIN_MIN_GAP  1.0      /* plain lines: tenths at most once a second */
#define PLAIN_MAX_GAP  60.0     /* ... and at least one line a minute */

void progress_init(struct progress *p, FILE *out, bool tty)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->tty = tty;
}

void progress_duration(char *buf, size_t len, double s)
{
	unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);

	if (t < 60)
		snprintf(buf, len, "%lus", t);
	else if (t < 3600)
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, len, "%luh%02lum", t / 3600, t / 60 % 60);
}

void progress_break(struct progress *p)
{
	if (p->open) {
		fputc('\n', p->out);
		fflush(p->out);
	}
	p->open = false;
	p->width = 0;
}

/* "Copying data        : [ 45.3 %] 1m12s left" into buf */
static void format_line(const struct progress *p, char *buf, size_t len, uint64_t done,
			uint64_t total, double now)
{
	double elapsed = now - p->start;
	unsigned permille = (unsigned)(done >= total ? 1000 : done * 1000 / total);
	char when[32] = "";

	if (done >= total) {
		progress_duration(when, sizeof(when), elapsed);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), " in all");
	} else if (done > 0 && elapsed >= 1.0) {
		progress_duration(when, sizeof(when), elapsed * (double)(total - done) / (double)done);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), " left");
	}
	snprintf(buf, len, "%-28s: [%3u.%u %%] %s", p->phase, permille / 10, permille % 10, when);
	/* no trailing blank when there is no time to show */
	for (size_t n = strlen(buf); n && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
}

void progress_update(struct progress *p, const char *phase, uint64_t done,
		     uint64_t total, double now)
{
	bool fresh = strncmp(p->phase, phase, sizeof(p->phase) - 1) != 0;
	bool end = done >= total, show;
	unsigned tenth;
	char line[128];

	if (!total)
		return;
	if (end)
		done = total;
	if (!fresh && p->ended) {
		if (end)
			return;         /* the end of a phase is shown once */
		fresh = true;           /* the same phase again */
	}
	if (fresh) {
		progress_break(p);
		snprintf(p->phase, sizeof(p->phase), "%s", phase);
		p->start = now;
		p->tenth = 0;
		p->ended = false;
	}
	tenth = (unsigned)(done * 10 / total);
	if (p->tty)
		show = fresh || end || now - p->last >= TTY_INTERVAL;
	else
		show = fresh || end || (tenth > p->tenth && now - p->last >= PLAIN_MIN_GAP) ||
		       now - p->last >= PLAIN_MAX_GAP;
	if (!show)
		return;
	p->last = now;
	p->tenth = tenth;
	format_line(p, line, sizeof(line), done, total, now);
	if (p->tty) {
		size_t n = strlen(line);

		/* blank what is left of a longer previous text */
		fprintf(p->out, "\r%s%*s", line, p->width > n ? (int)(p->width - n) : 0, "");
		p->width = n;
		p->open = true;
		if (end)
			progress_break(p);
	} else {
		fprintf(p->out, "%s\n", line);
	}
	fflush(p->out);
	p->ended = end;
}

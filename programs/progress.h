/* progress.h - the progress display of long dumps (used by report.c). */
#ifndef DS_PROGRESS_H
#define DS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;
	bool tty;               /* update one line in place (else plain lines) */
	char phase[64];         /* the phase being shown ("" before the first) */
	double start;           /* when it started, seconds */
	double last;            /* when a line was last printed */
	unsigned tenth;         /* plain lines: the last tenth printed */
	size_t width;           /* terminal: length of the line now shown */
	bool open;              /* terminal: a line without its newline yet */
	bool ended;             /* the phase reached its total (shown once) */
};

/* Show progress on out; tty chooses the display (isatty of out). */
void progress_init(struct progress *p, FILE *out, bool tty);

/* done of total units of phase at time now (seconds, monotonic): prints
 * what the display calls for, or nothing. */
void progress_update(struct progress *p, const char *phase, uint64_t done,
		     uint64_t total, double now);

/* Terminal: end a line still open (before other output), else nothing. */
void progress_break(struct progress *p);

/* "12s", "3m05s", "1h02m" */
void progress_duration(char *buf, size_t len, double seconds);

#endif

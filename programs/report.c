/* report.c - message output by makedumpfile's message levels (options.h):
 * progress and errors on stderr, common/debug/report messages on stdout.
 * The final report has the layout of makedumpfile's, so scripts and people
 * reading it find the same lines. */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "progress.h"

static unsigned level = ML_DEFAULT;
static FILE *msg_stream;   /* common, debug and report messages; NULL = stdout */

void report_set_level(unsigned message_level)
{
	level = message_level;
}

void report_to_stderr(void)
{
	msg_stream = stderr;
}

static FILE *msgs(void)
{
	return msg_stream ? msg_stream : stdout;
}

/* The phase, percentage and time left (progress.c): in place on a
 * terminal, plain lines elsewhere. */
static struct progress shown;
static bool shown_ready;

static void progress_line_end(void)
{
	if (shown_ready)
		progress_break(&shown);
}

static void vout(FILE *f, unsigned bit, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void vout(FILE *f, unsigned bit, const char *prefix, const char *fmt, va_list ap)
{
	if (!(level & bit))
		return;
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void report_common(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout(msgs(), ML_COMMON, "", fmt, ap);
	va_end(ap);
}

void report_error(const char *fmt, ...)
{
	va_list ap;

	progress_line_end();
	va_start(ap, fmt);
	vout(stderr, ML_ERROR, "dumpsieve: ", fmt, ap);
	va_end(ap);
}

void report_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout(msgs(), ML_DEBUG, "", fmt, ap);
	va_end(ap);
}

void report_notice(void *arg, const char *msg)
{
	(void)arg;
	progress_line_end();
	if (level & ML_COMMON)
		fprintf(stderr, "dumpsieve: warning: %s\n", msg);
}

/* makedumpfile's --mem-usage table, tabs and padding included: scripts and
 * people compare the two.  KERN_DATA is what stays (hwpoison and offline
 * pages count as excluded without a line of their own, as there). */
void report_mem_usage(const struct ds_report *r)
{
	FILE *out = msgs();

	if (!(level & ML_COMMON))
		return;
	fprintf(out, "\n");
	fprintf(out, "TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION\n");
	fprintf(out, "----------------------------------------------------------------------\n");
	fprintf(out, "ZERO\t\t%-16llu\tyes\t\tPages filled with zero\n",
		(unsigned long long)r->zero_pages);
	fprintf(out, "NON_PRI_CACHE\t%-16llu\tyes\t\tCache pages without private flag\n",
		(unsigned long long)r->cache_pages);
	fprintf(out, "PRI_CACHE\t%-16llu\tyes\t\tCache pages with private flag\n",
		(unsigned long long)r->cache_private_pages);
	fprintf(out, "USER\t\t%-16llu\tyes\t\tUser process pages\n",
		(unsigned long long)r->user_pages);
	fprintf(out, "FREE\t\t%-16llu\tyes\t\tFree pages\n", (unsigned long long)r->free_pages);
	fprintf(out, "KERN_DATA\t%-16llu\tno\t\tDumpable kernel data \n",
		(unsigned long long)r->remaining_pages);
	fprintf(out, "\n");
	fprintf(out, "page size:\t\t%-16lu\n", (unsigned long)r->page_size);
	fprintf(out, "Total pages on system:\t%-16llu\n", (unsigned long long)r->original_pages);
	fprintf(out, "Total size on system:\t%-16llu Byte\n",
		(unsigned long long)r->original_pages * r->page_size);
	fflush(out);
}

void report_damage(void *arg, const char *msg)
{
	(void)arg;
	report_error("warning: %s", msg);
}

void report_vmcoreinfo(void *arg, const char *text, size_t len)
{
	size_t i = 0;

	(void)arg;
	if (!(level & ML_DEBUG))
		return;
	report_debug("VMCOREINFO   :");
	while (i < len && text[i]) {
		size_t n = 0;

		while (i + n < len && text[i + n] && text[i + n] != '\n')
			n++;
		if (n) {
			report_debug("  %.*s", (int)n, text + i);
			if (n > 9 && !strncmp(text + i, "PAGESIZE=", 9))
				report_debug("page_size    : %.*s", (int)(n - 9), text + i + 9);
		}
		i += n + 1;
	}
	report_debug(" ");
}

void report_progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	struct timespec now;

	(void)arg;
	if (!(level & ML_PROGRESS))
		return;
	if (!shown_ready) {
		progress_init(&shown, stderr, isatty(STDERR_FILENO));
		shown_ready = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	progress_update(&shown, phase, done, total, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
}

void report_stats(const struct ds_report *r)
{
	FILE *out = msgs();

	if (!(level & ML_REPORT))
		return;
	fprintf(out, "\n");
	fprintf(out, "Original pages  : 0x%016llx\n", (unsigned long long)r->original_pages);
	fprintf(out, "  Excluded pages   : 0x%016llx\n", (unsigned long long)r->excluded_pages);
	fprintf(out, "    Pages filled with zero  : 0x%016llx\n", (unsigned long long)r->zero_pages);
	fprintf(out, "    Non-private cache pages : 0x%016llx\n", (unsigned long long)r->cache_pages);
	fprintf(out, "    Private cache pages     : 0x%016llx\n", (unsigned long long)r->cache_private_pages);
	fprintf(out, "    User process data pages : 0x%016llx\n", (unsigned long long)r->user_pages);
	fprintf(out, "    Free pages              : 0x%016llx\n", (unsigned long long)r->free_pages);
	fprintf(out, "    Hwpoison pages          : 0x%016llx\n", (unsigned long long)r->hwpoison_pages);
	fprintf(out, "    Offline pages           : 0x%016llx\n", (unsigned long long)r->offline_pages);
	fprintf(out, "  Remaining pages  : 0x%016llx\n", (unsigned long long)r->remaining_pages);
	if (r->original_pages)
		fprintf(out, "  (The number of pages is reduced to %llu%%.)\n",
		       (unsigned long long)(r->remaining_pages * 100 / r->original_pages));
	fprintf(out, "Memory Hole     : 0x%016llx\n", (unsigned long long)r->hole_pages);
	fprintf(out, "--------------------------------------------------\n");
	fprintf(out, "Total pages     : 0x%016llx\n", (unsigned long long)r->max_mapnr);
	fprintf(out, "Write bytes     : %llu\n", (unsigned long long)r->write_bytes);
	fprintf(out, "\n");
	fflush(out);
}

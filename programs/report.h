/* report.h - everything the command line prints: messages by level, progress,
 * the final "Excluded pages" report. */
#ifndef DS_REPORT_H
#define DS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <dumpsieve/dumpsieve.h>

void report_set_level(unsigned message_level);
/* -F: standard output carries the stream, so every message goes to stderr */
void report_to_stderr(void);
void report_common(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_notice(void *arg, const char *msg);
void report_progress(void *arg, const char *phase, uint64_t done, uint64_t total);
void report_stats(const struct ds_report *rep);
/* --mem-usage: makedumpfile's table (common level). */
void report_mem_usage(const struct ds_report *rep);
/* A damage that leaves the job incomplete (error level, as makedumpfile). */
void report_damage(void *arg, const char *msg);
/* The input's VMCOREINFO at debug level, laid out as makedumpfile prints it
 * ("VMCOREINFO   :", each line indented by two spaces): SUSE's kdump script
 * reads OSRELEASE= and CRASHTIME= from these lines. */
void report_vmcoreinfo(void *arg, const char *text, size_t len);

#endif

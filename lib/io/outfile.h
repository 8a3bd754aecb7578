/* outfile.h - DUMPFILE opened as makedumpfile opens it, and never misused.
 *
 * makedumpfile creates DUMPFILE with mode 0600, refuses an existing one
 * unless -f, and writes devices in place (`-f ... /dev/sdb`, `/dev/null`).
 * What this adds, because a collector runs as root on a machine it cannot
 * trust: only a regular file is ever truncated or removed, and only one that
 * this run created or was told to replace (-f); a FIFO or socket is refused
 * with a reason (the format needs to seek; -F is for pipes) and left alone;
 * DUMPFILE that is VMCORE (the same path, a link, another name of the same
 * inode) is refused before anything is written, by device and inode.
 */
#ifndef DS_OUTFILE_H
#define DS_OUTFILE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "../common/err.h"
#include "sink.h"

enum outfile_kind { OUTFILE_REGULAR, OUTFILE_DISK, OUTFILE_CHARDEV };

struct outfile {
	int fd;                          /* -1: closed */
	const char *path;                /* not owned */
	enum outfile_kind kind;
	bool removable;                  /* a regular file created or replaced by us */
	dev_t dev;                       /* which one, for discard */
	ino_t ino;
};

/* Would outfile_open succeed?  The same refusals and messages, checked
 * without creating or touching anything, so that a dump can check its
 * output before the work and create it only when it has something to
 * write (a run that fails before its first write leaves nothing behind, and
 * -f does not empty an old dump before a new one exists). */
int outfile_check(const char *path, bool force, const struct stat *input,
		  struct ds_err *err);

/* Open path for writing a dump.  input: the VMCORE's stat, or NULL (-R).
 * An existing regular file is truncated only here, after the checks. */
int outfile_open(struct outfile *of, const char *path, bool force,
		 const struct stat *input, struct ds_err *err);

/* A file or device sink on it. */
void outfile_sink(struct outfile *of, struct sink *s);

/* Close; the file stays (a finished or an incomplete dump). */
int outfile_close(struct outfile *of, struct ds_err *err);

/* Close and remove it when it is ours to remove (a failed dump that never
 * wrote a page); a device or a file we were not told to replace stays. */
void outfile_discard(struct outfile *of);

#endif

/* ds_err.h - status codes and the error message that travels with them.
 *
 * Every fallible library function returns int: 0 (or a count) on success,
 * -DS_E* on failure, after filling a struct ds_err with one message that
 * names what went wrong and where (file offset, pfn, address).  The library
 * never prints; programs/ turns the message into output and an exit code.
 * Callers that know more context prepend it with ds_err_wrap().
 */
#ifndef DUMPSIEVE_DS_ERR_H
#define DUMPSIEVE_DS_ERR_H

#include <stdarg.h>

enum ds_status {
	DS_OK = 0,
	DS_ESYS,        /* a system call failed; errno is in err->sys_errno */
	DS_ENOMEM,      /* out of memory */
	DS_EINVAL,      /* bad argument or option (caller's mistake) */
	DS_ECORRUPT,    /* dump data inconsistent, truncated or foreign */
	DS_ENODATA,     /* a required field or page is absent */
	DS_EUNSUPP,     /* architecture, format or codec not supported/built */
	DS_ECANCELED,   /* stopped on the caller's request (a signal) */
	DS_EREAD,       /* the input cannot give these bytes: an I/O error, or a
	                 * file shorter than its headers say (errno in sys_errno
	                 * for an I/O error) */
	DS_STATUS_MAX
};

#define DS_ERR_MSG_MAX 512

struct ds_err {
	enum ds_status status;
	int sys_errno;
	char msg[DS_ERR_MSG_MAX];
};

/* Set the error (replacing any earlier one) and return -status, so that a
 * failure is one line: return ds_err_set(err, DS_ECORRUPT, "...", ...); */
int ds_err_set(struct ds_err *err, enum ds_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ds_err_set with DS_ESYS; appends ": strerror(errno)". */
int ds_err_sys(struct ds_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend "context: " to the current message; returns -status. */
int ds_err_wrap(struct ds_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void ds_err_clear(struct ds_err *err);

#endif

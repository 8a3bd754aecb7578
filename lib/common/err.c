/* err.c - fills struct ds_err; see err.h for the conventions. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Append src to the NUL-terminated dst (capacity cap), cutting what does
 * not fit.  (snprintf/strncat here trip gcc's truncation warnings.) */
static void append(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(dst), n = strlen(src);

	if (len + 1 >= cap)
		return;
	if (n > cap - len - 1)
		n = cap - len - 1;
	memcpy(dst + len, src, n);
	dst[len + n] = '\0';
}

int ds_err_set(struct ds_err *err, enum ds_status status, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -(int)status;
}

int ds_err_sys(struct ds_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	err->status = DS_ESYS;
	err->sys_errno = saved;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	append(err->msg, sizeof(err->msg), ": ");
	append(err->msg, sizeof(err->msg), strerror(saved));
	return -(int)DS_ESYS;
}

int ds_err_wrap(struct ds_err *err, const char *fmt, ...)
{
	char joined[DS_ERR_MSG_MAX];
	va_list ap;

	/* "prefix: old message", cut at the buffer size */
	va_start(ap, fmt);
	vsnprintf(joined, sizeof(joined), fmt, ap);
	va_end(ap);
	append(joined, sizeof(joined), ": ");
	append(joined, sizeof(joined), err->msg);
	memcpy(err->msg, joined, sizeof(err->msg));
	return -(int)err->status;
}

void ds_err_clear(struct ds_err *err)
{
	err->status = DS_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

/* err.h - the library's error convention.  struct ds_err and the status
 * codes are part of the public API (include/dumpsieve/ds_err.h), because the
 * command-line front reports them. */
#ifndef DS_ERR_H
#define DS_ERR_H

#include "../../include/dumpsieve/ds_err.h"

#endif

/*
 * base/dirs.h: making a directory and its parents (mkdir -p).
 */
#ifndef BASE_DIRS_H
#define BASE_DIRS_H

#include "base/err.h"

/* Makes path and each missing parent with mode (less the umask); one
 * that exists already is fine.  ERR_EINVAL for an empty path or one of
 * 4096 bytes or more; ERR_EIO "making directory <prefix>: <reason>"
 * naming the component that could not be made. */
int dirs_make(const char *path, unsigned mode, struct err *err);

#endif

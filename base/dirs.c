/* base/dirs.c: see dirs.h. */
#include "base/dirs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int
dirs_make(const char *path, unsigned mode, struct err *err)
{
	char buf[4096];
	size_t i, len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return err_set(err, ERR_EINVAL, "bad directory '%.64s'",
		               path);
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
			return err_set(err, ERR_EIO, "making directory %s: "
			               "%s", buf, strerror(errno));
		buf[i] = i < len ? '/' : '\0';
	}
	return 0;
}

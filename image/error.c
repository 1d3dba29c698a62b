/*
 * image/error.c: set-once error of the image/ module.
 */
#include "image/error.h"

#include <stdarg.h>
#include <stdio.h>

int
img_fail(struct img_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code >= 0)
		code = IMG_ERR;
	if (e == NULL || e->code != 0)
		return code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

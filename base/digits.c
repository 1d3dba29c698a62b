/* base/digits.c: see digits.h. */
#include "base/digits.h"

int
digit_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
digit_base64(char c, bool url_too)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (url_too && c == '-'))
		return 62;
	if (c == '/' || (url_too && c == '_'))
		return 63;
	return -1;
}

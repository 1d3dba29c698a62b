/* base/uuid.c: see uuid.h. */
#include "base/uuid.h"

#include <stdio.h>
#include <sys/random.h>
#include <sys/types.h>

int
uuid_random_bytes(unsigned char *b, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(b + got, n - got, 0);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int
uuid_v4(char *buf)
{
	unsigned char b[16];

	if (uuid_random_bytes(b, sizeof(b)) != 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	         b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
	return 0;
}

int
uuid_id(char *out, size_t size, const char *prefix)
{
	char uuid[UUID_LEN + 1];

	if (uuid_v4(uuid) != 0)
		return -1;
	snprintf(out, size, "%s-%s", prefix, uuid);
	return 0;
}

bool
uuid_valid(const char *s)
{
	size_t i;

	for (i = 0; i < UUID_LEN; i++) {
		char ch = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-')
				return false;
		} else if (!((ch >= '0' && ch <= '9') ||
		             (ch >= 'a' && ch <= 'f'))) {
			return false;
		}
	}
	return s[UUID_LEN] == '\0';
}

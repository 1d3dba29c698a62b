#include "network/net.h"
#include "network/net_internal.h"

#include <stdio.h>
#include <string.h>

/* Longest textual address accepted (a full IPv6 with a dotted quad). */
#define MAX_ADDR_TEXT 45

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict dotted quad over the whole of s. */
static bool
parse_v4(uint8_t out[4], const char *s)
{
	const char *p = s;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned int v = 0;
		int digits = 0;

		if (part > 0) {
			if (*p != '.')
				return false;
			p++;
		}
		while (*p >= '0' && *p <= '9') {
			if (digits == 3)
				return false;
			v = v * 10 + (unsigned int)(*p - '0');
			digits++;
			p++;
		}
		if (digits == 0 || v > 255)
			return false;
		if (digits > 1 && p[-digits] == '0')
			return false;
		out[part] = (uint8_t)v;
	}
	return *p == '\0';
}

/* The groups of s into words (*n_out of them) and the position of its
 * "::" in *gap (-1: none); a trailing dotted quad gives two words. */
static bool
v6_words(uint16_t words[8], int *n_out, int *gap, const char *s)
{
	const char *p = s;
	int n = 0, i;

	*n_out = 0;
	*gap = -1;
	if (p[0] == ':') {
		if (p[1] != ':')
			return false;
		*gap = 0;
		p += 2;
		if (*p == '\0')
			return true;
	}
	for (;;) {
		unsigned int v = 0;
		int digits = 0;

		while (hexval(p[digits]) >= 0 && digits < 5)
			digits++;
		if (p[digits] == '.') {
			uint8_t q[4];

			if (n > 6 || !parse_v4(q, p))
				return false;
			words[n++] = (uint16_t)(q[0] << 8 | q[1]);
			words[n++] = (uint16_t)(q[2] << 8 | q[3]);
			break;
		}
		if (digits == 0 || digits > 4 || n == 8)
			return false;
		for (i = 0; i < digits; i++)
			v = v << 4 | (unsigned int)hexval(p[i]);
		words[n++] = (uint16_t)v;
		p += digits;
		if (*p == '\0')
			break;
		if (*p != ':')
			return false;
		p++;
		if (*p == ':') {
			if (*gap >= 0)
				return false;
			*gap = n;
			p++;
			if (*p == '\0')
				break;
		} else if (*p == '\0') {
			return false;
		}
	}
	*n_out = n;
	return true;
}

/* The n words, zeros filled in at gap (-1: none), as 16 bytes. */
static bool
v6_expand(uint8_t out[16], uint16_t words[8], int n, int gap)
{
	int fill, i;

	if (gap >= 0) {
		if (n > 7)
			return false;
		fill = 8 - n;
		memmove(words + gap + fill, words + gap,
		        (size_t)(n - gap) * sizeof(words[0]));
		for (i = 0; i < fill; i++)
			words[gap + i] = 0;
	} else if (n != 8) {
		return false;
	}
	for (i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(words[i] >> 8);
		out[2 * i + 1] = (uint8_t)(words[i] & 0xff);
	}
	return true;
}

static bool
parse_v6(uint8_t out[16], const char *s)
{
	uint16_t words[8];
	int n, gap;

	return v6_words(words, &n, &gap, s) && v6_expand(out, words, n, gap);
}

int
net_addr_parse(struct net_addr *out, const char *text, struct err *err)
{
	struct net_addr a;
	char q[NET__QUOTE_LEN];

	memset(&a, 0, sizeof(a));
	if (text == NULL)
		return err_set(err, ERR_EINVAL, "missing IP address");
	if (strnlen(text, MAX_ADDR_TEXT + 1) > MAX_ADDR_TEXT)
		goto invalid;
	if (strchr(text, ':') != NULL) {
		if (!parse_v6(a.b, text))
			goto invalid;
		a.family = 6;
	} else {
		if (!parse_v4(a.b, text))
			goto invalid;
		a.family = 4;
	}
	*out = a;
	return 0;
invalid:
	net__quote(q, sizeof(q), text);
	return err_set(err, ERR_EINVAL, "invalid IP address %s", q);
}

void
net_addr_format(char out[NET_ADDR_STRLEN], const struct net_addr *a)
{
	const uint8_t *b = a->b;

	if (a->family == 4) {
		snprintf(out, NET_ADDR_STRLEN, "%u.%u.%u.%u",
		         b[0], b[1], b[2], b[3]);
		return;
	}
	snprintf(out, NET_ADDR_STRLEN,
	         "%02x%02x:%02x%02x:%02x%02x:%02x%02x:"
	         "%02x%02x:%02x%02x:%02x%02x:%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	         b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void
net_addr_format_compressed(char out[NET_ADDR_STRLEN],
                           const struct net_addr *a)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	unsigned int w[8];
	int i, best = -1, bestlen = 0, run = 0;
	size_t len = 0;

	if (a->family == 4 || memcmp(a->b, mapped, sizeof(mapped)) == 0) {
		const uint8_t *b = a->family == 4 ? a->b : a->b + 12;

		snprintf(out, NET_ADDR_STRLEN, "%s%u.%u.%u.%u",
		         a->family == 4 ? "" : "::ffff:",
		         b[0], b[1], b[2], b[3]);
		return;
	}
	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)a->b[2 * i] << 8 | a->b[2 * i + 1];
		run = w[i] == 0 ? run + 1 : 0;
		if (run > bestlen) {
			bestlen = run;
			best = i - run + 1;
		}
	}
	if (bestlen < 2)
		best = -1;
	out[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (i == best) {
			len += (size_t)snprintf(out + len,
			                        NET_ADDR_STRLEN - len, "::");
			i += bestlen - 1;
			continue;
		}
		len += (size_t)snprintf(out + len, NET_ADDR_STRLEN - len,
		                        "%s%x",
		                        (i == 0 || i == best + bestlen) ?
		                        "" : ":", w[i]);
	}
}

int
net_addr_normalize(char out[NET_ADDR_STRLEN], const char *text,
                   struct err *err)
{
	struct net_addr a;
	int rc;

	rc = net_addr_parse(&a, text, err);
	if (rc < 0)
		return rc;
	net_addr_format(out, &a);
	return 0;
}

bool
net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->b, b->b, (size_t)net_addr_bits(a->family) / 8) == 0;
}

int
net_addr_bits(int family)
{
	return family == 4 ? 32 : 128;
}

int
net_netmask_to_prefix(int *out, const struct net_addr *mask,
                      struct err *err)
{
	int nbytes = net_addr_bits(mask->family) / 8;
	int i, bit, prefix = 0;
	bool zero_seen = false;
	char text[NET_ADDR_STRLEN];

	for (i = 0; i < nbytes; i++) {
		for (bit = 7; bit >= 0; bit--) {
			bool one = (mask->b[i] >> bit) & 1;

			if (one && zero_seen)
				goto noncontiguous;
			if (one)
				prefix++;
			else
				zero_seen = true;
		}
	}
	*out = prefix;
	return 0;
noncontiguous:
	net_addr_format(text, mask);
	return err_set(err, ERR_EINVAL, "netmask %s is not contiguous",
	               text);
}

int
net_prefix_to_netmask(struct net_addr *out, int family, int prefix,
                      struct err *err)
{
	struct net_addr m;
	int i;

	if ((family != 4 && family != 6) || prefix < 0 ||
	    prefix > net_addr_bits(family))
		return err_set(err, ERR_EINVAL,
		               "prefix length %d out of range for IPv%d",
		               prefix, family);
	memset(&m, 0, sizeof(m));
	m.family = family;
	for (i = 0; i < prefix; i++)
		m.b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	*out = m;
	return 0;
}

int
net_prefix_parse(int *out, const char *text, int family,
                 struct err *err)
{
	int max = family == 4 ? 32 : 128;
	int v = 0;
	size_t i, len;
	char q[NET__QUOTE_LEN];

	if (text == NULL)
		return err_set(err, ERR_EINVAL, "missing prefix");
	len = strnlen(text, 4);
	if (len == 0 || len > 3 || (len > 1 && text[0] == '0'))
		goto invalid;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			goto invalid;
		v = v * 10 + (text[i] - '0');
	}
	if (v > max)
		goto invalid;
	*out = v;
	return 0;
invalid:
	net__quote(q, sizeof(q), text);
	if (family == 4 || family == 6)
		return err_set(err, ERR_EINVAL,
		               "invalid prefix %s (want 0..%d for IPv%d)",
		               q, max, family);
	return err_set(err, ERR_EINVAL,
	               "invalid prefix %s (want 0..%d)", q, max);
}

void
net_addr_network(struct net_addr *out, const struct net_addr *a, int prefix)
{
	struct net_addr r = *a;
	int bits = net_addr_bits(a->family);
	int i;

	if (prefix < 0)
		prefix = 0;
	for (i = prefix; i < bits; i++)
		r.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	*out = r;
}

bool
net_addr_in_subnet(const struct net_addr *a, const struct net_addr *net,
                   int prefix)
{
	struct net_addr x, y;

	if (a->family != net->family || prefix < 0 ||
	    prefix > net_addr_bits(a->family))
		return false;
	net_addr_network(&x, a, prefix);
	net_addr_network(&y, net, prefix);
	return net_addr_equal(&x, &y);
}

/* network/json.c: text buffer, JSON string escaping, UTF-8 and JSON
 * fragment checks for the documents network/ writes. */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

static bool
buf_reserve(struct net__buf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap < 256 ? 256 : b->cap;
	while (cap < want) {
		if (cap > SIZE_MAX / 2) {
			cap = want;
			break;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (p == NULL)
		goto fail;
	b->p = p;
	b->cap = cap;
	return true;
fail:
	b->oom = true;
	return false;
}

void
net__buf_put(struct net__buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
net__buf_puts(struct net__buf *b, const char *s)
{
	net__buf_put(b, s, strlen(s));
}

int
net__buf_json_string(struct net__buf *b, const char *s, const char *what,
                     struct net_error *err)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start, n;
	char esc[8];

	if (s == NULL)
		return net_error_set(err, NET_EINVAL, "%s missing", what);
	n = strlen(s);
	if (!net__utf8_valid(s, n))
		return net_error_set(err, NET_EINVAL,
		                     "%s is not valid UTF-8", what);
	net__buf_put(b, "\"", 1);
	start = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\b': rep = "\\b"; break;
		case '\f': rep = "\\f"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			esc[6] = '\0';
			rep = esc;
			break;
		}
		net__buf_put(b, s + start, i - start);
		net__buf_puts(b, rep);
		start = i + 1;
	}
	net__buf_put(b, s + start, n - start);
	net__buf_put(b, "\"", 1);
	return 0;
}

int
net__buf_finish(char **out, struct net__buf *b, struct net_error *err)
{
	if (b->oom || b->p == NULL) {
		net__buf_free(b);
		return net_error_set(err, NET_ENOMEM, "out of memory");
	}
	*out = b->p;
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return 0;
}

void
net__buf_free(struct net__buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->oom = false;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

bool
net__utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		len = utf8_seq(p + i, n - i);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

/* A small recursive-descent JSON syntax checker. */
struct jcheck {
	const unsigned char *s;
	size_t n;
	size_t pos;
};

static bool jvalue(struct jcheck *j, int depth);

static void
jspace(struct jcheck *j)
{
	while (j->pos < j->n) {
		unsigned char c = j->s[j->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		j->pos++;
	}
}

static bool
jlit(struct jcheck *j, const char *word)
{
	size_t len = strlen(word);

	if (j->n - j->pos < len || memcmp(j->s + j->pos, word, len) != 0)
		return false;
	j->pos += len;
	return true;
}

static bool
jstring(struct jcheck *j)
{
	size_t len;
	int k;

	if (j->pos >= j->n || j->s[j->pos] != '"')
		return false;
	j->pos++;
	while (j->pos < j->n) {
		unsigned char c = j->s[j->pos];

		if (c == '"') {
			j->pos++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->pos++;
			if (j->pos >= j->n)
				return false;
			c = j->s[j->pos];
			if (c == 'u') {
				for (k = 1; k <= 4; k++) {
					if (j->pos + (size_t)k >= j->n)
						return false;
					if (!strchr("0123456789abcdefABCDEF",
					            j->s[j->pos + (size_t)k]) ||
					    j->s[j->pos + (size_t)k] == '\0')
						return false;
				}
				j->pos += 5;
				continue;
			}
			if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
				return false;
			j->pos++;
			continue;
		}
		len = utf8_seq(j->s + j->pos, j->n - j->pos);
		if (len == 0)
			return false;
		j->pos += len;
	}
	return false;
}

static bool
jdigits(struct jcheck *j)
{
	size_t start = j->pos;

	while (j->pos < j->n && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
		j->pos++;
	return j->pos > start;
}

static bool
jnumber(struct jcheck *j)
{
	if (j->pos < j->n && j->s[j->pos] == '-')
		j->pos++;
	if (j->pos < j->n && j->s[j->pos] == '0')
		j->pos++;
	else if (!jdigits(j))
		return false;
	if (j->pos < j->n && j->s[j->pos] == '.') {
		j->pos++;
		if (!jdigits(j))
			return false;
	}
	if (j->pos < j->n && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->n &&
		    (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (!jdigits(j))
			return false;
	}
	return true;
}

static bool
jcontainer(struct jcheck *j, int depth, bool object)
{
	unsigned char close = object ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return false;
	j->pos++;
	jspace(j);
	if (j->pos < j->n && j->s[j->pos] == close) {
		j->pos++;
		return true;
	}
	for (;;) {
		if (object) {
			if (!jstring(j))
				return false;
			jspace(j);
			if (j->pos >= j->n || j->s[j->pos] != ':')
				return false;
			j->pos++;
			jspace(j);
		}
		if (!jvalue(j, depth + 1))
			return false;
		jspace(j);
		if (j->pos >= j->n)
			return false;
		if (j->s[j->pos] == close) {
			j->pos++;
			return true;
		}
		if (j->s[j->pos] != ',')
			return false;
		j->pos++;
		jspace(j);
	}
}

static bool
jvalue(struct jcheck *j, int depth)
{
	if (j->pos >= j->n)
		return false;
	switch (j->s[j->pos]) {
	case '{':
		return jcontainer(j, depth, true);
	case '[':
		return jcontainer(j, depth, false);
	case '"':
		return jstring(j);
	case 't':
		return jlit(j, "true");
	case 'f':
		return jlit(j, "false");
	case 'n':
		return jlit(j, "null");
	default:
		return jnumber(j);
	}
}

int
net__json_check(const char *text, enum net__json_kind kind,
                const char *what, struct net_error *err)
{
	struct jcheck j;
	unsigned char first;

	if (text == NULL)
		return net_error_set(err, NET_EINVAL, "%s is missing", what);
	j.s = (const unsigned char *)text;
	j.n = strlen(text);
	j.pos = 0;
	jspace(&j);
	first = j.pos < j.n ? j.s[j.pos] : 0;
	if (first != '{' && !(kind == NET__JSON_STRING_OR_OBJECT &&
	                      first == '"'))
		return net_error_set(err, NET_EINVAL, "%s must be a JSON %s",
		                     what, kind == NET__JSON_OBJECT ?
		                     "object" : "string or object");
	if (!jvalue(&j, 0))
		goto bad;
	jspace(&j);
	if (j.pos != j.n)
		goto bad;
	return 0;
bad:
	return net_error_set(err, NET_EINVAL,
	                     "%s is not valid JSON (at byte %zu)", what, j.pos);
}

void
net__quote(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (cap < 8) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	if (s == NULL) {
		snprintf(out, cap, "(null)");
		return;
	}
	out[o++] = '"';
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 4 + 5 > cap) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

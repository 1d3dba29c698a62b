/*
 * vsphere/fixture.c: fixture files, redaction and masking (format in
 * fixture.h).
 */
#include "vsphere/fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- buffer ------------------------------------------------------- */

void
vs_fixture_buf_add(struct vs_fixture_buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return;
	if (n > VS_FIXTURE_MAX_BODY * 4 || b->len + n + 1 < b->len) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
vs_fixture_buf_adds(struct vs_fixture_buf *b, const char *s)
{
	vs_fixture_buf_add(b, s, strlen(s));
}

void
vs_fixture_buf_addf(struct vs_fixture_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = true;
		return;
	}
	vs_fixture_buf_add(b, tmp, (size_t)n);
}

int
vs_fixture_buf_take(char **out, size_t *len_out, struct vs_fixture_buf *b,
                    struct vs_error *err)
{
	vs_fixture_buf_add(b, "", 0);
	if (b->failed || b->data == NULL) {
		vs_fixture_buf_clear(b);
		return vs_error_set(err, VS_ENOMEM, "fixture: out of memory");
	}
	*out = b->data;
	if (len_out != NULL)
		*len_out = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return 0;
}

void
vs_fixture_buf_clear(struct vs_fixture_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

/* --- small scanning helpers --------------------------------------- */

static bool
has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && memcmp(s, prefix, pl) == 0;
}

/* Offset of needle in s[0..n), or n when absent. */
static size_t
find(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle), i;

	if (nl == 0 || nl > n)
		return n;
	for (i = 0; i + nl <= n; i++) {
		if (s[i] == needle[0] && memcmp(s + i, needle, nl) == 0)
			return i;
	}
	return n;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == ':' || (unsigned char)c >= 0x80;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* End of the tag starting at s[0] == '<' (offset just past '>'), quotes
 * respected; n when unterminated. */
static size_t
tag_end(const char *s, size_t n)
{
	char quote = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '>') {
			return i + 1;
		}
	}
	return n;
}

/* --- redaction ---------------------------------------------------- */

/* Elements whose whole text is replaced, by local name (any prefix). */
static const char *const redact_elements[] = {
	"password",       /* Login, CustomizationPassword holder */
	"adminPassword",  /* guest customization */
	"newPassword",    /* ChangePassword */
	"oldPassword",    /* ChangePassword */
	"sessionID",      /* SessionIsActive */
	"sessionId",      /* TerminateSession */
	"privateKey",     /* certificate / key material */
	NULL,
};

/* Elements inside which a <key> child is a session key. */
static const char *const session_elements[] = {
	"LoginResponse",                        /* Login */
	"LoginByTokenResponse",                 /* SSO login */
	"LoginExtensionByCertificateResponse",  /* extension login */
	"ImpersonateUserResponse",
	"currentSession",                       /* SessionManager property */
	NULL,
};

#define USERDATA_KEY "guestinfo.userdata"
#define USERDATA_KEEP "guestinfo.userdata.encoding"

static bool
name_in(const char *name, size_t len, const char *const *table)
{
	size_t i;

	for (i = 0; table[i] != NULL; i++) {
		if (strlen(table[i]) == len && memcmp(table[i], name, len) == 0)
			return true;
	}
	return false;
}

/* Does the tag text carry an attribute value "UserSession" (xsi:type,
 * any prefix on the value)? */
static bool
tag_is_user_session(const char *tag, size_t n)
{
	static const char word[] = "UserSession";
	size_t wl = sizeof(word) - 1, i;

	for (i = 1; i + wl + 1 < n; i++) {
		if (memcmp(tag + i, word, wl) != 0)
			continue;
		if ((tag[i - 1] == '"' || tag[i - 1] == '\'' ||
		     tag[i - 1] == ':') &&
		    (tag[i + wl] == '"' || tag[i + wl] == '\''))
			return true;
	}
	return false;
}

/* Offset of the close tag "</qname" matching an element whose content
 * starts at s[0]; nested same-name elements, comments and CDATA are
 * skipped.  n when there is none. */
static size_t
find_close(const char *s, size_t n, const char *qname, size_t ql)
{
	size_t i = 0, e;
	int nest = 0;

	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (has_prefix(s + i, n - i, "<![CDATA[")) {
			e = find(s + i, n - i, "]]>");
			i = e == n - i ? n : i + e + 3;
			continue;
		}
		if (has_prefix(s + i, n - i, "<!--")) {
			e = find(s + i, n - i, "-->");
			i = e == n - i ? n : i + e + 3;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '/' && i + 2 + ql <= n &&
		    memcmp(s + i + 2, qname, ql) == 0 &&
		    (i + 2 + ql == n || !is_name_char(s[i + 2 + ql]))) {
			if (nest == 0)
				return i;
			nest--;
		} else if (i + 1 + ql <= n &&
		           memcmp(s + i + 1, qname, ql) == 0 &&
		           (i + 1 + ql == n ||
		            !is_name_char(s[i + 1 + ql]))) {
			e = tag_end(s + i, n - i);
			if (e < 2 || s[i + e - 2] != '/')
				nest++;
		}
		i++;
	}
	return n;
}

struct redactor {
	struct vs_fixture_buf *out;
	int depth;
	int session_depth;   /* >0: inside a session element at this depth */
	int userdata_depth;  /* >0: a <value> at this depth is redacted */
};

/* Text of the element starting at s (up to the next '<'), trimmed. */
static void
element_text(const char **t, size_t *tl, const char *s, size_t n)
{
	size_t e = 0;

	while (e < n && s[e] != '<')
		e++;
	while (e > 0 && is_space(s[e - 1]))
		e--;
	while (e > 0 && is_space(*s)) {
		s++;
		e--;
	}
	*t = s;
	*tl = e;
}

/* Handles the start tag at s[0] (tag length tl, rest of input n);
 * returns how many bytes were consumed. */
static size_t
redact_start_tag(struct redactor *r, const char *s, size_t tl, size_t n)
{
	const char *qname = s + 1, *local, *text;
	size_t ql = 0, ll, textl, close, i;
	bool self_closing = tl >= 2 && s[tl - 2] == '/';
	bool redact = false;

	while (1 + ql < tl && is_name_char(qname[ql]))
		ql++;
	local = qname;
	for (i = 0; i < ql; i++) {
		if (qname[i] == ':')
			local = qname + i + 1;
	}
	ll = (size_t)(qname + ql - local);
	vs_fixture_buf_add(r->out, s, tl);
	if (self_closing || ql == 0)
		return tl;
	r->depth++;
	if (r->session_depth == 0 &&
	    (name_in(local, ll, session_elements) ||
	     tag_is_user_session(s, tl)))
		r->session_depth = r->depth;
	if (name_in(local, ll, redact_elements))
		redact = true;
	if (r->session_depth > 0 && ll == 3 && memcmp(local, "key", 3) == 0)
		redact = true;
	if (r->userdata_depth == r->depth && ll == 5 &&
	    memcmp(local, "value", 5) == 0) {
		redact = true;
		r->userdata_depth = 0;
	}
	if (!redact && ll == 3 && memcmp(local, "key", 3) == 0) {
		element_text(&text, &textl, s + tl, n - tl);
		r->userdata_depth = 0;
		if (has_prefix(text, textl, USERDATA_KEY) &&
		    !(textl == strlen(USERDATA_KEEP) &&
		      has_prefix(text, textl, USERDATA_KEEP)))
			r->userdata_depth = r->depth;
	}
	if (!redact)
		return tl;
	close = find_close(s + tl, n - tl, qname, ql);
	vs_fixture_buf_adds(r->out, VS_FIXTURE_REDACTED);
	return tl + close;
}

static void
redact_close_tag(struct redactor *r)
{
	if (r->depth > 0)
		r->depth--;
	if (r->session_depth > r->depth)
		r->session_depth = 0;
	if (r->userdata_depth > r->depth + 1)
		r->userdata_depth = 0;
}

/* Pass 1: element-based rules. */
static void
redact_elements_pass(struct vs_fixture_buf *out, const char *s, size_t n)
{
	struct redactor r = { out, 0, 0, 0 };
	size_t i = 0, e, run;

	while (i < n) {
		if (s[i] != '<') {
			run = 0;
			while (i + run < n && s[i + run] != '<')
				run++;
			vs_fixture_buf_add(out, s + i, run);
			i += run;
			continue;
		}
		if (has_prefix(s + i, n - i, "<![CDATA[")) {
			e = find(s + i, n - i, "]]>");
			e = e == n - i ? n - i : e + 3;
		} else if (has_prefix(s + i, n - i, "<!--")) {
			e = find(s + i, n - i, "-->");
			e = e == n - i ? n - i : e + 3;
		} else if (has_prefix(s + i, n - i, "<?")) {
			e = find(s + i, n - i, "?>");
			e = e == n - i ? n - i : e + 2;
		} else if (has_prefix(s + i, n - i, "<!")) {
			e = tag_end(s + i, n - i);
		} else if (has_prefix(s + i, n - i, "</")) {
			e = tag_end(s + i, n - i);
			redact_close_tag(&r);
		} else {
			e = tag_end(s + i, n - i);
			e = redact_start_tag(&r, s + i, e, n - i);
			i += e;
			continue;
		}
		vs_fixture_buf_add(out, s + i, e);
		i += e;
	}
}

/* vmware_soap_session=VALUE (optionally quoted) -> REDACTED. */
static void
redact_cookies(struct vs_fixture_buf *b)
{
	static const char name[] = "vmware_soap_session=";
	struct vs_fixture_buf out = { 0 };
	size_t i = 0, start = 0, nl = sizeof(name) - 1, v;
	const char *d;

	if (b->failed || b->len < nl)
		return;
	d = b->data;
	while (i + nl <= b->len) {
		if (memcmp(d + i, name, nl) != 0) {
			i++;
			continue;
		}
		v = i + nl;
		if (has_prefix(d + v, b->len - v, "&quot;"))
			v += 6;
		else if (has_prefix(d + v, b->len - v, "&#34;"))
			v += 5;
		else if (v < b->len && (d[v] == '"' || d[v] == '\''))
			v++;
		vs_fixture_buf_add(&out, d + start, v - start);
		vs_fixture_buf_adds(&out, VS_FIXTURE_REDACTED);
		while (v < b->len && !is_space(d[v]) &&
		       strchr(";,\"'<&", d[v]) == NULL)
			v++;
		i = start = v;
	}
	vs_fixture_buf_add(&out, d + start, b->len - start);
	if (out.failed) {
		vs_fixture_buf_clear(&out);
		b->failed = true;
		return;
	}
	free(b->data);
	*b = out;
}

/* --- secrets and their forms ------------------------------------- */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code point of the UTF-8 sequence at s (*len bytes); a byte that
 * starts no valid sequence stands for itself (len 1). */
static unsigned long
utf8_at(const unsigned char *s, size_t *len)
{
	unsigned long cp;
	size_t n, k;

	if (s[0] < 0xc2 || s[0] > 0xf4) {
		*len = 1;
		return s[0];
	}
	n = s[0] >= 0xf0 ? 3 : s[0] >= 0xe0 ? 2 : 1;
	cp = s[0] & (0x3f >> n);
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80) {
			*len = 1;
			return s[0];
		}
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	*len = n + 1;
	return cp;
}

/* An XML character reference &#N; or &#xH; for cp at t: its length, or
 * 0. */
static size_t
xml_charref(const char *t, size_t n, unsigned long cp)
{
	unsigned long v = 0;
	size_t j = 2;
	bool hex;

	if (n < 4 || t[0] != '&' || t[1] != '#')
		return 0;
	hex = t[2] == 'x' || t[2] == 'X';
	if (hex)
		j++;
	if (j >= n || t[j] == ';')
		return 0;
	for (; j < n && t[j] != ';'; j++) {
		int d = hex ? hex_value(t[j]) : is_digit(t[j]) ? t[j] - '0' : -1;

		if (d < 0 || v > 0x10ffff)
			return 0;
		v = v * (hex ? 16 : 10) + (unsigned long)d;
	}
	return j < n && v == cp ? j + 1 : 0;
}

/* A JSON \uXXXX escape (a surrogate pair above U+FFFF) for cp at t. */
static size_t
json_uescape(const char *t, size_t n, unsigned long cp)
{
	unsigned long u[2] = { 0, 0 };
	size_t k, i, units = cp > 0xffff ? 2 : 1;

	if (n < 6 * units)
		return 0;
	for (k = 0; k < units; k++) {
		if (t[6 * k] != '\\' || t[6 * k + 1] != 'u')
			return 0;
		for (i = 2; i < 6; i++) {
			int d = hex_value(t[6 * k + i]);

			if (d < 0)
				return 0;
			u[k] = u[k] * 16 + (unsigned long)d;
		}
	}
	if (units == 1)
		return u[0] == cp ? 6 : 0;
	if (u[0] < 0xd800 || u[0] > 0xdbff || u[1] < 0xdc00 || u[1] > 0xdfff)
		return 0;
	return 0x10000 + ((u[0] - 0xd800) << 10) + (u[1] - 0xdc00) == cp ?
	       12 : 0;
}

/* The byte b at t as %XX (either case): 3, or 0. */
static size_t
pct_byte(const char *t, size_t n, unsigned char b)
{
	int hi, lo;

	if (n < 3 || t[0] != '%')
		return 0;
	hi = hex_value(t[1]);
	lo = hex_value(t[2]);
	return hi >= 0 && lo >= 0 && (unsigned)(hi * 16 + lo) == b ? 3 : 0;
}

/* The ways text at t[0..n) can spell the secret's next character at s:
 * len[k] text bytes standing for the secret up to next[k].  Returns how
 * many (at most 8); the plain byte first. */
static size_t
secret_step(size_t len[8], const unsigned char *next[8], const char *t,
            size_t n, const unsigned char *s)
{
	static const struct {
		char c;
		const char *xml, *json;
	} named[] = {
		{ '&', "&amp;", NULL }, { '<', "&lt;", NULL },
		{ '>', "&gt;", NULL }, { '"', "&quot;", "\\\"" },
		{ '\'', "&apos;", NULL }, { '\\', NULL, "\\\\" },
		{ '/', NULL, "\\/" }, { '\b', NULL, "\\b" },
		{ '\f', NULL, "\\f" }, { '\n', NULL, "\\n" },
		{ '\r', NULL, "\\r" }, { '\t', NULL, "\\t" },
	};
	size_t na = 0, bl, i, m;
	unsigned long cp;

	if (n == 0)
		return 0;
	/* byte by byte: as is, %XX, '+' for a space */
	if (t[0] == (char)s[0]) {
		len[na] = 1;
		next[na++] = s + 1;
	}
	if ((m = pct_byte(t, n, s[0])) > 0) {
		len[na] = m;
		next[na++] = s + 1;
	}
	if (s[0] == ' ' && t[0] == '+') {
		len[na] = 1;
		next[na++] = s + 1;
	}
	/* a whole character escaped (not from inside a UTF-8 sequence) */
	if ((s[0] & 0xc0) == 0x80 || (t[0] != '&' && t[0] != '\\'))
		return na;
	cp = utf8_at(s, &bl);
	m = t[0] == '&' ? xml_charref(t, n, cp) : json_uescape(t, n, cp);
	if (m > 0) {
		len[na] = m;
		next[na++] = s + bl;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		const char *e = t[0] == '&' ? named[i].xml : named[i].json;

		if (e != NULL && cp == (unsigned char)named[i].c &&
		    has_prefix(t, n, e)) {
			len[na] = strlen(e);
			next[na++] = s + bl;
		}
	}
	return na;
}

/*
 * THE definition of the forms a secret takes in a recording: how text at
 * t[0..n) spells the secret s, as the length of the match (0: it does
 * not).  Each character of s may appear
 *   - as itself;
 *   - XML-escaped: &amp; &lt; &gt; &quot; &apos; or a character reference
 *     &#N; / &#xH;  (libxml2 escapes &<> in element text and leaves the
 *     quotes; in attributes it also writes &quot; &#9; &#10; &#13;; Go's
 *     encoding/xml, i.e. the simulator, writes &#34; &#39; &#xA; ...);
 *   - percent-encoded, %XX in either case per byte, '+' for a space (a
 *     URL or query);
 *   - JSON-escaped: \" \\ \/ \b \f \n \r \t or \uXXXX (a surrogate pair
 *     above U+FFFF);
 * in any mix, so no writer's choice of what to escape can hide it.  Where
 * two spellings fit (a '&' of the secret before "&amp;" in the text), the
 * others are tried before the plain one, up to 64 such places deep.
 */
static size_t
secret_at(const char *t, size_t n, const unsigned char *s, int depth)
{
	const unsigned char *next[8];
	size_t j = 0, len[8], na, k, r;

	while (*s != '\0') {
		na = secret_step(len, next, t + j, n - j, s);
		if (na == 0)
			return 0;
		for (k = 1; k < na && depth < 64; k++) {
			r = *next[k] == '\0' ? len[k] :
			    secret_at(t + j + len[k], n - j - len[k], next[k],
			              depth + 1);
			if (r > 0)
				return j + len[k] + (*next[k] == '\0' ? 0 : r);
		}
		j += len[0];
		s = next[0];
	}
	return j;
}

size_t
vs_secret_at(const char *t, size_t n, const char *secret)
{
	if (t == NULL || secret == NULL || secret[0] == '\0')
		return 0;
	return secret_at(t, n, (const unsigned char *)secret, 0);
}

static int
secret_cmp(const void *a, const void *b)
{
	size_t x = strlen(*(const char *const *)a);
	size_t y = strlen(*(const char *const *)b);

	return x == y ? 0 : x < y ? 1 : -1;
}

/* Pass 2: secrets from the caller in any of their forms (secret_at()),
 * longest first so that a secret that contains another is replaced
 * whole. */
static void
redact_secrets(struct vs_fixture_buf *b, const char *const *secrets)
{
	struct vs_fixture_buf out = { 0 };
	const char **sorted = NULL;
	size_t count, n = 0, i, k, start = 0, m;
	bool first[256];

	for (count = 0; secrets != NULL && secrets[count] != NULL; count++)
		;
	if (count == 0 || b->failed || b->len == 0)
		return;
	if (count > 4096) {
		b->failed = true;
		return;
	}
	sorted = calloc(count, sizeof(*sorted));
	if (sorted == NULL) {
		b->failed = true;
		return;
	}
	for (i = 0; i < count; i++)
		if (secrets[i][0] != '\0')
			sorted[n++] = secrets[i];
	qsort(sorted, n, sizeof(*sorted), secret_cmp);
	/* Bytes a spelling can start with: a secret's first, or an escape. */
	memset(first, 0, sizeof(first));
	first['%'] = first['&'] = first['\\'] = first['+'] = true;
	for (k = 0; k < n; k++)
		first[(unsigned char)sorted[k][0]] = true;
	for (i = 0; i < b->len;) {
		if (!first[(unsigned char)b->data[i]]) {
			i++;
			continue;
		}
		for (k = 0, m = 0; m == 0 && k < n; k++)
			m = secret_at(b->data + i, b->len - i,
			              (const unsigned char *)sorted[k], 0);
		if (m == 0) {
			i++;
			continue;
		}
		vs_fixture_buf_add(&out, b->data + start, i - start);
		vs_fixture_buf_adds(&out, VS_FIXTURE_REDACTED);
		i += m;
		start = i;
	}
	free(sorted);
	if (start == 0) {
		vs_fixture_buf_clear(&out);
		return;
	}
	vs_fixture_buf_add(&out, b->data + start, b->len - start);
	if (out.failed) {
		vs_fixture_buf_clear(&out);
		b->failed = true;
		return;
	}
	free(b->data);
	*b = out;
}

int
vs_fixture_redact(char **out, size_t *out_len, const char *in, size_t len,
                  const char *const *secrets, struct vs_error *err)
{
	struct vs_fixture_buf b = { 0 };

	if (in == NULL)
		len = 0;
	if (len > 0)
		redact_elements_pass(&b, in, len);
	redact_cookies(&b);
	redact_secrets(&b, secrets);
	return vs_fixture_buf_take(out, out_len, &b, err);
}

/* --- masking ------------------------------------------------------ */

/* A matcher looks at s[i..n); when it matches it appends the
 * replacement to out and returns how many input bytes it consumed. */
typedef size_t (*mask_fn)(struct vs_fixture_buf *out, const char *s,
                          size_t n, size_t i);

static size_t
mask_session(struct vs_fixture_buf *out, const char *s, size_t n, size_t i)
{
	size_t j;

	if (!has_prefix(s + i, n - i, "session["))
		return 0;
	for (j = i + 8; j < n && j < i + 300; j++) {
		if (s[j] == ']' || s[j] == '<' || is_space(s[j]))
			break;
	}
	if (j >= n || s[j] != ']')
		return 0;
	j++;
	while (j < n && (is_hex(s[j]) || s[j] == '-' ||
	                 (s[j] >= 'g' && s[j] <= 'z') ||
	                 (s[j] >= 'G' && s[j] <= 'Z') || s[j] == '_'))
		j++;
	vs_fixture_buf_adds(out, "<session>");
	return j - i;
}

static bool
is_path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '-' || c == '.' || c == '~' ||
	       c == '/';
}

static size_t
govcsim_token_end(const char *s, size_t n, size_t j)
{
	j += 8;  /* "govcsim-" */
	while (j < n && ((s[j] >= 'a' && s[j] <= 'z') ||
	                 (s[j] >= 'A' && s[j] <= 'Z') || is_digit(s[j]) ||
	                 s[j] == '_' || s[j] == '-'))
		j++;
	return j;
}

static size_t
mask_govcsim(struct vs_fixture_buf *out, const char *s, size_t n, size_t i)
{
	size_t j, k;

	if (has_prefix(s + i, n - i, "govcsim-")) {
		j = govcsim_token_end(s, n, i);
		vs_fixture_buf_adds(out, "<govcsim>");
		return j - i;
	}
	/* A temp directory path in front of it: /tmp/govcsim-… */
	if (s[i] != '/' || (i > 0 && is_path_char(s[i - 1])))
		return 0;
	for (j = i; j < n && is_path_char(s[j]); j++) {
		if (s[j] == '/' && has_prefix(s + j + 1, n - j - 1,
		                              "govcsim-")) {
			k = govcsim_token_end(s, n, j + 1);
			vs_fixture_buf_adds(out, "<govcsim>");
			return k - i;
		}
	}
	return 0;
}

static size_t
mask_uuid(struct vs_fixture_buf *out, const char *s, size_t n, size_t i)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t j = i, g;
	int k;

	/* not the tail of a longer hex run; a name prefix such as "vm-"
	 * is fine */
	if (i > 0 && is_hex(s[i - 1]))
		return 0;
	for (g = 0; g < 5; g++) {
		for (k = 0; k < groups[g]; k++, j++) {
			if (j >= n || !is_hex(s[j]))
				return 0;
		}
		if (g < 4) {
			if (j >= n || s[j] != '-')
				return 0;
			j++;
		}
	}
	if (j < n && is_hex(s[j]))
		return 0;
	vs_fixture_buf_adds(out, "<uuid>");
	return j - i;
}

static bool
digits_at(const char *s, size_t n, size_t j, size_t count)
{
	size_t k;

	for (k = 0; k < count; k++) {
		if (j + k >= n || !is_digit(s[j + k]))
			return false;
	}
	return true;
}

static size_t
mask_time(struct vs_fixture_buf *out, const char *s, size_t n, size_t i)
{
	size_t j = i;

	if (i > 0 && is_digit(s[i - 1]))
		return 0;
	/* YYYY-MM-DDTHH:MM:SS */
	if (!digits_at(s, n, j, 4) || j + 19 > n || s[j + 4] != '-' ||
	    !digits_at(s, n, j + 5, 2) || s[j + 7] != '-' ||
	    !digits_at(s, n, j + 8, 2) || s[j + 10] != 'T' ||
	    !digits_at(s, n, j + 11, 2) || s[j + 13] != ':' ||
	    !digits_at(s, n, j + 14, 2) || s[j + 16] != ':' ||
	    !digits_at(s, n, j + 17, 2))
		return 0;
	j += 19;
	if (j < n && s[j] == '.') {
		j++;
		while (j < n && is_digit(s[j]))
			j++;
	}
	if (j < n && s[j] == 'Z') {
		j++;
	} else if (j + 6 <= n && (s[j] == '+' || s[j] == '-') &&
	           digits_at(s, n, j + 1, 2) && s[j + 3] == ':' &&
	           digits_at(s, n, j + 4, 2)) {
		j += 6;
	}
	vs_fixture_buf_adds(out, "<time>");
	return j - i;
}

static size_t
mask_url_port(struct vs_fixture_buf *out, const char *s, size_t n, size_t i)
{
	size_t j = i + 3, d;

	if (!has_prefix(s + i, n - i, "://"))
		return 0;
	if (j < n && s[j] == '[') {
		while (j < n && j < i + 64 && s[j] != ']')
			j++;
		if (j >= n || s[j] != ']')
			return 0;
		j++;
	} else {
		while (j < n && ((s[j] >= 'a' && s[j] <= 'z') ||
		                 (s[j] >= 'A' && s[j] <= 'Z') ||
		                 is_digit(s[j]) || s[j] == '.' ||
		                 s[j] == '-' || s[j] == '*'))
			j++;
	}
	if (j >= n || s[j] != ':' || j + 1 >= n || !is_digit(s[j + 1]))
		return 0;
	for (d = j + 1; d < n && is_digit(s[d]); d++)
		;
	vs_fixture_buf_add(out, s + i, j + 1 - i);
	vs_fixture_buf_adds(out, "<port>");
	return d - i;
}

static size_t
mask_sensitive_size(struct vs_fixture_buf *out, const char *s, size_t n,
                    size_t i)
{
	size_t j = i + 10, d;

	if (!has_prefix(s + i, n - i, "<sensitive"))
		return 0;
	while (j < n && j < i + 40 && s[j] != ':')
		j++;
	if (j + 2 >= n || s[j] != ':' || s[j + 1] != ' ' ||
	    !is_digit(s[j + 2]))
		return 0;
	for (d = j + 2; d < n && is_digit(s[d]); d++)
		;
	vs_fixture_buf_add(out, s + i, j + 2 - i);
	vs_fixture_buf_adds(out, "<n>");
	return d - i;
}

/* create_vm's creating mark is the time of the call (vsphere/create.h):
 * "<key>bosh.creating</key><value …>N" -> N = <epoch> */
static size_t
mask_creating(struct vs_fixture_buf *out, const char *s, size_t n,
              size_t i)
{
	static const char head[] = "<key>bosh.creating</key><value";
	size_t j = i + sizeof(head) - 1, d;

	if (!has_prefix(s + i, n - i, head))
		return 0;
	while (j < n && j < i + 80 && s[j] != '>' && s[j] != '<')
		j++;
	if (j + 1 >= n || s[j] != '>' || s[j - 1] == '/' ||
	    !is_digit(s[j + 1]))
		return 0;
	for (d = j + 1; d < n && is_digit(s[d]); d++)
		;
	vs_fixture_buf_add(out, s + i, j + 1 - i);
	vs_fixture_buf_adds(out, "<epoch>");
	return d - i;
}

/* The volatile values, tried in this order at every position. */
static const struct {
	const char *name;
	mask_fn fn;
} mask_table[] = {
	/* Per-session MOIDs (ContainerView, filters, leases):
	 * session[<session key>]<uuid> -> <session> */
	{ "session", mask_session },
	/* The simulator's datastores live in a fresh temp directory
	 * (/tmp/govcsim-DC0-LocalDS_0-123…): the directory part and the
	 * govcsim-… name -> <govcsim> */
	{ "govcsim", mask_govcsim },
	/* Instance UUIDs, VM UUIDs, task keys: 8-4-4-4-12 hex -> <uuid> */
	{ "uuid", mask_uuid },
	/* ISO 8601 timestamps (loginTime, task times) -> <time> */
	{ "time", mask_time },
	/* The simulator listens on a random port: scheme://host:N ->
	 * scheme://host:<port> */
	{ "url-port", mask_url_port },
	/* Sensitive bodies: their size follows secrets that replay may
	 * serve redacted: "<sensitive …: N bytes>" -> N = <n> */
	{ "sensitive-size", mask_sensitive_size },
	{ "creating", mask_creating },
};

int
vs_fixture_mask(char **out, size_t *out_len, const char *in, size_t len,
                struct vs_error *err)
{
	struct vs_fixture_buf b = { 0 };
	size_t i = 0, used, k, run;

	if (in == NULL)
		len = 0;
	while (i < len) {
		used = 0;
		for (k = 0; k < sizeof(mask_table) / sizeof(mask_table[0]);
		     k++) {
			used = mask_table[k].fn(&b, in, len, i);
			if (used > 0)
				break;
		}
		if (used > 0) {
			i += used;
			continue;
		}
		run = 1;
		vs_fixture_buf_add(&b, in + i, run);
		i += run;
	}
	return vs_fixture_buf_take(out, out_len, &b, err);
}

/* Whitespace-only text between tags, CR before LF and outer whitespace
 * are insignificant. */
static void
normalize(struct vs_fixture_buf *out, const char *s, size_t n)
{
	size_t i = 0, j;

	while (n > 0 && is_space(s[n - 1]))
		n--;
	while (i < n && is_space(s[i]))
		i++;
	while (i < n) {
		if (s[i] == '>') {
			j = i + 1;
			while (j < n && is_space(s[j]))
				j++;
			vs_fixture_buf_add(out, ">", 1);
			if (j < n && s[j] == '<')
				i = j;
			else
				i++;
			continue;
		}
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		vs_fixture_buf_add(out, s + i, 1);
		i++;
	}
}

int
vs_fixture_canon(char **out, size_t *out_len, const char *in, size_t len,
                 const char *const *secrets, struct vs_error *err)
{
	struct vs_fixture_buf b = { 0 };
	char *red = NULL, *masked = NULL;
	size_t rl = 0, ml = 0;
	int rc;

	rc = vs_fixture_redact(&red, &rl, in, len, secrets, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_fixture_mask(&masked, &ml, red, rl, err);
	if (rc != 0)
		goto cleanup;
	normalize(&b, masked, ml);
	rc = vs_fixture_buf_take(out, out_len, &b, err);
cleanup:
	free(red);
	free(masked);
	return rc;
}

static void
quote_region(struct vs_fixture_buf *b, const char *s, size_t n, size_t from,
             size_t max)
{
	size_t i;

	vs_fixture_buf_adds(b, "\"");
	if (from > 0)
		vs_fixture_buf_adds(b, "…");
	for (i = from; i < n && i < from + max; i++) {
		if (s[i] == '\n')
			vs_fixture_buf_adds(b, "\\n");
		else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		         s[i] == '"' || s[i] == '\\')
			vs_fixture_buf_addf(b, "\\x%02x", (unsigned char)s[i]);
		else
			vs_fixture_buf_add(b, s + i, 1);
	}
	if (i < n)
		vs_fixture_buf_adds(b, "…");
	else if (from >= n)
		vs_fixture_buf_adds(b, "<end>");
	vs_fixture_buf_adds(b, "\"");
}

bool
vs_fixture_diff(char *msg, size_t size, const char *expected, size_t elen,
                const char *actual, size_t alen)
{
	struct vs_fixture_buf b = { 0 };
	size_t p = 0, line = 1, col = 1, from, i;

	while (p < elen && p < alen && expected[p] == actual[p])
		p++;
	if (p == elen && p == alen)
		return false;
	for (i = 0; i < p; i++) {
		if (expected[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	from = p > 40 ? p - 40 : 0;
	/* do not start inside a UTF-8 sequence */
	while (from > 0 && from < elen &&
	       ((unsigned char)expected[from] & 0xc0) == 0x80)
		from--;
	vs_fixture_buf_addf(&b, "line %zu col %zu: expected ", line, col);
	quote_region(&b, expected, elen, from, 120);
	vs_fixture_buf_adds(&b, " got ");
	quote_region(&b, actual, alen, from, 120);
	if (size > 0) {
		if (b.failed || b.data == NULL)
			snprintf(msg, size, "line %zu col %zu", line, col);
		else
			snprintf(msg, size, "%s", b.data);
	}
	vs_fixture_buf_clear(&b);
	return true;
}

/* --- names, URLs, request text ------------------------------------ */

void
vs_fixture_op_name(char *buf, size_t size, const char *op)
{
	size_t i, n = 0;
	char c;

	if (size == 0)
		return;
	for (i = 0; op != NULL && op[i] != '\0' && n + 1 < size &&
	            n < VS_FIXTURE_OP_MAX; i++) {
		c = op[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      is_digit(c) || c == '_' || c == '-' || c == '.'))
			c = '_';
		if (n == 0 && c == '.')
			c = '_';
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, size, "exchange");
}

int
vs_fixture_url_path(char **out, const char *url, struct vs_error *err)
{
	const char *p, *path;

	*out = NULL;
	if (url == NULL)
		return vs_error_set(err, VS_EINVAL, "fixture: no URL");
	p = strstr(url, "://");
	if (p == NULL) {
		path = url;
	} else {
		path = p + 3;
		while (*path != '\0' && *path != '/' && *path != '?')
			path++;
	}
	if (*path == '\0')
		path = "/";
	*out = strdup(path);
	if (*out == NULL)
		return vs_error_set(err, VS_ENOMEM, "fixture: out of memory");
	return 0;
}

bool
vs_fixture_login_key(char *buf, size_t size, const char *body, size_t len)
{
	size_t at, i, e;
	const char *text;
	size_t tl;

	if (body == NULL || size == 0)
		return false;
	at = find(body, len, "LoginResponse");
	if (at == len)
		at = find(body, len, "UserSession");
	if (at == len)
		return false;
	for (i = at; i < len; i++) {
		if (body[i] != '<' || i + 1 >= len || body[i + 1] == '/')
			continue;
		e = i + 1;
		while (e < len && is_name_char(body[e]))
			e++;
		if (e - (i + 1) < 3 || memcmp(body + e - 3, "key", 3) != 0 ||
		    (e - (i + 1) > 3 && body[e - 4] != ':') ||
		    e >= len || body[e] != '>')
			continue;
		element_text(&text, &tl, body + e + 1, len - e - 1);
		if (tl == 0 || tl >= size)
			return false;
		memcpy(buf, text, tl);
		buf[tl] = '\0';
		return true;
	}
	return false;
}

static int
file_size(unsigned long *out, const char *path, struct vs_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return vs_error_set(err, VS_EIO,
		                    "cannot stat upload file: %s",
		                    strerror(errno ? errno : EINVAL));
	*out = (unsigned long)st.st_size;
	return 0;
}

int
vs_fixture_request_text(char **out, size_t *out_len,
                        const struct vs_http_request *req,
                        const char *const *secrets, struct vs_error *err)
{
	struct vs_fixture_buf b = { 0 };
	unsigned long size = 0;
	int rc;

	*out = NULL;
	if (req->upload_path != NULL) {
		rc = file_size(&size, req->upload_path, err);
		if (rc != 0)
			return rc;
		vs_fixture_buf_addf(&b, "<%supload: %lu bytes>\n",
		                    req->sensitive ? "sensitive " : "", size);
		return vs_fixture_buf_take(out, out_len, &b, err);
	}
	if (req->body == NULL || req->body_len == 0)
		return vs_fixture_buf_take(out, out_len, &b, err);
	if (req->sensitive) {
		vs_fixture_buf_addf(&b, "<sensitive body: %zu bytes>\n",
		                    req->body_len);
		return vs_fixture_buf_take(out, out_len, &b, err);
	}
	return vs_fixture_redact(out, out_len, req->body, req->body_len,
	                         secrets, err);
}

/* --- meta --------------------------------------------------------- */

static const char *const req_kinds[] = { "none", "body", "upload",
                                         "sensitive" };
static const char *const resp_kinds[] = { "body", "download", "binary",
                                          "sensitive" };

/* key value line; control bytes in value become '?' */
static void
meta_line(struct vs_fixture_buf *b, const char *key, const char *value)
{
	size_t i;

	if (value == NULL)
		return;
	vs_fixture_buf_adds(b, key);
	vs_fixture_buf_adds(b, " ");
	for (i = 0; value[i] != '\0' && i < 4096; i++) {
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			vs_fixture_buf_adds(b, "?");
		else
			vs_fixture_buf_add(b, value + i, 1);
	}
	vs_fixture_buf_adds(b, "\n");
}

int
vs_fixture_meta_format(char **out, size_t *out_len,
                       const struct vs_fixture_meta *m,
                       struct vs_error *err)
{
	struct vs_fixture_buf b = { 0 };

	meta_line(&b, "method", m->method);
	meta_line(&b, "path", m->path);
	meta_line(&b, "soap_action", m->soap_action);
	meta_line(&b, "content_type", m->content_type);
	vs_fixture_buf_addf(&b, "status %ld\n", m->status);
	meta_line(&b, "reply_content_type", m->reply_content_type);
	meta_line(&b, "request", req_kinds[m->request]);
	if (m->response == VS_FIXTURE_RESP_BINARY)
		vs_fixture_buf_addf(&b, "response binary %lu\n",
		                    m->binary_size);
	else
		meta_line(&b, "response", resp_kinds[m->response]);
	if (m->session > 0)
		vs_fixture_buf_addf(&b, "session %lu\n", m->session);
	if (m->nested)
		vs_fixture_buf_adds(&b, "nested yes\n");
	return vs_fixture_buf_take(out, out_len, &b, err);
}

static int
parse_ulong(unsigned long *out, const char *s)
{
	char *end;

	if (!is_digit(s[0]) || strlen(s) > 12)
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

static int
meta_set(struct vs_fixture_meta *m, const char *key, char *value)
{
	unsigned long v;
	size_t k;

	if (strcmp(key, "method") == 0) {
		if (strlen(value) >= sizeof(m->method))
			return -1;
		strcpy(m->method, value);
		return 0;
	}
	if (strcmp(key, "status") == 0) {
		if (parse_ulong(&v, value) != 0 || v > 999)
			return -1;
		m->status = (long)v;
		return 0;
	}
	if (strcmp(key, "session") == 0)
		return parse_ulong(&m->session, value);
	if (strcmp(key, "nested") == 0) {
		if (strcmp(value, "yes") != 0)
			return -1;
		m->nested = true;
		return 0;
	}
	if (strcmp(key, "request") == 0) {
		for (k = 0; k < 4; k++) {
			if (strcmp(value, req_kinds[k]) == 0) {
				m->request = (enum vs_fixture_req_kind)k;
				return 0;
			}
		}
		return -1;
	}
	if (strcmp(key, "response") == 0) {
		if (strncmp(value, "binary ", 7) == 0) {
			m->response = VS_FIXTURE_RESP_BINARY;
			return parse_ulong(&m->binary_size, value + 7);
		}
		for (k = 0; k < 4; k++) {
			if (k != VS_FIXTURE_RESP_BINARY &&
			    strcmp(value, resp_kinds[k]) == 0) {
				m->response = (enum vs_fixture_resp_kind)k;
				return 0;
			}
		}
		return -1;
	}
	return 1;  /* not a scalar key */
}

int
vs_fixture_meta_parse(struct vs_fixture_meta *m, const char *text,
                      size_t len, struct vs_error *err)
{
	char line[4200], *sp, **slot;
	size_t i = 0, e, ll;
	int rc = 0, r;

	memset(m, 0, sizeof(*m));
	m->request = VS_FIXTURE_REQ_BODY;
	while (i < len) {
		e = i;
		while (e < len && text[e] != '\n')
			e++;
		ll = e - i;
		if (ll > 0 && text[i + ll - 1] == '\r')
			ll--;
		if (ll >= sizeof(line)) {
			rc = vs_error_set(err, VS_EREPLAY,
			                  "meta: line too long");
			goto cleanup;
		}
		memcpy(line, text + i, ll);
		line[ll] = '\0';
		i = e + 1;
		if (ll == 0 || memchr(line, '\0', ll) != NULL)
			continue;
		sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		r = meta_set(m, line, sp + 1);
		if (r < 0) {
			rc = vs_error_set(err, VS_EREPLAY,
			                  "meta: bad value for %.32s", line);
			goto cleanup;
		}
		if (r == 0)
			continue;
		slot = NULL;
		if (strcmp(line, "path") == 0)
			slot = &m->path;
		else if (strcmp(line, "soap_action") == 0)
			slot = &m->soap_action;
		else if (strcmp(line, "content_type") == 0)
			slot = &m->content_type;
		else if (strcmp(line, "reply_content_type") == 0)
			slot = &m->reply_content_type;
		if (slot == NULL)
			continue;
		free(*slot);
		*slot = strdup(sp + 1);
		if (*slot == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	if (m->method[0] == '\0' || m->path == NULL || m->status == 0)
		rc = vs_error_set(err, VS_EREPLAY,
		                  "meta: method, path or status missing");
cleanup:
	if (rc != 0)
		vs_fixture_meta_clear(m);
	return rc;
}

void
vs_fixture_meta_clear(struct vs_fixture_meta *m)
{
	if (m == NULL)
		return;
	free(m->path);
	free(m->soap_action);
	free(m->content_type);
	free(m->reply_content_type);
	memset(m, 0, sizeof(*m));
}

/* --- files -------------------------------------------------------- */

static int
entry_cmp(const void *a, const void *b)
{
	const struct vs_fixture_entry *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return 0;
}

/* "NNN-op.meta" -> number and "NNN-op"; false for anything else. */
static bool
parse_entry_name(struct vs_fixture_entry *e, const char *name)
{
	size_t n = strlen(name), i, digits = 0;
	unsigned long num = 0;

	if (n < 7 || n - 5 >= sizeof(e->name) ||
	    strcmp(name + n - 5, ".meta") != 0)
		return false;
	while (is_digit(name[digits]))
		digits++;
	if (digits == 0 || digits > 9 || name[digits] != '-' ||
	    digits + 1 >= n - 5)
		return false;
	for (i = 0; i < digits; i++)
		num = num * 10 + (unsigned long)(name[i] - '0');
	for (i = digits + 1; i < n - 5; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') || is_digit(name[i]) ||
		      name[i] == '_' || name[i] == '-' || name[i] == '.'))
			return false;
	}
	e->number = num;
	memcpy(e->name, name, n - 5);
	e->name[n - 5] = '\0';
	return true;
}

int
vs_fixture_list(struct vs_fixture_entry **out, size_t *n_out,
                const char *dir, bool missing_ok, struct vs_error *err)
{
	struct vs_fixture_entry *v = NULL, *nv, e;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		return vs_error_set(err, VS_EIO, "fixture dir: %s",
		                    strerror(errno));
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (!parse_entry_name(&e, de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (cap > 1000000) {
				rc = vs_error_set(err, VS_EIO, "fixture dir: "
				                  "too many files");
				goto cleanup;
			}
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				rc = vs_error_set(err, VS_ENOMEM,
				                  "out of memory");
				goto cleanup;
			}
			v = nv;
		}
		v[n++] = e;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_cmp);
	for (i = 1; i < n; i++) {
		if (v[i].number == v[i - 1].number) {
			rc = vs_error_set(err, VS_EREPLAY,
			                  "fixture dir: exchange number %lu "
			                  "used twice", v[i].number);
			goto cleanup;
		}
	}
	*out = v;
	*n_out = n;
	v = NULL;
cleanup:
	closedir(d);
	free(v);
	return rc;
}

int
vs_fixture_read_file(char **out, size_t *len_out, const char *path,
                     size_t max, struct vs_error *err)
{
	struct vs_fixture_buf b = { 0 };
	char chunk[65536];
	size_t got;
	FILE *f;
	int rc = 0;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL)
		return vs_error_set(err, VS_EIO, "cannot open %s: %s",
		                    strrchr(path, '/') ? strrchr(path, '/') + 1
		                                       : path,
		                    strerror(errno));
	for (;;) {
		got = fread(chunk, 1, sizeof(chunk), f);
		if (got == 0)
			break;
		if (b.len + got > max) {
			rc = vs_error_set(err, VS_EIO, "file too large");
			goto cleanup;
		}
		vs_fixture_buf_add(&b, chunk, got);
	}
	if (ferror(f)) {
		rc = vs_error_set(err, VS_EIO, "read error");
		goto cleanup;
	}
	rc = vs_fixture_buf_take(out, len_out, &b, err);
cleanup:
	vs_fixture_buf_clear(&b);
	fclose(f);
	return rc;
}

int
vs_fixture_write_file(const char *path, const char *data, size_t len,
                      bool exclusive, struct vs_error *err)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	size_t done = 0;
	ssize_t w;
	int fd, rc = 0;

	flags |= exclusive ? O_EXCL : O_TRUNC;
	fd = open(path, flags, 0644);
	if (fd < 0)
		return vs_error_set(err, VS_EIO, "cannot create %s: %s",
		                    strrchr(path, '/') ? strrchr(path, '/') + 1
		                                       : path,
		                    strerror(errno));
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = vs_error_set(err, VS_EIO, "write failed: %s",
			                  strerror(errno));
			break;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0 && rc == 0)
		rc = vs_error_set(err, VS_EIO, "close failed: %s",
		                  strerror(errno));
	return rc;
}

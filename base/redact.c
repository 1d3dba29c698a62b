/*
 * base/redact.c: secrets by shape and by value (see redact.h).
 */
#include "base/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/digits.h"
#include "base/span.h"
#include "base/utf8.h"
#include "base/xmltext.h"

/* --- scanning helpers --------------------------------------------- */

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
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* End of the tag starting at s[0] == '<' (offset just past '>'), quotes
 * respected; n when unterminated. */
static size_t
tag_end(const char *s, size_t n)
{
	size_t e = xmltext_tag_end(s, n);

	return e > 0 ? e : n;
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
	"vcSessionCookie", /* the vim25 session in a PBM SOAP header */
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
	enum xmltext_kind kind;
	size_t i = 0, e;
	int nest = 0;

	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '!') {
			/* CDATA and comments hold no tags */
			e = xmltext_markup(&kind, s + i, n - i);
			if (kind == XMLTEXT_CDATA || kind == XMLTEXT_COMMENT) {
				i = e == 0 ? n : i + e;
				continue;
			}
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
	struct buf *out;
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
	buf_add(r->out, s, tl);
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
		if (span_starts(text, textl, USERDATA_KEY) &&
		    !(textl == strlen(USERDATA_KEEP) &&
		      span_starts(text, textl, USERDATA_KEEP)))
			r->userdata_depth = r->depth;
	}
	if (!redact)
		return tl;
	close = find_close(s + tl, n - tl, qname, ql);
	buf_adds(r->out, REDACT_MARK);
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
redact_elements_pass(struct buf *out, const char *s, size_t n)
{
	struct redactor r = { out, 0, 0, 0 };
	enum xmltext_kind kind;
	size_t i = 0, e, run;

	while (i < n) {
		if (s[i] != '<') {
			run = 0;
			while (i + run < n && s[i + run] != '<')
				run++;
			buf_add(out, s + i, run);
			i += run;
			continue;
		}
		e = xmltext_markup(&kind, s + i, n - i);
		if (e == 0)
			e = n - i;      /* unterminated: the rest */
		if (kind == XMLTEXT_START || kind == XMLTEXT_EMPTY) {
			i += redact_start_tag(&r, s + i, e, n - i);
			continue;
		}
		if (kind == XMLTEXT_END)
			redact_close_tag(&r);
		buf_add(out, s + i, e);
		i += e;
	}
}

/* Names after which a session id or credentials follow, in a cookie or
 * a header line (any case, lower case here; a blank stands for any run
 * of blanks; blanks after the name skipped). */
static const char *const session_names[] = {
	"vmware_soap_session=",    /* vim25 session cookie */
	"vmware-api-session-id=",  /* vAPI session cookie */
	"vmware-api-session-id:",  /* vAPI session header */
	"authorization: basic",    /* user:password, base64 */
	NULL,
};

/* The length of name at d[0..n) in any case, a blank in name standing
 * for any run of blanks; 0 when it is not there. */
static size_t
name_at(const char *d, size_t n, const char *name)
{
	size_t j = 0;

	for (; *name != '\0'; name++) {
		if (*name == ' ') {
			while (j < n && (d[j] == ' ' || d[j] == '\t'))
				j++;
			continue;
		}
		if (j >= n || (d[j] != *name &&
		               !(d[j] >= 'A' && d[j] <= 'Z' &&
		                 d[j] - 'A' + 'a' == *name)))
			return 0;
		j++;
	}
	return j;
}

/* The length of the session name at d[0..n), 0 when none is there. */
static size_t
session_name_at(const char *d, size_t n)
{
	size_t i, m;

	if (n == 0 || (d[0] != 'v' && d[0] != 'V' && d[0] != 'a' &&
	               d[0] != 'A'))
		return 0;
	for (i = 0; session_names[i] != NULL; i++) {
		m = name_at(d, n, session_names[i]);
		if (m > 0)
			return m;
	}
	return 0;
}

/* The value after a session name (optionally quoted) -> REDACTED. */
static void
redact_session_values(struct buf *b)
{
	struct buf out = { 0 };
	size_t i = 0, start = 0, nl, v;
	const char *d;

	if (b->failed || b->len == 0)
		return;
	d = b->data;
	while (i < b->len) {
		nl = session_name_at(d + i, b->len - i);
		if (nl == 0) {
			i++;
			continue;
		}
		v = i + nl;
		while (v < b->len && (d[v] == ' ' || d[v] == '\t'))
			v++;
		if (span_starts(d + v, b->len - v, "&quot;"))
			v += 6;
		else if (span_starts(d + v, b->len - v, "&#34;"))
			v += 5;
		else if (v < b->len && (d[v] == '"' || d[v] == '\''))
			v++;
		buf_add(&out, d + start, v - start);
		buf_adds(&out, REDACT_MARK);
		while (v < b->len && !is_space(d[v]) &&
		       strchr(";,\"'<&", d[v]) == NULL)
			v++;
		i = start = v;
	}
	buf_add(&out, d + start, b->len - start);
	if (out.failed) {
		buf_clear(&out);
		b->failed = true;
		return;
	}
	free(b->data);
	*b = out;
}

/* --- secrets and their forms ------------------------------------- */

/* The code point of the character at s (NUL-terminated) and its length
 * in *len; a byte that starts no valid sequence stands for itself. */
static unsigned long
char_at(const unsigned char *s, size_t *len)
{
	uint32_t cp;
	size_t n = 0;

	while (n < 4 && s[n] != '\0')
		n++;
	*len = utf8_decode(&cp, s, n);
	if (*len == 0) {
		*len = 1;
		return s[0];
	}
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
		int d = hex ? digit_hex(t[j]) : is_digit(t[j]) ? t[j] - '0' : -1;

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
			int d = digit_hex(t[6 * k + i]);

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
	hi = digit_hex(t[1]);
	lo = digit_hex(t[2]);
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
	cp = char_at(s, &bl);
	m = t[0] == '&' ? xml_charref(t, n, cp) : json_uescape(t, n, cp);
	if (m > 0) {
		len[na] = m;
		next[na++] = s + bl;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		const char *e = t[0] == '&' ? named[i].xml : named[i].json;

		if (e != NULL && cp == (unsigned char)named[i].c &&
		    span_starts(t, n, e)) {
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
redact_secret_at(const char *t, size_t n, const char *secret)
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

/* The non-empty secrets, longest first, so that a secret that contains
 * another is replaced whole; -1 when out of memory or too many. */
static int
sort_secrets(const char ***out, size_t *n_out, const char *const *secrets)
{
	const char **sorted;
	size_t count, n = 0, i;

	*out = NULL;
	*n_out = 0;
	for (count = 0; secrets != NULL && secrets[count] != NULL; count++)
		;
	if (count == 0)
		return 0;
	if (count > 4096)
		return -1;
	sorted = calloc(count, sizeof(*sorted));
	if (sorted == NULL)
		return -1;
	for (i = 0; i < count; i++)
		if (secrets[i][0] != '\0')
			sorted[n++] = secrets[i];
	qsort(sorted, n, sizeof(*sorted), secret_cmp);
	*out = sorted;
	*n_out = n;
	return 0;
}

/* The length of the first of the sorted secrets spelled at t, or 0. */
static size_t
any_secret_at(const char *t, size_t n, const char **sorted, size_t count)
{
	size_t k, m = 0;

	for (k = 0; m == 0 && k < count; k++)
		m = secret_at(t, n, (const unsigned char *)sorted[k], 0);
	return m;
}

/* Writes in[0..len) with every spelling of the sorted secrets replaced
 * by mark to out; false (out untouched) when there is none. */
static bool
replace_secrets(struct buf *out, const char *in, size_t len,
                const char **sorted, size_t n, const char *mark)
{
	size_t i, k, m, start = 0;
	bool first[256], found = false;

	/* Bytes a spelling can start with: a secret's first, or an escape. */
	memset(first, 0, sizeof(first));
	first['%'] = first['&'] = first['\\'] = first['+'] = true;
	for (k = 0; k < n; k++)
		first[(unsigned char)sorted[k][0]] = true;
	for (i = 0; i < len;) {
		m = 0;
		if (first[(unsigned char)in[i]])
			m = any_secret_at(in + i, len - i, sorted, n);
		if (m == 0) {
			i++;
			continue;
		}
		buf_add(out, in + start, i - start);
		buf_adds(out, mark);
		i += m;
		start = i;
		found = true;
	}
	if (found)
		buf_add(out, in + start, len - start);
	return found;
}

int
redact_secrets(char **out, size_t *out_len, const char *in, size_t len,
               const char *const *secrets, const char *mark)
{
	struct buf b = { 0 };
	const char **sorted = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	if (in == NULL || len == 0)
		return 0;
	if (sort_secrets(&sorted, &n, secrets) != 0)
		return -1;
	if (n > 0 && replace_secrets(&b, in, len, sorted, n, mark))
		rc = buf_take(out, out_len, &b);
	free(sorted);
	return rc;
}

int
redact_text(char **out, size_t *out_len, const char *in, size_t len,
            const char *const *secrets)
{
	struct buf b = { 0 };
	char *shaped = NULL, *valued = NULL;
	size_t sl = 0, vl = 0;

	*out = NULL;
	if (in == NULL)
		len = 0;
	if (len > 0)
		redact_elements_pass(&b, in, len);
	redact_session_values(&b);
	if (buf_take(&shaped, &sl, &b) != 0)
		return -1;
	if (redact_secrets(&valued, &vl, shaped, sl, secrets,
	                   REDACT_MARK) != 0) {
		free(shaped);
		return -1;
	}
	if (valued != NULL) {
		free(shaped);
		shaped = valued;
		sl = vl;
	}
	*out = shaped;
	if (out_len != NULL)
		*out_len = sl;
	return 0;
}

bool
redact_login_key(char *buf, size_t size, const char *body, size_t len)
{
	size_t at, i, e;
	const char *text;
	size_t tl;

	if (body == NULL || size == 0)
		return false;
	at = span_find(body, len, "LoginResponse");
	if (at == len)
		at = span_find(body, len, "UserSession");
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

/* Past blanks at body[*i], the text want: true with *i just past it. */
static bool
json_expect(const char *body, size_t len, size_t *i, const char *want)
{
	size_t j = *i;

	while (j < len && is_space(body[j]))
		j++;
	if (!span_starts(body + j, len - j, want))
		return false;
	*i = j + strlen(want);
	return true;
}

bool
redact_rest_session_id(char *buf, size_t size, const char *body, size_t len)
{
	size_t i = 0, start;

	if (body == NULL || size == 0 || !json_expect(body, len, &i, "{") ||
	    !json_expect(body, len, &i, "\"value\"") ||
	    !json_expect(body, len, &i, ":") ||
	    !json_expect(body, len, &i, "\""))
		return false;
	start = i;
	while (i < len && body[i] != '"' && body[i] != '\\' &&
	       (unsigned char)body[i] >= 0x20)
		i++;
	if (i >= len || body[i] != '"' || i == start || i - start >= size)
		return false;
	memcpy(buf, body + start, i - start);
	buf[i - start] = '\0';
	return true;
}

bool
redact_secret_name(const char *name)
{
	static const char *const words[] = {
		"password", "secret", "key", "token", "credential",
		"private", "cert",
	};
	size_t i, j, n = name != NULL ? strlen(name) : 0;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t w = strlen(words[i]);

		for (j = 0; j + w <= n; j++)
			if (strncasecmp(name + j, words[i], w) == 0)
				return true;
	}
	return false;
}

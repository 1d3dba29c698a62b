/*
 * vsphere/fixture.c: fixture files and masking (format in fixture.h);
 * what a secret looks like is base/redact's.
 */
#include "vsphere/fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/array.h"
#include "base/span.h"
#include "base/buf.h"
#include "base/quote.h"
#include "base/redact.h"

/* --- small scanning helpers --------------------------------------- */

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

/* Hands b's data to *out, or sets err when an add had failed. */
static int
take(char **out, size_t *len_out, struct buf *b, struct err *err)
{
	if (buf_take(out, len_out, b) != 0)
		return err_set(err, ERR_ENOMEM, "fixture: out of memory");
	return 0;
}

/* --- redaction (the secret forms live in base/redact) -------------- */

int
vs_fixture_redact(char **out, size_t *out_len, const char *in, size_t len,
                  const char *const *secrets, struct err *err)
{
	if (redact_text(out, out_len, in, len, secrets) != 0)
		return err_set(err, ERR_ENOMEM, "fixture: out of memory");
	return 0;
}

/* --- masking ------------------------------------------------------ */

/* A matcher looks at s[i..n); when it matches it appends the
 * replacement to out and returns how many input bytes it consumed. */
typedef size_t (*mask_fn)(struct buf *out, const char *s,
                          size_t n, size_t i);

static size_t
mask_session(struct buf *out, const char *s, size_t n, size_t i)
{
	size_t j;

	if (!span_starts(s + i, n - i, "session["))
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
	buf_adds(out, "<session>");
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
mask_govcsim(struct buf *out, const char *s, size_t n, size_t i)
{
	size_t j, k;

	if (span_starts(s + i, n - i, "govcsim-")) {
		j = govcsim_token_end(s, n, i);
		buf_adds(out, "<govcsim>");
		return j - i;
	}
	/* A temp directory path in front of it: /tmp/govcsim-… */
	if (s[i] != '/' || (i > 0 && is_path_char(s[i - 1])))
		return 0;
	for (j = i; j < n && is_path_char(s[j]); j++) {
		if (s[j] == '/' && span_starts(s + j + 1, n - j - 1,
		                              "govcsim-")) {
			k = govcsim_token_end(s, n, j + 1);
			buf_adds(out, "<govcsim>");
			return k - i;
		}
	}
	return 0;
}

static size_t
mask_uuid(struct buf *out, const char *s, size_t n, size_t i)
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
	buf_adds(out, "<uuid>");
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
mask_time(struct buf *out, const char *s, size_t n, size_t i)
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
	buf_adds(out, "<time>");
	return j - i;
}

static size_t
mask_url_port(struct buf *out, const char *s, size_t n, size_t i)
{
	size_t j = i + 3, d;

	if (!span_starts(s + i, n - i, "://"))
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
	buf_add(out, s + i, j + 1 - i);
	buf_adds(out, "<port>");
	return d - i;
}

static size_t
mask_sensitive_size(struct buf *out, const char *s, size_t n,
                    size_t i)
{
	size_t j = i + 10, d;

	if (!span_starts(s + i, n - i, "<sensitive"))
		return 0;
	while (j < n && j < i + 40 && s[j] != ':')
		j++;
	if (j + 2 >= n || s[j] != ':' || s[j + 1] != ' ' ||
	    !is_digit(s[j + 2]))
		return 0;
	for (d = j + 2; d < n && is_digit(s[d]); d++)
		;
	buf_add(out, s + i, j + 2 - i);
	buf_adds(out, "<n>");
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
};

int
vs_fixture_mask(char **out, size_t *out_len, const char *in, size_t len,
                struct err *err)
{
	struct buf b = { 0 };
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
		buf_add(&b, in + i, run);
		i += run;
	}
	return take(out, out_len, &b, err);
}

/* Whitespace-only text between tags, CR before LF and outer whitespace
 * are insignificant. */
static void
normalize(struct buf *out, const char *s, size_t n)
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
			buf_add(out, ">", 1);
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
		buf_add(out, s + i, 1);
		i++;
	}
}

/* normalize() into *out (malloc'd). */
static int
normalized(char **out, size_t *out_len, const char *in, size_t len,
           struct err *err)
{
	struct buf b = { 0 };

	normalize(&b, in, len);
	return take(out, out_len, &b, err);
}

int
vs_fixture_canon(char **out, size_t *out_len, const char *in, size_t len,
                 const char *const *secrets, struct err *err)
{
	char *red = NULL, *norm = NULL, *masked = NULL;
	size_t rl = 0, nl = 0, ml = 0;
	int rc;

	rc = vs_fixture_redact(&red, &rl, in, len, secrets, err);
	/* normalized before masking too: the masks see one layout */
	if (rc == 0)
		rc = normalized(&norm, &nl, red, rl, err);
	if (rc == 0)
		rc = vs_fixture_mask(&masked, &ml, norm, nl, err);
	if (rc == 0)
		rc = normalized(out, out_len, masked, ml, err);
	free(red);
	free(norm);
	free(masked);
	return rc;
}

#define DIFF_SPAN 120     /* bytes shown of each side */

/* "…s[from..from+DIFF_SPAN)…" quoted by base/quote; "<end>" when from is
 * the end. */
static void
quote_region(struct buf *b, const char *s, size_t n, size_t from)
{
	char q[4 * DIFF_SPAN + 16];
	size_t len = from < n ? n - from : 0;

	if (len > DIFF_SPAN)
		len = DIFF_SPAN;
	buf_adds(b, "\"");
	if (from > 0)
		buf_adds(b, "…");
	buf_adds(b, quote_bytes(q, sizeof(q), s + from, len));
	if (from + len < n)
		buf_adds(b, "…");
	else if (from >= n)
		buf_adds(b, "<end>");
	buf_adds(b, "\"");
}

bool
vs_fixture_diff(char *msg, size_t size, const char *expected, size_t elen,
                const char *actual, size_t alen)
{
	struct buf b = { 0 };
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
	buf_addf(&b, "line %zu col %zu: expected ", line, col);
	quote_region(&b, expected, elen, from);
	buf_adds(&b, " got ");
	quote_region(&b, actual, alen, from);
	if (size > 0) {
		if (b.failed || b.data == NULL)
			snprintf(msg, size, "line %zu col %zu", line, col);
		else
			snprintf(msg, size, "%s", b.data);
	}
	buf_clear(&b);
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
vs_fixture_url_path(char **out, const char *url, struct err *err)
{
	const char *p, *path;

	*out = NULL;
	if (url == NULL)
		return err_set(err, ERR_EINVAL, "fixture: no URL");
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
		return err_set(err, ERR_ENOMEM, "fixture: out of memory");
	return 0;
}

static int
file_size(unsigned long *out, const char *path, struct err *err)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return err_set(err, ERR_EIO,
		               "cannot stat upload file: %s",
		               strerror(errno ? errno : EINVAL));
	*out = (unsigned long)st.st_size;
	return 0;
}

int
vs_fixture_request_text(char **out, size_t *out_len,
                        const struct vs_http_request *req,
                        const char *const *secrets, struct err *err)
{
	struct buf b = { 0 };
	unsigned long size = 0;
	int rc;

	*out = NULL;
	if (req->upload_path != NULL) {
		rc = file_size(&size, req->upload_path, err);
		if (rc != 0)
			return rc;
		buf_addf(&b, "<%supload: %lu bytes>\n",
		         req->sensitive ? "sensitive " : "", size);
		return take(out, out_len, &b, err);
	}
	if (req->body == NULL || req->body_len == 0)
		return take(out, out_len, &b, err);
	if (req->sensitive) {
		buf_addf(&b, "<sensitive body: %zu bytes>\n", req->body_len);
		return take(out, out_len, &b, err);
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
meta_line(struct buf *b, const char *key, const char *value)
{
	size_t i;

	if (value == NULL)
		return;
	buf_adds(b, key);
	buf_adds(b, " ");
	for (i = 0; value[i] != '\0' && i < 4096; i++) {
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			buf_adds(b, "?");
		else
			buf_add(b, value + i, 1);
	}
	buf_adds(b, "\n");
}

int
vs_fixture_meta_format(char **out, size_t *out_len,
                       const struct vs_fixture_meta *m,
                       struct err *err)
{
	struct buf b = { 0 };

	meta_line(&b, "method", m->method);
	meta_line(&b, "path", m->path);
	meta_line(&b, "soap_action", m->soap_action);
	meta_line(&b, "content_type", m->content_type);
	buf_addf(&b, "status %ld\n", m->status);
	meta_line(&b, "reply_content_type", m->reply_content_type);
	meta_line(&b, "request", req_kinds[m->request]);
	if (m->response == VS_FIXTURE_RESP_BINARY)
		buf_addf(&b, "response binary %lu\n",
		                    m->binary_size);
	else
		meta_line(&b, "response", resp_kinds[m->response]);
	if (m->session > 0)
		buf_addf(&b, "session %lu\n", m->session);
	if (m->nested)
		buf_adds(&b, "nested yes\n");
	return take(out, out_len, &b, err);
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

/* The string keys (path, soap_action, content_type,
 * reply_content_type); others are ignored. */
static int
meta_set_string(struct vs_fixture_meta *m, const char *key,
                const char *value, struct err *err)
{
	char **slot = NULL;

	if (strcmp(key, "path") == 0)
		slot = &m->path;
	else if (strcmp(key, "soap_action") == 0)
		slot = &m->soap_action;
	else if (strcmp(key, "content_type") == 0)
		slot = &m->content_type;
	else if (strcmp(key, "reply_content_type") == 0)
		slot = &m->reply_content_type;
	if (slot == NULL)
		return 0;
	free(*slot);
	*slot = strdup(value);
	if (*slot == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

int
vs_fixture_meta_parse(struct vs_fixture_meta *m, const char *text,
                      size_t len, struct err *err)
{
	char line[4200], *sp;
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
			rc = err_set(err, ERR_EREPLAY,
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
			rc = err_set(err, ERR_EREPLAY,
			             "meta: bad value for %.32s", line);
			goto cleanup;
		}
		if (r > 0) {
			rc = meta_set_string(m, line, sp + 1, err);
			if (rc != 0)
				goto cleanup;
		}
	}
	if (m->method[0] == '\0' || m->path == NULL || m->status == 0)
		rc = err_set(err, ERR_EREPLAY,
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
                const char *dir, bool missing_ok, struct err *err)
{
	struct vs_fixture_entry *v = NULL, e;
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
		return err_set(err, ERR_EIO, "fixture dir: %s",
		               strerror(errno));
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (!parse_entry_name(&e, de->d_name))
			continue;
		if (n >= 1000000) {
			rc = err_set(err, ERR_EIO, "fixture dir: too many "
			             "files");
			goto cleanup;
		}
		if (array_grow((void **)&v, &cap, n + 1, sizeof(*v), 64) < 0) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
		v[n++] = e;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_cmp);
	for (i = 1; i < n; i++) {
		if (v[i].number == v[i - 1].number) {
			rc = err_set(err, ERR_EREPLAY,
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
                     size_t max, struct err *err)
{
	struct buf b = { 0 };
	char chunk[65536];
	size_t got;
	FILE *f;
	int rc = 0;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL)
		return err_set(err, ERR_EIO, "cannot open %s: %s",
		               strrchr(path, '/') ? strrchr(path, '/') + 1
		                                       : path,
		               strerror(errno));
	for (;;) {
		got = fread(chunk, 1, sizeof(chunk), f);
		if (got == 0)
			break;
		if (b.len + got > max) {
			rc = err_set(err, ERR_EIO, "file too large");
			goto cleanup;
		}
		buf_add(&b, chunk, got);
	}
	if (ferror(f)) {
		rc = err_set(err, ERR_EIO, "read error");
		goto cleanup;
	}
	rc = take(out, len_out, &b, err);
cleanup:
	buf_clear(&b);
	fclose(f);
	return rc;
}

int
vs_fixture_write_file(const char *path, const char *data, size_t len,
                      bool exclusive, struct err *err)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	size_t done = 0;
	ssize_t w;
	int fd, rc = 0;

	flags |= exclusive ? O_EXCL : O_TRUNC;
	fd = open(path, flags, 0644);
	if (fd < 0)
		return err_set(err, ERR_EIO, "cannot create %s: %s",
		               strrchr(path, '/') ? strrchr(path, '/') + 1
		                                       : path,
		               strerror(errno));
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = err_set(err, ERR_EIO, "write failed: %s",
			             strerror(errno));
			break;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0 && rc == 0)
		rc = err_set(err, ERR_EIO, "close failed: %s",
		             strerror(errno));
	return rc;
}

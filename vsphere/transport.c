/*
 * vsphere/transport.c: the common part of the transports and the mode
 * selector.
 */
#include "vsphere/transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/transport_fault.h"
#include "vsphere/transports.h"

/* The Makefile's TEST_HOOKS (default on for `make`; off in the release's
 * packaging): whether the environment's test hooks are read at all. */
#ifndef VS_TEST_HOOKS
#define VS_TEST_HOOKS 0
#endif

void
vs_http_response_clear(struct vs_http_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	free(resp->content_type);
	memset(resp, 0, sizeof(*resp));
}

int
vs_http_progress(const struct vs_http_request *req, unsigned long long sent,
                 unsigned long long total, struct err *err)
{
	int rc = req->progress(req->progress_ud, sent, total, err);

	if (rc != 0 && err != NULL && err->code == 0)
		err_set(err, rc, "upload stopped by its progress "
		        "callback");
	return rc;
}

int
vs_transport_finish(struct vs_transport *t, struct err *err)
{
	if (t == NULL || t->finish == NULL)
		return 0;
	return t->finish(t, err);
}

int
vs_transport_pass_finish(struct vs_transport *t, struct err *err)
{
	return vs_transport_finish(t->inner, err);
}

int
vs_transport_pass_cookie(struct vs_transport *t, char **out,
                         const char *name, struct err *err)
{
	return vs_transport_cookie(t->inner, out, name, err);
}

int
vs_transport_pass_cookie_save(struct vs_transport *t, char **out,
                              const char *name, struct err *err)
{
	return vs_transport_cookie_save(t->inner, out, name, err);
}

int
vs_transport_pass_cookie_load(struct vs_transport *t, const char *line,
                              struct err *err)
{
	return vs_transport_cookie_load(t->inner, line, err);
}

void
vs_transport_free(struct vs_transport *t)
{
	if (t != NULL && t->free != NULL)
		t->free(t);
}

int
vs_transport_cookie(struct vs_transport *t, char **out, const char *name,
                    struct err *err)
{
	*out = NULL;
	if (t == NULL || t->cookie == NULL)
		return err_set(err, ERR_ENOTFOUND, "the transport keeps no "
		               "cookies (%s)", name);
	return t->cookie(t, out, name, err);
}

int
vs_transport_cookie_save(struct vs_transport *t, char **out,
                         const char *name, struct err *err)
{
	*out = NULL;
	if (t == NULL || t->cookie_save == NULL)
		return err_set(err, ERR_ENOTFOUND, "the transport keeps no "
		               "session across processes");
	return t->cookie_save(t, out, name, err);
}

int
vs_transport_cookie_load(struct vs_transport *t, const char *line,
                         struct err *err)
{
	if (t == NULL || t->cookie_load == NULL)
		return err_set(err, ERR_ENOTFOUND, "the transport keeps no "
		               "session across processes");
	return t->cookie_load(t, line, err);
}

/* The value field of cookie-jar line `line` when it is cookie `name`'s,
 * else NULL. */
static const char *
jar_value(const char *line, const char *name)
{
	const char *p = line;
	size_t nl = strlen(name);
	int field;

	for (field = 0; field < 5 && p != NULL; field++) {
		p = strchr(p, '\t');
		if (p != NULL)
			p++;
	}
	if (p == NULL || strncmp(p, name, nl) != 0 || p[nl] != '\t')
		return NULL;
	return p + nl + 1;
}

bool
vs_cookie_jar_is(const char *line, const char *name)
{
	return jar_value(line, name) != NULL;
}

int
vs_cookie_jar_line(char **out, const char *line, const char *name,
                   struct err *err)
{
	const char *p = jar_value(line, name), *end;
	size_t len;

	*out = NULL;
	if (p == NULL)
		return 0;
	end = p + strcspn(p, "\t\r\n");
	len = (size_t)(end - p);
	if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
		p++;
		len -= 2;
	}
	*out = strndup(p, len);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 1;
}

static int
parse_start(unsigned long *out, const char *s, struct err *err)
{
	char *end;

	*out = 0;
	if (s == NULL || s[0] == '\0')
		return 0;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' ||
	    *out > 999999999UL)
		return err_set(err, ERR_EINVAL,
		               "VSPHERE_CPI_REPLAY_START is not a number");
	return 0;
}

int
vs_transport_new(struct vs_transport **out, enum vs_transport_mode mode,
                 const char *dir, const struct vs_curl_opts *curl_opts,
                 const char *const *secrets, struct err *err)
{
	struct vs_transport *inner = NULL;
	const char *cursor;
	unsigned long start;
	int rc;

	*out = NULL;
	if (mode != VS_TRANSPORT_CURL && (dir == NULL || dir[0] == '\0'))
		return err_set(err, ERR_EINVAL,
		               "transport: fixture directory missing");
	switch (mode) {
	case VS_TRANSPORT_CURL:
		return vs_transport_curl_new(out, curl_opts, err);
	case VS_TRANSPORT_RECORD:
		rc = vs_transport_curl_new(&inner, curl_opts, err);
		if (rc != 0)
			return rc;
		return vs_transport_record_new(out, inner, dir, secrets, err);
	case VS_TRANSPORT_REPLAY:
		rc = parse_start(&start, getenv("VSPHERE_CPI_REPLAY_START"),
		                 err);
		if (rc != 0)
			return rc;
		cursor = getenv("VSPHERE_CPI_REPLAY_CURSOR");
		if (cursor != NULL && cursor[0] == '\0')
			cursor = NULL;
		return vs_transport_replay_new(out, dir, secrets, start,
		                               cursor, err);
	}
	return err_set(err, ERR_EINVAL, "transport: unknown mode");
}

static int
from_env(struct vs_transport **out, const struct vs_curl_opts *curl_opts,
         const char *const *secrets, struct err *err)
{
	const char *v = getenv("VSPHERE_CPI_FIXTURES");

	*out = NULL;
	if (v == NULL || v[0] == '\0')
		return vs_transport_new(out, VS_TRANSPORT_CURL, NULL,
		                        curl_opts, secrets, err);
	if (strncmp(v, "replay:", 7) == 0)
		return vs_transport_new(out, VS_TRANSPORT_REPLAY, v + 7,
		                        curl_opts, secrets, err);
	if (strncmp(v, "record:", 7) == 0)
		return vs_transport_new(out, VS_TRANSPORT_RECORD, v + 7,
		                        curl_opts, secrets, err);
	return err_set(err, ERR_EINVAL,
	               "VSPHERE_CPI_FIXTURES must be replay:DIR or "
	               "record:DIR");
}

bool
vs_transport_test_hooks(void)
{
	return VS_TEST_HOOKS != 0;
}

/* With hooks, VSPHERE_CPI_FIXTURES picks the mode and VSPHERE_CPI_FAULTS
 * wraps the transport in the fault injector (vsphere/transport_fault.h);
 * without, neither is read and the transport is curl. */
int
vs_transport_select(struct vs_transport **out,
                    const struct vs_curl_opts *curl_opts,
                    const char *const *secrets, bool hooks,
                    struct err *err)
{
	const char *faults;
	struct vs_transport *t = NULL;
	int rc;

	*out = NULL;
	if (!hooks)
		return vs_transport_new(out, VS_TRANSPORT_CURL, NULL,
		                        curl_opts, secrets, err);
	faults = getenv("VSPHERE_CPI_FAULTS");
	rc = from_env(&t, curl_opts, secrets, err);
	if (rc != 0 || faults == NULL || faults[0] == '\0') {
		*out = t;
		return rc;
	}
	return vs_transport_fault_new(out, t, faults,
	                              getenv("VSPHERE_CPI_FAULTS_LOG"), err);
}

int
vs_transport_from_env(struct vs_transport **out,
                      const struct vs_curl_opts *curl_opts,
                      const char *const *secrets, struct err *err)
{
	return vs_transport_select(out, curl_opts, secrets,
	                           vs_transport_test_hooks(), err);
}

bool
vs_http_header_value_ok(const char *v)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	}
	return i < 1024;
}

/*
 * vsphere/session.c: the vim25 session of a client: RetrieveServiceContent
 * and Login (vs_client_connect), Logout and close; and a session kept
 * for the next CPI process (vsphere/vsphere.h, "session kept between
 * processes"), whose text has one "key value" per line:
 *
 *	vsphere-cpi-session 1
 *	vcenter <https://host:port, the client's base URL>
 *	since <Unix seconds of the Login that made the session>
 *	about <apiType> <apiVersion>               (service_content.c)
 *	moref <ServiceContent field> <type> <value>  (one per object)
 *	cookie <the session cookie's cookie-jar line, tabs kept>
 *
 * The cookie is the session: the text is a secret, and every copy of it
 * this file makes is wiped before it is freed.
 */
#include "vsphere/client.h"
#include "vsphere/client_int.h"
#include "vsphere/vsphere.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/wipe.h"

#define MAGIC "vsphere-cpi-session 1"
#define COOKIE "vmware_soap_session"
#define MAX_LINE 4096

/* --- the session ---------------------------------------------------- */

int
vs_client_login(struct vs_client *c, struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	if (!c->have_sc)
		return err_set(err, ERR_EINVAL,
		               "Login before RetrieveServiceContent");
	rc = vs_soap_request_new(&req, &m, "Login", &c->sc.session_manager,
	                         err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "userName", c->user);
	vs_soap_add_text(m, "password", c->password);
	rc = vs_client_call(c, req, &doc, &resp, err);
	if (rc == 0) {
		c->logged_in = true;
		c->new_session = true;
		c->login_at = (long long)time(NULL);
		vs_client_logf(c, 1, "logged in to %s as %s", c->base_url,
		               c->user);
	}
	xmlFreeDoc(doc);
	return rc;
}

/* c->sc read (or adopted): its API version names the SOAPAction. */
static void
use_sc(struct vs_client *c)
{
	c->have_sc = true;
	if (vs_api_version_ok(c->sc.api_version)) {
		snprintf(c->soap_action, sizeof(c->soap_action),
		         "urn:vim25/%s", c->sc.api_version);
	} else {
		vs_client_logf(c, 2, "vCenter reports no usable apiVersion; "
		               "staying with %s", VS_SOAP_ACTION_DEFAULT);
		c->sc.api_version[0] = '\0';
	}
	vs_client_logf(c, 0, "vCenter %s API %s",
	               c->sc.api_type[0] != '\0' ? c->sc.api_type : "?",
	               c->sc.api_version[0] != '\0' ? c->sc.api_version :
	               "?");
}

static int
retrieve_service_content(struct vs_client *c, struct err *err)
{
	static const struct vs_moref si = { "ServiceInstance",
	                                    "ServiceInstance" };
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	rc = vs_soap_request_new(&req, &m, "RetrieveServiceContent", &si,
	                         err);
	if (rc != 0)
		return rc;
	rc = vs_client_call(c, req, &doc, &resp, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_service_content_read(&c->sc, resp, err);
	if (rc == 0)
		use_sc(c);
cleanup:
	xmlFreeDoc(doc);
	return rc;
}

int
vs_client_adopt(struct vs_client *c, const struct vs_service_content *sc,
                const char *jar_line, struct err *err)
{
	int rc;

	if (c->logged_in || c->have_sc)
		return err_set(err, ERR_EINVAL, "a session is already open");
	rc = vs_transport_cookie_load(c->transport, jar_line, err);
	if (rc != 0)
		return rc;
	c->sc = *sc;
	use_sc(c);
	c->logged_in = true;
	c->closed = false;
	return 0;
}

bool
vs_client_new_session(const struct vs_client *c)
{
	return c->new_session;
}

long long
vs_client_login_time(const struct vs_client *c)
{
	return c->login_at;
}

void
vs_client_keep_session(struct vs_client *c)
{
	c->keep_session = true;
}

int
vs_client_connect(struct vs_client *c, struct err *err)
{
	int rc;

	if (c->logged_in)
		return 0;
	c->closed = false;
	if (!c->have_sc) {
		rc = retrieve_service_content(c, err);
		if (rc != 0)
			return rc;
	}
	return vs_client_login(c, err);
}

int
vs_client_logout(struct vs_client *c, struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	if (c == NULL || !c->logged_in)
		return 0;
	c->logged_in = false;
	rc = vs_soap_request_new(&req, &m, "Logout", &c->sc.session_manager,
	                         err);
	if (rc != 0)
		return rc;
	rc = vs_client_call(c, req, &doc, &resp, err);
	xmlFreeDoc(doc);
	if (rc == 0)
		vs_client_logf(c, 0, "logged out");
	return rc;
}

int
vs_client_close(struct vs_client *c, struct err *err)
{
	int rc, rc2;

	if (c == NULL || c->closed)
		return 0;
	c->closed = true;
	vs_client_cleanup(c);
	rc = c->keep_session ? 0 : vs_client_logout(c, err);
	rc2 = vs_transport_finish(c->transport, err);
	return rc != 0 ? rc : rc2;
}

/* --- kept between processes ----------------------------------------- */

/* A cookie-jar line of the session cookie: printable but for its tabs,
 * shorter than MAX_LINE. */
static bool
jar_line_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f || i + 1 >= MAX_LINE)
			return false;
	}
	return vs_cookie_jar_is(s, COOKIE);
}

int
vs_session_save(char **out, struct vs_client *c, long long since,
                struct err *err)
{
	struct buf b = {0};
	char *sc = NULL, *line = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (!vs_client_logged_in(c))
		return err_set(err, ERR_EINVAL, "no session to keep");
	rc = vs_service_content_format(&sc, vs_client_sc(c), err);
	if (rc == 0)
		rc = vs_client_cookie_save(&line, c, COOKIE, err);
	if (rc != 0)
		goto cleanup;
	if (!jar_line_ok(line)) {
		rc = err_set(err, ERR_EPARSE, "the session cookie cannot be "
		             "saved");
		goto cleanup;
	}
	/* sized once, so that no copy of the cookie is left behind by a
	 * growing buffer */
	len = strlen(MAGIC) + strlen(vs_client_base_url(c)) + strlen(sc) +
	      strlen(line) + 64;
	b.data = malloc(len);
	if (b.data == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	b.cap = len;
	buf_addf(&b, "%s\nvcenter %s\nsince %lld\n%scookie %s\n", MAGIC,
	         vs_client_base_url(c), since, sc, line);
	if (b.failed || b.data == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	*out = b.data;
	b.data = NULL;
cleanup:
	wipe_free(line);
	free(sc);
	free(b.data);
	return rc;
}

/* "since <digits>" into *out. */
static bool
since_of(long long *out, const char *v)
{
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno == 0 && *end == '\0';
}

struct saved {
	struct vs_service_content sc;
	long long since;
	bool magic, vcenter, have_since;
	char *cookie;                /* points into the text's copy */
};

/* One line of the text into *s: 0, or a reason it is not usable. */
static const char *
saved_line(struct saved *s, char *line, const char *base_url)
{
	struct err e = {0};
	int rc;

	if (!s->magic)
		return (s->magic = strcmp(line, MAGIC) == 0) ? NULL :
		       "not a saved session";
	if (strncmp(line, "vcenter ", 8) == 0) {
		s->vcenter = strcmp(line + 8, base_url) == 0;
		return s->vcenter ? NULL : "made for another vCenter";
	}
	if (strncmp(line, "since ", 6) == 0)
		return (s->have_since = since_of(&s->since, line + 6)) ?
		       NULL : "bad since line";
	if (strncmp(line, "cookie ", 7) == 0) {
		s->cookie = line + 7;
		return jar_line_ok(s->cookie) ? NULL : "bad cookie line";
	}
	rc = vs_service_content_line(&s->sc, line, &e);
	return rc == 1 ? NULL : rc == 0 ? "unknown line" : "bad service "
	       "content line";
}

int
vs_session_resume(const char **why, struct vs_client *c, const char *text,
                  long long now, long long max_age_s, struct err *err)
{
	struct saved s;
	char *copy = NULL, *line, *next;
	size_t len = strlen(text);
	int rc = 1;

	memset(&s, 0, sizeof(s));
	*why = NULL;
	copy = strdup(text);
	if (copy == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (line = copy; *why == NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next == NULL) {
			*why = "its last line is cut";
			break;
		}
		*next++ = '\0';
		*why = saved_line(&s, line, vs_client_base_url(c));
	}
	if (*why == NULL && (!s.vcenter || !s.have_since ||
	                     s.cookie == NULL ||
	                     !vs_service_content_whole(&s.sc)))
		*why = "a line is missing";
	if (*why == NULL && s.since > now + 60)
		*why = "made in the future (the clock moved back)";
	if (*why == NULL && now - s.since >= max_age_s)
		*why = "too old";
	if (*why == NULL)
		rc = vs_client_adopt(c, &s.sc, s.cookie, err);
	wipe_free_n(copy, len + 1);
	return rc;
}

/*
 * vsphere/vsphere.h: the public face of the vsphere/ layer for cpi/.
 *
 * Nothing here exposes libxml2: cpi/ sees a session (struct vs_client),
 * error objects (base/err.h), the transport seam (transport.h) and typed
 * helpers such as the datastore file functions (files.h).
 *
 * A CPI call runs like this:
 *
 *	vs_client_new(&c, &opts, &err);     takes opts.transport
 *	vs_client_connect(c, &err);         RetrieveServiceContent + Login
 *	… work …
 *	vs_client_close(c, &err);           Logout + transport finish
 *	vs_client_free(c);                  (logs out itself if still logged
 *	                                     in: sessions never leak)
 */
#ifndef VS_VSPHERE_H
#define VS_VSPHERE_H

#include <stdbool.h>

#include "vsphere/files.h"
#include "vsphere/transport.h"
#include "base/err.h"
#include "vsphere/vs_log.h"

struct vs_client;

struct vs_client_opts {
	const char *url;            /* https://host[:port]/sdk */
	const char *user;
	const char *password;       /* copied; never logged */
	struct vs_transport *transport; /* owned by the client from
	                                   vs_client_new() on, also when it
	                                   fails */
	vs_log_fn log;              /* may be NULL */
	void *log_ud;
	int max_retries;            /* transient failures retried this many
	                               times: 0 → 4, negative → none */
	double retry_base_s;        /* first backoff; doubles per attempt,
	                               capped at 8 s; <= 0 → 0.5 */
	double deadline_s;          /* overall limit from vs_client_new()
	                               on: no exchange, retry or wait runs
	                               past it, and the one then cut off
	                               fails with ERR_ETIMEOUT (transient);
	                               <= 0: none */
	double cleanup_s;           /* what vs_client_cleanup() adds past
	                               the deadline; <= 0: min(15 s,
	                               deadline_s) */
	double (*now)(void *clock_ud);      /* seconds; NULL: monotonic */
	void (*sleep)(void *clock_ud, double s); /* NULL: nanosleep */
	void *clock_ud;
};

/* The SOAPAction of the first call (RetrieveServiceContent), before the
 * server's apiVersion is known.  Every vCenter this CPI supports (6.5 and
 * newer) understands the 6.5 namespace, while an older server would refuse
 * a newer one; every later call uses "urn:vim25/<about.apiVersion>". */
#define VS_SOAP_ACTION_DEFAULT "urn:vim25/6.5"

int vs_client_new(struct vs_client **out, const struct vs_client_opts *opts,
                  struct err *err);
/* RetrieveServiceContent, then Login.  An InvalidLogin fault gives
 * ERR_EFAULT with err->fault "InvalidLogin" and transient false. */
int vs_client_connect(struct vs_client *c, struct err *err);
/* From now on the call is cleaning up (removing what it made, logging
 * out): the deadline is pushed back by the cleanup allowance, once, so
 * a call cut off by its deadline still removes what it made when the
 * server answers.  vs_client_close() does it itself. */
void vs_client_cleanup(struct vs_client *c);
/* Logout when logged in (a no-op otherwise). */
int vs_client_logout(struct vs_client *c, struct err *err);
/* Logout when logged in, then the transport's finish (replay reports
 * unused exchanges).  Reports the first failure; both steps always run. */
int vs_client_close(struct vs_client *c, struct err *err);
/* Closes (failures are only logged), frees the transport and wipes the
 * password.  Accepts NULL. */
void vs_client_free(struct vs_client *c);
/* HTTP exchanges made so far, retries and re-logins included. */
unsigned vs_client_roundtrips(const struct vs_client *c);
bool vs_client_logged_in(const struct vs_client *c);
/* about.apiVersion after connect ("" before). */
const char *vs_client_api_version(const struct vs_client *c);

/* --- a session kept between processes (vsphere/session.c) ----------
 * A CPI process may leave its session open for the next one instead
 * of logging out; the next takes it instead of RetrieveServiceContent
 * and Login (3 round trips fewer per call).  The text holds the session
 * cookie: a secret, for a file only its user can read. */

/* c's session as text (*out malloc'd; wipe it before freeing), made at
 * `since` (Unix seconds: vs_client_login_time()).  ERR_ENOTFOUND: c's transport keeps no
 * session across processes (record, replay). */
int vs_session_save(char **out, struct vs_client *c, long long since,
                    struct err *err);
/* Takes the saved session in text instead of connecting: 0 when taken;
 * 1 when it cannot serve (*why says why: another vCenter, since more
 * than max_age_s before now, malformed), nothing taken, c to connect as
 * usual; a negative code on failure. */
int vs_session_resume(const char **why, struct vs_client *c,
                      const char *text, long long now, long long max_age_s,
                      struct err *err);
/* Whether a Login succeeded in this process (a saved session refused by
 * vCenter logs in again: that one is new too). */
bool vs_client_new_session(const struct vs_client *c);
/* When this process's last Login succeeded (Unix seconds; 0: none). */
long long vs_client_login_time(const struct vs_client *c);
/* vs_client_close() and vs_client_free() leave the session open. */
void vs_client_keep_session(struct vs_client *c);

#endif

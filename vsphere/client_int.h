/*
 * vsphere/client_int.h: the SOAP client's state, shared by its two
 * files: client.c (the exchanges: retries, SOAP, the re-login rule) and
 * session.c (the session: service content, Login, Logout, and the
 * session kept between processes).  No other file includes it.
 */
#ifndef VS_CLIENT_INT_H
#define VS_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/client.h"

struct vs_client {
	char *url;              /* https://host:port/sdk */
	char *base_url;         /* https://host:port */
	char *user;
	char *password;
	size_t password_len;
	struct vs_transport *transport;
	vs_log_fn log;
	void *log_ud;
	int max_retries;
	double retry_base_s;
	double (*now)(void *);
	void (*sleep)(void *, double);
	void *clock_ud;
	struct vs_service_content sc;
	bool have_sc;
	bool logged_in;
	bool new_session;       /* a Login succeeded in this process */
	long long login_at;     /* when (Unix seconds), for a kept session */
	bool keep_session;      /* close leaves it open (vsphere/session.h) */
	bool closed;
	double deadline;        /* absolute, on c->now's clock; 0: none */
	double deadline_s;      /* as configured, for messages */
	double cleanup_s;
	bool cleaning;          /* vs_client_cleanup() ran */
	char soap_action[64];
	unsigned roundtrips;
};

/* Login with c's user and password (c's service content read): one
 * round trip. */
int vs_client_login(struct vs_client *c, struct err *err);

#endif

/*
 * cpi/session_keep.h: the vCenter session kept between CPI calls
 * (vcenters[0].session_dir; off when unset).
 *
 * A call that reached vCenter leaves its session open instead of logging
 * out, and writes it to <session_dir>/<SHA-256 of the vCenter URL and
 * user, hex>.session; the next call takes it instead of
 * RetrieveServiceContent and Login: 3 round trips fewer.  A session
 * vCenter no longer knows (expired, vpxd restarted, ended by an
 * administrator) is refused at the call's first request, which logs in
 * again and resends it (vsphere/client.h): 1 round trip more than a
 * login of its own.  One older than CPI_SESSION_MAX_AGE_S is not taken:
 * the call logs in anew and the old session ends with vCenter's idle
 * timeout, so a session never outlives a disabled account or a changed
 * password for long.
 *
 * The file, text (its first line this module's, the rest
 * vsphere/session.c's):
 *
 *	login <uuid> <SHA-256 of uuid and the configured password, hex>
 *	vsphere-cpi-session 1
 *	…
 *
 * A file whose login line does not match the configured password is
 * not taken, so a changed password logs in at once.  The directory is
 * made with mode 0700 and must be this user's and writable by no one
 * else; the file is written 0600 under a temporary name and renamed.
 * The session cookie in it is a secret as the password in the config
 * is: it is never logged.
 */
#ifndef CPI_SESSION_KEEP_H
#define CPI_SESSION_KEEP_H

#include "cpi/dispatch.h"
#include "vsphere/vsphere.h"

#define CPI_SESSION_MAX_AGE_S 600
#define CPI_SESSION_SUFFIX ".session"

/* Before connecting: 0 when c took the saved session, 1 when there is
 * none to take (session_dir unset, record or replay, no file, another
 * password, too old, malformed: the reason logged).  Never fails the
 * call. */
int cpi_session_take(struct vs_client *c, struct cpi_call *call);

/* Before vs_client_close(): keeps c's session open when session_dir is
 * set, writing it when this call logged in.  A failure is logged and the
 * session is logged out as without session_dir. */
void cpi_session_keep(struct vs_client *c, struct cpi_call *call);

/* The file name of the session of url and user (without the
 * directory): 64 hex digits and CPI_SESSION_SUFFIX into out (size bytes,
 * at least 80); -1 when no digest could be made. */
int cpi_session_file_name(char *out, size_t size, const char *url,
                          const char *user);

#endif

/*
 * vsphere/transports.h: constructors of the transports behind
 * vsphere/transport.h.
 *
 *   curl    the real thing (libcurl, one easy handle per transport, so
 *           connections and the vmware_soap_session cookie are reused;
 *           a second one, sharing cookies, for a round trip made from an
 *           upload's progress callback).
 *   record  wraps another transport and writes every exchange, redacted,
 *           into a scenario directory (format: vsphere/fixture.h).
 *   replay  serves a scenario directory: each live request must match the
 *           next recorded one; no network, no sleeps.  Exchanges marked
 *           nested (made from an upload's progress callback) are served
 *           when the callback asks for them and skipped otherwise.
 *
 * Replay across processes.  One scenario may be recorded by several CPI
 * processes in turn (create_vm, then delete_vm, …): record appends after
 * the highest existing number and stamps each exchange with the number
 * of the first exchange its process wrote ("session").  To replay such a
 * scenario, every process must start where the previous one stopped.
 * The fixture directory stays read-only; the position is kept in a
 * cursor file outside it:
 *
 *   VSPHERE_CPI_REPLAY_CURSOR=FILE   FILE holds the number of the next
 *                                    exchange to serve ("12\n"); missing
 *                                    or empty: the first exchange.  It is
 *                                    rewritten after every exchange and
 *                                    by finish().
 *   VSPHERE_CPI_REPLAY_START=N       start at exchange N instead (no file).
 *
 * With a cursor file or a start index ("scoped" replay) a process may
 * only use the exchanges of the recording session it starts in: a request
 * past its end is an error, and finish() reports the unused rest of that
 * session and moves the cursor to the next session.  Without either, the
 * whole directory is one run and finish() reports everything unused.
 * A scenario runner checks the end of a multi-process run by reading the
 * cursor: it must name a number past the last exchange.
 */
#ifndef VS_TRANSPORTS_H
#define VS_TRANSPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/transport.h"
#include "base/err.h"
#include "vsphere/vs_log.h"

struct vs_curl_opts {
	const char *ca_cert_pem;   /* PEM text or NULL = system store */
	bool insecure;             /* explicit opt-out: no peer/host
	                              verification (logged as a warning) */
	long connect_timeout_s;    /* 0: 30 s */
	long timeout_s;            /* whole exchange; 0: none, but a
	                              transfer stalled for 300 s fails */
	vs_log_fn log;             /* may be NULL */
	void *log_ud;
	size_t max_body;           /* in-memory reply cap; 0: 64 MiB */
};

enum vs_transport_mode {
	VS_TRANSPORT_CURL,
	VS_TRANSPORT_RECORD,
	VS_TRANSPORT_REPLAY,
};

int vs_transport_curl_new(struct vs_transport **out,
                          const struct vs_curl_opts *opts,
                          struct err *err);

/* inner is owned from the call on (freed even when this fails).  secrets:
 * NULL-terminated, copied; redacted from everything written. */
int vs_transport_record_new(struct vs_transport **out,
                            struct vs_transport *inner, const char *dir,
                            const char *const *secrets,
                            struct err *err);

/* start: first exchange number to serve (0: none given).  cursor_path:
 * writable cursor file or NULL.  start wins over the cursor file's
 * content; the file is still updated. */
int vs_transport_replay_new(struct vs_transport **out, const char *dir,
                            const char *const *secrets, unsigned long start,
                            const char *cursor_path, struct err *err);

/* Mode and directory given explicitly (cpi --replay DIR / --record DIR);
 * dir is ignored for curl.  Replay honours VSPHERE_CPI_REPLAY_CURSOR and
 * VSPHERE_CPI_REPLAY_START. */
int vs_transport_new(struct vs_transport **out, enum vs_transport_mode mode,
                     const char *dir, const struct vs_curl_opts *curl_opts,
                     const char *const *secrets, struct err *err);

/* The transport of a CPI process without --replay/--record: curl.  In a
 * build with test hooks (vs_transport_test_hooks()) the environment may
 * change that: VSPHERE_CPI_FIXTURES=replay:DIR or record:DIR (unset or
 * empty: curl), and VSPHERE_CPI_FAULTS wraps the result in the
 * fault-injecting transport of vsphere/transport_fault.h.  A build
 * without them (the release) reads neither variable. */
int vs_transport_from_env(struct vs_transport **out,
                          const struct vs_curl_opts *curl_opts,
                          const char *const *secrets, struct err *err);
/* Whether this build has the test hooks: the Makefile's TEST_HOOKS=1 (the
 * default of `make`) defines VS_TEST_HOOKS=1; the release's packaging
 * builds with TEST_HOOKS=0. */
bool vs_transport_test_hooks(void);
/* vs_transport_from_env() with the hooks on or off whatever the build
 * (for tests). */
int vs_transport_select(struct vs_transport **out,
                        const struct vs_curl_opts *curl_opts,
                        const char *const *secrets, bool hooks,
                        struct err *err);

#endif

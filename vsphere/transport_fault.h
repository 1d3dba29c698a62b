/*
 * vsphere/transport_fault.h: a transport that wraps another and injects
 * failures, for the fault-injection suites (tests/integration/
 * check_faults.c).  Never used unless asked for: the selector in
 * vsphere/transport.c wraps the transport it made when
 * VSPHERE_CPI_FAULTS is set and not empty.
 *
 *   VSPHERE_CPI_FAULTS=RULE[,RULE...]
 *   RULE = KIND@WHEN
 *   WHEN = N        the N-th exchange of this process (1-based, retries
 *                   and re-logins counted)
 *        | OP       the first exchange labelled OP (the SOAP method name,
 *                   "file-get", "file-put", or the HTTP method)
 *        | OP#N     the N-th exchange labelled OP
 *        | *        every exchange
 *   A rule other than * fires once.  The first rule that matches an
 *   exchange wins.
 *
 *   KIND       reaches the  what the caller sees
 *              server?
 *   refused    no           ERR_ENET "connection refused" (transient)
 *   reset      yes          ERR_ENET "connection reset" after the request
 *                           was sent, reply dropped (transient)
 *   timeout    yes          ERR_ETIMEOUT, reply dropped (transient)
 *   503        no           HTTP 503 with an HTML body
 *   fault      no           HTTP 500, SOAP fault SystemError
 *   notauth    no           HTTP 500, SOAP fault NotAuthenticated (the
 *                           session expired in the middle of the call)
 *   taskerror  no           for a *_Task method: a made-up Task whose
 *                           info (read by any later request naming it)
 *                           is state error, fault SystemError
 *   truncated  yes          the real reply cut in the middle
 *   garbage    no           HTTP 200, 3 MiB of random bytes
 *   kill       yes          the process is killed (SIGKILL) right after
 *                           the reply came: a CPI killed mid-call
 *
 *   VSPHERE_CPI_FAULTS_LOG=FILE  appends one line per injected fault,
 *                                "KIND OP N\n", so a test can tell that
 *                                its fault fired.
 */
#ifndef VS_TRANSPORT_FAULT_H
#define VS_TRANSPORT_FAULT_H

#include "vsphere/transport.h"
#include "base/err.h"

/* inner is owned from the call on (freed even when this fails).  spec as
 * above; log_path may be NULL. */
int vs_transport_fault_new(struct vs_transport **out,
                           struct vs_transport *inner, const char *spec,
                           const char *log_path, struct err *err);

#endif

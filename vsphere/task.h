/*
 * vsphere/task.h: waiting for a vCenter Task (internal to vsphere/).
 */
#ifndef VS_TASK_H
#define VS_TASK_H

#include "vsphere/client.h"

/* What a successful task produced: info.result as a moref (moref.type
 * non-empty) or as a simple value (text non-NULL, malloc'd).  A complex
 * result (e.g. HostDatastoreBrowserSearchResults) sets neither; read the
 * Task's "info.result" with vs_get_props() for those. */
struct vs_task_result {
	struct vs_moref moref;
	char *text;
};

void vs_task_result_clear(struct vs_task_result *r);

/* Waits until task ends or timeout_s (measured with vs_client_now) has
 * passed.  0 when the task succeeded (out, which may be NULL, then holds
 * its result); ERR_ETASK when it ended in error, with err->fault the
 * fault's type (e.g. "InvalidPowerState") and its localizedMessage in
 * err->message; ERR_ETIMEOUT (transient) when the deadline passed. */
int vs_task_wait(struct vs_task_result *out, struct vs_client *c,
                 const struct vs_moref *task, double timeout_s,
                 struct err *err);

/* The one way to run a *_Task method: sends req (consumed, as by
 * vs_client_call), reads the Task moref from the reply's returnval and
 * waits for it as vs_task_wait does. */
int vs_task_call(struct vs_task_result *out, struct vs_client *c,
                 xmlDocPtr req, double timeout_s, struct err *err);

#endif

/*
 * vsphere/task.c: waiting for a Task with WaitForUpdatesEx.
 *
 * Round trips: the task's info is read once with RetrievePropertiesEx
 * first, and a property filter is set up only when the task is still
 * queued or running.  A task that has already finished (always so on the
 * simulator, and often on vCenter for quick reconfigurations) then costs
 * one round trip instead of three (CreateFilter + WaitForUpdatesEx +
 * DestroyPropertyFilter); a task still running pays one extra read, which
 * is small against the time spent waiting for it anyway.
 *
 * While waiting, WaitForUpdatesEx blocks on the server for at most
 * WAIT_STEP_S seconds per call, so the overall deadline is checked at
 * least that often.  The filter is destroyed on every path.
 */
#include "vsphere/task.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pc.h"
#include "vsphere/vim.h"

#define WAIT_STEP_S 10
#define MAX_VERSION 256

static const char *const task_paths[] = {
	"info.state", "info.error", "info.result", NULL,
};

void
vs_task_result_clear(struct vs_task_result *r)
{
	if (r == NULL)
		return;
	free(r->text);
	memset(r, 0, sizeof(*r));
}

static bool
finished(const struct vs_task_info *ti)
{
	return ti->state == VS_TASK_SUCCESS || ti->state == VS_TASK_ERROR;
}

/* One property of a RetrievePropertiesEx read into ti. */
static int
apply_prop(struct vs_task_info *ti, const struct vs_prop *p,
           struct err *err)
{
	if (strcmp(p->name, "info.state") == 0 && p->kind == VS_PROP_TEXT)
		return vs_task_state_parse(&ti->state, p->text, err);
	if (strcmp(p->name, "info.error") == 0 && p->kind == VS_PROP_NODE) {
		ti->has_error = true;
		return vs_lmf_from_node(&ti->error, p->node, err);
	}
	if (strcmp(p->name, "info.result") == 0) {
		if (p->kind == VS_PROP_MOREF) {
			ti->has_result_moref = true;
			ti->result_moref = p->refs[0];
			return 0;
		}
		if (p->kind == VS_PROP_TEXT) {
			ti->result_text = strdup(p->text);
			if (ti->result_text == NULL)
				return err_set(err, ERR_ENOMEM,
				               "out of memory");
			return 0;
		}
		if (p->kind == VS_PROP_NODE)
			return 0;   /* complex result: left to the caller */
	}
	return err_set(err, ERR_EPARSE, "unexpected task property %s",
	               p->name);
}

static int
read_info(struct vs_task_info *ti, struct vs_client *c,
          const struct vs_moref *task, struct err *err)
{
	struct vs_object *o = NULL;
	size_t i;
	int rc;

	rc = vs_get_props(&o, c, task, task_paths, err);
	for (i = 0; rc == 0 && i < o->nprops; i++)
		rc = apply_prop(ti, &o->props[i], err);
	if (rc == 0 && ti->state == 0)
		rc = err_set(err, ERR_EPARSE, "task %s: no info.state",
		             task->value);
	vs_object_free(o);
	return rc;
}

static int
create_filter(struct vs_moref *filter, struct vs_client *c,
              const struct vs_moref *task, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_property_spec ps = { .type = "Task", .paths = task_paths };
	struct vs_object_spec os = { .obj = *task, .skip = false };
	struct vs_filter_spec fs = {
		.props = &ps, .nprops = 1, .objects = &os, .nobjects = 1,
	};
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, rv;
	int rc;

	memset(filter, 0, sizeof(*filter));
	rc = vs_soap_request_new(&req, &m, "CreateFilter",
	                         &sc->property_collector, err);
	if (rc == 0)
		rc = vs_add_filter_spec(m, "spec", &fs, err);
	if (rc == 0 && vs_soap_add_bool(m, "partialUpdates", false) == NULL)
		rc = err_set(err, ERR_ENOMEM, "out of memory");
	if (rc < 0)
		goto cleanup;
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc < 0)
		goto cleanup;
	rv = vs_xml_child(r, "returnval");
	if (rv == NULL) {
		rc = err_set(err, ERR_EPARSE, "CreateFilter: no filter");
		goto cleanup;
	}
	rc = vs_xml_moref(filter, rv, err);
cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	return rc;
}

static void
destroy_filter(struct vs_client *c, const struct vs_moref *filter)
{
	struct err local;
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;

	err_clear(&local);
	if (vs_soap_request_new(&req, &m, "DestroyPropertyFilter", filter,
	                        &local) == 0)
		vs_client_call(c, req, &resp, &r, &local);
	if (err_is_set(&local))
		vs_client_logf(c, 2, "DestroyPropertyFilter: %s",
		               local.message);
	xmlFreeDoc(resp);
}

/* The moref in child name of parent; ERR_EPARSE when absent. */
static int
child_ref(struct vs_moref *out, xmlNodePtr parent, const char *name,
          struct err *err)
{
	xmlNodePtr n = vs_xml_child(parent, name);

	memset(out, 0, sizeof(*out));
	if (n == NULL)
		return err_set(err, ERR_EPARSE, "update without <%s>",
		               name);
	return vs_xml_moref(out, n, err);
}

/* The changeSet/missingSet of one ObjectUpdate for our task. */
static int
apply_object_update(struct vs_task_info *ti, xmlNodePtr ou,
                    const struct vs_moref *task, struct err *err)
{
	char kind[32], name[128], op[32];
	struct vs_fault f;
	xmlNodePtr k, val;
	bool was_set;
	int rc;

	rc = vs_xml_child_copy(kind, sizeof(kind), ou, "kind");
	if (rc < 0)
		return err_set(err, ERR_EPARSE, "ObjectUpdate: bad kind");
	if (strcmp(kind, "leave") == 0)
		return err_set(err, ERR_ENOTFOUND, "task %s disappeared",
		               task->value);
	k = vs_xml_child(ou, "missingSet");
	if (k != NULL) {
		val = vs_xml_child(k, "fault");
		if (val == NULL || vs_lmf_from_node(&f, val, err) < 0)
			return err_set(err, ERR_EPARSE,
			               "bad missingSet in update");
		was_set = err_is_set(err);
		rc = err_set(err, ERR_EFAULT, "task %s: %s",
		             task->value, f.type);
		if (err != NULL && !was_set)
			memcpy(err->fault, f.type, sizeof(err->fault));
		return rc;
	}
	for (k = vs_xml_child(ou, "changeSet"); k != NULL;
	     k = vs_xml_next(k, "changeSet")) {
		if (vs_xml_child_copy(name, sizeof(name), k, "name") < 0 ||
		    vs_xml_child_copy(op, sizeof(op), k, "op") < 0)
			return err_set(err, ERR_EPARSE,
			               "bad changeSet in update");
		val = vs_xml_child(k, "val");
		if (strcmp(op, "remove") == 0 ||
		    strcmp(op, "indirectRemove") == 0)
			val = NULL;
		rc = vs_task_info_apply(ti, name, val, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One UpdateSet: only our filter's updates about our task count. */
static int
apply_update_set(struct vs_task_info *ti, char *version, size_t vsize,
                 xmlNodePtr rv, const struct vs_moref *filter,
                 const struct vs_moref *task, struct err *err)
{
	struct vs_moref ref;
	xmlNodePtr fs, ou;
	int rc;

	rc = vs_xml_child_copy(version, vsize, rv, "version");
	if (rc < 0)
		return err_set(err, ERR_EPARSE, "UpdateSet: bad version");
	for (fs = vs_xml_child(rv, "filterSet"); fs != NULL;
	     fs = vs_xml_next(fs, "filterSet")) {
		rc = child_ref(&ref, fs, "filter", err);
		if (rc < 0)
			return rc;
		if (!vs_moref_eq(&ref, filter))
			continue;
		for (ou = vs_xml_child(fs, "objectSet"); ou != NULL;
		     ou = vs_xml_next(ou, "objectSet")) {
			rc = child_ref(&ref, ou, "obj", err);
			if (rc < 0)
				return rc;
			if (!vs_moref_eq(&ref, task))
				continue;
			rc = apply_object_update(ti, ou, task, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int
wait_once(struct vs_task_info *ti, bool *empty, char *version, size_t vsize,
          struct vs_client *c, int wait_s, const struct vs_moref *filter,
          const struct vs_moref *task, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, rv, opts;
	int rc;

	*empty = true;
	rc = vs_soap_request_new(&req, &m, "WaitForUpdatesEx",
	                         &sc->property_collector, err);
	if (rc < 0)
		goto cleanup;
	opts = NULL;
	if (vs_soap_add_text(m, "version", version) != NULL)
		opts = vs_soap_add_obj(m, "options", NULL);
	if (opts == NULL ||
	    vs_soap_add_long(opts, "maxWaitSeconds", wait_s) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc < 0)
		goto cleanup;
	rv = vs_xml_child(r, "returnval");
	if (rv == NULL)
		goto cleanup;   /* maxWaitSeconds passed without change */
	*empty = false;
	rc = apply_update_set(ti, version, vsize, rv, filter, task, err);
cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	return rc;
}

static int
timed_out(const struct vs_moref *task, double timeout_s,
          struct err *err)
{
	bool was_set = err_is_set(err);
	int rc;

	rc = err_set(err, ERR_ETIMEOUT,
	             "task %s still running after %.0f s", task->value,
	             timeout_s);
	if (err != NULL && !was_set)
		err->transient = true;
	return rc;
}

static int
wait_loop(struct vs_task_info *ti, struct vs_client *c,
          const struct vs_moref *task, double deadline, double timeout_s,
          struct err *err)
{
	char version[MAX_VERSION] = "";
	struct vs_moref filter;
	double remaining, t0;
	bool empty;
	int rc, wait_s;

	/* Out of time already: no filter worth creating. */
	if (deadline - vs_client_now(c) <= 0)
		return timed_out(task, timeout_s, err);
	rc = create_filter(&filter, c, task, err);
	if (rc < 0)
		return rc;
	while (!finished(ti)) {
		remaining = deadline - vs_client_now(c);
		if (remaining <= 0) {
			rc = timed_out(task, timeout_s, err);
			break;
		}
		wait_s = remaining >= WAIT_STEP_S ? WAIT_STEP_S :
		         (int)ceil(remaining);
		t0 = vs_client_now(c);
		rc = wait_once(ti, &empty, version, sizeof(version), c,
		               wait_s, &filter, task, err);
		if (rc < 0)
			break;
		/* A server that answers "nothing changed" at once (instead
		 * of blocking for maxWaitSeconds) must not make us spin. */
		if (empty && vs_client_now(c) - t0 < 0.5)
			vs_client_sleep(c, 1.0);
	}
	destroy_filter(c, &filter);
	return rc;
}

int
vs_task_wait(struct vs_task_result *out, struct vs_client *c,
             const struct vs_moref *task, double timeout_s,
             struct err *err)
{
	struct vs_task_info ti;
	double deadline;
	bool was_set;
	int rc;

	memset(&ti, 0, sizeof(ti));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (task == NULL || task->value[0] == '\0')
		return err_set(err, ERR_EINVAL, "no task to wait for");
	deadline = vs_client_now(c) + timeout_s;
	rc = read_info(&ti, c, task, err);
	if (rc == 0 && !finished(&ti))
		rc = wait_loop(&ti, c, task, deadline, timeout_s, err);
	if (rc < 0)
		goto cleanup;
	if (ti.state == VS_TASK_ERROR) {
		was_set = err_is_set(err);
		if (!ti.has_error) {
			rc = err_set(err, ERR_ETASK,
			             "task %s failed without a fault",
			             task->value);
			goto cleanup;
		}
		rc = err_set(err, ERR_ETASK, "task %s: %s: %s",
		             task->value, ti.error.type,
		             ti.error.localized[0] != '\0' ?
		             ti.error.localized : "(no message)");
		if (err != NULL && !was_set)
			memcpy(err->fault, ti.error.type, sizeof(err->fault));
		goto cleanup;
	}
	if (out != NULL) {
		if (ti.has_result_moref)
			out->moref = ti.result_moref;
		out->text = ti.result_text;
		ti.result_text = NULL;
	}
cleanup:
	vs_task_info_clear(&ti);
	return rc;
}

int
vs_task_call(struct vs_task_result *out, struct vs_client *c, xmlDocPtr req,
             double timeout_s, struct err *err)
{
	xmlDocPtr resp = NULL;
	xmlNodePtr r;
	struct vs_moref task;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	rc = vs_client_call(c, req, &resp, &r, err);
	if (rc == 0)
		rc = vs_xml_moref(&task, vs_xml_child(r, "returnval"), err);
	if (rc == 0)
		rc = vs_task_wait(out, c, &task, timeout_s, err);
	xmlFreeDoc(resp);
	return rc;
}

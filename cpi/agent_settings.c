/*
 * cpi/agent_settings.c: the settings document the agent reads from the
 * env CD-ROM and guestinfo.userdata (cpi/agent_net.h), built as json_t.
 */
#include "cpi/agent_net.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

static int
oom(struct err *err)
{
	return cpi_err_set(err, CPI_ERROR_CPI, false, "out of memory");
}

/* obj[key] = s; what names s in the message (never its content). */
static int
put_str(json_t *obj, const char *key, const char *s, const char *what,
        struct err *err)
{
	if (s == NULL)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s missing", what);
	if (!utf8_valid(s, strlen(s)))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s is not valid UTF-8", what);
	if (json_object_set_new(obj, key, json_string(s)) != 0)
		return oom(err);
	return 0;
}

/* obj[key] = a copy of v, which must be a JSON object or (string_ok) a
 * string. */
static int
put_value(json_t *obj, const char *key, const json_t *v, bool string_ok,
          const char *what, struct err *err)
{
	if (v == NULL)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s is missing", what);
	if (!json_is_object(v) && !(string_ok && json_is_string(v)))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s must be a JSON %s", what, string_ok ?
		                   "string or object" : "object");
	if (json_object_set_new(obj, key, json_deep_copy(v)) != 0)
		return oom(err);
	return 0;
}

static int
put_persistent(json_t *disks, const struct cpi_agent_settings *s,
               struct err *err)
{
	json_t *p = json_object();
	size_t i;
	int rc = 0;

	if (p == NULL || json_object_set_new(disks, "persistent", p) != 0)
		return oom(err);
	if (s->npersistent > 0 && s->persistent == NULL)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "persistent disks missing");
	for (i = 0; i < s->npersistent && rc == 0; i++) {
		const struct cpi_disk_hint *d = &s->persistent[i];

		if (d->cid == NULL || d->cid[0] == '\0')
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "persistent disk %zu has no cid",
			                   i);
		if (!utf8_valid(d->cid, strlen(d->cid)))
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "persistent disk cid is not valid "
			                   "UTF-8");
		rc = put_value(p, d->cid, d->hint, true,
		               "persistent disk hint", err);
	}
	return rc;
}

static int
put_disks(json_t *doc, const struct cpi_agent_settings *s,
          struct err *err)
{
	json_t *disks = json_object();
	int rc = 0;

	if (disks == NULL || json_object_set_new(doc, "disks", disks) != 0)
		return oom(err);
	if (s->disk_system != NULL)
		rc = put_value(disks, "system", s->disk_system, true,
		               "disks.system", err);
	if (rc == 0 && s->disk_ephemeral != NULL)
		rc = put_value(disks, "ephemeral", s->disk_ephemeral, true,
		               "disks.ephemeral", err);
	if (rc == 0)
		rc = put_persistent(disks, s, err);
	return rc;
}

/* The config's JSON text (what names it) as a json_t object. */
static int
load_object(json_t **out, const char *text, const char *what,
            struct err *err)
{
	json_error_t jerr;

	*out = json_loads(text, 0, &jerr);
	if (*out == NULL)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s is not valid JSON (at byte %d)", what,
		                   jerr.position);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s must be a JSON object", what);
	}
	return 0;
}

/* ntp, mbus and blobstore of the config's agent section. */
static int
put_agent(json_t *doc, const struct cpi_agent *ag, struct err *err)
{
	json_t *ntp, *blob = NULL;
	size_t i;
	int rc = 0;

	if (ag->ntp != NULL) {
		ntp = json_array();
		if (ntp == NULL || json_object_set_new(doc, "ntp", ntp) != 0)
			return oom(err);
		for (i = 0; i < ag->nntp && rc == 0; i++) {
			if (ag->ntp[i] == NULL)
				return cpi_err_set(err, CPI_ERROR_CLOUD,
				                   false, "ntp server %zu "
				                   "missing", i);
			if (!utf8_valid(ag->ntp[i], strlen(ag->ntp[i])))
				return cpi_err_set(err, CPI_ERROR_CLOUD,
				                   false, "ntp server is not "
				                   "valid UTF-8");
			if (json_array_append_new(ntp,
			                          json_string(ag->ntp[i])) != 0)
				return oom(err);
		}
	}
	if (ag->mbus != NULL)
		rc = put_str(doc, "mbus", ag->mbus, "mbus", err);
	if (rc == 0 && ag->blobstore_json != NULL)
		rc = load_object(&blob, ag->blobstore_json, "blobstore", err);
	if (rc == 0 && blob != NULL &&
	    json_object_set_new(doc, "blobstore", blob) != 0)
		rc = oom(err);
	return rc;
}

/* The whole agent section of the config merged into the settings, as
 * the Ruby CPI merges it (its keys over the CPI's, the request's env
 * excepted), when it holds more than ntp, mbus, blobstore and env (which
 * put_agent wrote already). */
static int
merge_agent(json_t *doc, const struct cpi_agent *ag, struct err *err)
{
	json_t *agent = NULL, *v;
	const char *key;
	bool more = false;
	int rc;

	if (ag->json == NULL)
		return 0;
	rc = load_object(&agent, ag->json, "agent", err);
	if (rc < 0)
		return rc;
	json_object_foreach(agent, key, v) {
		if (strcmp(key, "ntp") != 0 && strcmp(key, "mbus") != 0 &&
		    strcmp(key, "blobstore") != 0 && strcmp(key, "env") != 0)
			more = true;
	}
	json_object_foreach(agent, key, v) {
		if (more && strcmp(key, "env") != 0 &&
		    json_object_set(doc, key, v) != 0) {
			rc = oom(err);
			break;
		}
	}
	json_decref(agent);
	return rc;
}

static int
build(json_t *doc, const struct cpi_agent_settings *s,
      struct err *err)
{
	json_t *vm = json_object(), *nets = NULL;
	int rc;

	if (s->agent_id == NULL || s->agent_id[0] == '\0')
		rc = cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                 "agent_id missing");
	else
		rc = put_str(doc, "agent_id", s->agent_id, "agent_id", err);
	if (rc == 0 && (vm == NULL || json_object_set(doc, "vm", vm) != 0))
		rc = oom(err);
	if (rc == 0 && (s->vm_name == NULL || s->vm_name[0] == '\0'))
		rc = cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                 "vm name missing");
	if (rc == 0)
		rc = put_str(vm, "name", s->vm_name, "vm name", err);
	if (rc == 0 && s->vm_id != NULL)
		rc = put_str(vm, "id", s->vm_id, "vm id", err);
	json_decref(vm);
	if (rc == 0)
		rc = cpi_networks_json(&nets, s->networks, s->request_networks,
		                       true, err);
	if (rc == 0 && json_object_set_new(doc, "networks", nets) != 0)
		rc = oom(err);
	if (rc == 0)
		rc = put_disks(doc, s, err);
	if (rc == 0 && s->env != NULL)
		rc = put_value(doc, "env", s->env, false, "env", err);
	if (rc == 0 && s->agent != NULL)
		rc = put_agent(doc, s->agent, err);
	if (rc == 0 && s->agent != NULL)
		rc = merge_agent(doc, s->agent, err);
	return rc;
}

int
cpi_agent_settings_json(json_t **out, const struct cpi_agent_settings *s,
                        struct err *err)
{
	struct err local = {0};
	json_t *doc = NULL;
	int rc;

	*out = NULL;
	if (s == NULL)
		rc = cpi_err_set(&local, CPI_ERROR_CLOUD, false,
		                 "settings missing");
	else if ((doc = json_object()) == NULL)
		rc = oom(&local);
	else
		rc = build(doc, s, &local);
	if (rc < 0) {
		json_decref(doc);
		cpi_err_set(err, local.type, false, "agent settings: %s",
		            local.message);
		return ERR_FAIL;
	}
	*out = doc;
	return 0;
}

void
cpi_agent_settings_free(json_t *doc)
{
	const char *key;
	json_t *v;
	size_t i;

	if (doc == NULL)
		return;
	/* only the last reference wipes: a shared value is still in use */
	if (doc->refcount == 1) {
		if (json_is_string(doc))
			memset((char *)json_string_value(doc), 0,
			       json_string_length(doc));
		else if (json_is_object(doc))
			json_object_foreach(doc, key, v)
				cpi_agent_settings_free(json_incref(v));
		else if (json_is_array(doc))
			json_array_foreach(doc, i, v)
				cpi_agent_settings_free(json_incref(v));
	}
	json_decref(doc);
}

/* network/agent_settings.c: the settings document the agent reads from
 * the env CD-ROM / guestinfo.userdata. */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdlib.h>
#include <string.h>

static int
put_fragment(struct net__buf *b, const char *json, enum net__json_kind kind,
             const char *what, struct net_error *err)
{
	int rc;

	rc = net__json_check(json, kind, what, err);
	if (rc < 0)
		return rc;
	net__buf_puts(b, json);
	return 0;
}

static int
put_disks(struct net__buf *b, const struct net_agent_settings *s,
          struct net_error *err)
{
	size_t i;
	int rc = 0;
	bool first = true;

	net__buf_puts(b, "\"disks\":{");
	if (s->disk_system != NULL) {
		net__buf_puts(b, "\"system\":");
		rc = put_fragment(b, s->disk_system,
		                  NET__JSON_STRING_OR_OBJECT, "disks.system",
		                  err);
		first = false;
	}
	if (rc == 0 && s->disk_ephemeral != NULL) {
		net__buf_puts(b, first ? "\"ephemeral\":" : ",\"ephemeral\":");
		rc = put_fragment(b, s->disk_ephemeral,
		                  NET__JSON_STRING_OR_OBJECT, "disks.ephemeral",
		                  err);
		first = false;
	}
	if (rc < 0)
		return rc;
	net__buf_puts(b, first ? "\"persistent\":{" : ",\"persistent\":{");
	if (s->npersistent > 0 && s->persistent == NULL)
		return net_error_set(err, NET_EINVAL,
		                     "persistent disks missing");
	for (i = 0; i < s->npersistent; i++) {
		const struct net_disk_hint *d = &s->persistent[i];

		if (d->cid == NULL || d->cid[0] == '\0')
			return net_error_set(err, NET_EINVAL,
			                     "persistent disk %zu has no cid",
			                     i);
		if (i > 0)
			net__buf_puts(b, ",");
		rc = net__buf_json_string(b, d->cid, "persistent disk cid",
		                          err);
		if (rc < 0)
			return rc;
		net__buf_puts(b, ":");
		rc = put_fragment(b, d->hint_json, NET__JSON_STRING_OR_OBJECT,
		                  "persistent disk hint", err);
		if (rc < 0)
			return rc;
	}
	net__buf_puts(b, "}}");
	return 0;
}

static int
put_ntp(struct net__buf *b, const struct net_agent_settings *s,
        struct net_error *err)
{
	size_t i;
	int rc;

	net__buf_puts(b, ",\"ntp\":[");
	for (i = 0; i < s->nntp; i++) {
		if (s->ntp[i] == NULL)
			return net_error_set(err, NET_EINVAL,
			                     "ntp server %zu missing", i);
		if (i > 0)
			net__buf_puts(b, ",");
		rc = net__buf_json_string(b, s->ntp[i], "ntp server", err);
		if (rc < 0)
			return rc;
	}
	net__buf_puts(b, "]");
	return 0;
}

static int
build(struct net__buf *b, const struct net_agent_settings *s,
      struct net_error *err)
{
	int rc;

	if (s->agent_id == NULL || s->agent_id[0] == '\0')
		return net_error_set(err, NET_EINVAL, "agent_id missing");
	if (s->vm_name == NULL || s->vm_name[0] == '\0')
		return net_error_set(err, NET_EINVAL, "vm name missing");
	if (s->networks == NULL)
		return net_error_set(err, NET_EINVAL, "networks missing");

	net__buf_puts(b, "{\"agent_id\":");
	rc = net__buf_json_string(b, s->agent_id, "agent_id", err);
	if (rc < 0)
		return rc;
	net__buf_puts(b, ",\"vm\":{\"name\":");
	rc = net__buf_json_string(b, s->vm_name, "vm name", err);
	if (rc < 0)
		return rc;
	if (s->vm_id != NULL) {
		net__buf_puts(b, ",\"id\":");
		rc = net__buf_json_string(b, s->vm_id, "vm id", err);
		if (rc < 0)
			return rc;
	}
	net__buf_puts(b, "},\"networks\":");
	rc = net__put_networks(b, s->networks, true, err);
	if (rc < 0)
		return rc;
	net__buf_puts(b, ",");
	rc = put_disks(b, s, err);
	if (rc < 0)
		return rc;
	if (s->env_json != NULL) {
		net__buf_puts(b, ",\"env\":");
		rc = put_fragment(b, s->env_json, NET__JSON_OBJECT, "env", err);
		if (rc < 0)
			return rc;
	}
	if (s->ntp != NULL) {
		rc = put_ntp(b, s, err);
		if (rc < 0)
			return rc;
	}
	if (s->mbus != NULL) {
		net__buf_puts(b, ",\"mbus\":");
		rc = net__buf_json_string(b, s->mbus, "mbus", err);
		if (rc < 0)
			return rc;
	}
	if (s->blobstore_json != NULL) {
		net__buf_puts(b, ",\"blobstore\":");
		rc = put_fragment(b, s->blobstore_json, NET__JSON_OBJECT,
		                  "blobstore", err);
		if (rc < 0)
			return rc;
	}
	net__buf_puts(b, "}");
	return 0;
}

int
net_agent_settings_json(char **out, const struct net_agent_settings *s,
                        struct net_error *err)
{
	struct net__buf b = { 0 };
	struct net_error local = { 0 };
	int rc;

	*out = NULL;
	if (s == NULL) {
		rc = net_error_set(&local, NET_EINVAL, "settings missing");
		goto cleanup;
	}
	rc = build(&b, s, &local);
	if (rc < 0)
		goto cleanup;
	rc = net__buf_finish(out, &b, &local);
cleanup:
	net__buf_free(&b);
	if (rc < 0)
		return net_error_set(err, rc, "agent settings: %s",
		                     local.message);
	return 0;
}

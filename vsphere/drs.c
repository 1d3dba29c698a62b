/*
 * vsphere/drs.c: DRS anti-affinity rules and the DRS lock (see drs.h).
 */
#include "vsphere/drs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "vsphere/drs_int.h"
#include "vsphere/pc.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"

#define ANTI "ClusterAntiAffinityRuleSpec"
#define MAX_RULES 10000
#define MAX_MEMBERS 100000

/* --- reading ----------------------------------------------------------- */

static void
rule_clear(void *p)
{
	struct vs_drs_rule *r = p;

	free(r->name);
	free(r->vms);
	free(r->vm_group);
}

void
vs_drs_rules_free(struct vs_drs_rules *r)
{
	if (r == NULL)
		return;
	array_free(r->items, r->n, sizeof(*r->items), rule_clear);
	free(r);
}

/* The morefs of n's children named child. */
static int
members(struct vs_moref **out, size_t *n_out, xmlNodePtr n,
        const char *child, const char *what, struct err *err)
{
	xmlNodePtr v;
	size_t cap = 0;
	int rc;

	for (v = vs_xml_child(n, child); v != NULL;
	     v = vs_xml_next(v, child)) {
		if (*n_out == cap && cap >= MAX_MEMBERS)
			return err_set(err, ERR_EPARSE, "DRS %s: too many "
			               "members", what);
		if (array_grow((void **)out, &cap, *n_out + 1, sizeof(**out),
		               8) < 0)
			return err_set(err, ERR_ENOMEM, "out of memory");
		rc = vs_xml_moref(&(*out)[*n_out], v, err);
		if (rc != 0)
			return rc;
		(*n_out)++;
	}
	return 0;
}

static int
rule_from_node(void *item, xmlNodePtr n, struct err *err)
{
	struct vs_drs_rule *out = item;
	char *s;
	long long key = -1;
	bool en = false;
	int rc = 0;

	vs_xml_xsi_type(out->type, sizeof(out->type), n);
	s = vs_xml_child_text(n, "key");
	if (s == NULL)
		rc = err_set(err, ERR_EPARSE, "DRS rule without a key");
	else
		rc = vs_parse_long(&key, s, 0, 0x7fffffff, err);
	xmlFree(s);
	if (rc != 0)
		return rc;
	out->key = (int)key;
	s = vs_xml_child_text(n, "enabled");
	if (s != NULL)
		rc = vs_parse_bool(&en, s, err);
	xmlFree(s);
	if (rc != 0)
		return rc;
	out->enabled = en;
	s = vs_xml_child_text(n, "name");
	out->name = strdup(s != NULL ? (const char *)s : "");
	xmlFree(s);
	if (out->name == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	s = vs_xml_child_text(n, "vmGroupName");
	if (s != NULL) {
		out->vm_group = strdup((const char *)s);
		xmlFree(s);
		if (out->vm_group == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	return members(&out->vms, &out->nvms, n, "vm", out->name, err);
}

/* The children named child of cfg (cfg may be NULL), each read into a
 * zeroed item of elem bytes by from_node; at most MAX_RULES, what naming
 * the list in errors.  On failure *items holds the n_out items read so
 * far, for the caller's free. */
static int
items_from_node(void **items, size_t *n_out, xmlNodePtr cfg,
                const char *child, size_t elem,
                int (*from_node)(void *, xmlNodePtr, struct err *),
                const char *what, struct err *err)
{
	xmlNodePtr n;
	size_t cap = 0;
	char *item;
	int rc = 0;

	for (n = cfg != NULL ? vs_xml_child(cfg, child) : NULL;
	     n != NULL && rc == 0; n = vs_xml_next(n, child)) {
		if (*n_out == cap && cap >= MAX_RULES)
			return err_set(err, ERR_EPARSE, "too many DRS %s",
			               what);
		if (array_grow(items, &cap, *n_out + 1, elem, 8) < 0)
			return err_set(err, ERR_ENOMEM, "out of memory");
		item = (char *)*items + *n_out * elem;
		memset(item, 0, elem);
		(*n_out)++;
		rc = from_node(item, n, err);
	}
	return rc;
}

int
vs_drs_rules_from_node(struct vs_drs_rules **out, xmlNodePtr cfg,
                       struct err *err)
{
	struct vs_drs_rules *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = items_from_node((void **)&r->items, &r->n, cfg, "rule",
	                     sizeof(*r->items), rule_from_node, "rules", err);
	if (rc != 0) {
		vs_drs_rules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void
group_clear(void *p)
{
	struct vs_drs_group *g = p;

	free(g->name);
	free(g->vms);
}

void
vs_drs_groups_free(struct vs_drs_groups *g)
{
	if (g == NULL)
		return;
	array_free(g->items, g->n, sizeof(*g->items), group_clear);
	free(g);
}

static int
group_from_node(void *item, xmlNodePtr n, struct err *err)
{
	struct vs_drs_group *out = item;
	char *s;

	vs_xml_xsi_type(out->type, sizeof(out->type), n);
	s = vs_xml_child_text(n, "name");
	if (s == NULL)
		return err_set(err, ERR_EPARSE, "DRS group without a "
		               "name");
	out->name = strdup((const char *)s);
	xmlFree(s);
	if (out->name == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return members(&out->vms, &out->nvms, n,
	               strcmp(out->type, "ClusterHostGroup") == 0 ? "host" :
	               "vm", out->name, err);
}

int
vs_drs_groups_from_node(struct vs_drs_groups **out, xmlNodePtr cfg,
                        struct err *err)
{
	struct vs_drs_groups *g;
	int rc;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = items_from_node((void **)&g->items, &g->n, cfg, "group",
	                     sizeof(*g->items), group_from_node, "groups",
	                     err);
	if (rc != 0) {
		vs_drs_groups_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

bool
vs_drs__has_ref(const struct vs_moref *refs, size_t n,
                const struct vs_moref *vm)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(refs[i].value, vm->value) == 0)
			return true;
	}
	return false;
}

const struct vs_drs_rule *
vs_drs__rule_find(const struct vs_drs_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->items[i].name, name) == 0)
			return &r->items[i];
	}
	return NULL;
}

static bool
rule_has(const struct vs_drs_rule *rule, const struct vs_moref *vm)
{
	return vs_drs__has_ref(rule->vms, rule->nvms, vm);
}

/* configurationEx of cluster: its rules, and its groups when groups is
 * not NULL. */
int
vs_drs__read_config(struct vs_drs_rules **out,
                    struct vs_drs_groups **groups, struct vs_client *c,
                    const struct vs_moref *cluster, struct err *err)
{
	static const char *const paths[] = { "configurationEx", NULL };
	struct vs_object *o = NULL;
	xmlNodePtr val = NULL;
	int rc;

	rc = vs_get_props(&o, c, cluster, paths, err);
	if (rc == 0)
		rc = vs_object_get_node(&val, o, "configurationEx", err);
	if (rc == 0)
		rc = vs_drs_rules_from_node(out, val, err);
	if (rc == 0 && groups != NULL)
		rc = vs_drs_groups_from_node(groups, val, err);
	if (rc != 0)
		err_prefix(err, "reading the DRS rules of %s",
		           cluster->value);
	vs_object_free(o);
	return rc;
}

/* --- writing ----------------------------------------------------------- */

/* ClusterConfigSpecEx {…, rulesSpec, …}; ClusterRuleSpec
 * {ArrayUpdateSpec {operation, removeKey}; info};
 * ClusterAntiAffinityRuleSpec {ClusterRuleInfo {key, status, enabled,
 * name, mandatory, userCreated, inCompliance, ruleUuid}; vm}. */
int
vs_drs_add_rule_spec(xmlNodePtr m, const char *name, int key, bool remove,
                     const struct vs_moref *vms, size_t nvms,
                     struct err *err)
{
	xmlNodePtr spec, rs, info = NULL;
	char kb[16];
	size_t i;
	bool ok;

	if (name == NULL || (remove && key < 0))
		return err_set(err, ERR_EINVAL, "DRS rule spec: bad "
		               "arguments");
	spec = vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	rs = spec != NULL ? vs_soap_add_obj(spec, "rulesSpec", NULL) : NULL;
	ok = rs != NULL && vs_soap_add_text(rs, "operation", remove ? "remove" :
	                                    key >= 0 ? "edit" : "add") != NULL;
	if (ok && remove) {
		snprintf(kb, sizeof(kb), "%d", key);
		ok = vs_soap_add_typed_text(rs, "removeKey", "xsd:int",
		                            kb) != NULL;
	} else if (ok) {
		info = vs_soap_add_obj(rs, "info", ANTI);
		ok = info != NULL &&
		     (key < 0 || vs_soap_add_long(info, "key", key) != NULL) &&
		     vs_soap_add_bool(info, "enabled", true) != NULL &&
		     vs_soap_add_text(info, "name", name) != NULL;
		for (i = 0; ok && i < nvms; i++)
			ok = vs_soap_add_moref(info, "vm", &vms[i]) != NULL;
	}
	if (!ok)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* Appends modify true to m and sends ReconfigureComputeResource_Task,
 * waited for; doc is consumed. */
int
vs_drs__send(struct vs_client *c, const struct vs_moref *cluster,
             xmlDocPtr doc, xmlNodePtr m, const char *what,
             const char *name, struct err *err)
{
	int rc = 0;

	if (vs_soap_add_bool(m, "modify", true) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = vs_task_call(NULL, c, doc, VS_DRS_TASK_TIMEOUT_S, err);
	doc = NULL;
cleanup:
	if (rc != 0)
		err_prefix(err, "DRS %s %s: ReconfigureComputeResource_"
		           "Task %s", what, name, cluster->value);
	xmlFreeDoc(doc);
	return rc;
}

static int
reconfigure(struct vs_client *c, const struct vs_moref *cluster,
            const char *name, int key, bool remove,
            const struct vs_moref *vms, size_t nvms, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	int rc;

	rc = vs_soap_request_new(&doc, &m, "ReconfigureComputeResource_Task",
	                         cluster, err);
	if (rc == 0)
		rc = vs_drs_add_rule_spec(m, name, key, remove, vms, nvms,
		                          err);
	if (rc != 0) {
		xmlFreeDoc(doc);
		err_prefix(err, "DRS rule %s", name);
		return rc;
	}
	return vs_drs__send(c, cluster, doc, m, "rule", name, err);
}

/* ClusterGroupSpec {ArrayUpdateSpec {operation, removeKey}; info};
 * ClusterVmGroup {ClusterGroupInfo {name, userCreated, uniqueID}; vm}.
 * op "add" / "edit" with the members, or "remove" (removeKey: the
 * group's name). */
xmlNodePtr
vs_drs__add_group_spec(xmlNodePtr spec, const char *op, const char *name,
                       const struct vs_moref *vms, size_t nvms)
{
	xmlNodePtr gs, info;
	size_t i;

	gs = vs_soap_add_obj(spec, "groupSpec", NULL);
	if (gs == NULL || vs_soap_add_text(gs, "operation", op) == NULL)
		return NULL;
	if (strcmp(op, "remove") == 0)
		return vs_soap_add_typed_text(gs, "removeKey", "xsd:string",
		                              name);
	info = vs_soap_add_obj(gs, "info", "ClusterVmGroup");
	if (info == NULL || vs_soap_add_text(info, "name", name) == NULL)
		return NULL;
	for (i = 0; i < nvms; i++) {
		if (vs_soap_add_moref(info, "vm", &vms[i]) == NULL)
			return NULL;
	}
	return info;
}

/* One ReconfigureComputeResource_Task on the VM group `name`: op with
 * the members, or remove together with the VM-host rules naming the
 * group (rule_keys; rulesSpec comes before groupSpec in the schema). */
static int
reconfigure_group(struct vs_client *c, const struct vs_moref *cluster,
                  const char *op, const char *name,
                  const struct vs_moref *vms, size_t nvms,
                  const int *rule_keys, size_t nkeys, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr m, spec, rs;
	char kb[16];
	size_t i;
	bool ok;
	int rc;

	rc = vs_soap_request_new(&doc, &m, "ReconfigureComputeResource_Task",
	                         cluster, err);
	if (rc != 0)
		return rc;
	spec = vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	ok = spec != NULL;
	for (i = 0; ok && i < nkeys; i++) {
		snprintf(kb, sizeof(kb), "%d", rule_keys[i]);
		rs = vs_soap_add_obj(spec, "rulesSpec", NULL);
		ok = rs != NULL &&
		     vs_soap_add_text(rs, "operation", "remove") != NULL &&
		     vs_soap_add_typed_text(rs, "removeKey", "xsd:int",
		                            kb) != NULL;
	}
	if (ok)
		ok = vs_drs__add_group_spec(spec, op, name, vms, nvms) != NULL;
	if (!ok) {
		xmlFreeDoc(doc);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	return vs_drs__send(c, cluster, doc, m, "VM group", name, err);
}

/* --- the lock ---------------------------------------------------------- */

static int
add_field(int *key_out, struct vs_client *c, const char *name,
          struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, def;
	long long key = -1;
	char *s;
	int rc;

	rc = vs_soap_request_new(&req, &m, "AddCustomFieldDef",
	                         &sc->custom_fields_manager, err);
	if (rc != 0)
		return rc;
	if (vs_soap_add_text(m, "name", name) == NULL ||
	    vs_soap_add_text(m, "moType", "VirtualMachine") == NULL) {
		xmlFreeDoc(req);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	rc = vs_client_call(c, req, &resp, &r, err);
	if (rc == 0) {
		def = vs_xml_child(r, "returnval");
		s = def != NULL ? vs_xml_child_text(def, "key") : NULL;
		if (s == NULL)
			rc = err_set(err, ERR_EPARSE, "AddCustomFieldDef "
			             "%s: no key in the answer", name);
		else
			rc = vs_parse_long(&key, s, -0x7fffffffLL - 1,
			                   0x7fffffff, err);
		xmlFree(s);
	}
	if (rc == 0)
		*key_out = (int)key;
	xmlFreeDoc(resp);
	return rc;
}

int
vs_drs_lock(int *key_out, struct vs_client *c, const char *name,
            double timeout_s, struct err *err)
{
	double deadline = vs_client_now(c) + timeout_s;
	struct err e;
	int rc;

	for (;;) {
		err_clear(&e);
		rc = add_field(key_out, c, name, &e);
		if (rc == 0) {
			vs_client_logf(c, 0, "DRS lock %s taken", name);
			return 0;
		}
		if (strcmp(e.fault, "DuplicateName") != 0) {
			err_prefix(&e, "DRS lock %s: AddCustomFieldDef",
			           name);
			err_keep_first(err, &e);
			return rc;
		}
		if (vs_client_now(c) >= deadline)
			return err_set(err, ERR_ETIMEOUT, "DRS lock %s: "
			               "still held by another process "
			               "after %.0f s (a killed process "
			               "leaves it: remove the custom field "
			               "%s if no CPI runs)", name,
			               timeout_s, name);
		vs_client_sleep(c, 0.5);
	}
}

int
vs_drs_unlock(struct vs_client *c, int key, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct err e;
	int rc;

	rc = vs_soap_request_new(&req, &m, "RemoveCustomFieldDef",
	                         &sc->custom_fields_manager, err);
	if (rc != 0)
		return rc;
	if (vs_soap_add_long(m, "key", key) == NULL) {
		xmlFreeDoc(req);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	err_clear(&e);
	rc = vs_client_call(c, req, &resp, &r, &e);
	xmlFreeDoc(resp);
	if (rc != 0 && strcmp(e.fault, "NotFound") == 0) {
		/* a resend after a lost reply, or removed by hand: not held */
		vs_client_logf(c, 1, "DRS lock: field %d already gone", key);
		return 0;
	}
	if (rc != 0) {
		err_prefix(&e, "DRS lock: RemoveCustomFieldDef %d", key);
		err_keep_first(err, &e);
		return rc;
	}
	vs_client_logf(c, 0, "DRS lock released");
	return 0;
}

int
vs_drs__with_lock(struct vs_client *c, const char *lock,
                  int (*fn)(void *, struct err *), void *ctx,
                  struct err *err)
{
	struct err e = {0};
	int key, rc;

	rc = vs_drs_lock(&key, c, lock, VS_DRS_LOCK_TIMEOUT_S, err);
	if (rc != 0)
		return rc;
	rc = fn(ctx, err);
	if (rc != 0)
		vs_client_cleanup(c);   /* the lock goes even past the deadline */
	if (vs_drs_unlock(c, key, &e) != 0) {
		err_keep_first(err, &e);
		if (rc == 0)
			rc = e.code;
	}
	return rc;
}

/* --- the operations ---------------------------------------------------- */

/* One operation under a lock (vs_drs__with_lock's ctx). */
struct drs_op {
	struct vs_client *c;
	const struct vs_moref *cluster;
	const char *name;               /* the rule or VM group */
	const struct vs_moref *vm;
	bool groups;                    /* VM groups, not rules */
	size_t *changed;                /* removals: how many changed */
};

/* *out (malloc'd): the n refs, then vm. */
static int
refs_with(struct vs_moref **out, const struct vs_moref *refs, size_t n,
          const struct vs_moref *vm, struct err *err)
{
	*out = calloc(n + 1, sizeof(**out));
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (n > 0)
		memcpy(*out, refs, n * sizeof(**out));
	(*out)[n] = *vm;
	return 0;
}

static int
add_locked(struct vs_client *c, const struct vs_moref *cluster,
           const char *name, const struct vs_moref *vm, struct err *err)
{
	struct vs_drs_rules *rules = NULL;
	const struct vs_drs_rule *rule;
	struct vs_moref *vms = NULL;
	int rc;

	rc = vs_drs__read_config(&rules, NULL, c, cluster, err);
	if (rc != 0)
		return rc;
	rule = vs_drs__rule_find(rules, name);
	if (rule == NULL) {
		vs_client_logf(c, 0, "DRS rule %s: created with %s", name,
		               vm->value);
		rc = reconfigure(c, cluster, name, -1, false, vm, 1, err);
		goto cleanup;
	}
	if (strcmp(rule->type, ANTI) != 0) {
		rc = err_set(err, ERR_EINVAL, "DRS rule %s in %s is a %s, "
		             "not an anti-affinity rule (separate_vms)",
		             name, cluster->value, rule->type);
		goto cleanup;
	}
	if (rule_has(rule, vm))
		goto cleanup;
	rc = refs_with(&vms, rule->vms, rule->nvms, vm, err);
	if (rc != 0)
		goto cleanup;
	vs_client_logf(c, 0, "DRS rule %s: %s added (%zu VMs)", name,
	               vm->value, rule->nvms + 1);
	rc = reconfigure(c, cluster, name, rule->key, false, vms,
	                 rule->nvms + 1, err);
cleanup:
	free(vms);
	vs_drs_rules_free(rules);
	return rc;
}

/* Removes vm from every anti-affinity rule in rules holding it. */
static int
remove_from(size_t *changed, struct vs_client *c,
            const struct vs_moref *cluster, const struct vs_drs_rules *rules,
            const struct vs_moref *vm, struct err *err)
{
	struct vs_moref *vms = NULL;
	size_t i, j, n;
	int rc = 0;

	for (i = 0; rc == 0 && i < rules->n; i++) {
		const struct vs_drs_rule *r = &rules->items[i];

		if (strcmp(r->type, ANTI) != 0 || !rule_has(r, vm))
			continue;
		free(vms);
		vms = calloc(r->nvms, sizeof(*vms));
		if (vms == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		for (j = n = 0; j < r->nvms; j++) {
			if (strcmp(r->vms[j].value, vm->value) != 0)
				vms[n++] = r->vms[j];
		}
		vs_client_logf(c, 0, "DRS rule %s: %s removed%s", r->name,
		               vm->value, n == 0 ? ", rule dropped" : "");
		rc = reconfigure(c, cluster, r->name, r->key, n == 0, vms, n,
		                 err);
		if (rc == 0)
			(*changed)++;
	}
	free(vms);
	return rc;
}

static bool
any_holds(const struct vs_drs_rules *rules, const struct vs_moref *vm)
{
	size_t i;

	for (i = 0; i < rules->n; i++) {
		if (strcmp(rules->items[i].type, ANTI) == 0 &&
		    rule_has(&rules->items[i], vm))
			return true;
	}
	return false;
}

static bool
any_group_holds(const struct vs_drs_groups *g, const struct vs_moref *vm)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (strcmp(g->items[i].type, "ClusterVmGroup") == 0 &&
		    vs_drs__has_ref(g->items[i].vms, g->items[i].nvms, vm))
			return true;
	}
	return false;
}

/* Removes vm from every VM group holding it; a group left empty goes
 * with the VM-host rules naming it. */
static int
remove_from_groups(size_t *changed, struct vs_client *c,
                   const struct vs_moref *cluster,
                   const struct vs_drs_rules *rules,
                   const struct vs_drs_groups *groups,
                   const struct vs_moref *vm, struct err *err)
{
	struct vs_moref *vms = NULL;
	int *keys = NULL;
	size_t i, j, n, nkeys;
	int rc = 0;

	keys = calloc(rules->n + 1, sizeof(*keys));
	if (keys == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; rc == 0 && i < groups->n; i++) {
		const struct vs_drs_group *g = &groups->items[i];

		if (strcmp(g->type, "ClusterVmGroup") != 0 ||
		    !vs_drs__has_ref(g->vms, g->nvms, vm))
			continue;
		free(vms);
		vms = calloc(g->nvms, sizeof(*vms));
		if (vms == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			break;
		}
		for (j = n = 0; j < g->nvms; j++) {
			if (strcmp(g->vms[j].value, vm->value) != 0)
				vms[n++] = g->vms[j];
		}
		nkeys = 0;
		for (j = 0; n == 0 && j < rules->n; j++) {
			if (strcmp(rules->items[j].type,
			           "ClusterVmHostRuleInfo") == 0 &&
			    rules->items[j].vm_group != NULL &&
			    strcmp(rules->items[j].vm_group, g->name) == 0)
				keys[nkeys++] = rules->items[j].key;
		}
		vs_client_logf(c, 0, "DRS VM group %s: %s removed%s", g->name,
		               vm->value, n == 0 ? ", group and its VM-host "
		               "rules dropped" : "");
		rc = reconfigure_group(c, cluster, n == 0 ? "remove" : "edit",
		                       g->name, vms, n, keys, nkeys, err);
		if (rc == 0)
			(*changed)++;
	}
	free(vms);
	free(keys);
	return rc;
}

/* Under the lock: reads the cluster again and removes vm from its
 * anti-affinity rules (groups false) or VM groups (groups true). */
static int
remove_op(void *ctx, struct err *err)
{
	struct drs_op *op = ctx;
	struct vs_drs_rules *rules = NULL;
	struct vs_drs_groups *gs = NULL;
	int rc;

	rc = vs_drs__read_config(&rules, op->groups ? &gs : NULL, op->c,
	                         op->cluster, err);
	if (rc == 0 && op->groups)
		rc = remove_from_groups(op->changed, op->c, op->cluster, rules,
		                        gs, op->vm, err);
	else if (rc == 0)
		rc = remove_from(op->changed, op->c, op->cluster, rules,
		                 op->vm, err);
	vs_drs_rules_free(rules);
	vs_drs_groups_free(gs);
	return rc;
}

static int
remove_locked(size_t *changed, struct vs_client *c,
              const struct vs_moref *cluster, const char *lock, bool groups,
              const struct vs_moref *vm, struct err *err)
{
	struct drs_op op = { c, cluster, NULL, vm, groups, changed };

	return vs_drs__with_lock(c, lock, remove_op, &op, err);
}

int
vs_drs_rules_remove_vm_in(size_t *nrules_out, struct vs_client *c,
                          const struct vs_object *cluster,
                          const struct vs_moref *vm, struct err *err)
{
	struct vs_drs_rules *rules = NULL;
	struct vs_drs_groups *groups = NULL;
	xmlNodePtr val = NULL;
	size_t changed = 0;
	int rc;

	rc = vs_object_get_node(&val, cluster, "configurationEx", err);
	if (rc == 0)
		rc = vs_drs_rules_from_node(&rules, val, err);
	if (rc == 0)
		rc = vs_drs_groups_from_node(&groups, val, err);
	if (rc == 0 && any_holds(rules, vm))
		rc = remove_locked(&changed, c, &cluster->obj, VS_DRS_LOCK,
		                   false, vm, err);
	if (rc == 0 && any_group_holds(groups, vm))
		rc = remove_locked(&changed, c, &cluster->obj,
		                   VS_DRS_LOCK_VM_GROUP, true, vm, err);
	if (nrules_out != NULL)
		*nrules_out = changed;
	vs_drs_rules_free(rules);
	vs_drs_groups_free(groups);
	return rc;
}

int
vs_drs_rules_remove_vm(size_t *nrules_out, struct vs_client *c,
                       const struct vs_moref *pool,
                       const struct vs_moref *vm, struct err *err)
{
	static const char *const paths[] = { "configurationEx", NULL };
	static const struct vs_selection_spec owner = {
		"owner", "ResourcePool", "owner", false, NULL, 0,
	};
	struct vs_property_spec ps = { "ClusterComputeResource", false, paths };
	struct vs_object_spec os = { .obj = *pool, .skip = true,
	                             .select = &owner, .nselect = 1 };
	struct vs_pc_query q = {
		.spec = { .props = &ps, .nprops = 1, .objects = &os,
		          .nobjects = 1 },
	};
	struct vs_objects *list = NULL;
	int rc;

	if (nrules_out != NULL)
		*nrules_out = 0;
	rc = vs_pc_retrieve(&list, c, &q, err);
	if (rc != 0)
		err_prefix(err, "reading the DRS rules of the cluster of "
		           "%s", pool->value);
	else if (list->n > 0)       /* else: not in a cluster */
		rc = vs_drs_rules_remove_vm_in(nrules_out, c, &list->items[0],
		                               vm, err);
	vs_objects_free(list);
	return rc;
}

/* --- VM groups --------------------------------------------------------- */

static int
group_add_locked(struct vs_client *c, const struct vs_moref *cluster,
                 const char *name, const struct vs_moref *vm,
                 struct err *err)
{
	struct vs_drs_rules *rules = NULL;
	struct vs_drs_groups *groups = NULL;
	const struct vs_drs_group *g = NULL;
	struct vs_moref *vms = NULL;
	size_t i;
	int rc;

	rc = vs_drs__read_config(&rules, &groups, c, cluster, err);
	if (rc != 0)
		return rc;
	for (i = 0; i < groups->n && g == NULL; i++) {
		if (strcmp(groups->items[i].name, name) == 0)
			g = &groups->items[i];
	}
	if (g == NULL) {
		vs_client_logf(c, 0, "DRS VM group %s: created with %s", name,
		               vm->value);
		rc = reconfigure_group(c, cluster, "add", name, vm, 1, NULL, 0,
		                       err);
		goto cleanup;
	}
	if (strcmp(g->type, "ClusterVmGroup") != 0) {
		rc = err_set(err, ERR_EINVAL, "DRS group %s in %s is a %s, "
		             "not a VM group", name, cluster->value,
		             g->type);
		goto cleanup;
	}
	if (vs_drs__has_ref(g->vms, g->nvms, vm))
		goto cleanup;
	rc = refs_with(&vms, g->vms, g->nvms, vm, err);
	if (rc != 0)
		goto cleanup;
	vs_client_logf(c, 0, "DRS VM group %s: %s added (%zu VMs)", name,
	               vm->value, g->nvms + 1);
	rc = reconfigure_group(c, cluster, "edit", name, vms, g->nvms + 1,
	                       NULL, 0, err);
cleanup:
	free(vms);
	vs_drs_rules_free(rules);
	vs_drs_groups_free(groups);
	return rc;
}

/* Under the lock: adds vm to rule or VM group op->name. */
static int
add_op(void *ctx, struct err *err)
{
	struct drs_op *op = ctx;

	if (op->groups)
		return group_add_locked(op->c, op->cluster, op->name, op->vm,
		                        err);
	return add_locked(op->c, op->cluster, op->name, op->vm, err);
}

/* add_op under lock; what ("DRS rule") names op->name's kind. */
static int
add_vm(struct drs_op *op, const char *lock, const char *what,
       struct err *err)
{
	if (op->cluster == NULL || op->vm == NULL || op->name == NULL ||
	    op->name[0] == '\0')
		return err_set(err, ERR_EINVAL, "%s: bad arguments", what);
	return vs_drs__with_lock(op->c, lock, add_op, op, err);
}

int
vs_drs_rule_add_vm(struct vs_client *c, const struct vs_moref *cluster,
                   const char *rule, const struct vs_moref *vm,
                   struct err *err)
{
	struct drs_op op = { c, cluster, rule, vm, false, NULL };

	return add_vm(&op, VS_DRS_LOCK, "DRS rule", err);
}

int
vs_drs_vm_group_add_vm(struct vs_client *c, const struct vs_moref *cluster,
                       const char *group, const struct vs_moref *vm,
                       struct err *err)
{
	struct drs_op op = { c, cluster, group, vm, true, NULL };

	return add_vm(&op, VS_DRS_LOCK_VM_GROUP, "DRS VM group", err);
}

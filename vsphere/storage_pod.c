/*
 * vsphere/storage_pod.c: datastore clusters (storage_pod.h).
 */
#include "vsphere/storage_pod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "vsphere/pattern.h"
#include "vsphere/vim.h"

#define POD_PATH_MAX 1024
#define POD_DEPTH_MAX 32

#define SDRS_ENABLED "podStorageDrsEntry.storageDrsConfig.podConfig.enabled"

const char *const vs_pod_paths[] = { "childEntity", SDRS_ENABLED, NULL };

bool
vs_pod_want_any(const struct vs_pod_want *w)
{
	return w != NULL && (w->nnames > 0 ||
	                     (w->pattern != NULL && w->pattern[0] != '\0'));
}

static const struct vs_object *
find_object(const struct vs_objects *objs, const struct vs_moref *ref)
{
	size_t i;

	for (i = 0; i < objs->n; i++)
		if (vs_moref_eq(&objs->items[i].obj, ref))
			return &objs->items[i];
	return NULL;
}

/* The path of pod o below datacenter dc's datastore folder into buf
 * ("POD", "folder/POD"); false when o is not in dc (or its chain of
 * folders did not come back). */
static bool
pod_path(char *buf, size_t size, const struct vs_objects *objs,
         const struct vs_object *o, const struct vs_moref *dc)
{
	const char *rev[POD_DEPTH_MAX];
	const struct vs_object *cur = o;
	struct vs_moref parent;
	struct err local = {0};
	size_t len = 0;
	int n = 0;

	for (;;) {
		const char *name = NULL;

		if (n >= POD_DEPTH_MAX ||
		    vs_object_get_str(&name, cur, "name", &local) != 0 ||
		    vs_object_get_moref(&parent, cur, "parent", &local) != 0)
			return false;
		if (strcmp(parent.type, "Datacenter") == 0) {
			/* cur is the datacenter's datastore folder */
			if (!vs_moref_eq(&parent, dc) || cur == o)
				return false;
			break;
		}
		rev[n++] = name;
		cur = find_object(objs, &parent);
		if (cur == NULL)
			return false;
	}
	buf[0] = '\0';
	while (n > 0) {
		int w = snprintf(buf + len, size - len, "%s%s",
		                 len > 0 ? "/" : "", rev[--n]);

		if (w < 0 || (size_t)w >= size - len)
			return false;
		len += (size_t)w;
	}
	return true;
}

/* Whether the pod at path is wanted (re: w->pattern compiled, or NULL);
 * *hit marks the name it answers. */
static bool
pod_wanted(bool *hit, const struct vs_pod_want *w, const struct vs_pattern *re,
           const char *path)
{
	size_t i;

	if (w->nnames == 0)
		return re != NULL && vs_pattern_match(re, path);
	for (i = 0; i < w->nnames; i++) {
		if (strcmp(w->names[i], path) == 0) {
			hit[i] = true;
			return true;
		}
	}
	return false;
}

/* Pod o's members into s when Storage DRS is on (counted either way). */
static int
add_pod(struct vs_pod_set *s, const struct vs_object *o, struct err *err)
{
	const struct vs_moref *kids = NULL;
	struct err local = {0};
	bool on = false;
	size_t i, nkids = 0;

	s->npods++;
	if (vs_object_get_bool(&on, o, SDRS_ENABLED, &local) != 0 || !on) {
		s->noff++;
		return 0;
	}
	if (vs_object_get_morefs(&kids, &nkids, o, "childEntity",
	                         &local) != 0 || nkids == 0)
		return 0;
	if (array_grow((void **)&s->ds, &s->cap, s->n + nkids, sizeof(*s->ds),
	               8) != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < nkids; i++)
		if (strcmp(kids[i].type, "Datastore") == 0)
			s->ds[s->n++] = kids[i];
	return 0;
}

static int
each_pod(struct vs_pod_set *s, bool *hit, const struct vs_objects *objs,
         const struct vs_moref *dc, const struct vs_pod_want *w,
         const struct vs_pattern *re, struct err *err)
{
	char path[POD_PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < objs->n; i++) {
		const struct vs_object *o = &objs->items[i];

		if (strcmp(o->obj.type, "StoragePod") != 0 ||
		    !pod_path(path, sizeof(path), objs, o, dc) ||
		    !pod_wanted(hit, w, re, path))
			continue;
		rc = add_pod(s, o, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
vs_pod_set_build(struct vs_pod_set *out, const struct vs_objects *objs,
                 const struct vs_moref *dc, const struct vs_pod_want *w,
                 struct err *err)
{
	struct vs_pattern *re = NULL;
	bool *hit = NULL;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!vs_pod_want_any(w) || objs == NULL)
		return 0;
	if (w->nnames == 0)
		rc = vs_pattern_compile(&re, w->pattern,
		                        "datastore cluster pattern", err);
	else if ((hit = calloc(w->nnames, sizeof(*hit))) == NULL)
		rc = err_set(err, ERR_ENOMEM, "out of memory");
	if (rc == 0)
		rc = each_pod(out, hit, objs, dc, w, re, err);
	for (i = 0; rc == 0 && i < w->nnames; i++)
		if (!hit[i])
			rc = err_set(err, ERR_ENOTFOUND, "datastore cluster "
			             "'%s' not found", w->names[i]);
	free(hit);
	vs_pattern_free(re);
	return rc;
}

bool
vs_pod_set_has(const struct vs_pod_set *s, const struct vs_moref *ds)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (vs_moref_eq(&s->ds[i], ds))
			return true;
	return false;
}

void
vs_pod_set_clear(struct vs_pod_set *s)
{
	if (s == NULL)
		return;
	free(s->ds);
	memset(s, 0, sizeof(*s));
}

/*
 * cpi/agent_net.c: the networks of create_vm, from the request's JSON
 * into network/'s typed input, and network/'s validated networks back
 * into JSON (the agent settings' and the API v2 result's networks).
 */
#include "cpi/agent_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "cpi/methods.h"

/* Most networks one VM may have (vCenter's NIC limit per VM). */
#define MAX_NETWORKS 10
/* Most dns servers, default words or routes one network may list. */
#define MAX_LIST 64

/* --- the request's networks ------------------------------------------- */

/* What one struct net_network_in borrows besides the request: numbers
 * written as text and the arrays of its lists. */
struct net_keep {
	char prefix[32];
	char nic_group[32];
	const char **dns;
	const char **defaults;
	struct net_route_in *routes;
};

struct nets_in {
	struct net_network_in *in;
	struct net_keep *keep;
	size_t n;
};

static void
nets_in_clear(struct nets_in *ni)
{
	size_t i;

	for (i = 0; ni->keep != NULL && i < ni->n; i++) {
		free(ni->keep[i].dns);
		free(ni->keep[i].defaults);
		free(ni->keep[i].routes);
	}
	free(ni->in);
	free(ni->keep);
	memset(ni, 0, sizeof(*ni));
}

/* An optional string key; numbers become decimal text in buf when buf is
 * given. */
static int
opt_text(const char **out, const json_t *o, const char *key, char *buf,
         size_t size, const char *net, struct err *err)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (buf != NULL && json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		*out = buf;
		return 0;
	}
	*out = cpi_json_text(v);
	if (*out == NULL)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': %s must be a "
		                   "string", net, key);
	return 0;
}

static int
str_list(const char ***out, size_t *n_out, const json_t *o, const char *key,
         const char *net, struct err *err)
{
	const json_t *v = json_object_get(o, key), *e;
	size_t i;

	*out = NULL;
	*n_out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v) && json_array_size(v) > MAX_LIST)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': %s has %zu "
		                   "entries, at most %d are supported", net,
		                   key, json_array_size(v), MAX_LIST);
	if (!json_is_array(v))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': %s must be an "
		                   "array of strings", net, key);
	*out = calloc(json_array_size(v) + 1, sizeof(**out));
	if (*out == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	json_array_foreach(v, i, e) {
		(*out)[i] = cpi_json_text(e);
		if ((*out)[i] == NULL)
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: network '%s': %s[%zu] "
			                   "must be a string", net, key, i);
	}
	*n_out = json_array_size(v);
	return 0;
}

static int
routes_in(struct net_network_in *in, struct net_keep *b, const json_t *o,
          const char *net, struct err *err)
{
	const json_t *v = json_object_get(o, "routes"), *r;
	size_t i;
	int rc = 0;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v) && json_array_size(v) > MAX_LIST)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': routes has %zu "
		                   "entries, at most %d are supported", net,
		                   json_array_size(v), MAX_LIST);
	if (!json_is_array(v))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': routes must be "
		                   "an array", net);
	b->routes = calloc(json_array_size(v) + 1, sizeof(*b->routes));
	if (b->routes == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	json_array_foreach(v, i, r) {
		struct net_route_in *ri = &b->routes[i];

		if (!json_is_object(r))
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: network '%s': "
			                   "routes[%zu] must be an object",
			                   net, i);
		rc = opt_text(&ri->destination, r, "destination", NULL, 0,
		              net, err);
		if (rc == 0)
			rc = opt_text(&ri->netmask, r, "netmask", NULL, 0, net,
			              err);
		if (rc == 0)
			rc = opt_text(&ri->gateway, r, "gateway", NULL, 0, net,
			              err);
		if (rc < 0)
			return rc;
	}
	in->routes = b->routes;
	in->nroutes = json_array_size(v);
	return 0;
}

static int
network_in(struct net_network_in *in, struct net_keep *b, const char *name,
           const json_t *o, struct err *err)
{
	const json_t *cp, *dr;
	int rc;

	in->name = name;
	if (!json_is_object(o))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s' must be an "
		                   "object", name);
	rc = opt_text(&in->type, o, "type", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->ip, o, "ip", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->netmask, o, "netmask", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->gateway, o, "gateway", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->prefix, o, "prefix", b->prefix,
		              sizeof(b->prefix), name, err);
	if (rc == 0)
		rc = opt_text(&in->alias, o, "alias", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->nic_group, o, "nic_group", b->nic_group,
		              sizeof(b->nic_group), name, err);
	if (rc == 0)
		rc = str_list(&b->dns, &in->ndns, o, "dns", name, err);
	in->dns = b->dns;
	if (rc == 0)
		rc = str_list(&b->defaults, &in->ndefaults, o, "default",
		              name, err);
	in->defaults = b->defaults;
	if (rc == 0)
		rc = routes_in(in, b, o, name, err);
	if (rc < 0)
		return rc;
	cp = json_object_get(o, "cloud_properties");
	if (cp == NULL || json_is_null(cp))
		return 0;
	if (!json_is_object(cp))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': "
		                   "cloud_properties must be an object",
		                   name);
	dr = json_object_get(cp, "default_route");
	if (dr != NULL && !json_is_null(dr) && !json_is_boolean(dr))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: network '%s': "
		                   "cloud_properties.default_route must be "
		                   "true or false", name);
	in->default_route = json_is_true(dr);
	return opt_text(&in->port_group, cp, "name", NULL, 0, name, err);
}

int
cpi_networks_parse(struct net_networks **out, const json_t *networks,
                   struct err *err)
{
	struct nets_in ni = {0};
	struct err nerr = {0};
	const char *key;
	const json_t *v;
	size_t n = json_object_size(networks);
	int rc = 0;

	*out = NULL;
	if (n == 0 || n > MAX_NETWORKS)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: networks must hold 1 to %d "
		                   "networks", MAX_NETWORKS);
	ni.in = calloc(n, sizeof(*ni.in));
	ni.keep = calloc(n, sizeof(*ni.keep));
	if (ni.in == NULL || ni.keep == NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false, "out of memory");
		goto cleanup;
	}
	json_object_foreach((json_t *)networks, key, v) {
		if (strlen(key) == 0) {
			rc = cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                 "create_vm: a network has an empty "
			                 "name");
			goto cleanup;
		}
		ni.n++;
		rc = network_in(&ni.in[ni.n - 1], &ni.keep[ni.n - 1], key, v,
		                err);
		if (rc < 0)
			goto cleanup;
	}
	if (net_networks_validate(out, ni.in, ni.n, &nerr) < 0)
		rc = cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                 "create_vm: networks: %s", nerr.message);

cleanup:
	nets_in_clear(&ni);
	return rc;
}

/* --- network/'s networks as JSON -------------------------------------- */

/* obj[key] = s (skipped when s is NULL); what names s in the message. */
static int
set_str(json_t *obj, const char *key, const char *s, const char *what,
        struct err *err)
{
	if (s == NULL)
		return 0;
	if (!utf8_valid(s, strlen(s)))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s is not valid UTF-8", what);
	if (json_object_set_new(obj, key, json_string(s)) != 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

/* obj[key] = v, v's reference taken over (NULL: out of memory). */
static int
set_new(json_t *obj, const char *key, json_t *v, struct err *err)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

static int
set_strv(json_t *obj, const char *key, char *const *v, size_t n,
         struct err *err)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return set_new(obj, key, a, err);
}

static int
set_routes(json_t *obj, const struct net_network *nw, struct err *err)
{
	json_t *a = json_array(), *r;
	size_t i;

	for (i = 0; a != NULL && i < nw->nroutes; i++) {
		r = json_pack("{ssssss}", "destination",
		              nw->routes[i].destination, "netmask",
		              nw->routes[i].netmask, "gateway",
		              nw->routes[i].gateway);
		if (json_array_append_new(a, r) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return set_new(obj, "routes", a, err);
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of v with the keys of every object in byte order (as
 * JSON_SORT_KEYS writes them); NULL when out of memory. */
static json_t *
sorted_copy(const json_t *v)
{
	const char **keys;
	const char *key;
	json_t *out, *e;
	size_t i, n = 0;

	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, e) {
			if (out != NULL &&
			    json_array_append_new(out, sorted_copy(e)) != 0) {
				json_decref(out);
				out = NULL;
			}
		}
		return out;
	}
	if (!json_is_object(v))
		return json_incref((json_t *)v);
	keys = calloc(json_object_size(v) + 1, sizeof(*keys));
	out = json_object();
	if (keys == NULL || out == NULL)
		goto fail;
	json_object_foreach((json_t *)v, key, e)
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++) {
		if (json_object_set_new(out, keys[i],
		                        sorted_copy(json_object_get(v, keys[i])))
		    != 0)
			goto fail;
	}
	free(keys);
	return out;
fail:
	free(keys);
	json_decref(out);
	return NULL;
}

/* The network's cloud_properties in the request, keys sorted. */
static int
set_cloud_properties(json_t *obj, const struct net_network *nw,
                     const json_t *request, struct err *err)
{
	const json_t *cp = json_object_get(json_object_get(request, nw->name),
	                                   "cloud_properties");

	if (!json_is_object(cp))
		return 0;
	return set_new(obj, "cloud_properties", sorted_copy(cp), err);
}

static int
network_json(json_t **out, const struct net_network *nw,
             const json_t *request, bool with_mac, struct err *err)
{
	json_t *o = json_object();
	int rc;

	*out = o;
	if (o == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	rc = set_str(o, "type", net_type_name(nw->type), "type", err);
	if (rc == 0)
		rc = set_str(o, "ip", nw->ip, "ip", err);
	if (rc == 0)
		rc = set_str(o, "netmask", nw->netmask, "netmask", err);
	if (rc == 0)
		rc = set_str(o, "gateway", nw->gateway, "gateway", err);
	if (rc == 0)
		rc = set_str(o, "prefix", nw->prefix, "prefix", err);
	if (rc == 0 && nw->dns != NULL)
		rc = set_strv(o, "dns", nw->dns, nw->ndns, err);
	if (rc == 0)
		rc = set_strv(o, "default", nw->defaults, nw->ndefaults, err);
	if (rc == 0 && nw->nroutes > 0)
		rc = set_routes(o, nw, err);
	if (rc == 0)
		rc = set_cloud_properties(o, nw, request, err);
	if (rc == 0 && with_mac)
		rc = set_str(o, "mac", nw->mac, "mac", err);
	if (rc == 0)
		rc = set_str(o, "alias", nw->alias, "alias", err);
	if (rc == 0)
		rc = set_str(o, "nic_group", nw->nic_group, "nic_group", err);
	return rc;
}

int
cpi_networks_json(json_t **out, const struct net_networks *nets,
                  const json_t *request, bool with_mac,
                  struct err *err)
{
	json_t *all = NULL, *one = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (nets == NULL)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "networks missing");
	all = json_object();
	if (all == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	for (i = 0; i < nets->n && rc == 0; i++) {
		if (!utf8_valid(nets->v[i].name, strlen(nets->v[i].name)))
			rc = cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                 "network name is not valid UTF-8");
		if (rc == 0)
			rc = network_json(&one, &nets->v[i], request, with_mac,
			                  err);
		if (rc == 0)
			rc = set_new(all, nets->v[i].name, one, err);
		else
			json_decref(one);
		one = NULL;
	}
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	*out = all;
	return 0;
}

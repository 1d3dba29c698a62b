/*
 * fuzz_net: the network settings (network/net.h, cpi/agent_net.h).  The
 * input is a create_vm networks hash in JSON; every string reaches
 * net_networks_validate() as given (no checks of our own), the hash
 * also goes through cpi_networks_parse() as create_vm reads it, and
 * what validates is written (cpi/) as the create_vm result and as agent
 * settings.  Inputs that are not JSON objects go to the address parsers
 * as text instead.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/agent_net.h"
#include "network/net.h"

#define MAX_NETS 8
#define MAX_LIST 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct holder {
	struct net_network_in in[MAX_NETS];
	const char *dns[MAX_NETS][MAX_LIST];
	const char *defs[MAX_NETS][MAX_LIST];
	struct net_route_in routes[MAX_NETS][MAX_LIST];
};

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static size_t
list(const char **dst, const json_t *a)
{
	size_t i, n = 0;

	if (!json_is_array(a))
		return 0;
	for (i = 0; i < json_array_size(a) && n < MAX_LIST; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s != NULL)
			dst[n++] = s;
	}
	return n;
}

static void
one(struct holder *h, size_t i, const char *name, const json_t *o)
{
	struct net_network_in *in = &h->in[i];
	const json_t *cp = json_object_get(o, "cloud_properties");
	const json_t *r = json_object_get(o, "routes");
	size_t k;

	in->name = name;
	in->type = str(o, "type");
	in->ip = str(o, "ip");
	in->netmask = str(o, "netmask");
	in->gateway = str(o, "gateway");
	in->prefix = str(o, "prefix");
	in->ndns = list(h->dns[i], json_object_get(o, "dns"));
	in->dns = h->dns[i];
	in->ndefaults = list(h->defs[i], json_object_get(o, "default"));
	in->defaults = h->defs[i];
	for (k = 0; json_is_array(r) && k < json_array_size(r) &&
	     k < MAX_LIST; k++) {
		const json_t *e = json_array_get(r, k);

		h->routes[i][k].destination = str(e, "destination");
		h->routes[i][k].netmask = str(e, "netmask");
		h->routes[i][k].gateway = str(e, "gateway");
	}
	in->routes = h->routes[i];
	in->nroutes = k;
	in->port_group = str(cp, "name");
	in->default_route = json_is_true(json_object_get(cp, "default_route"));
	in->alias = str(o, "alias");
	in->nic_group = str(o, "nic_group");
}

static void
settings(struct net_networks *nets, const json_t *request)
{
	static char ntp0[] = "0.pool.ntp.org";
	static char *ntp[] = { ntp0 };
	struct cpi_agent agent = { .ntp = ntp, .nntp = 1 };
	json_t *hint = json_string("2"), *sys = json_string("0");
	json_t *env = json_object(), *out = NULL;
	struct cpi_disk_hint disk = { "disk-1", hint };
	struct cpi_agent_settings s = { 0 };
	struct err err = { 0 };
	struct err cerr = { 0 };
	size_t i;

	for (i = 0; i < nets->n; i++)
		(void)net_network_set_mac(&nets->v[i], "00:50:56:Ab:cD:0f",
		                          &err);
	s.agent_id = "agent-1";
	s.vm_name = "vm-1";
	s.networks = nets;
	s.request_networks = request;
	s.disk_system = sys;
	s.persistent = &disk;
	s.npersistent = 1;
	s.env = env;
	s.agent = &agent;
	if (cpi_agent_settings_json(&out, &s, &cerr) == 0 && out == NULL)
		__builtin_trap();
	json_decref(out);
	out = NULL;
	if (cpi_networks_json(&out, nets, request, false, &cerr) == 0 &&
	    out == NULL)
		__builtin_trap();
	json_decref(out);
	json_decref(hint);
	json_decref(sys);
	json_decref(env);
	(void)net_networks_find(nets, "a");
}

/* The hash as create_vm reads it (cpi/agent_net.h). */
static void
parsed(const json_t *root)
{
	struct net_networks *nets = NULL;
	struct err cerr = { 0 };

	if (cpi_networks_parse(&nets, root, &cerr) == 0) {
		if (nets == NULL)
			__builtin_trap();
		settings(nets, root);
	}
	net_networks_free(nets);
}

static void
text(const uint8_t *data, size_t size)
{
	char buf[256], fmt[NET_ADDR_STRLEN];
	struct net_addr a, b;
	struct err err = { 0 };
	int prefix;

	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (net_addr_parse(&a, buf, &err) == 0) {
		net_addr_format(fmt, &a);
		if (net_addr_parse(&b, fmt, &err) != 0 ||
		    !net_addr_equal(&a, &b))
			__builtin_trap();
		net_addr_format_compressed(fmt, &a);
		if (net_addr_parse(&b, fmt, &err) != 0 ||
		    !net_addr_equal(&a, &b))
			__builtin_trap();
		(void)net_netmask_to_prefix(&prefix, &a, &err);
		(void)net_prefix_parse(&prefix, buf, a.family, &err);
	}
	err_clear(&err);
	(void)net_addr_normalize(fmt, buf, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct holder *h;
	struct net_networks *nets = NULL;
	struct err err = { 0 };
	const char *name;
	json_t *root, *v;
	size_t n = 0;

	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	                  NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		text(data, size);
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		abort();
	json_object_foreach(root, name, v) {
		if (n == MAX_NETS)
			break;
		one(h, n++, name, v);
	}
	if (net_networks_validate(&nets, h->in, n, &err) == 0) {
		if (nets == NULL)
			__builtin_trap();
		settings(nets, root);
	}
	net_networks_free(nets);
	free(h);
	parsed(root);
	json_decref(root);
	return 0;
}

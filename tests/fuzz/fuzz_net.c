/*
 * fuzz_net: the network settings (network/net.h).  The input is a
 * create_vm networks hash in JSON; every string reaches
 * net_networks_validate() as the caller would pass it (no checks of our
 * own), and what validates is serialized as the create_vm result and as
 * agent settings.  Inputs that are not JSON objects go to the address
 * parsers as text instead.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "network/net.h"

#define MAX_NETS 8
#define MAX_LIST 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct holder {
	struct net_network_in in[MAX_NETS];
	const char *dns[MAX_NETS][MAX_LIST];
	const char *defs[MAX_NETS][MAX_LIST];
	struct net_route_in routes[MAX_NETS][MAX_LIST];
	char *cp[MAX_NETS];
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
	if (cp != NULL) {
		h->cp[i] = json_dumps(cp, JSON_COMPACT | JSON_ENCODE_ANY);
		in->cloud_properties_json = h->cp[i];
		in->port_group = str(cp, "name");
	}
	in->alias = str(o, "alias");
	in->nic_group = str(o, "nic_group");
}

static void
settings(struct net_networks *nets)
{
	static const char *const ntp[] = { "0.pool.ntp.org" };
	struct net_disk_hint hint = { "disk-1", "\"2\"" };
	struct net_agent_settings s = { 0 };
	struct net_error err = { 0 };
	char *out = NULL;
	size_t i;

	for (i = 0; i < nets->n; i++)
		(void)net_network_set_mac(&nets->v[i], "00:50:56:Ab:cD:0f",
		                          &err);
	s.agent_id = "agent-1";
	s.vm_name = "vm-1";
	s.networks = nets;
	s.disk_system = "\"0\"";
	s.persistent = &hint;
	s.npersistent = 1;
	s.env_json = "{}";
	s.ntp = ntp;
	s.nntp = 1;
	if (net_agent_settings_json(&out, &s, &err) == 0 && out == NULL)
		__builtin_trap();
	free(out);
	out = NULL;
	if (net_networks_json(&out, nets, false, &err) == 0 && out == NULL)
		__builtin_trap();
	free(out);
	(void)net_networks_find(nets, "a");
}

static void
text(const uint8_t *data, size_t size)
{
	char buf[256], fmt[NET_ADDR_STRLEN];
	struct net_addr a, b;
	struct net_error err = { 0 };
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
	net_error_clear(&err);
	(void)net_addr_normalize(fmt, buf, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct holder *h;
	struct net_networks *nets = NULL;
	struct net_error err = { 0 };
	const char *name;
	json_t *root, *v;
	size_t n = 0, i;

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
		settings(nets);
	}
	net_networks_free(nets);
	for (i = 0; i < n; i++)
		free(h->cp[i]);
	free(h);
	json_decref(root);
	return 0;
}

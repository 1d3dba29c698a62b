/* network/networks.c: validation and normalization of the create_vm
 * networks hash, and its JSON form. */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The words of a "default" list, in sorted order. */
enum {
	DEF_ADDRESSABLE = 1 << 0,
	DEF_DNS = 1 << 1,
	DEF_GATEWAY = 1 << 2,
};

static const struct {
	const char *word;
	unsigned int bit;
} default_words[] = {
	{ "addressable", DEF_ADDRESSABLE },
	{ "dns", DEF_DNS },
	{ "gateway", DEF_GATEWAY },
};

#define NDEFAULT_WORDS (sizeof(default_words) / sizeof(default_words[0]))

/* Longest network name accepted (it also becomes a JSON key). */
#define MAX_NAME 256
/* Most dns servers or routes one network may carry. */
#define MAX_LIST 1024

const char *
net_type_name(enum net_type t)
{
	switch (t) {
	case NET_TYPE_DYNAMIC:
		return "dynamic";
	case NET_TYPE_VIP:
		return "vip";
	case NET_TYPE_MANUAL:
	default:
		return "manual";
	}
}

static int
dup_str(char **out, const char *s, struct net_error *err)
{
	char *p;

	*out = NULL;
	if (s == NULL)
		return 0;
	p = strdup(s);
	if (p == NULL)
		return net_error_set(err, NET_ENOMEM, "out of memory");
	*out = p;
	return 0;
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
network_clear(struct net_network *nw)
{
	free(nw->name);
	free(nw->ip);
	free(nw->netmask);
	free(nw->gateway);
	free(nw->prefix);
	free_strv(nw->dns, nw->ndns);
	free_strv(nw->defaults, nw->ndefaults);
	free(nw->routes);
	free(nw->cloud_properties_json);
	free(nw->port_group);
	free(nw->alias);
	free(nw->nic_group);
	free(nw->mac);
	memset(nw, 0, sizeof(*nw));
}

void
net_networks_free(struct net_networks *nets)
{
	size_t i;

	if (nets == NULL)
		return;
	for (i = 0; i < nets->n; i++)
		network_clear(&nets->v[i]);
	free(nets->v);
	free(nets);
}

struct net_network *
net_networks_find(const struct net_networks *nets, const char *name)
{
	size_t i;

	if (nets == NULL || name == NULL)
		return NULL;
	for (i = 0; i < nets->n; i++) {
		if (strcmp(nets->v[i].name, name) == 0)
			return &nets->v[i];
	}
	return NULL;
}

static int
check_text(const char *s, const char *what, struct net_error *err)
{
	if (s != NULL && !net__utf8_valid(s, strlen(s)))
		return net_error_set(err, NET_EINVAL, "%s is not valid UTF-8",
		                     what);
	return 0;
}

static int
parse_type(enum net_type *out, const char *s, struct net_error *err)
{
	char q[NET__QUOTE_LEN];

	if (s == NULL || strcmp(s, "manual") == 0)
		*out = NET_TYPE_MANUAL;
	else if (strcmp(s, "dynamic") == 0)
		*out = NET_TYPE_DYNAMIC;
	else if (strcmp(s, "vip") == 0)
		*out = NET_TYPE_VIP;
	else {
		net__quote(q, sizeof(q), s);
		return net_error_set(err, NET_EINVAL,
		                     "unknown type %s (want manual, dynamic or "
		                     "vip)", q);
	}
	return 0;
}

/* Parses text (the field what) into *addr and its expanded form into a
 * new string *out. */
static int
take_addr(char **out, struct net_addr *addr, const char *text,
          const char *what, struct net_error *err)
{
	char buf[NET_ADDR_STRLEN];
	int rc;

	rc = net_addr_parse(addr, text, err);
	if (rc < 0) {
		net_error_prefix(err, "%s", what);
		return rc;
	}
	net_addr_format(buf, addr);
	return dup_str(out, buf, err);
}

static int
check_family(const struct net_addr *a, int family, const char *what,
             const char *other, struct net_error *err)
{
	char text[NET_ADDR_STRLEN];

	if (family == 0 || a->family == family)
		return 0;
	net_addr_format(text, a);
	return net_error_set(err, NET_EINVAL, "%s %s is IPv%d but %s is IPv%d",
	                     what, text, a->family, other, family);
}

static int
take_routes(struct net_network *nw, const struct net_network_in *in,
            int family, const struct net_addr *ip, int subnet_prefix,
            struct net_error *err)
{
	struct net_addr dst, mask, gw, net;
	char buf[NET_ADDR_STRLEN], subnet[NET_ADDR_STRLEN];
	size_t i;
	int rc, prefix;

	if (in->nroutes == 0)
		return 0;
	if (in->nroutes > MAX_LIST)
		return net_error_set(err, NET_EINVAL,
		                     "too many routes (%zu, at most %d)",
		                     in->nroutes, MAX_LIST);
	if (in->routes == NULL)
		return net_error_set(err, NET_EINVAL, "routes missing");
	nw->routes = calloc(in->nroutes, sizeof(*nw->routes));
	if (nw->routes == NULL)
		return net_error_set(err, NET_ENOMEM, "out of memory");
	nw->nroutes = in->nroutes;
	for (i = 0; i < in->nroutes; i++) {
		const struct net_route_in *r = &in->routes[i];
		struct net_route *o = &nw->routes[i];

		rc = net_addr_parse(&dst, r->destination, err);
		if (rc < 0) {
			net_error_prefix(err, "destination");
			goto fail;
		}
		if (family == 0)
			family = dst.family;
		rc = check_family(&dst, family, "destination", "the network",
		                  err);
		if (rc < 0)
			goto fail;
		rc = net_addr_parse(&mask, r->netmask, err);
		if (rc < 0) {
			net_error_prefix(err, "netmask");
			goto fail;
		}
		rc = check_family(&mask, family, "netmask", "the network", err);
		if (rc < 0)
			goto fail;
		rc = net_netmask_to_prefix(&prefix, &mask, err);
		if (rc < 0)
			goto fail;
		rc = net_addr_parse(&gw, r->gateway, err);
		if (rc < 0) {
			net_error_prefix(err, "gateway");
			goto fail;
		}
		rc = check_family(&gw, family, "gateway", "the network", err);
		if (rc < 0)
			goto fail;
		net_addr_network(&net, &dst, prefix);
		if (!net_addr_equal(&net, &dst)) {
			net_addr_format(buf, &dst);
			rc = net_error_set(err, NET_EINVAL,
			                   "destination %s has host bits set "
			                   "for prefix /%d", buf, prefix);
			goto fail;
		}
		if (ip != NULL && subnet_prefix >= 0 &&
		    !net_addr_in_subnet(&gw, ip, subnet_prefix)) {
			net_addr_format(buf, &gw);
			net_addr_network(&net, ip, subnet_prefix);
			net_addr_format(subnet, &net);
			rc = net_error_set(err, NET_EINVAL,
			                   "gateway %s is outside the "
			                   "network's subnet %s/%d", buf,
			                   subnet, subnet_prefix);
			goto fail;
		}
		net_addr_format(o->destination, &dst);
		net_addr_format(o->netmask, &mask);
		net_addr_format(o->gateway, &gw);
	}
	return 0;
fail:
	net_error_prefix(err, "route %zu", i);
	return rc;
}

static int
take_dns(struct net_network *nw, const struct net_network_in *in,
         struct net_error *err)
{
	struct net_addr a;
	size_t i;
	int rc;

	if (in->dns == NULL)
		return 0;
	if (in->ndns > MAX_LIST)
		return net_error_set(err, NET_EINVAL,
		                     "too many dns servers (%zu, at most %d)",
		                     in->ndns, MAX_LIST);
	nw->dns = calloc(in->ndns + 1, sizeof(*nw->dns));
	if (nw->dns == NULL)
		return net_error_set(err, NET_ENOMEM, "out of memory");
	for (i = 0; i < in->ndns; i++) {
		rc = take_addr(&nw->dns[i], &a, in->dns[i], "dns", err);
		nw->ndns = i + 1;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
take_defaults(unsigned int *mask, const struct net_network_in *in,
              struct net_error *err)
{
	char q[NET__QUOTE_LEN];
	size_t i, k;

	*mask = 0;
	if (in->ndefaults > 0 && in->defaults == NULL)
		return net_error_set(err, NET_EINVAL, "default list missing");
	for (i = 0; i < in->ndefaults; i++) {
		const char *w = in->defaults[i];

		for (k = 0; k < NDEFAULT_WORDS; k++) {
			if (w != NULL && strcmp(w, default_words[k].word) == 0)
				break;
		}
		if (k == NDEFAULT_WORDS) {
			net__quote(q, sizeof(q), w);
			return net_error_set(err, NET_EINVAL,
			                     "unknown word %s in default (want "
			                     "dns, gateway or addressable)", q);
		}
		*mask |= default_words[k].bit;
	}
	return 0;
}

/* The address block a network's prefix assigns at ip: not wider than its
 * subnet (subnet_prefix, -1 when unknown), and ip its base address. */
static int
check_block(const struct net_network *nw, const struct net_addr *ip,
            int prefix_len, int subnet_prefix, struct net_error *err)
{
	struct net_addr base;
	char b[NET_ADDR_STRLEN];

	if (subnet_prefix >= 0 && prefix_len < subnet_prefix)
		return net_error_set(err, NET_EINVAL,
		                     "prefix %d is shorter than the subnet's "
		                     "/%d (netmask): the block assigned at ip "
		                     "%s must lie inside its subnet", prefix_len,
		                     subnet_prefix, nw->ip);
	net_addr_network(&base, ip, prefix_len);
	if (!net_addr_equal(&base, ip)) {
		net_addr_format(b, &base);
		return net_error_set(err, NET_EINVAL,
		                     "ip %s is not the base address of its "
		                     "prefix %d block (that is %s): prefix is "
		                     "the size of the block assigned at ip "
		                     "(%d: one address)", nw->ip, prefix_len, b,
		                     net_addr_bits(ip->family));
	}
	return 0;
}

/* Validates one network without looking at the others; the default
 * list is returned as a bit mask. */
static int
validate_one(struct net_network *nw, unsigned int *defmask,
             const struct net_network_in *in, struct net_error *err)
{
	struct net_addr ip, mask, gw, net;
	bool has_mask = false, delegated;
	int family = 0, prefix_len = -1, rc;
	char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN];

	memset(&ip, 0, sizeof(ip));
	memset(&gw, 0, sizeof(gw));
	nw->subnet_prefix = -1;
	rc = parse_type(&nw->type, in->type, err);
	if (rc < 0)
		return rc;
	rc = check_text(in->port_group, "port group (cloud_properties.name)",
	                err);
	if (rc == 0)
		rc = check_text(in->alias, "alias", err);
	if (rc == 0)
		rc = check_text(in->nic_group, "nic_group", err);
	if (rc == 0 && in->cloud_properties_json != NULL)
		rc = net__json_check(in->cloud_properties_json,
		                     NET__JSON_OBJECT, "cloud_properties", err);
	if (rc < 0)
		return rc;

	if (in->ip != NULL) {
		rc = take_addr(&nw->ip, &ip, in->ip, "ip", err);
		if (rc < 0)
			return rc;
		nw->has_ip = true;
		nw->ip_addr = ip;
		family = ip.family;
	} else if (nw->type != NET_TYPE_DYNAMIC) {
		return net_error_set(err, NET_EINVAL, "%s network needs an ip",
		                     net_type_name(nw->type));
	}

	if (in->netmask != NULL) {
		rc = take_addr(&nw->netmask, &mask, in->netmask, "netmask",
		               err);
		if (rc == 0)
			rc = check_family(&mask, family, "netmask", "ip", err);
		if (rc == 0)
			rc = net_netmask_to_prefix(&nw->subnet_prefix, &mask,
			                           err);
		if (rc < 0)
			return rc;
		has_mask = true;
		if (family == 0)
			family = mask.family;
	}

	if (in->prefix != NULL) {
		rc = net_prefix_parse(&prefix_len, in->prefix, family, err);
		if (rc == 0)
			rc = dup_str(&nw->prefix, in->prefix, err);
		if (rc < 0)
			return rc;
	}

	if (nw->type == NET_TYPE_MANUAL && !has_mask) {
		if (prefix_len < 0)
			return net_error_set(err, NET_EINVAL,
			                     "manual network needs a netmask "
			                     "or a prefix");
		rc = net_prefix_to_netmask(&mask, family, prefix_len, err);
		if (rc < 0)
			return rc;
		net_addr_format(a, &mask);
		rc = dup_str(&nw->netmask, a, err);
		if (rc < 0)
			return rc;
		nw->subnet_prefix = prefix_len;
		has_mask = true;
	}

	if (in->gateway != NULL) {
		rc = take_addr(&nw->gateway, &gw, in->gateway, "gateway", err);
		if (rc == 0)
			rc = check_family(&gw, family, "gateway",
			                  nw->has_ip ? "ip" : "netmask", err);
		if (rc < 0)
			return rc;
		if (nw->has_ip && has_mask &&
		    !net_addr_in_subnet(&gw, &ip, nw->subnet_prefix)) {
			net_addr_network(&net, &ip, nw->subnet_prefix);
			net_addr_format(a, &gw);
			net_addr_format(b, &net);
			return net_error_set(err, NET_EINVAL,
			                     "gateway %s is outside the subnet "
			                     "%s/%d of ip %s", a, b,
			                     nw->subnet_prefix, nw->ip);
		}
	}

	/* RFC 0038: prefix is the size of the block assigned at ip (32/128:
	 * one address; shorter: a delegated block whose base is ip), not a
	 * second netmask.  A manual network without a netmask takes it for
	 * its subnet (as it always did); a dynamic network's address is
	 * DHCP's: neither is checked here. */
	if (prefix_len >= 0 && nw->has_ip &&
	    (nw->type == NET_TYPE_VIP ||
	     (nw->type == NET_TYPE_MANUAL && in->netmask != NULL))) {
		rc = check_block(nw, &ip, prefix_len,
		                 in->netmask != NULL ? nw->subnet_prefix : -1,
		                 err);
		if (rc < 0)
			return rc;
	}

	/* RFC 0038: a prefix shorter than one address on a manual network
	 * with a netmask is a delegated block (nic_group counts it apart
	 * from the NIC's addresses). */
	nw->delegated = nw->type == NET_TYPE_MANUAL && in->netmask != NULL &&
	                prefix_len >= 0 && prefix_len < net_addr_bits(family);

	/* With both a netmask and a shorter prefix the ip is the base of a
	 * delegated block (prefix delegation), not a host address. */
	delegated = in->netmask != NULL && prefix_len > nw->subnet_prefix &&
	            prefix_len < net_addr_bits(family);
	if (nw->has_ip && has_mask && !delegated &&
	    nw->subnet_prefix < net_addr_bits(family) - 1) {
		net_addr_network(&net, &ip, nw->subnet_prefix);
		if (net_addr_equal(&net, &ip))
			return net_error_set(err, NET_EINVAL,
			                     "ip %s is the network address of "
			                     "its subnet /%d", nw->ip,
			                     nw->subnet_prefix);
	}

	rc = take_dns(nw, in, err);
	if (rc == 0)
		rc = take_routes(nw, in, family, nw->has_ip ? &ip : NULL,
		                 has_mask ? nw->subnet_prefix : -1, err);
	if (rc == 0)
		rc = take_defaults(defmask, in, err);
	if (rc < 0)
		return rc;
	if (nw->type == NET_TYPE_VIP && *defmask != 0)
		return net_error_set(err, NET_EINVAL,
		                     "a vip network cannot be a default");
	if (nw->type != NET_TYPE_VIP &&
	    (in->port_group == NULL || in->port_group[0] == '\0'))
		return net_error_set(err, NET_EINVAL,
		                     "no port group (cloud_properties.name)");
	nw->family = family != 0 ? family :
	             nw->gateway != NULL ? gw.family : 0;
	nw->default_route = in->default_route;
	if (nw->default_route && nw->type != NET_TYPE_MANUAL)
		return net_error_set(err, NET_EINVAL,
		                     "default_route is for manual networks, "
		                     "not a %s one", net_type_name(nw->type));
	if (nw->default_route && nw->gateway == NULL)
		return net_error_set(err, NET_EINVAL,
		                     "default_route needs a gateway");

	rc = dup_str(&nw->cloud_properties_json, in->cloud_properties_json,
	             err);
	if (rc == 0)
		rc = dup_str(&nw->port_group, in->port_group, err);
	if (rc == 0)
		rc = dup_str(&nw->alias, in->alias, err);
	if (rc == 0)
		rc = dup_str(&nw->nic_group, in->nic_group, err);
	return rc;
}

static int
check_name(const struct net_network_in *in, size_t idx, size_t n,
           struct net_error *err)
{
	char q[NET__QUOTE_LEN];
	size_t j;

	if (in[idx].name == NULL || in[idx].name[0] == '\0')
		return net_error_set(err, NET_EINVAL,
		                     "network %zu has no name", idx);
	if (strnlen(in[idx].name, MAX_NAME + 1) > MAX_NAME ||
	    !net__utf8_valid(in[idx].name, strlen(in[idx].name))) {
		net__quote(q, sizeof(q), in[idx].name);
		return net_error_set(err, NET_EINVAL,
		                     "network name %s is too long or not "
		                     "valid UTF-8", q);
	}
	for (j = 0; j < idx && j < n; j++) {
		if (in[j].name != NULL &&
		    strcmp(in[j].name, in[idx].name) == 0) {
			net__quote(q, sizeof(q), in[idx].name);
			return net_error_set(err, NET_EINVAL,
			                     "network %s is given twice", q);
		}
	}
	return 0;
}

/* Exactly one network for word (at most one when optional). */
static int
check_unique_default(const struct net_networks *nets,
                     const unsigned int *masks, unsigned int bit,
                     const char *word, bool optional, struct net_error *err)
{
	char q1[NET__QUOTE_LEN], q2[NET__QUOTE_LEN];
	size_t i, first = 0, count = 0;

	for (i = 0; i < nets->n; i++) {
		if ((masks[i] & bit) == 0)
			continue;
		if (count == 1) {
			net__quote(q1, sizeof(q1), nets->v[first].name);
			net__quote(q2, sizeof(q2), nets->v[i].name);
			return net_error_set(err, NET_EINVAL,
			                     "networks %s and %s are both the "
			                     "default for %s; only one may be",
			                     q1, q2, word);
		}
		first = i;
		count++;
	}
	if (count == 0 && !optional)
		return net_error_set(err, NET_EINVAL,
		                     "no network is the default for %s: with "
		                     "more than one network, exactly one must "
		                     "list \"%s\" in its default", word, word);
	return 0;
}

static int
resolve_defaults(struct net_networks *nets, unsigned int *masks,
                 struct net_error *err)
{
	char q[NET__QUOTE_LEN];
	size_t i, k, nonvip = 0, last = 0, cnt;
	int rc;

	for (i = 0; i < nets->n; i++) {
		if (nets->v[i].type != NET_TYPE_VIP) {
			nonvip++;
			last = i;
		}
	}
	if (nonvip == 0)
		return net_error_set(err, NET_EINVAL,
		                     "no manual or dynamic network");
	if (nonvip == 1) {
		struct net_network *nw = &nets->v[last];

		masks[last] |= DEF_DNS;
		if (nw->gateway != NULL || nw->type == NET_TYPE_DYNAMIC)
			masks[last] |= DEF_GATEWAY;
	}
	/* A lone network without a gateway is nobody's default gateway. */
	rc = check_unique_default(nets, masks, DEF_GATEWAY, "gateway",
	                          nonvip == 1, err);
	if (rc == 0)
		rc = check_unique_default(nets, masks, DEF_DNS, "dns", false,
		                          err);
	if (rc == 0)
		rc = check_unique_default(nets, masks, DEF_ADDRESSABLE,
		                          "addressable", true, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < nets->n; i++) {
		struct net_network *nw = &nets->v[i];

		nw->is_default_gateway = (masks[i] & DEF_GATEWAY) != 0;
		nw->is_default_dns = (masks[i] & DEF_DNS) != 0;
		if (nw->is_default_gateway && nw->type == NET_TYPE_MANUAL &&
		    nw->gateway == NULL) {
			net__quote(q, sizeof(q), nw->name);
			return net_error_set(err, NET_EINVAL,
			                     "network %s is the default for "
			                     "gateway but has no gateway", q);
		}
		nw->defaults = calloc(NDEFAULT_WORDS + 1,
		                      sizeof(*nw->defaults));
		if (nw->defaults == NULL)
			return net_error_set(err, NET_ENOMEM, "out of memory");
		cnt = 0;
		for (k = 0; k < NDEFAULT_WORDS; k++) {
			if ((masks[i] & default_words[k].bit) == 0)
				continue;
			rc = dup_str(&nw->defaults[cnt],
			             default_words[k].word, err);
			if (rc < 0)
				return rc;
			cnt++;
			nw->ndefaults = cnt;
		}
	}
	return 0;
}

/* True for a route to everything (prefix 0). */
static bool
is_default_route(const struct net_route *r)
{
	return strcmp(r->netmask, "0.0.0.0") == 0 ||
	       strcmp(r->netmask, "0000:0000:0000:0000:0000:0000:0000:0000")
	       == 0;
}

/* Appends the family's default route (via the network's gateway) to
 * nw->routes. */
static int
append_default_route(struct net_network *nw, struct net_error *err)
{
	struct net_route *v, *r;
	struct net_addr zero;

	v = realloc(nw->routes, (nw->nroutes + 1) * sizeof(*v));
	if (v == NULL)
		return net_error_set(err, NET_ENOMEM, "out of memory");
	nw->routes = v;
	r = &v[nw->nroutes];
	memset(r, 0, sizeof(*r));
	memset(&zero, 0, sizeof(zero));
	zero.family = nw->family;
	net_addr_format(r->destination, &zero);
	net_addr_format(r->netmask, &zero);
	snprintf(r->gateway, sizeof(r->gateway), "%s", nw->gateway);
	nw->nroutes++;
	return 0;
}

/* Checks default_route of nets->v[i] against the default-gateway
 * network gwnet (may be NULL) and the networks before it. */
static int
check_default_route(const struct net_networks *nets, size_t i,
                    const struct net_network *gwnet, struct net_error *err)
{
	const struct net_network *nw = &nets->v[i];
	char q1[NET__QUOTE_LEN], q2[NET__QUOTE_LEN];
	size_t j, k;
	int fam = nw->family;

	net__quote(q1, sizeof(q1), nw->name);
	if (nw == gwnet)
		return net_error_set(err, NET_EINVAL,
		                     "network %s has default_route but is the "
		                     "default gateway network, which has its "
		                     "default route already", q1);
	if (gwnet == NULL)
		return net_error_set(err, NET_EINVAL,
		                     "network %s has default_route but no "
		                     "network is the default for gateway", q1);
	net__quote(q2, sizeof(q2), gwnet->name);
	if (gwnet->family == 0)
		return net_error_set(err, NET_EINVAL,
		                     "network %s has default_route but the "
		                     "family of the default gateway network %s "
		                     "is unknown (dynamic, no address): cannot "
		                     "tell that they differ", q1, q2);
	if (gwnet->family == fam)
		return net_error_set(err, NET_EINVAL,
		                     "network %s has default_route for IPv%d, "
		                     "but the default gateway network %s "
		                     "already gives IPv%d its default route",
		                     q1, fam, q2, fam);
	for (j = 0; j < i; j++) {
		if (!nets->v[j].default_route || nets->v[j].family != fam)
			continue;
		net__quote(q2, sizeof(q2), nets->v[j].name);
		return net_error_set(err, NET_EINVAL,
		                     "networks %s and %s both have "
		                     "default_route for IPv%d; one default "
		                     "route per family", q2, q1, fam);
	}
	for (k = 0; k < nw->nroutes; k++) {
		if (is_default_route(&nw->routes[k]))
			return net_error_set(err, NET_EINVAL,
			                     "network %s has default_route and "
			                     "lists a default route (route "
			                     "%zu) already", q1, k);
	}
	return 0;
}

/* One default route per address family: the default-gateway network
 * gives its family one, each network with default_route its own (see
 * net_networks_validate). */
static int
resolve_default_routes(struct net_networks *nets, struct net_error *err)
{
	const struct net_network *gwnet = NULL;
	size_t i;
	int rc;

	for (i = 0; i < nets->n; i++) {
		if (nets->v[i].is_default_gateway)
			gwnet = &nets->v[i];
	}
	for (i = 0; i < nets->n; i++) {
		if (!nets->v[i].default_route)
			continue;
		rc = check_default_route(nets, i, gwnet, err);
		if (rc < 0)
			return rc;
	}
	/* Only once every network passed: nothing is half-applied. */
	for (i = 0; i < nets->n; i++) {
		if (!nets->v[i].default_route)
			continue;
		rc = append_default_route(&nets->v[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Works on a local error object so that context is only ever prepended
 * to this call's own message; the caller's err is set once at the end. */
static int
validate_all(struct net_networks **out, const struct net_network_in *in,
             size_t n, struct net_error *err)
{
	struct net_networks *nets = NULL;
	unsigned int *masks = NULL;
	char q[NET__QUOTE_LEN];
	size_t i;
	int rc;

	*out = NULL;
	if (n == 0 || in == NULL)
		return net_error_set(err, NET_EINVAL, "no networks given");
	nets = calloc(1, sizeof(*nets));
	masks = calloc(n, sizeof(*masks));
	if (nets == NULL || masks == NULL) {
		rc = net_error_set(err, NET_ENOMEM, "out of memory");
		goto cleanup;
	}
	nets->v = calloc(n, sizeof(*nets->v));
	if (nets->v == NULL) {
		rc = net_error_set(err, NET_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		struct net_network *nw = &nets->v[i];

		nets->n = i + 1;
		rc = check_name(in, i, n, err);
		if (rc < 0)
			goto cleanup;
		rc = dup_str(&nw->name, in[i].name, err);
		if (rc < 0)
			goto cleanup;
		rc = validate_one(nw, &masks[i], &in[i], err);
		if (rc < 0) {
			net__quote(q, sizeof(q), in[i].name);
			net_error_prefix(err, "network %s", q);
			goto cleanup;
		}
	}
	rc = resolve_defaults(nets, masks, err);
	if (rc == 0)
		rc = resolve_default_routes(nets, err);
	if (rc == 0)
		rc = net__check_nic_groups(nets, err);
	if (rc < 0)
		goto cleanup;
	*out = nets;
	nets = NULL;
	rc = 0;
cleanup:
	net_networks_free(nets);
	free(masks);
	return rc;
}

int
net_networks_validate(struct net_networks **out,
                      const struct net_network_in *in, size_t n,
                      struct net_error *err)
{
	struct net_error local = { 0 };
	int rc;

	*out = NULL;
	rc = validate_all(out, in, n, &local);
	if (rc < 0)
		return net_error_set(err, rc, "%s", local.message);
	return 0;
}

static int
hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c;
	if (c >= 'a' && c <= 'f')
		return c;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 'a';
	return -1;
}

int
net_network_set_mac(struct net_network *nw, const char *mac,
                    struct net_error *err)
{
	char buf[18], q[NET__QUOTE_LEN];
	char *copy;
	int i, d;

	if (mac == NULL || strnlen(mac, 18) != 17)
		goto invalid;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (mac[i] != ':')
				goto invalid;
			buf[i] = ':';
			continue;
		}
		d = hexdigit(mac[i]);
		if (d < 0)
			goto invalid;
		buf[i] = (char)d;
	}
	buf[17] = '\0';
	copy = strdup(buf);
	if (copy == NULL)
		return net_error_set(err, NET_ENOMEM, "out of memory");
	free(nw->mac);
	nw->mac = copy;
	return 0;
invalid:
	net__quote(q, sizeof(q), mac);
	return net_error_set(err, NET_EINVAL, "invalid MAC address %s", q);
}

static void
put_key(struct net__buf *b, bool *first, const char *key)
{
	if (!*first)
		net__buf_put(b, ",", 1);
	*first = false;
	net__buf_put(b, "\"", 1);
	net__buf_puts(b, key);
	net__buf_put(b, "\":", 2);
}

static int
put_str_field(struct net__buf *b, bool *first, const char *key,
              const char *val, struct net_error *err)
{
	if (val == NULL)
		return 0;
	put_key(b, first, key);
	return net__buf_json_string(b, val, key, err);
}

static int
put_strv(struct net__buf *b, char *const *v, size_t n, const char *what,
         struct net_error *err)
{
	size_t i;
	int rc;

	net__buf_put(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			net__buf_put(b, ",", 1);
		rc = net__buf_json_string(b, v[i], what, err);
		if (rc < 0)
			return rc;
	}
	net__buf_put(b, "]", 1);
	return 0;
}

static int
put_network(struct net__buf *b, const struct net_network *nw, bool with_mac,
            struct net_error *err)
{
	bool first = true;
	size_t i;
	int rc;

	net__buf_put(b, "{", 1);
	rc = put_str_field(b, &first, "type", net_type_name(nw->type), err);
	if (rc == 0)
		rc = put_str_field(b, &first, "ip", nw->ip, err);
	if (rc == 0)
		rc = put_str_field(b, &first, "netmask", nw->netmask, err);
	if (rc == 0)
		rc = put_str_field(b, &first, "gateway", nw->gateway, err);
	if (rc == 0)
		rc = put_str_field(b, &first, "prefix", nw->prefix, err);
	if (rc == 0 && nw->dns != NULL) {
		put_key(b, &first, "dns");
		rc = put_strv(b, nw->dns, nw->ndns, "dns", err);
	}
	if (rc == 0) {
		put_key(b, &first, "default");
		rc = put_strv(b, nw->defaults, nw->ndefaults, "default", err);
	}
	if (rc == 0 && nw->nroutes > 0) {
		put_key(b, &first, "routes");
		net__buf_put(b, "[", 1);
		for (i = 0; i < nw->nroutes; i++) {
			const struct net_route *r = &nw->routes[i];
			bool rfirst = true;

			if (i > 0)
				net__buf_put(b, ",", 1);
			net__buf_put(b, "{", 1);
			put_str_field(b, &rfirst, "destination",
			              r->destination, err);
			put_str_field(b, &rfirst, "netmask", r->netmask, err);
			put_str_field(b, &rfirst, "gateway", r->gateway, err);
			net__buf_put(b, "}", 1);
		}
		net__buf_put(b, "]", 1);
	}
	if (rc == 0 && nw->cloud_properties_json != NULL) {
		rc = net__json_check(nw->cloud_properties_json,
		                     NET__JSON_OBJECT, "cloud_properties", err);
		if (rc == 0) {
			put_key(b, &first, "cloud_properties");
			net__buf_puts(b, nw->cloud_properties_json);
		}
	}
	if (rc == 0 && with_mac)
		rc = put_str_field(b, &first, "mac", nw->mac, err);
	if (rc == 0)
		rc = put_str_field(b, &first, "alias", nw->alias, err);
	if (rc == 0)
		rc = put_str_field(b, &first, "nic_group", nw->nic_group, err);
	net__buf_put(b, "}", 1);
	return rc;
}

int
net__put_networks(struct net__buf *b, const struct net_networks *nets,
                  bool with_mac, struct net_error *err)
{
	size_t i;
	int rc = 0;

	if (nets == NULL)
		return net_error_set(err, NET_EINVAL, "networks missing");
	net__buf_put(b, "{", 1);
	for (i = 0; i < nets->n && rc == 0; i++) {
		const struct net_network *nw = &nets->v[i];

		if (i > 0)
			net__buf_put(b, ",", 1);
		rc = net__buf_json_string(b, nw->name, "network name", err);
		if (rc == 0) {
			net__buf_put(b, ":", 1);
			rc = put_network(b, nw, with_mac, err);
		}
	}
	net__buf_put(b, "}", 1);
	return rc;
}

int
net_networks_json(char **out, const struct net_networks *nets,
                  bool with_mac, struct net_error *err)
{
	struct net__buf b = { 0 };
	int rc;

	*out = NULL;
	rc = net__put_networks(&b, nets, with_mac, err);
	if (rc == 0)
		rc = net__buf_finish(out, &b, err);
	net__buf_free(&b);
	return rc;
}

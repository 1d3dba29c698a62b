/* network/network.c: the checks of one network of the create_vm networks
 * hash on its own (its addresses, prefix, dns, routes and words), the
 * rules between networks being network/defaults.c's and nics.c's. */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

/* What validate_one learned so far of the network's addresses. */
struct addrs {
	struct net_addr ip, mask, gw;
	bool has_mask;
	int family;         /* 0 while unknown */
	int prefix_len;     /* the prefix given, -1 when absent */
};

static int
check_text(const char *s, const char *what, struct err *err)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		return err_set(err, ERR_EINVAL, "%s is not valid UTF-8",
		               what);
	return 0;
}

static int
parse_type(enum net_type *out, const char *s, struct err *err)
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
		return err_set(err, ERR_EINVAL,
		               "unknown type %s (want manual, dynamic or "
		               "vip)", q);
	}
	return 0;
}

/* Parses text (the field what) into *addr and its expanded form into a
 * new string *out. */
static int
take_addr(char **out, struct net_addr *addr, const char *text,
          const char *what, struct err *err)
{
	char buf[NET_ADDR_STRLEN];
	int rc;

	rc = net_addr_parse(addr, text, err);
	if (rc < 0) {
		err_prefix(err, "%s", what);
		return rc;
	}
	net_addr_format(buf, addr);
	return net__dup(out, buf, err);
}

static int
check_family(const struct net_addr *a, int family, const char *what,
             const char *other, struct err *err)
{
	char text[NET_ADDR_STRLEN];

	if (family == 0 || a->family == family)
		return 0;
	net_addr_format(text, a);
	return err_set(err, ERR_EINVAL, "%s %s is IPv%d but %s is IPv%d",
	               what, text, a->family, other, family);
}

/* One route: every address of family (the network's, or the
 * destination's when that is unknown), a contiguous netmask, no host
 * bits in the destination, the gateway inside the network's subnet
 * (ip/subnet_prefix, when both are known). */
static int
take_route(struct net_route *o, int *family, const struct net_route_in *r,
           const struct net_addr *ip, int subnet_prefix,
           struct err *err)
{
	struct net_addr dst, mask, gw, net;
	char buf[NET_ADDR_STRLEN], subnet[NET_ADDR_STRLEN];
	int rc, prefix;

	rc = net_addr_parse(&dst, r->destination, err);
	if (rc < 0) {
		err_prefix(err, "destination");
		return rc;
	}
	if (*family == 0)
		*family = dst.family;
	rc = check_family(&dst, *family, "destination", "the network", err);
	if (rc < 0)
		return rc;
	rc = net_addr_parse(&mask, r->netmask, err);
	if (rc < 0) {
		err_prefix(err, "netmask");
		return rc;
	}
	rc = check_family(&mask, *family, "netmask", "the network", err);
	if (rc == 0)
		rc = net_netmask_to_prefix(&prefix, &mask, err);
	if (rc < 0)
		return rc;
	rc = net_addr_parse(&gw, r->gateway, err);
	if (rc < 0) {
		err_prefix(err, "gateway");
		return rc;
	}
	rc = check_family(&gw, *family, "gateway", "the network", err);
	if (rc < 0)
		return rc;
	net_addr_network(&net, &dst, prefix);
	if (!net_addr_equal(&net, &dst)) {
		net_addr_format(buf, &dst);
		return err_set(err, ERR_EINVAL, "destination %s has host "
		               "bits set for prefix /%d", buf, prefix);
	}
	if (ip != NULL && subnet_prefix >= 0 &&
	    !net_addr_in_subnet(&gw, ip, subnet_prefix)) {
		net_addr_format(buf, &gw);
		net_addr_network(&net, ip, subnet_prefix);
		net_addr_format(subnet, &net);
		return err_set(err, ERR_EINVAL, "gateway %s is outside "
		               "the network's subnet %s/%d", buf, subnet,
		               subnet_prefix);
	}
	net_addr_format(o->destination, &dst);
	net_addr_format(o->netmask, &mask);
	net_addr_format(o->gateway, &gw);
	return 0;
}

static int
take_routes(struct net_network *nw, const struct net_network_in *in,
            int family, const struct net_addr *ip, int subnet_prefix,
            struct err *err)
{
	size_t i;
	int rc;

	if (in->nroutes == 0)
		return 0;
	if (in->nroutes > NET__MAX_LIST)
		return err_set(err, ERR_EINVAL,
		               "too many routes (%zu, at most %d)",
		               in->nroutes, NET__MAX_LIST);
	if (in->routes == NULL)
		return err_set(err, ERR_EINVAL, "routes missing");
	nw->routes = calloc(in->nroutes, sizeof(*nw->routes));
	if (nw->routes == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	nw->nroutes = in->nroutes;
	for (i = 0; i < in->nroutes; i++) {
		rc = take_route(&nw->routes[i], &family, &in->routes[i], ip,
		                subnet_prefix, err);
		if (rc < 0) {
			err_prefix(err, "route %zu", i);
			return rc;
		}
	}
	return 0;
}

static int
take_dns(struct net_network *nw, const struct net_network_in *in,
         struct err *err)
{
	struct net_addr a;
	size_t i;
	int rc;

	if (in->dns == NULL)
		return 0;
	if (in->ndns > NET__MAX_LIST)
		return err_set(err, ERR_EINVAL,
		               "too many dns servers (%zu, at most %d)",
		               in->ndns, NET__MAX_LIST);
	nw->dns = calloc(in->ndns + 1, sizeof(*nw->dns));
	if (nw->dns == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < in->ndns; i++) {
		rc = take_addr(&nw->dns[i], &a, in->dns[i], "dns", err);
		nw->ndns = i + 1;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The address block a network's prefix assigns at ip: not wider than its
 * subnet (subnet_prefix, -1 when unknown), and ip its base address. */
static int
check_block(const struct net_network *nw, const struct net_addr *ip,
            int prefix_len, int subnet_prefix, struct err *err)
{
	struct net_addr base;
	char b[NET_ADDR_STRLEN];

	if (subnet_prefix >= 0 && prefix_len < subnet_prefix)
		return err_set(err, ERR_EINVAL,
		               "prefix %d is shorter than the subnet's "
		               "/%d (netmask): the block assigned at ip "
		               "%s must lie inside its subnet", prefix_len,
		               subnet_prefix, nw->ip);
	net_addr_network(&base, ip, prefix_len);
	if (!net_addr_equal(&base, ip)) {
		net_addr_format(b, &base);
		return err_set(err, ERR_EINVAL,
		               "ip %s is not the base address of its "
		               "prefix %d block (that is %s): prefix is "
		               "the size of the block assigned at ip "
		               "(%d: one address)", nw->ip, prefix_len, b,
		               net_addr_bits(ip->family));
	}
	return 0;
}

/* type, and the texts that are only carried (port group, alias,
 * nic_group): valid UTF-8. */
static int
take_texts(struct net_network *nw, const struct net_network_in *in,
           struct err *err)
{
	int rc;

	rc = parse_type(&nw->type, in->type, err);
	if (rc == 0)
		rc = check_text(in->port_group,
		                "port group (cloud_properties.name)", err);
	if (rc == 0)
		rc = check_text(in->alias, "alias", err);
	if (rc == 0)
		rc = check_text(in->nic_group, "nic_group", err);
	return rc;
}

/* ip (required but for dynamic networks) and netmask. */
static int
take_ip_netmask(struct net_network *nw, struct addrs *a,
                const struct net_network_in *in, struct err *err)
{
	int rc;

	if (in->ip != NULL) {
		rc = take_addr(&nw->ip, &a->ip, in->ip, "ip", err);
		if (rc < 0)
			return rc;
		nw->has_ip = true;
		nw->ip_addr = a->ip;
		a->family = a->ip.family;
	} else if (nw->type != NET_TYPE_DYNAMIC) {
		return err_set(err, ERR_EINVAL, "%s network needs an ip",
		               net_type_name(nw->type));
	}
	if (in->netmask == NULL)
		return 0;
	rc = take_addr(&nw->netmask, &a->mask, in->netmask, "netmask", err);
	if (rc == 0)
		rc = check_family(&a->mask, a->family, "netmask", "ip", err);
	if (rc == 0)
		rc = net_netmask_to_prefix(&nw->subnet_prefix, &a->mask, err);
	if (rc < 0)
		return rc;
	a->has_mask = true;
	if (a->family == 0)
		a->family = a->mask.family;
	return 0;
}

/* prefix; a manual network without a netmask takes its netmask from
 * it. */
static int
take_prefix(struct net_network *nw, struct addrs *a,
            const struct net_network_in *in, struct err *err)
{
	char text[NET_ADDR_STRLEN];
	int rc;

	if (in->prefix != NULL) {
		rc = net_prefix_parse(&a->prefix_len, in->prefix, a->family,
		                      err);
		if (rc == 0)
			rc = net__dup(&nw->prefix, in->prefix, err);
		if (rc < 0)
			return rc;
	}
	if (nw->type != NET_TYPE_MANUAL || a->has_mask)
		return 0;
	if (a->prefix_len < 0)
		return err_set(err, ERR_EINVAL, "manual network needs a "
		               "netmask or a prefix");
	rc = net_prefix_to_netmask(&a->mask, a->family, a->prefix_len, err);
	if (rc < 0)
		return rc;
	net_addr_format(text, &a->mask);
	rc = net__dup(&nw->netmask, text, err);
	if (rc < 0)
		return rc;
	nw->subnet_prefix = a->prefix_len;
	a->has_mask = true;
	return 0;
}

/* gateway: of the family, inside the subnet of ip. */
static int
take_gateway(struct net_network *nw, struct addrs *a,
             const struct net_network_in *in, struct err *err)
{
	struct net_addr net;
	char g[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN];
	int rc;

	if (in->gateway == NULL)
		return 0;
	rc = take_addr(&nw->gateway, &a->gw, in->gateway, "gateway", err);
	if (rc == 0)
		rc = check_family(&a->gw, a->family, "gateway",
		                  nw->has_ip ? "ip" : "netmask", err);
	if (rc < 0)
		return rc;
	if (nw->has_ip && a->has_mask &&
	    !net_addr_in_subnet(&a->gw, &a->ip, nw->subnet_prefix)) {
		net_addr_network(&net, &a->ip, nw->subnet_prefix);
		net_addr_format(g, &a->gw);
		net_addr_format(b, &net);
		return err_set(err, ERR_EINVAL, "gateway %s is outside "
		               "the subnet %s/%d of ip %s", g, b,
		               nw->subnet_prefix, nw->ip);
	}
	return 0;
}

/* What the prefix makes of ip: one address, or the base of a delegated
 * block; and ip never the network address of a wider subnet. */
static int
check_ip_block(struct net_network *nw, const struct addrs *a,
               const struct net_network_in *in, struct err *err)
{
	struct net_addr net;
	bool delegated;
	int rc;

	/* RFC 0038: prefix is the size of the block assigned at ip (32/128:
	 * one address; shorter: a delegated block whose base is ip), not a
	 * second netmask.  A manual network without a netmask takes it for
	 * its subnet (as it always did); a dynamic network's address is
	 * DHCP's: neither is checked here. */
	if (a->prefix_len >= 0 && nw->has_ip &&
	    (nw->type == NET_TYPE_VIP ||
	     (nw->type == NET_TYPE_MANUAL && in->netmask != NULL))) {
		rc = check_block(nw, &a->ip, a->prefix_len,
		                 in->netmask != NULL ? nw->subnet_prefix : -1,
		                 err);
		if (rc < 0)
			return rc;
	}
	/* RFC 0038: a prefix shorter than one address on a manual network
	 * with a netmask is a delegated block (nic_group counts it apart
	 * from the NIC's addresses). */
	nw->delegated = nw->type == NET_TYPE_MANUAL && in->netmask != NULL &&
	                a->prefix_len >= 0 &&
	                a->prefix_len < net_addr_bits(a->family);
	/* With both a netmask and a shorter prefix the ip is the base of a
	 * delegated block (prefix delegation), not a host address. */
	delegated = in->netmask != NULL &&
	            a->prefix_len > nw->subnet_prefix &&
	            a->prefix_len < net_addr_bits(a->family);
	if (nw->has_ip && a->has_mask && !delegated &&
	    nw->subnet_prefix < net_addr_bits(a->family) - 1) {
		net_addr_network(&net, &a->ip, nw->subnet_prefix);
		if (net_addr_equal(&net, &a->ip))
			return err_set(err, ERR_EINVAL,
			               "ip %s is the network address of "
			               "its subnet /%d", nw->ip,
			               nw->subnet_prefix);
	}
	return 0;
}

/* The rules on what the network is for (defaults, port group,
 * default_route), then the texts it carries. */
static int
take_role(struct net_network *nw, const struct addrs *a,
          unsigned int defmask, const struct net_network_in *in,
          struct err *err)
{
	int rc;

	if (nw->type == NET_TYPE_VIP && defmask != 0)
		return err_set(err, ERR_EINVAL,
		               "a vip network cannot be a default");
	if (nw->type != NET_TYPE_VIP &&
	    (in->port_group == NULL || in->port_group[0] == '\0'))
		return err_set(err, ERR_EINVAL,
		               "no port group (cloud_properties.name)");
	nw->family = a->family != 0 ? a->family :
	             nw->gateway != NULL ? a->gw.family : 0;
	nw->default_route = in->default_route;
	if (nw->default_route && nw->type != NET_TYPE_MANUAL)
		return err_set(err, ERR_EINVAL,
		               "default_route is for manual networks, "
		               "not a %s one", net_type_name(nw->type));
	if (nw->default_route && nw->gateway == NULL)
		return err_set(err, ERR_EINVAL,
		               "default_route needs a gateway");
	rc = net__dup(&nw->port_group, in->port_group, err);
	if (rc == 0)
		rc = net__dup(&nw->alias, in->alias, err);
	if (rc == 0)
		rc = net__dup(&nw->nic_group, in->nic_group, err);
	return rc;
}

int
net__validate_one(struct net_network *nw, unsigned int *defmask,
                  const struct net_network_in *in, struct err *err)
{
	struct addrs a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.prefix_len = -1;
	nw->subnet_prefix = -1;
	rc = take_texts(nw, in, err);
	if (rc == 0)
		rc = take_ip_netmask(nw, &a, in, err);
	if (rc == 0)
		rc = take_prefix(nw, &a, in, err);
	if (rc == 0)
		rc = take_gateway(nw, &a, in, err);
	if (rc == 0)
		rc = check_ip_block(nw, &a, in, err);
	if (rc == 0)
		rc = take_dns(nw, in, err);
	if (rc == 0)
		rc = take_routes(nw, in, a.family, nw->has_ip ? &a.ip : NULL,
		                 a.has_mask ? nw->subnet_prefix : -1, err);
	if (rc == 0)
		rc = net__take_defaults(defmask, in, err);
	if (rc == 0)
		rc = take_role(nw, &a, *defmask, in, err);
	return rc;
}

/* network/defaults.c: the "default" words of the networks (which one is
 * the default for dns, gateway, addressable) and the default routes
 * they give (cloud_properties.default_route). */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *word;
	unsigned int bit;
} default_words[] = {
	{ "addressable", NET__DEF_ADDRESSABLE },
	{ "dns", NET__DEF_DNS },
	{ "gateway", NET__DEF_GATEWAY },
};

#define NDEFAULT_WORDS (sizeof(default_words) / sizeof(default_words[0]))

int
net__take_defaults(unsigned int *mask, const struct net_network_in *in,
                   struct err *err)
{
	char q[NET__QUOTE_LEN];
	size_t i, k;

	*mask = 0;
	if (in->ndefaults > 0 && in->defaults == NULL)
		return err_set(err, ERR_EINVAL, "default list missing");
	for (i = 0; i < in->ndefaults; i++) {
		const char *w = in->defaults[i];

		for (k = 0; k < NDEFAULT_WORDS; k++) {
			if (w != NULL && strcmp(w, default_words[k].word) == 0)
				break;
		}
		if (k == NDEFAULT_WORDS) {
			net__quote(q, sizeof(q), w);
			return err_set(err, ERR_EINVAL,
			               "unknown word %s in default (want "
			               "dns, gateway or addressable)", q);
		}
		*mask |= default_words[k].bit;
	}
	return 0;
}

/* Exactly one network for word (at most one when optional). */
static int
check_unique_default(const struct net_networks *nets,
                     const unsigned int *masks, unsigned int bit,
                     const char *word, bool optional, struct err *err)
{
	char q1[NET__QUOTE_LEN], q2[NET__QUOTE_LEN];
	size_t i, first = 0, count = 0;

	for (i = 0; i < nets->n; i++) {
		if ((masks[i] & bit) == 0)
			continue;
		if (count == 1) {
			net__quote(q1, sizeof(q1), nets->v[first].name);
			net__quote(q2, sizeof(q2), nets->v[i].name);
			return err_set(err, ERR_EINVAL,
			               "networks %s and %s are both the "
			               "default for %s; only one may be",
			               q1, q2, word);
		}
		first = i;
		count++;
	}
	if (count == 0 && !optional)
		return err_set(err, ERR_EINVAL,
		               "no network is the default for %s: with "
		               "more than one network, exactly one must "
		               "list \"%s\" in its default", word, word);
	return 0;
}

/* The network's default flags and sorted "default" list from mask. */
static int
set_defaults(struct net_network *nw, unsigned int mask,
             struct err *err)
{
	char q[NET__QUOTE_LEN];
	size_t k;
	int rc;

	nw->is_default_gateway = (mask & NET__DEF_GATEWAY) != 0;
	nw->is_default_dns = (mask & NET__DEF_DNS) != 0;
	if (nw->is_default_gateway && nw->type == NET_TYPE_MANUAL &&
	    nw->gateway == NULL) {
		net__quote(q, sizeof(q), nw->name);
		return err_set(err, ERR_EINVAL, "network %s is the "
		               "default for gateway but has no gateway",
		               q);
	}
	nw->defaults = calloc(NDEFAULT_WORDS + 1, sizeof(*nw->defaults));
	if (nw->defaults == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (k = 0; k < NDEFAULT_WORDS; k++) {
		if ((mask & default_words[k].bit) == 0)
			continue;
		rc = net__dup(&nw->defaults[nw->ndefaults],
		              default_words[k].word, err);
		if (rc < 0)
			return rc;
		nw->ndefaults++;
	}
	return 0;
}

int
net__resolve_defaults(struct net_networks *nets, unsigned int *masks,
                      struct err *err)
{
	size_t i, nonvip = 0, last = 0;
	int rc;

	for (i = 0; i < nets->n; i++) {
		if (nets->v[i].type != NET_TYPE_VIP) {
			nonvip++;
			last = i;
		}
	}
	if (nonvip == 0)
		return err_set(err, ERR_EINVAL,
		               "no manual or dynamic network");
	if (nonvip == 1) {
		struct net_network *nw = &nets->v[last];

		masks[last] |= NET__DEF_DNS;
		if (nw->gateway != NULL || nw->type == NET_TYPE_DYNAMIC)
			masks[last] |= NET__DEF_GATEWAY;
	}
	/* A lone network without a gateway is nobody's default gateway. */
	rc = check_unique_default(nets, masks, NET__DEF_GATEWAY, "gateway",
	                          nonvip == 1, err);
	if (rc == 0)
		rc = check_unique_default(nets, masks, NET__DEF_DNS, "dns", false,
		                          err);
	if (rc == 0)
		rc = check_unique_default(nets, masks, NET__DEF_ADDRESSABLE,
		                          "addressable", true, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < nets->n; i++) {
		rc = set_defaults(&nets->v[i], masks[i], err);
		if (rc < 0)
			return rc;
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
append_default_route(struct net_network *nw, struct err *err)
{
	struct net_route *v, *r;
	struct net_addr zero;

	v = realloc(nw->routes, (nw->nroutes + 1) * sizeof(*v));
	if (v == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
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
                    const struct net_network *gwnet, struct err *err)
{
	const struct net_network *nw = &nets->v[i];
	char q1[NET__QUOTE_LEN], q2[NET__QUOTE_LEN];
	size_t j, k;
	int fam = nw->family;

	net__quote(q1, sizeof(q1), nw->name);
	if (nw == gwnet)
		return err_set(err, ERR_EINVAL,
		               "network %s has default_route but is the "
		               "default gateway network, which has its "
		               "default route already", q1);
	if (gwnet == NULL)
		return err_set(err, ERR_EINVAL,
		               "network %s has default_route but no "
		               "network is the default for gateway", q1);
	net__quote(q2, sizeof(q2), gwnet->name);
	if (gwnet->family == 0)
		return err_set(err, ERR_EINVAL,
		               "network %s has default_route but the "
		               "family of the default gateway network %s "
		               "is unknown (dynamic, no address): cannot "
		               "tell that they differ", q1, q2);
	if (gwnet->family == fam)
		return err_set(err, ERR_EINVAL,
		               "network %s has default_route for IPv%d, "
		               "but the default gateway network %s "
		               "already gives IPv%d its default route",
		               q1, fam, q2, fam);
	for (j = 0; j < i; j++) {
		if (!nets->v[j].default_route || nets->v[j].family != fam)
			continue;
		net__quote(q2, sizeof(q2), nets->v[j].name);
		return err_set(err, ERR_EINVAL,
		               "networks %s and %s both have "
		               "default_route for IPv%d; one default "
		               "route per family", q2, q1, fam);
	}
	for (k = 0; k < nw->nroutes; k++) {
		if (is_default_route(&nw->routes[k]))
			return err_set(err, ERR_EINVAL,
			               "network %s has default_route and "
			               "lists a default route (route "
			               "%zu) already", q1, k);
	}
	return 0;
}

/* One default route per address family: the default-gateway network
 * gives its family one, each network with default_route its own (see
 * net_networks_validate). */
int
net__resolve_default_routes(struct net_networks *nets,
                            struct err *err)
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

/*
 * network/net_internal.h: helpers shared by the files of network/
 * (module-internal; the public face is network/net.h).
 */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "network/net.h"

/* Longest network name accepted. */
#define NET__MAX_NAME 256
/* Most dns servers or routes one network may carry. */
#define NET__MAX_LIST 1024

/* A copy of s (NULL stays NULL) in *out. */
int net__dup(char **out, const char *s, struct err *err);

/* Validates one network without looking at the others (network/network.c);
 * the default list is returned as a bit mask of NET__DEF_*. */
int net__validate_one(struct net_network *nw, unsigned int *defmask,
                      const struct net_network_in *in,
                      struct err *err);

/* The words of a "default" list, in sorted order. */
enum {
	NET__DEF_ADDRESSABLE = 1 << 0,
	NET__DEF_DNS = 1 << 1,
	NET__DEF_GATEWAY = 1 << 2,
};
/* The "default" list of in as a mask of NET__DEF_* (network/defaults.c). */
int net__take_defaults(unsigned int *mask, const struct net_network_in *in,
                       struct err *err);
/* Which network is the default for what, over validated networks. */
int net__resolve_defaults(struct net_networks *nets, unsigned int *masks,
                          struct err *err);
/* default_route: one default route per address family. */
int net__resolve_default_routes(struct net_networks *nets,
                                struct err *err);

/* The nic_group rules of network/nics.c over validated networks. */
int net__check_nic_groups(const struct net_networks *nets,
                          struct err *err);

/* Writes s into out, in double quotes, as a short printable quotation
 * for messages: base/quote.h's bytes (non-printable ones and '\\'
 * become \xNN) but '"' written \x22 and '\'' kept; long text is cut
 * with "..."; NULL reads "(null)". */
void net__quote(char *out, size_t cap, const char *s);
#define NET__QUOTE_LEN 80

#endif

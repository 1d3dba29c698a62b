/*
 * network/net.h: the network/ module, pure and free of I/O.
 *
 *  - IP addresses: parse any textual IPv4/IPv6 form, format IPv6 fully
 *    expanded, netmask <-> prefix length, subnet arithmetic.
 *  - The create_vm networks hash: cpi/ converts the request into
 *    struct net_network_in values, net_networks_validate() checks them
 *    and returns normalized, owned struct net_network values.
 *  - The NICs of a VM (which networks share one) and their MACs.
 * cpi/ writes these typed values as JSON (cpi/agent_net.h): network/
 * holds no JSON.
 *
 * Conventions: functions return 0 or a negative enum err_code and fill
 * the struct err passed last (first failure wins).  Output
 * parameters come first and belong to the caller; every owned type has
 * a _free that accepts NULL.  Array inputs use the pair (pointer, count);
 * a NULL pointer means "key absent", a non-NULL pointer with count 0 an
 * empty array.
 */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

struct net_addr {
	int family;      /* 4 or 6 */
	uint8_t b[16];   /* network byte order; IPv4 uses b[0..3] */
};

/* Enough for "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" and its NUL. */
#define NET_ADDR_STRLEN 40

/*
 * Parses text strictly:
 *  - IPv4: dotted quad, four decimal parts 0..255, no leading zeros
 *    ("01.2.3.4" is rejected: octal ambiguity), nothing else.
 *  - IPv6: RFC 4291 text, groups of 1-4 hex digits in any case, at most
 *    one "::", an optional trailing dotted quad (::ffff:192.0.2.1).
 *    No zone ids (%eth0), no brackets, no prefix (/64).
 *  - no surrounding white space, at most 45 characters.
 * An IPv4-mapped IPv6 address stays family 6.
 */
int net_addr_parse(struct net_addr *out, const char *text,
                   struct err *err);
/* IPv4: dotted quad.  IPv6: fully expanded lower case,
 * "2001:0db8:0000:0000:0000:0000:0000:0010". */
void net_addr_format(char out[NET_ADDR_STRLEN], const struct net_addr *a);
/* IPv6 per RFC 5952 (lower case, longest run of two or more zero groups
 * compressed, first one on a tie; ::ffff:a.b.c.d for IPv4-mapped);
 * IPv4: dotted quad. */
void net_addr_format_compressed(char out[NET_ADDR_STRLEN],
                                const struct net_addr *a);
/* Parse, then format expanded: the normal form of the module. */
int net_addr_normalize(char out[NET_ADDR_STRLEN], const char *text,
                       struct err *err);

bool net_addr_equal(const struct net_addr *a, const struct net_addr *b);
/* 32 or 128. */
int net_addr_bits(int family);

/* Prefix length of a contiguous netmask; non-contiguous is ERR_EINVAL. */
int net_netmask_to_prefix(int *out, const struct net_addr *mask,
                          struct err *err);
/* Netmask of the family with prefix leading one bits. */
int net_prefix_to_netmask(struct net_addr *out, int family, int prefix,
                          struct err *err);
/* Decimal prefix length text, 0..32 for family 4, 0..128 for family 6,
 * 0..128 for family 0 (unknown); no sign, no leading zeros, no space. */
int net_prefix_parse(int *out, const char *text, int family,
                     struct err *err);
/* a with every bit past prefix cleared. */
void net_addr_network(struct net_addr *out, const struct net_addr *a,
                      int prefix);
/* Same family and same first prefix bits. */
bool net_addr_in_subnet(const struct net_addr *a, const struct net_addr *net,
                        int prefix);

/* ------------------------------------------------------------------ */
/* The create_vm networks hash                                         */

enum net_type {
	NET_TYPE_MANUAL = 0,
	NET_TYPE_DYNAMIC,
	NET_TYPE_VIP,
};

/* "manual", "dynamic" or "vip". */
const char *net_type_name(enum net_type t);

struct net_route_in {
	const char *destination;
	const char *netmask;
	const char *gateway;
};

/* One entry of the networks hash, as cpi/ read it.  Every pointer is
 * borrowed for the duration of the call; NULL means absent. */
struct net_network_in {
	const char *name;                  /* the hash key */
	const char *type;                  /* manual|dynamic|vip, NULL=manual */
	const char *ip;
	const char *netmask;
	const char *gateway;
	const char *prefix;                /* decimal string, as sent */
	const char *const *dns;
	size_t ndns;
	const char *const *defaults;       /* the "default" list */
	size_t ndefaults;
	const struct net_route_in *routes;
	size_t nroutes;
	const char *port_group;            /* cloud_properties.name */
	const char *alias;
	const char *nic_group;
	bool default_route;                /* cloud_properties.default_route
	                                    * is true (see
	                                    * net_networks_validate) */
};

struct net_route {
	char destination[NET_ADDR_STRLEN];  /* expanded */
	char netmask[NET_ADDR_STRLEN];
	char gateway[NET_ADDR_STRLEN];
};

/* A validated network.  Address strings are normalized (IPv6 fully
 * expanded lower case, IPv4 dotted quad); NULL / false means absent. */
struct net_network {
	char *name;
	enum net_type type;
	char *ip;
	char *netmask;          /* given, or derived from prefix (manual) */
	char *gateway;
	char *prefix;           /* string, as given (canonical decimal) */
	char **dns;             /* NULL: key absent */
	size_t ndns;
	char **defaults;        /* sorted, unique; never NULL after validate */
	size_t ndefaults;
	struct net_route *routes;
	size_t nroutes;
	char *port_group;       /* NULL only for vip */
	char *alias;
	char *nic_group;
	char *mac;              /* NULL until net_network_set_mac() */
	bool is_default_gateway;
	bool is_default_dns;
	/* cloud_properties.default_route was true: the last entry of
	 * routes is then this family's default route (added by
	 * net_networks_validate, not listed by the operator). */
	bool default_route;
	int family;             /* 4 or 6; 0 when unknown (a dynamic
	                         * network without any address) */
	/* Parsed forms, for callers that need them (conflict checks). */
	bool has_ip;
	struct net_addr ip_addr;
	int subnet_prefix;      /* from netmask; -1 when unknown */
	/* A manual network with a netmask whose prefix is shorter than one
	 * address: a delegated block based at ip (RFC 0038). */
	bool delegated;
};

struct net_networks {
	struct net_network *v;  /* in input order */
	size_t n;
};

/*
 * Validates and normalizes the networks of create_vm.  Rules:
 *  - at least one network; names non-empty and unique;
 *  - type manual (default), dynamic or vip;
 *  - manual: ip, and netmask or (when the netmask is missing) prefix,
 *    from which the netmask is derived; vip: ip; dynamic: neither;
 *  - every address given (ip, netmask, gateway, dns, routes) must
 *    parse; netmask/gateway of the ip's family; contiguous netmask;
 *    gateway inside ip/netmask; ip must not be the subnet's network
 *    address unless the subnet prefix is 31/32 (IPv4) or 127/128
 *    (IPv6), or a netmask comes with a prefix between the netmask's and
 *    32/128 (the Director's prefix delegation: ip is then the base of a
 *    block);
 *  - prefix: decimal 0..32 or 0..128 after the ip's family;
 *  - default: words "dns", "gateway", "addressable"; a vip network may
 *    not list any.  With a single non-vip network, it becomes the
 *    default for dns, and for gateway when it has a gateway (or is
 *    dynamic).  Otherwise exactly one network must be the default for
 *    gateway and exactly one for dns; at most one for addressable.  A
 *    manual network that is the default for gateway needs a gateway;
 *  - non-vip networks need a non-empty port group;
 *  - every string is valid UTF-8;
 *  - routes: destination/netmask/gateway of the network's family,
 *    contiguous netmask, no host bits in destination, gateway inside the
 *    network's subnet (when it has ip and netmask).
 *  - default_route (one default route per address family, without
 *    router advertisements): only on a manual network with a gateway
 *    that is not the default-gateway network, whose family is not the
 *    default-gateway network's (which must be known: a dynamic default
 *    gateway without any address is refused), at most one network per
 *    family, and not on a network whose routes already hold a prefix-0
 *    route.  Such a network gets one route appended after the
 *    operator's (kept in order): destination and netmask all zero of its
 *    family ("0.0.0.0", or "0000:...:0000" fully expanded), gateway =
 *    the network's gateway.  Without default_route nothing changes.
 *  - nic_group: the rules listed at struct net_nic.
 * Messages name the network and the offending value.
 */
int net_networks_validate(struct net_networks **out,
                          const struct net_network_in *in, size_t n,
                          struct err *err);
void net_networks_free(struct net_networks *nets);

/*
 * The NICs of a VM (BOSH RFC 0038).  Networks with the same nic_group
 * share one NIC on their (common) port group; every other non-vip
 * network has a NIC of its own; vip networks have none.  Without any
 * nic_group the NICs follow the input order, one per network, as they
 * always did.  With one, the NIC holding the default-gateway network
 * comes first, then the others by name (the group's, or the lone
 * network's).  net_networks_validate() has already refused what cannot
 * share a NIC:
 *  - a nic_group that is empty, or that holds a vip network;
 *  - members naming different port groups;
 *  - two addresses of one family in a group (a dynamic network without
 *    a known family counts as IPv4); delegated prefixes (a manual
 *    network whose prefix is shorter than 32/128) come on top;
 *  - a group made only of delegated prefixes (a prefix is secondary).
 */
struct net_nic {
	const char *port_group;  /* borrowed from the networks */
	size_t *members;         /* indexes into nets->v, input order */
	size_t nmembers;
};

struct net_nics {
	struct net_nic *v;
	size_t n;
	bool grouped;            /* some network has a nic_group */
};

int net_networks_nics(struct net_nics **out, const struct net_networks *nets,
                      struct err *err);
void net_nics_free(struct net_nics *nics);
/* Sets the MAC of every network on the NIC (net_network_set_mac). */
int net_nic_set_mac(struct net_networks *nets, const struct net_nic *nic,
                    const char *mac, struct err *err);

/* The network named name, or NULL. */
struct net_network *net_networks_find(const struct net_networks *nets,
                                      const char *name);
/* Sets the MAC address vCenter generated for the network's NIC:
 * six hex octets separated by ':', stored lower case (the agent compares
 * it with /sys/class/net/<if>/address as a string). */
int net_network_set_mac(struct net_network *nw, const char *mac,
                        struct err *err);

#endif

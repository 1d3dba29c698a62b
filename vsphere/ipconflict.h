/*
 * vsphere/ipconflict.h: is an address create_vm wants already held by
 * another VM on the same port group? (xml-free; cpi/ uses it)
 *
 * As the Ruby CPI's ensure_no_ip_conflicts: a VM holds an address when
 * its guest (VMware Tools) reports it in guest.net on a NIC of that port
 * group, and the VM is on the port group.  One indexed
 * SearchIndex.FindAllByIp per address (in the datacenter), then, only
 * when some VM answered, ONE RetrievePropertiesEx of those VMs' name,
 * guest.net and network.  VMs without Tools report nothing and are not
 * seen, as with the Ruby CPI.
 *
 * (Reading the port groups' Network.vm instead would cost one read
 * whatever the number of addresses, but returns every VM of a port
 * group, thousands on a large one, and the simulator does not list
 * cloned VMs there.)
 */
#ifndef VS_IPCONFLICT_H
#define VS_IPCONFLICT_H

#include <stddef.h>

#include "vsphere/placement.h"
#include "base/err.h"

struct vs_client;

/* One address asked for on one port group (borrowed). */
struct vs_ip_want {
	const struct vs_port_group *pg;     /* as placement found it */
	const char *ip;                     /* IPv4 or IPv6 text */
};

/* The first conflict found. */
struct vs_ip_conflict {
	size_t want;                /* index into the wants */
	char vm_name[256];          /* the VM holding the address */
	struct vs_moref vm;
};

/* *found_out false and 0 when no VM holds any of the n addresses;
 * true with *out filled for the first one held.  dc: the datacenter
 * (NULL: all).  guest.net addresses compare as addresses (IPv6 in any
 * textual form). */
int vs_ip_conflict_find(bool *found_out, struct vs_ip_conflict *out,
                        struct vs_client *c, const struct vs_moref *dc,
                        const struct vs_ip_want *want, size_t n,
                        struct err *err);

#endif

/* network/nics.c: which networks share a NIC.  Networks with the same
 * nic_group (BOSH RFC 0038, Director v282.1.0+) are configured on one
 * NIC; every other non-vip network gets a NIC of its own. */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdlib.h>
#include <string.h>

/* The family whose one address the network takes on its NIC: its own,
 * and IPv4 for a dynamic network whose family is not known (DHCP). */
static int
address_family(const struct net_network *nw)
{
	return nw->family != 0 ? nw->family : 4;
}

/* Checks the members of the group holding nets->v[first] (the first
 * network of that group in input order). */
static int
check_group(const struct net_networks *nets, size_t first,
            struct err *err)
{
	const char *group = nets->v[first].nic_group;
	const struct net_network *by_family[7] = { NULL };
	char qg[NET__QUOTE_LEN], q1[NET__QUOTE_LEN], q2[NET__QUOTE_LEN];
	char p1[NET__QUOTE_LEN], p2[NET__QUOTE_LEN];
	size_t i, plain = 0;

	net__quote(qg, sizeof(qg), group);
	for (i = first; i < nets->n; i++) {
		const struct net_network *nw = &nets->v[i];
		const struct net_network *other;
		int fam;

		if (nw->nic_group == NULL || strcmp(nw->nic_group, group) != 0)
			continue;
		net__quote(q1, sizeof(q1), nw->name);
		if (nw->type == NET_TYPE_VIP)
			return err_set(err, ERR_EINVAL,
			               "nic_group %s: network %s is a vip "
			               "network, which has no NIC on "
			               "vSphere", qg, q1);
		if (strcmp(nw->port_group, nets->v[first].port_group) != 0) {
			net__quote(q2, sizeof(q2), nets->v[first].name);
			net__quote(p1, sizeof(p1), nets->v[first].port_group);
			net__quote(p2, sizeof(p2), nw->port_group);
			return err_set(err, ERR_EINVAL,
			               "nic_group %s: networks %s and %s "
			               "name different port groups (%s, "
			               "%s); the networks of one NIC share "
			               "its port group", qg, q2, q1, p1,
			               p2);
		}
		if (nw->delegated)
			continue;
		fam = address_family(nw);
		other = by_family[fam];
		if (other != NULL) {
			net__quote(q2, sizeof(q2), other->name);
			return err_set(err, ERR_EINVAL,
			               "nic_group %s: networks %s and %s "
			               "both give the NIC an IPv%d "
			               "address; a NIC takes one address "
			               "per family (plus delegated "
			               "prefixes)", qg, q2, q1, fam);
		}
		by_family[fam] = nw;
		plain++;
	}
	if (plain == 0)
		return err_set(err, ERR_EINVAL,
		               "nic_group %s holds only delegated "
		               "prefixes; a prefix network is always "
		               "secondary: put the network of the NIC's "
		               "address in the group too", qg);
	return 0;
}

int
net__check_nic_groups(const struct net_networks *nets,
                      struct err *err)
{
	size_t i, j;
	int rc;

	for (i = 0; i < nets->n; i++) {
		const char *g = nets->v[i].nic_group;

		if (g == NULL)
			continue;
		if (g[0] == '\0') {
			char q[NET__QUOTE_LEN];

			net__quote(q, sizeof(q), nets->v[i].name);
			return err_set(err, ERR_EINVAL,
			               "network %s: nic_group is empty",
			               q);
		}
		for (j = 0; j < i; j++) {
			if (nets->v[j].nic_group != NULL &&
			    strcmp(nets->v[j].nic_group, g) == 0)
				break;
		}
		if (j < i)
			continue;       /* checked with its first member */
		rc = check_group(nets, i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
net_nics_free(struct net_nics *nics)
{
	size_t i;

	if (nics == NULL)
		return;
	for (i = 0; i < nics->n; i++)
		free(nics->v[i].members);
	free(nics->v);
	free(nics);
}

/* The name a NIC sorts by: its group, or its one network's name. */
static const char *
sort_key(const struct net_networks *nets, const struct net_nic *nic)
{
	const struct net_network *nw = &nets->v[nic->members[0]];

	return nw->nic_group != NULL ? nw->nic_group : nw->name;
}

static bool
holds_gateway(const struct net_networks *nets, const struct net_nic *nic)
{
	size_t k;

	for (k = 0; k < nic->nmembers; k++) {
		if (nets->v[nic->members[k]].is_default_gateway)
			return true;
	}
	return false;
}

/* Stable insertion sort: the default-gateway NIC first, then by name. */
static void
order_nics(struct net_nics *nics, const struct net_networks *nets)
{
	size_t i, j;

	for (i = 1; i < nics->n; i++) {
		struct net_nic cur = nics->v[i];
		bool gw = holds_gateway(nets, &cur);

		for (j = i; j > 0; j--) {
			const struct net_nic *prev = &nics->v[j - 1];

			if (holds_gateway(nets, prev))
				break;
			if (!gw && strcmp(sort_key(nets, prev),
			                  sort_key(nets, &cur)) <= 0)
				break;
			nics->v[j] = nics->v[j - 1];
		}
		nics->v[j] = cur;
	}
}

int
net_networks_nics(struct net_nics **out, const struct net_networks *nets,
                  struct err *err)
{
	struct net_nics *nics = NULL;
	size_t i, j;
	int rc = 0;

	*out = NULL;
	if (nets == NULL)
		return err_set(err, ERR_EINVAL, "networks missing");
	nics = calloc(1, sizeof(*nics));
	if (nics == NULL || (nics->v = calloc(nets->n + 1,
	                                       sizeof(*nics->v))) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < nets->n; i++) {
		const struct net_network *nw = &nets->v[i];
		struct net_nic *nic = NULL;

		if (nw->type == NET_TYPE_VIP)
			continue;
		if (nw->nic_group != NULL) {
			nics->grouped = true;
			for (j = 0; j < nics->n; j++) {
				const char *g =
				    nets->v[nics->v[j].members[0]].nic_group;

				if (g != NULL && strcmp(g, nw->nic_group) == 0)
					nic = &nics->v[j];
			}
		}
		if (nic == NULL) {
			nic = &nics->v[nics->n++];
			nic->port_group = nw->port_group;
			nic->members = calloc(nets->n, sizeof(*nic->members));
			if (nic->members == NULL) {
				rc = err_set(err, ERR_ENOMEM,
				             "out of memory");
				goto cleanup;
			}
		}
		nic->members[nic->nmembers++] = i;
	}
	/* Without nic_group: one NIC per network in input order, as
	 * before groups existed. */
	if (nics->grouped)
		order_nics(nics, nets);
	*out = nics;
	nics = NULL;
cleanup:
	net_nics_free(nics);
	return rc;
}

int
net_nic_set_mac(struct net_networks *nets, const struct net_nic *nic,
                const char *mac, struct err *err)
{
	size_t k;
	int rc;

	for (k = 0; k < nic->nmembers; k++) {
		rc = net_network_set_mac(&nets->v[nic->members[k]], mac, err);
		if (rc < 0)
			return rc;
	}
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
                    struct err *err)
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
		return err_set(err, ERR_ENOMEM, "out of memory");
	free(nw->mac);
	nw->mac = copy;
	return 0;
invalid:
	net__quote(q, sizeof(q), mac);
	return err_set(err, ERR_EINVAL, "invalid MAC address %s", q);
}

/* network/networks.c: the create_vm networks hash, validated and
 * normalized (one network: network/network.c; the defaults between them:
 * network/defaults.c; NICs: network/nics.c). */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

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

int
net__dup(char **out, const char *s, struct err *err)
{
	char *p;

	*out = NULL;
	if (s == NULL)
		return 0;
	p = strdup(s);
	if (p == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
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
check_name(const struct net_network_in *in, size_t idx, size_t n,
           struct err *err)
{
	char q[NET__QUOTE_LEN];
	size_t j;

	if (in[idx].name == NULL || in[idx].name[0] == '\0')
		return err_set(err, ERR_EINVAL,
		               "network %zu has no name", idx);
	if (strnlen(in[idx].name, NET__MAX_NAME + 1) > NET__MAX_NAME ||
	    !utf8_valid(in[idx].name, strlen(in[idx].name))) {
		net__quote(q, sizeof(q), in[idx].name);
		return err_set(err, ERR_EINVAL,
		               "network name %s is too long or not "
		               "valid UTF-8", q);
	}
	for (j = 0; j < idx && j < n; j++) {
		if (in[j].name != NULL &&
		    strcmp(in[j].name, in[idx].name) == 0) {
			net__quote(q, sizeof(q), in[idx].name);
			return err_set(err, ERR_EINVAL,
			               "network %s is given twice", q);
		}
	}
	return 0;
}

/* Works on a local error object so that context is only ever prepended
 * to this call's own message; the caller's err is set once at the end. */
static int
validate_all(struct net_networks **out, const struct net_network_in *in,
             size_t n, struct err *err)
{
	struct net_networks *nets = NULL;
	unsigned int *masks = NULL;
	char q[NET__QUOTE_LEN];
	size_t i;
	int rc;

	*out = NULL;
	if (n == 0 || in == NULL)
		return err_set(err, ERR_EINVAL, "no networks given");
	nets = calloc(1, sizeof(*nets));
	masks = calloc(n, sizeof(*masks));
	if (nets == NULL || masks == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	nets->v = calloc(n, sizeof(*nets->v));
	if (nets->v == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		struct net_network *nw = &nets->v[i];

		nets->n = i + 1;
		rc = check_name(in, i, n, err);
		if (rc < 0)
			goto cleanup;
		rc = net__dup(&nw->name, in[i].name, err);
		if (rc < 0)
			goto cleanup;
		rc = net__validate_one(nw, &masks[i], &in[i], err);
		if (rc < 0) {
			net__quote(q, sizeof(q), in[i].name);
			err_prefix(err, "network %s", q);
			goto cleanup;
		}
	}
	rc = net__resolve_defaults(nets, masks, err);
	if (rc == 0)
		rc = net__resolve_default_routes(nets, err);
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
                      struct err *err)
{
	struct err local = { 0 };
	int rc;

	*out = NULL;
	rc = validate_all(out, in, n, &local);
	if (rc < 0)
		return err_set(err, rc, "%s", local.message);
	return 0;
}

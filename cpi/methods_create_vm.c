/*
 * cpi/methods_create_vm.c: create_vm.
 *
 *   create_vm(agent_id, stemcell_cid, cloud_properties, networks,
 *             disk_cids, env)  ->  v2: [vm_cid, networks]   v1: vm_cid
 *
 * Order of work (nothing is created until the input is known good):
 *   1. cloud_properties (cpi/vm_props.h: cpu, ram, disk: positive
 *      integers; optional datacenters[].clusters, datastores and
 *      vmx_options) and the networks (cpi/agent_net.h, checked by
 *      network/) are checked without any vCenter call;
 *   2. one session: placement (vsphere/placement.h: one inventory read
 *      resolving the cluster, datastore, every port group and the VM
 *      folder; with a host_group the clusters' host groups too: for
 *      MUST the group's memory and the clone's host), the stemcell
 *      replica on the datastore, the VM folder when missing;
 *   3. the clone with its NICs, read back for the MACs and disk units
 *      (vsphere/create.h);
 *   4. the agent settings (cpi/agent_net.h) go to the VM both ways
 *      stemcells read them: env.iso on the CD-ROM and guestinfo.userdata
 *      (one reconfigure, which also sets the vmx_options of the config
 *      and of cloud_properties as extraConfig), the hardware upgrade
 *      (UpgradeVM_Task, as the Ruby CPI does for every VM, unless the
 *      stemcell is at the version asked for already: its clone is too),
 *      with a host_group the VM group and VM-host rule (vsphere/drs.h),
 *      with `tags` the vSphere tags (cpi/tags.h: warnings only, as the
 *      Ruby CPI), then power on, then the DRS rule and vm_group.
 *
 * Errors.  Bad input (cloud_properties, networks, an unknown or
 * ambiguous datacenter, cluster, resource pool or port group, no cluster
 * or datastore with room, an unknown stemcell) answers CloudError with
 * ok_to_retry false: a retry cannot help.  Any other vCenter trouble
 * before the clone answers VMCreationFailed with ok_to_retry telling
 * whether the cause was transient (connection, timeout, 503).  Once the
 * clone exists, every failure first removes it (power off, destroy,
 * delete "[ds] <vm_cid>") and answers VMCreationFailed, ok_to_retry
 * again from the cause (a clone the read-back refuses, e.g. a NIC
 * missing, is not transient).  Opening the session keeps cpi/vcenter.h's
 * CloudError; a failed logout after a success is only logged.
 *
 * Crash safety.  Before the clone the call writes its entry into the
 * leftover journal (cpi/create_journal.h) and removes it once the VM is
 * whole, before answering; failing either fails the call (the VM is
 * removed).  Then the journal is read for entries older than
 * leftover_vm_grace_seconds, left by killed calls: their VMs are looked
 * up by path and removed (cpi_sweep_leftovers(), which only logs its
 * trouble; no round trip when no entry is old).
 *
 * Round trips with the VM folder in place, the stemcell on the chosen
 * datastore and at the hardware version asked for: 14 including login
 * and logout (RetrieveServiceContent, Login, the stemcell's
 * FindByInventoryPath, the placement read, which also reads the
 * stemcell's properties, the VM folder's FindByInventoryPath,
 * CloneVM_Task + 1, the read-back, the env.iso PUT,
 * ReconfigVM_Task + 1, PowerOnVM_Task + 1, Logout), 2 more for an
 * UpgradeVM_Task, plus the IP conflict check: one FindAllByIp per static
 * address and one read when a VM answered; one CreateFolder more per
 * missing folder component; 4 PBM calls with a storage policy
 * (cpi/vm_place.h).  The count is logged before the logout.
 *
 * The settings hold the env and the mbus/blobstore credentials: they are
 * never logged, and wiped from memory before they are freed.
 */
#include "cpi/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/uuid.h"
#include "base/wipe.h"
#include "cpi/agent_net.h"
#include "cpi/create_journal.h"
#include "cpi/image.h"
#include "cpi/vm_place.h"
#include "cpi/vm_props.h"
#include "cpi/vcenter.h"
#include "cpi/vm_cid.h"
#include "network/net.h"
#include "vsphere/create.h"
#include "vsphere/drs.h"
#include "vsphere/ipconflict.h"
#include "vsphere/pbm.h"
#include "vsphere/placement.h"
#include "vsphere/stemcell.h"
#include "vsphere/vm.h"

/* A JSON string without embedded NUL, or NULL for other values. */
const char *
cpi_json_text(const json_t *v)
{
	const char *s;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

/* --- helpers ---------------------------------------------------------- */

/* A group or deployment name usable in a VM name (and so in a cid and
 * an inventory path): [A-Za-z0-9._-], not empty. */
static bool
name_part_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (!cpi_vm_cid_char(s[i]))
			return false;
	}
	return true;
}

/* enable_human_readable_name: "<instance group>_<deployment>_<12 hex>"
 * from env.bosh.groups (index 2, then 1) and the end of the uuid cid
 * already made, trimmed to vCenter's 80 characters as the Ruby CPI
 * trims it (the deployment keeps up to 25).  Without both names, or
 * with a character a cid cannot hold (Ruby: any that URI encoding
 * changes; here anything but A-Z a-z 0-9 . _ -), the uuid cid stays. */
static void
human_readable_name(char *cid, size_t size, const json_t *env)
{
	const json_t *groups = json_object_get(json_object_get(env, "bosh"),
	                                       "groups");
	const char *ig = json_string_value(json_array_get(groups, 2));
	const char *dep = json_string_value(json_array_get(groups, 1));
	const size_t max_prefix = 79 - 12 - 2;
	size_t ig_len, dep_len, n = strlen(cid);
	char suffix[13];

	if (!name_part_ok(ig) || !name_part_ok(dep) || n < 12)
		return;
	memcpy(suffix, cid + n - 12, 12);
	suffix[12] = '\0';
	ig_len = strlen(ig);
	dep_len = strlen(dep);
	if (ig_len + dep_len > max_prefix) {
		if (dep_len <= 25) {
			ig_len = max_prefix - dep_len;
		} else {
			ig_len = ig_len < max_prefix - 25 ? ig_len :
			         max_prefix - 25;
			dep_len = max_prefix - ig_len;
		}
	}
	snprintf(cid, size, "%.*s_%.*s_%s", (int)ig_len, ig, (int)dep_len,
	         dep, suffix);
}

/* Before the clone: bad input is a CloudError, vCenter trouble a
 * VMCreationFailed (retry when transient). */
static int
fail_before(struct cpi_call *call, struct err *verr, const char *what)
{
	bool input = verr->code == ERR_ENOTFOUND || verr->code == ERR_EINVAL;

	err_prefix(verr, "create_vm: %s", what);
	return cpi_err_from_vs(call->err, input ? CPI_ERROR_CLOUD :
	                       CPI_ERROR_VM_CREATION_FAILED, verr);
}

/* --- the pieces of the agent settings ------------------------------- */

struct settings_in {
	const char *agent_id;
	const char *vm_cid;
	const json_t *networks;         /* the request's */
	const json_t *env;
	const char *ephemeral_uuid;     /* NULL: the unit number */
};

/* Every network of a NIC (one, or a nic_group's) gets its MAC. */
static int
set_macs(struct net_networks *nets, const struct net_nics *nics,
         const struct vs_created *vm, struct err *err)
{
	struct err nerr = {0};
	size_t i;

	if (vm->nmacs < nics->n)
		return cpi_err_set(err, CPI_ERROR_VM_CREATION_FAILED, false,
		                   "create_vm: %zu NICs for %zu NICs asked "
		                   "for", vm->nmacs, nics->n);
	for (i = 0; i < nics->n; i++) {
		if (net_nic_set_mac(nets, &nics->v[i], vm->macs[i], &nerr) < 0)
			return cpi_err_set(err, CPI_ERROR_VM_CREATION_FAILED,
			                   false, "create_vm: network '%s': %s",
			                   nets->v[nics->v[i].members[0]].name,
			                   nerr.message);
	}
	return 0;
}

/* The agent settings as JSON text (cpi/agent_net.h), with the disks'
 * unit numbers (the ephemeral disk's uuid once known). */
static int
build_settings(char **out, struct net_networks *nets,
               const struct net_nics *nics, const struct vs_created *vm,
               const struct settings_in *si, const struct cpi_call *call,
               struct err *err)
{
	struct cpi_agent_settings s = {0};
	json_t *sys = NULL, *eph = NULL, *doc = NULL;
	char unit[32];
	int rc;

	*out = NULL;
	rc = set_macs(nets, nics, vm, err);
	if (rc < 0)
		return rc;
	snprintf(unit, sizeof(unit), "%d", vm->system_unit);
	sys = json_string(unit);
	snprintf(unit, sizeof(unit), "%d", vm->ephemeral_unit);
	eph = si->ephemeral_uuid != NULL ?
	      json_pack("{s:s#}", "id", si->ephemeral_uuid,
	                (int)strnlen(si->ephemeral_uuid, 64)) :
	      json_string(unit);
	s.agent_id = si->agent_id;
	s.vm_name = si->vm_cid;
	s.vm_id = vm->vm.value;
	s.networks = nets;
	s.request_networks = si->networks;
	s.disk_system = sys;
	s.disk_ephemeral = eph;
	s.env = json_is_object(si->env) ? si->env : NULL;
	s.agent = &call->config->agent;
	if (sys == NULL || eph == NULL)
		rc = cpi_err_set(err, CPI_ERROR_CPI, false, "out of memory");
	else
		rc = cpi_agent_settings_json(&doc, &s, err);
	if (rc < 0)
		err_prefix(err, "create_vm");
	if (rc == 0) {
		*out = json_dumps(doc, JSON_COMPACT);
		if (*out == NULL)
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "out of memory");
	}
	cpi_agent_settings_free(doc);
	json_decref(sys);
	json_decref(eph);
	return rc;
}

static int
make_result(json_t **result, const struct net_networks *nets,
            const struct net_nics *nics, const char *vm_cid,
            const struct cpi_call *call)
{
	json_t *jn = NULL;

	if (call->api_version < 2) {
		*result = json_string(vm_cid);
		goto done;
	}
	/* With nic_group every network carries its NIC's MAC, so the
	 * Director sees which networks share a NIC; without, the result is
	 * the networks as given. */
	if (cpi_networks_json(&jn, nets, json_array_get(call->args, 3),
	                      nics->grouped, call->err) < 0) {
		err_prefix(call->err, "create_vm: networks result");
		call->err->type = CPI_ERROR_CPI;
		return ERR_FAIL;
	}
	*result = json_pack("[so]", vm_cid, jn);

done:
	if (*result == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

/* --- the method ------------------------------------------------------- */

struct job {
	struct vm_props props;
	struct net_networks *nets;
	struct net_nics *nics;
	const char **pgs;
	const char **owners;
	size_t npgs;
	char vm_cid[96];           /* "vm-<uuid>" or a name up to 79 */
	char *folder_rel;
	char *template_rel;         /* stemcells, relative to <dc>/vm */
	struct vs_client *c;
	struct vs_placement *pl;
	struct vs_pbm_policy *policy;   /* props.policy's (vsphere/pbm.h) */
	struct vs_created *vm;
	struct vm_host_group hg;    /* the chosen cluster entry's */
	char src_hw[VS_STEMCELL_HW_MAX]; /* the stemcell's hardware */
	char *journal_dir;          /* the leftover journal */
	bool journaled;             /* our entry is in it */
	char *settings;
	unsigned char *iso;
	size_t iso_len;
};

static int
prepare(struct job *j, struct cpi_call *call)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;
	const json_t *networks = json_array_get(call->args, 3);
	struct err nerr = {0};
	size_t i;
	int rc;

	rc = cpi_vm_props_parse(&j->props, cpi_arg_object(call, 2),
	                        &call->config->vcenter, call->err);
	if (rc == 0)
		rc = cpi_networks_parse(&j->nets, networks, call->err);
	if (rc < 0)
		return rc;
	if (!vs_stemcell_cid_valid(cpi_arg_string(call, 1)))
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_vm: stemcell_cid is not a "
		                   "stemcell id of this CPI");
	if (cpi_arg_string(call, 0)[0] == '\0')
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_vm: agent_id is empty");
	if (j->props.ndatastores == 0 && j->props.npods == 0 &&
	    j->props.policy == NULL &&
	    (dc->datastore_pattern == NULL ||
	     dc->datastore_pattern[0] == '\0') &&
	    (dc->datastore_cluster_pattern == NULL ||
	     dc->datastore_cluster_pattern[0] == '\0'))
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_vm: no datastore_pattern is "
		                   "configured and cloud_properties names "
		                   "no datastores");
	if (net_networks_nics(&j->nics, j->nets, &nerr) < 0)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "create_vm: NICs: %s", nerr.message);
	j->pgs = calloc(j->nics->n + 1, sizeof(*j->pgs));
	j->owners = calloc(j->nics->n + 1, sizeof(*j->owners));
	if (j->pgs == NULL || j->owners == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	/* One NIC per nic_group or lone network; vip networks have none. */
	for (i = 0; i < j->nics->n; i++) {
		j->pgs[j->npgs] = j->nics->v[i].port_group;
		j->owners[j->npgs++] =
		    j->nets->v[j->nics->v[i].members[0]].name;
	}
	if (j->npgs == 0)
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_vm: no network needs a NIC");
	rc = cpi_folder_rel(&j->folder_rel, call, dc->vm_folder);
	if (rc == 0)
		rc = cpi_folder_rel(&j->template_rel, call,
		                    dc->template_folder);
	if (rc == 0 && uuid_id(j->vm_cid, sizeof(j->vm_cid), "vm") != 0)
		rc = cpi_err_set(call->err, CPI_ERROR_CPI, true, "create_vm: "
		                 "no random bytes for the VM id");
	if (rc == 0 && call->config->vcenter.enable_human_readable_name)
		human_readable_name(j->vm_cid, sizeof(j->vm_cid),
		                    cpi_arg_object(call, 5));
	return rc;
}

/* ensure_no_ip_conflicts (on by default, as in the Ruby CPI): refuses,
 * before anything is made, an address another VM on the same port group
 * reports through its guest tools.  One round trip per address, one more
 * when some VM answers; none for dynamic networks. */
static int
check_ip_conflicts(struct job *j, struct cpi_call *call)
{
	struct vs_ip_want *want = NULL;
	struct vs_ip_conflict hit;
	struct err verr = {0};
	bool found = false;
	size_t i, k = 0, n = 0;
	int rc = 0;

	want = calloc(j->nets->n + 1, sizeof(*want));
	if (want == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	for (i = 0; i < j->nets->n; i++) {
		const struct net_network *nw = &j->nets->v[i];

		if (nw->port_group == NULL)
			continue;       /* vip: no NIC */
		if (k >= j->pl->npgs)
			break;
		if (nw->ip != NULL && nw->ip[0] != '\0') {
			want[n].pg = &j->pl->pgs[k];
			want[n].ip = nw->ip;
			n++;
		}
		k++;
	}
	if (n == 0)
		goto cleanup;
	rc = vs_ip_conflict_find(&found, &hit, j->c, &j->pl->datacenter,
	                         want, n, &verr);
	if (rc < 0) {
		rc = fail_before(call, &verr, "IP conflict check");
		goto cleanup;
	}
	if (found)
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "create_vm: IP conflict: %s is in use by VM "
		                 "'%s' on port group '%s' (ensure_no_ip_"
		                 "conflicts)", want[hit.want].ip, hit.vm_name,
		                 want[hit.want].pg->name);
cleanup:
	free(want);
	return rc;
}

/* The placement request of j (cls: the VM type's clusters, else the
 * config's, with their host groups); the stemcell (source_path) is read
 * in the placement read. */
static void
placement_req(struct vs_placement_req *pr, const struct job *j,
              const struct cpi_call *call,
              const struct vs_placement_cluster *cls, char *source_path)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;

	pr->datacenter = dc->name;
	pr->clusters = cls;
	pr->nclusters = j->props.nclusters > 0 ? j->props.nclusters :
	                dc->nclusters;
	pr->datastore_pattern = dc->datastore_pattern;
	pr->datastores = j->props.datastores;
	pr->ndatastores = j->props.ndatastores;
	pr->pods = j->props.pods;
	pr->npods = j->props.npods;
	pr->pod_pattern = dc->datastore_cluster_pattern;
	pr->memory_mb = j->props.ram;
	pr->disk_mb = j->props.disk;
	pr->port_groups = j->pgs;
	pr->pg_owners = j->owners;
	pr->nport_groups = j->npgs;
	pr->vm_folder = j->folder_rel;
	pr->source_path = source_path;
	pr->source_props = vs_stemcell_props;
	pr->rand = cpi_vm_place_rand(call);
}

/* vs_placement_find() for j into j->pl. */
static int
find_placement(struct job *j, struct cpi_call *call)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;
	struct vs_placement_cluster *cls = NULL;
	struct vs_placement_req pr = {0};
	struct err verr = {0};
	char source[1024], **pats = NULL;
	size_t i, npats = 0;
	int rc, n;

	if (cpi_vm_place_disk_patterns(&pats, &npats, call) < 0)
		return -1;
	cls = calloc(dc->nclusters + j->props.nclusters + 1, sizeof(*cls));
	if (cls == NULL) {
		cpi_vm_place_patterns_free(pats, npats);
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	}
	/* the VM type's clusters with their host groups, else the
	 * config's */
	for (i = 0; i < j->props.nclusters; i++) {
		cls[i] = j->props.clusters[i];
		cls[i].host_group = j->props.host_groups[i].name;
		cls[i].host_group_must = j->props.host_groups[i].must;
	}
	for (i = 0; j->props.nclusters == 0 && i < dc->nclusters; i++) {
		cls[i].name = dc->clusters[i].name;
		cls[i].resource_pool = dc->clusters[i].resource_pool;
		cls[i].host_group = dc->clusters[i].host_group;
		cls[i].host_group_must = cls[i].host_group != NULL &&
		    strcmp(dc->clusters[i].host_group_drs_rule, "MUST") == 0;
	}
	n = snprintf(source, sizeof(source), "vm/%s/%s", j->template_rel,
	             cpi_arg_string(call, 1));
	placement_req(&pr, j, call, cls,
	              n > 0 && (size_t)n < sizeof(source) ? source : NULL);
	pr.disk_patterns = (const char *const *)pats;
	pr.ndisk_patterns = npats;
	pr.policy = j->policy;
	rc = vs_placement_find(&j->pl, j->c, &pr, &verr);
	if (rc == 0) {
		/* the chosen entry's host group; with MUST the clone goes
		 * to the host placement found in it */
		j->hg.name = cls[j->pl->cluster_index].host_group;
		j->hg.must = cls[j->pl->cluster_index].host_group_must;
	}
	cpi_vm_place_patterns_free(pats, npats);
	free(cls);
	if (rc < 0)
		return fail_before(call, &verr, "placement");
	return 0;
}

static int
place(struct job *j, struct cpi_call *call, struct vs_moref *src,
      struct vs_moref *snap, struct vs_moref *folder)
{
	struct vs_stemcell_loc loc = {0};
	struct err verr = {0};
	int rc;

	rc = cpi_vm_place_policy(&j->policy, j->c, j->props.policy, call,
	                         &verr);
	if (rc < 0)
		return fail_before(call, &verr, "storage policy");
	rc = find_placement(j, call);
	if (rc < 0)
		return rc;
	cpi_log_info(call->log, "create_vm: %s goes to cluster %s, "
	             "datastore %s", j->vm_cid, j->pl->cluster,
	             j->pl->datastore);
	if (j->pl->host_group_host.type[0] != '\0')
		cpi_log_info(call->log, "create_vm: %s goes to host %s of "
		             "host group %s", j->vm_cid,
		             j->pl->host_group_host.value, j->hg.name);
	if (call->config->vcenter.ensure_no_ip_conflicts)
		rc = check_ip_conflicts(j, call);
	if (rc < 0)
		return rc;
	loc.datacenter = j->pl->dc_path;
	loc.template_folder = j->template_rel;
	rc = vs_stemcell_replica_of(src, snap, j->src_hw, j->c, &loc,
	                            cpi_arg_string(call, 1), j->pl->source,
	                            &j->pl->datastore_ref, &j->pl->pool,
	                            &verr);
	if (rc < 0)
		return fail_before(call, &verr, "stemcell");
	err_clear(&verr);
	rc = vs_create_folder(folder, j->c, j->pl, j->folder_rel, &verr);
	if (rc < 0)
		return fail_before(call, &verr, "VM folder");
	return 0;
}

/* The agent settings of the clone and the env.iso holding them. */
static int
settings_iso(struct job *j, struct cpi_call *call,
             const struct settings_in *si)
{
	int rc;

	rc = build_settings(&j->settings, j->nets, j->nics, j->vm, si, call,
	                    call->err);
	if (rc == 0)
		rc = cpi_iso_build(&j->iso, &j->iso_len, "env",
		                   (const unsigned char *)j->settings,
		                   strlen(j->settings), NULL, call->err);
	return rc;
}

/* With disk.enableUUID the agent finds the ephemeral disk by its uuid
 * ({"id": "<uuid>"}, as the Ruby CPI's disk env), which exists once the
 * settings reconfigure made the disk: read it, then deliver the settings
 * again before the power on (one read, the ISO upload and one
 * reconfigure more); the power on is the caller's. */
static int
deliver_with_uuid(struct job *j, struct cpi_call *call,
                  struct settings_in *si, const struct vs_create_opts *co,
                  struct err *verr)
{
	char *uuid = NULL;
	int rc;

	rc = vs_create_deliver(j->c, j->vm, j->pl->dc_path, j->settings,
	                       strlen(j->settings), j->iso, j->iso_len, co,
	                       verr);
	if (rc == 0)
		rc = vs_create_ephemeral_uuid(&uuid, j->c, &j->pl->datacenter,
		                              j->vm, verr);
	if (rc < 0)
		goto cleanup;
	si->ephemeral_uuid = uuid;
	wipe_free(j->settings);
	j->settings = NULL;
	if (j->iso != NULL) {
		memset(j->iso, 0, j->iso_len);
		free(j->iso);
		j->iso = NULL;
	}
	rc = settings_iso(j, call, si);
	if (rc == 0)
		rc = vs_create_redeliver(j->c, j->vm, j->pl->dc_path,
		                         j->settings, strlen(j->settings),
		                         j->iso, j->iso_len, verr);
cleanup:
	si->ephemeral_uuid = NULL;
	free(uuid);
	return rc;
}

/* The chosen cluster's drs_rules[0], else with the config's
 * enable_auto_anti_affinity_drs_rules the instance group's rule, named
 * env.bosh.group as the Ruby CPI names it (no group: no rule): the
 * powered-on VM joins the anti-affinity rule, created when missing
 * (vsphere/drs.h); no round trip when there is none. */
static int
join_drs_rule(struct job *j, struct cpi_call *call, struct err *verr)
{
	const char *rule = NULL;
	const json_t *bosh;
	size_t i;
	int rc;

	for (i = 0; i < j->props.nclusters && rule == NULL; i++) {
		if (j->props.drs_rule[i] != NULL &&
		    strcmp(j->props.clusters[i].name, j->pl->cluster) == 0)
			rule = j->props.drs_rule[i];
	}
	if (rule == NULL &&
	    call->config->vcenter.enable_auto_anti_affinity_drs_rules) {
		bosh = json_object_get(cpi_arg_object(call, 5), "bosh");
		rule = cpi_json_text(json_object_get(bosh, "group"));
		if (rule != NULL && (rule[0] == '\0' || strlen(rule) > 80)) {
			cpi_log_warn(call->log, "create_vm %s: env.bosh.group "
			             "is empty or longer than 80 characters: "
			             "no automatic DRS rule", j->vm_cid);
			rule = NULL;
		}
	}
	if (rule == NULL)
		return 0;
	j->vm->in_drs = true;   /* maybe half-way: cleaned up on failure */
	j->vm->drs_pool = j->pl->pool;
	rc = vs_drs_rule_add_vm(j->c, &j->pl->cluster_ref, rule, &j->vm->vm,
	                        verr);
	if (rc == 0)
		cpi_log_info(call->log, "create_vm %s: in DRS rule %s of "
		             "cluster %s", j->vm_cid, rule, j->pl->cluster);
	return rc;
}

/* host_group: before the power on, as in the Ruby CPI, the VM joins the
 * host group's VM group and the VM-host rule is made when missing
 * (vsphere/drs.h); no round trip without it. */
static int
join_host_group(struct job *j, struct cpi_call *call, struct err *verr)
{
	int rc;

	if (j->hg.name == NULL)
		return 0;
	j->vm->in_drs = true;   /* maybe half-way: cleaned up on failure */
	j->vm->drs_pool = j->pl->pool;
	rc = vs_drs_host_group_add_vm(j->c, &j->pl->cluster_ref, j->hg.name,
	                              j->hg.must, &j->vm->vm, verr);
	if (rc == 0)
		cpi_log_info(call->log, "create_vm %s: bound to host group %s "
		             "(%s) of cluster %s", j->vm_cid, j->hg.name,
		             j->hg.must ? "MUST" : "SHOULD", j->pl->cluster);
	return rc;
}

/* vm_group: the powered-on VM joins that VM group of its cluster,
 * created when missing (vsphere/drs.h); no round trip without it. */
static int
join_vm_group(struct job *j, struct cpi_call *call, struct err *verr)
{
	int rc;

	if (j->props.vm_group == NULL)
		return 0;
	j->vm->in_drs = true;
	j->vm->drs_pool = j->pl->pool;
	rc = vs_drs_vm_group_add_vm(j->c, &j->pl->cluster_ref,
	                            j->props.vm_group, &j->vm->vm, verr);
	if (rc == 0)
		cpi_log_info(call->log, "create_vm %s: in VM group %s of "
		             "cluster %s", j->vm_cid, j->props.vm_group,
		             j->pl->cluster);
	return rc;
}

/* The leftover journal's entry for this call (cpi/create_journal.h),
 * written before the clone: a killed call leaves a VM the next create_vm
 * or delete_vm removes.  Failing to write it fails the call before
 * anything is made. */
static int
journal_add(struct job *j, struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct cpi_journal_entry e;
	int rc;

	memset(&e, 0, sizeof(e));
	snprintf(e.cid, sizeof(e.cid), "%s", j->vm_cid);
	e.since = (long long)time(NULL);
	snprintf(e.vcenter, sizeof(e.vcenter), "%s", vc->url);
	snprintf(e.datacenter, sizeof(e.datacenter), "%s",
	         vc->datacenter.name);
	snprintf(e.folder, sizeof(e.folder), "%s",
	         j->folder_rel != NULL ? j->folder_rel : "");
	rc = cpi_journal_dir(&j->journal_dir, vc, call->err);
	if (rc == 0)
		rc = cpi_journal_add(j->journal_dir, &e, call->err);
	if (rc < 0) {
		err_prefix(call->err, "create_vm");
		call->err->type = CPI_ERROR_VM_CREATION_FAILED;
		return rc;
	}
	j->journaled = true;
	return 0;
}

/* The entry goes: the VM is whole (or gone). */
static int
journal_remove(struct job *j, struct cpi_call *call)
{
	int rc;

	if (!j->journaled)
		return 0;
	rc = cpi_journal_remove(j->journal_dir, j->vm_cid, call->err);
	if (rc < 0) {
		err_prefix(call->err, "create_vm %s", j->vm_cid);
		call->err->type = CPI_ERROR_VM_CREATION_FAILED;
		return rc;
	}
	j->journaled = false;
	return 0;
}

/* The clone with its NICs. */
static int
clone_vm(struct job *j, const struct cpi_call *call, struct vs_moref *src,
         struct vs_moref *snap, struct vs_moref *folder,
         struct err *verr)
{
	struct vs_create_req cr = {0};

	cr.name = j->vm_cid;
	cr.source = src;
	/* a linked clone's disk cannot grow: root_disk_size_gb means a full
	 * clone, as in the Ruby CPI */
	cr.snapshot = snap->type[0] != '\0' && j->props.root_disk_gb == 0 ?
	              snap : NULL;
	cr.folder = folder;
	cr.pool = &j->pl->pool;
	cr.host = j->pl->host_group_host.type[0] != '\0' ?
	          &j->pl->host_group_host : NULL;
	cr.datastore = &j->pl->datastore_ref;
	cr.datastore_name = j->pl->datastore;
	cr.num_cpus = (int)j->props.cpu;
	cr.memory_mb = j->props.ram;
	cr.disk_mb = j->props.disk;
	cr.thin = call->config->vcenter.default_disk_type == CPI_DISK_THIN;
	cr.nics = j->pl->pgs;
	cr.nnics = j->pl->npgs;
	return vs_create_clone(&j->vm, j->c, &cr, verr);
}

/* What the settings reconfigure changes besides the settings. */
static void
clone_options(struct vs_create_opts *co, char *hw, size_t hw_size,
              const struct job *j, const struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;

	co->vmx = j->props.extra;
	co->nvmx = j->props.nextra;
	cpi_vm_props_hw_plan(co, hw, hw_size, &j->props, vc);
	co->source_hw = j->src_hw;
	co->scsi_type = cpi_scsi_type_vim(vc->default_scsi_controller_type);
	co->root_disk_kb = j->props.root_disk_gb * 1024 * 1024;
	co->profile_id = j->policy != NULL ? j->policy->profile_id : NULL;
	if (j->props.disable_drs == 2)
		co->drs_off_cluster = &j->pl->cluster_ref;
	cpi_vm_props_options(co, &j->props, vc, j->pl, call);
}

/* After a failure once the clone exists: the clone goes (out of the
 * DRS rules and VM groups it joined first) and the answer is
 * VMCreationFailed. */
static void
undo_clone(struct job *j, struct cpi_call *call, struct err *verr)
{
	struct err cerr = {0};
	struct err jerr = {0};

	if (err_is_set(verr)) {
		err_prefix(verr, "create_vm %s", j->vm_cid);
		cpi_err_from_vs(call->err, CPI_ERROR_VM_CREATION_FAILED,
		                verr);
	}
	cpi_log_warn(call->log, "create_vm: removing %s after: %s",
	             j->vm_cid, call->err->message);
	vs_client_cleanup(j->c);
	if (vs_create_destroy(j->c, &j->pl->datacenter, j->vm,
	                      j->pl->datastore, j->vm_cid, &cerr) < 0) {
		/* the journal entry stays: a later sweep tries again */
		cpi_log_error(call->log, "create_vm: cleanup of %s: %s",
		              j->vm_cid, cerr.message);
	} else if (j->journaled &&
	           cpi_journal_remove(j->journal_dir, j->vm_cid, &jerr) < 0) {
		cpi_log_warn(call->log, "create_vm: %s", jerr.message);
	}
	call->err->type = CPI_ERROR_VM_CREATION_FAILED;
}

static int
build(struct job *j, struct cpi_call *call, struct vs_moref *src,
      struct vs_moref *snap, struct vs_moref *folder)
{
	struct vs_create_opts co = {0};
	struct settings_in si = {0};
	struct err verr = {0};
	char hw[16];
	int rc;

	rc = journal_add(j, call);
	if (rc < 0)
		return rc;
	rc = clone_vm(j, call, src, snap, folder, &verr);
	if (rc < 0)
		goto cleanup;
	si.agent_id = cpi_arg_string(call, 0);
	si.vm_cid = j->vm_cid;
	si.networks = json_array_get(call->args, 3);
	si.env = cpi_arg_object(call, 5);
	rc = settings_iso(j, call, &si);
	if (rc < 0)
		goto cleanup;
	cpi_tags_attach(j->c, j->vm->vm.value, &j->props.tags, j->vm_cid,
	                call);
	clone_options(&co, hw, sizeof(hw), j, call);
	err_clear(&verr);
	if (cpi_vm_props_disk_uuid(&j->props))
		rc = deliver_with_uuid(j, call, &si, &co, &verr);
	else
		rc = vs_create_deliver(j->c, j->vm, j->pl->dc_path,
		                       j->settings, strlen(j->settings), j->iso,
		                       j->iso_len, &co, &verr);
	if (rc == 0)
		rc = join_host_group(j, call, &verr);
	if (rc == 0)
		rc = vs_create_start(j->c, j->vm, &co, &verr);
	if (rc == 0)
		rc = join_drs_rule(j, call, &verr);
	if (rc == 0)
		rc = join_vm_group(j, call, &verr);
	if (rc == 0)
		rc = journal_remove(j, call);
cleanup:
	if (rc < 0)
		undo_clone(j, call, &verr);
	return rc;
}

int
cpi_method_create_vm(json_t **result, struct cpi_call *call)
{
	struct job j;
	struct vs_moref src, snap, folder;
	int rc;

	*result = NULL;
	memset(&j, 0, sizeof(j));
	memset(&src, 0, sizeof(src));
	memset(&snap, 0, sizeof(snap));
	memset(&folder, 0, sizeof(folder));
	rc = prepare(&j, call);
	if (rc < 0)
		goto cleanup;
	rc = cpi_vcenter_open(&j.c, call);
	if (rc < 0)
		goto cleanup;
	rc = place(&j, call, &src, &snap, &folder);
	if (rc == 0)
		rc = build(&j, call, &src, &snap, &folder);
	if (rc == 0)
		cpi_sweep_leftovers(j.c, call);
	if (rc == 0)
		rc = make_result(result, j.nets, j.nics, j.vm_cid, call);

cleanup:
	/* A failed logout after a success must not turn the answer into an
	 * error: the Director would never learn the VM's cid and the VM
	 * would leak, while the session simply expires. */
	if (j.c != NULL && cpi_vcenter_close(j.c, call) < 0 && rc == 0) {
		cpi_log_warn(call->log, "create_vm: %s", call->err->message);
		err_clear(call->err);
	}
	if (j.iso != NULL) {
		memset(j.iso, 0, j.iso_len);
		free(j.iso);
	}
	wipe_free(j.settings);
	vs_created_free(j.vm);
	vs_placement_free(j.pl);
	vs_pbm_policy_free(j.policy);
	free(j.journal_dir);
	free(j.folder_rel);
	free(j.template_rel);
	free(j.pgs);
	free(j.owners);
	net_nics_free(j.nics);
	net_networks_free(j.nets);
	cpi_vm_props_clear(&j.props);
	return rc < 0 ? ERR_FAIL : 0;
}

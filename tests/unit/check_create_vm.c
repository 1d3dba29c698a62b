/*
 * check_create_vm: vsphere/placement.h and vsphere/create.h through a
 * real client over a fake transport (canned replies from
 * tests/data/create_vm/, recorded requests), and create_vm's input checks
 * through the built binary (they answer before any vCenter call).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/methods.h"
#include "tests/support/cpi_run.h"
#include "tests/support/fake_transport.h"
#include "vsphere/create.h"
#include "vsphere/ipconflict.h"
#include "vsphere/placement.h"
#include "vsphere/stemcell.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

static struct vs_client *cl;
static struct err err;

static void
setup(void)
{
	ft_reset(NULL);
	err_clear(&err);
	cl = NULL;
}

static void
teardown(void)
{
	vs_client_free(cl);
	cl = NULL;
	ft_clear();
}

/* The client of these tests keeps the real clock and logs nothing. */
static void
connect_client(void)
{
	struct vs_client_opts o;

	ft_client_opts(&o);
	o.log = NULL;
	o.now = NULL;
	o.sleep = NULL;
	cl = ft_connect_opts(&o);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p;

	for (p = strstr(hay, needle); p != NULL;
	     p = strstr(p + strlen(needle), needle))
		n++;
	return n;
}

#define HAS(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "missing %s", (needle))

/* --- placement ------------------------------------------------------ */

static const struct vs_placement_cluster both[] = {
	{ .name = "C0" }, { .name = "C1" },
};

static struct vs_placement_req
base_req(void)
{
	struct vs_placement_req r;

	memset(&r, 0, sizeof(r));
	r.datacenter = "DC0";
	r.clusters = both;
	r.nclusters = 2;
	r.datastore_pattern = "^LocalDS_";
	r.memory_mb = 1024;
	r.disk_mb = 2048;
	r.rand = vs_placement_rand_fixed;       /* the most free space */
	return r;
}

/* Whether placement reads port group details after the inventory: a
 * port group asked for (whole, or its last component) is the name of a
 * distributed or opaque network of the canned inventory's DC0. */
static bool
wants_details(const struct vs_placement_req *r)
{
	static const char *const dist[] = {
		"DVS0-DVUplinks-9", "DC0_DVPG0", "PG", "seg", "seg2",
	};
	size_t i, k;

	if (strcmp(r->datacenter, "DC0") != 0)
		return false;
	for (i = 0; i < r->nport_groups; i++) {
		const char *q = r->port_groups[i], *last = strrchr(q, '/');

		for (k = 0; k < sizeof(dist) / sizeof(dist[0]); k++)
			if (strcmp(q, dist[k]) == 0 ||
			    (last != NULL && strcmp(last + 1, dist[k]) == 0))
				return true;
	}
	return false;
}

/* One placement read against the canned inventory, the port group
 * details when wanted (answered from the same file), then the VM folder
 * looked up by inventory path: folders[i] answers the i-th lookup (a
 * Folder's moref value, or NULL: not found). */
static int
place_in(struct vs_placement **out, const struct vs_placement_req *r,
         const char *const *folders, size_t nfolders)
{
	size_t i, ndetails = wants_details(r) ? 1 : 0;
	int rc;

	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	if (ndetails > 0)
		ft_reply_file("RetrievePropertiesEx",
		              "create_vm/inventory.xml");
	for (i = 0; i < nfolders; i++) {
		char *inner = folders[i] == NULL ? ft_fmt("%s", "") :
		              ft_fmt("<returnval type=\"Folder\">%s"
		                     "</returnval>", folders[i]);

		ft_reply("FindByInventoryPath", inner);
		free(inner);
	}
	connect_client();
	err_clear(&err);
	rc = vs_placement_find(out, cl, r, &err);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 1 + ndetails + nfolders);
	return rc;
}

/* One placement read, no VM folder asked for. */
static int
place(struct vs_placement **out, const struct vs_placement_req *r)
{
	return place_in(out, r, NULL, 0);
}

START_TEST(test_place_basic)
{
	static const char *const pgs[] = {
		"BOSH-V4", "DC0_DVPG0", "DVS1/PG", "net-sub/dup",
		"net-sub/DVS1/PG", "DVS0/PG", "VM Network",
	};
	static const char *const sub[] = { "folder-71" };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;
	const char *body;

	r.port_groups = pgs;
	r.nport_groups = 7;
	r.vm_folder = "BOSH_VMs/sub";
	ck_assert_msg(place_in(&p, &r, sub, 1) == 0, "%s", err.message);
	body = ft_body_at(0);
	ck_assert_str_eq(ft_op_at(0), "RetrievePropertiesEx");
	/* From the root folder, never listing VMs nor walking the vm
	 * folders (the server would visit every VM): the VM folder is
	 * looked up by its inventory path instead. */
	HAS(body, "group-d1");
	ck_assert_uint_eq(count(body, "xsi:type=\"TraversalSpec\""), 7);
	ck_assert_ptr_null(strstr(body, "VirtualMachine"));
	ck_assert_ptr_null(strstr(body, "vmFolder</path>"));
	/* Names and parents of the networks only; the details of the
	 * distributed port groups that may answer (DC0_DVPG0, the two PG)
	 * in a read of those objects alone. */
	ck_assert_ptr_null(strstr(body, "config.key"));
	ck_assert_str_eq(ft_op_at(1), "RetrievePropertiesEx");
	HAS(ft_body_at(1), "<pathSet>config.key</pathSet>");
	HAS(ft_body_at(1), ">dvportgroup-13</obj>");
	HAS(ft_body_at(1), ">dvportgroup-17</obj>");
	HAS(ft_body_at(1), ">dvportgroup-18</obj>");
	ck_assert_ptr_null(strstr(ft_body_at(1), "dvportgroup-11"));
	ck_assert_ptr_null(strstr(ft_body_at(1), "dvportgroup-41"));
	ck_assert_ptr_null(strstr(ft_body_at(1), "network-8"));
	ck_assert_ptr_null(strstr(ft_body_at(1), "TraversalSpec"));
	ck_assert_str_eq(ft_op_at(2), "FindByInventoryPath");
	HAS(ft_body_at(2), "<inventoryPath>DC0/vm/BOSH_VMs/sub</inventoryPath>");
	ck_assert_str_eq(p->dc_path, "DC0");
	ck_assert_str_eq(p->datacenter.value, "datacenter-2");
	ck_assert_str_eq(p->dc_vm_folder.value, "folder-3");
	/* C1 lacks free memory (596 MB on its one host, whatever its
	 * effective memory says; C0 has 6144 MB); among C0's datastores
	 * other-ds misses the pattern, LocalDS_8 is in maintenance,
	 * LocalDS_9 inaccessible: LocalDS_1 (50 GB) beats LocalDS_0. */
	ck_assert_str_eq(p->cluster, "C0");
	ck_assert_str_eq(p->cluster_ref.value, "domain-c1");
	ck_assert_str_eq(p->pool.value, "resgroup-10");
	ck_assert_str_eq(p->datastore, "LocalDS_1");
	ck_assert_str_eq(p->datastore_ref.value, "datastore-2");
	ck_assert_int_eq(p->datastore_free_mb, 50 * 1024);
	/* The CPU speed asked for with the memory figures; the fastest of
	 * C0's hosts that is connected and not in maintenance: host-1 (2400
	 * MHz), not host-2 (3600, maintenance) nor host-4 (3000,
	 * disconnected). */
	HAS(body, "<pathSet>summary.hardware.cpuMhz</pathSet>");
	ck_assert_int_eq(p->max_host_mhz, 2400);
	ck_assert_uint_eq(p->npgs, 7);
	ck_assert_int_eq(p->pgs[0].kind, VS_PG_STANDARD);
	ck_assert_str_eq(p->pgs[0].network.value, "network-8");
	ck_assert_str_eq(p->pgs[0].name, "BOSH-V4");
	ck_assert_ptr_null(p->pgs[0].switch_uuid);
	ck_assert_int_eq(p->pgs[1].kind, VS_PG_DISTRIBUTED);
	ck_assert_str_eq(p->pgs[1].portgroup_key, "dvportgroup-13");
	ck_assert_str_eq(p->pgs[1].switch_uuid,
	                 "fea97929-4b2d-5972-b146-930c6d0b4014");
	ck_assert_str_eq(p->pgs[2].network.value, "dvportgroup-17");
	ck_assert_str_eq(p->pgs[2].switch_uuid, "50 2a 7b 1c-u2");
	ck_assert_str_eq(p->pgs[3].network.value, "network-15");
	ck_assert_str_eq(p->pgs[4].network.value, "dvportgroup-17");
	ck_assert_str_eq(p->pgs[5].network.value, "dvportgroup-18");
	ck_assert_str_eq(p->pgs[6].network.value, "network-7");
	ck_assert(p->has_vm_folder);
	ck_assert_str_eq(p->vm_folder.value, "folder-71");
	ck_assert_uint_eq(p->vm_folder_found, 2);
	vs_placement_free(p);
}
END_TEST

START_TEST(test_place_pool_and_names)
{
	static const struct vs_placement_cluster c0[] = {
		{ .name = "C0", .resource_pool = "pool-b" },
	};
	static const char *const names[] = { "other-ds", "LocalDS_2" };
	/* BOSH_VMs/NOPE/deeper and BOSH_VMs/NOPE are missing. */
	static const char *const found[] = { NULL, NULL, "folder-7" };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.clusters = c0;
	r.nclusters = 1;
	r.datastores = names;       /* LocalDS_2 is not in C0 */
	r.ndatastores = 2;
	r.vm_folder = "BOSH_VMs/NOPE/deeper";
	ck_assert_msg(place_in(&p, &r, found, 3) == 0, "%s", err.message);
	HAS(ft_body_at(1), ">DC0/vm/BOSH_VMs/NOPE/deeper</inventoryPath>");
	HAS(ft_body_at(2), ">DC0/vm/BOSH_VMs/NOPE</inventoryPath>");
	HAS(ft_body_at(3), ">DC0/vm/BOSH_VMs</inventoryPath>");
	/* no port group: no details read */
	ck_assert_str_eq(p->pool.value, "resgroup-12");
	ck_assert_str_eq(p->datastore, "other-ds");
	ck_assert(!p->has_vm_folder);
	ck_assert_uint_eq(p->vm_folder_found, 1);
	ck_assert_str_eq(p->vm_folder.value, "folder-7");
	ck_assert_uint_eq(p->npgs, 0);
	vs_placement_free(p);
}
END_TEST

/* A scripted random source: each 4-byte draw takes the next of
 * draws[] (big-endian), counted in ndrawn. */
static uint32_t draws[8];
static size_t ndrawn;

static int
scripted_rand(unsigned char *b, size_t n)
{
	uint32_t u = draws[ndrawn++ % 8];

	ck_assert_uint_eq(n, 4);
	b[0] = (unsigned char)(u >> 24);
	b[1] = (unsigned char)(u >> 16);
	b[2] = (unsigned char)(u >> 8);
	b[3] = (unsigned char)u;
	return 0;
}

/* The datastore C0 gets with draws r0 (LocalDS_0, 10 GB free) and r1
 * (LocalDS_1, 50 GB), r = (u + 1) / 2^32. */
static const char *
spread_pick(uint32_t r0, uint32_t r1)
{
	static char name[32];
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.rand = scripted_rand;
	draws[0] = r0;
	draws[1] = r1;
	ndrawn = 0;
	ft_reset(NULL);
	vs_client_free(cl);
	cl = NULL;
	ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
	/* one draw per eligible datastore only (not other-ds, off the
	 * pattern, nor LocalDS_8/9, out of use, nor C1, short of memory) */
	ck_assert_uint_eq(ndrawn, 2);
	snprintf(name, sizeof(name), "%s", p->datastore);
	vs_placement_free(p);
	return name;
}

/* As the Ruby CPI's StableRandom scorer: the highest r * free space
 * wins, so the emptier datastore is likelier, not certain. */
START_TEST(test_place_spread_weighted)
{
	uint32_t i, j, wins0 = 0;

	ck_assert_str_eq(spread_pick(UINT32_MAX, UINT32_MAX), "LocalDS_1");
	/* 10240 * 1 > 51200 * 0.125 */
	ck_assert_str_eq(spread_pick(UINT32_MAX, 0x1fffffff), "LocalDS_0");
	/* 10240 * 1 < 51200 * 0.25 */
	ck_assert_str_eq(spread_pick(UINT32_MAX, 0x3fffffff), "LocalDS_1");
	/* Over a 16 x 16 lattice of draws (k / 16), LocalDS_0 wins where
	 * 10240 i >= 51200 j (a tie keeps the first), i >= 5 j: 12 + 7 +
	 * 2 = 21 of 256 (for uniform draws 10240 / (2 * 51200) = 10 %). */
	for (i = 1; i <= 16; i++)
		for (j = 1; j <= 16; j++)
			if (strcmp(spread_pick(i * 0x10000000u - 1,
			                       j * 0x10000000u - 1),
			           "LocalDS_0") == 0)
				wins0++;
	ck_assert_uint_eq(wins0, 21);
}
END_TEST

/* A datastore needs more than the disk, the swap file (the memory) and
 * VS_PLACEMENT_DISK_HEADROOM_MB (1024) free: LocalDS_1 has 51200 MB. */
START_TEST(test_place_disk_headroom)
{
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.disk_mb = 51200 - 1024 - 1024 - 1;
	ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
	ck_assert_str_eq(p->datastore, "LocalDS_1");
	vs_placement_free(p);
	p = NULL;
	ft_reset(NULL);
	vs_client_free(cl);
	cl = NULL;
	r.disk_mb++;
	ck_assert_int_eq(place(&p, &r), ERR_ENOTFOUND);
	ck_assert_ptr_null(p);
	HAS(err.message, "has more than 51200 MB free");
}
END_TEST

/* The cluster and datastore for clusters C0 (LocalDS_0/1, other-ds
 * usable; LocalDS_8 in maintenance, LocalDS_9 inaccessible) and C2
 * (LocalDS_2, the most free) with persistent disks of pattern pat. */
static void
place_with_disk(const char *pat, const char *cluster, const char *ds)
{
	static const struct vs_placement_cluster c0c2[] = {
		{ .name = "C0" }, { .name = "C2" },
	};
	const char *pats[] = { pat, "^other-ds$|^LocalDS_2$" };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	ft_reset(NULL);
	vs_client_free(cl);
	cl = NULL;
	r.clusters = c0c2;
	r.nclusters = 2;
	r.disk_patterns = pats;
	r.ndisk_patterns = pat != NULL ? 2 : 0;
	ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
	ck_assert_str_eq(p->cluster, cluster);
	ck_assert_str_eq(p->datastore, ds);
	vs_placement_free(p);
}

/* create_vm's disk_cids: a cluster from which more of the persistent
 * disks' datastores are reachable wins over free space (the Ruby CPI's
 * migration_size scorer); a tie keeps the weighted draw. */
START_TEST(test_place_near_disks)
{
	place_with_disk(NULL, "C2", "LocalDS_2");
	/* the second pattern matches in both clusters */
	place_with_disk("^LocalDS_0$", "C0", "LocalDS_1");
	place_with_disk("^LocalDS_2$", "C2", "LocalDS_2");
	/* out of use or nowhere: a miss in both, free space decides */
	place_with_disk("^LocalDS_8$", "C2", "LocalDS_2");
	place_with_disk("^LocalDS_9$", "C2", "LocalDS_2");
	place_with_disk("^nowhere$", "C2", "LocalDS_2");
}
END_TEST

/* Several networks of one name, resolved as the Ruby CPI does: NSX-T
 * port groups of one logical switch (that of the one opaque network of
 * the name) are one segment, the first port group taken; otherwise the
 * standard port group.  Port groups of different logical switches
 * ("seg2") or only distributed ones ("PG") stay ambiguous (below). */
START_TEST(test_place_same_name)
{
	static const char *const pgs[] = { "seg", "dup" };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.port_groups = pgs;
	r.nport_groups = 2;
	ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
	HAS(ft_body_at(1), "<pathSet>config.logicalSwitchUuid</pathSet>");
	/* the opaque network of the name, with its summary */
	HAS(ft_body_at(1), ">network-o1</obj>");
	ck_assert_int_eq(p->pgs[0].kind, VS_PG_DISTRIBUTED);
	ck_assert_str_eq(p->pgs[0].network.value, "dvportgroup-41");
	ck_assert_int_eq(p->pgs[1].kind, VS_PG_STANDARD);
	ck_assert_str_eq(p->pgs[1].network.value, "network-14");
	vs_placement_free(p);
}
END_TEST

static const struct {
	const char *pg;
	const char *dc;
	const char *pattern;
	long long memory_mb;
	long long disk_mb;
	const char *pool;
	int code;
	const char *needle;
} bad[] = {
	{ "seg2", "DC0", "^LocalDS_", 512, 1, NULL, ERR_EINVAL,
	  "port group 'seg2' (network 'net-x') matches several networks: "
	  "name it as DVS/PORTGROUP" },
	{ "PG", "DC0", "^LocalDS_", 512, 1, NULL, ERR_EINVAL,
	  "matches several" },
	{ "BOSH-V6", "DC0", "^LocalDS_", 512, 1, NULL, ERR_ENOTFOUND,
	  "port group 'BOSH-V6' (network 'net-x') not found in datacenter "
	  "'DC0'" },
	{ "DVS9/DC0_DVPG0", "DC0", "^LocalDS_", 512, 1, NULL, ERR_ENOTFOUND,
	  "not found" },
	{ "BOSH-V4", "DCX", "^LocalDS_", 512, 1, NULL, ERR_ENOTFOUND,
	  "datacenter 'DCX' not found" },
	{ "BOSH-V4", "DC0", "^LocalDS_", 6100, 1, NULL, ERR_ENOTFOUND,
	  "no cluster has 6228 MB" },
	{ "BOSH-V4", "DC0", "^nothing$", 512, 1, NULL, ERR_ENOTFOUND,
	  "no datastore matching" },
	{ "BOSH-V4", "DC0", "^LocalDS_", 512, 200 * 1024, NULL, ERR_ENOTFOUND,
	  "no datastore matching" },
	{ "BOSH-V4", "DC0", "(", 512, 1, NULL, ERR_EINVAL,
	  "not a valid regular expression" },
	{ "BOSH-V4", "DC0", "^LocalDS_", 512, 1, "pool-z", ERR_ENOTFOUND,
	  "resource pool 'pool-z' not found in cluster 'C0'" },
	{ "/", "DC0", "^LocalDS_", 512, 1, NULL, ERR_ENOTFOUND, "not found" },
};

START_TEST(test_place_refused)
{
	const char *pgs[1] = { bad[_i].pg };
	const char *owners[1] = { "net-x" };
	struct vs_placement_cluster c0[1] = { { .name = "C0", .resource_pool = bad[_i].pool } };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = (struct vs_placement *)&r;
	int rc;

	r.datacenter = bad[_i].dc;
	r.datastore_pattern = bad[_i].pattern;
	r.memory_mb = bad[_i].memory_mb;
	r.disk_mb = bad[_i].disk_mb;
	r.port_groups = pgs;
	r.pg_owners = owners;
	r.nport_groups = 1;
	if (bad[_i].pool != NULL) {
		r.clusters = c0;
		r.nclusters = 1;
	}
	rc = place(&p, &r);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(rc, bad[_i].code);
	ck_assert_int_eq(err.code, bad[_i].code);
	ck_assert_msg(strstr(err.message, bad[_i].needle) != NULL,
	              "message: %s", err.message);
}
END_TEST

/* A cluster without host data: its effective memory counts. */
START_TEST(test_place_effective_memory)
{
	static const struct vs_placement_cluster c2[] = { { .name = "C2" } };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.clusters = c2;
	r.nclusters = 1;
	r.memory_mb = 90000;
	ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
	ck_assert_str_eq(p->cluster, "C2");
	ck_assert_str_eq(p->datastore, "LocalDS_2");
	ck_assert_str_eq(p->pool.value, "resgroup-30");
	ck_assert_int_eq(p->max_host_mhz, 0);   /* no host data */
	vs_placement_free(p);
}
END_TEST

/* --- host groups: the canned inventory with C0's configurationEx ---- */

/* A fresh client and script within one test. */
static void
again(void)
{
	vs_client_free(cl);
	cl = NULL;
	ft_clear();
	ft_reset(NULL);
}

/* The canned inventory with groups (ClusterConfigInfoEx inner XML) added
 * to C0 (domain-c1), one placement read of it. */
static int
place_groups(struct vs_placement **out, const struct vs_placement_req *r,
             const char *groups)
{
	static const char at[] =
		"<obj type=\"ClusterComputeResource\">domain-c1</obj>";
	char *inv = ft_read_data("create_vm/inventory.xml"), *body, *p;
	int rc;

	p = strstr(inv, at);
	ck_assert_ptr_nonnull(p);
	p += strlen(at);
	body = ft_fmt("%.*s<propSet><name>configurationEx</name><val xsi:"
	              "type=\"ClusterConfigInfoEx\"><drsConfig/>%s</val>"
	              "</propSet>%s", (int)(p - inv), inv, groups, p);
	ft_reply_raw("RetrievePropertiesEx", 200, body);
	free(body);
	free(inv);
	connect_client();
	err_clear(&err);
	rc = vs_placement_find(out, cl, r, &err);
	ft_all_used();
	return rc;
}

#define HG(name, hosts) "<group xsi:type=\"ClusterHostGroup\"><name>" \
	name "</name>" hosts "</group>"
#define HG_HOST(v) "<host type=\"HostSystem\">" v "</host>"
/* hgA: host-2 in maintenance, then host-1 (6,144 MB free); hgB: host-4,
 * disconnected; a VM group named like a host group is no host group. */
#define C0_GROUPS HG("hgA", HG_HOST("host-2") HG_HOST("host-1"))        \
	HG("hgB", HG_HOST("host-4"))                                     \
	"<group xsi:type=\"ClusterVmGroup\"><name>vmg</name></group>"

/* MUST: the group's healthy hosts stand for the cluster's memory and
 * the first of them is the clone's host; the read asks for the host
 * groups only when a cluster names one. */
START_TEST(test_place_host_group_must)
{
	struct vs_placement_cluster c0 = { "C0", NULL, "hgA", true };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.clusters = &c0;
	r.nclusters = 1;
	r.memory_mb = 6000;
	ck_assert_msg(place_groups(&p, &r, C0_GROUPS) == 0, "%s",
	              err.message);
	HAS(ft_body_at(0), "<pathSet>configurationEx</pathSet>");
	ck_assert_str_eq(p->cluster, "C0");
	ck_assert_str_eq(p->host_group_host.type, "HostSystem");
	ck_assert_str_eq(p->host_group_host.value, "host-1");
	vs_placement_free(p);
	p = NULL;
	/* 6,144 MB free in hgA: 6,100 + the 128 MB headroom is too much */
	again();
	r.memory_mb = 6100;
	ck_assert_int_eq(place_groups(&p, &r, C0_GROUPS), ERR_ENOTFOUND);
	HAS(err.message, "no cluster has 6228 MB of memory to spare");
	HAS(err.message, "MUST");
	ck_assert_ptr_null(p);
	again();
	r = base_req();
	ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
	ck_assert_ptr_null(strstr(ft_body_at(0), "configurationEx"));
	ck_assert_str_eq(p->host_group_host.type, "");
	vs_placement_free(p);
}
END_TEST

/* A MUST group without a healthy host leaves the cluster no memory; the
 * same group with SHOULD counts the cluster's (DRS places the VM: no
 * host); a host group the cluster lacks (or a VM group of that name) is
 * ERR_ENOTFOUND naming it. */
START_TEST(test_place_host_group_should_and_missing)
{
	struct vs_placement_cluster c0 = { "C0", NULL, "hgB", true };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.clusters = &c0;
	r.nclusters = 1;
	ck_assert_int_eq(place_groups(&p, &r, C0_GROUPS), ERR_ENOTFOUND);
	HAS(err.message, "memory to spare");
	again();
	c0.host_group_must = false;
	ck_assert_msg(place_groups(&p, &r, C0_GROUPS) == 0, "%s",
	              err.message);
	ck_assert_str_eq(p->cluster, "C0");
	ck_assert_str_eq(p->host_group_host.type, "");
	vs_placement_free(p);
	p = NULL;
	again();
	c0.host_group = "vmg";
	ck_assert_int_eq(place_groups(&p, &r, C0_GROUPS), ERR_ENOTFOUND);
	HAS(err.message, "host group 'vmg' not found in cluster 'C0'");
	ck_assert_ptr_null(p);
}
END_TEST

/* Equal datastore scores (C1 and C2 share LocalDS_2; the fixed random
 * source makes r = 1): the cluster with more free memory wins, in
 * either order (the Ruby CPI's host group free memory scorer: the
 * cluster's own without a group): C2's 100,000 MB over C1's 596. */
START_TEST(test_place_memory_breaks_ties)
{
	static const struct vs_placement_cluster c12[] = {
		{ "C1", NULL, NULL, false }, { "C2", NULL, NULL, false },
	};
	static const struct vs_placement_cluster c21[] = {
		{ "C2", NULL, NULL, false }, { "C1", NULL, NULL, false },
	};
	static const char *const ds[] = { "LocalDS_2" };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;
	int i;

	r.nclusters = 2;
	r.memory_mb = 256;
	r.datastores = ds;
	r.ndatastores = 1;
	for (i = 0; i < 2; i++) {
		r.clusters = i == 0 ? c12 : c21;
		again();
		ck_assert_msg(place(&p, &r) == 0, "%s", err.message);
		ck_assert_str_eq(p->cluster, "C2");
		ck_assert_uint_eq(p->cluster_index, i == 0 ? 1 : 0);
		ck_assert_str_eq(p->datastore, "LocalDS_2");
		vs_placement_free(p);
		p = NULL;
	}
}
END_TEST

START_TEST(test_place_unknown_cluster)
{
	static const struct vs_placement_cluster cx[] = { { .name = "CX" } };
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	r.clusters = cx;
	r.nclusters = 1;
	ck_assert_int_eq(place(&p, &r), ERR_ENOTFOUND);
	HAS(err.message, "cluster 'CX' not found in datacenter 'DC0'");
}
END_TEST

/* --- the stemcell read in the placement read ------------------------ */

#define SC_CID "sc-0d5462fe-21fd-4f41-bb94-1f1b0bd797c0"
#define SC_PATH "vm/BOSH_Templates/" SC_CID

/* The canned inventory with the stemcell vm-42 (on datastore-2, with a
 * current snapshot, at vmx-13) in it, as the combined read answers. */
static void
reply_inventory_with_stemcell(void)
{
	static const char vm[] =
	    "<objects><obj type=\"VirtualMachine\">vm-42</obj>"
	    "<propSet><name>datastore</name><val xsi:type=\""
	    "ArrayOfManagedObjectReference\"><ManagedObjectReference "
	    "type=\"Datastore\">datastore-2</ManagedObjectReference></val>"
	    "</propSet><propSet><name>snapshot</name><val xsi:type=\""
	    "VirtualMachineSnapshotInfo\"><currentSnapshot type=\""
	    "VirtualMachineSnapshot\">snapshot-43</currentSnapshot></val>"
	    "</propSet><propSet><name>config.version</name><val xsi:type="
	    "\"xsd:string\">vmx-13</val></propSet></objects>";
	char *inv = ft_read_data("create_vm/inventory.xml");
	char *end = strstr(inv, "</returnval>");
	char *body;

	ck_assert_ptr_nonnull(end);
	body = ft_fmt("%.*s%s%s", (int)(end - inv), inv, vm, end);
	ft_reply_raw("RetrievePropertiesEx", 200, body);
	free(body);
	free(inv);
}

static struct vs_placement_req
source_req(void)
{
	struct vs_placement_req r = base_req();

	r.source_path = SC_PATH;
	r.source_props = vs_stemcell_props;
	return r;
}

/* Found by path first, then read in the inventory read (a second
 * ObjectSpec without traversal): the replica step needs no round trip
 * when the stemcell lies on the chosen datastore. */
START_TEST(test_place_reads_stemcell)
{
	static const struct vs_stemcell_loc loc = { "DC0", "BOSH_Templates" };
	struct vs_placement_req r = source_req();
	struct vs_placement *p = NULL;
	struct vs_moref vm, snap;
	char hw[VS_STEMCELL_HW_MAX];
	const char *body;

	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-42</returnval>");
	reply_inventory_with_stemcell();
	connect_client();
	ck_assert_msg(vs_placement_find(&p, cl, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(ft_calls(), 2);
	HAS(ft_body_at(0), "<inventoryPath>DC0/" SC_PATH "</inventoryPath>");
	body = ft_body_at(1);
	ck_assert_uint_eq(count(body, "<objectSet>"), 2);
	HAS(body, "<type>VirtualMachine</type>");
	HAS(body, "<pathSet>config.version</pathSet>");
	HAS(body, "<obj type=\"VirtualMachine\">vm-42</obj>");
	/* the walk still never reaches a VM folder */
	ck_assert_ptr_null(strstr(body, "vmFolder</path>"));
	ck_assert_uint_eq(count(body, "xsi:type=\"TraversalSpec\""), 7);
	ck_assert_ptr_nonnull(p->source);
	ck_assert_str_eq(p->source->obj.value, "vm-42");
	ck_assert_str_eq(p->datastore_ref.value, "datastore-2");
	ck_assert_msg(vs_stemcell_replica_of(&vm, &snap, hw, cl, &loc, SC_CID,
	              p->source, &p->datastore_ref, &p->pool, &err) == 0,
	              "%s", err.message);
	ck_assert_uint_eq(ft_calls(), 2);
	ck_assert_str_eq(vm.value, "vm-42");
	ck_assert_str_eq(snap.value, "snapshot-43");
	ck_assert_str_eq(hw, "vmx-13");
	ft_all_used();
	vs_placement_free(p);
}
END_TEST

/* The stemcell lookup answers found (the FindByInventoryPath reply),
 * which placement must not read as the stemcell: one plain inventory
 * read follows, and no source comes back (the caller then looks the
 * stemcell up itself and reports it missing). */
static void
place_without_source(const char *found)
{
	struct vs_placement_req r = source_req();
	struct vs_placement *p = NULL;

	ft_reply("FindByInventoryPath", found);
	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	connect_client();
	ck_assert_msg(vs_placement_find(&p, cl, &r, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 2);
	ck_assert_uint_eq(count(ft_body_at(1), "<objectSet>"), 1);
	ck_assert_ptr_null(strstr(ft_body_at(1), "VirtualMachine"));
	ck_assert_ptr_null(strstr(ft_body_at(1), "group-v9"));
	ck_assert_ptr_null(p->source);
	ck_assert_str_eq(p->datastore, "LocalDS_1");
	vs_placement_free(p);
}

/* Not at that path. */
START_TEST(test_place_stemcell_not_found)
{
	place_without_source("");
}
END_TEST

/* Something else at that path (a folder named like the stemcell). */
START_TEST(test_place_stemcell_not_a_vm)
{
	place_without_source("<returnval type=\"Folder\">group-v9"
	                     "</returnval>");
}
END_TEST

/* Gone between the lookup and the read (ManagedObjectNotFound): read
 * again without it. */
START_TEST(test_place_stemcell_gone)
{
	struct vs_placement_req r = source_req();
	struct vs_placement *p = NULL;

	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-42</returnval>");
	ft_fault("RetrievePropertiesEx", "ManagedObjectNotFound");
	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	connect_client();
	ck_assert_msg(vs_placement_find(&p, cl, &r, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 3);
	HAS(ft_body_at(1), "vm-42");
	ck_assert_ptr_null(strstr(ft_body_at(2), "VirtualMachine"));
	ck_assert_ptr_null(p->source);
	vs_placement_free(p);
}
END_TEST

/* Any other failure of the read fails the placement, as before. */
START_TEST(test_place_stemcell_read_fails)
{
	struct vs_placement_req r = source_req();
	struct vs_placement *p = NULL;

	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-42</returnval>");
	ft_fault("RetrievePropertiesEx", "NoPermission");
	connect_client();
	ck_assert_int_lt(vs_placement_find(&p, cl, &r, &err), 0);
	ft_all_used();
	HAS(err.message, "reading the inventory");
	ck_assert_ptr_null(p);
}
END_TEST

/* --- the VM folder ------------------------------------------------------ */

static struct vs_placement *
folder_placement(bool exists, size_t found, const char *deepest)
{
	struct vs_placement *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	p->dc_path = strdup("DC0");
	snprintf(p->dc_vm_folder.type, sizeof(p->dc_vm_folder.type),
	         "Folder");
	snprintf(p->dc_vm_folder.value, sizeof(p->dc_vm_folder.value),
	         "folder-3");
	p->has_vm_folder = exists;
	p->vm_folder_found = found;
	snprintf(p->vm_folder.type, sizeof(p->vm_folder.type), "Folder");
	snprintf(p->vm_folder.value, sizeof(p->vm_folder.value), "%s",
	         deepest);
	return p;
}

START_TEST(test_folder_exists)
{
	struct vs_placement *p = folder_placement(true, 2, "folder-71");
	struct vs_moref f;

	connect_client();
	ck_assert_int_eq(vs_create_folder(&f, cl, p, "BOSH_VMs/sub", &err), 0);
	ck_assert_str_eq(f.value, "folder-71");
	ck_assert_uint_eq(ft_calls(), 0);
	vs_placement_free(p);
}
END_TEST

START_TEST(test_folder_created_below_deepest)
{
	struct vs_placement *p = folder_placement(false, 1, "folder-7");
	struct vs_moref f;

	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-90"
	         "</returnval>");
	connect_client();
	ck_assert_msg(vs_create_folder(&f, cl, p, "BOSH_VMs/d-1", &err) == 0,
	              "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(f.value, "folder-90");
	HAS(ft_body_at(0), "<_this type=\"Folder\">folder-7</_this><name>d-1"
	                "</name>");
	vs_placement_free(p);
}
END_TEST

START_TEST(test_folder_created_from_vm_folder)
{
	struct vs_placement *p = folder_placement(false, 0, "folder-3");
	struct vs_moref f;

	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-90"
	         "</returnval>");
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-91"
	         "</returnval>");
	connect_client();
	ck_assert_msg(vs_create_folder(&f, cl, p, "BOSH_VMs/d-1", &err) == 0,
	              "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(f.value, "folder-91");
	HAS(ft_body_at(0), "<_this type=\"Folder\">folder-3</_this><name>"
	                "BOSH_VMs</name>");
	HAS(ft_body_at(1), "<_this type=\"Folder\">folder-90</_this><name>d-1"
	                "</name>");
	vs_placement_free(p);
}
END_TEST

START_TEST(test_folder_race)
{
	struct vs_placement *p = folder_placement(false, 0, "folder-3");
	struct vs_moref f;

	ft_step("CreateFolder", 500)->body = strdup(FT_ENV_HEAD
	    "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
	    "<faultstring>dup</faultstring><detail><DuplicateNameFault "
	    "xmlns=\"urn:vim25\" xsi:type=\"DuplicateName\">"
	    "</DuplicateNameFault></detail></soapenv:Fault>" FT_ENV_TAIL);
	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">folder-95"
	         "</returnval>");
	connect_client();
	ck_assert_msg(vs_create_folder(&f, cl, p, "BOSH_VMs", &err) == 0,
	              "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(f.value, "folder-95");
	HAS(ft_body_at(1), "DC0/vm/BOSH_VMs");
	vs_placement_free(p);
}
END_TEST

START_TEST(test_folder_fails)
{
	struct vs_placement *p = folder_placement(false, 0, "folder-3");
	struct vs_moref f;

	ft_step("CreateFolder", 500)->body = strdup(FT_ENV_HEAD
	    "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
	    "<faultstring>no</faultstring><detail><NoPermissionFault "
	    "xmlns=\"urn:vim25\" xsi:type=\"NoPermission\">"
	    "</NoPermissionFault></detail></soapenv:Fault>" FT_ENV_TAIL);
	connect_client();
	ck_assert_int_lt(vs_create_folder(&f, cl, p, "BOSH_VMs", &err), 0);
	ck_assert_str_eq(err.fault, "NoPermission");
	HAS(err.message, "creating VM folder BOSH_VMs");
	ft_all_used();
	vs_placement_free(p);
}
END_TEST

/* --- clone ------------------------------------------------------------ */

static struct vs_port_group nics[2];

static struct vs_create_req
clone_req(void)
{
	static const struct vs_moref src = { "VirtualMachine", "vm-50" };
	static const struct vs_moref snap = {
		"VirtualMachineSnapshot", "snapshot-5",
	};
	static const struct vs_moref folder = { "Folder", "folder-7" };
	static const struct vs_moref pool = { "ResourcePool", "resgroup-10" };
	static const struct vs_moref ds = { "Datastore", "datastore-2" };
	struct vs_create_req r;

	memset(nics, 0, sizeof(nics));
	nics[0].kind = VS_PG_STANDARD;
	snprintf(nics[0].network.type, sizeof(nics[0].network.type),
	         "Network");
	snprintf(nics[0].network.value, sizeof(nics[0].network.value),
	         "network-8");
	nics[0].name = "BOSH-V4";
	nics[1].kind = VS_PG_DISTRIBUTED;
	snprintf(nics[1].network.type, sizeof(nics[1].network.type),
	         "DistributedVirtualPortgroup");
	snprintf(nics[1].network.value, sizeof(nics[1].network.value),
	         "dvportgroup-13");
	nics[1].name = "DC0_DVPG0";
	nics[1].switch_uuid = "fea97929-4b2d-5972-b146-930c6d0b4014";
	nics[1].portgroup_key = "dvportgroup-13";
	memset(&r, 0, sizeof(r));
	r.name = "vm-1";
	r.source = &src;
	r.snapshot = &snap;
	r.folder = &folder;
	r.pool = &pool;
	r.datastore = &ds;
	r.datastore_name = "LocalDS_1";
	r.num_cpus = 2;
	r.memory_mb = 1024;
	r.disk_mb = 3;
	r.thin = true;
	r.nics = nics;
	r.nnics = 2;
	return r;
}

START_TEST(test_clone)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;
	const char *body;

	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	connect_client();
	ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 3);  /* clone, its task, the read back */
	body = ft_body_at(0);
	ck_assert_str_eq(ft_op_at(0), "CloneVM_Task");
	HAS(body, "<_this type=\"VirtualMachine\">vm-50</_this>");
	HAS(body, "<folder type=\"Folder\">folder-7</folder>");
	HAS(body, "<name>vm-1</name>");
	HAS(body, "<datastore type=\"Datastore\">datastore-2</datastore>");
	HAS(body, "<diskMoveType>createNewChildDiskBacking</diskMoveType>");
	HAS(body, "<pool type=\"ResourcePool\">resgroup-10</pool>");
	HAS(body, "<template>false</template>");
	HAS(body, "<numCPUs>2</numCPUs>");
	HAS(body, "<memoryMB>1024</memoryMB>");
	HAS(body, "<powerOn>false</powerOn>");
	HAS(body, "<snapshot type=\"VirtualMachineSnapshot\">snapshot-5"
	          "</snapshot>");
	ck_assert_uint_eq(count(body, "\"VirtualVmxnet3\""), 2);
	ck_assert_uint_eq(count(body, "<addressType>generated</addressType>"),
	                  2);
	ck_assert_uint_eq(count(body, "<startConnected>true</startConnected>"),
	                  2);
	HAS(body, "<key>-1</key>");
	HAS(body, "<key>-2</key>");
	HAS(body, "<deviceName>BOSH-V4</deviceName>");
	HAS(body, "<network type=\"Network\">network-8</network>");
	HAS(body, "<switchUuid>fea97929-4b2d-5972-b146-930c6d0b4014"
	          "</switchUuid>");
	HAS(body, "<portgroupKey>dvportgroup-13</portgroupKey>");
	/* Disk and CD-ROM wait for the reconfigure; nothing is removed. */
	ck_assert_ptr_null(strstr(body, "VirtualDisk"));
	ck_assert_ptr_null(strstr(body, "remove"));
	/* Read back. */
	ck_assert(v->exists);
	ck_assert_str_eq(v->vm.value, "vm-1");
	ck_assert_uint_eq(v->nmacs, 2);
	ck_assert_str_eq(v->macs[0], "00:50:56:ab:cd:ef");
	ck_assert_str_eq(v->macs[1], "00:50:56:01:02:03");
	ck_assert_int_eq(v->system_unit, 0);
	ck_assert_int_eq(v->disk_controller, 1000);
	ck_assert_int_eq(v->ephemeral_unit, 2);
	ck_assert_int_eq(v->cdrom_key, 3000);
	ck_assert_int_eq(v->cdrom_controller, 200);
	ck_assert_int_eq(v->cdrom_unit, 0);
	ck_assert_uint_eq(v->nremove, 1);
	ck_assert_int_eq(v->remove_keys[0], 4000);
	ck_assert_str_eq(v->env_path, "[LocalDS_1] vm-1/env.iso");
	ck_assert_str_eq(v->disk_path, "[LocalDS_1] vm-1/ephemeral_disk.vmdk");
	ck_assert_int_eq(v->disk_kb, 3 * 1024);
	vs_created_free(v);
}
END_TEST

START_TEST(test_clone_full_without_snapshot)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	r.snapshot = NULL;
	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	connect_client();
	ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_null(strstr(ft_body_at(0), "diskMoveType"));
	ck_assert_ptr_null(strstr(ft_body_at(0), "<snapshot"));
	vs_created_free(v);
}
END_TEST

START_TEST(test_clone_wrong_port_group)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx",
	              "create_vm/clone_info_wrong_pg.xml");
	connect_client();
	ck_assert_int_lt(vs_create_clone(&v, cl, &r, &err), 0);
	/* The clone exists: the caller gets it to clean up. */
	ck_assert_ptr_nonnull(v);
	ck_assert(v->exists);
	ck_assert_str_eq(v->vm.value, "vm-1");
	HAS(err.message, "NIC 2 of the clone is not a VirtualVmxnet3 on port "
	                 "group 'DC0_DVPG0'");
	ck_assert(!err.transient);
	vs_created_free(v);
}
END_TEST

START_TEST(test_clone_too_few_nics)
{
	struct vs_create_req r = clone_req();
	struct vs_port_group three[3];
	struct vs_created *v = NULL;

	memcpy(three, nics, sizeof(nics));
	three[2] = nics[0];
	r.nics = three;
	r.nnics = 3;
	/* 3 NICs on the clone, 3 added: the E1000 then is taken as ours. */
	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	connect_client();
	ck_assert_int_lt(vs_create_clone(&v, cl, &r, &err), 0);
	ck_assert_ptr_nonnull(v);
	HAS(err.message, "NIC 1 of the clone is not a VirtualVmxnet3");
	vs_created_free(v);
}
END_TEST

START_TEST(test_clone_fault)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_task("CloneVM_Task", NULL, "DuplicateName");
	/* a failed task may still have made the VM: looked for, none */
	ft_reply("FindChild", "");
	connect_client();
	ck_assert_int_eq(vs_create_clone(&v, cl, &r, &err), ERR_ETASK);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(err.fault, "DuplicateName");
	HAS(err.message, "CloneVM_Task vm-1");
	ft_all_used();
}
END_TEST

/* A server error although vCenter made the VM (seen with a NIC backing
 * the simulator chokes on): the VM is found by its name, so the caller
 * removes it. */
START_TEST(test_clone_fault_vm_made)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_fault("CloneVM_Task", "SystemError");
	ft_reply("FindChild", "<returnval type=\"VirtualMachine\">vm-78"
	         "</returnval>");
	connect_client();
	ck_assert_int_lt(vs_create_clone(&v, cl, &r, &err), 0);
	ft_all_used();
	ck_assert_ptr_nonnull(v);
	ck_assert(v->exists);
	ck_assert_str_eq(v->vm.value, "vm-78");
	vs_created_free(v);
}
END_TEST

/* The clone spec carries no extraConfig: crash safety is the local
 * journal's (cpi/create_journal.h), not a mark on the VM that would cost
 * a reconfigure to remove. */
START_TEST(test_clone_marked)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_task("CloneVM_Task", NULL, "DuplicateName");
	ft_reply("FindChild", "");
	connect_client();
	ck_assert_int_eq(vs_create_clone(&v, cl, &r, &err), ERR_ETASK);
	ck_assert_msg(strstr(ft_body_at(0), "extraConfig") == NULL, "%s",
	              ft_body_at(0));
	HAS(ft_body_at(0), "<CloneVM_Task");
	ft_all_used();
}
END_TEST

/* The clone task cannot be followed: the VM is looked for by name. */
START_TEST(test_clone_outcome_unknown)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_reply("CloneVM_Task", "<returnval type=\"Task\">task-1</returnval>");
	ft_step("RetrievePropertiesEx", 500)->body = strdup("<html>proxy "
	                                                    "error</html>");
	ft_reply("FindChild", "<returnval type=\"VirtualMachine\">vm-77"
	         "</returnval>");
	connect_client();
	ck_assert_int_lt(vs_create_clone(&v, cl, &r, &err), 0);
	ft_all_used();
	ck_assert_ptr_nonnull(v);
	ck_assert(v->exists);
	ck_assert_str_eq(v->vm.value, "vm-77");
	HAS(ft_body_at(2), "<entity type=\"Folder\">folder-7</entity><name>vm-1"
	                "</name>");
	vs_created_free(v);
}
END_TEST

START_TEST(test_clone_outcome_unknown_no_vm)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_reply("CloneVM_Task", "<returnval type=\"Task\">task-1</returnval>");
	ft_step("RetrievePropertiesEx", 500)->body = strdup("<html>proxy "
	                                                    "error</html>");
	ft_reply("FindChild", "");
	connect_client();
	ck_assert_int_lt(vs_create_clone(&v, cl, &r, &err), 0);
	ft_all_used();
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_clone_no_cdrom)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx",
	              "create_vm/clone_info_no_cdrom.xml");
	connect_client();
	ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(v->cdrom_key, 0);
	ck_assert_int_eq(v->ide_controller, 200);
	ck_assert_int_eq(v->ide_unit, 0);
	vs_created_free(v);
}
END_TEST

START_TEST(test_clone_bad_request)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	r.num_cpus = 0;
	connect_client();
	ck_assert_int_eq(vs_create_clone(&v, cl, &r, &err), ERR_EINVAL);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(ft_calls(), 0);
}
END_TEST

/* --- IP conflicts ---------------------------------------------------- */

#define GUEST_VM(net_ref) \
	"<returnval><objects><obj type=\"VirtualMachine\">vm-9</obj>" \
	"<propSet><name>name</name><val xsi:type=\"xsd:string\">holder" \
	"</val></propSet><propSet><name>guest.net</name><val xsi:type=\"" \
	"ArrayOfGuestNicInfo\"><GuestNicInfo><network>PG</network>" \
	"<ipAddress>10.9.9.9</ipAddress><ipAddress>2001:DB8:0:0::0010" \
	"</ipAddress></GuestNicInfo></val></propSet><propSet><name>network" \
	"</name><val xsi:type=\"ArrayOfManagedObjectReference\">" \
	"<ManagedObjectReference type=\"Network\">" net_ref \
	"</ManagedObjectReference></val></propSet></objects></returnval>"

static const struct vs_port_group conflict_pg = {
	.kind = VS_PG_STANDARD, .network = { "Network", "network-8" },
	.name = (char *)"PG",
};

/* A VM found by address (FindAllByIp, in the datacenter) whose guest
 * reports the address, in another textual form, on a NIC of the port
 * group, and that is on the port group: a conflict naming it. */
START_TEST(test_ip_conflict_found)
{
	static const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	const struct vs_ip_want want[] = {
		{ &conflict_pg, "10.0.0.5" }, { &conflict_pg, "2001:db8::10" },
	};
	struct vs_ip_conflict hit;
	bool found = false;
	const char *body;

	ft_reply("FindAllByIp", "");
	ft_reply("FindAllByIp", "<returnval type=\"VirtualMachine\">vm-9"
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", GUEST_VM("network-8"));
	connect_client();
	ck_assert_msg(vs_ip_conflict_find(&found, &hit, cl, &dc, want, 2,
	                                  &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert(found);
	ck_assert_uint_eq(hit.want, 1);
	ck_assert_str_eq(hit.vm_name, "holder");
	ck_assert_str_eq(hit.vm.value, "vm-9");
	body = ft_body_at(0);
	HAS(body, "<datacenter type=\"Datacenter\">datacenter-2</datacenter>"
	          "<ip>10.0.0.5</ip><vmSearch>true</vmSearch>");
	HAS(ft_body_at(1), "<ip>2001:db8::10</ip>");
	body = ft_body_at(2);
	HAS(body, "<pathSet>guest.net</pathSet>");
	HAS(body, "<obj type=\"VirtualMachine\">vm-9</obj>");
}
END_TEST

/* No VM answers: no further read.  A VM reporting the address but not
 * on the port group (its network list says so) is no conflict. */
START_TEST(test_ip_conflict_none)
{
	const struct vs_ip_want want[] = { { &conflict_pg, "10.9.9.9" } };
	struct vs_ip_conflict hit;
	bool found = true;

	ft_reply("FindAllByIp", "");
	connect_client();
	ck_assert_int_eq(vs_ip_conflict_find(&found, &hit, cl, NULL, want, 1,
	                                     &err), 0);
	ck_assert(!found);
	ck_assert_uint_eq(ft_calls(), 1);
	ck_assert_ptr_null(strstr(ft_body_at(0), "<datacenter"));
	ft_all_used();
	vs_client_free(cl);

	ft_reset(NULL);
	ft_reply("FindAllByIp", "<returnval type=\"VirtualMachine\">vm-9"
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", GUEST_VM("network-99"));
	connect_client();
	found = true;
	ck_assert_int_eq(vs_ip_conflict_find(&found, &hit, cl, NULL, want, 1,
	                                     &err), 0);
	ck_assert(!found);
	ft_all_used();
}
END_TEST

/* --- finish ----------------------------------------------------------- */

static struct vs_created *
made(int cdrom_key)
{
	struct vs_created *v = calloc(1, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v->exists = true;
	snprintf(v->vm.type, sizeof(v->vm.type), "VirtualMachine");
	snprintf(v->vm.value, sizeof(v->vm.value), "vm-1");
	v->system_unit = 0;
	v->ephemeral_unit = 2;
	v->disk_controller = 1000;
	v->cdrom_key = cdrom_key;
	v->cdrom_controller = 200;
	v->cdrom_unit = 1;
	v->ide_controller = 201;
	v->ide_unit = 0;
	v->remove_keys = calloc(1, sizeof(int));
	ck_assert_ptr_nonnull(v->remove_keys);
	v->remove_keys[0] = 4000;
	v->nremove = 1;
	v->env_path = strdup("[LocalDS_1] vm-1/env.iso");
	v->disk_path = strdup("[LocalDS_1] vm-1/ephemeral_disk.vmdk");
	snprintf(v->datastore.type, sizeof(v->datastore.type), "Datastore");
	snprintf(v->datastore.value, sizeof(v->datastore.value),
	         "datastore-2");
	v->disk_kb = 4096;
	v->thin = true;
	return v;
}

#define SETTINGS "{\"agent_id\":\"a\",\"mbus\":\"nats://u:pw@h\"}"
/* base64 of SETTINGS */
#define SETTINGS_B64 "eyJhZ2VudF9pZCI6ImEiLCJtYnVzIjoibmF0czovL3U6cHdAaCJ9"

START_TEST(test_finish)
{
	struct vs_created *v = made(3000);
	const char iso[] = "ISO-BYTES";
	const char *body;
	size_t put = 0;

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), iso, sizeof(iso),
	                               NULL, &err) == 0, "%s", err.message);
	ft_all_used();
	/* powered on last: no reconfigure after it (the leftover journal,
	 * cpi/create_journal.h, needs none) */
	ck_assert_uint_eq(ft_calls(), 5);
	ck_assert_str_eq(ft_op_at(3), "PowerOnVM_Task");
	ck_assert(v->power_on_tried);
	/* The ISO first, marked sensitive. */
	ck_assert_str_eq(ft_op_at(put), "file-put");
	ck_assert(ft_req_at(put)->sensitive);
	HAS(ft_req_at(put)->url, "/folder/vm-1/env.iso?dcPath=DC0&dsName="
	                         "LocalDS_1");
	ck_assert_mem_eq(ft_body_at(put), iso, sizeof(iso));
	/* One reconfigure with everything. */
	ck_assert_str_eq(ft_op_at(1), "ReconfigVM_Task");
	body = ft_body_at(1);
	HAS(body, "<key>guestinfo.userdata</key><value xsi:type=\"xsd:string"
	          "\">" SETTINGS_B64 "</value>");
	HAS(body, "<key>guestinfo.userdata.encoding</key><value xsi:type=\""
	          "xsd:string\">base64</value>");
	ck_assert_ptr_null(strstr(body, "nats://"));
	ck_assert_uint_eq(count(body, "<operation>remove</operation>"), 2);
	ck_assert_uint_eq(count(body, "<operation>add</operation>"), 2);
	ck_assert_uint_eq(count(body, "<fileOperation>"), 1);
	HAS(body, "<fileOperation>create</fileOperation>");
	HAS(body, "<key>4000</key>");
	HAS(body, "<key>3000</key>");
	HAS(body, "<fileName>[LocalDS_1] vm-1/ephemeral_disk.vmdk</fileName>");
	HAS(body, "<thinProvisioned>true</thinProvisioned>");
	HAS(body, "<capacityInKB>4096</capacityInKB>");
	HAS(body, "<controllerKey>1000</controllerKey><unitNumber>2"
	          "</unitNumber>");
	HAS(body, "VirtualCdromIsoBackingInfo");
	HAS(body, "<fileName>[LocalDS_1] vm-1/env.iso</fileName>");
	HAS(body, "<controllerKey>200</controllerKey><unitNumber>1"
	          "</unitNumber>");
	HAS(body, "<startConnected>true</startConnected>");
	ck_assert_str_eq(ft_op_at(3), "PowerOnVM_Task");
	vs_created_free(v);
}
END_TEST

/* vmx_options go into the same reconfigure's extraConfig, before the
 * agent settings, values as text. */
START_TEST(test_finish_vmx_options)
{
	static const struct vs_vm_option vmx[] = {
		{ "sched.mem.pin", "true" }, { "disk.EnableUUID", "1" },
		{ "a<b", "x&y" },
	};
	struct vs_create_opts opts = { .vmx = vmx, .nvmx = 3 };
	struct vs_created *v = made(3000);
	const char *body;

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, &opts,
	                               &err) == 0, "%s", err.message);
	ft_all_used();
	body = ft_body_at(1);
	HAS(body, "<extraConfig><key>sched.mem.pin</key><value xsi:type=\""
	          "xsd:string\">true</value></extraConfig><extraConfig><key>"
	          "disk.EnableUUID</key><value xsi:type=\"xsd:string\">1"
	          "</value></extraConfig><extraConfig><key>a&lt;b</key>"
	          "<value xsi:type=\"xsd:string\">x&amp;y</value>"
	          "</extraConfig><extraConfig><key>guestinfo.userdata</key>");
	ck_assert_uint_eq(count(body, "<extraConfig>"), 5);
	vs_created_free(v);
}
END_TEST

/* The VM options ride in the reconfigure that delivers the settings, each
 * in its vim25 schema place: memoryHotAddEnabled, cpuHotAddEnabled before
 * deviceChange, cpuAllocation between deviceChange and extraConfig,
 * memoryReservationLockedToMax and nestedHVEnabled after extraConfig.
 * Options left false are not sent at all. */
START_TEST(test_finish_vm_options)
{
	struct vs_create_opts opts = {
		.nested_hv = true, .cpu_hot_add = true, .memory_hot_add = true,
		.memory_reservation_locked = true,
		.has_cpu_reservation = true, .cpu_reservation_mhz = 4800,
	};
	struct vs_created *v = made(3000);
	const char *body, *mh, *ch, *dc, *ca, *ec, *ml, *nh;

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, &opts,
	                               &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 5);       /* no extra round trip */
	body = ft_body_at(1);
	mh = strstr(body, "<memoryHotAddEnabled>true</memoryHotAddEnabled>");
	ch = strstr(body, "<cpuHotAddEnabled>true</cpuHotAddEnabled>");
	dc = strstr(body, "<deviceChange>");
	ca = strstr(body, "<cpuAllocation><reservation>4800</reservation>"
	                  "</cpuAllocation>");
	ec = strstr(body, "<extraConfig>");
	ml = strstr(body, "<memoryReservationLockedToMax>true"
	                  "</memoryReservationLockedToMax>");
	nh = strstr(body, "<nestedHVEnabled>true</nestedHVEnabled>");
	ck_assert(mh != NULL && ch != NULL && dc != NULL && ca != NULL &&
	          ec != NULL && ml != NULL && nh != NULL);
	ck_assert(mh < ch && ch < dc && dc < ca && ca < ec && ec < ml &&
	          ml < nh);
	vs_created_free(v);
	vs_client_free(cl);

	/* nothing asked: none of them */
	v = made(3000);
	ft_reset(NULL);
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	memset(&opts, 0, sizeof(opts));
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, &opts,
	                               &err) == 0, "%s", err.message);
	body = ft_body_at(1);
	ck_assert_ptr_null(strstr(body, "HotAddEnabled"));
	ck_assert_ptr_null(strstr(body, "cpuAllocation"));
	ck_assert_ptr_null(strstr(body, "LockedToMax"));
	ck_assert_ptr_null(strstr(body, "nestedHV"));
	vs_created_free(v);
}
END_TEST

/* The hardware upgrade comes after the reconfigure that delivers the
 * settings and before the power on: to the version asked for, or without
 * a version (the host's newest). */
START_TEST(test_finish_upgrade_hw)
{
	static const char *const versions[] = { "vmx-17", NULL };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct vs_create_opts opts = {
			.upgrade_hw = true, .hw_version = versions[i],
		};
		struct vs_created *v = made(3000);
		const char *body;

		ft_reset(NULL);
		ft_step("file-put", 200)->body = strdup("");
		ft_task("ReconfigVM_Task", NULL, NULL);
		ft_task("UpgradeVM_Task", NULL, NULL);
		ft_task("PowerOnVM_Task", NULL, NULL);
		connect_client();
		ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
		                               strlen(SETTINGS), "x", 1, &opts,
		                               &err) == 0, "%s", err.message);
		ft_all_used();
		ck_assert_str_eq(ft_op_at(1), "ReconfigVM_Task");
		ck_assert_str_eq(ft_op_at(3), "UpgradeVM_Task");
		ck_assert_str_eq(ft_op_at(5), "PowerOnVM_Task");
		body = ft_body_at(3);
		HAS(body, "<_this type=\"VirtualMachine\">vm-1</_this>");
		if (versions[i] != NULL)
			HAS(body, "<version>vmx-17</version>");
		else
			ck_assert_ptr_null(strstr(body, "<version>"));
		vs_created_free(v);
		vs_client_free(cl);
		cl = NULL;
	}
}
END_TEST

/* A clone whose source is at the version asked for already needs no
 * UpgradeVM_Task (2 round trips fewer); another source version, an
 * unknown one, or "the host's newest" still upgrade. */
START_TEST(test_finish_upgrade_hw_skip)
{
	static const struct {
		const char *want, *source;
		bool upgrade;
	} cases[] = {
		{ "vmx-17", "vmx-17", false },
		{ "vmx-17", "vmx-13", true },
		{ "vmx-17", "", true },
		{ "vmx-17", NULL, true },
		{ NULL, "vmx-17", true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_create_opts opts = {
			.upgrade_hw = true, .hw_version = cases[i].want,
			.source_hw = cases[i].source,
		};
		struct vs_created *v = made(3000);

		ft_reset(NULL);
		ft_step("file-put", 200)->body = strdup("");
		ft_task("ReconfigVM_Task", NULL, NULL);
		if (cases[i].upgrade)
			ft_task("UpgradeVM_Task", NULL, NULL);
		ft_task("PowerOnVM_Task", NULL, NULL);
		connect_client();
		ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
		                               strlen(SETTINGS), "x", 1, &opts,
		                               &err) == 0, "%zu: %s", i,
		              err.message);
		ft_all_used();
		ck_assert_uint_eq(ft_calls(), cases[i].upgrade ? 7 : 5);
		ck_assert_str_eq(ft_op_at(cases[i].upgrade ? 5 : 3),
		                 "PowerOnVM_Task");
		vs_created_free(v);
		vs_client_free(cl);
		cl = NULL;
	}
}
END_TEST

/* A VM already at that version (AlreadyUpgraded) is powered on all the
 * same; any other fault fails the create before the power on. */
START_TEST(test_finish_upgrade_hw_faults)
{
	struct vs_create_opts opts = { .upgrade_hw = true,
	                               .hw_version = "vmx-13" };
	struct vs_create_opts malformed = { .upgrade_hw = true,
	                                    .hw_version = "vmx-1x" };
	struct vs_created *v = made(3000);

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("UpgradeVM_Task", NULL, "AlreadyUpgraded");
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, &opts,
	                               &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert(v->power_on_tried);
	vs_created_free(v);
	vs_client_free(cl);

	v = made(3000);
	ft_reset(NULL);
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("UpgradeVM_Task", NULL, "InvalidState");
	connect_client();
	err_clear(&err);
	ck_assert_int_lt(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, &opts,
	                                  &err), 0);
	ck_assert_str_eq(err.fault, "InvalidState");
	HAS(err.message, "UpgradeVM_Task");
	ck_assert(!v->power_on_tried);
	ft_all_used();
	vs_created_free(v);
	vs_client_free(cl);

	/* a malformed version is refused without a call */
	v = made(3000);
	ft_reset(NULL);
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	connect_client();
	err_clear(&err);
	ck_assert_int_eq(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, &malformed,
	                                  &err), ERR_EINVAL);
	ft_all_used();
	ck_assert(!v->power_on_tried);
	vs_created_free(v);
}
END_TEST

/* The stemcell's NIC (a VirtualE1000 in clone_info.xml) is removed as
 * what it is: its type read back with the clone goes out in the
 * ReconfigVM_Task, not the VirtualVmxnet3 a new NIC gets. */
START_TEST(test_finish_removes_stemcell_nic_with_its_type)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;
	const char *body;

	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(v->nremove, 1);
	ck_assert_int_eq(v->remove_keys[0], 4000);
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, NULL, &err) == 0,
	              "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(ft_op_at(4), "ReconfigVM_Task");
	body = ft_body_at(4);
	ck_assert_uint_eq(count(body, "<deviceChange>"), 4);
	HAS(body, "<deviceChange><operation>remove</operation><device "
	          "xsi:type=\"VirtualE1000\"><key>4000</key></device>"
	          "</deviceChange>");
	ck_assert_ptr_null(strstr(body, "VirtualVmxnet3"));
	vs_created_free(v);
}
END_TEST

/* default_scsi_controller_type: the system disk's controller (a
 * ParaVirtualSCSIController in clone_info.xml, holding 2000 and 2001) is
 * converted by an edit in the settings reconfigure, before the ephemeral
 * disk goes on it: its key, deviceInfo (the simulator's handler crashes
 * without), place on the PCI bus, bus number, devices and sharing kept.
 * A controller of the asked type already is left alone. */
START_TEST(test_finish_converts_controller)
{
	static const char *const types[] = {
		"VirtualLsiLogicController", "ParaVirtualSCSIController",
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct vs_create_req r = clone_req();
		struct vs_create_opts opts = { .scsi_type = types[i] };
		struct vs_created *v = NULL;
		const char *body, *edit, *add;

		ft_reset(NULL);
		ft_task("CloneVM_Task", "vm-1", NULL);
		ft_reply_file("RetrievePropertiesEx",
		              "create_vm/clone_info.xml");
		ft_step("file-put", 200)->body = strdup("");
		ft_task("ReconfigVM_Task", NULL, NULL);
		ft_task("PowerOnVM_Task", NULL, NULL);
		connect_client();
		ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
		              err.message);
		ck_assert_int_eq(v->scsi_key, 1000);
		ck_assert_str_eq(v->scsi_type, "ParaVirtualSCSIController");
		ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
		                               strlen(SETTINGS), "x", 1, &opts,
		                               &err) == 0, "%s", err.message);
		ft_all_used();
		body = ft_body_at(4);
		edit = strstr(body, "<operation>edit</operation>");
		if (i == 1) {
			ck_assert_ptr_null(edit);
		} else {
			ck_assert_ptr_nonnull(edit);
			HAS(body, "<deviceChange><operation>edit</operation>"
			          "<device xsi:type=\"VirtualLsiLogicController"
			          "\"><key>1000</key><deviceInfo><label>SCSI "
			          "controller</label><summary>VirtualLsiLogic"
			          "Controller</summary></deviceInfo>"
			          "<controllerKey>100</controllerKey>"
			          "<unitNumber>3</unitNumber><busNumber>0"
			          "</busNumber><device>2000</device><device>"
			          "2001</device><sharedBus>noSharing</sharedBus>"
			          "</device></deviceChange>");
			add = strstr(body, "<fileOperation>create");
			ck_assert_ptr_nonnull(add);
			ck_assert(edit < add);
			ck_assert_uint_eq(count(body, "<operation>edit"), 1);
		}
		vs_created_free(v);
		vs_client_free(cl);
		cl = NULL;
	}
}
END_TEST

/* root_disk_size_gb: the system disk (2000 in clone_info.xml, 8192 KB)
 * grows by an edit in the settings reconfigure, its backing kept and
 * deviceInfo sent; a size below the disk's is refused before any
 * reconfigure. */
START_TEST(test_finish_grows_root_disk)
{
	struct vs_create_req r = clone_req();
	struct vs_create_opts opts = { .root_disk_kb = 10 * 1024 * 1024 };
	struct vs_created *v = NULL;
	const char *body;

	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, &opts,
	                               &err) == 0, "%s", err.message);
	ft_all_used();
	body = ft_body_at(4);
	HAS(body, "<deviceChange><operation>edit</operation><device xsi:type="
	          "\"VirtualDisk\"><key>2000</key><deviceInfo><label>Hard "
	          "disk 1</label><summary>Hard disk 1</summary></deviceInfo>"
	          "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\">"
	          "<fileName>[LocalDS_1] vm-1/vm-1.vmdk</fileName><datastore "
	          "type=\"Datastore\">datastore-2</datastore><diskMode>"
	          "persistent</diskMode></backing><controllerKey>1000"
	          "</controllerKey><unitNumber>0</unitNumber><capacityInKB>"
	          "10485760</capacityInKB></device></deviceChange>");
	vs_created_free(v);
	vs_client_free(cl);

	v = NULL;
	opts.root_disk_kb = 4096;
	ft_reset(NULL);
	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	ft_step("file-put", 200)->body = strdup("");
	connect_client();
	ck_assert_msg(vs_create_clone(&v, cl, &r, &err) == 0, "%s",
	              err.message);
	err_clear(&err);
	ck_assert_int_eq(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, &opts,
	                                  &err), ERR_EINVAL);
	HAS(err.message, "disks only grow");
	ft_all_used();
	ck_assert(!v->power_on_tried);
	vs_created_free(v);
}
END_TEST

/* disable_drs: after the power on, one ReconfigureComputeResource_Task
 * adds a DRS override turning DRS off for the VM; its failure fails the
 * create (the VM was powered on: the caller powers it off and destroys
 * it). */
START_TEST(test_finish_disable_drs)
{
	static const struct vs_moref cluster = {
		"ClusterComputeResource", "domain-c7",
	};
	struct vs_create_opts opts = { .drs_off_cluster = &cluster };
	struct vs_created *v = made(3000);

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, &opts,
	                               &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(ft_op_at(5), "ReconfigureComputeResource_Task");
	HAS(ft_body_at(5), "<_this type=\"ClusterComputeResource\">domain-c7"
	    "</_this><spec xsi:type=\"ClusterConfigSpecEx\"><drsVmConfigSpec>"
	    "<operation>add</operation><info><key type=\"VirtualMachine\">"
	    "vm-1</key><enabled>false</enabled></info></drsVmConfigSpec>"
	    "</spec><modify>true</modify>");
	vs_created_free(v);
	vs_client_free(cl);

	v = made(3000);
	ft_reset(NULL);
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	ft_task("ReconfigureComputeResource_Task", NULL, "InvalidArgument");
	connect_client();
	err_clear(&err);
	ck_assert_int_lt(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, &opts,
	                                  &err), 0);
	HAS(err.message, "disable_drs");
	ck_assert(v->power_on_tried);
	ft_all_used();
	vs_created_free(v);
}
END_TEST

/* The second delivery (disk.enableUUID): the new ISO over the old, then
 * one reconfigure with the settings only, nothing else in it. */
START_TEST(test_redeliver)
{
	struct vs_created *v = made(3000);
	const char *body;

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_redeliver(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "ISO2", 4,
	                                  &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(ft_op_at(0), "file-put");
	ck_assert(ft_req_at(0)->sensitive);
	ck_assert_mem_eq(ft_body_at(0), "ISO2", 4);
	body = ft_body_at(1);
	HAS(body, "<key>guestinfo.userdata</key><value xsi:type=\"xsd:string"
	          "\">" SETTINGS_B64 "</value>");
	ck_assert_ptr_null(strstr(body, "<deviceChange>"));
	ck_assert(!v->power_on_tried);
	vs_created_free(v);
}
END_TEST

/* An NSX-T opaque network gets the opaque network backing in the clone
 * spec, in schema order; the read-back then looks for a NIC with that
 * opaqueNetworkId (clone_info.xml has none: refused after the clone). */
START_TEST(test_clone_opaque_nic)
{
	struct vs_create_req r = clone_req();
	struct vs_created *v = NULL;

	nics[1].kind = VS_PG_OPAQUE;
	snprintf(nics[1].network.type, sizeof(nics[1].network.type),
	         "OpaqueNetwork");
	nics[1].name = "nsx-seg";
	nics[1].switch_uuid = NULL;
	nics[1].portgroup_key = NULL;
	nics[1].opaque_id = "3b7e0c5a-1d2e-4f60-8a9b-0c1d2e3f4a5b";
	nics[1].opaque_type = "nsx.LogicalSwitch";
	ft_task("CloneVM_Task", "vm-1", NULL);
	ft_reply_file("RetrievePropertiesEx", "create_vm/clone_info.xml");
	connect_client();
	ck_assert_int_lt(vs_create_clone(&v, cl, &r, &err), 0);
	HAS(err.message, "nsx-seg");
	HAS(ft_body_at(0), "<backing xsi:type=\"VirtualEthernetCardOpaque"
	    "NetworkBackingInfo\"><opaqueNetworkId>3b7e0c5a-1d2e-4f60-8a9b-"
	    "0c1d2e3f4a5b</opaqueNetworkId><opaqueNetworkType>nsx."
	    "LogicalSwitch</opaqueNetworkType></backing>");
	ck_assert_ptr_nonnull(v);      /* exists: the caller destroys it */
	vs_created_free(v);
}
END_TEST

START_TEST(test_finish_adds_cdrom)
{
	struct vs_created *v = made(0);
	const char *body;

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_finish(cl, v, "DC0", SETTINGS,
	                               strlen(SETTINGS), "x", 1, NULL, &err) == 0,
	              "%s", err.message);
	body = ft_body_at(1);
	ck_assert_uint_eq(count(body, "<operation>remove</operation>"), 1);
	HAS(body, "<controllerKey>201</controllerKey><unitNumber>0"
	          "</unitNumber>");
	vs_created_free(v);
}
END_TEST

START_TEST(test_finish_upload_fails)
{
	struct vs_created *v = made(3000);

	ft_step("file-put", 500)->body = strdup("no");
	connect_client();
	ck_assert_int_lt(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, NULL, &err), 0);
	HAS(err.message, "uploading the agent env");
	ck_assert_uint_eq(ft_calls(), 1);  /* no reconfigure, no power on */
	ck_assert(!v->power_on_tried);
	ft_all_used();
	vs_created_free(v);
}
END_TEST

START_TEST(test_finish_power_on_fails)
{
	struct vs_created *v = made(3000);

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("PowerOnVM_Task", NULL, "InsufficientResourcesFault");
	connect_client();
	ck_assert_int_lt(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, NULL, &err), 0);
	ck_assert_str_eq(err.fault, "InsufficientResourcesFault");
	ck_assert(v->power_on_tried);
	vs_created_free(v);
}
END_TEST

/* --- cleanup ---------------------------------------------------------- */

START_TEST(test_destroy_after_power_on)
{
	static const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_created *v = made(3000);

	v->power_on_tried = true;
	ft_task("PowerOffVM_Task", NULL, NULL);
	ft_task("Destroy_Task", NULL, NULL);
	ft_task("DeleteDatastoreFile_Task", NULL, NULL);
	connect_client();
	ck_assert_msg(vs_create_destroy(cl, &dc, v, "LocalDS_1", "vm-1",
	                                &err) == 0, "%s", err.message);
	ft_all_used();
	HAS(ft_body_at(4), "<name>[LocalDS_1] vm-1</name>");
	HAS(ft_body_at(4), "<datacenter type=\"Datacenter\">datacenter-2"
	                "</datacenter>");
	vs_created_free(v);
}
END_TEST

/* vCenter stops answering at the power-on: the call ends at its
 * deadline with a transient error, nothing more is sent until it
 * cleans up, and the cleanup (power off, destroy, directory) then runs
 * in its allowance. */
START_TEST(test_deadline_then_cleanup)
{
	static const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_created *v = made(3000);
	struct vs_client_opts o;
	struct err cerr = { 0 };
	size_t calls;

	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_step("PowerOnVM_Task", 200)->body = strdup("");
	ft.delay[ft.nsteps - 1] = 500;
	ft_task("PowerOffVM_Task", NULL, NULL);
	ft_task("Destroy_Task", NULL, NULL);
	ft_task("DeleteDatastoreFile_Task", NULL, NULL);
	ft_client_opts(&o);
	o.deadline_s = 100;
	cl = ft_connect_opts(&o);
	ck_assert_int_eq(vs_create_finish(cl, v, "DC0", SETTINGS,
	                                  strlen(SETTINGS), "x", 1, NULL,
	                                  &err), ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_msg(strstr(err.message, "deadline of 100 s exceeded") !=
	              NULL, "%s", err.message);
	ck_assert_double_eq(ft.clock, FT_CLOCK_START + 100);
	calls = ft_calls();
	ck_assert_int_lt(vs_create_destroy(cl, &dc, v, "LocalDS_1", "vm-1",
	                                   &cerr), 0);
	ck_assert_uint_eq(ft_calls(), calls);
	vs_client_cleanup(cl);
	err_clear(&cerr);
	ck_assert_msg(vs_create_destroy(cl, &dc, v, "LocalDS_1", "vm-1",
	                                &cerr) == 0, "%s", cerr.message);
	ft_all_used();
	vs_created_free(v);
}
END_TEST

START_TEST(test_destroy_never_powered)
{
	static const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_created *v = made(3000);

	ft_task("Destroy_Task", NULL, NULL);
	ft_task("DeleteDatastoreFile_Task", NULL, "FileNotFound");
	connect_client();
	ck_assert_msg(vs_create_destroy(cl, &dc, v, "LocalDS_1", "vm-1",
	                                &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert_str_eq(ft_op_at(0), "Destroy_Task");
	vs_created_free(v);
}
END_TEST

START_TEST(test_destroy_without_vm)
{
	static const struct vs_moref dc = { "Datacenter", "datacenter-2" };

	ft_task("DeleteDatastoreFile_Task", NULL, "FileNotFound");
	connect_client();
	ck_assert_msg(vs_create_destroy(cl, &dc, NULL, "LocalDS_1", "vm-1",
	                                &err) == 0, "%s", err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 2);
}
END_TEST

START_TEST(test_destroy_fails)
{
	static const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_created *v = made(3000);

	ft_task("Destroy_Task", NULL, "InvalidPowerState");
	ft_task("DeleteDatastoreFile_Task", NULL, NULL);
	connect_client();
	ck_assert_int_lt(vs_create_destroy(cl, &dc, v, "LocalDS_1", "vm-1",
	                                   &err), 0);
	HAS(err.message, "cleanup: destroying vm-1");
	ft_all_used();     /* the directory is still deleted */
	vs_created_free(v);
}
END_TEST

/* --- base64 ----------------------------------------------------------- */

START_TEST(test_base64)
{
	static const char *const in[] = {
		"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe",
	};
	static const char *const out[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
		"Zm9vYmFy", "//4=",
	};
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *s = NULL;

		ck_assert_int_eq(vs_base64(&s, in[i], strlen(in[i]), &err), 0);
		ck_assert_str_eq(s, out[i]);
		free(s);
	}
}
END_TEST

/* --- input checks through the binary ---------------------------------- */

static json_t *
run_create(json_t *args, struct cpi_test_run *r)
{
	char *argv[] = { (char *)cpi_test_binary(), NULL, NULL };
	char config[4096];
	json_t *req, *resp;
	char *text;

	snprintf(config, sizeof(config), "%s", cpi_test_data("cpi/cpi.json"));
	argv[1] = config;
	req = json_pack("{s:s,s:o,s:i}", "method", "create_vm", "arguments",
	                args, "api_version", 2);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(cpi_test_run(r, argv, text, strlen(text)), 0);
	free(text);
	ck_assert_int_eq(r->status, 0);
	resp = json_loads(r->out, 0, NULL);
	ck_assert_msg(resp != NULL, "no response: %s", r->err);
	return resp;
}

static json_t *
good_net(void)
{
	return json_pack("{s:{s:s,s:s,s:s,s:s,s:{s:s}}}", "n", "type",
	                 "manual", "ip", "10.0.0.5", "netmask",
	                 "255.255.255.0", "gateway", "10.0.0.1",
	                 "cloud_properties", "name", "VM Network");
}

#define SC "sc-0e5a6b44-8d3c-4b6a-9a8e-2f1b3c4d5e6f"

static const struct {
	const char *cp;             /* cloud_properties JSON */
	const char *nets;           /* networks JSON, NULL: good_net() */
	const char *stemcell;
	const char *needle;
} refused[] = {
	{ "null", NULL, SC, "cloud_properties with cpu, ram and disk" },
	{ "{\"ram\":512,\"disk\":1}", NULL, SC,
	  "cloud_properties.cpu is required" },
	{ "{\"cpu\":1,\"ram\":0,\"disk\":1}", NULL, SC,
	  "cloud_properties.ram must be an integer" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":-1}", NULL, SC,
	  "cloud_properties.disk must be" },
	{ "{\"cpu\":\"2\",\"ram\":512,\"disk\":1}", NULL, SC,
	  "cloud_properties.cpu must be" },
	{ "{\"cpu\":1.5,\"ram\":512,\"disk\":1}", NULL, SC,
	  "cloud_properties.cpu must be" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1,\"datastores\":[{}]}", NULL, SC,
	  "datastores[0] must be a datastore name" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1,\"datacenters\":"
	  "[{\"name\":\"other\"}]}", NULL, SC,
	  "datacenters[0].name must be the configured" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1}", "{}", SC,
	  "networks must hold 1 to" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1}",
	  "{\"a\":{\"ip\":\"10.0.0.5\",\"netmask\":\"255.255.255.0\","
	  "\"gateway\":\"10.0.0.1\",\"default\":[\"gateway\",\"dns\"],"
	  "\"cloud_properties\":{\"name\":\"x\"}},"
	  "\"b\":{\"ip\":\"10.1.0.5\",\"netmask\":\"255.255.255.0\","
	  "\"gateway\":\"10.1.0.1\",\"default\":[\"gateway\"],"
	  "\"cloud_properties\":{\"name\":\"y\"}}}", SC,
	  "both the default for gateway" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1}",
	  "{\"a\":{\"ip\":\"10.0.0.5\",\"netmask\":\"255.255.255.0\"}}", SC,
	  "networks:" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1}",
	  "{\"a\":{\"ip\":5,\"netmask\":\"255.255.255.0\","
	  "\"cloud_properties\":{\"name\":\"x\"}}}", SC,
	  "ip must be a string" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1}",
	  "{\"a\":{\"ip\":\"10.0.0.5\",\"netmask\":\"255.255.255.0\","
	  "\"dns\":\"8.8.8.8\",\"cloud_properties\":{\"name\":\"x\"}}}", SC,
	  "dns must be an array" },
	{ "{\"cpu\":1,\"ram\":512,\"disk\":1}", NULL, "vm-123",
	  "stemcell_cid is not a stemcell id" },
};

/* create_vm with cp and nets (both taken) is refused with needle in its
 * message before anything reaches vCenter. */
static void
expect_refused(json_t *cp, json_t *nets, const char *stemcell,
               const char *needle)
{
	struct cpi_test_run r;
	json_t *args, *resp, *e;
	const char *msg;

	ck_assert_ptr_nonnull(cp);
	ck_assert_ptr_nonnull(nets);
	args = json_pack("[s,s,o,o,[],{s:{s:s}}]", "agent", stemcell, cp,
	                 nets, "bosh", "password", "env-secret-1");
	resp = run_create(args, &r);
	e = json_object_get(resp, "error");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")),
	                 "Bosh::Clouds::CloudError");
	ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
	msg = json_string_value(json_object_get(e, "message"));
	ck_assert_msg(strstr(msg, needle) != NULL, "message: %s", msg);
	/* Nothing reached vCenter (the config's 127.0.0.1:443 would have
	 * answered with a connection error) and the env never shows. */
	ck_assert_ptr_null(strstr(r.err, "Login"));
	ck_assert_ptr_null(strstr(r.out, "env-secret-1"));
	ck_assert_ptr_null(strstr(r.err, "env-secret-1"));
	json_decref(resp);
	cpi_test_run_clear(&r);
}

START_TEST(test_refused_before_vcenter)
{
	json_t *cp, *nets;

	cp = json_loads(refused[_i].cp, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	                NULL);
	nets = refused[_i].nets != NULL ?
	       json_loads(refused[_i].nets, JSON_ALLOW_NUL, NULL) : good_net();
	expect_refused(cp, nets, refused[_i].stemcell, refused[_i].needle);
}
END_TEST

/* A list over its limit says so, with the limit (65 DNS servers were
 * refused as "dns must be an array of strings"). */
START_TEST(test_list_limits_named)
{
	json_t *nets, *list, *cp;
	char ip[32];
	int i;

	nets = good_net();
	list = json_array();
	for (i = 0; i < 65; i++) {
		snprintf(ip, sizeof(ip), "10.9.0.%d", i + 1);
		json_array_append_new(list, json_string(ip));
	}
	json_object_set(json_object_get(nets, "n"), "dns", list);
	expect_refused(json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 512,
	                         "disk", 1), nets, SC,
	               "network 'n': dns has 65 entries, at most 64 are "
	               "supported");
	/* 64 pass (the next key, read after dns, is what is refused) */
	json_array_remove(list, 0);
	nets = good_net();
	json_object_set(json_object_get(nets, "n"), "dns", list);
	json_object_set_new(json_object_get(nets, "n"), "default",
	                    json_string("dns"));
	expect_refused(json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 512,
	                         "disk", 1), nets, SC,
	               "network 'n': default must be an array of strings");
	json_decref(list);

	list = json_array();
	for (i = 0; i < 65; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s}",
		                      "destination", "10.8.0.0", "netmask",
		                      "255.255.255.0", "gateway", "10.0.0.1"));
	nets = good_net();
	json_object_set_new(json_object_get(nets, "n"), "routes", list);
	expect_refused(json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 512,
	                         "disk", 1), nets, SC,
	               "network 'n': routes has 65 entries, at most 64");

	list = json_array();
	for (i = 0; i < 65; i++)
		json_array_append_new(list, json_string("ds"));
	cp = json_pack("{s:i,s:i,s:i,s:o}", "cpu", 1, "ram", 512, "disk", 1,
	               "datastores", list);
	expect_refused(cp, good_net(), SC, "cloud_properties.datastores has "
	               "65 entries, at most 64 are supported");
}
END_TEST

/* --- leftovers of killed calls ---------------------------------------- */

#define LOBJ(id, name, extra)                                           \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet><name>" \
	"name</name><val xsi:type=\"xsd:string\">" name "</val></propSet>"  \
	"<propSet><name>config.extraConfig</name><val xsi:type=\""          \
	"ArrayOfOptionValue\">" extra "</val></propSet></objects>"
#define LOPT(k, v) "<OptionValue xsi:type=\"OptionValue\"><key>" k       \
	"</key><value xsi:type=\"xsd:string\">" v "</value></OptionValue>"

/* cpi_json_text: a JSON string without an embedded NUL, else NULL. */
START_TEST(test_json_text)
{
	json_t *s = json_string("vm-group"), *nul = json_stringn("a\0b", 3);
	json_t *num = json_integer(1);

	ck_assert_str_eq(cpi_json_text(s), "vm-group");
	ck_assert_ptr_null(cpi_json_text(nul));
	ck_assert_ptr_null(cpi_json_text(num));
	ck_assert_ptr_null(cpi_json_text(NULL));
	json_decref(s);
	json_decref(nul);
	json_decref(num);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("create_vm");
	TCase *tc = tcase_create("placement");

	/* test_place_spread_weighted places 259 times: seconds under the
	 * sanitizers */
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_place_basic);
	tcase_add_test(tc, test_place_pool_and_names);
	tcase_add_test(tc, test_place_spread_weighted);
	tcase_add_test(tc, test_place_disk_headroom);
	tcase_add_test(tc, test_place_near_disks);
	tcase_add_loop_test(tc, test_place_refused, 0,
	                    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_place_effective_memory);
	tcase_add_test(tc, test_place_unknown_cluster);
	tcase_add_test(tc, test_place_host_group_must);
	tcase_add_test(tc, test_place_host_group_should_and_missing);
	tcase_add_test(tc, test_place_memory_breaks_ties);
	tcase_add_test(tc, test_place_reads_stemcell);
	tcase_add_test(tc, test_place_stemcell_not_found);
	tcase_add_test(tc, test_place_stemcell_not_a_vm);
	tcase_add_test(tc, test_place_stemcell_gone);
	tcase_add_test(tc, test_place_stemcell_read_fails);
	tcase_add_test(tc, test_json_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_folder_exists);
	tcase_add_test(tc, test_folder_created_below_deepest);
	tcase_add_test(tc, test_folder_created_from_vm_folder);
	tcase_add_test(tc, test_folder_race);
	tcase_add_test(tc, test_folder_fails);
	tcase_add_test(tc, test_clone);
	tcase_add_test(tc, test_clone_full_without_snapshot);
	tcase_add_test(tc, test_clone_wrong_port_group);
	tcase_add_test(tc, test_clone_too_few_nics);
	tcase_add_test(tc, test_clone_fault);
	tcase_add_test(tc, test_clone_fault_vm_made);
	tcase_add_test(tc, test_clone_marked);
	tcase_add_test(tc, test_clone_outcome_unknown);
	tcase_add_test(tc, test_clone_outcome_unknown_no_vm);
	tcase_add_test(tc, test_clone_no_cdrom);
	tcase_add_test(tc, test_clone_bad_request);
	tcase_add_test(tc, test_finish);
	tcase_add_test(tc, test_ip_conflict_found);
	tcase_add_test(tc, test_ip_conflict_none);
	tcase_add_test(tc, test_finish_vmx_options);
	tcase_add_test(tc, test_finish_vm_options);
	tcase_add_test(tc, test_finish_converts_controller);
	tcase_add_test(tc, test_finish_grows_root_disk);
	tcase_add_test(tc, test_finish_disable_drs);
	tcase_add_test(tc, test_redeliver);
	tcase_add_test(tc, test_clone_opaque_nic);
	tcase_add_test(tc, test_place_same_name);
	tcase_add_test(tc, test_finish_upgrade_hw);
	tcase_add_test(tc, test_finish_upgrade_hw_skip);
	tcase_add_test(tc, test_finish_upgrade_hw_faults);
	tcase_add_test(tc, test_finish_removes_stemcell_nic_with_its_type);
	tcase_add_test(tc, test_finish_adds_cdrom);
	tcase_add_test(tc, test_finish_upload_fails);
	tcase_add_test(tc, test_finish_power_on_fails);
	tcase_add_test(tc, test_destroy_after_power_on);
	tcase_add_test(tc, test_destroy_never_powered);
	tcase_add_test(tc, test_deadline_then_cleanup);
	tcase_add_test(tc, test_destroy_without_vm);
	tcase_add_test(tc, test_destroy_fails);
	tcase_add_test(tc, test_base64);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_refused_before_vcenter, 0,
	                    (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, test_list_limits_named);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

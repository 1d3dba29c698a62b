/*
 * check_paging: every read that can outgrow one page, answered in 3 or
 * more pages as a real vCenter does (RetrievePropertiesEx with a token,
 * then ContinueRetrievePropertiesEx until a page comes without one; the
 * simulator never pages by itself).  Each test puts what it looks for on
 * a later page, so a read that stopped after the first page would give
 * another answer: placement (its networks and datastores), the
 * datastore list of the disk calls, the VM look-up by name, the disk
 * users check that guards delete_disk.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/create.h"
#include "vsphere/disk.h"
#include "vsphere/placement.h"
#include "vsphere/placement_int.h"
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

/* Queues pages[0..n-1] (each a run of <objects> elements) as the first
 * reply and its continuations, tokens "tok-1" … on all but the last. */
static void
queue_pages(const char *const *pages, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char tok[48] = "";
		char *inner;

		if (i + 1 < n)
			snprintf(tok, sizeof(tok), "<token>tok-%zu</token>",
			         i + 1);
		inner = ft_fmt("<returnval>%s%s</returnval>", tok, pages[i]);
		ft_reply(i == 0 ? "RetrievePropertiesEx"
		                : "ContinueRetrievePropertiesEx", inner);
		free(inner);
	}
}

/* Requests first..first+n-1 were the read and its continuations, each
 * continuation carrying the token of the page before. */
static void
assert_paged(size_t first, size_t n)
{
	size_t i;

	ck_assert_str_eq(ft_op_at(first), "RetrievePropertiesEx");
	for (i = 1; i < n; i++) {
		char tok[48];

		ck_assert_str_eq(ft_op_at(first + i),
		                 "ContinueRetrievePropertiesEx");
		snprintf(tok, sizeof(tok), "<token>tok-%zu</token>", i);
		ck_assert_msg(strstr(ft_body_at(first + i), tok) != NULL,
		              "continuation %zu lacks %s", i, tok);
	}
}

/* --- placement: the inventory read in pages ------------------------ */

/* The canned inventory's <objects> elements (malloc'd copies). */
struct objs {
	char *items[64];
	size_t n;
};

static void
objs_free(struct objs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->items[i]);
	o->n = 0;
}

static void
objs_load(struct objs *o, const char *rel)
{
	static const char open_tag[] = "<objects>", close_tag[] = "</objects>";
	char *text = ft_read_data(rel);
	const char *p = text, *e;

	o->n = 0;
	while ((p = strstr(p, open_tag)) != NULL) {
		e = strstr(p, close_tag);
		ck_assert_ptr_nonnull(e);
		e += strlen(close_tag);
		ck_assert_uint_lt(o->n, sizeof(o->items) / sizeof(o->items[0]));
		o->items[o->n] = strndup(p, (size_t)(e - p));
		ck_assert_ptr_nonnull(o->items[o->n]);
		o->n++;
		p = e;
	}
	free(text);
	ck_assert_uint_gt(o->n, 10);
}

static bool
obj_is(const char *obj, const char *type)
{
	char pat[80];

	snprintf(pat, sizeof(pat), "<obj type=\"%s\">", type);
	return strstr(obj, pat) != NULL;
}

static bool
is_network(const char *obj)
{
	return obj_is(obj, "Network") ||
	       obj_is(obj, "DistributedVirtualPortgroup") ||
	       obj_is(obj, "OpaqueNetwork") ||
	       obj_is(obj, "VmwareDistributedVirtualSwitch");
}

/* How the objects are spread over the pages. */
enum split {
	SPLIT_TYPED,            /* the rest, then datastores, then networks */
	SPLIT_ROUND_ROBIN,      /* object i on page i % 4 */
};

static size_t
page_of(enum split how, const char *obj, size_t i)
{
	if (how == SPLIT_ROUND_ROBIN)
		return i % 4;
	if (is_network(obj))
		return 2;
	if (obj_is(obj, "Datastore"))
		return 1;
	return 0;
}

static size_t
queue_inventory(enum split how)
{
	struct objs o;
	char *pages[4] = { NULL, NULL, NULL, NULL };
	size_t npages = how == SPLIT_ROUND_ROBIN ? 4 : 3, i, k;

	objs_load(&o, "create_vm/inventory.xml");
	for (k = 0; k < npages; k++)
		pages[k] = ft_fmt("%s", "");
	for (i = 0; i < o.n; i++) {
		char *grown;

		k = page_of(how, o.items[i], i);
		grown = ft_fmt("%s%s", pages[k], o.items[i]);
		free(pages[k]);
		pages[k] = grown;
	}
	for (k = 0; k < npages; k++)
		ck_assert_msg(pages[k][0] != '\0', "page %zu empty", k);
	queue_pages((const char *const *)pages, npages);
	for (k = 0; k < npages; k++)
		free(pages[k]);
	objs_free(&o);
	return npages;
}

static const struct vs_placement_cluster both[] = {
	{ .name = "C0" }, { .name = "C1" },
};

static const char *const pgs[] = {
	"BOSH-V4", "DC0_DVPG0", "DVS1/PG", "VM Network",
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
	r.port_groups = pgs;
	r.nport_groups = sizeof(pgs) / sizeof(pgs[0]);
	r.vm_folder = "BOSH_VMs/sub";
	r.rand = vs_placement_rand_fixed;	/* the same pick each time */
	return r;
}

/* The VM folder BOSH_VMs/sub, looked up by inventory path after the
 * inventory read. */
static void
reply_vm_folder(void)
{
	ft_reply("FindByInventoryPath",
	         "<returnval type=\"Folder\">folder-71</returnval>");
}

static struct vs_placement *
place_single(void)
{
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;

	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	reply_vm_folder();
	connect_client();
	ck_assert_msg(vs_placement_find(&p, cl, &r, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	vs_client_free(cl);
	cl = NULL;
	ft_clear();
	ft_reset(NULL);
	return p;
}

static void
assert_same_ref(const struct vs_moref *a, const struct vs_moref *b)
{
	ck_assert_str_eq(a->type, b->type);
	ck_assert_str_eq(a->value, b->value);
}

static void
assert_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

/* The same placement from 3 (typed) or 4 (round-robin) pages as from
 * one reply: every network and datastore is found on its page. */
START_TEST(test_placement_pages)
{
	enum split how = _i == 0 ? SPLIT_TYPED : SPLIT_ROUND_ROBIN;
	struct vs_placement_req r = base_req();
	struct vs_placement *one = place_single(), *p = NULL;
	size_t npages, i;

	npages = queue_inventory(how);
	/* the details of the distributed port groups asked for, paged too */
	queue_inventory(how);
	reply_vm_folder();
	connect_client();
	ck_assert_msg(vs_placement_find(&p, cl, &r, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 2 * npages + 1);
	assert_paged(npages, npages);
	assert_paged(0, npages);
	assert_same_ref(&p->datacenter, &one->datacenter);
	assert_same_ref(&p->vm_folder, &one->vm_folder);
	ck_assert_uint_eq(p->vm_folder_found, one->vm_folder_found);
	ck_assert_str_eq(p->cluster, one->cluster);
	assert_same_ref(&p->pool, &one->pool);
	ck_assert_str_eq(p->datastore, one->datastore);
	assert_same_ref(&p->datastore_ref, &one->datastore_ref);
	ck_assert_int_eq(p->datastore_free_mb, one->datastore_free_mb);
	ck_assert_uint_eq(p->npgs, r.nport_groups);
	ck_assert_uint_eq(one->npgs, r.nport_groups);
	for (i = 0; i < p->npgs; i++) {
		ck_assert_int_eq(p->pgs[i].kind, one->pgs[i].kind);
		assert_same_ref(&p->pgs[i].network, &one->pgs[i].network);
		assert_same_str(p->pgs[i].switch_uuid,
		                one->pgs[i].switch_uuid);
		assert_same_str(p->pgs[i].portgroup_key,
		                one->pgs[i].portgroup_key);
	}
	vs_placement_free(one);
	vs_placement_free(p);
}
END_TEST

/* Of the networks, the inventory read keeps those a port group asked
 * for can name (whole name or last '/' part), on whichever page they
 * come; every other object is kept.  Without names: every network. */
static void
count_read(size_t *nets, size_t *others, const char *const *names,
           size_t nnames)
{
	struct vs_objects *objs = NULL;
	size_t i;

	queue_inventory(SPLIT_ROUND_ROBIN);
	connect_client();
	ck_assert_msg(vs_place__read(&objs, cl, 0, NULL, NULL, names, nnames,
	                             &err) == 0, "%s", err.message);
	ft_all_used();
	*nets = *others = 0;
	for (i = 0; i < objs->n; i++) {
		const char *t = objs->items[i].obj.type;

		if (strcmp(t, "Network") == 0 || strcmp(t, "OpaqueNetwork") == 0 ||
		    strcmp(t, "DistributedVirtualPortgroup") == 0)
			(*nets)++;
		else
			(*others)++;
	}
	vs_objects_free(objs);
	vs_client_free(cl);
	cl = NULL;
	ft_clear();
	ft_reset(NULL);
}

START_TEST(test_placement_read_keeps_named_networks)
{
	static const char *const names[] = { "DVS1/PG", "VM Network", "seg",
	                                     "folder/nothing/" };
	size_t all_nets, all_others, nets, others;

	count_read(&all_nets, &all_others, NULL, 0);
	ck_assert_uint_eq(all_nets, 14);
	count_read(&nets, &others, names, sizeof(names) / sizeof(names[0]));
	/* PG twice, VM Network, seg as two port groups and an opaque one */
	ck_assert_uint_eq(nets, 6);
	ck_assert_uint_eq(others, all_others);
	count_read(&nets, &others, names, 0);
	ck_assert_uint_eq(nets, 0);
	ck_assert_uint_eq(others, all_others);
}
END_TEST

/* A network the filter drops is not read at all, so a broken one (a
 * propSet without <val>) no port group asked for costs nothing, while
 * the same object under a name asked for is read and fails the read. */
START_TEST(test_placement_drops_unread)
{
	static const char broken[] =
		"<returnval><objects><obj type=\"Network\">network-99</obj>"
		"<propSet><name>name</name><val>Broken</val></propSet>"
		"<propSet><name>parent</name></propSet></objects></returnval>";
	static const char *const other[] = { "VM Network" };
	static const char *const asked[] = { "Broken" };
	struct vs_objects *objs = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *const *names = i == 0 ? other : asked;
		int rc;

		ft_reset(NULL);
		err_clear(&err);
		ft_reply("RetrievePropertiesEx", broken);
		connect_client();
		rc = vs_place__read(&objs, cl, 0, NULL, NULL, names, 1, &err);
		if (i == 0) {
			ck_assert_msg(rc == 0, "%s", err.message);
			ck_assert_uint_eq(objs->n, 0);
		} else {
			ck_assert_int_eq(rc, ERR_EPARSE);
			ck_assert_msg(strstr(err.message, "parent") != NULL,
			              "%s", err.message);
		}
		vs_objects_free(objs);
		objs = NULL;
		vs_client_free(cl);
		cl = NULL;
		ft_clear();
	}
}
END_TEST

/* Networks only on the last page: without it, the port groups asked
 * for are not found (the control for the test above). */
START_TEST(test_placement_last_page_needed)
{
	struct vs_placement_req r = base_req();
	struct vs_placement *p = NULL;
	struct objs o;
	char *page = ft_fmt("%s", "");
	size_t i;

	objs_load(&o, "create_vm/inventory.xml");
	for (i = 0; i < o.n; i++) {
		char *grown;

		if (is_network(o.items[i]))
			continue;
		grown = ft_fmt("%s%s", page, o.items[i]);
		free(page);
		page = grown;
	}
	objs_free(&o);
	queue_pages((const char *const *)&page, 1);
	free(page);
	connect_client();
	ck_assert_int_ne(vs_placement_find(&p, cl, &r, &err), 0);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.message, "BOSH-V4") != NULL, "%s",
	              err.message);
}
END_TEST

/* --- datastores of the disk calls ---------------------------------- */

#define DS(ref, name, free)                                             \
	"<objects><obj type=\"Datastore\">" ref "</obj><propSet><name>" \
	"summary</name><val xsi:type=\"DatastoreSummary\"><datastore "  \
	"type=\"Datastore\">" ref "</datastore><name>" name "</name>"   \
	"<url>ds:///" ref "/</url><capacity>1000000000000</capacity>"   \
	"<freeSpace>" free "</freeSpace><accessible>true</accessible>"  \
	"<type>VMFS</type></val></propSet></objects>"

START_TEST(test_disk_datastores_pages)
{
	static const char *const pages[] = {
		DS("ds-1", "LocalDS_0", "100") DS("ds-2", "LocalDS_1", "200"),
		DS("ds-3", "Shared_0", "300"),
		DS("ds-4", "Shared_1", "400") DS("ds-5", "Shared_2", "500"),
	};
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_disk_dss *dss = NULL;
	size_t i;

	queue_pages(pages, 3);
	connect_client();
	ck_assert_msg(vs_disk_datastores(&dss, cl, &dc, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 3);
	assert_paged(0, 3);
	/* One read from the datacenter (Datacenter.datastore), no
	 * container view. */
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<path>datastore</path>"));
	ck_assert_uint_eq(dss->n, 5);
	for (i = 0; i < dss->n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "ds-%zu", i + 1);
		ck_assert_str_eq(dss->items[i].ref.value, want);
		ck_assert_int_eq(dss->items[i].free_space,
		                 (long long)(i + 1) * 100);
	}
	ck_assert_str_eq(dss->items[4].name, "Shared_2");
	vs_disk_dss_free(dss);
}
END_TEST

/* The datastores with what the VM's host reaches, in the same read:
 * the host's list on the last page. */
START_TEST(test_disk_datastores_near_pages)
{
	static const char *const pages[] = {
		DS("ds-1", "LocalDS_0", "100"),
		DS("ds-2", "LocalDS_1", "200") DS("ds-3", "Shared_0", "300"),
		"<objects><obj type=\"HostSystem\">host-7</obj><propSet>"
		"<name>datastore</name><val xsi:type=\""
		"ArrayOfManagedObjectReference\"><ManagedObjectReference "
		"type=\"Datastore\">ds-3</ManagedObjectReference>"
		"</val></propSet></objects>",
	};
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	const struct vs_moref host = { "HostSystem", "host-7" };
	struct vs_disk_dss *dss = NULL;
	struct vs_disk_reach reach = {0};
	bool has_reach = false;

	queue_pages(pages, 3);
	connect_client();
	ck_assert_msg(vs_disk_datastores_near(&dss, &reach, &has_reach, cl,
	                                      &dc, &host, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 3);
	assert_paged(0, 3);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), ">host-7</obj>"));
	ck_assert_uint_eq(dss->n, 3);
	ck_assert(has_reach);
	ck_assert_uint_eq(reach.n, 1);
	ck_assert(vs_disk_ds_reaches(&dss->items[2], &reach));
	ck_assert(!vs_disk_ds_reaches(&dss->items[0], &reach));
	vs_disk_reach_clear(&reach);
	vs_disk_dss_free(dss);
}
END_TEST

#define HOSTDS(id, ds)                                                  \
	"<objects><obj type=\"HostSystem\">" id "</obj><propSet><name>" \
	"datastore</name><val xsi:type=\"ArrayOfManagedObjectReference\">" \
	"<ManagedObjectReference type=\"Datastore\">" ds                \
	"</ManagedObjectReference></val></propSet></objects>"

/* create_disk near a VM: the VM's runtime.host on the first page, its
 * cluster's hosts on later ones; the reach is that of the VM's own host
 * (host-2, on the last page), not of the other one. */
START_TEST(test_disk_datastores_near_vm_pages)
{
	static const char *const pages[] = {
		"<objects><obj type=\"VirtualMachine\">vm-5</obj><propSet>"
		"<name>runtime.host</name><val type=\"HostSystem\" xsi:type="
		"\"ManagedObjectReference\">host-2</val></propSet></objects>"
		DS("ds-1", "LocalDS_0", "100"),
		HOSTDS("host-1", "ds-1") DS("ds-2", "LocalDS_1", "200"),
		HOSTDS("host-2", "ds-2"),
	};
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	const struct vs_moref vm = { "VirtualMachine", "vm-5" };
	struct vs_disk_dss *dss = NULL;
	struct vs_disk_reach reach = {0};
	bool has_reach = false;

	queue_pages(pages, 3);
	connect_client();
	ck_assert_msg(vs_disk_datastores_near(&dss, &reach, &has_reach, cl,
	                                      &dc, &vm, &err) == 0, "%s",
	              err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 3);
	assert_paged(0, 3);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<path>owner</path>"));
	ck_assert_uint_eq(dss->n, 2);
	ck_assert(has_reach);
	ck_assert(vs_disk_ds_reaches(&dss->items[1], &reach));
	ck_assert(!vs_disk_ds_reaches(&dss->items[0], &reach));
	vs_disk_reach_clear(&reach);
	vs_disk_dss_free(dss);
}
END_TEST

/* --- VMs: look-up by name, disk users ------------------------------ */

#define VM(id, name)                                                    \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet>"   \
	"<name>name</name><val xsi:type=\"xsd:string\">" name "</val>"  \
	"</propSet></objects>"

/* The VMs under a folder: one read walking the folders (vs_pc_list),
 * in pages. */
static void
queue_vms(const char *const *pages, size_t n)
{
	queue_pages(pages, n);
}

START_TEST(test_vm_find_by_name_pages)
{
	static const char *const pages[] = {
		VM("vm-1", "a") VM("vm-2", "b"),
		VM("vm-3", "c"),
		VM("vm-4", "d") VM("vm-5", "wanted"),
	};
	static const char *const dup[] = {
		VM("vm-1", "wanted"),
		VM("vm-2", "b"),
		VM("vm-3", "c"),
		VM("vm-4", "wanted"),
	};
	const struct vs_moref root = { "Folder", "group-v3" };
	struct vs_moref vm;
	size_t n = 0;

	queue_vms(pages, 3);
	connect_client();
	ck_assert_msg(vs_vm_find_by_name(&vm, &n, cl, &root, "wanted",
	                                 &err) == 0, "%s", err.message);
	ft_all_used();
	assert_paged(0, 3);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(vm.value, "vm-5");
	vs_client_free(cl);
	cl = NULL;

	/* a second VM of the name on the last of 4 pages is counted */
	ft_clear();
	ft_reset(NULL);
	queue_vms(dup, 4);
	connect_client();
	ck_assert_msg(vs_vm_find_by_name(&vm, &n, cl, &root, "wanted",
	                                 &err) == 0, "%s", err.message);
	ft_all_used();
	assert_paged(0, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(vm.value, "vm-1");
}
END_TEST

#define VMDISK(id, name, file)                                          \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet><name>" \
	"name</name><val xsi:type=\"xsd:string\">" name "</val></propSet>"  \
	"<propSet><name>config.hardware.device</name><val xsi:type=\""      \
	"ArrayOfVirtualDevice\"><VirtualDevice xsi:type=\"VirtualDisk\">"   \
	"<key>2000</key><backing xsi:type=\"VirtualDiskFlatVer2Backing"     \
	"Info\"><fileName>" file "</fileName><diskMode>persistent"          \
	"</diskMode></backing><controllerKey>1000</controllerKey>"          \
	"<unitNumber>0</unitNumber><capacityInKB>1024</capacityInKB>"       \
	"</VirtualDevice></val></propSet></objects>"

/* delete_disk's guard: a VM using the disk on the last page is seen, so
 * the disk is not deleted from under it. */
START_TEST(test_disk_users_pages)
{
	static const char *const pages[] = {
		VMDISK("vm-1", "vm-a", "[LocalDS_0] vm-a/vm-a.vmdk"),
		VMDISK("vm-2", "vm-b", "[LocalDS_0] BOSH_Disks/disk-99.vmdk"),
		VMDISK("vm-3", "vm-c", "[LocalDS_0] vm-c/vm-c.vmdk")
		VMDISK("vm-4", "vm-d", "[LocalDS_1] BOSH_Disks/disk-9.vmdk"),
	};
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_vm_names *users = NULL;

	queue_pages(pages, 3);
	connect_client();
	ck_assert_msg(vs_disk_users(&users, cl, &dc, "disk-9", &err) == 0,
	              "%s", err.message);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 3);
	assert_paged(0, 3);
	ck_assert_uint_eq(users->n, 1);
	ck_assert_str_eq(users->items[0], "vm-d");
	vs_vm_names_free(users);
}
END_TEST

static Suite *
paging_suite(void)
{
	Suite *s = suite_create("paging");
	TCase *tc = tcase_create("pages");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_placement_pages, 0, 2);
	tcase_add_test(tc, test_placement_last_page_needed);
	tcase_add_test(tc, test_placement_read_keeps_named_networks);
	tcase_add_test(tc, test_placement_drops_unread);
	tcase_add_test(tc, test_disk_datastores_pages);
	tcase_add_test(tc, test_disk_datastores_near_pages);
	tcase_add_test(tc, test_disk_datastores_near_vm_pages);
	tcase_add_test(tc, test_vm_find_by_name_pages);
	tcase_add_test(tc, test_disk_users_pages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(paging_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

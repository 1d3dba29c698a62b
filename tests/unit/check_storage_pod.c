/*
 * check_storage_pod: datastore clusters (vsphere/storage_pod.h) as
 * placement (vsphere/placement.h) and create_disk's choice
 * (vsphere/disk.h) use them, and the datastores list's cluster entries
 * (cpi/storage_list.h).
 *
 * Placement runs through a real client over a fake transport against
 * tests/data/create_vm/inventory_pods.xml: the canned inventory of
 * check_create_vm with three pods in DC0's datastore folder: SP_ON
 * (LocalDS_1, 50 GB free; Storage DRS on), SP_ON2 (LocalDS_0, 10 GB; on)
 * and, in folder "sub", SP_OFF (other-ds, 500 GB; Storage DRS off).  The
 * draw is fixed (the most free space wins).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/error.h"
#include "cpi/storage_list.h"
#include "tests/support/fake_transport.h"
#include "vsphere/disk.h"
#include "vsphere/placement.h"
#include "vsphere/storage_pod.h"
#include "vsphere/vsphere.h"

static struct vs_client *cl;
static struct err err;

static const struct vs_placement_cluster c0[] = { { .name = "C0" } };

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

static struct vs_placement_req
base_req(void)
{
	struct vs_placement_req r;

	memset(&r, 0, sizeof(r));
	r.datacenter = "DC0";
	r.clusters = c0;
	r.nclusters = 1;
	r.datastore_pattern = "^LocalDS_";
	r.memory_mb = 1024;
	r.disk_mb = 2048;
	r.rand = vs_placement_rand_fixed;
	return r;
}

/* One placement read of the pods inventory: 0 or the error code; the
 * chosen datastore's name into *ds (NULL on error). */
static int
place(char **ds, const struct vs_placement_req *r)
{
	struct vs_placement *p = NULL;
	struct vs_client_opts o;
	int rc;

	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory_pods.xml");
	ft_client_opts(&o);
	o.log = NULL;
	o.now = NULL;
	o.sleep = NULL;
	cl = ft_connect_opts(&o);
	err_clear(&err);
	rc = vs_placement_find(&p, cl, r, &err);
	ft_all_used();
	ck_assert_uint_eq(ft_calls(), 1);
	*ds = p != NULL ? strdup(p->datastore) : NULL;
	vs_placement_free(p);
	return rc;
}

#define HAS(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "missing %s", (needle))

/* Without datastore clusters nothing of them is read: the request is
 * what it always was. */
START_TEST(test_no_pods_no_bytes)
{
	struct vs_placement_req r = base_req();
	char *ds = NULL;

	ck_assert_msg(place(&ds, &r) == 0, "%s", err.message);
	ck_assert_ptr_null(strstr(ft_body_at(0), "StoragePod"));
	ck_assert_ptr_null(strstr(ft_body_at(0), "podStorageDrsEntry"));
	/* the plain pattern: LocalDS_1 has the most free space */
	ck_assert_str_eq(ds, "LocalDS_1");
	free(ds);
}
END_TEST

/* A VM type's pod: its members only, read in the same one read (a
 * PropertySpec for StoragePod: childEntity and the Storage DRS flag; the
 * folder walk reaches pods already). */
START_TEST(test_named_pod)
{
	static const char *const pods[] = { "SP_ON2" };
	struct vs_placement_req r = base_req();
	const char *body;
	char *ds = NULL;

	r.pods = pods;
	r.npods = 1;
	ck_assert_msg(place(&ds, &r) == 0, "%s", err.message);
	body = ft_body_at(0);
	HAS(body, "<propSet><type>StoragePod</type><pathSet>childEntity"
	    "</pathSet><pathSet>podStorageDrsEntry.storageDrsConfig."
	    "podConfig.enabled</pathSet></propSet>");
	/* LocalDS_1 has more room, but is no member */
	ck_assert_str_eq(ds, "LocalDS_0");
	free(ds);
}
END_TEST

/* Names and pods together: the union (other-ds is named and wins). */
START_TEST(test_names_and_pods)
{
	static const char *const pods[] = { "SP_ON2" };
	static const char *const names[] = { "other-ds" };
	struct vs_placement_req r = base_req();
	char *ds = NULL;

	r.pods = pods;
	r.npods = 1;
	r.datastores = names;
	r.ndatastores = 1;
	ck_assert_msg(place(&ds, &r) == 0, "%s", err.message);
	ck_assert_str_eq(ds, "other-ds");
	free(ds);
}
END_TEST

/* Storage DRS off: left out (the message says so); a pod in a folder
 * is named by its path; an unknown name is not found. */
START_TEST(test_pod_off_and_unknown)
{
	static const char *const off[] = { "sub/SP_OFF" };
	static const char *const bare[] = { "SP_OFF" };
	struct vs_placement_req r = base_req();
	char *ds = NULL;

	r.pods = off;
	r.npods = 1;
	ck_assert_int_eq(place(&ds, &r), ERR_ENOTFOUND);
	HAS(err.message, "of the datastore clusters named");
	HAS(err.message, "Storage DRS off");
	teardown();
	setup();
	r.pods = bare;
	ck_assert_int_eq(place(&ds, &r), ERR_ENOTFOUND);
	ck_assert_str_eq(err.message, "datastore cluster 'SP_OFF' not found");
	ck_assert_ptr_null(ds);
}
END_TEST

/* The config's datastore_cluster_pattern: matched against the pods'
 * paths; alone, the matching pods' members only; beside a pattern, both. */
START_TEST(test_pod_pattern)
{
	struct vs_placement_req r = base_req();
	char *ds = NULL;

	r.datastore_pattern = NULL;
	r.pod_pattern = "^SP_ON2$";
	ck_assert_msg(place(&ds, &r) == 0, "%s", err.message);
	ck_assert_str_eq(ds, "LocalDS_0");
	free(ds);
	teardown();
	setup();
	r.datastore_pattern = "^other";
	ck_assert_msg(place(&ds, &r) == 0, "%s", err.message);
	ck_assert_str_eq(ds, "other-ds");
	free(ds);
	teardown();
	setup();
	/* "sub/SP_OFF" matches, but Storage DRS is off */
	r.datastore_pattern = "";
	r.pod_pattern = "OFF";
	ck_assert_int_eq(place(&ds, &r), ERR_ENOTFOUND);
	HAS(err.message, "or the datastore cluster pattern");
	teardown();
	setup();
	r.pod_pattern = "(";
	ck_assert_int_eq(place(&ds, &r), ERR_EINVAL);
}
END_TEST

/* --- create_disk's choice ------------------------------------------- */

static struct vs_disk_ds items[3];
static struct vs_disk_dss dss = { .items = items, .n = 3 };

static void
make_dss(void)
{
	static const char *const names[] = { "LocalDS_0", "pod-a", "pod-b" };
	size_t i;

	memset(items, 0, sizeof(items));
	for (i = 0; i < 3; i++) {
		items[i].name = (char *)names[i];
		items[i].usable = true;
		items[i].free_space = (long long)(i + 1) << 30;
	}
	items[1].in_pod = true;
	dss.pods_wanted = false;
	dss.pods_listed = false;
	dss.pods_off = 0;
}

START_TEST(test_disk_pick_pods)
{
	const char *const named[] = { "LocalDS_0" };
	const struct vs_disk_ds *d = NULL;

	make_dss();
	/* clusters named: their members and the names */
	dss.pods_wanted = dss.pods_listed = true;
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^Local", NULL, 0,
	                                        NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "pod-a");
	items[0].free_space = 9LL << 30;
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^Local", named, 1,
	                                        NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "LocalDS_0");
	/* a cluster pattern: beside the plain pattern, or alone */
	dss.pods_listed = false;
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^pod-b", NULL, 0,
	                                        NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "pod-b");
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, NULL, NULL, 0,
	                                        NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "pod-a");
	/* only pods with Storage DRS off: nothing, and the message says so */
	items[1].in_pod = false;
	dss.pods_off = 1;
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, NULL, NULL, 0,
	                                        NULL, 1, &err), ERR_ENOTFOUND);
	HAS(err.message, "Storage DRS off");
}
END_TEST

/* --- the datastores list's cluster entries --------------------------- */

START_TEST(test_storage_clusters)
{
	json_t *ok = json_pack("{s:[{s:{}},{s:{}}]}", "clusters", "SP1",
	                       "folder/SP2");
	json_t *bad[] = {
		json_pack("{s:s}", "clusters", "SP1"),
		json_pack("{s:[s]}", "clusters", "SP1"),
		json_pack("{s:[{}]}", "clusters"),
		json_pack("{s:[{s:{}}]}", "clusters", ""),
		json_pack("{s:[{s:{s:i}}]}", "clusters", "SP1", "x", 1),
		json_pack("{s:[{s:s}]}", "clusters", "SP1", "on"),
	};
	const char *pods[2];
	size_t i, n = 0;

	ck_assert(cpi_storage_is_clusters(ok));
	ck_assert(!cpi_storage_is_clusters(json_object_get(ok, "clusters")));
	ck_assert_int_eq(cpi_storage_clusters(pods, &n, 2, ok, "x", &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(pods[0], "SP1");
	ck_assert_str_eq(pods[1], "folder/SP2");
	/* several clusters in one object (the Ruby CPI's own example):
	 * every one is taken */
	{
		json_t *two = json_pack("{s:[{s:{},s:n}]}", "clusters", "SPa",
		                        "SPb");
		const char *p2[2];
		size_t n2 = 0;

		ck_assert_int_eq(cpi_storage_clusters(p2, &n2, 2, two, "x",
		                                      &err), 0);
		ck_assert_uint_eq(n2, 2);
		ck_assert_str_eq(p2[0], "SPa");
		ck_assert_str_eq(p2[1], "SPb");
		json_decref(two);
	}
	/* no room left */
	ck_assert_int_lt(cpi_storage_clusters(pods, &n, 2, ok, "x", &err), 0);
	HAS(err.message, "x.clusters: at most 2");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		n = 0;
		ck_assert_int_lt(cpi_storage_clusters(pods, &n, 2, bad[i],
		                                      "create_vm: d[0]", &err),
		                 0);
		ck_assert_int_eq(err.type, CPI_ERROR_CLOUD);
		HAS(err.message, "create_vm: d[0].clusters");
		json_decref(bad[i]);
	}
	json_decref(ok);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("storage_pod");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_pods_no_bytes);
	tcase_add_test(tc, test_named_pod);
	tcase_add_test(tc, test_names_and_pods);
	tcase_add_test(tc, test_pod_off_and_unknown);
	tcase_add_test(tc, test_pod_pattern);
	tcase_add_test(tc, test_disk_pick_pods);
	tcase_add_test(tc, test_storage_clusters);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * check_leftovers (simulator): create_vm is crash-safe.  The clone is
 * marked as being created (extraConfig bosh.creating, set in the clone
 * spec) until create_vm has powered it on; a CPI killed in between
 * (VSPHERE_CPI_FAULTS=kill@OP: SIGKILL right after vCenter answered OP)
 * leaves a marked VM, which the next create_vm or delete_vm removes once
 * the mark is older than leftover_vm_grace_seconds.  The test ages marks
 * by writing an old time over them (as an hour passing would), never by
 * waiting.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_agent_env.h"
#include "tests/support/sim_call.h"
#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_inventory.h"
#include "tests/support/sim_stemcell.h"
#include "tests/support/sim_suite.h"
#include "vsphere/client.h"
#include "vsphere/drs.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-4c1e"

static char images[2048];
static char defcfg[4096];
static char stemcell[128];
static char outdir[2048];
static struct vs_client *cl;
static struct err err;

static void
setup(void)
{
	err_clear(&err);
	cl = sim_client_connect(NULL);
}

static void
teardown(void)
{
	vs_client_free(cl);
	cl = NULL;
}

/* create_vm arguments; with rule (not NULL) the VM joins that DRS
 * anti-affinity rule of cluster DC0_C0. */
static json_t *
create_args_rule(const char *ip, const char *rule)
{
	json_t *nets, *cp;

	nets = json_pack("{s:{s:s,s:s,s:s,s:s,s:[s],s:{s:s}}}",
	                 "default", "type", "manual", "ip", ip,
	                 "netmask", "255.255.255.0", "gateway", "10.0.0.1",
	                 "dns", "10.0.0.2", "cloud_properties", "name",
	                 "VM Network");
	cp = json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 256, "disk", 512);
	if (rule != NULL)
		json_object_set_new(cp, "datacenters", json_pack(
		                    "[{s:s,s:[{s:{s:[{s:s,s:s}]}}]}]", "name",
		                    "DC0", "clusters", "DC0_C0", "drs_rules",
		                    "name", rule, "type", "separate_vms"));
	return json_pack("[s,s,o,o,[],{s:{s:s}}]", "agent-lo", stemcell, cp,
	                 nets, "bosh", "password", ENV_SECRET);
}

static json_t *
create_args(const char *ip)
{
	return create_args_rule(ip, NULL);
}

/* create_vm (must succeed), in DRS rule `rule` unless NULL; the cid
 * (malloc'd). */
static char *
create_vm_rule(const char *ip, const char *rule)
{
	struct cpi_test_run r;
	json_t *resp;
	char *cid;

	resp = sim_call_checked(&r, defcfg, "create_vm",
	                        create_args_rule(ip, rule), ENV_SECRET);
	ck_assert_msg(r.status == 0, "create_vm: status %d: %s", r.status,
	              r.err);
	ck_assert_msg(sim_error_type(resp) == NULL, "create_vm: %s: %s",
	              sim_error_type(resp), r.err);
	cid = strdup(json_string_value(json_array_get(json_object_get(resp,
	             "result"), 0)));
	ck_assert_ptr_nonnull(cid);
	cpi_test_run_clear(&r);
	json_decref(resp);
	return cid;
}

static char *
create_vm(const char *ip)
{
	return create_vm_rule(ip, NULL);
}

static void
call_ok(const char *method, json_t *args)
{
	struct cpi_test_run r;
	json_t *resp;

	resp = sim_call_checked(&r, defcfg, method, args, ENV_SECRET);
	ck_assert_msg(r.status == 0 && sim_error_type(resp) == NULL,
	              "%s: status %d: %s", method, r.status, r.err);
	cpi_test_run_clear(&r);
	json_decref(resp);
}

/* create_vm killed (SIGKILL) right after vCenter answered op. */
static void
create_vm_killed(const char *op, const char *ip)
{
	struct cpi_test_run r;
	char spec[128];
	json_t *resp, *args = create_args(ip);

	snprintf(spec, sizeof(spec), "kill@%s", op);
	setenv("VSPHERE_CPI_FAULTS", spec, 1);
	resp = sim_cpi_call(&r, defcfg, "create_vm", args);
	unsetenv("VSPHERE_CPI_FAULTS");
	json_decref(args);
	ck_assert_msg(r.status == 128 + 9, "create_vm [%s]: status %d, not "
	              "killed: %s", spec, r.status, r.err);
	json_decref(resp);
	cpi_test_run_clear(&r);
}

/* The VMs in BOSH_VMs and, for each, its creating mark (the last
 * bosh.creating entry; NULL: none or ""). */
struct vm_mark {
	struct vs_moref ref;
	char name[128];
	char *mark;
};

static size_t
vms(struct vm_mark *out, size_t max)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	struct vs_moref folder;
	const char *name;
	struct err e;
	size_t i, n = 0;

	err_clear(&err);
	if (vs_folder_find(&folder, cl, SIM_VM_FOLDER, &err) == ERR_ENOTFOUND)
		return 0;       /* no VM made yet */
	ck_assert_msg(!err_is_set(&err), "%s", err.message);
	ck_assert_msg(vs_pc_list(&list, cl, &folder, "VirtualMachine", paths,
	                         &err) == 0, "%s", err.message);
	for (i = 0; i < list->n && n < max; i++) {
		err_clear(&e);
		if (vs_object_get_str(&name, &list->items[i], "name", &e) != 0)
			continue;
		out[n].ref = list->items[i].obj;
		snprintf(out[n].name, sizeof(out[n].name), "%s", name);
		out[n].mark = sim_extra_config(cl, &out[n].ref,
		                               "bosh.creating", true);
		if (out[n].mark != NULL && out[n].mark[0] == '\0') {
			free(out[n].mark);
			out[n].mark = NULL;
		}
		n++;
	}
	vs_objects_free(list);
	return n;
}

static void
vms_free(struct vm_mark *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].mark);
}

/* Writes an old time over every mark in BOSH_VMs: the grace has
 * passed.  How many were marked. */
static size_t
age_marks(void)
{
	struct vm_mark v[64];
	struct vs_vm_option opt = { "bosh.creating", "1000" };
	struct vs_vm_config cfg = { .extra = &opt, .nextra = 1 };
	size_t i, n = vms(v, 64), marked = 0;

	for (i = 0; i < n; i++) {
		if (v[i].mark == NULL)
			continue;
		err_clear(&err);
		ck_assert_msg(vs_vm_reconfigure(cl, &v[i].ref, &cfg, &err) == 0,
		              "%s", err.message);
		marked++;
	}
	vms_free(v, n);
	return marked;
}

static size_t
count_vms(size_t *marked)
{
	struct vm_mark v[64];
	size_t i, n = vms(v, 64);

	*marked = 0;
	for (i = 0; i < n; i++)
		*marked += v[i].mark != NULL;
	vms_free(v, n);
	return n;
}

/* A finished create_vm leaves no mark; a fresh mark (a create_vm
 * running now) is left alone; an old one is removed by create_vm and
 * by delete_vm. */
START_TEST(test_marks)
{
	struct vs_moref ref;
	struct vs_vm_option opt = { "bosh.creating", NULL };
	struct vs_vm_config cfg = { .extra = &opt, .nextra = 1 };
	char now[32], *a, *b, *c, *d;
	size_t n0, n, marked;

	n0 = count_vms(&marked);
	ck_assert_uint_eq(marked, 0);
	a = create_vm("10.0.0.61");
	ck_assert_uint_eq(count_vms(&marked), n0 + 1);
	ck_assert_uint_eq(marked, 0);
	/* a's mark is fresh: a create_vm still running */
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	opt.value = now;
	ref = sim_vm_ref(cl, a);
	ck_assert_msg(vs_vm_reconfigure(cl, &ref, &cfg, &err) == 0, "%s",
	              err.message);
	b = create_vm("10.0.0.62");
	ck_assert_uint_eq(sim_count_vms(cl, a), 1);
	/* aged: the next create_vm removes it */
	ck_assert_uint_eq(age_marks(), 1);
	c = create_vm("10.0.0.63");
	ck_assert_uint_eq(sim_count_vms(cl, a), 0);
	n = count_vms(&marked);
	ck_assert_uint_eq(n, n0 + 2);
	ck_assert_uint_eq(marked, 0);
	/* and delete_vm does the same */
	ref = sim_vm_ref(cl, b);
	opt.value = "1000";
	ck_assert_msg(vs_vm_reconfigure(cl, &ref, &cfg, &err) == 0, "%s",
	              err.message);
	d = create_vm("10.0.0.64");
	ck_assert_uint_eq(sim_count_vms(cl, b), 0);
	ref = sim_vm_ref(cl, c);
	ck_assert_msg(vs_vm_reconfigure(cl, &ref, &cfg, &err) == 0, "%s",
	              err.message);
	call_ok("delete_vm", json_pack("[s]", d));
	ck_assert_uint_eq(sim_count_vms(cl, c), 0);
	ck_assert_uint_eq(count_vms(&marked), n0);
	free(a);
	free(b);
	free(c);
	free(d);
}
END_TEST

/* create_vm killed after each step that changes vCenter: after the
 * marks age, the next create_vm leaves no VM but its own. */
START_TEST(test_killed_create_vm)
{
	static const char *const steps[] = {
		"CloneVM_Task", "file-put", "ReconfigVM_Task",
		"PowerOnVM_Task",
	};
	char ip[32], *cid;
	size_t i, n0, n, marked;

	n0 = count_vms(&marked);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%zu", 70 + i);
		create_vm_killed(steps[i], ip);
		/* whatever the kill left is marked */
		n = count_vms(&marked);
		ck_assert_msg(n <= n0 + 1 && marked == n - n0, "killed at %s: "
		              "%zu VMs, %zu marked", steps[i], n - n0, marked);
		ck_assert_uint_eq(age_marks(), marked);
		cid = create_vm("10.0.0.80");
		n = count_vms(&marked);
		ck_assert_msg(n == n0 + 1 && marked == 0, "after %s: %zu VMs, "
		              "%zu marked", steps[i], n - n0, marked);
		call_ok("delete_vm", json_pack("[s]", cid));
		free(cid);
	}
	ck_assert_uint_eq(count_vms(&marked), n0);
}
END_TEST

/* The anti-affinity rule `name` of cluster DC0_C0: whether it exists,
 * and how many VMs it holds. */
static bool
drs_rule(const char *name, size_t *nvms)
{
	static const char *const paths[] = { "configurationEx", NULL };
	struct vs_object *o = NULL;
	struct vs_drs_rules *r = NULL;
	struct vs_moref cluster;
	xmlNodePtr val;
	bool found = false;
	size_t i;

	err_clear(&err);
	ck_assert_msg(vs_find_by_inventory_path(&cluster, cl,
	              "DC0/host/DC0_C0", &err) == 0, "%s", err.message);
	ck_assert_msg(vs_get_props(&o, cl, &cluster, paths, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(vs_object_get_node(&val, o, "configurationEx", &err),
	                 0);
	ck_assert_msg(vs_drs_rules_from_node(&r, val, &err) == 0, "%s",
	              err.message);
	*nvms = 0;
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->items[i].name, name) == 0) {
			found = true;
			*nvms = r->items[i].nvms;
		}
	}
	vs_drs_rules_free(r);
	vs_object_free(o);
	return found;
}

/* A leftover in a DRS rule leaves it as delete_vm would: the sweep takes
 * it out, and the rule it leaves empty goes. */
START_TEST(test_leftover_leaves_drs_rule)
{
	struct vs_moref ref;
	struct vs_vm_option opt = { "bosh.creating", "1000" };
	struct vs_vm_config cfg = { .extra = &opt, .nextra = 1 };
	size_t nvms;
	char *a, *b;

	a = create_vm_rule("10.0.0.91", "r-left");
	ck_assert(drs_rule("r-left", &nvms));
	ck_assert_uint_eq(nvms, 1);
	/* a create_vm killed long ago */
	ref = sim_vm_ref(cl, a);
	err_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(cl, &ref, &cfg, &err) == 0, "%s",
	              err.message);
	b = create_vm("10.0.0.92");
	ck_assert_uint_eq(sim_count_vms(cl, a), 0);
	ck_assert_msg(!drs_rule("r-left", &nvms), "the rule stays with %zu "
	              "VM(s)", nvms);
	call_ok("delete_vm", json_pack("[s]", b));
	free(a);
	free(b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("leftovers");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_killed_create_vm);
	tcase_add_test(tc, test_leftover_leaves_drs_rule);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (sim_suite_start(defcfg, sizeof(defcfg), "check_leftovers") < 0)
		return 1;
	if (sim_stemcell_make(stemcell, sizeof(stemcell), outdir,
	                      sizeof(outdir), images, sizeof(images),
	                      defcfg) < 0)
		return 1;
	return sim_suite_run(suite());
}

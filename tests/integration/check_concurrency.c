/*
 * check_concurrency (simulator, two datastores): the Director runs many
 * CPI processes at once.  32 create_vm from one stemcell that has no
 * replica yet (so the processes race to make the replica on the other
 * datastore), then 32 delete_vm of the VMs made, all at the same time.
 * Every call must succeed, the 32 VMs must be distinct and spread over
 * both datastores (placement's weighted draw), the inventory
 * must be as before afterwards (VMs by name, files on every datastore;
 * the stemcell and its replicas excepted), and no vCenter session may
 * be left logged in (SessionManager.sessionList holds only this suite's
 * own checking session).
 *
 *   make BUILD=build/x build/x/cpi build/x/tests/integ_check_concurrency
 *   sh tests/sim/run.sh build/x build/x/tests/integ_check_concurrency
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_stemcell.h"
#include "tests/support/sim_suite.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/transports.h"
#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

#define NPROC 32
#define ENV_SECRET "env-Secret-c0nc"

static char defcfg[4096];
static char stemcell[128];
static char outdir[2048];
static char cids[NPROC][128];

/* --- inventory ------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct list {
	char **v;
	size_t n;
};

static void
list_add(struct list *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	ck_assert_ptr_nonnull(l->v);
	l->v[l->n] = strdup(s);
	ck_assert_ptr_nonnull(l->v[l->n]);
	l->n++;
}

static void
list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
walk(struct list *l, const char *root, const char *rel)
{
	char path[8200], sub[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	d = opendir(path);
	if (d == NULL)
		return;
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
		         de->d_name);
		/* Stemcells and their replicas may appear: not our
		 * business here. */
		if (strncmp(sub, "sc-", 3) == 0)
			continue;
		list_add(l, sub);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			walk(l, root, sub);
	}
	closedir(d);
}

/* Sorted values of path over every object of type. */
static void
values_of(struct list *l, struct vs_client *c, const char *type,
          const char *path)
{
	const char *paths[] = { path, NULL };
	struct vs_objects *objs = NULL;
	const char *v;
	struct err e;
	size_t i;

	err_clear(&e);
	ck_assert_msg(vs_pc_list(&objs, c, &vs_client_sc(c)->root_folder,
	                         type, paths, &e) == 0, "%s", e.message);
	for (i = 0; i < objs->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&v, &objs->items[i], path, &e) == 0)
			list_add(l, v);
	}
	vs_objects_free(objs);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/* One text: VM names (stemcells excepted), then datastore files. */
static char *
snapshot(struct vs_client *c)
{
	struct list vms = { 0 }, urls = { 0 }, files = { 0 };
	char *out = NULL;
	size_t i, k, len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	values_of(&vms, c, "VirtualMachine", "name");
	for (i = 0; i < vms.n; i++) {
		if (strncmp(vms.v[i], "sc-", 3) != 0)
			fprintf(f, "vm %s\n", vms.v[i]);
	}
	values_of(&urls, c, "Datastore", "summary.url");
	for (k = 0; k < urls.n; k++) {
		walk(&files, urls.v[k], "");
		if (files.n > 1)
			qsort(files.v, files.n, sizeof(*files.v), cmp_str);
		for (i = 0; i < files.n; i++)
			fprintf(f, "%s: %s\n", urls.v[k], files.v[i]);
		list_free(&files);
	}
	fclose(f);
	list_free(&vms);
	list_free(&urls);
	return out;
}

static size_t
count_vms(struct vs_client *c, const char *prefix)
{
	struct list vms = { 0 };
	size_t i, n = 0;

	values_of(&vms, c, "VirtualMachine", "name");
	for (i = 0; i < vms.n; i++)
		n += strncmp(vms.v[i], prefix, strlen(prefix)) == 0;
	list_free(&vms);
	return n;
}

/* How many datastores hold the VMs named prefix* (their first
 * datastore each). */
static size_t
count_vm_datastores(struct vs_client *c, const char *prefix)
{
	static const char *const paths[] = { "name", "datastore", NULL };
	struct vs_objects *objs = NULL;
	struct list seen = { 0 };
	const struct vs_moref *dss;
	const char *name;
	struct err e;
	size_t i, k, nds, n;

	err_clear(&e);
	ck_assert_msg(vs_pc_list(&objs, c, &vs_client_sc(c)->root_folder,
	                         "VirtualMachine", paths, &e) == 0, "%s",
	              e.message);
	for (i = 0; i < objs->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&name, &objs->items[i], "name", &e) < 0 ||
		    strncmp(name, prefix, strlen(prefix)) != 0 ||
		    vs_object_get_morefs(&dss, &nds, &objs->items[i],
		                         "datastore", &e) < 0 || nds == 0)
			continue;
		for (k = 0; k < seen.n; k++)
			if (strcmp(seen.v[k], dss[0].value) == 0)
				break;
		if (k == seen.n)
			list_add(&seen, dss[0].value);
	}
	vs_objects_free(objs);
	n = seen.n;
	list_free(&seen);
	return n;
}

/* Sessions in SessionManager.sessionList. */
static size_t
count_sessions(struct vs_client *c)
{
	static const char *const paths[] = { "sessionList", NULL };
	struct vs_object *o = NULL;
	struct err e;
	xmlNodePtr val, s;
	size_t n = 0;

	err_clear(&e);
	ck_assert_msg(vs_get_props(&o, c, &vs_client_sc(c)->session_manager,
	                           paths, &e) == 0, "%s", e.message);
	err_clear(&e);
	if (vs_object_get_node(&val, o, "sessionList", &e) == 0) {
		for (s = vs_xml_child(val, "UserSession"); s != NULL;
		     s = vs_xml_next(s, "UserSession"))
			n++;
	}
	vs_object_free(o);
	return n;
}

/* --- running many at once -------------------------------------------- */

static json_t *
vm_args(int i)
{
	char agent[32];
	json_t *nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                         "cloud_properties", "name", "BOSH-V4");

	snprintf(agent, sizeof(agent), "agent-%d", i);
	return json_pack("[s,s,{s:i,s:i,s:i},o,[],{s:{s:s}}]", agent,
	                 stemcell, "cpu", 1, "ram", 256, "disk", 1024, nets,
	                 "bosh", "password", ENV_SECRET);
}

/* In a child: no Check calls.  Writes "OK <cid>" or "ERR <type> <msg>"
 * into outdir/<tag>-<i>. */
static void
child(const char *tag, int i)
{
	struct cpi_test_run r = { 0 };
	char path[2200];
	const char *method = strcmp(tag, "create") == 0 ? "create_vm" :
	                     "delete_vm";
	json_t *args, *resp;
	const json_t *res;
	FILE *f;

	args = strcmp(tag, "create") == 0 ? vm_args(i) :
	       json_pack("[s]", cids[i]);
	resp = sim_cpi_call(&r, defcfg, method, args);
	json_decref(args);
	snprintf(path, sizeof(path), "%s/%s-%d", outdir, tag, i);
	f = fopen(path, "w");
	if (f == NULL)
		_exit(2);
	if (resp == NULL) {
		fprintf(f, "ERR none status %d\n", r.status);
	} else if (sim_error_type(resp) != NULL) {
		fprintf(f, "ERR %s %s\n", sim_error_type(resp),
		        json_string_value(json_object_get(json_object_get(
		        resp, "error"), "message")));
	} else {
		res = json_object_get(resp, "result");
		if (json_is_array(res))
			res = json_array_get(res, 0);
		fprintf(f, "OK %s\n", json_is_string(res) ?
		        json_string_value(res) : "-");
	}
	if (strstr(r.err, ENV_SECRET) != NULL ||
	    strstr(r.err, SIM_MBUS_SECRET) != NULL ||
	    strstr(r.out, ENV_SECRET) != NULL)
		fprintf(f, "LEAK\n");
	fclose(f);
	json_decref(resp);
	cpi_test_run_clear(&r);
	_exit(0);
}

static char fails[NPROC][1024];

/* Runs NPROC children of tag at once; fills cids on create (an empty
 * cid for a failed create) and fails[] with the failures; returns how
 * many failed. */
static int
run_all(const char *tag)
{
	pid_t pids[NPROC];
	char path[2200], line[1024];
	int i, st, nfail = 0;
	FILE *f;

	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			child(tag, i);
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		              "%s %d: child status %d", tag, i, st);
	}
	for (i = 0; i < NPROC; i++) {
		snprintf(path, sizeof(path), "%s/%s-%d", outdir, tag, i);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert(fgets(line, sizeof(line), f) != NULL);
		line[strcspn(line, "\n")] = '\0';
		fails[i][0] = '\0';
		if (strncmp(line, "OK ", 3) != 0) {
			snprintf(fails[i], sizeof(fails[i]), "%s %d: %.900s",
			         tag, i, line);
			fprintf(stderr, "%s\n", fails[i]);
			nfail++;
		}
		if (strcmp(tag, "create") == 0)
			snprintf(cids[i], sizeof(cids[i]), "%.120s",
			         nfail > 0 && fails[i][0] ? "" : line + 3);
		ck_assert_msg(fgets(line, sizeof(line), f) == NULL,
		              "%s %d: a secret leaked", tag, i);
		fclose(f);
	}
	return nfail;
}


static const char *
first_fail(void)
{
	int i;

	for (i = 0; i < NPROC; i++) {
		if (fails[i][0] != '\0')
			return fails[i];
	}
	return "none";
}

static void
delete_one(const char *cid)
{
	json_t *args = json_pack("[s]", cid);
	json_t *resp = sim_cpi_call(NULL, defcfg, "delete_vm", args);

	json_decref(args);
	json_decref(resp);
}

START_TEST(test_32_create_then_32_delete)
{
	struct vs_client *c = sim_client_connect(NULL), *other;
	char *before, *after;
	size_t i, k;
	int nfail;

	/* The session count sees a second session come and go. */
	ck_assert_uint_eq(count_sessions(c), 1);
	other = sim_client_connect(NULL);
	ck_assert_uint_eq(count_sessions(c), 2);
	vs_client_free(other);
	ck_assert_uint_eq(count_sessions(c), 1);
	before = snapshot(c);
	ck_assert_uint_eq(count_vms(c, "sc-"), 1);
	nfail = run_all("create");
	if (nfail > 0 || count_vms(c, "vm-") != NPROC) {
		/* Remove what was made, then judge. */
		for (i = 0; i < NPROC; i++) {
			if (cids[i][0] != '\0')
				delete_one(cids[i]);
		}
		ck_abort_msg("%d of %d create_vm failed (first: %s); %zu VMs",
		             nfail, NPROC, first_fail(), count_vms(c, "vm-"));
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_msg(strncmp(cids[i], "vm-", 3) == 0, "%s", cids[i]);
		for (k = 0; k < i; k++)
			ck_assert_str_ne(cids[i], cids[k]);
	}
	ck_assert_uint_eq(count_vms(c, "vm-"), NPROC);
	/* Spread: each create draws its datastore weighted by free space
	 * (the two have about as much), so 32 creates use both (all on one
	 * has odds of 2^-31). */
	ck_assert_uint_eq(count_vm_datastores(c, "vm-"), 2);
	/* The replica race: one replica per other datastore, not one per
	 * process. */
	ck_assert_uint_le(count_vms(c, "sc-"), 2);
	fprintf(stderr, "stemcell VMs after the race: %zu\n",
	        count_vms(c, "sc-"));
	nfail = run_all("delete");
	ck_assert_msg(nfail == 0, "%d of %d delete_vm failed (first: %s)",
	              nfail, NPROC, first_fail());
	ck_assert_uint_eq(count_vms(c, "vm-"), 0);
	after = snapshot(c);
	ck_assert_msg(strcmp(before, after) == 0, "inventory changed:\n"
	              "before:\n%s\nafter:\n%s", before, after);
	/* Only this suite's own session is left. */
	ck_assert_uint_eq(count_sessions(c), 1);
	free(before);
	free(after);
	vs_client_free(c);
}
END_TEST

/* --- main ------------------------------------------------------------ */

static Suite *
suite(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, test_32_create_then_32_delete);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (sim_suite_start(defcfg, sizeof(defcfg), "check_concurrency") < 0)
		return 1;
	if (sim_stemcell_make(stemcell, sizeof(stemcell), outdir,
	                      sizeof(outdir), NULL, 0, defcfg) < 0)
		return 1;
	return sim_suite_run(suite());
}

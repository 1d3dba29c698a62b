/*
 * check_session (simulator): the vCenter session kept between calls
 * (vcenters[0].session_dir, cpi/session_keep.h).  A call leaves its
 * session open and writes it to a private file; the next call takes it
 * instead of RetrieveServiceContent and Login, and neither logs out.  A
 * session vCenter refuses, a file older than 10 minutes, one made with
 * another password or for another vCenter, and one others could read are
 * not taken: the call logs in as without session_dir.  What each call
 * sent is read from the simulator's request dump (VCSIM_REQUEST_DIR).
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cpi/config.h"
#include "cpi/session_keep.h"
#include "tests/support/sim_call.h"
#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_secrets.h"
#include "tests/support/sim_stemcell.h"
#include "tests/support/sim_suite.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-5d2b"
#define MAX_SENT 64

static char defcfg[4096];       /* the simulator config, no session_dir */
static char cfg[4096];          /* the same with session_dir */
static char sdir[2048];
static char spath[4096];        /* the session file of cfg's vCenter */
static char images[2048];
static char outdir[2048];
static char stemcell[128];

/* The methods the simulator received, in order, after the first
 * `skip` requests of its dump. */
struct sent {
	char name[MAX_SENT][64];
	size_t n;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
dumped(struct sent *s, size_t skip)
{
	const char *dir = getenv("VCSIM_REQUEST_DIR");
	char *names[4096];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	ck_assert_ptr_nonnull(dir);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL && n < 4096) {
		if (strstr(de->d_name, ".request") != NULL)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	if (s != NULL)
		s->n = 0;
	for (i = 0; i < n; i++) {
		/* "00012-Login.request" */
		if (s != NULL && i >= skip && s->n < MAX_SENT)
			sscanf(names[i], "%*[0-9]-%63[^.]", s->name[s->n++]);
		free(names[i]);
	}
	return n;
}

static size_t
count_of(const struct sent *s, const char *method)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++)
		k += strcmp(s->name[i], method) == 0;
	return k;
}

/* The text of the session file (malloc'd), NULL when there is none. */
static char *
session_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(spath, "r");

	if (f == NULL)
		return NULL;
	text = calloc(1, 16384);
	ck_assert_ptr_nonnull(text);
	len = fread(text, 1, 16383, f);
	text[len] = '\0';
	fclose(f);
	return text;
}

static void
session_write(const char *text)
{
	FILE *f = fopen(spath, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(spath, 0600), 0);
}

/* The cookie's value in the session file (static storage). */
static const char *
cookie_value(void)
{
	static char v[1024];
	char *text = session_text(), *p;

	ck_assert_ptr_nonnull(text);
	p = strstr(text, "vmware_soap_session\t");
	ck_assert_ptr_nonnull(p);
	p += strlen("vmware_soap_session\t");
	snprintf(v, sizeof(v), "%.*s", (int)strcspn(p, "\n"), p);
	free(text);
	return v;
}

/* Replaces the file's line that starts with key by key + value. */
static void
session_set(const char *key, const char *value)
{
	char *text = session_text(), *p, *end, out[16384];

	ck_assert_ptr_nonnull(text);
	p = strstr(text, key);
	ck_assert_ptr_nonnull(p);
	end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	snprintf(out, sizeof(out), "%.*s%s%s%s", (int)(p - text), text, key,
	         value, end);
	session_write(out);
	free(text);
}

/* has_vm of a VM that is not there, through config c (must answer
 * false); what it sent into *s.  With keep (may be NULL) the run's
 * output is kept there (clear it with cpi_test_run_clear()). */
static void
has_vm_run(struct sent *s, struct cpi_test_run *keep, const char *c,
           const char *secret)
{
	struct cpi_test_run r;
	size_t before = dumped(NULL, 0);
	json_t *resp;

	resp = sim_call_checked(&r, c, "has_vm", json_pack("[s]",
	                        "vm-0b1c7a5e-6b55-4b28-9a19-1d1a4f2a5b11"),
	                        secret);
	ck_assert_msg(r.status == 0 && sim_error_type(resp) == NULL,
	              "has_vm: %s", r.err);
	ck_assert(json_is_false(json_object_get(resp, "result")));
	if (keep != NULL)
		*keep = r;
	else
		cpi_test_run_clear(&r);
	json_decref(resp);
	dumped(s, before);
}

static void
has_vm_missing(struct sent *s, const char *c, const char *secret)
{
	has_vm_run(s, NULL, c, secret);
}

/* A call that logged in as without a kept session: service content and
 * Login first. */
static void
assert_logged_in(const struct sent *s)
{
	ck_assert_uint_ge(s->n, 2);
	ck_assert_str_eq(s->name[0], "RetrieveServiceContent");
	ck_assert_str_eq(s->name[1], "Login");
}

/* A call that took the kept session: no service content, no Login, no
 * Logout, n requests. */
static void
assert_taken(const struct sent *s, size_t n)
{
	ck_assert_uint_eq(count_of(s, "RetrieveServiceContent"), 0);
	ck_assert_uint_eq(count_of(s, "Login"), 0);
	ck_assert_uint_eq(count_of(s, "Logout"), 0);
	ck_assert_uint_eq(s->n, n);
}

/* No session file, and the VM folder there (so that has_vm of a
 * missing VM answers false). */
static void
setup(void)
{
	struct vs_client *cl = sim_client_connect(NULL);
	struct vs_moref ref;
	struct err e = {0};
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sdir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(vs_folder_ensure(&ref, cl, "DC0", "BOSH_VMs", &e) == 0,
	              "%s", e.message);
	vs_client_free(cl);
}

/* --- tests ---------------------------------------------------------------- */

/* Without session_dir every call logs in and out (the default). */
START_TEST(test_default_logs_out)
{
	struct sent s;

	has_vm_missing(&s, defcfg, NULL);
	assert_logged_in(&s);
	ck_assert_str_eq(s.name[s.n - 1], "Logout");
	has_vm_missing(&s, defcfg, NULL);
	assert_logged_in(&s);
	ck_assert_str_eq(s.name[s.n - 1], "Logout");
}
END_TEST

START_TEST(test_kept_and_taken)
{
	const char *password = getenv("VCSIM_PASSWORD");
	struct sent cold, warm;
	struct cpi_test_run first;
	struct stat st;
	char *text, secret[1100];

	has_vm_run(&cold, &first, cfg, NULL);
	assert_logged_in(&cold);
	ck_assert_uint_eq(count_of(&cold, "Logout"), 0);
	/* a private directory and file, without the password */
	ck_assert_int_eq(stat(sdir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(spath, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	text = session_text();
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(password);
	ck_assert_ptr_null(strstr(text, password));
	ck_assert(strncmp(text, "login ", 6) == 0);
	free(text);
	/* the next call: 2 requests fewer, and the cookie is never in
	 * its output */
	snprintf(secret, sizeof(secret), "%s", cookie_value());
	ck_assert_uint_gt(strlen(secret), 8);
	sim_assert_no_secret(&first, secret);  /* the call that made it */
	cpi_test_run_clear(&first);
	has_vm_missing(&warm, cfg, secret);
	assert_taken(&warm, cold.n - 2);
	printf("has_vm of a missing VM: %zu round trips, %zu with the kept "
	       "session\n", cold.n, warm.n);
	/* a taken session that is still good is not written again */
	ck_assert_str_eq(cookie_value(), secret);
}
END_TEST

/* A session vCenter no longer knows: the first request is refused, the
 * call logs in and sends it again, and keeps the new session. */
START_TEST(test_refused_session)
{
	struct sent cold, s;

	has_vm_missing(&cold, cfg, NULL);
	session_set("vmware_soap_session\t", "\"52f0c5e1-dead-beef\"");
	has_vm_missing(&s, cfg, NULL);
	ck_assert_uint_eq(count_of(&s, "RetrieveServiceContent"), 0);
	ck_assert_uint_eq(count_of(&s, "Login"), 1);
	ck_assert_str_eq(s.name[1], "Login");
	ck_assert_str_eq(s.name[0], s.name[2]);
	ck_assert_uint_eq(s.n, cold.n);
	ck_assert_str_ne(cookie_value(), "\"52f0c5e1-dead-beef\"");
	has_vm_missing(&s, cfg, NULL);
	assert_taken(&s, cold.n - 2);
}
END_TEST

/* Files that must not be taken: the call logs in and writes its own. */
START_TEST(test_not_taken)
{
	static const char *const cases[][2] = {
		{ "since ", "1" },                           /* too old */
		{ "login ", "0b1c7a5e-6b55-4b28-9a19-1d1a4f2a5b11 "
		  "0000000000000000000000000000000000000000000000000000000000000000" },
		{ "vcenter ", "https://127.0.0.2:443" },
		{ "moref sessionManager ", "SessionManager" }, /* malformed */
		{ "cookie ", "127.0.0.1\tFALSE\t/\tFALSE\t0\tother\tx" },
	};
	struct sent s;
	char since[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		has_vm_missing(&s, cfg, NULL);
		session_set(cases[i][0], cases[i][1]);
		has_vm_missing(&s, cfg, NULL);
		assert_logged_in(&s);
		/* the call wrote its own, which the next takes */
		has_vm_missing(&s, cfg, NULL);
		ck_assert_uint_eq(count_of(&s, "Login"), 0);
	}
	/* 9 minutes old is still taken */
	snprintf(since, sizeof(since), "%lld",
	         (long long)time(NULL) - CPI_SESSION_MAX_AGE_S + 60);
	session_set("since ", since);
	has_vm_missing(&s, cfg, NULL);
	ck_assert_uint_eq(count_of(&s, "Login"), 0);
	/* others may read it: not taken, and written private again */
	ck_assert_int_eq(chmod(spath, 0644), 0);
	has_vm_missing(&s, cfg, NULL);
	assert_logged_in(&s);
	has_vm_missing(&s, cfg, NULL);
	ck_assert_uint_eq(count_of(&s, "Login"), 0);
}
END_TEST

/* A directory others can write holds no session: every call logs in
 * and out. */
START_TEST(test_open_dir)
{
	struct sent s;

	ck_assert_int_eq(mkdir(sdir, 0777), 0);
	ck_assert_int_eq(chmod(sdir, 0777), 0);
	has_vm_missing(&s, cfg, NULL);
	assert_logged_in(&s);
	ck_assert_str_eq(s.name[s.n - 1], "Logout");
	ck_assert_int_ne(access(spath, F_OK), 0);
}
END_TEST

/* create_vm arguments: a static address ip, or a dynamic network
 * when ip is NULL. */
static json_t *
create_args(const char *ip)
{
	json_t *nets, *cp;

	if (ip != NULL)
		nets = json_pack("{s:{s:s,s:s,s:s,s:s,s:[s],s:{s:s}}}",
		                 "default", "type", "manual", "ip", ip,
		                 "netmask", "255.255.255.0", "gateway",
		                 "10.0.0.1", "dns", "10.0.0.2",
		                 "cloud_properties", "name", "VM Network");
	else
		nets = json_pack("{s:{s:s,s:[s],s:{s:s}}}", "default", "type",
		                 "dynamic", "dns", "10.0.0.2",
		                 "cloud_properties", "name", "VM Network");
	cp = json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 256, "disk", 512);
	return json_pack("[s,s,o,o,[],{s:{s:s}}]", "agent-se", stemcell, cp,
	                 nets, "bosh", "password", ENV_SECRET);
}

/* method through cfg, must succeed without a Login; its result (new
 * reference) and its round trips as the CPI counts them (SOAP and the
 * datastore transfers the request dump does not show). */
static json_t *
call_ok(size_t *trips, const char *method, json_t *args)
{
	struct cpi_test_run r;
	struct sent s;
	size_t before = dumped(NULL, 0);
	json_t *resp, *result;
	char key[128];
	const char *p;

	resp = sim_call_checked(&r, cfg, method, args, ENV_SECRET);
	ck_assert_msg(r.status == 0 && sim_error_type(resp) == NULL,
	              "%s: %s", method, r.err);
	result = json_incref(json_object_get(resp, "result"));
	snprintf(key, sizeof(key), "INFO %s: ", method);
	for (p = strstr(r.err, key); p != NULL; p = strstr(p + 1, key)) {
		int end = 0;

		if (sscanf(p + strlen(key), "%zu vCenter round trips%n",
		           trips, &end) == 1 && end > 0)
			break;
	}
	ck_assert_msg(p != NULL, "%s: no count", method);
	cpi_test_run_clear(&r);
	json_decref(resp);
	dumped(&s, before);
	ck_assert_uint_eq(count_of(&s, "Login"), 0);
	ck_assert_uint_eq(count_of(&s, "RetrieveServiceContent"), 0);
	ck_assert_uint_eq(count_of(&s, "Logout"), 0);
	return result;
}

/* issue #18's budgets, with the session kept: create_vm (the VM
 * folder there, a standard port group, the stemcell at the hardware
 * version asked for, no static address) <= 12, and 1 more with a static
 * address (its FindAllByIp); delete_vm with a persistent disk <= 12. */
START_TEST(test_budgets)
{
	json_t *vm, *disk, *r, *sc;
	size_t n;
	const char *vm_cid;
	char img[2200];

	has_vm_missing(&(struct sent){0}, cfg, NULL);
	/* the first create_vm makes the VM folder */
	vm = call_ok(&n, "create_vm", create_args("10.0.0.21"));
	r = call_ok(&n, "delete_vm", json_pack("[s]", json_string_value(
	            json_array_get(vm, 0))));
	json_decref(r);
	json_decref(vm);
	vm = call_ok(&n, "create_vm", create_args("10.0.0.22"));
	printf("create_vm (one static address) with the kept session: %zu "
	       "round trips\n", n);
	ck_assert_uint_le(n, 12 + 1);
	r = call_ok(&n, "delete_vm", json_pack("[s]", json_string_value(
	            json_array_get(vm, 0))));
	json_decref(r);
	json_decref(vm);
	vm = call_ok(&n, "create_vm", create_args(NULL));
	printf("create_vm with the kept session: %zu round trips\n", n);
	ck_assert_uint_le(n, 12);
	vm_cid = json_string_value(json_array_get(vm, 0));
	ck_assert_ptr_nonnull(vm_cid);
	disk = call_ok(&n, "create_disk", json_pack("[i,{},s]", 1024,
	               vm_cid));
	printf("create_disk with the kept session: %zu round trips\n", n);
	r = call_ok(&n, "attach_disk", json_pack("[s,s]", vm_cid,
	            json_string_value(disk)));
	printf("attach_disk with the kept session: %zu round trips\n", n);
	json_decref(r);
	r = call_ok(&n, "delete_vm", json_pack("[s]", vm_cid));
	printf("delete_vm with a disk and the kept session: %zu round "
	       "trips\n", n);
	ck_assert_uint_le(n, 12);
	json_decref(r);
	r = call_ok(&n, "delete_disk", json_pack("[s]",
	            json_string_value(disk)));
	printf("delete_disk with the kept session: %zu round trips\n", n);
	json_decref(r);
	/* the template folder is there: 13 without the session */
	snprintf(img, sizeof(img), "%s/image", images);
	sc = call_ok(&n, "create_stemcell", json_pack("[s,{}]", img));
	printf("create_stemcell with the kept session: %zu round trips\n",
	       n);
	ck_assert_uint_le(n, 15 - 3);
	r = call_ok(&n, "delete_stemcell", json_pack("[s]",
	            json_string_value(sc)));
	json_decref(r);
	json_decref(sc);
	json_decref(disk);
	json_decref(vm);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("session");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_default_logs_out);
	tcase_add_test(tc, test_kept_and_taken);
	tcase_add_test(tc, test_refused_session);
	tcase_add_test(tc, test_not_taken);
	tcase_add_test(tc, test_open_dir);
	tcase_add_test(tc, test_budgets);
	suite_add_tcase(s, tc);
	return s;
}

/* cfg: defcfg with session_dir sdir; spath its session file. */
static int
session_config(void)
{
	const char *out = getenv("CPI_TEST_OUTDIR");
	struct cpi_config *c = NULL;
	struct err ce = {0};
	const char *path;
	json_t *extra;
	char name[128];
	int rc = -1;

	snprintf(sdir, sizeof(sdir), "%s/sessions-%ld", out != NULL ? out :
	         "/tmp", (long)getpid());
	/* stemcells imported at the version new VMs get: no upgrade */
	extra = json_pack("{s:s,s:i,s:b}", "session_dir", sdir,
	                  "default_hw_version", 13, "upgrade_hw_version", 0);
	path = extra != NULL ? sim_config(extra) : NULL;
	json_decref(extra);
	if (path == NULL || cpi_config_load(&c, path, NULL, &ce) != 0) {
		fprintf(stderr, "session config: %s\n", ce.message);
		return -1;
	}
	snprintf(cfg, sizeof(cfg), "%s", path);
	if (cpi_session_file_name(name, sizeof(name), c->vcenter.url,
	                          c->vcenter.user) == 0) {
		snprintf(spath, sizeof(spath), "%s/%s", sdir, name);
		rc = 0;
	}
	cpi_config_free(c);
	return rc;
}

int
main(void)
{
	if (sim_suite_start(defcfg, sizeof(defcfg), "check_session") < 0 ||
	    session_config() < 0)
		return 1;
	if (sim_stemcell_make(stemcell, sizeof(stemcell), outdir,
	                      sizeof(outdir), images, sizeof(images),
	                      cfg) < 0)
		return 1;
	return sim_suite_run(suite());
}

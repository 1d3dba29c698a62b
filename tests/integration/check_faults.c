/*
 * check_faults (simulator): every CPI method driven through injected
 * failures (vsphere/transport_fault.h, VSPHERE_CPI_FAULTS) against a
 * fresh vcsim.  For each case:
 *   - the binary answers with one JSON response and exits 0 (no crash,
 *     no sanitizer report);
 *   - the fault actually fired (VSPHERE_CPI_FAULTS_LOG);
 *   - the outcome is the expected one: success after a retry, or the
 *     expected error type with the expected ok_to_retry;
 *   - the inventory is as before: the same VMs, and the same files on
 *     every datastore (no half-made VM, env.iso or disk; the persistent
 *     disk made at start-up is untouched), unless the method succeeded
 *     and made something, which is then removed again;
 *   - a method that needs something first gets it made for the case (a
 *     VM, stemcell or disk to delete, a disk to resize, an attached
 *     disk to detach), and a second call after the case (delete again,
 *     detach again) must finish the job, whatever the fault did;
 *   - attach_disk and detach_disk leave vm_cid's agent settings as they
 *     were, env.iso and guestinfo.userdata in agreement.
 * Also the TLS cases through the binary: wrong CA, expired certificate,
 * wrong host name refused with a clear message; the insecure opt-out
 * connects and logs a warning.
 *
 *   make BUILD=build/x build/x/cpi build/x/tests/integ_check_faults
 *   sh tests/sim/run.sh build/x build/x/tests/integ_check_faults
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_agent_env.h"
#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_inventory.h"
#include "tests/support/sim_stemcell.h"
#include "tests/support/sim_suite.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/transports.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-fa17"

static char defcfg[4096];
static char stemcell[128];
static char vm_cid[128];       /* a VM made at start-up, kept */
static char disk_cid[128];     /* a persistent disk made at start-up */
static char outdir[2048];
static int shard, parts = 1;  /* this process's part (sim_suite_shard) */
static char faultlog[2100];

/* --- the inventory as seen from outside ----------------------------- */

struct strbuf {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 2 > b->cap) {
		b->cap = (b->len + n + 2) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert_ptr_nonnull(b->s);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len++] = '\n';
	b->s[b->len] = '\0';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file and directory under dir (relative names), into list. */
static void
walk(char ***list, size_t *n, const char *root, const char *rel)
{
	char path[8200], sub[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	d = opendir(path);
	if (d == NULL)
		return;
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
		         de->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (lstat(path, &st) != 0)
			continue;
		*list = realloc(*list, (*n + 1) * sizeof(**list));
		ck_assert_ptr_nonnull(*list);
		/* Disks: size and mtime too, so a touched disk shows. */
		if (strstr(sub, ".vmdk") != NULL) {
			char line[4200];

			snprintf(line, sizeof(line), "%s %lld %lld", sub,
			         (long long)st.st_size,
			         (long long)st.st_mtime);
			(*list)[(*n)++] = strdup(line);
		} else {
			(*list)[(*n)++] = strdup(sub);
		}
		if (S_ISDIR(st.st_mode))
			walk(list, n, root, sub);
	}
	closedir(d);
}

/* Names of every object of type, sorted, into b. */
static void
names_of(struct strbuf *b, struct vs_client *c, const char *type,
         const char *path, char ***urls, size_t *nurls)
{
	const char *paths[] = { path, NULL };
	struct vs_objects *list = NULL;
	char **v = NULL;
	const char *name;
	struct err e;
	size_t i, n = 0;

	err_clear(&e);
	ck_assert_msg(vs_pc_list(&list, c, &vs_client_sc(c)->root_folder,
	                         type, paths, &e) == 0, "%s", e.message);
	v = calloc(list->n + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&name, &list->items[i], path, &e) == 0)
			v[n++] = strdup(name);
	}
	vs_objects_free(list);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	sb_add(b, type);
	for (i = 0; i < n; i++)
		sb_add(b, v[i]);
	if (urls != NULL) {
		*urls = v;
		*nurls = n;
		return;
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* VMs by name, then every file and directory on every datastore (vcsim
 * keeps a datastore as a local directory: summary.url). */
static char *
snapshot(void)
{
	struct vs_client *c = sim_client_connect(NULL);
	struct strbuf b = { 0 };
	char **urls = NULL, **list = NULL;
	size_t nurls = 0, n = 0, i, k;

	names_of(&b, c, "VirtualMachine", "name", NULL, NULL);
	names_of(&b, c, "Datastore", "summary.url", &urls, &nurls);
	vs_client_free(c);
	for (k = 0; k < nurls; k++) {
		walk(&list, &n, urls[k], "");
		if (n > 1)
			qsort(list, n, sizeof(*list), cmp_str);
		sb_add(&b, urls[k]);
		for (i = 0; i < n; i++) {
			sb_add(&b, list[i]);
			free(list[i]);
		}
		free(list);
		list = NULL;
		n = 0;
		free(urls[k]);
	}
	free(urls);
	return b.s;
}

/* --- running the binary with faults ---------------------------------- */

static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return strdup("");
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static void
assert_clean_run(const struct cpi_test_run *r, const char *what)
{
	const char *secrets[] = { SIM_MBUS_SECRET, SIM_BLOBSTORE_SECRET,
	                          sim_env("VCSIM_PASSWORD"), ENV_SECRET,
	                          "vmware_soap_session", NULL };
	size_t i;

	ck_assert_msg(r->status == 0, "%s: exit status %d: %s", what,
	              r->status, r->err);
	ck_assert_msg(strstr(r->err, "AddressSanitizer") == NULL &&
	              strstr(r->err, "runtime error") == NULL,
	              "%s: sanitizer report: %s", what, r->err);
	for (i = 0; secrets[i] != NULL; i++) {
		ck_assert_msg(strstr(r->out, secrets[i]) == NULL,
		              "%s: secret %zu on stdout", what, i);
		ck_assert_msg(strstr(r->err, secrets[i]) == NULL,
		              "%s: secret %zu on stderr", what, i);
	}
}

/* Runs method with args (stolen) and VSPHERE_CPI_FAULTS=spec (NULL: no
 * faults).  *fired (may be NULL) gets the fault log, malloc'd. */
static json_t *
call_cfg(struct cpi_test_run *keep, const char *cfg, const char *method,
         json_t *args, const char *spec, char **fired)
{
	struct cpi_test_run r;
	char what[256];
	json_t *resp;

	unlink(faultlog);
	if (spec != NULL) {
		setenv("VSPHERE_CPI_FAULTS", spec, 1);
		setenv("VSPHERE_CPI_FAULTS_LOG", faultlog, 1);
	}
	resp = sim_cpi_call(&r, cfg, method, args);
	unsetenv("VSPHERE_CPI_FAULTS");
	unsetenv("VSPHERE_CPI_FAULTS_LOG");
	json_decref(args);
	snprintf(what, sizeof(what), "%s [%s]", method,
	         spec != NULL ? spec : "no faults");
	ck_assert_msg(resp != NULL, "%s: no JSON response (status %d): %s",
	              what, r.status, r.err);
	assert_clean_run(&r, what);
	if (sim_error_type(resp) != NULL)
		fprintf(stderr, "%s: %s: %s (ok_to_retry %s)\n", what,
		        sim_error_type(resp),
		        json_string_value(json_object_get(json_object_get(
		        resp, "error"), "message")),
		        json_is_true(json_object_get(json_object_get(resp,
		        "error"), "ok_to_retry")) ? "true" : "false");
	if (keep != NULL)
		*keep = r;
	else
		cpi_test_run_clear(&r);
	if (fired != NULL)
		*fired = slurp(faultlog);
	return resp;
}

static json_t *
call(const char *method, json_t *args, const char *spec, char **fired)
{
	return call_cfg(NULL, defcfg, method, args, spec, fired);
}

static json_t *
vm_args(void)
{
	json_t *nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                         "cloud_properties", "name", "BOSH-V4");

	return json_pack("[s,s,{s:i,s:i,s:i},o,[],{s:{s:s}}]", "agent-f",
	                 stemcell, "cpu", 1, "ram", 256, "disk", 1024, nets,
	                 "bosh", "password", ENV_SECRET);
}

static json_t *
plain(const char *method, json_t *args)
{
	json_t *resp = call(method, args, NULL, NULL);

	ck_assert_msg(sim_error_type(resp) == NULL, "%s failed without "
	              "faults", method);
	return resp;
}

enum outcome {
	OK,        /* the call succeeds (retried or re-logged in) */
	ERR,       /* the call fails: error type, ok_to_retry as given */
	EITHER,    /* a request reached vCenter and its reply was lost:
	              success, or the error given (etype NULL: Cloud or
	              VMCreationFailed); the inventory must be clean either
	              way */
};

struct fcase {
	const char *method;
	const char *spec;
	enum outcome outcome;
	const char *etype;    /* expected error type (ERR) */
	int retry;            /* expected ok_to_retry (ERR), -1: either */
};

#define CLOUD "Bosh::Clouds::CloudError"
#define CREATION "Bosh::Clouds::VMCreationFailed"
#define DISK_GONE "Bosh::Clouds::DiskNotFound"
#define NOT_ATTACHED "Bosh::Clouds::DiskNotAttached"
#define RESIZE_MB 32    /* resize_disk's target: its own 16 MB disk */

static const struct fcase cases[] = {
	/* create_vm: every kind, at the clone and around it. */
	{ "create_vm", "refused@*", ERR, CLOUD, 1 },
	{ "create_vm", "refused@CloneVM_Task", OK, NULL, 0 },
	{ "create_vm", "503@*", ERR, CLOUD, 1 },
	{ "create_vm", "503@RetrievePropertiesEx#2", OK, NULL, 0 },
	{ "create_vm", "timeout@*", ERR, CLOUD, 1 },
	{ "create_vm", "fault@CloneVM_Task", ERR, NULL, 0 },
	{ "create_vm", "fault@ReconfigVM_Task", ERR, NULL, 0 },
	{ "create_vm", "notauth@CloneVM_Task", OK, NULL, 0 },
	{ "create_vm", "notauth@RetrievePropertiesEx#3", OK, NULL, 0 },
	{ "create_vm", "taskerror@CloneVM_Task", ERR, NULL, 0 },
	{ "create_vm", "taskerror@ReconfigVM_Task", ERR, NULL, 0 },
	{ "create_vm", "taskerror@PowerOnVM_Task", ERR, NULL, 0 },
	{ "create_vm", "truncated@RetrievePropertiesEx#2", ERR, NULL, 0 },
	{ "create_vm", "garbage@RetrievePropertiesEx#2", ERR, NULL, 0 },
	{ "create_vm", "garbage@CloneVM_Task", ERR, NULL, 0 },
	{ "create_vm", "refused@file-put", OK, NULL, 0 },
	{ "create_vm", "fault@file-put", ERR, NULL, -1 },
	{ "create_vm", "reset@CloneVM_Task", EITHER, NULL, -1 },
	{ "create_vm", "timeout@ReconfigVM_Task", EITHER, NULL, -1 },
	{ "create_vm", "reset@file-put", EITHER, NULL, -1 },
	{ "create_vm", "timeout@PowerOnVM_Task", OK, NULL, -1 },
	/* The methods on an existing VM. */
	{ "has_vm", "503@3", OK, NULL, 0 },
	{ "has_vm", "garbage@*", ERR, CLOUD, 0 },
	{ "has_vm", "notauth@3", OK, NULL, 0 },
	{ "has_vm", "truncated@3", ERR, CLOUD, 0 },
	{ "set_vm_metadata", "fault@*", ERR, CLOUD, 0 },
	{ "set_vm_metadata", "truncated@3", ERR, CLOUD, 0 },
	{ "set_vm_metadata", "notauth@setCustomValue", OK, NULL, 0 },
	{ "reboot_vm", "fault@RebootGuest", ERR, CLOUD, 0 },
	{ "reboot_vm", "taskerror@ResetVM_Task", ERR, NULL, 0 },
	{ "delete_vm", "taskerror@Destroy_Task", ERR, NULL, 0 },
	{ "delete_vm", "reset@Destroy_Task", EITHER,
	  "Bosh::Clouds::VMNotFound", 0 },
	{ "delete_vm", "taskerror@PowerOffVM_Task", ERR, NULL, 0 },
	{ "delete_vm", "refused@*", ERR, CLOUD, 1 },
	/* Stemcells. */
	{ "create_stemcell", "taskerror@CreateSnapshot_Task", ERR, NULL, 0 },
	{ "create_stemcell", "fault@ImportVApp", ERR, NULL, 0 },
	{ "create_stemcell", "refused@nfc-upload", OK, NULL, 0 },
	{ "create_stemcell", "truncated@nfc-upload", EITHER, NULL, -1 },
	{ "create_stemcell", "notauth@ImportVApp", OK, NULL, 0 },
	{ "create_stemcell", "garbage@RetrievePropertiesEx#3", ERR, NULL,
	  0 },
	/* Persistent disks (when the disk methods exist). */
	{ "attach_disk", "taskerror@ReconfigVM_Task", ERR, NULL, 0 },
	{ "attach_disk", "notauth@ReconfigVM_Task", OK, NULL, 0 },
	{ "attach_disk", "503@*", ERR, CLOUD, 1 },
	/* half done (disk attached, env.iso stale): the retry answers
	 * the same hint and writes env.iso again */
	{ "attach_disk", "reset@ReconfigVM_Task", EITHER, CLOUD, -1 },
	{ "attach_disk", "fault@file-put", ERR, CLOUD, -1 },
	{ "create_disk", "taskerror@CreateVirtualDisk_Task", ERR, CLOUD, 0 },
	{ "create_disk", "reset@CreateVirtualDisk_Task", EITHER, CLOUD, -1 },
	{ "create_disk", "notauth@CreateVirtualDisk_Task", OK, NULL, 0 },
	{ "create_disk", "503@*", ERR, CLOUD, 1 },
	{ "has_disk", "503@*", ERR, CLOUD, 1 },
	{ "has_disk", "garbage@*", ERR, CLOUD, 0 },
	{ "get_disks", "503@*", ERR, CLOUD, 1 },
	{ "get_disks", "notauth@RetrievePropertiesEx", OK, NULL, 0 },
	{ "delete_stemcell", "taskerror@Destroy_Task", ERR, CLOUD, 0 },
	{ "delete_stemcell", "reset@Destroy_Task", EITHER, CLOUD, -1 },
	{ "delete_stemcell", "503@*", ERR, CLOUD, 1 },
	{ "delete_stemcell", "notauth@Destroy_Task", OK, NULL, 0 },
	/* detach_disk of disk_cid, attached to vm_cid for the case: one
	 * ReconfigVM_Task (device and guestinfo), then env.iso put. */
	{ "detach_disk", "taskerror@ReconfigVM_Task", ERR, CLOUD, 0 },
	{ "detach_disk", "notauth@ReconfigVM_Task", OK, NULL, 0 },
	{ "detach_disk", "503@*", ERR, CLOUD, 1 },
	{ "detach_disk", "refused@file-put", OK, NULL, 0 },
	/* half done (disk detached, env.iso stale): the second detach
	 * answers DiskNotAttached and writes env.iso again */
	{ "detach_disk", "reset@ReconfigVM_Task", EITHER, CLOUD, -1 },
	{ "detach_disk", "fault@file-put", ERR, CLOUD, -1 },
	/* delete_disk of a disk made for the case. */
	{ "delete_disk", "taskerror@DeleteVirtualDisk_Task", ERR, CLOUD, 0 },
	{ "delete_disk", "reset@DeleteVirtualDisk_Task", EITHER, DISK_GONE,
	  0 },
	{ "delete_disk", "notauth@DeleteVirtualDisk_Task", OK, NULL, 0 },
	{ "delete_disk", "notauth@QueryVirtualDiskUuid", OK, NULL, 0 },
	{ "delete_disk", "503@*", ERR, CLOUD, 1 },
	/* resize_disk of a detached disk made for the case (see
	 * must_say: the simulator has no ExtendVirtualDisk_Task). */
	{ "resize_disk", "taskerror@ExtendVirtualDisk_Task", ERR, CLOUD, 0 },
	{ "resize_disk", "notauth@ExtendVirtualDisk_Task", ERR, CLOUD, 0 },
	{ "resize_disk", "reset@ExtendVirtualDisk_Task", EITHER, CLOUD, -1 },
	{ "resize_disk", "503@*", ERR, CLOUD, 1 },
};

/* Words the error message of a case must hold.  The simulator has no
 * ExtendVirtualDisk_Task (check_disk_methods), so a resize that was
 * sent again after a re-login ends where a resize without faults does:
 * the simulator's MethodNotFound, "cannot extend" (with no re-login it
 * would end in NotAuthenticated). */
static const char *const must_say[][3] = {
	{ "resize_disk", "notauth@ExtendVirtualDisk_Task", "cannot extend" },
};

/* What a case needs around its call (methods not listed: nothing).
 *   make   the call made first (args_for(make, vm_cid)); a cid in its
 *          result (create_vm, create_stemcell, create_disk) is what
 *          the case works on, else (attach_disk) vm_cid;
 *   again  the call made after the case whatever the fault did, on the
 *          same cid (args_for(again, cid)): it must succeed, or answer
 *          gone (NULL: nothing but success), and leave the inventory
 *          as before make;
 *   undo   what a successful again made is removed (undo());
 *   env    the case rewrites vm_cid's agent settings: env.iso and
 *          guestinfo must agree afterwards and be as before. */
struct around {
	const char *method;
	const char *make;
	const char *again;
	const char *gone;
	bool undo;
	bool env;
};

static const struct around arounds[] = {
	{ "delete_vm", "create_vm", "delete_vm", "Bosh::Clouds::VMNotFound",
	  false, false },
	{ "delete_stemcell", "create_stemcell", "delete_stemcell", NULL,
	  false, false },
	/* the Director's retry of a failed attach must succeed */
	{ "attach_disk", NULL, "attach_disk", NULL, true, true },
	{ "detach_disk", "attach_disk", "detach_disk", NOT_ATTACHED, false,
	  true },
	{ "delete_disk", "create_disk", "delete_disk", DISK_GONE, false,
	  false },
	{ "resize_disk", "create_disk", "delete_disk", NULL, false, false },
};

static const struct around *
around_of(const char *method)
{
	static const struct around none = { NULL, NULL, NULL, NULL, false,
	                                    false };
	size_t i;

	for (i = 0; i < sizeof(arounds) / sizeof(arounds[0]); i++) {
		if (strcmp(arounds[i].method, method) == 0)
			return &arounds[i];
	}
	return &none;
}

static const char *
must_say_of(const struct fcase *c)
{
	size_t i;

	for (i = 0; i < sizeof(must_say) / sizeof(must_say[0]); i++) {
		if (strcmp(must_say[i][0], c->method) == 0 &&
		    strcmp(must_say[i][1], c->spec) == 0)
			return must_say[i][2];
	}
	return NULL;
}

static json_t *
args_for(const char *method, const char *cid)
{
	char img[2200];

	if (strcmp(method, "create_vm") == 0)
		return vm_args();
	if (strcmp(method, "set_vm_metadata") == 0)
		return json_pack("[s,{s:s,s:s}]", cid, "director", "d",
		                 "index", "0");
	if (strcmp(method, "create_stemcell") == 0) {
		snprintf(img, sizeof(img), "%s/images/image", outdir);
		return json_pack("[s,{}]", img);
	}
	if (strcmp(method, "attach_disk") == 0 ||
	    strcmp(method, "detach_disk") == 0)
		return json_pack("[s,s]", cid, disk_cid);
	if (strcmp(method, "resize_disk") == 0)
		return json_pack("[s,i]", cid, RESIZE_MB);
	if (strcmp(method, "create_disk") == 0)
		return json_pack("[i,{},s]", 16, cid);
	if (strcmp(method, "has_disk") == 0)
		return json_pack("[s]", disk_cid);
	return json_pack("[s]", cid);
}

/* Removes what a successful call made. */
static void
undo(const char *method, const json_t *resp)
{
	const json_t *res = json_object_get(resp, "result");
	json_t *r = NULL;

	if (strcmp(method, "create_vm") == 0) {
		if (json_is_array(res))
			res = json_array_get(res, 0);
		ck_assert(json_is_string(res));
		r = plain("delete_vm", json_pack("[s]",
		          json_string_value(res)));
	} else if (strcmp(method, "create_stemcell") == 0) {
		ck_assert(json_is_string(res));
		r = plain("delete_stemcell", json_pack("[s]",
		          json_string_value(res)));
	} else if (strcmp(method, "attach_disk") == 0) {
		r = plain("detach_disk", json_pack("[s,s]", vm_cid,
		          disk_cid));
	} else if (strcmp(method, "create_disk") == 0) {
		ck_assert(json_is_string(res));
		r = plain("delete_disk", json_pack("[s]",
		          json_string_value(res)));
	}
	json_decref(r);
}

static void
assert_same(const char *before, const char *after, const char *what)
{
	const char *a = before, *b = after;

	if (strcmp(before, after) == 0)
		return;
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	while (a > before && a[-1] != '\n') {
		a--;
		b--;
	}
	ck_abort_msg("%s: inventory changed; before: %.300s\nafter: %.300s",
	             what, a, b);
}

static const char *
lists_disk(const json_t *settings)
{
	return json_object_get(json_object_get(json_object_get(settings,
	       "disks"), "persistent"), disk_cid) != NULL ? "disk" :
	       "no disk";
}

/* vm_cid's agent settings from its CD-ROM (env.iso, read with
 * xorriso), new reference; *diff gets NULL when they equal the last
 * guestinfo.userdata (the simulator appends a reconfigured key instead
 * of replacing it), else which of the two lists disk_cid.  Holds
 * secrets: compared, never printed. */
static json_t *
agent_env(char *diff, size_t size)
{
	struct vs_client *cl = sim_client_connect(NULL);
	struct vs_moref vm = sim_vm_ref(cl, vm_cid);
	struct vs_vm_info *info = NULL;
	struct err e;
	unsigned char *dec;
	json_t *iso, *guest;
	size_t len;
	char *ud;

	err_clear(&e);
	ck_assert_msg(vs_vm_info(&info, cl, &vm, &e) == 0, "%s", e.message);
	ck_assert_uint_ge(info->ndatastores, 1);
	iso = sim_env_iso_settings(cl, outdir, vm_cid,
	                           info->datastores[0].name);
	ud = sim_extra_config(cl, &vm, "guestinfo.userdata", true);
	ck_assert_msg(ud != NULL, "no guestinfo.userdata on %s", vm_cid);
	dec = sim_b64_decode(ud, &len);
	guest = json_loadb((const char *)dec, len, 0, NULL);
	ck_assert_msg(guest != NULL, "guestinfo.userdata is not JSON");
	diff[0] = '\0';
	if (!json_equal(iso, guest))
		snprintf(diff, size, "env.iso and guestinfo.userdata differ "
		         "(disks.persistent: %s in env.iso, %s in guestinfo)",
		         lists_disk(iso), lists_disk(guest));
	json_decref(guest);
	free(dec);
	free(ud);
	vs_vm_info_free(info);
	vs_client_free(cl);
	return iso;
}

/* After a case that left vm_cid's agent settings wrong: one more
 * attach and detach (each rewrites env.iso from guestinfo), so that the
 * cases after it start clean, then the case fails. */
static void
env_repair_and_fail(const char *what, const char *diff)
{
	json_decref(plain("attach_disk", args_for("attach_disk", vm_cid)));
	json_decref(plain("detach_disk", args_for("detach_disk", vm_cid)));
	ck_abort_msg("%s: after the case: %s", what, diff);
}

/* The cid a precondition call made (its result), or vm_cid when it
 * made none (attach_disk answers a disk hint). */
static const char *
made_cid(const char *make, const json_t *resp)
{
	const json_t *res = json_object_get(resp, "result");

	if (strcmp(make, "attach_disk") == 0)
		return vm_cid;
	if (json_is_array(res))
		res = json_array_get(res, 0);
	ck_assert_msg(json_is_string(res), "%s made no cid", make);
	return json_string_value(res);
}

/* The call after the case: success, or a->gone. */
static void
call_again(const struct around *a, const char *cid, const char *what)
{
	json_t *resp = call(a->again, args_for(a->again, cid), NULL, NULL);
	const char *t = sim_error_type(resp);

	ck_assert_msg(t == NULL || (a->gone != NULL &&
	              strcmp(t, a->gone) == 0), "%s: %s afterwards: %s",
	              what, a->again, t);
	if (a->undo && t == NULL)
		undo(a->again, resp);
	json_decref(resp);
}

static void
assert_outcome(const struct fcase *c, const json_t *resp, const char *what)
{
	const json_t *e = json_object_get(resp, "error");
	const char *t = sim_error_type(resp), *msg, *word = must_say_of(c);

	if (c->outcome == OK || (c->outcome == EITHER && json_is_null(e))) {
		ck_assert_msg(json_is_null(e), "%s: expected success, got %s",
		              what, t);
		return;
	}
	ck_assert_msg(json_is_object(e) && t != NULL, "%s: expected an "
	              "error", what);
	if (c->etype != NULL)
		ck_assert_msg(strcmp(t, c->etype) == 0, "%s: error type %s, "
		              "expected %s", what, t, c->etype);
	else
		ck_assert_msg(strcmp(t, CLOUD) == 0 || strcmp(t, CREATION) ==
		              0, "%s: error type %s", what, t);
	if (c->retry >= 0)
		ck_assert_msg(json_is_true(json_object_get(e, "ok_to_retry")) ==
		              (c->retry == 1), "%s: ok_to_retry should be %s",
		              what, c->retry ? "true" : "false");
	msg = json_string_value(json_object_get(e, "message"));
	ck_assert_msg(msg != NULL && strlen(msg) > 10, "%s: no message",
	              what);
	ck_assert_msg(word == NULL || strstr(msg, word) != NULL,
	              "%s: the message lacks '%s': %s", what, word, msg);
}

START_TEST(test_fault)
{
	const struct fcase *c = &cases[_i * parts + shard];
	const struct around *a = around_of(c->method);
	char kind[32], what[256], diff[160], *before, *after, *fired = NULL;
	json_t *resp, *made = NULL, *env = NULL, *env_after;
	const char *cid = vm_cid;
	size_t klen = strcspn(c->spec, "@");

	snprintf(what, sizeof(what), "%s [%s]", c->method, c->spec);
	if (strstr(c->method, "_disk") != NULL && disk_cid[0] == '\0') {
		fprintf(stderr, "%s: no create_disk, skipped\n", what);
		return;
	}
	snprintf(kind, sizeof(kind), "%.*s ", (int)klen, c->spec);
	before = snapshot();
	if (a->env) {
		env = agent_env(diff, sizeof(diff));
		ck_assert_msg(diff[0] == '\0', "%s: before the case: %s",
		              what, diff);
	}
	if (a->make != NULL) {
		made = plain(a->make, args_for(a->make, vm_cid));
		cid = made_cid(a->make, made);
	}
	resp = call(c->method, args_for(c->method, cid), c->spec, &fired);
	ck_assert_msg(strncmp(fired, kind, strlen(kind)) == 0,
	              "%s: the fault did not fire (log: '%s')", what, fired);
	assert_outcome(c, resp, what);
	if (json_is_null(json_object_get(resp, "error")))
		undo(c->method, resp);
	/* Whatever the fault did, the call after it finishes the job (a
	 * second delete, a second detach) or removes what make made. */
	if (a->again != NULL)
		call_again(a, cid, what);
	if (env != NULL) {
		env_after = agent_env(diff, sizeof(diff));
		if (diff[0] == '\0' && !json_equal(env, env_after))
			snprintf(diff, sizeof(diff), "the agent settings "
			         "changed");
		json_decref(env_after);
		if (diff[0] != '\0')
			env_repair_and_fail(what, diff);
	}
	after = snapshot();
	assert_same(before, after, what);
	free(before);
	free(after);
	free(fired);
	json_decref(env);
	json_decref(resp);
	json_decref(made);
}
END_TEST

/* A bad VSPHERE_CPI_FAULTS is refused, not ignored. */
START_TEST(test_bad_spec)
{
	static const char *const bad[] = {
		"refused", "nosuch@1", "reset@", "503@0", "fault@Clone VM",
		"fault@CloneVM_Task#x", "garbage@1,", NULL,
	};
	const char *msg;
	json_t *resp;
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		resp = call("has_vm", json_pack("[s]", "vm-x"), bad[i], NULL);
		msg = json_string_value(json_object_get(json_object_get(resp,
		                        "error"), "message"));
		ck_assert_msg(msg != NULL && strstr(msg,
		              "VSPHERE_CPI_FAULTS") != NULL,
		              "'%s' accepted: %s", bad[i], msg);
		json_decref(resp);
	}
}
END_TEST

/* The persistent disk, when the disk methods exist, is still there. */
START_TEST(test_disk_untouched)
{
	json_t *resp;

	if (disk_cid[0] == '\0')
		return;
	resp = plain("has_disk", json_pack("[s]", disk_cid));
	ck_assert(json_is_true(json_object_get(resp, "result")));
	json_decref(resp);
}
END_TEST

/* --- TLS through the binary ------------------------------------------ */

/* A second simulator serving VCSIM_CERT_DIR/<cert_name>.pem with the
 * harness credentials (as in check_harness.c). */
struct extra_sim {
	pid_t pid;
	char port[16];
};

static void
extra_sim_start(struct extra_sim *out, const char *cert_name)
{
	const char *bin = sim_env("VCSIM_BIN");
	const char *dir = sim_env("VCSIM_CERT_DIR");
	static const char prefix[] = "VCSIM_URL=https://127.0.0.1:";
	char cert[1024], key[1024], log[2200], line[256];
	struct pollfd pfd;
	size_t n;
	FILE *f;
	int fds[2], logfd;

	snprintf(cert, sizeof(cert), "%s/%s.pem", dir, cert_name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, cert_name);
	snprintf(log, sizeof(log), "%s/vcsim-%s.log", outdir, cert_name);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(logfd >= 0, "cannot create %s", log);
	ck_assert_int_eq(pipe(fds), 0);
	out->pid = fork();
	ck_assert_int_ge(out->pid, 0);
	if (out->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(bin, bin, "-listen", "127.0.0.1:0", "-cert", cert,
		      "-key", key, "-user", getenv("VCSIM_USER"), "-vms",
		      "0", "-watch-parent", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	close(logfd);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	ck_assert_msg(poll(&pfd, 1, 30000) == 1, "%s did not start", bin);
	f = fdopen(fds[0], "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL,
	              "%s exited without a URL", bin);
	fclose(f);
	ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0,
	              "unexpected first line: %s", line);
	n = strspn(line + strlen(prefix), "0123456789");
	ck_assert(n > 0 && n < sizeof(out->port));
	memcpy(out->port, line + strlen(prefix), n);
	out->port[n] = '\0';
}

static void
extra_sim_stop(struct extra_sim *s)
{
	int st;

	kill(s->pid, SIGTERM);
	waitpid(s->pid, &st, 0);
}

static char *
pem(const char *path)
{
	char *s = slurp(path);

	ck_assert_msg(strstr(s, "BEGIN CERTIFICATE") != NULL, "%s", path);
	return s;
}

/* has_disk (false: the extra simulators have DC0 and its datastores but
 * no BOSH_VMs folder, where has_vm now answers a CloudError naming
 * vm_folder) through a config with the given connection_options (and
 * host, when port is not NULL): the response, the run kept in r. */
static json_t *
tls_call(struct cpi_test_run *r, json_t *conn, const char *port)
{
	char host[64], cfg[4096];
	json_t *extra, *resp;

	extra = json_pack("{s:o}", "connection_options", conn);
	if (port != NULL) {
		snprintf(host, sizeof(host), "127.0.0.1:%s", port);
		json_object_set_new(extra, "host", json_string(host));
	}
	snprintf(cfg, sizeof(cfg), "%s", sim_config(extra));
	json_decref(extra);
	resp = call_cfg(r, cfg, "has_disk", json_pack("[s]", "disk-00000000-"
	                "0000-4000-8000-000000000000"), NULL, NULL);
	return resp;
}

static void
assert_tls_refused(json_t *resp, const char *what, const char *word)
{
	const json_t *e = json_object_get(resp, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	ck_assert_msg(json_is_object(e), "%s: connected", what);
	ck_assert_str_eq(sim_error_type(resp), CLOUD);
	ck_assert_msg(msg != NULL && strstr(msg, "TLS") != NULL &&
	              strstr(msg, word) != NULL,
	              "%s: unclear message: %s", what, msg);
	ck_assert_msg(!json_is_true(json_object_get(e, "ok_to_retry")),
	              "%s: a certificate problem is not worth a retry", what);
}

START_TEST(test_tls_wrong_ca)
{
	struct cpi_test_run r;
	char *ca = pem(sim_env("VCSIM_WRONG_CA_CERT"));
	json_t *resp;

	resp = tls_call(&r, json_pack("{s:s}", "ca_cert", ca), NULL);
	assert_tls_refused(resp, "wrong CA", "certificate");
	assert_tls_refused(resp, "wrong CA", "set the vCenter's CA "
	                   "certificate as connection_options.ca_cert");
	free(ca);
	cpi_test_run_clear(&r);
	json_decref(resp);
}
END_TEST

START_TEST(test_tls_expired)
{
	struct cpi_test_run r;
	struct extra_sim sim;
	char *ca = pem(sim_env("VCSIM_CA_CERT"));
	json_t *resp;

	extra_sim_start(&sim, "expired");
	resp = tls_call(&r, json_pack("{s:s}", "ca_cert", ca), sim.port);
	extra_sim_stop(&sim);
	assert_tls_refused(resp, "expired", "expired");
	free(ca);
	cpi_test_run_clear(&r);
	json_decref(resp);
}
END_TEST

START_TEST(test_tls_wrong_host)
{
	struct cpi_test_run r;
	struct extra_sim sim;
	char *ca = pem(sim_env("VCSIM_CA_CERT"));
	json_t *resp;

	extra_sim_start(&sim, "wronghost");
	resp = tls_call(&r, json_pack("{s:s}", "ca_cert", ca), sim.port);
	extra_sim_stop(&sim);
	assert_tls_refused(resp, "wrong host", "127.0.0.1");
	/* The fix for a name the certificate does not hold is the name,
	 * not a CA. */
	assert_tls_refused(resp, "wrong host", "connect by a name the "
	                   "certificate holds (vcenters[0].host");
	ck_assert_ptr_null(strstr(json_string_value(json_object_get(
	    json_object_get(resp, "error"), "message")), "ca_cert"));
	free(ca);
	cpi_test_run_clear(&r);
	json_decref(resp);
}
END_TEST

/* The explicit opt-out: no CA given (the system store knows nothing of
 * the test CA) and a certificate for another name, yet it connects and
 * says so in the log. */
START_TEST(test_tls_insecure_opt_out)
{
	struct cpi_test_run r;
	struct extra_sim sim;
	const char *log;
	json_t *resp;

	extra_sim_start(&sim, "wronghost");
	resp = tls_call(&r, json_pack("{s:b}", "insecure", 1), sim.port);
	extra_sim_stop(&sim);
	ck_assert_msg(json_is_null(json_object_get(resp, "error")),
	              "insecure: %s", sim_error_type(resp));
	ck_assert(json_is_false(json_object_get(resp, "result")));
	log = json_string_value(json_object_get(resp, "log"));
	ck_assert_msg(strstr(r.err, "verification is disabled") != NULL,
	              "no warning on stderr: %s", r.err);
	ck_assert_msg(log != NULL && strstr(log, "verification is disabled")
	              != NULL, "no warning in the log field");
	cpi_test_run_clear(&r);
	json_decref(resp);
}
END_TEST

/* --- main ------------------------------------------------------------ */

static void
prepare(void)
{
	json_t *resp, *args;

	if (sim_stemcell_make(stemcell, sizeof(stemcell), outdir,
	                      sizeof(outdir), NULL, 0, defcfg) < 0)
		exit(1);
	snprintf(faultlog, sizeof(faultlog), "%s/faults.log", outdir);
	args = vm_args();
	resp = sim_cpi_call(NULL, defcfg, "create_vm", args);
	json_decref(args);
	if (resp == NULL || sim_error_type(resp) != NULL) {
		fprintf(stderr, "create_vm failed\n");
		exit(1);
	}
	snprintf(vm_cid, sizeof(vm_cid), "%s", json_string_value(
	         json_array_get(json_object_get(resp, "result"), 0)));
	json_decref(resp);
	/* A persistent disk, when create_disk is there. */
	args = json_pack("[i,{},s]", 64, vm_cid);
	resp = sim_cpi_call(NULL, defcfg, "create_disk", args);
	json_decref(args);
	if (resp != NULL && json_is_string(json_object_get(resp, "result")))
		snprintf(disk_cid, sizeof(disk_cid), "%s", json_string_value(
		         json_object_get(resp, "result")));
	json_decref(resp);
}

/* Split by tests/integration/check_faults.shards (sim_suite_shard): part
 * shard of parts runs cases shard, shard + parts, ...; part 0 also the
 * rest. */
static Suite *
suite(void)
{
	int n = (int)(sizeof(cases) / sizeof(cases[0]));
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults"), *tls;

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_fault, 0,
	                    (n - shard + parts - 1) / parts);
	tcase_add_test(tc, test_disk_untouched);
	suite_add_tcase(s, tc);
	if (shard != 0)
		return s;
	tcase_add_test(tc, test_bad_spec);
	tls = tcase_create("tls");
	tcase_set_timeout(tls, 120);
	tcase_add_test(tls, test_tls_wrong_ca);
	tcase_add_test(tls, test_tls_expired);
	tcase_add_test(tls, test_tls_wrong_host);
	tcase_add_test(tls, test_tls_insecure_opt_out);
	suite_add_tcase(s, tls);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (sim_suite_shard(&shard, &parts) < 0)
		return 1;
	if (!sim_available()) {
		fprintf(stderr, "check_faults: no simulator (run through "
		        "tests/sim/run.sh)\n");
		return 1;
	}
	if (sim_config(NULL) == NULL) {
		fprintf(stderr, "cannot write the config\n");
		return 1;
	}
	snprintf(defcfg, sizeof(defcfg), "%s", sim_config(NULL));
	prepare();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

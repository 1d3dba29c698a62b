/*
 * tests/support/scenario.c: the CPI-level scenario runner of
 * tests/support/scenario.h.
 */
#include "tests/support/scenario.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vsphere/fixture.h"

int
scn_fail(struct scn_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->set = true;
	return -1;
}

/* snprintf for paths: a path that does not fit becomes "" (every use
 * then fails to open it) instead of a silently shortened one. */
void
scn_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
}

/* Prepends "prefix: " to the message (cut at the end when full). */
static void
scn_prefix(struct scn_error *e, const char *prefix)
{
	size_t pl = strlen(prefix) + 2, ml = strlen(e->msg);

	if (pl + 1 >= sizeof(e->msg))
		return;
	if (pl + ml + 1 > sizeof(e->msg))
		ml = sizeof(e->msg) - pl - 1;
	memmove(e->msg + pl, e->msg, ml);
	e->msg[pl + ml] = '\0';
	memcpy(e->msg, prefix, pl - 2);
	e->msg[pl - 2] = ':';
	e->msg[pl - 1] = ' ';
}

void
scn_free(struct scn *s)
{
	if (s == NULL)
		return;
	free(s->steps);
	free(s->dir);
	free(s);
}

static int
scn_step_cmp(const void *a, const void *b)
{
	const struct scn_step *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

/* "NN-method.request.json" -> step; false for any other name. */
static bool
scn_parse_name(struct scn_step *st, const char *name)
{
	static const char suffix[] = ".request.json";
	size_t n = strlen(name), sl = sizeof(suffix) - 1, i = 0, m;

	if (n <= sl || strcmp(name + n - sl, suffix) != 0 ||
	    n - sl >= sizeof(st->name))
		return false;
	st->number = 0;
	while (name[i] >= '0' && name[i] <= '9' && i < 4)
		st->number = st->number * 10 + (unsigned)(name[i++] - '0');
	if (i == 0 || name[i] != '-')
		return false;
	m = n - sl - i - 1;
	if (m == 0 || m >= sizeof(st->method))
		return false;
	memcpy(st->method, name + i + 1, m);
	st->method[m] = '\0';
	for (i = 0; i < m; i++) {
		char c = st->method[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	memcpy(st->name, name, n - sl);
	st->name[n - sl] = '\0';
	return true;
}

/* qsort comparator for an array of names (char *). */
int
scn_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A scenario that cannot be replayed yet holds a file PENDING whose
 * first line says why; runners list it and skip it.  Returns that line
 * in buf, or false. */
bool
scn_pending(char *buf, size_t size, const char *dir)
{
	char path[4096];
	FILE *f;

	scn_pathf(path, sizeof(path), "%s/PENDING", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return true;
}

/* Is dir a CPI-level scenario (has a cpi/ directory)? */
bool
scn_is_cpi(const char *dir)
{
	char path[4096];
	struct stat st;

	scn_pathf(path, sizeof(path), "%s/cpi", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
scn_load(struct scn **out, const char *dir, struct scn_error *e)
{
	char path[4096];
	struct scn *s = NULL;
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s != NULL) {
		s->dir = strdup(dir);
		s->steps = calloc(SCN_MAX_STEPS, sizeof(*s->steps));
	}
	if (s == NULL || s->dir == NULL || s->steps == NULL) {
		rc = scn_fail(e, "out of memory");
		goto cleanup;
	}
	scn_pathf(path, sizeof(path), "%s/cpi", dir);
	d = opendir(path);
	if (d == NULL) {
		rc = scn_fail(e, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strstr(de->d_name, ".request.json") == NULL)
			continue;
		if (s->n == SCN_MAX_STEPS) {
			rc = scn_fail(e, "%s: more than %d steps", path,
			              SCN_MAX_STEPS);
			goto cleanup;
		}
		if (!scn_parse_name(&s->steps[s->n], de->d_name)) {
			rc = scn_fail(e, "%s: bad step file name %.100s "
			              "(want NN-method.request.json)", path,
			              de->d_name);
			goto cleanup;
		}
		s->n++;
	}
	qsort(s->steps, s->n, sizeof(*s->steps), scn_step_cmp);
	for (i = 1; i < s->n; i++) {
		if (s->steps[i].number == s->steps[i - 1].number) {
			rc = scn_fail(e, "%s: step %u used twice", path,
			              s->steps[i].number);
			goto cleanup;
		}
	}
	if (s->n == 0) {
		rc = scn_fail(e, "%s: no NN-method.request.json", path);
		goto cleanup;
	}
	*out = s;
	s = NULL;
cleanup:
	if (d != NULL)
		closedir(d);
	scn_free(s);
	return rc;
}

int
scn_read(char **out, const char *path, struct scn_error *e)
{
	struct err verr = { 0 };

	if (vs_fixture_read_file(out, NULL, path, 16 * 1024 * 1024,
	                         &verr) != 0)
		return scn_fail(e, "%s", verr.message);
	return 0;
}

json_t *
scn_load_json(const char *path, struct scn_error *e)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		scn_fail(e, "%s: line %d: %s", path, je.line, je.text);
	return v;
}

/* --- placeholders ------------------------------------------------- */

struct scn_subst {
	const struct scn *s;
	size_t upto;                    /* steps before this one are known */
	json_t *const *responses;
	const char *workdir;            /* NULL: none */
};

/* "{{NN.result}}" / "{{NN.result.K}}" -> new reference, or NULL (and e
 * set when it looked like a placeholder). */
static json_t *
scn_result_ref(const struct scn_subst *ctx, const char *str,
               struct scn_error *e)
{
	size_t n = strlen(str), i, k, kl;
	json_t *v = NULL;
	unsigned num = 0;
	char key[64];

	if (n < 4 || strncmp(str, "{{", 2) != 0 ||
	    strcmp(str + n - 2, "}}") != 0 || strcmp(str, "{{WORKDIR}}") == 0)
		return NULL;
	for (i = 2; i < n && i < 6 && str[i] >= '0' && str[i] <= '9'; i++)
		num = num * 10 + (unsigned)(str[i] - '0');
	if (i == 2 || strncmp(str + i, ".result", 7) != 0) {
		scn_fail(e, "bad placeholder %.60s", str);
		return NULL;
	}
	i += 7;
	for (k = 0; k < ctx->upto; k++) {
		if (ctx->s->steps[k].number == num && ctx->responses[k])
			v = json_object_get(ctx->responses[k], "result");
	}
	if (v == NULL || json_is_null(v)) {
		scn_fail(e, "placeholder %.60s: step %u did not run before "
		         "or has no result", str, num);
		return NULL;
	}
	if (i < n - 2) {
		kl = n - 2 - (i + 1);
		if (str[i] != '.' || kl == 0 || kl >= sizeof(key)) {
			scn_fail(e, "bad placeholder %.60s", str);
			return NULL;
		}
		memcpy(key, str + i + 1, kl);
		key[kl] = '\0';
		if (json_is_array(v))
			v = json_array_get(v, (size_t)strtoul(key, NULL, 10));
		else
			v = json_object_get(v, key);
	}
	if (v == NULL) {
		scn_fail(e, "placeholder %.60s: no such element", str);
		return NULL;
	}
	return json_incref(v);
}

/* "{{WORKDIR}}" anywhere in str -> new string, or NULL when absent. */
static json_t *
scn_workdir_ref(const struct scn_subst *ctx, const char *str,
                struct scn_error *e)
{
	static const char tag[] = "{{WORKDIR}}";
	size_t tl = sizeof(tag) - 1, wl, n = 0;
	const char *p, *q;
	char *buf;
	json_t *v;

	if (strstr(str, tag) == NULL)
		return NULL;
	if (ctx->workdir == NULL) {
		scn_fail(e, "{{WORKDIR}} used but there is no work dir");
		return NULL;
	}
	wl = strlen(ctx->workdir);
	buf = malloc(strlen(str) / tl * wl + strlen(str) + 1);
	if (buf == NULL) {
		scn_fail(e, "out of memory");
		return NULL;
	}
	p = str;
	q = strstr(p, tag);
	while (q != NULL) {
		memcpy(buf + n, p, (size_t)(q - p));
		n += (size_t)(q - p);
		memcpy(buf + n, ctx->workdir, wl);
		n += wl;
		p = q + tl;
		q = strstr(p, tag);
	}
	strcpy(buf + n, p);
	v = json_string(buf);
	free(buf);
	if (v == NULL)
		scn_fail(e, "out of memory");
	return v;
}

static int
scn_substitute(json_t *v, const struct scn_subst *ctx, int depth,
               struct scn_error *e);

/* *out: what replaces child (new reference), or NULL to keep it;
 * containers are filled in place. */
static int
scn_replacement(json_t **out, json_t *child, const struct scn_subst *ctx,
                int depth, struct scn_error *e)
{
	const char *str = json_string_value(child);

	*out = NULL;
	if (str == NULL)
		return scn_substitute(child, ctx, depth + 1, e);
	*out = scn_result_ref(ctx, str, e);
	if (*out == NULL && !e->set)
		*out = scn_workdir_ref(ctx, str, e);
	return e->set ? -1 : 0;
}

/* Replaces placeholders inside v (in place). */
static int
scn_substitute(json_t *v, const struct scn_subst *ctx, int depth,
               struct scn_error *e)
{
	json_t *child, *repl;
	const char *key;
	size_t i;

	if (depth > SCN_MAX_DEPTH)
		return scn_fail(e, "request nested too deeply");
	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			if (scn_replacement(&repl, child, ctx, depth, e) != 0)
				return -1;
			if (repl != NULL)
				json_array_set_new(v, i, repl);
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, child) {
			if (scn_replacement(&repl, child, ctx, depth, e) != 0)
				return -1;
			if (repl != NULL)
				json_object_set_new(v, key, repl);
		}
	}
	return 0;
}

void
scn_path(char *buf, size_t size, const struct scn *s, size_t i,
         const char *kind)
{
	scn_pathf(buf, size, "%s/cpi/%s.%s.json", s->dir, s->steps[i].name,
	         kind);
}

/* The request of step i with placeholders filled (new reference). */
json_t *
scn_request(const struct scn *s, size_t i, json_t *const *responses,
            const char *workdir, struct scn_error *e)
{
	struct scn_subst ctx = { s, i, responses, workdir };
	char path[4096];
	json_t *req;

	scn_path(path, sizeof(path), s, i, "request");
	req = scn_load_json(path, e);
	if (req == NULL)
		return NULL;
	if (!json_is_object(req) ||
	    !json_is_string(json_object_get(req, "method"))) {
		json_decref(req);
		scn_fail(e, "%s: not a request object with a method", path);
		return NULL;
	}
	if (strcmp(json_string_value(json_object_get(req, "method")),
	           s->steps[i].method) != 0) {
		json_decref(req);
		scn_fail(e, "%s: method differs from the file name", path);
		return NULL;
	}
	if (scn_substitute(req, &ctx, 0, e) != 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* --- running the binary ------------------------------------------- */

/* A "check" step is the subcommand, not a JSON-RPC call: request
 * {"method":"check","arguments":[NETWORKS or null]} runs `cpi check --json
 * [flag dir] config [networks file]`, and the response is {"result":
 * the report, "error": null, "exit_status": 0 or 1}. */
static int
scn_call_check(json_t **resp, struct cpi_test_run *run, const char *cpi,
               const char *config, const char *flag, const char *dir,
               const json_t *req, struct scn_error *e)
{
	const json_t *nets = json_array_get(json_object_get(req, "arguments"),
	                                    0);
	char *argv[9], nets_path[4200] = "";
	const char *tmp = getenv("TMPDIR");
	json_error_t je;
	json_t *report;
	int n = 0, rc = 0, fd;

	if (nets != NULL && !json_is_null(nets)) {
		scn_pathf(nets_path, sizeof(nets_path), "%s/scn-nets.XXXXXX",
		          tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		fd = mkstemp(nets_path);
		if (fd < 0)
			return scn_fail(e, "mkstemp: %s", strerror(errno));
		close(fd);
		if (json_dump_file(nets, nets_path, JSON_COMPACT) != 0) {
			unlink(nets_path);
			return scn_fail(e, "cannot write %s", nets_path);
		}
	}
	argv[n++] = (char *)cpi;
	argv[n++] = (char *)"check";
	argv[n++] = (char *)"--json";
	if (flag != NULL) {
		argv[n++] = (char *)flag;
		argv[n++] = (char *)dir;
	}
	argv[n++] = (char *)config;
	if (nets_path[0] != '\0')
		argv[n++] = nets_path;
	argv[n] = NULL;
	if (cpi_test_run(run, argv, "", 0) != 0)
		rc = scn_fail(e, "cannot run %s", cpi);
	if (nets_path[0] != '\0')
		unlink(nets_path);
	if (rc != 0)
		return rc;
	if (run->status != 0 && run->status != 1)
		return scn_fail(e, "%s check exited with status %d; stderr: "
		                "%.600s", cpi, run->status, run->err);
	report = json_loads(run->out, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(report)) {
		json_decref(report);
		return scn_fail(e, "not a check report: %.300s", run->out);
	}
	*resp = json_pack("{s:o,s:n,s:i}", "result", report, "error",
	                  "exit_status", run->status);
	return *resp != NULL ? 0 : scn_fail(e, "out of memory");
}

/* Runs `cpi [flag dir] config` with req on stdin; *resp is the parsed
 * response object.  run receives the raw output (clear it). */
int
scn_call(json_t **resp, struct cpi_test_run *run, const char *cpi,
         const char *config, const char *flag, const char *dir,
         const json_t *req, struct scn_error *e)
{
	char *argv[6], *text;
	json_error_t je;
	int n = 0, rc;

	*resp = NULL;
	memset(run, 0, sizeof(*run));
	if (strcmp(json_string_value(json_object_get(req, "method")),
	           "check") == 0)
		return scn_call_check(resp, run, cpi, config, flag, dir, req,
		                      e);
	argv[n++] = (char *)cpi;
	if (flag != NULL) {
		argv[n++] = (char *)flag;
		argv[n++] = (char *)dir;
	}
	argv[n++] = (char *)config;
	argv[n] = NULL;
	text = json_dumps(req, JSON_COMPACT);
	if (text == NULL)
		return scn_fail(e, "out of memory");
	rc = cpi_test_run(run, argv, text, strlen(text));
	free(text);
	if (rc != 0)
		return scn_fail(e, "cannot run %s", cpi);
	if (run->status != 0)
		return scn_fail(e, "%s exited with status %d; stderr: %.600s",
		                cpi, run->status, run->err);
	*resp = json_loads(run->out, JSON_REJECT_DUPLICATES, &je);
	if (*resp == NULL || !json_is_object(*resp) ||
	    json_object_get(*resp, "result") == NULL ||
	    json_object_get(*resp, "error") == NULL) {
		json_decref(*resp);
		*resp = NULL;
		return scn_fail(e, "not a CPI response: %.300s", run->out);
	}
	return 0;
}

static bool
scn_is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == '-' ? s[i] != '-' :
		    !((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	}
	return true;
}

/* "vm-<uuid>", "sc-<uuid>", "disk-<uuid>": the uuid after a name
 * prefix becomes "<uuid>" (vs_fixture_mask leaves a uuid that follows a
 * '-' alone). */
static void
scn_mask_cids(char *text)
{
	static const char repl[] = "<uuid>";
	size_t i = 0, o = 0, n = strlen(text);

	while (i < n) {
		if (i > 0 && text[i - 1] == '-' && n - i >= 36 &&
		    scn_is_uuid(text + i)) {
			memcpy(text + o, repl, sizeof(repl) - 1);
			o += sizeof(repl) - 1;
			i += 36;
			continue;
		}
		text[o++] = text[i++];
	}
	text[o] = '\0';
}

/* In a check report (scn_call_check) the address, reachability and TLS
 * lines name the live simulator when recording and the replay config's
 * host when replaying: their messages are not compared. */
static void
scn_mask_check(json_t *resp)
{
	json_t *checks = json_object_get(json_object_get(resp, "result"),
	                                 "checks"), *it;
	size_t i;

	if (json_object_get(resp, "exit_status") == NULL)
		return;
	json_array_foreach(checks, i, it) {
		const char *c = json_string_value(json_object_get(it,
		                                                  "check"));

		if (c != NULL && (strcmp(c, "vcenter.address") == 0 ||
		                  strcmp(c, "vcenter.reachable") == 0 ||
		                  strcmp(c, "vcenter.tls") == 0))
			json_object_set_new(it, "message",
			                    json_string("<connection>"));
	}
}

/* Sorted compact JSON without "log", volatile values masked. */
static char *
scn_canon(const json_t *resp)
{
	struct err verr = { 0 };
	json_t *copy = json_deep_copy(resp);
	char *text = NULL, *masked = NULL;

	if (copy == NULL)
		return NULL;
	json_object_del(copy, "log");
	scn_mask_check(copy);
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (text == NULL)
		return NULL;
	scn_mask_cids(text);
	if (vs_fixture_mask(&masked, NULL, text, strlen(text), &verr) != 0)
		masked = NULL;
	free(text);
	return masked;
}

static int
scn_compare(const json_t *expected, const json_t *actual, const char *what,
            struct scn_error *e)
{
	char *ce = scn_canon(expected), *ca = scn_canon(actual);
	char diff[1200];
	int rc = 0;

	if (ce == NULL || ca == NULL)
		rc = scn_fail(e, "out of memory");
	else if (vs_fixture_diff(diff, sizeof(diff), ce, strlen(ce), ca,
	                         strlen(ca)))
		rc = scn_fail(e, "%s: response differs from the recording: "
		              "%s", what, diff);
	free(ce);
	free(ca);
	return rc;
}

/* --- scratch directories ------------------------------------------ */

/* rm -rf dir (scratch directories only; symlinks are not followed). */
static void
scn_rmtree_depth(const char *dir, int depth)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (depth > 8)
		return;
	d = opendir(dir);
	if (d != NULL) {
		for (;;) {
			de = readdir(d);
			if (de == NULL)
				break;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			scn_pathf(path, sizeof(path), "%s/%s", dir,
			         de->d_name);
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
				scn_rmtree_depth(path, depth + 1);
			else
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

void
scn_rmtree(const char *dir)
{
	if (dir != NULL && dir[0] != '\0')
		scn_rmtree_depth(dir, 0);
}

/* mkdtemp under $TMPDIR (or /tmp) into buf. */
int
scn_mkwork(char *buf, size_t size, struct scn_error *e)
{
	const char *tmp = getenv("TMPDIR");

	scn_pathf(buf, size, "%s/cpi-scenario.XXXXXX",
	         tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(buf) == NULL)
		return scn_fail(e, "mkdtemp: %s", strerror(errno));
	return 0;
}

/* sh DIR/prepare.sh WORKDIR, when the scenario has one. */
int
scn_prepare(const struct scn *s, const char *workdir, struct scn_error *e)
{
	struct cpi_test_run run;
	char path[4096], *argv[4];
	struct stat st;
	int rc = 0;

	scn_pathf(path, sizeof(path), "%s/prepare.sh", s->dir);
	if (stat(path, &st) != 0)
		return 0;
	argv[0] = (char *)"/bin/sh";
	argv[1] = path;
	argv[2] = (char *)workdir;
	argv[3] = NULL;
	memset(&run, 0, sizeof(run));
	if (cpi_test_run(&run, argv, "", 0) != 0 || run.status != 0)
		rc = scn_fail(e, "%s failed (status %d): %.600s", path,
		              run.status, run.err != NULL ? run.err : "");
	cpi_test_run_clear(&run);
	return rc;
}

/* --- whole runs --------------------------------------------------- */

/* Number of the last exchange in dir (0: none). */
static int
scn_last_exchange(unsigned long *out, const char *dir, struct scn_error *e)
{
	struct vs_fixture_entry *v = NULL;
	struct err verr = { 0 };
	size_t n = 0;

	*out = 0;
	if (vs_fixture_list(&v, &n, dir, false, &verr) != 0)
		return scn_fail(e, "%s: %s", dir, verr.message);
	if (n > 0)
		*out = v[n - 1].number;
	free(v);
	return 0;
}

/* After a replay: every recorded exchange must have been served. */
static int
scn_check_cursor(const char *dir, const char *cursor, struct scn_error *e)
{
	unsigned long last = 0, next = 0;
	char *text = NULL, *end = NULL;
	struct stat st;
	int rc;

	rc = scn_last_exchange(&last, dir, e);
	if (rc != 0 || last == 0)
		return rc;
	if (stat(cursor, &st) != 0)
		return scn_fail(e, "no request used the recorded vSphere "
		                "exchanges (up to %lu)", last);
	rc = scn_read(&text, cursor, e);
	if (rc != 0)
		return rc;
	next = strtoul(text, &end, 10);
	if (end == text)
		rc = scn_fail(e, "replay cursor is not a number");
	else if (next <= last)
		rc = scn_fail(e, "recorded vSphere exchanges %lu..%lu were "
		              "never requested", next, last);
	free(text);
	return rc;
}

int
scn_run_open(struct scn_run *r, const char *dir, struct scn_error *e)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = scn_load(&r->s, dir, e);
	if (rc == 0)
		rc = scn_mkwork(r->work, sizeof(r->work), e);
	if (rc == 0)
		rc = scn_prepare(r->s, r->work, e);
	if (rc != 0)
		return rc;
	r->responses = calloc(r->s->n, sizeof(*r->responses));
	if (r->responses == NULL)
		return scn_fail(e, "out of memory");
	return 0;
}

void
scn_run_close(struct scn_run *r)
{
	size_t i;

	for (i = 0; r->responses != NULL && i < r->s->n; i++)
		json_decref(r->responses[i]);
	free(r->responses);
	r->responses = NULL;
	cpi_test_run_clear(&r->run);
	if (r->work[0] != '\0')
		scn_rmtree(r->work);
	r->work[0] = '\0';
	scn_free(r->s);
	r->s = NULL;
}

/* Adds the replay transport's own words (one line of the binary's
 * stderr) to a failure of a replayed step. */
static void
scn_replay_words(struct scn_error *e, const struct cpi_test_run *run)
{
	const char *p;
	size_t l;

	if (!e->set || run->err == NULL || strstr(run->err, "replay") == NULL)
		return;
	p = strstr(run->err, "replay: ");
	l = p != NULL ? strcspn(p, "\n") : 0;
	if (l > 0 && strlen(e->msg) + l + 16 < sizeof(e->msg))
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) -
		         strlen(e->msg), " [cpi: %.*s]", (int)l, p);
}

/* Replays step i of r: its response compared with the recording. */
static int
scn_replay_step(struct scn_run *r, size_t i, const char *cpi,
                const char *config, const char *dir, scn_show_fn show,
                void *ud, struct scn_error *e)
{
	const struct scn_step *st = &r->s->steps[i];
	json_t *req = NULL, *resp = NULL, *want;
	char path[4096];
	int rc;

	/* Placeholders take the RECORDED results: the vSphere side answers
	 * with the names of the recording. */
	scn_path(path, sizeof(path), r->s, i, "response");
	want = scn_load_json(path, e);
	req = want != NULL ? scn_request(r->s, i, r->responses, r->work, e)
	                   : NULL;
	if (req == NULL) {
		json_decref(want);
		return -1;
	}
	rc = scn_call(&resp, &r->run, cpi, config, "--replay", dir, req, e);
	if (rc == 0 && show != NULL)
		show(ud, st, req, resp);
	if (rc == 0)
		rc = scn_compare(want, resp, st->name, e);
	if (rc != 0)
		scn_replay_words(e, &r->run);
	if (rc != 0 && strncmp(e->msg, st->name, strlen(st->name)) != 0)
		scn_prefix(e, st->name);
	r->responses[i] = want;
	json_decref(resp);
	json_decref(req);
	cpi_test_run_clear(&r->run);
	return rc;
}

/* Replays scenario dir with the binary cpi: every response must match
 * the recording and every exchange must be used.  show (may be NULL)
 * is called with each request and live response, for the demo. */
int
scn_replay(const char *cpi, const char *dir, scn_show_fn show, void *ud,
           struct scn_error *e)
{
	char cursor[4200], config[4096];
	struct scn_run r;
	size_t i;
	int rc;

	rc = scn_run_open(&r, dir, e);
	if (rc != 0)
		goto cleanup;
	scn_pathf(cursor, sizeof(cursor), "%s/cursor", r.work);
	scn_pathf(config, sizeof(config), "%s/config.json", dir);
	setenv("VSPHERE_CPI_REPLAY_CURSOR", cursor, 1);
	unsetenv("VSPHERE_CPI_REPLAY_START");
	unsetenv("VSPHERE_CPI_FIXTURES");
	for (i = 0; i < r.s->n && rc == 0; i++)
		rc = scn_replay_step(&r, i, cpi, config, dir, show, ud, e);
	if (rc == 0)
		rc = scn_check_cursor(dir, cursor, e);
	unsetenv("VSPHERE_CPI_REPLAY_CURSOR");
cleanup:
	scn_run_close(&r);
	return rc;
}

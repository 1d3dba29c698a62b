/*
 * tests/unit/check_rpc.c: the cpi binary end to end (request on stdin,
 * one JSON line on stdout, exit status) plus in-process checks of the
 * envelope parser, the response writer and the method table.
 */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpi/dispatch.h"
#include "cpi/error.h"
#include "cpi/rpc.h"
#include "tests/support/cpi_run.h"

#define NOT_IMPL "Bosh::Clouds::NotImplemented"
#define ERR_FAIL "Bosh::Clouds::CpiError"

static char tmpdir[256];
static char good_cfg[512], broken_cfg[512], secret_cfg[512];

#define CFG_PASSWORD "Pw-sEcReT-4711"
#define MBUS_PASSWORD "Mbus-pAsS-9931"
#define ENV_SECRET "EnvSecret-0815-agentpw"
#define CTX_SECRET "CtxSecret-4242-vcpass"

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	char *text;
	FILE *f;
	long n;

	ck_assert_msg(access(cpi_test_binary(), X_OK) == 0,
	              "%s is not built (make BUILD=... BUILD/cpi first)",
	              cpi_test_binary());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_rpc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(good_cfg, sizeof(good_cfg), "%s",
	         cpi_test_data("cpi/cpi.json"));
	snprintf(broken_cfg, sizeof(broken_cfg), "%s/broken.json", tmpdir);
	snprintf(secret_cfg, sizeof(secret_cfg), "%s/secret.json", tmpdir);
	write_file(broken_cfg, "{\"cloud\": [ this is not json\n");
	/* The sample config with known secrets in it. */
	f = fopen(good_cfg, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	{
		char *p = strstr(text, "VCENTER-PASSWORD"), *q;
		char *out = calloc(1, (size_t)n + 256);

		ck_assert_ptr_nonnull(p);
		q = strstr(text, "NATS-PASSWORD");
		ck_assert_ptr_nonnull(q);
		ck_assert_ptr_nonnull(out);
		ck_assert(p < q);
		strncat(out, text, (size_t)(p - text));
		strcat(out, CFG_PASSWORD);
		strncat(out, p + strlen("VCENTER-PASSWORD"),
		        (size_t)(q - p - (long)strlen("VCENTER-PASSWORD")));
		strcat(out, MBUS_PASSWORD);
		strcat(out, q + strlen("NATS-PASSWORD"));
		write_file(secret_cfg, out);
		free(out);
	}
	free(text);
}

static void
teardown(void)
{
	unlink(broken_cfg);
	unlink(secret_cfg);
	rmdir(tmpdir);
}

/* Runs the binary with config and request; checks the invariants every
 * call must keep (exit 0, one JSON line, the three keys, log a string,
 * error null or {type,message,ok_to_retry}) and returns the response. */
static json_t *
call_cfg(const char *config, const char *req, size_t len,
         struct cpi_test_run *keep)
{
	char *argv[] = { (char *)cpi_test_binary(), (char *)config, NULL };
	struct cpi_test_run r;
	json_error_t jerr;
	json_t *root, *e;
	const char *nl;

	ck_assert_int_eq(cpi_test_run(&r, argv, req, len), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr: %.400s", r.status,
	              r.err);
	nl = strchr(r.out, '\n');
	ck_assert_msg(nl != NULL && nl[1] == '\0' &&
	              nl == r.out + r.out_len - 1,
	              "stdout is not exactly one line: %.400s", r.out);
	root = json_loadb(r.out, r.out_len, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(root != NULL, "stdout not JSON: %.400s", r.out);
	ck_assert(json_is_object(root));
	ck_assert_int_eq(json_object_size(root), 3);
	ck_assert_ptr_nonnull(json_object_get(root, "result"));
	ck_assert(json_is_string(json_object_get(root, "log")));
	e = json_object_get(root, "error");
	ck_assert_ptr_nonnull(e);
	if (!json_is_null(e)) {
		ck_assert(json_is_object(e));
		ck_assert_int_eq(json_object_size(e), 3);
		ck_assert(json_is_string(json_object_get(e, "type")));
		ck_assert(json_is_string(json_object_get(e, "message")));
		ck_assert(json_is_boolean(json_object_get(e, "ok_to_retry")));
		ck_assert(json_is_null(json_object_get(root, "result")));
	}
	if (keep != NULL)
		*keep = r;
	else
		cpi_test_run_clear(&r);
	return root;
}

static json_t *
call(const char *req)
{
	return call_cfg(good_cfg, req, strlen(req), NULL);
}

static void
assert_error(json_t *root, const char *type, const char *needle)
{
	json_t *e = json_object_get(root, "error");
	const char *msg;

	ck_assert_msg(json_is_object(e), "expected an error");
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")), type);
	msg = json_string_value(json_object_get(e, "message"));
	ck_assert_msg(strstr(msg, needle) != NULL, "message '%s' lacks '%s'",
	              msg, needle);
	ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
	json_decref(root);
}

static void
expect_error(const char *req, const char *type, const char *needle)
{
	assert_error(call(req), type, needle);
}

static void
assert_info(json_t *root)
{
	json_t *res = json_object_get(root, "result"), *f;

	ck_assert(json_is_null(json_object_get(root, "error")));
	ck_assert(json_is_object(res));
	ck_assert_int_eq(json_integer_value(json_object_get(res,
	                                                    "api_version")),
	                 2);
	f = json_object_get(res, "stemcell_formats");
	ck_assert_int_eq(json_array_size(f), 2);
	ck_assert_str_eq(json_string_value(json_array_get(f, 0)),
	                 "vsphere-ovf");
	ck_assert_str_eq(json_string_value(json_array_get(f, 1)),
	                 "vsphere-ova");
	json_decref(root);
}

/* --- malformed requests ------------------------------------------- */

START_TEST(test_not_json)
{
	expect_error("hello there", ERR_FAIL, "not valid JSON");
	expect_error("{\"method\":", ERR_FAIL, "not valid JSON");
	expect_error("{\"method\":\"info\",\"arguments\":[]", ERR_FAIL,
	             "not valid JSON");
	/* Nesting beyond the depth limit: refused before parsing. */
	{
		char *deep = malloc(200001);

		ck_assert_ptr_nonnull(deep);
		memset(deep, '[', 100000);
		memset(deep + 100000, ']', 100000);
		deep[200000] = '\0';
		expect_error(deep, ERR_FAIL, "request nests deeper than 64 "
		             "levels");
		free(deep);
	}
	/* Invalid UTF-8 inside a string. */
	expect_error("{\"method\":\"inf\xff\",\"arguments\":[]}", ERR_FAIL,
	             "not valid JSON");
}
END_TEST

START_TEST(test_not_object)
{
	expect_error("[{\"method\":\"info\",\"arguments\":[]}]", ERR_FAIL,
	             "must be a JSON object");
	expect_error("\"info\"", ERR_FAIL, "not valid JSON");
	expect_error("42", ERR_FAIL, "not valid JSON");
}
END_TEST

START_TEST(test_method_checks)
{
	expect_error("{\"arguments\":[]}", ERR_FAIL,
	             "Must provide 'method' key");
	expect_error("{\"method\":null,\"arguments\":[]}", ERR_FAIL,
	             "Must provide 'method' key");
	expect_error("{\"method\":\"\",\"arguments\":[]}", ERR_FAIL,
	             "'method' must not be empty");
	expect_error("{\"method\":42,\"arguments\":[]}", ERR_FAIL,
	             "'method' must be a string");
	expect_error("{\"method\":[\"info\"],\"arguments\":[]}", ERR_FAIL,
	             "'method' must be a string");
}
END_TEST

START_TEST(test_arguments_checks)
{
	expect_error("{\"method\":\"info\"}", ERR_FAIL,
	             "Must provide 'arguments' key");
	expect_error("{\"method\":\"info\",\"arguments\":{}}", ERR_FAIL,
	             "'arguments' must be an array");
	expect_error("{\"method\":\"info\",\"arguments\":null}", ERR_FAIL,
	             "'arguments' must be an array");
	expect_error("{\"method\":\"info\",\"arguments\":\"x\"}", ERR_FAIL,
	             "'arguments' must be an array");
}
END_TEST

START_TEST(test_context_and_version_checks)
{
	expect_error("{\"method\":\"info\",\"arguments\":[],\"context\":[]}",
	             ERR_FAIL, "'context' must be an object");
	expect_error("{\"method\":\"info\",\"arguments\":[],\"context\":\"x\"}",
	             ERR_FAIL, "'context' must be an object");
	expect_error("{\"method\":\"info\",\"arguments\":[],"
	             "\"api_version\":\"2\"}", ERR_FAIL,
	             "'api_version' must be a positive integer");
	expect_error("{\"method\":\"info\",\"arguments\":[],"
	             "\"api_version\":0}", ERR_FAIL,
	             "'api_version' must be a positive integer");
	expect_error("{\"method\":\"info\",\"arguments\":[],"
	             "\"api_version\":1.5}", ERR_FAIL,
	             "'api_version' must be a positive integer");
	/* Null context and api_version count as absent; versions above 2
	 * are served as 2. */
	assert_info(call("{\"method\":\"info\",\"arguments\":[],"
	                 "\"context\":null,\"api_version\":null}"));
	assert_info(call("{\"method\":\"info\",\"arguments\":[],"
	                 "\"context\":{\"director_uuid\":\"d\","
	                 "\"request_id\":\"cpi-123456\"},"
	                 "\"api_version\":3}"));
}
END_TEST

START_TEST(test_wrong_arg_count)
{
	expect_error("{\"method\":\"calculate_vm_cloud_properties\","
	             "\"arguments\":[]}", ERR_FAIL,
	             "calculate_vm_cloud_properties: expected 1 argument, "
	             "got 0: missing argument 1 (desired_instance_size, an "
	             "object)");
}
END_TEST

START_TEST(test_wrong_arg_type)
{
	expect_error("{\"method\":\"calculate_vm_cloud_properties\","
	             "\"arguments\":[\"big\"]}", ERR_FAIL,
	             "calculate_vm_cloud_properties: argument 1 "
	             "(desired_instance_size) must be an object, got a "
	             "string");
	expect_error("{\"method\":\"calculate_vm_cloud_properties\","
	             "\"arguments\":[null]}", ERR_FAIL,
	             "must be an object, got null");
}
END_TEST

/* README: a wrong argument count is a CpiError, extra ones included. */
START_TEST(test_extra_args_refused)
{
	expect_error("{\"method\":\"ping\",\"arguments\":[1,\"x\"]}", ERR_FAIL,
	             "ping: expected 0 arguments, got 2");
	expect_error("{\"method\":\"has_vm\",\"arguments\":[\"vm-1\",\"x\"]}",
	             ERR_FAIL, "has_vm: expected 1 argument, got 2");
}
END_TEST

static char *
padded_request(size_t total)
{
	static const char head[] = "{\"method\":\"info\",\"arguments\":[],"
	                           "\"context\":{\"pad\":\"";
	static const char tail[] = "\"}}";
	char *buf = malloc(total + 1);
	size_t pad;

	ck_assert_ptr_nonnull(buf);
	ck_assert(total > sizeof(head) + sizeof(tail));
	pad = total - (sizeof(head) - 1) - (sizeof(tail) - 1);
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'a', pad);
	memcpy(buf + sizeof(head) - 1 + pad, tail, sizeof(tail));
	ck_assert_uint_eq(strlen(buf), total);
	return buf;
}

START_TEST(test_oversized)
{
	char *req = padded_request(CPI_REQUEST_MAX + 1);

	assert_error(call_cfg(good_cfg, req, strlen(req), NULL), ERR_FAIL,
	             "request larger than 16 MiB");
	free(req);
}
END_TEST

/* A request of n items: {"method":"info","arguments":[],"context":{"x":
 * [ITEM,ITEM,…]}} padded with blanks to total bytes. */
static char *
items_request(size_t total, const char *item, size_t n)
{
	static const char head[] = "{\"method\":\"info\",\"arguments\":[],"
	                           "\"context\":{\"x\":[";
	static const char tail[] = "]}}";
	size_t il = strlen(item), i, len = 0;
	char *buf = malloc(total + 1);

	ck_assert_ptr_nonnull(buf);
	ck_assert(sizeof(head) + n * (il + 1) + sizeof(tail) <= total);
	memcpy(buf, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf[len++] = ',';
		memcpy(buf + len, item, il);
		len += il;
	}
	memcpy(buf + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	memset(buf + len, ' ', total - len);
	buf[total] = '\0';
	return buf;
}

/* Runs the binary on req (through a file on stdin); returns its peak
 * resident size in KiB, the response in *out (malloc'd). */
static long
run_rss(const char *req, size_t len, char **out)
{
	char in_path[512], out_path[512];
	char *argv[] = { (char *)cpi_test_binary(), good_cfg, NULL };
	struct rusage ru;
	int status = 0, fd;
	size_t n = 0;
	pid_t pid;
	FILE *f;

	snprintf(in_path, sizeof(in_path), "%s/req.json", tmpdir);
	snprintf(out_path, sizeof(out_path), "%s/resp.json", tmpdir);
	f = fopen(in_path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(req, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fd = open(in_path, O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f = fopen(out_path, "rb");
	ck_assert_ptr_nonnull(f);
	*out = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(*out);
	n = fread(*out, 1, (1 << 20) - 1, f);
	(*out)[n] = '\0';
	fclose(f);
	unlink(in_path);
	unlink(out_path);
	return ru.ru_maxrss;
}

/* 15.9 MiB of small objects was 1.28 GB parsed: refused before parsing,
 * peak memory a small multiple of the request (the bound holds under
 * ASan too). */
START_TEST(test_many_small_values_bounded)
{
	size_t total = (size_t)(15.9 * 1024 * 1024);
	char *req = items_request(total, "{}", total / 3 - 40), *out = NULL;
	long kib = run_rss(req, total, &out);

	ck_assert_msg(strstr(out, "request holds more than 200000 values "
	                     "and keys") != NULL, "%s", out);
	ck_assert_msg(kib < 160 * 1024, "peak %ld KiB", kib);
	free(out);
	free(req);
	/* within the limits, at the size limit: answered, still bounded */
	req = items_request(total, "{\"k\":\"...........................\"}",
	                    CPI_REQUEST_MAX_ITEMS / 4);
	kib = run_rss(req, total, &out);
	ck_assert_msg(strstr(out, "\"error\":null") != NULL, "%s", out);
	ck_assert_msg(kib < 200 * 1024, "peak %ld KiB", kib);
	free(out);
	free(req);
}
END_TEST

START_TEST(test_at_limit)
{
	char *req = padded_request(CPI_REQUEST_MAX);

	assert_info(call_cfg(good_cfg, req, strlen(req), NULL));
	free(req);
}
END_TEST

START_TEST(test_empty_stdin)
{
	assert_error(call_cfg(good_cfg, "", 0, NULL), ERR_FAIL,
	             "empty request");
	expect_error("  \n\t ", ERR_FAIL, "empty request");
}
END_TEST

START_TEST(test_duplicate_keys)
{
	expect_error("{\"method\":\"info\",\"method\":\"ping\","
	             "\"arguments\":[]}", ERR_FAIL, "duplicate object key");
	expect_error("{\"method\":\"calculate_vm_cloud_properties\","
	             "\"arguments\":[{\"ram\":1,\"ram\":2,\"cpu\":1,"
	             "\"ephemeral_disk_size\":1}]}", ERR_FAIL,
	             "duplicate object key");
}
END_TEST

START_TEST(test_trailing_garbage)
{
	expect_error("{\"method\":\"info\",\"arguments\":[]} x", ERR_FAIL,
	             "trailing data");
	expect_error("{\"method\":\"info\",\"arguments\":[]}{}", ERR_FAIL,
	             "trailing data");
	/* Trailing whitespace is fine. */
	assert_info(call("{\"method\":\"info\",\"arguments\":[]}\n\n  "));
}
END_TEST

START_TEST(test_nul_in_input)
{
	static const char req[] = "{\"method\":\"info\",\"arguments\":[]}"
	                          "\0{}";

	assert_error(call_cfg(good_cfg, req, sizeof(req) - 1, NULL),
	             ERR_FAIL, "not valid JSON");
}
END_TEST

/* --- methods ------------------------------------------------------- */

START_TEST(test_unknown_method)
{
	expect_error("{\"method\":\"launch_rocket\",\"arguments\":[]}",
	             NOT_IMPL, "Method is not known, got 'launch_rocket'");
	/* Non-ASCII and control characters stay one valid JSON line. */
	expect_error("{\"method\":\"\\u00fcber\\nx\",\"arguments\":[]}",
	             NOT_IMPL, "Method is not known");
}
END_TEST

START_TEST(test_unimplemented_method)
{
	/* Methods this CPI leaves to the Director's fallbacks. */
	expect_error("{\"method\":\"snapshot_disk\",\"arguments\":"
	             "[\"disk-1\",{}]}", NOT_IMPL,
	             "'snapshot_disk' is not implemented");
	expect_error("{\"method\":\"current_vm_id\",\"arguments\":[]}",
	             NOT_IMPL, "'current_vm_id' is not implemented");
	expect_error("{\"method\":\"update_disk\",\"arguments\":[]}",
	             NOT_IMPL, "'update_disk' is not implemented");
}
END_TEST

START_TEST(test_info_configs)
{
	static const char req[] = "{\"method\":\"info\",\"arguments\":[]}";

	assert_info(call_cfg(good_cfg, req, strlen(req), NULL));
	assert_info(call_cfg(broken_cfg, req, strlen(req), NULL));
	assert_info(call_cfg("/nonexistent/cpi.json", req, strlen(req),
	                     NULL));
	/* bosh-cli sends api_version 1 on info, the Director none. */
	assert_info(call("{\"method\":\"info\",\"arguments\":[],"
	                 "\"api_version\":1}"));
}
END_TEST

START_TEST(test_ping)
{
	static const char req[] = "{\"method\":\"ping\",\"arguments\":[]}";
	json_t *root = call_cfg("/nonexistent/cpi.json", req, strlen(req),
	                        NULL);

	ck_assert(json_is_null(json_object_get(root, "error")));
	ck_assert_str_eq(json_string_value(json_object_get(root, "result")),
	                 "pong");
	json_decref(root);
}
END_TEST

START_TEST(test_calculate_good)
{
	json_t *root = call("{\"method\":\"calculate_vm_cloud_properties\","
	                    "\"arguments\":[{\"ram\":4096,\"cpu\":2,"
	                    "\"ephemeral_disk_size\":40000,\"x\":1}]}");
	json_t *res = json_object_get(root, "result");
	char *text;

	ck_assert(json_is_null(json_object_get(root, "error")));
	text = json_dumps(res, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"ram\":4096,\"cpu\":2,\"disk\":40000}");
	free(text);
	json_decref(root);
}
END_TEST

START_TEST(test_calculate_bad)
{
	static const char *const cases[][2] = {
		{ "{\"cpu\":2,\"ephemeral_disk_size\":1}",
		  "desired_instance_size.ram: required positive integer" },
		{ "{\"ram\":1,\"ephemeral_disk_size\":1}",
		  "desired_instance_size.cpu: required" },
		{ "{\"ram\":1,\"cpu\":1}",
		  "desired_instance_size.ephemeral_disk_size: required" },
		{ "{\"ram\":0,\"cpu\":1,\"ephemeral_disk_size\":1}",
		  "desired_instance_size.ram: must be a positive integer" },
		{ "{\"ram\":1,\"cpu\":-2,\"ephemeral_disk_size\":1}",
		  "desired_instance_size.cpu: must be a positive integer" },
		{ "{\"ram\":\"1\",\"cpu\":1,\"ephemeral_disk_size\":1}",
		  "desired_instance_size.ram: must be a positive integer" },
		{ "{\"ram\":1.5,\"cpu\":1,\"ephemeral_disk_size\":1}",
		  "desired_instance_size.ram: must be a positive integer" },
		{ "{\"ram\":1,\"cpu\":1,\"ephemeral_disk_size\":null}",
		  "ephemeral_disk_size: must be a positive integer" },
	};
	char req[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(req, sizeof(req),
		         "{\"method\":\"calculate_vm_cloud_properties\","
		         "\"arguments\":[%s]}", cases[i][0]);
		expect_error(req, ERR_FAIL, cases[i][1]);
	}
}
END_TEST

/* --- command line -------------------------------------------------- */

START_TEST(test_version_help_usage)
{
	char *version[] = { (char *)cpi_test_binary(), "--version", NULL };
	char *help[] = { (char *)cpi_test_binary(), "--help", NULL };
	char *bad[] = { (char *)cpi_test_binary(), "--frobnicate", "c.json",
	                NULL };
	char *none[] = { (char *)cpi_test_binary(), NULL };
	char *two[] = { (char *)cpi_test_binary(), "a.json", "b.json", NULL };
	char *both[] = { (char *)cpi_test_binary(), "--replay", "d",
	                 "--record", "e", "c.json", NULL };
	struct cpi_test_run r;

	ck_assert_int_eq(cpi_test_run(&r, version, NULL, 0), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strncmp(r.out, "vsphere-cpi-c ", 14) == 0 &&
	              r.out[r.out_len - 1] == '\n', "%s", r.out);
	cpi_test_run_clear(&r);

	ck_assert_int_eq(cpi_test_run(&r, help, NULL, 0), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: cpi"));
	cpi_test_run_clear(&r);

	ck_assert_int_eq(cpi_test_run(&r, bad, "{}", 2), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_uint_eq(r.out_len, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "usage: cpi"));
	ck_assert_ptr_nonnull(strstr(r.err, "--frobnicate"));
	cpi_test_run_clear(&r);

	ck_assert_int_eq(cpi_test_run(&r, none, NULL, 0), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_uint_eq(r.out_len, 0);
	cpi_test_run_clear(&r);

	ck_assert_int_eq(cpi_test_run(&r, two, NULL, 0), 0);
	ck_assert_int_eq(r.status, 2);
	cpi_test_run_clear(&r);

	ck_assert_int_eq(cpi_test_run(&r, both, NULL, 0), 0);
	ck_assert_int_eq(r.status, 2);
	cpi_test_run_clear(&r);
}
END_TEST

START_TEST(test_replay_option_accepted)
{
	char *argv[] = { (char *)cpi_test_binary(), "--replay", tmpdir,
	                 good_cfg, NULL };
	static const char req[] = "{\"method\":\"ping\",\"arguments\":[]}";
	struct cpi_test_run r;

	ck_assert_int_eq(cpi_test_run(&r, argv, req, strlen(req)), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"pong\""));
	cpi_test_run_clear(&r);
}
END_TEST

/* Counts occurrences of needle in hay. */
static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay != NULL;
	     hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* has_vm loads the config and logs it at debug before it meets the
 * (empty) replay directory, so each level shows on stderr. */
static void
run_with_level(struct cpi_test_run *r, const char *level)
{
	char *argv[] = { (char *)cpi_test_binary(), "--replay", tmpdir,
	                 good_cfg, NULL };
	static const char req[] = "{\"method\":\"has_vm\","
	                          "\"arguments\":[\"vm-1\"]}";
	int rc;

	if (level != NULL)
		ck_assert_int_eq(setenv("CPI_LOG_LEVEL", level, 1), 0);
	else
		ck_assert_int_eq(unsetenv("CPI_LOG_LEVEL"), 0);
	rc = cpi_test_run(r, argv, req, strlen(req));
	/* CK_FORK=no (valgrind) shares the environment between tests. */
	unsetenv("CPI_LOG_LEVEL");
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(r->status, 0);
}

START_TEST(test_log_level_env)
{
	static const char *const info_levels[] = { NULL, "", "info", "INFO",
	                                           "Info" };
	static const char *const debug_levels[] = { "debug", "DEBUG",
	                                            "dEbUg" };
	static const char *const unknown[] = { "verbose", "trace",
	                                       "info ", "3" };
	struct cpi_test_run r;
	size_t i;

	/* Default and any spelling of info: no debug, no warning. */
	for (i = 0; i < sizeof(info_levels) / sizeof(info_levels[0]); i++) {
		run_with_level(&r, info_levels[i]);
		ck_assert_msg(count_of(r.err, " DEBUG ") == 0,
		              "level %s: %s", info_levels[i] ? info_levels[i] :
		              "(unset)", r.err);
		ck_assert_ptr_null(strstr(r.err, "CPI_LOG_LEVEL"));
		ck_assert_int_gt(count_of(r.err, " INFO "), 0);
		cpi_test_run_clear(&r);
	}
	for (i = 0; i < sizeof(debug_levels) / sizeof(debug_levels[0]); i++) {
		run_with_level(&r, debug_levels[i]);
		ck_assert_msg(count_of(r.err, " DEBUG ") > 0, "level %s: %s",
		              debug_levels[i], r.err);
		ck_assert_ptr_null(strstr(r.err, "CPI_LOG_LEVEL"));
		cpi_test_run_clear(&r);
	}
	/* Unknown: read as info, one warning naming the variable. */
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		run_with_level(&r, unknown[i]);
		ck_assert_msg(count_of(r.err, " DEBUG ") == 0, "level %s: %s",
		              unknown[i], r.err);
		ck_assert_msg(count_of(r.err, "CPI_LOG_LEVEL") == 1 &&
		              count_of(r.err, " WARN ") == 1,
		              "level %s: %s", unknown[i], r.err);
		ck_assert_ptr_nonnull(strstr(r.err, "using info"));
		ck_assert_int_gt(count_of(r.err, " INFO "), 0);
		cpi_test_run_clear(&r);
	}
	/* warn hides info but keeps the error. */
	run_with_level(&r, "Warn");
	ck_assert_msg(count_of(r.err, " INFO ") == 0 &&
	              count_of(r.err, " DEBUG ") == 0 &&
	              count_of(r.err, " ERROR ") == 1, "%s", r.err);
	cpi_test_run_clear(&r);
}
END_TEST

START_TEST(test_closed_stdout)
{
	/* Exit non-zero when the response cannot be written. */
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof(cmd),
	         "echo '{\"method\":\"info\",\"arguments\":[]}' | "
	         "%s %s >&- 2>/dev/null", cpi_test_binary(), good_cfg);
	rc = system(cmd);
	ck_assert_int_ne(rc, -1);
	ck_assert(WIFEXITED(rc));
	ck_assert_int_eq(WEXITSTATUS(rc), 1);
}
END_TEST

/* --- secrets ------------------------------------------------------- */

static void
assert_clean(const struct cpi_test_run *r)
{
	static const char *const secrets[] = {
		CFG_PASSWORD, MBUS_PASSWORD, ENV_SECRET, CTX_SECRET,
	};
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		ck_assert_msg(strstr(r->out, secrets[i]) == NULL,
		              "stdout leaks %s: %s", secrets[i], r->out);
		ck_assert_msg(strstr(r->err, secrets[i]) == NULL,
		              "stderr leaks %s: %s", secrets[i], r->err);
	}
}

START_TEST(test_no_secrets_in_output)
{
	static const char *const reqs[] = {
		"{\"method\":\"info\",\"arguments\":[],\"context\":"
		"{\"password\":\"" CTX_SECRET "\"}}",
		"{\"method\":\"create_vm\",\"arguments\":[\"a\",\"sc\",{},"
		"{\"n\":{}},[],{\"bosh\":{\"password\":\"" ENV_SECRET "\"}}],"
		"\"context\":{\"password\":\"" CTX_SECRET "\"}}",
		"{\"method\":\"create_vm\",\"arguments\":[\"a\",\"sc\",{},"
		"{\"n\":{}},[],{\"bosh\":{\"password\":\"" ENV_SECRET "\"",
		"{\"method\":\"create_vm\",\"arguments\":[\"a\",\"sc\",{},"
		"{\"n\":{}},[],{\"bosh\":{\"password\":\"" ENV_SECRET "\"}}]} "
		ENV_SECRET,
		"{\"method\":\"has_vm\",\"arguments\":[\"vm-1\"],\"context\":"
		"{\"user\":\"u\",\"password\":\"" CTX_SECRET "\"}}",
		"{\"method\":\"calculate_vm_cloud_properties\",\"arguments\":"
		"[{\"ram\":\"" ENV_SECRET "\"}]}",
		"{\"" ENV_SECRET "\":1,\"" ENV_SECRET "\":2}",
	};
	struct cpi_test_run r;
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		json_t *root = call_cfg(secret_cfg, reqs[i], strlen(reqs[i]),
		                        &r);

		assert_clean(&r);
		json_decref(root);
		cpi_test_run_clear(&r);
	}
}
END_TEST

/* Whatever gets logged, a registered secret is masked. */
START_TEST(test_log_masks_secrets)
{
	struct err err = { 0 };
	struct cpi_log *log;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(cpi_log_new(&log, f, CPI_LOG_DEBUG, &err), 0);
	ck_assert_int_eq(cpi_log_secret(log, "hunter2"), 0);
	ck_assert_int_eq(cpi_log_secret(log, "hunter2-long"), 0);
	cpi_log_info(log, "login with hunter2-long and hunter2 at %d", 3);
	cpi_log_debug(log, "debug hunter2");
	cpi_log_info(log, "multi\nline\x01");
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "hunter2"));
	ck_assert_ptr_nonnull(strstr(buf, "login with [REDACTED] and "
	                                  "[REDACTED] at 3"));
	ck_assert_ptr_nonnull(strstr(buf, "debug [REDACTED]"));
	ck_assert_ptr_nonnull(strstr(buf, "multi\\nline\\x01\n"));
	ck_assert_ptr_null(strstr(cpi_log_text(log), "hunter2"));
	/* Debug lines reach the stream but not the response log. */
	ck_assert_ptr_null(strstr(cpi_log_text(log), "debug"));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log), "INFO login"));
	cpi_log_free(log);
	free(buf);
}
END_TEST

/* A secret quoted by an error message, XML-, JSON- or percent-escaped,
 * is masked too (the forms of redact_secret_at(), base/redact.h). */
START_TEST(test_log_masks_secret_forms)
{
	struct err err = { 0 };
	struct cpi_log *log;
	char msg[256];

	ck_assert_int_eq(cpi_log_new(&log, NULL, CPI_LOG_DEBUG, &err), 0);
	ck_assert_int_eq(cpi_log_secret(log, "p\"w&<x>'1"), 0);
	cpi_log_info(log, "a p\"w&amp;&lt;x&gt;'1 b");
	cpi_log_info(log, "c p&#34;w&amp;&lt;x&gt;&#39;1 d");
	cpi_log_info(log, "e {\"pw\":\"p\\\"w&<x>'1\"} f");
	cpi_log_info(log, "g p%%22w%%26%%3Cx%%3E%%271 h");
	ck_assert_ptr_null(strstr(cpi_log_text(log), "w&"));
	ck_assert_ptr_null(strstr(cpi_log_text(log), "%26"));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log), "a [REDACTED] b"));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log), "c [REDACTED] d"));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log),
	                             "e {\"pw\":\"[REDACTED]\"} f"));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log), "g [REDACTED] h"));
	snprintf(msg, sizeof(msg), "x p&quot;w&amp;&lt;x&gt;&apos;1");
	cpi_log_redact(log, msg, sizeof(msg));
	ck_assert_str_eq(msg, "x [REDACTED]");
	cpi_log_free(log);
}
END_TEST

START_TEST(test_log_bounded)
{
	struct err err = { 0 };
	struct cpi_log *log;
	char big[1000];
	int i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(cpi_log_new(&log, NULL, CPI_LOG_DEBUG, &err), 0);
	for (i = 0; i < 1000; i++)
		cpi_log_info(log, "%s", big);
	ck_assert_uint_le(strlen(cpi_log_text(log)), CPI_LOG_MAX);
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log), "[log truncated]"));
	cpi_log_free(log);
}
END_TEST

START_TEST(test_log_secret_json)
{
	struct err err = { 0 };
	struct cpi_log *log;
	json_t *ctx = json_pack("{s:s,s:{s:s},s:s,s:[s]}", "password", "pw-1",
	                        "nsx", "ca_cert", "certdata", "host", "vc1",
	                        "tokens", "tok-9");
	json_t *env = json_pack("{s:{s:s,s:[s]}}", "bosh", "group", "grp-1",
	                        "list", "item-2");

	ck_assert_int_eq(cpi_log_new(&log, NULL, CPI_LOG_DEBUG, &err), 0);
	ck_assert_int_eq(cpi_log_secret_json(log, ctx, false), 0);
	ck_assert_int_eq(cpi_log_secret_json(log, env, true), 0);
	cpi_log_info(log, "pw-1 certdata vc1 tok-9 grp-1 item-2");
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log),
	                             "[REDACTED] [REDACTED] vc1 [REDACTED] "
	                             "[REDACTED] [REDACTED]"));
	json_decref(ctx);
	json_decref(env);
	cpi_log_free(log);
}
END_TEST

/* --- in-process: errors, envelope, response, table ----------------- */

START_TEST(test_error_set_once)
{
	struct err e = { 0 };
	struct err vs = { 0 };

	ck_assert_int_lt(cpi_err_set(&e, CPI_ERROR_VM_NOT_FOUND, false,
	                             "VM %s not found", "vm-1"), 0);
	ck_assert_int_lt(cpi_err_set(&e, CPI_ERROR_CLOUD, true, "later"),
	                 0);
	ck_assert_int_eq(e.type, CPI_ERROR_VM_NOT_FOUND);
	ck_assert_str_eq(e.message, "VM vm-1 not found");
	err_prefix(&e, "delete_vm");
	ck_assert_str_eq(e.message, "delete_vm: VM vm-1 not found");
	ck_assert_str_eq(cpi_err_type_name(e.type),
	                 "Bosh::Clouds::VMNotFound");
	ck_assert_str_eq(cpi_err_type_name((enum cpi_error_type)99),
	                 "Bosh::Clouds::CpiError");

	err_clear(&e);
	err_set(&vs, ERR_ENET, "connect to vc: refused");
	vs.transient = true;
	ck_assert_int_lt(cpi_err_from_vs(&e, CPI_ERROR_CLOUD, &vs), 0);
	ck_assert_int_eq(e.type, CPI_ERROR_CLOUD);
	ck_assert(e.ok_to_retry);
	ck_assert_str_eq(e.message, "connect to vc: refused");

	err_clear(&e);
	err_clear(&vs);
	err_set(&vs, ERR_EFAULT, "SOAP call failed");
	snprintf(vs.fault, sizeof(vs.fault), "InvalidLogin");
	cpi_err_from_vs(&e, CPI_ERROR_CPI, &vs);
	ck_assert(!e.ok_to_retry);
	ck_assert_str_eq(e.message, "InvalidLogin: SOAP call failed");

	err_clear(&e);
	err_clear(&vs);
	cpi_err_from_vs(&e, CPI_ERROR_CLOUD, &vs);
	ck_assert(err_is_set(&e));
}
END_TEST

START_TEST(test_error_type_names)
{
	static const char *const want[] = {
		"Bosh::Clouds::CpiError", "Bosh::Clouds::NotImplemented",
		"Bosh::Clouds::NotSupported", "Bosh::Clouds::CloudError",
		"Bosh::Clouds::VMNotFound", "Bosh::Clouds::NetworkNotFound",
		"Bosh::Clouds::NoDiskSpace", "Bosh::Clouds::DiskNotAttached",
		"Bosh::Clouds::DiskNotFound",
		"Bosh::Clouds::VMCreationFailed",
	};
	int i;

	ck_assert_int_eq(CPI_ERROR_TYPE_COUNT, 10);
	for (i = 0; i < CPI_ERROR_TYPE_COUNT; i++)
		ck_assert_str_eq(cpi_err_type_name((enum cpi_error_type)i),
		                 want[i]);
}
END_TEST

START_TEST(test_response_dump)
{
	struct err e = { 0 };
	json_t *res = json_string("pong");
	char *line;

	line = cpi_response_dump(res, NULL, NULL);
	ck_assert_str_eq(line, "{\"result\":\"pong\",\"error\":null,"
	                       "\"log\":\"\"}\n");
	free(line);
	cpi_err_set(&e, CPI_ERROR_DISK_NOT_ATTACHED, true,
	            "bad \xff utf8 \"quoted\"\n");
	line = cpi_response_dump(res, &e, "l1\n");
	ck_assert_str_eq(line, "{\"result\":null,\"error\":{\"type\":"
	                       "\"Bosh::Clouds::DiskNotAttached\","
	                       "\"message\":\"bad ? utf8 \\\"quoted\\\"\\n\","
	                       "\"ok_to_retry\":true},\"log\":\"l1\\n\"}\n");
	free(line);
	json_decref(res);
}
END_TEST

START_TEST(test_request_parse)
{
	static const char ok[] = "{\"method\":\"has_vm\",\"arguments\":"
	                         "[\"vm-1\"],\"context\":{\"request_id\":"
	                         "\"cpi-1 2<3>\"},\"api_version\":7}";
	struct err e = { 0 };
	struct cpi_request *req;

	ck_assert_int_eq(cpi_request_parse(&req, ok, strlen(ok), &e), 0);
	ck_assert_str_eq(req->method, "has_vm");
	ck_assert_int_eq(req->api_version, 2);
	ck_assert_int_eq(req->api_version_requested, 7);
	ck_assert_str_eq(req->request_id, "cpi-123");
	ck_assert_uint_eq(json_array_size(req->arguments), 1);
	cpi_request_free(req);
	cpi_request_free(NULL);
}
END_TEST

/* {"method":"m","arguments":[[…]]}, arguments k arrays deep. */
static char *
nested_request(size_t k)
{
	char *buf = calloc(1, 2 * k + 64);
	size_t n, i;

	ck_assert_ptr_nonnull(buf);
	strcpy(buf, "{\"method\":\"m\",\"arguments\":");
	n = strlen(buf);
	for (i = 0; i < k; i++)
		buf[n++] = '[';
	for (i = 0; i < k; i++)
		buf[n++] = ']';
	buf[n] = '}';
	return buf;
}

/* The shape limits: values and keys counted outside strings, nesting. */
START_TEST(test_request_shape_limits)
{
	struct err e = { 0 };
	struct cpi_request *req = NULL;
	char *buf;
	size_t n, len, i;

	/* at the limit (the envelope's own items included): parsed */
	n = CPI_REQUEST_MAX_ITEMS - 10;
	buf = items_request(8 * n + 200, "1", n);
	ck_assert_msg(cpi_request_parse(&req, buf, strlen(buf), &e) == 0,
	              "%s", e.message);
	cpi_request_free(req);
	free(buf);
	/* over it */
	n = CPI_REQUEST_MAX_ITEMS + 1;
	buf = items_request(8 * n + 200, "1", n);
	ck_assert_int_ne(cpi_request_parse(&req, buf, strlen(buf), &e), 0);
	ck_assert_str_eq(e.message, "request holds more than 200000 values "
	                 "and keys");
	free(buf);
	/* commas, colons, brackets and escaped quotes inside strings do
	 * not count */
	len = 6 * CPI_REQUEST_MAX_ITEMS;
	buf = malloc(len + 100);
	ck_assert_ptr_nonnull(buf);
	strcpy(buf, "{\"method\":\"m\",\"arguments\":[\"");
	n = strlen(buf);
	for (i = 0; i < len; i += 6)
		memcpy(buf + n + i, ",:[{\\\"", 6);
	strcpy(buf + n + len, "\"]}");
	err_clear(&e);
	ck_assert_msg(cpi_request_parse(&req, buf, strlen(buf), &e) == 0,
	              "%s", e.message);
	cpi_request_free(req);
	free(buf);
	/* nesting: the envelope is level 1, arguments level 2 */
	buf = nested_request(63);
	err_clear(&e);
	ck_assert_msg(cpi_request_parse(&req, buf, strlen(buf), &e) == 0,
	              "%s", e.message);
	cpi_request_free(req);
	free(buf);
	buf = nested_request(64);
	err_clear(&e);
	ck_assert_int_ne(cpi_request_parse(&req, buf, strlen(buf), &e), 0);
	ck_assert_str_eq(e.message, "request nests deeper than 64 levels");
	free(buf);
}
END_TEST

START_TEST(test_request_read_limit)
{
	struct err e = { 0 };
	char data[100], *buf;
	size_t len;
	FILE *f;

	memset(data, 'x', sizeof(data));
	f = fmemopen(data, sizeof(data), "r");
	ck_assert_int_eq(cpi_request_read(&buf, &len, f, 100, &e), 0);
	ck_assert_uint_eq(len, 100);
	free(buf);
	fclose(f);
	f = fmemopen(data, sizeof(data), "r");
	ck_assert_int_lt(cpi_request_read(&buf, &len, f, 99, &e), 0);
	ck_assert_ptr_null(buf);
	ck_assert_ptr_nonnull(strstr(e.message, "request larger than"));
	fclose(f);
}
END_TEST

static const char *const all_methods[] = {
	"info", "create_stemcell", "delete_stemcell", "create_vm",
	"delete_vm", "has_vm", "reboot_vm", "set_vm_metadata",
	"set_disk_metadata", "calculate_vm_cloud_properties", "create_disk",
	"delete_disk", "has_disk", "attach_disk", "detach_disk", "get_disks",
	"resize_disk", "update_disk", "snapshot_disk", "delete_snapshot",
	"current_vm_id", "ping", "create_network", "delete_network",
};

START_TEST(test_table_complete)
{
	size_t i, n;

	cpi_methods(&n);
	ck_assert_uint_eq(n, sizeof(all_methods) / sizeof(all_methods[0]));
	for (i = 0; i < n; i++) {
		const struct cpi_method *m = cpi_method_find(all_methods[i]);

		ck_assert_msg(m != NULL, "%s missing", all_methods[i]);
		ck_assert_str_eq(m->name, all_methods[i]);
	}
	ck_assert_ptr_null(cpi_method_find("configure_networks"));
	ck_assert_ptr_null(cpi_method_find(""));
	ck_assert(!cpi_method_find("info")->needs_config);
	ck_assert(!cpi_method_find("ping")->needs_config);
	ck_assert(cpi_method_find("create_vm")->needs_config);
	ck_assert(cpi_method_find("create_vm")->args[5].secret);
	ck_assert_str_eq(cpi_method_find("create_vm")->args[5].name, "env");
}
END_TEST

static void
check_args(const char *method, const char *json, int want_ok,
           const char *needle)
{
	const struct cpi_method *m = cpi_method_find(method);
	struct err e = { 0 };
	json_t *args = json_loads(json, 0, NULL);
	int rc;

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(args);
	rc = cpi_args_check(m, args, &e);
	ck_assert_msg((rc == 0) == (want_ok != 0), "%s %s: rc %d (%s)",
	              method, json, rc, e.message);
	if (needle != NULL)
		ck_assert_msg(strstr(e.message, needle) != NULL, "'%s' lacks "
		              "'%s'", e.message, needle);
	if (!want_ok)
		ck_assert_int_eq(e.type, CPI_ERROR_CPI);
	json_decref(args);
}

START_TEST(test_args_check)
{
	check_args("create_vm", "[\"a\",\"sc\",{},{},[],{}]", 1, NULL);
	check_args("create_vm", "[\"a\",\"sc\",null,{},null,null]", 1, NULL);
	check_args("create_vm", "[\"a\",\"sc\",{},{},[],{},\"extra\"]", 0,
	           "create_vm: expected 6 arguments, got 7");
	check_args("create_vm", "[\"a\",\"sc\",{},{},[]]", 0,
	           "create_vm: expected 6 arguments, got 5: missing "
	           "argument 6 (env, an object or null)");
	check_args("create_vm", "[\"a\",\"sc\",{},[],[],{}]", 0,
	           "create_vm: argument 4 (networks) must be an object, got "
	           "an array");
	check_args("create_vm", "[1,\"sc\",{},{},[],{}]", 0,
	           "argument 1 (agent_id) must be a string, got an integer");
	check_args("create_vm", "[\"a\",\"sc\",{},{},\"d\",{}]", 0,
	           "argument 5 (disk_cids) must be an array or null");
	check_args("create_stemcell", "[\"/tmp/image\",{}]", 1, NULL);
	check_args("create_stemcell", "[\"/tmp/image\",{},{\"tags\":{}}]", 1,
	           NULL);
	check_args("create_stemcell", "[\"/tmp/image\",{},\"x\"]", 0,
	           "argument 3 (stemcell_tags)");
	check_args("create_stemcell", "[\"/tmp/image\",{},{},{}]", 0,
	           "create_stemcell: expected at most 3 arguments, got 4");
	check_args("create_stemcell", "[\"/tmp/image\"]", 0,
	           "expected 2 arguments, got 1");
	check_args("create_disk", "[1024,{},null]", 1, NULL);
	check_args("create_disk", "[1024,{},\"vm-1\"]", 1, NULL);
	check_args("create_disk", "[\"1024\",{},null]", 0,
	           "argument 1 (size) must be an integer, got a string");
	check_args("create_disk", "[1024.5,{},null]", 0,
	           "must be an integer, got a number");
	check_args("create_disk", "[1024,{},5]", 0,
	           "argument 3 (vm_cid) must be a string or null");
	check_args("attach_disk", "[\"vm-1\",\"disk-1\"]", 1, NULL);
	check_args("attach_disk", "[\"vm-1\",\"disk-1\",{}]", 0,
	           "attach_disk: expected 2 arguments, got 3");
	check_args("create_disk", "[1024,{},null,null]", 0,
	           "create_disk: expected 3 arguments, got 4");
	check_args("has_vm", "[\"vm-1\",\"vm-2\"]", 0,
	           "has_vm: expected 1 argument, got 2");
	check_args("attach_disk", "[\"vm-1\"]", 0,
	           "missing argument 2 (disk_cid, a string)");
	check_args("attach_disk", "[\"vm-1\",null]", 0,
	           "argument 2 (disk_cid) must be a string, got null");
	check_args("set_vm_metadata", "[\"vm-1\",[]]", 0,
	           "argument 2 (metadata) must be an object");
	check_args("resize_disk", "[\"d\",true]", 0,
	           "argument 2 (new_size) must be an integer, got a "
	           "boolean");
	check_args("update_disk", "[\"d\",10,{}]", 1, NULL);
	check_args("info", "[]", 1, NULL);
	check_args("current_vm_id", "[]", 1, NULL);
	check_args("current_vm_id", "[1,2]", 0,
	           "current_vm_id: expected 0 arguments, got 2");
	check_args("delete_network", "[]", 0, "delete_network");
	check_args("create_network", "[{}]", 1, NULL);
}
END_TEST

START_TEST(test_dispatch_in_process)
{
	static const char text[] = "{\"method\":\"delete_snapshot\","
	                           "\"arguments\":[\"snap-1\"]}";
	struct cpi_options opts = { "/nonexistent.json", NULL, NULL };
	struct err e = { 0 };
	struct cpi_request *req;
	json_t *res = NULL;

	ck_assert_int_eq(cpi_request_parse(&req, text, strlen(text), &e), 0);
	ck_assert_int_lt(cpi_dispatch(&res, req, &opts, NULL, &e), 0);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(e.type, CPI_ERROR_NOT_IMPLEMENTED);
	cpi_request_free(req);
}
END_TEST

/* --- dispatch with a config (through a test-only table entry) ----- */

static int
handler_uses_config(json_t **result, struct cpi_call *call)
{
	ck_assert_ptr_nonnull(call->config);
	ck_assert_int_eq(call->api_version, 2);
	ck_assert_str_eq(call->method, "test_method");
	ck_assert_str_eq(cpi_arg_string(call, 0), "vm-1");
	/* Even a careless handler cannot log the password or the env. */
	cpi_log_info(call->log, "careless: %s %s %s",
	             call->config->vcenter.password,
	             call->config->agent.mbus,
	             json_string_value(json_object_get(
	                 cpi_arg_object(call, 1), "pw")));
	*result = json_string(call->config->vcenter.url);
	return 0;
}

static int
handler_fails_silently(json_t **result, struct cpi_call *call)
{
	(void)call;
	*result = json_true();
	return -1;
}

static const struct cpi_method test_entry = {
	"test_method", handler_uses_config, true,
	{ { "vm_cid", CPI_ARG_STRING, false, false },
	  { "env", CPI_ARG_OBJECT, false, true },
	  { NULL, CPI_ARG_NONE, false, false } },
};

static int
run_entry(json_t **res, const struct cpi_method *m, const char *cfg,
          const char *text, struct cpi_log *log, struct err *e)
{
	struct cpi_options opts = { cfg, NULL, NULL };
	struct cpi_request *req;
	int rc;

	ck_assert_int_eq(cpi_request_parse(&req, text, strlen(text), e), 0);
	rc = cpi_dispatch_entry(res, m, req, &opts, log, e);
	cpi_request_free(req);
	return rc;
}

START_TEST(test_dispatch_with_config)
{
	static const char text[] = "{\"method\":\"test_method\",\"arguments\":"
	                           "[\"vm-1\",{\"pw\":\"" ENV_SECRET "\"}],"
	                           "\"api_version\":2}";
	struct err e = { 0 };
	struct cpi_log *log;
	json_t *res = NULL;

	ck_assert_int_eq(cpi_log_new(&log, NULL, CPI_LOG_DEBUG, &e), 0);
	ck_assert_int_eq(run_entry(&res, &test_entry, secret_cfg, text, log,
	                           &e), 0);
	ck_assert_str_eq(json_string_value(res), "https://127.0.0.1:443/sdk");
	ck_assert_ptr_null(strstr(cpi_log_text(log), CFG_PASSWORD));
	ck_assert_ptr_null(strstr(cpi_log_text(log), MBUS_PASSWORD));
	ck_assert_ptr_null(strstr(cpi_log_text(log), ENV_SECRET));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(log), "careless: "
	                                                "[REDACTED]"));
	json_decref(res);
	cpi_log_free(log);
}
END_TEST

START_TEST(test_dispatch_config_errors)
{
	static const char text[] = "{\"method\":\"test_method\",\"arguments\":"
	                           "[\"vm-1\",{}]}";
	static const char bad_args[] = "{\"method\":\"test_method\","
	                               "\"arguments\":[\"vm-1\"]}";
	struct cpi_method silent = test_entry;
	struct err e = { 0 };
	json_t *res = NULL;

	ck_assert_int_lt(run_entry(&res, &test_entry, broken_cfg, text, NULL,
	                           &e), 0);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(e.type, CPI_ERROR_CPI);
	ck_assert_ptr_nonnull(strstr(e.message, "CPI config "));
	ck_assert_ptr_nonnull(strstr(e.message, "not valid JSON"));

	memset(&e, 0, sizeof(e));
	ck_assert_int_lt(run_entry(&res, &test_entry, "/nonexistent.json",
	                           text, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "cannot open CPI config"));

	/* Arguments are checked before the config is read. */
	memset(&e, 0, sizeof(e));
	ck_assert_int_lt(run_entry(&res, &test_entry, "/nonexistent.json",
	                           bad_args, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "test_method: expected 2 "
	                                        "arguments, got 1"));

	memset(&e, 0, sizeof(e));
	silent.fn = handler_fails_silently;
	silent.needs_config = false;
	ck_assert_int_lt(run_entry(&res, &silent, NULL, text, NULL, &e), 0);
	ck_assert_ptr_null(res);
	ck_assert_str_eq(e.message, "test_method failed without a message");
}
END_TEST

START_TEST(test_dispatch_context_merge)
{
	static const char text[] = "{\"method\":\"test_method\",\"arguments\":"
	                           "[\"vm-1\",{}],\"api_version\":2,"
	                           "\"context\":{\"host\":\"[::1]:8443\","
	                           "\"password\":\"" CTX_SECRET "\"}}";
	struct err e = { 0 };
	struct cpi_log *log;
	json_t *res = NULL;

	ck_assert_int_eq(cpi_log_new(&log, NULL, CPI_LOG_DEBUG, &e), 0);
	ck_assert_int_eq(run_entry(&res, &test_entry, secret_cfg, text, log,
	                           &e), 0);
	ck_assert_str_eq(json_string_value(res), "https://[::1]:8443/sdk");
	ck_assert_ptr_null(strstr(cpi_log_text(log), CTX_SECRET));
	json_decref(res);
	cpi_log_free(log);
}
END_TEST

static Suite *
rpc_suite(void)
{
	Suite *s = suite_create("rpc");
	TCase *bin = tcase_create("binary");
	TCase *unit = tcase_create("in-process");

	tcase_add_checked_fixture(bin, setup, teardown);
	tcase_set_timeout(bin, 120);
	tcase_add_test(bin, test_not_json);
	tcase_add_test(bin, test_not_object);
	tcase_add_test(bin, test_method_checks);
	tcase_add_test(bin, test_arguments_checks);
	tcase_add_test(bin, test_context_and_version_checks);
	tcase_add_test(bin, test_wrong_arg_count);
	tcase_add_test(bin, test_wrong_arg_type);
	tcase_add_test(bin, test_extra_args_refused);
	tcase_add_test(bin, test_oversized);
	tcase_add_test(bin, test_at_limit);
	tcase_add_test(bin, test_many_small_values_bounded);
	tcase_add_test(bin, test_empty_stdin);
	tcase_add_test(bin, test_duplicate_keys);
	tcase_add_test(bin, test_trailing_garbage);
	tcase_add_test(bin, test_nul_in_input);
	tcase_add_test(bin, test_unknown_method);
	tcase_add_test(bin, test_unimplemented_method);
	tcase_add_test(bin, test_info_configs);
	tcase_add_test(bin, test_ping);
	tcase_add_test(bin, test_calculate_good);
	tcase_add_test(bin, test_calculate_bad);
	tcase_add_test(bin, test_version_help_usage);
	tcase_add_test(bin, test_replay_option_accepted);
	tcase_add_test(bin, test_closed_stdout);
	tcase_add_test(bin, test_log_level_env);
	tcase_add_test(bin, test_no_secrets_in_output);
	tcase_add_test(bin, test_dispatch_with_config);
	tcase_add_test(bin, test_dispatch_config_errors);
	tcase_add_test(bin, test_dispatch_context_merge);
	suite_add_tcase(s, bin);

	tcase_add_test(unit, test_log_masks_secrets);
	tcase_add_test(unit, test_log_bounded);
	tcase_add_test(unit, test_log_masks_secret_forms);
	tcase_add_test(unit, test_log_secret_json);
	tcase_add_test(unit, test_error_set_once);
	tcase_add_test(unit, test_error_type_names);
	tcase_add_test(unit, test_response_dump);
	tcase_add_test(unit, test_request_parse);
	tcase_add_test(unit, test_request_shape_limits);
	tcase_add_test(unit, test_request_read_limit);
	tcase_add_test(unit, test_table_complete);
	tcase_add_test(unit, test_args_check);
	tcase_add_test(unit, test_dispatch_in_process);
	suite_add_tcase(s, unit);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rpc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

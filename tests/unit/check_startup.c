/*
 * tests/unit/check_startup.c: calls that never reach vCenter do no TLS
 * or crypto set-up.
 *
 * The binary built by `make` links Debian's shared libcurl and binds its
 * own calls lazily, so the dynamic linker's LD_DEBUG=bindings trace has
 * a "binding file <the cpi> … symbol `curl_global_init'" line exactly
 * when the cpi calls it (curl_global_init is where OpenSSL gets set up;
 * the shared libraries themselves bind everything at load, so only the
 * cpi's own bindings tell).  The control (has_vm against a closed port)
 * proves the trace shows the binding when the transport is made, so the
 * other tests cannot pass by seeing no trace at all.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/cpi_run.h"

/* tests/data/cpi/cpi.json names host 127.0.0.1: port 443, closed here. */
#define CFG "cpi/cpi.json"

static void
run_traced(struct cpi_test_run *r, const char *config, const char *req)
{
	char *argv[] = { (char *)cpi_test_binary(), (char *)config, NULL };

	setenv("LD_DEBUG", "bindings", 1);
	unsetenv("LD_BIND_NOW");
	unsetenv("LD_DEBUG_OUTPUT");
	ck_assert_int_eq(cpi_test_run(r, argv, req, strlen(req)), 0);
	unsetenv("LD_DEBUG");
	ck_assert_msg(r->status == 0, "exit %d", r->status);
}

/* Whether the cpi itself bound sym (called it): a line naming sym that
 * says "binding file <the cpi> [". */
static bool
bound(const struct cpi_test_run *r, const char *sym)
{
	char from[4200], pat[128];
	const char *p = r->err, *bol, *f;

	snprintf(from, sizeof(from), "binding file %s [", cpi_test_binary());
	snprintf(pat, sizeof(pat), "symbol `%s'", sym);
	while ((p = strstr(p, pat)) != NULL) {
		bol = p;
		while (bol > r->err && bol[-1] != '\n')
			bol--;
		f = strstr(bol, from);
		if (f != NULL && f < p)
			return true;
		p += strlen(pat);
	}
	return false;
}

static void
assert_no_tls(const char *config, const char *req, const char *want)
{
	struct cpi_test_run r;

	run_traced(&r, config, req);
	ck_assert_msg(strstr(r.out, want) != NULL, "response %.300s lacks %s",
	              r.out, want);
	ck_assert_msg(!bound(&r, "curl_global_init"),
	              "curl_global_init called for %s", req);
	ck_assert_msg(!bound(&r, "curl_easy_init"),
	              "curl_easy_init called for %s", req);
	ck_assert_msg(!bound(&r, "curl_share_init"),
	              "curl_share_init called for %s", req);
	ck_assert_msg(!bound(&r, "OPENSSL_init_crypto"),
	              "OPENSSL_init_crypto called for %s", req);
	cpi_test_run_clear(&r);
}

/* The control: a call that makes the transport shows the bindings. */
START_TEST(test_control_vcenter_call_inits_tls)
{
	static const char req[] =
		"{\"method\":\"has_vm\",\"arguments\":[\"vm-1\"]}";
	struct cpi_test_run r;

	run_traced(&r, cpi_test_data(CFG), req);
	ck_assert_msg(strstr(r.out, "\"error\":{") != NULL ||
	              strstr(r.out, "\"error\": {") != NULL,
	              "has_vm against a closed port answered %.300s", r.out);
	ck_assert_msg(bound(&r, "curl_global_init") &&
	              bound(&r, "curl_easy_init") &&
	              bound(&r, "OPENSSL_init_crypto"),
	              "no binding trace for curl_global_init: the test "
	              "cannot see calls (stderr %.300s)", r.err);
	cpi_test_run_clear(&r);
}
END_TEST

START_TEST(test_info_no_tls)
{
	assert_no_tls(cpi_test_data(CFG),
	              "{\"method\":\"info\",\"arguments\":[]}",
	              "\"stemcell_formats\"");
}
END_TEST

START_TEST(test_argument_error_no_tls)
{
	assert_no_tls(cpi_test_data(CFG),
	              "{\"method\":\"create_vm\",\"arguments\":[\"a\"]}",
	              "\"error\"");
	assert_no_tls(cpi_test_data(CFG),
	              "{\"method\":\"has_vm\",\"arguments\":[\"../x\"]}",
	              "\"error\"");
}
END_TEST

START_TEST(test_bad_network_no_tls)
{
	assert_no_tls(cpi_test_data(CFG),
	              "{\"method\":\"create_vm\",\"arguments\":[\"a\",\"sc\","
	              "{},{\"n\":{}},[],{}]}", "\"error\"");
	assert_no_tls(cpi_test_data(CFG),
	              "{\"method\":\"create_vm\",\"arguments\":[\"a\",\"sc\","
	              "{},{\"n\":{\"type\":\"manual\",\"ip\":\"10.0.0.300\","
	              "\"netmask\":\"255.255.255.0\",\"cloud_properties\":"
	              "{\"name\":\"VM Network\"}}},[],{}]}", "\"error\"");
}
END_TEST

START_TEST(test_config_error_no_tls)
{
	char path[] = "/tmp/check_startup_cfg_XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"cloud\":", 9), 9);
	close(fd);
	assert_no_tls(path, "{\"method\":\"has_vm\",\"arguments\":[\"vm-1\"]}",
	              "\"error\"");
	assert_no_tls("/nonexistent/cpi.json",
	              "{\"method\":\"has_vm\",\"arguments\":[\"vm-1\"]}",
	              "\"error\"");
	unlink(path);
}
END_TEST

static Suite *
startup_suite(void)
{
	Suite *s = suite_create("startup");
	TCase *tc = tcase_create("no_tls");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_control_vcenter_call_inits_tls);
	tcase_add_test(tc, test_info_no_tls);
	tcase_add_test(tc, test_argument_error_no_tls);
	tcase_add_test(tc, test_bad_network_no_tls);
	tcase_add_test(tc, test_config_error_no_tls);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(startup_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

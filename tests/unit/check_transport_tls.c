/*
 * tests/unit/check_transport_tls.c: certificate verification of the curl
 * transport against `openssl s_server -www` started by each test on
 * 127.0.0.1 with a freshly generated self-signed certificate.  The
 * openssl binary is a test dependency (scripts/deps.sh installs it):
 * without it the tests fail, they are not skipped.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vsphere/fixture.h"
#include "vsphere/transport.h"
#include "vsphere/transports.h"

static pid_t server_pid = -1;
static int server_port;
static char dir[256];
static char *server_ca;   /* the server's self-signed certificate */
static char *other_ca;    /* an unrelated one */

static int
run_quiet(char *const argv[])
{
	pid_t pid = fork();
	int status = 0, fd;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
make_cert(const char *name, const char *cn, char **pem_out)
{
	struct vs_error err = { 0 };
	char cert[512], key[512], subj[128];
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048",
	                 "-nodes", "-days", "1", "-subj", subj, "-addext",
	                 "subjectAltName=IP:127.0.0.1,DNS:localhost",
	                 "-keyout", key, "-out", cert, NULL };
	size_t len;

	snprintf(cert, sizeof(cert), "%s/%s.pem", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	ck_assert_int_eq(run_quiet(argv), 0);
	ck_assert_int_eq(vs_fixture_read_file(pem_out, &len, cert, 65536,
	                                      &err), 0);
}

static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static bool
can_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return rc == 0;
}

static bool
have_openssl(void)
{
	char *argv[] = { "openssl", "version", NULL };

	return run_quiet(argv) == 0;
}

static void
setup(void)
{
	char accept[64], cert[512], key[512];
	char *argv[] = { "openssl", "s_server", "-quiet", "-www", "-accept",
	                 accept, "-cert", cert, "-key", key, NULL };
	struct timespec pause_ts = { 0, 20 * 1000 * 1000 };
	int i, fd;

	snprintf(dir, sizeof(dir), "/tmp/check_transport_tls.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(have_openssl(), "no openssl binary: it is a test "
	              "dependency (make deps installs it)");
	make_cert("server", "vcenter.test", &server_ca);
	make_cert("other", "other.test", &other_ca);
	snprintf(cert, sizeof(cert), "%s/server.pem", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	server_port = free_port();
	snprintf(accept, sizeof(accept), "127.0.0.1:%d", server_port);
	/* no Check call may run in the child: it would write into the
	 * parent's message file */
	server_pid = fork();
	if (server_pid == 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		alarm(120);  /* survives exec: bounds the server's life */
		execvp(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_ge(server_pid, 0);
	/* wait (bounded) until it listens */
	for (i = 0; i < 500 && !can_connect(server_port); i++)
		nanosleep(&pause_ts, NULL);
	ck_assert_msg(can_connect(server_port), "s_server did not start");
}

static void
teardown(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
	free(server_ca);
	free(other_ca);
	server_ca = other_ca = NULL;
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int
fetch(struct vs_error *err, const char *ca, bool insecure, long *status)
{
	struct vs_curl_opts o = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	char u[128];
	int rc;

	o.ca_cert_pem = ca;
	o.insecure = insecure;
	o.connect_timeout_s = 5;
	o.timeout_s = 10;
	ck_assert_int_eq(vs_transport_curl_new(&t, &o, err), 0);
	memset(&req, 0, sizeof(req));
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/", server_port);
	req.method = "GET";
	req.url = u;
	req.op = "tls";
	rc = t->roundtrip(t, &req, &resp, err);
	*status = resp.status;
	vs_http_response_clear(&resp);
	vs_transport_free(t);
	return rc;
}

#define REQUIRE_SERVER() \
	ck_assert_msg(server_pid > 0, "no openssl s_server running")

START_TEST(test_unknown_ca_is_refused)
{
	struct vs_error err = { 0 };
	char want[64];
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(fetch(&err, NULL, false, &status), VS_ETLS);
	ck_assert(!err.transient);
	snprintf(want, sizeof(want), "TLS: certificate verify failed for "
	         "127.0.0.1:%d: ", server_port);
	ck_assert_msg(strncmp(err.message, want, strlen(want)) == 0, "%s",
	              err.message);
}
END_TEST

/* The message keeps curl's reason and names what an operator sets. */
START_TEST(test_verify_failure_names_the_fix)
{
	struct vs_error err = { 0 };
	char want[64];
	const char *reason, *fix;
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(fetch(&err, NULL, false, &status), VS_ETLS);
	snprintf(want, sizeof(want), "127.0.0.1:%d: ", server_port);
	reason = strstr(err.message, want);
	ck_assert_ptr_nonnull(reason);
	reason += strlen(want);
	fix = strstr(err.message, "; set the vCenter's CA certificate as "
	             "connection_options.ca_cert in cpi.json (job property "
	             "vcenter.connection_options.ca_cert), or "
	             "connection_options.insecure: true for a lab");
	ck_assert_msg(fix != NULL, "%s", err.message);
	/* curl's reason sits between the peer and the fix */
	ck_assert_msg(fix - reason > 5, "%s", err.message);
}
END_TEST

START_TEST(test_wrong_ca_is_refused)
{
	struct vs_error err = { 0 };
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(fetch(&err, other_ca, false, &status), VS_ETLS);
	ck_assert(!err.transient);
}
END_TEST

START_TEST(test_pinned_ca_is_accepted)
{
	struct vs_error err = { 0 };
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_msg(fetch(&err, server_ca, false, &status) == 0, "%s",
	              err.message);
	ck_assert_int_eq(status, 200);
}
END_TEST

START_TEST(test_insecure_skips_verification)
{
	struct vs_error err = { 0 };
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_msg(fetch(&err, NULL, true, &status) == 0, "%s",
	              err.message);
	ck_assert_int_eq(status, 200);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("transport_tls");
	TCase *tc = tcase_create("tls");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unknown_ca_is_refused);
	tcase_add_test(tc, test_wrong_ca_is_refused);
	tcase_add_test(tc, test_pinned_ca_is_accepted);
	tcase_add_test(tc, test_insecure_skips_verification);
	tcase_add_test(tc, test_verify_failure_names_the_fix);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

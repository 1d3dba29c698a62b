/*
 * tests/unit/check_transport_tls.c: certificate verification of the curl
 * transport against `openssl s_server -www` started by each test on
 * 127.0.0.1 with a freshly generated self-signed certificate.  The
 * openssl binary is a test dependency (scripts/deps.sh installs it):
 * without it the tests fail, they are not skipped.  The handshake cases
 * put a forked proxy in front of it that breaks off the first
 * handshakes (reset or close after the ClientHello) and relays the
 * later connections.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vsphere/client.h"
#include "vsphere/fixture.h"
#include "vsphere/transport.h"
#include "vsphere/vsphere.h"
#include "vsphere/transports.h"

static pid_t server_pid = -1;
static int server_port;
static pid_t proxy_pid = -1;
static int proxy_port;
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
	struct err err = { 0 };
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

	if (proxy_pid > 0) {
		kill(proxy_pid, SIGKILL);
		waitpid(proxy_pid, NULL, 0);
		proxy_pid = -1;
	}
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
fetch_at(struct err *err, int port, const char *ca, bool insecure,
         long *status)
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
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/", port);
	req.method = "GET";
	req.url = u;
	req.op = "tls";
	rc = t->roundtrip(t, &req, &resp, err);
	*status = resp.status;
	vs_http_response_clear(&resp);
	vs_transport_free(t);
	return rc;
}

/* --- the proxy (child processes; no Check calls) ------------------- */

static void
relay(int a, int b)
{
	struct pollfd p[2];
	char buf[16384];
	ssize_t r, w, off;
	int i;

	p[0].fd = a;
	p[1].fd = b;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, 30000) <= 0)
			return;
		for (i = 0; i < 2; i++) {
			if (p[i].revents == 0)
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r <= 0)
				return;
			for (off = 0; off < r; off += w) {
				w = write(p[1 - i].fd, buf + off,
				          (size_t)(r - off));
				if (w <= 0)
					return;
			}
		}
	}
}

/* Breaks off the first `bad` handshakes after reading the ClientHello
 * (reset: RST through SO_LINGER 0; else a plain close), relays later
 * connections to s_server. */
static void
proxy_main(int lfd, int bad, bool reset)
{
	struct sockaddr_in sin;
	struct linger lg = { 1, 0 };
	char hello[4096];
	int n = 0, cfd, bfd;

	alarm(120);
	for (;;) {
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		if (n++ < bad) {
			if (read(cfd, hello, sizeof(hello)) < 0)
				_exit(3);
			if (reset)
				setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg,
				           sizeof(lg));
			close(cfd);
			continue;
		}
		if (fork() == 0) {
			close(lfd);
			bfd = socket(AF_INET, SOCK_STREAM, 0);
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			sin.sin_port = htons((unsigned short)server_port);
			if (connect(bfd, (struct sockaddr *)&sin,
			            sizeof(sin)) != 0)
				_exit(3);
			relay(cfd, bfd);
			_exit(0);
		}
		close(cfd);
	}
}

static void
start_proxy(int bad, bool reset)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_eq(listen(lfd, 16), 0);
	proxy_port = ntohs(sin.sin_port);
	proxy_pid = fork();
	if (proxy_pid == 0) {
		signal(SIGCHLD, SIG_IGN);
		proxy_main(lfd, bad, reset);
		_exit(0);
	}
	ck_assert_int_ge(proxy_pid, 0);
	close(lfd);
}

/* A GET through a vs_client (its retry loop) and the curl transport. */
static int
client_get(struct err *err, int port, const char *ca, unsigned *trips,
           long *status)
{
	struct vs_client_opts o = { 0 };
	struct vs_curl_opts co = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req;
	struct vs_client *c = NULL;
	char u[128];
	int rc;

	co.ca_cert_pem = ca;
	co.connect_timeout_s = 5;
	co.timeout_s = 10;
	ck_assert_int_eq(vs_transport_curl_new(&o.transport, &co, err), 0);
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/sdk", port);
	o.url = u;
	o.user = "u";
	o.password = "p";
	o.retry_base_s = 0.01;
	ck_assert_int_eq(vs_client_new(&c, &o, err), 0);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = "/";
	req.op = "tls";
	rc = vs_client_http(c, &req, &resp, err);
	*status = resp.status;
	*trips = vs_client_roundtrips(c);
	vs_http_response_clear(&resp);
	vs_client_free(c);
	return rc;
}

static int
fetch(struct err *err, const char *ca, bool insecure, long *status)
{
	return fetch_at(err, server_port, ca, insecure, status);
}

#define REQUIRE_SERVER() \
	ck_assert_msg(server_pid > 0, "no openssl s_server running")

START_TEST(test_unknown_ca_is_refused)
{
	struct err err = { 0 };
	char want[64];
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(fetch(&err, NULL, false, &status), ERR_ETLS);
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
	struct err err = { 0 };
	char want[64];
	const char *reason, *fix;
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(fetch(&err, NULL, false, &status), ERR_ETLS);
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

/* A verification failure is final: the client does not retry it. */
START_TEST(test_verify_failure_not_retried)
{
	struct err err = { 0 };
	unsigned trips = 0;
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(client_get(&err, server_port, other_ca, &trips,
	                            &status), ERR_ETLS);
	ck_assert(!err.transient);
	ck_assert_uint_eq(trips, 1);
}
END_TEST

static void
handshake_broken_then_ok(bool reset)
{
	struct err err = { 0 };
	unsigned trips = 0;
	long status = 0;

	REQUIRE_SERVER();
	start_proxy(2, reset);
	ck_assert_msg(client_get(&err, proxy_port, server_ca, &trips,
	                         &status) == 0, "%s", err.message);
	ck_assert_int_eq(status, 200);
	ck_assert_uint_eq(trips, 3);
}

START_TEST(test_handshake_reset_is_retried)
{
	handshake_broken_then_ok(true);
}
END_TEST

START_TEST(test_handshake_close_is_retried)
{
	handshake_broken_then_ok(false);
}
END_TEST

/* Broken every time: a transient network error (ok_to_retry), never a
 * certificate message. */
START_TEST(test_handshake_reset_is_transient)
{
	struct err err = { 0 };
	long status = 0;

	REQUIRE_SERVER();
	start_proxy(1000, true);
	ck_assert_int_eq(fetch_at(&err, proxy_port, server_ca, false,
	                          &status), ERR_ENET);
	ck_assert(err.transient);
	ck_assert(!err.maybe_sent);
	ck_assert_msg(strstr(err.message, "TLS: handshake failed for ") ==
	              err.message, "%s", err.message);
	ck_assert_msg(strstr(err.message, "ca_cert") == NULL, "%s",
	              err.message);
}
END_TEST

START_TEST(test_wrong_ca_is_refused)
{
	struct err err = { 0 };
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_int_eq(fetch(&err, other_ca, false, &status), ERR_ETLS);
	ck_assert(!err.transient);
}
END_TEST

START_TEST(test_pinned_ca_is_accepted)
{
	struct err err = { 0 };
	long status = 0;

	REQUIRE_SERVER();
	ck_assert_msg(fetch(&err, server_ca, false, &status) == 0, "%s",
	              err.message);
	ck_assert_int_eq(status, 200);
}
END_TEST

START_TEST(test_insecure_skips_verification)
{
	struct err err = { 0 };
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
	tcase_add_test(tc, test_verify_failure_not_retried);
	tcase_add_test(tc, test_handshake_reset_is_retried);
	tcase_add_test(tc, test_handshake_close_is_retried);
	tcase_add_test(tc, test_handshake_reset_is_transient);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

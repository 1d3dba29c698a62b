/*
 * tests/unit/check_transport_curl.c: the curl transport against a tiny
 * HTTP/1.1 server forked by each test (127.0.0.1 or ::1, random port;
 * one process per connection, so a nested round trip can be served
 * while an upload is still arriving).  The server writes every request
 * it receives, raw, to DIR/req-N (N in the order requests were read in
 * full) and the number of accepted connections to DIR/conns, then
 * answers by path:
 *   /ok        200 "<ok/>" text/xml
 *   /slow      waits 300 ms before reading the body, then as /ok
 *   /login     200 with Set-Cookie: vmware_soap_session
 *   /redirect  301 to /ok
 *   /hang      never answers (so does /sdk: a silent vCenter)
 *   /trickle   200 announcing 100000 bytes, then one byte every 0.5 s
 *   /bighead   200 with a 200 KB header line
 *   /big       200 with a 2 MiB body
 *   /download  200 with DOWNLOAD_LEN binary bytes
 *   /missing   404 "not here"
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/cpi_run.h"
#include "vsphere/fixture.h"
#include "vsphere/transport.h"
#include "vsphere/transports.h"
#include "vsphere/vsphere.h"
#include "vsphere/client.h"

#define DOWNLOAD_LEN 300000
#define BIG_LEN (2 * 1024 * 1024)
/* more than any loopback socket buffers hold */
#define SLOW_LEN (20 * 1024 * 1024)

static pid_t server_pid = -1;
static int server_port;
static char dir[256];

/* --- the server (child process) ----------------------------------- */

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
save(const char *name, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		_exit(3);
	fwrite(data, 1, len, f);
	fclose(f);
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 251) & 0xff);
}

static void
reply(int fd, const char *status, const char *extra, const char *ctype,
      const char *body, size_t len)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: "
	             "%zu\r\nContent-Type: %s\r\n%s\r\n", status, len, ctype,
	             extra);
	write_all(fd, head, (size_t)n);
	write_all(fd, body, len);
}

/* The next request number, shared by the connection processes. */
static int
next_number(void)
{
	char path[512], text[32];
	ssize_t r;
	int fd, n = 0;

	snprintf(path, sizeof(path), "%s/count", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0)
		_exit(3);
	r = pread(fd, text, sizeof(text) - 1, 0);
	if (r > 0) {
		text[r] = '\0';
		n = atoi(text);
	}
	n++;
	r = snprintf(text, sizeof(text), "%d", n);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)r, 0) != r)
		_exit(3);
	close(fd);
	return n;
}

/* One request; false when the connection is done. */
static bool
serve_one(int fd)
{
	static char buf[SLOW_LEN + 64 * 1024];
	size_t len = 0, head_len = 0, body_len = 0, i;
	char name[32], path[64], *cl, *big;
	ssize_t r;

	for (;;) {
		if (len >= 4) {
			for (i = 0; i + 4 <= len; i++) {
				if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
					head_len = i + 4;
					break;
				}
			}
			if (head_len > 0)
				break;
		}
		if (len == sizeof(buf))
			return false;
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r <= 0)
			return false;
		len += (size_t)r;
	}
	buf[head_len - 1] = '\0';
	for (cl = buf; *cl != '\0'; cl++) {
		if (strncasecmp(cl, "\r\nContent-Length:", 17) == 0) {
			body_len = strtoul(cl + 17, NULL, 10);
			break;
		}
	}
	buf[head_len - 1] = '\n';
	if (head_len + body_len > sizeof(buf))
		return false;
	if (strncmp(buf, "POST /slow ", 11) == 0)
		usleep(300 * 1000);
	while (len < head_len + body_len) {
		r = read(fd, buf + len, head_len + body_len - len);
		if (r <= 0)
			return false;
		len += (size_t)r;
	}
	snprintf(name, sizeof(name), "req-%d", next_number());
	save(name, buf, head_len + body_len);
	if (sscanf(buf, "%*s %63s", path) != 1)
		return false;
	if (strcmp(path, "/ok") == 0 || strcmp(path, "/slow") == 0) {
		reply(fd, "200 OK", "", "text/xml", "<ok/>", 5);
	} else if (strcmp(path, "/login") == 0) {
		reply(fd, "200 OK", "Set-Cookie: vmware_soap_session=\"c00k1e"
		      "\"; Path=/; HttpOnly\r\n", "text/xml", "<ok/>", 5);
	} else if (strcmp(path, "/redirect") == 0) {
		reply(fd, "301 Moved Permanently", "Location: /ok\r\n",
		      "text/plain", "moved", 5);
	} else if (strcmp(path, "/hang") == 0 || strcmp(path, "/sdk") == 0) {
		for (;;)
			pause();
	} else if (strcmp(path, "/bighead") == 0) {
		static const char start[] = "HTTP/1.1 200 OK\r\n";
		static const char end[] = "\r\nContent-Length: 5\r\n\r\n<ok/>";

		len = 200 * 1000;
		big = malloc(len);
		if (big == NULL)
			_exit(4);
		memcpy(big, "X-Big: ", 7);
		memset(big + 7, 'b', len - 7);
		write_all(fd, start, sizeof(start) - 1);
		write_all(fd, big, len);
		write_all(fd, end, sizeof(end) - 1);
		free(big);
	} else if (strcmp(path, "/trickle") == 0) {
		static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: "
		                           "100000\r\nContent-Type: text/xml"
		                           "\r\n\r\n";

		write_all(fd, head, sizeof(head) - 1);
		for (;;) {
			write_all(fd, "<", 1);
			usleep(500 * 1000);
		}
	} else if (strcmp(path, "/big") == 0 ||
	           strcmp(path, "/download") == 0) {
		len = path[1] == 'b' ? BIG_LEN : DOWNLOAD_LEN;
		big = malloc(len);
		if (big == NULL)
			_exit(4);
		for (i = 0; i < len; i++)
			big[i] = (char)pattern(i);
		reply(fd, "200 OK", "", "application/octet-stream", big, len);
		free(big);
	} else {
		reply(fd, "404 Not Found", "", "text/plain", "not here", 8);
	}
	return true;
}

static void
serve(int lfd)
{
	char text[32];
	int fd, conns = 0;

	/* the test kills the whole group; children reap themselves; a
	 * test that dies before its teardown takes the server along */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);
	alarm(120);  /* never outlive a crashed test process for long */
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			_exit(2);
		}
		conns++;
		snprintf(text, sizeof(text), "%d", conns);
		save("conns", text, strlen(text));
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(lfd);
			alarm(120);
			while (serve_one(fd))
				;
			_exit(0);
		}
		close(fd);
	}
}

static void
start_server(int family)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = sizeof(ss);
	int lfd, one = 1;

	snprintf(dir, sizeof(dir), "/tmp/check_transport_curl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	lfd = socket(family, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&ss,
	                      family == AF_INET6 ? sizeof(*sin6)
	                                         : sizeof(*sin)), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&ss, &sl), 0);
	server_port = ntohs(family == AF_INET6 ? sin6->sin6_port
	                                       : sin->sin_port);
	/* no Check call may run in the child: it would write into the
	 * parent's message file */
	server_pid = fork();
	if (server_pid == 0)
		serve(lfd);
	ck_assert_int_ge(server_pid, 0);
	close(lfd);
}

static void
setup4(void)
{
	start_server(AF_INET);
}

static void
setup6(void)
{
	start_server(AF_INET6);
}

static void
teardown(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if (server_pid > 0) {
		kill(-server_pid, SIGKILL);
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
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

/* --- client helpers ----------------------------------------------- */

static char logbuf[8192];

static void
log_cb(void *ud, int level, const char *msg)
{
	size_t n = strlen(logbuf);

	(void)ud;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%d %s\n", level, msg);
}

static struct vs_transport *
client(long timeout_s, size_t max_body)
{
	struct vs_curl_opts o = { 0 };
	struct err err = { 0 };
	struct vs_transport *t = NULL;

	logbuf[0] = '\0';
	o.connect_timeout_s = 5;
	o.timeout_s = timeout_s;
	o.max_body = max_body;
	o.log = log_cb;
	ck_assert_int_eq(vs_transport_curl_new(&t, &o, &err), 0);
	return t;
}

static const char *
url(const char *path)
{
	static char buf[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "http://127.0.0.1:%d%s",
	         server_port, path);
	return buf[k];
}

static char *
captured(int n, size_t *len)
{
	struct err err = { 0 };
	char path[512], *data = NULL;

	snprintf(path, sizeof(path), "%s/req-%d", dir, n);
	ck_assert_int_eq(vs_fixture_read_file(&data, len, path,
	                                      2 * SLOW_LEN, &err), 0);
	return data;
}

static bool
has_header(const char *raw, const char *line)
{
	const char *end = strstr(raw, "\r\n\r\n");
	size_t n = strlen(line);
	const char *p;

	for (p = raw; p != NULL && p < end; p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, line, n) == 0)
			return true;
	}
	return false;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct vs_http_request
get(const char *path)
{
	struct vs_http_request r;

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.url = url(path);
	r.op = "test";
	return r;
}

/* --- tests -------------------------------------------------------- */

START_TEST(test_soap_post_headers)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/ok");
	char *body = malloc(BIG_LEN), *raw;
	size_t len = 0;

	ck_assert_ptr_nonnull(body);
	memset(body, 'x', BIG_LEN);
	memcpy(body, "SECRETBODY", 10);
	req.method = "POST";
	req.op = "RetrievePropertiesEx";
	req.soap_action = "urn:vim25/8.0.0.1";
	req.content_type = "text/xml; charset=utf-8";
	req.body = body;
	req.body_len = BIG_LEN;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body, "<ok/>");
	ck_assert_uint_eq(resp.body_len, 5);
	ck_assert_str_eq(resp.content_type, "text/xml");
	raw = captured(1, &len);
	ck_assert(strncmp(raw, "POST /ok HTTP/1.1\r\n", 19) == 0);
	ck_assert(has_header(raw, "SOAPAction: \"urn:vim25/8.0.0.1\"\r\n"));
	ck_assert(has_header(raw, "Content-Type: text/xml; charset=utf-8\r\n"));
	ck_assert(has_header(raw, "Content-Length: 2097152\r\n"));
	/* curl adds "Expect: 100-continue" above 1 MiB unless told not to;
	 * vCenter never answers it */
	ck_assert(!has_header(raw, "Expect:"));
	ck_assert(!has_header(raw, "Transfer-Encoding:"));
	ck_assert_uint_eq(len - (size_t)(strstr(raw, "\r\n\r\n") + 4 - raw),
	                  BIG_LEN);
	ck_assert_ptr_null(strstr(logbuf, "SECRETBODY"));
	ck_assert_ptr_nonnull(strstr(logbuf, "RetrievePropertiesEx"));
	free(raw);
	free(body);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

/* The request's extra header lines are sent as they are and never
 * logged; one that could split the request is refused. */
START_TEST(test_extra_headers)
{
	static const char *const headers[] = {
		"vmware-api-session-id: SESSIONID42",
		"Accept: application/json", NULL,
	};
	static const char *const evil[] = { "X-A: 1\r\nX-Evil: 2", NULL };
	static const char *const no_colon[] = { "Accept", NULL };
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/ok");
	char *raw;
	size_t len = 0;

	req.method = "DELETE";
	req.headers = headers;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	raw = captured(1, &len);
	ck_assert(strncmp(raw, "DELETE /ok HTTP/1.1\r\n", 21) == 0);
	ck_assert(has_header(raw, "vmware-api-session-id: SESSIONID42\r\n"));
	ck_assert(has_header(raw, "Accept: application/json\r\n"));
	free(raw);
	ck_assert_ptr_null(strstr(logbuf, "SESSIONID42"));
	req.headers = evil;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EINVAL);
	err_clear(&err);
	req.headers = no_colon;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EINVAL);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_cookie_and_connection_reuse)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/login");
	char *raw, *conns, path[512];
	size_t len;

	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	req = get("/ok");
	req.method = "POST";
	req.body = "<a/>";
	req.body_len = 4;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	raw = captured(1, &len);
	ck_assert(!has_header(raw, "Cookie:"));
	free(raw);
	raw = captured(2, &len);
	ck_assert(has_header(raw, "Cookie: vmware_soap_session=\"c00k1e\""));
	/* no content type given: none sent (not curl's form default) */
	ck_assert(!has_header(raw, "Content-Type:"));
	ck_assert(strncmp(raw, "POST /ok HTTP/1.1\r\n", 19) == 0);
	free(raw);
	ck_assert_ptr_null(strstr(logbuf, "c00k1e"));
	/* one connection served both requests */
	snprintf(path, sizeof(path), "%s/conns", dir);
	ck_assert_int_eq(vs_fixture_read_file(&conns, &len, path, 64, &err),
	                 0);
	ck_assert_str_eq(conns, "1");
	free(conns);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_redirect_not_followed)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/redirect");
	char path[512];

	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 301);
	ck_assert_str_eq(resp.body, "moved");
	snprintf(path, sizeof(path), "%s/req-2", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_connection_refused)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/ok");
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char u[128];
	int fd;

	/* a port that was free a moment ago */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/sdk",
	         ntohs(sin.sin_port));
	req.url = u;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_ENET);
	ck_assert(err.transient);
	ck_assert_ptr_nonnull(strstr(err.message, "127.0.0.1:"));
	ck_assert_ptr_null(resp.body);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_timeout)
{
	struct vs_transport *t = client(1, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/hang");
	double t0 = now();

	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_double_lt(now() - t0, 5.0);
	ck_assert_double_ge(now() - t0, 0.9);
	vs_transport_free(t);
}
END_TEST

/* The caller's time left bounds an exchange the transport alone would
 * let run (a trickle passes the stall limit). */
START_TEST(test_time_left_cuts_trickle)
{
	struct vs_transport *t = client(0, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/trickle");
	double t0 = now();

	req.time_left_s = 1.5;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_double_ge(now() - t0, 1.4);
	ck_assert_double_lt(now() - t0, 4.0);
	/* the next exchange has the transport's own limits again */
	req = get("/ok");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

static struct vs_client *
deadline_client(double deadline_s, double cleanup_s)
{
	struct vs_client_opts o = { 0 };
	struct err err = { 0 };
	struct vs_client *c = NULL;
	char u[128];

	o.transport = client(0, 0);   /* no limit but the stall one */
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/sdk", server_port);
	o.url = u;
	o.user = "u";
	o.password = "p";
	o.retry_base_s = 0.2;
	o.deadline_s = deadline_s;
	o.cleanup_s = cleanup_s;
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	return c;
}

static int
client_get(struct vs_client *c, const char *path, struct err *err)
{
	struct vs_http_response resp;
	struct vs_http_request req = get(path);
	int rc;

	req.url = path;
	rc = vs_client_http(c, &req, &resp, err);
	vs_http_response_clear(&resp);
	return rc;
}

static void
deadline_cuts(const char *path)
{
	struct vs_client *c = deadline_client(2, 0);
	struct err err = { 0 };
	double t0 = now();

	ck_assert_int_eq(client_get(c, path, &err), ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_msg(strstr(err.message, "deadline of 2 s exceeded "
	                     "(connection_options.deadline_seconds)") !=
	              NULL, "%s", err.message);
	ck_assert_double_ge(now() - t0, 1.9);
	ck_assert_double_lt(now() - t0, 5.0);
	vs_client_free(c);
}

START_TEST(test_deadline_silent_server)
{
	deadline_cuts("/hang");
}
END_TEST

START_TEST(test_deadline_trickling_server)
{
	deadline_cuts("/trickle");
}
END_TEST

/* Past the deadline nothing is sent, until the call cleans up: then it
 * has its allowance. */
START_TEST(test_deadline_cleanup_allowance)
{
	struct vs_client *c = deadline_client(1, 5);
	struct err err = { 0 };
	unsigned trips;

	ck_assert_int_eq(client_get(c, "/hang", &err), ERR_ETIMEOUT);
	trips = vs_client_roundtrips(c);
	err_clear(&err);
	ck_assert_int_eq(client_get(c, "/ok", &err), ERR_ETIMEOUT);
	ck_assert_uint_eq(vs_client_roundtrips(c), trips);
	vs_client_cleanup(c);
	err_clear(&err);
	ck_assert_msg(client_get(c, "/ok", &err) == 0, "%s", err.message);
	ck_assert_uint_eq(vs_client_roundtrips(c), trips + 1);
	/* the allowance too runs out */
	err_clear(&err);
	ck_assert_int_eq(client_get(c, "/hang", &err), ERR_ETIMEOUT);
	ck_assert_msg(strstr(err.message, "and its cleanup allowance") !=
	              NULL, "%s", err.message);
	vs_client_free(c);
}
END_TEST

/* The binary against a silent vCenter: a typed, retryable answer soon
 * after connection_options.deadline_seconds. */
START_TEST(test_cpi_call_deadline)
{
	static const char req[] = "{\"method\":\"has_vm\",\"arguments\":"
	                          "[\"vm-1\"],\"context\":{}}";
	char cfg[512], text[1024];
	char *argv[] = { (char *)cpi_test_binary(), cfg, NULL };
	struct cpi_test_run r;
	json_error_t jerr;
	json_t *root, *e;
	double t0;
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/cpi.json", dir);
	snprintf(text, sizeof(text), "{\"cloud\":{\"plugin\":\"vsphere\","
	         "\"properties\":{\"vcenters\":[{\"host\":"
	         "\"http://127.0.0.1:%d\",\"user\":\"u\",\"password\":"
	         "\"p\",\"datacenters\":[{\"name\":\"DC0\",\"vm_folder\":"
	         "\"v\",\"template_folder\":\"t\",\"disk_path\":\"d\","
	         "\"datastore_pattern\":\"ds\",\"persistent_datastore_pattern\":"
	         "\"ds\",\"clusters\":[\"C0\"]}],"
	         "\"connection_options\":{\"deadline_seconds\":2}}],"
	         "\"agent\":{\"mbus\":\"nats://n:p@10.0.0.6:4222\"}}}}",
	         server_port);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	t0 = now();
	ck_assert_int_eq(cpi_test_run(&r, argv, req, sizeof(req) - 1), 0);
	ck_assert_double_lt(now() - t0, 2.0 + 4.0);
	ck_assert_double_ge(now() - t0, 1.9);
	ck_assert_int_eq(r.status, 0);
	root = json_loadb(r.out, r.out_len, 0, &jerr);
	ck_assert_msg(root != NULL, "%s", r.out);
	e = json_object_get(root, "error");
	ck_assert_msg(json_is_object(e), "%s", r.out);
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")),
	                 "Bosh::Clouds::CloudError");
	ck_assert(json_is_true(json_object_get(e, "ok_to_retry")));
	ck_assert_msg(strstr(json_string_value(json_object_get(e, "message")),
	                     "deadline of 2 s exceeded") != NULL, "%s", r.out);
	json_decref(root);
	cpi_test_run_clear(&r);
}
END_TEST

static void
make_file(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++)
		fputc(pattern(i), f);
	fclose(f);
}

static void
check_upload(const char *method, int n)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/ok");
	char path[512], line[64], *raw, *body;
	size_t len = 0, i, size = 3 * 1000 * 1000 + 7;

	snprintf(path, sizeof(path), "%s/upload.bin", dir);
	make_file(path, size);
	req.method = method;
	req.upload_path = path;
	req.content_type = "application/octet-stream";
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	raw = captured(n, &len);
	ck_assert(strncmp(raw, method, strlen(method)) == 0);
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n", size);
	ck_assert(has_header(raw, line));
	ck_assert(!has_header(raw, "Expect:"));
	body = strstr(raw, "\r\n\r\n") + 4;
	ck_assert_uint_eq(len - (size_t)(body - raw), size);
	for (i = 0; i < size; i++) {
		if ((unsigned char)body[i] != pattern(i))
			ck_abort_msg("upload byte %zu differs", i);
	}
	free(raw);
	vs_transport_free(t);
}

START_TEST(test_upload_put)
{
	check_upload("PUT", 1);
}
END_TEST

START_TEST(test_upload_post)
{
	check_upload("POST", 1);
}
END_TEST

/* A round trip from inside an upload's progress callback (what the
 * import does with HttpNfcLeaseProgress): it runs on a second
 * connection, carries the session cookie, and is answered while the
 * upload is still streaming. */
struct nest {
	struct vs_transport *t;
	int calls;
	unsigned long long sent, total;
};

static int
nest_cb(void *ud, unsigned long long sent, unsigned long long total,
        struct err *err)
{
	struct nest *n = ud;
	struct vs_http_request r;
	struct vs_http_response resp;
	int rc;

	if (n->calls > 0 || sent == 0 || sent >= total)
		return 0;
	n->calls++;
	n->sent = sent;
	n->total = total;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = url("/ok");
	r.op = "nested";
	r.body = "<nested/>";
	r.body_len = 9;
	rc = n->t->roundtrip(n->t, &r, &resp, err);
	if (rc == 0 && resp.status != 200)
		rc = err_set(err, ERR_EHTTP, "nested: %ld", resp.status);
	vs_http_response_clear(&resp);
	return rc;
}

static char *
file_text(const char *name)
{
	struct err err = { 0 };
	char path[512], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(vs_fixture_read_file(&text, &len, path, 64, &err),
	                 0);
	return text;
}

START_TEST(test_nested_roundtrip_during_upload)
{
	struct vs_transport *t = client(30, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/login");
	struct nest n = { 0 };
	char path[512], *raw, *conns;
	size_t len;

	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	snprintf(path, sizeof(path), "%s/upload.bin", dir);
	make_file(path, SLOW_LEN);
	req = get("/slow");
	req.method = "POST";
	req.upload_path = path;
	req.content_type = "application/x-vnd.vmware-streamVmdk";
	req.progress = nest_cb;
	req.progress_ud = &n;
	n.t = t;
	ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	ck_assert_int_eq(n.calls, 1);
	ck_assert_uint_eq(n.total, SLOW_LEN);
	/* the nested request was read before the upload was */
	raw = captured(2, &len);
	ck_assert_msg(strncmp(raw, "POST /ok ", 9) == 0, "req-2: %.20s", raw);
	ck_assert(has_header(raw, "Cookie: vmware_soap_session=\"c00k1e\""));
	ck_assert_ptr_nonnull(strstr(raw, "\r\n\r\n<nested/>"));
	free(raw);
	raw = captured(3, &len);
	ck_assert(strncmp(raw, "POST /slow ", 11) == 0);
	ck_assert(has_header(raw, "Cookie: vmware_soap_session=\"c00k1e\""));
	ck_assert_uint_eq(len - (size_t)(strstr(raw, "\r\n\r\n") + 4 - raw),
	                  SLOW_LEN);
	free(raw);
	conns = file_text("conns");
	ck_assert_str_eq(conns, "2");
	free(conns);
	/* both connections stay usable */
	req = get("/ok");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	conns = file_text("conns");
	ck_assert_str_eq(conns, "2");
	free(conns);
	unlink(path);
	vs_transport_free(t);
}
END_TEST

static int
refuse_cb(void *ud, unsigned long long sent, unsigned long long total,
          struct err *err)
{
	int *calls = ud;

	(void)total;
	if (sent == 0)
		return 0;
	(*calls)++;
	return err_set(err, ERR_EFAULT, "lease gone");
}

/* A callback's error stops the upload and is the round trip's error,
 * word for word. */
START_TEST(test_progress_error_stops_upload)
{
	struct vs_transport *t = client(30, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/slow");
	char path[512];
	int calls = 0;

	snprintf(path, sizeof(path), "%s/upload.bin", dir);
	make_file(path, SLOW_LEN);
	req.method = "POST";
	req.upload_path = path;
	req.progress = refuse_cb;
	req.progress_ud = &calls;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EFAULT);
	ck_assert_str_eq(err.message, "lease gone");
	ck_assert(!err.transient);
	ck_assert_int_eq(calls, 1);
	ck_assert_ptr_null(resp.body);
	/* the transport is still usable */
	req = get("/ok");
	err_clear(&err);
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	unlink(path);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_download)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/download");
	char path[512], *data = NULL;
	size_t len = 0, i;
	struct stat st;

	snprintf(path, sizeof(path), "%s/down.bin", dir);
	req.download_path = path;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_null(resp.body);
	ck_assert_int_eq(vs_fixture_read_file(&data, &len, path, 1 << 20,
	                                      &err), 0);
	ck_assert_uint_eq(len, DOWNLOAD_LEN);
	/* downloads may hold secrets: owner-only */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	for (i = 0; i < len; i++) {
		if ((unsigned char)data[i] != pattern(i))
			ck_abort_msg("download byte %zu differs", i);
	}
	free(data);
	vs_http_response_clear(&resp);

	/* an error status keeps its body in memory, no file is made */
	unlink(path);
	req = get("/missing");
	req.download_path = path;
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 404);
	ck_assert_str_eq(resp.body, "not here");
	ck_assert_int_ne(access(path, F_OK), 0);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_oversized_reply)
{
	struct vs_transport *t = client(10, 1024 * 1024);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/big");

	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "reply too large"));
	ck_assert_ptr_null(resp.body);
	vs_transport_free(t);

	/* the same reply fits under the default cap */
	t = client(10, 0);
	err_clear(&err);
	req = get("/big");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_uint_eq(resp.body_len, BIG_LEN);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

/* A giant reply header is named as such (it was "out of memory"). */
START_TEST(test_oversized_header)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/bighead");
	int rc;

	rc = t->roundtrip(t, &req, &resp, &err);
	ck_assert_int_eq(rc, ERR_EPARSE);
	ck_assert_msg(strstr(err.message, "reply header too large from "
	                     "127.0.0.1:") == err.message, "%s",
	              err.message);
	ck_assert_ptr_null(strstr(err.message, "out of memory"));
	ck_assert(!err.transient);
	vs_transport_free(t);
}
END_TEST

/* req is refused with ERR_EINVAL before anything is sent; message, when
 * not NULL, is the whole of the error. */
static void
refused(struct vs_transport *t, struct vs_http_request req,
        const char *message)
{
	struct err err = { 0 };
	struct vs_http_response resp;

	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EINVAL);
	if (message != NULL)
		ck_assert_str_eq(err.message, message);
}

START_TEST(test_bad_requests)
{
	static char longtype[1300];
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/ok");

	req.url = "ftp://127.0.0.1/x";
	refused(t, req, NULL);
	req.url = "https://user:pw@127.0.0.1/sdk";
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EINVAL);
	ck_assert_ptr_null(strstr(err.message, "pw"));
	err_clear(&err);
	req = get("/ok");
	req.soap_action = "urn:vim25\r\nX-Evil: 1";
	refused(t, req, "http: bad SOAPAction");
	req.soap_action = "urn:\"vim25";
	refused(t, req, "http: bad SOAPAction");
	req = get("/ok");
	req.content_type = "text/xml\nX-Evil: 1";
	refused(t, req, "http: bad Content-Type");
	/* a value of 1,024 bytes or more is refused, never sent cut */
	memset(longtype, 'x', sizeof(longtype) - 1);
	req.content_type = longtype;
	refused(t, req, "http: bad Content-Type");
	req = get("/ok");
	req.method = "PATCH";
	refused(t, req, NULL);
	req = get("/ok");
	req.upload_path = "/nonexistent/file";
	req.method = "PUT";
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EIO);
	/* nothing reached the server */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/req-1", dir);
		ck_assert_int_ne(access(path, F_OK), 0);
	}
	/* and the handle still works */
	err_clear(&err);
	req = get("/ok");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_ipv6_literal)
{
	struct vs_transport *t = client(10, 0);
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req = get("/ok");
	char u[128];

	snprintf(u, sizeof(u), "http://[::1]:%d/ok", server_port);
	req.url = u;
	ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_insecure_is_logged)
{
	struct vs_curl_opts o = { 0 };
	struct err err = { 0 };
	struct vs_transport *t = NULL;

	logbuf[0] = '\0';
	o.insecure = true;
	o.log = log_cb;
	ck_assert_int_eq(vs_transport_curl_new(&t, &o, &err), 0);
	ck_assert_ptr_nonnull(strstr(logbuf, "2 TLS certificate verification"
	                             " is disabled"));
	vs_transport_free(t);
	logbuf[0] = '\0';
	o.insecure = false;
	o.ca_cert_pem = "-----BEGIN CERTIFICATE-----\n";
	ck_assert_int_eq(vs_transport_curl_new(&t, &o, &err), 0);
	ck_assert_str_eq(logbuf, "");
	vs_transport_free(t);
}
END_TEST

static Suite *
curl_suite(void)
{
	Suite *s = suite_create("transport_curl");
	TCase *tc;

	tc = tcase_create("ipv4");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup4, teardown);
	tcase_add_test(tc, test_soap_post_headers);
	tcase_add_test(tc, test_extra_headers);
	tcase_add_test(tc, test_cookie_and_connection_reuse);
	tcase_add_test(tc, test_redirect_not_followed);
	tcase_add_test(tc, test_connection_refused);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_time_left_cuts_trickle);
	tcase_add_test(tc, test_deadline_silent_server);
	tcase_add_test(tc, test_deadline_trickling_server);
	tcase_add_test(tc, test_deadline_cleanup_allowance);
	tcase_add_test(tc, test_cpi_call_deadline);
	tcase_add_test(tc, test_upload_put);
	tcase_add_test(tc, test_upload_post);
	tcase_add_test(tc, test_nested_roundtrip_during_upload);
	tcase_add_test(tc, test_progress_error_stops_upload);
	tcase_add_test(tc, test_download);
	tcase_add_test(tc, test_oversized_reply);
	tcase_add_test(tc, test_oversized_header);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_insecure_is_logged);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv6");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup6, teardown);
	tcase_add_test(tc, test_ipv6_literal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(curl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

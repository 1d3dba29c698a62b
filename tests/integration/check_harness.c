/*
 * Smoke suite for the simulator harness (tests/sim/run.sh): proves that the
 * environment it exports describes a live, TLS-protected simulator with the
 * promised credentials and inventory.  It talks to the simulator with bare
 * libcurl, no project code, so a failure here points at the harness.
 *
 * Run it through the harness (make integration does this for all suites):
 *   make BUILD=build/x LIB_SRC=base/err.c \
 *       build/x/tests/integ_check_harness
 *   sh tests/sim/run.sh build/x build/x/tests/integ_check_harness
 */
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BODY_MAX (4u << 20)

struct body {
	char *data;
	size_t len;
	bool overflow;
};

struct reply {
	CURLcode rc;
	long status;
	struct body body;
	char errbuf[CURL_ERROR_SIZE];
};

static const char envelope_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<soapenv:Envelope"
	" xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
	" xmlns:vim25=\"urn:vim25\"><soapenv:Body>";
static const char envelope_tail[] = "</soapenv:Body></soapenv:Envelope>";

static const char retrieve_sc[] =
	"<vim25:RetrieveServiceContent>"
	"<vim25:_this type=\"ServiceInstance\">ServiceInstance</vim25:_this>"
	"</vim25:RetrieveServiceContent>";

static const char *
env_or_fail(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && v[0] != '\0',
	    "%s is not set: run this suite through tests/sim/run.sh", name);
	return v;
}

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct body *b = ud;
	size_t n = size * nmemb;
	char *grown;

	if (b->len + n > BODY_MAX) {
		b->overflow = true;
		return 0;
	}
	grown = realloc(b->data, b->len + n + 1);
	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static void
reply_clear(struct reply *r)
{
	free(r->body.data);
	memset(r, 0, sizeof(*r));
}

/* A handle set up the way the CPI's transport must be: verification on. */
static CURL *
handle_new(const char *ca_file)
{
	CURL *h = curl_easy_init();

	ck_assert_ptr_nonnull(h);
	curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	return h;
}

/* POSTs the SOAP envelope around CALL to VCSIM_URL; fills *out. */
static void
soap_post(struct reply *out, CURL *h, const char *call)
{
	struct curl_slist *hdrs = NULL;
	size_t len = strlen(envelope_head) + strlen(call) +
	    strlen(envelope_tail) + 1;
	char *doc = malloc(len);

	ck_assert_ptr_nonnull(doc);
	snprintf(doc, len, "%s%s%s", envelope_head, call, envelope_tail);
	memset(out, 0, sizeof(*out));
	hdrs = curl_slist_append(hdrs, "Content-Type: text/xml; charset=utf-8");
	hdrs = curl_slist_append(hdrs, "SOAPAction: urn:vim25/6.5");
	hdrs = curl_slist_append(hdrs, "Expect:");
	ck_assert_ptr_nonnull(hdrs);
	curl_easy_setopt(h, CURLOPT_URL, env_or_fail("VCSIM_URL"));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, doc);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, out->errbuf);
	out->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hdrs);
	free(doc);
	ck_assert_msg(!out->body.overflow, "reply larger than %u bytes",
	    BODY_MAX);
}

/* Appends S to DST (capacity CAP) with the five XML special characters
 * escaped. */
static void
xml_escape(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(dst);
	const char *rep;

	for (; *s != '\0'; s++) {
		char one[2] = { *s, '\0' };

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: rep = one; break;
		}
		ck_assert_msg(n + strlen(rep) < cap, "escaped text too long");
		memcpy(dst + n, rep, strlen(rep) + 1);
		n += strlen(rep);
	}
}

static void
login_call(char *dst, size_t cap, const char *user, const char *password)
{
	dst[0] = '\0';
	strncat(dst, "<vim25:Login><vim25:_this type=\"SessionManager\">"
	    "SessionManager</vim25:_this><vim25:userName>",
	    cap - strlen(dst) - 1);
	xml_escape(dst, cap, user);
	strncat(dst, "</vim25:userName><vim25:password>",
	    cap - strlen(dst) - 1);
	xml_escape(dst, cap, password);
	strncat(dst, "</vim25:password></vim25:Login>", cap - strlen(dst) - 1);
	ck_assert_msg(strlen(dst) + 1 < cap, "login call truncated");
}

START_TEST(test_env_is_complete)
{
	const char *url = env_or_fail("VCSIM_URL");
	const char *host = env_or_fail("VCSIM_HOST");
	const char *pw = env_or_fail("VCSIM_PASSWORD");
	char want[512];
	FILE *f;

	snprintf(want, sizeof(want), "https://%s/sdk", host);
	ck_assert_str_eq(url, want);
	ck_assert_str_eq(env_or_fail("VCSIM_USER"), "vcsim-user");
	/* The harness promises a password that needs XML escaping. */
	ck_assert_ptr_nonnull(strchr(pw, '&'));
	ck_assert_ptr_nonnull(strchr(pw, '<'));
	ck_assert_ptr_nonnull(strchr(pw, '"'));
	ck_assert_ptr_nonnull(strchr(pw, '\''));
	f = fopen(env_or_fail("VCSIM_CA_CERT"), "r");
	ck_assert_msg(f != NULL, "VCSIM_CA_CERT unreadable");
	fclose(f);
	f = fopen(env_or_fail("VCSIM_WRONG_CA_CERT"), "r");
	ck_assert_msg(f != NULL, "VCSIM_WRONG_CA_CERT unreadable");
	fclose(f);
	ck_assert_str_ne(env_or_fail("VCSIM_CA_CERT"),
	    env_or_fail("VCSIM_WRONG_CA_CERT"));
	env_or_fail("VCSIM_CERT_DIR");
	ck_assert_int_eq(access(env_or_fail("VCSIM_BIN"), X_OK), 0);
	env_or_fail("CPI_TEST_BUILD");
	env_or_fail("CPI_TEST_ROOT");
	env_or_fail("CPI_TEST_OUTDIR");
}
END_TEST

START_TEST(test_service_content_over_verified_tls)
{
	CURL *h = handle_new(env_or_fail("VCSIM_CA_CERT"));
	struct reply r;

	soap_post(&r, h, retrieve_sc);
	ck_assert_msg(r.rc == CURLE_OK, "curl: %s: %s",
	    curl_easy_strerror(r.rc), r.errbuf);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(r.body.data);
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "<name>VMware vCenter Server</name>"));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "<apiType>VirtualCenter</apiType>"));
	reply_clear(&r);
	curl_easy_cleanup(h);
}
END_TEST

START_TEST(test_wrong_ca_is_refused)
{
	CURL *h = handle_new(env_or_fail("VCSIM_WRONG_CA_CERT"));
	struct reply r;

	soap_post(&r, h, retrieve_sc);
	ck_assert_msg(r.rc == CURLE_PEER_FAILED_VERIFICATION,
	    "expected a verification failure, got %s (%d)",
	    curl_easy_strerror(r.rc), (int)r.rc);
	ck_assert_ptr_null(r.body.data);
	reply_clear(&r);
	curl_easy_cleanup(h);
}
END_TEST

/* HEAD request to https://NAME:PORT/sdk with NAME resolved to 127.0.0.1,
 * verified against VCSIM_CA_CERT; returns the curl result and leaves
 * curl's message in ERRBUF (CURL_ERROR_SIZE bytes). */
static CURLcode
probe_at(char *errbuf, const char *name, const char *port)
{
	CURL *h = handle_new(env_or_fail("VCSIM_CA_CERT"));
	struct curl_slist *resolve = NULL;
	char url[256], pin[256];
	CURLcode rc;

	snprintf(url, sizeof(url), "https://%s:%s/sdk", name, port);
	snprintf(pin, sizeof(pin), "%s:%s:127.0.0.1", name, port);
	resolve = curl_slist_append(resolve, pin);
	ck_assert_ptr_nonnull(resolve);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	curl_slist_free_all(resolve);
	return rc;
}

static const char *
harness_port(void)
{
	const char *colon = strrchr(env_or_fail("VCSIM_HOST"), ':');

	ck_assert_ptr_nonnull(colon);
	return colon + 1;
}

/* The server cert names 127.0.0.1, ::1 and localhost, nothing else. */
START_TEST(test_host_name_is_verified)
{
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc = probe_at(errbuf, "localhost", harness_port());

	ck_assert_msg(rc == CURLE_OK, "localhost: %s", errbuf);
	rc = probe_at(errbuf, "wrong-host.invalid", harness_port());
	ck_assert_msg(rc == CURLE_PEER_FAILED_VERIFICATION,
	    "wrong-host.invalid: expected a verification failure, got %s",
	    curl_easy_strerror(rc));
}
END_TEST

/* A second simulator (VCSIM_BIN) serving one of the other certificates
 * of VCSIM_CERT_DIR, for the TLS failure cases. */
struct extra_sim {
	pid_t pid;
	char port[16];
};

static void
extra_sim_start(struct extra_sim *out, const char *cert_name)
{
	const char *bin = env_or_fail("VCSIM_BIN");
	const char *dir = env_or_fail("VCSIM_CERT_DIR");
	static const char prefix[] = "VCSIM_URL=https://127.0.0.1:";
	char cert[1024], key[1024], log[1024], line[256];
	struct pollfd pfd;
	size_t n;
	FILE *f;
	int fds[2], logfd;

	snprintf(cert, sizeof(cert), "%s/%s.pem", dir, cert_name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, cert_name);
	snprintf(log, sizeof(log), "%s/vcsim-%s.log",
	    env_or_fail("CPI_TEST_OUTDIR"), cert_name);
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
		    "-key", key, "-vms", "0", "-watch-parent", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	close(logfd);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	ck_assert_msg(poll(&pfd, 1, 30000) == 1,
	    "%s did not start within 30 s", bin);
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

	ck_assert_int_eq(kill(s->pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "simulator did not shut down cleanly (status %d)", st);
}

START_TEST(test_expired_cert_is_refused)
{
	struct extra_sim sim;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;

	extra_sim_start(&sim, "expired");
	rc = probe_at(errbuf, "127.0.0.1", sim.port);
	extra_sim_stop(&sim);
	ck_assert_msg(rc == CURLE_PEER_FAILED_VERIFICATION,
	    "expected a verification failure, got %s",
	    curl_easy_strerror(rc));
	ck_assert_msg(strstr(errbuf, "expired") != NULL, "%s", errbuf);
}
END_TEST

START_TEST(test_wrong_host_cert_is_refused)
{
	struct extra_sim sim;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc_ip, rc_name;

	extra_sim_start(&sim, "wronghost");
	rc_ip = probe_at(errbuf, "127.0.0.1", sim.port);
	/* Under the name it was issued for, the same cert verifies. */
	rc_name = probe_at(errbuf, "wrong-host.invalid", sim.port);
	extra_sim_stop(&sim);
	ck_assert_msg(rc_ip == CURLE_PEER_FAILED_VERIFICATION,
	    "127.0.0.1: expected a verification failure, got %s",
	    curl_easy_strerror(rc_ip));
	ck_assert_msg(rc_name == CURLE_OK, "wrong-host.invalid: %s", errbuf);
}
END_TEST

/* The simulator catches SIGTERM from before it prints its URL line, so
 * one stopped as soon as that line is read (as tests/sim/run.sh and the
 * TLS cases do) exits 0.  The window was short: hence the repeats. */
START_TEST(test_sim_stopped_at_once_exits_cleanly)
{
	struct extra_sim sim;
	int i;

	for (i = 0; i < 20; i++) {
		extra_sim_start(&sim, "expired");
		extra_sim_stop(&sim);
	}
}
END_TEST

START_TEST(test_login_with_harness_credentials)
{
	CURL *h = handle_new(env_or_fail("VCSIM_CA_CERT"));
	char call[2048];
	struct reply r;

	login_call(call, sizeof(call), env_or_fail("VCSIM_USER"),
	    env_or_fail("VCSIM_PASSWORD"));
	soap_post(&r, h, call);
	ck_assert_msg(r.rc == CURLE_OK, "curl: %s", curl_easy_strerror(r.rc));
	ck_assert_msg(r.status == 200, "Login answered HTTP %ld", r.status);
	ck_assert_ptr_nonnull(strstr(r.body.data, "<LoginResponse"));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "<userName>vcsim-user</userName>"));
	reply_clear(&r);

	/* The extra standard port groups exist in the inventory. */
	soap_post(&r, h, "<vim25:FindByInventoryPath>"
	    "<vim25:_this type=\"SearchIndex\">SearchIndex</vim25:_this>"
	    "<vim25:inventoryPath>DC0/network/BOSH-V4</vim25:inventoryPath>"
	    "</vim25:FindByInventoryPath>");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "<returnval type=\"Network\">"));
	reply_clear(&r);
	soap_post(&r, h, "<vim25:FindByInventoryPath>"
	    "<vim25:_this type=\"SearchIndex\">SearchIndex</vim25:_this>"
	    "<vim25:inventoryPath>DC0/network/BOSH-V6</vim25:inventoryPath>"
	    "</vim25:FindByInventoryPath>");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "<returnval type=\"Network\">"));
	reply_clear(&r);
	/* ...and a name that was never added is not found. */
	soap_post(&r, h, "<vim25:FindByInventoryPath>"
	    "<vim25:_this type=\"SearchIndex\">SearchIndex</vim25:_this>"
	    "<vim25:inventoryPath>DC0/network/BOSH-V5</vim25:inventoryPath>"
	    "</vim25:FindByInventoryPath>");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(strstr(r.body.data, "<returnval"));
	reply_clear(&r);
	curl_easy_cleanup(h);
}
END_TEST

/* Only the harness's pair is accepted: not the simulator's default
 * user/pass, not the right user with the unescaped-prefix of the password. */
START_TEST(test_other_credentials_rejected)
{
	static const char *const users[] = { "user", "vcsim-user",
	    "vcsim-user" };
	const char *passwords[3];
	char call[2048];
	char prefix[64];
	const char *pw = env_or_fail("VCSIM_PASSWORD");
	size_t i;

	snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(pw, "&"), pw);
	passwords[0] = "pass";
	passwords[1] = prefix;
	passwords[2] = "wrong";
	for (i = 0; i < 3; i++) {
		CURL *h = handle_new(env_or_fail("VCSIM_CA_CERT"));
		struct reply r;

		login_call(call, sizeof(call), users[i], passwords[i]);
		soap_post(&r, h, call);
		ck_assert_msg(r.rc == CURLE_OK, "curl: %s",
		    curl_easy_strerror(r.rc));
		ck_assert_int_eq(r.status, 500);
		ck_assert_ptr_nonnull(strstr(r.body.data, "InvalidLogin"));
		reply_clear(&r);
		curl_easy_cleanup(h);
	}
}
END_TEST

/* Reads a whole (small) file into a NUL-terminated buffer. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	buf = malloc(BODY_MAX + 1);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, BODY_MAX, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The simulator keeps every request for tests/schemacheck, but never the
 * password: neither raw nor XML-escaped. */
START_TEST(test_requests_dumped_without_secrets)
{
	const char *dir = env_or_fail("VCSIM_REQUEST_DIR");
	CURL *h = handle_new(env_or_fail("VCSIM_CA_CERT"));
	char call[2048], escaped[512] = "", path[1024];
	struct reply r;
	struct dirent *de;
	DIR *d;
	int logins = 0, files = 0;

	login_call(call, sizeof(call), env_or_fail("VCSIM_USER"),
	    env_or_fail("VCSIM_PASSWORD"));
	soap_post(&r, h, call);
	ck_assert_int_eq(r.status, 200);
	reply_clear(&r);
	curl_easy_cleanup(h);

	xml_escape(escaped, sizeof(escaped), env_or_fail("VCSIM_PASSWORD"));
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	for (;;) {
		char *text;
		size_t len;

		de = readdir(d);
		if (de == NULL)
			break;
		len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 8, ".request") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = slurp(path);
		files++;
		ck_assert_msg(strstr(text, env_or_fail("VCSIM_PASSWORD")) ==
		    NULL, "%s holds the password", path);
		ck_assert_msg(strstr(text, escaped) == NULL,
		    "%s holds the escaped password", path);
		if (strstr(de->d_name, "-Login.request") != NULL) {
			ck_assert_msg(strstr(text, "<vim25:password>REDACTED<")
			    != NULL, "%s: password not redacted", path);
			logins++;
		}
		free(text);
	}
	closedir(d);
	ck_assert_int_ge(files, 1);
	ck_assert_int_ge(logins, 1);
}
END_TEST

static Suite *
harness_suite(void)
{
	Suite *s = suite_create("harness");
	TCase *tc = tcase_create("vcsim");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_env_is_complete);
	tcase_add_test(tc, test_service_content_over_verified_tls);
	tcase_add_test(tc, test_wrong_ca_is_refused);
	tcase_add_test(tc, test_host_name_is_verified);
	tcase_add_test(tc, test_expired_cert_is_refused);
	tcase_add_test(tc, test_wrong_host_cert_is_refused);
	tcase_add_test(tc, test_sim_stopped_at_once_exits_cleanly);
	tcase_add_test(tc, test_login_with_harness_credentials);
	tcase_add_test(tc, test_other_credentials_rejected);
	tcase_add_test(tc, test_requests_dumped_without_secrets);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	sr = srunner_create(harness_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

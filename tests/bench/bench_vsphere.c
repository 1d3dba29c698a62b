/*
 * tests/bench/bench_vsphere.c: figures against a live simulator (tests/
 * bench/run.sh starts one).  Prints, asserts nothing but that calls
 * answered.
 *
 *   bench_vsphere CPI LIVE_CONFIG FIXTURES N
 *
 * 1. The SOAP client alone: N times login + one inventory query
 *    (datacenters, clusters, datastores through one container view) +
 *    logout (tests/replay/vs_inventory.h): round trips counted by the
 *    client and by the simulator, median and p95 wall time.
 * 2. The cpi binary, per method: every CPI scenario under FIXTURES is run
 *    N times against the simulator with LIVE_CONFIG (requests and
 *    placeholders as in replay, tests/support/scenario.h); for each step
 *    the median and p95 wall time from fork to exit, the largest peak
 *    RSS (wait4) and the SOAP round trips the simulator received (files
 *    added to VCSIM_REQUEST_DIR; datastore /folder transfers are not
 *    SOAP and not counted).
 * 3. Instructions: when BENCH_CALLGRIND names valgrind (or a command
 *    run with valgrind's arguments: tests/bench/run.sh gives one that
 *    runs it in a Director's environment), one more pass of
 *    each scenario runs the steps whose method is in BENCH_INSTR_METHODS
 *    (default "create_vm") under valgrind --tool=callgrind and prints the
 *    instructions the process executed (callgrind's total: repeatable,
 *    unlike wall time on a shared machine).
 *
 * Environment: VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_CA_CERT (PEM
 * file), VCSIM_REQUEST_DIR, BENCH_CALLGRIND, BENCH_INSTR_METHODS.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "tests/support/scenario.h"
#include "tests/replay/vs_inventory.h"
#include "vsphere/fixture.h"
#include "vsphere/transports.h"

#define MAX_RUNS 1000

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
stats(double *med, double *p95, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*p95 = v[(n * 95 + 99) / 100 - 1];
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0') {
		fprintf(stderr, "bench_vsphere: %s is not set\n", name);
		exit(2);
	}
	return v;
}

/* SOAP requests the simulator has dumped so far. */
static long
sim_requests(void)
{
	const char *dir = getenv("VCSIM_REQUEST_DIR");
	struct dirent *de;
	long n = 0;
	DIR *d;

	if (dir == NULL)
		return -1;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strstr(de->d_name, ".request") != NULL)
			n++;
	}
	closedir(d);
	return n;
}

/* --- 1. the client alone ----------------------------------------- */

static int
bench_client(size_t runs)
{
	struct vs_curl_opts co = { .connect_timeout_s = 10, .timeout_s = 60 };
	struct vs_client_opts o = { 0 };
	struct err err = { 0 };
	struct inv_result res = { 0 };
	double *ms = calloc(runs, sizeof(double)), med, p95;
	long before, seen = 0;
	char *pem = NULL;
	size_t i;
	int rc = 0;

	if (ms == NULL)
		return -1;
	o.url = env("VCSIM_URL");
	o.user = env("VCSIM_USER");
	o.password = env("VCSIM_PASSWORD");
	rc = vs_fixture_read_file(&pem, NULL, env("VCSIM_CA_CERT"),
	                          1024 * 1024, &err);
	co.ca_cert_pem = pem;
	for (i = 0; rc == 0 && i < runs; i++) {
		double t0 = now_ms();

		before = sim_requests();
		rc = vs_transport_curl_new(&o.transport, &co, &err);
		if (rc == 0)
			rc = inv_run(&res, &o, &err);
		ms[i] = now_ms() - t0;
		seen = sim_requests() - before;
	}
	free(pem);
	if (rc != 0) {
		fprintf(stderr, "bench_vsphere: %s\n", err.message);
		free(ms);
		return -1;
	}
	stats(&med, &p95, ms, runs);
	printf("vsphere client: login + inventory query + logout, %zu runs\n"
	       "  %u SOAP round trips (simulator saw %ld); found %zu "
	       "datacenter(s), %zu cluster(s), %zu datastore(s)\n"
	       "  wall: median %.2f ms, p95 %.2f ms (one TLS connection "
	       "per run)\n", runs, res.roundtrips, seen, res.datacenters,
	       res.clusters, res.datastores, med, p95);
	free(ms);
	return 0;
}

/* --- 2. the cpi binary ------------------------------------------- */

struct sample {
	double ms;
	long rss_kib;
	long soap;
};

/* Whether method is one word of BENCH_INSTR_METHODS (default
 * "create_vm"). */
static bool
instr_method(const char *method)
{
	const char *list = getenv("BENCH_INSTR_METHODS"), *p;
	size_t n = strlen(method);

	if (list == NULL || list[0] == '\0')
		list = "create_vm";
	for (p = list; (p = strstr(p, method)) != NULL; p += n) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return true;
	}
	return false;
}

/* callgrind's total instruction count from its output file; -1: none. */
static long long
callgrind_total(const char *path)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "summary: ", 9) == 0 ||
		    strncmp(line, "totals: ", 8) == 0)
			v = strtoll(strchr(line, ' ') + 1, NULL, 10);
	}
	fclose(f);
	return v;
}

/* Runs cpi config with req on stdin; *resp parsed from stdout.  With
 * cg_out, the cpi runs under callgrind (BENCH_CALLGRIND) writing there. */
static int
run_cpi(json_t **resp, struct sample *s, const char *cpi,
        const char *config, const json_t *req, const char *cg_out)
{
	int in[2], out[2], status, devnull;
	struct buf buf = { 0 };
	char chunk[8192], *text;
	long before = sim_requests();
	struct rusage ru;
	double t0;
	pid_t pid;
	ssize_t n;

	*resp = NULL;
	text = json_dumps(req, JSON_COMPACT);
	if (text == NULL || pipe(in) != 0)
		return -1;
	if (pipe(out) != 0)
		return -1;
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(in[1]);
		close(out[0]);
		if (cg_out != NULL) {
			char opt[4200];
			const char *vg = getenv("BENCH_CALLGRIND");

			snprintf(opt, sizeof(opt),
			         "--callgrind-out-file=%s", cg_out);
			execl(vg, vg, "--tool=callgrind", opt, cpi, config,
			      (char *)NULL);
			_exit(127);
		}
		execl(cpi, cpi, config, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], text, strlen(text)) < 0)
		perror("bench_vsphere: write");
	close(in[1]);
	free(text);
	for (;;) {
		n = read(out[0], chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_add(&buf, chunk, (size_t)n);
	}
	close(out[0]);
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	s->ms = now_ms() - t0;
	s->rss_kib = ru.ru_maxrss;
	s->soap = sim_requests() - before;
	buf_add(&buf, "", 0);
	if (!buf.failed && buf.data != NULL)
		*resp = json_loads(buf.data, 0, NULL);
	buf_clear(&buf);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || *resp == NULL)
		return -1;
	return 0;
}

/* One more pass of the scenario: the steps of BENCH_INSTR_METHODS under
 * callgrind (the others as usual), their instruction counts printed. */
static int
instr_pass(const struct scn *s, const char *cpi, const char *config,
           const char *work, const char *name, struct scn_error *e)
{
	const char *vg = getenv("BENCH_CALLGRIND");
	json_t **responses, *req;
	struct sample smp;
	char cg[4200];
	long long n;
	size_t i;
	int rc = 0;

	if (vg == NULL || vg[0] == '\0')
		return 0;
	for (i = 0; i < s->n && !instr_method(s->steps[i].method); i++)
		;
	if (i == s->n)
		return 0;
	responses = calloc(s->n, sizeof(*responses));
	if (responses == NULL)
		return scn_fail(e, "out of memory");
	for (i = 0; i < s->n && rc == 0; i++) {
		bool measure = instr_method(s->steps[i].method);

		req = scn_request(s, i, responses, work, e);
		if (req == NULL) {
			rc = -1;
			break;
		}
		scn_pathf(cg, sizeof(cg), "%s/callgrind.out", work);
		unlink(cg);
		rc = run_cpi(&responses[i], &smp, cpi, config, req,
		             measure ? cg : NULL);
		json_decref(req);
		if (rc != 0) {
			scn_fail(e, "%s did not answer%s", s->steps[i].name,
			         measure ? " under callgrind" : "");
			break;
		}
		if (!measure)
			continue;
		n = callgrind_total(cg);
		unlink(cg);
		if (n < 0) {
			rc = scn_fail(e, "%s: no callgrind total",
			              s->steps[i].name);
			break;
		}
		printf("  %-14s %-22s %9.2f M instructions (callgrind), "
		       "%ld SOAP\n", name, s->steps[i].name, (double)n / 1e6,
		       smp.soap);
	}
	for (i = 0; i < s->n; i++)
		json_decref(responses[i]);
	free(responses);
	return rc;
}

static int
bench_scenario(const char *cpi, const char *config, const char *dir,
               const char *name, size_t runs)
{
	struct sample (*samples)[MAX_RUNS] = NULL;
	json_t **responses = NULL, **first = NULL, *req;
	struct scn_error e = { 0 };
	char work[4096] = "";
	struct scn *s = NULL;
	size_t r, i;
	int rc;

	rc = scn_load(&s, dir, &e);
	if (rc == 0)
		rc = scn_mkwork(work, sizeof(work), &e);
	if (rc == 0)
		rc = scn_prepare(s, work, &e);
	if (rc != 0)
		goto cleanup;
	samples = calloc(s->n, sizeof(*samples));
	responses = calloc(s->n, sizeof(*responses));
	first = calloc(s->n, sizeof(*first));
	if (samples == NULL || responses == NULL || first == NULL) {
		rc = scn_fail(&e, "out of memory");
		goto cleanup;
	}
	for (r = 0; r < runs && rc == 0; r++) {
		for (i = 0; i < s->n && rc == 0; i++) {
			req = scn_request(s, i, responses, work, &e);
			if (req == NULL) {
				rc = -1;
				break;
			}
			json_decref(responses[i]);
			responses[i] = NULL;
			rc = run_cpi(&responses[i], &samples[i][r], cpi, config,
			             req, NULL);
			if (rc == 0 && r == 0)
				first[i] = json_incref(responses[i]);
			if (rc != 0)
				scn_fail(&e, "%s did not answer",
				         s->steps[i].name);
			json_decref(req);
		}
	}
	for (i = 0; rc == 0 && i < s->n; i++) {
		double ms[MAX_RUNS], med, p95;
		long rss = 0, soap = samples[i][0].soap;
		const json_t *err = json_object_get(first[i], "error");

		for (r = 0; r < runs; r++) {
			ms[r] = samples[i][r].ms;
			if (samples[i][r].rss_kib > rss)
				rss = samples[i][r].rss_kib;
		}
		char *result = json_dumps(json_object_get(first[i], "result"),
		                          JSON_COMPACT | JSON_ENCODE_ANY);

		stats(&med, &p95, ms, runs);
		printf("  %-14s %-22s %9.2f %9.2f %9ld %6ld  %.40s\n", name,
		       s->steps[i].name, med, p95, rss, soap,
		       !json_is_null(err) ?
		       json_string_value(json_object_get(err, "type")) :
		       result != NULL ? result : "?");
		free(result);
	}
	if (rc == 0)
		rc = instr_pass(s, cpi, config, work, name, &e);
cleanup:
	if (rc != 0)
		fprintf(stderr, "bench_vsphere: %s: %s\n", name, e.msg);
	for (i = 0; responses != NULL && i < s->n; i++)
		json_decref(responses[i]);
	for (i = 0; first != NULL && i < s->n; i++)
		json_decref(first[i]);
	free(responses);
	free(first);
	free(samples);
	scn_rmtree(work);
	scn_free(s);
	return rc;
}

/* Whether the scenario in dir was recorded on a simulator started with
 * flags of its own (vcsim.flags): the shared one cannot host it. */
static bool
own_simulator(const char *dir)
{
	char path[4200];

	scn_pathf(path, sizeof(path), "%s/vcsim.flags", dir);
	return access(path, F_OK) == 0;
}

int
main(int argc, char **argv)
{
	char *names[64], dir[4096];
	size_t n = 0, i, runs;
	struct dirent *de;
	int status = 0;
	DIR *d;

	if (argc != 5) {
		fputs("usage: bench_vsphere CPI LIVE_CONFIG FIXTURES N\n",
		      stderr);
		return 2;
	}
	runs = strtoul(argv[4], NULL, 10);
	if (runs == 0 || runs > MAX_RUNS)
		runs = 20;
	signal(SIGPIPE, SIG_IGN);
	if (bench_client(runs) != 0)
		status = 1;

	d = opendir(argv[3]);
	for (;;) {
		de = d != NULL ? readdir(d) : NULL;
		if (de == NULL)
			break;
		scn_pathf(dir, sizeof(dir), "%s/%s", argv[3], de->d_name);
		if (de->d_name[0] == '.' || !scn_is_cpi(dir))
			continue;
		if (own_simulator(dir)) {
			printf("scenario %s: skipped, it needs a simulator of "
			       "its own (vcsim.flags; tests/bench/"
			       "bench_pods.sh measures datastore clusters)\n",
			       de->d_name);
			continue;
		}
		if (n < 64)
			names[n++] = strdup(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	qsort(names, n, sizeof(*names), scn_name_cmp);
	printf("cpi binary against the simulator, %zu runs of each "
	       "scenario in turn\n  (SOAP and result: the first run; "
	       "later runs see the state it left,\n  e.g. vm_ops deletes "
	       "its VM)\n  %-14s %-22s %9s %9s %9s %6s  %s\n", runs,
	       "scenario", "step", "median ms", "p95 ms", "RSS KiB",
	       "SOAP", "result");
	for (i = 0; i < n; i++) {
		scn_pathf(dir, sizeof(dir), "%s/%s", argv[3], names[i]);
		if (bench_scenario(argv[1], argv[2], dir, names[i],
		                   runs) != 0)
			status = 1;
		free(names[i]);
	}
	return status;
}

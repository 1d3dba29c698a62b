/*
 * cpi/main.c: the executable the BOSH Director and bosh-cli run.
 *
 *   cpi [--replay DIR | --record DIR] CONFIG.json  < request > response
 *   cpi --version | --help
 *   cpi check [--json] … CONFIG.json [NETWORKS.json]   (cpi/check.h)
 *
 * Reads one JSON request from stdin, answers with one JSON line on stdout
 * and logs to stderr.  Exits 0 whenever a response was written (bosh-cli
 * treats any other status as a failed call), 1 when stdout could not be
 * written, 2 on a usage error.  The config is read only by methods that
 * need it, so info works with a missing or broken config.
 *
 * CPI_LOG_LEVEL=debug|info|warn|error (any case) sets what reaches
 * stderr (default info; an unknown value is warned about once and read
 * as info); the response's "log" always holds info and above.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpi/check.h"
#include "cpi/dispatch.h"
#include "cpi/error.h"
#include "cpi/log.h"
#include "cpi/rpc.h"

#ifndef CPI_VERSION
#define CPI_VERSION "0.0.0"
#endif

static void
usage(FILE *f)
{
	fputs("usage: cpi [--replay DIR | --record DIR] CONFIG.json\n"
	      "       cpi --version | --help\n"
	      "       cpi check [--json] CONFIG.json [NETWORKS.json]\n"
	      "\n"
	      "BOSH CPI for VMware vSphere.  Reads one JSON request\n"
	      "{\"method\",\"arguments\",\"context\",\"api_version\"}\n"
	      "on stdin and writes one JSON response line on stdout; logs\n"
	      "go to stderr.\n"
	      "\n"
	      "  --replay DIR  answer vSphere calls from recorded fixtures\n"
	      "  --record DIR  record vSphere exchanges (secrets redacted)\n"
	      "  --version     print the version and exit\n"
	      "  --help        print this help and exit\n"
	      "\n"
	      "Environment: CPI_LOG_LEVEL=debug|info|warn|error (stderr,\n"
	      "default info).\n",
	      f);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Returns 0 to go on, or the exit status + 1 (so 0 stays "go on"). */
static int
parse_args(struct cpi_options *opts, int argc, char **argv)
{
	int i;
	bool positional_only = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!positional_only && strcmp(a, "--version") == 0) {
			if (printf("vsphere-cpi-c %s\n", CPI_VERSION) < 0 ||
			    fflush(stdout) != 0)
				return 1 + 1;
			return 0 + 1;
		}
		if (!positional_only &&
		    (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			usage(stdout);
			return (fflush(stdout) != 0 ? 1 : 0) + 1;
		}
		if (!positional_only && (strcmp(a, "--replay") == 0 ||
		                         strcmp(a, "--record") == 0)) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				fprintf(stderr, "cpi: %s needs a directory\n",
				        a);
				usage(stderr);
				return 2 + 1;
			}
			if (strcmp(a, "--replay") == 0)
				opts->replay_dir = argv[++i];
			else
				opts->record_dir = argv[++i];
			continue;
		}
		if (!positional_only && strcmp(a, "--") == 0) {
			positional_only = true;
			continue;
		}
		if (!positional_only && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "cpi: unknown option %.64s\n", a);
			usage(stderr);
			return 2 + 1;
		}
		if (opts->config_path != NULL) {
			fputs("cpi: exactly one CONFIG.json expected\n",
			      stderr);
			usage(stderr);
			return 2 + 1;
		}
		opts->config_path = a;
	}
	if (opts->config_path == NULL) {
		fputs("cpi: missing CONFIG.json\n", stderr);
		usage(stderr);
		return 2 + 1;
	}
	if (opts->replay_dir != NULL && opts->record_dir != NULL) {
		fputs("cpi: --replay and --record exclude each other\n",
		      stderr);
		usage(stderr);
		return 2 + 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cpi_options opts = { NULL, NULL, NULL };
	struct cpi_request *req = NULL;
	struct cpi_log *log = NULL;
	struct err err = { 0 };
	json_t *result = NULL;
	char *buf = NULL;
	size_t len = 0;
	double start = now_ms();
	enum cpi_log_level level;
	bool bad_level;
	int rc, status = 0;

	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cpi_check_main(argc - 1, argv + 1);
	rc = parse_args(&opts, argc, argv);
	if (rc != 0)
		return rc - 1;
	/* A closed stdout must surface as a write error, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	bad_level = cpi_log_level_parse(&level, getenv("CPI_LOG_LEVEL")) != 0;
	rc = cpi_log_new(&log, stderr, level, &err);
	if (rc == 0 && bad_level)
		cpi_log_warn(log, "CPI_LOG_LEVEL=%.32s is not one of debug, "
		             "info, warn, error: using info",
		             getenv("CPI_LOG_LEVEL"));
	if (rc == 0)
		rc = cpi_request_read(&buf, &len, stdin, CPI_REQUEST_MAX, &err);
	if (rc == 0)
		rc = cpi_request_parse(&req, buf, len, &err);
	if (buf != NULL)
		memset(buf, 0, len);
	free(buf);
	if (rc == 0) {
		cpi_log_set_tag(log, req->request_id);
		cpi_log_info(log, "method %.64s: api_version %d, %zu "
		             "argument(s)", req->method, req->api_version,
		             json_array_size(req->arguments));
		rc = cpi_dispatch(&result, req, &opts, log, &err);
	}
	if (rc != 0 || err_is_set(&err)) {
		cpi_log_redact(log, err.message, sizeof(err.message));
		cpi_log_error(log, "%s: %s", cpi_err_type_name(err.type),
		              err.message);
	}
	cpi_log_info(log, "finished in %.1f ms", now_ms() - start);
	if (cpi_response_write(stdout, err_is_set(&err) ? NULL : result,
	                       &err, cpi_log_text(log)) != 0) {
		fputs("cpi: cannot write the response to stdout\n", stderr);
		status = 1;
	}
	json_decref(result);
	cpi_request_free(req);
	cpi_log_free(log);
	return status;
}

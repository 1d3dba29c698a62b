/*
 * tests/bench/bench_info.c: start the CPI N times as the Director does
 * (fresh process, request on stdin) with an info request and print the
 * median and p95 wall time and the peak RSS of the child.  Prints
 * figures; asserts nothing except that every call answered without
 * error.
 *
 *   bench_info CPI CONFIG [N] [REQUEST]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_REQUEST "{\"method\":\"info\",\"arguments\":[]}\n"

struct sample {
	double ms;
	long rss_kib;
};

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

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* One run; returns 0 when the child exited 0 with "error":null. */
static int
run_once(struct sample *s, const char *cpi, const char *config,
         const char *req)
{
	int in[2], out[2], status, devnull, rc = -1;
	char buf[8192];
	size_t len = 0;
	struct rusage ru;
	double start;
	ssize_t n;
	pid_t pid;

	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	start = now_ms();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(cpi, cpi, config, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], req, strlen(req)) != (ssize_t)strlen(req))
		fprintf(stderr, "bench_info: short write\n");
	close(in[1]);
	while ((n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	close(out[0]);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			return -1;
	}
	s->ms = now_ms() - start;
	s->rss_kib = ru.ru_maxrss;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    strstr(buf, "\"error\":null") != NULL)
		rc = 0;
	return rc;
}

int
main(int argc, char **argv)
{
	const char *req = DEFAULT_REQUEST;
	struct sample *s;
	double *ms;
	long *rss;
	int n = 200, i, failures = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_info CPI CONFIG [N] "
		        "[REQUEST]\n");
		return 2;
	}
	if (argc > 3)
		n = atoi(argv[3]);
	if (argc > 4)
		req = argv[4];
	if (n < 1)
		n = 1;
	s = calloc((size_t)n, sizeof(*s));
	ms = calloc((size_t)n, sizeof(*ms));
	rss = calloc((size_t)n, sizeof(*rss));
	if (s == NULL || ms == NULL || rss == NULL) {
		fprintf(stderr, "bench_info: out of memory\n");
		return 1;
	}
	/* One warm-up run so the page cache holds the binary. */
	run_once(&s[0], argv[1], argv[2], req);
	for (i = 0; i < n; i++) {
		if (run_once(&s[i], argv[1], argv[2], req) != 0)
			failures++;
		ms[i] = s[i].ms;
		rss[i] = s[i].rss_kib;
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	qsort(rss, (size_t)n, sizeof(*rss), cmp_long);
	printf("bench info: %d runs of %s\n", n, argv[1]);
	printf("  wall time   median %.2f ms  p95 %.2f ms  max %.2f ms"
	       "  (target < 5 ms)\n", ms[n / 2], ms[(n * 95) / 100],
	       ms[n - 1]);
	printf("  peak RSS    median %.2f MiB  max %.2f MiB"
	       "  (target < 4 MiB)\n", (double)rss[n / 2] / 1024.0,
	       (double)rss[n - 1] / 1024.0);
	if (failures > 0)
		printf("  %d run(s) did not answer without error\n", failures);
	free(s);
	free(ms);
	free(rss);
	return failures > 0 ? 1 : 0;
}

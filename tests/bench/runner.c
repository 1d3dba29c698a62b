/*
 * tests/bench/runner.c: runs CMD... with stdin from IN, stdout to OUT and
 * stderr to ERR, waits for it with wait4 and prints "<exit status> <wall
 * ms> <peak RSS KiB> <CPU ms>" (user and system time of CMD, so that a
 * figure can tell the CPI's own cost from the server's; bench_stemcell.sh,
 * bench_scale.sh, bench_pods.sh).
 * usage: runner IN OUT ERR CMD...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status, in, o, e;
	pid_t pid;

	if (argc < 5) {
		fprintf(stderr, "usage: runner IN OUT ERR CMD...\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY);
	o = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	e = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || o < 0 || e < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[4], argv + 4);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%d %.1f %ld %.1f\n", WIFEXITED(status) ? WEXITSTATUS(status)
	       : 128, (double)(b.tv_sec - a.tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e6, ru.ru_maxrss,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
	return 0;
}

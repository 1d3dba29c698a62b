#include "tests/support/cpi_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
cpi_test_binary(void)
{
	static char path[4096];
	const char *b = getenv("CPI_TEST_BUILD");

	snprintf(path, sizeof(path), "%s/cpi",
	         b != NULL && b[0] != '\0' ? b : "build");
	return path;
}

const char *
cpi_test_data(const char *rel)
{
	static char path[4096];
	const char *root = getenv("CPI_TEST_ROOT");

	snprintf(path, sizeof(path), "%s%stests/data/%s",
	         root != NULL ? root : "", root != NULL ? "/" : "", rel);
	return path;
}

static int
append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	char *grown;

	if (*len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 4096;

		while (*len + n + 1 > ncap)
			ncap *= 2;
		grown = realloc(*buf, ncap);
		if (grown == NULL)
			return -1;
		*buf = grown;
		*cap = ncap;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

int
cpi_test_run(struct cpi_test_run *r, char *const argv[], const char *in,
             size_t in_len)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	size_t off = 0, ocap = 0, ecap = 0;
	int rc = -1, status;
	pid_t pid;
	char chunk[65536];

	memset(r, 0, sizeof(*r));
	signal(SIGPIPE, SIG_IGN);
	if (pipe(pin) != 0 || pipe(pout) != 0 || pipe(perr) != 0)
		goto cleanup;
	pid = fork();
	if (pid < 0)
		goto cleanup;
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		close(perr[0]);
		close(perr[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	pin[0] = pout[1] = perr[1] = -1;
	fcntl(pin[1], F_SETFL, O_NONBLOCK);
	if (in_len == 0) {
		close(pin[1]);
		pin[1] = -1;
	}
	while (pout[0] >= 0 || perr[0] >= 0) {
		struct pollfd fds[3];
		int nfds = 0, i;

		if (pin[1] >= 0) {
			fds[nfds].fd = pin[1];
			fds[nfds++].events = POLLOUT;
		}
		if (pout[0] >= 0) {
			fds[nfds].fd = pout[0];
			fds[nfds++].events = POLLIN;
		}
		if (perr[0] >= 0) {
			fds[nfds].fd = perr[0];
			fds[nfds++].events = POLLIN;
		}
		if (poll(fds, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			goto cleanup;
		}
		for (i = 0; i < nfds; i++) {
			ssize_t n;

			if (fds[i].revents == 0)
				continue;
			if (fds[i].fd == pin[1]) {
				n = write(pin[1], in + off, in_len - off);
				if (n > 0)
					off += (size_t)n;
				if ((n < 0 && errno != EAGAIN) ||
				    off == in_len) {
					close(pin[1]);
					pin[1] = -1;
				}
				continue;
			}
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(fds[i].fd);
				if (fds[i].fd == pout[0])
					pout[0] = -1;
				else
					perr[0] = -1;
				continue;
			}
			if (fds[i].fd == pout[0])
				append(&r->out, &r->out_len, &ocap, chunk,
				       (size_t)n);
			else
				append(&r->err, &r->err_len, &ecap, chunk,
				       (size_t)n);
		}
	}
	if (pin[1] >= 0) {
		close(pin[1]);
		pin[1] = -1;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			goto cleanup;
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
	            128 + WTERMSIG(status);
	if (r->out == NULL)
		append(&r->out, &r->out_len, &ocap, "", 0);
	if (r->err == NULL)
		append(&r->err, &r->err_len, &ecap, "", 0);
	rc = (r->out != NULL && r->err != NULL) ? 0 : -1;
cleanup:
	if (pin[0] >= 0)
		close(pin[0]);
	if (pin[1] >= 0)
		close(pin[1]);
	if (pout[0] >= 0)
		close(pout[0]);
	if (pout[1] >= 0)
		close(pout[1]);
	if (perr[0] >= 0)
		close(perr[0]);
	if (perr[1] >= 0)
		close(perr[1]);
	return rc;
}

void
cpi_test_run_clear(struct cpi_test_run *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

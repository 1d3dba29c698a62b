/*
 * cpi/session_keep.c: the vCenter session kept between CPI calls (see
 * session_keep.h).
 */
#include "cpi/session_keep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/dirs.h"
#include "base/uuid.h"
#include "base/wipe.h"

#define MAX_FILE 16384

int
cpi_session_file_name(char *out, size_t size, const char *url,
                      const char *user)
{
	const char *parts[2] = { url, user };
	char hex[DIGEST_HEX_LEN + 1];
	int n;

	if (digest_sha256_hex(hex, parts, 2) != 0)
		return -1;
	n = snprintf(out, size, "%s%s", hex, CPI_SESSION_SUFFIX);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Whether the session directory can hold a secret: made (0700) when
 * missing, a directory of this user that no one else can write. */
static bool
dir_ok(struct cpi_call *call, const char *dir)
{
	struct err e = {0};
	struct stat st;

	if (dirs_make(dir, 0700, &e) != 0) {
		cpi_log_warn(call->log, "session_dir: %s", e.message);
		return false;
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		cpi_log_warn(call->log, "session_dir: %s is not a directory "
		             "only this user can write; no session kept", dir);
		return false;
	}
	return true;
}

/* <session_dir>/<name> into buf, the directory checked; false when
 * there is no session to keep or take. */
static bool
session_path(char *buf, size_t size, struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	char name[DIGEST_HEX_LEN + 16];
	int n;

	if (vc->session_dir == NULL || (call->opts != NULL &&
	    (call->opts->replay_dir != NULL ||
	     call->opts->record_dir != NULL)))
		return false;
	if (!dir_ok(call, vc->session_dir))
		return false;
	if (cpi_session_file_name(name, sizeof(name), vc->url, vc->user) !=
	    0)
		return false;
	n = snprintf(buf, size, "%s/%s", vc->session_dir, name);
	return n > 0 && (size_t)n < size;
}

/* The file at path (*out malloc'd, a secret), when it is this user's,
 * private, regular and small; NULL with *why otherwise. */
static char *
read_saved(const char *path, const char **why)
{
	struct stat st;
	char *text = NULL;
	ssize_t r;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*why = errno == ENOENT ? NULL : "it cannot be opened";
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
	    st.st_size >= MAX_FILE) {
		*why = "not a private file of this user";
		goto cleanup;
	}
	text = calloc(1, MAX_FILE);
	while (text != NULL && len < MAX_FILE - 1) {
		r = read(fd, text + len, MAX_FILE - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (text == NULL || memchr(text, '\0', len) != NULL) {
		*why = text == NULL ? "out of memory" : "not text";
		wipe_free_n(text, MAX_FILE);
		text = NULL;
	}
cleanup:
	close(fd);
	return text;
}

/* "login <uuid> <hex>" made with password. */
static bool
login_ok(const char *line, const char *password)
{
	char salt[UUID_LEN + 1], hex[DIGEST_HEX_LEN + 1];
	const char *parts[2] = { salt, password };

	if (strncmp(line, "login ", 6) != 0 || strlen(line) !=
	    6 + UUID_LEN + 1 + DIGEST_HEX_LEN || line[6 + UUID_LEN] != ' ')
		return false;
	memcpy(salt, line + 6, UUID_LEN);
	salt[UUID_LEN] = '\0';
	return uuid_valid(salt) && digest_sha256_hex(hex, parts, 2) == 0 &&
	       strcmp(hex, line + 6 + UUID_LEN + 1) == 0;
}

int
cpi_session_take(struct vs_client *c, struct cpi_call *call)
{
	struct err e = {0};
	const char *why = NULL;
	char path[4096], *text, *rest;
	int rc = 1;

	if (!session_path(path, sizeof(path), call))
		return 1;
	text = read_saved(path, &why);
	if (text == NULL) {
		if (why != NULL)
			cpi_log_warn(call->log, "saved vCenter session not "
			             "taken: %s", why);
		return 1;
	}
	rest = strchr(text, '\n');
	if (rest != NULL)
		*rest++ = '\0';
	if (rest == NULL || !login_ok(text, call->config->vcenter.password))
		why = "made with another password";
	else
		rc = vs_session_resume(&why, c, rest, (long long)time(NULL),
		                       CPI_SESSION_MAX_AGE_S, &e);
	if (rc == 0)
		cpi_log_info(call->log, "vCenter session of an earlier call "
		             "taken");
	else if (rc < 0)
		cpi_log_warn(call->log, "saved vCenter session not taken: %s",
		             e.message);
	else
		cpi_log_info(call->log, "saved vCenter session not taken: %s",
		             why);
	wipe_free_n(text, MAX_FILE);
	return rc == 0 ? 0 : 1;
}

/* Writes the login line and text to a new private file at tmp. */
static int
write_private(const char *tmp, const char *login, const char *text)
{
	size_t n[2] = { strlen(login), strlen(text) }, off, k;
	const char *part[2] = { login, text };
	ssize_t w;
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	          0600);
	if (fd < 0)
		return -1;
	for (k = 0; k < 2 && rc == 0; k++) {
		for (off = 0; off < n[k] && rc == 0; ) {
			w = write(fd, part[k] + off, n[k] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				rc = -1;
			else
				off += (size_t)w;
		}
	}
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* The session written to path (temporary name, renamed). */
static int
save(const char *path, struct vs_client *c, struct cpi_call *call,
     struct err *err)
{
	char salt[UUID_LEN + 1], hex[DIGEST_HEX_LEN + 1], tmp[4200];
	char login[UUID_LEN + DIGEST_HEX_LEN + 16];
	const char *parts[2] = { salt, call->config->vcenter.password };
	char *text = NULL;
	int rc;

	rc = vs_session_save(&text, c, vs_client_login_time(c), err);
	if (rc != 0)
		return rc;
	if (uuid_v4(salt) != 0 || digest_sha256_hex(hex, parts, 2) != 0) {
		rc = err_set(err, ERR_FAIL, "no salt or digest");
		goto cleanup;
	}
	snprintf(login, sizeof(login), "login %s %s\n", salt, hex);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	(void)unlink(tmp);      /* a killed process's of the same pid */
	if (write_private(tmp, login, text) != 0 ||
	    rename(tmp, path) != 0) {
		rc = err_set(err, ERR_EIO, "%s: %s", tmp, strerror(errno));
		(void)unlink(tmp);
	}
cleanup:
	wipe_free(text);
	return rc;
}

void
cpi_session_keep(struct vs_client *c, struct cpi_call *call)
{
	struct err e = {0};
	char path[4096];

	if (c == NULL || !vs_client_logged_in(c) ||
	    !session_path(path, sizeof(path), call))
		return;
	if (!vs_client_new_session(c)) {
		vs_client_keep_session(c);    /* taken, and still good */
		return;
	}
	if (save(path, c, call, &e) != 0) {
		cpi_log_warn(call->log, "vCenter session not kept: %s",
		             e.message);
		return;
	}
	vs_client_keep_session(c);
	cpi_log_info(call->log, "vCenter session kept for the next call");
}

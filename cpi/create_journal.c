/*
 * cpi/create_journal.c: the journal of create_vm calls in flight (see
 * create_journal.h).
 */
#include "cpi/create_journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dirs.h"
#include "cpi/vm_cid.h"

#define MAGIC "vsphere-cpi-creating 1"
#define MAX_ENTRY 4096

static int
sys_fail(struct err *err, const char *what, const char *path)
{
	return cpi_err_set(err, CPI_ERROR_CPI, false, "leftover journal: "
	                   "%s %s: %s", what, path, strerror(errno));
}

int
cpi_journal_dir(char **out, const struct cpi_vcenter *vc,
                struct err *err)
{
	const char *tmp = getenv("TMPDIR");
	bool def = vc->leftover_journal_dir == NULL;
	struct stat st;
	char buf[4096];
	int rc;

	*out = NULL;
	if (def)
		snprintf(buf, sizeof(buf), "%s/vsphere-cpi-journal-%lu",
		         tmp != NULL && tmp[0] == '/' ? tmp : "/tmp",
		         (unsigned long)geteuid());
	else
		snprintf(buf, sizeof(buf), "%s", vc->leftover_journal_dir);
	rc = dirs_make(buf, 0700, err);
	if (rc < 0) {
		err_prefix(err, "leftover journal");
		return rc;
	}
	if (lstat(buf, &st) != 0)
		return sys_fail(err, "reading", buf);
	if (!S_ISDIR(st.st_mode) || (def && (st.st_uid != geteuid() ||
	                                     (st.st_mode & 022) != 0)))
		return cpi_err_set(err, CPI_ERROR_CPI, false, "leftover "
		                   "journal: %s is not a directory only this "
		                   "user can write", buf);
	*out = strdup(buf);
	if (*out == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

static bool
text_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

/* A VM cid, and not hidden: ".<cid>.tmp" is an entry being written. */
static bool
cid_ok(const char *cid)
{
	return cpi_vm_cid_ok(cid) && cid[0] != '.';
}

/* dir/<cid><suffix> into buf. */
static int
entry_path(char *buf, size_t size, const char *dir, const char *prefix,
           const char *cid, const char *suffix, struct err *err)
{
	int n = snprintf(buf, size, "%s/%s%s%s", dir, prefix, cid, suffix);

	if (n < 0 || (size_t)n >= size)
		return cpi_err_set(err, CPI_ERROR_CPI, false, "leftover "
		                   "journal: path too long");
	return 0;
}

/* Writes len bytes to a new file at path and syncs it. */
static int
write_file(const char *path, const char *text, size_t len,
           struct err *err)
{
	ssize_t w;
	size_t off = 0;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	          0600);
	if (fd < 0)
		return sys_fail(err, "writing", path);
	while (off < len && rc == 0) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = sys_fail(err, "writing", path);
		else
			off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = sys_fail(err, "syncing", path);
	if (close(fd) != 0 && rc == 0)
		rc = sys_fail(err, "closing", path);
	return rc;
}

static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
cpi_journal_add(const char *dir, const struct cpi_journal_entry *e,
                struct err *err)
{
	char tmp[4096], path[4096], text[MAX_ENTRY];
	int n, rc;

	if (!cid_ok(e->cid) || !text_ok(e->vcenter) ||
	    !text_ok(e->datacenter) || !text_ok(e->folder))
		return cpi_err_set(err, CPI_ERROR_CPI, false, "leftover "
		                   "journal: bad entry for '%s'", e->cid);
	n = snprintf(text, sizeof(text), MAGIC "\ncid %s\nsince %lld\n"
	             "vcenter %s\ndatacenter %s\nfolder %s\n", e->cid, e->since,
	             e->vcenter, e->datacenter, e->folder);
	if (n < 0 || (size_t)n >= sizeof(text))
		return cpi_err_set(err, CPI_ERROR_CPI, false, "leftover "
		                   "journal: entry too long");
	rc = entry_path(tmp, sizeof(tmp), dir, ".", e->cid, ".tmp", err);
	if (rc == 0)
		rc = entry_path(path, sizeof(path), dir, "", e->cid,
		                CPI_JOURNAL_SUFFIX, err);
	if (rc == 0)
		rc = write_file(tmp, text, (size_t)n, err);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = sys_fail(err, "renaming", tmp);
	if (rc < 0)
		(void)unlink(tmp);
	else
		sync_dir(dir);
	return rc;
}

int
cpi_journal_remove(const char *dir, const char *cid, struct err *err)
{
	char path[4096];
	int rc;

	rc = entry_path(path, sizeof(path), dir, "", cid, CPI_JOURNAL_SUFFIX,
	                err);
	if (rc == 0 && unlink(path) != 0)
		rc = sys_fail(err, "removing", path);
	if (rc == 0)
		sync_dir(dir);
	return rc;
}

/* The value of "key value" at line into out (size), or false. */
static bool
take_value(char *out, size_t size, const char *line, size_t len,
           const char *key)
{
	size_t k = strlen(key);

	if (len < k + 1 || strncmp(line, key, k) != 0 || line[k] != ' ' ||
	    len - k - 1 >= size)
		return false;
	memcpy(out, line + k + 1, len - k - 1);
	out[len - k - 1] = '\0';
	return text_ok(out);
}

int
cpi_journal_parse(struct cpi_journal_entry *e, const char *text)
{
	static const char *const keys[] = {
		"cid", "since", "vcenter", "datacenter", "folder",
	};
	char since[32], *end;
	char *dst[5];
	size_t size[5], i, len;
	const char *p = text, *nl;

	memset(e, 0, sizeof(*e));
	dst[0] = e->cid, size[0] = sizeof(e->cid);
	dst[1] = since, size[1] = sizeof(since);
	dst[2] = e->vcenter, size[2] = sizeof(e->vcenter);
	dst[3] = e->datacenter, size[3] = sizeof(e->datacenter);
	dst[4] = e->folder, size[4] = sizeof(e->folder);
	if (strncmp(p, MAGIC "\n", sizeof(MAGIC)) != 0)
		return -1;
	p += sizeof(MAGIC);
	for (i = 0; i < 5; i++, p = nl + 1) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : 0;
		if (nl == NULL || !take_value(dst[i], size[i], p, len, keys[i]))
			return -1;
	}
	errno = 0;
	e->since = strtoll(since, &end, 10);
	if (*p != '\0' || !cid_ok(e->cid) || since[0] < '0' ||
	    since[0] > '9' || *end != '\0' || errno != 0)
		return -1;
	return 0;
}

/* One file's entry; -1 when it cannot be read or parsed. */
static int
read_entry(struct cpi_journal_entry *e, const char *dir, const char *name)
{
	char path[4096], text[MAX_ENTRY + 1];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, MAX_ENTRY);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	if (strlen(text) != (size_t)n || cpi_journal_parse(e, text) != 0)
		return -1;
	/* the name is the cid's: a renamed copy is not an entry */
	return strlen(name) == strlen(e->cid) + strlen(CPI_JOURNAL_SUFFIX) &&
	       strncmp(name, e->cid, strlen(e->cid)) == 0 ? 0 : -1;
}

static bool
is_entry_name(const char *name)
{
	size_t len = strlen(name), s = strlen(CPI_JOURNAL_SUFFIX);

	return name[0] != '.' && len > s &&
	       strcmp(name + len - s, CPI_JOURNAL_SUFFIX) == 0;
}

/* Appends e to *out (*n entries, room for *cap). */
static int
append(struct cpi_journal_entry **out, size_t *n, size_t *cap,
       const struct cpi_journal_entry *e, struct err *err)
{
	struct cpi_journal_entry *grown;

	if (*n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 8;
		grown = realloc(*out, *cap * sizeof(**out));
		if (grown == NULL)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "out of memory");
		*out = grown;
	}
	(*out)[(*n)++] = *e;
	return 0;
}

long long
cpi_journal_grace(const struct cpi_vcenter *vc)
{
	/* the client's cleanup allowance is at most 15 s (vsphere.h) */
	long long floor = (long long)vc->deadline_seconds + 15 + 60;

	return vc->leftover_vm_grace_s > floor ? vc->leftover_vm_grace_s :
	       floor;
}

int
cpi_journal_old(struct cpi_journal_entry **out, size_t *n, size_t *bad,
                const char *dir, long long now, long long grace_s,
                struct err *err)
{
	struct cpi_journal_entry e;
	struct dirent *de;
	size_t cap = 0, nbad = 0;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL)
		return sys_fail(err, "reading", dir);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!is_entry_name(de->d_name))
			continue;
		if (read_entry(&e, dir, de->d_name) != 0)
			nbad++;
		else if (e.since <= now - grace_s)
			rc = append(out, n, &cap, &e, err);
	}
	closedir(d);
	if (bad != NULL)
		*bad = nbad;
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

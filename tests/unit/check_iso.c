/*
 * tests/unit/check_iso.c: the agent settings ISO writer (cpi/iso9660.c).
 *
 * Images are checked three ways:
 *   - a small structural reader in this file that follows the on-disk
 *     pointers (descriptors, path tables, directory records) and checks
 *     every both-endian field agrees;
 *   - independent readers run as child processes: xorriso (libisofs) and
 *     bsdtar (libarchive), both required (scripts/deps.sh installs them),
 *     plus isoinfo/isovfy (genisoimage) when present;
 *   - a real loop mount, only when CPI_TEST_ISO_MOUNT=1 (needs root and
 *     the kernel's isofs; then it must succeed).
 *
 * What each reader shows for file_name "env":
 *   xorriso -find / -type f                -> '/env'   (Joliet tree)
 *   xorriso -read_fs ecma119 -find / ...    -> '/ENV'   (plain ISO 9660)
 *   bsdtar -tf                              -> ".", "env" (Joliet)
 *   bsdtar --options iso9660:!joliet -tf    -> ".", "ENV"
 *   isoinfo -J -l / isoinfo -l              -> "env" / "ENV.;1"
 */
/* nftw() for removing the scratch directory */
#define _XOPEN_SOURCE 700

#include "cpi/iso9660.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECTOR CPI_ISO_SECTOR
/* 2025-11-24T16:00:00Z */
#define FIXED_TIME INT64_C(1764000000)

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static unsigned char *
read_whole(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0, n;

	ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			buf = realloc(buf, cap + 1);
			ck_assert(buf != NULL);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	ck_assert(!ferror(f));
	fclose(f);
	buf[len] = '\0';
	*len_out = len;
	return buf;
}

static void
write_whole(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "create %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static unsigned char *
load_settings(size_t *len_out)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tests/data/iso/settings.json",
	    root != NULL ? root : ".");
	return read_whole(path, len_out);
}

/* Deterministic incompressible-looking bytes (xorshift32). */
static unsigned char *
pattern(size_t len, uint32_t seed)
{
	unsigned char *p = malloc(len);
	uint32_t x = seed;
	size_t i;

	ck_assert(p != NULL);
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	return p;
}

static unsigned char *
build_ok(size_t *len_out, const char *name, const unsigned char *data,
    size_t data_len, const char *volid, int64_t t)
{
	struct err err = { 0 };
	unsigned char *img = NULL;
	int rc;

	rc = cpi_iso_build_at(&img, len_out, name, data, data_len, volid, t,
	    &err);
	ck_assert_msg(rc == 0, "build failed: %d %s", rc, err.message);
	ck_assert_int_eq(err_is_set(&err), 0);
	ck_assert(img != NULL);
	return img;
}

/* Expects a refusal with ERR_EINVAL and no output. */
static void
build_refused(const char *name, const unsigned char *data, size_t data_len,
    const char *volid, int64_t t, const char *needle)
{
	struct err err = { 0 };
	unsigned char *img = (unsigned char *)"sentinel";
	size_t len = 12345;
	int rc;

	rc = cpi_iso_build_at(&img, &len, name, data, data_len, volid, t,
	    &err);
	ck_assert_int_eq(rc, ERR_EINVAL);
	ck_assert(err_is_set(&err));
	ck_assert_int_eq(err.type, CPI_ERROR_CPI);
	ck_assert(!err.ok_to_retry);
	ck_assert_ptr_null(img);
	ck_assert_uint_eq(len, 0);
	ck_assert_msg(strstr(err.message, needle) != NULL,
	    "message \"%s\" lacks \"%s\"", err.message, needle);
	ck_assert_msg(strlen(err.message) < sizeof(err.message) - 1,
	    "message not terminated or truncated");
}

struct tmpdir {
	char path[PATH_MAX];
};

/*
 * One scratch directory per run, made and removed by the unchecked
 * fixture in the parent process, so it goes away even when a forked test
 * fails half way.  Each test makes its own directory inside it.
 */
static char scratch[PATH_MAX - 64];

static int
rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
scratch_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(scratch, sizeof(scratch), "%s/check_iso.XXXXXX",
	    base != NULL && base[0] != '\0' ? base : "/tmp");
	if (mkdtemp(scratch) == NULL) {
		fprintf(stderr, "check_iso: mkdtemp %s: %s\n", scratch,
		    strerror(errno));
		exit(EXIT_FAILURE);
	}
}

static void
scratch_teardown(void)
{
	nftw(scratch, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void
tmpdir_make(struct tmpdir *td)
{
	snprintf(td->path, sizeof(td->path), "%s/t.XXXXXX", scratch);
	ck_assert_msg(mkdtemp(td->path) != NULL, "mkdtemp: %s",
	    strerror(errno));
}

static void
join(char *out, size_t cap, const struct tmpdir *td, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", td->path, name);

	ck_assert(n > 0 && (size_t)n < cap);
}

static bool
in_path(const char *tool)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], full[PATH_MAX + 64];
	const char *p, *colon;
	size_t n;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *colon == '\0' ? colon : colon + 1) {
		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		n = (size_t)(colon - p);
		if (n == 0 || n >= sizeof(dir))
			continue;
		memcpy(dir, p, n);
		dir[n] = '\0';
		snprintf(full, sizeof(full), "%s/%s", dir, tool);
		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

/*
 * Runs argv (no shell) with stdout into *out (NUL-terminated, caller
 * frees) and stderr into td/stderr.txt; returns the exit status, or -1
 * when the child did not exit normally.
 */
static int
run(char *const argv[], const struct tmpdir *td, char **out)
{
	char out_path[PATH_MAX], err_path[PATH_MAX];
	size_t len;
	pid_t pid;
	int status, fd_out, fd_err;

	join(out_path, sizeof(out_path), td, "stdout.txt");
	join(err_path, sizeof(err_path), td, "stderr.txt");
	fd_out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fd_err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert(fd_out >= 0 && fd_err >= 0);
	fflush(NULL);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(fd_out, 1);
		dup2(fd_err, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd_out);
	close(fd_err);
	ck_assert(waitpid(pid, &status, 0) == pid);
	*out = (char *)read_whole(out_path, &len);
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The stderr of the last run(), for failure messages. */
static char *
last_stderr(const struct tmpdir *td)
{
	char path[PATH_MAX];
	size_t len;

	join(path, sizeof(path), td, "stderr.txt");
	return (char *)read_whole(path, &len);
}

/*
 * Lines of a listing other than "." and blank ones: exactly one,
 * equal to want.
 */
static void
assert_single_name(const char *listing, const char *want, const char *who)
{
	const char *p = listing, *nl;
	char line[256];
	int found = 0;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		ck_assert_msg(n < sizeof(line), "%s: overlong line", who);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL ? 1 : 0);
		if (n == 0 || strcmp(line, ".") == 0 ||
		    strcmp(line, "./") == 0)
			continue;
		ck_assert_msg(strcmp(line, want) == 0,
		    "%s lists \"%s\", want \"%s\"", who, line, want);
		found++;
	}
	ck_assert_msg(found == 1, "%s lists %d names, want exactly \"%s\"",
	    who, found, want);
}

static void
assert_file_equals(const char *path, const unsigned char *want,
    size_t want_len)
{
	unsigned char *got;
	size_t got_len;

	got = read_whole(path, &got_len);
	ck_assert_uint_eq(got_len, want_len);
	ck_assert_msg(memcmp(got, want, want_len) == 0,
	    "%s differs from the input", path);
	free(got);
}

/* ------------------------------------------------------------------ */
/* Independent structural reader                                        */
/* ------------------------------------------------------------------ */

static uint32_t
rd_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint32_t
rd_be32(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[0] << 24;
}

static uint16_t
rd_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint16_t
rd_be16(const unsigned char *p)
{
	return (uint16_t)(p[1] | p[0] << 8);
}

static uint32_t
both32(const unsigned char *p)
{
	ck_assert_msg(rd_le32(p) == rd_be32(p + 4),
	    "both-endian 32 mismatch: %u vs %u", rd_le32(p), rd_be32(p + 4));
	return rd_le32(p);
}

static uint16_t
both16(const unsigned char *p)
{
	ck_assert_msg(rd_le16(p) == rd_be16(p + 2),
	    "both-endian 16 mismatch: %u vs %u", rd_le16(p), rd_be16(p + 2));
	return rd_le16(p);
}

struct rd_entry {
	unsigned char id[128];
	size_t id_len;
	uint32_t extent;
	uint32_t size;
	unsigned char flags;
	unsigned char date[7];
};

/* The descriptor of the given type, walking from sector 16 to 255. */
static const unsigned char *
vd_find(const unsigned char *img, size_t len, int type)
{
	size_t sec;

	for (sec = 16; (sec + 1) * SECTOR <= len; sec++) {
		const unsigned char *vd = img + sec * SECTOR;

		ck_assert_msg(memcmp(vd + 1, "CD001", 5) == 0,
		    "sector %zu: no CD001 before the terminator", sec);
		ck_assert_int_eq(vd[6], 1);
		if (vd[0] == type)
			return vd;
		if (vd[0] == 255)
			return NULL;
	}
	ck_abort_msg("no volume descriptor set terminator");
	return NULL;
}

static size_t
rd_record(const unsigned char *p, size_t room, struct rd_entry *e)
{
	size_t len = p[0];

	ck_assert_msg(len >= 34 && len <= room, "bad record length %zu", len);
	ck_assert_msg(len % 2 == 0, "odd record length %zu", len);
	ck_assert_int_eq(p[1], 0);
	e->extent = both32(p + 2);
	e->size = both32(p + 10);
	memcpy(e->date, p + 18, 7);
	e->flags = p[25];
	ck_assert_int_eq(both16(p + 28), 1);
	e->id_len = p[32];
	ck_assert_msg(33 + e->id_len <= len, "identifier overruns record");
	memcpy(e->id, p + 33, e->id_len);
	return len;
}

/*
 * Checks a descriptor's path tables and root directory and returns the
 * one file in it.  total is the image length in sectors.
 */
static void
rd_tree(const unsigned char *img, size_t len, const unsigned char *vd,
    struct rd_entry *file, struct rd_entry *root)
{
	uint32_t pt_size, pt_l, pt_m, off;
	const unsigned char *pl, *pm, *dir;
	struct rd_entry dot, dotdot;
	int files = 0;

	ck_assert_uint_eq(rd_record(vd + 156, 34, root), 34);
	ck_assert_uint_eq(root->id_len, 1);
	ck_assert_int_eq(root->id[0], 0);
	ck_assert(root->flags & 0x02);
	ck_assert_uint_eq(root->size % SECTOR, 0);
	ck_assert((uint64_t)(root->extent + 1) * SECTOR <= len);

	pt_size = both32(vd + 132);
	ck_assert_uint_eq(pt_size, 10);
	pt_l = rd_le32(vd + 140);
	pt_m = rd_be32(vd + 148);
	ck_assert((uint64_t)(pt_l + 1) * SECTOR <= len);
	ck_assert((uint64_t)(pt_m + 1) * SECTOR <= len);
	pl = img + (size_t)pt_l * SECTOR;
	pm = img + (size_t)pt_m * SECTOR;
	ck_assert_int_eq(pl[0], 1);
	ck_assert_int_eq(pm[0], 1);
	ck_assert_uint_eq(rd_le32(pl + 2), root->extent);
	ck_assert_uint_eq(rd_be32(pm + 2), root->extent);
	ck_assert_uint_eq(rd_le16(pl + 6), 1);
	ck_assert_uint_eq(rd_be16(pm + 6), 1);
	ck_assert_int_eq(pl[8], 0);
	ck_assert_int_eq(pm[8], 0);

	dir = img + (size_t)root->extent * SECTOR;
	off = (uint32_t)rd_record(dir, root->size, &dot);
	ck_assert(dot.id_len == 1 && dot.id[0] == 0x00);
	ck_assert_uint_eq(dot.extent, root->extent);
	off += (uint32_t)rd_record(dir + off, root->size - off, &dotdot);
	ck_assert(dotdot.id_len == 1 && dotdot.id[0] == 0x01);
	ck_assert_uint_eq(dotdot.extent, root->extent);
	while (off < root->size && dir[off] != 0) {
		off += (uint32_t)rd_record(dir + off, root->size - off, file);
		files++;
	}
	ck_assert_int_eq(files, 1);
	ck_assert_int_eq(file->flags, 0);
	/* Nothing but zeros after the last record. */
	for (; off < root->size; off++)
		ck_assert_int_eq(dir[off], 0);
}

/* Checks everything about an image holding data under name. */
static void
check_image(const unsigned char *img, size_t len, const char *iso_name,
    const char *joliet_name, const char *volid,
    const unsigned char *data, size_t data_len)
{
	const unsigned char *pvd, *svd;
	struct rd_entry f1, f2, r1, r2;
	unsigned char jname[128];
	size_t i, n = strlen(joliet_name);

	ck_assert_uint_eq(len % SECTOR, 0);
	ck_assert(len >= 18 * SECTOR);
	for (i = 0; i < 16 * SECTOR; i++)
		ck_assert_msg(img[i] == 0, "system area byte %zu set", i);

	pvd = vd_find(img, len, 1);
	svd = vd_find(img, len, 2);
	ck_assert_ptr_nonnull(pvd);
	ck_assert_ptr_nonnull(svd);
	ck_assert_ptr_nonnull(vd_find(img, len, 255));
	ck_assert_msg(pvd == img + 16 * SECTOR, "PVD not first");

	/* PVD basics */
	ck_assert_uint_eq(both32(pvd + 80), len / SECTOR);
	ck_assert_uint_eq(both32(svd + 80), len / SECTOR);
	ck_assert_uint_eq(both16(pvd + 120), 1);
	ck_assert_uint_eq(both16(pvd + 124), 1);
	ck_assert_uint_eq(both16(pvd + 128), SECTOR);
	ck_assert_uint_eq(both16(svd + 128), SECTOR);
	ck_assert_int_eq(pvd[881], 1);
	ck_assert_int_eq(svd[881], 1);
	ck_assert_msg(memcmp(svd + 88, "%/E", 3) == 0 ||
	    memcmp(svd + 88, "%/C", 3) == 0 ||
	    memcmp(svd + 88, "%/@", 3) == 0, "no Joliet escape sequence");
	for (i = 0; i < 32; i++) {
		unsigned char want = i < strlen(volid) ? volid[i] : ' ';

		ck_assert_msg(pvd[40 + i] == want, "volume id byte %zu", i);
	}
	for (i = 0; i < 16; i++) {
		unsigned char want = i < strlen(volid) ? volid[i] : ' ';

		ck_assert_msg(svd[40 + 2 * i] == 0 &&
		    svd[40 + 2 * i + 1] == want, "Joliet volume id char %zu",
		    i);
	}

	/* Plain ISO 9660 tree */
	rd_tree(img, len, pvd, &f1, &r1);
	ck_assert_uint_eq(f1.id_len, strlen(iso_name));
	ck_assert_msg(memcmp(f1.id, iso_name, f1.id_len) == 0,
	    "ISO name \"%.*s\", want \"%s\"", (int)f1.id_len, f1.id,
	    iso_name);
	ck_assert_uint_eq(f1.size, data_len);

	/* Joliet tree: its own root, same data */
	rd_tree(img, len, svd, &f2, &r2);
	ck_assert_uint_ne(r1.extent, r2.extent);
	ck_assert_uint_eq(f2.id_len, 2 * n);
	for (i = 0; i < n; i++) {
		jname[2 * i] = 0;
		jname[2 * i + 1] = (unsigned char)joliet_name[i];
	}
	ck_assert_msg(memcmp(f2.id, jname, 2 * n) == 0, "Joliet name");
	ck_assert_uint_eq(f2.size, data_len);
	ck_assert_uint_eq(f2.extent, f1.extent);

	/* Data extent: inside the image, holds data, zero padded. */
	ck_assert((uint64_t)f1.extent * SECTOR + data_len <= len);
	ck_assert_uint_eq(len - (size_t)f1.extent * SECTOR,
	    (data_len + SECTOR - 1) / SECTOR * SECTOR);
	ck_assert(memcmp(img + (size_t)f1.extent * SECTOR, data,
	    data_len) == 0);
	for (i = (size_t)f1.extent * SECTOR + data_len; i < len; i++)
		ck_assert_msg(img[i] == 0, "padding byte %zu set", i);
}

/* ------------------------------------------------------------------ */
/* Readers                                                              */
/* ------------------------------------------------------------------ */

static void
check_with_xorriso(const struct tmpdir *td, const char *img_path,
    const unsigned char *data, size_t data_len)
{
	char extracted[PATH_MAX], *out = NULL, *err_text;
	int rc;

	ck_assert_msg(in_path("xorriso"),
	    "xorriso not installed (see scripts/deps.sh)");
	join(extracted, sizeof(extracted), td, "xorriso-env");
	{
		char *argv[] = { "xorriso", "-return_with", "WARNING", "32",
		    "-indev", (char *)img_path, "-osirrox", "on", "-extract",
		    "/env", extracted, NULL };

		rc = run(argv, td, &out);
		err_text = last_stderr(td);
		ck_assert_msg(rc == 0, "xorriso -extract exit %d: %s", rc,
		    err_text);
		free(err_text);
		free(out);
	}
	assert_file_equals(extracted, data, data_len);
	{
		char *argv[] = { "xorriso", "-return_with", "WARNING", "32",
		    "-indev", (char *)img_path, "-find", "/", "-type", "f",
		    NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		assert_single_name(out, "'/env'", "xorriso (Joliet)");
		free(out);
	}
	{
		char *argv[] = { "xorriso", "-return_with", "WARNING", "32",
		    "-read_fs", "ecma119", "-indev", (char *)img_path, "-find",
		    "/", "-type", "f", NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		assert_single_name(out, "'/ENV'", "xorriso (ISO 9660)");
		free(out);
	}
}

static void
check_with_bsdtar(const struct tmpdir *td, const char *img_path,
    const unsigned char *data, size_t data_len)
{
	char outdir[PATH_MAX], extracted[PATH_MAX], *out = NULL;
	int rc;

	ck_assert_msg(in_path("bsdtar"),
	    "bsdtar not installed (libarchive-tools, see scripts/deps.sh)");
	join(outdir, sizeof(outdir), td, "bsdtar");
	ck_assert_int_eq(mkdir(outdir, 0700), 0);
	{
		char *argv[] = { "bsdtar", "-xf", (char *)img_path, "-C",
		    outdir, NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		free(out);
	}
	join(extracted, sizeof(extracted), td, "bsdtar/env");
	assert_file_equals(extracted, data, data_len);
	{
		char *argv[] = { "bsdtar", "-tf", (char *)img_path, NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		assert_single_name(out, "env", "bsdtar (Joliet)");
		free(out);
	}
	{
		char *argv[] = { "bsdtar", "--options", "iso9660:!joliet",
		    "-tf", (char *)img_path, NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		assert_single_name(out, "ENV", "bsdtar (ISO 9660)");
		free(out);
	}
}

/* genisoimage's tools: used when installed, never required. */
static void
check_with_isoinfo(const struct tmpdir *td, const char *img_path,
    const unsigned char *data, size_t data_len, size_t sectors)
{
	char want[64], extracted[PATH_MAX], *out = NULL;
	int rc;

	if (!in_path("isoinfo")) {
		printf("check_iso: isoinfo not installed, skipping it\n");
		return;
	}
	{
		char *argv[] = { "isoinfo", "-d", "-i", (char *)img_path,
		    NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(strstr(out, "Volume id: CDROM\n") != NULL, "%s",
		    out);
		ck_assert(strstr(out, "Joliet with UCS level 3 found") !=
		    NULL);
		snprintf(want, sizeof(want), "Volume size is: %zu\n", sectors);
		ck_assert_msg(strstr(out, want) != NULL, "%s", out);
		free(out);
	}
	{
		char *argv[] = { "isoinfo", "-J", "-i", (char *)img_path, "-x",
		    "/env", NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		free(out);
		join(extracted, sizeof(extracted), td, "stdout.txt");
		assert_file_equals(extracted, data, data_len);
	}
	if (in_path("isovfy")) {
		char *argv[] = { "isovfy", (char *)img_path, NULL };

		rc = run(argv, td, &out);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(strstr(out, "No errors found") != NULL, "%s",
		    out);
		free(out);
	}
}

/* A real isofs mount, only on request (root, isofs module, loop). */
static void
check_with_mount(const struct tmpdir *td, const char *img_path,
    const unsigned char *data, size_t data_len)
{
	const char *want = getenv("CPI_TEST_ISO_MOUNT");
	char mnt[PATH_MAX], file[PATH_MAX], *out = NULL;
	int rc;

	if (want == NULL || strcmp(want, "1") != 0) {
		printf("check_iso: loop mount skipped "
		    "(set CPI_TEST_ISO_MOUNT=1 as root to run it)\n");
		return;
	}
	join(mnt, sizeof(mnt), td, "mnt");
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	{
		char *argv[] = { "mount", "-t", "iso9660", "-o", "loop,ro",
		    (char *)img_path, mnt, NULL };

		rc = run(argv, td, &out);
		free(out);
		ck_assert_msg(rc == 0, "mount failed (exit %d)", rc);
	}
	join(file, sizeof(file), td, "mnt/env");
	assert_file_equals(file, data, data_len);
	{
		char *argv[] = { "umount", mnt, NULL };

		rc = run(argv, td, &out);
		free(out);
		ck_assert_int_eq(rc, 0);
	}
}

static void
check_readers(const unsigned char *data, size_t data_len)
{
	struct tmpdir td;
	char img_path[PATH_MAX];
	unsigned char *img;
	size_t len;

	img = build_ok(&len, "env", data, data_len, NULL, FIXED_TIME);
	check_image(img, len, "ENV.;1", "env", "CDROM", data, data_len);
	tmpdir_make(&td);
	join(img_path, sizeof(img_path), &td, "env.iso");
	write_whole(img_path, img, len);
	check_with_xorriso(&td, img_path, data, data_len);
	check_with_bsdtar(&td, img_path, data, data_len);
	check_with_isoinfo(&td, img_path, data, data_len, len / SECTOR);
	check_with_mount(&td, img_path, data, data_len);
	free(img);
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

START_TEST(test_small_settings_readers)
{
	unsigned char *data;
	size_t len;

	data = load_settings(&len);
	ck_assert(len > 100 && len < SECTOR);
	check_readers(data, len);
	free(data);
}
END_TEST

START_TEST(test_100k_payload_readers)
{
	size_t len = 100 * 1024;
	unsigned char *data = pattern(len, 0x2545f491u);

	check_readers(data, len);
	free(data);
}
END_TEST

START_TEST(test_sector_boundaries)
{
	/* Exactly one sector, one byte more, and an exact multiple. */
	static const size_t sizes[] = { 1, SECTOR - 1, SECTOR, SECTOR + 1,
	    7 * SECTOR };
	unsigned char *data, *img;
	size_t i, len;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		data = pattern(sizes[i], (uint32_t)(i + 1) * 7919u);
		img = build_ok(&len, "env", data, sizes[i], NULL, -1);
		check_image(img, len, "ENV.;1", "env", "CDROM", data,
		    sizes[i]);
		free(img);
		free(data);
	}
}
END_TEST

START_TEST(test_layout_and_unspecified_dates)
{
	unsigned char *data, *img = NULL;
	struct err err = { 0 };
	size_t dlen, len = 0, i;
	const unsigned char *pvd, *dir;
	static const unsigned char zero7[7];

	data = load_settings(&dlen);
	ck_assert_int_eq(cpi_iso_build(&img, &len, "env", data, dlen, NULL,
	    &err), 0);
	check_image(img, len, "ENV.;1", "env", "CDROM", data, dlen);
	/* one data sector after the fixed 25 metadata sectors */
	ck_assert_uint_eq(len, 26 * SECTOR);
	pvd = img + 16 * SECTOR;
	for (i = 813; i < 881; i += 17) {
		ck_assert(memcmp(pvd + i, "0000000000000000", 16) == 0);
		ck_assert_int_eq(pvd[i + 16], 0);
	}
	ck_assert(memcmp(pvd + 156 + 18, zero7, 7) == 0);
	dir = img + (size_t)rd_le32(pvd + 158) * SECTOR;
	for (i = 0; i < 3; i++) {
		ck_assert(memcmp(dir + 18, zero7, 7) == 0);
		dir += dir[0];
	}
	/* the terminator is type, id, version and zeros */
	for (i = 7; i < SECTOR; i++)
		ck_assert_int_eq(img[18 * SECTOR + i], 0);
	free(img);
	free(data);
}
END_TEST

START_TEST(test_fixed_time_recorded)
{
	static const unsigned char rec[7] = { 125, 11, 24, 16, 0, 0, 0 };
	static const unsigned char end[7] = { 255, 12, 31, 23, 59, 59, 0 };
	static const unsigned char leap[7] = { 124, 2, 29, 12, 34, 56, 0 };
	const unsigned char data[] = "{}";
	const unsigned char *pvd, *dir;
	unsigned char *img;
	size_t len, i;

	img = build_ok(&len, "env", data, 2, NULL, FIXED_TIME);
	pvd = img + 16 * SECTOR;
	ck_assert(memcmp(pvd + 813, "2025112416000000", 16) == 0);
	ck_assert(memcmp(pvd + 830, "2025112416000000", 16) == 0);
	ck_assert(memcmp(pvd + 847, "0000000000000000", 16) == 0);
	ck_assert(memcmp(pvd + 864, "0000000000000000", 16) == 0);
	ck_assert(memcmp(pvd + 156 + 18, rec, 7) == 0);
	dir = img + (size_t)rd_le32(pvd + 158) * SECTOR;
	for (i = 0; i < 3; i++) {
		ck_assert(memcmp(dir + 18, rec, 7) == 0);
		dir += dir[0];
	}
	free(img);

	/* the last representable second, and a leap day */
	img = build_ok(&len, "env", data, 2, NULL, INT64_C(5869583999));
	pvd = img + 16 * SECTOR;
	ck_assert(memcmp(pvd + 813, "2155123123595900", 16) == 0);
	ck_assert(memcmp(pvd + 156 + 18, end, 7) == 0);
	free(img);
	img = build_ok(&len, "env", data, 2, NULL, INT64_C(1709210096));
	pvd = img + 16 * SECTOR;
	ck_assert(memcmp(pvd + 813, "2024022912345600", 16) == 0);
	ck_assert(memcmp(pvd + 156 + 18, leap, 7) == 0);
	free(img);

	build_refused("env", data, 2, NULL, INT64_C(5869584000), "2155");
}
END_TEST

START_TEST(test_deterministic)
{
	unsigned char *data, *a, *b;
	size_t dlen, alen, blen;

	data = load_settings(&dlen);
	a = build_ok(&alen, "env", data, dlen, NULL, -1);
	b = build_ok(&blen, "env", data, dlen, NULL, -1);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) == 0);
	free(b);
	/* cpi_iso_build is the unspecified-date variant */
	{
		struct err err = { 0 };

		ck_assert_int_eq(cpi_iso_build(&b, &blen, "env", data, dlen,
		    NULL, &err), 0);
		ck_assert_uint_eq(alen, blen);
		ck_assert(memcmp(a, b, alen) == 0);
		free(b);
	}
	free(a);
	a = build_ok(&alen, "env", data, dlen, "CDROM", FIXED_TIME);
	b = build_ok(&blen, "env", data, dlen, "CDROM", FIXED_TIME);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) == 0);
	free(b);
	/* and the time really is part of the image */
	b = build_ok(&blen, "env", data, dlen, "CDROM", FIXED_TIME + 1);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) != 0);
	free(b);
	free(a);
	free(data);
}
END_TEST

START_TEST(test_name_mapping)
{
	static const struct {
		const char *name, *iso;
	} cases[] = {
		{ "env", "ENV.;1" },
		{ "ENV", "ENV.;1" },
		{ "settings.json", "SETTINGS.JSO;1" },
		{ "a-b_c", "A_B_C.;1" },
		{ "a.b.c", "A_B.C;1" },
		{ ".env", ".ENV;1" },
		{ "env.", "ENV.;1" },
		{ "abcdefghijklmnopqrstuvwxyz1234",
		  "ABCDEFGH.;1" },
	};
	const unsigned char data[] = "x";
	unsigned char *img;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		img = build_ok(&len, cases[i].name, data, 1, NULL, -1);
		check_image(img, len, cases[i].iso, cases[i].name, "CDROM",
		    data, 1);
		free(img);
	}
}
END_TEST

START_TEST(test_bad_names_refused)
{
	static const char *const bad[] = {
		"", "a/b", "/env", "../env", "env\n", "e v", "env;1",
		"env\\x", "\xc3\xa9nv", "env*", "~env", "env:", "\x01",
		"abcdefghijklmnopqrstuvwxyz12345",
	};
	static const char *const dots[] = { ".", "..", "..." };
	const unsigned char data[] = "{}";
	size_t i;

	build_refused(NULL, data, 2, NULL, -1, "missing");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		build_refused(bad[i], data, 2, NULL, -1, "file name");
	for (i = 0; i < sizeof(dots) / sizeof(dots[0]); i++)
		build_refused(dots[i], data, 2, NULL, -1, "dots only");
	/* the offending byte is reported, not echoed raw */
	{
		struct err err = { 0 };
		unsigned char *img;
		size_t len;

		cpi_iso_build(&img, &len, "ab\ncd", data, 2, NULL, &err);
		ck_assert_ptr_nonnull(strstr(err.message, "0x0a"));
		ck_assert_ptr_null(strchr(err.message, '\n'));
	}
}
END_TEST

START_TEST(test_size_limits)
{
	size_t max = CPI_ISO_MAX_DATA, len;
	unsigned char *data, *img;

	ck_assert_uint_eq(max, 16u * 1024u * 1024u);
	data = calloc(1, max + 1);
	ck_assert(data != NULL);
	data[0] = '{';
	data[max - 1] = '}';
	build_refused("env", data, max + 1, NULL, -1, "limit");
	build_refused("env", data, SIZE_MAX, NULL, -1, "limit");
	build_refused("env", data, 0, NULL, -1, "empty");
	build_refused("env", NULL, 10, NULL, -1, "empty");
	img = build_ok(&len, "env", data, max, NULL, -1);
	ck_assert_uint_eq(len, (25 + max / SECTOR) * SECTOR);
	check_image(img, len, "ENV.;1", "env", "CDROM", data, max);
	free(img);
	free(data);
}
END_TEST

START_TEST(test_volume_ids)
{
	const unsigned char data[] = "{}";
	unsigned char *img;
	size_t len;

	img = build_ok(&len, "env", data, 2, "my_Vol_1", -1);
	check_image(img, len, "ENV.;1", "env", "MY_VOL_1", data, 2);
	free(img);
	img = build_ok(&len, "env", data, 2,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", -1);
	check_image(img, len, "ENV.;1", "env",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", data, 2);
	free(img);
	build_refused("env", data, 2, "", -1, "volume id");
	build_refused("env", data, 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
	    -1, "volume id");
	build_refused("env", data, 2, "A-B", -1, "volume id");
	build_refused("env", data, 2, "A B", -1, "volume id");
	build_refused("env", data, 2, "a.b", -1, "volume id");
}
END_TEST

START_TEST(test_error_set_once_and_null_outputs)
{
	struct err err = { 0 };
	const unsigned char data[] = "{}";
	unsigned char *img = NULL;
	size_t len = 0;
	int rc;

	rc = cpi_iso_build(NULL, &len, "env", data, 2, NULL, &err);
	ck_assert_int_eq(rc, ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "output"));
	rc = cpi_iso_build(&img, NULL, "env", data, 2, NULL, &err);
	ck_assert_int_eq(rc, ERR_EINVAL);

	/* a second failure leaves the first message alone */
	rc = cpi_iso_build(&img, &len, "a/b", data, 2, NULL, &err);
	ck_assert_int_eq(rc, ERR_EINVAL);
	ck_assert_ptr_null(img);
	ck_assert_ptr_nonnull(strstr(err.message, "output"));

	/* a NULL error object is tolerated */
	rc = cpi_iso_build(&img, &len, "a/b", data, 2, NULL, NULL);
	ck_assert_int_eq(rc, ERR_EINVAL);
	ck_assert_ptr_null(img);
	rc = cpi_iso_build(&img, &len, "env", data, 2, NULL, NULL);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(img);
	free(img);
}
END_TEST

static Suite *
iso_suite(void)
{
	Suite *s = suite_create("iso9660");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_small_settings_readers);
	tcase_add_test(tc, test_100k_payload_readers);
	tcase_add_test(tc, test_sector_boundaries);
	tcase_add_test(tc, test_layout_and_unspecified_dates);
	tcase_add_test(tc, test_fixed_time_recorded);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_name_mapping);
	tcase_add_test(tc, test_bad_names_refused);
	tcase_add_test(tc, test_size_limits);
	tcase_add_test(tc, test_volume_ids);
	tcase_add_test(tc, test_error_set_once_and_null_outputs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(iso_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

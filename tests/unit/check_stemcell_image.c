/*
 * tests/unit/check_stemcell_image.c: cpi_sc_unpack() on real images made
 * by tests/stemcell/make-image.sh and on hostile archives written here,
 * header by header.  Every failure must leave the work directory empty.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "cpi/stemcell_image.h"
#include "vsphere/ovf.h"

static char images[256];        /* per process: make-image.sh output */
static char tmp[300];           /* per test, under images */
static char work[320];          /* tmp/work: the unpack work directory */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *
tmp_base(void)
{
	const char *base = getenv("TMPDIR");

	return base != NULL ? base : "/tmp";
}

static void
setup(void)
{
	/* Under the per-process directory, which main() removes even when
	 * a failed test skipped its teardown. */
	snprintf(tmp, sizeof(tmp), "%s/t-XXXXXX", images);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(work, sizeof(work), "%s/work", tmp);
	ck_assert_int_eq(mkdir(work, 0700), 0);
}

static void
teardown(void)
{
	rm_tree(tmp);
}

static size_t
count_entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
assert_work_empty(void)
{
	ck_assert_msg(count_entries(work) == 0,
	              "work directory not empty after failure");
}

static const char *
image(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", images, name);
	return buf;
}

static const char *
tmp_path(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", tmp, name);
	return buf;
}

/* --- archive builder ---------------------------------------------- */

struct tarb {
	unsigned char *buf;
	size_t len, cap;
};

static void
tb_reserve(struct tarb *t, size_t n)
{
	if (t->len + n <= t->cap)
		return;
	t->cap = (t->len + n) * 2;
	t->buf = realloc(t->buf, t->cap);
	ck_assert_ptr_nonnull(t->buf);
}

static void
tb_bytes(struct tarb *t, const void *p, size_t n)
{
	tb_reserve(t, n);
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

static void
tb_pad(struct tarb *t)
{
	static const unsigned char zero[512];

	if (t->len % 512 != 0)
		tb_bytes(t, zero, 512 - t->len % 512);
}

static void
tb_checksum(unsigned char *h)
{
	unsigned sum = 0;
	size_t i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* A GNU-style header; name is copied raw (up to 100 bytes, may be cut
 * by the caller's choice of namelen). */
static unsigned char *
tb_header_raw(struct tarb *t, const char *name, size_t namelen, char type,
              unsigned long long size, const char *link)
{
	unsigned char h[512];

	memset(h, 0, sizeof(h));
	memcpy(h, name, namelen > 100 ? 100 : namelen);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link != NULL)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar  ", 8);
	tb_checksum(h);
	tb_bytes(t, h, 512);
	return t->buf + t->len - 512;
}

static unsigned char *
tb_header(struct tarb *t, const char *name, char type,
          unsigned long long size, const char *link)
{
	return tb_header_raw(t, name, strlen(name), type, size, link);
}

static void
tb_file(struct tarb *t, const char *name, const void *data, size_t n)
{
	tb_header(t, name, '0', n, NULL);
	tb_bytes(t, data, n);
	tb_pad(t);
}

static void
tb_text(struct tarb *t, const char *name, const char *text)
{
	tb_file(t, name, text, strlen(text));
}

static void
tb_end(struct tarb *t)
{
	static const unsigned char zero[1024];

	tb_bytes(t, zero, sizeof(zero));
}

static void
write_raw(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* One gzip member holding p[0..n). */
static void
gz_append(struct tarb *out, const void *p, size_t n)
{
	z_stream zs;
	unsigned char chunk[16384];
	int zr;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
	                              Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = deflate(&zs, Z_FINISH);
		ck_assert(zr == Z_OK || zr == Z_STREAM_END);
		tb_bytes(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (zr != Z_STREAM_END);
	deflateEnd(&zs);
}

static void
write_gz(const char *path, const void *p, size_t n)
{
	struct tarb g = { NULL, 0, 0 };

	gz_append(&g, p, n);
	write_raw(path, g.buf, g.len);
	free(g.buf);
}

/* Writes t gzipped as tmp/img and frees t. */
static const char *
tb_finish(struct tarb *t)
{
	const char *path = tmp_path("img");

	write_gz(path, t->buf, t->len);
	free(t->buf);
	memset(t, 0, sizeof(*t));
	return path;
}

static const char *const SMALL_OVF = "<Envelope/>\n";

/* --- helpers ------------------------------------------------------ */

static void
expect_fail_lim(const char *path, const struct cpi_sc_limits *lim,
                int code, const char *want)
{
	struct cpi_sc_image *img = NULL;
	struct err err;
	int rc;

	err_clear(&err);
	rc = cpi_sc_unpack_limits(&img, path, work, lim, &err);
	ck_assert_msg(rc < 0, "expected failure (%s)", want);
	ck_assert_ptr_null(img);
	ck_assert(err_is_set(&err));
	ck_assert(!err.ok_to_retry);
	ck_assert_msg(rc == code, "code %d, want %d: %s", rc, code,
	              err.message);
	ck_assert_msg(strstr(err.message, want) != NULL,
	              "message '%s' lacks '%s'", err.message, want);
	assert_work_empty();
}

static void
expect_fail(const char *path, int code, const char *want)
{
	expect_fail_lim(path, NULL, code, want);
}

static void
expect_ok_lim(const char *path, const struct cpi_sc_limits *lim)
{
	struct cpi_sc_image *img = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_msg(cpi_sc_unpack_limits(&img, path, work, lim, &err) == 0,
	              "%s", err.message);
	cpi_sc_image_free(img);
	assert_work_empty();
}

static struct cpi_sc_image *
unpack_ok(const char *path)
{
	struct cpi_sc_image *img = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_msg(cpi_sc_unpack(&img, path, work, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_nonnull(img);
	return img;
}

static bool
same_content(const char *a, const char *b)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

static void
check_good_image(struct cpi_sc_image *img, size_t nfiles)
{
	struct vs_ovf *ovf = NULL;
	struct err verr;
	char a[512], b[512];
	struct stat st;
	size_t i;

	ck_assert_uint_eq(img->nfiles, nfiles);
	ck_assert_int_eq(strncmp(img->dir, work, strlen(work)), 0);
	ck_assert_int_eq(lstat(img->dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	snprintf(a, sizeof(a), "%s/image.ovf", img->dir);
	ck_assert_str_eq(img->ovf_path, a);
	for (i = 0; i < 2; i++) {
		const char *name = i == 0 ? "image.ovf" : "image-disk1.vmdk";

		snprintf(a, sizeof(a), "%s/stage/%s", images, name);
		snprintf(b, sizeof(b), "%s/%s", img->dir, name);
		ck_assert_int_eq(stat(a, &st), 0);
		ck_assert_int_eq(cpi_sc_image_file_size(img, name),
		                 (int64_t)st.st_size);
		ck_assert_msg(same_content(a, b), "%s differs", name);
	}
	ck_assert_int_eq(cpi_sc_image_file_size(img, "nope"), -1);
	err_clear(&verr);
	ck_assert_msg(vs_ovf_read(&ovf, img->ovf_path, &verr) == 0, "%s",
	              verr.message);
	ck_assert_str_eq(ovf->files[0].href, "image-disk1.vmdk");
	vs_ovf_free(ovf);
	ck_assert_uint_eq(count_entries(work), 1);
	cpi_sc_image_free(img);
	ck_assert_uint_eq(count_entries(work), 0);
}

/* --- real images -------------------------------------------------- */

START_TEST(test_good_image)
{
	check_good_image(unpack_ok(image("image")), 2);
}
END_TEST

START_TEST(test_ova_image)
{
	struct cpi_sc_image *img = unpack_ok(image("image-ova"));

	ck_assert_int_eq(cpi_sc_image_file_size(img, "stemcell.ova"), -1);
	check_good_image(img, 2);
}
END_TEST

static void
check_long_name_image(const char *name)
{
	struct cpi_sc_image *img = unpack_ok(image(name));
	char longname[200];
	FILE *f;
	size_t n;

	f = fopen(image("long-name"), "r");
	ck_assert_ptr_nonnull(f);
	n = fread(longname, 1, sizeof(longname) - 1, f);
	fclose(f);
	longname[n] = '\0';
	ck_assert_uint_eq(n, 150);
	ck_assert_int_eq(cpi_sc_image_file_size(img, longname), 28);
	check_good_image(img, 3);
}

START_TEST(test_gnu_long_name_image)
{
	check_long_name_image("image-longname");
}
END_TEST

START_TEST(test_pax_image)
{
	check_long_name_image("image-pax");
}
END_TEST

START_TEST(test_multi_member_gzip)
{
	struct tarb t = { NULL, 0, 0 }, g = { NULL, 0, 0 };
	struct cpi_sc_image *img;
	size_t half;

	tb_text(&t, "a.ovf", SMALL_OVF);
	tb_text(&t, "b.vmdk", "disk bytes");
	tb_end(&t);
	half = 512 * 2;
	gz_append(&g, t.buf, half);
	gz_append(&g, t.buf + half, t.len - half);
	write_raw(tmp_path("img"), g.buf, g.len);
	free(t.buf);
	free(g.buf);
	img = unpack_ok(tmp_path("img"));
	ck_assert_uint_eq(img->nfiles, 2);
	ck_assert_int_eq(cpi_sc_image_file_size(img, "b.vmdk"), 10);
	cpi_sc_image_free(img);
	assert_work_empty();
}
END_TEST

START_TEST(test_dot_slash_names_and_root_dir)
{
	struct tarb t = { NULL, 0, 0 };
	struct cpi_sc_image *img;

	tb_header(&t, "./", '5', 0, NULL);
	tb_text(&t, "./x.ovf", SMALL_OVF);
	tb_text(&t, ".//./y.vmdk", "y");
	tb_end(&t);
	img = unpack_ok(tb_finish(&t));
	ck_assert_int_eq(cpi_sc_image_file_size(img, "x.ovf"),
	                 (int64_t)strlen(SMALL_OVF));
	ck_assert_int_eq(cpi_sc_image_file_size(img, "y.vmdk"), 1);
	cpi_sc_image_free(img);
	assert_work_empty();
}
END_TEST

START_TEST(test_free_leaves_foreign_files)
{
	struct cpi_sc_image *img = unpack_ok(image("image"));
	char dir[512], foreign[600];

	snprintf(dir, sizeof(dir), "%s", img->dir);
	snprintf(foreign, sizeof(foreign), "%s/not-ours", dir);
	write_raw(foreign, "x", 1);
	cpi_sc_image_free(img);
	ck_assert_uint_eq(count_entries(dir), 1);
	ck_assert_int_eq(access(foreign, F_OK), 0);
	cpi_sc_image_free(NULL);
}
END_TEST

/* --- bad gzip ----------------------------------------------------- */

START_TEST(test_not_gzip)
{
	struct cpi_sc_image *img = NULL;
	struct err err;

	write_raw(tmp_path("img"), "plain text, not gzip\n", 21);
	expect_fail(tmp_path("img"), ERR_EFORMAT, "not a gzip file");
	err_clear(&err);
	ck_assert_int_eq(cpi_sc_unpack(&img, tmp_path("img"), work, &err),
	                 ERR_EFORMAT);
	ck_assert_int_eq(err.type, CPI_ERROR_CPI);
	write_raw(tmp_path("img"), "", 0);
	expect_fail(tmp_path("img"), ERR_EFORMAT, "empty");
	write_raw(tmp_path("img"), "\x1f", 1);
	expect_fail(tmp_path("img"), ERR_EFORMAT, "not a gzip file");
}
END_TEST

START_TEST(test_gzip_of_garbage)
{
	unsigned char junk[4096];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 3);
	write_gz(tmp_path("img"), junk, sizeof(junk));
	expect_fail(tmp_path("img"), ERR_EFORMAT, "checksum");
}
END_TEST

START_TEST(test_corrupt_gzip)
{
	FILE *f = fopen(image("image"), "rb");
	unsigned char buf[65536];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_uint_gt(n, 100);
	/* Flip bits in the CRC32 of the trailer: only the integrity check
	 * can notice. */
	buf[n - 6] ^= 0x55;
	write_raw(tmp_path("img"), buf, n);
	expect_fail(tmp_path("img"), ERR_EFORMAT, "corrupt gzip data");
	buf[n - 6] ^= 0x55;
	buf[n / 2] ^= 0xff;
	buf[n / 2 + 1] ^= 0xff;
	write_raw(tmp_path("img"), buf, n);
	{
		struct cpi_sc_image *img = NULL;
		struct err err;

		err_clear(&err);
		ck_assert_int_lt(cpi_sc_unpack(&img, tmp_path("img"), work,
		                               &err), 0);
		ck_assert_ptr_null(img);
		assert_work_empty();
	}
}
END_TEST

START_TEST(test_truncated_gzip)
{
	FILE *f = fopen(image("image"), "rb");
	unsigned char buf[65536];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	write_raw(tmp_path("img"), buf, n / 2);
	expect_fail(tmp_path("img"), ERR_ETRUNC, "truncated");
	/* Cut only the 8-byte trailer. */
	write_raw(tmp_path("img"), buf, n - 4);
	expect_fail(tmp_path("img"), ERR_ETRUNC, "truncated");
}
END_TEST

START_TEST(test_trailing_garbage_after_gzip)
{
	FILE *f = fopen(image("image"), "rb");
	unsigned char buf[65536];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 16, f);
	fclose(f);
	memcpy(buf + n, "GARBAGE", 7);
	write_raw(tmp_path("img"), buf, n + 7);
	expect_fail(tmp_path("img"), ERR_EFORMAT,
	            "unexpected data after the gzip stream");
}
END_TEST

/* --- bad tar ------------------------------------------------------ */

START_TEST(test_no_ovf)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "image-disk1.vmdk", "disk");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_ENOOVF, "no .ovf descriptor");
}
END_TEST

START_TEST(test_two_ovfs)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "a.ovf", SMALL_OVF);
	tb_text(&t, "b.OVF", SMALL_OVF);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_ENOOVF, "2 .ovf descriptors");
}
END_TEST

START_TEST(test_ovf_names_missing_disk)
{
	struct tarb t = { NULL, 0, 0 };
	struct cpi_sc_image *img;
	struct vs_ovf *ovf = NULL;
	struct err verr;

	tb_text(&t, "image.ovf",
	        "<Envelope xmlns=\"" VS_OVF_NS "\" xmlns:ovf=\"" VS_OVF_NS
	        "\"><References><File ovf:id=\"file1\" "
	        "ovf:href=\"image-disk1.vmdk\"/></References><DiskSection>"
	        "<Disk ovf:diskId=\"d\" ovf:fileRef=\"file1\" "
	        "ovf:capacity=\"1\"/></DiskSection></Envelope>");
	tb_text(&t, "other.vmdk", "x");
	tb_end(&t);
	img = unpack_ok(tb_finish(&t));
	err_clear(&verr);
	ck_assert_int_eq(vs_ovf_read(&ovf, img->ovf_path, &verr),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(ovf);
	ck_assert_msg(strstr(verr.message, "'image-disk1.vmdk'") != NULL,
	              "%s", verr.message);
	cpi_sc_image_free(img);
	assert_work_empty();
}
END_TEST

static void
expect_name_refused(const char *name, const char *want)
{
	struct tarb t = { NULL, 0, 0 };

	/* A good member first, so cleanup has something to remove. */
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_text(&t, name, "evil");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE, want);
}

START_TEST(test_path_traversal)
{
	char evil[512];

	expect_name_refused("../x", "'../x' refused: '..' in path");
	expect_name_refused("/etc/x", "'/etc/x' refused: absolute path");
	expect_name_refused("a/../../x", "'a/../../x' refused: '..'");
	expect_name_refused("a/..", "'..' in path");
	expect_name_refused("sub/x.vmdk", "subdirectories are not supported");
	expect_name_refused(".", "empty file name");
	expect_name_refused("x/", "ends in '/'");
	/* Nothing escaped into the parent of the work directory either. */
	snprintf(evil, sizeof(evil), "%s/x", tmp);
	ck_assert_int_eq(access(evil, F_OK), -1);
}
END_TEST

START_TEST(test_control_and_empty_names)
{
	struct tarb t = { NULL, 0, 0 };

	expect_name_refused("a\x01" "b", "'a\\x01b' refused: control");
	expect_name_refused("a\nb.ovf", "control");
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header_raw(&t, "", 0, '0', 0, NULL);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE, "empty name");
}
END_TEST

START_TEST(test_symlink_member)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header(&t, "image-disk1.vmdk", '2', 0, "/etc/passwd");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE,
	            "'image-disk1.vmdk' refused: symbolic link");
}
END_TEST

START_TEST(test_hardlink_member)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header(&t, "disk.vmdk", '1', 0, "image.ovf");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE,
	            "'disk.vmdk' refused: hard link");
}
END_TEST

START_TEST(test_device_and_fifo_members)
{
	static const struct {
		char type;
		const char *want;
	} cases[] = {
		{ '3', "character device" },
		{ '4', "block device" },
		{ '6', "FIFO" },
		{ 'S', "sparse" },
		{ 'Z', "unsupported" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tarb t = { NULL, 0, 0 };

		tb_text(&t, "image.ovf", SMALL_OVF);
		tb_header(&t, "dev", cases[i].type, 0, NULL);
		tb_end(&t);
		expect_fail(tb_finish(&t), ERR_EUNSAFE, cases[i].want);
	}
}
END_TEST

START_TEST(test_truncated_member)
{
	struct tarb t = { NULL, 0, 0 };
	unsigned char data[4096];

	memset(data, 'd', sizeof(data));
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_file(&t, "image-disk1.vmdk", data, sizeof(data));
	tb_end(&t);
	/* Cut in the middle of the disk's data. */
	t.len = 1024 + 512 + 1000;
	expect_fail(tb_finish(&t), ERR_ETRUNC,
	            "archive ends inside member 'image-disk1.vmdk' (1000 of "
	            "4096 bytes)");
}
END_TEST

START_TEST(test_truncated_header_and_no_end_marker)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_text(&t, "disk.vmdk", "x");
	expect_fail(tb_finish(&t), ERR_ETRUNC, "no end-of-archive");
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_text(&t, "disk.vmdk", "x");
	t.len -= 700;   /* inside the second header */
	expect_fail(tb_finish(&t), ERR_ETRUNC, "truncated");
}
END_TEST

START_TEST(test_bad_checksum)
{
	struct tarb t = { NULL, 0, 0 };
	unsigned char *h;

	tb_text(&t, "image.ovf", SMALL_OVF);
	h = tb_header(&t, "disk.vmdk", '0', 1, NULL);
	h[0] = 'D';     /* after the checksum was computed */
	tb_bytes(&t, "x", 1);
	tb_pad(&t);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EFORMAT,
	            "bad tar header checksum (member 'Disk.vmdk')");
}
END_TEST

START_TEST(test_bad_magic_and_size)
{
	struct tarb t = { NULL, 0, 0 };
	unsigned char *h;

	h = tb_header_raw(&t, "a.ovf", 5, '0', 0, NULL);
	memcpy(h + 257, "tar\0\0\0\0\0", 8);
	tb_checksum(h);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EFORMAT, "not a ustar archive");
	h = tb_header_raw(&t, "a.ovf", 5, '0', 0, NULL);
	memcpy(h + 124, "12x45670000", 11);
	tb_checksum(h);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EFORMAT, "bad size field");
	/* A GNU base-256 field with a reserved/negative lead byte. */
	h = tb_header_raw(&t, "a.ovf", 5, '0', 0, NULL);
	memset(h + 124, 0, 12);
	h[124] = 0xff;
	h[135] = 5;
	tb_checksum(h);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EFORMAT, "bad size field");
}
END_TEST

START_TEST(test_oversized_member_tiny_cap)
{
	struct cpi_sc_limits lim;
	struct tarb t = { NULL, 0, 0 };
	unsigned char data[2000];

	memset(data, 'z', sizeof(data));
	cpi_sc_limits_default(&lim);
	lim.max_file = 1000;
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_file(&t, "disk.vmdk", data, sizeof(data));
	tb_end(&t);
	expect_fail_lim(tb_finish(&t), &lim, ERR_ELIMIT,
	                "member 'disk.vmdk' is too large (2000 bytes, limit "
	                "1000)");

	cpi_sc_limits_default(&lim);
	lim.max_total = 2010;
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_file(&t, "disk.vmdk", data, sizeof(data));
	tb_end(&t);
	expect_fail_lim(tb_finish(&t), &lim, ERR_ELIMIT,
	                "over its size limit of 2010");

	cpi_sc_limits_default(&lim);
	lim.max_ovf = 100;
	tb_file(&t, "image.ovf", data, 200);
	tb_end(&t);
	expect_fail_lim(tb_finish(&t), &lim, ERR_ELIMIT,
	                "descriptor 'image.ovf' is too large");
}
END_TEST

START_TEST(test_oversized_member_header_only)
{
	struct tarb t = { NULL, 0, 0 };
	unsigned char *h;

	/* 100 GiB claimed in a GNU base-256 size field, no data behind it:
	 * refused from the header alone. */
	tb_text(&t, "image.ovf", SMALL_OVF);
	h = tb_header(&t, "disk.vmdk", '0', 0, NULL);
	memset(h + 124, 0, 12);
	h[124] = 0x80;
	h[124 + 7] = 0x19;      /* 0x19 << 32 = 100 GiB + ... */
	tb_checksum(h);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_ELIMIT,
	            "member 'disk.vmdk' is too large (107374182400 bytes");
}
END_TEST

/* A gzip bomb (24 MiB of zeros in ~24 KiB) is refused from the member's
 * header, before a byte of it is written, with the default limits. */
START_TEST(test_gzip_bomb_refused_early)
{
	struct tarb t = { NULL, 0, 0 };
	size_t n = 24u << 20;
	unsigned char *zeros = calloc(1, n);
	struct stat st;
	const char *path;

	ck_assert_ptr_nonnull(zeros);
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_file(&t, "disk.vmdk", zeros, n);
	tb_end(&t);
	free(zeros);
	path = tb_finish(&t);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_lt(st.st_size, 1 << 20);
	expect_fail(path, ERR_ELIMIT, "member 'disk.vmdk' (25165824 "
	            "bytes) takes the image over");
	expect_fail(path, ERR_ELIMIT, "refused as a likely gzip bomb");
}
END_TEST

/* The cap is on all members together, counted as they come: many small
 * members stop at the one that crosses it; an incompressible image of
 * the same size passes. */
START_TEST(test_expansion_ratio_cap)
{
	struct cpi_sc_limits lim;
	struct tarb t = { NULL, 0, 0 };
	unsigned char data[8192];
	char name[32];
	size_t i;

	cpi_sc_limits_default(&lim);
	lim.max_ratio = 4;
	lim.ratio_slack = 0;
	memset(data, 0, sizeof(data));
	tb_text(&t, "image.ovf", SMALL_OVF);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "part%zu", i);
		tb_file(&t, name, data, sizeof(data));
	}
	tb_end(&t);
	expect_fail_lim(tb_finish(&t), &lim, ERR_ELIMIT,
	                "more than 4 times its");

	srand(7);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(rand() >> 7);
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_file(&t, "disk.vmdk", data, sizeof(data));
	tb_end(&t);
	expect_ok_lim(tb_finish(&t), &lim);
}
END_TEST

/* A FIFO as the image path: refused at once, not waited on for a
 * writer (the test's timeout would catch a hang). */
START_TEST(test_fifo_image_refused)
{
	const char *path = tmp_path("fifo");

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	expect_fail(path, ERR_EINVAL, "not a regular file");
	unlink(path);
	expect_fail("/dev/null", ERR_EINVAL, "not a regular file");
}
END_TEST

START_TEST(test_too_many_members)
{
	struct cpi_sc_limits lim;
	struct tarb t = { NULL, 0, 0 };
	char name[32];
	int i;

	cpi_sc_limits_default(&lim);
	lim.max_members = 3;
	tb_text(&t, "image.ovf", SMALL_OVF);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		tb_text(&t, name, "x");
	}
	tb_end(&t);
	expect_fail_lim(tb_finish(&t), &lim, ERR_ELIMIT,
	                "more than 3 tar headers");
}
END_TEST

START_TEST(test_duplicate_member)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_text(&t, "disk.vmdk", "one");
	tb_text(&t, "disk.vmdk", "two");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE,
	            "member 'disk.vmdk' appears twice");
}
END_TEST

static void
tb_pax(struct tarb *t, const char *records)
{
	tb_header(t, "PaxHeaders/x", 'x', strlen(records), NULL);
	tb_bytes(t, records, strlen(records));
	tb_pad(t);
}

START_TEST(test_pax_path_and_size)
{
	struct tarb t = { NULL, 0, 0 };
	struct cpi_sc_image *img;
	unsigned char *h;

	/* "18 path=image.ovf\n" is 18 bytes: the length counts itself. */
	tb_pax(&t, "18 path=image.ovf\n");
	tb_text(&t, "ignored-name", SMALL_OVF);
	tb_pax(&t, "10 size=3\n");
	tb_header(&t, "d.vmdk", '0', 77777, NULL);
	tb_bytes(&t, "abc", 3);
	tb_pad(&t);
	/* A GNU base-256 size field holding 5. */
	h = tb_header(&t, "e.vmdk", '0', 0, NULL);
	memset(h + 124, 0, 12);
	h[124] = 0x80;
	h[135] = 5;
	tb_checksum(h);
	tb_bytes(&t, "12345", 5);
	tb_pad(&t);
	tb_end(&t);
	img = unpack_ok(tb_finish(&t));
	ck_assert_uint_eq(img->nfiles, 3);
	ck_assert_int_eq(cpi_sc_image_file_size(img, "e.vmdk"), 5);
	ck_assert_int_eq(cpi_sc_image_file_size(img, "image.ovf"),
	                 (int64_t)strlen(SMALL_OVF));
	ck_assert_int_eq(cpi_sc_image_file_size(img, "ignored-name"), -1);
	ck_assert_int_eq(cpi_sc_image_file_size(img, "d.vmdk"), 3);
	cpi_sc_image_free(img);
	assert_work_empty();
}
END_TEST

START_TEST(test_pax_hostile)
{
	struct tarb t = { NULL, 0, 0 };

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_pax(&t, "16 path=../evil\n");
	tb_text(&t, "harmless", "x");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE, "'../evil' refused");

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_pax(&t, "99 path=x\n");
	tb_text(&t, "harmless", "x");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EFORMAT, "malformed pax header");

	/* A NUL inside a pax path. */
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header(&t, "PaxHeaders/x", 'x', 16, NULL);
	tb_bytes(&t, "16 path=ab\0.ovf\n", 16);
	tb_pad(&t);
	tb_text(&t, "harmless", "x");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE, "NUL");

	/* A symlink hiding behind a pax path. */
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_pax(&t, "18 path=link.vmdk\n");
	tb_header(&t, "x", '2', 0, "/etc/shadow");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE,
	            "'link.vmdk' refused: symbolic link");
}
END_TEST

START_TEST(test_gnu_long_name_hostile)
{
	struct tarb t = { NULL, 0, 0 };
	char name[200];

	memset(name, 'n', sizeof(name));
	memcpy(name, "../", 3);
	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header(&t, "././@LongLink", 'L', sizeof(name) + 1, NULL);
	tb_bytes(&t, name, sizeof(name));
	tb_bytes(&t, "", 1);
	tb_pad(&t);
	tb_text(&t, "short", "x");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE, "'..' in path");

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header(&t, "././@LongLink", 'L', 8, NULL);
	tb_bytes(&t, "ab\0c.ovf", 8);
	tb_pad(&t);
	tb_text(&t, "short", "x");
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_EUNSAFE, "NUL");

	tb_text(&t, "image.ovf", SMALL_OVF);
	tb_header(&t, "././@LongLink", 'L', 100000, NULL);
	tb_end(&t);
	expect_fail(tb_finish(&t), ERR_ELIMIT, "long name");
}
END_TEST

START_TEST(test_inner_ova_hostile)
{
	struct tarb ova = { NULL, 0, 0 }, t = { NULL, 0, 0 };

	tb_text(&ova, "image.ovf", SMALL_OVF);
	tb_header(&ova, "../../escape", '0', 0, NULL);
	tb_end(&ova);
	tb_file(&t, "stemcell.ova", ova.buf, ova.len);
	tb_end(&t);
	free(ova.buf);
	memset(&ova, 0, sizeof(ova));
	expect_fail(tb_finish(&t), ERR_EUNSAFE, "'..' in path");

	/* An inner archive cut short. */
	tb_text(&ova, "image.ovf", SMALL_OVF);
	tb_text(&ova, "disk.vmdk", "0123456789");
	tb_end(&ova);
	tb_file(&t, "stemcell.ova", ova.buf, 512 + 512 + 512 + 5);
	tb_end(&t);
	free(ova.buf);
	expect_fail(tb_finish(&t), ERR_ETRUNC,
	            "stemcell.ova: archive ends inside member 'disk.vmdk'");
}
END_TEST

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Random byte damage anywhere in a small but varied archive (pax, GNU
 * long name, real descriptor and disk): every outcome must be a clean
 * success or a clean error, with nothing left behind on error.  Under
 * the sanitizers and valgrind this doubles as a memory-safety check. */
START_TEST(test_random_corruption)
{
	struct tarb t = { NULL, 0, 0 };
	unsigned char *ovf, *vmdk, *copy;
	char longname[140];
	unsigned long seed = 12345;
	size_t ovf_len, vmdk_len, i, k, flips, ok = 0, bad = 0;
	char path[512];

	snprintf(path, sizeof(path), "%s/stage/image.ovf", images);
	ovf = slurp(path, &ovf_len);
	snprintf(path, sizeof(path), "%s/stage/image-disk1.vmdk", images);
	vmdk = slurp(path, &vmdk_len);
	memset(longname, 'l', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	tb_pax(&t, "18 path=image.ovf\n");
	tb_file(&t, "x", ovf, ovf_len);
	tb_header(&t, "././@LongLink", 'L', sizeof(longname), NULL);
	tb_bytes(&t, longname, sizeof(longname));
	tb_pad(&t);
	tb_text(&t, "short", "long-named file");
	/* Only the first 8 KiB of the disk: damage lands in headers more
	 * often. */
	tb_file(&t, "image-disk1.vmdk", vmdk, vmdk_len < 8192 ? vmdk_len :
	        8192);
	tb_end(&t);
	copy = malloc(t.len);
	ck_assert_ptr_nonnull(copy);
	for (i = 0; i < 300; i++) {
		struct cpi_sc_image *img = NULL;
		struct err err;

		memcpy(copy, t.buf, t.len);
		flips = 1 + i % 4;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245UL + 12345UL;
			copy[(seed >> 8) % t.len] ^= (unsigned char)(1u <<
			                                 ((seed >> 4) % 8));
		}
		write_gz(tmp_path("img"), copy, t.len);
		err_clear(&err);
		if (cpi_sc_unpack(&img, tmp_path("img"), work, &err) == 0) {
			ck_assert_ptr_nonnull(img);
			cpi_sc_image_free(img);
			ok++;
		} else {
			ck_assert_ptr_null(img);
			ck_assert(err_is_set(&err));
			ck_assert_uint_gt(strlen(err.message), 0);
			bad++;
		}
		assert_work_empty();
	}
	/* Both outcomes occur: damage in file data is not detected by a
	 * tar reader, damage in headers is. */
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(bad, 0);
	free(copy);
	free(t.buf);
	free(ovf);
	free(vmdk);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct cpi_sc_image *img = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_int_eq(cpi_sc_unpack(&img, tmp_path("missing"), work, &err),
	                 ERR_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "opening"));
	ck_assert_int_eq(err.type, CPI_ERROR_CLOUD);
	assert_work_empty();

	err_clear(&err);
	ck_assert_int_eq(cpi_sc_unpack(&img, work, work, &err),
	                 ERR_EINVAL);
	assert_work_empty();

	err_clear(&err);
	ck_assert_int_eq(cpi_sc_unpack(&img, image("image"),
	                               tmp_path("no-such-dir"), &err),
	                 ERR_EIO);
	ck_assert_ptr_null(img);

	/* Set once: the first message stays. */
	err_clear(&err);
	ck_assert_int_eq(cpi_sc_unpack(&img, tmp_path("missing"), work, &err),
	                 ERR_EIO);
	ck_assert_int_eq(cpi_sc_unpack(&img, work, work, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "opening"));
	ck_assert_ptr_null(strstr(err.message, "regular"));
}
END_TEST

static Suite *
sc_suite(void)
{
	Suite *s = suite_create("stemcell_image");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("bad");

	tcase_add_checked_fixture(good, setup, teardown);
	tcase_set_timeout(good, 60);
	tcase_add_test(good, test_good_image);
	tcase_add_test(good, test_ova_image);
	tcase_add_test(good, test_gnu_long_name_image);
	tcase_add_test(good, test_pax_image);
	tcase_add_test(good, test_multi_member_gzip);
	tcase_add_test(good, test_dot_slash_names_and_root_dir);
	tcase_add_test(good, test_free_leaves_foreign_files);
	tcase_add_test(good, test_pax_path_and_size);
	suite_add_tcase(s, good);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(bad, 60);
	tcase_add_test(bad, test_not_gzip);
	tcase_add_test(bad, test_gzip_of_garbage);
	tcase_add_test(bad, test_corrupt_gzip);
	tcase_add_test(bad, test_truncated_gzip);
	tcase_add_test(bad, test_trailing_garbage_after_gzip);
	tcase_add_test(bad, test_no_ovf);
	tcase_add_test(bad, test_two_ovfs);
	tcase_add_test(bad, test_ovf_names_missing_disk);
	tcase_add_test(bad, test_path_traversal);
	tcase_add_test(bad, test_control_and_empty_names);
	tcase_add_test(bad, test_symlink_member);
	tcase_add_test(bad, test_hardlink_member);
	tcase_add_test(bad, test_device_and_fifo_members);
	tcase_add_test(bad, test_truncated_member);
	tcase_add_test(bad, test_truncated_header_and_no_end_marker);
	tcase_add_test(bad, test_bad_checksum);
	tcase_add_test(bad, test_bad_magic_and_size);
	tcase_add_test(bad, test_oversized_member_tiny_cap);
	tcase_add_test(bad, test_oversized_member_header_only);
	tcase_add_test(bad, test_too_many_members);
	tcase_add_test(bad, test_gzip_bomb_refused_early);
	tcase_add_test(bad, test_expansion_ratio_cap);
	tcase_add_test(bad, test_fifo_image_refused);
	tcase_add_test(bad, test_duplicate_member);
	tcase_add_test(bad, test_pax_hostile);
	tcase_add_test(bad, test_gnu_long_name_hostile);
	tcase_add_test(bad, test_inner_ova_hostile);
	tcase_add_test(bad, test_random_corruption);
	tcase_add_test(bad, test_bad_arguments);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char cmd[1024];
	SRunner *sr;
	int failed;

	/* The real images are built once, before any (forked) test. */
	snprintf(images, sizeof(images), "%s/check_sc-images-XXXXXX",
	         tmp_base());
	if (mkdtemp(images) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(cmd, sizeof(cmd), "sh %s/tests/stemcell/make-image.sh %s",
	         root != NULL ? root : ".", images);
	if (system(cmd) != 0) {
		fprintf(stderr, "check_stemcell_image: make-image.sh failed "
		        "(is qemu-utils installed?)\n");
		rm_tree(images);
		return EXIT_FAILURE;
	}
	sr = srunner_create(sc_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_tree(images);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

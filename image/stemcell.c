/*
 * image/stemcell.c: unpacking a stemcell's image (see stemcell.h) with
 * the archive reader of image/tgz.h.
 *
 * Only regular files are written, flat, with
 * openat(O_CREAT|O_EXCL|O_NOFOLLOW) relative to the private directory,
 * so no member can land outside it or write through a link.  Every
 * created name is recorded before any byte is written, which is what
 * lets failures and img_sc_image_free() remove exactly what was created.
 */
#include "image/stemcell.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/quote.h"
#include "image/tgz.h"

#define SC_NAME_MAX 255             /* one extracted file name */
#define SC_MAX_FILES 64             /* entries in one image */

struct sc_ctx {
	const struct img_sc_limits *lim;
	int dirfd;
	struct img_sc_image *img;
	uint64_t total;         /* member bytes written, all archives */
	uint64_t budget;        /* cap on total: max_total, or less by the
	                           expansion ratio (by_ratio) */
	bool by_ratio;
	uint64_t image_size;    /* compressed, for messages */
	unsigned char *buf;     /* IMG_TGZ_IOBUF copy buffer */
};

void
img_sc_limits_default(struct img_sc_limits *lim)
{
	lim->max_file = IMG_SC_MAX_FILE;
	lim->max_total = IMG_SC_MAX_TOTAL;
	lim->max_ovf = IMG_SC_MAX_OVF;
	lim->max_members = IMG_SC_MAX_MEMBERS;
	lim->max_ratio = IMG_SC_MAX_RATIO;
	lim->ratio_slack = IMG_SC_RATIO_SLACK;
}

/* What all members together may take, for a compressed image of size
 * bytes. */
static void
sc_budget(struct sc_ctx *c, uint64_t size)
{
	const struct img_sc_limits *lim = c->lim;
	uint64_t b;

	c->budget = lim->max_total;
	c->by_ratio = false;
	c->image_size = size;
	if (lim->max_ratio == 0)
		return;
	if (size > (UINT64_MAX - lim->ratio_slack) / lim->max_ratio)
		return;
	b = size * lim->max_ratio + lim->ratio_slack;
	if (b < c->budget) {
		c->budget = b;
		c->by_ratio = true;
	}
}

static bool
sc_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n > m && strcasecmp(name + n - m, suffix) == 0;
}

/* Validates a member name (len bytes, may hold anything) and reduces it
 * to one flat component.  *out is NULL for the archive root ("." or
 * "./"), which only a directory may name. */
static int
sc_member_name(char **out, const char *raw, size_t len, bool is_dir,
               struct err *err)
{
	char q[160];
	const char *p, *end = raw + len, *comp = NULL, *slash;
	size_t i, clen = 0, ncomp = 0;

	*out = NULL;
	quote_bytes(q, sizeof(q), raw, len);
	if (len == 0)
		return err_set(err, ERR_EUNSAFE,
			       "member with an empty name refused");
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)raw[i];

		if (ch < 0x20 || ch == 0x7f)
			return err_set(err, ERR_EUNSAFE,
				       "member '%s' refused: control or NUL "
				       "character in its name", q);
	}
	if (raw[0] == '/')
		return err_set(err, ERR_EUNSAFE,
			       "member '%s' refused: absolute path", q);
	for (p = raw; p < end; p = slash + 1) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		if (slash - p == 2 && p[0] == '.' && p[1] == '.')
			return err_set(err, ERR_EUNSAFE,
				       "member '%s' refused: '..' in path", q);
		if (slash - p == 0 || (slash - p == 1 && p[0] == '.'))
			continue;
		comp = p;
		clen = (size_t)(slash - p);
		ncomp++;
	}
	if (!is_dir && raw[len - 1] == '/')
		return err_set(err, ERR_EUNSAFE,
			       "member '%s' refused: file name ends in '/'",
			       q);
	if (ncomp == 0) {
		if (is_dir)
			return 0;
		return err_set(err, ERR_EUNSAFE,
			       "member '%s' refused: empty file name", q);
	}
	if (ncomp > 1)
		return err_set(err, ERR_EUNSAFE,
			       "member '%s' refused: subdirectories are not "
			       "supported in a stemcell image", q);
	if (clen > SC_NAME_MAX)
		return err_set(err, ERR_EUNSAFE,
			       "member '%s' refused: name too long", q);
	*out = strndup(comp, clen);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* Creates name in the directory and copies size bytes into it.  The
 * name is recorded in img (and so removed on failure) as soon as the
 * file exists. */
static int
sc_extract_file(struct sc_ctx *c, struct img_tar *t, char *name,
                uint64_t size, const char *q, struct err *err)
{
	struct img_sc_image *img = c->img;
	struct img_sc_file *grown;
	int fd = -1, rc = 0;

	if (img->nfiles >= SC_MAX_FILES) {
		free(name);
		return err_set(err, ERR_ELIMIT,
			       "%s: more than %d files in the image",
			       t->src->label, SC_MAX_FILES);
	}
	grown = realloc(img->files, (img->nfiles + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(name);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	img->files = grown;
	fd = openat(c->dirfd, name,
	            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	            0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = err_set(err, ERR_EUNSAFE,
				     "%s: member '%s' appears twice",
				     t->src->label, q);
		else
			rc = err_set(err, ERR_EIO, "creating '%s': %s", q,
				     strerror(errno));
		free(name);
		return rc;
	}
	img->files[img->nfiles].name = name;
	img->files[img->nfiles].size = size;
	img->nfiles++;
	rc = img_tar_copy(t, fd, size, q, err);
	if (close(fd) < 0 && rc == 0)
		rc = err_set(err, ERR_EIO, "closing '%s': %s", q,
			     strerror(errno));
	return rc;
}

/* One regular-file member: checks caps, then extracts. */
static int
sc_regular(struct sc_ctx *c, struct img_tar *t, char *name, uint64_t size,
           const char *q, struct err *err)
{
	const struct img_sc_limits *lim = c->lim;
	const char *label = t->src->label;

	if (size > lim->max_file) {
		free(name);
		return err_set(err, ERR_ELIMIT,
			       "%s: member '%s' is too large (%llu bytes, "
			       "limit %llu)", label, q,
			       (unsigned long long)size,
			       (unsigned long long)lim->max_file);
	}
	if (sc_has_suffix(name, ".ovf") && size > lim->max_ovf) {
		free(name);
		return err_set(err, ERR_ELIMIT,
			       "%s: descriptor '%s' is too large (%llu bytes, "
			       "limit %llu)", label, q,
			       (unsigned long long)size,
			       (unsigned long long)lim->max_ovf);
	}
	if (size > c->budget - c->total && c->by_ratio) {
		free(name);
		return err_set(err, ERR_ELIMIT,
			       "%s: member '%s' (%llu bytes) takes the image "
			       "over %llu bytes unpacked: more than %llu times "
			       "its %llu compressed bytes plus %llu, refused "
			       "as a likely gzip bomb", label, q,
			       (unsigned long long)size,
			       (unsigned long long)c->budget,
			       (unsigned long long)lim->max_ratio,
			       (unsigned long long)c->image_size,
			       (unsigned long long)lim->ratio_slack);
	}
	if (size > c->budget - c->total) {
		free(name);
		return err_set(err, ERR_ELIMIT,
			       "%s: member '%s' takes the image over its size "
			       "limit of %llu bytes", label, q,
			       (unsigned long long)lim->max_total);
	}
	c->total += size;
	return sc_extract_file(c, t, name, size, q, err);
}

/* One member: a regular file is extracted, the archive's root
 * directory is skipped, anything else is refused. */
static int
sc_entry(struct sc_ctx *c, struct img_tar *t, const struct img_tar_entry *e,
         struct err *err)
{
	const char *label = t->src->label;
	char *name = NULL;
	int rc;

	switch (e->type) {
	case '0':
	case '\0':
	case '7':
	case '5':
		break;
	default:
		return err_set(err, ERR_EUNSAFE,
			       "%s: member '%s' refused: %s member (type "
			       "'%c') not allowed, only regular files", label,
			       e->q, img_tar_type_name(e->type),
			       e->type >= 0x20 && e->type < 0x7f ? e->type :
			       '?');
	}
	rc = sc_member_name(&name, e->name, e->name_len, e->type == '5', err);
	if (rc < 0)
		return rc;
	if (e->type != '5')
		return sc_regular(c, t, name, e->size, e->q, err);
	if (name != NULL)
		rc = err_set(err, ERR_EUNSAFE,
			     "%s: directory member '%s' refused: "
			     "subdirectories are not supported in a stemcell "
			     "image", label, e->q);
	else if (e->size != 0)
		rc = err_set(err, ERR_EFORMAT,
			     "%s: directory member '%s' has data", label,
			     e->q);
	free(name);
	return rc;
}

/* Extracts every member of the archive s. */
static int
sc_tar(struct sc_ctx *c, struct img_src *s, struct err *err)
{
	struct img_tar t;
	struct img_tar_entry e;
	int rc;

	img_tar_init(&t, s, c->buf, c->lim->max_members);
	memset(&e, 0, sizeof(e));
	for (;;) {
		rc = img_tar_next(&e, &t, err);
		if (rc <= 0)
			break;
		rc = sc_entry(c, &t, &e, err);
		img_tar_entry_clear(&e);
		if (rc < 0)
			break;
	}
	img_tar_entry_clear(&e);
	img_tar_end(&t);
	return rc;
}

/* --- image -------------------------------------------------------- */

static void
sc_remove_files(struct img_sc_image *img, int dirfd)
{
	size_t i;

	for (i = 0; i < img->nfiles; i++) {
		if (dirfd >= 0)
			unlinkat(dirfd, img->files[i].name, 0);
		free(img->files[i].name);
	}
	free(img->files);
	img->files = NULL;
	img->nfiles = 0;
}

void
img_sc_image_free(struct img_sc_image *img)
{
	int dirfd = -1;

	if (img == NULL)
		return;
	if (img->dir != NULL)
		dirfd = open(img->dir,
		             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sc_remove_files(img, dirfd);
	if (dirfd >= 0) {
		close(dirfd);
		rmdir(img->dir);
	}
	free(img->dir);
	free(img->ovf_path);
	free(img);
}

int64_t
img_sc_image_file_size(const struct img_sc_image *img, const char *name)
{
	size_t i;

	if (img == NULL || name == NULL)
		return -1;
	for (i = 0; i < img->nfiles; i++) {
		if (strcmp(img->files[i].name, name) == 0)
			return (int64_t)img->files[i].size;
	}
	return -1;
}

/* Unpacks the only .ova (a plain tar) into the same directory and
 * removes it, when the image holds no .ovf of its own. */
static int
sc_inner_ova(struct sc_ctx *c, struct err *err)
{
	struct img_sc_image *img = c->img;
	struct img_src s;
	size_t i, ova = SIZE_MAX, novf = 0, nova = 0;
	char *ova_name, label[SC_NAME_MAX + 1];
	int fd = -1, rc = 0;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < img->nfiles; i++) {
		if (sc_has_suffix(img->files[i].name, ".ovf"))
			novf++;
		if (sc_has_suffix(img->files[i].name, ".ova")) {
			nova++;
			ova = i;
		}
	}
	if (novf > 0 || nova != 1)
		return 0;
	fd = openat(c->dirfd, img->files[ova].name,
	            O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_EIO, "opening '%s': %s",
			       img->files[ova].name, strerror(errno));
	/* sc_tar() may move img->files: label is a copy. */
	snprintf(label, sizeof(label), "%s", img->files[ova].name);
	img_src_open_plain(&s, fd, label);
	rc = sc_tar(c, &s, err);
	close(fd);
	if (rc < 0)
		return rc;
	/* Files were appended; the .ova entry keeps its index. */
	ova_name = img->files[ova].name;
	unlinkat(c->dirfd, ova_name, 0);
	free(ova_name);
	memmove(img->files + ova, img->files + ova + 1,
	        (img->nfiles - ova - 1) * sizeof(*img->files));
	img->nfiles--;
	return 0;
}

static int
sc_find_ovf(struct img_sc_image *img, struct err *err)
{
	size_t i, n = 0, at = 0, len;

	for (i = 0; i < img->nfiles; i++) {
		if (sc_has_suffix(img->files[i].name, ".ovf")) {
			n++;
			at = i;
		}
	}
	if (n == 0)
		return err_set(err, ERR_ENOOVF,
			       "no .ovf descriptor in the stemcell image");
	if (n > 1)
		return err_set(err, ERR_ENOOVF,
			       "%zu .ovf descriptors in the stemcell image, "
			       "expected one", n);
	len = strlen(img->dir) + 1 + strlen(img->files[at].name) + 1;
	img->ovf_path = malloc(len);
	if (img->ovf_path == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(img->ovf_path, len, "%s/%s", img->dir, img->files[at].name);
	return 0;
}

static int
sc_make_dir(struct img_sc_image *img, int *dirfd, const char *workdir,
            struct err *err)
{
	static const char tmpl[] = "/stemcell-XXXXXX";
	size_t wlen = strlen(workdir);

	if (wlen == 0 || wlen > PATH_MAX - sizeof(tmpl))
		return err_set(err, ERR_EINVAL, "bad work directory");
	img->dir = malloc(wlen + sizeof(tmpl));
	if (img->dir == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	memcpy(img->dir, workdir, wlen);
	memcpy(img->dir + wlen, tmpl, sizeof(tmpl));
	if (mkdtemp(img->dir) == NULL) {
		free(img->dir);
		img->dir = NULL;
		return err_set(err, ERR_EIO,
			       "creating a directory under '%s': %s", workdir,
			       strerror(errno));
	}
	*dirfd = open(img->dir,
	              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*dirfd < 0) {
		int e = errno;

		rmdir(img->dir);
		free(img->dir);
		img->dir = NULL;
		return err_set(err, ERR_EIO, "opening '%s': %s", workdir,
			       strerror(e));
	}
	return 0;
}

/* Opens image_path for reading: a regular file only.  *size_out: its
 * (compressed) size. */
static int
sc_open_image(int *fd_out, uint64_t *size_out, const char *image_path,
              struct err *err)
{
	struct stat st;
	int fd, rc = 0;

	/* O_NONBLOCK: opening a FIFO (or a device) must not wait for a
	 * writer; anything but a regular file is refused before a read. */
	fd = open(image_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_set(err, ERR_EIO, "opening the stemcell image: %s",
			       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = err_set(err, ERR_EINVAL,
			     "the stemcell image is not a regular file");
		goto cleanup;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		rc = err_set(err, ERR_EIO, "opening the stemcell image: %s",
			     strerror(errno));
		goto cleanup;
	}
	*size_out = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	*fd_out = fd;
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Removes what a failed unpack created and frees img. */
static void
sc_discard(struct img_sc_image *img, int dirfd)
{
	if (img == NULL)
		return;
	sc_remove_files(img, dirfd);
	if (img->dir != NULL)
		rmdir(img->dir);
	free(img->dir);
	free(img->ovf_path);
	free(img);
}

/* The steps of an unpack, once the image is open: the archive, an
 * inner .ova, the descriptor. */
static int
sc_unpack_fd(struct sc_ctx *c, int fd, const char *workdir,
             struct err *err)
{
	struct img_src s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = img_src_open_gz(&s, fd, "stemcell image", err);
	if (rc < 0)
		goto cleanup;
	rc = sc_make_dir(c->img, &c->dirfd, workdir, err);
	if (rc < 0)
		goto cleanup;
	rc = sc_tar(c, &s, err);
	if (rc < 0)
		goto cleanup;
	rc = sc_inner_ova(c, err);
	if (rc < 0)
		goto cleanup;
	rc = sc_find_ovf(c->img, err);
cleanup:
	img_src_close(&s);
	return rc;
}

int
img_sc_unpack_limits(struct img_sc_image **out, const char *image_path,
                     const char *workdir, const struct img_sc_limits *lim,
                     struct err *err)
{
	struct img_sc_limits deflim;
	struct sc_ctx c;
	uint64_t size = 0;
	int fd = -1, rc = 0;

	memset(&c, 0, sizeof(c));
	c.dirfd = -1;
	if (out == NULL || image_path == NULL || workdir == NULL)
		return err_set(err, ERR_EINVAL, "missing argument");
	if (lim == NULL) {
		img_sc_limits_default(&deflim);
		lim = &deflim;
	}
	c.lim = lim;
	rc = sc_open_image(&fd, &size, image_path, err);
	if (rc < 0)
		goto cleanup;
	sc_budget(&c, size);
	c.buf = malloc(IMG_TGZ_IOBUF);
	c.img = calloc(1, sizeof(*c.img));
	if (c.buf == NULL || c.img == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = sc_unpack_fd(&c, fd, workdir, err);
	if (rc < 0)
		goto cleanup;
	*out = c.img;
	c.img = NULL;
cleanup:
	sc_discard(c.img, c.dirfd);
	if (c.dirfd >= 0)
		close(c.dirfd);
	if (fd >= 0)
		close(fd);
	free(c.buf);
	return rc;
}

int
img_sc_unpack(struct img_sc_image **out, const char *image_path,
              const char *workdir, struct err *err)
{
	return img_sc_unpack_limits(out, image_path, workdir, NULL, err);
}

/*
 * cpi/stemcell_image.c: gzip + tar reader for untrusted stemcell images.
 *
 * The gzip stream (one or more members) is inflated with zlib and fed,
 * block by block, to a small tar reader that understands POSIX ustar,
 * GNU ustar with GNU long names ('L', 'K') and pax extended headers ('x',
 * 'g': only "path" and "size" are used).  Only regular files are written,
 * flat, with openat(O_CREAT|O_EXCL|O_NOFOLLOW) relative to the private
 * directory, so no member can land outside it or write through a link.
 * Every created name is recorded before any byte is written, which is what
 * lets failures and cpi_sc_image_free() remove exactly what was created.
 */
#include "cpi/stemcell_image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#define SC_BLOCK 512
#define SC_IOBUF (64 * 1024)
#define SC_LONGNAME_MAX 4096        /* GNU 'L'/'K' data */
#define SC_PAX_MAX (64 * 1024)      /* pax 'x'/'g' data */
#define SC_NAME_MAX 255             /* one extracted file name */
#define SC_TRAILER_MAX (1024 * 1024) /* data read after end of archive */
#define SC_MAX_FILES 64             /* entries in one image */

/* Where tar blocks come from: a gzip stream or a plain file. */
struct sc_src {
	int fd;
	bool gz;
	bool zinit;
	bool in_eof;            /* read() returned 0 */
	bool z_end;             /* last gzip member done, nothing follows */
	z_stream zs;
	unsigned char *in;      /* SC_IOBUF bytes of compressed input */
	const char *label;      /* "image" or the inner archive's name */
};

struct sc_ctx {
	const struct cpi_sc_limits *lim;
	int dirfd;
	struct cpi_sc_image *img;
	uint64_t total;         /* member bytes written, all archives */
	uint64_t budget;        /* cap on total: max_total, or less by the
	                           expansion ratio (by_ratio) */
	bool by_ratio;
	uint64_t image_size;    /* compressed, for messages */
	unsigned char *buf;     /* SC_IOBUF copy buffer */
};

static int sc_error(struct err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets err once (cpi_err_set keeps the first message) and returns
 * code. */
static int
sc_error(struct err *err, int code, const char *fmt, ...)
{
	enum cpi_error_type type = CPI_ERROR_CPI;
	char msg[512];
	va_list ap;

	if (code >= 0)
		code = ERR_FAIL;
	if (err == NULL || err_is_set(err))
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (code == ERR_EIO || code == ERR_ENOMEM || code == ERR_FAIL)
		type = CPI_ERROR_CLOUD;
	cpi_err_set(err, type, false, "%s", msg);
	return code;
}

void
cpi_sc_limits_default(struct cpi_sc_limits *lim)
{
	lim->max_file = CPI_SC_MAX_FILE;
	lim->max_total = CPI_SC_MAX_TOTAL;
	lim->max_ovf = CPI_SC_MAX_OVF;
	lim->max_members = CPI_SC_MAX_MEMBERS;
	lim->max_ratio = CPI_SC_MAX_RATIO;
	lim->ratio_slack = CPI_SC_RATIO_SLACK;
}

/* What all members together may take, for a compressed image of size
 * bytes. */
static void
sc_budget(struct sc_ctx *c, uint64_t size)
{
	const struct cpi_sc_limits *lim = c->lim;
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

/* A member name made printable for messages: bytes outside printable
 * ASCII become \xHH, long names are cut with "...". */
static void
sc_quote(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (o + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'') {
			buf[o++] = (char)ch;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		}
	}
	buf[o] = '\0';
}

static bool
sc_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n > m && strcasecmp(name + n - m, suffix) == 0;
}

/* --- sources ------------------------------------------------------ */

static int
sc_fd_read(int fd, unsigned char *buf, size_t n, size_t *got,
           const char *label, struct err *err)
{
	ssize_t r;

	for (;;) {
		r = read(fd, buf, n);
		if (r >= 0)
			break;
		if (errno != EINTR)
			return sc_error(err, ERR_EIO, "reading %s: %s",
			                label, strerror(errno));
	}
	*got = (size_t)r;
	return 0;
}

static int
sc_gz_fill(struct sc_src *s, struct err *err)
{
	size_t got = 0;
	int rc;

	if (s->zs.avail_in > 0 || s->in_eof)
		return 0;
	rc = sc_fd_read(s->fd, s->in, SC_IOBUF, &got, s->label, err);
	if (rc < 0)
		return rc;
	if (got == 0)
		s->in_eof = true;
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)got;
	return 0;
}

/* After one gzip member: another must follow directly, or the file
 * ends. */
static int
sc_gz_next_member(struct sc_src *s, struct err *err)
{
	int rc;

	rc = sc_gz_fill(s, err);
	if (rc < 0)
		return rc;
	if (s->zs.avail_in == 0) {
		s->z_end = true;
		return 0;
	}
	if (s->zs.next_in[0] != 0x1f)
		return sc_error(err, ERR_EFORMAT,
		                "%s: unexpected data after the gzip stream",
		                s->label);
	if (inflateReset(&s->zs) != Z_OK)
		return sc_error(err, ERR_FAIL, "%s: inflateReset failed",
		                s->label);
	return 0;
}

static int
sc_gz_read(struct sc_src *s, unsigned char *buf, size_t n, size_t *got,
           struct err *err)
{
	size_t done = 0, chunk, made;
	int rc, zr;

	while (done < n && !s->z_end) {
		rc = sc_gz_fill(s, err);
		if (rc < 0)
			return rc;
		chunk = n - done;
		if (chunk > UINT_MAX)
			chunk = UINT_MAX;
		s->zs.next_out = buf + done;
		s->zs.avail_out = (uInt)chunk;
		zr = inflate(&s->zs, Z_NO_FLUSH);
		made = chunk - s->zs.avail_out;
		done += made;
		if (zr == Z_STREAM_END) {
			rc = sc_gz_next_member(s, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (zr == Z_MEM_ERROR)
			return sc_error(err, ERR_ENOMEM,
			                "%s: out of memory inflating",
			                s->label);
		if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT)
			return sc_error(err, ERR_EFORMAT,
			                "%s: corrupt gzip data (%s)", s->label,
			                s->zs.msg != NULL ? s->zs.msg :
			                "bad stream");
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return sc_error(err, ERR_FAIL,
			                "%s: inflate failed (%d)", s->label,
			                zr);
		if (made == 0 && s->zs.avail_in == 0 && s->in_eof)
			return sc_error(err, ERR_ETRUNC,
			                "%s: gzip stream is truncated",
			                s->label);
	}
	*got = done;
	return 0;
}

/* Reads up to n bytes; fewer only when the data ends. */
static int
sc_src_read(struct sc_src *s, unsigned char *buf, size_t n, size_t *got,
            struct err *err)
{
	size_t done = 0, part;
	int rc;

	if (s->gz)
		return sc_gz_read(s, buf, n, got, err);
	while (done < n) {
		rc = sc_fd_read(s->fd, buf + done, n - done, &part, s->label,
		                err);
		if (rc < 0)
			return rc;
		if (part == 0)
			break;
		done += part;
	}
	*got = done;
	return 0;
}

static int
sc_src_open_gz(struct sc_src *s, int fd, const char *label,
               struct err *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->gz = true;
	s->label = label;
	s->in = malloc(SC_IOBUF);
	if (s->in == NULL)
		return sc_error(err, ERR_ENOMEM, "out of memory");
	rc = sc_gz_fill(s, err);
	if (rc < 0)
		return rc;
	if (s->zs.avail_in == 0)
		return sc_error(err, ERR_EFORMAT,
		                "%s is empty, not a gzip file", label);
	if (s->zs.avail_in < 2 || s->in[0] != 0x1f || s->in[1] != 0x8b)
		return sc_error(err, ERR_EFORMAT,
		                "%s is not a gzip file (bad magic)", label);
	if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
		return sc_error(err, ERR_ENOMEM, "inflateInit2 failed");
	s->zinit = true;
	return 0;
}

static void
sc_src_close(struct sc_src *s)
{
	if (s->zinit)
		inflateEnd(&s->zs);
	free(s->in);
	s->in = NULL;
	s->zinit = false;
}

/* --- tar headers -------------------------------------------------- */

/* An octal field (optionally space/NUL padded) or a GNU base-256 one. */
static int
sc_parse_num(uint64_t *out, const unsigned char *f, size_t len)
{
	uint64_t v = 0;
	size_t i = 0;
	bool digits = false;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -1;          /* negative or reserved */
		for (i = 1; i < len; i++) {
			if (v >> 55)
				return -1;
			v = (v << 8) | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = (v << 3) | (uint64_t)(f[i] - '0');
		digits = true;
	}
	for (; i < len; i++) {
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

static bool
sc_checksum_ok(const unsigned char *h)
{
	uint64_t stored;
	unsigned long usum = 0;
	long ssum = 0;
	size_t i;

	if (sc_parse_num(&stored, h + 148, 8) < 0)
		return false;
	for (i = 0; i < SC_BLOCK; i++) {
		unsigned char b = (i >= 148 && i < 156) ? ' ' : h[i];

		usum += b;
		ssum += (signed char)b;
	}
	return stored == usum || (ssum >= 0 && stored == (uint64_t)ssum);
}

static bool
sc_all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
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
	sc_quote(q, sizeof(q), raw, len);
	if (len == 0)
		return sc_error(err, ERR_EUNSAFE,
		                "member with an empty name refused");
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)raw[i];

		if (ch < 0x20 || ch == 0x7f)
			return sc_error(err, ERR_EUNSAFE,
			                "member '%s' refused: control or NUL "
			                "character in its name", q);
	}
	if (raw[0] == '/')
		return sc_error(err, ERR_EUNSAFE,
		                "member '%s' refused: absolute path", q);
	for (p = raw; p < end; p = slash + 1) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		if (slash - p == 2 && p[0] == '.' && p[1] == '.')
			return sc_error(err, ERR_EUNSAFE,
			                "member '%s' refused: '..' in path", q);
		if (slash - p == 0 || (slash - p == 1 && p[0] == '.'))
			continue;
		comp = p;
		clen = (size_t)(slash - p);
		ncomp++;
	}
	if (!is_dir && raw[len - 1] == '/')
		return sc_error(err, ERR_EUNSAFE,
		                "member '%s' refused: file name ends in '/'",
		                q);
	if (ncomp == 0) {
		if (is_dir)
			return 0;
		return sc_error(err, ERR_EUNSAFE,
		                "member '%s' refused: empty file name", q);
	}
	if (ncomp > 1)
		return sc_error(err, ERR_EUNSAFE,
		                "member '%s' refused: subdirectories are not "
		                "supported in a stemcell image", q);
	if (clen > SC_NAME_MAX)
		return sc_error(err, ERR_EUNSAFE,
		                "member '%s' refused: name too long", q);
	*out = strndup(comp, clen);
	if (*out == NULL)
		return sc_error(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* Pending extension data for the next header. */
struct sc_ext {
	char *path;             /* GNU long name or pax path */
	size_t path_len;
	bool has_size;
	uint64_t size;          /* pax size */
};

static void
sc_ext_clear(struct sc_ext *x)
{
	free(x->path);
	memset(x, 0, sizeof(*x));
}

/* Reads a member's data (size bytes plus padding) into a new buffer. */
static int
sc_read_data(unsigned char **out, struct sc_src *s, uint64_t size,
             const char *what, struct err *err)
{
	size_t padded = (size_t)((size + SC_BLOCK - 1) / SC_BLOCK * SC_BLOCK);
	size_t got = 0;
	unsigned char *data = NULL;
	int rc;

	data = malloc(padded + 1);
	if (data == NULL)
		return sc_error(err, ERR_ENOMEM, "out of memory");
	rc = sc_src_read(s, data, padded, &got, err);
	if (rc < 0)
		goto cleanup;
	if (got < padded) {
		rc = sc_error(err, ERR_ETRUNC,
		              "%s: archive ends inside a %s header", s->label,
		              what);
		goto cleanup;
	}
	data[size] = '\0';
	*out = data;
	data = NULL;
cleanup:
	free(data);
	return rc;
}

static int
sc_parse_u64(uint64_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* pax records: "LEN key=value\n" where LEN counts the whole record. */
static int
sc_parse_pax(struct sc_ext *x, const unsigned char *data, size_t size,
             const char *label, struct err *err)
{
	const char *p = (const char *)data, *end = p + size;
	const char *sp, *eq, *rec_end, *val;
	uint64_t reclen;
	size_t klen;

	while (p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL || sc_parse_u64(&reclen, p,
		                               (size_t)(sp - p)) < 0 ||
		    reclen > (uint64_t)(end - p) ||
		    reclen < (uint64_t)(sp - p) + 4)
			break;
		rec_end = p + reclen;
		eq = memchr(sp + 1, '=', (size_t)(rec_end - sp - 1));
		if (rec_end[-1] != '\n' || eq == NULL || eq == sp + 1)
			break;
		klen = (size_t)(eq - sp - 1);
		val = eq + 1;
		if (klen == 4 && memcmp(sp + 1, "path", 4) == 0) {
			free(x->path);
			x->path_len = (size_t)(rec_end - 1 - val);
			/* Copied with its length: a NUL inside must reach
			 * the name check, not cut the name short. */
			x->path = malloc(x->path_len + 1);
			if (x->path == NULL)
				return sc_error(err, ERR_ENOMEM,
				                "out of memory");
			memcpy(x->path, val, x->path_len);
			x->path[x->path_len] = '\0';
		} else if (klen == 4 && memcmp(sp + 1, "size", 4) == 0) {
			if (sc_parse_u64(&x->size, val,
			                 (size_t)(rec_end - 1 - val)) < 0)
				break;
			x->has_size = true;
		}
		p = rec_end;
	}
	if (p < end)
		return sc_error(err, ERR_EFORMAT,
		                "%s: malformed pax header", label);
	return 0;
}

/* Reads and throws away n bytes. */
static int
sc_skip(struct sc_ctx *c, struct sc_src *s, uint64_t n, const char *q,
        struct err *err)
{
	size_t want, got = 0;
	int rc;

	while (n > 0) {
		want = n > SC_IOBUF ? SC_IOBUF : (size_t)n;
		rc = sc_src_read(s, c->buf, want, &got, err);
		if (rc < 0)
			return rc;
		if (got < want)
			return sc_error(err, ERR_ETRUNC,
			                "%s: archive ends inside member '%s'",
			                s->label, q);
		n -= want;
	}
	return 0;
}

static int
sc_write_all(int fd, const unsigned char *buf, size_t n, const char *q,
             struct err *err)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return sc_error(err, ERR_EIO, "writing '%s': %s", q,
			                w < 0 ? strerror(errno) :
			                "no progress");
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Creates name in the directory and copies size bytes into it.  The
 * name is recorded in img (and so removed on failure) as soon as the
 * file exists. */
static int
sc_extract_file(struct sc_ctx *c, struct sc_src *s, char *name,
                uint64_t size, const char *q, struct err *err)
{
	struct cpi_sc_image *img = c->img;
	struct cpi_sc_file *grown;
	size_t want, got = 0;
	uint64_t left = size;
	int fd = -1, rc = 0;

	if (img->nfiles >= SC_MAX_FILES) {
		free(name);
		return sc_error(err, ERR_ELIMIT,
		                "%s: more than %d files in the image",
		                s->label, SC_MAX_FILES);
	}
	grown = realloc(img->files, (img->nfiles + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(name);
		return sc_error(err, ERR_ENOMEM, "out of memory");
	}
	img->files = grown;
	fd = openat(c->dirfd, name,
	            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	            0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = sc_error(err, ERR_EUNSAFE,
			              "%s: member '%s' appears twice", s->label,
			              q);
		else
			rc = sc_error(err, ERR_EIO, "creating '%s': %s", q,
			              strerror(errno));
		free(name);
		return rc;
	}
	img->files[img->nfiles].name = name;
	img->files[img->nfiles].size = size;
	img->nfiles++;
	while (left > 0) {
		want = left > SC_IOBUF ? SC_IOBUF : (size_t)left;
		rc = sc_src_read(s, c->buf, want, &got, err);
		if (rc < 0)
			goto cleanup;
		if (got < want) {
			rc = sc_error(err, ERR_ETRUNC,
			              "%s: archive ends inside member '%s' "
			              "(%llu of %llu bytes)", s->label, q,
			              (unsigned long long)(size - left + got),
			              (unsigned long long)size);
			goto cleanup;
		}
		rc = sc_write_all(fd, c->buf, want, q, err);
		if (rc < 0)
			goto cleanup;
		left -= want;
	}
	rc = sc_skip(c, s, (SC_BLOCK - size % SC_BLOCK) % SC_BLOCK, q, err);
cleanup:
	if (close(fd) < 0 && rc == 0)
		rc = sc_error(err, ERR_EIO, "closing '%s': %s", q,
		              strerror(errno));
	return rc;
}

/* The member's full name from the header: pending extension name, else
 * ustar prefix + name.  *raw is malloc'd. */
static int
sc_header_name(char **raw, size_t *len, const unsigned char *h,
               struct sc_ext *x, bool posix, struct err *err)
{
	size_t nlen, plen = 0;
	char *s;

	if (x->path != NULL) {
		*raw = x->path;
		*len = x->path_len;
		x->path = NULL;
		x->path_len = 0;
		return 0;
	}
	nlen = strnlen((const char *)h, 100);
	if (posix)
		plen = strnlen((const char *)h + 345, 155);
	s = malloc(plen + 1 + nlen + 1);
	if (s == NULL)
		return sc_error(err, ERR_ENOMEM, "out of memory");
	*len = 0;
	if (plen > 0) {
		memcpy(s, h + 345, plen);
		s[plen] = '/';
		*len = plen + 1;
	}
	memcpy(s + *len, h, nlen);
	*len += nlen;
	s[*len] = '\0';
	*raw = s;
	return 0;
}

static const char *
sc_type_name(unsigned char t)
{
	switch (t) {
	case '1':
		return "hard link";
	case '2':
		return "symbolic link";
	case '3':
		return "character device";
	case '4':
		return "block device";
	case '6':
		return "FIFO";
	case 'S':
		return "GNU sparse file";
	case 'V':
		return "volume label";
	case 'M':
		return "multi-volume continuation";
	default:
		return "unsupported";
	}
}

/* Reads after the end-of-archive marker (zero padding, the gzip trailer)
 * so that gzip integrity is checked, within a cap. */
static int
sc_drain(struct sc_ctx *c, struct sc_src *s, struct err *err)
{
	size_t got = 0, total = 0;
	int rc;

	do {
		rc = sc_src_read(s, c->buf, SC_IOBUF, &got, err);
		if (rc < 0)
			return rc;
		total += got;
		if (total > SC_TRAILER_MAX)
			return sc_error(err, ERR_ELIMIT,
			                "%s: more than %d bytes after the "
			                "end of the archive", s->label,
			                SC_TRAILER_MAX);
	} while (got == SC_IOBUF);
	return 0;
}

/* One regular-file member: checks caps, then extracts. */
static int
sc_regular(struct sc_ctx *c, struct sc_src *s, char *name, uint64_t size,
           const char *q, struct err *err)
{
	const struct cpi_sc_limits *lim = c->lim;

	if (size > lim->max_file) {
		free(name);
		return sc_error(err, ERR_ELIMIT,
		                "%s: member '%s' is too large (%llu bytes, "
		                "limit %llu)", s->label, q,
		                (unsigned long long)size,
		                (unsigned long long)lim->max_file);
	}
	if (sc_has_suffix(name, ".ovf") && size > lim->max_ovf) {
		free(name);
		return sc_error(err, ERR_ELIMIT,
		                "%s: descriptor '%s' is too large (%llu bytes, "
		                "limit %llu)", s->label, q,
		                (unsigned long long)size,
		                (unsigned long long)lim->max_ovf);
	}
	if (size > c->budget - c->total && c->by_ratio) {
		free(name);
		return sc_error(err, ERR_ELIMIT,
		                "%s: member '%s' (%llu bytes) takes the image "
		                "over %llu bytes unpacked: more than %llu times "
		                "its %llu compressed bytes plus %llu, refused "
		                "as a likely gzip bomb", s->label, q,
		                (unsigned long long)size,
		                (unsigned long long)c->budget,
		                (unsigned long long)lim->max_ratio,
		                (unsigned long long)c->image_size,
		                (unsigned long long)lim->ratio_slack);
	}
	if (size > c->budget - c->total) {
		free(name);
		return sc_error(err, ERR_ELIMIT,
		                "%s: member '%s' takes the image over its size "
		                "limit of %llu bytes", s->label, q,
		                (unsigned long long)lim->max_total);
	}
	c->total += size;
	return sc_extract_file(c, s, name, size, q, err);
}

/* Processes one (non-zero) header block h and the member's data.
 * Extension headers fill x for the member that follows. */
static int
sc_member(struct sc_ctx *c, struct sc_src *s, const unsigned char *h,
          struct sc_ext *x, struct err *err)
{
	unsigned char type = h[156], *data = NULL;
	char *raw = NULL, *name = NULL, q[160];
	size_t rawlen = 0;
	uint64_t size;
	bool posix;
	int rc = 0;

	sc_quote(q, sizeof(q), (const char *)h, strnlen((const char *)h, 100));
	if (!sc_checksum_ok(h))
		return sc_error(err, ERR_EFORMAT,
		                "%s: bad tar header checksum (member '%s')",
		                s->label, q);
	posix = memcmp(h + 257, "ustar\0" "00", 8) == 0;
	if (!posix && memcmp(h + 257, "ustar  \0", 8) != 0)
		return sc_error(err, ERR_EFORMAT,
		                "%s: not a ustar archive (member '%s')",
		                s->label, q);
	if (sc_parse_num(&size, h + 124, 12) < 0)
		return sc_error(err, ERR_EFORMAT,
		                "%s: bad size field (member '%s')", s->label,
		                q);
	switch (type) {
	case 'L':
	case 'K':
		if (size == 0 || size > SC_LONGNAME_MAX)
			return sc_error(err, ERR_ELIMIT,
			                "%s: GNU long name of %llu bytes "
			                "refused", s->label,
			                (unsigned long long)size);
		rc = sc_read_data(&data, s, size, "long name", err);
		if (rc < 0)
			return rc;
		if (type == 'L') {
			free(x->path);
			x->path_len = strnlen((char *)data, (size_t)size);
			if (!sc_all_zero(data + x->path_len,
			                 (size_t)size - x->path_len)) {
				x->path = NULL;
				rc = sc_error(err, ERR_EUNSAFE,
				              "%s: member name with a NUL "
				              "character refused", s->label);
				break;
			}
			x->path = (char *)data;
			data = NULL;
		}
		break;
	case 'x':
	case 'g':
		if (size > SC_PAX_MAX)
			return sc_error(err, ERR_ELIMIT,
			                "%s: pax header of %llu bytes refused",
			                s->label, (unsigned long long)size);
		rc = sc_read_data(&data, s, size, "pax", err);
		if (rc < 0)
			return rc;
		if (type == 'x')
			rc = sc_parse_pax(x, data, (size_t)size, s->label, err);
		break;
	case '0':
	case '\0':
	case '7':
	case '5':
		if (x->has_size)
			size = x->size;
		rc = sc_header_name(&raw, &rawlen, h, x, posix, err);
		sc_ext_clear(x);
		if (rc < 0)
			break;
		sc_quote(q, sizeof(q), raw, rawlen);
		rc = sc_member_name(&name, raw, rawlen, type == '5', err);
		if (rc < 0)
			break;
		if (type == '5') {
			if (name != NULL)
				rc = sc_error(err, ERR_EUNSAFE,
				              "%s: directory member '%s' "
				              "refused: subdirectories are "
				              "not supported in a stemcell "
				              "image", s->label, q);
			else if (size != 0)
				rc = sc_error(err, ERR_EFORMAT,
				              "%s: directory member '%s' "
				              "has data", s->label, q);
			break;
		}
		rc = sc_regular(c, s, name, size, q, err);
		name = NULL;
		break;
	default:
		if (x->path != NULL)
			sc_quote(q, sizeof(q), x->path, x->path_len);
		rc = sc_error(err, ERR_EUNSAFE,
		              "%s: member '%s' refused: %s member (type '%c') "
		              "not allowed, only regular files", s->label, q,
		              sc_type_name(type),
		              type >= 0x20 && type < 0x7f ? type : '?');
		break;
	}
	free(data);
	free(raw);
	free(name);
	return rc;
}

static int
sc_tar(struct sc_ctx *c, struct sc_src *s, struct err *err)
{
	unsigned char h[SC_BLOCK];
	struct sc_ext x;
	size_t got = 0, headers = 0;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	for (;;) {
		rc = sc_src_read(s, h, SC_BLOCK, &got, err);
		if (rc < 0)
			goto cleanup;
		if (got < SC_BLOCK) {
			rc = sc_error(err, ERR_ETRUNC,
			              "%s: tar archive is truncated (no "
			              "end-of-archive marker)", s->label);
			goto cleanup;
		}
		if (sc_all_zero(h, SC_BLOCK)) {
			rc = sc_src_read(s, h, SC_BLOCK, &got, err);
			if (rc < 0)
				goto cleanup;
			if (got == SC_BLOCK && !sc_all_zero(h, SC_BLOCK)) {
				rc = sc_error(err, ERR_EFORMAT,
				              "%s: data after a zero tar block",
				              s->label);
				goto cleanup;
			}
			if (got == SC_BLOCK)
				rc = sc_drain(c, s, err);
			break;
		}
		if (++headers > c->lim->max_members) {
			rc = sc_error(err, ERR_ELIMIT,
			              "%s: more than %zu tar headers",
			              s->label, c->lim->max_members);
			goto cleanup;
		}
		rc = sc_member(c, s, h, &x, err);
		if (rc < 0)
			goto cleanup;
	}
cleanup:
	sc_ext_clear(&x);
	return rc;
}

/* --- image -------------------------------------------------------- */

static void
sc_remove_files(struct cpi_sc_image *img, int dirfd)
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
cpi_sc_image_free(struct cpi_sc_image *img)
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
cpi_sc_image_file_size(const struct cpi_sc_image *img, const char *name)
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
	struct cpi_sc_image *img = c->img;
	struct sc_src s;
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
		return sc_error(err, ERR_EIO, "opening '%s': %s",
		                img->files[ova].name, strerror(errno));
	/* sc_tar() may move img->files: label is a copy. */
	snprintf(label, sizeof(label), "%s", img->files[ova].name);
	s.fd = fd;
	s.label = label;
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
sc_find_ovf(struct cpi_sc_image *img, struct err *err)
{
	size_t i, n = 0, at = 0, len;

	for (i = 0; i < img->nfiles; i++) {
		if (sc_has_suffix(img->files[i].name, ".ovf")) {
			n++;
			at = i;
		}
	}
	if (n == 0)
		return sc_error(err, ERR_ENOOVF,
		                "no .ovf descriptor in the stemcell image");
	if (n > 1)
		return sc_error(err, ERR_ENOOVF,
		                "%zu .ovf descriptors in the stemcell image, "
		                "expected one", n);
	len = strlen(img->dir) + 1 + strlen(img->files[at].name) + 1;
	img->ovf_path = malloc(len);
	if (img->ovf_path == NULL)
		return sc_error(err, ERR_ENOMEM, "out of memory");
	snprintf(img->ovf_path, len, "%s/%s", img->dir, img->files[at].name);
	return 0;
}

static int
sc_make_dir(struct cpi_sc_image *img, int *dirfd, const char *workdir,
            struct err *err)
{
	static const char tmpl[] = "/stemcell-XXXXXX";
	size_t wlen = strlen(workdir);

	if (wlen == 0 || wlen > PATH_MAX - sizeof(tmpl))
		return sc_error(err, ERR_EINVAL, "bad work directory");
	img->dir = malloc(wlen + sizeof(tmpl));
	if (img->dir == NULL)
		return sc_error(err, ERR_ENOMEM, "out of memory");
	memcpy(img->dir, workdir, wlen);
	memcpy(img->dir + wlen, tmpl, sizeof(tmpl));
	if (mkdtemp(img->dir) == NULL) {
		free(img->dir);
		img->dir = NULL;
		return sc_error(err, ERR_EIO,
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
		return sc_error(err, ERR_EIO, "opening '%s': %s", workdir,
		                strerror(e));
	}
	return 0;
}

int
cpi_sc_unpack_limits(struct cpi_sc_image **out, const char *image_path,
                     const char *workdir, const struct cpi_sc_limits *lim,
                     struct err *err)
{
	struct cpi_sc_limits deflim;
	struct cpi_sc_image *img = NULL;
	struct sc_ctx c;
	struct sc_src s;
	struct stat st;
	int fd = -1, rc = 0;

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	c.dirfd = -1;
	if (out == NULL || image_path == NULL || workdir == NULL)
		return sc_error(err, ERR_EINVAL, "missing argument");
	if (lim == NULL) {
		cpi_sc_limits_default(&deflim);
		lim = &deflim;
	}
	c.lim = lim;
	/* O_NONBLOCK: opening a FIFO (or a device) must not wait for a
	 * writer; anything but a regular file is refused before a read. */
	fd = open(image_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = sc_error(err, ERR_EIO, "opening the stemcell image: %s",
		              strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = sc_error(err, ERR_EINVAL,
		              "the stemcell image is not a regular file");
		goto cleanup;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		rc = sc_error(err, ERR_EIO, "opening the stemcell image: %s",
		              strerror(errno));
		goto cleanup;
	}
	sc_budget(&c, st.st_size > 0 ? (uint64_t)st.st_size : 0);
	c.buf = malloc(SC_IOBUF);
	img = calloc(1, sizeof(*img));
	if (c.buf == NULL || img == NULL) {
		rc = sc_error(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	c.img = img;
	rc = sc_src_open_gz(&s, fd, "stemcell image", err);
	if (rc < 0)
		goto cleanup;
	rc = sc_make_dir(img, &c.dirfd, workdir, err);
	if (rc < 0)
		goto cleanup;
	rc = sc_tar(&c, &s, err);
	if (rc < 0)
		goto cleanup;
	rc = sc_inner_ova(&c, err);
	if (rc < 0)
		goto cleanup;
	rc = sc_find_ovf(img, err);
	if (rc < 0)
		goto cleanup;
	*out = img;
	img = NULL;
cleanup:
	sc_src_close(&s);
	if (img != NULL) {
		sc_remove_files(img, c.dirfd);
		if (img->dir != NULL)
			rmdir(img->dir);
		free(img->dir);
		free(img->ovf_path);
		free(img);
	}
	if (c.dirfd >= 0)
		close(c.dirfd);
	if (fd >= 0)
		close(fd);
	free(c.buf);
	return rc;
}

int
cpi_sc_unpack(struct cpi_sc_image **out, const char *image_path,
              const char *workdir, struct err *err)
{
	return cpi_sc_unpack_limits(out, image_path, workdir, NULL, err);
}

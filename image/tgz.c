/*
 * image/tgz.c: gzip + tar reader for untrusted archives (see tgz.h).
 */
#include "image/tgz.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/quote.h"

#define TAR_LONGNAME_MAX 4096        /* GNU 'L'/'K' data */
#define TAR_PAX_MAX (64 * 1024)      /* pax 'x'/'g' data */
#define TAR_TRAILER_MAX (1024 * 1024) /* data read after end of archive */

/* --- sources ------------------------------------------------------ */

static int
src_fd_read(int fd, unsigned char *buf, size_t n, size_t *got,
           const char *label, struct err *err)
{
	ssize_t r;

	for (;;) {
		r = read(fd, buf, n);
		if (r >= 0)
			break;
		if (errno != EINTR)
			return err_set(err, ERR_EIO, "reading %s: %s",
				       label, strerror(errno));
	}
	*got = (size_t)r;
	return 0;
}

static int
src_gz_fill(struct img_src *s, struct err *err)
{
	size_t got = 0;
	int rc;

	if (s->zs.avail_in > 0 || s->in_eof)
		return 0;
	rc = src_fd_read(s->fd, s->in, IMG_TGZ_IOBUF, &got, s->label, err);
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
src_gz_next_member(struct img_src *s, struct err *err)
{
	int rc;

	rc = src_gz_fill(s, err);
	if (rc < 0)
		return rc;
	if (s->zs.avail_in == 0) {
		s->z_end = true;
		return 0;
	}
	if (s->zs.next_in[0] != 0x1f)
		return err_set(err, ERR_EFORMAT,
			       "%s: unexpected data after the gzip stream",
			       s->label);
	if (inflateReset(&s->zs) != Z_OK)
		return err_set(err, ERR_FAIL, "%s: inflateReset failed",
			       s->label);
	return 0;
}

static int
src_gz_read(struct img_src *s, unsigned char *buf, size_t n, size_t *got,
           struct err *err)
{
	size_t done = 0, chunk, made;
	int rc, zr;

	while (done < n && !s->z_end) {
		rc = src_gz_fill(s, err);
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
			rc = src_gz_next_member(s, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (zr == Z_MEM_ERROR)
			return err_set(err, ERR_ENOMEM,
				       "%s: out of memory inflating",
				       s->label);
		if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT)
			return err_set(err, ERR_EFORMAT,
				       "%s: corrupt gzip data (%s)", s->label,
				       s->zs.msg != NULL ? s->zs.msg :
				       "bad stream");
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return err_set(err, ERR_FAIL,
				       "%s: inflate failed (%d)", s->label,
				       zr);
		if (made == 0 && s->zs.avail_in == 0 && s->in_eof)
			return err_set(err, ERR_ETRUNC,
				       "%s: gzip stream is truncated",
				       s->label);
	}
	*got = done;
	return 0;
}

int
img_src_read(struct img_src *s, unsigned char *buf, size_t n, size_t *got,
            struct err *err)
{
	size_t done = 0, part;
	int rc;

	if (s->gz)
		return src_gz_read(s, buf, n, got, err);
	while (done < n) {
		rc = src_fd_read(s->fd, buf + done, n - done, &part, s->label,
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

int
img_src_open_gz(struct img_src *s, int fd, const char *label,
               struct err *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->gz = true;
	s->label = label;
	s->in = malloc(IMG_TGZ_IOBUF);
	if (s->in == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = src_gz_fill(s, err);
	if (rc < 0)
		return rc;
	if (s->zs.avail_in == 0)
		return err_set(err, ERR_EFORMAT,
			       "%s is empty, not a gzip file", label);
	if (s->zs.avail_in < 2 || s->in[0] != 0x1f || s->in[1] != 0x8b)
		return err_set(err, ERR_EFORMAT,
			       "%s is not a gzip file (bad magic)", label);
	if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
		return err_set(err, ERR_ENOMEM, "inflateInit2 failed");
	s->zinit = true;
	return 0;
}

void
img_src_open_plain(struct img_src *s, int fd, const char *label)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->label = label;
}

void
img_src_close(struct img_src *s)
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
tar_parse_num(uint64_t *out, const unsigned char *f, size_t len)
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
tar_checksum_ok(const unsigned char *h)
{
	uint64_t stored;
	unsigned long usum = 0;
	long ssum = 0;
	size_t i;

	if (tar_parse_num(&stored, h + 148, 8) < 0)
		return false;
	for (i = 0; i < IMG_TGZ_BLOCK; i++) {
		unsigned char b = (i >= 148 && i < 156) ? ' ' : h[i];

		usum += b;
		ssum += (signed char)b;
	}
	return stored == usum || (ssum >= 0 && stored == (uint64_t)ssum);
}

static bool
tar_all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

static void
tar_ext_clear(struct img_tar_ext *x)
{
	free(x->path);
	memset(x, 0, sizeof(*x));
}

/* Reads a member's data (size bytes plus padding) into a new buffer. */
static int
tar_read_data(unsigned char **out, struct img_src *s, uint64_t size,
             const char *what, struct err *err)
{
	size_t padded = (size_t)((size + IMG_TGZ_BLOCK - 1) / IMG_TGZ_BLOCK *
	                         IMG_TGZ_BLOCK);
	size_t got = 0;
	unsigned char *data = NULL;
	int rc;

	data = malloc(padded + 1);
	if (data == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = img_src_read(s, data, padded, &got, err);
	if (rc < 0)
		goto cleanup;
	if (got < padded) {
		rc = err_set(err, ERR_ETRUNC,
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
tar_parse_u64(uint64_t *out, const char *s, size_t len)
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
tar_parse_pax(struct img_tar_ext *x, const unsigned char *data, size_t size,
             const char *label, struct err *err)
{
	const char *p = (const char *)data, *end = p + size;
	const char *sp, *eq, *rec_end, *val;
	uint64_t reclen;
	size_t klen;

	while (p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL || tar_parse_u64(&reclen, p,
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
				return err_set(err, ERR_ENOMEM,
					       "out of memory");
			memcpy(x->path, val, x->path_len);
			x->path[x->path_len] = '\0';
		} else if (klen == 4 && memcmp(sp + 1, "size", 4) == 0) {
			if (tar_parse_u64(&x->size, val,
			                 (size_t)(rec_end - 1 - val)) < 0)
				break;
			x->has_size = true;
		}
		p = rec_end;
	}
	if (p < end)
		return err_set(err, ERR_EFORMAT,
			       "%s: malformed pax header", label);
	return 0;
}

/* Reads and throws away n bytes. */
static int
tar_skip(struct img_tar *t, uint64_t n, const char *q,
         struct err *err)
{
	struct img_src *s = t->src;
	size_t want, got = 0;
	int rc;

	while (n > 0) {
		want = n > IMG_TGZ_IOBUF ? IMG_TGZ_IOBUF : (size_t)n;
		rc = img_src_read(s, t->buf, want, &got, err);
		if (rc < 0)
			return rc;
		if (got < want)
			return err_set(err, ERR_ETRUNC,
				       "%s: archive ends inside member '%s'",
				       s->label, q);
		n -= want;
	}
	return 0;
}

static int
tar_write_all(int fd, const unsigned char *buf, size_t n, const char *q,
             struct err *err)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_set(err, ERR_EIO, "writing '%s': %s", q,
				       w < 0 ? strerror(errno) :
				       "no progress");
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The member's full name from the header: pending extension name, else
 * ustar prefix + name.  *raw is malloc'd. */
static int
tar_header_name(char **raw, size_t *len, const unsigned char *h,
               struct img_tar_ext *x, bool posix, struct err *err)
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
		return err_set(err, ERR_ENOMEM, "out of memory");
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

const char *
img_tar_type_name(unsigned char t)
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
tar_drain(struct img_tar *t, struct err *err)
{
	struct img_src *s = t->src;
	size_t got = 0, total = 0;
	int rc;

	do {
		rc = img_src_read(s, t->buf, IMG_TGZ_IOBUF, &got, err);
		if (rc < 0)
			return rc;
		total += got;
		if (total > TAR_TRAILER_MAX)
			return err_set(err, ERR_ELIMIT,
				       "%s: more than %d bytes after the "
				       "end of the archive", s->label,
				       TAR_TRAILER_MAX);
	} while (got == IMG_TGZ_IOBUF);
	return 0;
}


/* --- the reader ---------------------------------------------------- */

void
img_tar_init(struct img_tar *t, struct img_src *s, unsigned char *buf,
             size_t max_headers)
{
	memset(t, 0, sizeof(*t));
	t->src = s;
	t->buf = buf;
	t->max_headers = max_headers;
}

void
img_tar_end(struct img_tar *t)
{
	tar_ext_clear(&t->x);
}

void
img_tar_entry_clear(struct img_tar_entry *e)
{
	free(e->name);
	memset(e, 0, sizeof(*e));
}

/* The next header block into h: 1, or 0 at the end-of-archive marker
 * (two zero blocks, or one at the end of the data). */
static int
tar_read_header(unsigned char *h, struct img_tar *t, struct err *err)
{
	struct img_src *s = t->src;
	size_t got = 0;
	int rc;

	rc = img_src_read(s, h, IMG_TGZ_BLOCK, &got, err);
	if (rc < 0)
		return rc;
	if (got < IMG_TGZ_BLOCK)
		return err_set(err, ERR_ETRUNC,
			       "%s: tar archive is truncated (no "
			       "end-of-archive marker)", s->label);
	if (!tar_all_zero(h, IMG_TGZ_BLOCK))
		return 1;
	rc = img_src_read(s, h, IMG_TGZ_BLOCK, &got, err);
	if (rc < 0)
		return rc;
	if (got == IMG_TGZ_BLOCK && !tar_all_zero(h, IMG_TGZ_BLOCK))
		return err_set(err, ERR_EFORMAT,
			       "%s: data after a zero tar block", s->label);
	if (got == IMG_TGZ_BLOCK)
		return tar_drain(t, err);
	return 0;
}

/* Checksum, magic and size of header h; *posix: POSIX (not GNU)
 * ustar.  q names the member. */
static int
tar_check_header(uint64_t *size, bool *posix, const unsigned char *h,
                 const char *label, const char *q, struct err *err)
{
	if (!tar_checksum_ok(h))
		return err_set(err, ERR_EFORMAT,
			       "%s: bad tar header checksum (member '%s')",
			       label, q);
	*posix = memcmp(h + 257, "ustar\0" "00", 8) == 0;
	if (!*posix && memcmp(h + 257, "ustar  \0", 8) != 0)
		return err_set(err, ERR_EFORMAT,
			       "%s: not a ustar archive (member '%s')",
			       label, q);
	if (tar_parse_num(size, h + 124, 12) < 0)
		return err_set(err, ERR_EFORMAT,
			       "%s: bad size field (member '%s')", label, q);
	return 0;
}

/* A GNU long name ('L': kept for the next member) or long link name
 * ('K': read and dropped). */
static int
tar_long_name(struct img_tar *t, unsigned char type, uint64_t size,
              struct err *err)
{
	struct img_tar_ext *x = &t->x;
	const char *label = t->src->label;
	unsigned char *data = NULL;
	int rc;

	if (size == 0 || size > TAR_LONGNAME_MAX)
		return err_set(err, ERR_ELIMIT,
			       "%s: GNU long name of %llu bytes refused",
			       label, (unsigned long long)size);
	rc = tar_read_data(&data, t->src, size, "long name", err);
	if (rc < 0)
		return rc;
	if (type == 'L') {
		free(x->path);
		x->path_len = strnlen((char *)data, (size_t)size);
		if (!tar_all_zero(data + x->path_len,
		                  (size_t)size - x->path_len)) {
			x->path = NULL;
			rc = err_set(err, ERR_EUNSAFE,
				     "%s: member name with a NUL character "
				     "refused", label);
			goto cleanup;
		}
		x->path = (char *)data;
		data = NULL;
	}
cleanup:
	free(data);
	return rc;
}

/* A pax header: 'x' applies to the next member, 'g' is read and
 * dropped. */
static int
tar_pax(struct img_tar *t, unsigned char type, uint64_t size,
        struct err *err)
{
	unsigned char *data = NULL;
	int rc;

	if (size > TAR_PAX_MAX)
		return err_set(err, ERR_ELIMIT,
			       "%s: pax header of %llu bytes refused",
			       t->src->label, (unsigned long long)size);
	rc = tar_read_data(&data, t->src, size, "pax", err);
	if (rc < 0)
		return rc;
	if (type == 'x')
		rc = tar_parse_pax(&t->x, data, (size_t)size, t->src->label,
		                   err);
	free(data);
	return rc;
}

/* A file or directory member: its name and size, with the pending
 * extension data applied (and then cleared). */
static int
tar_entry(struct img_tar_entry *e, struct img_tar *t,
          const unsigned char *h, bool posix, uint64_t size,
          struct err *err)
{
	int rc;

	if (t->x.has_size)
		size = t->x.size;
	rc = tar_header_name(&e->name, &e->name_len, h, &t->x, posix, err);
	tar_ext_clear(&t->x);
	if (rc < 0)
		return rc;
	quote_bytes(e->q, sizeof(e->q), e->name, e->name_len);
	e->type = h[156];
	e->size = size;
	return 1;
}

/* One (non-zero) header block h: 1 with *e filled, 0 for an extension
 * header (kept in t->x for the member that follows). */
static int
tar_header(struct img_tar_entry *e, struct img_tar *t,
           const unsigned char *h, struct err *err)
{
	unsigned char type = h[156];
	uint64_t size;
	bool posix = false;
	int rc;

	quote_bytes(e->q, sizeof(e->q), (const char *)h,
	            strnlen((const char *)h, 100));
	rc = tar_check_header(&size, &posix, h, t->src->label, e->q, err);
	if (rc < 0)
		return rc;
	switch (type) {
	case 'L':
	case 'K':
		return tar_long_name(t, type, size, err);
	case 'x':
	case 'g':
		return tar_pax(t, type, size, err);
	case '0':
	case '\0':
	case '7':
	case '5':
		return tar_entry(e, t, h, posix, size, err);
	default:
		if (t->x.path != NULL)
			quote_bytes(e->q, sizeof(e->q), t->x.path,
			            t->x.path_len);
		e->type = type;
		return 1;
	}
}

int
img_tar_next(struct img_tar_entry *e, struct img_tar *t,
             struct err *err)
{
	unsigned char h[IMG_TGZ_BLOCK];
	int rc;

	memset(e, 0, sizeof(*e));
	for (;;) {
		rc = tar_read_header(h, t, err);
		if (rc <= 0)
			return rc;
		if (++t->headers > t->max_headers)
			return err_set(err, ERR_ELIMIT,
				       "%s: more than %zu tar headers",
				       t->src->label, t->max_headers);
		rc = tar_header(e, t, h, err);
		if (rc != 0)
			return rc;
	}
}

int
img_tar_copy(struct img_tar *t, int fd, uint64_t size, const char *q,
             struct err *err)
{
	struct img_src *s = t->src;
	size_t want, got = 0;
	uint64_t left = size;
	int rc;

	while (left > 0) {
		want = left > IMG_TGZ_IOBUF ? IMG_TGZ_IOBUF : (size_t)left;
		rc = img_src_read(s, t->buf, want, &got, err);
		if (rc < 0)
			return rc;
		if (got < want)
			return err_set(err, ERR_ETRUNC,
				       "%s: archive ends inside member '%s' "
				       "(%llu of %llu bytes)", s->label, q,
				       (unsigned long long)(size - left + got),
				       (unsigned long long)size);
		rc = tar_write_all(fd, t->buf, want, q, err);
		if (rc < 0)
			return rc;
		left -= want;
	}
	return tar_skip(t, (IMG_TGZ_BLOCK - size % IMG_TGZ_BLOCK) %
	                IMG_TGZ_BLOCK, q, err);
}

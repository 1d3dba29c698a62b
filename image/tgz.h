/*
 * image/tgz.h: a reader for untrusted gzipped (or plain) tar archives.
 *
 * The gzip stream (one or more members) is inflated with zlib and fed,
 * block by block, to a small tar reader that understands POSIX ustar,
 * GNU ustar with GNU long names ('L', 'K') and pax extended headers ('x',
 * 'g': only "path" and "size" are used).  The reader validates headers
 * (checksum, magic, numeric fields, caps on extension data and on the
 * number of headers) and hands out one entry at a time; what to do with
 * an entry (and which names and types to accept) is the caller's
 * policy (image/stemcell.c).  No file is created here.
 */
#ifndef IMAGE_TGZ_H
#define IMAGE_TGZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "base/err.h"

#define IMG_TGZ_BLOCK 512
/* Size of the caller's copy buffer (struct img_tar.buf). */
#define IMG_TGZ_IOBUF (64 * 1024)

/* Where tar blocks come from: a gzip stream or a plain file. */
struct img_src {
	int fd;
	bool gz;
	bool zinit;
	bool in_eof;            /* read() returned 0 */
	bool z_end;             /* last gzip member done, nothing follows */
	z_stream zs;
	unsigned char *in;      /* IMG_TGZ_IOBUF bytes of compressed input */
	const char *label;      /* names the archive in messages */
};

/* Opens a gzip stream on fd (not owned): checks the magic. */
int img_src_open_gz(struct img_src *s, int fd, const char *label,
                    struct err *err);
/* A plain (uncompressed) archive on fd (not owned). */
void img_src_open_plain(struct img_src *s, int fd, const char *label);
/* Reads up to n bytes; fewer only when the data ends. */
int img_src_read(struct img_src *s, unsigned char *buf, size_t n,
                 size_t *got, struct err *err);
void img_src_close(struct img_src *s);

/* Pending extension data for the next header. */
struct img_tar_ext {
	char *path;             /* GNU long name or pax path */
	size_t path_len;
	bool has_size;
	uint64_t size;          /* pax size */
};

struct img_tar {
	struct img_src *src;
	unsigned char *buf;     /* IMG_TGZ_IOBUF bytes, the caller's */
	size_t max_headers;     /* extension headers included */
	size_t headers;
	struct img_tar_ext x;
};

/* One member.  type '0', '\0' or '7' is a regular file, '5' a
 * directory: name is its full name then (malloc'd, name_len bytes that
 * may hold any byte, NUL-terminated).  Any other type has name NULL. */
struct img_tar_entry {
	unsigned char type;
	char *name;
	size_t name_len;
	uint64_t size;          /* of a regular file's data */
	char q[160];            /* the name quoted for messages */
};

void img_tar_init(struct img_tar *t, struct img_src *s, unsigned char *buf,
                  size_t max_headers);
/* The next member into *e (cleared first): 1, or 0 at the end of the
 * archive (what follows the end marker has been read, within a cap, so
 * that gzip integrity is checked). */
int img_tar_next(struct img_tar_entry *e, struct img_tar *t,
                 struct err *err);
/* Writes the current member's size bytes to fd and skips its padding;
 * q names it in messages. */
int img_tar_copy(struct img_tar *t, int fd, uint64_t size, const char *q,
                 struct err *err);
void img_tar_entry_clear(struct img_tar_entry *e);
/* Frees pending extension data. */
void img_tar_end(struct img_tar *t);
/* "hard link", "symbolic link", ... for a member type byte. */
const char *img_tar_type_name(unsigned char type);

#endif

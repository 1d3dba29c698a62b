/*
 * base/buf.h: the one growable byte buffer.  An allocation failure is
 * remembered (b->failed) instead of reported at each add, so a writer
 * adds freely and checks once, at buf_take().
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* Largest buffer: 256 MiB (a larger add marks the buffer failed). */
#define BUF_MAX ((size_t)256 * 1024 * 1024)

/* Zero-initialize ({0}); always NUL-terminated once non-empty. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;            /* an allocation failed: contents invalid */
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
/* Formatted add of any length. */
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the data to *out (never NULL on success, "" when empty) and
 * resets b; -1 (b cleared) when an add had failed. */
int buf_take(char **out, size_t *len_out, struct buf *b);
void buf_clear(struct buf *b);

#endif

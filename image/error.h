/*
 * image/error.h: the error object of the image/ module (the stemcell
 * reader and the ISO writer).
 *
 * A failing img_ function returns a negative enum img_code and fills
 * the caller's struct img_error once: later failures keep the first
 * message (the root cause).  The cpi/ layer turns it into the error the
 * Director sees (cpi/image.h).  Messages never hold payload bytes: names
 * from an archive are quoted with base/quote.h.
 */
#ifndef IMAGE_ERROR_H
#define IMAGE_ERROR_H

/* -1..-4 are those of enum cpi_code. */
enum img_code {
	IMG_OK = 0,
	IMG_ERR = -1,       /* generic */
	IMG_ENOMEM = -2,
	IMG_EINVAL = -3,    /* bad argument from our own caller */
	IMG_EIO = -4,       /* local file I/O */
	IMG_EFORMAT = -5,   /* not gzip, corrupt gzip, corrupt tar */
	IMG_ETRUNC = -6,    /* archive ends too early */
	IMG_EUNSAFE = -7,   /* member refused: name or type */
	IMG_ELIMIT = -8,    /* a size or count cap exceeded */
	IMG_ENOOVF = -9,    /* no (or more than one) .ovf descriptor */
};

struct img_error {
	int code;           /* 0 while unset, else the first failure's */
	char message[512];  /* one line */
};

/* Fills e (NULL allowed) unless already set; returns code (a code >= 0
 * reads as IMG_ERR). */
int img_fail(struct img_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

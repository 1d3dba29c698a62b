/*
 * network/net_internal.h: helpers shared by the files of network/
 * (module-internal; the public face is network/net.h).
 */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "network/net.h"

/* A growable NUL-terminated text buffer.  After an allocation failure
 * every append is a no-op and oom stays set. */
struct net__buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void net__buf_put(struct net__buf *b, const char *s, size_t n);
void net__buf_puts(struct net__buf *b, const char *s);
/* s as a JSON string literal; 0, or NET_EINVAL when s is not valid
 * UTF-8 (err names what, never the content). */
int net__buf_json_string(struct net__buf *b, const char *s, const char *what,
                         struct net_error *err);
/* Hands the text to *out (or sets NET_ENOMEM) and empties b. */
int net__buf_finish(char **out, struct net__buf *b, struct net_error *err);
void net__buf_free(struct net__buf *b);

bool net__utf8_valid(const char *s, size_t n);

/* Kinds of JSON fragment accepted by net__json_check. */
enum net__json_kind {
	NET__JSON_OBJECT = 1,
	NET__JSON_STRING_OR_OBJECT = 2,
};
/* Checks that text is exactly one JSON value of the kind (RFC 8259, no
 * surrounding white space needed, nesting at most 256 deep, strings
 * valid UTF-8).  On failure NET_EINVAL naming what and the byte offset,
 * never the content. */
int net__json_check(const char *text, enum net__json_kind kind,
                    const char *what, struct net_error *err);

/* The networks object ({"name":{...},...}) appended to b. */
int net__put_networks(struct net__buf *b, const struct net_networks *nets,
                      bool with_mac, struct net_error *err);

/* The nic_group rules of network/nics.c over validated networks. */
int net__check_nic_groups(const struct net_networks *nets,
                          struct net_error *err);

/* Writes s into out as a short printable quotation for messages:
 * non-printable bytes become \xNN, long text is cut with "...". */
void net__quote(char *out, size_t cap, const char *s);
#define NET__QUOTE_LEN 80

#endif

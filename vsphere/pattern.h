/*
 * vsphere/pattern.h: datastore name patterns, read as the Ruby CPI reads
 * them (Ruby regular expressions: \d, \A, \z, (?i), ... ) with PCRE2.
 *
 * A pattern matches a name when it matches anywhere in it (Ruby's =~):
 * anchor it (^...$, \A...\z) to match whole names.  Patterns longer than
 * VS_PATTERN_MAX bytes, or not valid UTF-8, are refused; matching is
 * bounded (match and depth limits), and a match that hits a limit, or a
 * name that is not valid UTF-8, counts as no match.
 */
#ifndef VS_PATTERN_H
#define VS_PATTERN_H

#include <stdbool.h>

#include "base/err.h"

#define VS_PATTERN_MAX 1024

struct vs_pattern;

/* Compiles pattern; key names it in the message of a refusal (e.g.
 * "datacenters[0].datastore_pattern").  ERR_EINVAL when it does not
 * compile, with PCRE2's reason and offset. */
int vs_pattern_compile(struct vs_pattern **out, const char *pattern,
                       const char *key, struct err *err);
void vs_pattern_free(struct vs_pattern *p);
/* Whether p matches name (p NULL: every name). */
bool vs_pattern_match(const struct vs_pattern *p, const char *name);
/* Whether pattern compiles (a check with nothing kept). */
int vs_pattern_check(const char *pattern, const char *key,
                     struct err *err);
/* One-shot match: compile, match, free.  ERR_EINVAL as compile. */
int vs_pattern_matches(bool *out, const char *pattern, const char *name,
                       const char *key, struct err *err);

#endif

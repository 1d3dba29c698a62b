/*
 * vsphere/pattern.c: Ruby-style datastore patterns on PCRE2 (see
 * pattern.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "vsphere/pattern.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* Backtracking bounds: far above what a datastore name needs, far below
 * what a hostile pattern could burn. */
#define MATCH_LIMIT 100000u
#define DEPTH_LIMIT 1000u

struct vs_pattern {
	pcre2_code *code;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
};

void
vs_pattern_free(struct vs_pattern *p)
{
	if (p == NULL)
		return;
	pcre2_match_data_free(p->md);
	pcre2_match_context_free(p->mctx);
	pcre2_code_free(p->code);
	free(p);
}

int
vs_pattern_compile(struct vs_pattern **out, const char *pattern,
                   const char *key, struct err *err)
{
	struct vs_pattern *p = NULL;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off = 0;
	const char *k = key != NULL ? key : "datastore pattern";
	size_t len;
	int ecode = 0, rc = 0;

	*out = NULL;
	if (pattern == NULL)
		return err_set(err, ERR_EINVAL, "%s: no pattern", k);
	len = strnlen(pattern, VS_PATTERN_MAX + 1);
	if (len > VS_PATTERN_MAX)
		return err_set(err, ERR_EINVAL, "%s: pattern longer than "
		               "%d bytes", k, VS_PATTERN_MAX);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	p->code = pcre2_compile((PCRE2_SPTR)pattern, len,
	                        PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode,
	                        &off, NULL);
	if (p->code == NULL) {
		if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "unknown error");
		rc = err_set(err, ERR_EINVAL, "%s: not a valid regular "
		             "expression (%s at offset %zu)", k,
		             (const char *)msg, (size_t)off);
		goto cleanup;
	}
	p->mctx = pcre2_match_context_create(NULL);
	p->md = pcre2_match_data_create(1, NULL);
	if (p->mctx == NULL || p->md == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	pcre2_set_match_limit(p->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, DEPTH_LIMIT);
	*out = p;
	p = NULL;
cleanup:
	vs_pattern_free(p);
	return rc;
}

bool
vs_pattern_match(const struct vs_pattern *p, const char *name)
{
	if (p == NULL)
		return true;
	if (name == NULL)
		return false;
	return pcre2_match(p->code, (PCRE2_SPTR)name, strlen(name), 0, 0,
	                   p->md, p->mctx) >= 0;
}

int
vs_pattern_check(const char *pattern, const char *key,
                 struct err *err)
{
	struct vs_pattern *p = NULL;
	int rc;

	rc = vs_pattern_compile(&p, pattern, key, err);
	vs_pattern_free(p);
	return rc;
}

int
vs_pattern_matches(bool *out, const char *pattern, const char *name,
                   const char *key, struct err *err)
{
	struct vs_pattern *p = NULL;
	int rc;

	*out = false;
	rc = vs_pattern_compile(&p, pattern, key, err);
	if (rc == 0)
		*out = vs_pattern_match(p, name);
	vs_pattern_free(p);
	return rc;
}

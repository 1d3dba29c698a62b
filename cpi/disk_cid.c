/*
 * cpi/disk_cid.c: parsing the Director's disk cids (see disk_cid.h).
 */
#include "cpi/disk_cid.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pattern.h"

void
cpi_disk_cid_clear(struct cpi_disk_cid *id)
{
	if (id == NULL)
		return;
	free(id->pattern);
	memset(id, 0, sizeof(*id));
}

/* The value of a base64 character (both alphabets), or -1. */
static int
b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Decodes len characters of s into out (at least len * 3 / 4 + 3 bytes);
 * padding optional, but only at the end; leftover bits must be zero
 * (strict, as Ruby's strict decoding).  -1 when s is not base64. */
static int
b64_decode(unsigned char *out, size_t *out_len, const char *s, size_t len)
{
	unsigned int acc = 0;
	size_t i, n = 0, bits = 0, pad = 0;
	int v;

	while (len > 0 && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (len == 0 || (pad > 0 && (len + pad) % 4 != 0) || len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		v = b64_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	*out_len = n;
	return 0;
}

static int
bad(struct cpi_error *err, const char *method, const char *why)
{
	return cpi_error_set(err, CPI_ERROR_CLOUD, false, "%s: disk_cid is "
	                     "not a disk id (disk-<uuid>[.<base64 of "
	                     "JSON>]): %s", method, why);
}

int
cpi_disk_cid_parse(struct cpi_disk_cid *out, const char *raw,
                   const char *method, struct cpi_error *err)
{
	const char *dot;
	unsigned char *buf = NULL;
	json_t *root = NULL, *pat;
	json_error_t jerr;
	struct vs_error verr = {0};
	size_t name_len, suf_len, n = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (raw == NULL)
		return bad(err, method, "missing");
	dot = memchr(raw, '.', strnlen(raw, VS_DISK_CID_MAX + 1));
	name_len = dot != NULL ? (size_t)(dot - raw) :
	           strnlen(raw, VS_DISK_CID_MAX + 1);
	if (name_len > VS_DISK_CID_MAX)
		return bad(err, method, "too long");
	memcpy(out->name, raw, name_len);
	out->name[name_len] = '\0';
	if (!vs_disk_cid_valid(out->name)) {
		rc = bad(err, method, "bad disk name");
		goto cleanup;
	}
	if (dot == NULL)
		return 0;
	suf_len = strnlen(dot + 1, CPI_DISK_CID_SUFFIX_MAX + 1);
	if (suf_len > CPI_DISK_CID_SUFFIX_MAX) {
		rc = bad(err, method, "metadata too long");
		goto cleanup;
	}
	buf = malloc(suf_len / 4 * 3 + 4);
	if (buf == NULL) {
		rc = cpi_error_set(err, CPI_ERROR_CPI, false, "out of memory");
		goto cleanup;
	}
	if (b64_decode(buf, &n, dot + 1, suf_len) != 0) {
		rc = bad(err, method, "metadata is not base64");
		goto cleanup;
	}
	root = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		rc = bad(err, method, "metadata is not a JSON object");
		goto cleanup;
	}
	pat = json_object_get(root, "target_datastore_pattern");
	if (pat == NULL || json_is_null(pat))
		goto cleanup;
	if (!json_is_string(pat) ||
	    strlen(json_string_value(pat)) != json_string_length(pat)) {
		rc = bad(err, method, "target_datastore_pattern is not a "
		         "string");
		goto cleanup;
	}
	if (vs_pattern_check(json_string_value(pat),
	                     "target_datastore_pattern", &verr) != 0) {
		rc = bad(err, method, verr.message);
		goto cleanup;
	}
	out->pattern = strdup(json_string_value(pat));
	if (out->pattern == NULL)
		rc = cpi_error_set(err, CPI_ERROR_CPI, false, "out of memory");
cleanup:
	if (rc != 0)
		cpi_disk_cid_clear(out);
	json_decref(root);
	free(buf);
	return rc;
}

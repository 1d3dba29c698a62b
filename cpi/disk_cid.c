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
bad(struct err *err, const char *method, const char *why)
{
	return cpi_err_set(err, CPI_ERROR_CLOUD, false, "%s: disk_cid is "
	                   "not a disk id (disk-<uuid>[.<base64 of "
	                   "JSON>]): %s", method, why);
}

/* The metadata suffix (base64 of a JSON object) into *root (new). */
static int
read_metadata(json_t **root, const char *suffix, const char *method,
              struct err *err)
{
	unsigned char *buf = NULL;
	json_error_t jerr;
	size_t suf_len, n = 0;
	int rc = 0;

	*root = NULL;
	suf_len = strnlen(suffix, CPI_DISK_CID_SUFFIX_MAX + 1);
	if (suf_len > CPI_DISK_CID_SUFFIX_MAX)
		return bad(err, method, "metadata too long");
	buf = malloc(suf_len / 4 * 3 + 4);
	if (buf == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	if (b64_decode(buf, &n, suffix, suf_len) != 0) {
		rc = bad(err, method, "metadata is not base64");
		goto cleanup;
	}
	*root = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES,
	                   &jerr);
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		rc = bad(err, method, "metadata is not a JSON object");
	}
cleanup:
	free(buf);
	return rc;
}

/* The metadata's target_datastore_pattern, when it has one, into
 * out->pattern. */
static int
take_pattern(struct cpi_disk_cid *out, const json_t *root,
             const char *method, struct err *err)
{
	const json_t *pat = json_object_get(root, "target_datastore_pattern");
	struct err verr = {0};

	if (pat == NULL || json_is_null(pat))
		return 0;
	if (!json_is_string(pat) ||
	    strlen(json_string_value(pat)) != json_string_length(pat))
		return bad(err, method, "target_datastore_pattern is not a "
		           "string");
	if (vs_pattern_check(json_string_value(pat),
	                     "target_datastore_pattern", &verr) != 0)
		return bad(err, method, verr.message);
	out->pattern = strdup(json_string_value(pat));
	if (out->pattern == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

int
cpi_disk_cid_parse(struct cpi_disk_cid *out, const char *raw,
                   const char *method, struct err *err)
{
	const char *dot;
	json_t *root = NULL;
	size_t name_len;
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
	if (!vs_disk_cid_valid(out->name))
		rc = bad(err, method, "bad disk name");
	else if (dot != NULL)
		rc = read_metadata(&root, dot + 1, method, err);
	if (rc == 0 && root != NULL)
		rc = take_pattern(out, root, method, err);
	if (rc != 0)
		cpi_disk_cid_clear(out);
	json_decref(root);
	return rc;
}

#include "cpi/rpc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

#define READ_CHUNK ((size_t)64 * 1024)

int
cpi_request_read(char **out, size_t *len_out, FILE *in, size_t limit,
                 struct err *err)
{
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0, n;
	int rc = ERR_FAIL;

	*out = NULL;
	*len_out = 0;
	for (;;) {
		if (cap - len < READ_CHUNK) {
			size_t ncap = cap ? cap * 2 : READ_CHUNK * 2;

			/* Room for limit + 1 bytes and the NUL at most. */
			if (ncap > limit + 2)
				ncap = limit + 2;
			if (ncap <= len + 1) {
				rc = cpi_err_set(err, CPI_ERROR_CPI,
				                 false, "request larger than "
				                 "%zu MiB",
				                 limit / (1024 * 1024));
				goto cleanup;
			}
			grown = realloc(buf, ncap);
			if (grown == NULL) {
				rc = cpi_err_set(err, CPI_ERROR_CPI, false,
				                 "out of memory reading the "
				                 "request");
				goto cleanup;
			}
			buf = grown;
			cap = ncap;
		}
		n = fread(buf + len, 1, cap - 1 - len, in);
		len += n;
		if (len > limit) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "request larger than %zu MiB",
			                 limit / (1024 * 1024));
			goto cleanup;
		}
		if (n == 0) {
			if (ferror(in)) {
				rc = cpi_err_set(err, CPI_ERROR_CPI, false,
				                 "cannot read the request "
				                 "from stdin");
				goto cleanup;
			}
			break;
		}
	}
	if (buf == NULL) {
		buf = malloc(1);
		if (buf == NULL) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "out of memory reading the request");
			goto cleanup;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	buf = NULL;
	rc = 0;
cleanup:
	free(buf);
	return rc;
}

void
cpi_request_free(struct cpi_request *req)
{
	if (req == NULL)
		return;
	free(req->method);
	json_decref(req->arguments);
	json_decref(req->context);
	free(req);
}

static int
parse_error(const json_error_t *jerr, struct err *err)
{
	switch (json_error_code(jerr)) {
	case json_error_duplicate_key:
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "request is not valid JSON: duplicate "
		                   "object key (line %d, column %d)",
		                   jerr->line, jerr->column);
	case json_error_end_of_input_expected:
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "request is not valid JSON: trailing data "
		                   "after the document (line %d, column %d)",
		                   jerr->line, jerr->column);
	case json_error_premature_end_of_input:
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "request is not valid JSON: premature end "
		                   "of input");
	default:
		/* jerr->text may quote request bytes (secrets): only the
		 * position is reported. */
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "request is not valid JSON (line %d, "
		                   "column %d)", jerr->line, jerr->column);
	}
}

static void
copy_request_id(char *dst, size_t size, const json_t *context)
{
	const char *s;
	size_t n = 0;

	dst[0] = '\0';
	if (context == NULL)
		return;
	s = json_string_value(json_object_get(context, "request_id"));
	for (; s != NULL && *s != '\0' && n + 1 < size; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
			dst[n++] = c;
	}
	dst[n] = '\0';
}

static bool
all_space(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r')
			return false;
	return true;
}

/* Bounds what parsing may build before jansson builds it: a request of
 * small values costs far more memory parsed (a json_t, a hash table per
 * object) than as text.  Counts, outside strings, the values and keys a
 * parse would make (each one after the first in its container follows a
 * ',' or a ':') and the nesting depth.  Malformed text is left to
 * jansson. */
static int
check_shape(const char *buf, size_t len, struct err *err)
{
	size_t i, items = 1, depth = 0;
	bool in_str = false;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '{':
		case '[':
			if (++depth > CPI_REQUEST_MAX_DEPTH)
				return cpi_err_set(err, CPI_ERROR_CPI, false,
				                   "request nests deeper "
				                   "than %d levels",
				                   CPI_REQUEST_MAX_DEPTH);
			items++;
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			break;
		case ',':
		case ':':
			items++;
			break;
		default:
			break;
		}
		if (items > CPI_REQUEST_MAX_ITEMS)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "request holds more than %d values "
			                   "and keys", CPI_REQUEST_MAX_ITEMS);
	}
	return 0;
}

int
cpi_request_parse(struct cpi_request **out, const char *buf, size_t len,
                  struct err *err)
{
	struct cpi_request *req = NULL;
	json_t *root = NULL, *v;
	json_error_t jerr;
	int rc = ERR_EINVAL;

	*out = NULL;
	if (buf == NULL || all_space(buf, len)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "empty request: expected a JSON object on "
		                 "stdin");
		goto cleanup;
	}
	if (check_shape(buf, len, err) != 0)
		goto cleanup;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		rc = parse_error(&jerr, err);
		goto cleanup;
	}
	if (!json_is_object(root)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "request must be a JSON object");
		goto cleanup;
	}
	req = calloc(1, sizeof(*req));
	if (req == NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "out of memory parsing the request");
		goto cleanup;
	}
	v = json_object_get(root, "method");
	if (v == NULL || json_is_null(v)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "Must provide 'method' key");
		goto cleanup;
	}
	if (!json_is_string(v)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "'method' must be a string");
		goto cleanup;
	}
	if (json_string_length(v) == 0) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "'method' must not be empty");
		goto cleanup;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "'method' must not contain NUL");
		goto cleanup;
	}
	req->method = strdup(json_string_value(v));
	if (req->method == NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "out of memory parsing the request");
		goto cleanup;
	}
	v = json_object_get(root, "arguments");
	if (v == NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "Must provide 'arguments' key");
		goto cleanup;
	}
	if (!json_is_array(v)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "'arguments' must be an array");
		goto cleanup;
	}
	req->arguments = json_incref(v);
	v = json_object_get(root, "context");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_object(v)) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "'context' must be an object");
			goto cleanup;
		}
		req->context = json_incref(v);
	}
	req->api_version = 1;
	req->api_version_requested = 1;
	v = json_object_get(root, "api_version");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "'api_version' must be a positive "
			                 "integer");
			goto cleanup;
		}
		req->api_version_requested = json_integer_value(v);
		req->api_version = req->api_version_requested >
		                   CPI_API_VERSION_MAX ? CPI_API_VERSION_MAX :
		                   (int)req->api_version_requested;
	}
	copy_request_id(req->request_id, sizeof(req->request_id),
	                req->context);
	*out = req;
	req = NULL;
	rc = 0;
cleanup:
	cpi_request_free(req);
	json_decref(root);
	return rc;
}

static json_t *
clean_string(const char *s)
{
	char *c = utf8_clean(s != NULL ? s : "");
	json_t *j;

	if (c == NULL)
		return NULL;
	j = json_string(c);
	free(c);
	return j;
}

static const char fallback_response[] =
	"{\"result\":null,\"error\":{\"type\":\"Bosh::Clouds::CpiError\","
	"\"message\":\"failed to serialize the response\","
	"\"ok_to_retry\":false},\"log\":\"\"}\n";

char *
cpi_response_dump(const json_t *result, const struct err *e,
                  const char *log)
{
	json_t *root = NULL, *error = NULL, *v;
	char *text = NULL, *line = NULL;
	size_t n;

	root = json_object();
	if (root == NULL)
		goto cleanup;
	if (e != NULL && err_is_set(e)) {
		error = json_object();
		if (error == NULL)
			goto cleanup;
		v = json_string(cpi_err_type_name(e->type));
		if (json_object_set_new(error, "type", v) != 0)
			goto cleanup;
		v = clean_string(e->message);
		if (json_object_set_new(error, "message", v) != 0)
			goto cleanup;
		v = json_boolean(e->ok_to_retry);
		if (json_object_set_new(error, "ok_to_retry", v) != 0)
			goto cleanup;
		if (json_object_set_new(root, "result", json_null()) != 0)
			goto cleanup;
	} else {
		/* json_object_set takes its own reference; the caller's
		 * value is not modified. */
		v = result != NULL ? (json_t *)result : json_null();
		if (json_object_set(root, "result", v) != 0)
			goto cleanup;
		error = json_null();
	}
	if (json_object_set(root, "error", error) != 0)
		goto cleanup;
	if (json_object_set_new(root, "log", clean_string(log)) != 0)
		goto cleanup;
	text = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text == NULL)
		goto cleanup;
	n = strlen(text);
	line = malloc(n + 2);
	if (line == NULL)
		goto cleanup;
	memcpy(line, text, n);
	line[n] = '\n';
	line[n + 1] = '\0';
cleanup:
	free(text);
	json_decref(error);
	json_decref(root);
	if (line == NULL)
		line = strdup(fallback_response);
	return line;
}

int
cpi_response_write(FILE *out, const json_t *result,
                   const struct err *e, const char *log)
{
	char *line = cpi_response_dump(result, e, log);
	const char *text = line != NULL ? line : fallback_response;
	size_t n = strlen(text);
	int rc = 0;

	if (fwrite(text, 1, n, out) != n || fflush(out) != 0 || ferror(out))
		rc = ERR_EIO;
	free(line);
	return rc;
}

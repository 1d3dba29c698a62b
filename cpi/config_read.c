/*
 * cpi/config_read.c: see config_read.h.
 */
#include "cpi/config_read.h"

#include <string.h>

const char *
cpi_cfg__type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

int
cpi_cfg__oom(struct err *err)
{
	cpi_err_set(err, CPI_ERROR_CPI, false,
	            "out of memory reading the CPI config");
	return ERR_ENOMEM;
}

int
cpi_cfg__dup(char **out, const char *s, struct err *err)
{
	*out = strdup(s);
	if (*out == NULL)
		return cpi_cfg__oom(err);
	return 0;
}

const json_t *
cpi_cfg__get(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

int
cpi_cfg__str(char **out, const json_t *obj, const char *path,
             const char *key, bool required, const char *def,
             struct err *err)
{
	const json_t *v = cpi_cfg__get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: required string", path,
			                   key);
		return def != NULL ? cpi_cfg__dup(out, def, err) : 0;
	}
	if (!json_is_string(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.%s: must be a string, got %s", path,
		                   key, cpi_cfg__type_of(v));
	if (json_string_length(v) == 0) {
		if (required)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: must not be empty", path,
			                   key);
		return def != NULL ? cpi_cfg__dup(out, def, err) : 0;
	}
	return cpi_cfg__dup(out, json_string_value(v), err);
}

int
cpi_cfg__bool(bool *out, const json_t *obj, const char *path,
              const char *key, bool def, struct err *err)
{
	const json_t *v = cpi_cfg__get(obj, key);

	*out = def;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.%s: must be a boolean, got %s", path,
		                   key, cpi_cfg__type_of(v));
	*out = json_is_true(v);
	return 0;
}

int
cpi_cfg__obj(const json_t **out, const json_t *obj, const char *path,
             const char *key, bool required, struct err *err)
{
	const json_t *v = cpi_cfg__get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: required object", path,
			                   key);
		return 0;
	}
	if (!json_is_object(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.%s: must be an object, got %s", path,
		                   key, cpi_cfg__type_of(v));
	*out = v;
	return 0;
}

int
cpi_cfg__int(long long *out, const json_t *obj, const char *key,
             long long min, long long max)
{
	const json_t *v = cpi_cfg__get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

int
cpi_cfg__keys(void *dst, const struct cpi_cfg_key *keys, size_t n,
              const json_t *obj, const char *path, struct err *err)
{
	unsigned char *base = dst;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct cpi_cfg_key *k = &keys[i];
		void *field = base + k->offset;

		if (k->kind == CPI_CFG_BOOL)
			rc = cpi_cfg__bool(field, obj, path, k->key,
			                   k->def_bool, err);
		else
			rc = cpi_cfg__str(field, obj, path, k->key,
			                  k->kind == CPI_CFG_STR_REQUIRED,
			                  k->def, err);
	}
	return rc;
}

bool
cpi_json_is_set(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

int
cpi_cfg__refuse_set(const json_t *obj, const char *path,
                    const struct cpi_cfg_unsupported *list, size_t n,
                    struct err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (cpi_json_is_set(json_object_get(obj, list[i].key)))
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: not supported by this CPI "
			                   "(%s); remove it", path,
			                   list[i].key, list[i].what);
	}
	return 0;
}

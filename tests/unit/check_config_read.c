/*
 * tests/unit/check_config_read.c: the config's JSON readers
 * (cpi/config_read.h): the key table, the integer range, the refusal of
 * unsupported keys.
 */
#include <check.h>
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/config_read.h"

struct sample {
	char *name;
	char *folder;
	bool on;
	bool off;
};

static const struct cpi_cfg_key sample_keys[] = {
	{ "name", CPI_CFG_STR_REQUIRED, offsetof(struct sample, name), NULL,
	  false },
	{ "folder", CPI_CFG_STR, offsetof(struct sample, folder), "DEF",
	  false },
	{ "on", CPI_CFG_BOOL, offsetof(struct sample, on), NULL, true },
	{ "off", CPI_CFG_BOOL, offsetof(struct sample, off), NULL, false },
};
#define NKEYS (sizeof(sample_keys) / sizeof(sample_keys[0]))

static json_t *
parse(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(v);
	return v;
}

static void
sample_free(struct sample *s)
{
	free(s->name);
	free(s->folder);
}

START_TEST(test_keys_defaults_and_values)
{
	struct err err = { 0 };
	struct sample s = { 0 };
	json_t *obj = parse("{\"name\":\"n\",\"folder\":\"\",\"on\":null}");

	ck_assert_int_eq(cpi_cfg__keys(&s, sample_keys, NKEYS, obj, "p",
	                               &err), 0);
	ck_assert_str_eq(s.name, "n");
	ck_assert_str_eq(s.folder, "DEF");
	ck_assert(s.on);
	ck_assert(!s.off);
	sample_free(&s);
	json_decref(obj);

	memset(&s, 0, sizeof(s));
	obj = parse("{\"name\":\"n\",\"folder\":\"f\",\"on\":false,"
	            "\"off\":true}");
	ck_assert_int_eq(cpi_cfg__keys(&s, sample_keys, NKEYS, obj, "p",
	                               &err), 0);
	ck_assert_str_eq(s.folder, "f");
	ck_assert(!s.on);
	ck_assert(s.off);
	sample_free(&s);
	json_decref(obj);
}
END_TEST

static void
keys_refused(const char *text, const char *want)
{
	struct err err = { 0 };
	struct sample s = { 0 };
	json_t *obj = parse(text);

	ck_assert_int_ne(cpi_cfg__keys(&s, sample_keys, NKEYS, obj, "a.b",
	                               &err), 0);
	ck_assert_str_eq(err.message, want);
	ck_assert_int_eq(err.type, CPI_ERROR_CPI);
	sample_free(&s);
	json_decref(obj);
}

START_TEST(test_keys_refused_in_order)
{
	keys_refused("{}", "a.b.name: required string");
	keys_refused("{\"name\":\"\"}", "a.b.name: must not be empty");
	keys_refused("{\"name\":1,\"on\":1}",
	             "a.b.name: must be a string, got integer");
	keys_refused("{\"name\":\"n\",\"folder\":[],\"on\":1}",
	             "a.b.folder: must be a string, got array");
	keys_refused("{\"name\":\"n\",\"on\":\"yes\",\"off\":1}",
	             "a.b.on: must be a boolean, got string");
}
END_TEST

START_TEST(test_int_range)
{
	json_t *obj = parse("{\"a\":5,\"b\":0,\"c\":\"5\",\"d\":null}");
	long long v = 42;

	ck_assert_int_eq(cpi_cfg__int(&v, obj, "a", 1, 5), 0);
	ck_assert_int_eq(v, 5);
	v = 42;
	ck_assert_int_eq(cpi_cfg__int(&v, obj, "missing", 1, 5), 0);
	ck_assert_int_eq(cpi_cfg__int(&v, obj, "d", 1, 5), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(cpi_cfg__int(&v, obj, "a", 1, 4), -1);
	ck_assert_int_eq(cpi_cfg__int(&v, obj, "b", 1, 4), -1);
	ck_assert_int_eq(cpi_cfg__int(&v, obj, "c", 1, 9), -1);
	ck_assert_int_eq(v, 42);
	json_decref(obj);
}
END_TEST

START_TEST(test_refuse_set)
{
	static const struct cpi_cfg_unsupported list[] = {
		{ "x", "the x feature" },
		{ "y", "the y feature" },
	};
	struct err err = { 0 };
	json_t *obj = parse("{\"x\":false,\"y\":0,\"z\":1}");

	ck_assert_int_eq(cpi_cfg__refuse_set(obj, "p", list, 2, &err), 0);
	json_decref(obj);
	obj = parse("{\"x\":\"\",\"y\":[1]}");
	ck_assert_int_ne(cpi_cfg__refuse_set(obj, "p", list, 2, &err), 0);
	ck_assert_str_eq(err.message, "p.y: not supported by this CPI "
	                 "(the y feature); remove it");
	json_decref(obj);
	ck_assert(!cpi_json_is_set(NULL));
	obj = parse("[{}, [], \"\", 0, false, null, 0.0, {\"a\":1}]");
	ck_assert(!cpi_json_is_set(json_array_get(obj, 0)));
	ck_assert(!cpi_json_is_set(json_array_get(obj, 1)));
	ck_assert(!cpi_json_is_set(json_array_get(obj, 2)));
	ck_assert(!cpi_json_is_set(json_array_get(obj, 3)));
	ck_assert(!cpi_json_is_set(json_array_get(obj, 4)));
	ck_assert(!cpi_json_is_set(json_array_get(obj, 5)));
	ck_assert(cpi_json_is_set(json_array_get(obj, 6)));
	ck_assert(cpi_json_is_set(json_array_get(obj, 7)));
	json_decref(obj);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("config_read");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_keys_defaults_and_values);
	tcase_add_test(tc, test_keys_refused_in_order);
	tcase_add_test(tc, test_int_range);
	tcase_add_test(tc, test_refuse_set);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

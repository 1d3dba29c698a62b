/* tests/unit/check_log_secrets.c: cpi_json_secret_strings, the one walk
 * that finds the strings of a JSON value held under credential-like
 * keys. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/log.h"

struct seen {
	char text[512];
	int calls;
	int stop_at;            /* return 1 at this call (0: never) */
};

static int
collect(void *ctx, const char *s, size_t len)
{
	struct seen *x = ctx;

	x->calls++;
	strncat(x->text, s, len);
	strcat(x->text, "|");
	return x->calls == x->stop_at ? 1 : 0;
}

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	ck_assert_ptr_nonnull(v);
	return v;
}

START_TEST(test_under_secret_keys)
{
	json_t *v = load("{\"user\": \"u\", \"password\": \"p1\","
	                 " \"nested\": {\"list\": [\"a\","
	                 " {\"token\": \"t2\"}],"
	                 " \"Private_Key\": [\"k3\", {\"x\": \"k4\"}, 5]}}");
	struct seen x = { "", 0, 0 };

	ck_assert_int_eq(cpi_json_secret_strings(v, false, 64, collect, &x),
	                 0);
	ck_assert_int_eq(x.calls, 4);
	ck_assert_ptr_nonnull(strstr(x.text, "p1|"));
	ck_assert_ptr_nonnull(strstr(x.text, "t2|"));
	ck_assert_ptr_nonnull(strstr(x.text, "k3|"));
	ck_assert_ptr_nonnull(strstr(x.text, "k4|"));
	ck_assert_ptr_null(strstr(x.text, "u|"));
	ck_assert_ptr_null(strstr(x.text, "a|"));
	json_decref(v);
}
END_TEST

START_TEST(test_all_strings)
{
	json_t *v = load("[\"one\", {\"k\": \"two\"}, 3, null]");
	struct seen x = { "", 0, 0 };

	ck_assert_int_eq(cpi_json_secret_strings(v, true, 64, collect, &x),
	                 0);
	ck_assert_str_eq(x.text, "one|two|");
	json_decref(v);
}
END_TEST

START_TEST(test_depth_and_stop)
{
	json_t *v = load("{\"secret\": [\"d1\", [\"d2\", [\"d3\"]]]}");
	struct seen x = { "", 0, 0 };
	struct seen y = { "", 0, 1 };

	/* depth 0: the object, 1: the list, 2: "d1", 3: "d2", 4: "d3" */
	ck_assert_int_eq(cpi_json_secret_strings(v, false, 3, collect, &x),
	                 0);
	ck_assert_str_eq(x.text, "d1|d2|");
	ck_assert_int_eq(cpi_json_secret_strings(v, false, 64, collect, &y),
	                 1);
	ck_assert_str_eq(y.text, "d1|");
	json_decref(v);
}
END_TEST

static Suite *
log_secrets_suite(void)
{
	Suite *s = suite_create("log_secrets");
	TCase *t = tcase_create("walk");

	tcase_add_test(t, test_under_secret_keys);
	tcase_add_test(t, test_all_strings);
	tcase_add_test(t, test_depth_and_stop);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(log_secrets_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

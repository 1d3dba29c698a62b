/* tests/unit/check_array.c: base/array (growing and freeing arrays). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"

START_TEST(test_grow_from_first)
{
	int *v = NULL;
	size_t cap = 0;

	ck_assert_int_eq(array_grow((void **)&v, &cap, 1, sizeof(*v), 16), 0);
	ck_assert_uint_eq(cap, 16);
	ck_assert_ptr_nonnull(v);
	v[15] = 7;
	/* room already there: nothing moves */
	ck_assert_int_eq(array_grow((void **)&v, &cap, 16, sizeof(*v), 16), 0);
	ck_assert_uint_eq(cap, 16);
	ck_assert_int_eq(array_grow((void **)&v, &cap, 17, sizeof(*v), 16), 0);
	ck_assert_uint_eq(cap, 32);
	ck_assert_int_eq(v[15], 7);
	ck_assert_int_eq(array_grow((void **)&v, &cap, 100, sizeof(*v), 16),
	                 0);
	ck_assert_uint_eq(cap, 128);
	free(v);
}
END_TEST

START_TEST(test_grow_first_zero)
{
	char *v = NULL;
	size_t cap = 0;

	ck_assert_int_eq(array_grow((void **)&v, &cap, 3, 1, 0), 0);
	ck_assert_uint_eq(cap, 4);
	free(v);
}
END_TEST

START_TEST(test_grow_overflow)
{
	long *v = NULL;
	size_t cap = 0;

	ck_assert_int_eq(array_grow((void **)&v, &cap, SIZE_MAX / 2 + 2,
	                            sizeof(*v), 8), -1);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(cap, 0);
	ck_assert_int_eq(array_grow((void **)&v, &cap, SIZE_MAX / 4,
	                            sizeof(*v), 8), -1);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(cap, 0);
}
END_TEST

struct item {
	char *name;
};

static int cleared;

static void
item_clear(void *p)
{
	struct item *it = p;

	free(it->name);
	cleared++;
}

START_TEST(test_array_free)
{
	struct item *v = calloc(3, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v[0].name = strdup("a");
	v[2].name = strdup("c");
	cleared = 0;
	array_free(v, 3, sizeof(*v), item_clear);
	ck_assert_int_eq(cleared, 3);
	array_free(NULL, 5, sizeof(*v), item_clear);
	ck_assert_int_eq(cleared, 3);
}
END_TEST

START_TEST(test_strv_free)
{
	char **v = calloc(3, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v[0] = strdup("x");
	v[1] = NULL;
	v[2] = strdup("z");
	strv_free(v, 3);
	strv_free(NULL, 4);
}
END_TEST

static Suite *
array_suite(void)
{
	Suite *s = suite_create("array");
	TCase *t = tcase_create("array");

	tcase_add_test(t, test_grow_from_first);
	tcase_add_test(t, test_grow_first_zero);
	tcase_add_test(t, test_grow_overflow);
	tcase_add_test(t, test_array_free);
	tcase_add_test(t, test_strv_free);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(array_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

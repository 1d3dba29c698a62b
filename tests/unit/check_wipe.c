/* tests/unit/check_wipe.c: base/wipe (freeing memory that held a
 * secret).  What is freed cannot be read back; these check the calls
 * accept NULL, empty and binary input and free exactly once (run under
 * make asan for the latter). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/wipe.h"

START_TEST(test_wipe_free_string)
{
	char *s = strdup("hunter2");

	ck_assert_ptr_nonnull(s);
	wipe_free(s);
	s = strdup("");
	ck_assert_ptr_nonnull(s);
	wipe_free(s);
	wipe_free(NULL);
}
END_TEST

START_TEST(test_wipe_free_n_binary)
{
	unsigned char *p = malloc(16);

	ck_assert_ptr_nonnull(p);
	memset(p, 0xab, 16);
	p[3] = 0;       /* a NUL inside: the length, not strlen, counts */
	wipe_free_n(p, 16);
	wipe_free_n(NULL, 16);
}
END_TEST

static Suite *
wipe_suite(void)
{
	Suite *s = suite_create("wipe");
	TCase *t = tcase_create("wipe");

	tcase_add_test(t, test_wipe_free_string);
	tcase_add_test(t, test_wipe_free_n_binary);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wipe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

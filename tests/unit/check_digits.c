/* tests/unit/check_digits.c: base/digits (hex and base64 digit values). */
#include <check.h>
#include <stdlib.h>

#include "base/digits.h"

START_TEST(test_hex)
{
	ck_assert_int_eq(digit_hex('0'), 0);
	ck_assert_int_eq(digit_hex('9'), 9);
	ck_assert_int_eq(digit_hex('a'), 10);
	ck_assert_int_eq(digit_hex('f'), 15);
	ck_assert_int_eq(digit_hex('A'), 10);
	ck_assert_int_eq(digit_hex('F'), 15);
	ck_assert_int_eq(digit_hex('g'), -1);
	ck_assert_int_eq(digit_hex('G'), -1);
	ck_assert_int_eq(digit_hex(':'), -1);
	ck_assert_int_eq(digit_hex('\0'), -1);
}
END_TEST

START_TEST(test_base64_standard)
{
	ck_assert_int_eq(digit_base64('A', false), 0);
	ck_assert_int_eq(digit_base64('Z', false), 25);
	ck_assert_int_eq(digit_base64('a', false), 26);
	ck_assert_int_eq(digit_base64('z', false), 51);
	ck_assert_int_eq(digit_base64('0', false), 52);
	ck_assert_int_eq(digit_base64('9', false), 61);
	ck_assert_int_eq(digit_base64('+', false), 62);
	ck_assert_int_eq(digit_base64('/', false), 63);
	ck_assert_int_eq(digit_base64('-', false), -1);
	ck_assert_int_eq(digit_base64('_', false), -1);
	ck_assert_int_eq(digit_base64('=', false), -1);
	ck_assert_int_eq(digit_base64(' ', false), -1);
}
END_TEST

START_TEST(test_base64_url_too)
{
	ck_assert_int_eq(digit_base64('-', true), 62);
	ck_assert_int_eq(digit_base64('_', true), 63);
	ck_assert_int_eq(digit_base64('+', true), 62);
	ck_assert_int_eq(digit_base64('/', true), 63);
	ck_assert_int_eq(digit_base64('=', true), -1);
}
END_TEST

static Suite *
digits_suite(void)
{
	Suite *s = suite_create("digits");
	TCase *t = tcase_create("digits");

	tcase_add_test(t, test_hex);
	tcase_add_test(t, test_base64_standard);
	tcase_add_test(t, test_base64_url_too);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(digits_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

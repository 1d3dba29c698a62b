/* tests/unit/check_words.c: base/words (a vocabulary looked up both
 * ways). */
#include <check.h>
#include <stdlib.h>

#include "base/words.h"

static const struct word colours[] = {
	{ "red", 1 }, { "green", 2 }, { "blue", 4 }, { "azure", 4 },
};

START_TEST(test_value)
{
	int v = -7;

	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), "green"),
	                 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), "azure"),
	                 0);
	ck_assert_int_eq(v, 4);
	v = -7;
	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), "Red"),
	                 -1);
	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), "re"), -1);
	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), "reds"),
	                 -1);
	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), ""), -1);
	ck_assert_int_eq(word_value(&v, colours, WORDS_N(colours), NULL), -1);
	ck_assert_int_eq(v, -7);        /* untouched on failure */
}
END_TEST

START_TEST(test_value_n)
{
	int v = 0;

	/* "blue@3": only the first len bytes count */
	ck_assert_int_eq(word_value_n(&v, colours, WORDS_N(colours),
	                              "blue@3", 4), 0);
	ck_assert_int_eq(v, 4);
	ck_assert_int_eq(word_value_n(&v, colours, WORDS_N(colours),
	                              "blue@3", 3), -1);
	ck_assert_int_eq(word_value_n(&v, colours, WORDS_N(colours),
	                              NULL, 0), -1);
}
END_TEST

START_TEST(test_name)
{
	ck_assert_str_eq(word_name(colours, WORDS_N(colours), 1), "red");
	/* two words worth 4: the first */
	ck_assert_str_eq(word_name(colours, WORDS_N(colours), 4), "blue");
	ck_assert_ptr_null(word_name(colours, WORDS_N(colours), 3));
	ck_assert_ptr_null(word_name(colours, 0, 1));
}
END_TEST

static Suite *
words_suite(void)
{
	Suite *s = suite_create("words");
	TCase *t = tcase_create("words");

	tcase_add_test(t, test_value);
	tcase_add_test(t, test_value_n);
	tcase_add_test(t, test_name);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(words_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

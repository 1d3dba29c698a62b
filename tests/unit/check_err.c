/*
 * tests/unit/check_err.c: base/err.c, the one error object, and how the
 * Bosh error classes of cpi/error.c sit on it (the rest of cpi/error.c is
 * in check_rpc.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "cpi/error.h"

START_TEST(test_set_first_wins)
{
	struct err e = {0};

	ck_assert(!err_is_set(&e));
	ck_assert_int_eq(err_set(&e, ERR_EPARSE, "bad %s at %d", "reply", 3),
	                 ERR_EPARSE);
	ck_assert(err_is_set(&e));
	ck_assert_int_eq(e.code, ERR_EPARSE);
	ck_assert_str_eq(e.message, "bad reply at 3");
	/* a later set is ignored but still returns its code */
	ck_assert_int_eq(err_set(&e, ERR_ENOMEM, "later"), ERR_ENOMEM);
	ck_assert_int_eq(e.code, ERR_EPARSE);
	ck_assert_str_eq(e.message, "bad reply at 3");
	/* defaults of the other fields: CpiError, not retryable */
	ck_assert_int_eq(e.type, CPI_ERROR_CPI);
	ck_assert(!e.ok_to_retry);
	ck_assert(!e.transient);
}
END_TEST

START_TEST(test_set_nonnegative_and_null)
{
	struct err e = {0};

	ck_assert_int_eq(err_set(&e, 0, "zero"), ERR_FAIL);
	ck_assert_int_eq(e.code, ERR_FAIL);
	err_clear(&e);
	ck_assert_int_eq(err_set(&e, 7, "seven"), ERR_FAIL);
	ck_assert_int_eq(e.code, ERR_FAIL);
	ck_assert_int_eq(err_set(NULL, ERR_EINVAL, "x"), ERR_EINVAL);
	ck_assert_int_eq(err_set(NULL, 1, "x"), ERR_FAIL);
	ck_assert(!err_is_set(NULL));
	err_clear(NULL);
	err_prefix(NULL, "p");
	err_keep_first(NULL, &e);
}
END_TEST

START_TEST(test_message_truncated)
{
	struct err e = {0};
	char big[3 * ERR_MESSAGE_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ERR_EINVAL, "%s", big);
	ck_assert_uint_eq(strlen(e.message), sizeof(e.message) - 1);
	err_prefix(&e, "ctx");
	ck_assert_uint_eq(strlen(e.message), sizeof(e.message) - 1);
	ck_assert(strncmp(e.message, "ctx: xxx", 8) == 0);
}
END_TEST

START_TEST(test_prefix)
{
	struct err e = {0};

	err_prefix(&e, "unset");
	ck_assert_str_eq(e.message, "");
	ck_assert(!err_is_set(&e));
	err_set(&e, ERR_ENOTFOUND, "vm-42 not found");
	err_prefix(&e, "%s", "delete_vm");
	err_prefix(&e, "step %d", 2);
	ck_assert_str_eq(e.message, "step 2: delete_vm: vm-42 not found");
	ck_assert_int_eq(e.code, ERR_ENOTFOUND);
}
END_TEST

START_TEST(test_clear)
{
	struct err e = {0};

	err_set(&e, ERR_EFAULT, "fault");
	e.transient = true;
	e.http_status = 500;
	snprintf(e.fault, sizeof(e.fault), "%s", "NotAuthenticated");
	err_clear(&e);
	ck_assert(!err_is_set(&e));
	ck_assert_int_eq(e.http_status, 0);
	ck_assert(!e.transient);
	ck_assert_str_eq(e.fault, "");
	ck_assert_str_eq(e.message, "");
}
END_TEST

START_TEST(test_keep_first)
{
	struct err up = {0}, local = {0}, other = {0};

	err_keep_first(&up, &local);            /* unset local: nothing */
	ck_assert(!err_is_set(&up));
	err_set(&local, ERR_ETIMEOUT, "timed out");
	local.transient = true;
	local.maybe_sent = true;
	err_keep_first(&up, &local);
	ck_assert_int_eq(up.code, ERR_ETIMEOUT);
	ck_assert(up.transient && up.maybe_sent);
	ck_assert_str_eq(up.message, "timed out");
	err_set(&other, ERR_EIO, "later");
	err_keep_first(&up, &other);            /* first one stays */
	ck_assert_int_eq(up.code, ERR_ETIMEOUT);
	ck_assert_str_eq(up.message, "timed out");
	err_keep_first(&up, NULL);
	ck_assert_int_eq(up.code, ERR_ETIMEOUT);
}
END_TEST

START_TEST(test_cpi_set)
{
	struct err e = {0};

	ck_assert_int_eq(cpi_err_set(&e, CPI_ERROR_VM_NOT_FOUND, true,
	                             "vm %s", "vm-1"), ERR_FAIL);
	ck_assert(err_is_set(&e));
	ck_assert_int_eq(e.code, ERR_FAIL);
	ck_assert_int_eq(e.type, CPI_ERROR_VM_NOT_FOUND);
	ck_assert(e.ok_to_retry);
	ck_assert_str_eq(e.message, "vm vm-1");
	/* first wins, also against err_set */
	cpi_err_set(&e, CPI_ERROR_CLOUD, false, "later");
	err_set(&e, ERR_EIO, "later");
	ck_assert_int_eq(e.type, CPI_ERROR_VM_NOT_FOUND);
	ck_assert_str_eq(e.message, "vm vm-1");
	err_clear(&e);
	cpi_err_set(&e, (enum cpi_error_type)99, false, "x");
	ck_assert_int_eq(e.type, CPI_ERROR_CPI);
	ck_assert_int_eq(cpi_err_set(NULL, CPI_ERROR_CPI, false, "x"),
	                 ERR_FAIL);
}
END_TEST

/* What tests/unit/check_rpc.c's test_error_set_once does not cover. */
START_TEST(test_cpi_from_vs)
{
	struct err e = {0}, vs = {0};

	cpi_err_from_vs(&e, CPI_ERROR_CLOUD, &vs);      /* unset vs */
	ck_assert_int_eq(e.type, CPI_ERROR_CPI);
	ck_assert_str_eq(e.message, "vSphere call failed without a message");

	err_clear(&e);
	err_set(&vs, ERR_ETASK, "task: InvalidLogin");
	snprintf(vs.fault, sizeof(vs.fault), "%s", "InvalidLogin");
	cpi_err_from_vs(&e, CPI_ERROR_VM_NOT_FOUND, &vs); /* fault named */
	ck_assert_int_eq(e.type, CPI_ERROR_VM_NOT_FOUND);
	ck_assert_str_eq(e.message, "task: InvalidLogin");

	err_clear(&e);
	err_clear(&vs);
	err_set(&vs, ERR_EPARSE, "%s", "");
	cpi_err_from_vs(&e, CPI_ERROR_CLOUD, &vs);       /* empty message */
	ck_assert_str_eq(e.message, "vSphere call failed");
}
END_TEST

static Suite *
err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_set_first_wins);
	tcase_add_test(tc, test_set_nonnegative_and_null);
	tcase_add_test(tc, test_message_truncated);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_keep_first);
	tcase_add_test(tc, test_cpi_set);
	tcase_add_test(tc, test_cpi_from_vs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(err_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

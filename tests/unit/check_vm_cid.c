/* tests/unit/check_vm_cid.c: cpi/vm_cid (the VM cids this CPI makes). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/error.h"
#include "cpi/vm_cid.h"

START_TEST(test_ok)
{
	char longest[CPI_VM_CID_MAX + 1];

	memset(longest, 'a', CPI_VM_CID_MAX);
	longest[CPI_VM_CID_MAX] = '\0';
	ck_assert(cpi_vm_cid_ok("vm-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
	ck_assert(cpi_vm_cid_ok("A_z.9-"));
	ck_assert(cpi_vm_cid_ok(".x"));
	ck_assert(cpi_vm_cid_ok(longest));
}
END_TEST

START_TEST(test_chars)
{
	const char *ok = "AZaz09_.-";
	const char *bad = " /\\:@+~\n\x7f";

	for (; *ok != '\0'; ok++)
		ck_assert(cpi_vm_cid_char(*ok));
	for (; *bad != '\0'; bad++)
		ck_assert(!cpi_vm_cid_char(*bad));
	ck_assert(!cpi_vm_cid_char((char)0xc3));
}
END_TEST

START_TEST(test_refused)
{
	char toolong[CPI_VM_CID_MAX + 2];

	memset(toolong, 'a', CPI_VM_CID_MAX + 1);
	toolong[CPI_VM_CID_MAX + 1] = '\0';
	ck_assert(!cpi_vm_cid_ok(NULL));
	ck_assert(!cpi_vm_cid_ok(""));
	ck_assert(!cpi_vm_cid_ok("."));
	ck_assert(!cpi_vm_cid_ok(".."));
	ck_assert(!cpi_vm_cid_ok("vm/1"));
	ck_assert(!cpi_vm_cid_ok("vm 1"));
	ck_assert(!cpi_vm_cid_ok("vm\n1"));
	ck_assert(!cpi_vm_cid_ok(toolong));
}
END_TEST

START_TEST(test_check_messages)
{
	struct err e = {0};

	ck_assert_int_eq(cpi_vm_cid_check("vm-1", "has_vm", &e), 0);
	ck_assert_int_ne(cpi_vm_cid_check("..", "has_vm", &e), 0);
	ck_assert_str_eq(e.message, "has_vm: bad vm_cid");
	ck_assert_int_eq(e.type, CPI_ERROR_CLOUD);
	ck_assert(!e.ok_to_retry);
	err_clear(&e);
	ck_assert_int_ne(cpi_vm_cid_check("", "delete_vm", &e), 0);
	ck_assert_str_eq(e.message, "delete_vm: bad vm_cid");
	err_clear(&e);
	ck_assert_int_ne(cpi_vm_cid_check("../x", "attach_disk", &e), 0);
	ck_assert_str_eq(e.message,
	                 "attach_disk: vm_cid may only hold A-Z a-z 0-9 _ . -");
	err_clear(&e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vm_cid");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_chars);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_check_messages);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

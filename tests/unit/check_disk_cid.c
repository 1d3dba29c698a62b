/*
 * tests/unit/check_disk_cid.c: cpi/disk_cid.c, this CPI's and the Ruby
 * CPI's disk cids (director_disk_cid.rb: "disk-<uuid>.<base64 JSON>").
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/disk_cid.h"

#define UUID "6f1c2b9e-0a4d-4c3e-9b8a-0123456789ab"
#define NAME "disk-" UUID
/* {"target_datastore_pattern":"^(LocalDS_1)$"}, as the Ruby CPI wrote
 * it (URL-safe, padded) */
#define RUBY_META "eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOiJeKExvY2FsRFNfMSkkIn0="

static int
parse(struct cpi_disk_cid *id, const char *raw, struct err *e)
{
	err_clear(e);
	return cpi_disk_cid_parse(id, raw, "m", e);
}

static void
refused(const char *raw, const char *why)
{
	struct cpi_disk_cid id;
	struct err e;

	ck_assert_msg(parse(&id, raw, &e) != 0, "accepted: %s", raw);
	ck_assert_int_eq(e.type, CPI_ERROR_CLOUD);
	ck_assert_msg(strstr(e.message, why) != NULL, "'%s': '%s' lacks '%s'",
	              raw, e.message, why);
	ck_assert_str_eq(id.name, "");
	ck_assert_ptr_null(id.pattern);
}

START_TEST(test_plain)
{
	struct cpi_disk_cid id;
	struct err e;

	ck_assert_int_eq(parse(&id, NAME, &e), 0);
	ck_assert_str_eq(id.name, NAME);
	ck_assert_ptr_null(id.pattern);
	cpi_disk_cid_clear(&id);
	cpi_disk_cid_clear(NULL);
}
END_TEST

START_TEST(test_ruby)
{
	struct cpi_disk_cid id;
	struct err e;

	ck_assert_int_eq(parse(&id, NAME "." RUBY_META, &e), 0);
	ck_assert_str_eq(id.name, NAME);
	ck_assert_str_eq(id.pattern, "^(LocalDS_1)$");
	cpi_disk_cid_clear(&id);
	/* padding dropped; other keys ignored; \d in the pattern */
	ck_assert_int_eq(parse(&id, NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4"
	                       "iOiJeZHNcXGQrJCIsIm90aGVyIjpbMSwyXX0", &e), 0);
	ck_assert_str_eq(id.pattern, "^ds\\d+$");
	cpi_disk_cid_clear(&id);
	/* the standard alphabet too ('/' and '+' for '_' and '-') */
	ck_assert_int_eq(parse(&id, NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4"
	                       "iOiL//iJ9", &e), ERR_FAIL);
	/* an empty object: no pattern */
	ck_assert_int_eq(parse(&id, NAME ".e30=", &e), 0);
	ck_assert_ptr_null(id.pattern);
	cpi_disk_cid_clear(&id);
	ck_assert_int_eq(parse(&id, NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4"
	                       "iOm51bGx9", &e), 0);  /* null pattern */
	ck_assert_ptr_null(id.pattern);
	cpi_disk_cid_clear(&id);
}
END_TEST

START_TEST(test_hostile)
{
	char big[CPI_DISK_CID_SUFFIX_MAX + 64];

	refused(NULL, "missing");
	refused("", "bad disk name");
	refused("vm-1234", "bad disk name");
	refused("disk-../x." RUBY_META, "bad disk name");
	refused("disk-a/b", "bad disk name");
	refused(".e30=", "bad disk name");
	refused("disk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	        "aaaaaaaaaa", "too long");
	refused(NAME ".", "not base64");
	refused(NAME ".e30=." RUBY_META, "not base64");
	refused(NAME ".e3!=", "not base64");
	refused(NAME ".e30==", "not base64");
	refused(NAME ".e", "not base64");
	refused(NAME ".e31=", "not base64");      /* trailing bits set */
	refused(NAME ".WzFd", "not a JSON object");           /* [1] */
	refused(NAME ".bm90IGpzb24", "not a JSON object");    /* not json */
	refused(NAME ".eyJhIjoxLCJhIjoyfQ==", "not a JSON object"); /* dup */
	refused(NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOjV9",
	        "not a string");                               /* 5 */
	refused(NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOiJcdTAwMDB4In0=",
	        "not a JSON object");                          /* "\u0000x" */
	refused(NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOiL__iJ9",
	        "not a JSON object");                 /* not UTF-8 */
	refused(NAME ".eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOiJkcygifQ==",
	        "target_datastore_pattern: not a valid regular expression");
	snprintf(big, sizeof(big), "%s.", NAME);
	memset(big + strlen(big), 'A', sizeof(big) - strlen(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(big, "metadata too long");
}
END_TEST

static Suite *
disk_cid_suite(void)
{
	Suite *s = suite_create("disk_cid");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_ruby);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(disk_cid_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

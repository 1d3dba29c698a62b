/*
 * check_vm_place: cpi/vm_place.h, what create_vm adds to its placement
 * request: the datastore draw's random source and the persistent disks'
 * patterns from disk_cids.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/vm_place.h"
#include "vsphere/transports.h"

#define NAME "disk-6f1c2b9e-0a4d-4c3e-9b8a-0123456789ab"
/* {"target_datastore_pattern":"^(LocalDS_1)$"} (URL-safe, padded) */
#define RUBY_META "eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOiJeKExvY2FsRFNfMSkkIn0="

static struct err err;

/* A create_vm call whose disk_cids (the 4th argument) are cids. */
static struct cpi_call
call_with(json_t *args, json_t *cids, const struct cpi_options *opts)
{
	json_t *head = json_pack("[s,s,{},{}]", "agent", "sc-x");
	struct cpi_call c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(json_array_extend(args, head), 0);
	json_decref(head);
	ck_assert_int_eq(json_array_append_new(args, cids), 0);
	ck_assert_int_eq(json_array_append_new(args, json_object()), 0);
	err_clear(&err);
	c.method = "create_vm";
	c.args = args;
	c.opts = opts;
	c.err = &err;
	return c;
}

START_TEST(test_disk_patterns)
{
	json_t *args = json_array();
	struct cpi_call c = call_with(args, json_pack("[s,s,s,i]",
	                              NAME "." RUBY_META, NAME, "junk", 7),
	                              NULL);
	char **pats = NULL;
	size_t n = 9;

	ck_assert_int_eq(cpi_vm_place_disk_patterns(&pats, &n, &c), 0);
	/* only the Ruby form has a pattern; plain, unparsable and
	 * non-string cids are left to attach_disk */
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(pats[0], "^(LocalDS_1)$");
	ck_assert_int_eq(err.code, 0);
	cpi_vm_place_patterns_free(pats, n);
	json_decref(args);
}
END_TEST

START_TEST(test_no_disks)
{
	json_t *args = json_array();
	struct cpi_call c = call_with(args, json_array(), NULL);
	char **pats = (char **)&c;
	size_t n = 9;

	ck_assert_int_eq(cpi_vm_place_disk_patterns(&pats, &n, &c), 0);
	ck_assert_ptr_null(pats);
	ck_assert_uint_eq(n, 0);
	cpi_vm_place_patterns_free(NULL, 0);
	json_decref(args);
}
END_TEST

/* Recording and replaying fix the draw; otherwise the kernel's, unless
 * a test-hook build is told otherwise. */
START_TEST(test_rand)
{
	static const struct cpi_options replay = { "c.json", "fx", NULL };
	static const struct cpi_options record = { "c.json", NULL, "fx" };
	json_t *args = json_array();
	struct cpi_call c = call_with(args, json_array(), NULL);

	unsetenv("VSPHERE_CPI_FIXTURES");
	unsetenv("VSPHERE_CPI_PLACEMENT_RANDOM");
	ck_assert_ptr_null(cpi_vm_place_rand(&c));
	c.opts = &replay;
	ck_assert_ptr_eq(cpi_vm_place_rand(&c), vs_placement_rand_fixed);
	c.opts = &record;
	ck_assert_ptr_eq(cpi_vm_place_rand(&c), vs_placement_rand_fixed);
	c.opts = NULL;
	setenv("VSPHERE_CPI_PLACEMENT_RANDOM", "fixed", 1);
	ck_assert_ptr_eq(cpi_vm_place_rand(&c), vs_transport_test_hooks() ?
	                 vs_placement_rand_fixed : NULL);
	setenv("VSPHERE_CPI_PLACEMENT_RANDOM", "other", 1);
	ck_assert_ptr_null(cpi_vm_place_rand(&c));
	unsetenv("VSPHERE_CPI_PLACEMENT_RANDOM");
	json_decref(args);
}
END_TEST

/* The fixed source: every byte 0xff. */
START_TEST(test_fixed_bytes)
{
	unsigned char b[5] = { 0 };
	size_t i;

	ck_assert_int_eq(vs_placement_rand_fixed(b, sizeof(b)), 0);
	for (i = 0; i < sizeof(b); i++)
		ck_assert_uint_eq(b[i], 0xff);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vm_place");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_disk_patterns);
	tcase_add_test(tc, test_no_disks);
	tcase_add_test(tc, test_rand);
	tcase_add_test(tc, test_fixed_bytes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * check_create_journal: the leftover journal of create_vm calls in
 * flight (cpi/create_journal.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpi/create_journal.h"

static char dir[256];
static struct err err;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check-journal-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	err_clear(&err);
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct cpi_journal_entry
entry(const char *cid, long long since)
{
	struct cpi_journal_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.cid, sizeof(e.cid), "%s", cid);
	e.since = since;
	snprintf(e.vcenter, sizeof(e.vcenter), "https://vc:443/sdk");
	snprintf(e.datacenter, sizeof(e.datacenter), "DC0");
	snprintf(e.folder, sizeof(e.folder), "BOSH_VMs/d-1");
	return e;
}

static void
put_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Written, read back whole, only when old enough, removed. */
/* A grace shorter than a create_vm can last is raised to it: a short
 * leftover_vm_grace_seconds never sweeps a create_vm still running. */
START_TEST(test_grace_floor)
{
	struct cpi_vcenter vc;

	memset(&vc, 0, sizeof(vc));
	vc.deadline_seconds = 900;
	vc.leftover_vm_grace_s = 3600;
	ck_assert_int_eq(cpi_journal_grace(&vc), 3600);
	vc.leftover_vm_grace_s = 60;
	ck_assert_int_eq(cpi_journal_grace(&vc), 975);
	vc.deadline_seconds = 30;
	ck_assert_int_eq(cpi_journal_grace(&vc), 105);
	vc.leftover_vm_grace_s = 106;
	ck_assert_int_eq(cpi_journal_grace(&vc), 106);
}
END_TEST

START_TEST(test_round_trip)
{
	struct cpi_journal_entry a = entry("vm-a", 1000), b = entry("vm-b",
	                                                             5000);
	struct cpi_journal_entry *l = NULL;
	size_t n = 9, bad = 9;

	ck_assert_int_eq(cpi_journal_add(dir, &a, &err), 0);
	ck_assert_int_eq(cpi_journal_add(dir, &b, &err), 0);
	ck_assert_int_eq(cpi_journal_old(&l, &n, &bad, dir, 4600, 3600,
	                                 &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(bad, 0);
	ck_assert_str_eq(l[0].cid, "vm-a");
	ck_assert_int_eq(l[0].since, 1000);
	ck_assert_str_eq(l[0].vcenter, "https://vc:443/sdk");
	ck_assert_str_eq(l[0].datacenter, "DC0");
	ck_assert_str_eq(l[0].folder, "BOSH_VMs/d-1");
	free(l);
	/* at the edge: since == now - grace is old */
	ck_assert_int_eq(cpi_journal_old(&l, &n, NULL, dir, 8600, 3600,
	                                 &err), 0);
	ck_assert_uint_eq(n, 2);
	free(l);
	/* a rewrite replaces */
	a.since = 7000;
	ck_assert_int_eq(cpi_journal_add(dir, &a, &err), 0);
	ck_assert_int_eq(cpi_journal_old(&l, &n, NULL, dir, 8600, 3600,
	                                 &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0].cid, "vm-b");
	free(l);
	ck_assert_int_eq(cpi_journal_remove(dir, "vm-a", &err), 0);
	ck_assert_int_eq(cpi_journal_remove(dir, "vm-b", &err), 0);
	ck_assert_int_eq(cpi_journal_old(&l, &n, NULL, dir, 1LL << 40, 0,
	                                 &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(l);
}
END_TEST

/* Removing an entry that is not there is an error: another process
 * took it. */
START_TEST(test_remove_missing)
{
	ck_assert_int_lt(cpi_journal_remove(dir, "vm-x", &err), 0);
	ck_assert_ptr_nonnull(strstr(err.message, "leftover journal"));
}
END_TEST

/* Entries that cannot be told apart from text are refused before
 * anything is written. */
START_TEST(test_bad_entries)
{
	struct cpi_journal_entry e = entry("vm-a", 1);

	snprintf(e.folder, sizeof(e.folder), "a\nb");
	ck_assert_int_lt(cpi_journal_add(dir, &e, &err), 0);
	e = entry("../x", 1);
	err_clear(&err);
	ck_assert_int_lt(cpi_journal_add(dir, &e, &err), 0);
	e = entry("", 1);
	err_clear(&err);
	ck_assert_int_lt(cpi_journal_add(dir, &e, &err), 0);
}
END_TEST

/* Files that are not whole entries are counted, never acted on; other
 * names are not looked at. */
START_TEST(test_foreign_files)
{
	struct cpi_journal_entry *l = NULL;
	size_t n = 0, bad = 0;

	put_file("vm-1.creating", "garbage\n");
	put_file("vm-2.creating", "vsphere-cpi-creating 1\ncid vm-2\n");
	/* a whole entry under another cid's name */
	put_file("vm-3.creating", "vsphere-cpi-creating 1\ncid vm-4\n"
	         "since 1\nvcenter v\ndatacenter d\nfolder f\n");
	put_file("vm-5.creating", "vsphere-cpi-creating 1\ncid vm-5\n"
	         "since -1\nvcenter v\ndatacenter d\nfolder f\n");
	put_file("vm-6.creating", "vsphere-cpi-creating 1\ncid vm-6\n"
	         "since 1\nvcenter v\ndatacenter d\nfolder f\nextra\n");
	put_file(".vm-7.tmp", "vsphere-cpi-creating 1\ncid vm-7\n"
	         "since 1\nvcenter v\ndatacenter d\nfolder f\n");
	put_file("notes.txt", "x");
	put_file("vm-8.creating", "vsphere-cpi-creating 1\ncid vm-8\n"
	         "since 1\nvcenter v\ndatacenter d\nfolder \n");
	ck_assert_int_eq(cpi_journal_old(&l, &n, &bad, dir, 100, 60, &err),
	                 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0].cid, "vm-8");
	ck_assert_str_eq(l[0].folder, "");
	ck_assert_uint_eq(bad, 5);
	free(l);
}
END_TEST

/* The directory: made with its parents; the default one under TMPDIR
 * only when no one else can write it. */
START_TEST(test_dir)
{
	struct cpi_vcenter vc;
	char want[512], *out = NULL;
	struct stat st;

	memset(&vc, 0, sizeof(vc));
	snprintf(want, sizeof(want), "%s/a/b", dir);
	vc.leftover_journal_dir = want;
	ck_assert_int_eq(cpi_journal_dir(&out, &vc, &err), 0);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(stat(want, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free(out);
	vc.leftover_journal_dir = NULL;
	setenv("TMPDIR", dir, 1);
	ck_assert_int_eq(cpi_journal_dir(&out, &vc, &err), 0);
	snprintf(want, sizeof(want), "%s/vsphere-cpi-journal-%lu", dir,
	         (unsigned long)geteuid());
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(chmod(want, 0777), 0);
	ck_assert_int_lt(cpi_journal_dir(&out, &vc, &err), 0);
	ck_assert_ptr_null(out);
	/* a file where the directory should be */
	put_file("file", "x");
	snprintf(want, sizeof(want), "%s/file", dir);
	vc.leftover_journal_dir = want;
	err_clear(&err);
	ck_assert_int_lt(cpi_journal_dir(&out, &vc, &err), 0);
	unsetenv("TMPDIR");
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite *s = suite_create("create_journal");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_grace_floor);
	tcase_add_test(tc, test_remove_missing);
	tcase_add_test(tc, test_bad_entries);
	tcase_add_test(tc, test_foreign_files);
	tcase_add_test(tc, test_dir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(journal_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

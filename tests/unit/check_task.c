/*
 * check_task: vs_task_wait through a real client over a fake transport
 * (canned replies, recorded requests) and an injected clock, so waiting
 * takes no real time (tests/support/fake_transport.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/task.h"
#include "vsphere/vsphere.h"

static void
setup(void)
{
	ft_reset("task");
}

static void
teardown(void)
{
	ft_clear();
}

#define TASK_PROPS(state, extra)                                        \
	"<returnval><objects><obj type=\"Task\">task-1</obj><propSet>"  \
	"<name>info.state</name><val xsi:type=\"TaskInfoState\">" state \
	"</val></propSet>" extra "</objects></returnval>"
#define FILTER "<returnval type=\"PropertyFilter\">session[s]f-1</returnval>"
#define UPDATE(version, filter, obj, changes)                           \
	"<returnval><version>" version "</version><filterSet><filter "  \
	"type=\"PropertyFilter\">" filter "</filter><objectSet><kind>"  \
	"modify</kind><obj type=\"Task\">" obj "</obj>" changes         \
	"</objectSet></filterSet></returnval>"
#define CHANGE(name, val)                                               \
	"<changeSet><name>" name "</name><op>assign</op>" val           \
	"</changeSet>"

static struct vs_moref task1 = { "Task", "task-1" };

START_TEST(test_finished_one_round_trip)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("success",
	      "<propSet><name>info.result</name><val xsi:type=\""
	      "ManagedObjectReference\" type=\"VirtualMachine\">vm-63</val>"
	      "</propSet>"));
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_task_wait(&r, c, &task1, 60, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(r.moref.type, "VirtualMachine");
	ck_assert_str_eq(r.moref.value, "vm-63");
	ck_assert_ptr_null(r.text);
	ck_assert_uint_eq(ft_calls(), 1);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<pathSet>info.state"
	                             "</pathSet><pathSet>info.error</pathSet>"
	                             "<pathSet>info.result</pathSet>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<obj type=\"Task\">task-1"
	                             "</obj>"));
	vs_task_result_clear(&r);
	vs_task_result_clear(&r);       /* idempotent */
	ck_assert_double_eq(ft.clock, 1000.0);
	ft_finish(c);
}
END_TEST

START_TEST(test_finished_text_result_null_out)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("success",
	      "<propSet><name>info.result</name><val xsi:type=\"xsd:string\">"
	      "[LocalDS_0] disks/d-1.vmdk</val></propSet>"));
	ft_reply("RetrievePropertiesEx", TASK_PROPS("success", ""));
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(&r, c, &task1, 60, &err), 0);
	ck_assert_str_eq(r.text, "[LocalDS_0] disks/d-1.vmdk");
	ck_assert_str_eq(r.moref.type, "");
	vs_task_result_clear(&r);
	ck_assert_ptr_null(r.text);
	/* callers that need no result pass NULL */
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err), 0);
	ft_finish(c);
}
END_TEST

START_TEST(test_task_error_typed_fault)
{
	struct vs_moref t70 = { "Task", "task-70" };
	struct vs_task_result r;
	struct vs_client *c;
	struct err err;

	ft_reply_file("RetrievePropertiesEx",
	              "vim/PowerOffVM_Task.task.response.xml");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(&r, c, &t70, 60, &err), ERR_ETASK);
	ck_assert_int_eq(err.code, ERR_ETASK);
	ck_assert_str_eq(err.fault, "InvalidPowerState");
	ck_assert_ptr_nonnull(strstr(err.message, "task-70"));
	ck_assert_ptr_nonnull(strstr(err.message, "*types.InvalidPowerState"));
	ck_assert(!err.transient);
	ck_assert_ptr_null(r.text);
	ck_assert_uint_eq(ft_calls(), 1);
	ft_finish(c);
}
END_TEST

START_TEST(test_task_error_without_fault)
{
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("error", ""));
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err), ERR_ETASK);
	ck_assert_str_eq(err.fault, "");
	ft_finish(c);
}
END_TEST

START_TEST(test_running_then_done)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	ft_reply("CreateFilter", FILTER);
	ft_reply("WaitForUpdatesEx", UPDATE("1", "session[s]f-1", "task-1",
	      CHANGE("info.state", "<val xsi:type=\"TaskInfoState\">running"
	             "</val>") CHANGE("info.error", "")));
	ft_reply("WaitForUpdatesEx", "");
	ft.delay[5] = 10.0;         /* the empty reply took 10 s */
	/* another filter's news about another task is not ours */
	ft_reply("WaitForUpdatesEx", UPDATE("2", "session[s]f-other", "task-1",
	      CHANGE("info.state", "<val>success</val>"))
	      );
	ft_reply("WaitForUpdatesEx", UPDATE("3", "session[s]f-1", "task-9",
	      CHANGE("info.state", "<val>error</val>")));
	ft_reply("WaitForUpdatesEx", UPDATE("4", "session[s]f-1", "task-1",
	      CHANGE("info.state", "<val xsi:type=\"TaskInfoState\">success"
	             "</val>") CHANGE("info.error", "")
	      CHANGE("info.result", "<val xsi:type=\"xsd:string\">done</val>")
	      ));
	ft_reply("DestroyPropertyFilter", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_task_wait(&r, c, &task1, 600, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(r.text, "done");
	ck_assert_uint_eq(ft_calls(), 8);
	ck_assert_str_eq(ft_op_at(1), "CreateFilter");
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "<partialUpdates>false"
	                             "</partialUpdates>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "<spec><propSet><type>Task"
	                             "</type><pathSet>info.state</pathSet>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<version></version>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<options>"
	                             "<maxWaitSeconds>10</maxWaitSeconds>"
	                             "</options>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "<version>1</version>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "<version>1</version>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "<version>2</version>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(6), "<version>3</version>"));
	ck_assert_str_eq(ft_op_at(7), "DestroyPropertyFilter");
	ck_assert_ptr_nonnull(strstr(ft_body_at(7), "<_this type=\""
	                             "PropertyFilter\">session[s]f-1</_this>"));
	/* only the server's blocking passed: the client never slept */
	ck_assert_double_eq(ft.clock, 1010.0);
	vs_task_result_clear(&r);
	ft_finish(c);
}
END_TEST

START_TEST(test_simulator_quirks)
{
	struct vs_moref t65 = { "Task", "task-65" };
	struct vs_client *c;
	struct err err;

	/* still running at first, then the simulator's real replies:
	 * version "-" and info.error without <val> */
	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "Task\">task-65</obj><propSet><name>info.state</name>"
	         "<val>queued</val></propSet></objects></returnval>");
	ft_reply_file("CreateFilter", "vim/CreateFilter.response.xml");
	ft_reply_file("WaitForUpdatesEx",
	              "vim/WaitForUpdatesEx_1.response.xml");
	ft_reply_file("DestroyPropertyFilter",
	              "vim/DestroyPropertyFilter.response.xml");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_task_wait(NULL, c, &t65, 60, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(ft_calls(), 4);
	ft_finish(c);
}
END_TEST

START_TEST(test_deadline_exceeded)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	ft_reply("CreateFilter", FILTER);
	/* a server answering "no change" at once: the client sleeps 1 s
	 * between polls rather than spinning */
	ft_reply("WaitForUpdatesEx", "");
	ft_reply("WaitForUpdatesEx", "");
	ft_reply("WaitForUpdatesEx", "");
	ft_reply("DestroyPropertyFilter", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(&r, c, &task1, 2.5, &err), ERR_ETIMEOUT);
	ck_assert_int_eq(err.code, ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_ptr_nonnull(strstr(err.message, "task-1"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<maxWaitSeconds>3"
	                             "</maxWaitSeconds>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "<maxWaitSeconds>2"
	                             "</maxWaitSeconds>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "<maxWaitSeconds>1"
	                             "</maxWaitSeconds>"));
	ck_assert_str_eq(ft_op_at(5), "DestroyPropertyFilter");
	ck_assert_double_eq(ft.clock, 1003.0);
	ft_finish(c);
}
END_TEST

START_TEST(test_zero_timeout_no_filter)
{
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("queued", ""));
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 0, &err), ERR_ETIMEOUT);
	/* the deadline had passed before a filter was worth creating */
	ck_assert_uint_eq(ft_calls(), 1);
	ft_finish(c);
}
END_TEST

START_TEST(test_filter_destroyed_on_wait_error)
{
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	ft_reply("CreateFilter", FILTER);
	ft_fault("WaitForUpdatesEx", "InvalidCollectorVersion");
	ft_reply("DestroyPropertyFilter", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidCollectorVersion");
	ck_assert_str_eq(ft_op_at(3), "DestroyPropertyFilter");
	ft_finish(c);
}
END_TEST

START_TEST(test_bad_updates)
{
	static const char *const bad[] = {
		/* unknown state */
		UPDATE("1", "session[s]f-1", "task-1",
		       CHANGE("info.state", "<val>exploded</val>")),
		/* error without a typed fault */
		UPDATE("1", "session[s]f-1", "task-1",
		       CHANGE("info.error", "<val><localizedMessage>x"
		              "</localizedMessage></val>")),
		/* no version */
		"<returnval><filterSet><filter type=\"PropertyFilter\">"
		"session[s]f-1</filter></filterSet></returnval>",
		/* filter without a reference */
		"<returnval><version>1</version><filterSet></filterSet>"
		"</returnval>",
	};
	struct vs_client *c;
	struct err err;
	int rc;

	ft_reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	ft_reply("CreateFilter", FILTER);
	ft_reply("WaitForUpdatesEx", bad[_i]);
	ft_reply("DestroyPropertyFilter", "");
	c = ft_connect();
	err_clear(&err);
	rc = vs_task_wait(NULL, c, &task1, 60, &err);
	ck_assert_msg(rc == ERR_EPARSE, "case %d: rc %d %s", _i, rc,
	              err.message);
	ck_assert_str_eq(ft_op_at(3), "DestroyPropertyFilter");
	ft_finish(c);
}
END_TEST

START_TEST(test_task_gone)
{
	struct vs_client *c;
	struct err err;

	ft_fault("RetrievePropertiesEx", "ManagedObjectNotFound");
	ft_reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	ft_reply("CreateFilter", FILTER);
	ft_reply("WaitForUpdatesEx", "<returnval><version>1</version>"
	         "<filterSet><filter type=\"PropertyFilter\">session[s]f-1"
	         "</filter><objectSet><kind>leave</kind><obj type=\"Task\">"
	         "task-1</obj></objectSet></filterSet></returnval>");
	ft_reply("DestroyPropertyFilter", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(err.fault, "ManagedObjectNotFound");
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err),
	                 ERR_ENOTFOUND);
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, NULL, 60, &err), ERR_EINVAL);
	ft_finish(c);
}
END_TEST

static Suite *
task_suite(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_finished_one_round_trip);
	tcase_add_test(tc, test_finished_text_result_null_out);
	tcase_add_test(tc, test_task_error_typed_fault);
	tcase_add_test(tc, test_task_error_without_fault);
	tcase_add_test(tc, test_running_then_done);
	tcase_add_test(tc, test_simulator_quirks);
	tcase_add_test(tc, test_deadline_exceeded);
	tcase_add_test(tc, test_zero_timeout_no_filter);
	tcase_add_test(tc, test_filter_destroyed_on_wait_error);
	tcase_add_loop_test(tc, test_bad_updates, 0, 4);
	tcase_add_test(tc, test_task_gone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(task_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Unit tests of network/ addresses: parsing, formatting, masks. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/net.h"

struct addr_case {
	const char *in;
	int family;          /* 0: must be rejected */
	const char *out;     /* expanded form */
};

static const struct addr_case addr_cases[] = {
	/* IPv4 */
	{ "10.0.0.1", 4, "10.0.0.1" },
	{ "0.0.0.0", 4, "0.0.0.0" },
	{ "255.255.255.255", 4, "255.255.255.255" },
	{ "192.168.100.200", 4, "192.168.100.200" },
	{ "1.2.3.0", 4, "1.2.3.0" },
	{ "256.1.1.1", 0, NULL },
	{ "1.2.3", 0, NULL },
	{ "1.2.3.4.5", 0, NULL },
	{ "01.2.3.4", 0, NULL },
	{ "1.2.3.010", 0, NULL },
	{ "1.2.3.00", 0, NULL },
	{ "0x1.2.3.4", 0, NULL },
	{ "1..3.4", 0, NULL },
	{ "1.2.3.4.", 0, NULL },
	{ ".1.2.3.4", 0, NULL },
	{ "1.2.3.-4", 0, NULL },
	{ "1.2.3.1000", 0, NULL },
	{ "1.2.3.4/24", 0, NULL },
	{ "16843009", 0, NULL },
	{ "", 0, NULL },
	{ " 1.2.3.4", 0, NULL },
	{ "1.2.3.4 ", 0, NULL },
	{ "1.2.3.4\n", 0, NULL },
	/* IPv6 */
	{ "2600:1f16:a62:5c00::4", 6,
	  "2600:1f16:0a62:5c00:0000:0000:0000:0004" },
	{ "2601:646:100:69f1::165", 6,
	  "2601:0646:0100:69f1:0000:0000:0000:0165" },
	{ "::1", 6, "0000:0000:0000:0000:0000:0000:0000:0001" },
	{ "::", 6, "0000:0000:0000:0000:0000:0000:0000:0000" },
	{ "fe80::30:8cff:fe56:50e9", 6,
	  "fe80:0000:0000:0000:0030:8cff:fe56:50e9" },
	{ "2001:4860:4860::8888", 6,
	  "2001:4860:4860:0000:0000:0000:0000:8888" },
	{ "::ffff:192.0.2.1", 6, "0000:0000:0000:0000:0000:ffff:c000:0201" },
	{ "::FFFF:10.1.2.3", 6, "0000:0000:0000:0000:0000:ffff:0a01:0203" },
	{ "64:ff9b::198.51.100.7", 6,
	  "0064:ff9b:0000:0000:0000:0000:c633:6407" },
	{ "1:2:3:4:5:6:1.2.3.4", 6, "0001:0002:0003:0004:0005:0006:0102:0304" },
	{ "2001:DB8::ABCD", 6, "2001:0db8:0000:0000:0000:0000:0000:abcd" },
	{ "2001:Db8:0:0:0:0:0:10", 6,
	  "2001:0db8:0000:0000:0000:0000:0000:0010" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0010", 6,
	  "2001:0db8:0000:0000:0000:0000:0000:0010" },
	{ "1::", 6, "0001:0000:0000:0000:0000:0000:0000:0000" },
	{ "1:2:3:4:5:6:7::", 6, "0001:0002:0003:0004:0005:0006:0007:0000" },
	{ "::2:3:4:5:6:7:8", 6, "0000:0002:0003:0004:0005:0006:0007:0008" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6,
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ ":::", 0, NULL },
	{ "1::2::3", 0, NULL },
	{ "2001:db8::g", 0, NULL },
	{ "1:2:3:4:5:6:7:8:9", 0, NULL },
	{ "1:2:3:4:5:6:7", 0, NULL },
	{ "1:2:3:4:5:6:7:8::", 0, NULL },
	{ "::1:2:3:4:5:6:7:8", 0, NULL },
	{ "12345::1", 0, NULL },
	{ ":1::2", 0, NULL },
	{ "1::2:", 0, NULL },
	{ "1:::2", 0, NULL },
	{ "fe80::1%eth0", 0, NULL },
	{ "[2001:db8::1]", 0, NULL },
	{ "2001:db8::/64", 0, NULL },
	{ " ::1", 0, NULL },
	{ "::1 ", 0, NULL },
	{ "::ffff:1.2.3", 0, NULL },
	{ "::ffff:01.2.3.4", 0, NULL },
	{ "::1.2.3.4:5", 0, NULL },
	{ "1:2:3:4:5:6:7:1.2.3.4", 0, NULL },
	{ "1.2.3.4::", 0, NULL },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0", 0, NULL },
	{ "00000::1", 0, NULL },
};

#define NCASES (sizeof(addr_cases) / sizeof(addr_cases[0]))

START_TEST(test_addr_table)
{
	const struct addr_case *c = &addr_cases[_i];
	struct err err = { 0 };
	struct net_addr a;
	char buf[NET_ADDR_STRLEN];
	int rc;

	memset(&a, 0xa5, sizeof(a));
	rc = net_addr_parse(&a, c->in, &err);
	if (c->family == 0) {
		ck_assert_msg(rc == ERR_EINVAL, "accepted \"%s\"", c->in);
		ck_assert_int_eq(err.code, ERR_EINVAL);
		ck_assert_msg(strstr(err.message, "invalid IP address") != NULL,
		              "message: %s", err.message);
		return;
	}
	ck_assert_msg(rc == 0, "rejected \"%s\": %s", c->in, err.message);
	ck_assert_int_eq(a.family, c->family);
	net_addr_format(buf, &a);
	ck_assert_str_eq(buf, c->out);
	/* the expanded form parses back to the same address */
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(net_addr_normalize(buf, c->out, &err), 0);
	ck_assert_str_eq(buf, c->out);
}
END_TEST

START_TEST(test_addr_table_size)
{
	size_t i, good = 0, bad = 0, v4 = 0, v6 = 0;

	for (i = 0; i < NCASES; i++) {
		if (addr_cases[i].family == 0)
			bad++;
		else
			good++;
		if (addr_cases[i].family == 4)
			v4++;
		if (addr_cases[i].family == 6)
			v6++;
	}
	ck_assert_uint_ge(NCASES, 40);
	ck_assert_uint_ge(good, 15);
	ck_assert_uint_ge(bad, 15);
	ck_assert_uint_ge(v4, 4);
	ck_assert_uint_ge(v6, 10);
}
END_TEST

START_TEST(test_addr_null_and_long)
{
	struct err err = { 0 };
	struct net_addr a;
	char longtext[200];

	ck_assert_int_eq(net_addr_parse(&a, NULL, &err), ERR_EINVAL);
	memset(longtext, '1', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	err_clear(&err);
	ck_assert_int_eq(net_addr_parse(&a, longtext, &err), ERR_EINVAL);
	/* the message quotes a bounded part of the text */
	ck_assert_uint_lt(strlen(err.message), 120);
	ck_assert_ptr_nonnull(strstr(err.message, "..."));
}
END_TEST

START_TEST(test_addr_message_quotes_control_chars)
{
	struct err err = { 0 };
	struct net_addr a;

	ck_assert_int_eq(net_addr_parse(&a, "1.2.3.4\n\"x", &err), ERR_EINVAL);
	ck_assert_str_eq(err.message,
	                 "invalid IP address \"1.2.3.4\\x0a\\x22x\"");
}
END_TEST

struct compressed_case {
	const char *in;
	const char *out;
};

static const struct compressed_case compressed_cases[] = {
	{ "2001:0db8:0000:0000:0000:0000:0000:0010", "2001:db8::10" },
	{ "0:0:0:0:0:0:0:0", "::" },
	{ "0:0:0:0:0:0:0:1", "::1" },
	{ "1:0:0:0:0:0:0:0", "1::" },
	{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	{ "::ffff:c000:201", "::ffff:192.0.2.1" },
	{ "FE80::30:8CFF:FE56:50E9", "fe80::30:8cff:fe56:50e9" },
	{ "10.20.30.40", "10.20.30.40" },
};

START_TEST(test_addr_compressed)
{
	const struct compressed_case *c = &compressed_cases[_i];
	struct err err = { 0 };
	struct net_addr a;
	char buf[NET_ADDR_STRLEN];

	ck_assert_int_eq(net_addr_parse(&a, c->in, &err), 0);
	net_addr_format_compressed(buf, &a);
	ck_assert_str_eq(buf, c->out);
}
END_TEST

struct mask_case {
	const char *mask;
	int prefix;          /* -1: non-contiguous */
};

static const struct mask_case mask_cases[] = {
	{ "255.255.255.0", 24 },
	{ "255.255.255.255", 32 },
	{ "255.255.255.254", 31 },
	{ "0.0.0.0", 0 },
	{ "255.255.240.0", 20 },
	{ "128.0.0.0", 1 },
	{ "255.0.255.0", -1 },
	{ "255.255.255.1", -1 },
	{ "0.0.0.255", -1 },
	{ "ffff:ffff:ffff:ffff::", 64 },
	{ "ffff:ffff:0000:0000:0000:0000:0000:0000", 32 },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128 },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 127 },
	{ "::", 0 },
	{ "ffff:ff80::", 25 },
	{ "ffff::ffff", -1 },
	{ "ffff:fffe:ffff::", -1 },
};

START_TEST(test_netmask_prefix)
{
	const struct mask_case *c = &mask_cases[_i];
	struct err err = { 0 };
	struct net_addr m, back;
	int prefix = -7, rc;

	ck_assert_int_eq(net_addr_parse(&m, c->mask, &err), 0);
	rc = net_netmask_to_prefix(&prefix, &m, &err);
	if (c->prefix < 0) {
		ck_assert_int_eq(rc, ERR_EINVAL);
		ck_assert_ptr_nonnull(strstr(err.message, "not contiguous"));
		ck_assert_int_eq(prefix, -7);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", c->mask, err.message);
	ck_assert_int_eq(prefix, c->prefix);
	ck_assert_int_eq(net_prefix_to_netmask(&back, m.family, prefix, &err),
	                 0);
	ck_assert(net_addr_equal(&back, &m));
}
END_TEST

START_TEST(test_prefix_to_netmask_text)
{
	struct err err = { 0 };
	struct net_addr m;
	char buf[NET_ADDR_STRLEN];

	ck_assert_int_eq(net_prefix_to_netmask(&m, 6, 64, &err), 0);
	net_addr_format(buf, &m);
	ck_assert_str_eq(buf, "ffff:ffff:ffff:ffff:0000:0000:0000:0000");
	ck_assert_int_eq(net_prefix_to_netmask(&m, 4, 22, &err), 0);
	net_addr_format(buf, &m);
	ck_assert_str_eq(buf, "255.255.252.0");
	ck_assert_int_eq(net_prefix_to_netmask(&m, 4, 33, &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(net_prefix_to_netmask(&m, 6, -1, &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(net_prefix_to_netmask(&m, 5, 8, &err), ERR_EINVAL);
}
END_TEST

struct prefix_case {
	const char *text;
	int family;
	int want;            /* -1: rejected */
};

static const struct prefix_case prefix_cases[] = {
	{ "0", 4, 0 },
	{ "24", 4, 24 },
	{ "32", 4, 32 },
	{ "33", 4, -1 },
	{ "128", 6, 128 },
	{ "129", 6, -1 },
	{ "64", 6, 64 },
	{ "128", 4, -1 },
	{ "128", 0, 128 },
	{ "024", 4, -1 },
	{ "00", 4, -1 },
	{ "-1", 4, -1 },
	{ "+8", 4, -1 },
	{ " 8", 4, -1 },
	{ "8 ", 4, -1 },
	{ "", 4, -1 },
	{ "1000", 6, -1 },
	{ "2a", 6, -1 },
};

START_TEST(test_prefix_parse)
{
	const struct prefix_case *c = &prefix_cases[_i];
	struct err err = { 0 };
	int v = -5, rc;

	rc = net_prefix_parse(&v, c->text, c->family, &err);
	if (c->want < 0) {
		ck_assert_msg(rc == ERR_EINVAL, "accepted \"%s\"", c->text);
		ck_assert_int_eq(v, -5);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", c->text, err.message);
	ck_assert_int_eq(v, c->want);
}
END_TEST

START_TEST(test_subnet)
{
	struct err err = { 0 };
	struct net_addr a, b, n;
	char buf[NET_ADDR_STRLEN];

	ck_assert_int_eq(net_addr_parse(&a, "10.1.2.3", &err), 0);
	ck_assert_int_eq(net_addr_parse(&b, "10.1.3.254", &err), 0);
	ck_assert(net_addr_in_subnet(&b, &a, 23));
	ck_assert(!net_addr_in_subnet(&b, &a, 24));
	ck_assert(net_addr_in_subnet(&b, &a, 0));
	ck_assert(!net_addr_in_subnet(&b, &a, 33));
	net_addr_network(&n, &a, 23);
	net_addr_format(buf, &n);
	ck_assert_str_eq(buf, "10.1.2.0");
	net_addr_network(&n, &a, 32);
	ck_assert(net_addr_equal(&n, &a));

	ck_assert_int_eq(net_addr_parse(&a, "2001:db8:1:2::17", &err), 0);
	ck_assert_int_eq(net_addr_parse(&b, "2001:db8:1:2:ffff::1", &err), 0);
	ck_assert(net_addr_in_subnet(&b, &a, 64));
	ck_assert(!net_addr_in_subnet(&b, &a, 65));
	net_addr_network(&n, &a, 61);
	net_addr_format(buf, &n);
	ck_assert_str_eq(buf, "2001:0db8:0001:0000:0000:0000:0000:0000");

	/* different families are never in the same subnet */
	ck_assert_int_eq(net_addr_parse(&b, "::ffff:10.1.2.3", &err), 0);
	ck_assert_int_eq(net_addr_parse(&a, "10.1.2.3", &err), 0);
	ck_assert(!net_addr_in_subnet(&b, &a, 0));
	ck_assert(!net_addr_equal(&a, &b));
}
END_TEST

START_TEST(test_error_first_wins)
{
	struct err err = { 0 };
	char longp[400];

	ck_assert(!err_is_set(&err));
	ck_assert_int_eq(err_set(&err, ERR_EINVAL, "first %d", 1),
	                 ERR_EINVAL);
	ck_assert_int_eq(err_set(&err, ERR_ENOMEM, "second"),
	                 ERR_ENOMEM);
	ck_assert_int_eq(err.code, ERR_EINVAL);
	ck_assert_str_eq(err.message, "first 1");
	err_prefix(&err, "ctx %s", "a");
	ck_assert_str_eq(err.message, "ctx a: first 1");
	ck_assert_int_eq(err_set(NULL, 0, "x"), ERR_FAIL);
	err_clear(&err);
	ck_assert(!err_is_set(&err));
	err_prefix(&err, "ignored");
	ck_assert_str_eq(err.message, "");
	/* prefixes never overflow the message */
	err_set(&err, ERR_EINVAL, "%s", "tail");
	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	err_prefix(&err, "%s", longp);
	err_prefix(&err, "%s", longp);
	ck_assert_uint_lt(strlen(err.message), sizeof(err.message));
}
END_TEST

/* A tiny deterministic generator, so failures reproduce. */
static unsigned int
next_rand(unsigned int *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

/* Address-like strings: hex groups, colons, dotted quads, junk. */
static void
random_addr_text(char *s, size_t cap, unsigned int *st)
{
	static const char junk[] = "0123456789abcdefABCDEFg:.%/ ";
	size_t k = 0;
	int i, j, groups, digits;

	if (next_rand(st) % 4 == 0) {
		int n = (int)(next_rand(st) % 24);

		for (i = 0; i < n && k + 1 < cap; i++)
			s[k++] = junk[next_rand(st) % (sizeof(junk) - 1)];
		s[k] = '\0';
		return;
	}
	groups = (int)(next_rand(st) % 10);
	for (i = 0; i < groups && k + 8 < cap; i++) {
		digits = (int)(next_rand(st) % 6);
		for (j = 0; j < digits; j++)
			s[k++] = "0123456789abcdefABCDEF"[next_rand(st) % 22];
		if (i < groups - 1) {
			s[k++] = ':';
			if (next_rand(st) % 6 == 0)
				s[k++] = ':';
		}
	}
	s[k] = '\0';
	if (next_rand(st) % 3 == 0 && k + 20 < cap)
		snprintf(s + k, cap - k, "%s%u.%u.%u.%u",
		         groups > 0 ? ":" : "",
		         next_rand(st) % 300, next_rand(st) % 300,
		         next_rand(st) % 300, next_rand(st) % 300);
}

/* The parser agrees with the C library's inet_pton (which is as strict
 * about IPv4 leading zeros) on accept/reject and on the bytes. */
START_TEST(test_addr_differential)
{
	struct err err = { 0 };
	struct net_addr a;
	unsigned char ref[16];
	unsigned int st = 20240501u;
	char s[64];
	int i, mine, theirs, accepted = 0;

	for (i = 0; i < 100000; i++) {
		random_addr_text(s, sizeof(s), &st);
		err_clear(&err);
		mine = net_addr_parse(&a, s, &err) == 0;
		if (strchr(s, ':') != NULL)
			theirs = inet_pton(AF_INET6, s, ref) == 1;
		else
			theirs = inet_pton(AF_INET, s, ref) == 1;
		ck_assert_msg(mine == theirs, "\"%s\": ours %d, libc %d", s,
		              mine, theirs);
		if (!mine)
			continue;
		accepted++;
		ck_assert_msg(memcmp(a.b, ref, a.family == 4 ? 4 : 16) == 0,
		              "\"%s\": different bytes", s);
	}
	/* the generator must exercise the accepting side too */
	ck_assert_int_gt(accepted, 500);
}
END_TEST

static Suite *
net_suite(void)
{
	Suite *s = suite_create("net_addr");
	TCase *tc = tcase_create("addr");

	tcase_add_loop_test(tc, test_addr_table, 0, (int)NCASES);
	tcase_add_test(tc, test_addr_table_size);
	tcase_add_test(tc, test_addr_null_and_long);
	tcase_add_test(tc, test_addr_message_quotes_control_chars);
	tcase_add_loop_test(tc, test_addr_compressed, 0,
	                    (int)(sizeof(compressed_cases) /
	                          sizeof(compressed_cases[0])));
	tcase_add_loop_test(tc, test_netmask_prefix, 0,
	                    (int)(sizeof(mask_cases) / sizeof(mask_cases[0])));
	tcase_add_test(tc, test_prefix_to_netmask_text);
	tcase_add_loop_test(tc, test_prefix_parse, 0,
	                    (int)(sizeof(prefix_cases) /
	                          sizeof(prefix_cases[0])));
	tcase_add_test(tc, test_subnet);
	tcase_add_test(tc, test_error_first_wins);
	tcase_add_test(tc, test_addr_differential);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

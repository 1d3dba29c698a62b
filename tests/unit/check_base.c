/*
 * tests/unit/check_base.c: the primitives of base/ (buf, dirs, quote, uuid,
 * utf8, redact, xmltext, digest).
 */
#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/dirs.h"
#include "base/quote.h"
#include "base/redact.h"
#include "base/span.h"
#include "base/utf8.h"
#include "base/uuid.h"
#include "base/xmltext.h"

/* --- buf ---------------------------------------------------------- */

START_TEST(test_buf_grows)
{
	struct buf b = { 0 };
	char *out = NULL;
	size_t len = 0, i;

	for (i = 0; i < 10000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	ck_assert(!b.failed);
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_uint_ge(b.cap, 10001);
	ck_assert_int_eq(b.data[b.len], '\0');
	buf_adds(&b, "xyz");
	buf_add(&b, "123", 2);
	ck_assert_int_eq(buf_take(&out, &len, &b), 0);
	ck_assert_uint_eq(len, 10005);
	ck_assert_str_eq(out + 10000, "xyz12");
	ck_assert_int_eq(out[26], 'a');
	/* take resets the buffer */
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	free(out);
}
END_TEST

START_TEST(test_buf_empty_take)
{
	struct buf b = { 0 };
	char *out = NULL;
	size_t len = 7;

	ck_assert_int_eq(buf_take(&out, &len, &b), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(len, 0);
	free(out);
	/* len_out may be NULL */
	buf_add(&b, "ab", 2);
	ck_assert_int_eq(buf_take(&out, NULL, &b), 0);
	ck_assert_str_eq(out, "ab");
	free(out);
	/* an add of nothing still gives a terminated buffer */
	buf_add(&b, NULL, 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	buf_clear(&b);
}
END_TEST

START_TEST(test_buf_failure_sticks)
{
	struct buf b = { 0 };
	char *out = (char *)"untouched";
	size_t len = 5;

	buf_adds(&b, "kept");
	/* one add over BUF_MAX marks the buffer failed, no allocation */
	buf_add(&b, "x", BUF_MAX);
	ck_assert(b.failed);
	/* later adds are ignored, the contents stay as they were */
	buf_adds(&b, "more");
	buf_addf(&b, "%d", 42);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(buf_take(&out, &len, &b), -1);
	ck_assert_str_eq(out, "untouched");
	ck_assert_uint_eq(len, 5);
	/* take on failure clears: the buffer is usable again */
	ck_assert(!b.failed);
	ck_assert_ptr_null(b.data);
	buf_adds(&b, "again");
	ck_assert_int_eq(buf_take(&out, &len, &b), 0);
	ck_assert_str_eq(out, "again");
	free(out);
}
END_TEST

START_TEST(test_buf_limit_by_total)
{
	struct buf b = { 0 };

	/* the total (len + n + 1) is bounded, not just one add */
	b.len = BUF_MAX - 2;
	buf_add(&b, "ab", 2);
	ck_assert(b.failed);
	ck_assert_ptr_null(b.data);
	b.len = 0;
	buf_clear(&b);
	ck_assert(!b.failed);
	/* SIZE_MAX does not wrap around */
	buf_add(&b, "x", SIZE_MAX);
	ck_assert(b.failed);
	buf_clear(&b);
}
END_TEST

START_TEST(test_buf_addf_long)
{
	struct buf b = { 0 };
	char *big, *out = NULL;
	size_t len = 0, i;

	/* longer than buf_addf's stack buffer (512) */
	big = malloc(5001);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < 5000; i++)
		big[i] = (char)('0' + i % 10);
	big[5000] = '\0';
	buf_adds(&b, "<");
	buf_addf(&b, "%s|%d|%s", big, -7, "end");
	buf_addf(&b, "%s", "");
	buf_addf(&b, "%zu", (size_t)511);
	ck_assert(!b.failed);
	ck_assert_int_eq(buf_take(&out, &len, &b), 0);
	ck_assert_uint_eq(len, 1 + 5000 + 7 + 3);
	ck_assert_int_eq(out[0], '<');
	ck_assert_int_eq(memcmp(out + 1, big, 5000), 0);
	ck_assert_str_eq(out + 5001, "|-7|end511");
	free(out);
	/* exactly at the stack buffer's edge */
	for (i = 510; i <= 513; i++) {
		big[i] = '\0';
		buf_addf(&b, "%s", big);
		ck_assert_uint_eq(b.len, i);
		ck_assert_int_eq(memcmp(b.data, big, i), 0);
		buf_clear(&b);
		big[i] = (char)('0' + i % 10);
	}
	free(big);
}
END_TEST

START_TEST(test_buf_binary)
{
	struct buf b = { 0 };
	char *out = NULL;
	size_t len = 0;

	buf_add(&b, "a\0b", 3);
	buf_addc(&b, '\0');
	ck_assert_int_eq(buf_take(&out, &len, &b), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(out, "a\0b\0", 5), 0);
	free(out);
	buf_clear(&b);  /* clear of an empty buffer is fine */
	buf_clear(&b);
}
END_TEST

/* --- quote -------------------------------------------------------- */

START_TEST(test_quote_printable)
{
	char buf[64];

	ck_assert_str_eq(quote_str(buf, sizeof(buf), "disk-1.vmdk"),
	                 "disk-1.vmdk");
	ck_assert_str_eq(quote_str(buf, sizeof(buf), NULL), "");
	ck_assert_str_eq(quote_str(buf, sizeof(buf), ""), "");
	ck_assert_ptr_eq(quote_str(buf, sizeof(buf), "x"), buf);
	ck_assert_str_eq(quote_str(buf, sizeof(buf), " ~"), " ~");
}
END_TEST

START_TEST(test_quote_hex)
{
	char buf[64];

	ck_assert_str_eq(quote_str(buf, sizeof(buf), "a\nb\tc"),
	                 "a\\x0ab\\x09c");
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "it's a\\b"),
	                 "it\\x27s a\\x5cb");
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "\x7f\x80\xff"),
	                 "\\x7f\\x80\\xff");
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "\"q\""), "\"q\"");
	/* NUL inside the bytes */
	ck_assert_str_eq(quote_bytes(buf, sizeof(buf), "a\0b", 3),
	                 "a\\x00b");
	/* UTF-8 is not printable ASCII */
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "\xc3\xa9"),
	                 "\\xc3\\xa9");
}
END_TEST

START_TEST(test_quote_cut)
{
	char buf[16], big[200];
	size_t i;

	/* fits exactly: no cut */
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "abcdefg"), "abcdefg");
	/* too long: cut with "...", always terminated, within size */
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "abcdefghijklmnopq"),
	                 "abcdefgh...");
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	/* an escape is never cut in half */
	ck_assert_str_eq(quote_str(buf, sizeof(buf), "\n\n\n\n\n"),
	                 "\\x0a\\x0a...");
	/* the smallest size allowed (12) */
	ck_assert_str_eq(quote_str(buf, 12, "\x01\x02\x03"), "\\x01...");
	ck_assert_str_eq(quote_str(buf, 12, "abc"), "abc");
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 3 == 0 ? '\n' : 'x');
	for (i = 12; i <= sizeof(buf); i++) {
		memset(buf, '#', sizeof(buf));
		quote_bytes(buf, i, big, sizeof(big));
		ck_assert_uint_lt(strlen(buf), i);
		ck_assert_str_eq(buf + strlen(buf) - 3, "...");
	}
}
END_TEST

/* --- uuid --------------------------------------------------------- */

START_TEST(test_uuid_v4_form)
{
	char a[UUID_LEN + 1], b[UUID_LEN + 1];
	int i;

	for (i = 0; i < 200; i++) {
		memset(a, '#', sizeof(a));
		ck_assert_int_eq(uuid_v4(a), 0);
		ck_assert_uint_eq(strlen(a), UUID_LEN);
		ck_assert_msg(uuid_valid(a), "%s", a);
		ck_assert_int_eq(a[14], '4');                 /* version */
		ck_assert_ptr_nonnull(strchr("89ab", a[19])); /* variant */
	}
	ck_assert_int_eq(uuid_v4(b), 0);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_uuid_valid)
{
	ck_assert(uuid_valid("01234567-89ab-cdef-0123-456789abcdef"));
	ck_assert(!uuid_valid("01234567-89AB-cdef-0123-456789abcdef"));
	ck_assert(!uuid_valid("01234567-89ab-cdef-0123-456789abcde"));
	ck_assert(!uuid_valid("01234567-89ab-cdef-0123-456789abcdef0"));
	ck_assert(!uuid_valid("0123456789ab-cdef-0123-456789abcdef-"));
	ck_assert(!uuid_valid("01234567-89ab-cdef-0123_456789abcdef"));
	ck_assert(!uuid_valid("01234567-89ab-cdeg-0123-456789abcdef"));
	ck_assert(!uuid_valid(""));
}
END_TEST

START_TEST(test_uuid_random_bytes)
{
	unsigned char b[64], z[64];

	memset(b, 0, sizeof(b));
	memset(z, 0, sizeof(z));
	ck_assert_int_eq(uuid_random_bytes(b, sizeof(b)), 0);
	ck_assert_int_ne(memcmp(b, z, sizeof(b)), 0);
	ck_assert_int_eq(uuid_random_bytes(b, 0), 0);
}
END_TEST

START_TEST(test_uuid_id)
{
	char id[64], small[5];

	ck_assert_int_eq(uuid_id(id, sizeof(id), "vm"), 0);
	ck_assert_uint_eq(strlen(id), 3 + UUID_LEN);
	ck_assert(strncmp(id, "vm-", 3) == 0);
	ck_assert(uuid_valid(id + 3));
	ck_assert_int_eq(uuid_id(small, sizeof(small), "disk"), 0);
	ck_assert_str_eq(small, "disk");
}
END_TEST

/* --- dirs --------------------------------------------------------- */

START_TEST(test_dirs_make)
{
	const char *tmp = getenv("TMPDIR");
	char root[512], path[600], file[600], below[700], big[5000];
	struct err e = { 0 };
	struct stat st;
	FILE *f;

	snprintf(root, sizeof(root), "%s/dirs-XXXXXX",
	         tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(root));
	umask(022);
	snprintf(path, sizeof(path), "%s/a/b/c/", root);
	ck_assert_int_eq(dirs_make(path, 0700, &e), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(dirs_make(path, 0700, &e), 0);     /* exists */
	ck_assert(!err_is_set(&e));
	/* a component that is a file: named in the message */
	snprintf(file, sizeof(file), "%s/a/f", root);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(below, sizeof(below), "%s/g/h", file);
	ck_assert_int_eq(dirs_make(below, 0700, &e), ERR_EIO);
	ck_assert_msg(strstr(e.message, "making directory") != NULL &&
	              strstr(e.message, "/a/f/g") != NULL, "%s", e.message);
	err_clear(&e);
	ck_assert_int_eq(dirs_make("", 0700, &e), ERR_EINVAL);
	err_clear(&e);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(dirs_make(big, 0700, &e), ERR_EINVAL);
	unlink(file);
	snprintf(path, sizeof(path), "%s/a/b/c", root);
	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/a/b", root);
	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/a", root);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(rmdir(root), 0);
}
END_TEST

/* --- digest ------------------------------------------------------- */

/* Expected values: python3 hashlib.sha256 of the parts, each followed
 * by one NUL byte, e.g. sha256(b"abc\0").hexdigest(). */
static const struct {
	const char *parts[3];
	size_t n;
	const char *hex;
} digests[] = {
	{ { NULL }, 0,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ { "" }, 1,
	  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" },
	{ { "abc" }, 1,
	  "dc1114cd074914bd872cc1f9a23ec910ea2203bc79779ab2e17da25782a624fc" },
	{ { "abc", "" }, 2,
	  "0616290e0a45001015ac04f49716fbec564e5bd3301a9e8871c422ef5a691fc1" },
	{ { "ab", "c" }, 2,
	  "629c2f14f654f026086f2aefe1855533d0897f49df86a19073be17b237361b09" },
	{ { "a", "bc" }, 2,
	  "aa795aa4bbb6117911ef062e271bcb05ccfd58ea439da7d46a44e3a3fcefa790" },
	{ { "caf\xc3\xa9", "", "pw" }, 3,
	  "7b407f1c0c1bd5508b2f66a5de9a3bc58140b571b0f3dbba80d5847c69a1e288" },
	{ { "https://vc.example:443", "u" }, 2,
	  "c8ae3b26cfcc025cb0d2b6434052e1e80a9a6e9972b38f393998fe1d1fc69c11" },
};

START_TEST(test_digest_sha256_vectors)
{
	char hex[DIGEST_HEX_LEN + 2];

	memset(hex, 'Z', sizeof(hex));
	ck_assert_int_eq(digest_sha256_hex(hex, digests[_i].parts,
	                                   digests[_i].n), 0);
	ck_assert_str_eq(hex, digests[_i].hex);
	ck_assert_uint_eq(strlen(hex), DIGEST_HEX_LEN);
	ck_assert_int_eq(hex[DIGEST_HEX_LEN + 1], 'Z');  /* nothing past */
}
END_TEST

START_TEST(test_digest_sha256_parts)
{
	const char *ab_c[] = { "ab", "c" }, *a_bc[] = { "a", "bc" };
	const char *abc[] = { "abc" }, *big_part[1];
	char h1[DIGEST_HEX_LEN + 1], h2[DIGEST_HEX_LEN + 1];
	char big[1001];

	/* the NUL after each part keeps the parts apart */
	ck_assert_int_eq(digest_sha256_hex(h1, ab_c, 2), 0);
	ck_assert_int_eq(digest_sha256_hex(h2, a_bc, 2), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert_int_eq(digest_sha256_hex(h2, abc, 1), 0);
	ck_assert_str_ne(h1, h2);
	/* not SHA-256 of the bare string: the NUL is hashed */
	ck_assert_str_ne(h2, "ba7816bf8f01cfea414140de5dae2223b00361a396177a"
	                 "9cb410ff61f20015ad");
	/* the same input, the same digest */
	ck_assert_int_eq(digest_sha256_hex(h1, abc, 1), 0);
	ck_assert_str_eq(h1, h2);
	/* several blocks; lower-case hex digits only */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big_part[0] = big;
	ck_assert_int_eq(digest_sha256_hex(h1, big_part, 1), 0);
	ck_assert_str_eq(h1, "30e63136edf4e1d88d287f430aeea1e0d49afb0c42df3c7e"
	                 "bfea78949dc0dcf2");
	ck_assert_uint_eq(strspn(h1, "0123456789abcdef"), DIGEST_HEX_LEN);
}
END_TEST

/* --- utf8 --------------------------------------------------------- */

static size_t
dec(uint32_t *cp, const char *s, size_t n)
{
	return utf8_decode(cp, (const unsigned char *)s, n);
}

START_TEST(test_utf8_valid_forms)
{
	uint32_t cp = 0;

	ck_assert_uint_eq(dec(&cp, "A", 1), 1);
	ck_assert_uint_eq(cp, 'A');
	ck_assert_uint_eq(dec(&cp, "\xc2\x80", 2), 2);
	ck_assert_uint_eq(cp, 0x80);
	ck_assert_uint_eq(dec(&cp, "\xdf\xbf", 2), 2);
	ck_assert_uint_eq(cp, 0x7ff);
	ck_assert_uint_eq(dec(&cp, "\xe0\xa0\x80", 3), 3);
	ck_assert_uint_eq(cp, 0x800);
	ck_assert_uint_eq(dec(&cp, "\xef\xbf\xbf", 3), 3);
	ck_assert_uint_eq(cp, 0xffff);
	ck_assert_uint_eq(dec(&cp, "\xf0\x90\x80\x80", 4), 4);
	ck_assert_uint_eq(cp, 0x10000);
	ck_assert_uint_eq(dec(&cp, "\xf4\x8f\xbf\xbf", 4), 4);
	ck_assert_uint_eq(cp, 0x10ffff);
	/* cp may be NULL; NUL is a character */
	ck_assert_uint_eq(dec(NULL, "\xe2\x82\xac", 3), 3);
	ck_assert_uint_eq(dec(&cp, "\0", 1), 1);
	ck_assert_uint_eq(cp, 0);
	ck_assert_uint_eq(dec(&cp, "", 0), 0);
}
END_TEST

START_TEST(test_utf8_overlong)
{
	ck_assert_uint_eq(dec(NULL, "\xc0\xaf", 2), 0);     /* '/' */
	ck_assert_uint_eq(dec(NULL, "\xc1\xbf", 2), 0);
	ck_assert_uint_eq(dec(NULL, "\xe0\x80\xaf", 3), 0);
	ck_assert_uint_eq(dec(NULL, "\xe0\x9f\xbf", 3), 0); /* 0x7ff */
	ck_assert_uint_eq(dec(NULL, "\xf0\x80\x80\xaf", 4), 0);
	ck_assert_uint_eq(dec(NULL, "\xf0\x8f\xbf\xbf", 4), 0);
	ck_assert(!utf8_valid("a\xc0\x80" "b", 4));
}
END_TEST

START_TEST(test_utf8_surrogates_and_range)
{
	ck_assert_uint_eq(dec(NULL, "\xed\xa0\x80", 3), 0);  /* D800 */
	ck_assert_uint_eq(dec(NULL, "\xed\xbf\xbf", 3), 0);  /* DFFF */
	ck_assert_uint_eq(dec(NULL, "\xed\x9f\xbf", 3), 3);  /* D7FF */
	ck_assert_uint_eq(dec(NULL, "\xee\x80\x80", 3), 3);  /* E000 */
	ck_assert_uint_eq(dec(NULL, "\xf4\x90\x80\x80", 4), 0);
	ck_assert_uint_eq(dec(NULL, "\xf5\x80\x80\x80", 4), 0);
	ck_assert_uint_eq(dec(NULL, "\xff", 1), 0);
	ck_assert_uint_eq(dec(NULL, "\xfe", 1), 0);
	/* a lone continuation byte */
	ck_assert_uint_eq(dec(NULL, "\x80", 1), 0);
	/* CESU-8 pair for U+10000 */
	ck_assert(!utf8_valid("\xed\xa0\x80\xed\xb0\x80", 6));
}
END_TEST

START_TEST(test_utf8_truncated)
{
	ck_assert_uint_eq(dec(NULL, "\xc3", 1), 0);
	ck_assert_uint_eq(dec(NULL, "\xe2\x82", 2), 0);
	ck_assert_uint_eq(dec(NULL, "\xf0\x9f\x98", 3), 0);
	/* n bounds the read even when more bytes follow */
	ck_assert_uint_eq(dec(NULL, "\xe2\x82\xac", 2), 0);
	/* a continuation replaced by an ASCII byte */
	ck_assert_uint_eq(dec(NULL, "\xe2\x41\xac", 3), 0);
	ck_assert_uint_eq(dec(NULL, "\xc3\xc3", 2), 0);
	ck_assert(!utf8_valid("ok\xf0\x9f\x98", 5));
	ck_assert(utf8_valid("ok\xf0\x9f\x98\x80", 6));
	ck_assert(utf8_valid("", 0));
	ck_assert(utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(test_utf8_clean)
{
	char *c;

	c = utf8_clean("caf\xc3\xa9 \xc3(\xed\xa0\x80!\xe2\x82");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c, "caf\xc3\xa9 ?(???" "!??");
	free(c);
	c = utf8_clean("");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c, "");
	free(c);
	c = utf8_clean("\xf0\x9f\x98\x80");
	ck_assert_str_eq(c, "\xf0\x9f\x98\x80");
	free(c);
}
END_TEST

/* --- redact ------------------------------------------------------- */

START_TEST(test_redact_secret_at_forms)
{
	const char *pw = "a&b<\"c d/\xc3\xa9";
	char t[128];

	/* as is, then trailing text is not part of the match */
	snprintf(t, sizeof(t), "%s tail", pw);
	ck_assert_uint_eq(redact_secret_at(t, strlen(t), pw), strlen(pw));
	/* XML named and numeric references, mixed */
	ck_assert_uint_eq(redact_secret_at("a&amp;b&lt;&quot;c d/&#xE9;!",
	                                   28, pw), 27);
	ck_assert_uint_eq(redact_secret_at("a&#38;b&#60;&#34;c d/&#233;",
	                                   27, pw), 27);
	/* percent-encoded ('+' for the space) and JSON */
	ck_assert_uint_eq(redact_secret_at("a%26b%3C%22c+d%2F%C3%A9", 23,
	                                   pw), 23);
	ck_assert_uint_eq(redact_secret_at("a&b<\\\"c d\\/\\u00e9", 17, pw),
	                  17);
	/* not there, or cut short */
	ck_assert_uint_eq(redact_secret_at("a&b<\"c e", 8, pw), 0);
	ck_assert_uint_eq(redact_secret_at("a&b", 3, pw), 0);
	/* no secret */
	ck_assert_uint_eq(redact_secret_at("abc", 3, ""), 0);
	ck_assert_uint_eq(redact_secret_at("abc", 3, NULL), 0);
	ck_assert_uint_eq(redact_secret_at(NULL, 0, "abc"), 0);
	/* above U+FFFF: a JSON surrogate pair */
	ck_assert_uint_eq(redact_secret_at("x\\ud83d\\ude00", 13,
	                                   "x\xf0\x9f\x98\x80"), 13);
}
END_TEST

START_TEST(test_redact_secrets_mark)
{
	const char *const sec[] = { "pw", "", "pw-long", NULL };
	char *out = (char *)"x";
	size_t len = 0;

	/* longest first; the caller's mark */
	ck_assert_int_eq(redact_secrets(&out, &len, "a pw-long pw b", 14, sec,
	                                "[R]"), 0);
	ck_assert_str_eq(out, "a [R] [R] b");
	ck_assert_uint_eq(len, 11);
	free(out);
	/* nothing found: NULL, the caller keeps its text */
	out = (char *)"x";
	ck_assert_int_eq(redact_secrets(&out, NULL, "p w", 3, sec, "[R]"), 0);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(redact_secrets(&out, NULL, "pw", 2, NULL, "[R]"), 0);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(redact_secrets(&out, NULL, "", 0, sec, "[R]"), 0);
	ck_assert_ptr_null(out);
	/* at the very start and end */
	ck_assert_int_eq(redact_secrets(&out, NULL, "pw", 2, sec, "#"), 0);
	ck_assert_str_eq(out, "#");
	free(out);
}
END_TEST

/* The element's whole content goes, even when a comment or a CDATA
 * section inside it holds what looks like its close tag. */
START_TEST(test_redact_close_past_markup)
{
	static const char in[] =
		"<password>a<!-- </password> -->b<![CDATA[</password>]]>c"
		"</password><userName>u</userName>";
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(redact_text(&out, &len, in, strlen(in), NULL), 0);
	ck_assert_str_eq(out, "<password>REDACTED</password>"
	                 "<userName>u</userName>");
	free(out);
	/* an unterminated comment: the rest of the text goes */
	ck_assert_int_eq(redact_text(&out, &len, "<password>a<!-- b", 17,
	                             NULL), 0);
	ck_assert_ptr_null(strstr(out, "b"));
	free(out);
}
END_TEST

START_TEST(test_span)
{
	const char s[] = { 'a', 'b', 'c', 'a', 'b' };	/* no NUL */

	ck_assert(span_starts(s, 5, "abc"));
	ck_assert(span_starts(s, 5, ""));
	ck_assert(!span_starts(s, 2, "abc"));
	ck_assert(!span_starts(s, 5, "abd"));
	ck_assert_uint_eq(span_find(s, 5, "ab"), 0);
	ck_assert_uint_eq(span_find(s, 5, "ca"), 2);
	ck_assert_uint_eq(span_find(s + 1, 4, "ab"), 2);
	ck_assert_uint_eq(span_find(s, 5, "abx"), 5);
	ck_assert_uint_eq(span_find(s, 4, "ab"), 0);
	ck_assert_uint_eq(span_find(s + 1, 3, "ab"), 3);  /* cut short */
	ck_assert_uint_eq(span_find(s, 5, ""), 5);
	ck_assert_uint_eq(span_find(s, 2, "abc"), 2);
}
END_TEST

START_TEST(test_redact_text_shapes)
{
	static const char in[] =
		"<Login><userName>u</userName><password>p&amp;w</password>"
		"</Login><LoginResponse><returnval><key>k-123</key>"
		"</returnval></LoginResponse>"
		"<extraConfig><key>guestinfo.userdata</key><value>ud</value>"
		"</extraConfig>"
		"Cookie: vmware_soap_session=\"c00k1e\"; Path=/ my-secret";
	const char *const sec[] = { "my-secret", NULL };
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(redact_text(&out, &len, in, strlen(in), sec), 0);
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_ptr_null(strstr(out, "p&amp;w"));
	ck_assert_ptr_null(strstr(out, "k-123"));
	ck_assert_ptr_null(strstr(out, ">ud<"));
	ck_assert_ptr_null(strstr(out, "c00k1e"));
	ck_assert_ptr_null(strstr(out, "my-secret"));
	ck_assert_ptr_nonnull(strstr(out, "<userName>u</userName>"));
	ck_assert_ptr_nonnull(strstr(out,
	                             "<password>REDACTED</password>"));
	ck_assert_ptr_nonnull(strstr(out, "<key>REDACTED</key>"));
	ck_assert_ptr_nonnull(strstr(out, "<value>REDACTED</value>"));
	ck_assert_ptr_nonnull(strstr(out,
	                             "vmware_soap_session=\"REDACTED\";"));
	free(out);
	/* empty and NULL input give "" */
	ck_assert_int_eq(redact_text(&out, &len, NULL, 5, NULL), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(len, 0);
	free(out);
}
END_TEST

/* The PBM endpoint takes the vim25 session cookie as a SOAP header. */
START_TEST(test_redact_pbm_session_header)
{
	static const char in[] =
		"<soapenv:Header><vcSessionCookie>52c0-ffee</vcSessionCookie>"
		"</soapenv:Header><soapenv:Body><PbmQueryProfile "
		"xmlns=\"urn:pbm\"><resourceType><resourceType>STORAGE"
		"</resourceType></resourceType></PbmQueryProfile>";
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(redact_text(&out, &len, in, strlen(in), NULL), 0);
	ck_assert_ptr_null(strstr(out, "52c0-ffee"));
	ck_assert_ptr_nonnull(strstr(out, "<vcSessionCookie>REDACTED"
	                             "</vcSessionCookie>"));
	ck_assert_ptr_nonnull(strstr(out, "STORAGE"));
	free(out);
}
END_TEST

START_TEST(test_redact_rest_session)
{
	static const char in[] =
		"vmware-api-session-id: 5f2e-77\r\n"
		"VMWARE-API-SESSION-ID:s1d\n"
		"Set-Cookie: vmware-api-session-id=c00k; Path=/rest\n"
		"Authorization: Basic dTpw+/==\n"
		"authorization:   basic   YWRt\n"
		"Accept: application/json\n";
	char *out = NULL, id[64];
	size_t len = 0;

	ck_assert_int_eq(redact_text(&out, &len, in, strlen(in), NULL), 0);
	ck_assert_ptr_null(strstr(out, "5f2e-77"));
	ck_assert_ptr_null(strstr(out, "s1d"));
	ck_assert_ptr_null(strstr(out, "c00k"));
	ck_assert_ptr_null(strstr(out, "dTpw"));
	ck_assert_ptr_null(strstr(out, "YWRt"));
	ck_assert_ptr_nonnull(strstr(out, "vmware-api-session-id: "
	                                  "REDACTED\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "Authorization: Basic "
	                                  "REDACTED\n"));
	ck_assert_ptr_nonnull(strstr(out, "Accept: application/json"));
	free(out);
	/* the session reply: {"value": "ID"} */
	ck_assert(redact_rest_session_id(id, sizeof(id),
	                                 "{\"value\":\"ab-12\"}", 17));
	ck_assert_str_eq(id, "ab-12");
	ck_assert(redact_rest_session_id(id, sizeof(id),
	                                 " { \"value\" : \"x\" }\n", 19));
	ck_assert_str_eq(id, "x");
	ck_assert(!redact_rest_session_id(id, 3, "{\"value\":\"abc\"}",
	                                  15));
	ck_assert(!redact_rest_session_id(id, sizeof(id),
	                                  "{\"value\":\"a\\b\"}", 16));
	ck_assert(!redact_rest_session_id(id, sizeof(id),
	                                  "{\"value\":[\"a\"]}", 15));
	ck_assert(!redact_rest_session_id(id, sizeof(id),
	                                  "{\"value\":\"\"}", 12));
	ck_assert(!redact_rest_session_id(id, sizeof(id), "{\"value\":\"a",
	                                  11));
	ck_assert(!redact_rest_session_id(id, sizeof(id), NULL, 0));
}
END_TEST

START_TEST(test_redact_login_key)
{
	static const char body[] =
		"<soapenv:Body><LoginResponse xmlns=\"urn:vim25\"><returnval>"
		"<key> 52a1-key </key><userName>u</userName></returnval>"
		"</LoginResponse></soapenv:Body>";
	char key[16], small[4];

	ck_assert(redact_login_key(key, sizeof(key), body, strlen(body)));
	ck_assert_str_eq(key, "52a1-key");
	ck_assert(!redact_login_key(small, sizeof(small), body,
	                            strlen(body)));
	ck_assert(!redact_login_key(key, sizeof(key), "<key>x</key>", 12));
	ck_assert(!redact_login_key(key, sizeof(key), NULL, 0));
}
END_TEST

START_TEST(test_redact_secret_name)
{
	ck_assert(redact_secret_name("password"));
	ck_assert(redact_secret_name("blobstore_Password"));
	ck_assert(redact_secret_name("SECRET"));
	ck_assert(redact_secret_name("ssh_key"));
	ck_assert(redact_secret_name("access_token"));
	ck_assert(redact_secret_name("credentials"));
	ck_assert(redact_secret_name("private_key"));
	ck_assert(redact_secret_name("ca_cert"));
	ck_assert(!redact_secret_name("user"));
	ck_assert(!redact_secret_name("host"));
	ck_assert(!redact_secret_name("pass"));
	ck_assert(!redact_secret_name(""));
	ck_assert(!redact_secret_name(NULL));
}
END_TEST

/* --- xmltext ------------------------------------------------------ */

static size_t
mk(enum xmltext_kind *k, const char *s)
{
	return xmltext_markup(k, s, strlen(s));
}

START_TEST(test_xmltext_markup)
{
	enum xmltext_kind k;

	ck_assert_uint_eq(mk(&k, "<a b=\"1\">x"), 9);
	ck_assert_int_eq(k, XMLTEXT_START);
	ck_assert_uint_eq(mk(&k, "<a/>"), 4);
	ck_assert_int_eq(k, XMLTEXT_EMPTY);
	ck_assert_uint_eq(mk(&k, "<a b='/>'/>tail"), 11);
	ck_assert_int_eq(k, XMLTEXT_EMPTY);
	ck_assert_uint_eq(mk(&k, "<a b=\">\">"), 9);
	ck_assert_int_eq(k, XMLTEXT_START);
	ck_assert_uint_eq(mk(&k, "</a >"), 5);
	ck_assert_int_eq(k, XMLTEXT_END);
	ck_assert_uint_eq(mk(&k, "<![CDATA[<a>]]>]]>"), 15);
	ck_assert_int_eq(k, XMLTEXT_CDATA);
	ck_assert_uint_eq(mk(&k, "<!-- <a> -->x"), 12);
	ck_assert_int_eq(k, XMLTEXT_COMMENT);
	ck_assert_uint_eq(mk(&k, "<?xml version=\"1.0\"?><a>"), 21);
	ck_assert_int_eq(k, XMLTEXT_PI);
	ck_assert_uint_eq(mk(&k, "<!DOCTYPE a>"), 12);
	ck_assert_int_eq(k, XMLTEXT_DECL);
}
END_TEST

START_TEST(test_xmltext_unterminated)
{
	enum xmltext_kind k;

	ck_assert_uint_eq(mk(&k, "<a b=\">"), 0);
	ck_assert_uint_eq(mk(&k, "<a"), 0);
	ck_assert_uint_eq(mk(&k, "<"), 0);
	ck_assert_uint_eq(mk(&k, "<![CDATA[x]]"), 0);
	ck_assert_int_eq(k, XMLTEXT_CDATA);
	ck_assert_uint_eq(mk(&k, "<!-- x --"), 0);
	ck_assert_uint_eq(mk(&k, "<?pi"), 0);
	/* n bounds the scan */
	ck_assert_uint_eq(xmltext_markup(&k, "<a>", 2), 0);
	ck_assert_uint_eq(xmltext_tag_end("<a>", 3), 3);
	ck_assert_uint_eq(xmltext_tag_end("<a>", 2), 0);
}
END_TEST

static Suite *
base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tb = tcase_create("buf");
	TCase *tq = tcase_create("quote");
	TCase *tu = tcase_create("uuid");
	TCase *td = tcase_create("dirs");
	TCase *t8 = tcase_create("utf8");
	TCase *tr = tcase_create("redact");
	TCase *th = tcase_create("digest");

	tcase_add_test(tb, test_buf_grows);
	tcase_add_test(tb, test_buf_empty_take);
	tcase_add_test(tb, test_buf_failure_sticks);
	tcase_add_test(tb, test_buf_limit_by_total);
	tcase_add_test(tb, test_buf_addf_long);
	tcase_add_test(tb, test_buf_binary);
	suite_add_tcase(s, tb);
	tcase_add_test(tq, test_quote_printable);
	tcase_add_test(tq, test_quote_hex);
	tcase_add_test(tq, test_quote_cut);
	suite_add_tcase(s, tq);
	tcase_add_test(tu, test_uuid_v4_form);
	tcase_add_test(tu, test_uuid_valid);
	tcase_add_test(tu, test_uuid_random_bytes);
	tcase_add_test(tu, test_uuid_id);
	suite_add_tcase(s, tu);
	tcase_add_test(td, test_dirs_make);
	suite_add_tcase(s, td);
	tcase_add_test(t8, test_utf8_valid_forms);
	tcase_add_test(t8, test_utf8_overlong);
	tcase_add_test(t8, test_utf8_surrogates_and_range);
	tcase_add_test(t8, test_utf8_truncated);
	tcase_add_test(t8, test_utf8_clean);
	suite_add_tcase(s, t8);
	tcase_add_test(tr, test_redact_secret_at_forms);
	tcase_add_test(tr, test_redact_secrets_mark);
	tcase_add_test(tr, test_redact_text_shapes);
	tcase_add_test(tr, test_redact_close_past_markup);
	tcase_add_test(tr, test_span);
	tcase_add_test(tr, test_redact_pbm_session_header);
	tcase_add_test(tr, test_redact_rest_session);
	tcase_add_test(tr, test_redact_login_key);
	tcase_add_test(tr, test_redact_secret_name);
	tcase_add_test(tr, test_xmltext_markup);
	tcase_add_test(tr, test_xmltext_unterminated);
	suite_add_tcase(s, tr);
	tcase_add_loop_test(th, test_digest_sha256_vectors, 0,
	                    sizeof(digests) / sizeof(digests[0]));
	tcase_add_test(th, test_digest_sha256_parts);
	suite_add_tcase(s, th);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(base_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

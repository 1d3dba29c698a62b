/*
 * base/digest.c: SHA-256 through libcrypto's EVP interface.
 */
#include "base/digest.h"

#include <string.h>

#include <openssl/evp.h>

int
digest_sha256_hex(char *hex, const char *const *parts, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	size_t k;

	for (k = 0; ok && k < n; k++)
		ok = EVP_DigestUpdate(ctx, parts[k], strlen(parts[k]) + 1);
	ok = ok && EVP_DigestFinal_ex(ctx, md, &len) && len * 2 ==
	     DIGEST_HEX_LEN;
	EVP_MD_CTX_free(ctx);
	hex[0] = '\0';
	if (!ok)
		return -1;
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * len] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/*
 * cpi/config_host.c: the vCenter `host` value (forms in config.h) into
 * host, port, scheme and URL.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpi/config.h"
#include "cpi/config_read.h"

/* What the host value splits into. */
struct host_parts {
	char scheme[8];         /* "https" or "http" */
	int port;
	bool v6;
	char *host;             /* malloc'd, without brackets */
	const char *colon;      /* before the port, or NULL */
};

static bool
valid_port(int *out, const char *s, size_t n)
{
	size_t i;
	int port = 0;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return false;
	*out = port;
	return true;
}

static bool
valid_name(const char *s, size_t n)
{
	struct in_addr a4;
	char buf[64];
	bool numeric = true;
	size_t i;

	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.' && i > 0 && s[i - 1] == '.')
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '-' || c == '_')
			numeric = false;
		else if (!((c >= '0' && c <= '9') || c == '.'))
			return false;
	}
	if (!numeric)
		return true;
	/* All digits and dots: must be a dotted quad. */
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, &a4) == 1;
}

/* The URL scheme, when there is one, and where host[:port] starts and
 * ends (*p, *end). */
static int
host_bounds(struct host_parts *hp, const char **p, const char **end,
            const char *value, const char *what, struct err *err)
{
	bool is_url = false;

	*p = value;
	if (strncasecmp(*p, "https://", 8) == 0) {
		*p += 8;
		is_url = true;
	} else if (strncasecmp(*p, "http://", 7) == 0) {
		*p += 7;
		is_url = true;
		strcpy(hp->scheme, "http");
		hp->port = 80;
	} else if (strstr(*p, "://") != NULL) {
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: only https:// and http:// URLs are "
		                   "supported", what);
	}
	*end = *p + (is_url ? strcspn(*p, "/?#") : strlen(*p));
	if (is_url && strcmp(*end, "") != 0 && strcmp(*end, "/") != 0 &&
	    strcmp(*end, "/sdk") != 0 && strcmp(*end, "/sdk/") != 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: URL path must be empty or /sdk",
		                   what);
	if (memchr(*p, '@', (size_t)(*end - *p)) != NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must not contain credentials (use "
		                   "user and password)", what);
	if (*p == *end)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: no host name", what);
	return 0;
}

/* "[v6]" or "[v6]:port" from p to end. */
static int
host_bracketed(struct host_parts *hp, const char *p, const char *end,
               const char *what, struct err *err)
{
	const char *hs = p + 1, *he = memchr(p, ']', (size_t)(end - p));
	struct in6_addr a6;
	size_t n;

	if (he == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: missing ']' after IPv6 address",
		                   what);
	hp->colon = he + 1;
	if (hp->colon != end && *hp->colon != ':')
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: unexpected text after ']'", what);
	n = (size_t)(he - hs);
	hp->host = n < 64 ? strndup(hs, n) : NULL;
	if (n >= 64 || (hp->host != NULL &&
	                (strchr(hp->host, '%') != NULL ||
	                 inet_pton(AF_INET6, hp->host, &a6) != 1)))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: invalid IPv6 address in brackets",
		                   what);
	if (hp->host == NULL)
		return cpi_cfg__oom(err);
	hp->v6 = true;
	if (hp->colon == end)
		hp->colon = NULL;
	return 0;
}

/* "name", "name:port", "a.b.c.d" or "a.b.c.d:port" from p to end. */
static int
host_plain(struct host_parts *hp, const char *p, const char *end,
           const char *what, struct err *err)
{
	const char *he;

	hp->colon = memchr(p, ':', (size_t)(end - p));
	if (hp->colon != NULL &&
	    memchr(hp->colon + 1, ':', (size_t)(end - hp->colon - 1)) != NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: an IPv6 address must be enclosed "
		                   "in brackets, e.g. [2001:db8::5] or "
		                   "[2001:db8::5]:443", what);
	he = hp->colon != NULL ? hp->colon : end;
	if (!valid_name(p, (size_t)(he - p)))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: invalid host name or IPv4 address",
		                   what);
	hp->host = strndup(p, (size_t)(he - p));
	if (hp->host == NULL)
		return cpi_cfg__oom(err);
	return 0;
}

/* Stores the parts (taking hp->host) and the URL they make in vc. */
static int
host_store(struct cpi_vcenter *vc, struct host_parts *hp,
           struct err *err)
{
	size_t n = strlen(hp->scheme) + strlen(hp->host) + 32;
	char *url = malloc(n);

	if (url == NULL)
		return cpi_cfg__oom(err);
	snprintf(url, n, "%s://%s%s%s:%d/sdk", hp->scheme, hp->v6 ? "[" : "",
	         hp->host, hp->v6 ? "]" : "", hp->port);
	free(vc->host);
	free(vc->scheme);
	free(vc->url);
	vc->scheme = strdup(hp->scheme);
	if (vc->scheme == NULL) {
		vc->host = NULL;
		vc->url = NULL;
		free(url);
		return cpi_cfg__oom(err);
	}
	vc->host = hp->host;
	vc->url = url;
	vc->port = hp->port;
	vc->host_is_ipv6 = hp->v6;
	hp->host = NULL;
	return 0;
}

int
cpi_config_parse_host(struct cpi_vcenter *vc, const char *value,
                      const char *what, struct err *err)
{
	struct host_parts hp = { .scheme = "https", .port = 443 };
	const char *p = value, *end = value;
	int rc;

	if (value == NULL || value[0] == '\0')
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must not be empty", what);
	rc = host_bounds(&hp, &p, &end, value, what, err);
	if (rc != 0)
		goto cleanup;
	if (*p == '[')
		rc = host_bracketed(&hp, p, end, what, err);
	else
		rc = host_plain(&hp, p, end, what, err);
	if (rc != 0)
		goto cleanup;
	if (hp.colon != NULL &&
	    !valid_port(&hp.port, hp.colon + 1,
	                (size_t)(end - hp.colon - 1))) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: port must be a number from 1 to 65535",
		                 what);
		goto cleanup;
	}
	rc = host_store(vc, &hp, err);
cleanup:
	free(hp.host);
	return rc;
}

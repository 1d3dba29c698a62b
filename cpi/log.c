#include "cpi/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/redact.h"

#define LOG_TAG_MAX 64
#define LOG_TRUNCATED "[log truncated]\n"

struct cpi_log {
	FILE *stream;
	enum cpi_log_level stream_level;
	char tag[LOG_TAG_MAX];
	char **secrets;          /* NULL-terminated */
	size_t nsecrets;
	char *text;              /* kept lines, NUL-terminated */
	size_t len, cap;
	int truncated;
};

static const char *const level_names[] = {
	"DEBUG", "INFO", "WARN", "ERROR",
};

int
cpi_log_level_parse(enum cpi_log_level *out, const char *s)
{
	enum cpi_log_level l;

	*out = CPI_LOG_INFO;
	if (s == NULL || s[0] == '\0')
		return 0;
	for (l = CPI_LOG_DEBUG; l <= CPI_LOG_ERROR; l++) {
		if (strcasecmp(s, level_names[l]) == 0) {
			*out = l;
			return 0;
		}
	}
	return ERR_EINVAL;
}

int
cpi_log_new(struct cpi_log **out, FILE *stream,
            enum cpi_log_level stream_level, struct err *err)
{
	struct cpi_log *log;

	*out = NULL;
	log = calloc(1, sizeof(*log));
	if (log == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory creating the logger");
	log->stream = stream;
	log->stream_level = stream_level;
	*out = log;
	return 0;
}

void
cpi_log_free(struct cpi_log *log)
{
	size_t i;

	if (log == NULL)
		return;
	for (i = 0; i < log->nsecrets; i++) {
		/* Do not leave secrets behind in freed memory. */
		memset(log->secrets[i], 0, strlen(log->secrets[i]));
		free(log->secrets[i]);
	}
	free(log->secrets);
	free(log->text);
	free(log);
}

void
cpi_log_set_tag(struct cpi_log *log, const char *tag)
{
	size_t n = 0;

	if (log == NULL)
		return;
	for (; tag != NULL && *tag != '\0' && n < LOG_TAG_MAX - 1; tag++) {
		char c = *tag;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-')
			log->tag[n++] = c;
	}
	log->tag[n] = '\0';
}

int
cpi_log_secret(struct cpi_log *log, const char *secret)
{
	char **grown, *copy;
	size_t i;

	if (log == NULL || secret == NULL || secret[0] == '\0')
		return 0;
	for (i = 0; i < log->nsecrets; i++)
		if (strcmp(log->secrets[i], secret) == 0)
			return 0;
	copy = strdup(secret);
	if (copy == NULL)
		return ERR_ENOMEM;
	grown = realloc(log->secrets, (log->nsecrets + 2) * sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return ERR_ENOMEM;
	}
	log->secrets = grown;
	log->secrets[log->nsecrets++] = copy;
	log->secrets[log->nsecrets] = NULL;
	return 0;
}

/* Replaces every occurrence of each secret in *textp (malloc'd), in any
 * of its forms (base/redact: as is, XML-, percent- or JSON-escaped, as
 * an error message quoting a request or a reply may hold it). */
static int
redact(char **textp, const struct cpi_log *log)
{
	char *res = NULL;
	size_t len = strlen(*textp);

	if (redact_secrets(&res, NULL, *textp, len,
	                   (const char *const *)log->secrets,
	                   "[REDACTED]") != 0)
		return ERR_ENOMEM;
	if (res == NULL)
		return 0;
	memset(*textp, 0, len);
	free(*textp);
	*textp = res;
	return 0;
}

/* Escapes control characters so the entry stays on one line. */
static char *
escape_line(const char *msg)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(msg);
	char *out, *w;

	out = malloc(n * 4 + 1);
	if (out == NULL)
		return NULL;
	w = out;
	for (; *msg != '\0'; msg++) {
		unsigned char c = (unsigned char)*msg;

		if (c == '\n') {
			*w++ = '\\';
			*w++ = 'n';
		} else if (c == '\r') {
			*w++ = '\\';
			*w++ = 'r';
		} else if (c == '\t') {
			*w++ = '\\';
			*w++ = 't';
		} else if (c < 0x20 || c == 0x7f) {
			*w++ = '\\';
			*w++ = 'x';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		} else {
			*w++ = (char)c;
		}
	}
	*w = '\0';
	return out;
}

static void
keep_line(struct cpi_log *log, const char *line)
{
	size_t n = strlen(line), need;
	char *grown;

	if (log->truncated)
		return;
	need = log->len + n + 1;
	if (need > CPI_LOG_MAX - sizeof(LOG_TRUNCATED)) {
		log->truncated = 1;
		line = LOG_TRUNCATED;
		n = strlen(line);
		need = log->len + n + 1;
	}
	if (need > log->cap) {
		size_t cap = log->cap ? log->cap : 1024;

		while (cap < need)
			cap *= 2;
		grown = realloc(log->text, cap);
		if (grown == NULL)
			return;
		log->text = grown;
		log->cap = cap;
	}
	memcpy(log->text + log->len, line, n + 1);
	log->len += n;
}

static void
timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
}

void
cpi_logf(struct cpi_log *log, enum cpi_log_level level, const char *fmt, ...)
{
	char *msg = NULL, *esc = NULL, *line = NULL, ts[48];
	size_t size;
	va_list ap;
	int n;

	if (log == NULL)
		return;
	if ((int)level < CPI_LOG_DEBUG)
		level = CPI_LOG_DEBUG;
	if (level > CPI_LOG_ERROR)
		level = CPI_LOG_ERROR;
	if (level < log->stream_level && level < CPI_LOG_INFO)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = malloc((size_t)n + 1);
	if (msg == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (redact(&msg, log) != 0)
		goto cleanup;
	esc = escape_line(msg);
	if (esc == NULL)
		goto cleanup;
	timestamp(ts, sizeof(ts));
	size = strlen(ts) + strlen(esc) + sizeof(log->tag) + 16;
	line = malloc(size);
	if (line == NULL)
		goto cleanup;
	if (log->tag[0] != '\0')
		snprintf(line, size, "%s %s [%s] %s\n", ts, level_names[level],
		         log->tag, esc);
	else
		snprintf(line, size, "%s %s %s\n", ts, level_names[level], esc);
	if (log->stream != NULL && level >= log->stream_level) {
		fputs(line, log->stream);
		fflush(log->stream);
	}
	if (level >= CPI_LOG_INFO)
		keep_line(log, line);
cleanup:
	if (msg != NULL)
		memset(msg, 0, strlen(msg));
	free(msg);
	free(esc);
	free(line);
}

bool
cpi_secret_key(const char *key)
{
	return redact_secret_name(key);
}

static int
secret_walk(struct cpi_log *log, const json_t *v, bool hide, int depth)
{
	const char *key;
	json_t *child;
	size_t i;
	int rc = 0;

	if (depth > 64)
		return 0;
	if (json_is_string(v)) {
		if (hide && json_string_length(v) >= 4)
			rc = cpi_log_secret(log, json_string_value(v));
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			bool h = hide || cpi_secret_key(key);

			rc = secret_walk(log, child, h, depth + 1);
			if (rc != 0)
				break;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			rc = secret_walk(log, child, hide, depth + 1);
			if (rc != 0)
				break;
		}
	}
	return rc;
}

int
cpi_log_secret_json(struct cpi_log *log, const json_t *v, bool all)
{
	if (log == NULL || v == NULL)
		return 0;
	return secret_walk(log, v, all, 0);
}

void
cpi_log_redact(const struct cpi_log *log, char *buf, size_t size)
{
	char *copy;

	if (log == NULL || buf == NULL || size == 0 || log->nsecrets == 0)
		return;
	copy = strdup(buf);
	if (copy == NULL || redact(&copy, log) != 0) {
		/* Cannot prove the text clean: drop it. */
		snprintf(buf, size, "[message withheld]");
		free(copy);
		return;
	}
	snprintf(buf, size, "%s", copy);
	memset(copy, 0, strlen(copy));
	free(copy);
}

const char *
cpi_log_text(const struct cpi_log *log)
{
	if (log == NULL || log->text == NULL)
		return "";
	return log->text;
}

void
cpi_log_vs(void *ud, int level, const char *msg)
{
	cpi_logf(ud, (enum cpi_log_level)level, "%s", msg ? msg : "");
}

/*
 * cpi/check_report.c: the report of `cpi check` (see check.h) and its
 * two formats, JSON and text.
 */
#include "cpi/check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int
cpi_check_add(struct cpi_check_report *r, enum cpi_check_status status,
              const char *check, const char *key, const char *fix,
              const char *fmt, ...)
{
	struct cpi_check_item *it;
	char msg[2048];
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 16 : r->cap * 2;
		struct cpi_check_item *v = realloc(r->items,
		                                   cap * sizeof(*v));

		if (v == NULL) {
			r->incomplete = true;
			return ERR_ENOMEM;
		}
		r->items = v;
		r->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	it = &r->items[r->n];
	memset(it, 0, sizeof(*it));
	it->status = status;
	it->check = strdup(check);
	it->key = dup_or_null(key);
	it->fix = dup_or_null(fix);
	it->message = strdup(msg);
	if (it->check == NULL || it->message == NULL ||
	    (key != NULL && it->key == NULL) ||
	    (fix != NULL && it->fix == NULL)) {
		free(it->check);
		free(it->key);
		free(it->fix);
		free(it->message);
		r->incomplete = true;
		return ERR_ENOMEM;
	}
	r->n++;
	return 0;
}

bool
cpi_check_failed(const struct cpi_check_report *r, size_t counts[3])
{
	size_t i;

	counts[0] = counts[1] = counts[2] = 0;
	for (i = 0; i < r->n; i++)
		counts[r->items[i].status]++;
	return counts[CPI_CHECK_ERROR] > 0 || r->incomplete;
}

void
cpi_check_report_clear(struct cpi_check_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].check);
		free(r->items[i].key);
		free(r->items[i].fix);
		free(r->items[i].message);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

const char *
cpi_check_status_name(enum cpi_check_status s)
{
	switch (s) {
	case CPI_CHECK_OK:
		return "ok";
	case CPI_CHECK_WARNING:
		return "warning";
	case CPI_CHECK_ERROR:
		return "error";
	}
	return "error";
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
cpi_check_report_json(const struct cpi_check_report *r)
{
	json_t *doc, *checks;
	size_t counts[3], i;
	bool failed = cpi_check_failed(r, counts);
	int rc = 0;

	doc = json_object();
	checks = json_array();
	if (doc == NULL || checks == NULL) {
		json_decref(doc);
		json_decref(checks);
		return NULL;
	}
	rc |= json_object_set_new(doc, "ok", json_boolean(!failed));
	rc |= json_object_set_new(doc, "summary",
	                          json_pack("{sIsIsI}",
	                          "ok", (json_int_t)counts[0],
	                          "warning", (json_int_t)counts[1],
	                          "error", (json_int_t)counts[2]));
	for (i = 0; i < r->n; i++) {
		const struct cpi_check_item *it = &r->items[i];
		json_t *o = json_object();

		if (o == NULL) {
			rc = -1;
			break;
		}
		rc |= json_object_set_new(o, "check", json_string(it->check));
		rc |= json_object_set_new(o, "status", json_string(
		                          cpi_check_status_name(it->status)));
		rc |= json_object_set_new(o, "key", str_or_null(it->key));
		rc |= json_object_set_new(o, "message",
		                          json_string(it->message));
		rc |= json_object_set_new(o, "fix", str_or_null(it->fix));
		rc |= json_array_append_new(checks, o);
	}
	rc |= json_object_set_new(doc, "checks", checks);
	rc |= json_object_set_new(doc, "roundtrips", r->has_roundtrips ?
	                          json_integer(r->roundtrips) : json_null());
	if (r->incomplete)
		rc |= json_object_set_new(doc, "incomplete", json_true());
	if (rc != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int
cpi_check_report_text(FILE *f, const struct cpi_check_report *r)
{
	static const char *const tag[] = { "ok", "WARNING", "ERROR" };
	size_t counts[3], i;
	bool failed = cpi_check_failed(r, counts);

	for (i = 0; i < r->n; i++) {
		const struct cpi_check_item *it = &r->items[i];

		fprintf(f, "%-8s %s: %s\n", tag[it->status], it->check,
		        it->message);
		if (it->key != NULL)
			fprintf(f, "%-8s key: %s\n", "", it->key);
		if (it->fix != NULL)
			fprintf(f, "%-8s fix: %s\n", "", it->fix);
	}
	if (r->incomplete)
		fputs("ERROR    the report is incomplete: out of memory\n", f);
	fprintf(f, "\n%zu ok, %zu warning(s), %zu error(s)", counts[0],
	        counts[1], counts[2]);
	if (r->has_roundtrips)
		fprintf(f, "; %u vCenter round trip(s)", r->roundtrips);
	fprintf(f, "\n%s\n", failed ? "Some checks failed: fix the errors "
	        "above before deploying." : "Nothing here will stop a "
	        "deploy.");
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}


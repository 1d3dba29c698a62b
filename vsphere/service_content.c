/*
 * vsphere/service_content.c: the reply of RetrieveServiceContent read
 * into struct vs_service_content (vsphere/client.h), and the lines that
 * keep it in a saved session (vsphere/session.c):
 *
 *	about <apiType or -> <apiVersion or ->
 *	moref <ServiceContent field> <type> <value>
 */
#include "vsphere/client.h"
#include "vsphere/vsphere.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"

#define N_REFS (sizeof(sc_refs) / sizeof(sc_refs[0]))

/* "6.5", "8.0.2.0": digits and dots only. */
bool
vs_api_version_ok(const char *v)
{
	size_t i;

	if (v[0] == '\0' || strlen(v) > 16)
		return false;
	for (i = 0; v[i] != '\0'; i++) {
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.'))
			return false;
	}
	return true;
}

/* The managed objects of ServiceContent read into vs_service_content. */
static const struct {
	const char *name;
	size_t off;
	bool required;
} sc_refs[] = {
	{ "rootFolder",
	  offsetof(struct vs_service_content, root_folder), true },
	{ "propertyCollector",
	  offsetof(struct vs_service_content, property_collector),
	  true },
	{ "viewManager",
	  offsetof(struct vs_service_content, view_manager), false },
	{ "searchIndex",
	  offsetof(struct vs_service_content, search_index), false },
	{ "fileManager",
	  offsetof(struct vs_service_content, file_manager), false },
	{ "virtualDiskManager",
	  offsetof(struct vs_service_content, virtual_disk_manager),
	  false },
	{ "ovfManager",
	  offsetof(struct vs_service_content, ovf_manager), false },
	{ "customFieldsManager",
	  offsetof(struct vs_service_content, custom_fields_manager),
	  false },
	{ "sessionManager",
	  offsetof(struct vs_service_content, session_manager),
	  true },
	{ "authorizationManager",
	  offsetof(struct vs_service_content, authorization_manager),
	  false },
};

int
vs_service_content_read(struct vs_service_content *sc, xmlNodePtr resp,
                     struct err *err)
{
	xmlNodePtr rv, n, about;
	size_t i;
	int rc;

	memset(sc, 0, sizeof(*sc));
	rv = vs_xml_child(resp, "returnval");
	if (rv == NULL)
		return err_set(err, ERR_EPARSE,
		               "RetrieveServiceContent: no returnval");
	for (i = 0; i < N_REFS; i++) {
		n = vs_xml_child(rv, sc_refs[i].name);
		if (n == NULL && !sc_refs[i].required)
			continue;
		rc = vs_xml_moref((struct vs_moref *)((char *)sc +
		                  sc_refs[i].off), n, err);
		if (rc != 0) {
			err_prefix(err, "RetrieveServiceContent: %s",
			           sc_refs[i].name);
			return rc;
		}
	}
	about = vs_xml_child(rv, "about");
	if (vs_xml_child_copy(sc->api_version, sizeof(sc->api_version),
	                      about, "apiVersion") != 0)
		sc->api_version[0] = '\0';
	if (vs_xml_child_copy(sc->api_type, sizeof(sc->api_type), about,
	                      "apiType") != 0)
		sc->api_type[0] = '\0';
	return 0;
}

static struct vs_moref *
ref_at(struct vs_service_content *sc, size_t i)
{
	return (struct vs_moref *)((char *)sc + sc_refs[i].off);
}

/* A word of the saved text: printable ASCII, no space. */
static bool
word_ok(const char *s)
{
	if (s[0] == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s <= ' ' || *s > '~')
			return false;
	}
	return true;
}

int
vs_service_content_format(char **out, const struct vs_service_content *sc,
                          struct err *err)
{
	struct vs_service_content copy = *sc;
	struct buf b = {0};
	const struct vs_moref *r;
	size_t i;

	*out = NULL;
	/* as vCenter sent them: not words, they are saved as unknown */
	buf_addf(&b, "about %s %s\n",
	         word_ok(sc->api_type) ? sc->api_type : "-",
	         word_ok(sc->api_version) ? sc->api_version : "-");
	for (i = 0; i < N_REFS; i++) {
		r = ref_at(&copy, i);
		if (r->type[0] == '\0')
			continue;
		if (!word_ok(r->type) || !word_ok(r->value)) {
			buf_clear(&b);
			return err_set(err, ERR_EINVAL, "service content: "
			               "%s cannot be saved", sc_refs[i].name);
		}
		buf_addf(&b, "moref %s %s %s\n", sc_refs[i].name, r->type,
		         r->value);
	}
	if (buf_take(out, NULL, &b) != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* "<a> <b>" into a and b (each under its size, a word). */
static bool
two_words(char *a, size_t na, char *b, size_t nb, const char *s)
{
	const char *sp = strchr(s, ' ');
	int n;

	if (sp == NULL || (size_t)(sp - s) >= na)
		return false;
	n = snprintf(b, nb, "%s", sp + 1);
	if (n < 0 || (size_t)n >= nb || !word_ok(b))
		return false;
	memcpy(a, s, (size_t)(sp - s));
	a[sp - s] = '\0';
	return word_ok(a);
}

static int
ref_line(struct vs_service_content *sc, const char *s, struct err *err)
{
	struct vs_moref *r;
	size_t i, n;

	for (i = 0; i < N_REFS; i++) {
		n = strlen(sc_refs[i].name);
		if (strncmp(s, sc_refs[i].name, n) == 0 && s[n] == ' ')
			break;
	}
	if (i == N_REFS)
		return err_set(err, ERR_EPARSE, "saved session: unknown "
		               "service content field");
	r = ref_at(sc, i);
	if (!two_words(r->type, sizeof(r->type), r->value, sizeof(r->value),
	               s + n + 1)) {
		memset(r, 0, sizeof(*r));
		return err_set(err, ERR_EPARSE, "saved session: %s is no "
		               "object reference", sc_refs[i].name);
	}
	return 1;
}

int
vs_service_content_line(struct vs_service_content *sc, const char *line,
                        struct err *err)
{
	if (strncmp(line, "moref ", 6) == 0)
		return ref_line(sc, line + 6, err);
	if (strncmp(line, "about ", 6) != 0)
		return 0;
	if (!two_words(sc->api_type, sizeof(sc->api_type), sc->api_version,
	               sizeof(sc->api_version), line + 6))
		return err_set(err, ERR_EPARSE, "saved session: bad about "
		               "line");
	if (strcmp(sc->api_type, "-") == 0)
		sc->api_type[0] = '\0';
	if (strcmp(sc->api_version, "-") == 0)
		sc->api_version[0] = '\0';
	return 1;
}

bool
vs_service_content_whole(const struct vs_service_content *sc)
{
	struct vs_service_content copy = *sc;
	size_t i;

	for (i = 0; i < N_REFS; i++) {
		if (sc_refs[i].required && ref_at(&copy, i)->type[0] == '\0')
			return false;
	}
	return true;
}

/*
 * vsphere/disk_vm.c: a VM's disk-related state read back: devices,
 * disk.enableUUID, the agent settings and the disk records (disk.h).
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/digits.h"
#include "base/wipe.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"

#define MAX_SETTINGS ((size_t)16 * 1024 * 1024)

void
vs_disk_vm_free(struct vs_disk_vm *v)
{
	size_t i;

	if (v == NULL)
		return;
	vs_vm_info_free(v->info);
	wipe_free_n(v->settings, v->settings_len);
	for (i = 0; i < v->nrecords; i++)
		vs_disk_record_clear(&v->records[i]);
	free(v->records);
	free(v);
}

/* Standard base64 with padding (whitespace skipped) into *out
 * (*len_out bytes, NUL-terminated).  ERR_EPARSE when s is not base64,
 * ERR_ENOMEM when out of memory. */
static int
b64_decode(char **out, size_t *len_out, const char *s)
{
	size_t len = strlen(s), n = 0, i;
	unsigned acc = 0;
	int bits = 0, pad = 0, v;
	bool ok = true;
	char *buf;

	*out = NULL;
	*len_out = 0;
	if (len / 4 * 3 + 1 > MAX_SETTINGS)
		return ERR_EPARSE;
	buf = malloc(len / 4 * 3 + 4);
	if (buf == NULL)
		return ERR_ENOMEM;
	for (i = 0; ok && i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == ' ')
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		v = digit_base64(s[i], false);
		if (v < 0 || pad > 0) {
			ok = false;
			continue;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (!ok || pad > 2 || n == 0) {
		wipe_free_n(buf, len / 4 * 3 + 4);
		return ERR_EPARSE;
	}
	buf[n] = '\0';
	*out = buf;
	*len_out = n;
	return 0;
}

/* Replaces *slot (wiped) by a copy of value. */
static int
replace_copy(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return ERR_ENOMEM;
	if (*slot != NULL)
		wipe_free(*slot);
	*slot = copy;
	return 0;
}

/* Reads one vApp property's child name (vs_vim_opt_text) into *out;
 * ERR_ENOMEM with err set when it is there but could not be copied. */
static int
vapp_text(char **out, xmlNodePtr prop, const char *name,
          struct err *err)
{
	if (vs_vim_opt_text(out, prop, name) != 0)
		return err_set(err, ERR_ENOMEM, "out of memory reading "
		               "config.vAppConfig");
	return 0;
}

/* One vApp property: a disk record when it is one of the Ruby CPI's. */
static int
read_vapp_prop(struct vs_disk_vm *v, xmlNodePtr prop, struct err *err)
{
	char *key = NULL, *cat = NULL, *label = NULL;
	struct err e;
	long long k;
	int rc;

	rc = vapp_text(&key, prop, "key", err);
	if (rc == 0)
		rc = vapp_text(&cat, prop, "category", err);
	if (rc == 0)
		rc = vapp_text(&label, prop, "label", err);
	if (rc == 0 && label == NULL)
		rc = vapp_text(&label, prop, "id", err);
	err_clear(&e);
	if (rc == 0 && key != NULL && cat != NULL && label != NULL &&
	    strcmp(cat, "BOSH Persistent Disks") == 0 &&
	    vs_parse_long(&k, key, INT32_MIN, INT32_MAX, &e) == 0)
		rc = vs_disk_vm_take_vapp(v, k, label, err);
	xmlFree(key);
	xmlFree(cat);
	xmlFree(label);
	return rc;
}

/* The Ruby CPI's disk records in config.vAppConfig (disk.h): every
 * property of category "BOSH Persistent Disks".  Anything malformed is
 * skipped; running out of memory is not. */
static int
read_vapp(struct vs_disk_vm *v, const struct vs_object *o,
          struct err *err)
{
	const struct vs_prop *p = vs_object_prop(o, "config.vAppConfig");
	struct err e;
	xmlNodePtr val, prop;
	int rc = 0;

	if (p == NULL || p->kind == VS_PROP_TEXT)
		return 0;
	err_clear(&e);
	if (vs_object_get_node(&val, o, "config.vAppConfig", &e) != 0)
		return 0;
	for (prop = vs_xml_child(val, "property"); rc == 0 && prop != NULL;
	     prop = vs_xml_next(prop, "property"))
		rc = read_vapp_prop(v, prop, err);
	return rc;
}

/* What read_options gathers besides the records: copies of the raw
 * settings and their encoding (wiped). */
struct extra {
	char *userdata;
	char *encoding;
};

/* One OptionValue of config.extraConfig: a disk record,
 * disk.enableUUID, guestinfo.userdata or its encoding.  A raw ERR_ENOMEM
 * (err untouched), or a record's error (err set). */
static int
read_option(struct vs_disk_vm *v, struct extra *x, xmlNodePtr opt,
            bool *reported, struct err *err)
{
	char *key = NULL, *value = NULL;
	int rc;

	rc = vs_vim_opt_text(&key, opt, "key");
	if (rc == 0)
		rc = vs_vim_opt_text(&value, opt, "value");
	if (rc == 0 && key != NULL && value != NULL) {
		rc = vs_disk_vm_take_option(v, key, value, err);
		if (rc != 0) {
			*reported = true;
			goto cleanup;
		}
		if (strcmp(key, "disk.enableUUID") == 0)
			v->enable_uuid = strcmp(value, "1") == 0 ||
			                 strcasecmp(value, "true") == 0;
		if (strcmp(key, "guestinfo.userdata") == 0)
			rc = replace_copy(&x->userdata, value);
		if (strcmp(key, "guestinfo.userdata.encoding") == 0)
			rc = replace_copy(&x->encoding, value);
	}
cleanup:
	if (value != NULL)
		memset(value, 0, strlen(value));
	xmlFree(key);
	xmlFree(value);
	return rc;
}

/* v->settings from the raw userdata and its encoding; left NULL with a
 * warning when not readable.  0 or a raw ERR_ENOMEM. */
static int
read_settings(struct vs_disk_vm *v, struct vs_client *c,
              const struct vs_moref *vm, const struct extra *x)
{
	int rc = 0;

	if (x->userdata == NULL)
		return 0;
	if (x->encoding != NULL && strcmp(x->encoding, "base64") == 0) {
		rc = b64_decode(&v->settings, &v->settings_len, x->userdata);
		if (rc == ERR_EPARSE)
			rc = 0;
	} else if (x->encoding == NULL) {
		rc = replace_copy(&v->settings, x->userdata);
		v->settings_len = v->settings != NULL ?
		                  strlen(v->settings) : 0;
	}
	if (rc == 0 && v->settings == NULL)
		vs_client_logf(c, 2, "VM %s: guestinfo.userdata is not "
		               "readable", vm->value);
	return rc;
}

/* The config.extraConfig node of o into *out, NULL when the list is
 * empty or absent. */
static int
extra_config(xmlNodePtr *out, const struct vs_object *o,
             struct err *err)
{
	const struct vs_prop *p = vs_object_prop(o, "config.extraConfig");
	struct err e;
	int rc;

	*out = NULL;
	if (p != NULL && p->kind == VS_PROP_TEXT &&
	    (p->text == NULL || p->text[0] == '\0'))
		return 0;       /* an empty list */
	err_clear(&e);
	rc = vs_object_get_node(out, o, "config.extraConfig", &e);
	if (rc == ERR_ENOTFOUND) {
		*out = NULL;
		return 0;
	}
	if (rc != 0)
		err_keep_first(err, &e);
	return rc;
}

/* config.extraConfig: disk.enableUUID, guestinfo.userdata and the disk
 * records; config.vAppConfig: the Ruby CPI's disk records.  Settings
 * that are there but not readable (bad base64, an unknown encoding) are
 * left NULL with a warning; running out of memory fails the read, so a
 * caller never mistakes it for "no settings". */
static int
read_extra(struct vs_disk_vm *v, struct vs_client *c,
           const struct vs_moref *vm, const struct vs_object *o,
           struct err *err)
{
	struct extra x = { NULL, NULL };
	xmlNodePtr val, opt;
	bool reported = false;
	int rc;

	rc = read_vapp(v, o, err);
	if (rc == 0)
		rc = extra_config(&val, o, err);
	if (rc != 0 || val == NULL)
		goto cleanup;
	for (opt = vs_xml_child(val, "OptionValue"); rc == 0 && opt != NULL;
	     opt = vs_xml_next(opt, "OptionValue"))
		rc = read_option(v, &x, opt, &reported, err);
	if (rc == 0)
		rc = read_settings(v, c, vm, &x);
	if (rc != 0 && !reported)
		rc = err_set(err, ERR_ENOMEM, "VM %s: out of memory "
		             "reading config.extraConfig", vm->value);
cleanup:
	if (x.userdata != NULL)
		wipe_free(x.userdata);
	free(x.encoding);
	return rc;
}

int
vs_disk_vm_read(struct vs_disk_vm **out, struct vs_client *c,
                const struct vs_moref *vm, struct err *err)
{
	return vs_disk_vm_read_with(out, NULL, c, vm, false, err);
}

int
vs_disk_vm_read_with(struct vs_disk_vm **out, struct vs_objects **list_out,
                     struct vs_client *c, const struct vs_moref *vm,
                     bool containers, struct err *err)
{
	static const char *const paths[] = {
		"config.extraConfig", "config.vAppConfig", NULL,
	};
	const struct vs_vm_read_more more = {
		.paths = paths, .datacenter = containers,
		.cluster = containers,
	};
	struct vs_objects *list = NULL;
	const struct vs_object *o = NULL;
	struct vs_disk_vm *v;
	int rc;

	*out = NULL;
	if (list_out != NULL)
		*list_out = NULL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = vs_vm_info_read(&v->info, &list, &o, c, vm, &more, err);
	if (rc == 0)
		rc = read_extra(v, c, vm, o, err);
	if (rc == 0 && list_out != NULL) {
		*list_out = list;
		list = NULL;
	}
	vs_objects_free(list);
	if (rc != 0) {
		vs_disk_vm_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

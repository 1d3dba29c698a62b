/*
 * vsphere/disk_record.c: the per-VM disk records (disk.h "Per-VM disk
 * records"), finding a disk among a VM's devices by them, and keeping
 * every persistent disk through delete_vm wherever Storage vMotion put
 * its file.
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/array.h"
#include "vsphere/devices.h"
#include "vsphere/files.h"

#define MAX_RECORDS 256
#define MAX_RECORD_VALUE 2048

void
vs_disk_record_clear(struct vs_disk_record *r)
{
	if (r == NULL)
		return;
	free(r->uuid);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

bool
vs_disk_record_key(char *buf, size_t size, const char *cid)
{
	int n;

	if (buf == NULL || size == 0 || !vs_disk_cid_valid(cid))
		return false;
	n = snprintf(buf, size, "%s%s", VS_DISK_RECORD_PREFIX, cid);
	if (n > 0 && (size_t)n < size)
		return true;
	buf[0] = '\0';
	return false;
}

/* A decimal 0..max made of digits only; the end in *end. */
static bool
parse_small(int *out, const char *s, int max, const char **end)
{
	long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > max || i >= 4)
			return false;
	}
	if (i == 0)
		return false;
	*out = (int)v;
	*end = s + i;
	return true;
}

/* 32 hex digits in 8-4-4-4-12 (any case): lower-case copy, or NULL. */
static char *
uuid_canonical(const char *s, size_t len)
{
	static const size_t dash[] = { 8, 13, 18, 23 };
	char *out;
	size_t i, k = 0;

	if (len != 36)
		return NULL;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (k < 4 && i == dash[k]) {
			if (ch != '-')
				return NULL;
			k++;
			continue;
		}
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		      (ch >= 'A' && ch <= 'F')))
			return NULL;
	}
	out = strndup(s, len);
	for (i = 0; out != NULL && i < len; i++) {
		if (out[i] >= 'A' && out[i] <= 'F')
			out[i] = (char)(out[i] - 'A' + 'a');
	}
	return out;
}

bool
vs_disk_record_parse(struct vs_disk_record *out, const char *key,
                     const char *value)
{
	const size_t plen = strlen(VS_DISK_RECORD_PREFIX);
	struct vs_ds_path p = { 0 };
	struct err e;
	const char *s, *cid;
	size_t vlen;

	memset(out, 0, sizeof(*out));
	if (key == NULL || value == NULL ||
	    strncmp(key, VS_DISK_RECORD_PREFIX, plen) != 0)
		return false;
	cid = key + plen;
	vlen = strnlen(value, MAX_RECORD_VALUE + 1);
	if (!vs_disk_cid_valid(cid) || vlen == 0 || vlen > MAX_RECORD_VALUE)
		return false;
	snprintf(out->cid, sizeof(out->cid), "%s", cid);
	if (strncmp(value, "detached ", 9) == 0) {
		err_clear(&e);
		if (vs_ds_path_parse(&p, value + 9, &e) != 0)
			goto bad;
		vs_ds_path_clear(&p);
		out->detached = true;
		out->path = strdup(value + 9);
		if (out->path == NULL)
			goto bad;
		return true;
	}
	if (strncmp(value, "scsi", 4) != 0 ||
	    !parse_small(&out->bus, value + 4, 3, &s) || *s != ':' ||
	    !parse_small(&out->unit, s + 1, 15, &s) || out->unit == 7)
		goto bad;
	if (*s == '\0')
		return true;
	if (*s != ' ')
		goto bad;
	out->uuid = uuid_canonical(s + 1, strlen(s + 1));
	if (out->uuid == NULL)
		goto bad;
	return true;
bad:
	vs_disk_record_clear(out);
	return false;
}

int
vs_disk_record_attached(char **out, int bus, int unit, const char *uuid,
                        struct err *err)
{
	char buf[64];
	char *u = NULL;

	*out = NULL;
	if (bus < 0 || bus > 3 || unit < 0 || unit > 15 || unit == 7)
		return err_set(err, ERR_EINVAL, "disk record: bad SCSI "
		               "slot %d:%d", bus, unit);
	if (uuid != NULL) {
		u = uuid_canonical(uuid, strlen(uuid));
		if (u == NULL)  /* not the canonical form: no uuid kept */
			uuid = NULL;
	}
	if (u != NULL)
		snprintf(buf, sizeof(buf), "scsi%d:%d %s", bus, unit, u);
	else
		snprintf(buf, sizeof(buf), "scsi%d:%d", bus, unit);
	free(u);
	*out = strdup(buf);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

int
vs_disk_record_detached(char **out, const char *path, struct err *err)
{
	struct vs_ds_path p = { 0 };
	size_t len;
	int rc;

	*out = NULL;
	rc = vs_ds_path_parse(&p, path, err);
	vs_ds_path_clear(&p);
	if (rc != 0)
		return rc;
	len = strlen(path) + 10;
	if (len > MAX_RECORD_VALUE)
		return err_set(err, ERR_EINVAL, "disk record: path too "
		               "long");
	*out = malloc(len);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(*out, len, "detached %s", path);
	return 0;
}

static struct vs_disk_record *
record_of(const struct vs_disk_vm *v, const char *cid)
{
	size_t i;

	for (i = 0; v != NULL && cid != NULL && i < v->nrecords; i++) {
		if (strcmp(v->records[i].cid, cid) == 0)
			return &v->records[i];
	}
	return NULL;
}

const struct vs_disk_record *
vs_disk_vm_record(const struct vs_disk_vm *v, const char *cid)
{
	return record_of(v, cid);
}

int
vs_disk_vm_take_option(struct vs_disk_vm *v, const char *key,
                       const char *value, struct err *err)
{
	const size_t plen = strlen(VS_DISK_RECORD_PREFIX);
	struct vs_disk_record r, *old, *grown;

	if (key == NULL || strncmp(key, VS_DISK_RECORD_PREFIX, plen) != 0 ||
	    !vs_disk_cid_valid(key + plen))
		return 0;
	old = record_of(v, key + plen);
	if (!vs_disk_record_parse(&r, key, value)) {
		/* "" removes; a malformed record tells nothing either */
		if (old != NULL) {
			vs_disk_record_clear(old);
			*old = v->records[--v->nrecords];
			memset(&v->records[v->nrecords], 0, sizeof(r));
		}
		return 0;
	}
	if (old != NULL) {
		vs_disk_record_clear(old);
		*old = r;
		return 0;
	}
	if (v->nrecords >= MAX_RECORDS) {
		vs_disk_record_clear(&r);
		return 0;       /* more than any VM can have attached */
	}
	grown = realloc(v->records, (v->nrecords + 1) * sizeof(*grown));
	if (grown == NULL) {
		vs_disk_record_clear(&r);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	v->records = grown;
	v->records[v->nrecords++] = r;
	return 0;
}

int
vs_disk_vm_take_vapp(struct vs_disk_vm *v, long long device_key,
                     const char *cid, struct err *err)
{
	struct vs_disk_record *grown, *r;
	char name[VS_DISK_CID_MAX + 1];
	size_t n = strcspn(cid, ".");

	/* The Ruby CPI records the Director's cid, which may be
	 * "disk-<uuid>.<base64 JSON>" (cpi/disk_cid.h): records are kept by
	 * the disk's name, the part before the dot. */
	if (n > VS_DISK_CID_MAX)
		return 0;
	memcpy(name, cid, n);
	name[n] = '\0';
	cid = name;
	if (!vs_disk_cid_valid(cid) || record_of(v, cid) != NULL ||
	    device_key < INT32_MIN || device_key > INT32_MAX ||
	    v->nrecords >= MAX_RECORDS)
		return 0;
	grown = realloc(v->records, (v->nrecords + 1) * sizeof(*grown));
	if (grown == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	v->records = grown;
	r = &v->records[v->nrecords++];
	memset(r, 0, sizeof(*r));
	snprintf(r->cid, sizeof(r->cid), "%s", cid);
	r->by_device_key = true;
	r->device_key = (int)device_key;
	return 0;
}

bool
vs_disk_device_slot(int *bus, int *unit, const struct vs_vm_info *info,
                    const struct vs_device *d)
{
	const struct vs_device *ctl;

	if (info == NULL || d == NULL || !d->has_controller_key ||
	    !d->has_unit_number)
		return false;
	ctl = vs_vm_info_device(info, d->controller_key);
	if (ctl == NULL || !vs_disk__is_scsi_controller(ctl) ||
	    !ctl->has_bus_number)
		return false;
	*bus = ctl->bus_number;
	*unit = d->unit_number;
	return true;
}

/* Whether hex digits of a and b are the same (case and dashes aside). */
static bool
same_uuid(const char *a, const char *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (a[i] == '-' || a[i] == ' ')
			i++;
		while (b[j] == '-' || b[j] == ' ')
			j++;
		if (a[i] == '\0' || b[j] == '\0')
			return a[i] == b[j];
		if ((a[i] | 0x20) != (b[j] | 0x20))
			return false;
		i++;
		j++;
	}
}

/* Whether attached record r names disk device d of info. */
static bool
record_names(const struct vs_disk_record *r, const struct vs_vm_info *info,
             const struct vs_device *d)
{
	int bus, unit;

	if (r->by_device_key)   /* the Ruby CPI's: by key, attached its way */
		return !r->detached && d->kind == VS_VM_DEV_DISK &&
		       d->key == r->device_key && d->disk_mode != NULL &&
		       strcmp(d->disk_mode, "independent_persistent") == 0;
	if (r->detached || d->kind != VS_VM_DEV_DISK ||
	    !vs_disk_device_slot(&bus, &unit, info, d) || bus != r->bus ||
	    unit != r->unit)
		return false;
	/* the slot says so; a known uuid on both sides must agree */
	return r->uuid == NULL || d->disk_uuid == NULL ||
	       same_uuid(r->uuid, d->disk_uuid);
}

const struct vs_device *
vs_disk_vm_find(const struct vs_disk_vm *v, const char *cid)
{
	const struct vs_device *d;
	const struct vs_disk_record *r;
	size_t i;

	if (v == NULL || v->info == NULL)
		return NULL;
	d = vs_disk_vm_device(v->info, cid);
	if (d != NULL)
		return d;
	r = record_of(v, cid);
	if (r == NULL || r->detached)
		return NULL;
	for (i = 0; i < v->info->ndevices; i++) {
		d = &v->info->devices[i];
		if (record_names(r, v->info, d)) {
			char other[VS_DISK_CID_MAX + 1];

			/* a file named for another disk is that disk */
			if (vs_disk_device_cid(other, sizeof(other), d) &&
			    vs_disk_cid_valid(other) &&
			    strcmp(other, cid) != 0)
				return NULL;
			return d;
		}
	}
	return NULL;
}

bool
vs_disk_vm_cid(char *buf, size_t size, const struct vs_disk_vm *v,
               const struct vs_device *d)
{
	char name[VS_DISK_CID_MAX + 1];
	size_t i;

	if (v == NULL || d == NULL || d->kind != VS_VM_DEV_DISK ||
	    size == 0)
		return false;
	/* the file's own name first: vs_disk_vm_find() agrees */
	if (vs_disk_device_cid(name, sizeof(name), d) &&
	    vs_disk_cid_valid(name)) {
		if (strlen(name) >= size)
			return false;
		snprintf(buf, size, "%s", name);
		return true;
	}
	for (i = 0; i < v->nrecords; i++) {
		if (record_names(&v->records[i], v->info, d)) {
			if (strlen(v->records[i].cid) >= size)
				return false;
			snprintf(buf, size, "%s", v->records[i].cid);
			return true;
		}
	}
	return false;
}

void
vs_disk_keeps_free(struct vs_disk_keeps *k)
{
	if (k == NULL)
		return;
	free(k->items);
	free(k);
}

bool
vs_disk_must_move(const char *file, const char *vm_path_name,
                  const char *cid)
{
	const char *b;
	size_t len;

	if (file == NULL || cid == NULL)
		return false;
	b = vs_disk__base_name(file);
	len = strlen(cid);
	if (!vs_vm_disk_is_persistent(file, vm_path_name))
		return true;
	return strncmp(b, cid, len) != 0 || strcmp(b + len, ".vmdk") != 0;
}

static bool
independent(const struct vs_device *d)
{
	return d->disk_mode != NULL &&
	       strncmp(d->disk_mode, "independent", 11) == 0;
}

/* Device d of v as a disk to keep into *it, unless it is the VM's own
 * disk (*keep false).  A disk with no file, or an independent one inside
 * the VM's directory that no record names, fails: it cannot be placed
 * back. */
static int
keep_device(struct vs_disk_keep *it, bool *keep, const struct vs_disk_vm *v,
            const struct vs_device *d, struct err *err)
{
	const struct vs_vm_info *info = v->info;

	*keep = false;
	if (d->file_name == NULL)
		return err_set(err, ERR_EPARSE, "VM %s: disk %d has no "
		               "file", info->vm.value, d->key);
	if (vs_disk_vm_cid(it->cid, sizeof(it->cid), v, d)) {
		it->move = vs_disk_must_move(d->file_name, info->vm_path_name,
		                             it->cid);
	} else if (!vs_vm_disk_is_persistent(d->file_name,
	                                     info->vm_path_name)) {
		if (!independent(d))
			return 0;       /* the VM's own disk */
		return err_set(err, ERR_EINVAL, "VM %s: disk %s is "
		               "attached %s inside the VM's directory "
		               "and no record names its disk cid, so it "
		               "cannot be placed back; not destroying the "
		               "VM (move or detach the disk first)",
		               info->vm.value, d->file_name, d->disk_mode);
	}
	it->device = d;
	it->file = d->file_name;
	*keep = true;
	return 0;
}

/* The detached records of v whose disk k does not hold yet. */
static void
keep_detached(struct vs_disk_keeps *k, const struct vs_disk_vm *v)
{
	struct vs_disk_keep *it;
	size_t i, j;

	for (i = 0; i < v->nrecords; i++) {
		const struct vs_disk_record *r = &v->records[i];
		bool dup = false;

		for (j = 0; j < k->n; j++)
			dup = dup || strcmp(k->items[j].cid, r->cid) == 0;
		if (!r->detached || dup)
			continue;
		it = &k->items[k->n++];
		snprintf(it->cid, sizeof(it->cid), "%s", r->cid);
		it->file = r->path;
		it->move = true;
	}
}

int
vs_disk_vm_keeps(struct vs_disk_keeps **out, const struct vs_disk_vm *v,
                 struct err *err)
{
	const struct vs_vm_info *info;
	struct vs_disk_keeps *k;
	bool keep;
	size_t i;
	int rc;

	*out = NULL;
	if (v == NULL || v->info == NULL)
		return err_set(err, ERR_EINVAL, "keep disks: no VM");
	info = v->info;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	k->items = calloc(info->ndevices + v->nrecords + 1, sizeof(*k->items));
	if (k->items == NULL) {
		free(k);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	for (i = 0; i < info->ndevices; i++) {
		if (info->devices[i].kind != VS_VM_DEV_DISK)
			continue;
		rc = keep_device(&k->items[k->n], &keep, v, &info->devices[i],
		                 err);
		if (rc != 0) {
			vs_disk_keeps_free(k);
			return rc;
		}
		if (keep)
			k->n++;
		else
			memset(&k->items[k->n], 0, sizeof(k->items[k->n]));
	}
	keep_detached(k, v);
	*out = k;
	return 0;
}

int
vs_disk_vm_set_option(struct vs_client *c, const struct vs_moref *vm,
                      const char *key, const char *value,
                      struct err *err)
{
	struct vs_vm_option opt = { .key = key, .value = value };
	struct vs_vm_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.extra = &opt;
	cfg.nextra = 1;
	return vs_vm_reconfigure(c, vm, &cfg, err);
}

/* The record change of the detach of it into opts[*nopt] (strings into
 * keys/values): "detached <file>" when it must move back, else removed
 * when v has one. */
static int
keep_record(struct vs_vm_option *opts, char **keys, char **values,
            size_t *nopt, const struct vs_disk_vm *v,
            const struct vs_disk_keep *it, struct err *err)
{
	char key[VS_DISK_CID_MAX + 32];
	size_t n = *nopt;
	int rc = 0;

	if (it->cid[0] == '\0' ||
	    !vs_disk_record_key(key, sizeof(key), it->cid) ||
	    (!it->move && record_of(v, it->cid) == NULL))
		return 0;
	keys[n] = strdup(key);
	if (it->move)
		rc = vs_disk_record_detached(&values[n], it->file, err);
	else
		values[n] = strdup("");
	if (rc != 0)
		return rc;
	if (keys[n] == NULL || values[n] == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	opts[n].key = keys[n];
	opts[n].value = values[n];
	(*nopt)++;
	return 0;
}

/* What the detach of k's disks changes: the devices and the records. */
struct keep_change {
	struct vs_vm_device_change *changes;
	struct vs_vm_option *opts;
	char **keys;
	char **values;
	size_t n;               /* room in each */
	size_t nch;
	size_t nopt;
};

static void
keep_change_clear(struct keep_change *x)
{
	strv_free(x->keys, x->n);
	strv_free(x->values, x->n);
	free(x->opts);
	free(x->changes);
}

static int
keep_change(struct keep_change *x, const struct vs_disk_vm *v,
            const struct vs_disk_keeps *k, struct err *err)
{
	size_t i;
	int rc = 0;

	x->n = k->n;
	x->changes = calloc(k->n, sizeof(*x->changes));
	x->opts = calloc(k->n, sizeof(*x->opts));
	x->keys = calloc(k->n, sizeof(*x->keys));
	x->values = calloc(k->n, sizeof(*x->values));
	if (x->changes == NULL || x->opts == NULL || x->keys == NULL ||
	    x->values == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; rc == 0 && i < k->n; i++) {
		const struct vs_disk_keep *it = &k->items[i];

		if (it->device == NULL)
			continue;   /* a detached record stays until moved */
		vs_vm_disk_remove_change(&x->changes[x->nch++], it->device);
		rc = keep_record(x->opts, x->keys, x->values, &x->nopt, v, it,
		                 err);
	}
	return rc;
}

int
vs_disk_detach_keeps(struct vs_client *c, const struct vs_disk_vm *v,
                     const struct vs_disk_keeps *k, struct err *err)
{
	struct keep_change x;
	struct vs_vm_config cfg;
	int rc;

	if (v == NULL || v->info == NULL || k == NULL)
		return err_set(err, ERR_EINVAL, "detach disks: bad "
		               "arguments");
	if (k->n == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	rc = keep_change(&x, v, k, err);
	if (rc != 0 || x.nch == 0)
		goto cleanup;
	memset(&cfg, 0, sizeof(cfg));
	cfg.changes = x.changes;
	cfg.nchanges = x.nch;
	cfg.extra = x.nopt > 0 ? x.opts : NULL;
	cfg.nextra = x.nopt;
	rc = vs_vm_reconfigure(c, &v->info->vm, &cfg, err);
	if (rc != 0)
		err_prefix(err, "detaching %zu disk(s)", x.nch);
cleanup:
	keep_change_clear(&x);
	return rc;
}

int
vs_disk_place_back(char **out, struct vs_client *c,
                   const struct vs_moref *dc, const char *file,
                   const char *disk_path, const char *cid,
                   struct err *err)
{
	struct vs_ds_path src = { 0 };
	struct vs_disk_loc moved = { 0 };
	struct vs_disk_ds ds;
	struct err e, e2;
	char *dst = NULL, *uuid = NULL;
	int rc, move_rc;

	if (out != NULL)
		*out = NULL;
	err_clear(&e);
	rc = vs_ds_path_parse(&src, file, err);
	if (rc == 0)
		rc = vs_disk_path(&dst, src.datastore, disk_path, cid, err);
	if (rc != 0)
		goto cleanup;
	if (strcmp(dst, file) == 0)
		goto done;      /* where it belongs */
	memset(&ds, 0, sizeof(ds));
	ds.name = src.datastore;
	move_rc = vs_disk_move(&moved, c, dc, file, &ds, disk_path, cid, &e);
	if (move_rc != 0) {
		/* an earlier call may have moved it and stopped before its
		 * record was updated: the file gone, the destination there */
		err_clear(&e2);
		if (vs_disk_query_uuid(&uuid, c, dc, file, &e2) ==
		    ERR_ENOTFOUND) {
			err_clear(&e2);
			rc = vs_disk_query_uuid(&uuid, c, dc, dst, &e2);
			if (rc == 0)
				goto done;
			if (rc == ERR_ENOTFOUND) {
				/* gone from both places: nothing to keep */
				rc = err_set(err, ERR_ENOTFOUND, "disk %s "
				             "is neither at %s nor at %s",
				             cid, file, dst);
				goto cleanup;
			}
		}
		err_prefix(&e, "moving disk %s back from %s to %s", cid,
		           file, dst);
		err_keep_first(err, &e);
		rc = move_rc;
		goto cleanup;
	}
done:
	if (out != NULL) {
		*out = dst;
		dst = NULL;
	}
cleanup:
	vs_disk_loc_clear(&moved);
	vs_ds_path_clear(&src);
	free(dst);
	free(uuid);
	return rc;
}

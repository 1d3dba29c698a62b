/*
 * cpi/config_read.h: reading the CPI config's JSON, for the files of
 * the config (cpi/config*.c) only (and cpi_cfg__type_of for dispatch's
 * argument checks).
 *
 * Every reader names the key by its path ("cloud.properties.…") and
 * never quotes a value.  Present means present and not null.
 */
#ifndef CPI_CONFIG_READ_H
#define CPI_CONFIG_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cpi/config.h"

/* Room for a key path in messages. */
#define CPI_CFG_PATH_MAX 256

/* "object", "array", "string", "integer", "number", "boolean", "null". */
const char *cpi_cfg__type_of(const json_t *v);
/* Sets the config's out-of-memory error; returns ERR_ENOMEM. */
int cpi_cfg__oom(struct err *err);
int cpi_cfg__dup(char **out, const char *s, struct err *err);
/* obj[key], NULL when absent or null. */
const json_t *cpi_cfg__get(const json_t *obj, const char *key);

/* A string key.  required: missing or "" is an error; otherwise def (may
 * be NULL) is used for both. */
int cpi_cfg__str(char **out, const json_t *obj, const char *path,
                 const char *key, bool required, const char *def,
                 struct err *err);
int cpi_cfg__bool(bool *out, const json_t *obj, const char *path,
                  const char *key, bool def, struct err *err);
int cpi_cfg__obj(const json_t **out, const json_t *obj, const char *path,
                 const char *key, bool required, struct err *err);
/* An integer key from min to max into *out (untouched when absent):
 * 0, or -1 when present but not such an integer (the caller says
 * what it must be). */
int cpi_cfg__int(long long *out, const json_t *obj, const char *key,
                 long long min, long long max);

/* A table of plain keys, read in order into the struct at dst. */
enum cpi_cfg_kind {
	CPI_CFG_STR,            /* char *, optional (def may be NULL) */
	CPI_CFG_STR_REQUIRED,   /* char *, required, not empty */
	CPI_CFG_BOOL,           /* bool, def_bool when absent */
};

struct cpi_cfg_key {
	const char *key;
	enum cpi_cfg_kind kind;
	size_t offset;          /* offsetof() the field in dst */
	const char *def;
	bool def_bool;
};

int cpi_cfg__keys(void *dst, const struct cpi_cfg_key *keys, size_t n,
                  const json_t *obj, const char *path,
                  struct err *err);

/* Keys the Ruby CPI acts on and this CPI does not: set (anything but
 * null, false, 0, "", [] and {}), one is refused, naming the key and
 * what it would do, never read and ignored. */
struct cpi_cfg_unsupported {
	const char *key;
	const char *what;
};

int cpi_cfg__refuse_set(const json_t *obj, const char *path,
                        const struct cpi_cfg_unsupported *list, size_t n,
                        struct err *err);

/* The steps of the config, one file each: vcenters[0] (with its
 * datacenter) from config_vcenter.c, datacenters[0] from
 * config_datacenter.c. */
int cpi_cfg__vcenter(struct cpi_vcenter *vc, const json_t *obj,
                     const char *path, struct err *err);
int cpi_cfg__datacenter(struct cpi_datacenter *dc, const json_t *obj,
                        const char *path, struct err *err);

#endif

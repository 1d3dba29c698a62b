/*
 * cpi/dispatch.h: the method table and what a method handler gets.
 *
 * Every method of the CPI API (v1, v2, and create_stemcell's v3 third
 * argument) has an entry declaring its arguments.  Dispatch order:
 *   1. unknown method            -> NotImplemented "Method is not known"
 *   2. entry without a handler   -> NotImplemented (checked before the
 *      arguments so the Director's NotImplemented tolerance applies)
 *   3. argument count and types  -> CpiError naming method, position,
 *      name and expected type; extra trailing arguments are ignored
 *   4. config (only when the entry needs it; loaded lazily, with the
 *      request context merged)   -> CpiError with the config's message
 *   5. the handler
 *
 * Adding a method: write `int cpi_method_foo(json_t **result,
 * struct cpi_call *call)` in a cpi/methods_*.c file, declare it in
 * cpi/methods.h, and put its name in the entry's handler slot in
 * dispatch.c.
 */
#ifndef CPI_DISPATCH_H
#define CPI_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cpi/config.h"
#include "cpi/error.h"
#include "cpi/log.h"
#include "cpi/rpc.h"

#define CPI_MAX_ARGS 6

enum cpi_arg_type {
	CPI_ARG_NONE = 0,          /* end of the list */
	CPI_ARG_STRING,
	CPI_ARG_STRING_OR_NULL,
	CPI_ARG_INTEGER,
	CPI_ARG_OBJECT,
	CPI_ARG_OBJECT_OR_NULL,
	CPI_ARG_ARRAY,
	CPI_ARG_ARRAY_OR_NULL,
	CPI_ARG_ANY,
};

struct cpi_arg {
	const char *name;
	enum cpi_arg_type type;
	bool optional;             /* may be left out (trailing only) */
	bool secret;               /* every string in it is masked in logs
	                              and error messages (create_vm env) */
};

/* Options from the command line that later code reads. */
struct cpi_options {
	const char *config_path;
	const char *replay_dir;    /* --replay DIR, or NULL */
	const char *record_dir;    /* --record DIR, or NULL */
};

/* What a handler gets.  args is the checked arguments array (borrowed);
 * config is NULL for methods that do not need it.  A handler returns 0
 * with *result set (a new reference; NULL means JSON null), or a negative
 * code with call->err set. */
struct cpi_call {
	const char *method;
	const json_t *args;
	const json_t *context;     /* request context or NULL */
	int api_version;           /* effective: 1 or 2 */
	const struct cpi_config *config;
	const struct cpi_options *opts;
	struct cpi_log *log;
	struct err *err;
};

typedef int (*cpi_method_fn)(json_t **result, struct cpi_call *call);

struct cpi_method {
	const char *name;
	cpi_method_fn fn;          /* NULL: NotImplemented */
	bool needs_config;
	struct cpi_arg args[CPI_MAX_ARGS + 1];
};

/* The entry for name, or NULL. */
const struct cpi_method *cpi_method_find(const char *name);
/* The whole table, *count entries. */
const struct cpi_method *cpi_methods(size_t *count);
/* Checks args against m's declaration. */
int cpi_args_check(const struct cpi_method *m, const json_t *args,
                   struct err *err);
const char *cpi_arg_type_name(enum cpi_arg_type t);

/* Runs req (steps 1-5 above).  *result is a new reference or NULL. */
int cpi_dispatch(json_t **result, const struct cpi_request *req,
                 const struct cpi_options *opts, struct cpi_log *log,
                 struct err *err);

/* Steps 2-5 for one entry (cpi_dispatch after the lookup); lets tests
 * run entries of their own. */
int cpi_dispatch_entry(json_t **result, const struct cpi_method *m,
                       const struct cpi_request *req,
                       const struct cpi_options *opts, struct cpi_log *log,
                       struct err *err);

/* Helpers for handlers: argument i as a string / object / integer
 * (already checked by dispatch; NULL / 0 when absent or null). */
const char *cpi_arg_string(const struct cpi_call *call, size_t i);
const json_t *cpi_arg_object(const struct cpi_call *call, size_t i);
long long cpi_arg_integer(const struct cpi_call *call, size_t i);

#endif

/*
 * fuzz_request: the JSON-RPC envelope parser (cpi/rpc.h) and, for a
 * request that parses, the argument check of its method (cpi/dispatch.h)
 * and the response writer (cpi/rpc.h) on what came out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "cpi/dispatch.h"
#include "cpi/error.h"
#include "cpi/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpi_request *req = NULL;
	const struct cpi_method *m;
	struct err err = { 0 };
	char *line = NULL;

	if (cpi_request_parse(&req, (const char *)data, size, &err) == 0) {
		m = cpi_method_find(req->method);
		if (m != NULL)
			(void)cpi_args_check(m, req->arguments, &err);
		line = cpi_response_dump(req->arguments,
		                         err_is_set(&err) ? &err : NULL,
		                         req->method);
	} else {
		line = cpi_response_dump(NULL, &err, NULL);
	}
	free(line);
	cpi_request_free(req);
	return 0;
}

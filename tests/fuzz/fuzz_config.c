/*
 * fuzz_config: the config loader (cpi/config.h cpi_config_parse).  The
 * input is the config text; when it holds a NUL byte, what follows the
 * first NUL is parsed as the request context merged over vcenters[0].
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "cpi/config.h"
#include "cpi/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(data, '\0', size);
	struct cpi_config *cfg = NULL;
	struct err err = { 0 };
	json_t *context = NULL;
	size_t len = size;

	if (nul != NULL) {
		len = (size_t)(nul - text);
		context = json_loadb(nul + 1, size - len - 1,
		                     JSON_REJECT_DUPLICATES, NULL);
		if (context != NULL && !json_is_object(context)) {
			json_decref(context);
			context = NULL;
		}
	}
	if (cpi_config_parse(&cfg, text, len, context, &err) == 0 &&
	    cfg == NULL)
		__builtin_trap();
	cpi_config_free(cfg);
	json_decref(context);
	return 0;
}

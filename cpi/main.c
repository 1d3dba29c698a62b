/* Placeholder entry point; the JSON-RPC shell replaces it. */
#include <stdio.h>

int
main(void)
{
	fputs("{\"result\":null,\"error\":{\"type\":\"Bosh::Clouds::"
	      "NotImplemented\",\"message\":\"not built yet\","
	      "\"ok_to_retry\":false},\"log\":\"\"}\n", stdout);
	return 0;
}

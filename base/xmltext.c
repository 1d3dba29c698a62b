/* base/xmltext.c: see xmltext.h. */
#include "base/xmltext.h"

#include <stdbool.h>
#include <string.h>

#include "base/span.h"

/* Offset just past the first close in s[0..n), or 0. */
static size_t
past(const char *s, size_t n, const char *close)
{
	size_t at = span_find(s, n, close);

	return at == n ? 0 : at + strlen(close);
}

size_t
xmltext_tag_end(const char *s, size_t n)
{
	char quote = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '>') {
			return i + 1;
		}
	}
	return 0;
}

size_t
xmltext_markup(enum xmltext_kind *kind, const char *s, size_t n)
{
	size_t e;

	if (span_starts(s, n, "<![CDATA[")) {
		*kind = XMLTEXT_CDATA;
		return past(s, n, "]]>");
	}
	if (span_starts(s, n, "<!--")) {
		*kind = XMLTEXT_COMMENT;
		return past(s, n, "-->");
	}
	if (span_starts(s, n, "<?")) {
		*kind = XMLTEXT_PI;
		return past(s, n, "?>");
	}
	if (span_starts(s, n, "<!")) {
		*kind = XMLTEXT_DECL;
		return xmltext_tag_end(s, n);
	}
	e = xmltext_tag_end(s, n);
	if (span_starts(s, n, "</"))
		*kind = XMLTEXT_END;
	else if (e >= 2 && s[e - 2] == '/')
		*kind = XMLTEXT_EMPTY;
	else
		*kind = XMLTEXT_START;
	return e;
}

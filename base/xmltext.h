/*
 * base/xmltext.h: the one scanner of serialized XML markup, for code that
 * works on XML as text without a parser (redaction, the fixture layout):
 * it copes with truncated or hostile input.
 */
#ifndef BASE_XMLTEXT_H
#define BASE_XMLTEXT_H

#include <stddef.h>

enum xmltext_kind {
	XMLTEXT_START,          /* <a ...> */
	XMLTEXT_EMPTY,          /* <a .../> */
	XMLTEXT_END,            /* </a ...> */
	XMLTEXT_CDATA,          /* <![CDATA[ ... ]]> */
	XMLTEXT_COMMENT,        /* <!-- ... --> */
	XMLTEXT_PI,             /* <? ... ?> */
	XMLTEXT_DECL,           /* <!DOCTYPE ...> and other <!...> */
};

/* The end of the tag at s[0] == '<' (the offset just past its '>',
 * quoted attribute values respected); 0 when it is unterminated. */
size_t xmltext_tag_end(const char *s, size_t n);

/* The kind and length of the markup at s[0] == '<' in s[0..n); 0 when
 * it is unterminated. */
size_t xmltext_markup(enum xmltext_kind *kind, const char *s, size_t n);

#endif

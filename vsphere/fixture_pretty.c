/*
 * vsphere/fixture_pretty.c: the layout record mode gives XML bodies, one
 * element per line (vs_fixture_pretty, fixture.h).
 *
 * Works on the serialized text, like the redaction, and only ever adds
 * a line break and indentation between two tags where there was nothing
 * at all: inside an element whose content is elements only (no text, no
 * comment, CDATA or processing instruction), before each child and
 * before the end tag, and between top-level items.  An element with any
 * text, even blank, keeps its content byte for byte; so does an empty
 * one (<a></a> stays so).  Text that does not scan as one XML document
 * (unterminated markup, unbalanced tags, text outside the root) is
 * returned unchanged.
 */
#include "vsphere/fixture.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmltext.h"

#define PRETTY_MAX_DEPTH 256
#define PRETTY_INDENT 2

/* The length of the markup at s[0] == '<' and its kind (CDATA,
 * comments, processing instructions and declarations are all "other");
 * 0 when it is unterminated or a DOCTYPE with an internal subset. */
static size_t
markup(enum xmltext_kind *kind, const char *s, size_t n)
{
	size_t len = xmltext_markup(kind, s, n);

	if (*kind == XMLTEXT_DECL && memchr(s, '[', len) != NULL)
		return 0;
	return len;
}

static bool
is_tag(enum xmltext_kind kind)
{
	return kind == XMLTEXT_START || kind == XMLTEXT_EMPTY ||
	       kind == XMLTEXT_END;
}

static bool
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	}
	return true;
}

/* One walk over the text: the elements (numbered in document order) on
 * the path to the current token. */
struct walk {
	const char *s;
	size_t n;
	size_t at;                      /* offset of the next token */
	size_t stack[PRETTY_MAX_DEPTH]; /* element numbers */
	int depth;
	size_t elements;                /* elements started so far */
};

/* Moves to the next markup token: *gap is the text before it, *tl its
 * length.  false at the end; -1 in *tl when the text does not scan. */
static bool
next_token(struct walk *w, enum xmltext_kind *kind, size_t *gap, long *tl)
{
	const char *lt = memchr(w->s + w->at, '<', w->n - w->at);
	size_t p = lt != NULL ? (size_t)(lt - w->s) : w->n, len;

	*gap = p - w->at;
	*tl = 0;
	if (p == w->n)
		return false;
	len = markup(kind, w->s + p, w->n - p);
	if (len == 0) {
		*tl = -1;
		return false;
	}
	*tl = (long)len;
	return true;
}

/* Pass 1: mixed[k] for each element k whose content is not elements
 * only.  -1 when the text does not scan as one document. */
static int
scan(bool *mixed, struct walk *w)
{
	size_t gap, roots = 0;
	enum xmltext_kind kind;
	long tl;

	while (next_token(w, &kind, &gap, &tl)) {
		if (w->depth == 0 && !blank(w->s + w->at, gap))
			return -1;
		if (w->depth > 0 && (gap > 0 || !is_tag(kind)))
			mixed[w->stack[w->depth - 1]] = true;
		if (kind == XMLTEXT_START) {
			if (w->depth == PRETTY_MAX_DEPTH)
				return -1;
			roots += w->depth == 0;
			w->stack[w->depth++] = w->elements++;
		} else if (kind == XMLTEXT_END) {
			if (w->depth == 0)
				return -1;
			w->depth--;
		} else if (kind == XMLTEXT_EMPTY) {
			roots += w->depth == 0;
		}
		w->at += gap + (size_t)tl;
	}
	if (tl < 0 || w->depth != 0 || roots != 1 ||
	    !blank(w->s + w->at, gap))
		return -1;
	return 0;
}

static void
line_break(struct buf *b, int depth)
{
	int i;

	buf_addc(b, '\n');
	for (i = 0; i < depth * PRETTY_INDENT; i++)
		buf_addc(b, ' ');
}

/* Pass 2: the text with the breaks added. */
static void
layout(struct buf *b, const bool *mixed, struct walk *w)
{
	size_t gap, start_at = (size_t)-1;
	enum xmltext_kind kind;
	long tl;
	bool brk;

	while (next_token(w, &kind, &gap, &tl)) {
		size_t p = w->at + gap, top;

		buf_add(b, w->s + w->at, gap);
		top = w->depth > 0 ? w->stack[w->depth - 1] : 0;
		if (kind == XMLTEXT_END) {
			/* not right after its own start tag: <a></a> */
			brk = !mixed[top] && start_at != top;
			w->depth--;
		} else {
			brk = w->depth == 0 ? p > 0 : !mixed[top];
		}
		if (brk && gap == 0)
			line_break(b, w->depth);
		start_at = (size_t)-1;
		if (kind == XMLTEXT_START) {
			start_at = w->elements;
			w->stack[w->depth++] = w->elements++;
		}
		buf_add(b, w->s + p, (size_t)tl);
		w->at = p + (size_t)tl;
	}
	buf_add(b, w->s + w->at, w->n - w->at);
}

int
vs_fixture_pretty(char **out, size_t *out_len, const char *in, size_t len,
                  struct err *err)
{
	struct walk *w = NULL;
	struct buf b = { 0 };
	bool *mixed = NULL;
	size_t count = 1, i;
	int rc = 0;

	*out = NULL;
	for (i = 0; i < len; i++)
		count += in[i] == '<';
	w = calloc(1, sizeof(*w));
	mixed = calloc(count, sizeof(*mixed));
	if (w == NULL || mixed == NULL) {
		b.failed = true;
		goto cleanup;
	}
	w->s = in;
	w->n = len;
	if (len > 0 && scan(mixed, w) == 0) {
		memset(w, 0, sizeof(*w));
		w->s = in;
		w->n = len;
		layout(&b, mixed, w);
	} else {
		buf_add(&b, in, len);
	}
cleanup:
	if (buf_take(out, out_len, &b) != 0)
		rc = err_set(err, ERR_ENOMEM, "fixture: out of memory");
	free(mixed);
	free(w);
	return rc;
}

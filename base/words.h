/*
 * base/words.h: a fixed vocabulary of words and the values they stand
 * for (task states, fault kinds, network types...), looked up both ways
 * from one table.
 */
#ifndef BASE_WORDS_H
#define BASE_WORDS_H

#include <stddef.h>

struct word {
	const char *name;
	int value;
};

#define WORDS_N(table) (sizeof(table) / sizeof((table)[0]))

/* The value of the word spelled by the len bytes at s among the n words
 * of table, in *out: 0, or -1 (*out untouched) when none is spelled so
 * or s is NULL. */
int word_value_n(int *out, const struct word *table, size_t n,
                 const char *s, size_t len);
/* The same for the NUL-terminated s. */
int word_value(int *out, const struct word *table, size_t n, const char *s);

/* The name of the first word of table worth value, or NULL. */
const char *word_name(const struct word *table, size_t n, int value);

#endif

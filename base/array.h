/*
 * base/array.h: growing and freeing a plain C array (items, n, cap), the
 * loops every list in the tree otherwise writes again.
 */
#ifndef BASE_ARRAY_H
#define BASE_ARRAY_H

#include <stddef.h>

/* Room for at least need items of elem bytes in *items, whose capacity
 * is *cap items: doubles from first (or from *cap).  0, or -1 when out
 * of memory or the size overflows (*items and *cap unchanged). */
int array_grow(void **items, size_t *cap, size_t need, size_t elem,
               size_t first);

/* clear(item) for each of the n items of elem bytes, then free(items).
 * items may be NULL. */
void array_free(void *items, size_t n, size_t elem, void (*clear)(void *));

/* free() each of the n strings of v, then v itself.  v may be NULL. */
void strv_free(char **v, size_t n);

#endif

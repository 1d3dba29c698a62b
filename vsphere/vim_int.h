/*
 * vsphere/vim_int.h: what the reading files of the typed VIM layer share
 * (internal to vim.c, vim_device.c and vim_info.c).
 *
 * The child readers take an element's child named name: *present (when
 * not NULL) tells whether it was there; with present NULL the child is
 * required and its absence is ERR_EPARSE.  A child with element children
 * where a simple value belongs is ERR_EPARSE too.
 */
#ifndef VS_VIM_INT_H
#define VS_VIM_INT_H

#include "vsphere/vim.h"

/* Caps on list lengths read from a reply (the client already caps the
 * reply size; these keep a hostile reply from asking for absurd arrays). */
#define MAX_LIST 100000

/* How many children of parent are named name. */
size_t vs_vim__count_children(xmlNodePtr parent, const char *name);
/* Child name's text (malloc'd): *out NULL when the child is absent and
 * !required. */
int vs_vim__child_text(char **out, xmlNodePtr parent, const char *name,
                       bool required, struct err *err);
/* Child name as an integer in [min, max]. */
int vs_vim__child_long(long long *out, bool *present, xmlNodePtr parent,
                       const char *name, long long min, long long max,
                       struct err *err);
int vs_vim__child_bool(bool *out, bool *present, xmlNodePtr parent,
                       const char *name, struct err *err);
int vs_vim__child_moref(struct vs_moref *out, bool *present,
                        xmlNodePtr parent, const char *name,
                        struct err *err);

#endif

/*
 * cpi/tags.h: the `tags` VM cloud property, as the Ruby CPI acts on it
 * (attach_tag_to_vm.rb, tag_client.rb).
 *
 *   tags: [{category: CATEGORY, tag: TAG}, ...]
 *
 * The value is checked with the other cloud properties, before anything
 * is made: anything else than an array of objects whose category and tag
 * are non-empty strings is a CloudError naming the key (Ruby skips such
 * entries with a warning).  After the clone exists and before it is
 * powered on, the tags are attached through a vAPI REST session
 * (vsphere/rest.h): the categories are listed and matched by name, the
 * tags of a matched category listed and matched by name, then one tag is
 * attached with tag-association/id:TAG?~action=attach, several of one
 * category with ?~action=attach-multiple-tags-to-object (refused for a
 * SINGLE-cardinality category).  As in Ruby, nothing of that fails
 * create_vm: an unknown category or tag, a category not associable with
 * VirtualMachine, a cardinality refusal or a vCenter failure is a
 * warning naming the category or tag, and the next category is tried.
 *
 * Round trips: session, category list, one read per category until the
 * name matches (each read once per call), the tag list of each matched
 * category, one read per tag until the name matches, one attach per
 * category, logout.  None when tags is unset or empty.
 */
#ifndef CPI_TAGS_H
#define CPI_TAGS_H

#include <stddef.h>

#include <jansson.h>

#include "cpi/error.h"

struct cpi_call;
struct vs_client;

struct cpi_tag {
	char *category;            /* trimmed, malloc'd */
	char *tag;
};

struct cpi_tags {
	struct cpi_tag *v;
	size_t n;
};

/* cloud_properties.tags (v: NULL or null for none) into *out; a
 * CloudError when it is malformed. */
int cpi_tags_parse(struct cpi_tags *out, const json_t *v,
                   struct err *err);
void cpi_tags_clear(struct cpi_tags *t);

/* Attaches t to the VM vm (a VirtualMachine moref value) named vm_name
 * in logs, in a vAPI session over c with the credentials of call's
 * config; warnings in call's log only, never an error. */
void cpi_tags_attach(struct vs_client *c, const char *vm,
                     const struct cpi_tags *t, const char *vm_name,
                     const struct cpi_call *call);

#endif

/*
 * tests/support/sim_agent_env.h: read back what a VM made by the
 * binary tells its agent, from outside the CPI: env.iso downloaded from
 * the VM's datastore and read with xorriso (an independent ISO reader),
 * and guestinfo.* keys of the VM's extraConfig.
 *
 * Every function fails the running Check test on error; call them from
 * tests only.  vsphere/ types appear here: this header is for the
 * simulator suites, which link the vsphere layer.
 */
#ifndef TEST_SIM_AGENT_ENV_H
#define TEST_SIM_AGENT_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "vsphere/vsphere.h"

/* The settings in "[ds] <cid>/env.iso" (new reference, parsed with
 * JSON_REJECT_DUPLICATES).  The ISO and its extracted /env pass through
 * workdir/<cid>.iso and workdir/<cid>.env, removed afterwards. */
json_t *sim_env_iso_settings(struct vs_client *cl, const char *workdir,
                             const char *cid, const char *ds);

/* The value of key in the VM's config.extraConfig (malloc'd; "" for an
 * entry without a value), or NULL when there is no such key.  last
 * picks the last entry of that key instead of the first (the simulator
 * appends a reconfigured key instead of replacing it). */
char *sim_extra_config(struct vs_client *cl, const struct vs_moref *vm,
                       const char *key, bool last);

/* Decodes standard base64 up to the first '=' (malloc'd, NUL-terminated
 * after *len_out bytes); any other character fails the test. */
unsigned char *sim_b64_decode(const char *s, size_t *len_out);

#endif

/*
 * tests/support/sim_agent_env.c: the agent settings read-back of
 * sim_agent_env.h.
 */
#include "tests/support/sim_agent_env.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/fake_transport.h"
#include "vsphere/files.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/vim.h"

json_t *
sim_env_iso_settings(struct vs_client *cl, const char *workdir,
                     const char *cid, const char *ds)
{
	char dspath[512], iso[4096], out[4096], cmd[16384];
	struct err err;
	char *text;
	json_t *j;

	snprintf(dspath, sizeof(dspath), "[%s] %s/env.iso", ds, cid);
	snprintf(iso, sizeof(iso), "%s/%s.iso", workdir, cid);
	snprintf(out, sizeof(out), "%s/%s.env", workdir, cid);
	err_clear(&err);
	ck_assert_msg(vs_file_download(cl, "DC0", dspath, iso, &err) == 0,
	              "%s", err.message);
	unlink(out);
	snprintf(cmd, sizeof(cmd), "xorriso -osirrox on -indev '%s' "
	         "-extract /env '%s' >/dev/null 2>&1", iso, out);
	ck_assert_msg(system(cmd) == 0, "xorriso cannot read /env of %s",
	              iso);
	text = ft_read_file(out);
	ck_assert_ptr_nonnull(text);
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(j != NULL, "env is not JSON");
	free(text);
	unlink(iso);
	unlink(out);
	return j;
}

char *
sim_extra_config(struct vs_client *cl, const struct vs_moref *vm,
                 const char *key, bool last)
{
	static const char *const paths[] = { "config.extraConfig", NULL };
	struct vs_object *o = NULL;
	struct err err;
	xmlNodePtr val, ov;
	char *found = NULL;

	err_clear(&err);
	ck_assert_msg(vs_get_props(&o, cl, vm, paths, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(vs_object_get_node(&val, o, "config.extraConfig",
	                                    &err), 0);
	for (ov = vs_xml_child(val, "OptionValue"); ov != NULL;
	     ov = vs_xml_next(ov, "OptionValue")) {
		char *k = vs_xml_child_text(ov, "key");

		if (k != NULL && strcmp(k, key) == 0 &&
		    (last || found == NULL)) {
			char *v = vs_xml_child_text(ov, "value");

			free(found);
			found = strdup(v != NULL ? v : "");
			ck_assert_ptr_nonnull(found);
			xmlFree(v);
		}
		xmlFree(k);
	}
	vs_object_free(o);
	return found;
}

unsigned char *
sim_b64_decode(const char *s, size_t *len_out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i, o = 0;
	unsigned char *out = malloc((n + 3) / 4 * 3 + 1);
	unsigned v = 0;
	int bits = 0;

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(tab, s[i]);

		ck_assert_msg(p != NULL, "bad base64");
		v = v << 6 | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits & 0xff);
		}
	}
	out[o] = '\0';
	*len_out = o;
	return out;
}

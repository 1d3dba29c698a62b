/*
 * tests/replay/demo.c: the readable side of `make demo` (tests/demo.sh).
 *
 *   demo CPI FIXTURES SCENARIO...
 *
 * For each scenario (fixtures/README.md) every request is replayed
 * through the real binary with `--replay` (no vCenter, no network) and
 * printed with its response, pretty; a "check" step is the preflight
 * subcommand (`cpi check --json`) and shows its report.  A scenario marked PENDING cannot
 * be replayed yet: its recorded requests and responses are shown
 * instead, clearly labelled.  After a scenario with a create_vm step
 * the agent settings that call wrote are rebuilt with the network/
 * builder from the request's networks and the MAC addresses vCenter
 * answered in the recording (the env ISO itself is never recorded:
 * it is sensitive).  Exits non-zero when a replay fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/scenario.h"

#include "cpi/agent_net.h"
#include "network/net.h"
#include "vsphere/fixture.h"

static int failures;

static void
rule(const char *title)
{
	printf("\n==== %s ", title);
	for (size_t i = strlen(title); i < 66; i++)
		putchar('=');
	putchar('\n');
}

/* JSON, pretty, every line indented. */
static void
pretty(const char *label, const json_t *v)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	                        JSON_ENCODE_ANY);
	const char *p = text;

	printf("  %s\n", label);
	while (p != NULL && *p != '\0') {
		size_t l = strcspn(p, "\n");

		printf("      %.*s\n", (int)l, p);
		p += l;
		if (*p == '\n')
			p++;
	}
	free(text);
}

/* A response: result and error pretty, the log as plain lines. */
static void
show_response(const char *label, const json_t *resp)
{
	json_t *copy = json_deep_copy(resp);
	const char *log = json_string_value(json_object_get(resp, "log"));
	const char *p = log;

	json_object_del(copy, "log");
	pretty(label, copy);
	json_decref(copy);
	if (log == NULL || log[0] == '\0')
		return;
	printf("  its log (the \"log\" field)\n");
	while (*p != '\0') {
		size_t l = strcspn(p, "\n");

		printf("      | %.*s\n", (int)l, p);
		p += l;
		if (*p == '\n')
			p++;
	}
}

static void
show_step(void *ud, const struct scn_step *st, const json_t *req,
          const json_t *resp)
{
	(void)ud;
	printf("\n  -- step %s\n", st->name);
	if (strcmp(st->method, "check") == 0) {
		/* the preflight subcommand, not a JSON-RPC call */
		const json_t *nets = json_array_get(json_object_get(req,
		                                    "arguments"), 0);

		printf("  build/cpi check --json CONFIG.json%s  (read-only "
		       "preflight, before any deploy)\n",
		       json_is_null(nets) || nets == NULL ? "" :
		       " NETWORKS.json");
		if (nets != NULL && !json_is_null(nets))
			pretty("NETWORKS.json", nets);
		printf("  exit status %lld\n", (long long)json_integer_value(
		       json_object_get(resp, "exit_status")));
		pretty("report (stdout)", json_object_get(resp, "result"));
		return;
	}
	pretty("request (stdin of build/cpi)", req);
	show_response("response (stdout)", resp);
}

/* --- agent settings ------------------------------------------------- */

#define MAX_NETS 8
#define MAX_LIST 8

static size_t
strings(const char **out, const json_t *arr)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && n < MAX_LIST)
			out[n++] = json_string_value(v);
	}
	return n;
}

/* From the recorded create_vm exchanges: the VM's moref and its NIC MACs
 * in device order (the first response after CloneVM_Task that lists
 * macAddress elements). */
static int
recorded_macs(char macs[][18], size_t *nmacs, char *vm_id, size_t idsize,
              const char *dir)
{
	struct vs_fixture_entry *v = NULL;
	struct err err = { 0 };
	struct scn_error e = { 0 };
	bool cloned = false;
	size_t n = 0, i;
	char path[4096], *text = NULL;
	const char *p, *q;

	*nmacs = 0;
	if (vs_fixture_list(&v, &n, dir, false, &err) != 0)
		return -1;
	for (i = 0; i < n && *nmacs == 0; i++) {
		if (strstr(v[i].name, "CloneVM_Task") != NULL)
			cloned = true;
		if (!cloned)
			continue;
		scn_pathf(path, sizeof(path), "%s/%s.response", dir, v[i].name);
		if (scn_read(&text, path, &e) != 0)
			continue;
		p = strstr(text, "<macAddress>");
		q = strstr(text, "<obj type=\"VirtualMachine\">");
		if (p != NULL && q != NULL) {
			q += strlen("<obj type=\"VirtualMachine\">");
			snprintf(vm_id, idsize, "%.*s",
			         (int)strcspn(q, "<"), q);
		}
		while (p != NULL && *nmacs < MAX_NETS) {
			p += strlen("<macAddress>");
			snprintf(macs[*nmacs], 18, "%.17s", p);
			(*nmacs)++;
			p = strstr(p, "<macAddress>");
		}
		free(text);
		text = NULL;
	}
	free(v);
	return *nmacs > 0 ? 0 : -1;
}

static void
show_settings(const char *dir, const json_t *req, const json_t *resp)
{
	const json_t *args = json_object_get(req, "arguments");
	const json_t *result = json_object_get(resp, "result");
	json_t *config = NULL, *agent, *parsed = NULL;
	struct cpi_agent_settings st;
	struct cpi_agent ag;
	struct net_networks *nets = NULL;
	struct net_nics *nics = NULL;
	struct err nerr = { 0 };
	struct err cerr = { 0 };
	struct scn_error e = { 0 };
	char macs[MAX_NETS][18], vm_id[64] = "", path[4096];
	const char *ntp[MAX_LIST];
	char *blob = NULL;
	size_t nmacs = 0, i;

	memset(&st, 0, sizeof(st));
	memset(&ag, 0, sizeof(ag));
	if (!json_is_null(json_object_get(resp, "error")) &&
	    json_object_get(resp, "error") != NULL)
		return;         /* refused: no VM, no settings */
	rule("agent settings written by create_vm");
	if (cpi_networks_parse(&nets, json_array_get(args, 3), &cerr) != 0 ||
	    net_networks_nics(&nics, nets, &nerr) != 0) {
		printf("  cannot rebuild them: %s%s\n", cerr.message,
		       nerr.message);
		failures++;
		goto cleanup;
	}
	if (recorded_macs(macs, &nmacs, vm_id, sizeof(vm_id), dir) != 0 ||
	    nmacs < nics->n) {
		printf("  no MAC addresses in the recorded exchanges\n");
		failures++;
		goto cleanup;
	}
	/* One NIC per network, or per nic_group (its networks share it). */
	for (i = 0; i < nics->n; i++) {
		size_t k;

		if (net_nic_set_mac(nets, &nics->v[i], macs[i], &nerr) != 0)
			break;
		printf("  NIC %zu on port group %s: MAC %s (read back from "
		       "vCenter) -> network", i + 1, nics->v[i].port_group,
		       macs[i]);
		for (k = 0; k < nics->v[i].nmembers; k++)
			printf("%s \"%s\"", k > 0 ? "," : "",
			       nets->v[nics->v[i].members[k]].name);
		printf("\n");
	}
	scn_pathf(path, sizeof(path), "%s/config.json", dir);
	config = scn_load_json(path, &e);
	agent = json_object_get(json_object_get(json_object_get(
	    json_object_get(config, "cloud"), "properties"), "agent"),
	    "ntp");
	ag.nntp = json_is_array(agent) ? strings(ntp, agent) : 0;
	ag.ntp = (char **)ntp;
	agent = json_object_get(json_object_get(json_object_get(config,
	    "cloud"), "properties"), "agent");
	ag.mbus = (char *)json_string_value(json_object_get(agent, "mbus"));
	if (json_is_object(json_object_get(agent, "blobstore"))) {
		blob = json_dumps(json_object_get(agent, "blobstore"),
		                  JSON_COMPACT | JSON_PRESERVE_ORDER);
		ag.blobstore_json = blob;
	}
	st.agent_id = json_string_value(json_array_get(args, 0));
	st.vm_name = json_string_value(json_array_get(result, 0));
	st.vm_id = vm_id[0] != '\0' ? vm_id : NULL;
	st.networks = nets;
	st.request_networks = json_array_get(args, 3);
	st.agent = &ag;
	if (cpi_agent_settings_json(&parsed, &st, &cerr) != 0) {
		printf("  cannot rebuild them: %s\n", cerr.message);
		failures++;
		goto cleanup;
	}
	pretty("settings.json (cpi/agent_net.h builder, networks with MACs)",
	       parsed);
	json_decref(parsed);
	printf("  Left out here: \"env\" (the Director's env holds "
	       "secrets; the CPI\n  writes it only into the env ISO and "
	       "guestinfo) and disks.system /\n  disks.ephemeral (unit "
	       "numbers read from the cloned VM's devices).\n  mbus and "
	       "blobstore are the placeholders of the scenario's "
	       "config.json.\n");
cleanup:
	free(blob);
	json_decref(config);
	net_nics_free(nics);
	net_networks_free(nets);
}

/* --- scenarios ------------------------------------------------------ */

/* The recorded run of a PENDING scenario, labelled. */
static void
show_recorded(const char *dir)
{
	json_t **rec = NULL, *req;
	struct scn_error e = { 0 };
	struct scn *s = NULL;
	char path[4096];
	size_t i;

	if (scn_load(&s, dir, &e) != 0) {
		printf("  %s\n", e.msg);
		failures++;
		return;
	}
	rec = calloc(s->n, sizeof(*rec));
	for (i = 0; rec != NULL && i < s->n; i++) {
		scn_path(path, sizeof(path), s, i, "response");
		rec[i] = scn_load_json(path, &e);
		req = scn_request(s, i, rec, "<WORKDIR>", &e);
		if (req == NULL || rec[i] == NULL) {
			printf("  %s\n", e.msg);
			failures++;
			json_decref(req);
			break;
		}
		printf("\n  -- step %s (RECORDED, not replayed)\n",
		       s->steps[i].name);
		pretty("request", req);
		show_response("recorded response", rec[i]);
		if (strcmp(s->steps[i].method, "create_vm") == 0)
			show_settings(dir, req, rec[i]);
		json_decref(req);
	}
	for (i = 0; rec != NULL && i < s->n; i++)
		json_decref(rec[i]);
	free(rec);
	scn_free(s);
}

struct live {
	const char *dir;
};

static void
show_live(void *ud, const struct scn_step *st, const json_t *req,
          const json_t *resp)
{
	const struct live *l = ud;

	show_step(NULL, st, req, resp);
	if (strcmp(st->method, "create_vm") == 0)
		show_settings(l->dir, req, resp);
}

int
main(int argc, char **argv)
{
	char dir[4096], why[512], title[256];
	struct scn_error e;
	struct live l;
	int i;

	if (argc < 4) {
		fputs("usage: demo CPI FIXTURES SCENARIO...\n", stderr);
		return 2;
	}
	setenv("CPI_LOG_LEVEL", "error", 1);
	for (i = 3; i < argc; i++) {
		scn_pathf(dir, sizeof(dir), "%s/%s", argv[2], argv[i]);
		if (scn_pending(why, sizeof(why), dir)) {
			snprintf(title, sizeof(title), "%s: PENDING",
			         argv[i]);
			rule(title);
			printf("  Replay of this scenario is pending: %s\n"
			       "  Below: what was recorded against the "
			       "simulator.\n", why);
			show_recorded(dir);
			continue;
		}
		snprintf(title, sizeof(title), "%s: replayed through %s",
		         argv[i], argv[1]);
		rule(title);
		memset(&e, 0, sizeof(e));
		l.dir = dir;
		if (scn_replay(argv[1], dir, show_live, &l, &e) != 0) {
			printf("\n  REPLAY FAILED: %s\n", e.msg);
			failures++;
		} else {
			printf("\n  every response matched the recording; "
			       "every recorded vSphere\n  exchange was used "
			       "(no vCenter was contacted)\n");
		}
	}
	return failures == 0 ? 0 : 1;
}

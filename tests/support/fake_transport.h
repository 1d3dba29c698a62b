/*
 * tests/support/fake_transport.h: a scripted vs_transport for unit
 * suites that drive a real vs_client without a vCenter.
 *
 * There is one fake per test process, the global `ft` (a suite's
 * tests run one at a time, and a test reads it after the client that
 * used it is gone).  A test queues the replies it expects, in order,
 * each naming the SOAP method (or raw op such as "file-put") it
 * answers; every request is recorded.  A request whose op is not the
 * next queued one fails with ERR_EREPLAY and the first such mismatch is
 * kept in ft.mismatch, which ft_all_used() reports.  Logout is always
 * answered (and counted) without a queued reply, unless the next
 * queued reply is one for Logout.  A queued step may also fail the
 * exchange itself (ft_fail), lie about its size (claim_len), carry a
 * Content-Type or go to the request's download file.  The fake also
 * gives the client an injected clock (sleeps advance it, nothing waits)
 * and a log sink keeping the last message.  The fake is static: a
 * client or decorating transport that owns it only counts its frees
 * (ft.frees) and finishes (ft.finishes).
 *
 * The helpers fail the running Check test on misuse (too many steps, a
 * missing data file); they make no Check calls at file scope.
 *
 *	ft_reset("pc");                     (in the fixture's setup)
 *	ft_reply("RetrievePropertiesEx", "<returnval>…</returnval>");
 *	c = ft_connect();
 *	… call the code under test …
 *	ft_finish(c);                       (frees c, all replies used)
 *	ck_assert_str_eq(ft_op_at(0), "RetrievePropertiesEx");
 *	ft_clear();                         (in the fixture's teardown)
 */
#ifndef TEST_FAKE_TRANSPORT_H
#define TEST_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/transport.h"
#include "vsphere/vsphere.h"

#define FT_MAX_STEPS 32
#define FT_MAX_REQS (FT_MAX_STEPS * 2)

/* A SOAP envelope around a body: what the simulator sends. */
#define FT_ENV_HEAD                                                     \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "  \
	"xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "  \
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\""   \
	"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
#define FT_ENV_TAIL "</soapenv:Body></soapenv:Envelope>"

/* The clock's value after ft_reset(). */
#define FT_CLOCK_START 1000.0

struct ft_step {
	const char *op;         /* the op this reply answers (borrowed) */
	long status;            /* HTTP status */
	char *body;             /* malloc'd; owned by the fake */
	int rc;                 /* < 0: the exchange fails with this code */
	bool sent;              /* with rc: the request reached the server */
	size_t claim_len;       /* not 0: the reply's body_len says this */
	const char *content_type; /* the reply's Content-Type (borrowed) */
	bool download;          /* body goes to the request's download_path
	                         * (the reply has no body) */
};

/* One request as the client sent it (copies; NULL where it had none,
 * op "" when it had none). */
struct ft_req {
	char *op;
	char *method;
	char *url;
	char *content_type;
	char *body;
	char *soap_action;
	char *upload_path;
	long long upload_size;  /* size of upload_path when sent, or -1 */
	bool sensitive;
	double time_left_s;
	char *headers;          /* the extra header lines, each ending in
	                         * "\n", or NULL */
};

struct fake_transport {
	struct vs_transport base;
	struct ft_step steps[FT_MAX_STEPS];
	size_t nsteps, next;
	/* Seconds the clock advances before step i is served (a server
	 * that takes long to answer); 0 after ft_reset().  Longer than the
	 * request's time_left_s (the client's deadline): the clock advances
	 * by that, and the step fails with ERR_ETIMEOUT as curl's would. */
	double delay[FT_MAX_STEPS];
	/* For an upload with a progress callback: the callback runs this
	 * many times, evenly over the step's delay (the clock advanced and
	 * the bytes sent growing to the file's size), before the reply;
	 * requests it makes are served from the steps after this one, as
	 * curl serves them on a second connection.  0: not called. */
	int ticks[FT_MAX_STEPS];
	struct ft_req req[FT_MAX_REQS];
	size_t nreq;
	unsigned logouts;
	unsigned finishes;      /* finish() calls */
	unsigned frees;         /* free() calls */
	char mismatch[256];     /* the first unexpected request, or "" */
	double clock;           /* the injected clock */
	char last_log[1024];    /* the client's last log message */
	char save_as[32];       /* see ft_reset() */
	char cookie[128];       /* the vmware_soap_session cookie the
	                         * transport answers (t->cookie); "" after
	                         * ft_reset(): none (ERR_ENOTFOUND) */
	/* A session kept between processes (t->cookie_save and
	 * t->cookie_load): cookie_save answers the cookie above as the
	 * jar line FT_JAR_HEAD "<cookie>" (ERR_ENOTFOUND as t->cookie);
	 * cookie_load keeps the line it was given here, counts it and,
	 * when it is a vmware_soap_session line, sets the cookie above to
	 * its value (ERR_EPARSE for another line, nothing changed). */
	char cookie_line[4096]; /* the line cookie_load took last, or "" */
	unsigned cookie_saves;  /* cookie_save() calls */
	unsigned cookie_loads;  /* cookie_load() calls */
	int cookie_load_rc;     /* < 0: cookie_load fails with this code
	                         * (after counting), nothing kept */
};

/* The fields of the fake's jar line before the cookie's value, as curl
 * lists a cookie of a host without a domain attribute. */
#define FT_JAR_HEAD "127.0.0.1\tFALSE\t/\tFALSE\t0\tvmware_soap_session\t"

extern struct fake_transport ft;

/* Empties the fake (ft_clear() first when it was used), sets the clock
 * to FT_CLOCK_START and queues the replies of connect (the
 * RetrieveServiceContent and Login of tests/data/vim).  With a non-NULL
 * save_as and CPI_TEST_OUTDIR set, every non-sensitive request body is
 * written there as <save_as>-<pid>-<n>-<op>.xml for tests/schemacheck. */
void ft_reset(const char *save_as);
/* ft_reset() without the replies of connect: the test queues every
 * reply, and ft.req[0] is the first request. */
void ft_reset_empty(const char *save_as);
/* Frees what the fake holds (replies and recorded requests). */
void ft_clear(void);
/* ft_clear(), then fails the running test when a request did not get
 * the reply queued for it (a checked fixture's teardown). */
void ft_clear_checked(void);

/* Queues a reply to op with this status and no body yet: the caller
 * sets ->body to a malloc'd string. */
struct ft_step *ft_step(const char *op, long status);
/* A 200 <op>Response holding inner. */
void ft_reply(const char *op, const char *inner);
/* A 200 reply whose body is the file tests/data/<rel>. */
void ft_reply_file(const char *op, const char *rel);
/* A raw HTTP answer with an empty body (datastore or NFC transfers). */
void ft_reply_http(const char *op, long status);
/* A reply with this status and a copy of body as it is. */
void ft_reply_raw(const char *op, long status, const char *body);
/* The exchange fails with code rc (< 0) and the message "fake
 * transport failure <rc> to vc.example"; sent: the request reached the
 * server first (maybe_sent). */
void ft_fail(const char *op, int rc, bool sent);
/* An HTTP 500 SOAP fault whose detail is of the given type. */
void ft_fault(const char *op, const char *type);

/* A *_Task method: op answers task-1, then the task read
 * (RetrievePropertiesEx) says success, with info.result the
 * VirtualMachine result when it is not NULL, or error with a fault of
 * type fault_type when that is not NULL. */
void ft_task(const char *op, const char *result, const char *fault_type);

/* Client options over the fake: https://vc.example:443/sdk, user "u",
 * password "p", no retries, the fake's clock and log sink.  The caller
 * may change any field before ft_connect_opts(). */
void ft_client_opts(struct vs_client_opts *o);
/* A new client with these options, connected (fails the test when it
 * cannot be). */
struct vs_client *ft_connect_opts(const struct vs_client_opts *o);
/* ft_connect_opts() with ft_client_opts(). */
struct vs_client *ft_connect(void);

/* Requests after connect: index 0 is the first call under test. */
const struct ft_req *ft_req_at(size_t i);
const char *ft_op_at(size_t i);
/* The body of request i, "" when it had none. */
const char *ft_body_at(size_t i);
/* Requests after connect, Logouts not counted. */
size_t ft_calls(void);
/* No unexpected request came and every queued reply was used. */
void ft_all_used(void);
/* vs_client_free(c), then ft_all_used(). */
void ft_finish(struct vs_client *c);

/* A malloc'd printf (fails the test when out of memory). */
char *ft_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* The whole file at path, malloc'd and NUL-terminated (fails the test
 * when it cannot be read). */
char *ft_read_file(const char *path);
/* ft_read_file() of tests/data/<rel> under CPI_TEST_ROOT. */
char *ft_read_data(const char *rel);

#endif

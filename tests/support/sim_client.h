/*
 * tests/support/sim_client.h: a vs_client connected to the simulator
 * that tests/sim/run.sh started for this suite, for integration suites
 * that prepare or inspect the inventory through the vsphere layer.
 *
 * Both functions fail the running Check test on error; they make no
 * Check calls at file scope.
 */
#ifndef TEST_SIM_CLIENT_H
#define TEST_SIM_CLIENT_H

#include "vsphere/vsphere.h"

/* The value of the harness variable name (VCSIM_URL, CPI_TEST_OUTDIR,
 * …); the test fails when it is unset or empty. */
const char *sim_env(const char *name);

/* A new client, logged in at VCSIM_URL as VCSIM_USER/VCSIM_PASSWORD
 * over TLS checked against VCSIM_CA_CERT (connect timeout 10 s, 60 s a
 * request, default retries).  With a non-NULL record and CPI_TEST_OUTDIR
 * set, every exchange is also recorded (password redacted) into
 * CPI_TEST_OUTDIR/<record> for tests/schemacheck.  Free it with
 * vs_client_free(). */
struct vs_client *sim_client_connect(const char *record);

/* What Storage vMotion leaves behind, done from outside the CPI:
 * MoveVirtualDisk_Task of "[ds] <disk_path>/<disk_cid>.vmdk" (wherever
 * the device's file is) to "[<vm ds>] <vm dir>/<vm name>_1.vmdk" (the
 * directory of the VM's .vmx), then a ReconfigVM_Task EDIT of the disk
 * device (same key, controller and unit) with that fileName.  Returns the
 * new file name (malloc'd).  The test fails on any error. */
char *sim_storage_vmotion_disk(struct vs_client *cl,
                               const struct vs_moref *vm,
                               const char *disk_cid);
/* MoveVirtualDisk_Task src -> dst in datacenter DC0 (force false),
 * waited for; the err_code (err filled) instead of failing the test. */
int sim_move_virtual_disk(struct vs_client *cl, const char *src,
                          const char *dst, struct err *err);

#endif

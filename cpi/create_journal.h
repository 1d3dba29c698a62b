/*
 * cpi/create_journal.h: the local journal of create_vm calls in flight
 * (crash safety without a look through vCenter).
 *
 * create_vm writes one small file, <dir>/<vm_cid>.creating, before the
 * clone and removes it before it answers; it fails (removing the VM) when
 * it can do neither.  A file older than leftover_vm_grace_seconds is
 * therefore the trace of a create_vm that was killed (kill -9, OOM, lost
 * host) and may have left a VM the Director never learned about: the next
 * create_vm or delete_vm looks that VM up by its inventory path (one
 * FindByInventoryPath) and removes it.  Reading the directory costs no
 * round trip, and the cost never grows with the inventory.
 *
 * The file, text, one "key value" per line:
 *
 *	vsphere-cpi-creating 1
 *	cid vm-<uuid>
 *	since <Unix seconds when create_vm wrote it>
 *	vcenter <the vCenter's URL, "https://vc.example:443/sdk">
 *	datacenter <datacenter name>
 *	folder <VM folder relative to <datacenter>/vm; may be empty>
 *
 * Written to a temporary name, synced and renamed: a reader sees a whole
 * entry or none.  Values hold no control characters.
 */
#ifndef CPI_CREATE_JOURNAL_H
#define CPI_CREATE_JOURNAL_H

#include <stddef.h>

#include "cpi/config.h"
#include "cpi/error.h"

/* Without leftover_journal_dir: "$TMPDIR/vsphere-cpi-journal-<uid>"
 * ("/tmp" without TMPDIR), which must be a directory of this user that
 * no one else can write.  The BOSH job renders the key only when the
 * operator sets it (README: a directory that survives reboots). */
#define CPI_JOURNAL_SUFFIX ".creating"

struct cpi_journal_entry {
	char cid[96];
	long long since;
	char vcenter[512];           /* the vCenter's URL (cpi_vcenter.url) */
	char datacenter[256];
	char folder[1024];
};

/* The journal directory of vc (malloc'd), made (with its parents, mode
 * 0700) when missing. */
int cpi_journal_dir(char **out, const struct cpi_vcenter *vc,
                    struct err *err);

/* Writes e's file in dir (replacing one of the same cid). */
int cpi_journal_add(const char *dir, const struct cpi_journal_entry *e,
                    struct err *err);

/* Removes cid's file from dir; a file that is not there is an error
 * (another process took the entry: it may be removing the VM). */
int cpi_journal_remove(const char *dir, const char *cid,
                       struct err *err);

/* How old an entry must be to be a leftover: leftover_vm_grace_seconds,
 * but never less than a create_vm can last (connection_options'
 * deadline_seconds, the cleanup allowance past it, and a minute), so a
 * short grace cannot take a create_vm still running for a leftover. */
long long cpi_journal_grace(const struct cpi_vcenter *vc);

/* The entries of dir written at or before now - grace_s (*out malloc'd,
 * *n of them; none: NULL, 0).  Files that do not parse are skipped and
 * counted in *bad (may be NULL). */
int cpi_journal_old(struct cpi_journal_entry **out, size_t *n, size_t *bad,
                    const char *dir, long long now, long long grace_s,
                    struct err *err);

/* Parses one entry's text; 0 or -1. */
int cpi_journal_parse(struct cpi_journal_entry *e, const char *text);

#endif

/*
 * cpi/iso9660.h: in-memory ISO 9660 (ECMA-119) image writer for the agent
 * settings CD-ROM.
 *
 * The image holds exactly one regular file in its root directory.  It is
 * built entirely in memory: this module does no I/O and uses no jansson.
 *
 * What readers see for file_name "env":
 *   - plain ISO 9660 readers (Joliet ignored): "ENV" (recorded "ENV.;1");
 *     Linux isofs with map=normal (its default) shows it as "env";
 *   - Joliet-aware readers (Linux isofs, Windows, libarchive/bsdtar,
 *     xorriso/libisofs by default, isoinfo -J): exactly "env".
 * See the comment at the top of iso9660.c for why Joliet rather than
 * Rock Ridge.
 *
 * The output is byte-for-byte deterministic for the same arguments: no
 * clock is read; dates are either "not specified" or the caller's time.
 */
#ifndef CPI_ISO9660_H
#define CPI_ISO9660_H

#include <stddef.h>
#include <stdint.h>

#include "cpi/error.h"

#define CPI_ISO_SECTOR 2048
/* Largest payload accepted, in bytes. */
#define CPI_ISO_MAX_DATA (16u * 1024u * 1024u)
/* Longest file name accepted (characters [A-Za-z0-9_.-]). */
#define CPI_ISO_MAX_NAME 30
/* Longest volume identifier accepted (characters [A-Za-z0-9_]). */
#define CPI_ISO_MAX_VOLID 32

/*
 * Failures fill the caller's struct err (set once) with type
 * CPI_ERROR_CPI, not retryable, and return ERR_EINVAL (bad argument) or
 * ERR_ENOMEM.  Messages never contain the payload bytes.
 */

/*
 * Builds an image whose root directory holds one file, file_name, with
 * the data_len bytes at data.
 *
 * out:        receives a malloc'd buffer; the caller releases it with
 *             free() (there is no cpi_iso_free: the image is one plain
 *             buffer).  Set to NULL on failure.
 * len_out:    receives the image length, always a multiple of
 *             CPI_ISO_SECTOR.  Set to 0 on failure.
 * file_name:  1..CPI_ISO_MAX_NAME characters from [A-Za-z0-9_.-], not
 *             made of dots only.  Recorded verbatim in the Joliet tree and
 *             mapped to an upper-case 8.3 name in the ISO 9660 tree.
 * data:       1..CPI_ISO_MAX_DATA bytes (an empty settings file is
 *             refused as a caller bug).
 * volume_id:  NULL for "CDROM", else 1..CPI_ISO_MAX_VOLID characters from
 *             [A-Za-z0-9_]; lower case is folded to upper case.  The
 *             Joliet descriptor carries its first 16 characters.
 *
 * Every date in the image is recorded as "not specified".
 * Returns 0 or a negative enum err_code.
 */
int cpi_iso_build(unsigned char **out, size_t *len_out,
    const char *file_name, const unsigned char *data, size_t data_len,
    const char *volume_id, struct err *err);

/*
 * Same as cpi_iso_build, but every date in the image (volume creation and
 * modification, directory and file records) is unix_time (seconds since
 * 1970-01-01 UTC).  unix_time < 0 means "not specified"; values after
 * 2155-12-31 (the last year a directory record can hold) are refused.
 */
int cpi_iso_build_at(unsigned char **out, size_t *len_out,
    const char *file_name, const unsigned char *data, size_t data_len,
    const char *volume_id, int64_t unix_time, struct err *err);

#endif

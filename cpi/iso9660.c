/*
 * cpi/iso9660.c: one-file ISO 9660 image writer (see iso9660.h).
 *
 * Why Joliet and not Rock Ridge.  The agent looks the settings up as
 * "env" in lower case; ECMA-119 level 1 only has upper-case d-characters,
 * so the lower-case name must come from an extension.  Both extensions
 * reach Linux isofs, Windows only reads Joliet, and Joliet is the simpler
 * one to get right: a second volume descriptor pointing at its own path
 * tables and root directory, with names in UCS-2 big endian, and no
 * per-record System Use entries.  Rock Ridge would need SP/ER (the ER
 * entry alone overflows a 255-byte directory record, so a continuation
 * area too), PX and NM entries, i.e. more surface for a reader to reject.
 * The plain ISO 9660 tree still names the file "ENV.;1" so a reader that
 * ignores Joliet finds "ENV" (Linux isofs, map=normal, shows "env"; the
 * older Windows stemcells ask for "ENV").  The period is kept although
 * "ENV;1" would also be read: ECMA-119 7.5.1 requires the separator even
 * with an empty extension, genisoimage writes it too, and Linux isofs,
 * libarchive and libisofs all drop a trailing ".;1".  Both trees point at
 * the same data extent.
 *
 * Layout (2048-byte sectors):
 *    0..15  system area, zero
 *    16     primary volume descriptor
 *    17     supplementary volume descriptor (Joliet, UCS-2 level 3)
 *    18     volume descriptor set terminator
 *    19/20  primary path table, type L / type M
 *    21/22  Joliet path table, type L / type M
 *    23     primary root directory  (".", "..", the file)
 *    24     Joliet root directory   (".", "..", the file)
 *    25..   file data, zero padded to a whole sector
 *
 * Every field is written explicitly; the image depends only on the
 * arguments, never on the clock or the environment.
 */
#include "cpi/iso9660.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	SEC_PVD = 16,
	SEC_SVD = 17,
	SEC_TERM = 18,
	SEC_PT_L = 19,
	SEC_PT_M = 20,
	SEC_JPT_L = 21,
	SEC_JPT_M = 22,
	SEC_ROOT = 23,
	SEC_JROOT = 24,
	SEC_DATA = 25,
};

/* One path table record for the root: 8 bytes + 1-byte id + 1 pad. */
#define PATH_TABLE_SIZE 10
/* 2155-12-31T23:59:59Z, the last second a directory record can hold. */
#define MAX_UNIX_TIME INT64_C(5869583999)

/* Broken-down UTC time, or all zero for "not specified". */
struct iso_time {
	bool set;
	int year;
	int month;
	int day;
	int hour;
	int minute;
	int second;
};

static void
put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

static void
put_be16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)(v & 0xff);
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)((v >> 8) & 0xff);
	p[2] = (unsigned char)((v >> 16) & 0xff);
	p[3] = (unsigned char)(v >> 24);
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)((v >> 16) & 0xff);
	p[2] = (unsigned char)((v >> 8) & 0xff);
	p[3] = (unsigned char)(v & 0xff);
}

/* ECMA-119 7.2.3: little endian then big endian. */
static void
put_both16(unsigned char *p, uint16_t v)
{
	put_le16(p, v);
	put_be16(p + 2, v);
}

/* ECMA-119 7.3.3: little endian then big endian. */
static void
put_both32(unsigned char *p, uint32_t v)
{
	put_le32(p, v);
	put_be32(p + 4, v);
}

/* An a-/d-character field: the string, then spaces up to width. */
static void
put_ascii(unsigned char *p, size_t width, const char *s)
{
	size_t n = strlen(s);

	if (n > width)
		n = width;
	memset(p, ' ', width);
	memcpy(p, s, n);
}

/*
 * A Joliet character field: the ASCII string as UCS-2 big endian, padded
 * with U+0020 (width is in bytes and even).
 */
static void
put_ucs2(unsigned char *p, size_t width, const char *s)
{
	size_t i, n = strlen(s);

	if (n > width / 2)
		n = width / 2;
	for (i = 0; i < width / 2; i++) {
		p[2 * i] = 0x00;
		p[2 * i + 1] = i < n ? (unsigned char)s[i] : ' ';
	}
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static char
to_upper(char c)
{
	return is_lower(c) ? (char)(c - 'a' + 'A') : c;
}

/* Days since 1970-01-01 to a proleptic Gregorian civil date. */
static void
civil_from_days(int64_t z, int *year, int *month, int *day)
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(m <= 2 ? y + 1 : y);
	*month = (int)m;
	*day = (int)d;
}

static void
iso_time_from_unix(struct iso_time *t, int64_t unix_time)
{
	int64_t days = unix_time / 86400, secs = unix_time % 86400;

	memset(t, 0, sizeof(*t));
	if (unix_time < 0)
		return;
	t->set = true;
	civil_from_days(days, &t->year, &t->month, &t->day);
	t->hour = (int)(secs / 3600);
	t->minute = (int)(secs % 3600 / 60);
	t->second = (int)(secs % 60);
}

/* ECMA-119 9.1.5: seven bytes; all zero means "not specified". */
static void
put_dir_time(unsigned char *p, const struct iso_time *t)
{
	memset(p, 0, 7);
	if (!t->set)
		return;
	p[0] = (unsigned char)(t->year - 1900);
	p[1] = (unsigned char)t->month;
	p[2] = (unsigned char)t->day;
	p[3] = (unsigned char)t->hour;
	p[4] = (unsigned char)t->minute;
	p[5] = (unsigned char)t->second;
	p[6] = 0;	/* offset from GMT in 15-minute units */
}

/*
 * ECMA-119 8.4.26.1: sixteen digits YYYYMMDDHHMMSScc and a GMT offset
 * byte; "not specified" is sixteen '0' digits and a zero offset.
 */
static void
put_vd_time(unsigned char *p, const struct iso_time *t)
{
	char buf[24];

	if (!t->set) {
		memset(p, '0', 16);
		p[16] = 0;
		return;
	}
	snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d00",
	    t->year % 10000, t->month % 100, t->day % 100, t->hour % 100,
	    t->minute % 100, t->second % 100);
	memcpy(p, buf, 16);
	p[16] = 0;
}

/*
 * Writes one directory record at p and returns its length (always even,
 * at most 255).  id/id_len is the raw identifier.
 */
static size_t
put_dir_record(unsigned char *p, uint32_t extent, uint32_t size,
    bool is_dir, const struct iso_time *t, const unsigned char *id,
    size_t id_len)
{
	size_t len = 33 + id_len + (id_len % 2 == 0 ? 1 : 0);

	memset(p, 0, len);
	p[0] = (unsigned char)len;
	p[1] = 0;			/* extended attribute record length */
	put_both32(p + 2, extent);
	put_both32(p + 10, size);
	put_dir_time(p + 18, t);
	p[25] = is_dir ? 0x02 : 0x00;	/* file flags */
	p[26] = 0;			/* file unit size */
	p[27] = 0;			/* interleave gap size */
	put_both16(p + 28, 1);		/* volume sequence number */
	p[32] = (unsigned char)id_len;
	memcpy(p + 33, id, id_len);
	return len;
}

/* A directory sector: ".", "..", then the file record. */
static void
put_directory(unsigned char *sec, uint32_t self, uint32_t data_extent,
    uint32_t data_len, const struct iso_time *t, const unsigned char *id,
    size_t id_len)
{
	static const unsigned char dot = 0x00, dotdot = 0x01;
	size_t off = 0;

	/* The root is its own parent, so ".." points at the same extent. */
	off += put_dir_record(sec + off, self, CPI_ISO_SECTOR, true, t,
	    &dot, 1);
	off += put_dir_record(sec + off, self, CPI_ISO_SECTOR, true, t,
	    &dotdot, 1);
	put_dir_record(sec + off, data_extent, data_len, false, t, id, id_len);
}

/* ECMA-119 9.4: the root's record in a path table (L or M type). */
static void
put_path_table(unsigned char *sec, uint32_t root_extent, bool big_endian)
{
	sec[0] = 1;		/* length of directory identifier */
	sec[1] = 0;		/* extended attribute record length */
	if (big_endian) {
		put_be32(sec + 2, root_extent);
		put_be16(sec + 6, 1);
	} else {
		put_le32(sec + 2, root_extent);
		put_le16(sec + 6, 1);
	}
	sec[8] = 0x00;		/* root identifier */
	sec[9] = 0x00;		/* padding: identifier length is odd */
}

/*
 * The fields a primary and a supplementary descriptor share (ECMA-119
 * 8.4 / 8.5); the character fields are filled by the caller.
 */
static void
put_vd_common(unsigned char *vd, int type, uint32_t total_sectors,
    uint32_t pt_l, uint32_t pt_m, uint32_t root, const struct iso_time *t)
{
	static const unsigned char root_id = 0x00;

	vd[0] = (unsigned char)type;
	memcpy(vd + 1, "CD001", 5);
	vd[6] = 1;				/* descriptor version */
	put_both32(vd + 80, total_sectors);	/* volume space size */
	put_both16(vd + 120, 1);		/* volume set size */
	put_both16(vd + 124, 1);		/* volume sequence number */
	put_both16(vd + 128, CPI_ISO_SECTOR);	/* logical block size */
	put_both32(vd + 132, PATH_TABLE_SIZE);
	put_le32(vd + 140, pt_l);
	put_le32(vd + 144, 0);			/* no optional L table */
	put_be32(vd + 148, pt_m);
	put_be32(vd + 152, 0);			/* no optional M table */
	put_dir_record(vd + 156, root, CPI_ISO_SECTOR, true, t, &root_id, 1);
	put_vd_time(vd + 813, t);		/* creation */
	put_vd_time(vd + 830, t);		/* modification */
	put_vd_time(vd + 847, &(struct iso_time){ .set = false });
	put_vd_time(vd + 864, &(struct iso_time){ .set = false });
	vd[881] = 1;				/* file structure version */
}

static void
put_pvd(unsigned char *vd, uint32_t total_sectors, const char *volid,
    const struct iso_time *t)
{
	put_vd_common(vd, 1, total_sectors, SEC_PT_L, SEC_PT_M, SEC_ROOT, t);
	put_ascii(vd + 8, 32, "");			/* system id */
	put_ascii(vd + 40, 32, volid);
	put_ascii(vd + 190, 128, "");			/* volume set id */
	put_ascii(vd + 318, 128, "");			/* publisher id */
	put_ascii(vd + 446, 128, "");			/* data preparer */
	put_ascii(vd + 574, 128, "VSPHERE-CPI-C");	/* application id */
	put_ascii(vd + 702, 37, "");			/* copyright file */
	put_ascii(vd + 739, 37, "");			/* abstract file */
	put_ascii(vd + 776, 37, "");			/* bibliographic */
}

/* Joliet: a supplementary descriptor with the UCS-2 level 3 escape. */
static void
put_svd(unsigned char *vd, uint32_t total_sectors, const char *volid,
    const struct iso_time *t)
{
	put_vd_common(vd, 2, total_sectors, SEC_JPT_L, SEC_JPT_M, SEC_JROOT,
	    t);
	vd[7] = 0;				/* volume flags */
	memcpy(vd + 88, "%/E", 3);		/* escape sequences */
	put_ucs2(vd + 8, 32, "");
	put_ucs2(vd + 40, 32, volid);
	put_ucs2(vd + 190, 128, "");
	put_ucs2(vd + 318, 128, "");
	put_ucs2(vd + 446, 128, "");
	put_ucs2(vd + 574, 128, "VSPHERE-CPI-C");
	/* 37-byte fields: 18 UCS-2 characters and one zero byte. */
	put_ucs2(vd + 702, 36, "");
	put_ucs2(vd + 739, 36, "");
	put_ucs2(vd + 776, 36, "");
}

/* ECMA-119 8.3: type 255, "CD001", version 1, the rest zero. */
static void
put_terminator(unsigned char *vd)
{
	vd[0] = 255;
	memcpy(vd + 1, "CD001", 5);
	vd[6] = 1;
}

static int
check_file_name(const char *name, struct err *err)
{
	size_t i, len;
	bool only_dots = true;

	if (name == NULL)
		return err_set(err, ERR_EINVAL,
		    "iso: file name is missing");
	len = strnlen(name, CPI_ISO_MAX_NAME + 1);
	if (len == 0 || len > CPI_ISO_MAX_NAME)
		return err_set(err, ERR_EINVAL,
		    "iso: file name must be 1 to %d characters",
		    CPI_ISO_MAX_NAME);
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c != '.')
			only_dots = false;
		if (!is_upper(c) && !is_lower(c) && !is_digit(c) &&
		    c != '_' && c != '.' && c != '-')
			return err_set(err, ERR_EINVAL,
			    "iso: file name may only contain [A-Za-z0-9_.-] "
			    "(bad byte 0x%02x at offset %zu)",
			    (unsigned)(unsigned char)c, i);
	}
	if (only_dots)
		return err_set(err, ERR_EINVAL,
		    "iso: file name must not consist of dots only");
	return 0;
}

/* Folds volume_id (already NULL-defaulted) to d-characters into out. */
static int
check_volume_id(char out[CPI_ISO_MAX_VOLID + 1], const char *volid,
    struct err *err)
{
	size_t i, len = strnlen(volid, CPI_ISO_MAX_VOLID + 1);

	if (len == 0 || len > CPI_ISO_MAX_VOLID)
		return err_set(err, ERR_EINVAL,
		    "iso: volume id must be 1 to %d characters",
		    CPI_ISO_MAX_VOLID);
	for (i = 0; i < len; i++) {
		char c = volid[i];

		if (!is_upper(c) && !is_lower(c) && !is_digit(c) && c != '_')
			return err_set(err, ERR_EINVAL,
			    "iso: volume id may only contain [A-Za-z0-9_] "
			    "(bad byte 0x%02x at offset %zu)",
			    (unsigned)(unsigned char)c, i);
		out[i] = to_upper(c);
	}
	out[len] = '\0';
	return 0;
}

/*
 * The level 1 identifier "NAME.EXT;1" for a checked file name: split at
 * the last dot, upper case, every other character outside the
 * d-characters becomes '_', name cut to 8 and extension to 3 characters.
 * ECMA-119 7.5.1 requires the dot even with an empty extension.  out
 * holds at least 8 + 1 + 3 + 2 + 1 bytes; returns the identifier length.
 */
static size_t
level1_name(char *out, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t base_len = dot != NULL ? (size_t)(dot - name) : strlen(name);
	size_t i, n = 0;

	for (i = 0; i < base_len && i < 8; i++) {
		char c = to_upper(name[i]);

		out[n++] = (is_upper(c) || is_digit(c)) ? c : '_';
	}
	out[n++] = '.';
	if (dot != NULL) {
		for (i = 1; dot[i] != '\0' && i <= 3; i++) {
			char c = to_upper(dot[i]);

			out[n++] = (is_upper(c) || is_digit(c)) ? c : '_';
		}
	}
	out[n++] = ';';
	out[n++] = '1';
	out[n] = '\0';
	return n;
}

/*
 * The Joliet identifier: the name verbatim in UCS-2 big endian, without a
 * ";1" version (as genisoimage writes it), so even a reader that does not
 * strip versions shows exactly the caller's name.  Returns the bytes.
 */
static size_t
joliet_name(unsigned char *out, const char *name)
{
	size_t i, n = 0;

	for (i = 0; name[i] != '\0'; i++) {
		out[n++] = 0x00;
		out[n++] = (unsigned char)name[i];
	}
	return n;
}

int
cpi_iso_build_at(unsigned char **out, size_t *len_out,
    const char *file_name, const unsigned char *data, size_t data_len,
    const char *volume_id, int64_t unix_time, struct err *err)
{
	char volid[CPI_ISO_MAX_VOLID + 1];
	char iso_id[16];
	unsigned char joliet_id[2 * CPI_ISO_MAX_NAME];
	size_t iso_id_len, joliet_id_len, data_sectors, total;
	unsigned char *img = NULL;
	struct iso_time t;
	int rc = 0;

	if (out == NULL || len_out == NULL) {
		rc = err_set(err, ERR_EINVAL,
		    "iso: output parameters are missing");
		goto cleanup;
	}
	*out = NULL;
	*len_out = 0;
	rc = check_file_name(file_name, err);
	if (rc != 0)
		goto cleanup;
	rc = check_volume_id(volid, volume_id != NULL ? volume_id : "CDROM",
	    err);
	if (rc != 0)
		goto cleanup;
	if (data == NULL || data_len == 0) {
		rc = err_set(err, ERR_EINVAL, "iso: file data is empty");
		goto cleanup;
	}
	if (data_len > CPI_ISO_MAX_DATA) {
		rc = err_set(err, ERR_EINVAL,
		    "iso: file data is %zu bytes, the limit is %u",
		    data_len, CPI_ISO_MAX_DATA);
		goto cleanup;
	}
	if (unix_time > MAX_UNIX_TIME) {
		rc = err_set(err, ERR_EINVAL,
		    "iso: time %lld is after 2155-12-31",
		    (long long)unix_time);
		goto cleanup;
	}
	iso_time_from_unix(&t, unix_time);

	iso_id_len = level1_name(iso_id, file_name);
	joliet_id_len = joliet_name(joliet_id, file_name);
	data_sectors = (data_len + CPI_ISO_SECTOR - 1) / CPI_ISO_SECTOR;
	total = (SEC_DATA + data_sectors) * CPI_ISO_SECTOR;

	/* calloc: system area, reserved fields and padding are zero. */
	img = calloc(1, total);
	if (img == NULL) {
		rc = err_set(err, ERR_ENOMEM,
		    "iso: out of memory for a %zu-byte image", total);
		goto cleanup;
	}
	put_pvd(img + SEC_PVD * CPI_ISO_SECTOR,
	    (uint32_t)(SEC_DATA + data_sectors), volid, &t);
	put_svd(img + SEC_SVD * CPI_ISO_SECTOR,
	    (uint32_t)(SEC_DATA + data_sectors), volid, &t);
	put_terminator(img + SEC_TERM * CPI_ISO_SECTOR);

	put_path_table(img + SEC_PT_L * CPI_ISO_SECTOR, SEC_ROOT, false);
	put_path_table(img + SEC_PT_M * CPI_ISO_SECTOR, SEC_ROOT, true);
	put_path_table(img + SEC_JPT_L * CPI_ISO_SECTOR, SEC_JROOT, false);
	put_path_table(img + SEC_JPT_M * CPI_ISO_SECTOR, SEC_JROOT, true);

	put_directory(img + SEC_ROOT * CPI_ISO_SECTOR, SEC_ROOT, SEC_DATA,
	    (uint32_t)data_len, &t, (const unsigned char *)iso_id,
	    iso_id_len);
	put_directory(img + SEC_JROOT * CPI_ISO_SECTOR, SEC_JROOT, SEC_DATA,
	    (uint32_t)data_len, &t, joliet_id, joliet_id_len);

	memcpy(img + SEC_DATA * CPI_ISO_SECTOR, data, data_len);

	*out = img;
	*len_out = total;
	img = NULL;
cleanup:
	free(img);
	return rc;
}

int
cpi_iso_build(unsigned char **out, size_t *len_out, const char *file_name,
    const unsigned char *data, size_t data_len, const char *volume_id,
    struct err *err)
{
	return cpi_iso_build_at(out, len_out, file_name, data, data_len,
	    volume_id, -1, err);
}

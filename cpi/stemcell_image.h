/*
 * cpi/stemcell_image.h: unpacking the `image` file of a vSphere stemcell.
 *
 * The image is a gzipped tar holding an .ovf descriptor and its .vmdk
 * disk(s), or a gzipped tar holding one .ova (a plain tar of the same).
 * It is untrusted: cpi_sc_unpack() reads the gzip stream through its own
 * tar reader and extracts regular files only, flat, into a fresh private
 * directory (mode 0700) under the caller's work directory.  Anything
 * unexpected (absolute or ".." names, links, devices, oversized or too
 * many members, truncation, bad checksums, bad gzip) is refused with a
 * message naming the member, and everything created so far is removed.
 *
 * No JSON or XML here: the descriptor is read by vsphere/ovf.h.
 */
#ifndef CPI_STEMCELL_IMAGE_H
#define CPI_STEMCELL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cpi/error.h"

/* Failures return a negative enum err_code (base/err.h) and fill the
 * struct err: type Bosh::Clouds::CloudError for local I/O and memory
 * failures, Bosh::Clouds::CpiError for an unusable image; never
 * ok_to_retry. */

/* Caps applied while unpacking. */
struct cpi_sc_limits {
	uint64_t max_file;    /* bytes per member */
	uint64_t max_total;   /* bytes over all members (incl. an inner
	                         .ova and its contents) */
	uint64_t max_ovf;     /* bytes of the .ovf descriptor */
	size_t max_members;   /* tar headers per archive, extension headers
	                         (pax, GNU long names) included */
	/* A gzip bomb is refused before it fills the disk: all members
	 * together may not exceed max_ratio times the compressed image's
	 * size plus ratio_slack (a real stemcell's disk is already
	 * compressed: its image barely shrinks).  max_ratio 0: no cap. */
	uint64_t max_ratio;
	uint64_t ratio_slack;
};

#define CPI_SC_MAX_FILE (64ULL << 30)
#define CPI_SC_MAX_TOTAL (64ULL << 30)
#define CPI_SC_MAX_OVF (1ULL << 20)
#define CPI_SC_MAX_MEMBERS 64
#define CPI_SC_MAX_RATIO 16
#define CPI_SC_RATIO_SLACK (16ULL << 20)

/* One extracted file, directly inside the image directory. */
struct cpi_sc_file {
	char *name;           /* base name, validated */
	uint64_t size;
};

struct cpi_sc_image {
	char *dir;            /* the private directory (absolute if workdir
	                         was) */
	char *ovf_path;       /* dir/<descriptor>.ovf */
	struct cpi_sc_file *files;
	size_t nfiles;        /* the .ovf is one of them; an inner .ova is
	                         not (it is removed once unpacked) */
};

/* Unpacks image_path (gzipped tar) into a new directory
 * workdir/stemcell-XXXXXX.  On success *out is owned by the caller
 * (cpi_sc_image_free() removes the directory).  On failure nothing
 * created is left on disk and *out is untouched. */
int cpi_sc_unpack(struct cpi_sc_image **out, const char *image_path,
                  const char *workdir, struct err *err);
/* The same with explicit caps (tests use tiny ones); lim NULL: the
 * defaults above. */
int cpi_sc_unpack_limits(struct cpi_sc_image **out, const char *image_path,
                         const char *workdir,
                         const struct cpi_sc_limits *lim,
                         struct err *err);
void cpi_sc_limits_default(struct cpi_sc_limits *lim);

/* Removes the files this module extracted (by name, never following
 * links), then the directory if it is then empty, and frees img.  NULL
 * is a no-op. */
void cpi_sc_image_free(struct cpi_sc_image *img);

/* Size of the named file in img, or -1 when absent. */
int64_t cpi_sc_image_file_size(const struct cpi_sc_image *img,
                               const char *name);

#endif

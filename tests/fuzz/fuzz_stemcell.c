/*
 * fuzz_stemcell: the stemcell image unpacker's tar member checks
 * (cpi/stemcell_image.h).  An input that starts with the gzip magic is
 * used as the image as it is; anything else is taken as the tar stream
 * and gzipped first, so the fuzzer works on tar headers rather than on
 * deflate.  Small caps keep every run fast.  A successful unpack must
 * leave only validated names inside its directory; the work directory
 * must be empty again afterwards.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "cpi/error.h"
#include "cpi/stemcell_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char work[64];
static char image[128];

static void
write_image(const uint8_t *data, size_t size)
{
	gzFile gz;
	FILE *f;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		f = fopen(image, "wb");
		if (f == NULL)
			abort();
		if (size > 0 && fwrite(data, 1, size, f) != size)
			abort();
		if (fclose(f) != 0)
			abort();
		return;
	}
	gz = gzopen(image, "wb1");
	if (gz == NULL)
		abort();
	if (size > 0 && gzwrite(gz, data, (unsigned)size) != (int)size)
		abort();
	if (gzclose(gz) != Z_OK)
		abort();
}

/* Entries of the work directory; it must hold nothing but nothing. */
static size_t
entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		abort();
	for (e = readdir(d); e != NULL; e = readdir(d)) {
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
remove_all(void)
{
	unlink(image);
	rmdir(work);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(work, sizeof(work), "/tmp/fuzz_stemcell.XXXXXX");
	if (mkdtemp(work) == NULL)
		abort();
	snprintf(image, sizeof(image), "/tmp/fuzz_stemcell_image.%ld",
	         (long)getpid());
	atexit(remove_all);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpi_sc_limits lim;
	struct cpi_sc_image *img = NULL;
	struct err err = { 0 };
	size_t i;

	cpi_sc_limits_default(&lim);
	lim.max_file = 1 << 20;
	lim.max_total = 2 << 20;
	lim.max_ovf = 64 << 10;
	lim.max_members = 16;
	write_image(data, size);
	if (cpi_sc_unpack_limits(&img, image, work, &lim, &err) == 0) {
		if (img == NULL || img->ovf_path == NULL)
			__builtin_trap();
		for (i = 0; i < img->nfiles; i++) {
			const char *n = img->files[i].name;

			if (n[0] == '\0' || strcmp(n, ".") == 0 ||
			    strcmp(n, "..") == 0 || strchr(n, '/') != NULL ||
			    img->files[i].size > lim.max_file)
				__builtin_trap();
			if (cpi_sc_image_file_size(img, n) < 0)
				__builtin_trap();
		}
		if (entries(img->dir) != img->nfiles)
			__builtin_trap();
		cpi_sc_image_free(img);
	} else if (!err_is_set(&err)) {
		__builtin_trap();
	}
	if (entries(work) != 0)
		__builtin_trap();
	return 0;
}

/*
 * fuzz_ovf: the OVF descriptor reader (vsphere/ovf.h).  The input is
 * written as image.ovf into a private directory that also holds a small
 * image-disk1.vmdk, so References may name a file that exists; then read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "vsphere/ovf.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64];
static char path[128];

static void
write_file(const char *p, const void *data, size_t size)
{
	FILE *f = fopen(p, "wb");

	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
}

static void
remove_dir(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/image-disk1.vmdk", dir);
	unlink(p);
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128];

	(void)argc;
	(void)argv;
	xmlInitParser();
	snprintf(dir, sizeof(dir), "/tmp/fuzz_ovf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/image.ovf", dir);
	snprintf(p, sizeof(p), "%s/image-disk1.vmdk", dir);
	write_file(p, "KDMV", 4);
	atexit(remove_dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err = { 0 };
	struct vs_ovf *ovf = NULL;

	write_file(path, data, size);
	if (vs_ovf_read(&ovf, path, &err) == 0) {
		if (ovf == NULL)
			__builtin_trap();
		(void)vs_ovf_file_by_id(ovf, "file1");
		(void)vs_ovf_item_count(ovf, 17);
		(void)vs_ovf_item_nth(ovf, 17, 0);
	}
	vs_ovf_free(ovf);
	return 0;
}

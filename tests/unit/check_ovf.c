/*
 * tests/unit/check_ovf.c: vs_ovf_read() on generated, real-looking and
 * hostile OVF descriptors.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vsphere/ovf.h"

static char root_dir[256];      /* per process, removed by main() */
static char tmp[300];           /* per test, under root_dir */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	snprintf(tmp, sizeof(tmp), "%s/t-XXXXXX", root_dir);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void
teardown(void)
{
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *
data_path(const char *name)
{
	static char buf[1024];
	const char *root = getenv("CPI_TEST_ROOT");

	snprintf(buf, sizeof(buf), "%s/tests/data/stemcell/%s",
	         root != NULL ? root : ".", name);
	return buf;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

/* A sparse file of the given size. */
static void
sized_file(const char *dir, const char *name, off_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	close(fd);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
copy_data(const char *name, const char *as)
{
	size_t len;
	char *text = slurp(data_path(name), &len);

	write_file(tmp, as, text);
	free(text);
}

/* Reads tmp/<name> expecting failure with code and a message holding
 * want. */
static void
expect_fail(const char *name, int code, const char *want)
{
	struct vs_ovf *ovf = NULL;
	struct err err;
	char path[512];
	int rc;

	err_clear(&err);
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	rc = vs_ovf_read(&ovf, path, &err);
	ck_assert_msg(rc < 0, "%s: expected failure", name);
	ck_assert_ptr_null(ovf);
	ck_assert_int_eq(rc, code);
	ck_assert_int_eq(err.code, code);
	ck_assert_msg(strstr(err.message, want) != NULL,
	              "message '%s' lacks '%s'", err.message, want);
}

/* A minimal valid descriptor around the given References and Disk
 * bodies. */
static void
write_ovf(const char *name, const char *refs, const char *disks,
          const char *items)
{
	char buf[8192];

	snprintf(buf, sizeof(buf),
	         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	         "<Envelope xmlns=\"" VS_OVF_NS "\" xmlns:ovf=\""
	         VS_OVF_NS "\" xmlns:rasd=\"" VS_OVF_NS_RASD "\">\n"
	         "<References>%s</References>\n"
	         "<DiskSection><Info>d</Info>%s</DiskSection>\n"
	         "<VirtualSystem ovf:id=\"vm\"><Info>v</Info>\n"
	         "<VirtualHardwareSection><Info>h</Info>%s"
	         "</VirtualHardwareSection></VirtualSystem></Envelope>\n",
	         refs, disks, items);
	write_file(tmp, name, buf);
}

#define REF1 "<File ovf:id=\"file1\" ovf:href=\"disk.vmdk\"/>"
#define DISK1 "<Disk ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\" " \
	"ovf:capacity=\"2\" ovf:capacityAllocationUnits=\"byte * 2^30\"/>"

/* --- good descriptors --------------------------------------------- */

START_TEST(test_generated_image_ovf)
{
	const char *root = getenv("CPI_TEST_ROOT");
	const struct vs_ovf_item *it;
	struct vs_ovf *ovf = NULL;
	struct err err;
	char cmd[1024], path[512];
	struct stat st;
	size_t len;
	char *text;

	snprintf(cmd, sizeof(cmd), "sh %s/tests/stemcell/make-image.sh %s",
	         root != NULL ? root : ".", tmp);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/stage/image.ovf", tmp);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&ovf, path, &err) == 0, "%s", err.message);

	text = slurp(path, &len);
	ck_assert_uint_eq(ovf->descriptor_len, len);
	ck_assert_int_eq(memcmp(ovf->descriptor, text, len), 0);
	ck_assert_int_eq(ovf->descriptor[len], '\0');
	free(text);

	ck_assert_str_eq(ovf->system_id, "vm");
	ck_assert_uint_eq(ovf->nnetworks, 1);
	ck_assert_str_eq(ovf->networks[0], "VM Network");
	ck_assert_int_eq(ovf->num_cpus, 1);
	ck_assert_uint_eq(ovf->memory_mb, 512);

	ck_assert_uint_eq(ovf->nfiles, 1);
	ck_assert_str_eq(ovf->files[0].id, "file1");
	ck_assert_str_eq(ovf->files[0].href, "image-disk1.vmdk");
	snprintf(path, sizeof(path), "%s/stage/image-disk1.vmdk", tmp);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(ovf->files[0].has_size);
	ck_assert_uint_eq(ovf->files[0].size, (uint64_t)st.st_size);

	ck_assert_uint_eq(ovf->ndisks, 1);
	ck_assert_str_eq(ovf->disks[0].disk_id, "vmdisk1");
	ck_assert_str_eq(ovf->disks[0].file_ref, "file1");
	ck_assert_uint_eq(ovf->disks[0].capacity, 8);
	ck_assert_uint_eq(ovf->disks[0].capacity_bytes, 8ULL << 20);

	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_SCSI), 1);
	it = vs_ovf_item_nth(ovf, VS_OVF_RT_SCSI, 0);
	ck_assert_str_eq(it->subtype, "lsilogic");
	ck_assert_str_eq(it->instance_id, "3");
	ck_assert_str_eq(it->address, "0");

	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_IDE), 1);
	ck_assert_str_eq(vs_ovf_item_nth(ovf, VS_OVF_RT_IDE, 0)->instance_id,
	                 "4");

	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_CDROM), 1);
	it = vs_ovf_item_nth(ovf, VS_OVF_RT_CDROM, 0);
	ck_assert_str_eq(it->parent, "4");
	ck_assert_str_eq(it->address_on_parent, "0");

	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_DISK), 1);
	it = vs_ovf_item_nth(ovf, VS_OVF_RT_DISK, 0);
	ck_assert_str_eq(it->host_resource, "ovf:/disk/vmdisk1");
	ck_assert_str_eq(it->parent, "3");

	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_NIC), 1);
	it = vs_ovf_item_nth(ovf, VS_OVF_RT_NIC, 0);
	ck_assert_str_eq(it->connection, "VM Network");
	ck_assert_str_eq(it->subtype, "E1000");
	ck_assert_str_eq(it->element_name, "Network adapter 1");
	ck_assert_ptr_null(vs_ovf_item_nth(ovf, VS_OVF_RT_NIC, 1));
	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_DVD), 0);
	vs_ovf_free(ovf);
}
END_TEST

START_TEST(test_real_looking_ovf)
{
	const struct vs_ovf_item *it;
	struct vs_ovf *ovf = NULL;
	struct err err;
	char path[512];

	copy_data("real-looking.ovf", "image.ovf");
	sized_file(tmp, "image-disk1.vmdk", 684212736);
	snprintf(path, sizeof(path), "%s/image.ovf", tmp);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&ovf, path, &err) == 0, "%s", err.message);
	ck_assert_str_eq(ovf->system_id, "vm-bosh-stemcell");
	ck_assert_int_eq(ovf->num_cpus, 1);
	ck_assert_uint_eq(ovf->memory_mb, 512);
	ck_assert_uint_eq(ovf->nfiles, 1);
	ck_assert_uint_eq(ovf->files[0].size, 684212736);
	ck_assert_ptr_eq(vs_ovf_file_by_id(ovf, "file1"), &ovf->files[0]);
	ck_assert_ptr_null(vs_ovf_file_by_id(ovf, "file2"));
	ck_assert_uint_eq(ovf->disks[0].capacity_bytes, 5ULL << 30);
	/* Two IDE controllers, video card and VMCI are not kept. */
	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_IDE), 2);
	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_SCSI), 1);
	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_CDROM), 1);
	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_DISK), 1);
	ck_assert_uint_eq(ovf->nitems, 6);
	it = vs_ovf_item_nth(ovf, VS_OVF_RT_NIC, 0);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(it->connection, "VM Network");
	ck_assert_str_eq(it->subtype, "VmxNet3");
	vs_ovf_free(ovf);
}
END_TEST

START_TEST(test_size_optional_and_blank_disk)
{
	struct vs_ovf *ovf = NULL;
	struct err err;
	char path[512];

	write_ovf("x.ovf", REF1,
	          DISK1 "<Disk ovf:diskId=\"blank\" ovf:capacity=\"4096\"/>",
	          "");
	sized_file(tmp, "disk.vmdk", 1234);
	snprintf(path, sizeof(path), "%s/x.ovf", tmp);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&ovf, path, &err) == 0, "%s", err.message);
	ck_assert(!ovf->files[0].has_size);
	ck_assert_uint_eq(ovf->files[0].size, 1234);
	ck_assert_uint_eq(ovf->ndisks, 2);
	ck_assert_ptr_null(ovf->disks[1].file_ref);
	ck_assert_uint_eq(ovf->disks[1].capacity_bytes, 4096);
	ck_assert_int_eq(ovf->num_cpus, 0);
	ck_assert_uint_eq(ovf->nitems, 0);
	ck_assert_uint_eq(ovf->nnetworks, 0);
	vs_ovf_free(ovf);
	vs_ovf_free(NULL);
}
END_TEST

/* --- hostile descriptors ------------------------------------------ */

START_TEST(test_entity_bomb)
{
	copy_data("entity-bomb.ovf", "x.ovf");
	sized_file(tmp, "disk.vmdk", 1);
	expect_fail("x.ovf", ERR_EPARSE, "DOCTYPE");
}
END_TEST

START_TEST(test_external_entity)
{
	copy_data("external-entity.ovf", "x.ovf");
	sized_file(tmp, "disk.vmdk", 1);
	expect_fail("x.ovf", ERR_EPARSE, "DOCTYPE");
}
END_TEST

START_TEST(test_missing_references)
{
	copy_data("no-references.ovf", "x.ovf");
	expect_fail("x.ovf", ERR_EPARSE, "no References");
}
END_TEST

START_TEST(test_href_with_slash)
{
	char sub[512];

	copy_data("href-slash.ovf", "x.ovf");
	snprintf(sub, sizeof(sub), "%s/sub", tmp);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	sized_file(tmp, "sub/disk.vmdk", 1);
	expect_fail("x.ovf", ERR_EPARSE, "'sub/disk.vmdk' refused");
}
END_TEST

START_TEST(test_href_hostile_forms)
{
	static const char *const hrefs[] = {
		"..", ".", "..\\disk.vmdk", "file:disk.vmdk",
		"http:%2F%2Fevil%2Fx", "/etc/passwd", "disk.vmdk?x", "",
	};
	char ref[512];
	size_t i;

	sized_file(tmp, "disk.vmdk", 1);
	for (i = 0; i < sizeof(hrefs) / sizeof(hrefs[0]); i++) {
		snprintf(ref, sizeof(ref),
		         "<File ovf:id=\"file1\" ovf:href=\"%s\"/>", hrefs[i]);
		write_ovf("x.ovf", ref, DISK1, "");
		expect_fail("x.ovf", ERR_EPARSE, "OVF file reference");
	}
}
END_TEST

START_TEST(test_missing_file)
{
	write_ovf("x.ovf",
	          "<File ovf:id=\"file1\" ovf:href=\"image-disk1.vmdk\"/>",
	          DISK1, "");
	expect_fail("x.ovf", ERR_ENOTFOUND, "'image-disk1.vmdk'");
}
END_TEST

START_TEST(test_symlinked_file)
{
	char link[512];

	snprintf(link, sizeof(link), "%s/disk.vmdk", tmp);
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	write_ovf("x.ovf", REF1, DISK1, "");
	expect_fail("x.ovf", ERR_EPARSE, "not a regular file");
}
END_TEST

START_TEST(test_symlinked_descriptor)
{
	char target[512], link[512];

	sized_file(tmp, "disk.vmdk", 1);
	write_ovf("real.ovf", REF1, DISK1, "");
	snprintf(target, sizeof(target), "%s/real.ovf", tmp);
	snprintf(link, sizeof(link), "%s/x.ovf", tmp);
	ck_assert_int_eq(symlink(target, link), 0);
	expect_fail("x.ovf", ERR_EIO, "opening OVF descriptor");
}
END_TEST

START_TEST(test_size_mismatch)
{
	sized_file(tmp, "disk.vmdk", 100);
	write_ovf("x.ovf",
	          "<File ovf:id=\"file1\" ovf:href=\"disk.vmdk\" "
	          "ovf:size=\"99\"/>", DISK1, "");
	expect_fail("x.ovf", ERR_EPARSE, "descriptor says 99");
}
END_TEST

START_TEST(test_compressed_reference)
{
	sized_file(tmp, "disk.vmdk", 100);
	write_ovf("x.ovf",
	          "<File ovf:id=\"file1\" ovf:href=\"disk.vmdk\" "
	          "ovf:compression=\"gzip\"/>", DISK1, "");
	expect_fail("x.ovf", ERR_EPARSE, "compressed");
}
END_TEST

START_TEST(test_duplicate_file_id)
{
	sized_file(tmp, "disk.vmdk", 1);
	sized_file(tmp, "disk2.vmdk", 1);
	write_ovf("x.ovf", REF1 "<File ovf:id=\"file1\" "
	          "ovf:href=\"disk2.vmdk\"/>", DISK1, "");
	expect_fail("x.ovf", ERR_EPARSE, "appears twice");
}
END_TEST

START_TEST(test_disk_unknown_file)
{
	sized_file(tmp, "disk.vmdk", 1);
	write_ovf("x.ovf", REF1,
	          "<Disk ovf:diskId=\"d\" ovf:fileRef=\"file9\" "
	          "ovf:capacity=\"1\"/>", "");
	expect_fail("x.ovf", ERR_EPARSE, "file id not in References");
}
END_TEST

START_TEST(test_disk_bad_capacity)
{
	static const char *const disks[] = {
		"<Disk ovf:diskId=\"d\" ovf:capacity=\"${size}\"/>",
		"<Disk ovf:diskId=\"d\"/>",
		"<Disk ovf:diskId=\"d\" ovf:capacity=\"1\" "
		"ovf:capacityAllocationUnits=\"byte * 10^9\"/>",
		"<Disk ovf:diskId=\"d\" ovf:capacity=\"99999999999\" "
		"ovf:capacityAllocationUnits=\"byte * 2^40\"/>",
	};
	size_t i;

	sized_file(tmp, "disk.vmdk", 1);
	for (i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		write_ovf("x.ovf", REF1, disks[i], "");
		expect_fail("x.ovf", ERR_EPARSE, "capacity");
	}
}
END_TEST

START_TEST(test_no_disks)
{
	sized_file(tmp, "disk.vmdk", 1);
	write_ovf("x.ovf", REF1, "", "");
	expect_fail("x.ovf", ERR_EPARSE, "no disk");
}
END_TEST

START_TEST(test_networks)
{
	struct vs_ovf *ovf = NULL;
	struct err err;
	char buf[4096], path[512];

	sized_file(tmp, "disk.vmdk", 1);
	snprintf(buf, sizeof(buf),
	         "<Envelope xmlns=\"" VS_OVF_NS "\" xmlns:ovf=\"" VS_OVF_NS
	         "\"><References>" REF1 "</References><DiskSection>" DISK1
	         "</DiskSection><NetworkSection><Info>n</Info>"
	         "<Network ovf:name=\"VM Network\"/>"
	         "<Network ovf:name=\"second &amp; net\"/>"
	         "</NetworkSection><VirtualSystem ovf:id=\"vm\">"
	         "<VirtualHardwareSection/></VirtualSystem></Envelope>");
	write_file(tmp, "x.ovf", buf);
	snprintf(path, sizeof(path), "%s/x.ovf", tmp);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&ovf, path, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(ovf->nnetworks, 2);
	ck_assert_str_eq(ovf->networks[0], "VM Network");
	ck_assert_str_eq(ovf->networks[1], "second & net");
	vs_ovf_free(ovf);

	snprintf(buf, sizeof(buf),
	         "<Envelope xmlns=\"" VS_OVF_NS "\" xmlns:ovf=\"" VS_OVF_NS
	         "\"><References>" REF1 "</References><DiskSection>" DISK1
	         "</DiskSection><NetworkSection><Network/></NetworkSection>"
	         "<VirtualSystem ovf:id=\"vm\"><VirtualHardwareSection/>"
	         "</VirtualSystem></Envelope>");
	write_file(tmp, "x.ovf", buf);
	expect_fail("x.ovf", ERR_EPARSE, "Network without ovf:name");
}
END_TEST

START_TEST(test_disk_item_unknown_disk)
{
	sized_file(tmp, "disk.vmdk", 1);
	write_ovf("x.ovf", REF1, DISK1,
	          "<Item><rasd:HostResource>ovf:/disk/other"
	          "</rasd:HostResource><rasd:InstanceID>9</rasd:InstanceID>"
	          "<rasd:ResourceType>17</rasd:ResourceType></Item>");
	expect_fail("x.ovf", ERR_EPARSE, "names no disk");
}
END_TEST

START_TEST(test_item_without_type)
{
	sized_file(tmp, "disk.vmdk", 1);
	write_ovf("x.ovf", REF1, DISK1,
	          "<Item><rasd:InstanceID>9</rasd:InstanceID></Item>");
	expect_fail("x.ovf", ERR_EPARSE, "ResourceType");
}
END_TEST

START_TEST(test_not_xml)
{
	write_file(tmp, "x.ovf", "this is <not xml");
	expect_fail("x.ovf", ERR_EPARSE, "not well-formed");
}
END_TEST

START_TEST(test_wrong_namespace)
{
	write_file(tmp, "x.ovf",
	           "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/2\">"
	           "<References/></Envelope>");
	expect_fail("x.ovf", ERR_EPARSE, "not an OVF 1.x descriptor");
	/* The right local names under a prefix bound elsewhere. */
	write_file(tmp, "x.ovf",
	           "<o:Envelope xmlns:o=\"urn:evil\"><o:References/>"
	           "</o:Envelope>");
	expect_fail("x.ovf", ERR_EPARSE, "not an OVF 1.x descriptor");
}
END_TEST

START_TEST(test_prefix_independent)
{
	struct vs_ovf *ovf = NULL;
	struct err err;
	char path[512];

	/* Odd prefixes, same namespaces: must parse like the default. */
	sized_file(tmp, "disk.vmdk", 7);
	write_file(tmp, "x.ovf",
	           "<q:Envelope xmlns:q=\"" VS_OVF_NS "\" xmlns:r=\""
	           VS_OVF_NS_RASD "\"><q:References><q:File q:id=\"f\" "
	           "q:href=\"disk.vmdk\" q:size=\"7\"/></q:References>"
	           "<q:DiskSection><q:Info>i</q:Info><q:Disk q:diskId=\"d\" "
	           "q:fileRef=\"f\" q:capacity=\"1\"/></q:DiskSection>"
	           "<q:VirtualSystem q:id=\"s\"><q:VirtualHardwareSection>"
	           "<q:Item><r:ResourceType>10</r:ResourceType>"
	           "<r:InstanceID>1</r:InstanceID><r:Connection>net"
	           "</r:Connection></q:Item>"
	           "<q:Item><r:ResourceType>10</r:ResourceType>"
	           "<r:InstanceID>2</r:InstanceID><x:Connection "
	           "xmlns:x=\"urn:other\">wrong</x:Connection></q:Item>"
	           "</q:VirtualHardwareSection></q:VirtualSystem>"
	           "</q:Envelope>");
	snprintf(path, sizeof(path), "%s/x.ovf", tmp);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&ovf, path, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(vs_ovf_item_count(ovf, VS_OVF_RT_NIC), 2);
	ck_assert_str_eq(vs_ovf_item_nth(ovf, VS_OVF_RT_NIC, 0)->connection,
	                 "net");
	ck_assert_ptr_null(vs_ovf_item_nth(ovf, VS_OVF_RT_NIC, 1)->connection);
	vs_ovf_free(ovf);
}
END_TEST

START_TEST(test_too_large)
{
	char path[512];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/x.ovf", tmp);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs("<Envelope xmlns=\"" VS_OVF_NS "\"><!--", f);
	for (i = 0; i < VS_OVF_MAX_SIZE / 32; i++)
		fputs("0123456789012345678901234567890123456789012345678901234"
		      "56789012", f);
	fputs("--></Envelope>", f);
	fclose(f);
	expect_fail("x.ovf", ERR_EPARSE, "outside 1..");
}
END_TEST

START_TEST(test_empty_and_missing)
{
	write_file(tmp, "x.ovf", "");
	expect_fail("x.ovf", ERR_EPARSE, "outside 1..");
	expect_fail("nope.ovf", ERR_EIO, "opening OVF descriptor");
}
END_TEST

START_TEST(test_non_utf8_encoding)
{
	sized_file(tmp, "disk.vmdk", 1);
	write_file(tmp, "x.ovf",
	           "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	           "<Envelope xmlns=\"" VS_OVF_NS "\"/>");
	expect_fail("x.ovf", ERR_EPARSE, "UTF-8");
}
END_TEST

/* Damaged copies of the real-looking descriptor: each read must end in
 * success or a clean error (memory safety under sanitizers/valgrind). */
START_TEST(test_random_damage)
{
	unsigned long seed = 777;
	size_t len, i, k, ok = 0, bad = 0;
	char *text, *copy, path[512];

	text = slurp(data_path("real-looking.ovf"), &len);
	copy = malloc(len + 1);
	ck_assert_ptr_nonnull(copy);
	sized_file(tmp, "image-disk1.vmdk", 684212736);
	snprintf(path, sizeof(path), "%s/x.ovf", tmp);
	for (i = 0; i < 300; i++) {
		struct vs_ovf *ovf = NULL;
		struct err err;

		memcpy(copy, text, len + 1);
		for (k = 0; k < 1 + i % 3; k++) {
			seed = seed * 1103515245UL + 12345UL;
			copy[(seed >> 8) % len] =
				(char)(' ' + (seed >> 3) % 95);
		}
		write_file(tmp, "x.ovf", copy);
		err_clear(&err);
		if (vs_ovf_read(&ovf, path, &err) == 0) {
			ck_assert_ptr_nonnull(ovf);
			vs_ovf_free(ovf);
			ok++;
		} else {
			ck_assert_ptr_null(ovf);
			ck_assert_uint_gt(strlen(err.message), 0);
			ck_assert_ptr_null(strchr(err.message, '\n'));
			bad++;
		}
	}
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(bad, 0);
	free(copy);
	free(text);
}
END_TEST

START_TEST(test_error_is_set_once)
{
	struct vs_ovf *ovf = NULL;
	struct err err;
	char path[512];

	err_clear(&err);
	err_set(&err, ERR_ETIMEOUT, "earlier failure");
	snprintf(path, sizeof(path), "%s/none.ovf", tmp);
	ck_assert_int_eq(vs_ovf_read(&ovf, path, &err), ERR_EIO);
	ck_assert_int_eq(err.code, ERR_ETIMEOUT);
	ck_assert_str_eq(err.message, "earlier failure");
}
END_TEST

static Suite *
ovf_suite(void)
{
	Suite *s = suite_create("ovf");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_generated_image_ovf);
	tcase_add_test(tc, test_real_looking_ovf);
	tcase_add_test(tc, test_size_optional_and_blank_disk);
	tcase_add_test(tc, test_entity_bomb);
	tcase_add_test(tc, test_external_entity);
	tcase_add_test(tc, test_missing_references);
	tcase_add_test(tc, test_href_with_slash);
	tcase_add_test(tc, test_href_hostile_forms);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_symlinked_file);
	tcase_add_test(tc, test_symlinked_descriptor);
	tcase_add_test(tc, test_size_mismatch);
	tcase_add_test(tc, test_compressed_reference);
	tcase_add_test(tc, test_duplicate_file_id);
	tcase_add_test(tc, test_disk_unknown_file);
	tcase_add_test(tc, test_disk_bad_capacity);
	tcase_add_test(tc, test_no_disks);
	tcase_add_test(tc, test_networks);
	tcase_add_test(tc, test_disk_item_unknown_disk);
	tcase_add_test(tc, test_item_without_type);
	tcase_add_test(tc, test_not_xml);
	tcase_add_test(tc, test_wrong_namespace);
	tcase_add_test(tc, test_prefix_independent);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_empty_and_missing);
	tcase_add_test(tc, test_non_utf8_encoding);
	tcase_add_test(tc, test_random_damage);
	tcase_add_test(tc, test_error_is_set_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	snprintf(root_dir, sizeof(root_dir), "%s/check_ovf-XXXXXX",
	         base != NULL ? base : "/tmp");
	if (mkdtemp(root_dir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(ovf_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(root_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * vsphere/files.h: datastore paths and datastore files.
 *
 * Datastore paths are written "[ds] dir/file" ("[ds]" alone is the
 * datastore's root).  They come from requests, config and vCenter replies,
 * so they are parsed strictly: the datastore name must be non-empty and
 * hold no '[' or ']'; the path is relative, its components non-empty and
 * never "." or ".."; no backslashes, no control characters, valid UTF-8.
 * Spaces, brackets inside the path and any other Unicode are fine.
 *
 * File contents move over vCenter's datastore HTTP interface:
 *   <base>/folder/<path>?dcPath=<datacenter path>&dsName=<datastore>
 * with every component percent-encoded; 200/201 are success, 404 is
 * ERR_ENOTFOUND, anything else ERR_EHTTP with err->http_status.
 */
#ifndef VS_FILES_H
#define VS_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct vs_client;
struct vs_moref;

/* Longest datastore path accepted (bytes). */
#define VS_DS_PATH_MAX 4096

struct vs_ds_path {
	char *datastore;    /* "LocalDS_0" */
	char *path;         /* "dir/file.vmdk", "" for the root */
};

/* Parses and validates "[ds] path" into out (owned; clear it). */
int vs_ds_path_parse(struct vs_ds_path *out, const char *s,
                     struct err *err);
void vs_ds_path_clear(struct vs_ds_path *p);
/* Builds "[ds] path" (path may be "" or NULL) after validating both the
 * way vs_ds_path_parse() does; *out is malloc'd. */
int vs_ds_path_format(char **out, const char *datastore, const char *path,
                      struct err *err);
/* The relative URL "/folder/<path>?dcPath=<dc>&dsName=<ds>" for a parsed
 * path; dc_path is the datacenter's inventory path ("DC0", "f/DC1").
 * *out is malloc'd. */
int vs_ds_path_url(char **out, const struct vs_ds_path *p,
                   const char *dc_path, struct err *err);

/* Uploads a local file to ds_path ("[ds] dir/file"). */
int vs_file_upload(struct vs_client *c, const char *dc_path,
                   const char *ds_path, const char *local_path,
                   struct err *err);
/* Uploads len bytes from buf; sensitive (e.g. agent env) keeps the body
 * out of recorded fixtures. */
int vs_file_upload_mem(struct vs_client *c, const char *dc_path,
                       const char *ds_path, const void *buf, size_t len,
                       bool sensitive, struct err *err);
/* Downloads ds_path to a local file. */
int vs_file_download(struct vs_client *c, const char *dc_path,
                     const char *ds_path, const char *local_path,
                     struct err *err);
/* Downloads ds_path into *out (malloc'd, NUL-terminated, *len_out bytes
 * before the NUL). */
int vs_file_download_mem(char **out, size_t *len_out, struct vs_client *c,
                         const char *dc_path, const char *ds_path,
                         struct err *err);

/* FileManager.MakeDirectory; a directory that already exists is success
 * (FileAlreadyExists). */
int vs_file_make_directory(struct vs_client *c, const struct vs_moref *dc,
                           const char *ds_path, bool create_parents,
                           struct err *err);
/* FileManager.DeleteDatastoreFile_Task (recursive for directories), waited
 * for; FileNotFound gives ERR_ENOTFOUND. */
int vs_file_delete(struct vs_client *c, const struct vs_moref *dc,
                   const char *ds_path, struct err *err);

/* How long vs_file_delete waits for its task. */
#define VS_FILE_TASK_TIMEOUT_S 600.0

#endif

/*
 * vsphere/vs_log.h: the log sink the vsphere/ layer reports through.
 */
#ifndef VS_LOG_H
#define VS_LOG_H

/* Log sink the layer reports through (retries, warnings).  Never passed
 * secrets.  level: 0 debug, 1 info, 2 warn, 3 error. */
typedef void (*vs_log_fn)(void *ud, int level, const char *msg);

#endif

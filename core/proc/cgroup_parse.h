/*
 * /proc/PID/cgroup read into what a person diagnosing a spike asks next:
 * which systemd unit, slice, user session or container the process runs
 * in. A pure parser: buffer in, struct out, no I/O, no allocation, never
 * a byte read past len.
 */
#ifndef ST_CGROUP_PARSE_H
#define ST_CGROUP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes kept of the path, NUL included; a longer one is cut and flagged. */
#define ST_CGROUP_PATH_MAX 1024
/* systemd unit names are at most 255 bytes. */
#define ST_CGROUP_NAME_MAX 256
#define ST_CGROUP_ID_MAX 65         /* 64 hex digits and the NUL */
#define ST_CGROUP_POD_MAX 37        /* a UUID and the NUL */
#define ST_CGROUP_SESSION_MAX 32

/* Where the path came from. */
enum {
	ST_CGROUP_NONE = 0,
	ST_CGROUP_V2 = 1,           /* the "0::" line (v2 or hybrid hosts) */
	ST_CGROUP_V1_SYSTEMD = 2,   /* v1-only host: systemd's name=systemd line */
};

struct st_cgroup_info {
	int      source;                     /* ST_CGROUP_* */
	int      path_truncated;
	char     path[ST_CGROUP_PATH_MAX];   /* "" when source is NONE */
	char     unit[ST_CGROUP_NAME_MAX];   /* innermost .service/.scope, "" none */
	char     slice[ST_CGROUP_NAME_MAX];  /* innermost slice above the unit */
	int64_t  user_uid;                   /* N of user-N.slice, -1 none */
	int      user_unit;                  /* the unit runs under user@N.service */
	char     session[ST_CGROUP_SESSION_MAX]; /* X of session-X.scope, "" none */
	char     runtime[16];                /* docker, containerd, crio, podman, "" */
	char     container_id[ST_CGROUP_ID_MAX];
	char     pod_uid[ST_CGROUP_POD_MAX]; /* kubepods: with '-' (systemd writes '_') */
};

/*
 * Parses the contents of /proc/PID/cgroup (len bytes, no NUL needed).
 * The first "0::" line wins; without one, a "name=systemd" v1 line. A
 * cgroup name may hold any byte but '/' and NUL, newlines included, so a
 * line is whatever the kernel printed up to the next newline: only the
 * first matching line counts, and the names derived from it must be
 * escaped by whoever prints them. Returns 0 when a path was found, -1
 * otherwise (out is then all empty).
 */
int st_parse_cgroup(const char *buf, size_t len, struct st_cgroup_info *out);

/* The same for a read that filled its buffer (cut true): the file went
 * on, so a path that runs to the end of buf is flagged as cut and its
 * last, partial component is not taken for a name. */
int st_parse_cgroup_cut(const char *buf, size_t len, int cut, struct st_cgroup_info *out);

#endif

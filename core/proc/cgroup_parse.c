/*
 * The cgroup path and the names systemd and the container runtimes put
 * in it. Layouts read (systemd's, and the runtimes' own "cgroupfs" ones):
 *   /system.slice/nginx.service                         unit, slice
 *   /user.slice/user-1000.slice/session-3.scope         session 3, uid 1000
 *   /user.slice/user-1000.slice/user@1000.service/app.slice/foo.service
 *                                                       a user unit
 *   /system.slice/docker-<id>.scope, /docker/<id>       docker
 *   .../cri-containerd-<id>.scope, .../crio-<id>.scope  containerd, CRI-O
 *   /machine.slice/libpod-<id>.scope                    podman
 *   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/...
 *   /kubepods/burstable/pod<uid>/<id>                   kubepods, pod uid
 */
#include "proc/cgroup_parse.h"

#include <string.h>

/* A view of part of the path: never NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static int ends_with(struct span s, const char *suffix)
{
	size_t k = strlen(suffix);
	return s.n >= k && memcmp(s.p + s.n - k, suffix, k) == 0;
}

static int starts_with(struct span s, const char *prefix)
{
	size_t k = strlen(prefix);
	return s.n >= k && memcmp(s.p, prefix, k) == 0;
}

/* Copies s into a fixed field, cut to fit. */
static void put(char *dst, size_t cap, struct span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static int all_hex(struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}

/* Container ids are 64 hex digits; tools print 12, so accept from 12. */
static int container_id(struct span s)
{
	return s.n >= 12 && s.n <= ST_CGROUP_ID_MAX - 1 && all_hex(s);
}

/* A decimal number of at most 10 digits that fits a uid. */
static int parse_uid(struct span s, int64_t *out)
{
	int64_t v = 0;
	if (s.n == 0 || s.n > 10)
		return 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
		v = v * 10 + (s.p[i] - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	*out = v;
	return 1;
}

/* A pod uid as systemd writes it (dashes as '_') or as cgroupfs does. */
static void put_pod(struct st_cgroup_info *out, struct span s)
{
	if (s.n == 0 || s.n > ST_CGROUP_POD_MAX - 1)
		return;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' || c == '_'))
			return;
	}
	put(out->pod_uid, sizeof(out->pod_uid), s);
	for (char *c = out->pod_uid; *c; c++)
		if (*c == '_')
			*c = '-';
}

/* "<prefix><id>.scope" of a runtime's systemd scope. */
static const struct {
	const char *prefix, *runtime;
} scopes[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "crio" },
	{ "libpod-", "podman" },
};

static void container_scope(struct st_cgroup_info *out, struct span c)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t k = strlen(scopes[i].prefix);
		if (!starts_with(c, scopes[i].prefix) || !ends_with(c, ".scope"))
			continue;
		struct span id = { c.p + k, c.n - k - strlen(".scope") };
		if (c.n < k + strlen(".scope") || !container_id(id))
			return;
		put(out->runtime, sizeof(out->runtime), (struct span){ scopes[i].runtime,
								     strlen(scopes[i].runtime) });
		put(out->container_id, sizeof(out->container_id), id);
		return;
	}
}

/* What one path component says; prev is the one above it. */
static void component(struct st_cgroup_info *out, struct span c, struct span prev,
		      char *pending_slice, int *in_user_manager)
{
	if (ends_with(c, ".slice")) {
		put(pending_slice, ST_CGROUP_NAME_MAX, c);
		struct span core = { c.p, c.n - strlen(".slice") };
		if (starts_with(core, "user-") &&
		    parse_uid((struct span){ core.p + 5, core.n - 5 }, &out->user_uid))
			return;
		/* kubepods-pod<uid>.slice, kubepods-<qos>-pod<uid>.slice */
		if (starts_with(core, "kubepods-")) {
			for (size_t i = 0; i + 4 <= core.n; i++)
				if (memcmp(core.p + i, "-pod", 4) == 0) {
					put_pod(out, (struct span){ core.p + i + 4, core.n - i - 4 });
					break;
				}
		}
		return;
	}
	if (ends_with(c, ".service") || ends_with(c, ".scope")) {
		/* The innermost unit wins; the manager itself is one too. */
		put(out->unit, sizeof(out->unit), c);
		memcpy(out->slice, pending_slice, ST_CGROUP_NAME_MAX);
		out->user_unit = *in_user_manager;
		if (starts_with(c, "user@") && ends_with(c, ".service"))
			*in_user_manager = 1;
		if (starts_with(c, "session-") && ends_with(c, ".scope") && c.n > 14)
			put(out->session, sizeof(out->session),
			    (struct span){ c.p + 8, c.n - 8 - 6 });
		container_scope(out, c);
		return;
	}
	/* cgroupfs layouts: /docker/<id>, /kubepods/<qos>/pod<uid>/<id> */
	if (prev.n == 6 && memcmp(prev.p, "docker", 6) == 0 && container_id(c)) {
		put(out->runtime, sizeof(out->runtime), (struct span){ "docker", 6 });
		put(out->container_id, sizeof(out->container_id), c);
	} else if (starts_with(c, "pod") && strncmp(out->path, "/kubepods/", 10) == 0) {
		put_pod(out, (struct span){ c.p + 3, c.n - 3 });
	} else if (starts_with(prev, "pod") && out->pod_uid[0] && !out->container_id[0] &&
		   container_id(c)) {
		/* The runtime is not in the path: some CRI runtime. */
		put(out->runtime, sizeof(out->runtime), (struct span){ "cri", 3 });
		put(out->container_id, sizeof(out->container_id), c);
	}
}

static void derive(struct st_cgroup_info *out)
{
	char pending_slice[ST_CGROUP_NAME_MAX] = "";
	int in_user_manager = 0;
	const char *p = out->path, *end = p + strlen(p);
	struct span prev = { p, 0 };

	/* A cut path ends in a cut name: "docker-0123456789ab" of a longer
	 * id would pass for a whole one. Read only whole components. */
	if (out->path_truncated) {
		const char *slash = strrchr(p, '/');
		end = slash ? slash : p;
	}
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		const char *q = p;
		while (q < end && *q != '/')
			q++;
		struct span c = { p, (size_t)(q - p) };
		if (c.n)
			component(out, c, prev, pending_slice, &in_user_manager);
		prev = c;
		p = q;
	}
	if (!out->unit[0])
		memcpy(out->slice, pending_slice, sizeof(out->slice));
}

/* The path of a "<id>:<controllers>:<path>" line when it is the one
 * wanted: controllers empty (v2) or "name=systemd" (v1). */
static int line_path(struct span line, const char *controllers, struct span *path)
{
	const char *c1 = memchr(line.p, ':', line.n);
	if (!c1)
		return 0;
	struct span rest = { c1 + 1, line.n - (size_t)(c1 + 1 - line.p) };
	const char *c2 = memchr(rest.p, ':', rest.n);
	if (!c2)
		return 0;
	size_t ctl = (size_t)(c2 - rest.p);
	if (ctl != strlen(controllers) || memcmp(rest.p, controllers, ctl) != 0)
		return 0;
	path->p = c2 + 1;
	path->n = line.n - (size_t)(c2 + 1 - line.p);
	return path->n > 0 && path->p[0] == '/';
}

int st_parse_cgroup(const char *buf, size_t len, struct st_cgroup_info *out)
{
	return st_parse_cgroup_cut(buf, len, 0, out);
}

int st_parse_cgroup_cut(const char *buf, size_t len, int cut, struct st_cgroup_info *out)
{
	struct span v1 = { NULL, 0 }, v2 = { NULL, 0 }, path;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->user_uid = -1;
	while (i < len && !v2.p) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
		struct span line = { buf + i, n };
		/* The v2 line's hierarchy id is 0; v1 ids start at 1. */
		if (n >= 3 && memcmp(line.p, "0::", 3) == 0 && line_path(line, "", &path))
			v2 = path;
		else if (!v1.p && line_path(line, "name=systemd", &path))
			v1 = path;
		i += n + 1;
	}
	path = v2.p ? v2 : v1;
	if (!path.p)
		return -1;
	out->source = v2.p ? ST_CGROUP_V2 : ST_CGROUP_V1_SYSTEMD;
	/* A path running to the end of a cut read is cut too. */
	out->path_truncated = path.n > sizeof(out->path) - 1 ||
			      (cut && path.p + path.n == buf + len);
	put(out->path, sizeof(out->path), path);
	/* A NUL in the middle would hide the rest: what follows is not
	 * the path the kernel printed. */
	if (strlen(out->path) != (path.n < sizeof(out->path) ? path.n : sizeof(out->path) - 1))
		out->path_truncated = 1;
	derive(out);
	return 0;
}

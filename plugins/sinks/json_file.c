/*
 * json_file: each dump as one JSON file in `dir`, named
 * spike_<UTC time>_<type>_<pid>.json so that names sort by time.
 *
 * Written atomically: a temp file in the same directory, fsync, rename
 * without replacing, fsync of the directory. A reader never sees a partial
 * dump and a crash never leaves one under a dump's name. Retention keeps at
 * most max_dumps files and max_total_mib MiB, deleting the oldest first.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#include "write_all.h"

#define PREFIX "spike_"
#define SUFFIX ".json"
#define TEMP_PREFIX ".tmp-spike_"

struct json_file {
	const struct st_host *host;
	char *dir;
	long max_dumps;
	long long max_total_bytes;
	gid_t gid;              /* (gid_t)-1: the daemon's own group */
	int last_errno;         /* to log a failing condition once, not per dump */
	const char *last_what;
};

enum { OPT_DIR, OPT_MAX_DUMPS, OPT_MAX_TOTAL_MIB, OPT_GROUP };

static const struct st_option options[] = {
	[OPT_DIR] = ST_OPTION_STRING("dir", ST_DEFAULT_DUMP_DIR,
		"directory the dumps are written to (created if missing)"),
	[OPT_MAX_DUMPS] = ST_OPTION_INT("max_dumps", 500, 1, 1000000,
		"keep at most this many dumps, deleting the oldest"),
	[OPT_MAX_TOTAL_MIB] = ST_OPTION_INT("max_total_mib", 100, 1, 1048576,
		"keep the dumps under this many MiB in all, deleting the oldest"),
	[OPT_GROUP] = ST_OPTION_STRING("group", "",
		"group (name or number) that may read the dumps (mode 0640); empty: the daemon's"),
	ST_OPTION_END,
};

static int is_dump(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	return n > strlen(PREFIX) + strlen(SUFFIX) &&
	       strncmp(de->d_name, PREFIX, strlen(PREFIX)) == 0 &&
	       strcmp(de->d_name + n - strlen(SUFFIX), SUFFIX) == 0;
}

static int is_temp(const struct dirent *de)
{
	return strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0;
}

/* A crash between write and rename leaves a temp file: remove it. */
static void remove_stray_temps(struct json_file *jf)
{
	struct dirent **names;
	int n = scandir(jf->dir, &names, is_temp, NULL);
	for (int i = 0; i < n; i++) {
		char *path;
		if (asprintf(&path, "%s/%s", jf->dir, names[i]->d_name) >= 0) {
			if (unlink(path) == 0)
				jf->host->log(jf->host, ST_LOG_NOTICE,
					      "removed stray temp file %s", path);
			free(path);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* mkdir -p: the directory may be missing, or removed while we run. */
static int make_dir(struct json_file *jf)
{
	char *path = strdup(jf->dir);
	int rc = 0;
	if (!path)
		return -1;
	for (char *p = path + 1; rc == 0; p++) {
		int end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(path, 0750) < 0 && errno != EEXIST)
			rc = -1;
		if (end)
			break;
		*p = '/';
	}
	int saved = errno;
	free(path);
	errno = saved;
	return rc;
}

static int parse_group(const char *name, gid_t *gid)
{
	char *end;
	*gid = (gid_t)-1;
	if (!name || !*name)
		return 0;
	unsigned long n = strtoul(name, &end, 10);
	if (*end == '\0') {
		*gid = (gid_t)n;
		return 0;
	}
	struct group *gr = getgrnam(name);
	if (!gr)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

static int json_file_create(const struct st_host *host, const union st_value *opts,
			    void **state)
{
	struct json_file *jf = calloc(1, sizeof(*jf));
	if (!jf || !(jf->dir = strdup(opts[OPT_DIR].s))) {
		host->log(host, ST_LOG_ERR, "out of memory");
		free(jf);
		return -1;
	}
	jf->host = host;
	if (parse_group(opts[OPT_GROUP].s, &jf->gid) < 0) {
		host->log(host, ST_LOG_ERR, "group '%s': no such group", opts[OPT_GROUP].s);
		free(jf->dir);
		free(jf);
		return -1;
	}
	jf->max_dumps = opts[OPT_MAX_DUMPS].i;
	jf->max_total_bytes = (long long)opts[OPT_MAX_TOTAL_MIB].i << 20;
	/* A directory we cannot create now may appear later (a mount): say
	 * so, and try again at each dump. */
	if (make_dir(jf) < 0)
		host->log(host, ST_LOG_WARNING, "%s: %s; will retry at each dump",
			  jf->dir, strerror(errno));
	else
		remove_stray_temps(jf);
	*state = jf;
	return 0;
}

static void json_file_destroy(void *state)
{
	struct json_file *jf = state;
	if (jf)
		free(jf->dir);
	free(jf);
}

/* Rename tmp to the first free name: never replace an existing dump. */
static int publish(int dfd, const char *tmp, const char *id, char *name, size_t namelen)
{
	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(name, namelen, PREFIX "%s" SUFFIX, id);
		else
			snprintf(name, namelen, PREFIX "%s-%d" SUFFIX, id, i);
		if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		/* No RENAME_NOREPLACE on this filesystem: check, then rename. */
		if (faccessat(dfd, name, F_OK, 0) == 0)
			continue;
		return renameat(dfd, tmp, dfd, name);
	}
	errno = EEXIST;
	return -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Oldest first (names sort by time) until both limits hold. */
static void enforce_retention(struct json_file *jf, int dfd)
{
	struct dirent **names;
	int n = scandir(jf->dir, &names, is_dump, by_name);
	if (n < 0)
		return;
	long long total = 0;
	long long *sizes = calloc((size_t)n + 1, sizeof(*sizes));
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (sizes && fstatat(dfd, names[i]->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			sizes[i] = st.st_size;
		total += sizes ? sizes[i] : 0;
	}
	long count = n;
	for (int i = 0; i < n && (count > jf->max_dumps || total > jf->max_total_bytes); i++) {
		if (unlinkat(dfd, names[i]->d_name, 0) == 0) {
			count--;
			total -= sizes ? sizes[i] : 0;
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(sizes);
}

static void report(struct json_file *jf, const char *what, int err)
{
	/* Once per condition: a full disk must not fill the log too. */
	if (err != jf->last_errno || what != jf->last_what)
		jf->host->log(jf->host, ST_LOG_ERR, "%s: %s: %s; dumps are lost until this clears",
			      jf->dir, what, strerror(err));
	jf->last_errno = err;
	jf->last_what = what;
}

static int json_file_emit(void *state, const struct st_dump *dump,
			  const char *json, size_t len)
{
	struct json_file *jf = state;
	char tmp[64], name[128];
	if (make_dir(jf) < 0) {
		report(jf, "cannot create the directory", errno);
		return -1;
	}
	int dfd = open(jf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		report(jf, "cannot open the directory", errno);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), TEMP_PREFIX "%d-%lld", (int)getpid(),
		 (long long)jf->host->mono_ns());
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		report(jf, "cannot create a temp file", errno);
		close(dfd);
		return -1;
	}
	int err = 0;
	const char *what = NULL;
	/* umask must not widen or narrow what we promise: 0640. */
	if (fchmod(fd, 0640) < 0)
		what = "cannot set the mode of the dump", err = errno;
	else if (jf->gid != (gid_t)-1 && fchown(fd, (uid_t)-1, jf->gid) < 0)
		what = "cannot give the dump its group", err = errno;
	else if (sink_write_all(fd, json, len) < 0 || sink_write_all(fd, "\n", 1) < 0)
		what = "cannot write the dump", err = errno;
	else if (fsync(fd) < 0)
		what = "cannot flush the dump to disk", err = errno;
	if (close(fd) < 0 && !what)
		what = "cannot write the dump", err = errno;
	if (!what && publish(dfd, tmp, dump->id, name, sizeof(name)) < 0)
		what = "cannot rename the dump into place", err = errno;
	if (what) {
		unlinkat(dfd, tmp, 0);      /* never a partial file */
		report(jf, what, err);
		close(dfd);
		return -1;
	}
	fsync(dfd);     /* the rename itself must survive a crash */
	if (jf->last_errno)
		jf->host->log(jf->host, ST_LOG_NOTICE, "%s: writing dumps again", jf->dir);
	jf->last_errno = 0;
	jf->last_what = NULL;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", jf->dir, name);
	jf->host->dump_stored(jf->host, dump, path);
	jf->host->log(jf->host, ST_LOG_INFO, "wrote %s", path);
	enforce_retention(jf, dfd);
	close(dfd);
	return 0;
}

static const struct st_plugin json_file_plugin = {
	.abi_version = ST_ABI_VERSION,
	.size = sizeof(struct st_plugin),
	.kind = ST_PLUGIN_SINK,
	.name = "json_file",
	.version = "1.0",
	.description = "write each dump atomically as a JSON file",
	.options = options,
	.create = json_file_create,
	.destroy = json_file_destroy,
	.emit = json_file_emit,
	.flags = ST_PLUGIN_STORES,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &json_file_plugin;
}

/*
 * json_file: each dump as one JSON file in `dir`, named
 * spike_<sequence>_<dump id>.json: the sequence says in which order the
 * dumps were written, the id (UTC time, type, pid) what each one is.
 *
 * Written atomically: a temp file in the same directory, fsync, rename
 * without replacing, fsync of the directory. A reader never sees a partial
 * dump and a crash never leaves one under a dump's name. Retention keeps at
 * most max_dumps files and max_total_mib MiB, deleting the oldest first.
 *
 * "Oldest" is by the sequence, not by the time in the id nor by mtime:
 * both come from the wall clock, and after the clock steps back (NTP, a
 * wrong RTC fixed) the newest dump would carry the oldest time and be the
 * first deleted. The sequence continues from the highest one in the
 * directory, so it survives restarts; names without one (written before
 * it) are older than any with one.
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
#define SEQ_DIGITS 6            /* zero-padded, so ls lists in write order;
                                   more digits once past 999999 */

struct json_file {
	const struct st_host *host;
	char *dir;
	long max_dumps;
	long long max_total_bytes;
	gid_t gid;              /* (gid_t)-1: the daemon's own group */
	int last_errno;         /* to log a failing condition once, not per dump */
	const char *last_what;
	uint64_t next_seq;      /* 0: not known yet (directory not read) */
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

/* The write sequence in a dump's name, 0 for a name without one. */
static uint64_t name_seq(const char *name)
{
	const char *p = name + strlen(PREFIX);
	char *end;
	if (*p < '0' || *p > '9')
		return 0;
	uint64_t v = strtoull(p, &end, 10);
	/* A name from before the sequence starts with the id's date: eight
	 * digits and a 'T'. */
	return *end == '_' ? v : 0;
}

/* The next sequence: one past the highest in the directory. */
static int read_next_seq(struct json_file *jf)
{
	struct dirent **names;
	int n = scandir(jf->dir, &names, is_dump, NULL);
	uint64_t top = 0;
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		uint64_t v = name_seq(names[i]->d_name);
		top = v > top ? v : top;
		free(names[i]);
	}
	free(names);
	jf->next_seq = top + 1;
	return 0;
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

/* The group must exist where the daemon runs: refused by --check-config
 * too, not only when the sink starts. */
static int json_file_check_options(const union st_value *opts, char *err, size_t errlen)
{
	gid_t gid;
	const char *name = opts[OPT_GROUP].s;
	if (parse_group(name, &gid) == 0)
		return 0;
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(err, errlen, "group: no such group (the name holds a control byte)");
			return -1;
		}
	snprintf(err, errlen, "group '%.64s': no such group", name);
	return -1;
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
	char err[160];
	if (json_file_check_options(opts, err, sizeof(err)) < 0 ||
	    parse_group(opts[OPT_GROUP].s, &jf->gid) < 0) {
		host->log(host, ST_LOG_ERR, "%s", err);
		free(jf->dir);
		free(jf);
		return -1;
	}
	jf->max_dumps = opts[OPT_MAX_DUMPS].i;
	jf->max_total_bytes = (long long)opts[OPT_MAX_TOTAL_MIB].i << 20;
	/* A directory we cannot create now may appear later (a mount): say
	 * so, and try again at each dump. */
	if (make_dir(jf) < 0) {
		host->log(host, ST_LOG_WARNING, "%s: %s; will retry at each dump",
			  jf->dir, strerror(errno));
	} else {
		remove_stray_temps(jf);
		read_next_seq(jf);
	}
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
static int publish(int dfd, const char *tmp, uint64_t seq, const char *id, char *name,
		   size_t namelen)
{
	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(name, namelen, PREFIX "%0*llu_%s" SUFFIX, SEQ_DIGITS,
				 (unsigned long long)seq, id);
		else
			snprintf(name, namelen, PREFIX "%0*llu_%s-%d" SUFFIX, SEQ_DIGITS,
				 (unsigned long long)seq, id, i);
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

/* Written first, first: by sequence, and names without one (older than
 * the sequence) by name, which was by time when they were written. */
static int by_write_order(const struct dirent **a, const struct dirent **b)
{
	uint64_t x = name_seq((*a)->d_name), y = name_seq((*b)->d_name);
	if (x != y)
		return (x > y) - (x < y);
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Oldest first (in the order written) until both limits hold. */
static void enforce_retention(struct json_file *jf, int dfd)
{
	struct dirent **names;
	int n = scandir(jf->dir, &names, is_dump, by_write_order);
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

/* Once per condition: a full disk must not fill the log too. then says
 * what the failure costs. */
static void report_then(struct json_file *jf, const char *what, int err, const char *then)
{
	if (err != jf->last_errno || what != jf->last_what)
		jf->host->log(jf->host, ST_LOG_ERR, "%s: %s: %s; %s",
			      jf->dir, what, strerror(err), then);
	jf->last_errno = err;
	jf->last_what = what;
}

static void report(struct json_file *jf, const char *what, int err)
{
	report_then(jf, what, err, "dumps are lost until this clears");
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
	/* The directory was missing at start (or removed since): its dumps,
	 * if any, say where the sequence stands. */
	if (!jf->next_seq && read_next_seq(jf) < 0) {
		report(jf, "cannot read the directory", errno);
		close(dfd);
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
	if (!what && publish(dfd, tmp, jf->next_seq, dump->id, name, sizeof(name)) < 0)
		what = "cannot rename the dump into place", err = errno;
	if (what) {
		unlinkat(dfd, tmp, 0);      /* never a partial file */
		report(jf, what, err);
		close(dfd);
		return -1;
	}
	jf->next_seq++;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", jf->dir, name);
	/* The rename itself must survive a crash. If it may not, the dump
	 * is still there to read (deleting it would lose it for sure), but
	 * this delivery failed: said, and counted by the core. */
	int rc = 0;
	if (fsync(dfd) < 0) {
		report_then(jf, "cannot flush the directory", errno,
			    "dumps written may not survive a crash until this clears");
		rc = -1;
	} else {
		if (jf->last_errno)
			jf->host->log(jf->host, ST_LOG_NOTICE, "%s: writing dumps again", jf->dir);
		jf->last_errno = 0;
		jf->last_what = NULL;
		jf->host->log(jf->host, ST_LOG_INFO, "wrote %s", path);
	}
	jf->host->dump_stored(jf->host, dump, path);
	enforce_retention(jf, dfd);
	close(dfd);
	return rc;
}

static const struct st_plugin json_file_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "json_file",
	.version = "1.0",
	.description = "write each dump atomically as a JSON file",
	.options = options,
	.create = json_file_create,
	.destroy = json_file_destroy,
	.emit = json_file_emit,
	.check_options = json_file_check_options,
	.flags = ST_PLUGIN_STORES,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &json_file_plugin;
}

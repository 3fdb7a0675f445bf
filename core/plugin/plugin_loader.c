#define _GNU_SOURCE
#include "plugin/plugin_loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "plugin/host.h"
#include "daemon/log.h"
#include "plugin/plugin_check.h"

#define MAX_OPTIONS ST_PLUGIN_MAX_OPTIONS

/* The smallest st_trigger and st_option a plugin may give: a trigger
 * through its summary (what the core cannot do without; the rest is zero
 * when absent), an option as ABI 2.0 has it. */
#define TRIGGER_SIZE_MIN offsetof(struct st_trigger, sample_seq)
#define OPTION_SIZE_2_0 (offsetof(struct st_option, choices) + sizeof(void *))

/*
 * As root, a plugin is code that runs as root: accept it only if nobody but
 * root could have written it, as sudo and sshd treat their files.
 */
static int check_trusted(const struct stat *st, const char *what, char *err, size_t errlen)
{
	if (geteuid() != 0)
		return 0;
	if (st->st_uid != 0) {
		snprintf(err, errlen, "%s is owned by uid %u, not root", what,
			 (unsigned)st->st_uid);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s is writable by %s", what,
			 (st->st_mode & S_IWOTH) ? "others" : "its group");
		return -1;
	}
	return 0;
}

static const char *kind_name(uint32_t kind)
{
	return kind == ST_PLUGIN_DETECTOR ? "detector" :
	       kind == ST_PLUGIN_SINK ? "sink" : "unknown";
}

/* The file is named after the plugin: "cpu_delta.so" holds "cpu_delta". */
static int name_matches_file(const char *name, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(name);
	return strncmp(base, name, n) == 0 && strcmp(base + n, ".so") == 0;
}

/* The version and the sizes, read from the plugin's own descriptor:
 * nothing else in it is known to be where the core expects before these
 * are checked. */
static int check_layout(const struct st_plugin *d, char *err, size_t errlen)
{
	/* abi_major and size sit where ABI 1 had abi_version and size. */
	if (d->abi_major != ST_ABI_MAJOR) {
		snprintf(err, errlen, "built for plugin ABI %u, this spiketrace has ABI %s",
			 d->abi_major, ST_ABI_VERSION_STRING);
		return -1;
	}
	if (d->size < ST_PLUGIN_SIZE_MIN) {
		snprintf(err, errlen, "descriptor is %u bytes, at least %zu expected",
			 d->size, (size_t)ST_PLUGIN_SIZE_MIN);
		return -1;
	}
	if (d->abi_minor > ST_ABI_MINOR) {
		snprintf(err, errlen, "built for plugin ABI %u.%u, newer than this "
			 "spiketrace's %s: upgrade spiketrace or rebuild the plugin",
			 d->abi_major, d->abi_minor, ST_ABI_VERSION_STRING);
		return -1;
	}
	/* An older minor's structs are smaller, a newer one's are refused
	 * above: a stride outside [2.0's size, ours] is no plugin's. */
	/* A stride is some compiler's sizeof: a multiple of the alignment,
	 * or the triggers past the first would be misaligned. */
	if (d->kind == ST_PLUGIN_DETECTOR &&
	    (d->trigger_size < TRIGGER_SIZE_MIN || d->trigger_size > sizeof(struct st_trigger) ||
	     d->trigger_size % _Alignof(struct st_trigger))) {
		snprintf(err, errlen, "trigger size %u: not a multiple of %zu in %zu..%zu",
			 d->trigger_size, _Alignof(struct st_trigger), (size_t)TRIGGER_SIZE_MIN,
			 sizeof(struct st_trigger));
		return -1;
	}
	if (d->options &&
	    (d->option_size < OPTION_SIZE_2_0 || d->option_size > sizeof(struct st_option))) {
		snprintf(err, errlen, "option size %u outside %zu..%zu", d->option_size,
			 (size_t)OPTION_SIZE_2_0, sizeof(struct st_option));
		return -1;
	}
	return 0;
}

/* The plugin's option table in the core's layout (the size rule: what an
 * older plugin's stride does not cover is zero). NULL for none; *bad when
 * it has no end within MAX_OPTIONS or no memory. */
static struct st_option *copy_options(const struct st_plugin *d, int *bad,
				      char *err, size_t errlen)
{
	*bad = 0;
	if (!d->options)
		return NULL;
	size_t n = 0;
	while (n <= MAX_OPTIONS &&
	       ST_ELEMENT(struct st_option, d->options, d->option_size, n)->type != ST_OPT_END)
		n++;
	if (n > MAX_OPTIONS) {
		snprintf(err, errlen, "more than %d options", MAX_OPTIONS);
		*bad = 1;
		return NULL;
	}
	struct st_option *o = calloc(n + 1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		*bad = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(&o[i], ST_ELEMENT(struct st_option, d->options, d->option_size, i),
		       d->option_size);
	return o;
}

static int check_descriptor(const struct st_plugin *d, const char *path,
			    char *err, size_t errlen)
{
	if (st_plugin_check(d, err, errlen) < 0)
		return -1;
	if (!name_matches_file(d->name, path)) {
		snprintf(err, errlen, "plugin name '%s' does not match the file name",
			 d->name ? d->name : "(none)");
		return -1;
	}
	if (d->kind == ST_PLUGIN_DETECTOR && !d->evaluate) {
		snprintf(err, errlen, "detector without an evaluate function");
		return -1;
	}
	if (d->kind == ST_PLUGIN_SINK && !d->emit) {
		snprintf(err, errlen, "sink without an emit function");
		return -1;
	}
	return 0;
}

/*
 * Loads the plugin open on fd (path names it in messages). Checks the very
 * file it then loads: the fd is fstat'ed and dlopen'ed through
 * /proc/self/fd, so it cannot be swapped between the check and the load.
 * Takes fd: kept in out on success, closed on failure.
 */
static int load_fd(int fd, const char *path, struct st_loaded_plugin *out,
		   char *err, size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return -1;
	}
	if (check_trusted(&st, "the file", err, errlen) < 0) {
		close(fd);
		return -1;
	}
	char fdpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	void *h = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		/* The fd path in the message would mean nothing to anyone. */
		const char *why = dlerror();
		const char *p = why ? strstr(why, fdpath) : NULL;
		snprintf(err, errlen, "cannot load: %s",
			 p ? p + strlen(fdpath) + (p[strlen(fdpath)] == ':' ? 2 : 0) :
			 why ? why : "unknown dlopen error");
		close(fd);
		return -1;
	}
	dlerror();
	st_plugin_entry_fn entry = (st_plugin_entry_fn)dlsym(h, ST_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		snprintf(err, errlen, "no symbol %s: not a spiketrace plugin",
			 ST_PLUGIN_ENTRY_SYMBOL);
		goto refuse;
	}
	const struct st_plugin *d = entry();
	if (!d) {
		snprintf(err, errlen, "%s returned no descriptor", ST_PLUGIN_ENTRY_SYMBOL);
		goto refuse;
	}
	if (check_layout(d, err, errlen) < 0)
		goto refuse;
	/* The size rule (plugin.h): what the plugin's size does not cover is
	 * zero in the copy the core reads, whatever follows in its memory. */
	struct st_plugin *copy = calloc(1, sizeof(*copy));
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		goto refuse;
	}
	memcpy(copy, d, d->size < sizeof(*copy) ? d->size : sizeof(*copy));
	int bad;
	copy->options = copy_options(d, &bad, err, errlen);
	copy->option_size = sizeof(struct st_option);
	int refused = bad || check_descriptor(copy, path, err, errlen) < 0;
	if (!refused && !(out->path = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		refused = 1;
	}
	if (refused) {
		free((void *)copy->options);
		free(copy);
		goto refuse;
	}
	out->handle = h;
	out->fd = fd;
	out->desc = copy;
	return 0;
refuse:
	dlclose(h);
	close(fd);
	return -1;
}

int st_plugin_load_file(const char *path, struct st_loaded_plugin *out,
			char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return load_fd(fd, path, out, err, errlen);
}

static int is_plugin_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	return n > 3 && de->d_name[0] != '.' && strcmp(de->d_name + n - 3, ".so") == 0;
}

/* Opens the plugin directory and checks it; the fd, or -1 (said). The
 * files are then opened relative to this fd, so the directory checked is
 * the directory read, whatever happens to its path meanwhile. */
static int open_dir(const char *dir)
{
	char err[512];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		st_err("plugin directory %s: %s", dir,
		       errno == ENOTDIR ? "not a directory" : strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(dfd, &st) < 0) {
		st_err("plugin directory %s: %s", dir, strerror(errno));
		close(dfd);
		return -1;
	}
	if (check_trusted(&st, "the directory", err, sizeof(err)) < 0) {
		st_err("plugin directory %s refused: %s", dir, err);
		close(dfd);
		return -1;
	}
	return dfd;
}

int st_plugins_load_dir(const char *dir, struct st_plugin_set *set)
{
	struct dirent **names;
	int dfd = open_dir(dir);
	if (dfd < 0)
		return -1;
	int n = scandirat(dfd, ".", &names, is_plugin_file, alphasort);
	if (n < 0) {
		st_err("plugin directory %s: %s", dir, strerror(errno));
		close(dfd);
		return -1;
	}
	int loaded = 0;
	for (int i = 0; i < n; i++) {
		char *path = NULL;
		char err[512];
		struct st_loaded_plugin p;
		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0)
			path = NULL;
		int fd = path ? openat(dfd, names[i]->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
		free(names[i]);
		if (!path)
			continue;
		memset(&p, 0, sizeof(p));
		if (fd < 0)
			snprintf(err, sizeof(err), "%s", strerror(errno));
		if (fd < 0 || load_fd(fd, path, &p, err, sizeof(err)) < 0) {
			st_err("plugin %s refused: %s", path, err);
			free(path);
			continue;
		}
		free(path);
		struct st_loaded_plugin *items =
			realloc(set->items, sizeof(*items) * (set->n + 1));
		if (!items) {
			st_err("plugin %s: out of memory", p.path);
			dlclose(p.handle);
			close(p.fd);
			free(p.path);
			free((void *)p.desc->options);
			free((void *)p.desc);
			continue;
		}
		set->items = items;
		set->items[set->n++] = p;
		st_debug("plugin %s: %s %s %s", p.path, kind_name(p.desc->kind),
			 p.desc->name, p.desc->version ? p.desc->version : "");
		loaded++;
	}
	free(names);
	close(dfd);
	return loaded;
}

const struct st_plugin **st_plugins_descriptors(const struct st_plugin_set *set)
{
	const struct st_plugin **d = calloc(set->n + 1, sizeof(*d));
	for (size_t i = 0; d && i < set->n; i++)
		d[i] = set->items[i].desc;
	return d;
}

/* One plugin's instance for one configuration. */
struct instance {
	void *state;
	int   running;
};

static void destroy_instances(const struct st_plugin_set *set, struct instance *in)
{
	for (size_t i = 0; i < set->n; i++)
		if (in[i].running && set->items[i].desc->destroy)
			set->items[i].desc->destroy(in[i].state);
}

/* Creates the instances cfg enables into in[], leaving the running ones
 * alone. all: any failing create fails the lot (those made are destroyed)
 * and returns -1; otherwise that plugin stays off. Returns how many run. */
static int create_instances(struct st_plugin_set *set, const struct st_config *cfg,
			    const char *proc_root, uint32_t ncores, int all,
			    struct instance *in)
{
	int running = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct st_loaded_plugin *p = &set->items[i];
		const struct st_plugin_config *pc = &cfg->plugins[i];
		in[i] = (struct instance){ NULL, 0 };
		if (!pc->enabled)
			continue;
		/* Shared with a running instance, if any: the same name and
		 * proc root, only ncores may have changed. */
		st_host_init(&p->host, p->desc->name, proc_root, ncores);
		if (p->desc->create &&
		    p->desc->create(&p->host, pc->values, &in[i].state) != 0) {
			if (all) {
				st_err("plugin %s: create failed", p->desc->name);
				destroy_instances(set, in);
				return -1;
			}
			st_err("plugin %s: create failed; it stays off", p->desc->name);
			continue;
		}
		in[i].running = 1;
		running++;
	}
	return running;
}

static void install(struct st_plugin_set *set, const struct st_config *cfg,
		    const struct instance *in)
{
	for (size_t i = 0; i < set->n; i++) {
		struct st_loaded_plugin *p = &set->items[i];
		p->state = in[i].state;
		p->running = in[i].running;
		p->cooldown_s = cfg->plugins[i].cooldown_s;
		p->failures = 0;
		p->failing = 0;
		p->said = 0;
	}
}

size_t st_plugins_start(struct st_plugin_set *set, const struct st_config *cfg,
			const char *proc_root, uint32_t ncores)
{
	struct instance *in = calloc(set->n + 1, sizeof(*in));
	if (!in) {
		st_err("out of memory: no plugin runs");
		return 0;
	}
	int running = create_instances(set, cfg, proc_root, ncores, 0, in);
	install(set, cfg, in);
	free(in);
	return (size_t)running;
}

int st_plugins_replace(struct st_plugin_set *set, const struct st_config *cfg,
		       const char *proc_root, uint32_t ncores)
{
	struct instance *in = calloc(set->n + 1, sizeof(*in));
	if (!in) {
		st_err("out of memory");
		return -1;
	}
	if (create_instances(set, cfg, proc_root, ncores, 1, in) < 0) {
		free(in);
		return -1;
	}
	st_plugins_stop(set);
	install(set, cfg, in);
	free(in);
	return 0;
}

void st_plugins_stop(struct st_plugin_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct st_loaded_plugin *p = &set->items[i];
		if (p->running && p->desc->destroy)
			p->desc->destroy(p->state);
		p->running = 0;
		p->state = NULL;
	}
}

void st_plugins_unload(struct st_plugin_set *set)
{
	st_plugins_stop(set);
	for (size_t i = 0; i < set->n; i++) {
		dlclose(set->items[i].handle);
		close(set->items[i].fd);
		free(set->items[i].path);
		free((void *)set->items[i].desc->options);
		free((void *)set->items[i].desc);
	}
	free(set->items);
	set->items = NULL;
	set->n = 0;
}

static void print_value(FILE *out, uint32_t type, union st_value v)
{
	switch (type) {
	case ST_OPT_BOOL:   fputs(v.b ? "true" : "false", out); break;
	case ST_OPT_INT:    fprintf(out, "%" PRId64, v.i); break;
	case ST_OPT_FLOAT:  fprintf(out, "%g", v.f); break;
	case ST_OPT_STRING: fprintf(out, "\"%s\"", v.s ? v.s : ""); break;
	default:            break;
	}
}

static const char *const type_names[] = {
	[ST_OPT_BOOL] = "bool", [ST_OPT_INT] = "int",
	[ST_OPT_FLOAT] = "float", [ST_OPT_STRING] = "string",
};

static void print_option(FILE *out, const char *name, const char *type,
			 const char *def, const char *range, const char *help)
{
	fprintf(out, "  %-16s %-7s default %s%s%s\n      %s\n", name, type, def,
		*range ? "  range " : "", range, help);
}

void st_plugins_print(const struct st_plugin_set *set, FILE *out)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct st_plugin *d = set->items[i].desc;
		fprintf(out, "%s %s %s\n  %s\n  file: %s\n", kind_name(d->kind), d->name,
			d->version ? d->version : "", d->description ? d->description : "",
			set->items[i].path);
		if (d->kind == ST_PLUGIN_DETECTOR) {
			print_option(out, "enabled", "bool", "true", "",
				     "false turns this detector off");
			print_option(out, "cooldown", "float", "5", "0..86400",
				     "seconds before the same trigger fires again");
		} else {
			print_option(out, "enabled", "bool", "true", "",
				     "a sink runs only when its section exists");
		}
		for (const struct st_option *o = d->options; o && o->type != ST_OPT_END; o++) {
			char def[128] = "", range[256] = "";
			FILE *m = fmemopen(def, sizeof(def), "w");
			if (m) {
				print_value(m, o->type, o->def);
				fclose(m);
			}
			if (o->type == ST_OPT_INT && o->min <= o->max)
				snprintf(range, sizeof(range), "%.0f..%.0f", o->min, o->max);
			else if (o->type == ST_OPT_FLOAT && o->min <= o->max)
				snprintf(range, sizeof(range), "%g..%g", o->min, o->max);
			for (const char *const *c = o->choices; c && *c; c++) {
				size_t len = strlen(range);
				snprintf(range + len, sizeof(range) - len, "%s%s", len ? "|" : "", *c);
			}
			print_option(out, o->name, type_names[o->type], def, range,
				     o->help ? o->help : "");
		}
		fputc('\n', out);
	}
}

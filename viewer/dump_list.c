/*
 * spiketrace-view --list DIR: one line per dump, newest first, then the
 * processes that trigger most. The point is to answer "what keeps waking
 * my fan?" across days of dumps without opening each one.
 *
 * Dumps are ordered by the time inside them, not by file name or mtime: a
 * copied or restored directory keeps its order. Processes are counted by
 * name, not pid: the same program gets a new pid every time it runs.
 *
 * A central store (rsyslog writing DIR/HOST/spike_*.json from the syslog
 * sink's payload = "dump") is listed host by host, by the host the dumps
 * name: a fleet's question is "which machine, and which process there".
 */
#define _GNU_SOURCE
#include "dump_list.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dump/dump.h"
#include "dump/dump_json.h"
#include "render/render_text.h"

#define PREFIX "spike_"
#define SUFFIX ".json"
#define TYPE_COLUMNS 16
#define PROC_COLUMNS 24
#define RANKED_MAX 10           /* processes in the summary */
#define TYPES_SHOWN_MAX 4       /* trigger types named per process */

/* The json_file sink's names; its temp files start with a dot. */
static int is_dump_name(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > strlen(PREFIX) + strlen(SUFFIX) &&
	       strncmp(de->d_name, PREFIX, strlen(PREFIX)) == 0 &&
	       strcmp(de->d_name + n - strlen(SUFFIX), SUFFIX) == 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct view_listed *x = a, *y = b;

	if (!x->error != !y->error)
		return x->error ? 1 : -1;
	if (x->wall_ns != y->wall_ns)
		return x->wall_ns > y->wall_ns ? -1 : 1;
	return strcmp(y->name, x->name);
}

void view_listing_sort(struct view_listing *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), newest_first);
}

/* By host, then newest first: a central tree's groups. */
static int by_host(const void *a, const void *b)
{
	const struct view_listed *x = a, *y = b;
	int c = strcmp(x->hostname ? x->hostname : "", y->hostname ? y->hostname : "");
	return c ? c : newest_first(a, b);
}

static void listed_free(struct view_listed *e)
{
	free(e->name);
	free(e->error);
	free(e->hostname);
	free(e->triggers);
}

void view_listing_remove(struct view_listing *l, size_t i)
{
	if (i >= l->n)
		return;
	listed_free(&l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

void view_listing_free(struct view_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		listed_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Adds what the list shows of one dump, or why it could not be read.
 * -1 only when out of memory for even that. */
static int add_dump(struct view_listing *l, const char *dir, const char *name)
{
	struct view_listed *e = &l->v[l->n];
	char err[256] = "", *path;
	struct st_dump *dump = NULL;
	const char *why = NULL;

	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return -1;
	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		why = "out of memory";
	} else {
		dump = st_dump_read_file(path, err, sizeof(err));
		free(path);
		if (!dump)
			why = *err ? err : "cannot read the dump";
	}
	if (dump && dump->ntriggers &&
	    !(e->triggers = calloc(dump->ntriggers, sizeof(*e->triggers))))
		why = "out of memory";
	if (dump && !why) {
		for (uint32_t i = 0; i < dump->ntriggers; i++)
			e->triggers[i] = dump->triggers[i].trigger;
		e->wall_ns = dump->wall_ns;
		e->lasted_ns = st_dump_lasted_ns(dump);
		e->ntriggers = dump->ntriggers;
		if (!(e->hostname = strdup(dump->host.hostname)))
			why = "out of memory";
	}
	st_dump_free(dump);
	if (why && !(e->error = strdup(why))) {
		listed_free(e);
		return -1;
	}
	l->n++;
	return 0;
}

/* Appends the dumps of top/sub (sub NULL: of top) to l, named sub/NAME.
 * Returns 0, -1 after a one-line report, or -2 after one when the
 * directory cannot be read (l unchanged). */
static int append_dumps(struct view_listing *l, const char *top, const char *sub)
{
	struct dirent **names = NULL;
	char *dir = NULL;
	int n, rc = 0;

	if (sub ? asprintf(&dir, "%s/%s", top, sub) < 0 : !(dir = strdup(top))) {
		view_report(top, "out of memory");
		return -1;
	}
	n = scandir(dir, &names, is_dump_name, alphasort);
	if (n < 0) {
		view_report(dir, strerror(errno));
		free(dir);
		return -2;
	}
	struct view_listed *v = realloc(l->v, (l->n + (size_t)n + 1) * sizeof(*l->v));
	if (!v) {
		view_report(dir, "out of memory");
		rc = -1;
	} else {
		l->v = v;
	}
	for (int i = 0; i < n; i++) {
		char *name = NULL;
		if (sub && asprintf(&name, "%s/%s", sub, names[i]->d_name) < 0)
			name = NULL;
		else if (!sub)
			name = strdup(names[i]->d_name);
		if (rc == 0 && (!name || add_dump(l, top, name) < 0)) {
			view_report(names[i]->d_name, "out of memory");
			rc = -1;
		}
		free(name);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

int view_listing_read(struct view_listing *l, const char *dir)
{
	memset(l, 0, sizeof(*l));
	if (append_dumps(l, dir, NULL) != 0) {
		view_listing_free(l);
		return -1;
	}
	return 0;
}

/* A host's directory: not hidden, a directory (through a symlink too). */
static int is_host_dir(const struct dirent *de)
{
	return de->d_name[0] != '.' && (de->d_type == DT_DIR || de->d_type == DT_LNK ||
					de->d_type == DT_UNKNOWN);
}

int view_listing_read_tree(struct view_listing *l, const char *dir)
{
	struct dirent **subs = NULL;
	int n, rc = 0;

	memset(l, 0, sizeof(*l));
	n = scandir(dir, &subs, is_host_dir, alphasort);
	if (n < 0) {
		view_report(dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path = NULL;
		struct stat st;
		/* DT_LNK, DT_UNKNOWN: only a directory is a host's. One that
		 * cannot be read is said, and the other hosts listed. */
		if (rc >= 0 && asprintf(&path, "%s/%s", dir, subs[i]->d_name) >= 0 &&
		    stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			int r = append_dumps(l, dir, subs[i]->d_name);
			rc = r == -1 ? -1 : r == -2 ? 1 : rc;
		}
		free(path);
		free(subs[i]);
	}
	free(subs);
	if (rc < 0)
		view_listing_free(l);
	return rc;
}

/* A culprit by name: a process, or an exited group. */
static bool named(const struct st_trigger *t)
{
	return t->pid > 0 || t->exited_count > 0;
}

/* "[pid] comm", "comm xN" for an exited group, or "(system-wide)"; raw
 * bytes, escaped when shown. */
static void proc_label(char *buf, size_t len, const struct st_trigger *t)
{
	if (t->pid > 0)
		snprintf(buf, len, "[%" PRId32 "] %.*s", t->pid, ST_COMM_MAX, t->comm);
	else if (t->exited_count)
		snprintf(buf, len, "%.*s x%" PRIu32, ST_COMM_MAX, t->comm, t->exited_count);
	else
		snprintf(buf, len, "(system-wide)");
}

void view_listed_fields(const struct view_listed *e, int ascii, char *type, size_t typelen,
			char *proc, size_t proclen, char *value, size_t valuelen)
{
	const struct st_trigger *t = e->ntriggers ? &e->triggers[0] : NULL;

	/* The first trigger opened the incident; "+N" says how many joined. */
	if (t && e->ntriggers > 1)
		snprintf(type, typelen, "%.*s +%" PRIu32, ST_TRIGGER_TYPE_MAX, t->type,
			 e->ntriggers - 1);
	else
		snprintf(type, typelen, "%.*s", ST_TRIGGER_TYPE_MAX, t ? t->type : "(none)");
	if (t)
		proc_label(proc, proclen, t);
	else
		snprintf(proc, proclen, "-");
	if (t)
		st_format_trigger_value(value, valuelen, t, ascii);
	else
		snprintf(value, valuelen, "-");
}

static void print_row(FILE *out, const struct view_listed *e, const struct view_style *st)
{
	char when[64], type[ST_TRIGGER_TYPE_MAX + 16], proc[ST_COMM_MAX + 32], value[64];
	char lasted[32] = "-";
	char name[4 * 256 + 1];

	view_listed_fields(e, st->ascii, type, sizeof(type), proc, sizeof(proc), value,
			   sizeof(value));
	fprintf(out, "%s  ", st_format_wall_time(when, sizeof(when), e->wall_ns));
	st_render_cell(out, type, TYPE_COLUMNS, st->ascii);
	fputs("  ", out);
	st_render_cell(out, proc, PROC_COLUMNS, st->ascii);
	st_escape_into(e->name, name, sizeof(name), st->ascii, SIZE_MAX, NULL);
	/* An episode's incident lasts; a moment's says "-". */
	if (e->lasted_ns > 0)
		snprintf(lasted, sizeof(lasted), "%.1fs", (double)e->lasted_ns / 1e9);
	fprintf(out, "  %10s  %7s  %s\n", value, lasted, name);
}

/* ------------------------------------------------------------ summary */

static bool same_culprit(const struct st_trigger *a, const struct st_trigger *b)
{
	if (named(a) != named(b))
		return false;
	return !named(a) || strncmp(a->comm, b->comm, ST_COMM_MAX) == 0;
}

static int most_first(const void *a, const void *b)
{
	const struct view_culprit *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strncmp(x->first->comm, y->first->comm, ST_COMM_MAX);
}

/* "cpu_delta x2, mem_drop x1": the types one culprit's triggers had. */
static void type_counts(FILE *out, const struct view_listing *l, const struct st_trigger *who,
			const struct view_style *st)
{
	const struct st_trigger *seen[TYPES_SHOWN_MAX];
	unsigned nseen = 0, more = 0;

	for (size_t i = 0; i < l->n; i++) {
		for (uint32_t k = 0; k < l->v[i].ntriggers; k++) {
			const struct st_trigger *t = &l->v[i].triggers[k];
			unsigned j;
			if (!same_culprit(t, who))
				continue;
			for (j = 0; j < nseen; j++)
				if (strncmp(seen[j]->type, t->type, ST_TRIGGER_TYPE_MAX) == 0)
					break;
			if (j < nseen)
				continue;
			if (nseen < TYPES_SHOWN_MAX)
				seen[nseen++] = t;
			else
				more++;
		}
	}
	for (unsigned j = 0; j < nseen; j++) {
		char raw[ST_TRIGGER_TYPE_MAX + 1], type[4 * ST_TRIGGER_TYPE_MAX + 1];
		unsigned n = 0;
		for (size_t i = 0; i < l->n; i++)
			for (uint32_t k = 0; k < l->v[i].ntriggers; k++)
				n += same_culprit(&l->v[i].triggers[k], who) &&
				     strncmp(l->v[i].triggers[k].type, seen[j]->type,
					     ST_TRIGGER_TYPE_MAX) == 0;
		snprintf(raw, sizeof(raw), "%.*s", ST_TRIGGER_TYPE_MAX, seen[j]->type);
		st_escape_into(raw, type, sizeof(type), st->ascii, SIZE_MAX, NULL);
		fprintf(out, "%s%s x%u", j ? ", " : "", type, n);
	}
	if (more)
		fprintf(out, ", %u other type%s", more, more == 1 ? "" : "s");
}

size_t view_listing_culprits(const struct view_listing *l, struct view_culprit **out,
			     size_t *total)
{
	size_t n = 0;
	*out = NULL;
	*total = 0;
	for (size_t i = 0; i < l->n; i++)
		*total += l->v[i].ntriggers;
	if (*total == 0)
		return 0;
	struct view_culprit *c = calloc(*total, sizeof(*c));
	if (!c) {
		view_report("summary", "out of memory");
		*total = 0;
		return 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		for (uint32_t k = 0; k < l->v[i].ntriggers; k++) {
			const struct st_trigger *t = &l->v[i].triggers[k];
			size_t j;
			for (j = 0; j < n && !same_culprit(c[j].first, t); j++)
				;
			if (j == n)
				c[n++].first = t;
			c[j].count++;
		}
	}
	qsort(c, n, sizeof(*c), most_first);
	*out = c;
	return n;
}

void view_culprit_name(const struct view_culprit *c, char *buf, size_t len)
{
	if (named(c->first))
		snprintf(buf, len, "%.*s", ST_COMM_MAX, c->first->comm);
	else
		snprintf(buf, len, "(system-wide)");
}

static void print_summary(FILE *out, const struct view_listing *l, const struct view_style *st)
{
	struct view_culprit *c;
	size_t total, n = view_listing_culprits(l, &c, &total);
	if (!c)
		return;

	fputc('\n', out);
	if (st->color)
		fputs("\x1b[1m", out);
	fprintf(out, "most triggers (%zu in all):", total);
	if (st->color)
		fputs("\x1b[0m", out);
	fputc('\n', out);
	for (size_t j = 0; j < n && j < RANKED_MAX; j++) {
		char who[ST_COMM_MAX + 1];
		view_culprit_name(&c[j], who, sizeof(who));
		fprintf(out, "%5u  ", c[j].count);
		st_render_cell(out, who, 16, st->ascii);
		fputs("  ", out);
		type_counts(out, l, c[j].first, st);
		fputc('\n', out);
	}
	if (n > RANKED_MAX)
		fprintf(out, "  (%zu more)\n", n - RANKED_MAX);
	free(c);
}

/* The table and the summary of l (sorted). */
static void print_listing(FILE *out, const struct view_listing *l, const struct view_style *st)
{
	if (st->color)
		fputs("\x1b[1m", out);
	fprintf(out, "%-27s  %-*s  %-*s  %10s  %7s  %s", "time", TYPE_COLUMNS, "type",
		PROC_COLUMNS, "process", "value", "lasted", "file");
	if (st->color)
		fputs("\x1b[0m", out);
	fputc('\n', out);
	for (size_t i = 0; i < l->n; i++)
		print_row(out, &l->v[i], st);
	print_summary(out, l, st);
}

/* Host by host: each group of l (sorted by host) with its heading. */
static void print_hosts(FILE *out, const struct view_listing *l, const struct view_style *st)
{
	for (size_t i = 0, end; i < l->n; i = end) {
		char shown[4 * sizeof(((struct st_dump_host *)0)->hostname) + 1];
		for (end = i + 1; end < l->n && !strcmp(l->v[end].hostname, l->v[i].hostname); end++)
			;
		struct view_listing group = { .v = l->v + i, .n = end - i };
		st_escape_into(l->v[i].hostname, shown, sizeof(shown), st->ascii, SIZE_MAX, NULL);
		fprintf(out, "\n%shost %s%s: %zu dump%s\n", st->color ? "\x1b[1m" : "",
			shown[0] ? shown : "(unnamed)", st->color ? "\x1b[0m" : "", group.n,
			group.n == 1 ? "" : "s");
		print_listing(out, &group, st);
	}
}

int view_list_dumps(FILE *out, const char *dir, const struct view_style *st)
{
	struct view_listing l;
	char shown[4 * 1024 + 1];
	int rc = 0, tree = 0;

	if (view_listing_read(&l, dir) < 0)
		return -1;
	/* No dumps here: a central tree of per-host directories? */
	if (l.n == 0) {
		view_listing_free(&l);
		int r = view_listing_read_tree(&l, dir);
		if (r < 0)
			return -1;
		if (r > 0)
			rc = -1;
		tree = l.n > 0;
	}
	/* A file that cannot be read is said and left out, in name order. */
	for (size_t i = 0; i < l.n;) {
		char *path = NULL;
		if (!l.v[i].error) {
			i++;
			continue;
		}
		if (asprintf(&path, "%s/%s", dir, l.v[i].name) < 0)
			path = NULL;
		view_report(path ? path : l.v[i].name, l.v[i].error);
		free(path);
		view_listing_remove(&l, i);
		rc = -1;
	}
	if (tree && l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_host);
	else
		view_listing_sort(&l);

	st_escape_into(dir, shown, sizeof(shown), st->ascii, SIZE_MAX, NULL);
	if (l.n == 0) {
		fprintf(out, "%s: no dumps\n", shown);
		goto out;
	}
	if (tree) {
		size_t hosts = 0;
		for (size_t i = 0; i < l.n; i++)
			hosts += i == 0 || strcmp(l.v[i].hostname, l.v[i - 1].hostname) != 0;
		fprintf(out, "%s: %zu dump%s from %zu host%s, by host, newest first\n", shown,
			l.n, l.n == 1 ? "" : "s", hosts, hosts == 1 ? "" : "s");
		print_hosts(out, &l, st);
		goto out;
	}
	fprintf(out, "%s: %zu dump%s, newest first\n", shown, l.n, l.n == 1 ? "" : "s");
	print_listing(out, &l, st);
out:
	view_listing_free(&l);
	return rc;
}

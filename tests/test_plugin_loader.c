/*
 * Tests for core/plugin/plugin_loader.c on the test plugins (tests/plugins/,
 * built into ST_TEST_PLUGIN_DIR) and the real ones (ST_BUILD_PLUGIN_DIR).
 * The ownership and permission checks apply only to root; they are tested
 * on copies in temp dirs when the suite runs as root.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "config/config.h"
#include "plugin/plugin_check.h"
#include "plugin/plugin_loader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ST_TEST_PLUGIN_DIR
#error "the build defines ST_TEST_PLUGIN_DIR: the directory holding good_detector.so"
#endif

#define TEST_PLUGIN(name) ST_TEST_PLUGIN_DIR "/" name ".so"

/* ----------------------------------------------------------- helpers */

static char *path_in(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

/* Byte copy (plugins hold NULs, so not st_test_write_file). */
static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (in < 0 || out < 0) {
		perror(in < 0 ? from : to);
		abort();
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			abort();
	if (n < 0 || fchmod(out, mode) < 0 || close(out) < 0)
		abort();
	close(in);
}

/* Hand one loaded plugin to st_plugins_unload, the only way to free it. */
static void unload_one(struct st_loaded_plugin *p)
{
	struct st_plugin_set set = { 1, malloc(sizeof(*p)) };

	if (!set.items)
		abort();
	set.items[0] = *p;
	st_plugins_unload(&set);
	memset(p, 0, sizeof(*p));
}

/* Load path expecting a refusal whose reason holds want. */
static void expect_refused(const char *path, const char *want)
{
	struct st_loaded_plugin p;
	char err[512] = "";

	CU_ASSERT_EQUAL(st_plugin_load_file(path, &p, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(p.handle);
	CU_ASSERT_PTR_NULL(p.desc);
	CU_ASSERT_PTR_NULL(p.path);
	CU_ASSERT(err[0] != '\0');
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (!strstr(err, want)) {
		fprintf(stderr, "\n    %s: reason \"%s\" lacks \"%s\"", path, err, want);
		CU_FAIL("refusal reason");
	}
	/* the reason never names the descriptor path we opened it by */
	CU_ASSERT_PTR_NULL(strstr(err, "/proc/self/fd"));
}

static const struct st_loaded_plugin *find_loaded(const struct st_plugin_set *set,
						  const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->items[i].desc->name, name))
			return &set->items[i];
	return NULL;
}

/* A config as pass 2 would build it: every plugin enabled, every option
 * at its default. */
static void config_defaults(struct st_config *cfg, const struct st_plugin_set *set)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nplugins = set->n;
	cfg->plugins = calloc(set->n ? set->n : 1, sizeof(*cfg->plugins));
	if (!cfg->plugins)
		abort();
	for (size_t i = 0; i < set->n; i++) {
		const struct st_option *o = set->items[i].desc->options;
		struct st_plugin_config *pc = &cfg->plugins[i];
		size_t n = 0;

		while (o && o[n].type != ST_OPT_END)
			n++;
		pc->configured = 1;
		pc->enabled = 1;
		pc->cooldown_s = 5;
		pc->nvalues = n;
		pc->values = n ? calloc(n, sizeof(*pc->values)) : NULL;
		for (size_t j = 0; j < n; j++)
			pc->values[j] = o[j].def;
	}
}

static void config_free(struct st_config *cfg)
{
	for (size_t i = 0; i < cfg->nplugins; i++)
		free(cfg->plugins[i].values);
	free(cfg->plugins);
}

/* ------------------------------------------------------- single files */

static void test_load_good(void)
{
	struct st_loaded_plugin p;
	char err[512] = "";

	CU_ASSERT_EQUAL_FATAL(st_plugin_load_file(TEST_PLUGIN("good_detector"), &p,
						  err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(p.handle);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.desc);
	CU_ASSERT_STRING_EQUAL(p.desc->name, "good_detector");
	CU_ASSERT_EQUAL(p.desc->kind, ST_PLUGIN_DETECTOR);
	CU_ASSERT_EQUAL(p.desc->abi_major, ST_ABI_MAJOR);
	CU_ASSERT_EQUAL(p.desc->abi_minor, ST_ABI_MINOR);
	CU_ASSERT_PTR_NOT_NULL(p.desc->evaluate);
	CU_ASSERT_STRING_EQUAL(p.path, TEST_PLUGIN("good_detector"));
	CU_ASSERT_EQUAL(p.running, 0);
	unload_one(&p);
}

/* An ABI 1 plugin: its version is where ABI 1 put it, and said. */
static void test_refuse_bad_abi(void)
{
	expect_refused(TEST_PLUGIN("bad_abi"),
		       "built for plugin ABI 1, this spiketrace has ABI " ST_ABI_VERSION_STRING);
}

/* A plugin of a later minor may use members this core lacks. */
static void test_refuse_newer_minor(void)
{
	char want[128];
	snprintf(want, sizeof(want), "built for plugin ABI %d.%d, newer than this "
		 "spiketrace's %s", ST_ABI_MAJOR, ST_ABI_MINOR + 1, ST_ABI_VERSION_STRING);
	expect_refused(TEST_PLUGIN("newer_minor"), want);
}

static void test_refuse_no_entry(void)
{
	expect_refused(TEST_PLUGIN("no_entry"), "spiketrace_plugin_entry");
}

static void test_refuse_nonexistent(void)
{
	expect_refused(ST_TEST_PLUGIN_DIR "/nonexistent.so", "No such file");
}

static void test_refuse_renamed(void)
{
	char *dir = st_test_mkdtemp();
	char *other = path_in(dir, "other.so");

	copy_file(TEST_PLUGIN("good_detector"), other, 0644);
	expect_refused(other, "does not match");
	expect_refused(other, "good_detector");
	free(other);
	st_test_rmtree(dir);
	free(dir);
}

static void test_refuse_not_a_library(void)
{
	char *dir = st_test_mkdtemp();
	char *x = path_in(dir, "x.so");
	char *d = path_in(dir, "d.so");

	st_test_write_file(dir, "x.so", "this is not an ELF file\n");
	expect_refused(x, "cannot load");
	CU_ASSERT_EQUAL(mkdir(d, 0755), 0);
	expect_refused(d, "not a regular file");
	free(x);
	free(d);
	st_test_rmtree(dir);
	free(dir);
}

/* The file opened and checked is the file loaded, so a symlink (which
 * could be swapped between the two) is not followed. */
static void test_refuse_symlink(void)
{
	char *dir = st_test_mkdtemp();
	char *link = path_in(dir, "good_detector.so");
	char target[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(TEST_PLUGIN("good_detector"), target));
	CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
	expect_refused(link, "");
	free(link);
	st_test_rmtree(dir);
	free(dir);
}

/*
 * Two plugins loaded one after the other must each be themselves. The
 * loader dlopens "/proc/self/fd/N", and glibc's dlopen returns an already
 * loaded object whose name matches: were N closed after a load, the next
 * plugin would be opened under the same N and get the first one back.
 */
static void test_two_loads_stay_distinct(void)
{
	struct st_loaded_plugin a, b;
	char err[512] = "";

	CU_ASSERT_EQUAL_FATAL(st_plugin_load_file(TEST_PLUGIN("create_fails"), &a,
						  err, sizeof(err)), 0);
	int rc = st_plugin_load_file(TEST_PLUGIN("good_detector"), &b, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n    second load refused: %s", err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc == 0) {
		CU_ASSERT_STRING_EQUAL(b.desc->name, "good_detector");
		CU_ASSERT_PTR_NOT_EQUAL(b.handle, a.handle);
		unload_one(&b);
	}
	CU_ASSERT_STRING_EQUAL(a.desc->name, "create_fails");
	unload_one(&a);
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;   /* the one opendir holds */
}

/* A refusal leaves no descriptor open; a loaded plugin holds one, which
 * unloading closes. */
static void test_no_fd_leak(void)
{
	struct st_plugin_set set = { 0, NULL };
	int before = count_open_fds();

	expect_refused(TEST_PLUGIN("bad_abi"), "ABI");
	expect_refused(TEST_PLUGIN("no_entry"), "spiketrace_plugin_entry");
	expect_refused(ST_TEST_PLUGIN_DIR "/nonexistent.so", "No such file");
	expect_refused(ST_TEST_PLUGIN_DIR, "not a regular file");
	CU_ASSERT_EQUAL(count_open_fds(), before);

	CU_ASSERT_EQUAL(st_plugins_load_dir(ST_TEST_PLUGIN_DIR, &set), 2);
	CU_ASSERT_EQUAL(count_open_fds(), before + 2);
	st_plugins_unload(&set);
	CU_ASSERT_EQUAL(count_open_fds(), before);
}

#ifdef ST_BUILD_PLUGIN_DIR
/* The shipped plugins pass every check the loader makes. */
static void test_real_plugins_load(void)
{
	static const struct { const char *name; enum st_plugin_kind kind; } real[] = {
		{ "cpu_delta", ST_PLUGIN_DETECTOR },
		{ "json_file", ST_PLUGIN_SINK },
	};

	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		struct st_loaded_plugin p;
		char err[512] = "";
		char *path = path_in(ST_BUILD_PLUGIN_DIR, real[i].name);
		char *so;

		if (asprintf(&so, "%s.so", path) < 0)
			abort();
		int rc = st_plugin_load_file(so, &p, err, sizeof(err));
		if (rc != 0)
			fprintf(stderr, "\n    %s: %s", so, err);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc == 0) {
			CU_ASSERT_STRING_EQUAL(p.desc->name, real[i].name);
			CU_ASSERT_EQUAL(p.desc->kind, real[i].kind);
			CU_ASSERT_PTR_NOT_NULL(p.desc->create);
			CU_ASSERT_PTR_NOT_NULL(p.desc->destroy);
			unload_one(&p);
		}
		free(so);
		free(path);
	}
}
#endif

/* ---------------------------------------------------------- directory */

static void test_load_dir(void)
{
	struct st_plugin_set set = { 0, NULL };

	/* bad_abi.so, newer_minor.so and no_entry.so are refused; the
	 * loader keeps going */
	CU_ASSERT_EQUAL(st_plugins_load_dir(ST_TEST_PLUGIN_DIR, &set), 2);
	CU_ASSERT_EQUAL(set.n, 2);
	CU_ASSERT_PTR_NOT_NULL(find_loaded(&set, "good_detector"));
	CU_ASSERT_PTR_NOT_NULL(find_loaded(&set, "create_fails"));
	CU_ASSERT_PTR_NULL(find_loaded(&set, "bad_abi"));
	/* in name order, each from its own file */
	if (set.n == 2) {
		CU_ASSERT_STRING_EQUAL(set.items[0].desc->name, "create_fails");
		CU_ASSERT_STRING_EQUAL(set.items[0].path, TEST_PLUGIN("create_fails"));
		CU_ASSERT_STRING_EQUAL(set.items[1].desc->name, "good_detector");
		CU_ASSERT_STRING_EQUAL(set.items[1].path, TEST_PLUGIN("good_detector"));
	}

	const struct st_plugin **d = st_plugins_descriptors(&set);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (size_t i = 0; i < set.n; i++)
		CU_ASSERT_PTR_EQUAL(d[i], set.items[i].desc);
	CU_ASSERT_PTR_NULL(d[set.n]);
	free(d);

	st_plugins_unload(&set);
	CU_ASSERT_EQUAL(set.n, 0);
	CU_ASSERT_PTR_NULL(set.items);
}

static void test_load_dir_unusable(void)
{
	struct st_plugin_set set = { 0, NULL };
	char *dir = st_test_mkdtemp();
	char *missing = path_in(dir, "missing");

	CU_ASSERT_EQUAL(st_plugins_load_dir(missing, &set), -1);
	CU_ASSERT_EQUAL(set.n, 0);
	CU_ASSERT_EQUAL(st_plugins_load_dir(TEST_PLUGIN("good_detector"), &set), -1);
	CU_ASSERT_EQUAL(set.n, 0);
	/* an empty directory is usable and holds nothing */
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), 0);
	CU_ASSERT_EQUAL(set.n, 0);
	/* only *.so, and no hidden files */
	st_test_write_file(dir, "README", "not a plugin");
	st_test_write_file(dir, ".hidden.so", "not a plugin");
	st_test_write_file(dir, "plugin.so.bak", "not a plugin");
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), 0);
	CU_ASSERT_EQUAL(set.n, 0);
	st_plugins_unload(&set);
	free(missing);
	st_test_rmtree(dir);
	free(dir);
}

/* -------------------------------------------------------------- start */

static void test_start(void)
{
	struct st_plugin_set set = { 0, NULL };
	struct st_config cfg;

	CU_ASSERT_EQUAL(st_plugins_load_dir(ST_TEST_PLUGIN_DIR, &set), 2);
	CU_ASSERT_EQUAL_FATAL(set.n, 2);
	config_defaults(&cfg, &set);
	CU_ASSERT_EQUAL(cfg.plugins[1].nvalues, 4);     /* good_detector's */

	CU_ASSERT_EQUAL(st_plugins_start(&set, &cfg, "/proc", 4), 1);
	const struct st_loaded_plugin *bad = find_loaded(&set, "create_fails");
	const struct st_loaded_plugin *good = find_loaded(&set, "good_detector");
	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	CU_ASSERT_PTR_NOT_NULL_FATAL(good);
	CU_ASSERT_EQUAL(bad->running, 0);
	CU_ASSERT_EQUAL(good->running, 1);
	CU_ASSERT_EQUAL(good->cooldown_s, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(good->state);
	/* create got the option values: limit_pct's default */
	CU_ASSERT_EQUAL(*(const double *)good->state, 50);
	/* and its own host table */
	CU_ASSERT_EQUAL(good->host.abi_major, ST_ABI_MAJOR);
	CU_ASSERT_EQUAL(good->host.abi_minor, ST_ABI_MINOR);
	CU_ASSERT_STRING_EQUAL(good->host.plugin_name, "good_detector");
	CU_ASSERT_STRING_EQUAL(good->host.proc_root, "/proc");
	CU_ASSERT_EQUAL(good->host.ncores, 4);
	CU_ASSERT_PTR_NOT_NULL(good->host.log);
	CU_ASSERT_PTR_NOT_NULL(good->host.mono_ns);
	CU_ASSERT(good->host.mono_ns() > 0);

	/* the running detector works through its descriptor */
	struct st_proc_info infos[2] = { { .pid = 7 }, { .pid = 8 } };
	struct st_proc_sample procs[2] = { { .info = 0, .cpu_pct = 80 },
					   { .info = 1, .cpu_pct = 10 } };
	struct st_sample smp = { .size = sizeof(smp), .proc_size = sizeof(procs[0]),
				  .seq = 1, .nprocs = 2, .procs = procs };
	const struct st_sample *view[1] = { &smp };
	struct st_history h = { .size = sizeof(h), .count = 1, .samples = view,
				.ninfos = 2, .info_size = sizeof(infos[0]), .infos = infos };
	struct st_trigger out[4];
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(good->desc->evaluate(good->state, &h, out, 4), 1);
	CU_ASSERT_EQUAL(out[0].pid, 7);

	/* stop, then start again with the detector turned off */
	st_plugins_stop(&set);
	CU_ASSERT_EQUAL(good->running, 0);
	CU_ASSERT_PTR_NULL(good->state);
	cfg.plugins[good - set.items].enabled = 0;
	CU_ASSERT_EQUAL(st_plugins_start(&set, &cfg, "/proc", 4), 0);
	CU_ASSERT_EQUAL(good->running, 0);

	cfg.plugins[good - set.items].enabled = 1;
	CU_ASSERT_EQUAL(st_plugins_start(&set, &cfg, "/proc", 4), 1);
	st_plugins_unload(&set);        /* destroys the running one (valgrind) */
	CU_ASSERT_EQUAL(set.n, 0);
	config_free(&cfg);
}

static void test_print(void)
{
	struct st_plugin_set set = { 0, NULL };
	char *text = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(st_plugins_load_dir(ST_TEST_PLUGIN_DIR, &set), 2);
	CU_ASSERT_PTR_NOT_NULL(find_loaded(&set, "good_detector"));
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	st_plugins_print(&set, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "detector good_detector"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "limit_pct"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "0..1000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"x\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cooldown"));
	free(text);
	st_plugins_unload(&set);
}

/* -------------------------------------------------------- root checks */

static void test_root_file_checks(void)
{
	if (geteuid() != 0) {
		CU_PASS("not root: ownership checks apply only to root; skipped");
		return;
	}
	char *dir = st_test_mkdtemp();
	char *copy = path_in(dir, "good_detector.so");
	struct st_loaded_plugin p;
	char err[512] = "";

	copy_file(TEST_PLUGIN("good_detector"), copy, 0666);
	expect_refused(copy, "writable by others");
	CU_ASSERT_EQUAL(chmod(copy, 0664), 0);
	expect_refused(copy, "writable by its group");
	CU_ASSERT_EQUAL(chmod(copy, 0644), 0);
	CU_ASSERT_EQUAL(chown(copy, 1, (gid_t)-1), 0);
	expect_refused(copy, "owned by uid 1");
	CU_ASSERT_EQUAL(chown(copy, 0, (gid_t)-1), 0);
	CU_ASSERT_EQUAL(chmod(copy, 0644), 0);   /* chown may clear bits */
	int rc = st_plugin_load_file(copy, &p, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n    root-owned 0644 copy refused: %s", err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc == 0) {
		CU_ASSERT_STRING_EQUAL(p.desc->name, "good_detector");
		unload_one(&p);
	}
	free(copy);
	st_test_rmtree(dir);
	free(dir);
}

static void test_root_dir_checks(void)
{
	if (geteuid() != 0) {
		CU_PASS("not root: ownership checks apply only to root; skipped");
		return;
	}
	struct st_plugin_set set = { 0, NULL };
	char *dir = st_test_mkdtemp();
	char *copy = path_in(dir, "good_detector.so");

	copy_file(TEST_PLUGIN("good_detector"), copy, 0644);
	CU_ASSERT_EQUAL(chmod(dir, 0755), 0);
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), 1);
	st_plugins_unload(&set);

	CU_ASSERT_EQUAL(chmod(dir, 0777), 0);
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), -1);
	CU_ASSERT_EQUAL(set.n, 0);
	CU_ASSERT_EQUAL(chmod(dir, 0775), 0);
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), -1);
	CU_ASSERT_EQUAL(chmod(dir, 0755), 0);
	CU_ASSERT_EQUAL(chown(dir, 1, (gid_t)-1), 0);
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), -1);
	CU_ASSERT_EQUAL(chown(dir, 0, (gid_t)-1), 0);

	/* a bad file in a good directory is refused; the others load */
	char *bad = path_in(dir, "create_fails.so");
	copy_file(TEST_PLUGIN("create_fails"), bad, 0666);
	CU_ASSERT_EQUAL(st_plugins_load_dir(dir, &set), 1);
	CU_ASSERT_EQUAL(set.n, 1);
	CU_ASSERT_PTR_NOT_NULL(find_loaded(&set, "good_detector"));
	st_plugins_unload(&set);

	free(bad);
	free(copy);
	st_test_rmtree(dir);
	free(dir);
}

/* The size rule: the smallest descriptor loads, and what follows it in
 * the plugin's memory (here functions that abort) is not read. */
static void test_old_descriptor_size(void)
{
	struct st_loaded_plugin p;
	char err[512] = "";

	CU_ASSERT_EQUAL_FATAL(st_plugin_load_file(ST_ENGINE_PLUGIN_DIR "/old_descriptor.so",
						  &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.desc->size, ST_PLUGIN_SIZE_MIN);
	CU_ASSERT_PTR_NOT_NULL(p.desc->evaluate);
	CU_ASSERT_PTR_NULL(p.desc->trigger_result);
	CU_ASSERT_PTR_NULL(p.desc->check_options);
	unload_one(&p);
}

/* A default its own option refuses: the reason shows the default. */
static void expect_default_refused(const struct st_option *opt, const char *want)
{
	const struct st_option opts[] = { *opt, ST_OPTION_END };
	const struct st_plugin d = {
		ST_PLUGIN_HEADER, .kind = ST_PLUGIN_DETECTOR, .name = "defaults", .version = "1",
		.description = "test", .options = opts,
	};
	char err[512] = "";

	CU_ASSERT_EQUAL(st_plugin_check(&d, err, sizeof(err)), -1);
	if (strcmp(err, want))
		fprintf(stderr, "\n    reason \"%s\", not \"%s\"", err, want);
	CU_ASSERT_STRING_EQUAL(err, want);
}

static void test_refuse_bad_defaults(void)
{
	static const char *const ab[] = { "a", "b", NULL };
	const struct st_option out_of_range = ST_OPTION_INT("y", 150, 0, 100, "");
	const struct st_option float_out = ST_OPTION_FLOAT("f", 0.25, 0.5, 1, "");
	const struct st_option not_a_choice = ST_OPTION_CHOICE("z", "c", ab, "");
	const struct st_option not_finite = ST_OPTION_FLOAT("x", NAN, 0, 1, "");

	expect_default_refused(&out_of_range, "option 'y' default 150: out of range 0..100");
	expect_default_refused(&float_out, "option 'f' default 0.25: out of range 0.5..1");
	expect_default_refused(&not_a_choice, "option 'z' default \"c\": expected one of a, b");
	expect_default_refused(&not_finite, "option 'x' default nan: not a finite number");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "load good_detector", test_load_good },
		{ "refuse bad ABI", test_refuse_bad_abi },
		{ "refuse a newer minor", test_refuse_newer_minor },
		{ "refuse missing entry symbol", test_refuse_no_entry },
		{ "refuse nonexistent path", test_refuse_nonexistent },
		{ "refuse a renamed plugin", test_refuse_renamed },
		{ "refuse what is not a library", test_refuse_not_a_library },
		{ "refuse a symlink", test_refuse_symlink },
		{ "two loads stay distinct", test_two_loads_stay_distinct },
		{ "no descriptor leaks", test_no_fd_leak },
#ifdef ST_BUILD_PLUGIN_DIR
		{ "real plugins load", test_real_plugins_load },
#endif
		{ "load dir: 2 of 4", test_load_dir },
		{ "load dir unusable or empty", test_load_dir_unusable },
		{ "start: create fails, others run", test_start },
		{ "print", test_print },
		{ "root: file owner and mode", test_root_file_checks },
		{ "root: directory owner and mode", test_root_dir_checks },
		{ "a first-release descriptor: size rule", test_old_descriptor_size },
		{ "refuse a default its option refuses", test_refuse_bad_defaults },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("plugin_loader", tests);
}

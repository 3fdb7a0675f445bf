/* libcurl opened at run time: see curl_api.h. */
#define _GNU_SOURCE
#include "curl_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct st_curl_api api;
static int loaded;
static char why[256];

/* curl_global_init is not to be called twice at once, nor while another
 * thread uses libcurl: once per process, from the first create (before
 * its sender thread starts). */
static void load(void)
{
	void *lib = dlopen(ST_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, sizeof(why), "cannot load %s (Debian package libcurl4): %s",
			 ST_CURL_SONAME, dlerror());
		return;
	}
	static const struct {
		const char *name;
		size_t offset;
	} symbols[] = {
		{ "curl_easy_init", offsetof(struct st_curl_api, easy_init) },
		{ "curl_easy_setopt", offsetof(struct st_curl_api, easy_setopt) },
		{ "curl_easy_perform", offsetof(struct st_curl_api, easy_perform) },
		{ "curl_easy_getinfo", offsetof(struct st_curl_api, easy_getinfo) },
		{ "curl_easy_cleanup", offsetof(struct st_curl_api, easy_cleanup) },
		{ "curl_easy_strerror", offsetof(struct st_curl_api, easy_strerror) },
		{ "curl_slist_append", offsetof(struct st_curl_api, slist_append) },
		{ "curl_slist_free_all", offsetof(struct st_curl_api, slist_free_all) },
	};
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *f = dlsym(lib, symbols[i].name);
		if (!f) {
			snprintf(why, sizeof(why), "%s has no %s", ST_CURL_SONAME, symbols[i].name);
			return;
		}
		/* POSIX: a function pointer read from dlsym's object pointer. */
		*(void **)((char *)&api + symbols[i].offset) = f;
	}
	CURLcode (*global_init)(long) = (CURLcode (*)(long))dlsym(lib, "curl_global_init");
	CURLcode rc = global_init ? global_init(CURL_GLOBAL_DEFAULT) : CURLE_FAILED_INIT;
	if (rc != CURLE_OK) {
		snprintf(why, sizeof(why), "curl_global_init: %s", api.easy_strerror(rc));
		return;
	}
	loaded = 1;
}

const struct st_curl_api *st_curl_api(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (!loaded)
		snprintf(err, errlen, "%s", why);
	return loaded ? &api : NULL;
}

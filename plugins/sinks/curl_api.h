/*
 * libcurl for the otlp sink, opened when a sink is created instead of
 * linked: the daemon loads every plugin of its directory to read their
 * options, and one with no otlp sink configured must not map libcurl,
 * OpenSSL and the thirty libraries behind them (6 MiB resident, which
 * mlockall keeps; dlclose cannot give it back, OpenSSL stays). The calls
 * the sink makes, through one table.
 */
#ifndef ST_CURL_API_H
#define ST_CURL_API_H

#include <stddef.h>
#include <curl/curl.h>

/* The soname Debian's libcurl4 (and libcurl4-openssl-dev) provides. */
#define ST_CURL_SONAME "libcurl.so.4"

struct st_curl_api {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
	void (*slist_free_all)(struct curl_slist *list);
};

/* The table, libcurl opened and curl_global_init'ed once per process
 * (never closed nor cleaned up: a reloaded instance, or another, may still
 * have a sender thread inside it). NULL with the reason in err. */
const struct st_curl_api *st_curl_api(char *err, size_t errlen);

#endif

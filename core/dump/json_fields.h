/*
 * Checked reading of a JSON document's fields (the dump reader's tools).
 * Every getter takes the containing object's path ("" at the top) and the
 * member's key; on a problem it writes one line naming path.key and the
 * reason into r->err and returns false (NULL), so a reader stops at the
 * first one.
 */
#ifndef ST_JSON_FIELDS_H
#define ST_JSON_FIELDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct number_text;

struct jf_reader {
	char *err;
	size_t errlen;
	struct number_text *nums;       /* sorted by item (index_numbers) */
	size_t nnums;
	const char *end;                /* of the document's text */
};

enum jf_kind { JF_NUMBER, JF_STRING, JF_OBJECT, JF_ARRAY, JF_BOOL };

/* path is the containing object's ("" at the top); key's full path is
 * path.key. */
#define JF_SEP(path) (*(path) ? "." : "")

/* One JSON document, all of text .. text+len (space after it allowed):
 * the tree, with every number's digits indexed for the integer getters.
 * NULL with the reason in r->err. Free with jf_release. */
cJSON *jf_parse(struct jf_reader *r, const char *text, size_t len);
void jf_release(struct jf_reader *r, cJSON *root);

/* Writes the reason into r->err; always false, to be returned. */
__attribute__((format(printf, 2, 3)))
bool jf_fail(struct jf_reader *r, const char *fmt, ...);
bool jf_range_fail(struct jf_reader *r, const char *path, const char *key, double d,
		   const char *range);

/* Member key of obj, of the given kind. An optional member may be absent
 * or null: NULL with *ok still true. Otherwise NULL means the reason is in
 * r->err and *ok is false. */
const cJSON *jf_member_opt(struct jf_reader *r, const cJSON *obj, const char *path,
			   const char *key, enum jf_kind kind, bool optional, bool *ok);
const cJSON *jf_member(struct jf_reader *r, const cJSON *obj, const char *path,
		       const char *key, enum jf_kind kind);

/* Integers in [min, max] (an item already found, or a member). */
bool jf_num_to_i64(struct jf_reader *r, const char *path, const char *key,
		   const cJSON *it, int64_t min, int64_t max, int64_t *out);
bool jf_num_to_u64(struct jf_reader *r, const char *path, const char *key,
		   const cJSON *it, uint64_t max, uint64_t *out);
bool jf_get_i64(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		int64_t min, int64_t max, int64_t *out);
bool jf_get_i32(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		int32_t min, int32_t max, int32_t *out);
bool jf_get_u64(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		uint64_t max, uint64_t *out);
bool jf_get_u32(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		uint32_t *out);

/* Finite numbers; nonnegative refuses one below 0 (percentages). */
bool jf_check_double(struct jf_reader *r, const char *path, const char *key, double d,
		     bool nonnegative, double *out);
bool jf_get_double(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		   bool nonnegative, double *out);
#define jf_get_pct(r, obj, path, key, out) jf_get_double(r, obj, path, key, true, out)

/* A string into a fixed field: made valid UTF-8 and cut at a character
 * boundary. */
bool jf_get_str(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		char *dst, size_t dstlen);
#define JF_FIELD_STR(r, obj, path, key, field) \
	jf_get_str(r, obj, path, key, field, sizeof(field))

/* Optional members: null or absent (an older dump) is unknown: -1 for
 * jf_opt_i64 and jf_opt_pct, "" for jf_opt_str, the given unknown for
 * jf_opt_nonneg, the flag left clear for jf_flag (set when true). */
bool jf_opt_i64(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
		int64_t max, int64_t *out);
bool jf_opt_str(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
		char *dst, size_t dstlen);
#define JF_OPT_FIELD(r, o, path, key, field) \
	jf_opt_str(r, o, path, key, field, sizeof(field))
bool jf_flag(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
	     uint32_t flag, uint32_t *flags);
bool jf_opt_nonneg(struct jf_reader *r, const cJSON *o, const char *path,
		   const char *key, double unknown, double *out);
bool jf_opt_pct(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
		double *out);

/* An array member of n elements of size bytes each, allocated zeroed into
 * *elems (NULL when empty); the caller stores both before filling it so
 * that st_dump_free() cleans up after a failure half-way through. */
const cJSON *jf_array(struct jf_reader *r, const cJSON *obj, const char *path,
		      const char *key, size_t size, void **elems, uint32_t *n);

#endif

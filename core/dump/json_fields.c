/*
 * Checked reading of a JSON document's fields, for the dump reader: each
 * field is looked up by key, its type and range checked, and the first
 * problem reported into the reader's err as one line naming the field's
 * path ("samples[3].cpu.user_pct: -1 out of range (0 or more)"). Integers
 * are read from their own digits, not from cJSON's double.
 */
#include "dump/json_fields.h"
#include "text/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool jf_fail(struct jf_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err && r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

static const char *const kind_names[] = {
	[JF_BOOL] = "true or false",
	[JF_NUMBER] = "a number",
	[JF_STRING] = "a string",
	[JF_OBJECT] = "an object",
	[JF_ARRAY] = "an array",
};

static bool is_kind(const cJSON *it, enum jf_kind kind)
{
	switch (kind) {
	case JF_NUMBER: return cJSON_IsNumber(it);
	case JF_STRING: return cJSON_IsString(it) && it->valuestring;
	case JF_OBJECT: return cJSON_IsObject(it);
	case JF_ARRAY:  return cJSON_IsArray(it);
	case JF_BOOL:   return cJSON_IsBool(it);
	}
	return false;
}

/*
 * Member key of obj, of the given kind. An optional member may be absent
 * or null: NULL with *ok still true. Otherwise NULL means the reason is in
 * r->err and *ok is false.
 */
const cJSON *jf_member_opt(struct jf_reader *r, const cJSON *obj, const char *path,
			       const char *key, enum jf_kind kind, bool optional, bool *ok)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	*ok = true;
	if (!it || (optional && cJSON_IsNull(it))) {
		if (!optional)
			*ok = jf_fail(r, "missing field '%s%s%s'", path, JF_SEP(path), key);
		return NULL;
	}
	if (!is_kind(it, kind)) {
		*ok = jf_fail(r, "%s%s%s: expected %s", path, JF_SEP(path), key, kind_names[kind]);
		return NULL;
	}
	return it;
}

const cJSON *jf_member(struct jf_reader *r, const cJSON *obj, const char *path,
			   const char *key, enum jf_kind kind)
{
	bool ok;
	return jf_member_opt(r, obj, path, key, kind, false, &ok);
}

bool jf_range_fail(struct jf_reader *r, const char *path, const char *key, double d,
		       const char *range)
{
	return jf_fail(r, "%s%s%s: %.17g out of range (%s)", path, JF_SEP(path), key, d, range);
}

/*
 * cJSON 1.7.15 keeps a number as a double only, which holds integers
 * exactly up to 2^53: a nanosecond timestamp (~1.8e18) would come back
 * rounded to a multiple of 256. So the reader keeps, beside cJSON's tree,
 * where each number item's text starts in the document: cJSON validated
 * the text, and its number items in tree order are its number tokens in
 * document order, so one scan pairs them. An integer is then read from
 * its own digits; a number written otherwise ("1e3") from its double.
 */
struct number_text {
	const cJSON *item;
	const char *text;       /* the token's first byte in the document */
};

static void collect_numbers(const cJSON *it, struct number_text *v, size_t *n, size_t cap)
{
	for (; it; it = it->next) {
		if (cJSON_IsNumber(it)) {
			if (*n < cap)
				v[*n].item = it;
			(*n)++;
		}
		collect_numbers(it->child, v, n, cap);
	}
}

/* The number tokens of a valid JSON text, in order: outside strings only
 * numbers hold a digit or '-' (true, false and null hold neither). */
static size_t scan_numbers(const char *p, const char *end, struct number_text *v, size_t cap)
{
	size_t n = 0;

	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			if (n < cap)
				v[n].text = p;
			n++;
			while (p < end && strchr("0123456789+-.eE", *p))
				p++;
		} else {
			p++;
		}
	}
	return n;
}

static int by_item(const void *a, const void *b)
{
	const cJSON *x = ((const struct number_text *)a)->item;
	const cJSON *y = ((const struct number_text *)b)->item;
	return (x > y) - (x < y);
}

/* The table for a parsed document (text .. end); without one (a count that
 * does not pair, no memory) integers are read from their doubles. */
static void index_numbers(struct jf_reader *r, const cJSON *root, const char *text,
			  const char *end)
{
	size_t items = 0, tokens;

	collect_numbers(root, NULL, &items, 0);
	if (items == 0 || !(r->nums = calloc(items, sizeof(*r->nums))))
		return;
	collect_numbers(root, r->nums, &r->nnums, items);
	tokens = scan_numbers(text, end, r->nums, items);
	if (tokens != items) {
		free(r->nums);
		r->nums = NULL;
		r->nnums = 0;
		return;
	}
	qsort(r->nums, r->nnums, sizeof(*r->nums), by_item);
	r->end = end;
}

enum exact { EXACT_NONE, EXACT_VALUE, EXACT_TOO_BIG };

/* The magnitude and sign of an item written as an integer, from its text. */
static enum exact exact_integer(const struct jf_reader *r, const cJSON *it, bool *neg,
				uint64_t *mag)
{
	struct number_text key = { .item = it };
	const struct number_text *nt =
		r->nums ? bsearch(&key, r->nums, r->nnums, sizeof(*r->nums), by_item) : NULL;
	const char *p, *digits;
	uint64_t v = 0;
	bool big = false;

	if (!nt)
		return EXACT_NONE;
	p = nt->text;
	*neg = p < r->end && *p == '-';
	p += *neg;
	for (digits = p; p < r->end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			big = true;
		v = v * 10 + d;
	}
	if (p == digits || (p < r->end && strchr(".eE", *p)))
		return EXACT_NONE;
	*mag = v;
	return big ? EXACT_TOO_BIG : EXACT_VALUE;
}

/*
 * An integer item into [min, max]. From its double when it is not written
 * as an integer: a conversion to an integer type is only defined inside
 * that type's range, hence the checks before each cast; the type's largest
 * value reads back as the next power of two, so that one is taken as the
 * maximum.
 */
bool jf_num_to_i64(struct jf_reader *r, const char *path, const char *key,
		       const cJSON *it, int64_t min, int64_t max, int64_t *out)
{
	double d = it->valuedouble;
	char range[48];
	uint64_t mag;
	bool neg;
	int64_t v;

	snprintf(range, sizeof(range), "%" PRId64 "..%" PRId64, min, max);
	switch (exact_integer(r, it, &neg, &mag)) {
	case EXACT_TOO_BIG:
		return jf_range_fail(r, path, key, d, range);
	case EXACT_VALUE:
		if (mag > (uint64_t)INT64_MAX + neg)
			return jf_range_fail(r, path, key, d, range);
		v = neg ? (mag ? -(int64_t)(mag - 1) - 1 : 0) : (int64_t)mag;
		break;
	case EXACT_NONE:
	default:
		if (!(d >= -0x1p63 && d <= 0x1p63))
			return jf_range_fail(r, path, key, d, range);
		v = d == 0x1p63 ? INT64_MAX : (int64_t)d;
		if (d != 0x1p63 && (double)v != d)
			return jf_fail(r, "%s%s%s: expected an integer", path, JF_SEP(path), key);
		break;
	}
	if (v < min || v > max)
		return jf_range_fail(r, path, key, d, range);
	*out = v;
	return true;
}

bool jf_get_i64(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		    int64_t min, int64_t max, int64_t *out)
{
	const cJSON *it = jf_member(r, obj, path, key, JF_NUMBER);
	return it && jf_num_to_i64(r, path, key, it, min, max, out);
}

bool jf_get_i32(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		    int32_t min, int32_t max, int32_t *out)
{
	int64_t v;
	if (!jf_get_i64(r, obj, path, key, min, max, &v))
		return false;
	*out = (int32_t)v;
	return true;
}

bool jf_num_to_u64(struct jf_reader *r, const char *path, const char *key,
		       const cJSON *it, uint64_t max, uint64_t *out)
{
	double d = it->valuedouble;
	char range[32];
	uint64_t v;
	bool neg;

	snprintf(range, sizeof(range), "0..%" PRIu64, max);
	switch (exact_integer(r, it, &neg, &v)) {
	case EXACT_TOO_BIG:
		return jf_range_fail(r, path, key, d, range);
	case EXACT_VALUE:
		if (neg && v)
			return jf_range_fail(r, path, key, d, range);
		break;
	case EXACT_NONE:
	default:
		if (!(d > -1.0 && d <= 0x1p64))
			return jf_range_fail(r, path, key, d, range);
		v = d == 0x1p64 ? UINT64_MAX : (uint64_t)d;
		if (d != 0x1p64 && (double)v != d)
			return jf_fail(r, "%s%s%s: expected an integer", path, JF_SEP(path), key);
		break;
	}
	if (v > max)
		return jf_range_fail(r, path, key, d, range);
	*out = v;
	return true;
}

bool jf_get_u64(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		    uint64_t max, uint64_t *out)
{
	const cJSON *it = jf_member(r, obj, path, key, JF_NUMBER);
	return it && jf_num_to_u64(r, path, key, it, max, out);
}

bool jf_get_u32(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		    uint32_t *out)
{
	uint64_t v;
	if (!jf_get_u64(r, obj, path, key, UINT32_MAX, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A finite number; percentages are never negative. */
bool jf_check_double(struct jf_reader *r, const char *path, const char *key, double d,
			 bool nonnegative, double *out)
{
	if (!isfinite(d))
		return jf_fail(r, "%s%s%s: expected a finite number", path, JF_SEP(path), key);
	if (nonnegative && d < 0)
		return jf_range_fail(r, path, key, d, "0 or more");
	*out = d;
	return true;
}

bool jf_get_double(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		       bool nonnegative, double *out)
{
	const cJSON *it = jf_member(r, obj, path, key, JF_NUMBER);
	return it && jf_check_double(r, path, key, it->valuedouble, nonnegative, out);
}

/* Into a fixed field: made valid UTF-8 and cut at a character boundary. */
bool jf_get_str(struct jf_reader *r, const cJSON *obj, const char *path, const char *key,
		    char *dst, size_t dstlen)
{
	const cJSON *it = jf_member(r, obj, path, key, JF_STRING);
	if (!it)
		return false;
	st_utf8_sanitize(it->valuestring, dst, dstlen);
	return true;
}

/* Optional: null or absent (an older dump) is unknown (-1). */
bool jf_opt_i64(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
			 int64_t max, int64_t *out)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, key, JF_NUMBER, true, &ok);

	*out = -1;
	return ok && (!it || jf_num_to_i64(r, path, key, it, 0, max, out));
}

/* Optional: null or absent is none (""); made valid UTF-8 and cut. */
bool jf_opt_str(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
			 char *dst, size_t dstlen)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, key, JF_STRING, true, &ok);

	dst[0] = '\0';
	if (it)
		st_utf8_sanitize(it->valuestring, dst, dstlen);
	return ok;
}

/* Optional true/false: sets flag when true. */
bool jf_flag(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
		      uint32_t flag, uint32_t *flags)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, key, JF_BOOL, true, &ok);

	if (it && cJSON_IsTrue(it))
		*flags |= flag;
	return ok;
}

/* Optional, finite and not negative: null or absent (an older dump) is
 * unknown, *out = unknown. */
bool jf_opt_nonneg(struct jf_reader *r, const cJSON *o, const char *path,
			    const char *key, double unknown, double *out)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, key, JF_NUMBER, true, &ok);

	*out = unknown;
	return ok && (!it || jf_check_double(r, path, key, it->valuedouble, true, out));
}

/* Optional: null or absent (an older dump) is unknown (-1). */
bool jf_opt_pct(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
			 double *out)
{
	return jf_opt_nonneg(r, o, path, key, -1, out);
}

/*
 * The array at key, as a calloc'd array of n elements of size each; the
 * caller stores both before filling it so that st_dump_free() cleans up
 * after a failure half-way through.
 */
const cJSON *jf_array(struct jf_reader *r, const cJSON *obj, const char *path,
			      const char *key, size_t size, void **elems, uint32_t *n)
{
	const cJSON *arr = jf_member(r, obj, path, key, JF_ARRAY);
	int count;

	*elems = NULL;
	*n = 0;
	if (!arr)
		return NULL;
	count = cJSON_GetArraySize(arr);
	if (count > 0) {
		*elems = calloc((size_t)count, size);
		if (!*elems) {
			jf_fail(r, "out of memory");
			return NULL;
		}
	}
	*n = (uint32_t)count;
	return arr;
}

static bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

cJSON *jf_parse(struct jf_reader *r, const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *root;

	if (!text || len == 0) {
		jf_fail(r, "not JSON (empty input)");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		jf_fail(r, "not JSON (error near byte %zu)",
			end && end >= text && end <= text + len ? (size_t)(end - text) : (size_t)0);
		return NULL;
	}
	/* cJSON stops after the first value; anything but space after it
	 * means the file is not one JSON document. */
	for (const char *p = end; p && p < text + len; p++) {
		if (!is_json_space(*p)) {
			jf_fail(r, "not JSON (unexpected data after the document at byte %zu)",
				(size_t)(p - text));
			cJSON_Delete(root);
			return NULL;
		}
	}
	index_numbers(r, root, text, end);
	return root;
}

void jf_release(struct jf_reader *r, cJSON *root)
{
	free(r->nums);
	r->nums = NULL;
	r->nnums = 0;
	cJSON_Delete(root);
}

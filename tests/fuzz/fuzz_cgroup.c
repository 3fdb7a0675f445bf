/*
 * libFuzzer target: st_parse_cgroup(), which reads /proc/PID/cgroup of a
 * dumped process. Cgroup names are chosen by whoever may create cgroups
 * (delegated subtrees: any user), any byte but '/' and NUL. libFuzzer
 * hands over an exactly sized heap buffer without a NUL: ASan sees a read
 * past len.
 */
#define _GNU_SOURCE
#include <string.h>

#include "proc/cgroup_parse.h"
#include "fuzz_check.h"

/* A fixed field holds a terminated string. */
#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

/* Both ways: a whole file, and a read that filled its buffer. */
static int check(const uint8_t *data, size_t size, int cut)
{
	struct st_cgroup_info cg;
	int rc;

	memset(&cg, 0xa5, sizeof(cg));
	rc = st_parse_cgroup_cut((const char *)data, size, cut, &cg);
	FUZZ_CHECK(TERMINATED(cg.path) && TERMINATED(cg.unit) && TERMINATED(cg.slice) &&
		   TERMINATED(cg.session) && TERMINATED(cg.runtime) &&
		   TERMINATED(cg.container_id) && TERMINATED(cg.pod_uid));
	if (rc < 0) {
		/* nothing found: nothing said */
		FUZZ_CHECK(cg.source == ST_CGROUP_NONE && !cg.path[0] && !cg.unit[0] &&
			   !cg.runtime[0] && cg.user_uid == -1);
		return 0;
	}
	FUZZ_CHECK(rc == 0 && (cg.source == ST_CGROUP_V2 || cg.source == ST_CGROUP_V1_SYSTEMD));
	FUZZ_CHECK(cg.path[0] == '/');
	FUZZ_CHECK(cg.user_uid >= -1 && cg.user_uid <= 4294967295LL);
	/* An id is hex, 12 to 64 digits, and comes with its runtime. */
	size_t n = strlen(cg.container_id);
	FUZZ_CHECK(n == 0 || (n >= 12 && n <= 64 && cg.runtime[0]));
	FUZZ_CHECK(strspn(cg.container_id, "0123456789abcdef") == n);
	FUZZ_CHECK(strspn(cg.pod_uid, "0123456789abcdef-") == strlen(cg.pod_uid));
	/* Names come from the path: no '/' in them. */
	FUZZ_CHECK(!strchr(cg.unit, '/') && !strchr(cg.slice, '/') && !strchr(cg.session, '/'));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, 0);
	return check(data, size, 1);
}

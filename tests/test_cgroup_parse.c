/*
 * core/cgroup_parse: /proc/PID/cgroup lines of v1-only, v2 and hybrid
 * hosts, the layouts of systemd and of each container runtime, and
 * malformed and hostile input. Every buffer is an exact heap copy, so a
 * read past len is caught by ASan / valgrind.
 */
#include "cunit_runner.h"
#include "proc/cgroup_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct st_cgroup_info cg;

static int parse(const char *s)
{
	char *b = st_test_exact_copy(s, strlen(s));
	int rc = st_parse_cgroup(b, strlen(s), &cg);
	free(b);
	return rc;
}

static void test_v2_system_unit(void)
{
	CU_ASSERT_EQUAL(parse("0::/system.slice/nginx.service\n"), 0);
	CU_ASSERT_EQUAL(cg.source, ST_CGROUP_V2);
	CU_ASSERT_STRING_EQUAL(cg.path, "/system.slice/nginx.service");
	CU_ASSERT_STRING_EQUAL(cg.unit, "nginx.service");
	CU_ASSERT_STRING_EQUAL(cg.slice, "system.slice");
	CU_ASSERT_EQUAL(cg.user_uid, -1);
	CU_ASSERT_EQUAL(cg.user_unit, 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
	/* Nested slices: the innermost one above the unit. */
	CU_ASSERT_EQUAL(parse("0::/spiketrace-test.slice/burner-test.service"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "burner-test.service");
	CU_ASSERT_STRING_EQUAL(cg.slice, "spiketrace-test.slice");
	/* The root cgroup: a path, no unit. */
	CU_ASSERT_EQUAL(parse("0::/\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.path, "/");
	CU_ASSERT_STRING_EQUAL(cg.unit, "");
	CU_ASSERT_STRING_EQUAL(cg.slice, "");
}

static void test_user_units(void)
{
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "foo.service");
	CU_ASSERT_STRING_EQUAL(cg.slice, "app.slice");
	CU_ASSERT_EQUAL(cg.user_uid, 1000);
	CU_ASSERT_EQUAL(cg.user_unit, 1);
	CU_ASSERT_STRING_EQUAL(cg.session, "");

	/* The user manager itself is a system unit of user-1000.slice. */
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "init.scope");
	CU_ASSERT_STRING_EQUAL(cg.slice, "user-1000.slice");
	CU_ASSERT_EQUAL(cg.user_unit, 1);
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-1000.slice/user@1000.service\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "user@1000.service");
	CU_ASSERT_EQUAL(cg.user_unit, 0);

	CU_ASSERT_EQUAL(parse("0::/user.slice/user-42.slice/session-3.scope\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "session-3.scope");
	CU_ASSERT_STRING_EQUAL(cg.session, "3");
	CU_ASSERT_STRING_EQUAL(cg.slice, "user-42.slice");
	CU_ASSERT_EQUAL(cg.user_uid, 42);
	CU_ASSERT_EQUAL(cg.user_unit, 0);

	/* Not uids: too big, not digits. */
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-99999999999.slice/x.scope"), 0);
	CU_ASSERT_EQUAL(cg.user_uid, -1);
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-12a.slice/x.scope"), 0);
	CU_ASSERT_EQUAL(cg.user_uid, -1);
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-.slice/session-.scope"), 0);
	CU_ASSERT_EQUAL(cg.user_uid, -1);
	CU_ASSERT_STRING_EQUAL(cg.session, "");
}

static void test_v1_only(void)
{
	/* A v1-only host: systemd's own hierarchy names the unit. */
	CU_ASSERT_EQUAL(parse("12:pids:/system.slice/cron.service\n"
			      "3:cpu,cpuacct:/system.slice/cron.service\n"
			      "1:name=systemd:/system.slice/cron.service\n"), 0);
	CU_ASSERT_EQUAL(cg.source, ST_CGROUP_V1_SYSTEMD);
	CU_ASSERT_STRING_EQUAL(cg.unit, "cron.service");
	/* Controllers alone: nothing to go by. */
	CU_ASSERT_EQUAL(parse("12:pids:/system.slice/cron.service\n"
			      "3:cpu,cpuacct:/a.service\n"), -1);
	CU_ASSERT_EQUAL(cg.source, ST_CGROUP_NONE);
	CU_ASSERT_STRING_EQUAL(cg.unit, "");
	CU_ASSERT_STRING_EQUAL(cg.path, "");
}

static void test_hybrid(void)
{
	/* This VM's layout: v1 controllers, name=systemd, and the unified
	 * line; the unified one wins wherever it is. */
	CU_ASSERT_EQUAL(parse("12:memory:/system.slice/ssh.service\n"
			      "1:name=systemd:/system.slice/old.service\n"
			      "0::/system.slice/ssh.service\n"), 0);
	CU_ASSERT_EQUAL(cg.source, ST_CGROUP_V2);
	CU_ASSERT_STRING_EQUAL(cg.unit, "ssh.service");
	CU_ASSERT_EQUAL(parse("0::/spiketrace-test.slice/burner-test.service\n"
			      "1:name=systemd:/user.slice/user-0.slice/session-1.scope\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "burner-test.service");
	CU_ASSERT_EQUAL(cg.user_uid, -1);
}

static void test_docker(void)
{
	CU_ASSERT_EQUAL(parse("0::/system.slice/docker-" HEX64 ".scope\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "docker");
	CU_ASSERT_STRING_EQUAL(cg.container_id, HEX64);
	CU_ASSERT_STRING_EQUAL(cg.unit, "docker-" HEX64 ".scope");
	CU_ASSERT_STRING_EQUAL(cg.slice, "system.slice");
	/* The cgroupfs driver. */
	CU_ASSERT_EQUAL(parse("0::/docker/" HEX64 "\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "docker");
	CU_ASSERT_STRING_EQUAL(cg.container_id, HEX64);
	CU_ASSERT_STRING_EQUAL(cg.unit, "");
	/* Not ids: upper case, too short, too long, not hex. */
	CU_ASSERT_EQUAL(parse("0::/docker/ABCDEF0123456789"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
	CU_ASSERT_EQUAL(parse("0::/system.slice/docker-abc.scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
	CU_ASSERT_STRING_EQUAL(cg.unit, "docker-abc.scope");
	CU_ASSERT_EQUAL(parse("0::/docker/" HEX64 "0"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
	CU_ASSERT_EQUAL(parse("0::/system.slice/docker.service"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
	CU_ASSERT_STRING_EQUAL(cg.unit, "docker.service");
	CU_ASSERT_EQUAL(parse("0::/system.slice/docker-.scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
}

static void test_containerd_crio_podman(void)
{
	CU_ASSERT_EQUAL(parse("0::/system.slice/cri-containerd-" HEX64 ".scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "containerd");
	CU_ASSERT_STRING_EQUAL(cg.container_id, HEX64);
	CU_ASSERT_EQUAL(parse("0::/system.slice/crio-" HEX64 ".scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "crio");
	CU_ASSERT_EQUAL(parse("0::/machine.slice/libpod-" HEX64 ".scope\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "podman");
	CU_ASSERT_STRING_EQUAL(cg.container_id, HEX64);
	CU_ASSERT_STRING_EQUAL(cg.slice, "machine.slice");
	/* Rootless podman: a user unit and a container. */
	CU_ASSERT_EQUAL(parse("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
			      HEX64 ".scope/container"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "podman");
	CU_ASSERT_EQUAL(cg.user_unit, 1);
	CU_ASSERT_EQUAL(cg.user_uid, 1000);
	/* conmon's scope is no container. */
	CU_ASSERT_EQUAL(parse("0::/machine.slice/libpod-conmon-" HEX64 ".scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
}

static void test_kubepods(void)
{
	CU_ASSERT_EQUAL(parse("0::/kubepods.slice/kubepods-burstable.slice/"
			      "kubepods-burstable-pod1f2e3d4c_5b6a_7980_1a2b_3c4d5e6f7a8b.slice/"
			      "cri-containerd-" HEX64 ".scope\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.runtime, "containerd");
	CU_ASSERT_STRING_EQUAL(cg.container_id, HEX64);
	CU_ASSERT_STRING_EQUAL(cg.pod_uid, "1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b");
	CU_ASSERT_STRING_EQUAL(cg.slice,
			       "kubepods-burstable-pod1f2e3d4c_5b6a_7980_1a2b_3c4d5e6f7a8b.slice");
	/* Guaranteed pods have no QoS slice. */
	CU_ASSERT_EQUAL(parse("0::/kubepods.slice/kubepods-podaaaa_bb.slice/crio-" HEX64 ".scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.pod_uid, "aaaa-bb");
	CU_ASSERT_STRING_EQUAL(cg.runtime, "crio");
	/* The cgroupfs driver: the runtime is not in the path. */
	CU_ASSERT_EQUAL(parse("0::/kubepods/besteffort/pod1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b/"
			      HEX64), 0);
	CU_ASSERT_STRING_EQUAL(cg.pod_uid, "1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b");
	CU_ASSERT_STRING_EQUAL(cg.runtime, "cri");
	CU_ASSERT_STRING_EQUAL(cg.container_id, HEX64);
	/* A pod uid with what a uid never holds is left out. */
	CU_ASSERT_EQUAL(parse("0::/kubepods.slice/kubepods-pod../x.slice"), 0);
	CU_ASSERT_STRING_EQUAL(cg.pod_uid, "");
}

static void test_malformed(void)
{
	CU_ASSERT_EQUAL(parse(""), -1);
	CU_ASSERT_EQUAL(parse("\n\n\n"), -1);
	CU_ASSERT_EQUAL(parse("0:"), -1);
	CU_ASSERT_EQUAL(parse("0::"), -1);
	CU_ASSERT_EQUAL(parse("0::relative/path.service"), -1);
	CU_ASSERT_EQUAL(parse("garbage without colons"), -1);
	CU_ASSERT_EQUAL(parse("1:name=systemd"), -1);
	/* A first, broken "0::" line does not hide a good one after it. */
	CU_ASSERT_EQUAL(parse("0::\n0::/system.slice/a.service\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "a.service");
	/* No newline at the end: the last line still counts. */
	CU_ASSERT_EQUAL(parse("1:name=systemd:/x.slice\n0::/system.slice/b.service"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "b.service");
	/* Doubled slashes and a trailing one. */
	CU_ASSERT_EQUAL(parse("0:://system.slice//c.service/"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "c.service");
	CU_ASSERT_STRING_EQUAL(cg.slice, "system.slice");
	/* Only the suffix is not a name. */
	CU_ASSERT_EQUAL(parse("0::/.service"), 0);
	CU_ASSERT_EQUAL(parse("0::/.slice/.scope"), 0);
	CU_ASSERT_STRING_EQUAL(cg.session, "");
}

static void test_hostile(void)
{
	/* systemd escapes ("\x2d") and control bytes pass as bytes: they
	 * are the printers' to escape. */
	CU_ASSERT_EQUAL(parse("0::/system.slice/a\\x2db\x1b[31m.service\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "a\\x2db\x1b[31m.service");
	/* A cgroup name with a newline cannot forge a second line that
	 * beats the first. */
	CU_ASSERT_EQUAL(parse("0::/x.slice/real.service\n0::/system.slice/forged.service\n"), 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "real.service");
	/* A NUL inside the buffer ends what can be trusted. */
	static const char nul[] = "0::/system.slice/a.service\0/b.service";
	char *b = st_test_exact_copy(nul, sizeof(nul) - 1);
	CU_ASSERT_EQUAL(st_parse_cgroup(b, sizeof(nul) - 1, &cg), 0);
	free(b);
	CU_ASSERT_EQUAL(cg.path_truncated, 1);
	CU_ASSERT_STRING_EQUAL(cg.path, "/system.slice/a.service");

	/* A path longer than kept: cut, flagged, and the cut name is not
	 * taken for a unit or a container id. */
	char *big = malloc(8192);
	size_t n = (size_t)snprintf(big, 8192, "0::/system.slice/a.service/");
	while (n < ST_CGROUP_PATH_MAX - 20)
		big[n++] = 'x';
	n += (size_t)snprintf(big + n, 8192 - n, "/docker-" HEX64 ".scope/long.service");
	CU_ASSERT_EQUAL(parse(big), 0);
	CU_ASSERT_EQUAL(cg.path_truncated, 1);
	CU_ASSERT_EQUAL(strlen(cg.path), ST_CGROUP_PATH_MAX - 1);
	CU_ASSERT_STRING_EQUAL(cg.unit, "a.service");
	CU_ASSERT_STRING_EQUAL(cg.runtime, "");
	/* A read that filled its buffer: the last line went on. */
	static const char cut[] = "1:name=systemd:/a.slice/b.service\n0::/system.slice/x.service/sub";
	CU_ASSERT_EQUAL(st_parse_cgroup_cut(cut, sizeof(cut) - 1, 1, &cg), 0);
	CU_ASSERT_EQUAL(cg.path_truncated, 1);
	CU_ASSERT_STRING_EQUAL(cg.unit, "x.service");
	CU_ASSERT_EQUAL(st_parse_cgroup_cut(cut, sizeof(cut) - 6, 1, &cg), 0);
	CU_ASSERT_EQUAL(cg.path_truncated, 1);
	CU_ASSERT_STRING_EQUAL(cg.unit, "");        /* cut in "x.servic": no unit */
	CU_ASSERT_STRING_EQUAL(cg.slice, "system.slice");
	/* Not cut: the whole last line counts. */
	CU_ASSERT_EQUAL(st_parse_cgroup_cut(cut, sizeof(cut) - 1, 0, &cg), 0);
	CU_ASSERT_EQUAL(cg.path_truncated, 0);
	/* Cut, but the path's line ended before the cut. */
	static const char whole[] = "0::/system.slice/y.service\n12:pids:/sys";
	CU_ASSERT_EQUAL(st_parse_cgroup_cut(whole, sizeof(whole) - 1, 1, &cg), 0);
	CU_ASSERT_EQUAL(cg.path_truncated, 0);
	CU_ASSERT_STRING_EQUAL(cg.unit, "y.service");

	/* A unit name longer than the field is cut, not overflowed. */
	n = (size_t)snprintf(big, 8192, "0::/");
	while (n < 600)
		big[n++] = 'u';
	snprintf(big + n, 8192 - n, ".service");
	CU_ASSERT_EQUAL(parse(big), 0);
	CU_ASSERT_EQUAL(strlen(cg.unit), ST_CGROUP_NAME_MAX - 1);
	free(big);

	/* Every prefix of a real line: never past len (ASan), never a crash. */
	const char *line = "0::/kubepods.slice/kubepods-burstable.slice/"
			   "kubepods-burstable-pod1f2e_3d.slice/cri-containerd-" HEX64 ".scope\n";
	for (size_t k = 0; k <= strlen(line); k++) {
		char *p = st_test_exact_copy(line, k);
		st_parse_cgroup(p, k, &cg);
		free(p);
	}
	CU_ASSERT_STRING_EQUAL(cg.runtime, "containerd");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "v2: a system unit and its slice", test_v2_system_unit },
		{ "user units, user sessions", test_user_units },
		{ "v1-only hosts", test_v1_only },
		{ "hybrid hosts: the unified line", test_hybrid },
		{ "docker", test_docker },
		{ "containerd, CRI-O, podman", test_containerd_crio_podman },
		{ "kubepods", test_kubepods },
		{ "malformed lines", test_malformed },
		{ "hostile paths", test_hostile },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("cgroup_parse", tests);
}

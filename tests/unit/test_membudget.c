/* test_membudget.c - unit tests for lib/common/membudget: the default page
 * map budget from MemAvailable and memory cgroup limits, on fake /proc and
 * /sys trees: no cgroup, cgroup v2 (own limit, a parent's lower limit,
 * "max"), cgroup v1 (the memory hierarchy of a hybrid host, its "unlimited"
 * value, the v2 hierarchy beside it that has no memory controller), a container whose mount shows only its own cgroup, a cgroup the
 * mount does not show, usage above the limit, and the 1 MiB / 48 MiB
 * bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/membudget.h"

#define MiB (UINT64_C(1) << 20)

static char root[256];

/* write root/rel (folders made as needed) */
static void put(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void putu(const char *rel, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu\n", (unsigned long long)v);
	put(rel, s);
}

static void meminfo(uint64_t avail)
{
	char s[256];

	snprintf(s, sizeof(s), "MemTotal:       24682496 kB\nMemFree:          100 kB\n"
		 "MemAvailable:   %llu kB\nBuffers:  0 kB\n", (unsigned long long)(avail / 1024));
	put("proc/meminfo", s);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ds-membudget.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static const char v2_mounts[] =
	"25 1 0:22 / / rw - ext4 /dev/vda rw\n"
	"30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

static const char hybrid_mounts[] =
	"25 1 0:22 / / rw - ext4 /dev/vda rw\n"
	"31 25 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
	"33 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"34 31 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";

static void test_no_cgroup(void **state)
{
	(void)state;
	meminfo(100 * MiB);
	CHECK_EQ(membudget_available_at(root), 100 * MiB);
	CHECK_EQ(membudget_default_at(root), 100 * MiB / 8);
	meminfo(8192 * MiB);
	CHECK_EQ(membudget_default_at(root), MEMBUDGET_MAX);
	meminfo(4 * MiB);
	CHECK_EQ(membudget_default_at(root), MEMBUDGET_MIN);
}

static void test_nothing_readable(void **state)
{
	(void)state;
	CHECK_EQ(membudget_available_at(root), UINT64_MAX);
	CHECK_EQ(membudget_default_at(root), MEMBUDGET_MAX);
}

static void test_v2_limit(void **state)
{
	(void)state;
	meminfo(20480 * MiB);
	put("proc/self/mountinfo", v2_mounts);
	put("proc/self/cgroup", "0::/bench/ds\n");
	putu("sys/fs/cgroup/bench/ds/memory.max", 384 * MiB);
	putu("sys/fs/cgroup/bench/ds/memory.current", 16 * MiB);
	put("sys/fs/cgroup/bench/memory.max", "max\n");
	put("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
	CHECK_EQ(membudget_available_at(root), 368 * MiB);
	CHECK_EQ(membudget_default_at(root), 46 * MiB);
	/* a parent's limit binds too */
	putu("sys/fs/cgroup/bench/memory.max", 200 * MiB);
	putu("sys/fs/cgroup/bench/memory.current", 100 * MiB);
	CHECK_EQ(membudget_available_at(root), 100 * MiB);
	/* "max": no limit of its own */
	put("sys/fs/cgroup/bench/memory.max", "max\n");
	put("sys/fs/cgroup/bench/ds/memory.max", "max\n");
	CHECK_EQ(membudget_available_at(root), 20480 * MiB);
	/* usage above the limit: no room at all */
	putu("sys/fs/cgroup/bench/ds/memory.max", 64 * MiB);
	putu("sys/fs/cgroup/bench/ds/memory.current", 70 * MiB);
	CHECK_EQ(membudget_available_at(root), 0);
	CHECK_EQ(membudget_default_at(root), MEMBUDGET_MIN);
	/* MemAvailable lower than the cgroup's room */
	putu("sys/fs/cgroup/bench/ds/memory.max", 512 * MiB);
	putu("sys/fs/cgroup/bench/ds/memory.current", 0);
	meminfo(40 * MiB);
	CHECK_EQ(membudget_available_at(root), 40 * MiB);
}

static void test_v1_hybrid(void **state)
{
	(void)state;
	meminfo(20480 * MiB);
	put("proc/self/mountinfo", hybrid_mounts);
	put("proc/self/cgroup", "9:name=systemd:/\n4:memory:/process_api/x\n1:cpu:/\n0::/\n");
	putu("sys/fs/cgroup/memory/memory.limit_in_bytes", UINT64_C(9223372036854771712));
	putu("sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", UINT64_C(9223372036854771712));
	putu("sys/fs/cgroup/memory/process_api/x/memory.limit_in_bytes", 512 * MiB);
	putu("sys/fs/cgroup/memory/process_api/x/memory.usage_in_bytes", 0);
	CHECK_EQ(membudget_available_at(root), 512 * MiB);
	CHECK_EQ(membudget_default_at(root), MEMBUDGET_MAX);
	/* the v2 hierarchy of a hybrid host has no memory controller: nothing there */
	put("sys/fs/cgroup/unified/cgroup.controllers", "\n");
	put("sys/fs/cgroup/unified/memory.max", "1048576\n");
	CHECK_EQ(membudget_available_at(root), 512 * MiB);
}

static void test_container(void **state)
{
	(void)state;
	meminfo(20480 * MiB);
	/* the mount shows the container's own cgroup as its root */
	put("proc/self/mountinfo",
	    "30 25 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
	put("proc/self/cgroup", "0::/docker/abc/job\n");
	putu("sys/fs/cgroup/job/memory.max", 256 * MiB);
	putu("sys/fs/cgroup/job/memory.current", 0);
	putu("sys/fs/cgroup/memory.max", 128 * MiB);
	putu("sys/fs/cgroup/memory.current", 64 * MiB);
	CHECK_EQ(membudget_available_at(root), 64 * MiB);
	/* a cgroup the mount does not show is left alone */
	put("proc/self/cgroup", "0::/elsewhere\n");
	CHECK_EQ(membudget_available_at(root), 20480 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_readable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_hybrid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

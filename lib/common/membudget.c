/* membudget.c - the default memory budget of the page maps, from
 * MemAvailable and the memory cgroup limits (see membudget.h).
 *
 * /proc/self/cgroup names this process's cgroup in each hierarchy
 * ("0::/a/b" for v2, "N:...memory...:/a/b" for v1); /proc/self/mountinfo
 * says where each hierarchy is mounted and which of its folders the mount
 * shows (a container sees its own cgroup as the mount's root).  The limit
 * files are then read for the cgroup and each ancestor the mount shows:
 * a parent's limit binds its children too.  "max" (v2) and v1's huge
 * "unlimited" value mean no limit.
 */
#include "membudget.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LEN 4096
/* v1 reports "no limit" as LONG_MAX rounded down to a page, or near it */
#define NO_LIMIT_ABOVE (UINT64_C(1) << 60)

static bool read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "re");
	char line[64];
	bool ok = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		char *end;
		unsigned long long x = strtoull(line, &end, 10);

		if (end != line && (*end == '\n' || *end == '\0')) {
			*v = x;
			ok = true;
		}
	}
	fclose(f);
	return ok;
}

static uint64_t mem_available(const char *root)
{
	char path[PATH_LEN], line[128];
	unsigned long long kb;
	uint64_t v = UINT64_MAX;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	f = fopen(path, "re");
	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			v = (uint64_t)kb * 1024;
			break;
		}
	fclose(f);
	return v;
}

/* This process's cgroup path in the v2 hierarchy (v1 false) or in the v1
 * hierarchy that has the memory controller; false if none. */
static bool own_cgroup(const char *root, bool v1, char *out, size_t cap)
{
	char path[PATH_LEN], line[PATH_LEN];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (v1) {
			/* the controller list: "memory" among comma-separated names */
			for (char *t = c1 + 1, *save = NULL; (t = strtok_r(t, ",", &save)); t = NULL)
				if (!strcmp(t, "memory"))
					found = true;
		} else {
			found = !strcmp(line, "0") && c1[1] == '\0';
		}
		if (found)
			snprintf(out, cap, "%s", c2 + 1);
	}
	fclose(f);
	return found;
}

/* The mount point of the v2 hierarchy, or of the v1 one with "memory" in
 * its super options, and the hierarchy folder it shows. */
static bool cgroup_mount(const char *root, bool v1, char *mnt, size_t mcap, char *mroot,
			 size_t rcap)
{
	char path[PATH_LEN], line[PATH_LEN];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/* id parent major:minor root mountpoint opts [tags] - fstype source superopts */
		char *f4 = NULL, *f5 = NULL, *dash = strstr(line, " - "), *save = NULL;
		char fstype[64], superopts[512];
		int i = 0;

		if (!dash)
			continue;
		*dash = '\0';
		if (sscanf(dash + 3, "%63s %*s %511s", fstype, superopts) != 2)
			continue;
		for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save), i++) {
			if (i == 3)
				f4 = t;
			else if (i == 4)
				f5 = t;
		}
		if (!f4 || !f5)
			continue;
		if (v1 ? !strcmp(fstype, "cgroup") : !strcmp(fstype, "cgroup2")) {
			if (v1) {
				char *s2 = NULL;

				for (char *t = strtok_r(superopts, ",", &s2); t; t = strtok_r(NULL, ",", &s2))
					if (!strcmp(t, "memory"))
						found = true;
			} else {
				found = true;
			}
			if (found) {
				snprintf(mnt, mcap, "%s", f5);
				snprintf(mroot, rcap, "%s", f4);
			}
		}
	}
	fclose(f);
	return found;
}

/* Does the v2 hierarchy at mnt have the memory controller?  (Yes when
 * cgroup.controllers cannot be read: the limit files then decide.) */
static bool v2_has_memory(const char *root, const char *mnt)
{
	char path[2 * PATH_LEN], line[512];
	bool yes = true;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s/cgroup.controllers", root, mnt);
	f = fopen(path, "re");
	if (!f)
		return true;
	if (fgets(line, sizeof(line), f)) {
		yes = false;
		for (char *t = line, *save = NULL; (t = strtok_r(t, " \n", &save)); t = NULL)
			if (!strcmp(t, "memory"))
				yes = true;
	} else {
		yes = false;     /* empty: no controller at all */
	}
	fclose(f);
	return yes;
}

/* The lowest room (limit - usage) of the cgroup and its ancestors in one
 * hierarchy; UINT64_MAX when none has a limit or the files are missing. */
static uint64_t cgroup_room(const char *root, bool v1)
{
	char cg[PATH_LEN], mnt[PATH_LEN], mroot[PATH_LEN], rel[PATH_LEN], dir[3 * PATH_LEN];
	char path[3 * PATH_LEN + 32];
	uint64_t room = UINT64_MAX;
	size_t rl;

	if (!own_cgroup(root, v1, cg, sizeof(cg)) || !cgroup_mount(root, v1, mnt, sizeof(mnt),
								  mroot, sizeof(mroot)))
		return room;
	/* the part of the cgroup path below the mount's root */
	rl = strlen(mroot);
	if (!strcmp(mroot, "/"))
		snprintf(rel, sizeof(rel), "%s", cg);
	else if (!strncmp(cg, mroot, rl) && (cg[rl] == '/' || cg[rl] == '\0'))
		snprintf(rel, sizeof(rel), "%s", cg + rl);
	else
		return room;     /* our cgroup is not visible through this mount */
	/* v2 without the memory controller (a hybrid host binds it to v1) */
	if (!v1 && !v2_has_memory(root, mnt))
		return room;
	/* "/a/b" -> "/a" -> "" (the mount's root) */
	rl = strlen(rel);
	while (rl && rel[rl - 1] == '/')
		rel[--rl] = '\0';
	for (;;) {
		uint64_t limit, usage;

		snprintf(dir, sizeof(dir), "%s%s%s", root, mnt, rel);
		snprintf(path, sizeof(path), "%s/%s", dir, v1 ? "memory.limit_in_bytes" : "memory.max");
		if (read_u64(path, &limit) && limit < NO_LIMIT_ABOVE) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 v1 ? "memory.usage_in_bytes" : "memory.current");
			if (!read_u64(path, &usage))
				usage = 0;
			if (usage > limit)
				usage = limit;
			if (limit - usage < room)
				room = limit - usage;
		}
		if (rel[0] == '\0')
			break;
		char *slash = strrchr(rel, '/');

		*(slash ? slash : rel) = '\0';
	}
	return room;
}

uint64_t membudget_available_at(const char *root)
{
	uint64_t avail = mem_available(root), r;

	r = cgroup_room(root, false);
	if (r < avail)
		avail = r;
	r = cgroup_room(root, true);
	if (r < avail)
		avail = r;
	return avail;
}

size_t membudget_default_at(const char *root)
{
	uint64_t avail = membudget_available_at(root);
	size_t budget = MEMBUDGET_MAX;

	if (avail != UINT64_MAX && avail / 8 < budget)
		budget = (size_t)(avail / 8);
	return budget < MEMBUDGET_MIN ? MEMBUDGET_MIN : budget;
}

size_t membudget_default(void)
{
	return membudget_default_at("");
}

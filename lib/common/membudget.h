/* membudget.h - how much memory the page maps may use when the caller does
 * not say (--cyclic-buffer): an eighth of the memory this process can still
 * get, at most 48 MiB, at least 1 MiB.  Past it the maps do not grow: they
 * spill to --work-dir, or the scan makes the pieces it dropped again
 * (keepmap.h).  So the collector's own memory stays under 64 MiB whatever
 * the machine's size, and most of a capture kernel's memory is left to the
 * kernel (the output's page cache, the capture kernel's own needs).
 *
 * "Can still get" is the lowest of MemAvailable (/proc/meminfo) and, for
 * every memory cgroup from this process's up to the root that has a limit,
 * that limit minus the cgroup's usage (its page cache included, which is
 * what the kernel charges and reclaims against the limit).  Both cgroup
 * versions are read: v2 memory.max / memory.current, v1
 * memory.limit_in_bytes / memory.usage_in_bytes, at the mount points listed
 * in /proc/self/mountinfo.  A capture kernel's whole memory is small, so
 * MemAvailable says it there; a collector run in a container or a test
 * cgroup on a big host is told by the cgroup.
 */
#ifndef DS_MEMBUDGET_H
#define DS_MEMBUDGET_H

#include <stddef.h>
#include <stdint.h>

#define MEMBUDGET_MAX ((size_t)48 << 20)
#define MEMBUDGET_MIN ((size_t)1 << 20)

/* The default budget, from the running system. */
size_t membudget_default(void);

/* The same, with every path read under root ("" for the running system):
 * root/proc/meminfo, root/proc/self/cgroup, root/proc/self/mountinfo and the
 * cgroup files under the mount points mountinfo names (also under root). */
size_t membudget_default_at(const char *root);

/* Bytes this process can still get: the lowest of MemAvailable and the
 * cgroups' room; UINT64_MAX when nothing could be read. */
uint64_t membudget_available_at(const char *root);

#endif

/* check.h - the assertions the unit tests share, on top of cmocka.
 *
 * A test names the case it is in with WHERE("...", ...); a failing check
 * prints that, the expression, and both values (decimal and hex: offsets,
 * flags and addresses read best in hex, counts in decimal).  Include after
 * <cmocka.h>.
 */
#ifndef DS_TEST_CHECK_H
#define DS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static char where[512];

#define WHERE(...) snprintf(where, sizeof(where), __VA_ARGS__)

#define CHECK(cond) do { \
	if (!(cond)) \
		fail_msg("%s: check failed: %s", where, #cond); \
} while (0)

/* Equal as 64-bit patterns (so -129 == 0xffffffffffffff7f). */
#define CHECK_EQ(a, b) do { \
	unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
	if (a_ != b_) \
		fail_msg("%s: %s is %lld (0x%llx), expected %s = %lld (0x%llx)", where, \
			 #a, (long long)a_, a_, #b, (long long)b_, b_); \
} while (0)

#define CHECK_EQ_U64(a, b) CHECK_EQ(a, b)

#define CHECK_MSG(err, sub) do { \
	if (!strstr((err)->msg, (sub))) \
		fail_msg("%s: message \"%s\" lacks \"%s\"", where, (err)->msg, (sub)); \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || strcmp(a_, b_)) \
		fail_msg("%s: %s is \"%s\", expected \"%s\"", where, #a, \
			 a_ ? a_ : "(null)", b_); \
} while (0)

/* The end of main() of a test that writes files: they go to a fresh
 * directory (its path in `dir`, a char array) under /dev/shm, or /tmp,
 * named after `name`, which is removed after `tests` ran. */
#define RUN_TESTS_IN_TMPDIR(dir, name, tests) do { \
	struct stat shm_; \
	char cmd_[128]; \
	int r_; \
	snprintf(dir, sizeof(dir), "%s/%s.XXXXXX", \
		 stat("/dev/shm", &shm_) == 0 && S_ISDIR(shm_.st_mode) ? "/dev/shm" : "/tmp", \
		 name); \
	if (!mkdtemp(dir)) \
		return 1; \
	r_ = cmocka_run_group_tests(tests, NULL, NULL); \
	snprintf(cmd_, sizeof(cmd_), "rm -rf %s", dir); \
	if (system(cmd_) != 0) \
		return 1; \
	return r_; \
} while (0)

#endif

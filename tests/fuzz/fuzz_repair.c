/* fuzz_repair.c - fuzz target: the repair of a cut-short kdump-compressed
 * file (lib/format/kdump_repair), which reads a dump's header, bitmaps and
 * descriptor table as found: -R runs it on whatever a stream delivered, a
 * failed dump on what it wrote.
 *
 * Input: a kdump-compressed file (seeds: dumps of the vmcore seeds, cut
 * and whole).  An odd-sized input is repaired as if its last quarter never
 * arrived (the `have` callback), an even one as it is.  Promises checked:
 * it keeps no more pages than were planned, and what it leaves is
 * consistent: repairing the result again keeps every page it holds.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "format/kdump_repair.h"

static bool arrived(void *arg, uint64_t off, uint64_t len)
{
	uint64_t upto = *(const uint64_t *)arg;

	return off <= upto && len <= upto - off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	uint64_t upto = size - size / 4;
	struct kdump_repair_io io = { .name = path, .size = size, .mark_incomplete = true };
	struct kdump_repair_stats st, again;
	struct ds_err err;

	io.fd = fuzz_file_fd();
	if (size & 1) {
		io.have = arrived;
		io.have_arg = &upto;
	}
	if (kdump_repair(&io, &st, &err) < 0) {
		fuzz_say("repair: %s", err.msg);
		fuzz_check(err.msg[0], "a failed repair without a message");
		return 0;
	}
	fuzz_say("repair: %" PRIu64 " of %" PRIu64 " pages kept", st.kept, st.planned);
	fuzz_check(st.kept <= st.planned, "kept %" PRIu64 " of %" PRIu64, st.kept, st.planned);
	io.have = NULL;
	io.mark_incomplete = false;
	fuzz_check(kdump_repair(&io, &again, &err) == 0, "repairing again: %s", err.msg);
	fuzz_check(again.planned == st.kept && again.kept == st.kept,
		   "kept %" PRIu64 " pages; again: %" PRIu64 " planned, %" PRIu64 " kept",
		   st.kept, again.planned, again.kept);
	return 0;
}

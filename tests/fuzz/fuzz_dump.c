/* fuzz_dump.c - fuzz target: the whole dump through the public API
 * (ds_dump), input to output, as the command line runs it.
 *
 * Input: a vmcore whose last 64 bytes also choose the options (struct
 * fuzz_params): dump level, codec, -e, --non-mmap, 1 to 3 compression
 * threads, and --dry-run or a real output file (a memfd).  This is the
 * one target that covers the copy (page reads, zero check, compression)
 * and the kdump-compressed writer on hostile input.  With FUZZ_F_DMESG it
 * runs --dump-dmesg instead (ds_dump_dmesg, the log reader behind the
 * kernel's own page tables), with FUZZ_F_MEM_USAGE --mem-usage (ds_mem_usage,
 * whose report must add up as a dump's).  A dump that succeeds
 * must have written a file that starts with the kdump signature and whose
 * report adds up.
 */
#include <dumpsieve/dumpsieve.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_params p;
	struct ds_options o;
	struct ds_report rep;
	struct ds_err err;
	int out_fd = -1;

	fuzz_params_get(data, size, &p);
	memset(&o, 0, sizeof(o));
	o.input = fuzz_file(data, size);
	o.dump_level = p.level & 31;
	o.codec = (enum ds_codec)(p.codec % DS_CODEC_MAX);
	if (!ds_codec_available(o.codec))
		o.codec = DS_CODEC_NONE;
	o.exclude_vmemmap = p.flags & FUZZ_F_EXCLUDE_VMEMMAP;
	o.no_mmap = p.flags & FUZZ_F_NO_MMAP;
	/* FUZZ_SERIAL=1 (run.sh -r, make fuzzcheck): no compression threads,
	 * whose interleaving would make the coverage, and so the inputs tried,
	 * differ from one run to the next; the campaign keeps them */
	static int serial = -1;
	if (serial < 0)
		serial = getenv("FUZZ_SERIAL") != NULL;
	o.num_threads = serial ? 0 : p.threads & 3;
	o.map_budget = 1u << 20;
	o.force = true;
	if (p.flags & FUZZ_F_DMESG) {
		struct ds_dmesg_report drep;
		struct stat st;

		o.output = fuzz_out_file(&out_fd);
		o.partial_dmesg = p.level & 1;
		o.dmesg_caller_id = p.level & 2;
		if (ds_dump_dmesg(&o, &drep, &err) < 0) {
			fuzz_say("dmesg: %s", err.msg);
			fuzz_check(err.msg[0], "a failed --dump-dmesg without a message");
			return 0;
		}
		fuzz_say("dmesg: %s, %" PRIu64 " records, %" PRIu64 " bytes", drep.layout,
			 drep.records, drep.bytes);
		fuzz_check(fstat(out_fd, &st) == 0 && (uint64_t)st.st_size == drep.bytes,
			   "log is %lld bytes, the report says %" PRIu64,
			   (long long)st.st_size, drep.bytes);
		return 0;
	}
	if (p.flags & FUZZ_F_WRITE)
		o.output = fuzz_out_file(&out_fd);
	else
		o.dry_run = true;
	int r;

	if (p.flags & FUZZ_F_MEM_USAGE) {
		out_fd = -1;
		r = ds_mem_usage(&o, &rep, &err);
	} else {
		r = ds_dump(&o, &rep, &err);
	}
	if (r < 0) {
		fuzz_say("dump: %s", err.msg);
		fuzz_check(err.msg[0], "a failed dump without a message");
		return 0;
	}
	fuzz_say("dump: -d %u: %" PRIu64 " of %" PRIu64 " pages, %" PRIu64 " bytes",
		 o.dump_level, rep.remaining_pages, rep.original_pages, rep.write_bytes);
	fuzz_check(rep.original_pages + rep.hole_pages == rep.max_mapnr &&
		   rep.excluded_pages + rep.remaining_pages == rep.original_pages &&
		   rep.remaining_pages <= rep.original_pages,
		   "report: max_mapnr %" PRIu64 " original %" PRIu64 " holes %" PRIu64
		   " excluded %" PRIu64 " remaining %" PRIu64, rep.max_mapnr,
		   rep.original_pages, rep.hole_pages, rep.excluded_pages, rep.remaining_pages);
	if (out_fd >= 0) {
		char sig[8];
		struct stat st;

		fuzz_check(fstat(out_fd, &st) == 0 && (uint64_t)st.st_size == rep.write_bytes,
			   "output is %lld bytes, the report says %" PRIu64,
			   (long long)st.st_size, rep.write_bytes);
		fuzz_check(pread(out_fd, sig, sizeof(sig), 0) == sizeof(sig) &&
			   !memcmp(sig, "KDUMP   ", 8), "output without the kdump signature");
	}
	return 0;
}

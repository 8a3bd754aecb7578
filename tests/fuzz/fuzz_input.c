/* fuzz_input.c - fuzz target: the input seam (lib/input), every format it
 * recognises (input.c picks the member from the file's first bytes: ELF
 * today; kdump-compressed and flattened files as their members land).
 *
 * Input: any file.  When a member accepts it, its promises are checked:
 * the notes and VMCOREINFO lie where it says; the physical map it gives
 * (map_pages) has dumped pfns only among present ones; and for the first
 * present pfns the two read paths agree: read_page (zero-copy or buffer)
 * and read_phys return the same bytes, or both fail cleanly.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "common/keepmap.h"
#include "input/input.h"

#define MAX_PFN_MAPPED (1ull << 28)    /* a keep-map this big is ~400 KiB */
#define PAGES_READ 48

static void read_pages(struct input *in, struct keepmap *km, uint32_t ps, unsigned shift)
{
	uint8_t *buf = malloc(ps), *phys = malloc(ps);
	const uint8_t *page;
	struct ds_err err;
	uint64_t pfn = 0;

	if (!buf || !phys)
		abort();
	for (unsigned n = 0; n < PAGES_READ; n++, pfn++) {
		pfn = keepmap_next_dumped(km, pfn);
		if (pfn >= km->npfn)
			break;
		fuzz_check(keepmap_is_present(km, pfn), "pfn 0x%" PRIx64 " dumped, not present", pfn);
		int a = input_read_page(in, pfn << shift, ps, buf, &page, &err);
		if (a == 0) {
			/* copy out: read_phys may move the mapping page points into */
			memmove(buf, page, ps);
			page = buf;
		}
		int b = input_read_phys(in, pfn << shift, phys, ps, &err);

		if (a == 0 && b == 0)
			fuzz_check(!memcmp(page, phys, ps),
				   "pfn 0x%" PRIx64 ": read_page and read_phys differ", pfn);
		input_prefetch(in, pfn << shift, ps);
	}
	free(buf);
	free(phys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_config cfg = { .no_mmap = size & 1 };
	struct input in;
	struct keepmap km;
	struct ds_err err;

	memset(&in, 0, sizeof(in));
	in.src.fd = -1;
	if (input_open(&in, fuzz_file(data, size), &cfg, &err) < 0) {
		fuzz_say("input: %s", err.msg);
		fuzz_check(err.msg[0], "a refused input without a message");
		return 0;
	}
	fuzz_check(in.ops && in.ops->name, "an input without a format");
	fuzz_check(in.vmcoreinfo_off <= in.notes_size &&
		   in.vmcoreinfo_size <= in.notes_size - in.vmcoreinfo_off,
		   "VMCOREINFO at 0x%" PRIx64 "+0x%" PRIx64 " outside notes of 0x%" PRIx64,
		   in.vmcoreinfo_off, in.vmcoreinfo_size, in.notes_size);
	fuzz_check(!in.notes_size || in.notes, "notes without bytes");
	if (in.notes_size) {
		/* ASan sees notes shorter than said */
		volatile uint8_t last = in.notes[in.notes_size - 1];
		(void)last;
	}

	uint32_t ps = in.page_size ? in.page_size : 4096;
	unsigned shift = (unsigned)__builtin_ctz(ps);

	fuzz_check(!(ps & (ps - 1)) && ps >= 1024 && ps <= (1u << 20), "page size %u", ps);
	uint64_t max_pfn = input_max_pfn(&in, shift);

	fuzz_say("input: %s, %" PRIu64 " pfns of %u bytes", in.ops->name, max_pfn, ps);
	if (max_pfn <= MAX_PFN_MAPPED && keepmap_init(&km, max_pfn, &err) == 0) {
		if (keepmap_set_budget(&km, 1u << 20, NULL, &err) == 0 &&
		    input_map_pages(&in, shift, &km, &err) == 0) {
			fuzz_check(keepmap_count_dumped(&km) <= keepmap_count_present(&km),
				   "more dumped than present pfns");
			read_pages(&in, &km, ps, shift);
		}
		keepmap_release(&km);
	}
	input_close(&in);
	return 0;
}

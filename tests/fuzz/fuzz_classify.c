/* fuzz_classify.c - fuzz target: struct page classification
 * (page_classify in lib/filter/classify) on chosen struct page bytes.
 *
 * Input: a 16-byte header {u8 dump level, u8 flags (1: no next page,
 * 2: a big-endian machine, 4: 4-byte longs; else x86_64's struct pages),
 * u16 length of the VMCOREINFO text, u32 max_npages, u64 pfn} (little
 * endian), the VMCOREINFO text, then the struct page and the one after it
 * (zero padded to SIZE(page) each).  Seeds hold the VMCOREINFO of each
 * kernel generation of tests/gen and one struct page of each kind, so the
 * fuzzer starts from every encoding.  The verdict's promises are checked:
 * a known class, 1 page for a kept or tail page, a free block a power of
 * two aligned on its pfn, never more than max_npages (or 1).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "filter/classify.h"
#include "kernel/vmcoreinfo.h"

struct hdr {
	uint8_t level, flags;
	uint16_t vi_len;
	uint32_t max_npages;
	uint64_t pfn;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr h;
	struct vmcoreinfo *vi;
	struct page_rules r;
	struct page_verdict v;
	struct ds_err err;
	const uint8_t *rest;
	size_t rest_len;
	unsigned level;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);
	if (h.vi_len > size)
		h.vi_len = (uint16_t)size;
	if (vmcoreinfo_parse((const char *)data, h.vi_len, &vi, &err) < 0)
		return 0;
	rest = data + h.vi_len;
	rest_len = size - h.vi_len;
	level = h.level & DL_MAX;
	struct machine mach = { .big_endian = (h.flags & 2) != 0,
				.word_size = (h.flags & 4) ? 4 : 8 };

	if (page_rules_init(&r, vi, &mach, level, &err) < 0) {
		vmcoreinfo_free(vi);
		return 0;
	}

	uint32_t ps = r.page_size;
	uint8_t *page = calloc(1, ps), *next = calloc(1, ps);

	if (!page || !next)
		abort();
	memcpy(page, rest, rest_len < ps ? rest_len : ps);
	if (rest_len > ps)
		memcpy(next, rest + ps, rest_len - ps < ps ? rest_len - ps : ps);

	bool head = page_is_compound_head(&r, page);
	page_classify(&r, page, (h.flags & 1) ? NULL : next, h.pfn, level, h.max_npages, &v);
	uint64_t bound = h.max_npages ? h.max_npages : 1;

	fuzz_check(v.cls < PAGE_CLASS_MAX, "class %d", v.cls);
	fuzz_check(v.npages >= 1 && v.npages <= bound, "npages %llu, max %llu",
		   (unsigned long long)v.npages, (unsigned long long)bound);
	fuzz_check((v.cls != PAGE_KEEP && v.cls != PAGE_TAIL) || v.npages == 1,
		   "kept page with npages %llu", (unsigned long long)v.npages);
	fuzz_check(v.cls != PAGE_TAIL || !head, "a compound head classified as a tail");
	if (v.cls == PAGE_FREE && v.npages < bound)
		fuzz_check(!(v.npages & (v.npages - 1)) && h.pfn % v.npages == 0,
			   "free block of %llu pages at pfn 0x%llx",
			   (unsigned long long)v.npages, (unsigned long long)h.pfn);
	if (v.npages > 1)
		fuzz_check(v.cls == PAGE_FREE || v.cls == PAGE_UNACCEPTED || head,
			   "%llu pages for class %d, not a head",
			   (unsigned long long)v.npages, v.cls);
	free(page);
	free(next);
	vmcoreinfo_free(vi);
	return 0;
}

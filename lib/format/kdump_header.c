/* kdump_header.c - kdump-compressed header layouts (see kdump_header.h).
 * The offsets are those of gcc for x86_64 and i686 (checked with offsetof
 * on makedumpfile's diskdump_mod.h); every other LP64 machine's are
 * x86_64's. */
#include "kdump_header.h"

#include <string.h>

#include "../common/bytes.h"

static const struct kdump_offsets lp64 = {
	.hdr_size = 464, .sub_size = 104, .long_size = 8, .timestamp = 408, .status = 424,
	.dump_level = 8, .start_pfn = 16, .vmcoreinfo = 32, .note = 48, .eraseinfo = 64,
	.pfn64 = 80,
};

static const struct kdump_offsets i386 = {
	.hdr_size = 452, .sub_size = 80, .long_size = 4, .timestamp = 404, .status = 412,
	.dump_level = 4, .start_pfn = 12, .vmcoreinfo = 20, .note = 32, .eraseinfo = 44,
	.pfn64 = 56,
};

const struct kdump_offsets *kdump_offsets_of(const struct machine *m)
{
	return m->word_size == 4 ? &i386 : &lp64;
}

bool kdump_header_machine(const uint8_t *hdr, struct machine *ret)
{
	static const char *const ilp32[] = { "i386", "i486", "i586", "i686" };
	/* signature[8], header_version, then utsname: machine is its 5th */
	const char *machine = (const char *)hdr + 12 + 4 * KDUMP_UTS_LEN;
	uint32_t le = bytes_get_le32(hdr + 8), be = bytes_get_be32(hdr + 8);

	memset(ret, 0, sizeof(*ret));
	ret->word_size = 8;
	for (size_t i = 0; i < sizeof(ilp32) / sizeof(ilp32[0]); i++)
		if (!strncmp(machine, ilp32[i], KDUMP_UTS_LEN))
			ret->word_size = 4;
	if (le <= 1000)
		return true;
	if (be <= 1000) {
		ret->big_endian = true;
		return true;
	}
	return false;
}

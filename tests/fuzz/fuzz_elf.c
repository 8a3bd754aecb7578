/* fuzz_elf.c - fuzz target: the ELF vmcore reader (lib/elf/elf_read).
 *
 * Input: a whole ELF vmcore file.  On a file the reader accepts, its
 * promises are checked: the physical ranges are sorted and apart,
 * VMCOREINFO lies inside the notes; a range's data may run past the end of
 * the file (a vmcore cut short is dumped, its missing pages counted as
 * lost) only when the core says it is short (short_by), and then the part
 * inside the file reads and the part past it fails as DS_EREAD, never
 * reading out of bounds; reads of physical memory at every range edge
 * either succeed or fail cleanly.  Odd sizes read through pread, even ones
 * through mmap windows.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "elf/elf_read.h"
#include "io/source.h"

static void read_around(const struct elf_core *core, struct source *src, uint64_t paddr)
{
	static uint8_t buf[8192];
	struct ds_err err;

	/* a page before and after, across range edges and holes */
	(void)elf_read_phys(core, src, paddr - 4096, buf, 4096, &err);
	(void)elf_read_phys(core, src, paddr, buf, sizeof(buf), &err);
	(void)elf_read_phys(core, src, paddr - 1, buf, 2, &err);
	elf_prefetch_phys(core, src, paddr - 4096, 8192);
}

/* Range i's data against the file: what lies inside reads, what lies past
 * the end (allowed only in a core that says it is short) fails as DS_EREAD.
 * Adds the bytes past the end to *past. */
static void check_short(const struct elf_core *core, struct source *src, size_t i,
			size_t size, uint64_t *past)
{
	const struct phys_range *r = &core->ranges[i];
	uint64_t data = r->data_end - r->start;
	uint64_t inside = r->file_off >= size ? 0 : size - r->file_off;
	uint8_t byte;
	struct ds_err err;
	int rc;

	if (inside >= data)
		return;
	fuzz_check(core->short_by > 0, "range %zu: data at 0x%llx+0x%llx past the file (0x%zx)"
		   " in a core that is not short", i, (unsigned long long)r->file_off,
		   (unsigned long long)data, size);
	/* saturating, as the reader's short_by (a sum of huge claims would wrap) */
	*past = data - inside > UINT64_MAX - *past ? UINT64_MAX : *past + (data - inside);
	if (inside) {
		rc = elf_read_phys(core, src, r->start + inside - 1, &byte, 1, &err);
		fuzz_check(rc == 0, "range %zu: last byte inside the file unreadable: %s", i, err.msg);
	}
	rc = elf_read_phys(core, src, r->start + inside, &byte, 1, &err);
	fuzz_check(rc == -DS_EREAD && err.msg[0],
		   "range %zu: a byte past the file read as %d (%s), not DS_EREAD", i, rc,
		   rc ? err.msg : "data");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source src;
	struct elf_core core;
	struct ds_err err;
	uint64_t past = 0;

	if (source_open(&src, fuzz_file(data, size), &err) < 0)
		fuzz_check(0, "source_open: %s", err.msg);
	if (size & 1)
		source_disable_mmap(&src);
	if (elf_core_open(&core, &src, &err) < 0) {
		source_close(&src);
		return 0;
	}
	fuzz_check(core.n_loads > 0 && core.n_ranges <= core.n_loads, "%zu ranges of %zu loads",
		   core.n_ranges, core.n_loads);
	fuzz_check(core.vmcoreinfo_off + core.vmcoreinfo_size <= core.notes_size &&
		   core.vmcoreinfo_off <= core.notes_size,
		   "VMCOREINFO at 0x%llx+0x%llx outside notes of 0x%llx",
		   (unsigned long long)core.vmcoreinfo_off,
		   (unsigned long long)core.vmcoreinfo_size,
		   (unsigned long long)core.notes_size);
	for (size_t i = 0; i < core.n_ranges; i++) {
		const struct phys_range *r = &core.ranges[i];

		fuzz_check(r->start < r->end && r->start <= r->data_end && r->data_end <= r->end,
			   "range %zu: [0x%llx, 0x%llx) data_end 0x%llx", i,
			   (unsigned long long)r->start, (unsigned long long)r->end,
			   (unsigned long long)r->data_end);
		fuzz_check(i == 0 || core.ranges[i - 1].end <= r->start,
			   "range %zu overlaps the one before", i);
		check_short(&core, &src, i, size, &past);
		fuzz_check(elf_find_range(&core, r->start) == (long)i &&
			   elf_find_range(&core, r->end - 1) == (long)i,
			   "range %zu not found by its own addresses", i);
		if (i < 64) {
			read_around(&core, &src, r->start);
			read_around(&core, &src, r->data_end);
			read_around(&core, &src, r->end);
		}
	}
	fuzz_check(past <= core.short_by, "0x%llx bytes of range data past the file, short_by 0x%llx",
		   (unsigned long long)past, (unsigned long long)core.short_by);
	elf_core_release(&core);
	source_close(&src);
	return 0;
}

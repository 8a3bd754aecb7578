/* fuzz_pagewalk.c - fuzz target: the crashed kernel's page-table walk
 * (the architecture's vtop, lib/arch) and the cached virtual reads built on
 * it (kernel_vtop, kernel_read in lib/kernel).
 *
 * Input: a vmcore (seeds: small synthetic ones from tests/gen with real
 * page tables, see README.md) whose last 64 bytes also give seven virtual
 * addresses to translate (struct fuzz_params), beside the addresses
 * VMCOREINFO names.  For each translation the promises are checked: the
 * mapping size is a power of two of at least a page and holds the address
 * at the same offset, and the translation cache answers what a fresh walk
 * answers for other addresses of the same mapping.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "arch/arch.h"

static void translate(struct kernel *k, uint64_t vaddr)
{
	static uint8_t buf[3 * 4096];
	uint64_t paddr, size, cached, fresh;
	struct ds_err err;

	if (k->arch->vtop(k, vaddr, &paddr, &size, &err) < 0) {
		(void)kernel_read(k, vaddr, buf, 16, &err);
		return;
	}
	fuzz_check(size >= k->page_size && !(size & (size - 1)),
		   "map size 0x%" PRIx64 " for 0x%" PRIx64, size, vaddr);
	fuzz_check((paddr & (size - 1)) == (vaddr & (size - 1)),
		   "0x%" PRIx64 " -> 0x%" PRIx64 " in a mapping of 0x%" PRIx64,
		   vaddr, paddr, size);
	/* fill the cache with this mapping, then ask for its edges */
	k->tlb_size = 0;
	fuzz_check(kernel_vtop(k, vaddr, &cached, &err) == 0 && cached == paddr,
		   "kernel_vtop(0x%" PRIx64 ") differs from the walk", vaddr);
	uint64_t base = vaddr & ~(size - 1);
	const uint64_t probes[] = { base, base + size - 1, base + (size >> 1) + 8 };

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (kernel_vtop(k, probes[i], &cached, &err) < 0)
			continue;
		if (k->arch->vtop(k, probes[i], &fresh, &size, &err) < 0)
			continue;
		fuzz_check(cached == fresh, "cached 0x%" PRIx64 " -> 0x%" PRIx64
			   ", walk says 0x%" PRIx64, probes[i], cached, fresh);
	}
	(void)kernel_read(k, vaddr - 8, buf, 16, &err);
	(void)kernel_read(k, vaddr & ~(uint64_t)(k->page_size - 1), buf, sizeof(buf), &err);
	kernel_prefetch(k, vaddr, 2 * (uint64_t)k->page_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const symbols[] = { "init_uts_ns", "mem_section", "mem_map" };
	struct fuzz_vmcore v;
	uint64_t sym;

	if (fuzz_vmcore_open(&v, data, size) == 0) {
		for (size_t i = 0; i < sizeof(v.p.vaddr) / sizeof(v.p.vaddr[0]); i++)
			translate(&v.k, v.p.vaddr[i]);
		for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
			if (vmci_symbol(v.k.vi, symbols[i], &sym))
				translate(&v.k, sym);
	}
	fuzz_vmcore_close(&v);
	return 0;
}

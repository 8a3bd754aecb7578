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
 * answers for other addresses of the same mapping.  On x86_64 every
 * answer is also compared with an independent walk written here from the
 * architecture's facts (ref_x86_64): both translate to the same address
 * and mapping size, or both fail.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "arch/arch.h"

/* The x86_64 walk from its facts alone: 4 levels, or 5 with
 * NUMBER(pgtable_l5_enabled)=1; root init_top_pgt (init_level4_pgt before
 * 4.13), a kernel image address, at phys_base; entries present in bit 0,
 * the frame in bits 12-51 without the SME C-bit, PSE (bit 7) ending the
 * walk at 1 GiB or 2 MiB; addresses canonical. */
static bool ref_x86_64(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		       uint64_t *ret_size)
{
	int64_t l5 = 0, sme = 0;
	uint64_t root, table, mask;
	unsigned levels, bits;
	struct ds_err err;

	levels = vmci_number(k->vi, "pgtable_l5_enabled", &l5) && l5 ? 5 : 4;
	(void)vmci_number(k->vi, "sme_mask", &sme);
	if (!vmci_symbol(k->vi, "init_top_pgt", &root) &&
	    !vmci_symbol(k->vi, "init_level4_pgt", &root))
		return false;
	bits = levels == 5 ? 57 : 48;
	if ((int64_t)(vaddr << (64 - bits)) >> (64 - bits) != (int64_t)vaddr)
		return false;
	table = root - 0xffffffff80000000ull + k->phys_base;
	mask = 0x000ffffffffff000ull & ~(uint64_t)sme;
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t entry;

		if (input_read_phys(k->in, table + ((vaddr >> shift) & 511) * 8, &entry, 8, &err) < 0 ||
		    !(entry & 1))
			return false;
		if (level == 1 || ((level == 2 || level == 3) && (entry & 0x80))) {
			uint64_t size = 1ull << shift;

			*ret_paddr = (entry & mask & ~(size - 1)) | (vaddr & (size - 1));
			*ret_size = size;
			return true;
		}
		table = entry & mask;
	}
	return false;
}

static void translate(struct kernel *k, uint64_t vaddr)
{
	static uint8_t buf[3 * 4096];
	uint64_t paddr, size, cached, fresh;
	struct ds_err err;

	int r = k->arch->vtop(k, vaddr, &paddr, &size, &err);

	if (k->in->elf_machine == EM_X86_64) {
		uint64_t ref_paddr = 0, ref_size = 0;
		bool ok = ref_x86_64(k, vaddr, &ref_paddr, &ref_size);

		fuzz_check(ok == (r == 0) && (!ok || (ref_paddr == paddr && ref_size == size)),
			   "0x%" PRIx64 ": walk says %s 0x%" PRIx64 " (map 0x%" PRIx64
			   "), the reference %s 0x%" PRIx64 " (map 0x%" PRIx64 ")", vaddr,
			   r == 0 ? "ok" : err.msg, r == 0 ? paddr : 0, r == 0 ? size : 0,
			   ok ? "ok" : "fails", ref_paddr, ref_size);
	}
	fuzz_say("pagewalk: 0x%" PRIx64 ": %s 0x%" PRIx64, vaddr, r == 0 ? "->" : err.msg,
		 r == 0 ? paddr : 0);
	if (r < 0) {
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

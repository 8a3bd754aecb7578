/* kernel.c - the crashed-kernel context: VMCOREINFO, page size, version,
 * architecture, and cached virtual-to-physical reads (see kernel.h). */
#include "kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"

int kernel_init(struct kernel *k, struct input *in, struct ds_err *err)
{
	const char *osrel;
	uint64_t page_size;
	int r;

	memset(k, 0, sizeof(*k));
	k->in = in;
	if (!in->vmcoreinfo_size)
		return ds_err_set(err, DS_ENODATA,
				  "'%s' has no VMCOREINFO note (needed to find the kernel's data)",
				  in->path);
	r = vmcoreinfo_parse((const char *)in->notes + in->vmcoreinfo_off,
			     in->vmcoreinfo_size, &k->vi, err);
	if (r < 0)
		return ds_err_wrap(err, "'%s'", in->path);

	osrel = vmci_string(k->vi, "OSRELEASE");
	if (!osrel)
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no OSRELEASE");
	snprintf(k->osrelease, sizeof(k->osrelease), "%s", osrel);
	k->version = kernel_parse_version(osrel);

	if (!vmci_decimal(k->vi, "PAGESIZE", &page_size))
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no PAGESIZE");
	if (page_size < 4096 || page_size > (1u << 20) || (page_size & (page_size - 1)))
		return ds_err_set(err, DS_ECORRUPT,
				  "VMCOREINFO PAGESIZE=%" PRIu64 " is not a valid page size", page_size);
	k->page_size = (uint32_t)page_size;
	k->page_shift = (unsigned)__builtin_ctzll(page_size);
	(void)vmci_decimal(k->vi, "CRASHTIME", &k->crashtime);

	if (in->page_size && in->page_size != page_size)
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': VMCOREINFO PAGESIZE=%" PRIu64 " but the file's pages are %u bytes",
				  in->path, page_size, in->page_size);

	k->arch = in->elf_machine ? arch_find(in->elf_machine) : arch_find_name(in->machine);
	if (!k->arch) {
		if (in->elf_machine)
			return ds_err_set(err, DS_EUNSUPP,
					  "'%s': unsupported architecture (ELF machine %u)",
					  in->path, in->elf_machine);
		return ds_err_set(err, DS_EUNSUPP, "'%s': unsupported architecture '%s'",
				  in->path, in->machine);
	}
	if (!(k->arch->byte_orders & (in->big_endian ? ARCH_BIG_ENDIAN : ARCH_LITTLE_ENDIAN)))
		return ds_err_set(err, DS_ECORRUPT,
				  "'%s': a %s vmcore in %s byte order", in->path, k->arch->name,
				  in->big_endian ? "big-endian" : "little-endian");
	k->mach.big_endian = in->big_endian;
	k->mach.word_size = k->arch->word_size;
	k->mach.page_size = k->page_size;
	k->mach.page_shift = (uint8_t)k->page_shift;
	return k->arch->init(k, err);
}

void kernel_release(struct kernel *k)
{
	if (k->arch && k->arch->release)
		k->arch->release(k);
	else
		free(k->arch_data);
	k->arch_data = NULL;
	vmcoreinfo_free(k->vi);
	k->vi = NULL;
}

int kernel_read_phys(struct kernel *k, uint64_t paddr, void *buf, size_t len,
		     struct ds_err *err)
{
	if (k->trace)
		k->trace(k->trace_arg, paddr, len);
	return input_read_phys(k->in, paddr, buf, len, err);
}

bool kernel_input_mapping(const struct kernel *k, size_t i, uint64_t *ret_vaddr,
			  uint64_t *ret_paddr, uint64_t *ret_size)
{
	if (i >= k->in->n_vmaps)
		return false;
	*ret_vaddr = k->in->vmaps[i].vaddr;
	*ret_paddr = k->in->vmaps[i].paddr;
	*ret_size = k->in->vmaps[i].size;
	return true;
}

int kernel_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		struct ds_err *err)
{
	uint64_t paddr, size;
	int r;

	if (k->tlb_size && vaddr - k->tlb_vaddr < k->tlb_size) {
		*ret_paddr = k->tlb_paddr + (vaddr - k->tlb_vaddr);
		return 0;
	}
	r = k->arch->vtop(k, vaddr, &paddr, &size, err);
	if (r < 0)
		return r;
	k->tlb_vaddr = vaddr & ~(size - 1);
	k->tlb_paddr = paddr & ~(size - 1);
	k->tlb_size = size;
	*ret_paddr = paddr;
	return 0;
}

int kernel_read(struct kernel *k, uint64_t vaddr, void *buf, size_t len,
		struct ds_err *err)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t paddr;
		size_t chunk = k->page_size - (vaddr & (k->page_size - 1));
		int r;

		if (chunk > len)
			chunk = len;
		if ((r = kernel_vtop(k, vaddr, &paddr, err)) < 0)
			return r;
		if ((r = kernel_read_phys(k, paddr, p, chunk, err)) < 0)
			return ds_err_wrap(err, "reading kernel address 0x%" PRIx64, vaddr);
		p += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return 0;
}

void kernel_prefetch(struct kernel *k, uint64_t vaddr, uint64_t len)
{
	uint64_t run_paddr = 0, run_len = 0;
	struct ds_err ignored = { 0 };

	while (len) {
		uint64_t paddr;
		size_t chunk = k->page_size - (vaddr & (k->page_size - 1));

		if (chunk > len)
			chunk = len;
		if (kernel_vtop(k, vaddr, &paddr, &ignored) == 0) {
			if (run_len && paddr == run_paddr + run_len) {
				run_len += chunk;
			} else {
				if (run_len)
					input_prefetch(k->in, run_paddr, run_len);
				run_paddr = paddr;
				run_len = chunk;
			}
		}
		vaddr += chunk;
		len -= chunk;
	}
	if (run_len)
		input_prefetch(k->in, run_paddr, run_len);
}

int kernel_read_u32(struct kernel *k, uint64_t vaddr, uint32_t *ret,
		    struct ds_err *err)
{
	uint8_t b[4];
	int r = kernel_read(k, vaddr, b, sizeof(b), err);

	if (r == 0)
		*ret = machine_get_u32(&k->mach, b);
	return r;
}

int kernel_read_u64(struct kernel *k, uint64_t vaddr, uint64_t *ret,
		    struct ds_err *err)
{
	uint8_t b[8];
	int r = kernel_read(k, vaddr, b, sizeof(b), err);

	if (r == 0)
		*ret = machine_get_u64(&k->mach, b);
	return r;
}

int kernel_read_word(struct kernel *k, uint64_t vaddr, uint64_t *ret,
		     struct ds_err *err)
{
	uint8_t b[8];
	int r = kernel_read(k, vaddr, b, k->mach.word_size, err);

	if (r == 0)
		*ret = machine_get_word(&k->mach, b);
	return r;
}

/* s390x.c - s390x (z/Architecture) address translation for the crashed
 * kernel.  Big-endian, 64-bit.
 *
 * Paging form (walked by pgtable.c): up to three region tables (first,
 * second, third: 11 index bits each, at VA bits 53, 42, 31), a segment
 * table (11 bits at bit 20) and a page table (8 bits at bit 12), 8-byte
 * big-endian entries.  How many region levels the kernel's table has is
 * told by the table itself: every entry, even an invalid one, carries its
 * table type in bits 2-3 (3 region-first, 2 second, 1 third, 0 segment);
 * the first entry of swapper_pg_dir gives the top level.  Region and
 * segment entries are invalid with bit 0x20; a region-third entry with
 * bit 0x400 maps a 2 GiB frame, a segment entry with 0x400 a 1 MiB frame
 * (EDAT); table origins are the entry without its low 12 (region) or 11
 * (segment: page tables are 2 KiB) bits.  Page entries are invalid with
 * bit 0x400.
 *
 * Where swapper_pg_dir is: older kernels map physical memory 1:1 at
 * virtual 0, so its symbol is its physical address.  Kernels that
 * decoupled virtual from physical addresses (6.x) say so in the lowcore:
 * the pointer at physical 0xe18 leads to os_info, whose entries give the
 * kernel image's virtual base (KASLR offset, non-zero only there) and its
 * physical base; then paddr = vaddr - kaslr_offset + kaslr_offset_phys.
 * phys_base is 0.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch.h"
#include "pgtable.h"
#include "../common/bytes.h"
#include "../kernel/kernel.h"

#define LC_OS_INFO          0xe18ull
#define OS_INFO_MAGIC       0x4f53494e464f535aull   /* "OSINFOSZ" */
#define OS_INFO_ENTRIES_OFF 32u                      /* magic, csum, version, crashkernel */
#define OS_INFO_ENTRY_SIZE  20u                      /* addr/val, size, csum: packed */
#define OS_INFO_KASLR_OFFSET   5u
#define OS_INFO_KASLR_OFF_PHYS 6u

#define RSG_INVALID   0x20ull
#define RSG_TYPE(e)   (((e) >> 2) & 3)
#define RSG_LARGE     0x400ull
#define PAGE_INVALID  0x400ull

struct s390x_data {
	struct pgtable_format pt;
	uint64_t root;
	uint64_t kaslr_offset, kaslr_offset_phys;    /* 0, 0 on identity-mapped kernels */
};

/* Which kind of table a level is: by the VA bit it indexes. */
static enum pgtable_entry s390x_decode(const struct pgtable_format *f, unsigned level,
				       uint64_t e, uint64_t *ret_addr)
{
	unsigned shift = f->shift[level];

	if (shift == 12) {                       /* page table */
		if (e & PAGE_INVALID)
			return PGTABLE_INVALID;
		*ret_addr = e & ~0xfffull;
		return PGTABLE_LEAF;
	}
	if (e & RSG_INVALID)
		return PGTABLE_INVALID;
	if (shift == 20) {                       /* segment table */
		if (e & RSG_LARGE) {
			*ret_addr = e & ~0xfffffull;
			return PGTABLE_LEAF;
		}
		*ret_addr = e & ~0x7ffull;
		return PGTABLE_TABLE;
	}
	if (shift == 31 && (e & RSG_LARGE)) {    /* region-third: 2 GiB frame */
		*ret_addr = e & ~0x7fffffffull;
		return PGTABLE_LEAF;
	}
	*ret_addr = e & ~0xfffull;
	return PGTABLE_TABLE;
}

static unsigned s390x_section_size_bits(const struct kernel *k)
{
	(void)k;
	return 28;
}

static unsigned s390x_max_physmem_bits(const struct kernel *k)
{
	return k->version && k->version < KERNEL_VERSION_CODE(3, 3, 0) ? 42 : 46;
}

/* os_info, when the lowcore points at a valid one: the kernel image's
 * virtual and physical bases of a kernel with decoupled addresses. */
static void read_os_info(struct kernel *k, struct s390x_data *d)
{
	uint8_t ptr[8], hdr[OS_INFO_ENTRIES_OFF + 10 * OS_INFO_ENTRY_SIZE];
	struct ds_err ignored = { 0 };
	uint64_t addr;

	if (kernel_read_phys(k, LC_OS_INFO, ptr, sizeof(ptr), &ignored) < 0)
		return;
	addr = bytes_get_be64(ptr);
	if (!addr || kernel_read_phys(k, addr, hdr, sizeof(hdr), &ignored) < 0 ||
	    bytes_get_be64(hdr) != OS_INFO_MAGIC)
		return;
	d->kaslr_offset = bytes_get_be64(hdr + OS_INFO_ENTRIES_OFF +
					 OS_INFO_KASLR_OFFSET * OS_INFO_ENTRY_SIZE);
	if (d->kaslr_offset)
		d->kaslr_offset_phys = bytes_get_be64(hdr + OS_INFO_ENTRIES_OFF +
						      OS_INFO_KASLR_OFF_PHYS * OS_INFO_ENTRY_SIZE);
}

static int s390x_init(struct kernel *k, struct ds_err *err)
{
	static const uint8_t shifts[] = { 53, 42, 31, 20, 12 };
	static const uint8_t bits[] = { 11, 11, 11, 11, 8 };
	struct s390x_data *d = calloc(1, sizeof(*d));
	uint8_t first[8];
	uint64_t sym;
	unsigned type;
	int r;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	if (k->page_shift != 12)
		return ds_err_set(err, DS_ECORRUPT,
				  "PAGESIZE=%u: s390x pages are 4096 bytes", k->page_size);
	k->phys_base = 0;
	if (!vmci_symbol(k->vi, "swapper_pg_dir", &sym))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SYMBOL(swapper_pg_dir) (s390x page table root)");
	read_os_info(k, d);
	if (d->kaslr_offset) {
		if (sym < d->kaslr_offset)
			return ds_err_set(err, DS_ECORRUPT,
					  "SYMBOL(swapper_pg_dir)=0x%" PRIx64 " is below the kernel "
					  "image (os_info KASLR offset 0x%" PRIx64 ")",
					  sym, d->kaslr_offset);
		d->root = sym - d->kaslr_offset + d->kaslr_offset_phys;
	} else {
		d->root = sym;
	}
	if ((r = kernel_read_phys(k, d->root, first, sizeof(first), err)) < 0)
		return ds_err_wrap(err, "reading swapper_pg_dir");
	type = RSG_TYPE(bytes_get_be64(first));
	/* type 3: region-first on top, 5 levels; 0: segment table, 2 levels */
	d->pt.levels = type + 2;
	for (unsigned i = 0; i < d->pt.levels; i++) {
		d->pt.shift[i] = shifts[3 - type + i];
		d->pt.bits[i] = bits[3 - type + i];
	}
	d->pt.entry_size = 8;
	d->pt.big_endian = true;
	d->pt.decode = s390x_decode;
	return 0;
}

static int s390x_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		      uint64_t *ret_map_size, struct ds_err *err)
{
	const struct s390x_data *d = k->arch_data;
	unsigned top = d->pt.shift[0] + d->pt.bits[0];

	if (top < 64 && (vaddr >> top))
		return ds_err_set(err, DS_ECORRUPT,
				  "0x%" PRIx64 " is beyond the %u-bit address space of "
				  "swapper_pg_dir", vaddr, top);
	return pgtable_walk(k, &d->pt, d->root, vaddr, ret_paddr, ret_map_size, err);
}

const struct arch_ops arch_s390x_ops = {
	.name = "s390x",
	.elf_machine = EM_S390,
	.word_size = 8,
	.byte_orders = ARCH_BIG_ENDIAN,
	.section_size_bits = s390x_section_size_bits,
	.max_physmem_bits = s390x_max_physmem_bits,
	.init = s390x_init,
	.vtop = s390x_vtop,
};

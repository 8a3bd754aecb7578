/* input.h - the input seam: where the crashed machine's memory and notes
 * come from, whatever the file's format.
 *
 * One ops table per format, one file per member (elf.c: an ELF vmcore, i.e.
 * /proc/vmcore or a file); input.c is the registry, the only list of them,
 * and picks the member from the file's first bytes.  Everything above this
 * seam (the kernel model, the page-table walk, the scan, the copy) reads
 * physical memory through it and never learns what the file looks like: no
 * PT_LOAD, descriptor or bitmap is visible outside its member.
 *
 * What a member tells (struct input, filled by open):
 *   - the notes verbatim and where VMCOREINFO lies in them, the CPU count;
 *   - the machine (ELF e_machine, or utsname machine for formats that
 *     record it), and the page size when the format records one;
 *   - hints a format may carry: phys_base, the kernel's virtual mappings;
 *   - the physical map (input_max_pfn, input_map_pages): which pfns exist
 *     in the crashed machine ("present") and which of them the input holds
 *     data for.  A dump given as input lacks the pages it left out: they
 *     stay out of every output made from it.
 * and it serves exact reads of physical memory (an error names the address),
 * whole pages for the copy (zero-copy when it can), and readahead hints.
 */
#ifndef DS_INPUT_H
#define DS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/keepmap.h"
#include "../common/meta.h"
#include "../io/source.h"

#define INPUT_UTS_LEN 65

struct input;

struct input_ops {
	const char *name;                /* "ELF vmcore", ... (messages) */

	/* Do the file's first bytes (len of them, at least 8 unless the file
	 * is shorter) look like this format? */
	bool (*probe)(const uint8_t *head, size_t len);

	/* Parse the file behind in->src; fill the fields of struct input. */
	int (*open)(struct input *in, struct ds_err *err);
	void (*close)(struct input *in);

	/* pfns [0, result) may be present with pages of 2^page_shift bytes. */
	uint64_t (*max_pfn)(const struct input *in, unsigned page_shift);

	/* Within pfns [start, end): set the present bits (and dumped bits)
	 * of the pfns the crashed machine had, then clear the dumped bit of
	 * every pfn the input holds no data for.  Bits outside the window are
	 * left alone (a split set maps each file's range). */
	int (*map_pages)(struct input *in, unsigned page_shift, struct keepmap *km,
			 uint64_t start, uint64_t end, struct ds_err *err);

	/* Read physical memory [paddr, paddr + len) exactly; a byte the input
	 * does not hold is an error naming its address (DS_ENODATA). */
	int (*read_phys)(struct input *in, uint64_t paddr, void *buf, size_t len,
			 struct ds_err *err);

	/* One page of `size` bytes at paddr (a present pfn): *ret_page points
	 * at its bytes, either inside the input's mapping (valid until the
	 * next call on this input) or at buf, which the member fills.  Bytes
	 * of a present page that the machine did not have (a partial page at
	 * the edge of a RAM range) read as zero. */
	int (*read_page)(struct input *in, uint64_t paddr, uint32_t size, uint8_t *buf,
			 const uint8_t **ret_page, struct ds_err *err);

	/* [paddr, paddr + len) will be read soon.  Never fails. */
	void (*prefetch)(struct input *in, uint64_t paddr, uint64_t len);

	/* Optional (NULL: the format stores pages raw).  The page of a present
	 * pfn as the file stores it: *data (valid until the next call on this
	 * input), *size, *flags (0 raw, else one kdump codec flag), so that a
	 * dump written with the same codec can copy it without recompressing. */
	int (*read_stored)(struct input *in, uint64_t pfn, const uint8_t **data,
			   uint32_t *size, uint32_t *flags, struct ds_err *err);
};

/* Physical memory [start, end) in bytes. */
struct input_range {
	uint64_t start, end;
};

struct input {
	const struct input_ops *ops;
	void *priv;                      /* the member's state */
	struct source src;
	const char *path;                /* for messages; not owned */

	/* Filled by the member's open. */
	uint16_t elf_machine;            /* EM_*, 0 when the format does not say */
	bool big_endian;                 /* the crashed machine's byte order */
	uint8_t elf_class;               /* 32 or 64 for an ELF vmcore, else 0 */
	char machine[INPUT_UTS_LEN];     /* utsname machine, "" when not recorded */
	uint32_t page_size;              /* 0 when not recorded (VMCOREINFO says) */
	const uint8_t *notes;            /* the ELF note segment, verbatim */
	uint64_t notes_size;
	uint64_t vmcoreinfo_off, vmcoreinfo_size;   /* the VMCOREINFO desc in notes */
	unsigned nr_cpus;                /* "CORE" NT_PRSTATUS notes */
	bool has_phys_base;
	uint64_t phys_base;
	const struct dump_vmap *vmaps;
	size_t n_vmaps;
	/* Something wrong with the file that does not stop it being read (a
	 * member's open may set it; the job passes it on as a notice). */
	char warning[256];

	/* From input_config: memory that is not reported present (ELF member). */
	const struct input_range *omit;
	size_t n_omit;
	bool flattened;                  /* read through a flattened stream's index */

	/* A dump given as input (0 / false for a vmcore). */
	bool is_dump;
	unsigned dump_level;             /* the level it was made at */
	bool excluded_vmemmap;           /* made with -e */
	uint32_t codec_flag;             /* kdump codec flag its pages use, 0: raw */
	bool incomplete;                 /* flagged incomplete: some pages lost */
	bool split;                      /* one file of a split set ... */
	uint64_t split_start, split_end; /* ... holding the pages of these pfns */
	bool has_utsname;                /* the header records the utsname */
	char utsname[6][INPUT_UTS_LEN];
};

struct input_config {
	bool no_mmap;                    /* --non-mmap: pread only */
	/* the caller's SIGBUS handler calls source_fault (else pread only) */
	bool faults_handled;
	/* Physical ranges to leave out of the map, as if the input did not
	 * hold them: the running system's crashkernel reservation when the
	 * input is /proc/kcore (a kdump of that system would not hold it).
	 * Not copied: must outlive the input. */
	const struct input_range *omit;
	size_t n_omit;
	const char *work_dir;            /* where standard input is spooled (else
					    $TMPDIR, else /var/tmp) */
};

/* The running system's crashkernel reservation(s), from /proc/iomem's
 * "Crash kernel" lines (*ret is malloc'ed, *n may be 0). */
int input_crashkernel(struct input_range **ret, size_t *n, struct ds_err *err);

/* Open path and pick its format.  in is released on failure. */
int input_open(struct input *in, const char *path, const struct input_config *cfg,
	       struct ds_err *err);
/* Several files: the files of a split dump, read as one (split.c); one
 * file: input_open. */
int input_open_set(struct input *in, const char *const *paths, size_t n,
		   const struct input_config *cfg, struct ds_err *err);
/* Safe on a zeroed or already released input. */
void input_close(struct input *in);

static inline uint64_t input_max_pfn(const struct input *in, unsigned page_shift)
{
	return in->ops->max_pfn(in, page_shift);
}

static inline int input_map_pages(struct input *in, unsigned page_shift,
				  struct keepmap *km, struct ds_err *err)
{
	return in->ops->map_pages(in, page_shift, km, 0, km->npfn, err);
}

static inline int input_read_phys(struct input *in, uint64_t paddr, void *buf,
				  size_t len, struct ds_err *err)
{
	return in->ops->read_phys(in, paddr, buf, len, err);
}

static inline int input_read_page(struct input *in, uint64_t paddr, uint32_t size,
				  uint8_t *buf, const uint8_t **ret_page, struct ds_err *err)
{
	return in->ops->read_page(in, paddr, size, buf, ret_page, err);
}

static inline void input_prefetch(struct input *in, uint64_t paddr, uint64_t len)
{
	in->ops->prefetch(in, paddr, len);
}

extern const struct input_ops input_elf_ops;
extern const struct input_ops input_kdump_ops;

/* flat.c: a flattened stream's header?  Index its records and make src a
 * view of the file they describe. */
bool flat_probe(const uint8_t *head, size_t len);
int flat_index(struct source *src, struct ds_err *err);

#endif

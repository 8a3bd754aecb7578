/* corrupt.c - damaged variants of a generated vmcore, each with the outcome
 * a robust dumper must give (written to `expect` by mkvmcore.c):
 *   exit 1 + an error message (regular expression), or
 *   exit 0 + a warning, and the truth files of the damaged machine (the
 *   generator knows which pages it damaged and what a careful filter keeps).
 *
 * Struct page damage is modelled as kinds (gen.h: K_BAD_*) placed before the
 * page mix, so truth files account for it.  Everything else is applied to
 * the finished model: page tables, mem_section, notes, program headers, the
 * file size.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"

struct corruption {
	const char *name;
	const char *what;
};

static const struct corruption list[] = {
	{ "truncate",          "file cut in the middle of the last PT_LOAD's data" },
	{ "truncate-notes",    "file cut in the middle of the note segment" },
	{ "bad-load",          "a PT_LOAD whose p_filesz exceeds p_memsz" },
	{ "note-overrun",      "VMCOREINFO note claims 64 KiB more than the segment holds" },
	{ "no-vmcoreinfo",     "note segment without a VMCOREINFO note" },
	{ "vmcoreinfo-garbage","VMCOREINFO text replaced by binary garbage" },
	{ "vmcoreinfo-cut",    "VMCOREINFO text cut after PAGESIZE" },
	{ "bad-pagesize",      "VMCOREINFO PAGESIZE=1234" },
	{ "bad-struct-page-size", "VMCOREINFO SIZE(page)=4096" },
	{ "pgd-symbol",        "SYMBOL(init_top_pgt) is a direct-map address" },
	{ "pgd-empty",         "the top-level page table is all zero" },
	{ "pgtable-outside",   "a vmemmap page-table entry points past the end of memory" },
	{ "pgtable-loop",      "a vmemmap page-table entry points back at a page table" },
	{ "memsection-outside","SYMBOL(mem_section) points at unmapped memory" },
	{ "root-outside",      "a mem_section root pointer points at unmapped memory" },
	{ "memmap-outside",    "a section_mem_map points at unmapped struct pages" },
	{ "no-sections",       "no mem_section is marked present" },
	{ "buddy-order",       "free-page heads with order 63, and orders too big for their alignment" },
	{ "compound-order",    "anonymous THPs whose order (in page[1]) is 255" },
	{ "bad-flags",         "pages with every PG_* bit set; buddy pages with PG_slab (before 6.10)" },
	{ NULL, NULL },
};

void corrupt_list(void)
{
	for (const struct corruption *c = list; c->name; c++)
		printf("%-21s %s\n", c->name, c->what);
}

bool corrupt_known(const char *name)
{
	for (const struct corruption *c = list; c->name; c++)
		if (!strcmp(c->name, name))
			return true;
	return false;
}

static void expect(struct model *m, char code, const char *msg, const char *note)
{
	m->expect_exit = code;
	snprintf(m->expect_msg, sizeof(m->expect_msg), "%s", msg);
	snprintf(m->expect_note, sizeof(m->expect_note), "%s", note);
}

static void add_place(struct spec *sp, int kind, unsigned order, uint64_t count)
{
	sp->at = xrealloc(sp->at, (sp->n_at + 1) * sizeof(*sp->at));
	sp->at[sp->n_at++] = (struct at_entry){ .kind = kind, .order = (uint8_t)order,
						.count = count, .zero_pct = kinds[kind].zero_pct,
						.random = true };
}

static bool is(const struct model *m, const char *name)
{
	return !strcmp(m->sp->corrupt, name);
}

void corrupt_before_mix(struct model *m)
{
	struct spec *sp = m->sp;

	m->expect_exit = '0';
	if (is(m, "buddy-order")) {
		add_place(sp, K_BAD_BUDDY_ORDER, 0, 4);
		add_place(sp, K_BAD_BUDDY_ALIGN, 2, 2);
		add_place(sp, K_BAD_BUDDY_ALIGN, 5, 2);
		expect(m, '0', "struct pages had an impossible order; those pages were kept",
		       "free-page heads whose order is >= LENGTH(zone.free_area) or not aligned are "
		       "kept with their block (makedumpfile keeps the first kind but drops a "
		       "misaligned block of 2^order pages)");
	} else if (is(m, "compound-order")) {
		add_place(sp, K_BAD_COMPOUND, 9, 3);
		expect(m, '0', "struct pages had an impossible order; those pages were kept",
		       "a THP head whose order cannot be right is excluded alone at -d 8, its tail "
		       "pages stay");
	} else if (is(m, "bad-flags")) {
		add_place(sp, K_BAD_FLAGS, 1, 3);
		if (m->g->pg_slab >= 0)
			add_place(sp, K_BAD_SLAB_BUDDY, 0, 3);
		expect(m, '0', "struct pages had an impossible order; those pages were kept",
		       "a page with every flag set is hwpoison (always out) and PG_head without a "
		       "tail page after it (excluded alone); a buddy page with PG_slab is not free");
	}
}

static uint64_t beyond_ram(const struct model *m)
{
	uint64_t end = m->max_pfn << m->page_shift;

	return ((end + (1ull << 30) - 1) & ~((1ull << 30) - 1)) + (64ull << 30);
}

static uint64_t some_section(const struct model *m)
{
	for (uint64_t s = m->n_sections / 2; s < m->n_sections; s++)
		if (m->sec_present[s])
			return s;
	for (uint64_t s = 0; s < m->n_sections; s++)
		if (m->sec_present[s])
			return s;
	die("no present section");
}

/* physical address of the page-table entry for va at the level whose
 * leaves are `up` levels above the last (0: the page table) */
static uint64_t pte_addr(struct model *m, uint64_t va, unsigned up)
{
	uint64_t table = m->pgd_paddr;

	for (unsigned lvl = 0; lvl < m->levels; lvl++) {
		uint64_t ea = table + ((va >> m->pt_shift[lvl]) &
				       ((1ull << m->pt_bits[lvl]) - 1)) * m->entry_size;

		if (lvl == m->levels - 1 - up)
			return ea;
		if (m->arch->decode(m, lvl, pt_read(m, ea), &table) != 1)
			die("corrupt: 0x%llx is not mapped by a table at level %u",
			    (unsigned long long)va, lvl);
	}
	die("corrupt: no level %u above the last for 0x%llx", up, (unsigned long long)va);
}

static void set_section(struct model *m, uint64_t s, uint64_t value)
{
	uint64_t per_root = m->page_size / m->sp->mem_section_size;
	uint64_t ent;

	if (m->sp->extreme)
		ent = m->root_paddr[s / per_root] + (s % per_root) * m->sp->mem_section_size;
	else
		ent = m->sym_mem_section - m->image_voff + s * m->sp->mem_section_size;
	phys_write_u64(m, ent, value);
}

static uint64_t get_section(struct model *m, uint64_t s)
{
	uint64_t per_root = m->page_size / m->sp->mem_section_size;
	uint64_t ent;

	if (m->sp->extreme)
		ent = m->root_paddr[s / per_root] + (s % per_root) * m->sp->mem_section_size;
	else
		ent = m->sym_mem_section - m->image_voff + s * m->sp->mem_section_size;
	return phys_read_u64(m, ent);
}

static void need_vmemmap(const struct model *m)
{
	if (!m->sp->vmemmap)
		die("corruption '%s' needs 'memmap vmemmap'", m->sp->corrupt);
}

void corrupt_after_build(struct model *m)
{
	const struct spec *sp = m->sp;

	if (!sp->corrupt[0])
		return;
	if (is(m, "truncate")) {
		m->truncate = TRUNC_LAST_LOAD;
		expect(m, '1', "is truncated: need [0-9]+ bytes at offset 0x[0-9a-f]+, file size is "
		       "0x[0-9a-f]+",
		       "a PT_LOAD the file cuts short is read as far as it goes (its missing pages "
		       "would be left out); here the cut takes page tables the kernel model needs");
	} else if (is(m, "truncate-notes")) {
		m->truncate = TRUNC_NOTES;
		expect(m, '1', "is truncated: segment 0 \\(header at offset 0x40\\)", "");
	} else if (is(m, "bad-load")) {
		m->bad_load_index = 1 + (sp->ktext_load ? 1 : 0) + m->n_vmc - 1;
		expect(m, '1', "bad PT_LOAD [0-9]+ \\(header at offset 0x[0-9a-f]+\\): filesz "
		       "0x[0-9a-f]+ memsz 0x[0-9a-f]+", "");
	} else if (is(m, "note-overrun")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "overrun");
		expect(m, '1', "ELF note at offset 0x[0-9a-f]+ runs past the end of the note segment", "");
	} else if (is(m, "no-vmcoreinfo")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "no-note");
		expect(m, '1', "has no VMCOREINFO note", "");
	} else if (is(m, "vmcoreinfo-garbage")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "garbage");
		expect(m, '1', "VMCOREINFO note holds no KEY=value line", "");
	} else if (is(m, "vmcoreinfo-cut")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "cut");
		expect(m, '1', "VMCOREINFO has no SYMBOL\\(init_top_pgt\\)",
		       "phys_base comes from the kernel-text PT_LOAD, then the page-table root "
		       "is missing");
	} else if (is(m, "bad-pagesize")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "bad-pagesize");
		expect(m, '1', "VMCOREINFO PAGESIZE=1234 is not a valid page size", "");
	} else if (is(m, "bad-struct-page-size")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "bad-page-size");
		expect(m, '1', "SIZE\\(page\\)=4096 is not a struct page size", "");
	} else if (is(m, "pgd-symbol")) {
		snprintf(m->vmci_edit, sizeof(m->vmci_edit), "pgd-symbol");
		expect(m, '1', "SYMBOL\\(init_top_pgt\\)=0x[0-9a-f]+ is not a kernel image address", "");
	} else if (is(m, "pgd-empty")) {
		memset(pstore_get(&m->store, m->pgd_paddr >> m->page_shift, true) +
		       (m->pgd_paddr & (m->page_size - 1)), 0,
		       ((size_t)1 << m->pt_bits[0]) * m->entry_size);
		expect(m, '1', "is not mapped \\(level [45] entry 0x0 ",
		       "no address translates: the first kernel read fails");
	} else if (is(m, "pgtable-outside")) {
		need_vmemmap(m);
		uint64_t s = some_section(m);
		uint64_t va = m->vmemmap_base + s * m->pages_per_section * SP_SIZE;
		uint64_t ea = pte_addr(m, va, m->memmap_leaf);

		pt_write(m, ea, m->arch->leaf_entry(m, m->levels - 1 - m->memmap_leaf, 1ull << 45,
						    false));
		expect(m, '1', "cannot read the struct pages of pfn 0x[0-9a-f]+-0x[0-9a-f]+ at "
		       "0x[0-9a-f]+: .*physical address 0x[0-9a-f]+ is not in the vmcore",
		       "the section's struct pages translate to an address no PT_LOAD holds");
	} else if (is(m, "pgtable-loop")) {
		need_vmemmap(m);
		uint64_t s = some_section(m);
		uint64_t va = m->vmemmap_base + s * m->pages_per_section * SP_SIZE;
		unsigned lvl = m->levels - 3;               /* the PUD: two above the last */
		uint64_t pud = pte_addr(m, va, 2);
		uint64_t old = pt_read(m, pud);
		uint64_t targets[2] = { pud & ~(m->page_size - 1), m->pgd_paddr };
		bool done = false;

		for (int t = 0; t < 2 && !done; t++) {
			bool ok;

			pt_write(m, pud, m->arch->table_entry(m, lvl, targets[t]));
			(void)walk_va(m, va, &ok);
			if (!ok)
				done = true;
		}
		if (!done) {
			pt_write(m, pud, old);
			die("pgtable-loop: both loops end in a mapped address with this layout; "
			    "change the seed");
		}
		expect(m, '1', "is not mapped",
		       "a PUD entry points at its own table (or the PGD): the bounded walk reads "
		       "a table as the next level and stops at an empty entry");
	} else if (is(m, "memsection-outside")) {
		m->sym_mem_section = direct_va(m, beyond_ram(m));
		expect(m, '1', "mem_section.*is not mapped", "");
	} else if (is(m, "root-outside")) {
		if (!sp->extreme)
			die("root-outside needs 'sections extreme'");
		uint64_t s = some_section(m);
		uint64_t r = s / (m->page_size / sp->mem_section_size);

		phys_write_u64(m, m->roots_paddr + r * 8, direct_va(m, beyond_ram(m)));
		expect(m, '1', "reading mem_section [0-9]+: .*is not mapped", "");
	} else if (is(m, "memmap-outside")) {
		uint64_t s = some_section(m), v = get_section(m, s);

		if (sp->vmemmap)
			v = (m->vmemmap_base + (1ull << 39)) | (v & 0x3f);
		else
			v = (direct_va(m, beyond_ram(m)) - (s << m->pfn_section_shift) * SP_SIZE) | (v & 0x3f);
		set_section(m, s, v);
		expect(m, '1', "cannot read the struct pages of pfn .*is not mapped", "");
	} else if (is(m, "no-sections")) {
		for (uint64_t s = 0; s < m->n_sections; s++)
			if (m->sec_present[s])
				set_section(m, s, get_section(m, s) & ~1ull);
		expect(m, '1', "has no present section", "");
	}
}

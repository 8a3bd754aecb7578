/* arch.c - the registry of architectures (the only list of them). */
#include "arch.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static const struct arch_ops *const all_arches[] = {
	&arch_x86_64_ops,
	&arch_arm64_ops,
	&arch_ppc64_ops,
	&arch_s390x_ops,
	&arch_riscv64_ops,
	&arch_i386_ops,
};

const struct arch_ops *arch_find(uint16_t elf_machine)
{
	for (size_t i = 0; i < sizeof(all_arches) / sizeof(all_arches[0]); i++)
		if (all_arches[i]->elf_machine == elf_machine)
			return all_arches[i];
	return NULL;
}

/* Is machine one of the space-separated words of list? */
static bool in_list(const char *list, const char *machine)
{
	size_t n = strlen(machine);

	for (const char *w = list; w && *w; w += strcspn(w, " "), w += strspn(w, " "))
		if (strcspn(w, " ") == n && !strncmp(w, machine, n))
			return true;
	return false;
}

const struct arch_ops *arch_find_name(const char *machine)
{
	if (!*machine)
		return NULL;
	for (size_t i = 0; i < sizeof(all_arches) / sizeof(all_arches[0]); i++)
		if (!strcmp(all_arches[i]->name, machine) ||
		    in_list(all_arches[i]->uts_aliases, machine))
			return all_arches[i];
	return NULL;
}

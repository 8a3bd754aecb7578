/* arch.c - the registry of architectures (the only list of them). */
#include "arch.h"

#include <stddef.h>
#include <string.h>

static const struct arch_ops *const all_arches[] = {
	&arch_x86_64_ops,
};

const struct arch_ops *arch_find(uint16_t elf_machine)
{
	for (size_t i = 0; i < sizeof(all_arches) / sizeof(all_arches[0]); i++)
		if (all_arches[i]->elf_machine == elf_machine)
			return all_arches[i];
	return NULL;
}

const struct arch_ops *arch_find_name(const char *machine)
{
	for (size_t i = 0; i < sizeof(all_arches) / sizeof(all_arches[0]); i++)
		if (!strcmp(all_arches[i]->name, machine))
			return all_arches[i];
	return NULL;
}

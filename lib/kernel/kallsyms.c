/* kallsyms.c - look symbols up in the crashed kernel's kallsyms (kallsyms.h).
 *
 * The table, as scripts/kallsyms writes it: kallsyms_names is one entry per
 * symbol, a length (one byte; with its top bit set, a second byte holds
 * bits 7-13: "big" symbols, since 6.1) then that many token numbers;
 * token t is the NUL-terminated string at kallsyms_token_table +
 * kallsyms_token_index[t]; the first character of the expanded name is the
 * symbol's type.  The address of symbol i comes from kallsyms_offsets[i]
 * (s32): relative_base + (u32)offset, or, with
 * CONFIG_KALLSYMS_ABSOLUTE_PERCPU, the offset itself when it is >= 0 and
 * relative_base - 1 - offset when < 0.  Which of the two the kernel used is
 * not recorded: the one that puts _stext where VMCOREINFO says is taken.
 * Everything read is untrusted: counts and lengths are bounded, names are
 * read in chunks.
 */
#include "kallsyms.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "vmcoreinfo.h"

#define MAX_SYMS (4u << 20)
#define NAME_MAX_TOKENS 0x3fffu          /* two length bytes: 14 bits */
#define NAMES_CHUNK (64u << 10)
#define KSYM_LEN 512u

struct table {
	struct kernel *k;
	uint64_t names;                  /* address of the next unread byte */
	uint8_t chunk[NAMES_CHUNK];
	size_t have, at;                 /* chunk[at, have) unread */
	uint8_t tokens[4096];            /* kallsyms_token_table */
	size_t tokens_len;
	uint16_t index[256];
};

static uint16_t get_u16(const struct kernel *k, const uint8_t *p)
{
	return k->in->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get_u32(const struct kernel *k, const uint8_t *p)
{
	return k->in->big_endian
		? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		: (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int next_byte(struct table *t, uint8_t *ret, struct ds_err *err)
{
	if (t->at == t->have) {
		int r = kernel_read(t->k, t->names, t->chunk, NAMES_CHUNK, err);

		if (r < 0)
			return ds_err_wrap(err, "reading kallsyms_names");
		t->names += NAMES_CHUNK;
		t->have = NAMES_CHUNK;
		t->at = 0;
	}
	*ret = t->chunk[t->at++];
	return 0;
}

/* The next symbol's name (without its type) into name. */
static int next_name(struct table *t, char *name, struct ds_err *err)
{
	uint8_t b = 0, b2 = 0;     /* set by next_byte; gcc -O3 cannot tell */
	size_t len, out = 0;
	bool type = true;
	int r;

	if ((r = next_byte(t, &b, err)) < 0)
		return r;
	len = b;
	if (len & 0x80) {
		if ((r = next_byte(t, &b2, err)) < 0)
			return r;
		len = (len & 0x7f) | (size_t)b2 << 7;
	}
	while (len--) {
		if ((r = next_byte(t, &b, err)) < 0)
			return r;
		for (size_t p = t->index[b]; p < t->tokens_len && t->tokens[p]; p++) {
			if (type)
				type = false;
			else if (out < KSYM_LEN - 1)
				name[out++] = (char)t->tokens[p];
		}
	}
	name[out] = '\0';
	return 0;
}

int kallsyms_find(struct kernel *k, const char *const *names, size_t n, uint64_t *ret,
		  struct ds_err *err)
{
	uint64_t a_names, a_num, a_tt, a_ti, a_off, a_base, base, stext = 0;
	uint64_t rel_stext = 0, abs_stext = 0;
	uint32_t num;
	uint8_t buf[512];
	int32_t *offsets = NULL;
	size_t *which = NULL;
	struct table *t = NULL;
	char name[KSYM_LEN];
	int r;

	memset(ret, 0, n * sizeof(*ret));
	if (!vmci_symbol(k->vi, "kallsyms_names", &a_names) ||
	    !vmci_symbol(k->vi, "kallsyms_num_syms", &a_num) ||
	    !vmci_symbol(k->vi, "kallsyms_token_table", &a_tt) ||
	    !vmci_symbol(k->vi, "kallsyms_token_index", &a_ti) ||
	    !vmci_symbol(k->vi, "kallsyms_offsets", &a_off) ||
	    !vmci_symbol(k->vi, "kallsyms_relative_base", &a_base))
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO does not locate kallsyms");
	(void)vmci_symbol(k->vi, "_stext", &stext);
	t = calloc(1, sizeof(*t));
	which = calloc(n + 1, sizeof(*which));
	if (!t || !which) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory");
		goto out;
	}
	t->k = k;
	t->names = a_names;
	if ((r = kernel_read(k, a_num, buf, 4, err)) < 0)
		goto out;
	num = get_u32(k, buf);
	if (!num || num > MAX_SYMS) {
		r = ds_err_set(err, DS_ECORRUPT, "kallsyms_num_syms=%u at 0x%" PRIx64 " is not a "
			       "symbol count", num, a_num);
		goto out;
	}
	if ((r = kernel_read(k, a_ti, buf, 512, err)) < 0)
		goto out;
	for (int i = 0; i < 256; i++)
		t->index[i] = get_u16(k, buf + 2 * i);
	/* the token table lies right before its index */
	t->tokens_len = a_ti > a_tt && a_ti - a_tt <= sizeof(t->tokens) ? a_ti - a_tt
									: sizeof(t->tokens);
	if ((r = kernel_read(k, a_tt, t->tokens, t->tokens_len, err)) < 0)
		goto out;
	/* an unsigned long: 4 bytes on i386, whose next 4 are another symbol's */
	if ((r = kernel_read_word(k, a_base, &base, err)) < 0)
		goto out;
	offsets = malloc((size_t)num * sizeof(*offsets));
	if (!offsets) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory for %u kallsyms offsets", num);
		goto out;
	}
	if ((r = kernel_read(k, a_off, offsets, (size_t)num * 4, err)) < 0)
		goto out;
	for (uint32_t i = 0; i < num; i++) {
		int32_t off;

		off = (int32_t)get_u32(k, (const uint8_t *)&offsets[i]);
		if ((r = next_name(t, name, err)) < 0)
			goto out;
		if (!strcmp(name, "_stext")) {
			rel_stext = base + (uint32_t)off;
			abs_stext = off >= 0 ? (uint64_t)off : base - 1 - (uint64_t)(int64_t)off;
		}
		for (size_t j = 0; j < n; j++)
			if (!which[j] && !strcmp(name, names[j])) {
				which[j] = i + 1;
				offsets[i] = off;    /* decoded in place, kept for below */
			}
	}
	for (size_t j = 0; j < n; j++) {
		int32_t off;

		if (!which[j])
			continue;
		off = offsets[which[j] - 1];
		/* relative unless only the absolute reading puts _stext right */
		if (stext && abs_stext == stext && rel_stext != stext)
			ret[j] = off >= 0 ? (uint64_t)off : base - 1 - (uint64_t)(int64_t)off;
		else
			ret[j] = base + (uint32_t)off;
		if (k->mach.word_size == 4)
			ret[j] &= UINT32_MAX;    /* an unsigned long wraps there */
	}
	r = 0;
out:
	free(offsets);
	free(which);
	free(t);
	return r;
}

/* vmcoreinfo.c - parse the VMCOREINFO note text into typed values.
 *
 * The note is a few hundred KEY=value lines; lookups happen a few dozen
 * times at start-up, so entries are kept in one array and searched
 * linearly.  Values are parsed at lookup time according to the key's kind
 * (see vmcoreinfo.h); nothing here trusts the text: lengths are bounded,
 * numbers are range-checked, and a malformed value just makes the key absent.
 */
#include "vmcoreinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct vmci_entry {
	enum vmci_kind kind;
	char *name;      /* between the parentheses, or the whole key for OTHER */
	char *value;
};

struct vmcoreinfo {
	struct vmci_entry *entries;
	size_t n, cap;
	unsigned bad_lines;
};

static const struct {
	const char *prefix;
	enum vmci_kind kind;
} kind_prefixes[] = {
	{ "SYMBOL(", VMCI_SYMBOL },
	{ "SIZE(", VMCI_SIZE },
	{ "OFFSET(", VMCI_OFFSET },
	{ "LENGTH(", VMCI_LENGTH },
	{ "NUMBER(", VMCI_NUMBER },
};

static char *dup_range(const char *start, size_t len)
{
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, start, len);
		s[len] = '\0';
	}
	return s;
}

/* Split one line into kind/name/value; false when it is not KEY=value. */
static bool split_line(const char *line, size_t len, enum vmci_kind *kind,
		       const char **name, size_t *name_len,
		       const char **value, size_t *value_len)
{
	const char *eq = memchr(line, '=', len);
	size_t key_len;

	if (!eq || eq == line)
		return false;
	key_len = (size_t)(eq - line);
	*value = eq + 1;
	*value_len = len - key_len - 1;
	for (size_t i = 0; i < sizeof(kind_prefixes) / sizeof(kind_prefixes[0]); i++) {
		size_t plen = strlen(kind_prefixes[i].prefix);

		if (key_len > plen + 1 && !memcmp(line, kind_prefixes[i].prefix, plen)) {
			if (line[key_len - 1] != ')')
				return false;
			*kind = kind_prefixes[i].kind;
			*name = line + plen;
			*name_len = key_len - plen - 1;
			return true;
		}
	}
	*kind = VMCI_OTHER;
	*name = line;
	*name_len = key_len;
	return true;
}

static bool parse_u64(const char *s, int base, uint64_t *ret);
static bool parse_number(const char *s, int64_t *ret);

/* Does the value parse for its kind?  Checked once at parse time, so a bad
 * value is counted and its key is absent rather than misread later. */
static bool value_ok(enum vmci_kind kind, const char *value)
{
	uint64_t u;
	int64_t n;

	switch (kind) {
	case VMCI_SYMBOL: return parse_u64(value, 16, &u);
	case VMCI_SIZE:
	case VMCI_OFFSET:
	case VMCI_LENGTH: return parse_u64(value, 10, &u);
	case VMCI_NUMBER: return parse_number(value, &n);
	default: return true;
	}
}

static int add_entry(struct vmcoreinfo *vi, enum vmci_kind kind,
		     const char *name, size_t name_len,
		     const char *value, size_t value_len)
{
	struct vmci_entry *e;

	if (vi->n == vi->cap) {
		size_t cap = vi->cap ? vi->cap * 2 : 256;
		struct vmci_entry *grown = realloc(vi->entries, cap * sizeof(*grown));

		if (!grown)
			return -1;
		vi->entries = grown;
		vi->cap = cap;
	}
	e = &vi->entries[vi->n];
	e->kind = kind;
	e->name = dup_range(name, name_len);
	e->value = dup_range(value, value_len);
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return -1;
	}
	vi->n++;
	return 0;
}

int vmcoreinfo_parse(const char *text, size_t len, struct vmcoreinfo **ret_vi,
		     struct ds_err *err)
{
	struct vmcoreinfo *vi = calloc(1, sizeof(*vi));
	size_t pos = 0;

	if (!vi)
		return ds_err_set(err, DS_ENOMEM, "out of memory parsing VMCOREINFO");
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		const char *name, *value;
		size_t name_len, value_len;
		enum vmci_kind kind;

		pos += line_len + (nl ? 1 : 0);
		/* the note descriptor is NUL padded to a 4-byte multiple */
		while (line_len && (line[line_len - 1] == '\0' || line[line_len - 1] == '\r'))
			line_len--;
		if (!line_len)
			continue;
		if (memchr(line, '\0', line_len) ||
		    !split_line(line, line_len, &kind, &name, &name_len, &value, &value_len)) {
			vi->bad_lines++;
			continue;
		}
		if (add_entry(vi, kind, name, name_len, value, value_len) < 0) {
			vmcoreinfo_free(vi);
			return ds_err_set(err, DS_ENOMEM, "out of memory parsing VMCOREINFO");
		}
		if (!value_ok(kind, vi->entries[vi->n - 1].value)) {
			struct vmci_entry *e = &vi->entries[--vi->n];

			free(e->name);
			free(e->value);
			vi->bad_lines++;
		}
	}
	if (vi->n == 0) {
		vmcoreinfo_free(vi);
		return ds_err_set(err, DS_ECORRUPT,
				  "VMCOREINFO note holds no KEY=value line");
	}
	*ret_vi = vi;
	return 0;
}

void vmcoreinfo_free(struct vmcoreinfo *vi)
{
	if (!vi)
		return;
	for (size_t i = 0; i < vi->n; i++) {
		free(vi->entries[i].name);
		free(vi->entries[i].value);
	}
	free(vi->entries);
	free(vi);
}

/* The last entry wins, as when a key is repeated the kernel's later line is
 * the one that was meant (it appends, never rewrites). */
static const char *find(const struct vmcoreinfo *vi, enum vmci_kind kind,
			const char *name)
{
	for (size_t i = vi->n; i-- > 0;)
		if (vi->entries[i].kind == kind && !strcmp(vi->entries[i].name, name))
			return vi->entries[i].value;
	return NULL;
}

static bool parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end != '\0')
		return false;
	*ret = v;
	return true;
}

bool vmci_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_u64(find(vi, VMCI_SYMBOL, name), 16, ret);
}

size_t vmci_symbols(const struct vmcoreinfo *vi, uint64_t *ret, size_t max)
{
	size_t n = 0;
	uint64_t v;

	for (size_t i = 0; i < vi->n; i++)
		if (vi->entries[i].kind == VMCI_SYMBOL && parse_u64(vi->entries[i].value, 16, &v)) {
			if (n < max)
				ret[n] = v;
			n++;
		}
	return n;
}

bool vmci_size(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_u64(find(vi, VMCI_SIZE, name), 10, ret);
}

bool vmci_offset(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_u64(find(vi, VMCI_OFFSET, name), 10, ret);
}

bool vmci_length(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_u64(find(vi, VMCI_LENGTH, name), 10, ret);
}

/* NUMBER() values are signed decimal (PAGE_BUDDY_MAPCOUNT_VALUE=-129);
 * a few kernels print hex (sme_mask), hence the base-16 retry. */
bool vmci_number(const struct vmcoreinfo *vi, const char *name, int64_t *ret)
{
	return parse_number(find(vi, VMCI_NUMBER, name), ret);
}

static bool parse_number(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && *end == '\0') {
		*ret = v;
		return true;
	}
	errno = 0;
	v = (long long)strtoull(s, &end, 16);
	if (!errno && *end == '\0') {
		*ret = v;
		return true;
	}
	return false;
}

const char *vmci_string(const struct vmcoreinfo *vi, const char *key)
{
	return find(vi, VMCI_OTHER, key);
}

bool vmci_hex(const struct vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	return parse_u64(find(vi, VMCI_OTHER, key), 16, ret);
}

bool vmci_decimal(const struct vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	return parse_u64(find(vi, VMCI_OTHER, key), 10, ret);
}

unsigned vmci_bad_lines(const struct vmcoreinfo *vi)
{
	return vi->bad_lines;
}

/* The one parser of OSRELEASE versions (kernel.c and classify.c both use
 * it, so they never disagree about which kernel this is). */
unsigned kernel_parse_version(const char *s)
{
	unsigned long part[3] = { 0, 0, 0 };
	unsigned n = 0;

	if (!s)
		return 0;
	while (n < 3 && *s >= '0' && *s <= '9') {
		unsigned long v = 0;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned long)(*s - '0');
			if (v > 1000000)
				return 0;
			s++;
		}
		part[n++] = v;
		if (*s != '.')
			break;
		s++;
	}
	if (n < 2 || part[0] == 0 || part[0] > 255 || part[1] > 255)
		return 0;
	if (part[2] > 255)
		part[2] = 255;
	return KERNEL_VERSION_CODE(part[0], part[1], part[2]);
}

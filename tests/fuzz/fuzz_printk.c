/* fuzz_printk.c - fuzz target: the printk log reader (lib/kernel/printk),
 * all three layouts (plain, structured, lockless).
 *
 * Input: a 4-byte header {u8 flags, u8 unused, u16 length of the VMCOREINFO
 * text} (flags: 1 --partial-dmesg, 2 caller id, 4 a 32-bit kernel, 8 big
 * endian), the VMCOREINFO text, then regions of the crashed kernel's
 * virtual memory, each {u64 vaddr, u32 length} (little endian) and its
 * bytes.  A read inside one region is answered, any other fails naming the
 * address, as a missing page would.  Seeds: the log buffers of real
 * vmcores (recorded by fuzz-mkseed printk) and hand-made logs of the older
 * layouts (mkcorpus.sh).  Promises checked: the reader ends (every walk is
 * bounded: a hang is a finding, -timeout), what it says it wrote is what
 * reached the writer, no record count without bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "kernel/printk.h"
#include "kernel/vmcoreinfo.h"

#define MAX_REGIONS 64

struct region {
	uint64_t vaddr;
	uint32_t len;
	const uint8_t *data;
};

struct mem {
	struct region r[MAX_REGIONS];
	unsigned n;
	uint64_t bytes, nonzero;
};

static int mem_read(void *arg, uint64_t vaddr, void *buf, size_t len, struct ds_err *err)
{
	const struct mem *m = arg;

	for (unsigned i = 0; i < m->n; i++) {
		const struct region *r = &m->r[i];

		if (vaddr >= r->vaddr && vaddr - r->vaddr <= r->len &&
		    len <= r->len - (vaddr - r->vaddr)) {
			memcpy(buf, r->data + (vaddr - r->vaddr), len);
			return 0;
		}
	}
	return ds_err_set(err, DS_ENODATA, "0x%" PRIx64 " is not in the dump", vaddr);
}

static int mem_write(void *arg, const void *buf, size_t len, struct ds_err *err)
{
	struct mem *m = arg;

	(void)err;
	fuzz_check(buf || !len, "write of %zu bytes from NULL", len);
	/* touch every byte: ASan sees a buffer the reader overran */
	for (size_t i = 0; i < len; i++)
		m->nonzero += ((const uint8_t *)buf)[i] != 0;
	m->bytes += len;
	return 0;
}

static void mem_warn(void *arg, const char *msg)
{
	(void)arg;
	fuzz_check(msg && msg[0], "empty warning");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmcoreinfo *vi;
	struct ds_err err;
	struct mem m;
	uint16_t vi_len;
	uint8_t flags;

	if (size < 4)
		return 0;
	flags = data[0];
	memcpy(&vi_len, data + 2, 2);
	data += 4;
	size -= 4;
	if (vi_len > size)
		vi_len = (uint16_t)size;
	if (vmcoreinfo_parse((const char *)data, vi_len, &vi, &err) < 0)
		return 0;
	memset(&m, 0, sizeof(m));
	for (size_t pos = vi_len; pos + 12 <= size && m.n < MAX_REGIONS;) {
		struct region *r = &m.r[m.n++];

		memcpy(&r->vaddr, data + pos, 8);
		memcpy(&r->len, data + pos + 8, 4);
		pos += 12;
		if (r->len > size - pos)
			r->len = (uint32_t)(size - pos);
		r->data = data + pos;
		pos += r->len;
	}

	struct printk_mem pm = {
		.read = mem_read, .arg = &m,
		.word_size = (flags & 4) ? 4 : 8, .big_endian = flags & 8,
	};
	struct printk_out out = { .write = mem_write, .warn = mem_warn, .arg = &m };
	struct printk_opts opts = {
		.partial = flags & 1, .caller_id = flags & 2,
		.version = kernel_parse_version(vmci_string(vi, "OSRELEASE")),
	};
	struct printk_stats st;

	(void)printk_layout_name(printk_layout_of(vi));
	int r = printk_dump(vi, &pm, &opts, &out, &st, &err);

	fuzz_say("printk: %s, %u regions: %s, %" PRIu64 " records, %" PRIu64 " bytes, %" PRIu64
		 " damaged", printk_layout_name(printk_layout_of(vi)), m.n, r < 0 ? err.msg : "ok",
		 st.records, st.bytes, st.damaged);
	if (r == 0) {
		fuzz_check(st.bytes == m.bytes,
			   "stats say %" PRIu64 " bytes, %" PRIu64 " were written",
			   st.bytes, m.bytes);
		fuzz_check(!st.records || st.bytes, "%" PRIu64 " records in 0 bytes", st.records);
	} else {
		fuzz_check(err.msg[0], "a failed printk_dump without a message");
	}
	vmcoreinfo_free(vi);
	return 0;
}

/* test_printk.c - unit tests for lib/kernel/printk: the log of each layout
 * built by hand in a fake kernel memory (regions at virtual addresses, in
 * either byte order and word size), and the exact text written.
 *
 * plain: a ring not yet full, a wrapped ring, the 8-byte log_end before
 * 2.6.25, a log_buf_len that is not a power of two.  structured: records,
 * embedded newlines and escapes, the wrap marker, clear_idx, the pre-3.11
 * struct name, the caller id, and damage: a loop, a record leaving the
 * buffer, indexes outside it, a text_len longer than its record, a
 * log_buf_len claiming 2 GiB of which the dump holds 256 bytes.  lockless:
 * finalized and committed records, a wrapped text block, a record still
 * reserved (torn by the crash), reusable and stale descriptors, empty
 * records, a truncated text, partial with a latched clear_seq, a 32-bit
 * big-endian ring, and damage: ids further apart than the ring, a text block
 * of another record, an impossible block, impossible ring sizes.  Also: a
 * page missing from the dump is an error naming the address; a failing
 * writer stops the dump; a VMCOREINFO without a log is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/printk.h"

/* ------------------------------------------------------------ fake memory */

#define MAX_REGIONS 16

struct region {
	uint64_t va;
	size_t size;
	uint8_t *bytes;
};

struct fake {
	struct region r[MAX_REGIONS];
	unsigned n;
	unsigned word;
	bool be;
	unsigned reads;
	size_t max_read;         /* the largest read asked for */
	/* output */
	char *out;
	size_t out_len;
	int fail_write;          /* fail the Nth write (1-based), 0 never */
	unsigned writes;
	char warnings[8][512];
	unsigned n_warn;
};

static uint8_t *region(struct fake *f, uint64_t va, size_t size)
{
	struct region *r = &f->r[f->n++];

	assert_true(f->n <= MAX_REGIONS);
	r->va = va;
	r->size = size;
	r->bytes = calloc(1, size);
	assert_non_null(r->bytes);
	return r->bytes;
}

static void drop_region(struct fake *f, uint64_t va)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->r[i].va == va)
			f->r[i].size = 0;
}

static void fake_free(struct fake *f)
{
	for (unsigned i = 0; i < f->n; i++)
		free(f->r[i].bytes);
	free(f->out);
	memset(f, 0, sizeof(*f));
}

static int fake_read(void *arg, uint64_t va, void *buf, size_t len, struct ds_err *err)
{
	struct fake *f = arg;

	f->reads++;
	if (len > f->max_read)
		f->max_read = len;
	for (unsigned i = 0; i < f->n; i++) {
		struct region *r = &f->r[i];

		if (va >= r->va && va - r->va <= r->size && len <= r->size - (va - r->va)) {
			memcpy(buf, r->bytes + (va - r->va), len);
			return 0;
		}
	}
	return ds_err_set(err, DS_ENODATA, "kernel address 0x%" PRIx64 " is not in the dump", va);
}

static int fake_write(void *arg, const void *buf, size_t len, struct ds_err *err)
{
	struct fake *f = arg;

	if (++f->writes == (unsigned)f->fail_write)
		return ds_err_set(err, DS_ESYS, "no space left on device");
	f->out = realloc(f->out, f->out_len + len + 1);
	assert_non_null(f->out);
	memcpy(f->out + f->out_len, buf, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
	return 0;
}

static void fake_warn(void *arg, const char *msg)
{
	struct fake *f = arg;

	if (f->n_warn < 8)
		snprintf(f->warnings[f->n_warn], sizeof(f->warnings[0]), "%s", msg);
	f->n_warn++;
}

/* store an integer of `size` bytes in the fake's byte order */
static void st(const struct fake *f, uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[f->be ? size - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static struct vmcoreinfo *vmci(const char *text)
{
	struct vmcoreinfo *vi = NULL;
	struct ds_err err = { 0 };

	assert_int_equal(vmcoreinfo_parse(text, strlen(text), &vi, &err), 0);
	return vi;
}

struct run {
	int r;
	struct printk_stats st;
	struct ds_err err;
};

static struct run dump(struct fake *f, const char *vmcoreinfo, bool partial, bool caller,
		       unsigned version)
{
	struct vmcoreinfo *vi = vmci(vmcoreinfo);
	struct printk_mem mem = { fake_read, f, f->word ? f->word : 8, f->be };
	struct printk_opts o = { .partial = partial, .caller_id = caller, .version = version };
	struct printk_out out = { fake_write, fake_warn, f };
	struct run res;

	memset(&res, 0, sizeof(res));
	free(f->out);
	f->out = NULL;
	f->out_len = 0;
	f->writes = 0;
	f->n_warn = 0;
	res.r = printk_dump(vi, &mem, &o, &out, &res.st, &res.err);
	vmcoreinfo_free(vi);
	return res;
}

#define CHECK_OUT(f, text) do { \
	const char *want_ = (text); \
	if ((f)->out_len != strlen(want_) || memcmp((f)->out ? (f)->out : "", want_, strlen(want_))) \
		fail_msg("%s: output\n---\n%.*s---\nexpected\n---\n%s---", where, \
			 (int)(f)->out_len, (f)->out ? (f)->out : "", want_); \
} while (0)

#define CHECK_WARN(f, sub) do { \
	bool found_ = false; \
	for (unsigned i_ = 0; i_ < (f)->n_warn && i_ < 8; i_++) \
		found_ |= strstr((f)->warnings[i_], (sub)) != NULL; \
	if (!found_) \
		fail_msg("%s: no warning with \"%s\" (%u warnings, first: \"%s\")", where, (sub), \
			 (f)->n_warn, (f)->n_warn ? (f)->warnings[0] : ""); \
} while (0)

/* ------------------------------------------------------------ plain */

#define PL_SYMS 0xffffffff81800000ull
#define PL_BUF  0xffff888000100000ull

static const char plain_vmci[] =
	"OSRELEASE=3.2.0-4-amd64\nPAGESIZE=4096\n"
	"SYMBOL(log_buf)=ffffffff81800000\n"
	"SYMBOL(log_buf_len)=ffffffff81800008\n"
	"SYMBOL(log_end)=ffffffff81800010\n";

static void plain_setup(struct fake *f, uint32_t len, uint64_t end, unsigned end_size,
			const char *content)
{
	uint8_t *syms = region(f, PL_SYMS, 64);
	uint8_t *buf = region(f, PL_BUF, len);

	st(f, syms, PL_BUF, 8);
	st(f, syms + 8, len, 4);
	st(f, syms + 16, end, end_size);
	memcpy(buf, content, strlen(content) < len ? strlen(content) : len);
}

static void test_plain(void **state)
{
	struct fake f = { 0 };
	struct run r;

	(void)state;
	WHERE("plain ring not yet full");
	plain_setup(&f, 64, 22, 4, "<6>first\n<4>second\nXXXXXXXXXXXX");
	r = dump(&f, plain_vmci, false, false, KERNEL_VERSION_CODE(3, 2, 0));
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.layout, PRINTK_PLAIN);
	CHECK_OUT(&f, "<6>first\n<4>second\nXXX");
	CHECK_EQ(r.st.bytes, 22);
	fake_free(&f);

	WHERE("plain ring wrapped: log_end 100 in a 64-byte ring starts at 36");
	{
		/* the oldest byte sits at 36, the newest at 35 */
		static const char logical[] =
			"ne 2\n<6>line 3\n<6>line 4\n<6>line 5\n<6>line 6\n<6>line 7\n<6>line 8";
		char ring[65];

		assert_int_equal(strlen(logical), 64);
		for (unsigned i = 0; i < 64; i++)
			ring[(i + 36) % 64] = logical[i];
		ring[64] = '\0';
		plain_setup(&f, 64, 100, 4, ring);
		r = dump(&f, plain_vmci, true, false, KERNEL_VERSION_CODE(3, 2, 0));
		CHECK_EQ(r.r, 0);
		CHECK_OUT(&f, logical);
	}
	CHECK(r.st.partial_ignored);
	fake_free(&f);

	WHERE("plain 2.6.24: log_end is an unsigned long");
	plain_setup(&f, 32, 0x100000004ull, 8, "abcdefghijklmnopqrstuvwxyz012345");
	r = dump(&f, plain_vmci, false, false, KERNEL_VERSION_CODE(2, 6, 24));
	CHECK_EQ(r.r, 0);
	CHECK_OUT(&f, "efghijklmnopqrstuvwxyz012345abcd");
	fake_free(&f);

	WHERE("plain 2.6.25: only 4 bytes of log_end count");
	plain_setup(&f, 32, 0x100000004ull, 8, "abcdefghijklmnopqrstuvwxyz012345");
	r = dump(&f, plain_vmci, false, false, KERNEL_VERSION_CODE(2, 6, 25));
	CHECK_EQ(r.r, 0);
	CHECK_OUT(&f, "abcd");
	fake_free(&f);

	WHERE("plain log_buf_len 48 is no power of two");
	plain_setup(&f, 48, 10, 4, "x");
	r = dump(&f, plain_vmci, false, false, 0);
	CHECK_EQ(r.r, -DS_ECORRUPT);
	CHECK_MSG(&r.err, "log_buf_len 48");
	fake_free(&f);

	WHERE("plain buffer page missing");
	plain_setup(&f, 64, 10, 4, "x");
	drop_region(&f, PL_BUF);
	r = dump(&f, plain_vmci, false, false, 0);
	CHECK_EQ(r.r, -DS_ENODATA);
	CHECK_MSG(&r.err, "reading the log buffer");
	CHECK_MSG(&r.err, "0xffff888000100000 is not in the dump");
	fake_free(&f);
}

/* ------------------------------------------------------------ structured */

#define ST_SYMS 0xffffffff82000000ull
#define ST_BUF  0xffff888000200000ull

static const char structured_vmci[] =
	"OSRELEASE=4.19.0-27-amd64\nPAGESIZE=4096\n"
	"SYMBOL(log_buf)=ffffffff82000000\n"
	"SYMBOL(log_buf_len)=ffffffff82000008\n"
	"SYMBOL(log_first_idx)=ffffffff8200000c\n"
	"SYMBOL(log_next_idx)=ffffffff82000010\n"
	"SYMBOL(clear_idx)=ffffffff82000014\n"
	"SIZE(printk_log)=16\n"
	"OFFSET(printk_log.ts_nsec)=0\n"
	"OFFSET(printk_log.len)=8\n"
	"OFFSET(printk_log.text_len)=10\n"
	"OFFSET(printk_log.dict_len)=12\n";

static const char structured_caller_vmci[] =
	"OSRELEASE=5.4.0-1-amd64\nPAGESIZE=4096\n"
	"SYMBOL(log_buf)=ffffffff82000000\n"
	"SYMBOL(log_buf_len)=ffffffff82000008\n"
	"SYMBOL(log_first_idx)=ffffffff8200000c\n"
	"SYMBOL(log_next_idx)=ffffffff82000010\n"
	"SIZE(printk_log)=24\n"
	"OFFSET(printk_log.ts_nsec)=0\n"
	"OFFSET(printk_log.len)=8\n"
	"OFFSET(printk_log.text_len)=10\n"
	"OFFSET(printk_log.dict_len)=12\n"
	"OFFSET(printk_log.caller_id)=16\n";

/* 3.5 - 3.10: the struct is called `log` */
static const char structured_old_vmci[] =
	"OSRELEASE=3.10.0-1-amd64\nPAGESIZE=4096\n"
	"SYMBOL(log_buf)=ffffffff82000000\n"
	"SYMBOL(log_buf_len)=ffffffff82000008\n"
	"SYMBOL(log_first_idx)=ffffffff8200000c\n"
	"SYMBOL(log_next_idx)=ffffffff82000010\n"
	"SIZE(log)=16\n"
	"OFFSET(log.ts_nsec)=0\n"
	"OFFSET(log.len)=8\n"
	"OFFSET(log.text_len)=10\n";

struct st_buf {
	struct fake *f;
	uint8_t *syms, *buf;
	uint32_t len;
	unsigned hdr;
};

static struct st_buf st_setup(struct fake *f, uint32_t len, unsigned hdr)
{
	struct st_buf b = { f, region(f, ST_SYMS, 64), region(f, ST_BUF, len), len, hdr };

	st(f, b.syms, ST_BUF, 8);
	st(f, b.syms + 8, len, 4);
	return b;
}

static void st_idx(struct st_buf *b, uint32_t first, uint32_t next, uint32_t clear)
{
	st(b->f, b->syms + 12, first, 4);
	st(b->f, b->syms + 16, next, 4);
	st(b->f, b->syms + 20, clear, 4);
}

/* a record at off: header, text, a dict, padding to 8; returns the next offset */
static uint32_t st_rec(struct st_buf *b, uint32_t off, uint64_t ts, const char *text,
		       uint32_t caller)
{
	size_t tl = strlen(text), dl = 5;
	uint32_t rlen = (uint32_t)((b->hdr + tl + dl + 7) & ~7u);

	assert_true(off + rlen <= b->len);
	st(b->f, b->buf + off, ts, 8);
	st(b->f, b->buf + off + 8, rlen, 2);
	st(b->f, b->buf + off + 10, tl, 2);
	st(b->f, b->buf + off + 12, dl, 2);
	if (b->hdr >= 24)
		st(b->f, b->buf + off + 16, caller, 4);
	memcpy(b->buf + off + b->hdr, text, tl);
	memcpy(b->buf + off + b->hdr + tl, "DICT=", dl);
	return off + rlen;
}

static void test_structured(void **state)
{
	struct fake f = { 0 };
	struct st_buf b;
	struct run r;
	uint32_t o1, o2, o3, end;

	(void)state;
	WHERE("structured: three records, newline, escapes");
	b = st_setup(&f, 512, 16);
	o1 = st_rec(&b, 0, 1500, "Linux version 4.19", 0);
	o2 = st_rec(&b, o1, 1234567890123ull, "two\nlines\tand tab", 0);
	o3 = st_rec(&b, o2, 99999000000000ull, "bell\x07 del\x7f high\xc3\xa9 cr\r end", 0);
	st_idx(&b, 0, o3, o1);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.layout, PRINTK_STRUCTURED);
	CHECK_EQ(r.st.records, 3);
	CHECK_OUT(&f,
		  "[    0.000001] Linux version 4.19\n"
		  "[ 1234.567890] two\n"
		  "               lines\tand tab\n"
		  "[99999.000000] bell\\x07 del\\x7f high\\xc3\\xa9 cr\r end\n");

	WHERE("structured --partial-dmesg starts at clear_idx");
	r = dump(&f, structured_vmci, true, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 2);
	CHECK(!r.st.partial_ignored);
	CHECK_OUT(&f,
		  "[ 1234.567890] two\n"
		  "               lines\tand tab\n"
		  "[99999.000000] bell\\x07 del\\x7f high\\xc3\\xa9 cr\r end\n");
	fake_free(&f);

	WHERE("structured wrap: a zero-length header ends the used part");
	b = st_setup(&f, 256, 16);
	o1 = st_rec(&b, 0, 5000000000ull, "newest, at the start", 0);
	/* old records at 160 and after, then the end marker */
	o2 = st_rec(&b, 160, 1000000000ull, "oldest", 0);
	end = st_rec(&b, o2, 2000000000ull, "older", 0);
	memset(b.buf + end, 0, 16);        /* len 0: wrap */
	st_idx(&b, 160, o1, 0);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_OUT(&f,
		  "[    1.000000] oldest\n"
		  "[    2.000000] older\n"
		  "[    5.000000] newest, at the start\n");
	CHECK_EQ(f.n_warn, 0);

	WHERE("structured: a record leaving the buffer ends the walk");
	st(&f, b.buf + o2 + 8, 160 + 256 - o2, 2);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.damaged, 1);
	CHECK_WARN(&f, "has length");
	CHECK_OUT(&f, "[    1.000000] oldest\n");
	fake_free(&f);

	WHERE("structured: records looping without reaching log_next_idx");
	b = st_setup(&f, 256, 16);
	o1 = st_rec(&b, 0, 1000, "a", 0);
	o2 = st_rec(&b, o1, 2000, "b", 0);
	memset(b.buf + o2, 0, 16);          /* wrap marker back to 0: a cycle */
	st_idx(&b, 0, 200, 0);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	/* 0 -> 24 -> 48 (the marker: the record at 0 again) -> 24: a loop;
	 * makedumpfile 1.7.2 writes the same three lines */
	CHECK_EQ(r.st.records, 3);
	CHECK_WARN(&f, "loop back to log_buf+0x18");
	CHECK_OUT(&f, "[    0.000001] a\n[    0.000002] b\n[    0.000001] a\n");

	WHERE("structured: log_buf_len claims 2 GiB, the dump holds 256 bytes");
	/* the fuzzing finding: the reader allocated and read the whole claim
	 * at once (2 GiB); it must read only windows, and what a record needs
	 * where the window reaches past what the dump holds */
	st(&f, b.syms + 8, 1u << 31, 4);
	f.max_read = 0;
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 3);
	CHECK_WARN(&f, "loop back to log_buf+0x18");
	CHECK_OUT(&f, "[    0.000001] a\n[    0.000002] b\n[    0.000001] a\n");
	CHECK(f.max_read <= (256u << 10));
	st(&f, b.buf + o2 + 8, 256, 2);  /* the walk leaves the 256 bytes held */
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK(r.r < 0);
	CHECK_MSG(&r.err, "address 0xffff888000200130 is not in the dump");
	CHECK(f.max_read <= (256u << 10));
	memset(b.buf + o2, 0, 16);
	st(&f, b.syms + 8, 256, 4);

	WHERE("structured: log_next_idx outside the buffer");
	st_idx(&b, 0, 4096, 0);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 0);
	CHECK_EQ(r.st.damaged, 1);
	CHECK_WARN(&f, "outside the 256-byte buffer");
	CHECK_OUT(&f, "");

	WHERE("structured: a text_len longer than its record is cut");
	st_idx(&b, 0, o2, 0);
	st(&f, b.buf + 10, 200, 2);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.truncated, 1);
	CHECK_WARN(&f, "claims 200 bytes of text in a 24-byte record");
	CHECK_OUT(&f, "[    0.000001] aDICT=\\x00\\x00\n[    0.000002] b\n");

	WHERE("structured: log_buf_len smaller than a record header");
	st(&f, b.syms + 8, 8, 4);
	r = dump(&f, structured_vmci, false, false, 0);
	CHECK_EQ(r.r, -DS_ECORRUPT);
	CHECK_MSG(&r.err, "log_buf_len 8");
	fake_free(&f);

	WHERE("structured 3.10: struct log");
	b = st_setup(&f, 128, 16);
	o1 = st_rec(&b, 0, 42000, "old name", 0);
	st_idx(&b, 0, o1, 0);
	r = dump(&f, structured_old_vmci, true, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK(r.st.partial_ignored);     /* no clear_idx exported */
	CHECK_OUT(&f, "[    0.000042] old name\n");
	fake_free(&f);

	WHERE("structured with CONFIG_PRINTK_CALLER");
	b = st_setup(&f, 256, 24);
	o1 = st_rec(&b, 0, 1000000, "from a task\nsecond", 123);
	o2 = st_rec(&b, o1, 2000000, "from cpu 3", 0x80000003u);
	st_idx(&b, 0, o2, 0);
	r = dump(&f, structured_caller_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_OUT(&f, "[    0.001000] from a task\n               second\n"
		      "[    0.002000] from cpu 3\n");
	r = dump(&f, structured_caller_vmci, false, true, 0);
	CHECK_EQ(r.r, 0);
	CHECK_OUT(&f, "[    0.001000] [    T123] from a task\n"
		      "                          second\n"
		      "[    0.002000] [      C3] from cpu 3\n");

	WHERE("structured: the writer fails");
	f.fail_write = 1;
	r = dump(&f, structured_caller_vmci, false, false, 0);
	CHECK_EQ(r.r, -DS_ESYS);
	CHECK_MSG(&r.err, "no space left");
	fake_free(&f);
}

/* ------------------------------------------------------------ lockless */

#define LL_SYMS  0xffffffff83000000ull   /* prb pointer, clear_seq */
#define LL_RB    0xffffffff83001000ull
#define LL_DESCS 0xffff888000300000ull
#define LL_INFOS 0xffff888000400000ull
#define LL_DATA  0xffff888000500000ull

/* the 6.1 x86_64 layout; the 32-bit variant below shrinks the words */
static const char lockless_vmci[] =
	"OSRELEASE=6.1.0-57-amd64\nPAGESIZE=4096\n"
	"SYMBOL(prb)=ffffffff83000000\n"
	"SYMBOL(clear_seq)=ffffffff83000020\n"
	"SIZE(printk_ringbuffer)=88\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"
	"SIZE(prb_desc_ring)=48\n"
	"OFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=8\n"
	"OFFSET(prb_desc_ring.infos)=16\n"
	"OFFSET(prb_desc_ring.head_id)=24\n"
	"OFFSET(prb_desc_ring.tail_id)=32\n"
	"SIZE(prb_desc)=24\n"
	"OFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\n"
	"SIZE(prb_data_blk_lpos)=16\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\n"
	"OFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n"
	"OFFSET(printk_info.caller_id)=20\n"
	"SIZE(prb_data_ring)=32\n"
	"OFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=8\n"
	"OFFSET(prb_data_ring.head_lpos)=16\n"
	"OFFSET(prb_data_ring.tail_lpos)=24\n"
	"OFFSET(atomic_long_t.counter)=0\n"
	"SIZE(latched_seq)=24\n"
	"OFFSET(latched_seq.val)=8\n";

static const char lockless32_vmci[] =
	"OSRELEASE=6.1.0-57-686\nPAGESIZE=4096\n"
	"SYMBOL(prb)=83000000\n"
	"SYMBOL(clear_seq)=83000020\n"
	"SIZE(printk_ringbuffer)=44\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=24\n"
	"SIZE(prb_desc_ring)=24\n"
	"OFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=4\n"
	"OFFSET(prb_desc_ring.infos)=8\n"
	"OFFSET(prb_desc_ring.head_id)=12\n"
	"OFFSET(prb_desc_ring.tail_id)=16\n"
	"SIZE(prb_desc)=12\n"
	"OFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=4\n"
	"SIZE(prb_data_blk_lpos)=8\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=4\n"
	"SIZE(printk_info)=88\n"
	"OFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n"
	"OFFSET(printk_info.caller_id)=20\n"
	"SIZE(prb_data_ring)=16\n"
	"OFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=4\n"
	"OFFSET(atomic_long_t.counter)=0\n";

struct ll {
	struct fake *f;
	unsigned w;
	uint8_t *syms, *rb, *descs, *infos, *data;
	unsigned count_bits, size_bits;
	unsigned desc_size;
};

enum { RESERVED, COMMITTED, FINALIZED, REUSABLE };

static struct ll ll_setup(struct fake *f, unsigned count_bits, unsigned size_bits)
{
	unsigned w = f->word ? f->word : 8;
	uint32_t hi = w == 8 ? 0 : 0;   /* 32-bit addresses are the low words */
	struct ll l = { f, w, NULL, NULL, NULL, NULL, NULL, count_bits, size_bits, 3 * w };
	uint64_t mask = w == 8 ? UINT64_MAX : 0xffffffffull;

	(void)hi;
	l.syms = region(f, LL_SYMS & mask, 64);
	l.rb = region(f, LL_RB & mask, 128);
	l.descs = region(f, LL_DESCS & mask, (size_t)l.desc_size << count_bits);
	l.infos = region(f, LL_INFOS & mask, (size_t)88 << count_bits);
	l.data = region(f, LL_DATA & mask, (size_t)1 << size_bits);
	st(f, l.syms, LL_RB & mask, w);
	st(f, l.rb, count_bits, 4);
	st(f, l.rb + w, LL_DESCS & mask, w);
	st(f, l.rb + 2 * w, LL_INFOS & mask, w);
	st(f, l.rb + 6 * w, size_bits, 4);
	st(f, l.rb + 7 * w, LL_DATA & mask, w);
	return l;
}

static void ll_ids(struct ll *l, uint64_t head, uint64_t tail)
{
	st(l->f, l->rb + 3 * l->w, head, l->w);
	st(l->f, l->rb + 4 * l->w, tail, l->w);
}

/* Descriptor `id` in `state` with a text block [begin, next) holding text
 * (written where the kernel writes it: at begin, or at 0 when the block
 * wraps; the block's id at begin too). */
static void ll_rec(struct ll *l, uint64_t id, unsigned state, uint64_t seq, uint64_t ts,
		   uint64_t begin, uint64_t next, const char *text, uint32_t caller)
{
	unsigned w = l->w, shift = 8 * w - 2;
	uint64_t count = 1ull << l->count_bits, size = 1ull << l->size_bits;
	uint8_t *d = l->descs + (id % count) * l->desc_size;
	uint8_t *inf = l->infos + (id % count) * 88;
	uint64_t bi = begin % size, ni = next % size, at = bi;

	st(l->f, d, ((uint64_t)state << shift) | id, w);
	st(l->f, d + w, begin, w);
	st(l->f, d + 2 * w, next, w);
	st(l->f, inf, seq, 8);
	st(l->f, inf + 8, ts, 8);
	st(l->f, inf + 16, text ? strlen(text) : 0, 2);
	st(l->f, inf + 20, caller, 4);
	if (!text || bi == ni)
		return;
	st(l->f, l->data + bi, id, w);
	if (bi > ni)
		at = 0;
	st(l->f, l->data + at, id, w);
	memcpy(l->data + at + w, text, strlen(text));
}

static void test_lockless(void **state)
{
	struct fake f = { 0 };
	struct ll l;
	struct run r;

	(void)state;
	WHERE("lockless: finalized, committed, reserved head");
	/* 8 descriptors, 256 text bytes; ids 8..12 (index 0..4), seq = id - 8 */
	l = ll_setup(&f, 3, 8);
	ll_rec(&l, 8, FINALIZED, 0, 1000, 0, 24, "first", 0);
	ll_rec(&l, 9, FINALIZED, 1, 2000000, 24, 56, "multi\nline", 5);
	ll_rec(&l, 10, FINALIZED, 2, 3000000, 3, 3, NULL, 6);              /* NO_LPOS: an empty line */
	ll_rec(&l, 11, COMMITTED, 3, 4000000, 56, 80, "committed", 0x80000001u);
	ll_rec(&l, 12, RESERVED, 4, 5000000, 80, 120, "torn by the cr", 0);
	ll_ids(&l, 12, 8);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.layout, PRINTK_LOCKLESS);
	CHECK_EQ(r.st.records, 3);
	CHECK_EQ(r.st.empty, 1);
	CHECK_EQ(r.st.not_finished, 1);
	CHECK_EQ(f.n_warn, 0);
	/* where the ring lies, whole (for -L: makedumpfile reads it so) */
	CHECK_EQ(r.st.ring[0].addr, LL_DESCS);
	CHECK_EQ(r.st.ring[0].len, 8 * 24);
	CHECK_EQ(r.st.ring[1].addr, LL_INFOS);
	CHECK_EQ(r.st.ring[1].len, 8 * 88);
	CHECK_EQ(r.st.ring[2].addr, LL_DATA);
	CHECK_EQ(r.st.ring[2].len, 256);
	CHECK_OUT(&f,
		  "[    0.000001] first\n"
		  "[    0.002000] multi\n"
		  "               line\n"
		  "[    0.004000] committed\n");

	WHERE("lockless: an even begin == next is no data-less record but damage");
	ll_rec(&l, 10, FINALIZED, 2, 3000000, 56, 56, NULL, 6);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 3);
	CHECK_EQ(r.st.empty, 0);
	CHECK_WARN(&f, "record 2 (descriptor 10) has text block lpos 0x38-0x38");
	ll_rec(&l, 10, FINALIZED, 2, 3000000, 3, 3, NULL, 6);

	WHERE("lockless: caller ids as makedumpfile 1.7.5 prints them");
	r = dump(&f, lockless_vmci, false, true, 0);
	CHECK_EQ(r.r, 0);
	CHECK_OUT(&f,
		  "[    0.000001] [      T0] first\n"
		  "[    0.002000] [      T5] multi\n"
		  "                          line\n"
		  "[    0.004000] [      C1] committed\n");

	WHERE("lockless --partial-dmesg: latched clear_seq val[1]");
	st(&f, l.syms + 0x20, 3, 4);        /* latch sequence: odd -> val[1] */
	st(&f, l.syms + 0x28, 0, 8);        /* val[0] */
	st(&f, l.syms + 0x30, 1, 8);        /* val[1] = 1 */
	r = dump(&f, lockless_vmci, true, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 2);
	CHECK_OUT(&f, "[    0.002000] multi\n               line\n[    0.004000] committed\n");
	st(&f, l.syms + 0x30, 9, 8);        /* cleared after everything */
	r = dump(&f, lockless_vmci, true, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 0);
	CHECK_EQ(f.n_warn, 0);
	CHECK_OUT(&f, "");

	WHERE("lockless: a text block of another record");
	st(&f, l.data + 24, 77, 8);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 2);
	CHECK_EQ(r.st.damaged, 1);
	CHECK_WARN(&f, "record 1 (descriptor 9, text ring offset 0x18) belongs to descriptor 77");

	WHERE("lockless: ids further apart than the ring");
	st(&f, l.data + 24, 9, 8);
	ll_ids(&l, 12, 1);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 3);
	CHECK_EQ(r.st.not_finished, 4);   /* ids 5..7 are stale slots, 12 torn */
	CHECK_WARN(&f, "tail_id 1 and head_id 12 are 11 descriptors apart");

	WHERE("lockless: impossible ring sizes");
	st(&f, l.rb, 40, 4);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, -DS_ECORRUPT);
	CHECK_MSG(&r.err, "count_bits 40");

	WHERE("lockless: the text ring is missing from the dump");
	st(&f, l.rb, 3, 4);
	ll_ids(&l, 12, 8);
	drop_region(&f, LL_DATA);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, -DS_ENODATA);
	CHECK_MSG(&r.err, "reading the printk text ring");
	CHECK_MSG(&r.err, "0xffff888000500000 is not in the dump");
	fake_free(&f);

	WHERE("lockless: wrapped ring, wrapped block, reusable and truncated records");
	/* 4 descriptors, 128 text bytes; the lpos values are in their 3rd wrap */
	l = ll_setup(&f, 2, 7);
	/* id 21 (index 1): finalized once, its text since given up: reusable */
	ll_rec(&l, 21, REUSABLE, 13, 1000, 256 + 48, 256 + 72, "gone", 0);
	ll_rec(&l, 22, FINALIZED, 14, 2000, 256 + 72, 256 + 96, "before wrap", 0);
	/* 32 bytes would end exactly at the wrap: the kernel puts the data at 0 */
	ll_rec(&l, 23, FINALIZED, 15, 3000, 256 + 96, 384 + 32, "wrapped record text!", 0);
	/* text_len longer than its block: cut to the block */
	ll_rec(&l, 24, FINALIZED, 16, 4000, 384 + 32, 384 + 48, "12345678", 0);
	st(&f, l.infos + (24 % 4) * 88 + 16, 500, 2);
	ll_ids(&l, 24, 21);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 3);
	CHECK_EQ(r.st.not_finished, 1);
	CHECK_EQ(r.st.truncated, 1);
	CHECK_EQ(f.n_warn, 0);
	CHECK_OUT(&f,
		  "[    0.000002] before wrap\n"
		  "[    0.000003] wrapped record text!\n"
		  "[    0.000004] 12345678\n");

	WHERE("lockless: a block spanning more than one wrap");
	st(&f, l.descs + (22 % 4) * 24 + 16, 512 + 40, 8);
	r = dump(&f, lockless_vmci, false, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK_EQ(r.st.records, 2);
	CHECK_WARN(&f, "is not one block");
	fake_free(&f);

	WHERE("lockless: a 32-bit big-endian ring (ids of 30 bits)");
	f.word = 4;
	f.be = true;
	l = ll_setup(&f, 2, 7);
	/* ids near the 30-bit wrap: 0x3ffffffe, 0x3fffffff, 0 */
	ll_rec(&l, 0x3ffffffe, FINALIZED, 100, 7000000000ull, 0xffffff80u, 0xffffff90u, "be one", 0);
	ll_rec(&l, 0x3fffffff, FINALIZED, 101, 7100000000ull, 0xffffff90u, 0xffffffa8u, "be two!", 0);
	ll_rec(&l, 0, COMMITTED, 102, 7200000000ull, 0xffffffa8u, 0xffffffc0u, "be three", 0);
	ll_ids(&l, 0, 0x3ffffffe);
	r = dump(&f, lockless32_vmci, true, false, 0);
	CHECK_EQ(r.r, 0);
	CHECK(r.st.partial_ignored == false);
	CHECK_OUT(&f,
		  "[    7.000000] be one\n"
		  "[    7.100000] be two!\n"
		  "[    7.200000] be three\n");
	fake_free(&f);
}

static void test_no_log(void **state)
{
	struct fake f = { 0 };
	struct run r;

	(void)state;
	WHERE("no log symbols");
	r = dump(&f, "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff81000000\n",
		 false, false, 0);
	CHECK_EQ(r.r, -DS_ENODATA);
	CHECK_MSG(&r.err, "describes no kernel log buffer");

	WHERE("lockless without SIZE(prb_desc)");
	r = dump(&f, "OSRELEASE=6.1.0\nSYMBOL(prb)=ffffffff83000000\nSIZE(printk_ringbuffer)=88\n"
		 "OFFSET(printk_ringbuffer.desc_ring)=0\nOFFSET(printk_ringbuffer.text_data_ring)=48\n"
		 "OFFSET(prb_desc_ring.count_bits)=0\nOFFSET(prb_desc_ring.descs)=8\n"
		 "OFFSET(prb_desc_ring.infos)=16\nOFFSET(prb_desc_ring.head_id)=24\n"
		 "OFFSET(prb_desc_ring.tail_id)=32\nOFFSET(prb_data_ring.size_bits)=0\n"
		 "OFFSET(prb_data_ring.data)=8\n", false, false, 0);
	CHECK_EQ(r.r, -DS_ENODATA);
	CHECK_MSG(&r.err, "SIZE(prb_desc)");
	fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_structured),
		cmocka_unit_test(test_lockless),
		cmocka_unit_test(test_no_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

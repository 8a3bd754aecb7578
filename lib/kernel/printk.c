/* printk.c - read the crashed kernel's log buffer and write it as text
 * (see printk.h for the three layouts and the damage rules).
 *
 * All three readers pull bytes through printk_mem (virtual addresses of the
 * crashed kernel) and decode integers with its word size and byte order, so
 * nothing here depends on the host.  Text goes through one 64 KiB buffer to
 * printk_out.
 *
 * plain: the ring is copied as bytes, oldest first: [log_end mod len, len)
 * then [0, log_end mod len) once the ring has filled, else [0, log_end).
 *
 * structured: records are walked from log_first_idx (clear_idx with
 * --partial-dmesg) to log_next_idx through a 256 KiB window on the buffer.
 * A record whose len is 0 marks the end of the used part: the walk continues
 * with the record at offset 0.  A first pass finds out, in constant memory
 * (Brent's cycle detection), whether the walk loops; then each record is
 * written once (as makedumpfile 1.7.1+ does), and every record must lie
 * inside the buffer.
 *
 * lockless: descriptor ids are walked from tail_id to head_id (at most one
 * ring's worth).  A descriptor is written when its state_var holds its own
 * id in state committed or finalized; others are records being written when
 * the kernel stopped (reserved), records whose text the kernel has already
 * given up (reusable), or slots not yet reused (another id).  The text block
 * is found from text_blk_lpos as the kernel's reader finds it (a block that
 * wraps keeps its data at offset 0), and must begin with the descriptor's
 * id: a block that names another record is damage, not text.  Descriptors
 * and infos are read in windows of WIN entries, the text per record, so
 * memory stays small whatever size the ring claims.
 */
#include "printk.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTBUF   65536u
#define WIN      256u              /* descriptors (and infos) per read */
#define MAX_STRUCT 4096u           /* no printk structure is larger */
#define MAX_LOG_BUF (1ull << 31)   /* the kernel's LOG_BUF_LEN_MAX */
#define MAX_COUNT_BITS 26u         /* LOG_BUF_LEN_MAX >> PRB_AVGBITS */
#define MAX_SIZE_BITS 31u

struct ctx {
	const struct vmcoreinfo *vi;
	const struct printk_mem *mem;
	const struct printk_opts *o;
	const struct printk_out *out;
	struct printk_stats *st;
	struct ds_err *err;
	uint8_t *buf;                  /* OUTBUF bytes of pending output */
	size_t used;
};

/* ------------------------------------------------------------ primitives */

static uint64_t ld(const struct ctx *c, const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++) {
		unsigned shift = c->mem->big_endian ? 8 * (size - 1 - i) : 8 * i;

		v |= (uint64_t)p[i] << shift;
	}
	return v;
}

static uint64_t word_mask(const struct ctx *c)
{
	return c->mem->word_size == 8 ? UINT64_MAX : (1ull << (8 * c->mem->word_size)) - 1;
}

static int rd(struct ctx *c, uint64_t va, void *buf, size_t len, const char *what)
{
	int r = c->mem->read(c->mem->arg, va, buf, len, c->err);

	if (r < 0)
		return ds_err_wrap(c->err, "reading %s (%zu bytes at 0x%" PRIx64 ")", what, len, va);
	return 0;
}

/* An integer of `size` bytes at a kernel address. */
static int rd_int(struct ctx *c, uint64_t va, unsigned size, uint64_t *ret, const char *what)
{
	uint8_t b[8];
	int r;

	if ((r = rd(c, va, b, size, what)) < 0)
		return r;
	*ret = ld(c, b, size);
	return 0;
}

static void warn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->st->damaged++;
	if (!c->out->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->out->warn(c->out->arg, msg);
}

static int need_symbol(struct ctx *c, const char *name, uint64_t *ret)
{
	if (!vmci_symbol(c->vi, name, ret))
		return ds_err_set(c->err, DS_ENODATA,
				  "VMCOREINFO has no SYMBOL(%s), needed to read the %s log",
				  name, printk_layout_name(c->st->layout));
	return 0;
}

static int need_size(struct ctx *c, const char *name, uint64_t *ret)
{
	if (!vmci_size(c->vi, name, ret))
		return ds_err_set(c->err, DS_ENODATA,
				  "VMCOREINFO has no SIZE(%s), needed to read the %s log",
				  name, printk_layout_name(c->st->layout));
	if (*ret == 0 || *ret > MAX_STRUCT)
		return ds_err_set(c->err, DS_ECORRUPT, "VMCOREINFO SIZE(%s)=%" PRIu64
				  " is not a plausible structure size", name, *ret);
	return 0;
}

/* OFFSET(type.member), checked to leave `width` bytes inside SIZE(type). */
static int need_offset(struct ctx *c, const char *type, const char *member,
		       uint64_t type_size, unsigned width, uint64_t *ret)
{
	char key[96];

	snprintf(key, sizeof(key), "%s.%s", type, member);
	if (!vmci_offset(c->vi, key, ret))
		return ds_err_set(c->err, DS_ENODATA,
				  "VMCOREINFO has no OFFSET(%s), needed to read the %s log",
				  key, printk_layout_name(c->st->layout));
	if (*ret > type_size || type_size - *ret < width)
		return ds_err_set(c->err, DS_ECORRUPT,
				  "VMCOREINFO OFFSET(%s)=%" PRIu64 " leaves no %u bytes inside SIZE(%s)=%" PRIu64,
				  key, *ret, width, type, type_size);
	return 0;
}

/* ------------------------------------------------------------ output */

static int flush(struct ctx *c)
{
	int r;

	if (!c->used)
		return 0;
	if ((r = c->out->write(c->out->arg, c->buf, c->used, c->err)) < 0)
		return r;
	c->st->bytes += c->used;
	c->used = 0;
	return 0;
}

static int put(struct ctx *c, const void *p, size_t len)
{
	const uint8_t *s = p;
	int r;

	while (len) {
		size_t n = OUTBUF - c->used;

		if (n > len)
			n = len;
		memcpy(c->buf + c->used, s, n);
		c->used += n;
		s += n;
		len -= n;
		if (c->used == OUTBUF && (r = flush(c)) < 0)
			return r;
	}
	return 0;
}

/* What the C locale's isprint() || isspace() accept, without asking the
 * locale: the text must not change with the environment. */
static bool plain_byte(uint8_t b)
{
	return (b >= 0x20 && b <= 0x7e) || (b >= '\t' && b <= '\r');
}

/* One record as one line: "[%5llu.%06lu] ", optionally the caller id, then
 * the text; an embedded newline continues at the text column; other
 * unprintable bytes become \xNN (two digits: makedumpfile 1.7.2 on x86_64
 * sign-extends bytes >= 0x80 to \xffffffNN, see docs/compat.md). */
static int emit_record(struct ctx *c, uint64_t ts_nsec, bool have_caller, uint32_t caller,
		       const uint8_t *text, size_t len)
{
	char pre[64], cid[16], esc[8];
	int n, r;

	n = snprintf(pre, sizeof(pre), "[%5llu.%06lu] ",
		     (unsigned long long)(ts_nsec / 1000000000u),
		     (unsigned long)(ts_nsec % 1000000000u / 1000u));
	if (c->o->caller_id && have_caller) {
		snprintf(cid, sizeof(cid), "%c%u", (caller & 0x80000000u) ? 'C' : 'T',
			 caller & 0x7fffffffu);
		n += snprintf(pre + n, sizeof(pre) - (size_t)n, "[%8s] ", cid);
	}
	if ((r = put(c, pre, (size_t)n)) < 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		size_t run = i;

		/* copy runs of plain bytes at once */
		while (run < len && text[run] != '\n' && plain_byte(text[run]))
			run++;
		if (run > i) {
			if ((r = put(c, text + i, run - i)) < 0)
				return r;
			i = run;
			if (i == len)
				break;
		}
		if (text[i] == '\n') {
			char pad[64];

			pad[0] = '\n';
			memset(pad + 1, ' ', (size_t)n);
			r = put(c, pad, (size_t)n + 1);
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", text[i]);
			r = put(c, esc, 4);
		}
		if (r < 0)
			return r;
	}
	if ((r = put(c, "\n", 1)) < 0)
		return r;
	c->st->records++;
	return 0;
}

/* ------------------------------------------------------------ plain (< 3.5) */

static int copy_raw(struct ctx *c, uint64_t va, uint64_t len)
{
	uint8_t chunk[16384];
	int r;

	while (len) {
		size_t n = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);

		if ((r = rd(c, va, chunk, n, "the log buffer")) < 0)
			return r;
		if ((r = put(c, chunk, n)) < 0)
			return r;
		va += n;
		len -= n;
	}
	return 0;
}

static int dump_plain(struct ctx *c)
{
	uint64_t sym_buf, sym_len, sym_end, buf, len, end;
	unsigned end_size = 4;   /* unsigned int log_end since 2.6.25 */
	int r;

	if ((r = need_symbol(c, "log_buf", &sym_buf)) < 0 ||
	    (r = need_symbol(c, "log_buf_len", &sym_len)) < 0 ||
	    (r = need_symbol(c, "log_end", &sym_end)) < 0)
		return r;
	if (c->o->version && c->o->version < KERNEL_VERSION_CODE(2, 6, 25))
		end_size = c->mem->word_size;   /* unsigned long before */
	if ((r = rd_int(c, sym_buf, c->mem->word_size, &buf, "log_buf")) < 0 ||
	    (r = rd_int(c, sym_len, 4, &len, "log_buf_len")) < 0 ||
	    (r = rd_int(c, sym_end, end_size, &end, "log_end")) < 0)
		return r;
	/* the ring index is log_end & (log_buf_len - 1): a power of two */
	if (len == 0 || len > MAX_LOG_BUF || (len & (len - 1)))
		return ds_err_set(c->err, DS_ECORRUPT,
				  "log_buf_len %" PRIu64 " (at 0x%" PRIx64 ") is not a power of two "
				  "between 1 and 2 GiB: the log buffer cannot be located",
				  len, sym_len);
	if (c->o->partial)
		c->st->partial_ignored = true;
	if (end < len)
		return copy_raw(c, buf, end);
	end &= len - 1;
	if ((r = copy_raw(c, buf + end, len - end)) < 0)
		return r;
	return copy_raw(c, buf, end);
}

/* ------------------------------------------------------------ structured (3.5 - 5.9) */

struct rec_layout {
	uint64_t size, ts, len, text_len, caller;
	bool have_caller;
};

static int structured_layout(struct ctx *c, struct rec_layout *l)
{
	/* struct printk_log, named `log` before 3.11 */
	const char *type = vmci_size(c->vi, "printk_log", &l->size) ? "printk_log" : "log";
	char key[64];
	int r;

	if ((r = need_size(c, type, &l->size)) < 0 ||
	    (r = need_offset(c, type, "ts_nsec", l->size, 8, &l->ts)) < 0 ||
	    (r = need_offset(c, type, "len", l->size, 2, &l->len)) < 0 ||
	    (r = need_offset(c, type, "text_len", l->size, 2, &l->text_len)) < 0)
		return r;
	snprintf(key, sizeof(key), "%s.caller_id", type);
	/* exported only with CONFIG_PRINTK_CALLER (5.1+) */
	l->have_caller = vmci_offset(c->vi, key, &l->caller) && l->caller <= l->size - 4;
	return 0;
}

/* A window on the log buffer: the walk reads records through it, so memory
 * stays small whatever log_buf_len claims. */
struct lwin {
	uint64_t base, len;          /* log_buf's address and log_buf_len */
	uint64_t start, n;           /* buffer offsets [start, start + n) held */
	uint8_t *buf;                /* LWIN bytes */
};

#define LWIN (256u << 10)            /* > a record's 64 KiB + header */

/* Bytes [off, off + need) of the log buffer (off + need <= len). */
static const uint8_t *log_at(struct ctx *c, struct lwin *w, uint64_t off, uint64_t need, int *r)
{
	if (off >= w->start && off + need <= w->start + w->n)
		return w->buf + (off - w->start);
	w->start = off;
	w->n = w->len - off < LWIN ? w->len - off : LWIN;
	if (rd(c, w->base + off, w->buf, (size_t)w->n, "the log buffer") < 0) {
		/* the window may reach what the dump lacks (a buffer shorter
		 * than log_buf_len claims, a page left out): then only what the
		 * record needs, so an error names the page the log needs */
		w->n = need;
		if ((*r = rd(c, w->base + off, w->buf, (size_t)need, "the log buffer")) < 0) {
			w->n = 0;
			return NULL;
		}
	}
	return w->buf;
}

enum { WALK_ERR = -1, WALK_END, WALK_DAMAGE, WALK_RECORD };

/* One step of the walk from `off`: the record it finds there (a zero-length
 * header sends it to the record at offset 0), or the end (log_next_idx), or
 * damage (reported when report is set).  *r holds a read error. */
static int walk_step(struct ctx *c, struct lwin *w, const struct rec_layout *l, uint64_t off,
		     uint64_t next, bool report, uint64_t *rec, uint64_t *rlen, int *r)
{
	const uint8_t *h;

	if (off == next)
		return WALK_END;
	if (off > w->len - l->size) {
		if (report)
			warn(c, "printk log_buf is corrupt: the record after %" PRIu64 " records would be "
			     "at log_buf+0x%" PRIx64 ", outside the %" PRIu64 "-byte buffer; the log stops there",
			     c->st->records, off, w->len);
		return WALK_DAMAGE;
	}
	if (!(h = log_at(c, w, off, l->size, r)))
		return WALK_ERR;
	*rec = off;
	*rlen = ld(c, h + l->len, 2);
	if (*rlen == 0) {
		/* end of the used part: the record is at the start */
		*rec = 0;
		if (!(h = log_at(c, w, 0, l->size, r)))
			return WALK_ERR;
		*rlen = ld(c, h + l->len, 2);
	}
	if (*rlen < l->size || *rlen > w->len - *rec) {
		if (report)
			warn(c, "printk log_buf is corrupt: the record at log_buf+0x%" PRIx64 " has length %"
			     PRIu64 " (header %" PRIu64 ", buffer %" PRIu64 " bytes); the log stops there after %"
			     PRIu64 " records", *rec, *rlen, l->size, w->len, c->st->records);
		return WALK_DAMAGE;
	}
	return WALK_RECORD;
}

/* Does the walk from `first` loop before it ends?  Brent's method: constant
 * memory, whatever the buffer size.  On a loop, *mu records come before it
 * and *lam are in it: the walk visits mu + lam distinct records. */
static int find_loop(struct ctx *c, struct lwin *w, const struct rec_layout *l, uint64_t first,
		     uint64_t next, bool *loop, uint64_t *mu, uint64_t *lam)
{
	uint64_t power = 1, tort = first, hare = first, rec, rlen;
	int r = 0, s;

	*loop = false;
	*lam = 1;
	if ((s = walk_step(c, w, l, hare, next, false, &rec, &rlen, &r)) != WALK_RECORD)
		return s == WALK_ERR ? r : 0;
	hare = rec + rlen;
	while (tort != hare) {
		if (power == *lam) {
			tort = hare;
			power *= 2;
			*lam = 0;
		}
		if ((s = walk_step(c, w, l, hare, next, false, &rec, &rlen, &r)) != WALK_RECORD)
			return s == WALK_ERR ? r : 0;
		hare = rec + rlen;
		++*lam;
	}
	/* the first record of the loop: mu steps from the start */
	tort = hare = first;
	for (uint64_t i = 0; i < *lam; i++) {
		if ((s = walk_step(c, w, l, hare, next, false, &rec, &rlen, &r)) != WALK_RECORD)
			return s == WALK_ERR ? r : 0;
		hare = rec + rlen;
	}
	for (*mu = 0; tort != hare; ++*mu) {
		if ((s = walk_step(c, w, l, tort, next, false, &rec, &rlen, &r)) != WALK_RECORD)
			return s == WALK_ERR ? r : 0;
		tort = rec + rlen;
		if ((s = walk_step(c, w, l, hare, next, false, &rec, &rlen, &r)) != WALK_RECORD)
			return s == WALK_ERR ? r : 0;
		hare = rec + rlen;
	}
	*loop = true;
	return 0;
}

static int dump_structured(struct ctx *c)
{
	uint64_t sym_buf, sym_len, sym_first, sym_next, buf, len, first, next;
	const char *first_name = "log_first_idx";
	struct rec_layout l;
	struct lwin w = { 0 };
	uint64_t off, mu = 0, lam = 0, i;
	bool loop;
	int r;

	if ((r = structured_layout(c, &l)) < 0 ||
	    (r = need_symbol(c, "log_buf", &sym_buf)) < 0 ||
	    (r = need_symbol(c, "log_buf_len", &sym_len)) < 0 ||
	    (r = need_symbol(c, "log_first_idx", &sym_first)) < 0 ||
	    (r = need_symbol(c, "log_next_idx", &sym_next)) < 0)
		return r;
	if (c->o->partial) {
		if (vmci_symbol(c->vi, "clear_idx", &off)) {
			sym_first = off;
			first_name = "clear_idx";
		} else {
			c->st->partial_ignored = true;
		}
	}
	if ((r = rd_int(c, sym_buf, c->mem->word_size, &buf, "log_buf")) < 0 ||
	    (r = rd_int(c, sym_len, 4, &len, "log_buf_len")) < 0 ||
	    (r = rd_int(c, sym_first, 4, &first, first_name)) < 0 ||
	    (r = rd_int(c, sym_next, 4, &next, "log_next_idx")) < 0)
		return r;
	if (len < l.size || len > MAX_LOG_BUF)
		return ds_err_set(c->err, DS_ECORRUPT,
				  "log_buf_len %" PRIu64 " (at 0x%" PRIx64 ") is not a plausible log size "
				  "(%" PRIu64 " bytes to 2 GiB): the log buffer cannot be located",
				  len, sym_len, l.size);
	if (first > len - l.size || next > len - l.size) {
		warn(c, "printk log_buf is corrupt: %s 0x%" PRIx64 " or log_next_idx 0x%" PRIx64
		     " is outside the %" PRIu64 "-byte buffer at 0x%" PRIx64 "; no record can be located",
		     first_name, first, next, len, buf);
		return 0;
	}
	w.base = buf;
	w.len = len;
	if (!(w.buf = malloc(LWIN)))
		return ds_err_set(c->err, DS_ENOMEM, "out of memory for the log buffer");
	/* first find out whether the records loop (then each is written once,
	 * as makedumpfile 1.7.1+ does), then write them */
	if ((r = find_loop(c, &w, &l, first, next, &loop, &mu, &lam)) < 0)
		goto out;
	for (off = first, i = 0;; i++) {
		uint64_t rec, rlen, text_len;
		const uint8_t *p;
		int s;

		if (loop && i == mu + lam) {
			warn(c, "printk log_buf is corrupt: the records loop back to log_buf+0x%" PRIx64
			     " without reaching log_next_idx 0x%" PRIx64 "; each of the %" PRIu64
			     " records on the way was written once", off, next, c->st->records);
			break;
		}
		s = walk_step(c, &w, &l, off, next, true, &rec, &rlen, &r);
		if (s == WALK_ERR)
			goto out;
		if (s != WALK_RECORD)
			break;
		if (!(p = log_at(c, &w, rec, rlen, &r)))
			goto out;
		text_len = ld(c, p + l.text_len, 2);
		if (text_len > rlen - l.size) {
			c->st->truncated++;
			warn(c, "printk log_buf is corrupt: the record at log_buf+0x%" PRIx64 " claims %" PRIu64
			     " bytes of text in a %" PRIu64 "-byte record; its text is cut there",
			     rec, text_len, rlen);
			text_len = rlen - l.size;
		}
		if ((r = emit_record(c, ld(c, p + l.ts, 8), l.have_caller,
				     l.have_caller ? (uint32_t)ld(c, p + l.caller, 4) : 0,
				     p + l.size, (size_t)text_len)) < 0)
			goto out;
		off = rec + rlen;
	}
	r = 0;
out:
	free(w.buf);
	return r;
}

/* ------------------------------------------------------------ lockless (5.10+) */

enum { DESC_RESERVED, DESC_COMMITTED, DESC_FINALIZED, DESC_REUSABLE };

struct prb {
	/* layout from VMCOREINFO */
	uint64_t desc_size, sv_off, begin_off, next_off;
	uint64_t info_size, ts_off, text_len_off, caller_off, seq_off;
	bool have_caller, have_seq;
	/* the ring */
	uint64_t descs, infos, data;     /* kernel addresses */
	uint64_t count, size;            /* descriptors; text bytes */
	unsigned size_bits;
	uint64_t id_mask;                /* ids are the word minus 2 state bits */
	unsigned state_shift;
	/* windows of descriptors and infos */
	uint8_t *dwin, *iwin;
	uint64_t win_first, win_n;       /* ring indexes [win_first, +win_n) */
};

static int prb_layout(struct ctx *c, struct prb *p, uint64_t *rb_size, uint64_t *off_desc_ring,
		      uint64_t *off_text_ring, uint64_t *dr[5], uint64_t *tr[2])
{
	uint64_t desc_ring_size, data_ring_size, lpos_size, lpos_off, counter = 0;
	unsigned w = c->mem->word_size;
	int r;

	(void)vmci_offset(c->vi, "atomic_long_t.counter", &counter);
	if (counter > 64)
		return ds_err_set(c->err, DS_ECORRUPT, "VMCOREINFO OFFSET(atomic_long_t.counter)=%" PRIu64
				  " is not plausible", counter);
	desc_ring_size = MAX_STRUCT;
	data_ring_size = MAX_STRUCT;
	(void)vmci_size(c->vi, "prb_desc_ring", &desc_ring_size);
	(void)vmci_size(c->vi, "prb_data_ring", &data_ring_size);
	if ((r = need_size(c, "printk_ringbuffer", rb_size)) < 0 ||
	    (r = need_offset(c, "printk_ringbuffer", "desc_ring", *rb_size, 1, off_desc_ring)) < 0 ||
	    (r = need_offset(c, "printk_ringbuffer", "text_data_ring", *rb_size, 1, off_text_ring)) < 0 ||
	    (r = need_offset(c, "prb_desc_ring", "count_bits", desc_ring_size, 4, dr[0])) < 0 ||
	    (r = need_offset(c, "prb_desc_ring", "descs", desc_ring_size, w, dr[1])) < 0 ||
	    (r = need_offset(c, "prb_desc_ring", "infos", desc_ring_size, w, dr[2])) < 0 ||
	    (r = need_offset(c, "prb_desc_ring", "head_id", desc_ring_size, w, dr[3])) < 0 ||
	    (r = need_offset(c, "prb_desc_ring", "tail_id", desc_ring_size, w, dr[4])) < 0 ||
	    (r = need_offset(c, "prb_data_ring", "size_bits", data_ring_size, 4, tr[0])) < 0 ||
	    (r = need_offset(c, "prb_data_ring", "data", data_ring_size, w, tr[1])) < 0 ||
	    (r = need_size(c, "prb_desc", &p->desc_size)) < 0 ||
	    (r = need_offset(c, "prb_desc", "state_var", p->desc_size, w, &p->sv_off)) < 0 ||
	    (r = need_offset(c, "prb_desc", "text_blk_lpos", p->desc_size, 2 * w, &lpos_off)) < 0 ||
	    (r = need_size(c, "printk_info", &p->info_size)) < 0 ||
	    (r = need_offset(c, "printk_info", "ts_nsec", p->info_size, 8, &p->ts_off)) < 0 ||
	    (r = need_offset(c, "printk_info", "text_len", p->info_size, 2, &p->text_len_off)) < 0)
		return r;
	lpos_size = 2ull * w;
	(void)vmci_size(c->vi, "prb_data_blk_lpos", &lpos_size);
	if ((r = need_offset(c, "prb_data_blk_lpos", "begin", lpos_size, w, &p->begin_off)) < 0 ||
	    (r = need_offset(c, "prb_data_blk_lpos", "next", lpos_size, w, &p->next_off)) < 0)
		return r;
	p->sv_off += counter;
	if (p->sv_off > p->desc_size - w || lpos_off + lpos_size > p->desc_size)
		return ds_err_set(c->err, DS_ECORRUPT, "VMCOREINFO places prb_desc members outside "
				  "SIZE(prb_desc)=%" PRIu64, p->desc_size);
	p->begin_off += lpos_off;
	p->next_off += lpos_off;
	for (int i = 3; i < 5; i++)
		*dr[i] += counter;
	p->have_caller = vmci_offset(c->vi, "printk_info.caller_id", &p->caller_off) &&
			 p->caller_off <= p->info_size - 4;
	p->have_seq = vmci_offset(c->vi, "printk_info.seq", &p->seq_off) &&
		      p->seq_off <= p->info_size - 8;
	return 0;
}

/* Descriptor and info of ring index idx, through the windows. */
static int prb_entry(struct ctx *c, struct prb *p, uint64_t idx, const uint8_t **desc,
		     const uint8_t **info)
{
	int r;

	if (!p->win_n || idx < p->win_first || idx >= p->win_first + p->win_n) {
		p->win_first = idx - idx % WIN;
		p->win_n = p->count - p->win_first < WIN ? p->count - p->win_first : WIN;
		if ((r = rd(c, p->descs + p->win_first * p->desc_size, p->dwin,
			    (size_t)(p->win_n * p->desc_size), "printk descriptors")) < 0 ||
		    (r = rd(c, p->infos + p->win_first * p->info_size, p->iwin,
			    (size_t)(p->win_n * p->info_size), "printk record infos")) < 0) {
			p->win_n = 0;
			return r;
		}
	}
	*desc = p->dwin + (idx - p->win_first) * p->desc_size;
	*info = p->iwin + (idx - p->win_first) * p->info_size;
	return 0;
}

/* The record's sequence number, for messages (the id when there is none). */
static uint64_t prb_seq(const struct ctx *c, const struct prb *p, uint64_t id, const uint8_t *info)
{
	return p->have_seq ? ld(c, info + p->seq_off, 8) : id;
}

/* The text block of descriptor `id`: checked as the kernel's reader checks
 * it, then read and written. */
static int prb_record(struct ctx *c, struct prb *p, uint64_t id, const uint8_t *desc,
		      const uint8_t *info, uint8_t *text)
{
	unsigned w = c->mem->word_size;
	uint64_t wmask = word_mask(c);
	uint64_t begin = ld(c, desc + p->begin_off, w), next = ld(c, desc + p->next_off, w);
	uint64_t bwrap = begin >> p->size_bits, nwrap = next >> p->size_bits;
	uint64_t bi = begin & (p->size - 1), ni = next & (p->size - 1);
	uint64_t at, blk, text_len, block_id;
	int r;

	if (begin == next && (begin & 1)) {
		/* a record without data (NO_LPOS: an empty line; FAILED_LPOS:
		 * text that did not fit): makedumpfile writes nothing for it */
		c->st->empty++;
		return 0;
	}
	if (bwrap == nwrap && begin < next) {
		at = bi;                       /* regular block */
		blk = next - begin;
	} else if (((bwrap + 1) & (wmask >> p->size_bits)) == nwrap && ni < bi) {
		at = 0;                        /* wrapped: the data is at the start */
		blk = ni;
	} else {
		warn(c, "printk ring is corrupt: record %" PRIu64 " (descriptor %" PRIu64 ") has text "
		     "block lpos 0x%" PRIx64 "-0x%" PRIx64 ", which is not one block of the %" PRIu64
		     "-byte text ring; skipped", prb_seq(c, p, id, info), id, begin, next, p->size);
		return 0;
	}
	if ((begin | next) & (w - 1) || blk < w) {
		warn(c, "printk ring is corrupt: record %" PRIu64 " (descriptor %" PRIu64 ") has text "
		     "block lpos 0x%" PRIx64 "-0x%" PRIx64 " (unaligned or shorter than its id); skipped",
		     prb_seq(c, p, id, info), id, begin, next);
		return 0;
	}
	text_len = ld(c, info + p->text_len_off, 2);
	if (text_len > blk - w) {
		/* makedumpfile cuts it too: the kernel stores a truncated
		 * text with its full length when the ring had no room */
		c->st->truncated++;
		text_len = blk - w;
	}
	if ((r = rd(c, p->data + at, text, (size_t)(w + text_len), "the printk text ring")) < 0)
		return r;
	block_id = ld(c, text, w);
	if (block_id != id) {
		warn(c, "printk ring is corrupt: the text block of record %" PRIu64 " (descriptor %" PRIu64
		     ", text ring offset 0x%" PRIx64 ") belongs to descriptor %" PRIu64 "; skipped",
		     prb_seq(c, p, id, info), id, at, block_id);
		return 0;
	}
	return emit_record(c, ld(c, info + p->ts_off, 8), p->have_caller,
			   p->have_caller ? (uint32_t)ld(c, info + p->caller_off, 4) : 0,
			   text + w, (size_t)text_len);
}

/* --partial-dmesg: clear_seq, a latched pair since 5.13 (val[seq & 1]). */
static int prb_clear_seq(struct ctx *c, bool *have, uint64_t *ret)
{
	uint64_t sym, latch, val_off;
	int r;

	*have = false;
	if (!vmci_symbol(c->vi, "clear_seq", &sym)) {
		c->st->partial_ignored = true;
		return 0;
	}
	if (vmci_size(c->vi, "latched_seq", &latch)) {
		if (!vmci_offset(c->vi, "latched_seq.val", &val_off) || val_off > latch ||
		    latch - val_off < 16)
			return ds_err_set(c->err, DS_ECORRUPT, "VMCOREINFO has SIZE(latched_seq) "
					  "without a usable OFFSET(latched_seq.val)");
		if ((r = rd_int(c, sym, 4, &latch, "clear_seq's latch")) < 0)
			return r;
		sym += val_off + (latch & 1) * 8;
	}
	if ((r = rd_int(c, sym, 8, ret, "clear_seq")) < 0)
		return r;
	*have = true;
	return 0;
}

static int dump_lockless(struct ctx *c)
{
	uint64_t sym_prb, rb, rb_size, off_dr, off_tr, dr_off[5], tr_off[2];
	uint64_t *dr[5] = { &dr_off[0], &dr_off[1], &dr_off[2], &dr_off[3], &dr_off[4] };
	uint64_t *tr[2] = { &tr_off[0], &tr_off[1] };
	uint64_t count_bits, head, tail, dist, clear_seq = 0, finished = 0;
	unsigned w = c->mem->word_size;
	uint8_t rbuf[MAX_STRUCT];
	uint8_t *text = NULL;
	struct prb p;
	bool have_clear = false;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = need_symbol(c, "prb", &sym_prb)) < 0 ||
	    (r = prb_layout(c, &p, &rb_size, &off_dr, &off_tr, dr, tr)) < 0)
		return r;
	if (off_dr + dr_off[0] + 4 > rb_size || off_dr + dr_off[1] + w > rb_size ||
	    off_dr + dr_off[2] + w > rb_size || off_dr + dr_off[3] + w > rb_size ||
	    off_dr + dr_off[4] + w > rb_size || off_tr + tr_off[0] + 4 > rb_size ||
	    off_tr + tr_off[1] + w > rb_size)
		return ds_err_set(c->err, DS_ECORRUPT, "VMCOREINFO places the ring members outside "
				  "SIZE(printk_ringbuffer)=%" PRIu64, rb_size);
	if ((r = rd_int(c, sym_prb, w, &rb, "prb")) < 0 ||
	    (r = rd(c, rb, rbuf, (size_t)rb_size, "the printk_ringbuffer")) < 0)
		return r;

	count_bits = ld(c, rbuf + off_dr + dr_off[0], 4);
	p.descs = ld(c, rbuf + off_dr + dr_off[1], w);
	p.infos = ld(c, rbuf + off_dr + dr_off[2], w);
	head = ld(c, rbuf + off_dr + dr_off[3], w);
	tail = ld(c, rbuf + off_dr + dr_off[4], w);
	p.size_bits = (unsigned)ld(c, rbuf + off_tr + tr_off[0], 4);
	p.data = ld(c, rbuf + off_tr + tr_off[1], w);
	if (count_bits > MAX_COUNT_BITS || p.size_bits > MAX_SIZE_BITS ||
	    p.size_bits < 3 || count_bits > p.size_bits)
		return ds_err_set(c->err, DS_ECORRUPT,
				  "the printk_ringbuffer at 0x%" PRIx64 " has count_bits %" PRIu64
				  " and size_bits %u: not a ring the kernel makes "
				  "(count_bits <= size_bits <= %u)", rb, count_bits, p.size_bits,
				  MAX_SIZE_BITS);
	p.count = 1ull << count_bits;
	p.size = 1ull << p.size_bits;
	c->st->ring[0].addr = p.descs;
	c->st->ring[0].len = p.count * p.desc_size;
	c->st->ring[1].addr = p.infos;
	c->st->ring[1].len = p.count * p.info_size;
	c->st->ring[2].addr = p.data;
	c->st->ring[2].len = p.size;
	p.state_shift = 8 * w - 2;
	p.id_mask = (1ull << p.state_shift) - 1;
	head &= p.id_mask;
	tail &= p.id_mask;

	if (c->o->partial && (r = prb_clear_seq(c, &have_clear, &clear_seq)) < 0)
		return r;
	if (have_clear && !p.have_seq) {
		/* no seq per record: start at clear_seq's slot in head's lap,
		 * as makedumpfile does, unless that lies past head */
		uint64_t start = (head - head % p.count + clear_seq % p.count) & p.id_mask;

		if (((head - start) & p.id_mask) < p.count)
			tail = start;
		have_clear = false;
	}

	dist = (head - tail) & p.id_mask;
	if (dist >= p.count) {
		warn(c, "printk ring is corrupt: tail_id %" PRIu64 " and head_id %" PRIu64 " are %" PRIu64
		     " descriptors apart, more than the ring's %" PRIu64 "; only the last %" PRIu64
		     " descriptors are read", tail, head, dist, p.count, p.count);
		dist = p.count - 1;
		tail = (head - dist) & p.id_mask;
	}

	p.dwin = malloc((size_t)(WIN * p.desc_size));
	p.iwin = malloc((size_t)(WIN * p.info_size));
	text = malloc(w + 65536u);
	if (!p.dwin || !p.iwin || !text) {
		r = ds_err_set(c->err, DS_ENOMEM, "out of memory for the printk ring");
		goto out;
	}
	for (uint64_t i = 0; i <= dist; i++) {
		uint64_t id = (tail + i) & p.id_mask, sv;
		const uint8_t *desc, *info;

		if ((r = prb_entry(c, &p, id & (p.count - 1), &desc, &info)) < 0)
			goto out;
		sv = ld(c, desc + p.sv_off, w);
		if ((sv & p.id_mask) != id ||
		    ((sv >> p.state_shift) & 3) == DESC_RESERVED ||
		    ((sv >> p.state_shift) & 3) == DESC_REUSABLE) {
			c->st->not_finished++;
			continue;
		}
		finished++;
		if (have_clear && ld(c, info + p.seq_off, 8) < clear_seq)
			continue;
		if ((r = prb_record(c, &p, id, desc, info, text)) < 0)
			goto out;
	}
	if (finished == 0 && c->st->not_finished > 1)
		warn(c, "printk ring: none of the %" PRIu64 " descriptors from tail_id %" PRIu64
		     " to head_id %" PRIu64 " holds a finished record", dist + 1, tail, head);
	r = 0;
out:
	free(p.dwin);
	free(p.iwin);
	free(text);
	return r;
}

/* ------------------------------------------------------------ entry */

enum printk_layout printk_layout_of(const struct vmcoreinfo *vi)
{
	uint64_t v;

	if (vmci_symbol(vi, "prb", &v))
		return PRINTK_LOCKLESS;
	if (vmci_symbol(vi, "log_end", &v))
		return PRINTK_PLAIN;
	if (vmci_symbol(vi, "log_first_idx", &v) || vmci_symbol(vi, "log_next_idx", &v))
		return PRINTK_STRUCTURED;
	return PRINTK_NONE;
}

const char *printk_layout_name(enum printk_layout l)
{
	switch (l) {
	case PRINTK_PLAIN: return "plain (before 3.5)";
	case PRINTK_STRUCTURED: return "structured (3.5 - 5.9)";
	case PRINTK_LOCKLESS: return "lockless ring buffer (5.10+)";
	default: return "unknown";
	}
}

int printk_dump(const struct vmcoreinfo *vi, const struct printk_mem *mem,
		const struct printk_opts *opts, const struct printk_out *out,
		struct printk_stats *stats, struct ds_err *err)
{
	struct ctx c = { .vi = vi, .mem = mem, .o = opts, .out = out, .st = stats, .err = err };
	int r;

	memset(stats, 0, sizeof(*stats));
	stats->layout = printk_layout_of(vi);
	if (mem->word_size != 4 && mem->word_size != 8)
		return ds_err_set(err, DS_EINVAL, "word size %u is not 4 or 8", mem->word_size);
	if (stats->layout == PRINTK_NONE)
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO describes no kernel log buffer "
				  "(no SYMBOL(prb), SYMBOL(log_end) or SYMBOL(log_first_idx))");
	c.buf = malloc(OUTBUF);
	if (!c.buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory for the log output");
	switch (stats->layout) {
	case PRINTK_PLAIN: r = dump_plain(&c); break;
	case PRINTK_STRUCTURED: r = dump_structured(&c); break;
	default: r = dump_lockless(&c); break;
	}
	if (r == 0)
		r = flush(&c);
	free(c.buf);
	return r;
}

/* log.c - the crashed kernel's log buffer, in the layout of the spec's
 * kernel, written the way that kernel writes it, and the log text a correct
 * reader writes for it (makedumpfile 1.7.2's text; see docs/synthetic.md).
 *
 *   plain       (before 3.5) a char ring: log_buf, log_buf_len, log_end;
 *               each message is "<L>[ssss.uuuuuu] text\n", one char at a time
 *   structured  (3.5 - 5.9) struct printk_log records (`log` before 3.11) with
 *               the kernel's rules: room is made by dropping the oldest
 *               records, a record that would not leave room for a header at
 *               the end goes to offset 0 behind a zero-length marker, and
 *               clear_idx follows log_first_idx when the clear mark is
 *               overwritten
 *   lockless    (5.10+) the printk_ringbuffer: ids start at DESC0_ID, text
 *               lpos at BLK0_LPOS; a reservation pushes the descriptor tail
 *               when it reuses the tail's slot, and a text block pushes the
 *               data tail, making the descriptors of overwritten text
 *               reusable; a block that would cross the end of the ring keeps
 *               its data at offset 0; empty messages have no data block
 *
 * The messages are made from the seed: words, some with embedded newlines,
 * tabs, empty ones, and with `text=bytes` control characters and bytes of
 * 0x80 and above.  The last one may be torn by the crash (`last=reserved`:
 * its descriptor still reserved, half its text written; structured: written
 * past log_next_idx; plain: only its first half) or left open
 * (`last=committed`, a continuation line).  `clear=N` runs `dmesg --clear`
 * before message N (latched: the reader must take val[seq & 1], so the
 * other value is left mid-update).
 *
 * The truth is computed from the model's own record list (which records the
 * kernel still holds, in which state), never by decoding the bytes written.
 * Damaged variants (`damage=NAME`) change the bytes afterwards and say what a
 * reader must do: the records that can be trusted, a warning, exit status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define ID_BITS    62
#define ID_MASK    ((1ull << ID_BITS) - 1)
#define ST_RESERVED  0ull
#define ST_COMMITTED 1ull
#define ST_FINALIZED 2ull
#define ST_REUSABLE  3ull
#define FAILED_LPOS 0x1ull
#define NO_LPOS     0x3ull
#define INFO_SIZE   88u
#define DESC_SIZE   24u
#define RB_SIZE     88u

struct rec {
	uint64_t seq, ts;
	uint32_t caller;
	uint8_t level;
	char *text;
	size_t text_len;
	const char *dict;
	/* lockless */
	uint64_t id, begin, next;
	unsigned state;
	bool has_block;
	/* structured */
	uint32_t off, len;
	/* what the kernel still holds at the crash */
	bool held;
	bool torn;
};

struct log_model {
	enum log_format fmt;
	struct rec *rec;
	size_t n;
	uint64_t size;                 /* text ring / log_buf_len */
	unsigned size_bits, count_bits;
	bool caller_field;             /* structured: CONFIG_PRINTK_CALLER */
	unsigned hdr;                  /* structured: SIZE(printk_log) */
	uint64_t clear_seq;            /* seq of the first record after the clear */
	bool cleared;
	bool partial_works;            /* the layout exports a clear mark */
	/* symbols */
	uint64_t sym_prb, sym_rb, sym_clear_seq;
	uint64_t sym_log_buf, sym_log_buf_len, sym_log_end, sym_first, sym_next, sym_clear_idx;
	/* buffers, physical */
	uint64_t text_pa, descs_pa, infos_pa;
	uint64_t text_va, descs_va, infos_va;
	/* bytes as the crash left them */
	uint8_t *text_buf, *descs, *infos, rbuf[RB_SIZE];
	uint64_t head_id, tail_id, head_lpos, tail_lpos;
	uint32_t first_idx, next_idx, clear_idx;
	uint64_t first_seq, next_seq;
	uint64_t log_end;
	unsigned log_end_size;
	/* damage: records the reader must leave out, and what it must say */
	bool *skip;
	size_t dup_at0_after;          /* structured cycle: seq after which rec@0 repeats */
	bool dup;
	char expect_exit;              /* '0' or '1' */
	bool expect_file;              /* 1: the trusted records stay in the file */
	char expect_msg[160];
};

/* ------------------------------------------------------------ helpers */

/* Integers in the crashed machine's byte order (log_build sets it) */
static bool log_be;

static void put(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[log_be ? size - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[log_be ? size - 1 - i : i] << (8 * i);
	return v;
}

static unsigned log2u(uint64_t v)
{
	unsigned b = 0;

	while ((1ull << b) < v)
		b++;
	return b;
}

static unsigned version_of(const char *osrelease)
{
	unsigned a = 0, b = 0, c = 0;

	if (sscanf(osrelease, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return (a << 16) | (b << 8) | (c > 255 ? 255 : c);
}

/* ------------------------------------------------------------ messages */

static const char *const words[] = {
	"ACPI:", "PCI:", "virtio_blk", "EXT4-fs", "memory", "mapped", "device", "irq",
	"0x00000000fed00000", "enabled", "registered", "clocksource", "tsc:", "usb", "cpu",
	"Freeing", "unused", "kernel", "image", "(initmem)", "audit:", "type=2000", "NET:",
	"Registered", "PF_INET6", "protocol", "family", "random:", "crng", "init", "done",
	"Segment", "Routing", "Table", "zswap:", "loaded", "using", "pool", "lzo/zbud",
	"x86/fpu:", "Supporting", "XSAVE", "feature", "rcu:", "Hierarchical", "RCU",
};

/* One message of the spec's kind: printable words, sometimes a second line,
 * a tab, nothing at all, or (text=bytes) bytes a reader must escape. */
static void make_text(struct rng *r, const struct log_spec *ls, uint64_t k, struct sbuf *b)
{
	unsigned kind = (unsigned)rng_below(r, 100);
	unsigned nwords = 1 + (unsigned)rng_below(r, kind < 5 ? 60 : 12);

	if (kind >= 97 && k > 1)
		return;                                  /* an empty line */
	sb_printf(b, "mkvmcore message %" PRIu64 ":", k);
	for (unsigned i = 0; i < nwords; i++) {
		sb_printf(b, " %s", words[rng_below(r, sizeof(words) / sizeof(words[0]))]);
		if (kind >= 85 && kind < 90 && i == nwords / 2)
			sb_printf(b, "\n  continued");   /* a multi-line record */
		if (kind >= 90 && kind < 93 && i == 0)
			sb_printf(b, "\t");
	}
	if (ls->bytes && kind % 4 == 0) {
		/* controls and high bytes, as a broken driver or UTF-8 name gives */
		char raw[8];

		raw[0] = ' ';
		raw[1] = (char)(1 + rng_below(r, 8));        /* \x01 .. \x08 */
		raw[2] = (char)0x7f;
		raw[3] = (char)(0x80 + rng_below(r, 0x80));  /* >= 0x80 */
		raw[4] = (char)0xc3;
		raw[5] = (char)0xa9;
		raw[6] = '\r';
		raw[7] = '\0';
		sb_printf(b, "%s", raw);
	}
}

/* ------------------------------------------------------------ lockless */

struct prb_sim {
	struct log_model *L;
	uint64_t count, size;
	uint64_t *slot_rec;            /* index -> record number + 1 (0: initial) */
	uint64_t slot_id0;             /* DESC0_ID */
	/* allocated data blocks in lpos order (record numbers) */
	size_t *blocks, nb, b0;
};

static void desc_set(struct log_model *L, uint64_t idx, uint64_t id, uint64_t state,
		     uint64_t begin, uint64_t next)
{
	uint8_t *d = L->descs + idx * DESC_SIZE;

	put(d, (state << ID_BITS) | id, 8);
	put(d + 8, begin, 8);
	put(d + 16, next, 8);
}

static void make_reusable(struct prb_sim *s, size_t ri)
{
	struct rec *r = &s->L->rec[ri];

	if (r->state == ST_FINALIZED || r->state == ST_COMMITTED) {
		r->state = ST_REUSABLE;
		desc_set(s->L, r->id % s->count, r->id, ST_REUSABLE, r->begin, r->next);
	}
}

/* Invalidate text blocks until the data tail is at least `lpos`. */
static void data_push_tail(struct prb_sim *s, uint64_t lpos)
{
	struct log_model *L = s->L;

	while ((int64_t)(L->tail_lpos - lpos) < 0) {
		if (s->b0 == s->nb) {
			L->tail_lpos = lpos;
			break;
		}
		size_t ri = s->blocks[s->b0++];

		make_reusable(s, ri);
		L->tail_lpos = L->rec[ri].next;
	}
}

static void desc_push_tail(struct prb_sim *s)
{
	struct log_model *L = s->L;
	uint64_t idx = L->tail_id % s->count;

	if (s->slot_rec[idx]) {
		size_t ri = (size_t)s->slot_rec[idx] - 1;

		make_reusable(s, ri);
		if (L->rec[ri].has_block)
			data_push_tail(s, L->rec[ri].next);
	}
	L->tail_id = (L->tail_id + 1) & ID_MASK;
}

static uint64_t get_next_lpos(const struct prb_sim *s, uint64_t begin, uint64_t size)
{
	uint64_t next = begin + size;

	if ((begin >> s->L->size_bits) == (next >> s->L->size_bits))
		return next;
	/* the block would cross the end: its data goes to the start */
	return (next & ~(s->size - 1)) + size;
}

static void lockless_store(struct prb_sim *s, size_t ri, bool torn)
{
	struct log_model *L = s->L;
	struct rec *r = &L->rec[ri];
	uint64_t id = (L->head_id + 1) & ID_MASK;
	uint8_t *inf;

	/* the previous record is finalized when the next one is reserved */
	if (ri > 0 && L->rec[ri - 1].state == ST_COMMITTED) {
		struct rec *p = &L->rec[ri - 1];

		p->state = ST_FINALIZED;
		desc_set(L, p->id % s->count, p->id, ST_FINALIZED, p->begin, p->next);
	}
	if (((id - s->count) & ID_MASK) == L->tail_id)
		desc_push_tail(s);
	L->head_id = id;
	r->id = id;
	s->slot_rec[id % s->count] = ri + 1;

	if (r->text_len == 0) {
		r->begin = r->next = NO_LPOS;
	} else {
		uint64_t size = (r->text_len + 8 + 7) & ~7ull;
		uint64_t begin = L->head_lpos, next = get_next_lpos(s, begin, size);
		uint64_t at;

		data_push_tail(s, next - s->size);
		L->head_lpos = next;
		r->begin = begin;
		r->next = next;
		r->has_block = true;
		s->blocks[s->nb++] = ri;
		put(L->text_buf + (begin & (s->size - 1)), id, 8);
		at = (begin >> L->size_bits) == (next >> L->size_bits) ? begin & (s->size - 1) : 0;
		put(L->text_buf + at, id, 8);
		memcpy(L->text_buf + at + 8, r->text, torn ? r->text_len / 2 : r->text_len);
	}
	inf = L->infos + (id % s->count) * INFO_SIZE;
	memset(inf, 0, INFO_SIZE);
	put(inf, r->seq, 8);
	put(inf + 8, r->ts, 8);
	put(inf + 16, r->text_len, 2);
	inf[18] = 0;                        /* facility */
	inf[19] = (uint8_t)(r->level << 5); /* flags:5, level:3 */
	put(inf + 20, r->caller, 4);
	r->state = torn ? ST_RESERVED : ST_COMMITTED;
	desc_set(L, id % s->count, id, r->state, r->begin, r->next);
}

static void lockless_build(struct log_model *L, const struct log_spec *ls)
{
	struct prb_sim s = { .L = L };

	s.count = 1ull << L->count_bits;
	s.size = L->size;
	s.slot_rec = xcalloc(s.count, sizeof(*s.slot_rec));
	s.blocks = xcalloc(L->n + 1, sizeof(*s.blocks));
	L->descs = xcalloc(s.count, DESC_SIZE);
	L->infos = xcalloc(s.count, INFO_SIZE);
	L->text_buf = xcalloc(1, s.size);

	/* the ring as the kernel defines it */
	L->head_id = L->tail_id = (0 - (s.count + 1)) & ID_MASK;
	desc_set(L, s.count - 1, L->head_id, ST_REUSABLE, FAILED_LPOS, FAILED_LPOS);
	put(L->infos, 0 - s.count, 8);
	L->head_lpos = L->tail_lpos = 0 - s.size;

	for (size_t i = 0; i < L->n; i++) {
		bool last = i + 1 == L->n, torn = last && ls->last == LAST_RESERVED;

		lockless_store(&s, i, torn);
		L->rec[i].torn = torn;
		if (!torn && !(last && ls->last == LAST_COMMITTED)) {
			/* a complete line is finalized at once */
			L->rec[i].state = ST_FINALIZED;
			desc_set(L, L->rec[i].id % s.count, L->rec[i].id, ST_FINALIZED,
				 L->rec[i].begin, L->rec[i].next);
		}
	}
	/* what a reader finds: committed or finalized, with text */
	for (size_t i = 0; i < L->n; i++) {
		struct rec *r = &L->rec[i];
		bool in_ring = ((L->head_id - r->id) & ID_MASK) < s.count &&
			       s.slot_rec[r->id % s.count] == i + 1;

		r->held = in_ring && (r->state == ST_COMMITTED || r->state == ST_FINALIZED) &&
			  r->text_len > 0;
	}

	/* the printk_ringbuffer struct (6.1 layout) */
	memset(L->rbuf, 0, sizeof(L->rbuf));
	put(L->rbuf + 0, L->count_bits, 4);
	put(L->rbuf + 8, L->descs_va, 8);
	put(L->rbuf + 16, L->infos_va, 8);
	put(L->rbuf + 24, L->head_id, 8);
	put(L->rbuf + 32, L->tail_id, 8);
	put(L->rbuf + 40, L->head_id, 8);       /* last_finalized_id */
	put(L->rbuf + 48, L->size_bits, 4);
	put(L->rbuf + 56, L->text_va, 8);
	put(L->rbuf + 64, L->head_lpos, 8);
	put(L->rbuf + 72, L->tail_lpos, 8);
	free(s.slot_rec);
	free(s.blocks);
}

/* ------------------------------------------------------------ structured */

static uint32_t st_next(const struct log_model *L, uint32_t idx)
{
	uint32_t len = (uint32_t)get(L->text_buf + idx + 8, 2);

	if (!len)
		return (uint32_t)get(L->text_buf + 8, 2);
	return idx + len;
}

static bool st_has_space(const struct log_model *L, uint32_t msg_size, bool empty)
{
	uint32_t free_bytes;

	if (L->next_idx > L->first_idx || empty) {
		uint32_t tail = (uint32_t)L->size - L->next_idx;

		free_bytes = tail > L->first_idx ? tail : L->first_idx;
	} else {
		free_bytes = L->first_idx - L->next_idx;
	}
	return free_bytes >= msg_size + L->hdr;
}

static void structured_build(struct log_model *L, const struct log_spec *ls)
{
	L->text_buf = xcalloc(1, L->size);
	for (size_t i = 0; i < L->n; i++) {
		struct rec *r = &L->rec[i];
		size_t dict_len = r->dict ? strlen(r->dict) : 0;
		uint32_t size = (uint32_t)(L->hdr + r->text_len + dict_len);
		bool torn = i + 1 == L->n && ls->last == LAST_RESERVED;
		uint8_t *p;

		if ((int64_t)i == ls->clear) {
			L->clear_seq = L->next_seq;
			L->clear_idx = L->next_idx;
			L->cleared = true;
		}
		size += (0u - size) & 7u;
		if (size + L->hdr > L->size)
			die("log: message %zu (%u bytes) does not fit a %" PRIu64 "-byte log_buf",
			    i, size, L->size);
		while (L->first_seq < L->next_seq && !st_has_space(L, size, false)) {
			L->first_idx = st_next(L, L->first_idx);
			L->first_seq++;
		}
		if (L->clear_seq < L->first_seq) {
			L->clear_seq = L->first_seq;
			L->clear_idx = L->first_idx;
		}
		if (L->next_idx + size + L->hdr > L->size) {
			memset(L->text_buf + L->next_idx, 0, L->hdr);
			L->next_idx = 0;
		}
		p = L->text_buf + L->next_idx;
		memset(p, 0, size);
		put(p, r->ts, 8);
		put(p + 8, size, 2);
		put(p + 10, r->text_len, 2);
		put(p + 12, dict_len, 2);
		p[14] = 0;
		p[15] = (uint8_t)(r->level << 5);
		if (L->caller_field)
			put(p + 16, r->caller, 4);
		memcpy(p + L->hdr, r->text, torn ? r->text_len / 2 : r->text_len);
		if (dict_len && !torn)
			memcpy(p + L->hdr + r->text_len, r->dict, dict_len);
		r->off = L->next_idx;
		r->len = size;
		if (torn) {
			/* the crash came before log_next_idx moved */
			r->torn = true;
			break;
		}
		L->next_idx += size;
		L->next_seq++;
	}
	for (size_t i = 0; i < L->n; i++)
		L->rec[i].held = !L->rec[i].torn && L->rec[i].seq >= L->first_seq &&
				 L->rec[i].seq < L->next_seq;
	if (!L->cleared) {
		L->clear_seq = L->first_seq;
		L->clear_idx = L->first_idx;
	}
}

/* ------------------------------------------------------------ plain */

static void plain_build(struct log_model *L, const struct log_spec *ls, struct sbuf *stream)
{
	L->text_buf = xcalloc(1, L->size);
	for (size_t i = 0; i < L->n; i++) {
		struct rec *r = &L->rec[i];
		size_t start = stream->len, end;

		sb_printf(stream, "<%u>[%5" PRIu64 ".%06" PRIu64 "] ", r->level, r->ts / 1000000000u,
			  r->ts % 1000000000u / 1000u);
		for (size_t j = 0; j < r->text_len; j++)
			sb_printf(stream, "%c", r->text[j]);
		sb_printf(stream, "\n");
		end = stream->len;
		if (i + 1 == L->n && ls->last == LAST_RESERVED) {
			end = start + (end - start) / 2;   /* torn mid-message */
			stream->len = end;
			r->torn = true;
		}
		for (size_t j = start; j < end; j++)
			L->text_buf[(L->log_end + j - start) & (L->size - 1)] = (uint8_t)stream->s[j];
		L->log_end += end - start;
	}
}

/* ------------------------------------------------------------ the truth */

static void emit_line(struct sbuf *b, const struct rec *r, bool caller)
{
	char pre[64], cid[16];
	int n = snprintf(pre, sizeof(pre), "[%5" PRIu64 ".%06" PRIu64 "] ", r->ts / 1000000000u,
			 r->ts % 1000000000u / 1000u);

	if (caller) {
		snprintf(cid, sizeof(cid), "%c%u", r->caller & 0x80000000u ? 'C' : 'T',
			 r->caller & 0x7fffffffu);
		n += snprintf(pre + n, sizeof(pre) - (size_t)n, "[%8s] ", cid);
	}
	sb_printf(b, "%s", pre);
	for (size_t i = 0; i < r->text_len; i++) {
		unsigned char c = (unsigned char)r->text[i];

		if (c == '\n')
			sb_printf(b, "\n%*s", n, "");
		else if ((c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r'))
			sb_printf(b, "%c", c);
		else
			sb_printf(b, "\\x%02x", c);
	}
	sb_printf(b, "\n");
}

static void truth_text(const struct log_model *L, struct sbuf *b, bool partial, bool caller,
		       const struct sbuf *stream)
{
	if (L->fmt == LOG_PLAIN) {
		/* the last log_buf_len bytes of everything printed */
		size_t n = L->log_end < L->size ? (size_t)L->log_end : (size_t)L->size;

		if (n)
			sb_printf(b, "%.*s", (int)n, stream->s + stream->len - n);
		return;
	}
	for (size_t i = 0; i < L->n; i++) {
		const struct rec *r = &L->rec[i];

		if (!r->held || (L->skip && L->skip[i]))
			continue;
		if (partial && L->partial_works && r->seq < L->clear_seq)
			continue;
		emit_line(b, r, caller);
		if (L->dup && i == L->dup_at0_after) {
			/* the damaged walk comes back to the record at offset 0 */
			for (size_t j = 0; j < L->n; j++)
				if (L->rec[j].held && L->rec[j].off == 0)
					emit_line(b, &L->rec[j], caller);
			break;
		}
	}
}

/* ------------------------------------------------------------ damage */

static size_t pick_held(const struct log_model *L, double where)
{
	size_t held = 0, want, k = 0;

	for (size_t i = 0; i < L->n; i++)
		held += L->rec[i].held;
	if (!held)
		die("log damage: no record held to damage");
	want = (size_t)(where * (double)(held - 1));
	for (size_t i = 0; i < L->n; i++)
		if (L->rec[i].held && k++ == want)
			return i;
	return 0;
}

static void damage(struct log_model *L, const struct log_spec *ls)
{
	const char *d = ls->damage;
	size_t i;

	L->expect_exit = '0';
	L->expect_file = true;
	if (!d[0])
		return;
	L->skip = xcalloc(L->n, sizeof(*L->skip));
	L->expect_exit = '1';
	if (L->fmt == LOG_LOCKLESS && !strcmp(d, "far-ids")) {
		/* tail_id three laps behind head_id: only one lap can be read */
		put(L->rbuf + 32, (L->head_id - 3 * (1ull << L->count_bits)) & ID_MASK, 8);
		snprintf(L->expect_msg, sizeof(L->expect_msg), "descriptors apart, more than the ring");
	} else if (L->fmt == LOG_LOCKLESS && !strcmp(d, "block-id")) {
		/* a record's text block names another descriptor */
		i = pick_held(L, 0.5);
		put(L->text_buf + ((L->rec[i].begin >> L->size_bits) == (L->rec[i].next >> L->size_bits)
				   ? L->rec[i].begin & (L->size - 1) : 0),
		    L->rec[i].id + 12345, 8);
		L->skip[i] = true;
		snprintf(L->expect_msg, sizeof(L->expect_msg),
			 "text block of record %" PRIu64 " .*belongs to descriptor", L->rec[i].seq);
	} else if (L->fmt == LOG_LOCKLESS && !strcmp(d, "lpos")) {
		/* a text block that spans three wraps */
		i = pick_held(L, 0.3);
		put(L->descs + (L->rec[i].id % (1ull << L->count_bits)) * DESC_SIZE + 16,
		    L->rec[i].begin + 3 * L->size, 8);
		L->skip[i] = true;
		snprintf(L->expect_msg, sizeof(L->expect_msg),
			 "record %" PRIu64 " .*is not one block", L->rec[i].seq);
	} else if (L->fmt == LOG_LOCKLESS && !strcmp(d, "count-bits")) {
		put(L->rbuf, 40, 4);
		L->expect_file = false;
		snprintf(L->expect_msg, sizeof(L->expect_msg), "count_bits 40");
	} else if (L->fmt == LOG_STRUCTURED && !strcmp(d, "len-outside")) {
		/* a record claims more than the buffer: the walk stops there */
		i = pick_held(L, 0.6);
		put(L->text_buf + L->rec[i].off + 8, 0xfff8, 2);
		for (size_t j = i; j < L->n; j++)
			L->skip[j] = true;
		snprintf(L->expect_msg, sizeof(L->expect_msg), "record at log_buf\\+0x%x has length",
			 L->rec[i].off);
	} else if (L->fmt == LOG_STRUCTURED && !strcmp(d, "cycle")) {
		/* a record after the wrap becomes an end marker: the walk goes
		 * back to offset 0, which it has written already */
		size_t at0 = L->n, after = L->n;

		for (size_t j = 0; j < L->n; j++)
			if (L->rec[j].held && L->rec[j].off == 0)
				at0 = j;
		for (size_t j = at0 + 2; j < L->n; j++)
			if (L->rec[j].held) {
				after = j;
				break;
			}
		if (at0 == L->n || after == L->n || L->first_idx == 0)
			die("log damage cycle: needs a wrapped structured log with 3 records after the wrap");
		put(L->text_buf + L->rec[after].off + 8, 0, 2);
		for (size_t j = after; j < L->n; j++)
			L->skip[j] = true;
		L->dup = true;
		L->dup_at0_after = after - 1;
		while (!L->rec[L->dup_at0_after].held)
			L->dup_at0_after--;
		snprintf(L->expect_msg, sizeof(L->expect_msg), "loop back to log_buf\\+0x%x",
			 L->rec[at0].off + L->rec[at0].len);
	} else if (L->fmt == LOG_STRUCTURED && !strcmp(d, "index-outside")) {
		L->next_idx = (uint32_t)L->size + 64;
		L->expect_file = false;
		snprintf(L->expect_msg, sizeof(L->expect_msg), "outside the %" PRIu64 "-byte buffer",
			 L->size);
	} else if (L->fmt == LOG_PLAIN && !strcmp(d, "len")) {
		L->expect_file = false;
		snprintf(L->expect_msg, sizeof(L->expect_msg), "log_buf_len 3000");
	} else {
		die("log damage '%s' does not exist for this layout", d);
	}
}

/* ------------------------------------------------------------ build */

static struct sbuf plain_stream;   /* everything printed (plain layout) */

void log_build(struct model *m)
{
	const struct spec *sp = m->sp;
	const struct log_spec *ls = &sp->log;
	struct log_model *L = xcalloc(1, sizeof(*L));
	struct rng r = { mix64(sp->seed ^ 0x6c6f67ull) };
	unsigned version = version_of(sp->osrelease);
	uint64_t ts = 0;

	m->log = L;
	log_be = m->arch->big_endian;
	L->fmt = ls->format;
	if (L->fmt == LOG_DEFAULT)
		L->fmt = m->g->major > 5 || (m->g->major == 5 && m->g->minor >= 10) ? LOG_LOCKLESS
									      : LOG_STRUCTURED;
	L->size = ls->size ? ls->size : 32768;
	if (L->size & (L->size - 1) || L->size < 4096 || L->size > (1ull << 26))
		die("log size must be a power of two, 4K .. 64M");
	L->size_bits = log2u(L->size);
	L->count_bits = ls->desc_bits ? ls->desc_bits : L->size_bits - 5;
	L->caller_field = ls->caller;
	L->hdr = L->caller_field ? 24 : 16;
	L->log_end_size = version && version < ((2u << 16) | (6u << 8) | 25u) ? 8 : 4;

	/* the messages */
	L->n = ls->records ? ls->records : 400;
	L->rec = xcalloc(L->n, sizeof(*L->rec));
	for (size_t i = 0; i < L->n; i++) {
		struct rec *rc = &L->rec[i];
		struct sbuf b = { 0 };

		if (i == 0)
			sb_printf(&b, "Linux version %s (mkvmcore@synth) #1 SMP %s", sp->osrelease, sp->name);
		else if (i == 1)
			sb_printf(&b, "Command line: console=ttyS0 mkvmcore=%s", sp->name);
		else
			make_text(&r, ls, i, &b);
		rc->seq = i;
		rc->ts = ts;
		ts += 1 + rng_below(&r, 3000000);
		rc->level = (uint8_t)(rng_below(&r, 4) ? 6 : 4);
		rc->caller = rng_below(&r, 5) ? (uint32_t)(1 + rng_below(&r, 4000))
					      : 0x80000000u | (uint32_t)rng_below(&r, sp->cpus);
		rc->text = b.s ? b.s : xstrdup("");
		rc->text_len = b.len;
		rc->dict = rng_below(&r, 8) == 0 ? "SUBSYSTEM=pci" : NULL;
	}

	/* where the kernel keeps it: static arrays in the image, a memblock
	 * allocation (log_buf_len=), or RAM the vmcore leaves out */
	uint64_t text_bytes = L->size;
	uint64_t desc_bytes = L->fmt == LOG_LOCKLESS ? (DESC_SIZE << L->count_bits) : 0;
	uint64_t info_bytes = L->fmt == LOG_LOCKLESS ? ((uint64_t)INFO_SIZE << L->count_bits) : 0;

	if (ls->place == LOG_PLACE_MISSING) {
		if (!sp->crashkernel.size || sp->crashkernel.size < text_bytes)
			die("log place=missing needs a crashkernel range of at least the log size");
		L->text_pa = sp->crashkernel.start;
		L->text_va = direct_va(m, L->text_pa);
	} else if (ls->place == LOG_PLACE_FREE) {
		/* a free buddy block: a dump at -d 16 leaves the log out */
		L->text_pa = model_free_block(m, log2u((text_bytes + m->page_size - 1) / m->page_size))
			     << m->page_shift;
		L->text_va = direct_va(m, L->text_pa);
	} else if (ls->place == LOG_PLACE_MEMBLOCK) {
		L->text_pa = model_memblock(m, (text_bytes + m->page_size - 1) / m->page_size) << m->page_shift;
		L->text_va = direct_va(m, L->text_pa);
	} else {
		L->text_pa = model_kalloc(m, text_bytes, m->page_size);
		L->text_va = image_va(m, L->text_pa);
	}
	if (desc_bytes) {
		L->descs_pa = model_kalloc(m, desc_bytes, 64);
		L->infos_pa = model_kalloc(m, info_bytes, 64);
		L->descs_va = image_va(m, L->descs_pa);
		L->infos_va = image_va(m, L->infos_pa);
	}
	uint64_t vars = model_kalloc(m, 4096, m->page_size);

	/* the variables, as the image's data holds them */
	L->sym_prb = image_va(m, vars + 0x3e0);
	L->sym_rb = image_va(m, vars + 0x400);
	L->sym_clear_seq = image_va(m, vars + 0xd20);
	L->sym_log_buf = image_va(m, vars + 0x0a0);
	L->sym_log_buf_len = image_va(m, vars + 0x09c);
	L->sym_log_end = image_va(m, vars + 0x0b0);
	L->sym_first = image_va(m, vars + 0xd20);
	L->sym_next = image_va(m, vars + 0xd10);
	L->sym_clear_idx = image_va(m, vars + 0xcf4);

	if (L->fmt == LOG_LOCKLESS)
		lockless_build(L, ls);
	else if (L->fmt == LOG_STRUCTURED)
		structured_build(L, ls);
	else
		plain_build(L, ls, &plain_stream);
	if (ls->clear >= 0 && L->fmt == LOG_LOCKLESS) {
		L->clear_seq = (uint64_t)ls->clear;
		L->cleared = true;
	}
	L->partial_works = (L->fmt == LOG_LOCKLESS && L->cleared) ||
			   (L->fmt == LOG_STRUCTURED && !ls->old_name);
	damage(L, ls);

	/* bytes into memory */
	phys_write(m, L->text_pa, L->text_buf, (size_t)L->size);
	if (L->fmt == LOG_LOCKLESS) {
		bool latched = m->g->major > 5 || (m->g->major == 5 && m->g->minor >= 13);

		phys_write(m, L->descs_pa, L->descs, (size_t)desc_bytes);
		phys_write(m, L->infos_pa, L->infos, (size_t)info_bytes);
		phys_write(m, vars + 0x400, L->rbuf, RB_SIZE);
		phys_write_u64(m, vars + 0x3e0, L->sym_rb);
		if (latched) {
			/* an update in flight: the reader must take val[1] */
			uint8_t ls_buf[24];

			memset(ls_buf, 0, sizeof(ls_buf));
			put(ls_buf, 2 * 17 + 1, 4);
			put(ls_buf + 8, L->clear_seq + 7, 8);
			put(ls_buf + 16, L->clear_seq, 8);
			phys_write(m, vars + 0xd20, ls_buf, sizeof(ls_buf));
		} else {
			phys_write_u64(m, vars + 0xd20, L->clear_seq);
		}
	} else {
		uint8_t v[0x100];

		memset(v, 0, sizeof(v));
		put(v + 0x0a0, L->text_va, 8);
		put(v + 0x09c, ls->damage[0] && L->fmt == LOG_PLAIN ? 3000 : L->size, 4);
		put(v + 0x0b0, L->log_end, L->log_end_size);
		phys_write(m, vars, v, sizeof(v));
		if (L->fmt == LOG_STRUCTURED) {
			uint8_t w[4];

			put(w, L->first_idx, 4);
			phys_write(m, vars + 0xd20, w, 4);
			put(w, L->next_idx, 4);
			phys_write(m, vars + 0xd10, w, 4);
			put(w, L->clear_idx, 4);
			phys_write(m, vars + 0xcf4, w, 4);
		}
	}
}

void log_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	const struct log_model *L = m->log;
	bool v61 = m->g->major > 6 || (m->g->major == 6 && m->g->minor >= 1);

	if (L->fmt == LOG_LOCKLESS) {
		sb_printf(b, "SYMBOL(prb)=%llx\n", (unsigned long long)L->sym_prb);
		sb_printf(b, "SYMBOL(printk_rb_static)=%llx\n", (unsigned long long)L->sym_rb);
		sb_printf(b, "SYMBOL(clear_seq)=%llx\n", (unsigned long long)L->sym_clear_seq);
		sb_printf(b, "SIZE(printk_ringbuffer)=88\n"
			  "OFFSET(printk_ringbuffer.desc_ring)=0\n"
			  "OFFSET(printk_ringbuffer.text_data_ring)=48\n"
			  "OFFSET(printk_ringbuffer.fail)=80\n"
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
			  "OFFSET(printk_info.dev_info)=24\n"
			  "SIZE(dev_printk_info)=64\n"
			  "OFFSET(dev_printk_info.subsystem)=0\n"
			  "LENGTH(printk_info_subsystem)=16\n"
			  "OFFSET(dev_printk_info.device)=16\n"
			  "LENGTH(printk_info_device)=48\n"
			  "SIZE(prb_data_ring)=32\n"
			  "OFFSET(prb_data_ring.size_bits)=0\n"
			  "OFFSET(prb_data_ring.data)=8\n"
			  "OFFSET(prb_data_ring.head_lpos)=16\n"
			  "OFFSET(prb_data_ring.tail_lpos)=24\n"
			  "SIZE(atomic_long_t)=8\n"
			  "OFFSET(atomic_long_t.counter)=0\n");
		if (v61)
			sb_printf(b, "SIZE(latched_seq)=24\nOFFSET(latched_seq.val)=8\n");
	} else if (L->fmt == LOG_STRUCTURED) {
		const char *t = m->sp->log.old_name ? "log" : "printk_log";

		sb_printf(b, "SYMBOL(log_buf)=%llx\n", (unsigned long long)L->sym_log_buf);
		sb_printf(b, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)L->sym_log_buf_len);
		sb_printf(b, "SYMBOL(log_first_idx)=%llx\n", (unsigned long long)L->sym_first);
		if (!m->sp->log.old_name)
			sb_printf(b, "SYMBOL(clear_idx)=%llx\n", (unsigned long long)L->sym_clear_idx);
		sb_printf(b, "SYMBOL(log_next_idx)=%llx\n", (unsigned long long)L->sym_next);
		sb_printf(b, "SIZE(%s)=%u\n", t, L->hdr);
		sb_printf(b, "OFFSET(%s.ts_nsec)=0\nOFFSET(%s.len)=8\nOFFSET(%s.text_len)=10\n"
			  "OFFSET(%s.dict_len)=12\n", t, t, t, t);
		if (L->caller_field)
			sb_printf(b, "OFFSET(%s.caller_id)=16\n", t);
	} else {
		sb_printf(b, "SYMBOL(log_buf)=%llx\n", (unsigned long long)L->sym_log_buf);
		sb_printf(b, "SYMBOL(log_end)=%llx\n", (unsigned long long)L->sym_log_end);
		sb_printf(b, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)L->sym_log_buf_len);
	}
}

void log_truth(const struct model *m, const char *dir)
{
	const struct log_model *L = m->log;
	struct sbuf t = { 0 }, p = { 0 }, c = { 0 }, e = { 0 };
	size_t held = 0;
	bool missing = m->sp->log.place == LOG_PLACE_MISSING;

	for (size_t i = 0; i < L->n; i++)
		held += L->rec[i].held && !(L->skip && L->skip[i]);

	truth_text(L, &t, false, false, &plain_stream);
	truth_text(L, &p, true, false, &plain_stream);
	truth_text(L, &c, false, L->fmt == LOG_LOCKLESS || L->caller_field, &plain_stream);
	write_text(dir, "expected-dmesg.txt", t.s ? t.s : "", t.len);
	write_text(dir, "expected-dmesg-partial.txt", p.s ? p.s : "", p.len);
	write_text(dir, "expected-dmesg-caller.txt", c.s ? c.s : "", c.len);
	sb_printf(&e, "layout %s\nexit %c\nfile %s\n",
		  L->fmt == LOG_LOCKLESS ? "lockless" : L->fmt == LOG_STRUCTURED ? "structured" : "plain",
		  missing ? '1' : L->expect_exit, L->expect_file && !missing ? "kept" : "none");
	if (missing)
		sb_printf(&e, "message reading the (log buffer|printk text ring).*\\(pfn 0x[0-9a-f]+\\) is not in\n");
	else if (L->expect_msg[0])
		sb_printf(&e, "message %s\n", L->expect_msg);
	sb_printf(&e, "note %zu of %zu messages to write, clear_seq %" PRIu64 "%s\n",
		  held, L->n, L->clear_seq, L->cleared ? "" : " (never cleared)");
	write_text(dir, "dmesg.expect", e.s, e.len);
	sb_free(&t);
	sb_free(&p);
	sb_free(&c);
	sb_free(&e);
}

void log_free(struct model *m)
{
	struct log_model *L = m->log;

	if (!L)
		return;
	for (size_t i = 0; i < L->n; i++)
		free(L->rec[i].text);
	free(L->rec);
	free(L->text_buf);
	free(L->descs);
	free(L->infos);
	free(L->skip);
	free(L);
	sb_free(&plain_stream);
	m->log = NULL;
}

/* codec.h - page compression backends behind one ops table.
 *
 * Each backend (none.c, zlib.c, lzo.c, snappy.c, zstd.c) defines one
 * `const struct codec_ops codec_<name>_ops`.  codec.c is the registry and the
 * ONLY file that knows which backends were built (#if HAVE_*); callers look a
 * codec up with codec_find() and never test build options themselves.
 *
 * The parameters follow makedumpfile so that dumps are alike: zlib level 1
 * (zlib wrapper, what uncompress() reads), LZO1X-1, raw snappy, zstd level 1
 * single frame.  Every page is an independent stream.  Format reference:
 * docs/formats.md ("page descriptors").
 */
#ifndef DS_CODEC_H
#define DS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

enum codec_id {
	CODEC_NONE,
	CODEC_ZLIB,
	CODEC_LZO,
	CODEC_SNAPPY,
	CODEC_ZSTD,
	CODEC_MAX
};

/* kdump-compressed per-page flags and header status bits (format facts) */
#define KDUMP_FLAG_ZLIB   0x01u
#define KDUMP_FLAG_LZO    0x02u
#define KDUMP_FLAG_SNAPPY 0x04u
#define KDUMP_FLAG_ZSTD   0x20u

struct codec_ctx;   /* a backend's private per-thread state (may be unused) */

struct codec_ops {
	const char *name;          /* "none", "zlib", "lzo", "snappy", "zstd" */
	enum codec_id id;
	uint32_t kdump_flag;       /* KDUMP_FLAG_*, 0 for none */

	/* Largest output compress() may produce for src_len input bytes. */
	size_t (*bound)(size_t src_len);

	/* Per-thread state.  ctx_new returns NULL only when out of memory;
	 * ctx_free accepts NULL. */
	struct codec_ctx *(*ctx_new)(void);
	void (*ctx_free)(struct codec_ctx *ctx);

	/* Compress src into dst (dst_cap >= bound(src_len)).  Returns the
	 * compressed length (> 0), or a negative -DS_E* with err filled. */
	long (*compress)(struct codec_ctx *ctx, const void *src, size_t src_len,
			 void *dst, size_t dst_cap, struct ds_err *err);

	/* Decompress exactly dst_len bytes; anything else (short output,
	 * trailing input, corrupt stream) is -DS_ECORRUPT. */
	int (*decompress)(const void *src, size_t src_len, void *dst,
			  size_t dst_len, struct ds_err *err);
};

/* The codec with this id, or NULL when it was not built in. */
const struct codec_ops *codec_find(enum codec_id id);

/* The codec whose kdump per-page flag is `flag` (0 = none), or NULL. */
const struct codec_ops *codec_find_by_flag(uint32_t flag);

/* Name for messages, known for every id whether built or not. */
const char *codec_name(enum codec_id id);

#endif

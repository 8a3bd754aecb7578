/* snappy.c - snappy backend (kdump flag 0x04): raw snappy format (no
 * framing) through libsnappy's C API, as makedumpfile writes it.  The
 * stream starts with the uncompressed length, checked before decoding. */
#include "codec.h"

#include <snappy-c.h>

/* The C API keeps no state; ctx_new hands out this one object. */
struct codec_ctx {
	char unused;
};

static struct codec_ctx snappy_ctx;

static size_t snappy_bound(size_t src_len)
{
	return snappy_max_compressed_length(src_len);
}

static struct codec_ctx *snappy_ctx_new(void)
{
	return &snappy_ctx;
}

static void snappy_ctx_free(struct codec_ctx *ctx)
{
	(void)ctx;
}

static long snappy_compress_page(struct codec_ctx *ctx, const void *src,
				 size_t src_len, void *dst, size_t dst_cap,
				 struct ds_err *err)
{
	size_t out = dst_cap;
	size_t need;
	snappy_status st;

	(void)ctx;
	if (src_len == 0)
		return ds_err_set(err, DS_EINVAL, "snappy: empty input");
	need = snappy_bound(src_len);
	if (dst_cap < need)
		return ds_err_set(err, DS_EINVAL,
				  "snappy: output buffer of %zu bytes, need %zu",
				  dst_cap, need);
	st = snappy_compress(src, src_len, dst, &out);
	if (st != SNAPPY_OK)
		return ds_err_set(err, DS_EINVAL,
				  "snappy: compression failed (status %d)", (int)st);
	return (long)out;
}

static int snappy_decompress_page(const void *src, size_t src_len, void *dst,
				  size_t dst_len, struct ds_err *err)
{
	size_t ulen = 0;
	size_t out = dst_len;
	snappy_status st;

	st = snappy_uncompressed_length(src, src_len, &ulen);
	if (st != SNAPPY_OK)
		return ds_err_set(err, DS_ECORRUPT,
				  "snappy: corrupt stream: bad length header");
	if (ulen != dst_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "snappy: stream holds %zu bytes, expected %zu",
				  ulen, dst_len);
	st = snappy_uncompress(src, src_len, dst, &out);
	if (st != SNAPPY_OK)
		return ds_err_set(err, DS_ECORRUPT,
				  "snappy: corrupt stream (status %d)", (int)st);
	if (out != dst_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "snappy: decompressed %zu bytes, expected %zu",
				  out, dst_len);
	return 0;
}

const struct codec_ops codec_snappy_ops = {
	.name = "snappy",
	.id = CODEC_SNAPPY,
	.kdump_flag = KDUMP_FLAG_SNAPPY,
	.bound = snappy_bound,
	.ctx_new = snappy_ctx_new,
	.ctx_free = snappy_ctx_free,
	.compress = snappy_compress_page,
	.decompress = snappy_decompress_page,
};

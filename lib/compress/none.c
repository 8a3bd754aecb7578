/* none.c - the identity "codec": pages stored as they are.  No kdump page
 * flag (0); decompression only checks that the stored size is exact. */
#include "codec.h"

#include <string.h>

/* No state; ctx_new hands out this one object so it never fails. */
struct codec_ctx {
	char unused;
};

static struct codec_ctx none_ctx;

static size_t none_bound(size_t src_len)
{
	return src_len;
}

static struct codec_ctx *none_ctx_new(void)
{
	return &none_ctx;
}

static void none_ctx_free(struct codec_ctx *ctx)
{
	(void)ctx;
}

static long none_compress(struct codec_ctx *ctx, const void *src,
			  size_t src_len, void *dst, size_t dst_cap,
			  struct ds_err *err)
{
	(void)ctx;
	if (src_len == 0)
		return ds_err_set(err, DS_EINVAL, "none: empty input");
	if (dst_cap < src_len)
		return ds_err_set(err, DS_EINVAL,
				  "none: output buffer of %zu bytes, need %zu",
				  dst_cap, src_len);
	memcpy(dst, src, src_len);
	return (long)src_len;
}

static int none_decompress(const void *src, size_t src_len, void *dst,
			   size_t dst_len, struct ds_err *err)
{
	if (src_len != dst_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "none: stored %zu bytes, expected %zu",
				  src_len, dst_len);
	memcpy(dst, src, dst_len);
	return 0;
}

const struct codec_ops codec_none_ops = {
	.name = "none",
	.id = CODEC_NONE,
	.kdump_flag = 0,
	.bound = none_bound,
	.ctx_new = none_ctx_new,
	.ctx_free = none_ctx_free,
	.compress = none_compress,
	.decompress = none_decompress,
};

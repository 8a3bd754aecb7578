/* zstd.c - zstd backend (kdump flag 0x20): one zstd frame per page at
 * level 1 via ZSTD_compressCCtx, as makedumpfile does; the ZSTD_CCtx lives
 * in the ctx.  Decompression accepts exactly one frame of dst_len bytes. */
#include "codec.h"

#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

struct codec_ctx {
	ZSTD_CCtx *cctx;
};

static size_t zstd_bound(size_t src_len)
{
	return ZSTD_compressBound(src_len);
}

static struct codec_ctx *zstd_ctx_new(void)
{
	struct codec_ctx *ctx = malloc(sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->cctx = ZSTD_createCCtx();
	if (!ctx->cctx) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

static void zstd_ctx_free(struct codec_ctx *ctx)
{
	if (!ctx)
		return;
	ZSTD_freeCCtx(ctx->cctx);
	free(ctx);
}

static long zstd_compress(struct codec_ctx *ctx, const void *src,
			  size_t src_len, void *dst, size_t dst_cap,
			  struct ds_err *err)
{
	size_t need, ret;

	if (src_len == 0)
		return ds_err_set(err, DS_EINVAL, "zstd: empty input");
	need = zstd_bound(src_len);
	if (need == 0 || dst_cap < need)
		return ds_err_set(err, DS_EINVAL,
				  "zstd: output buffer of %zu bytes, need %zu",
				  dst_cap, need);
	ret = ZSTD_compressCCtx(ctx->cctx, dst, dst_cap, src, src_len, 1);
	if (ZSTD_isError(ret)) {
		if (ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
			return ds_err_set(err, DS_ENOMEM, "zstd: out of memory");
		return ds_err_set(err, DS_EINVAL, "zstd: compression failed: %s",
				  ZSTD_getErrorName(ret));
	}
	return (long)ret;
}

static int zstd_decompress(const void *src, size_t src_len, void *dst,
			   size_t dst_len, struct ds_err *err)
{
	unsigned long long content;
	size_t frame, ret;

	frame = ZSTD_findFrameCompressedSize(src, src_len);
	if (ZSTD_isError(frame))
		return ds_err_set(err, DS_ECORRUPT, "zstd: corrupt frame: %s",
				  ZSTD_getErrorName(frame));
	if (frame != src_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "zstd: %zu trailing bytes after frame",
				  src_len - frame);
	content = ZSTD_getFrameContentSize(src, src_len);
	if (content != ZSTD_CONTENTSIZE_UNKNOWN &&
	    content != ZSTD_CONTENTSIZE_ERROR && content != dst_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "zstd: frame holds %llu bytes, expected %zu",
				  content, dst_len);
	ret = ZSTD_decompress(dst, dst_len, src, src_len);
	if (ZSTD_isError(ret)) {
		if (ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
			return ds_err_set(err, DS_ENOMEM, "zstd: out of memory");
		return ds_err_set(err, DS_ECORRUPT, "zstd: corrupt stream: %s",
				  ZSTD_getErrorName(ret));
	}
	if (ret != dst_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "zstd: decompressed %zu bytes, expected %zu",
				  ret, dst_len);
	return 0;
}

const struct codec_ops codec_zstd_ops = {
	.name = "zstd",
	.id = CODEC_ZSTD,
	.kdump_flag = KDUMP_FLAG_ZSTD,
	.bound = zstd_bound,
	.ctx_new = zstd_ctx_new,
	.ctx_free = zstd_ctx_free,
	.compress = zstd_compress,
	.decompress = zstd_decompress,
};

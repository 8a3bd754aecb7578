/* lzo.c - LZO backend (kdump flag 0x02): LZO1X-1 like makedumpfile, with
 * the compressor's work memory in the ctx.  Decompression uses the safe
 * (bounds-checked) LZO1X decoder.  lzo_init() runs once per process. */
#include "codec.h"

#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

struct codec_ctx {
	/* LZO1X-1 work memory, aligned as liblzo requires */
	lzo_align_t wrkmem[(LZO1X_1_MEM_COMPRESS + sizeof(lzo_align_t) - 1) /
			   sizeof(lzo_align_t)];
};

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_init_status = LZO_E_ERROR;

static void lzo_init_once(void)
{
	lzo_init_status = lzo_init();
}

static int lzo_ready(struct ds_err *err)
{
	pthread_once(&lzo_once, lzo_init_once);
	if (lzo_init_status != LZO_E_OK)
		return ds_err_set(err, DS_EUNSUPP,
				  "lzo: library initialization failed (%d)",
				  lzo_init_status);
	return 0;
}

/* makedumpfile's worst case for LZO1X-1 output */
static size_t lzo_bound(size_t src_len)
{
	return src_len + src_len / 16 + 64 + 3;
}

static struct codec_ctx *lzo_ctx_new(void)
{
	pthread_once(&lzo_once, lzo_init_once);
	return malloc(sizeof(struct codec_ctx));
}

static void lzo_ctx_free(struct codec_ctx *ctx)
{
	free(ctx);
}

/* liblzo's prototypes take non-const pointers to the input; it never
 * writes through them. */
static lzo_bytep lzo_in(const void *p)
{
	return (lzo_bytep)(uintptr_t)p;
}

static long lzo_compress(struct codec_ctx *ctx, const void *src,
			 size_t src_len, void *dst, size_t dst_cap,
			 struct ds_err *err)
{
	lzo_uint out = 0;
	size_t need;
	int ret;

	ret = lzo_ready(err);
	if (ret < 0)
		return ret;
	if (src_len == 0)
		return ds_err_set(err, DS_EINVAL, "lzo: empty input");
	need = lzo_bound(src_len);
	if (need < src_len || dst_cap < need)
		return ds_err_set(err, DS_EINVAL,
				  "lzo: output buffer of %zu bytes, need %zu",
				  dst_cap, need);
	ret = lzo1x_1_compress(lzo_in(src), (lzo_uint)src_len, dst, &out,
			       ctx->wrkmem);
	if (ret != LZO_E_OK)
		return ds_err_set(err, DS_EINVAL, "lzo: compression failed (%d)",
				  ret);
	return (long)out;
}

static int lzo_decompress(const void *src, size_t src_len, void *dst,
			  size_t dst_len, struct ds_err *err)
{
	lzo_uint out = (lzo_uint)dst_len;
	int ret;

	ret = lzo_ready(err);
	if (ret < 0)
		return ret;
	/* the shortest stream is the 3-byte end marker */
	if (src_len < 3)
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: stream of %zu bytes too short", src_len);
	ret = lzo1x_decompress_safe(lzo_in(src), (lzo_uint)src_len, dst, &out,
				    NULL);
	switch (ret) {
	case LZO_E_OK:
		break;
	case LZO_E_INPUT_OVERRUN:
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: stream truncated, decompressed %zu bytes, expected %zu",
				  (size_t)out, dst_len);
	case LZO_E_OUTPUT_OVERRUN:
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: stream decodes to more than %zu bytes",
				  dst_len);
	case LZO_E_INPUT_NOT_CONSUMED:
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: trailing bytes after end of stream");
	case LZO_E_LOOKBEHIND_OVERRUN:
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: corrupt stream: match before start of output");
	default:
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: corrupt stream (error %d)", ret);
	}
	if (out != dst_len)
		return ds_err_set(err, DS_ECORRUPT,
				  "lzo: decompressed %zu bytes, expected %zu",
				  (size_t)out, dst_len);
	return 0;
}

const struct codec_ops codec_lzo_ops = {
	.name = "lzo",
	.id = CODEC_LZO,
	.kdump_flag = KDUMP_FLAG_LZO,
	.bound = lzo_bound,
	.ctx_new = lzo_ctx_new,
	.ctx_free = lzo_ctx_free,
	.compress = lzo_compress,
	.decompress = lzo_decompress,
};

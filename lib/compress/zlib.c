/* zlib.c - zlib backend (kdump flag 0x01): deflate level 1 with the zlib
 * wrapper (header + adler32), exactly what makedumpfile's compress2(...,
 * Z_BEST_SPEED) produces and what uncompress() reads.  One deflate stream
 * per ctx, reset for every page; decompression inflates in one call. */
#define ZLIB_CONST
#include "codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct codec_ctx {
	z_stream zs;
};

static size_t zlib_bound(size_t src_len)
{
	return compressBound((uLong)src_len);
}

static struct codec_ctx *zlib_ctx_new(void)
{
	struct codec_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	/* same parameters as compress2(): windowBits 15, memLevel 8 */
	if (deflateInit(&ctx->zs, Z_BEST_SPEED) != Z_OK) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

static void zlib_ctx_free(struct codec_ctx *ctx)
{
	if (!ctx)
		return;
	deflateEnd(&ctx->zs);
	free(ctx);
}

static long zlib_compress(struct codec_ctx *ctx, const void *src,
			  size_t src_len, void *dst, size_t dst_cap,
			  struct ds_err *err)
{
	z_stream *zs = &ctx->zs;
	size_t need;
	int ret;

	if (src_len == 0)
		return ds_err_set(err, DS_EINVAL, "zlib: empty input");
	if (src_len > UINT_MAX / 2)
		return ds_err_set(err, DS_EINVAL,
				  "zlib: input of %zu bytes too large", src_len);
	need = zlib_bound(src_len);
	if (dst_cap < need)
		return ds_err_set(err, DS_EINVAL,
				  "zlib: output buffer of %zu bytes, need %zu",
				  dst_cap, need);
	if (deflateReset(zs) != Z_OK)
		return ds_err_set(err, DS_EINVAL,
				  "zlib: cannot reset deflate stream");
	zs->next_in = src;
	zs->avail_in = (uInt)src_len;
	zs->next_out = dst;
	zs->avail_out = (uInt)need;
	ret = deflate(zs, Z_FINISH);
	if (ret != Z_STREAM_END)
		return ds_err_set(err, DS_EINVAL, "zlib: deflate failed: %s",
				  zs->msg ? zs->msg : zError(ret));
	return (long)zs->total_out;
}

static int zlib_decompress(const void *src, size_t src_len, void *dst,
			   size_t dst_len, struct ds_err *err)
{
	z_stream zs;
	uLong out;
	uInt left_in, left_out;
	const char *msg;
	int ret;

	if (src_len > UINT_MAX || dst_len > UINT_MAX)
		return ds_err_set(err, DS_EINVAL,
				  "zlib: buffer too large (%zu in, %zu out)",
				  src_len, dst_len);
	memset(&zs, 0, sizeof(zs));
	zs.next_in = src;
	zs.avail_in = (uInt)src_len;
	ret = inflateInit(&zs);
	if (ret == Z_MEM_ERROR)
		return ds_err_set(err, DS_ENOMEM, "zlib: out of memory");
	if (ret != Z_OK)
		return ds_err_set(err, DS_EINVAL, "zlib: inflateInit failed: %s",
				  zError(ret));
	zs.next_out = dst;
	zs.avail_out = (uInt)dst_len;
	ret = inflate(&zs, Z_FINISH);
	out = zs.total_out;
	left_in = zs.avail_in;
	left_out = zs.avail_out;
	msg = zs.msg;   /* zlib's messages are static strings */
	inflateEnd(&zs);

	switch (ret) {
	case Z_STREAM_END:
		if (out != dst_len)
			return ds_err_set(err, DS_ECORRUPT,
					  "zlib: decompressed %lu bytes, expected %zu",
					  out, dst_len);
		if (left_in)
			return ds_err_set(err, DS_ECORRUPT,
					  "zlib: %u trailing bytes after stream",
					  left_in);
		return 0;
	case Z_BUF_ERROR:
		if (left_out == 0)
			return ds_err_set(err, DS_ECORRUPT,
					  "zlib: stream decodes to more than %zu bytes",
					  dst_len);
		return ds_err_set(err, DS_ECORRUPT,
				  "zlib: stream truncated, decompressed %lu bytes, expected %zu",
				  out, dst_len);
	case Z_NEED_DICT:
		return ds_err_set(err, DS_ECORRUPT,
				  "zlib: stream needs a preset dictionary");
	case Z_MEM_ERROR:
		return ds_err_set(err, DS_ENOMEM, "zlib: out of memory");
	default:
		return ds_err_set(err, DS_ECORRUPT, "zlib: corrupt stream: %s",
				  msg ? msg : zError(ret));
	}
}

const struct codec_ops codec_zlib_ops = {
	.name = "zlib",
	.id = CODEC_ZLIB,
	.kdump_flag = KDUMP_FLAG_ZLIB,
	.bound = zlib_bound,
	.ctx_new = zlib_ctx_new,
	.ctx_free = zlib_ctx_free,
	.compress = zlib_compress,
	.decompress = zlib_decompress,
};

/* codec.c - the codec registry: owns the list of built-in compression
 * backends and the lookups over it (by id, by kdump page flag, names).
 * This is the ONLY file that includes config.h and tests HAVE_*; backend
 * files are compiled only when their library was found (lib/meson.build).
 */
#include "config.h"

#include "codec.h"

/* Defined by the backend files; declared here because only the registry
 * refers to them. */
extern const struct codec_ops codec_none_ops;
#if HAVE_ZLIB
extern const struct codec_ops codec_zlib_ops;
#endif
#if HAVE_LZO
extern const struct codec_ops codec_lzo_ops;
#endif
#if HAVE_SNAPPY
extern const struct codec_ops codec_snappy_ops;
#endif
#if HAVE_ZSTD
extern const struct codec_ops codec_zstd_ops;
#endif

static const struct codec_ops *const codecs[] = {
	&codec_none_ops,
#if HAVE_ZLIB
	&codec_zlib_ops,
#endif
#if HAVE_LZO
	&codec_lzo_ops,
#endif
#if HAVE_SNAPPY
	&codec_snappy_ops,
#endif
#if HAVE_ZSTD
	&codec_zstd_ops,
#endif
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

/* Indexed by enum codec_id; known whether or not the backend is built. */
static const char *const codec_names[CODEC_MAX] = {
	[CODEC_NONE] = "none",
	[CODEC_ZLIB] = "zlib",
	[CODEC_LZO] = "lzo",
	[CODEC_SNAPPY] = "snappy",
	[CODEC_ZSTD] = "zstd",
};

const struct codec_ops *codec_find(enum codec_id id)
{
	size_t i;

	for (i = 0; i < NCODECS; i++)
		if (codecs[i]->id == id)
			return codecs[i];
	return NULL;
}

const struct codec_ops *codec_find_by_flag(uint32_t flag)
{
	size_t i;

	for (i = 0; i < NCODECS; i++)
		if (codecs[i]->kdump_flag == flag)
			return codecs[i];
	return NULL;
}

const char *codec_name(enum codec_id id)
{
	if ((unsigned)id >= CODEC_MAX || !codec_names[id])
		return "unknown";
	return codec_names[id];
}

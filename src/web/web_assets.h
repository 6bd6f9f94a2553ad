/*
 * web_assets.h - the files of web/ compiled into the binary (the build
 * generates web_assets.c from them with scripts/embed_assets.py).
 */
#ifndef SOCLE_WEB_ASSETS_H
#define SOCLE_WEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
    const char *name;            /* "socle.css" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} web_asset;

extern const web_asset web_assets[];
extern const size_t web_assets_count;

#endif

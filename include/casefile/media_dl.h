/* SPDX-License-Identifier: MIT */
/*
 * media_dl — the loader of libcasefile-media.so (why and where it is looked
 * for: src/case/media_dl.c).  The functions it forwards are declared where
 * they belong (frames.h, imgconv.h, pack.h); this header only names the
 * library's place.
 */
#ifndef CASEFILE_MEDIA_DL_H
#define CASEFILE_MEDIA_DL_H

/*
 * The path $CASEFILE_MEDIA_LIB names (NULL or "": unset), tried first when
 * the library is first needed.  main() calls it once, before any command
 * runs (modules never read the environment).  path is borrowed and must
 * outlive the process's first media call.
 */
void media_dl_set_path(const char *path);

#endif

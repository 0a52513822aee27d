/* SPDX-License-Identifier: MIT */
/* version — the release number, recorded in every evidence row. */
#ifndef CASEFILE_VERSION_H
#define CASEFILE_VERSION_H

#define CASEFILE_VERSION "0.1.0"

#endif

/* SPDX-License-Identifier: MIT */
/*
 * commands — one entry per cmd_<name>.c; main.c lists them in its table.
 */
#ifndef CASEFILE_COMMANDS_H
#define CASEFILE_COMMANDS_H

#include "casefile/ctx.h"

/* vault and ingest */
extern const struct cmd cmd_init;
extern const struct cmd cmd_ingest;
extern const struct cmd cmd_list;
extern const struct cmd cmd_show;
extern const struct cmd cmd_tag;
extern const struct cmd cmd_exclude;
extern const struct cmd cmd_include;

/* dossier */
extern const struct cmd cmd_build;

/* keys, signing, verification */
extern const struct cmd cmd_keygen;
extern const struct cmd cmd_sign;
extern const struct cmd cmd_verify;
extern const struct cmd cmd_extend;

/* ledger, seal, audit */
extern const struct cmd cmd_seal;
extern const struct cmd cmd_log;
extern const struct cmd cmd_audit;
extern const struct cmd cmd_reparse;

/* bundles and export */
extern const struct cmd cmd_import;
extern const struct cmd cmd_export;
extern const struct cmd cmd_config;
extern const struct cmd cmd_migrate;

/* disputes */
extern const struct cmd cmd_dispute;
extern const struct cmd cmd_due;
extern const struct cmd cmd_check;
extern const struct cmd cmd_stats;
extern const struct cmd cmd_statement;

/* submission kit */
extern const struct cmd cmd_pack;
/* `casefile verify KIT.zip|DIR`: cmd_verify hands a kit to cmd_pack.c */
enum cf_exit cmd_verify_kit(struct cf_ctx *ctx, const char *path, const char *dossier);


#endif

/* SPDX-License-Identifier: MIT */
/*
 * roles — what an evidence item is for, who supplied it, and whether it is
 * left out (schema v9, db.c).  The lookup side, for every reader that cites
 * or chooses items by role (checklists, the statement, the kit, the
 * dossier); the writing side is tag.h (`casefile tag / exclude / include`),
 * which seals every change as an annotation leaf.
 *
 * Invariants:
 *  - Role names are the fixed list below (the table's CHECK constraint is
 *    the same list); readers compare enum values, never free text.
 *  - An item's roles are its explicit roles (evidence_roles) plus, unless
 *    ROLES_EXPLICIT, the role its kind implies: chat -> chat, logistics ->
 *    logistics, order -> order, receipt -> invoice.  Photos and videos imply
 *    nothing: a photo is packing, a label or damage only when someone says
 *    so.
 *  - An excluded item (evidence.excluded IS NOT NULL) is still in the vault
 *    and the ledger; readers that build dossiers, checklists and kits skip
 *    it (ROLES_SQL_INCLUDED in their WHERE clause).
 */
#ifndef CASEFILE_ROLES_H
#define CASEFILE_ROLES_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"

enum cf_role {
	CF_ROLE_PACKING,	/* photo/video of packing before shipping */
	CF_ROLE_SHIPPING_LABEL,	/* the waybill / shipping label */
	CF_ROLE_PICKUP,		/* pickup or signing record */
	CF_ROLE_DELIVERY_PHOTO,	/* courier's delivery photo */
	CF_ROLE_DAMAGE_PHOTO,	/* buyer's photo of the damage */
	CF_ROLE_LISTING,	/* the product listing as the buyer saw it */
	CF_ROLE_QUALITY_REPORT,	/* inspection / quality report */
	CF_ROLE_INVOICE,	/* invoice or receipt */
	CF_ROLE_CHAT,
	CF_ROLE_LOGISTICS,
	CF_ROLE_ORDER,
	CF_ROLE_OTHER,
	CF_ROLE_COUNT
};

/* 1u << role: a set of roles. */
#define CF_ROLE_BIT(r) (1u << (unsigned)(r))

/* "packing", "shipping_label", ... (static), NULL when out of range. */
const char *cf_role_name(enum cf_role r);
/*
 * A short label for people, lang "zh-CN" (default for NULL or any other
 * value but "en") or "en": "打包视频/照片", "packing photo/video" (static).
 */
const char *cf_role_label(enum cf_role r, const char *lang);
/*
 * Set *r from a name: the English name ("packing", also with '-' for '_')
 * or a Chinese one ("打包", "面单", "签收", "揽收", ...).  0, or -1 with *r
 * unchanged for an unknown name.
 */
int cf_role_from_name(const char *s, enum cf_role *r);
/* The names, comma-separated, for messages and --help (static). */
const char *cf_role_names(void);

/* Who supplied an item (evidence.supplied_by). */
enum cf_supplier {
	CF_SUPPLIER_UNKNOWN = 0,	/* not said (NULL) */
	CF_SUPPLIER_BUYER,
	CF_SUPPLIER_MERCHANT,
	CF_SUPPLIER_PLATFORM,
	CF_SUPPLIER_COURIER,
};
/* "buyer" ... (static); NULL for CF_SUPPLIER_UNKNOWN. */
const char *cf_supplier_name(enum cf_supplier s);
/* "buyer"/"买家", "merchant"/"商家", "platform"/"平台", "courier"/"快递"; 0 or -1. */
int cf_supplier_from_name(const char *s, enum cf_supplier *out);

/* The role a kind implies (see above), or CF_ROLE_COUNT for none. */
enum cf_role roles_implied_by_kind(const char *kind);

/* SQL condition over table evidence (no alias) that keeps included items. */
#define ROLES_SQL_INCLUDED "evidence.excluded IS NULL"

/*
 * Who sent a chat message, as an SQL expression over a row of messages
 * aliased M whose order id is the SQL expression O: the role the original
 * states (buyer, merchant, platform, system), else, for a message that
 * only names its sender (飞鸽-style transcripts store sender 'unknown'),
 * 'merchant' when the name is one of the shop's agents (vault setting
 * shop.agents, names separated by ',' '，' or '、', spaces ignored), 'buyer'
 * when it is the buyer nickname of an included order record of the order,
 * else 'unknown'.  Resolved when read, so setting shop.agents or storing
 * the order record later changes no sealed or parsed row.
 */
#define ROLES_SQL_SENDER(M, O)                                                        \
	"(CASE WHEN " M ".sender <> 'unknown' THEN " M ".sender WHEN " M ".name IS NOT "     \
	"NULL AND instr(',' || (SELECT replace(replace(replace(value, '，', ','), '、', "   \
	"','), ' ', '') FROM meta WHERE key = 'shop.agents') || ',', ',' || "               \
	"replace(" M ".name, ' ', '') || ',') > 0 THEN 'merchant' WHEN " M ".name IS NOT "  \
	"NULL AND EXISTS(SELECT 1 FROM order_records orr JOIN evidence oe ON oe.id = "      \
	"orr.evidence_id WHERE oe.order_id = " O " AND oe.excluded IS NULL AND "            \
	"orr.buyer_nick = " M ".name) THEN 'buyer' ELSE 'unknown' END)"

enum roles_of_flags {
	ROLES_EXPLICIT = 1 << 0,	/* only roles someone gave (no kind) */
};

/*
 * The role set of evidence row id in *mask (CF_ROLE_BIT of each role).
 * Returns 0 (an unknown id gives 0 roles), or -1 (CF_EDB).
 */
int roles_of(struct cf_db *db, int64_t evidence_id, unsigned flags, unsigned *mask,
	     struct cf_err *err);

/* Who supplied row id (*out = CF_SUPPLIER_UNKNOWN when not said); 0 or -1. */
int roles_supplied_by(struct cf_db *db, int64_t evidence_id, enum cf_supplier *out,
		      struct cf_err *err);

/*
 * Why row id is left out: *reason = malloc'd reason, or NULL when it is
 * included (or no such row).  0 or -1.
 */
int roles_excluded(struct cf_db *db, int64_t evidence_id, char **reason, struct cf_err *err);

/*
 * The included evidence rows of order that have role r (explicit, or
 * implied by their kind unless ROLES_EXPLICIT), in id order: *ids is
 * malloc'd (free()), *n their number (0 with *ids NULL when none).
 * 0, or -1 with *ids and *n untouched.
 */
int roles_find(struct cf_db *db, const char *order_id, enum cf_role r, unsigned flags,
	       int64_t **ids, size_t *n, struct cf_err *err);

#endif

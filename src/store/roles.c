/* SPDX-License-Identifier: MIT */
/*
 * roles — role names and the lookups of roles.h over schema v9.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/roles.h"
#include "casefile/xalloc.h"

static const struct {
	const char *name, *zh, *en;
} roles[CF_ROLE_COUNT] = {
	[CF_ROLE_PACKING] = { "packing", "打包视频/照片", "packing photo/video" },
	[CF_ROLE_SHIPPING_LABEL] = { "shipping_label", "快递面单", "shipping label" },
	[CF_ROLE_PICKUP] = { "pickup", "揽收/签收记录", "pickup or signing record" },
	[CF_ROLE_DELIVERY_PHOTO] = { "delivery_photo", "派送/投递照片", "delivery photo" },
	[CF_ROLE_DAMAGE_PHOTO] = { "damage_photo", "买家破损照片", "buyer's damage photo" },
	[CF_ROLE_LISTING] = { "listing", "商品详情页", "product listing" },
	[CF_ROLE_QUALITY_REPORT] = { "quality_report", "质检报告", "quality report" },
	[CF_ROLE_INVOICE] = { "invoice", "发票/收据", "invoice or receipt" },
	[CF_ROLE_CHAT] = { "chat", "聊天记录", "chat" },
	[CF_ROLE_LOGISTICS] = { "logistics", "物流记录", "logistics" },
	[CF_ROLE_ORDER] = { "order", "订单记录", "order record" },
	[CF_ROLE_OTHER] = { "other", "其他", "other" },
};

/* Other spellings people type, Chinese first. */
static const struct {
	const char *word;
	enum cf_role role;
} synonyms[] = {
	{ "打包", CF_ROLE_PACKING }, { "打包视频", CF_ROLE_PACKING },
	{ "打包照片", CF_ROLE_PACKING }, { "面单", CF_ROLE_SHIPPING_LABEL },
	{ "快递面单", CF_ROLE_SHIPPING_LABEL }, { "label", CF_ROLE_SHIPPING_LABEL },
	{ "揽收", CF_ROLE_PICKUP }, { "签收", CF_ROLE_PICKUP },
	{ "签收记录", CF_ROLE_PICKUP }, { "signing", CF_ROLE_PICKUP },
	{ "派送照片", CF_ROLE_DELIVERY_PHOTO }, { "投递照片", CF_ROLE_DELIVERY_PHOTO },
	{ "破损", CF_ROLE_DAMAGE_PHOTO }, { "破损照片", CF_ROLE_DAMAGE_PHOTO },
	{ "damage", CF_ROLE_DAMAGE_PHOTO }, { "商品详情", CF_ROLE_LISTING },
	{ "详情页", CF_ROLE_LISTING }, { "质检", CF_ROLE_QUALITY_REPORT },
	{ "质检报告", CF_ROLE_QUALITY_REPORT }, { "发票", CF_ROLE_INVOICE },
	{ "收据", CF_ROLE_INVOICE }, { "receipt", CF_ROLE_INVOICE },
	{ "聊天", CF_ROLE_CHAT }, { "聊天记录", CF_ROLE_CHAT },
	{ "物流", CF_ROLE_LOGISTICS }, { "订单", CF_ROLE_ORDER },
	{ "其他", CF_ROLE_OTHER },
};

const char *
cf_role_name(enum cf_role r)
{
	return (unsigned)r < CF_ROLE_COUNT ? roles[r].name : NULL;
}

const char *
cf_role_label(enum cf_role r, const char *lang)
{
	if ((unsigned)r >= CF_ROLE_COUNT)
		return NULL;
	return lang && !strcmp(lang, "en") ? roles[r].en : roles[r].zh;
}

int
cf_role_from_name(const char *s, enum cf_role *r)
{
	char norm[32];
	size_t i, n;

	if (!s)
		return -1;
	n = strlen(s);
	if (n < sizeof(norm)) {
		for (i = 0; i <= n; i++)
			norm[i] = s[i] == '-' ? '_' : s[i];
		for (i = 0; i < CF_ROLE_COUNT; i++)
			if (!strcmp(norm, roles[i].name) || !strcmp(s, roles[i].zh)) {
				*r = (enum cf_role)i;
				return 0;
			}
	}
	for (i = 0; i < sizeof(synonyms) / sizeof(synonyms[0]); i++)
		if (!strcmp(s, synonyms[i].word)) {
			*r = synonyms[i].role;
			return 0;
		}
	return -1;
}

const char *
cf_role_names(void)
{
	return "packing, shipping_label, pickup, delivery_photo, damage_photo, "
	       "listing, quality_report, invoice, chat, logistics, order, other";
}

static const struct {
	const char *name, *zh;
} suppliers[] = {
	[CF_SUPPLIER_UNKNOWN] = { NULL, NULL },
	[CF_SUPPLIER_BUYER] = { "buyer", "买家" },
	[CF_SUPPLIER_MERCHANT] = { "merchant", "商家" },
	[CF_SUPPLIER_PLATFORM] = { "platform", "平台" },
	[CF_SUPPLIER_COURIER] = { "courier", "快递" },
};

const char *
cf_supplier_name(enum cf_supplier s)
{
	return (unsigned)s <= CF_SUPPLIER_COURIER ? suppliers[s].name : NULL;
}

int
cf_supplier_from_name(const char *s, enum cf_supplier *out)
{
	int i;

	if (!s)
		return -1;
	for (i = CF_SUPPLIER_BUYER; i <= CF_SUPPLIER_COURIER; i++)
		if (!strcmp(s, suppliers[i].name) || !strcmp(s, suppliers[i].zh)) {
			*out = (enum cf_supplier)i;
			return 0;
		}
	return -1;
}

enum cf_role
roles_implied_by_kind(const char *kind)
{
	if (!kind)
		return CF_ROLE_COUNT;
	if (!strcmp(kind, "chat"))
		return CF_ROLE_CHAT;
	if (!strcmp(kind, "logistics"))
		return CF_ROLE_LOGISTICS;
	if (!strcmp(kind, "order"))
		return CF_ROLE_ORDER;
	if (!strcmp(kind, "receipt"))
		return CF_ROLE_INVOICE;
	return CF_ROLE_COUNT;
}

int
roles_of(struct cf_db *db, int64_t evidence_id, unsigned flags, unsigned *mask,
	 struct cf_err *err)
{
	struct db_stmt *st = NULL;
	unsigned m = 0;
	int rc, ret = -1;

	if (db_prepare(db, "SELECT role FROM evidence_roles WHERE evidence_id = ?1 "
			   "UNION ALL SELECT '=' || kind FROM evidence WHERE id = ?1",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, evidence_id);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *s = (const char *)db_col_text(st, 0);
		enum cf_role r;

		if (!s)
			continue;
		if (s[0] == '=') {
			r = roles_implied_by_kind(s + 1);
			if (!(flags & ROLES_EXPLICIT) && r != CF_ROLE_COUNT)
				m |= CF_ROLE_BIT(r);
		} else if (cf_role_from_name(s, &r) == 0) {
			m |= CF_ROLE_BIT(r);
		}
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the roles of evidence #%lld", (long long)evidence_id);
		goto out;
	}
	*mask = m;
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

/* The text of column 0 of "SELECT ... WHERE id = ?" (malloc'd or NULL). */
static int
column_text(struct cf_db *db, const char *sql, int64_t id, char **out, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_err(db, err, "cannot read evidence #%lld", (long long)id);
		db_finalize(st);
		return -1;
	}
	*out = rc == DB_ROW && db_col_type(st, 0) != DB_NULL
		       ? xstrdup((const char *)db_col_text(st, 0))
		       : NULL;
	db_finalize(st);
	return 0;
}

int
roles_supplied_by(struct cf_db *db, int64_t evidence_id, enum cf_supplier *out,
		  struct cf_err *err)
{
	char *s;

	if (column_text(db, "SELECT supplied_by FROM evidence WHERE id = ?", evidence_id,
			&s, err) < 0)
		return -1;
	*out = CF_SUPPLIER_UNKNOWN;
	if (s && cf_supplier_from_name(s, out) < 0)
		*out = CF_SUPPLIER_UNKNOWN;
	free(s);
	return 0;
}

int
roles_excluded(struct cf_db *db, int64_t evidence_id, char **reason, struct cf_err *err)
{
	return column_text(db, "SELECT excluded FROM evidence WHERE id = ?", evidence_id,
			   reason, err);
}

int
roles_find(struct cf_db *db, const char *order_id, enum cf_role r, unsigned flags,
	   int64_t **ids, size_t *n, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int64_t *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	const char *kind_of = NULL;

	if ((unsigned)r >= CF_ROLE_COUNT)
		return cf_err_set(err, CF_EINPUT, "no such role");
	/* The kind that implies r, if any. */
	if (!(flags & ROLES_EXPLICIT)) {
		static const char *const kinds[] = { "chat", "logistics", "order", "receipt" };
		size_t i;

		for (i = 0; i < 4; i++)
			if (roles_implied_by_kind(kinds[i]) == r)
				kind_of = kinds[i];
	}
	if (db_prepare(db, "SELECT id FROM evidence WHERE order_id = ?1 AND "
			   ROLES_SQL_INCLUDED " AND (kind = ?3 OR EXISTS(SELECT 1 FROM "
			   "evidence_roles er WHERE er.evidence_id = evidence.id AND "
			   "er.role = ?2)) ORDER BY id", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	db_bind_text(st, 2, cf_role_name(r), -1, DB_STATIC);
	if (kind_of)
		db_bind_text(st, 3, kind_of, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		if (cnt == cap) {
			cap = cap ? 2 * cap : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[cnt++] = db_col_int64(st, 0);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		free(v);
		return db_err(db, err, "cannot find the items of order %s with role %s",
			      order_id, cf_role_name(r));
	}
	*ids = v;
	*n = cnt;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * parse_order — the order record (order.json of FORMATS.md).
 *
 * Money is read from its decimal text into integer fen (money.h): no
 * floating point touches a decimal string.  A JSON number is accepted with
 * a note: an integer is exact; a real is printed back as the shortest
 * decimal that reads as the same double (%.*g, 1..17 digits), which is the
 * text the exporter wrote for any amount of up to 15 significant digits,
 * and that text is then read like a string — so 89.9 is 8990 fen, never
 * 8989 or 8990.000001.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/money.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"

static const char *const k_shop[] = { "shop", "shop_name", "store", NULL };
static const char *const k_nick[] = { "nick", "nickname", "name", NULL };
static const char *const k_phone[] = { "phone", "mobile", "tel", NULL };
static const char *const k_addr[] = { "address", "addr", NULL };
static const char *const k_currency[] = { "currency", NULL };
static const char *const k_method[] = { "method", NULL };
static const char *const k_txn[] = { "txn_id", "transaction_id", NULL };
static const char *const k_sku[] = { "sku", "sku_id", NULL };
static const char *const k_title[] = { "title", "name", NULL };

/* Keys mapped to columns; the rest of the object goes to `extra`. */
static const char *const top_known[] = {
	"order_id", "shop", "shop_name", "store", "created_at", "paid_at",
	"shipped_at", "delivered_at", "buyer", "items", "total", "currency",
	"payment", NULL,
};
static const char *const buyer_known[] = {
	"nick", "nickname", "name", "phone", "mobile", "tel", "address", "addr", NULL,
};
static const char *const payment_known[] = {
	"method", "txn_id", "transaction_id", NULL,
};

/*
 * Money "89.00", "89.9", "89", "-5.50", "¥89.00", "1,089.00" into fen:
 * money.h's scanner with what exports contain, after trimming spaces and
 * full-width spaces.
 */
static int
parse_money(const char *s, size_t n, long long *fen, const char **why)
{
	s = parse_trim(s, &n);
	return money_scan(s, n, MONEY_EXPORT, fen, why);
}

/* Read a money value into *out; warns as described in parse.h. */
static void
json_money(struct parsed *p, const char *what, const char *key, const json_t *v,
	   struct pval *out)
{
	const char *why = NULL;
	long long fen;
	char num[64], shown[40];

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		if (parse_money(json_string_value(v), json_string_length(v), &fen, &why) < 0) {
			char *q = parse_quote(json_string_value(v), json_string_length(v), 40);

			parse_warn(p, 1, "%s: bad %s '%s': %s", what, key, q, why);
			free(q);
			return;
		}
		out->v = fen;
		out->set = 1;
		return;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i > MONEY_MAX_FEN / 100 || i < -MONEY_MAX_FEN / 100) {
			parse_warn(p, 1, "%s: bad %s %" JSON_INTEGER_FORMAT ": amount too "
				   "large", what, key, i);
			return;
		}
		out->v = (long long)i * 100;
		out->set = 1;
		money_format_fen(out->v, shown, sizeof(shown));
		parse_warn(p, 0, "%s: %s given as a JSON number, read as %s", what, key,
			   shown);
		return;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		int prec;

		for (prec = 1; prec <= 17; prec++) {
			snprintf(num, sizeof(num), "%.*g", prec, d);
			if (strtod(num, NULL) == d)
				break;
		}
		if (parse_money(num, strlen(num), &fen, &why) < 0) {
			parse_warn(p, 1, "%s: bad %s %s: %s", what, key, num, why);
			return;
		}
		out->v = fen;
		out->set = 1;
		money_format_fen(fen, shown, sizeof(shown));
		parse_warn(p, 0, "%s: %s given as a JSON number, read as %s", what, key,
			   shown);
		return;
	}
	parse_warn(p, 1, "%s: bad %s: expected a decimal string like \"89.00\"", what, key);
}

static void
json_qty(struct parsed *p, const char *what, const json_t *v, struct pval *out)
{
	if (v == NULL || json_is_null(v))
		return;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		out->v = json_integer_value(v);
		out->set = 1;
		return;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v), i;
		long long q = 0;

		s = parse_trim(s, &n);
		for (i = 0; i < n && i < 12 && s[i] >= '0' && s[i] <= '9'; i++)
			q = q * 10 + (s[i] - '0');
		if (n > 0 && i == n) {
			out->v = q;
			out->set = 1;
			return;
		}
	}
	parse_warn(p, 1, "%s: bad qty: expected a whole number", what);
}

/* Remove the known keys from a copy; NULL when nothing is left. */
static json_t *
unknown_keys(const json_t *o, const char *const *known)
{
	json_t *c = json_copy((json_t *)o);
	size_t i;

	for (i = 0; known[i]; i++)
		json_object_del(c, known[i]);
	if (json_object_size(c) == 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static void
order_items(struct parsed *p, const json_t *items)
{
	size_t i;

	if (items == NULL || json_is_null(items)) {
		parse_warn(p, 0, "order: no items");
		return;
	}
	if (!json_is_array(items)) {
		parse_warn(p, 1, "order: 'items' is not a list");
		return;
	}
	for (i = 0; i < json_array_size(items); i++) {
		const json_t *o = json_array_get(items, i);
		struct pitem *it;
		char what[40];

		snprintf(what, sizeof(what), "item %zu", i + 1);
		if (!json_is_object(o)) {
			parse_warn(p, 1, "%s: not an object, skipped", what);
			continue;
		}
		it = parse_add_item(p);
		parse_jfield_str(p, what, o, k_sku, &it->sku);
		parse_jfield_str(p, what, o, k_title, &it->title);
		json_qty(p, what, json_object_get(o, "qty"), &it->qty);
		json_money(p, what, "price", json_object_get(o, "price"), &it->price);
	}
}

/* A note when the items do not add up to the total (never corrected). */
static void
check_sum(struct parsed *p)
{
	long long sum = 0;
	size_t i;
	char a[40], b[40];

	if (!p->order.total.set || p->nitems == 0)
		return;
	for (i = 0; i < p->nitems; i++) {
		const struct pitem *it = &p->items[i];

		if (!it->price.set || !it->qty.set || it->qty.v > 1000000)
			return;
		sum += it->price.v * it->qty.v;
		if (sum > 900000000000000LL || sum < -900000000000000LL)
			return;
	}
	if (sum != p->order.total.v) {
		money_format_fen(sum, a, sizeof(a));
		money_format_fen(p->order.total.v, b, sizeof(b));
		parse_warn(p, 0, "order: items add up to %s, total is %s", a, b);
	}
}

/* An order time: whole seconds are stored, and a cut sub-second is said. */
static void
order_time(struct parsed *p, const json_t *root, const char *key, struct pval *out)
{
	char *what = xasprintf("order: %s", key);

	parse_json_time(p, what, json_object_get(root, key), out);
	if (out->set && out->has_ms && out->ms)
		parse_warn(p, 0, "%s: milliseconds (.%03d) not kept: order times are "
			   "stored in whole seconds", what, out->ms);
	free(what);
}

int
parse_order_json(struct parsed *p, json_t *root)
{
	struct porder *o = &p->order;
	json_t *v, *extra, *sub;

	if (!json_is_object(root)) {
		parse_warn(p, 1, "expected an order object");
		return -1;
	}
	p->has_order = 1;
	parse_json_order_id(p, root);
	if (p->order_id)
		o->order_id = xstrdup(p->order_id);
	else
		parse_warn(p, 0, "order: no order_id");
	parse_jfield_str(p, "order", root, k_shop, &o->shop);
	order_time(p, root, "created_at", &o->created);
	order_time(p, root, "paid_at", &o->paid);
	order_time(p, root, "shipped_at", &o->shipped);
	order_time(p, root, "delivered_at", &o->delivered);
	extra = unknown_keys(root, top_known);
	if ((v = json_object_get(root, "buyer")) != NULL && !json_is_null(v)) {
		if (json_is_object(v)) {
			parse_jfield_str(p, "order: buyer", v, k_nick, &o->nick);
			parse_jfield_str(p, "order: buyer", v, k_phone, &o->phone);
			parse_jfield_str(p, "order: buyer", v, k_addr, &o->address);
			if ((sub = unknown_keys(v, buyer_known)) != NULL) {
				if (extra == NULL)
					extra = json_object();
				json_object_set_new(extra, "buyer", sub);
			}
		} else {
			parse_warn(p, 1, "order: 'buyer' is not an object");
		}
	}
	order_items(p, json_object_get(root, "items"));
	json_money(p, "order", "total", json_object_get(root, "total"), &o->total);
	parse_jfield_str(p, "order", root, k_currency, &o->currency);
	if ((v = json_object_get(root, "payment")) != NULL && !json_is_null(v)) {
		if (json_is_object(v)) {
			parse_jfield_str(p, "order: payment", v, k_method, &o->pay_method);
			parse_jfield_str(p, "order: payment", v, k_txn, &o->pay_txn);
			if ((sub = unknown_keys(v, payment_known)) != NULL) {
				if (extra == NULL)
					extra = json_object();
				json_object_set_new(extra, "payment", sub);
			}
		} else {
			parse_warn(p, 1, "order: 'payment' is not an object");
		}
	}
	if (o->currency && strcmp(o->currency, "CNY") != 0)
		parse_warn(p, 0, "order: currency '%s': amounts are kept in its "
			   "hundredths", o->currency);
	check_sum(p);
	if (extra) {
		o->extra = json_dumps(extra, JSON_COMPACT);
		json_decref(extra);
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * parse_export — order exports of the shop back offices (抖店, 微信小店):
 * one row per order or per sub-order, as CSV or XLSX.
 *
 * Columns are matched by header name and synonyms, never by position
 * (fields[] below); unknown columns are kept in the order's `extra`.  Rows
 * sharing a main order id are one order with one item per row.  Each
 * order becomes a parse of kind order in p->orders (parse_int.h) carrying
 * its rows' numbers (CSV line / XLSX row, the header being row 1), so the
 * evidence row of each order records its record from the one stored file.
 *
 * XLSX is a zip of XML parts: the zip is read from memory with libarchive,
 * xl/sharedStrings.xml and the first worksheet with libxml2 (no network,
 * no entity expansion, no DTD).  Only cell values are read: styles,
 * formulas and other sheets are ignored; a number in a time column is an
 * Excel serial date in China time.
 */
#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/csv.h"
#include "casefile/money.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"

enum xf {
	XF_NONE, XF_ORDER, XF_SUBORDER, XF_TITLE, XF_SKU, XF_QTY, XF_PRICE, XF_AMOUNT,
	XF_TOTAL, XF_NICK, XF_RECEIVER, XF_PHONE, XF_PROVINCE, XF_CITY, XF_DISTRICT,
	XF_STREET, XF_ADDRESS, XF_CREATED, XF_PAID, XF_SHIPPED, XF_DELIVERED, XF_SHOP,
	XF_PAY_METHOD, XF_PAY_TXN,
};

/* Header names and synonyms (抖店 first, then 微信小店 and common variants). */
static const struct {
	const char *name;
	enum xf f;
} fields[] = {
	{ "主订单编号", XF_ORDER }, { "订单编号", XF_ORDER }, { "订单号", XF_ORDER },
	{ "订单ID", XF_ORDER }, { "主订单号", XF_ORDER }, { "order_id", XF_ORDER },
	{ "子订单编号", XF_SUBORDER }, { "子订单号", XF_SUBORDER },
	{ "选购商品", XF_TITLE }, { "商品名称", XF_TITLE }, { "商品标题", XF_TITLE },
	{ "商品", XF_TITLE },
	{ "商品ID", XF_SKU }, { "商品编码", XF_SKU }, { "SKU编码", XF_SKU },
	{ "商家编码", XF_SKU }, { "规格编码", XF_SKU }, { "商品编号", XF_SKU },
	{ "商品数量", XF_QTY }, { "数量", XF_QTY }, { "购买数量", XF_QTY },
	{ "商品单价", XF_PRICE }, { "单价", XF_PRICE },
	{ "商品金额", XF_AMOUNT }, { "商品总价", XF_AMOUNT }, { "商品总金额", XF_AMOUNT },
	{ "订单应付金额", XF_TOTAL }, { "应付金额", XF_TOTAL }, { "实付金额", XF_TOTAL },
	{ "订单实付金额", XF_TOTAL }, { "订单金额", XF_TOTAL }, { "实收金额", XF_TOTAL },
	{ "买家昵称", XF_NICK }, { "用户昵称", XF_NICK }, { "买家", XF_NICK },
	{ "收件人", XF_RECEIVER }, { "收货人", XF_RECEIVER }, { "收件人姓名", XF_RECEIVER },
	{ "收件人手机号", XF_PHONE }, { "收件人电话", XF_PHONE }, { "收货人手机号", XF_PHONE },
	{ "收货人电话", XF_PHONE }, { "联系电话", XF_PHONE }, { "手机号", XF_PHONE },
	{ "省", XF_PROVINCE }, { "省份", XF_PROVINCE }, { "收件省", XF_PROVINCE },
	{ "市", XF_CITY }, { "城市", XF_CITY }, { "收件市", XF_CITY },
	{ "区", XF_DISTRICT }, { "区县", XF_DISTRICT }, { "收件区", XF_DISTRICT },
	{ "街道", XF_STREET }, { "收件街道", XF_STREET },
	{ "详细地址", XF_ADDRESS }, { "收货地址", XF_ADDRESS }, { "收件地址", XF_ADDRESS },
	{ "订单提交时间", XF_CREATED }, { "下单时间", XF_CREATED }, { "创建时间", XF_CREATED },
	{ "订单创建时间", XF_CREATED },
	{ "支付完成时间", XF_PAID }, { "支付时间", XF_PAID }, { "付款时间", XF_PAID },
	{ "发货时间", XF_SHIPPED },
	{ "签收时间", XF_DELIVERED }, { "确认收货时间", XF_DELIVERED },
	{ "店铺名称", XF_SHOP }, { "店铺", XF_SHOP },
	{ "支付方式", XF_PAY_METHOD }, { "支付流水号", XF_PAY_TXN },
	{ "交易流水号", XF_PAY_TXN }, { "支付单号", XF_PAY_TXN },
};

static enum xf
field_of(const char *s, size_t n)
{
	size_t i;

	s = parse_trim(s, &n);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == n && !memcmp(s, fields[i].name, n))
			return fields[i].f;
	return XF_NONE;
}

/* A header row that names an order id and at least two other order fields. */
static int
header_is_export(char *const *cell, size_t n)
{
	size_t i, other = 0;
	int order = 0;

	for (i = 0; i < n; i++) {
		enum xf f = field_of(cell[i], strlen(cell[i]));

		if (f == XF_ORDER)
			order = 1;
		else if (f != XF_NONE)
			other++;
	}
	return order && other >= 2;
}

/* ---- a table of text cells --------------------------------------------------- */

struct table {
	char ***rows;		/* rows[i][j], heap strings */
	size_t *ncols;
	long *rowno;		/* CSV line or XLSX row number */
	size_t n, cap;
};

static void
table_add(struct table *t, char **cells, size_t ncols, long rowno)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->rows = xreallocarray(t->rows, t->cap, sizeof(*t->rows));
		t->ncols = xreallocarray(t->ncols, t->cap, sizeof(*t->ncols));
		t->rowno = xreallocarray(t->rowno, t->cap, sizeof(*t->rowno));
	}
	t->rows[t->n] = cells;
	t->ncols[t->n] = ncols;
	t->rowno[t->n] = rowno;
	t->n++;
}

static void
table_release(struct table *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->ncols[i]; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	free(t->rows);
	free(t->ncols);
	free(t->rowno);
}

/* ---- table to orders ------------------------------------------------------- */

static void
set_str(char **dst, const char *s)
{
	size_t n = strlen(s);

	s = parse_trim(s, &n);
	if (!*dst && n)
		*dst = xstrndup(s, n);
}

static void
set_money(struct parsed *p, const char *what, const char *col, const char *s,
	  struct pval *out)
{
	size_t n = strlen(s);
	const char *why = NULL;
	long long fen;

	s = parse_trim(s, &n);
	if (n == 0 || out->set)
		return;
	if (money_scan(s, n, MONEY_EXPORT, &fen, &why) == 0) {
		out->v = fen;
		out->set = 1;
	} else {
		char *q = parse_quote(s, n, 40);

		parse_warn(p, 1, "%s: '%s': bad amount '%s'%s%s", what, col, q, why ? ": " : "",
			   why ? why : "");
		free(q);
	}
}

/* A time cell: text in a cftime form, or an Excel serial number (China time). */
static void
set_time(struct parsed *p, const char *what, const char *s, int numeric, struct pval *out)
{
	size_t n = strlen(s);

	s = parse_trim(s, &n);
	if (n == 0 || out->set || (n == 1 && s[0] == '-'))
		return;
	if (numeric) {
		char *end;
		double d = strtod(s, &end);

		if (end != s && isfinite(d) && d > 1 && d < 2958466) {
			/* days since 1899-12-30, local (UTC+8) */
			long long secs = llround((d - 25569.0) * 86400.0);

			out->v = secs - 8 * 3600;
			out->set = 1;
			return;
		}
	}
	parse_text_time(p, what, s, n, out);
}

static void
set_qty(struct parsed *p, const char *what, const char *s, struct pval *out)
{
	size_t n = strlen(s);
	char *end;
	long long v;

	s = parse_trim(s, &n);
	if (n == 0)
		return;
	v = strtoll(s, &end, 10);
	if (end != s + n && !(end < s + n && !strncmp(end, ".0", 2))) {
		char *q = parse_quote(s, n, 20);

		parse_warn(p, 1, "%s: bad quantity '%s'", what, q);
		free(q);
		return;
	}
	out->v = v;
	out->set = 1;
}

/* numeric != 0: cells may hold Excel serial dates (XLSX). */
static void
orders_from_table(struct parsed *p, struct table *t, int numeric, const char *rowword)
{
	enum xf *col;
	char **head;
	size_t nh, i, j;
	int have[XF_PAY_TXN + 1] = { 0 };

	p->kind = CF_KIND_ORDER;
	if (t->n == 0) {
		parse_warn(p, 1, "no header row");
		return;
	}
	head = t->rows[0];
	nh = t->ncols[0];
	col = xcalloc(nh ? nh : 1, sizeof(*col));
	for (j = 0; j < nh; j++) {
		col[j] = field_of(head[j], strlen(head[j]));
		if (have[col[j]] && col[j] != XF_NONE)
			col[j] = XF_NONE;	/* a repeated column: kept as extra */
		have[col[j]] = 1;
	}
	for (i = 1; i < t->n; i++) {
		char what[64], **cell = t->rows[i];
		struct parsed *o = NULL;
		struct pitem *it;
		struct cf_buf addr = CF_BUF_INIT;
		struct pval amount = { 0 };
		json_t *extra = NULL;
		const char *oid = NULL;
		size_t k, nonempty = 0;

		snprintf(what, sizeof(what), "%s %ld", rowword, t->rowno[i]);
		for (j = 0; j < t->ncols[i]; j++) {
			size_t l = strlen(cell[j]);

			parse_trim(cell[j], &l);
			nonempty += l > 0;
			if (j < nh && col[j] == XF_ORDER && l) {
				oid = cell[j];
				/* 抖店 writes long ids with a tab or quote to keep Excel off them */
				while (*oid == '\t' || *oid == '\'' || *oid == ' ')
					oid++;
			}
		}
		if (!nonempty)
			continue;
		if (!oid || !*oid) {
			parse_warn(p, 1, "%s: no order id: row skipped", what);
			continue;
		}
		for (k = 0; k < p->norders; k++)
			if (!strcmp(p->orders[k]->order.order_id, oid))
				o = p->orders[k];
		if (!o) {
			o = parse_add_order(p);
			o->order.order_id = xstrdup(oid);
			o->order.source_row = t->rowno[i];
			o->order.currency = xstrdup("CNY");
		}
		it = parse_add_item(o);
		it->source_row = t->rowno[i];
		for (j = 0; j < t->ncols[i]; j++) {
			const char *v = cell[j];

			switch (j < nh ? col[j] : XF_NONE) {
			case XF_ORDER:
				break;
			case XF_TITLE: set_str(&it->title, v); break;
			case XF_SKU: set_str(&it->sku, v); break;
			case XF_QTY: set_qty(p, what, v, &it->qty); break;
			case XF_PRICE: set_money(p, what, head[j], v, &it->price); break;
			case XF_AMOUNT:
				if (!have[XF_PRICE])
					set_money(p, what, head[j], v, &amount);
				else
					parse_csv_extra(&extra, head[j], j, v, strlen(v));
				break;
			case XF_TOTAL: set_money(p, what, head[j], v, &o->order.total); break;
			case XF_NICK: set_str(&o->order.nick, v); break;
			case XF_PHONE: set_str(&o->order.phone, v); break;
			case XF_PROVINCE: case XF_CITY: case XF_DISTRICT: case XF_STREET:
			case XF_ADDRESS: {
				size_t l = strlen(v);
				const char *tv = parse_trim(v, &l);

				if (l)
					cf_buf_add(&addr, tv, l);
				break;
			}
			case XF_CREATED: set_time(p, what, v, numeric, &o->order.created); break;
			case XF_PAID: set_time(p, what, v, numeric, &o->order.paid); break;
			case XF_SHIPPED: set_time(p, what, v, numeric, &o->order.shipped); break;
			case XF_DELIVERED:
				set_time(p, what, v, numeric, &o->order.delivered);
				break;
			case XF_SHOP: set_str(&o->order.shop, v); break;
			case XF_PAY_METHOD: set_str(&o->order.pay_method, v); break;
			case XF_PAY_TXN: set_str(&o->order.pay_txn, v); break;
			default:
				/* 收件人, 子订单编号, 快递公司, 快递单号, 订单状态, 售后状态 ... */
				parse_csv_extra(&extra, j < nh ? head[j] : NULL, j, v, strlen(v));
				break;
			}
		}
		/* 商品金额 is the line's amount: the unit price when it divides evenly */
		if (amount.set) {
			long long q = it->qty.set && it->qty.v > 0 ? it->qty.v : 1;

			if (amount.v % q == 0) {
				it->price.v = amount.v / q;
				it->price.set = 1;
			} else {
				parse_warn(p, 0, "%s: amount %lld.%02lld is not %lld equal prices: "
					   "unit price left empty", what, amount.v / 100,
					   llabs(amount.v % 100), q);
			}
		}
		if (addr.len && !o->order.address)
			o->order.address = xstrndup(addr.data, addr.len);
		cf_buf_release(&addr);
		if (extra && !o->order.extra) {
			o->order.extra = parse_extra_text(&extra);
		} else if (extra) {
			/* a later sub-order row: its own columns live with the first row's */
			json_decref(extra);
		}
	}
	if (p->norders == 0)
		parse_warn(p, 1, "the order export has a header but no orders");
	{
		struct cf_buf miss = CF_BUF_INIT;
		static const struct { enum xf f; const char *name; } want[] = {
			{ XF_TOTAL, "订单应付金额" }, { XF_CREATED, "订单提交时间" },
			{ XF_PAID, "支付完成时间" }, { XF_SHIPPED, "发货时间" },
			{ XF_TITLE, "选购商品" },
		};

		for (j = 0; j < sizeof(want) / sizeof(want[0]); j++)
			if (!have[want[j].f])
				cf_buf_addf(&miss, "%s%s", miss.len ? ", " : "", want[j].name);
		if (miss.len)
			parse_warn(p, 0, "the order export has no column for %s", miss.data);
		cf_buf_release(&miss);
	}
	free(col);
}

/* ---- CSV -------------------------------------------------------------------- */

int
parse_export_csv_header(const char *text, size_t n)
{
	struct csv *c = csv_new(text, n);
	int r = 0;

	if (csv_next(c) && csv_nfields(c) >= 3) {
		size_t i, nf = csv_nfields(c), len;
		char **cell = xcalloc(nf, sizeof(*cell));

		for (i = 0; i < nf; i++) {
			const char *f = csv_field(c, i, &len);

			cell[i] = xstrndup(f, len);
		}
		r = header_is_export(cell, nf);
		for (i = 0; i < nf; i++)
			free(cell[i]);
		free(cell);
	}
	csv_free(c);
	return r;
}

void
parse_export_csv(struct parsed *p, const char *text, size_t n)
{
	struct csv *c = csv_new(text, n);
	struct table t = { 0 };

	while (csv_next(c)) {
		size_t i, nf = csv_nfields(c), len;
		char **cell = xcalloc(nf ? nf : 1, sizeof(*cell));

		if (csv_problem(c))
			parse_warn(p, 1, "line %zu: %s", csv_line(c), csv_problem(c));
		for (i = 0; i < nf; i++) {
			const char *f = csv_field(c, i, &len);

			cell[i] = xstrndup(f, len);
		}
		table_add(&t, cell, nf, (long)csv_line(c));
	}
	csv_free(c);
	orders_from_table(p, &t, 0, "line");
	table_release(&t);
}

/* ---- XLSX ------------------------------------------------------------------- */

int
parse_export_is_xlsx(const void *data, size_t n)
{
	/* a zip whose entries name xl/ parts; the first local header is enough */
	return n > 30 && !memcmp(data, "PK\x03\x04", 4) &&
	       (memmem(data, n < 4096 ? n : 4096, "xl/", 3) != NULL ||
		memmem(data, n < 4096 ? n : 4096, "[Content_Types].xml", 19) != NULL);
}

/* Read the zip entries we need into memory (bounded). */
#define XLSX_MAX_PART (64u << 20)

static int
xlsx_parts(const void *data, size_t n, struct cf_buf *shared, struct cf_buf *sheet,
	   struct cf_buf *why)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *sheet_name = NULL;
	int r, ret = -1;

	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, data, n) != ARCHIVE_OK) {
		cf_buf_addf(why, "not a readable zip: %s", archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		struct cf_buf *dst = NULL;

		if (!name)
			continue;
		if (!strcmp(name, "xl/sharedStrings.xml"))
			dst = shared;
		else if (!strncmp(name, "xl/worksheets/sheet", 19) &&
			 (!sheet_name || strcmp(name, sheet_name) < 0) &&
			 strlen(name) < 40 && !strcmp(name + strlen(name) - 4, ".xml")) {
			free(sheet_name);
			sheet_name = xstrdup(name);
			cf_buf_reset(sheet);
			dst = sheet;
		}
		if (!dst)
			continue;
		for (;;) {
			char buf[16384];
			la_ssize_t got = archive_read_data(a, buf, sizeof(buf));

			if (got < 0) {
				cf_buf_addf(why, "cannot read '%s' in the zip: %s", name,
					    archive_error_string(a));
				goto out;
			}
			if (got == 0)
				break;
			if (dst->len + (size_t)got > XLSX_MAX_PART) {
				cf_buf_addf(why, "'%s' is larger than %u bytes", name, XLSX_MAX_PART);
				goto out;
			}
			cf_buf_add(dst, buf, (size_t)got);
		}
	}
	if (r != ARCHIVE_EOF) {
		cf_buf_addf(why, "broken zip: %s", archive_error_string(a));
		goto out;
	}
	if (!sheet_name) {
		cf_buf_addstr(why, "no worksheet (xl/worksheets/sheet*.xml) in the workbook");
		goto out;
	}
	ret = 0;
out:
	free(sheet_name);
	archive_read_free(a);
	return ret;
}

static const int xml_opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_COMPACT;

static int
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The text of every <t> under n (rich text runs joined). */
static void
collect_t(const xmlNode *n, struct cf_buf *b)
{
	for (; n; n = n->next) {
		if (is_el(n, "t")) {
			xmlChar *s = xmlNodeGetContent(n);

			if (s)
				cf_buf_addstr(b, (const char *)s);
			xmlFree(s);
		} else if (n->type == XML_ELEMENT_NODE && !is_el(n, "rPh")) {
			collect_t(n->children, b);
		}
	}
}

/* Column index of a cell reference "AB12" (0-based), or -1. */
static long
col_index(const char *ref)
{
	long c = 0;
	int k = 0;

	while (*ref >= 'A' && *ref <= 'Z' && k < 4) {
		c = c * 26 + (*ref - 'A' + 1);
		ref++;
		k++;
	}
	return k ? c - 1 : -1;
}

int
parse_export_xlsx(struct parsed *p, const void *data, size_t n, struct cf_err *err)
{
	struct cf_buf shared = CF_BUF_INIT, sheet = CF_BUF_INIT, why = CF_BUF_INIT;
	xmlDoc *sd = NULL, *wd = NULL;
	char **strs = NULL;
	size_t nstrs = 0, caps = 0, i;
	struct table t = { 0 };
	xmlNode *root, *sdata = NULL, *row;
	long rowno = 0;

	(void)err;
	p->kind = CF_KIND_ORDER;
	if (xlsx_parts(data, n, &shared, &sheet, &why) < 0) {
		parse_warn(p, 1, "xlsx: %s", why.data);
		goto out;
	}
	if (shared.len) {
		sd = xmlReadMemory(shared.data, (int)shared.len, "sharedStrings.xml", NULL,
				   xml_opts);
		if (!sd) {
			parse_warn(p, 1, "xlsx: xl/sharedStrings.xml is not well-formed XML");
			goto out;
		}
		for (root = xmlDocGetRootElement(sd)->children; root; root = root->next) {
			struct cf_buf b = CF_BUF_INIT;

			if (!is_el(root, "si"))
				continue;
			collect_t(root->children, &b);
			if (nstrs == caps) {
				caps = caps ? 2 * caps : 256;
				strs = xreallocarray(strs, caps, sizeof(*strs));
			}
			strs[nstrs++] = xstrdup(b.data ? b.data : "");
			cf_buf_release(&b);
		}
	}
	if (sheet.len > INT32_MAX ||
	    !(wd = xmlReadMemory(sheet.data, (int)sheet.len, "sheet.xml", NULL, xml_opts)) ||
	    !(root = xmlDocGetRootElement(wd))) {
		parse_warn(p, 1, "xlsx: the worksheet is not well-formed XML");
		goto out;
	}
	for (sdata = root->children; sdata && !is_el(sdata, "sheetData"); sdata = sdata->next)
		;
	for (row = sdata ? sdata->children : NULL; row; row = row->next) {
		xmlNode *c;
		char **cell = NULL;
		size_t ncell = 0;
		xmlChar *r;

		if (!is_el(row, "row"))
			continue;
		r = xmlGetProp(row, (const xmlChar *)"r");
		rowno = r ? atol((const char *)r) : rowno + 1;
		xmlFree(r);
		for (c = row->children; c; c = c->next) {
			xmlChar *ref, *type;
			long ci;
			struct cf_buf v = CF_BUF_INIT;
			xmlNode *k;

			if (!is_el(c, "c"))
				continue;
			ref = xmlGetProp(c, (const xmlChar *)"r");
			type = xmlGetProp(c, (const xmlChar *)"t");
			ci = ref ? col_index((const char *)ref) : (long)ncell;
			for (k = c->children; k; k = k->next) {
				if (is_el(k, "v")) {
					xmlChar *s = xmlNodeGetContent(k);

					if (type && !strcmp((const char *)type, "s")) {
						long si = s ? atol((const char *)s) : -1;

						if (si >= 0 && (size_t)si < nstrs)
							cf_buf_addstr(&v, strs[si]);
						else
							parse_warn(p, 1, "row %ld: cell %s: no shared "
								   "string %ld", rowno,
								   ref ? (const char *)ref : "?", si);
					} else if (s) {
						cf_buf_addstr(&v, (const char *)s);
					}
					xmlFree(s);
				} else if (is_el(k, "is")) {
					collect_t(k->children, &v);
				}
			}
			xmlFree(ref);
			xmlFree(type);
			if (ci < 0 || ci > 16383) {
				cf_buf_release(&v);
				continue;
			}
			if ((size_t)ci >= ncell) {
				cell = xreallocarray(cell, (size_t)ci + 1, sizeof(*cell));
				while (ncell <= (size_t)ci)
					cell[ncell++] = xstrdup("");
			}
			free(cell[ci]);
			cell[ci] = xstrdup(v.data ? v.data : "");
			cf_buf_release(&v);
		}
		table_add(&t, cell ? cell : xcalloc(1, sizeof(char *)), ncell, rowno);
	}
	if (t.n == 0 || !header_is_export(t.rows[0], t.ncols[0])) {
		parse_warn(p, 1, "xlsx: the first row of the first sheet does not name order "
			   "columns (主订单编号 or 订单号, and 选购商品, 订单应付金额, ...)");
		goto out;
	}
	orders_from_table(p, &t, 1, "row");
out:
	for (i = 0; i < nstrs; i++)
		free(strs[i]);
	free(strs);
	table_release(&t);
	xmlFreeDoc(sd);
	xmlFreeDoc(wd);
	cf_buf_release(&shared);
	cf_buf_release(&sheet);
	cf_buf_release(&why);
	return 0;
}

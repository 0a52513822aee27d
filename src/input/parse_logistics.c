/* SPDX-License-Identifier: MIT */
/*
 * parse_logistics — carrier tracking records: JSON ({"carrier",
 * "tracking_no", "events": [...]}, or a bare list of events) and CSV
 * (time,status,location,desc or 时间,状态,地点,描述, any order).
 *
 * Status words map to the six statuses of FORMATS.md (English and the
 * carriers' Chinese words); an unknown word is kept in status_raw with
 * status NULL and a note, never guessed.  Extra CSV columns and unknown
 * JSON keys of an event are kept beside the description in `extra`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"

static const char *const k_time[] = { "time", "timestamp", "ts", "ftime", "acceptTime",
				       "accept_time", NULL };
static const char *const k_status[] = { "status", "state", NULL };
static const char *const k_loc[] = { "location", "city", "place", NULL };
static const char *const k_desc[] = { "desc", "description", "detail", "context",
				       "acceptStation", "remark", NULL };
static const char *const k_carrier[] = { "carrier", "company", NULL };
static const char *const k_tracking[] = { "tracking_no", "tracking", "waybill", NULL };

static void
set_status(struct parsed *p, const char *what, struct pevent *e, const char *s, size_t n)
{
	s = parse_trim(s, &n);
	if (n == 0)
		return;		/* status_from_desc() says so when it must */
	e->status_raw = xstrndup(s, n);
	if ((e->status = parse_status_word(s, n)) == NULL &&
	    (e->status = parse_status_from_desc(s, n)) == NULL) {
		char *q = parse_quote(s, n, 40);

		parse_warn(p, 0, "%s: unknown status '%s' kept as written", what, q);
		free(q);
	}
}

/*
 * An event without a status word: the status its description says
 * (parse_status_from_desc), the description kept as written; a note when
 * none can be read.
 */
static void
status_from_desc(struct parsed *p, const char *what, struct pevent *e)
{
	/*
	 * "已签收" whose description says a locker or station signed for it
	 * (签收人:菜鸟驿站代收) is a locker delivery: the buyer may not have it.
	 */
	if (e->status && !strcmp(e->status, "delivered") && e->desc) {
		const char *d = parse_status_from_desc(e->desc, strlen(e->desc));

		if (d && !strcmp(d, "locker"))
			e->status = d;
		return;
	}
	if (e->status)
		return;
	if (e->desc && (e->status = parse_status_from_desc(e->desc, strlen(e->desc))) != NULL)
		return;
	if (!e->status_raw)
		parse_warn(p, 0, "%s: no status%s", what,
			   e->desc ? ", and none read from its description" : "");
}

static void
json_event(struct parsed *p, size_t idx, const json_t *o)
{
	static const char *const *const known[] = { k_time, k_status, k_loc, k_desc, NULL };
	char what[48];
	struct pevent *e;
	json_t *v;
	char *s = NULL;

	snprintf(what, sizeof(what), "event %zu", idx);
	if (!json_is_object(o)) {
		parse_warn(p, 1, "%s: not an object, skipped", what);
		return;
	}
	e = parse_add_event(p);
	e->extra = parse_jextra(o, known);
	if ((v = parse_jget(o, k_time, NULL)) != NULL && !json_is_null(v))
		parse_json_time(p, what, v, &e->time);
	else
		parse_warn(p, 0, "%s: no time", what);
	if (parse_jfield_str(p, what, o, k_status, &s) == 1) {
		set_status(p, what, e, s, strlen(s));
		free(s);
	}
	parse_jfield_str(p, what, o, k_loc, &e->location);
	parse_jfield_str(p, what, o, k_desc, &e->desc);
	status_from_desc(p, what, e);
}

int
parse_logistics_json(struct parsed *p, json_t *root)
{
	json_t *ev;
	size_t i;

	if (json_is_array(root)) {
		ev = root;
	} else if (json_is_object(root)) {
		parse_json_order_id(p, root);
		ev = json_object_get(root, "events");
		/* trace APIs: {"com": ..., "nu": ..., "data": [{time, context}]} */
		if (ev == NULL && json_is_array(json_object_get(root, "data")))
			ev = json_object_get(root, "data");
		if (ev == NULL && json_is_array(json_object_get(root, "traces")))
			ev = json_object_get(root, "traces");
		if (ev != NULL && !json_is_array(ev)) {
			parse_warn(p, 1, "'events' is not a list");
			return -1;
		}
		parse_jfield_str(p, "logistics", root, k_carrier, &p->carrier);
		parse_jfield_str(p, "logistics", root, k_tracking, &p->tracking_no);
		if (ev == NULL && p->tracking_no == NULL) {
			parse_warn(p, 1, "no 'events' list");
			return -1;
		}
	} else {
		parse_warn(p, 1, "expected an object with 'events' or a list of events");
		return -1;
	}
	p->has_logistics = 1;
	for (i = 0; ev && i < json_array_size(ev); i++)
		json_event(p, i + 1, json_array_get(ev, i));
	if (p->nevents == 0)
		parse_warn(p, 0, "no logistics events");
	return 0;
}

void
parse_logistics_csv(struct parsed *p, const char *text, size_t n)
{
	struct csv *c = csv_new(text, n);
	enum col *role = NULL;
	char **name = NULL;
	size_t nh = 0, i, len, timecol = 0;

	p->has_logistics = 1;
	if (!csv_next(c)) {
		parse_warn(p, 1, "no header row");
		goto out;
	}
	nh = csv_nfields(c);
	role = xcalloc(nh, sizeof(*role));
	name = xcalloc(nh, sizeof(*name));
	{
		struct cf_buf ex = CF_BUF_INIT;

		for (i = 0; i < nh; i++) {
			const char *f = csv_field(c, i, &len);

			f = parse_trim(f, &len);
			name[i] = xstrndup(f, len);
			role[i] = parse_csv_col(f, len);
			if (role[i] == COL_NONE || role[i] == COL_FROM || role[i] == COL_NAME ||
			    role[i] == COL_TEXT || role[i] == COL_ATTACH) {
				role[i] = COL_NONE;
				cf_buf_addf(&ex, "%s'%s'", ex.len ? ", " : "", name[i]);
			}
		}
		if (ex.len)
			parse_warn(p, 0, "extra columns kept beside the description: %s",
				   ex.data);
		cf_buf_release(&ex);
	}
	parse_csv_resync(c, role, nh, &timecol);
	while (csv_next(c)) {
		char what[48];
		struct pevent *e;
		json_t *extra = NULL;
		size_t nonempty = 0;
		int have_status = 0;

		for (i = 0; i < csv_nfields(c); i++) {
			const char *f = csv_field(c, i, &len);

			parse_trim(f, &len);
			nonempty += len > 0;
		}
		if (!nonempty)
			continue;
		snprintf(what, sizeof(what), "line %zu", csv_line(c));
		if (csv_problem(c))
			parse_warn(p, 1, "%s: %s", what, csv_problem(c));
		if (csv_nfields(c) != nh)
			parse_warn(p, 1, "%s: %zu fields, the header has %zu", what,
				   csv_nfields(c), nh);
		e = parse_add_event(p);
		for (i = 0; i < csv_nfields(c); i++) {
			const char *f = csv_field(c, i, &len), *t;
			size_t tl = len;

			t = parse_trim(f, &tl);
			switch (i < nh ? role[i] : COL_NONE) {
			case COL_TIME:
				if (!e->time.set)
					parse_text_time(p, what, f, len, &e->time);
				break;
			case COL_STATUS:
				if (!have_status)
					set_status(p, what, e, f, len);
				have_status = 1;
				break;
			case COL_LOCATION:
				if (!e->location && tl)
					e->location = xstrndup(t, tl);
				break;
			case COL_DESC:
				if (!e->desc && tl)
					e->desc = xstrndup(t, tl);
				break;
			case COL_CARRIER:
				if (!p->carrier && tl)
					p->carrier = xstrndup(t, tl);
				break;
			case COL_TRACKING:
				if (!p->tracking_no && tl)
					p->tracking_no = xstrndup(t, tl);
				break;
			case COL_ORDER:
				if (!p->order_id && tl)
					p->order_id = xstrndup(t, tl);
				break;
			default:
				parse_csv_extra(&extra, i < nh ? name[i] : NULL, i, f, len);
				break;
			}
		}
		(void)have_status;
		status_from_desc(p, what, e);
		e->extra = parse_extra_text(&extra);
	}
	if (p->nevents == 0)
		parse_warn(p, 0, "no logistics events");
out:
	for (i = 0; i < nh; i++)
		free(name[i]);
	free(name);
	free(role);
	csv_free(c);
}

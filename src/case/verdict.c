/* SPDX-License-Identifier: MIT */
/*
 * verdict — the three answers of verify's headline (see verdict.h), read
 * from the checks of a verify report.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/jout.h"
#include "casefile/verdict.h"
#include "casefile/xalloc.h"

/* The check called name (the first one), or NULL. */
static const struct verify_check *
find(const struct verify_report *r, const char *name)
{
	size_t i;

	size_t n = strlen(name), m;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	/* several signatures: "Signature1: trust", the dossier's own first */
	for (i = 0; i < r->n; i++)
		if ((m = strlen(r->v[i].name)) > n + 2 && strcmp(r->v[i].name + m - n, name) == 0 &&
		    r->v[i].name[m - n - 2] == ':' && strncmp(r->v[i].name, "DocTimeStamp", 12) != 0)
			return &r->v[i];
	return NULL;
}

/* Checks that answer "who" or "when", not "are the bytes what they claim". */
static int
not_integrity(const char *name)
{
	const char *p = strrchr(name, ':');

	if (p && p[1] == ' ')	/* "Signature1: trust" */
		name = p + 2;
	return strcmp(name, "trust") == 0 || strcmp(name, "certificate") == 0 ||
	       strcmp(name, "timestamp") == 0 || strcmp(name, "revocation") == 0 ||
	       strcmp(name, "document timestamp") == 0 || strcmp(name, "level") == 0;
}

/* "SHA-256 <hex>" inside a detail: the hex (heap), or NULL. */
static char *
fingerprint(const char *detail)
{
	const char *p = strstr(detail, "SHA-256 ");
	size_t n = 0;

	if (p == NULL)
		return NULL;
	p += 8;
	while ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'f') ||
	       (p[n] >= 'A' && p[n] <= 'F') || p[n] == ':')
		n++;
	return n ? xstrndup(p, n) : NULL;
}

static void
integrity(const struct verify_report *r, struct verify_verdict *v)
{
	const char *first = NULL;
	size_t i, nfail = 0, nproof = 0, nexhibit = 0;
	int proofs = 0;

	for (i = 0; i < r->n; i++) {
		const struct verify_check *c = &r->v[i];

		if (not_integrity(c->name))
			continue;
		if (c->status == VERIFY_FAIL) {
			nfail++;
			if (first == NULL)
				first = c->name;
		}
		if (strncmp(c->name, "exhibit ", 8) == 0 && c->status == VERIFY_PASS)
			nexhibit++;
		if (strncmp(c->name, "proof exhibit ", 14) == 0 && c->status != VERIFY_FAIL)
			nproof++;
		if (strcmp(c->name, "proofs") == 0 && c->status != VERIFY_FAIL &&
		    strstr(c->detail, "no proofs.json") == NULL)
			proofs = 1;
	}
	if (find(r, "cms signature") == NULL && nfail == 0) {
		/* no signature was even looked at: nothing is verified */
		nfail = 1;
		first = r->n ? r->v[0].name : "pdf";
	}
	v->integrity = nfail == 0;
	if (nfail)
		v->integrity_why = xasprintf("%zu check%s failed, first '%s'", nfail,
					     nfail == 1 ? "" : "s", first);
	else
		v->integrity_why = xasprintf("signature, %zu attachment%s%s", nexhibit,
					     nexhibit == 1 ? "" : "s",
					     proofs ? (nproof ? ", inclusion proofs" : ", proofs.json")
						    : "; no inclusion proofs attached");
}

static void
signer(const struct verify_report *r, struct verify_verdict *v)
{
	const struct verify_check *t = find(r, "trust"), *c = find(r, "certificate");
	char *fp = t ? fingerprint(t->detail) : NULL;

	const struct verify_check *rv = find(r, "revocation");

	v->signer = t && c && t->status == VERIFY_PASS && c->status == VERIFY_PASS &&
		    (rv == NULL || rv->status != VERIFY_FAIL);
	if (t == NULL || c == NULL)
		v->signer_why = xstrdup("no signer certificate");
	else if (rv && rv->status == VERIFY_FAIL)
		v->signer_why = xstrdup(rv->detail);
	else if (c->status == VERIFY_FAIL)
		v->signer_why = xstrdup(c->detail);
	else if (t->status == VERIFY_FAIL)
		v->signer_why = xstrdup(t->detail);
	else if (t->status == VERIFY_WARN)
		v->signer_why = xasprintf("%s, fingerprint %s",
					  strstr(t->detail, "self-signed") ? "self-signed"
									    : "no trusted CA given",
					  fp ? fp : "?");
	else
		v->signer_why = xasprintf("chain to a trust anchor, fingerprint %s", fp ? fp : "?");
	free(fp);
}

static void
when(const struct verify_report *r, struct verify_verdict *v)
{
	const struct verify_check *t = find(r, "timestamp");
	size_t i, unproved = 0;

	for (i = 0; i < r->n; i++)
		if (strncmp(r->v[i].name, "proof exhibit ", 14) == 0 &&
		    strstr(r->v[i].detail, "not proved"))
			unproved++;
	v->time = t && t->status == VERIFY_PASS && strstr(t->detail, "chain checked against");
	if (t == NULL)
		v->time_why = xstrdup("no signature to timestamp");
	else if (t->status == VERIFY_FAIL)
		v->time_why = xasprintf("timestamp invalid: %s", t->detail);
	else if (t->status == VERIFY_WARN)
		v->time_why = xstrdup("no timestamp");
	else if (!v->time)
		v->time_why = xstrdup("timestamped, but the TSA was not checked against a "
				      "trusted CA: give --tsa-ca");
	else {
		const char *at = strstr(t->detail, "timestamped at ");
		const char *end = at ? strstr(at, " by '") : NULL;

		v->time_why = at && end ? xasprintf("timestamp %.*s", (int)(end - at - 15), at + 15)
					: xstrdup("timestamp");
	}
	if (unproved) {
		char *s = xasprintf("%s; %zu exhibit%s' seal time not proved", v->time_why,
				    unproved, unproved == 1 ? "" : "s");

		free(v->time_why);
		v->time_why = s;
	}
}

void
verify_verdict(const struct verify_report *r, struct verify_verdict *v)
{
	memset(v, 0, sizeof(*v));
	integrity(r, v);
	signer(r, v);
	when(r, v);
	{
		const struct verify_check *l = find(r, "level");
		const char *p = l ? strstr(l->detail, "PAdES ") : NULL;

		if (l && l->status == VERIFY_PASS && p)
			v->level = xstrndup(p + 6, strcspn(p + 6, ": "));
	}
}

void
verify_verdict_release(struct verify_verdict *v)
{
	if (v == NULL)
		return;
	free(v->integrity_why);
	free(v->signer_why);
	free(v->time_why);
	free(v->level);
	memset(v, 0, sizeof(*v));
}

int
verify_verdict_all(const struct verify_verdict *v)
{
	return v->integrity && v->signer && v->time;
}

void
verify_verdict_line(const struct verify_verdict *v, struct cf_buf *out)
{
	cf_buf_addf(out, "%s integrity (%s); signer %s (%s); time %s (%s)",
		    v->integrity ? "VERIFIED" : "NOT VERIFIED", v->integrity_why,
		    v->signer ? "ESTABLISHED" : "NOT ESTABLISHED", v->signer_why,
		    v->time ? "PROVED" : "NOT PROVED", v->time_why);
}

/* {"integrity":{"verified":…,"detail":…},"signer":…,"time":…,"all":…} */
json_t *
verify_verdict_json(const struct verify_verdict *v)
{
	return json_pack("{s:{s:b,s:o},s:{s:b,s:o},s:{s:b,s:o},s:b,s:o}",
			 "integrity", "verified", v->integrity, "detail", jout_str(v->integrity_why),
			 "signer", "established", v->signer, "detail", jout_str(v->signer_why),
			 "time", "proved", v->time, "detail", jout_str(v->time_why),
			 "all", verify_verdict_all(v),
			 "level", v->level ? json_string(v->level) : json_null());
}

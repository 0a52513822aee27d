/* SPDX-License-Identifier: MIT */
/*
 * test_ledger — the Merkle log: leaf record layout, RFC 9162 known answers,
 * every inclusion and consistency proof of trees of 1..64 leaves against a
 * straightforward recursive reference, tampered proofs, evidence leaves
 * and backfill.
 */
#include "testutil.h"

#include <jansson.h>

#include "casefile/db_sqlite.h"

#include "casefile/db.h"
#include "casefile/hash.h"
#include "casefile/ledger_stmt.h"

typedef unsigned char hash_t[32];

/* --- reference implementation: RFC 9162 section 2.1, literally ---------- */

static void
ref_leaf(const void *p, size_t n, hash_t out)
{
	unsigned char *b = malloc(n + 1);

	b[0] = 0;
	memcpy(b + 1, p, n);
	cf_sha256(b, n + 1, out);
	free(b);
}

static void
ref_node(const hash_t l, const hash_t r, hash_t out)
{
	unsigned char b[65];

	b[0] = 1;
	memcpy(b + 1, l, 32);
	memcpy(b + 33, r, 32);
	cf_sha256(b, 65, out);
}

static size_t
ref_k(size_t n)
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[0:n]) where D are leaf hashes. */
static void
ref_mth(hash_t *d, size_t n, hash_t out)
{
	hash_t l, r;
	size_t k;

	if (n == 0) {
		cf_sha256("", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], 32);
		return;
	}
	k = ref_k(n);
	ref_mth(d, k, l);
	ref_mth(d + k, n - k, r);
	ref_node(l, r, out);
}

static void
ref_path(size_t m, hash_t *d, size_t n, hash_t *out, size_t *len)
{
	size_t k;

	if (n <= 1)
		return;
	k = ref_k(n);
	if (m < k) {
		ref_path(m, d, k, out, len);
		ref_mth(d + k, n - k, out[(*len)++]);
	} else {
		ref_path(m - k, d + k, n - k, out, len);
		ref_mth(d, k, out[(*len)++]);
	}
}

static void
ref_subproof(size_t m, hash_t *d, size_t n, int b, hash_t *out, size_t *len)
{
	size_t k;

	if (m == n) {
		if (!b)
			ref_mth(d, n, out[(*len)++]);
		return;
	}
	k = ref_k(n);
	if (m <= k) {
		ref_subproof(m, d, k, b, out, len);
		ref_mth(d + k, n - k, out[(*len)++]);
	} else {
		ref_subproof(m - k, d + k, n - k, 0, out, len);
		ref_mth(d, k, out[(*len)++]);
	}
}

static void
hex(const char *s, hash_t out)
{
	assert_int_equal(cf_hex_decode(s, strlen(s), out, 32), 0);
}

static struct cf_db *
fresh_db(void)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = NULL;

	unlink("t.db");
	assert_int_equal(db_open("t.db", 1, &db, &err), 0);
	return db;
}

/* --- leaf record -------------------------------------------------------- */

/*
 * Version 3 (issue 17): version 1 with the name's raw bytes after the name;
 * a version 1 leaf of the same fields is unchanged by the new fields.
 */
static void
test_leaf_record_raw_name(void **state)
{
	static const unsigned char raw[] = { 'c', 'a', 'f', 0xe9 };
	struct ledger_leaf leaf = { "A1", "other", { 0 }, 2, "caf\xef\xbf\xbd", 7, 0, NULL, 0 };
	struct cf_buf v1 = CF_BUF_INIT, v1b = CF_BUF_INIT, v3 = CF_BUF_INIT;
	hash_t h1, h3, h3b;

	(void)state;
	ledger_leaf_record(&leaf, &v1);
	/* raw bytes given but version 1: the record ignores them */
	leaf.name_raw = raw;
	leaf.name_raw_len = sizeof(raw);
	ledger_leaf_record(&leaf, &v1b);
	assert_int_equal(v1.len, v1b.len);
	assert_memory_equal(v1.data, v1b.data, v1.len);
	leaf.version = LEDGER_LEAF_VERSION_RAW;
	ledger_leaf_record(&leaf, &v3);
	assert_int_equal((unsigned char)v3.data[0], 0x03);
	assert_int_equal(v3.len, v1.len + 4 + sizeof(raw));
	/* v1 minus its last 8 bytes (ingested_at) is v3's start after the version */
	assert_memory_equal(v3.data + 1, v1.data + 1, v1.len - 9);
	assert_memory_equal(v3.data + v1.len - 8, "\0\0\0\4caf\xe9", 8);
	assert_memory_equal(v3.data + v3.len - 8, v1.data + v1.len - 8, 8);
	ledger_leaf_hash(&leaf, h3);
	leaf.version = 0;
	ledger_leaf_hash(&leaf, h1);
	assert_memory_not_equal(h1, h3, 32);
	/* another raw byte, another leaf: the bytes are bound */
	leaf.version = LEDGER_LEAF_VERSION_RAW;
	leaf.name_raw = (const unsigned char *)"cafe";
	ledger_leaf_hash(&leaf, h3b);
	assert_memory_not_equal(h3, h3b, 32);
	cf_buf_release(&v1);
	cf_buf_release(&v1b);
	cf_buf_release(&v3);
}

static void
test_leaf_record_layout(void **state)
{
	struct ledger_leaf leaf = { "A1", "chat", { 0 }, 0x0102030405ULL, "c.json",
				    1746238320, 0, NULL, 0 };
	struct cf_buf b = CF_BUF_INIT;
	unsigned char want[200];
	size_t n = 0;
	hash_t h, h2;
	int i;

	(void)state;
	for (i = 0; i < 32; i++)
		leaf.sha256[i] = (unsigned char)i;
	ledger_leaf_record(&leaf, &b);
	/* Written out by hand from the layout in ledger.h. */
	want[n++] = 0x01;
	want[n++] = 0; want[n++] = 0; want[n++] = 0; want[n++] = 2;
	want[n++] = 'A'; want[n++] = '1';
	want[n++] = 0; want[n++] = 0; want[n++] = 0; want[n++] = 4;
	memcpy(want + n, "chat", 4); n += 4;
	for (i = 0; i < 32; i++)
		want[n++] = (unsigned char)i;
	want[n++] = 0; want[n++] = 0; want[n++] = 0; want[n++] = 0x01;
	want[n++] = 0x02; want[n++] = 0x03; want[n++] = 0x04; want[n++] = 0x05;
	want[n++] = 0; want[n++] = 0; want[n++] = 0; want[n++] = 6;
	memcpy(want + n, "c.json", 6); n += 6;
	/* 1746238320 = 0x68157B70 */
	want[n++] = 0; want[n++] = 0; want[n++] = 0; want[n++] = 0;
	want[n++] = 0x68; want[n++] = 0x15; want[n++] = 0x7b; want[n++] = 0x70;
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, want, n);

	ledger_leaf_hash(&leaf, h);
	ref_leaf(want, n, h2);
	assert_memory_equal(h, h2, 32);
	/* Any field change changes the hash. */
	leaf.name = "c.jsoN";
	ledger_leaf_hash(&leaf, h2);
	assert_memory_not_equal(h, h2, 32);
	cf_buf_release(&b);
}

/* --- known answers ------------------------------------------------------ */

/*
 * The classic RFC 6962 test leaves (the same hashing as RFC 9162) and the
 * roots of their first 1..8 leaves, as published with the Certificate
 * Transparency reference code.
 */
static const char *const kat_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *const kat_roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void
kat_leaf(int i, hash_t out)
{
	unsigned char raw[16];
	size_t n = strlen(kat_leaves[i]) / 2;

	assert_int_equal(cf_hex_decode(kat_leaves[i], 2 * n, raw, n), 0);
	ledger_hash_leaf_bytes(raw, n, out);
}

static void
test_known_roots(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct ledger_range r;
	struct cf_db *db = fresh_db();
	hash_t leaf, want, got, empty;
	int i;

	(void)state;
	/* Empty tree: SHA-256 of nothing. */
	hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty);
	assert_int_equal(ledger_root(db, 0, got, &err), 0);
	assert_memory_equal(got, empty, 32);
	ledger_range_init(&r);
	ledger_range_root(&r, got);
	assert_memory_equal(got, empty, 32);

	assert_int_equal(db_begin(db, &err), 0);
	for (i = 0; i < 8; i++) {
		uint64_t idx;

		kat_leaf(i, leaf);
		assert_int_equal(ledger_append_hash(db, leaf, &idx, &err), 0);
		assert_int_equal(idx, (uint64_t)i);
		assert_int_equal(ledger_range_push(&r, leaf, NULL, NULL), 0);
		hex(kat_roots[i], want);
		assert_int_equal(ledger_root(db, (uint64_t)i + 1, got, &err), 0);
		assert_memory_equal(got, want, 32);
		ledger_range_root(&r, got);
		assert_memory_equal(got, want, 32);
	}
	assert_int_equal(db_commit(db, &err), 0);
	db_close(db);
}

/* Roots of 1, 2, 3 and 5 leaves composed by hand from the definition. */
static void
test_hand_roots(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = fresh_db();
	hash_t d[5], a, b, c, want, got;
	char name[8];
	int i;

	(void)state;
	assert_int_equal(db_begin(db, &err), 0);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "L%d", i);
		ref_leaf(name, strlen(name), d[i]);
		assert_int_equal(ledger_append_hash(db, d[i], NULL, &err), 0);
	}
	assert_int_equal(ledger_root(db, 1, got, &err), 0);
	assert_memory_equal(got, d[0], 32);
	ref_node(d[0], d[1], a);			/* H(0,1) */
	assert_int_equal(ledger_root(db, 2, got, &err), 0);
	assert_memory_equal(got, a, 32);
	ref_node(a, d[2], want);			/* H(H(0,1), 2) */
	assert_int_equal(ledger_root(db, 3, got, &err), 0);
	assert_memory_equal(got, want, 32);
	ref_node(d[2], d[3], b);			/* H(2,3) */
	ref_node(a, b, c);				/* H(H(0,1), H(2,3)) */
	ref_node(c, d[4], want);			/* H(..., 4) */
	assert_int_equal(ledger_root(db, 5, got, &err), 0);
	assert_memory_equal(got, want, 32);
	/* Inclusion of leaf 2 in 5: [d3, H(0,1), d4] by hand. */
	{
		unsigned char (*p)[32] = NULL;
		size_t n = 0;

		assert_int_equal(ledger_inclusion_proof(db, 2, 5, &p, &n, &err), 0);
		assert_int_equal(n, 3);
		assert_memory_equal(p[0], d[3], 32);
		assert_memory_equal(p[1], a, 32);
		assert_memory_equal(p[2], d[4], 32);
		free(p);
		/* Consistency 3 -> 5: [d2, d3, H(0,1), d4] (RFC 9162 2.1.5 shape). */
		assert_int_equal(ledger_consistency_proof(db, 3, 5, &p, &n, &err), 0);
		assert_int_equal(n, 4);
		assert_memory_equal(p[0], d[2], 32);
		assert_memory_equal(p[1], d[3], 32);
		assert_memory_equal(p[2], a, 32);
		assert_memory_equal(p[3], d[4], 32);
		free(p);
	}
	assert_int_equal(db_commit(db, &err), 0);
	db_close(db);
}

/* --- all proofs of trees of 1..64 leaves ------------------------------- */

#define MAXN 64

static void
test_all_proofs(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = fresh_db();
	hash_t d[MAXN], root, root1, ref[2 * LEDGER_MAX_PROOF], bad;
	size_t n, m, i, len, plen;
	unsigned char (*p)[32];
	char name[16];

	(void)state;
	assert_int_equal(db_begin(db, &err), 0);
	for (i = 0; i < MAXN; i++) {
		snprintf(name, sizeof(name), "leaf %zu", i);
		ref_leaf(name, strlen(name), d[i]);
		assert_int_equal(ledger_append_hash(db, d[i], NULL, &err), 0);
	}
	assert_int_equal(db_commit(db, &err), 0);

	for (n = 1; n <= MAXN; n++) {
		ref_mth(d, n, root);
		assert_int_equal(ledger_root(db, n, root1, &err), 0);
		assert_memory_equal(root, root1, 32);
		for (m = 0; m < n; m++) {
			len = 0;
			ref_path(m, d, n, ref, &len);
			p = NULL;
			assert_int_equal(ledger_inclusion_proof(db, m, n, &p, &plen, &err), 0);
			assert_int_equal(plen, len);
			if (len)
				assert_memory_equal(p, ref, len * 32);
			assert_int_equal(ledger_verify_inclusion(m, n, d[m],
				(const unsigned char (*)[32])p, plen, root, &err), 0);
			/* Tamper twins: another leaf, another index, a flipped path byte. */
			assert_int_equal(ledger_verify_inclusion(m, n, d[(m + 1) % MAXN],
				(const unsigned char (*)[32])p, plen, root, &err), -1);
			assert_int_equal(err.code, CF_EVERIFY);
			if (n > 1) {
				assert_int_equal(ledger_verify_inclusion((m + 1) % n, n, d[m],
					(const unsigned char (*)[32])p, plen, root, &err), -1);
				p[plen - 1][7] ^= 0x20;
				assert_int_equal(ledger_verify_inclusion(m, n, d[m],
					(const unsigned char (*)[32])p, plen, root, &err), -1);
				/* Truncated proof. */
				assert_int_equal(ledger_verify_inclusion(m, n, d[m],
					(const unsigned char (*)[32])p, plen - 1, root, &err), -1);
			}
			assert_int_equal(ledger_verify_inclusion(m, m, d[m],
				(const unsigned char (*)[32])p, plen, root, &err), -1);
			free(p);
		}
		/* Index out of range is refused. */
		assert_int_equal(ledger_inclusion_proof(db, n, n, &p, &plen, &err), -1);
		assert_int_equal(err.code, CF_EINPUT);

		for (m = 1; m <= n; m++) {
			len = 0;
			if (m < n)
				ref_subproof(m, d, n, 1, ref, &len);
			p = NULL;
			assert_int_equal(ledger_consistency_proof(db, m, n, &p, &plen, &err), 0);
			assert_int_equal(plen, len);
			if (len)
				assert_memory_equal(p, ref, len * 32);
			ref_mth(d, m, root1);
			assert_int_equal(ledger_verify_consistency(m, n, root1, root,
				(const unsigned char (*)[32])p, plen, &err), 0);
			/* A different earlier root must fail. */
			memcpy(bad, root1, 32);
			bad[0] ^= 1;
			assert_int_equal(ledger_verify_consistency(m, n, bad, root,
				(const unsigned char (*)[32])p, plen, &err), -1);
			/* A different later root must fail too. */
			memcpy(bad, root, 32);
			bad[5] ^= 4;
			assert_int_equal(ledger_verify_consistency(m, n, root1, bad,
				(const unsigned char (*)[32])p, plen, &err), -1);
			if (plen) {
				p[0][31] ^= 0x80;
				assert_int_equal(ledger_verify_consistency(m, n, root1, root,
					(const unsigned char (*)[32])p, plen, &err), -1);
				p[0][31] ^= 0x80;
				assert_int_equal(ledger_verify_consistency(m, n, root1, root,
					(const unsigned char (*)[32])p, plen - 1, &err), -1);
			}
			free(p);
		}
	}
	/* Beyond the ledger. */
	assert_int_equal(ledger_root(db, MAXN + 1, root, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(ledger_consistency_proof(db, 0, 5, &p, &plen, &err), -1);
	cf_err_release(&err);
	db_close(db);
}

/* A compact range recomputed in memory reports every stored node. */
struct seen {
	struct cf_db *db;
	int count;
};

static int
check_node(void *cookie, unsigned level, uint64_t idx, const unsigned char *h)
{
	struct seen *s = cookie;
	sqlite3_stmt *st;
	int same;

	sqlite3_prepare_v2(db_sqlite(s->db), "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?",
			   -1, &st, NULL);
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	same = sqlite3_step(st) == SQLITE_ROW && !memcmp(sqlite3_column_blob(st, 0), h, 32);
	sqlite3_finalize(st);
	s->count++;
	return same ? 0 : 1;
}

static void
test_range_matches_nodes(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = fresh_db();
	struct ledger_range r;
	struct seen s = { db, 0 };
	sqlite3_stmt *st;
	hash_t h;
	int i, rows;

	(void)state;
	assert_int_equal(db_begin(db, &err), 0);
	ledger_range_init(&r);
	for (i = 0; i < 100; i++) {
		cf_sha256(&i, sizeof(i), h);
		assert_int_equal(ledger_append_hash(db, h, NULL, &err), 0);
		assert_int_equal(ledger_range_push(&r, h, check_node, &s), 0);
	}
	assert_int_equal(db_commit(db, &err), 0);
	sqlite3_prepare_v2(db_sqlite(db), "SELECT count(*) FROM ledger_nodes", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	rows = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	/* 100 leaves: 100 + 50 + 25 + 12 + 6 + 3 + 1 perfect subtrees. */
	assert_int_equal(rows, 197);
	assert_int_equal(s.count, 197);
	db_close(db);
}

/* --- evidence rows ------------------------------------------------------ */

static void
add_row(struct cf_db *db, int id, const char *order, const char *name)
{
	char *sql = sqlite3_mprintf(
		"INSERT OR IGNORE INTO objects VALUES(CAST(printf('%%032d', %d) AS BLOB), 5, 0);"
		"INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw,"
		" ingested_at, tool_version) VALUES(%d, %Q, 'photo',"
		" CAST(printf('%%032d', %d) AS BLOB), 5, %Q,"
		" CAST(%Q AS BLOB), %d, 'test')", id, id, order, id, name, name, 1700000000 + id);

	assert_int_equal(sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
}

static int64_t
leaf_index_of(struct cf_db *db, int id)
{
	sqlite3_stmt *st;
	int64_t v = -2;

	sqlite3_prepare_v2(db_sqlite(db), "SELECT leaf_index FROM evidence WHERE id = ?", -1, &st, NULL);
	sqlite3_bind_int(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_evidence_append_and_rebuild(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = fresh_db();
	struct ledger_leaf leaf;
	hash_t h, stored, root, want;
	uint64_t idx, added, size;
	hash_t all[6];
	int i;

	(void)state;
	/* Rows from before the ledger: no leaf index. */
	add_row(db, 1, "A1", "one.jpg");
	add_row(db, 2, "A1", "two.jpg");
	add_row(db, 3, "B2", "three.jpg");
	assert_int_equal(ledger_rebuild(db, &added, &err), 0);
	assert_int_equal(added, 3);
	assert_int_equal(leaf_index_of(db, 1), 0);
	assert_int_equal(leaf_index_of(db, 3), 2);
	/* Idempotent. */
	assert_int_equal(ledger_rebuild(db, &added, &err), 0);
	assert_int_equal(added, 0);

	/* New rows through ledger_append inside the caller's transaction. */
	assert_int_equal(db_begin(db, &err), 0);
	add_row(db, 7, "C3", "seven.jpg");
	assert_int_equal(ledger_leaf_load(db, 7, &leaf, &err), 0);
	assert_string_equal(leaf.order_id, "C3");
	assert_string_equal(leaf.name, "seven.jpg");
	assert_int_equal(leaf.ingested_at, 1700000007);
	assert_int_equal(ledger_append(db, &leaf, 7, &idx, &err), 0);
	assert_int_equal(idx, 3);
	/* A second leaf for the same row is refused. */
	assert_int_equal(ledger_append(db, &leaf, 7, &idx, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	ledger_leaf_hash(&leaf, h);
	ledger_leaf_release(&leaf);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(ledger_leaf_hash_at(db, 3, stored, &err), 0);
	assert_memory_equal(h, stored, 32);

	/* Rolled-back append leaves no trace. */
	assert_int_equal(db_begin(db, &err), 0);
	add_row(db, 8, "C3", "eight.jpg");
	assert_int_equal(ledger_leaf_load(db, 8, &leaf, &err), 0);
	assert_int_equal(ledger_append(db, &leaf, 8, &idx, &err), 0);
	ledger_leaf_release(&leaf);
	db_rollback(db);
	assert_int_equal(ledger_size(db, &size, &err), 0);
	assert_int_equal(size, 4);
	assert_int_equal(ledger_leaf_load(db, 8, &leaf, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);

	/* Backfill after appends continues the same tree. */
	add_row(db, 9, "D4", "nine.jpg");
	add_row(db, 10, "D4", "ten.jpg");
	assert_int_equal(ledger_rebuild(db, &added, &err), 0);
	assert_int_equal(added, 2);
	assert_int_equal(leaf_index_of(db, 10), 5);
	for (i = 0; i < 6; i++) {
		static const int ids[6] = { 1, 2, 3, 7, 9, 10 };

		assert_int_equal(ledger_leaf_load(db, ids[i], &leaf, &err), 0);
		ledger_leaf_hash(&leaf, all[i]);
		ledger_leaf_release(&leaf);
	}
	ref_mth(all, 6, want);
	assert_int_equal(ledger_root(db, 6, root, &err), 0);
	assert_memory_equal(root, want, 32);
	cf_err_release(&err);
	db_close(db);
}

/* A writer survives savepoint rollbacks between appends (ingest's items). */
static void
test_writer_savepoints(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = fresh_db();
	struct ledger_writer *w;
	hash_t d[4], root, want;
	uint64_t idx;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		cf_sha256(&i, sizeof(i), d[i]);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(ledger_writer_open(db, &w, &err), 0);
	assert_int_equal(ledger_writer_append_hash(w, d[0], &idx, &err), 0);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "SAVEPOINT item", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(ledger_writer_append_hash(w, d[3], &idx, &err), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "ROLLBACK TO item; RELEASE item", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(ledger_writer_append_hash(w, d[1], &idx, &err), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(ledger_writer_append_hash(w, d[2], &idx, &err), 0);
	assert_int_equal(idx, 2);
	/* An evidence append for a missing row fails and writes nothing. */
	{
		struct ledger_leaf leaf = { "A", "other", { 0 }, 1, "x", 0, 0, NULL, 0 };
		uint64_t size;

		assert_int_equal(ledger_writer_append(w, &leaf, 12345, &idx, &err), -1);
		assert_int_equal(err.code, CF_EINPUT);
		assert_int_equal(ledger_size(db, &size, &err), 0);
		assert_int_equal(size, 3);
	}
	ledger_writer_close(w);
	assert_int_equal(db_commit(db, &err), 0);
	ref_mth(d, 3, want);
	assert_int_equal(ledger_root(db, 3, root, &err), 0);
	assert_memory_equal(root, want, 32);
	cf_err_release(&err);
	db_close(db);
}

/*
 * Queue mode (issue 18, shared writers): appends only queue; the flush
 * appends them in call order, evidence leaves and annotations alike, and
 * gives the same tree as appending one by one; a truncate (savepoint
 * rolled back) drops the queued leaves of the rows it removed; a queued
 * leaf of a row that is gone fails the flush.
 */
static void
test_writer_queue(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db = fresh_db();
	struct ledger_writer *w;
	struct ledger_leaf leaf;
	struct ledger_annotation a = { "note", "A1", "evidence 2", 1700000000, "me@host", "n", 1 };
	hash_t all[4], root, want;
	uint64_t size;
	int i;

	(void)state;
	add_row(db, 1, "A1", "one.jpg");
	assert_int_equal(ledger_rebuild(db, NULL, &err), 0);	/* leaf 0 */
	assert_int_equal(db_begin_shared(db, &err), 0);
	assert_int_equal(ledger_writer_open(db, &w, &err), 0);
	ledger_writer_queue(w);
	for (i = 2; i <= 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d.jpg", i);
		add_row(db, i, "A1", name);
		assert_int_equal(ledger_leaf_load(db, i, &leaf, &err), 0);
		assert_int_equal(ledger_writer_append(w, &leaf, i, NULL, &err), 0);
		ledger_leaf_release(&leaf);
		if (i == 2)
			assert_int_equal(ledger_writer_append_annotation(w, &a, &err), 0);
	}
	/* nothing is written before the flush */
	assert_int_equal(ledger_writer_queued(w), 4);
	assert_int_equal(ledger_size(db, &size, &err), 0);
	assert_int_equal(size, 1);
	assert_int_equal(leaf_index_of(db, 2), -1);
	/* row 4 "rolled back": its leaf goes */
	assert_int_equal(sqlite3_exec(db_sqlite(db), "DELETE FROM evidence WHERE id = 4", NULL,
				      NULL, NULL), SQLITE_OK);
	ledger_writer_truncate(w, 3);
	assert_int_equal(ledger_writer_flush(w, &err), 0);
	assert_int_equal(ledger_writer_queued(w), 0);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(leaf_index_of(db, 2), 1);
	assert_int_equal(leaf_index_of(db, 3), 3);	/* after the annotation, leaf 2 */
	assert_int_equal(ledger_size(db, &size, &err), 0);
	assert_int_equal(size, 4);
	for (i = 0; i < 4; i++) {
		static const int ids[4] = { 1, 2, 0, 3 };

		if (ids[i] == 0) {
			ledger_annotation_hash(&a, all[i]);
			continue;
		}
		assert_int_equal(ledger_leaf_load(db, ids[i], &leaf, &err), 0);
		ledger_leaf_hash(&leaf, all[i]);
		ledger_leaf_release(&leaf);
	}
	ref_mth(all, 4, want);
	assert_int_equal(ledger_root(db, 4, root, &err), 0);
	assert_memory_equal(root, want, 32);
	{
		struct db_stmt *st;

		assert_int_equal(db_prepare(db, "SELECT subject FROM annotations WHERE leaf_index = 2",
					    &st, &err), 0);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal((const char *)db_col_text(st, 0), "evidence 2");
		db_finalize(st);
	}

	/* a queued leaf whose row is gone fails the flush; nothing is kept */
	assert_int_equal(db_begin_shared(db, &err), 0);
	add_row(db, 5, "B2", "five.jpg");
	assert_int_equal(ledger_leaf_load(db, 5, &leaf, &err), 0);
	assert_int_equal(ledger_writer_append(w, &leaf, 5, NULL, &err), 0);
	ledger_leaf_release(&leaf);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "DELETE FROM evidence WHERE id = 5", NULL,
				      NULL, NULL), SQLITE_OK);
	assert_int_equal(ledger_writer_flush(w, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(ledger_writer_queued(w), 0);
	db_rollback(db);
	assert_int_equal(ledger_size(db, &size, &err), 0);
	assert_int_equal(size, 4);
	ledger_writer_close(w);
	cf_err_release(&err);
	db_close(db);
}

/* --- annotation leaves (record version 2) --------------------------------- */

/*
 * Known answer, computed outside casefile (Python: struct.pack('>I'/'>q')
 * and hashlib.sha256) from the layout in ledger.h: a change to the record
 * layout breaks external verifiers and must fail here.
 */
static void
test_annotation_record_known_answer(void **state)
{
	static const char want_rec[] =
		"020000000d646973707574655f6576656e7400000010363933313030303030303030"
		"303030310000001164697370757465203320657665"
		"6e7420370000000068157b700000000be5aea2e69c8d4073686f70000000087b2269"
		"64223a377d";
	static const char want_leaf[] =
		"61d4c83a43c026fa55e968d069bb0f11729d0d9a708659d87144e02bd4b20685";
	struct ledger_annotation a = {
		"dispute_event", "6931000000000001", "dispute 3 event 7", 1746238320,
		"客服@shop", "{\"id\":7}", 8,
	};
	struct cf_buf b = CF_BUF_INIT;
	char hex[2 * 200 + 1];
	hash_t h, ref;

	(void)state;
	ledger_annotation_record(&a, &b);
	assert_true(b.len * 2 < sizeof(hex));
	cf_hex_encode((const unsigned char *)b.data, b.len, hex);
	assert_string_equal(hex, want_rec);
	ledger_annotation_hash(&a, h);
	cf_hex_encode(h, 32, hex);
	assert_string_equal(hex, want_leaf);
	/* hashed exactly as an RFC 9162 leaf: 0x00 || record */
	ref_leaf(b.data, b.len, ref);
	assert_memory_equal(h, ref, 32);
	/* every field is covered */
	a.payload = "{\"id\":8}";
	ledger_annotation_hash(&a, ref);
	assert_memory_not_equal(h, ref, 32);
	cf_buf_release(&b);
}

/* Appending an annotation writes its leaf and its byte-exact record. */
static void
test_annotation_append(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct ledger_annotation a = { "note", "A1", "evidence 1", 1700000000, "me@host",
				       "\0binary\xff", 8 }, got;
	struct cf_db *db = NULL;
	struct db_stmt *st;
	hash_t h, stored;
	uint64_t idx = 99;

	(void)state;
	assert_int_equal(db_open("v.db", 1, &db, &err), 0);
	add_row(db, 1, "A1", "a.jpg");
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(ledger_rebuild(db, NULL, &err), 0);
	assert_int_equal(ledger_append_annotation(db, &a, &idx, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(idx, 1);	/* after the evidence leaf */
	ledger_annotation_hash(&a, h);
	assert_int_equal(ledger_leaf_hash_at(db, 1, stored, &err), 0);
	assert_memory_equal(h, stored, 32);
	assert_int_equal(db_prepare(db, "SELECT " LEDGER_ANNOTATION_COLUMNS
				    " FROM annotations WHERE leaf_index = 1", &st, &err), 0);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(ledger_annotation_from_row(st, 0, &got, &err), 0);
	ledger_annotation_hash(&got, stored);
	assert_memory_equal(h, stored, 32);
	db_finalize(st);
	/* outside a transaction an append is a bug, so the test does not try it */
	cf_err_release(&err);
	db_close(db);
}

/*
 * The canonical payload of a row is hashed into sealed annotation leaves
 * (audit recomputes it from the row), so its bytes must never change:
 * pinned here on hostile text.  It stays a hand-written encoder on purpose:
 * jansson writes \u001B, \b and \f where it writes \u001b, \u0008 and
 * \u000c, which would break every leaf sealed before.  Still valid JSON.
 */
static void
test_payload_bytes_pinned(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db;
	struct db_stmt *st;
	struct cf_buf b = CF_BUF_INIT;
	static const char hostile[] = "q\"\\\n\r\t\x01\x1b\b\f\x7f/\xc3\xa9";
	static const char want[] =
		"{\"t\":\"q\\\"\\\\\\n\\r\\t\\u0001\\u001b\\u0008\\u000c\x7f/\xc3\xa9\","
		"\"k\\\"\\\\\":7,\"z\":null,\"b\":\"00ff\"}";
	json_t *j;

	(void)state;
	assert_int_equal(db_open_memory(&db, &err), 0);
	assert_int_equal(db_prepare(db, "SELECT ? AS t, 7 AS \"k\"\"\\\", NULL AS z, "
				    "x'00ff' AS b", &st, &err), 0);
	db_bind_text(st, 1, hostile, -1, DB_STATIC);
	assert_int_equal(db_step(st), DB_ROW);
	ledger_payload_from_row(st, &b);
	cf_buf_addch(&b, '\0');
	assert_string_equal(b.data, want);
	j = json_loads(b.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "t")), hostile);
	json_decref(j);
	db_finalize(st);
	cf_buf_release(&b);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_leaf_record_layout, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_leaf_record_raw_name, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_known_roots, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_hand_roots, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_all_proofs, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_range_matches_nodes, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_evidence_append_and_rebuild, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_writer_queue, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_writer_savepoints, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_annotation_record_known_answer, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_annotation_append, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_payload_bytes_pinned, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

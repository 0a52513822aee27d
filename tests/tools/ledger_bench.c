/* SPDX-License-Identifier: MIT */
/*
 * ledger_bench — figures for bench/ledger.sh: build a ledger of N leaves
 * (default 1,000,000) in a fresh vault, then time sealing it, 1,000
 * inclusion proofs (each generated from the database and verified),
 * consistency proofs, an incremental seal after a day's 10,000 more leaves,
 * and the backfill of N pre-ledger evidence rows (ledger_rebuild).
 *
 * usage: ledger_bench DIR [N]     DIR must not exist; it is left behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "casefile/db.h"
#include "casefile/ledger.h"
#include "casefile/seal.h"
#include "casefile/vault.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
die(struct cf_err *err, const char *what)
{
	fprintf(stderr, "ledger_bench: %s: %s\n", what, err->msg ? err->msg : "failed");
	exit(1);
}

static void
append_n(struct cf_db *db, uint64_t from, uint64_t n, struct cf_err *err)
{
	struct ledger_writer *w;
	uint64_t i;

	/* As ingest does: one writer per batch, the size read per append. */
	if (db_begin(db, err) < 0 || ledger_writer_open(db, &w, err) < 0)
		die(err, "begin");
	for (i = from; i < from + n; i++) {
		unsigned char h[CF_SHA256_LEN];

		ledger_hash_leaf_bytes(&i, sizeof(i), h);
		if (ledger_writer_append_hash(w, h, NULL, err) < 0)
			die(err, "append");
	}
	ledger_writer_close(w);
	if (db_commit(db, err) < 0)
		die(err, "commit");
}

/* 1000 inclusion proofs of random leaves, each verified; returns seconds. */
static double
proof_round(struct cf_db *db, uint64_t n, const unsigned char *root, double *lat, double *worst,
	    size_t *total_path, struct cf_err *err)
{
	double t0 = now_s();
	int i;

	*worst = 0;
	*total_path = 0;
	for (i = 0; i < 1000; i++) {
		uint64_t idx = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % n;
		unsigned char (*path)[CF_SHA256_LEN] = NULL, leaf[CF_SHA256_LEN];
		size_t np;
		double t1 = now_s(), dt;

		ledger_hash_leaf_bytes(&idx, sizeof(idx), leaf);
		if (ledger_inclusion_proof(db, idx, n, &path, &np, err) < 0 ||
		    ledger_verify_inclusion(idx, n, leaf, (const unsigned char (*)[CF_SHA256_LEN])path,
					    np, root, err) < 0)
			die(err, "inclusion proof");
		dt = now_s() - t1;
		lat[i] = dt;
		if (dt > *worst)
			*worst = dt;
		*total_path += np;
		free(path);
	}
	qsort(lat, 1000, sizeof(lat[0]), dcmp);
	return now_s() - t0;
}

int
main(int argc, char **argv)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct seal_opts o;
	struct seal_head h;
	struct cf_db *db;
	EVP_PKEY *key;
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000, size, bf;
	double t0, t_append, t_seal, t_proofs, t_proofs2, t_cons, t_seal2, t_rebuild;
	double worst, worst2, lat2[1000];
	unsigned char root[CF_SHA256_LEN];
	size_t total_path = 0, total_path2 = 0;
	double lat[1000];
	int sealed, i;
	char *dir2;

	if (argc < 2) {
		fprintf(stderr, "usage: ledger_bench DIR [N]\n");
		return 2;
	}
	if (vault_init(argv[1], &err) < 0 || vault_open(argv[1], 0, &v, &err) < 0)
		die(&err, "vault");
	db = vault_db(v);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	t0 = now_s();
	append_n(db, 0, n, &err);
	t_append = now_s() - t0;

	memset(&o, 0, sizeof(o));
	o.key = key;
	o.now = time(NULL);
	t0 = now_s();
	if (seal_run(db, &o, &h, &sealed, &bf, &err) < 0 || !sealed)
		die(&err, "seal");
	t_seal = now_s() - t0;
	memcpy(root, h.root, CF_SHA256_LEN);
	seal_head_release(&h);

	srand(42);
	t_proofs = proof_round(db, n, root, lat, &worst, &total_path, &err);
	t_proofs2 = proof_round(db, n, root, lat2, &worst2, &total_path2, &err);

	t0 = now_s();
	for (i = 0; i < 100; i++) {
		uint64_t m = 1 + ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % n;
		unsigned char (*path)[CF_SHA256_LEN] = NULL;
		size_t np;

		if (ledger_consistency_proof(db, m, n, &path, &np, &err) < 0)
			die(&err, "consistency proof");
		free(path);
	}
	t_cons = now_s() - t0;

	/* A day later: 10,000 more leaves, sealed with a consistency proof. */
	append_n(db, n, 10000, &err);
	o.now += 86400;
	t0 = now_s();
	if (seal_run(db, &o, &h, &sealed, NULL, &err) < 0 || !sealed)
		die(&err, "second seal");
	t_seal2 = now_s() - t0;
	seal_head_release(&h);
	if (ledger_size(db, &size, &err) < 0)
		die(&err, "size");
	vault_close(v);

	/* Backfill: N evidence rows from before the ledger, then one seal. */
	dir2 = malloc(strlen(argv[1]) + 8);
	sprintf(dir2, "%s-rows", argv[1]);
	if (vault_init(dir2, &err) < 0 || vault_open(dir2, 0, &v, &err) < 0)
		die(&err, "vault 2");
	db = vault_db(v);
	if (db_exec(db, "BEGIN;"
		    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c LIMIT 1000000)"
		    " INSERT INTO objects SELECT CAST(printf('%032d', i) AS BLOB), i, 0 FROM c;"
		    "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw,"
		    " ingested_at, tool_version) SELECT size, printf('69310000%08d', size / 3),"
		    " 'photo', sha256, size, printf('IMG_%d.jpg', size), x'00', 1746238320 + size,"
		    " 'bench' FROM objects;"
		    "COMMIT;", &err) < 0)
		die(&err, "rows");
	t0 = now_s();
	if (seal_run(db, &o, &h, &sealed, &bf, &err) < 0 || !sealed)
		die(&err, "backfill seal");
	t_rebuild = now_s() - t0;
	seal_head_release(&h);
	vault_close(v);
	free(dir2);

	printf("leaves                          %llu\n", (unsigned long long)n);
	printf("append (ingest path), total     %.2f s  (%.1f us/leaf)\n", t_append,
	       t_append * 1e6 / (double)n);
	printf("seal of %llu leaves          %.4f s   target < 1 s\n", (unsigned long long)n, t_seal);
	printf("1000 inclusion proofs + verify  %.4f s  (mean %.1f us, median %.1f us, p99 %.1f us,"
	       " worst %.1f us; %.1f hashes; cold cache)   target < 1 ms each\n", t_proofs,
	       t_proofs * 1e3, lat[500] * 1e6, lat[989] * 1e6, worst * 1e6,
	       (double)total_path / 1000);
	printf("1000 more proofs + verify       %.4f s  (mean %.1f us, median %.1f us, p99 %.1f us,"
	       " worst %.1f us; %.1f hashes)\n", t_proofs2, t_proofs2 * 1e3, lat2[500] * 1e6,
	       lat2[989] * 1e6, worst2 * 1e6, (double)total_path2 / 1000);
	printf("100 consistency proofs          %.4f s  (%.1f us each)\n", t_cons, t_cons * 1e4);
	printf("next-day seal (+10000 leaves)   %.4f s  (ledger %llu)\n", t_seal2,
	       (unsigned long long)size);
	printf("backfill + seal of %llu rows %.2f s  (ledger_rebuild, pre-ledger vault)\n",
	       (unsigned long long)bf, t_rebuild);
	EVP_PKEY_free(key);
	return 0;
}

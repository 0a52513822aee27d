#!/bin/sh
# t1003: two ingests at once into one vault both succeed, nothing is lost.
. "$(dirname "$0")/../lib.sh"

cf init
mkdir a b
i=0
while [ $i -lt 200 ]; do
	printf '2025-05-03 10:12:00 买家(小**): a %d\n' $i >a/f$i.txt
	printf '2025-05-03 10:12:00 商家(客服): b %d\n' $i >b/f$i.txt
	i=$((i + 1))
done
cp a/f1.txt b/shared.txt   # same bytes in both runs
"$CASEFILE_BIN" ingest --quiet 6931000000000001 a b/shared.txt >o1 2>e1 & p1=$!
"$CASEFILE_BIN" ingest --quiet 6931000000000002 b >o2 2>e2 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "first ingest exits 0" test $r1 = 0
check "second ingest exits 0" test $r2 = 0
check "first ingest prints no error" test ! -s e1
check "second ingest prints no error" test ! -s e2
check "order 1 has 201 rows (shared.txt repeats a/f1.txt under its own name)" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from evidence where order_id='6931000000000001'\") = 201 ]"
check "order 2 has 201 rows" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from evidence where order_id='6931000000000002'\") = 201 ]"
check "objects are shared: 400 distinct" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from objects') = 400 ]"
check "400 object files" sh -c '[ $(find vault/objects -type f | wc -l) = 400 ]'
check "database is intact" db_intact

done_testing

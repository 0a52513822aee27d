#!/bin/sh
# SPDX-License-Identifier: MIT
# t6302: audit after an interrupted run.  Regression, 2026-12, issue 11
# item 9: objects stored by a killed ingest/import but never recorded were
# listed one "unexpected" line each (thousands) and failed the audit, and a
# torn one (fewer bytes than its name says) looked the same as a whole one.
# Now: one grouped notice, torn ones named, exit 0; `audit --repair`
# removes them, and never what a concurrent import records.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init; "$CASEFILE_BIN" keygen --cn "interrupted test" >/dev/null
echo kept-one >k1.txt; echo kept-two >k2.txt
cf ingest --kind other 6931000000000001 k1.txt k2.txt; cf seal

# put FILE [BYTES]: store FILE's content (or its first BYTES) under its
# object name, as a killed run leaves it.
put() {
	_h=$(sha256sum "$1" | cut -c1-64)
	_d="vault/objects/$(echo "$_h" | cut -c1-2)"
	mkdir -p "$_d"; chmod u+w "$_d"
	if [ -n "${2:-}" ]; then head -c "$2" "$1" >"$_d/$(echo "$_h" | cut -c3-)"
	else cp "$1" "$_d/$(echo "$_h" | cut -c3-)"; fi
	chmod 0444 "$_d/$(echo "$_h" | cut -c3-)"
	echo "objects/$(echo "$_h" | cut -c1-2)/$(echo "$_h" | cut -c3-)"
}

# 1-8: 40 whole leftovers and 2 torn ones.
mkdir left; bytes=0; i=1
while [ $i -le 40 ]; do
	head -c $((100 + i * 37)) /dev/urandom >"left/s$i.bin"
	put "left/s$i.bin" >/dev/null
	bytes=$((bytes + 100 + i * 37)); i=$((i + 1))
done
head -c 5000 /dev/urandom >left/torn1.bin; head -c 3000 /dev/urandom >left/torn2.bin
t1=$(put left/torn1.bin 1234); t2=$(put left/torn2.bin 0)
cf audit
expect_clean "1 leftovers of an interrupted run do not fail the audit"
expect_out "^interrupted: 40 objects \($bytes bytes\): stored by an interrupted run, no row names them; re-run the import or 'casefile audit --repair' to record or remove them$" "2 one grouped line"
expect_out "^torn: $t1: no row names it and its 1234 bytes do not hash to its name: a write cut short by an interrupted run; 'casefile audit --repair' removes it$" "3 the torn one named"
expect_out "^torn: $t2: no row names it and its 0 bytes" "4 and the empty one"
check "5 three lines, no 'unexpected'" test "$(grep -c -E '^(interrupted|torn|unexpected):' "$out")" = 3
cf audit --quiet
expect_clean "6 --quiet: still exit 0"
check "7 and the notices are still shown" test "$(wc -l <"$out")" = 3
cf audit --json
check "8 json: ok, counts, notices" jq -e ".ok == true and .interrupted.objects == 40 and .interrupted.bytes == $bytes and .interrupted.torn == 2 and (.notices | length) == 3 and .problems == []" "$out"

# 9-11: re-running the import records them (ten whole ones and a torn one).
cf ingest --kind other 6931000000000002 left/s1.bin left/s2.bin left/s3.bin left/s4.bin left/s5.bin \
	left/s6.bin left/s7.bin left/s8.bin left/s9.bin left/s10.bin left/torn1.bin
expect_rc 0 "9 the re-run records them"
cf audit --json
check "10 fewer leftovers" jq -e '.ok == true and .interrupted.objects == 30 and .interrupted.torn == 1' "$out"
check "11 the recorded torn one was replaced by its whole content" test "$(sha256sum <"vault/$t1" | cut -c1-64)" = "$(sha256sum <left/torn1.bin | cut -c1-64)"

# 12-17: --repair removes the rest, only the rest.
mkdir -p vault/objects/zz; echo junk >vault/objects/zz/not-an-object
cf audit --repair
expect_rc 1 "12 --repair, then audits (a foreign file stays a problem)"
expect_out "^repaired: objects/: removed 31 objects \([0-9]+ bytes, 1 torn\) that an interrupted run left and no row names$" "13 says what it removed"
expect_no_out "^(interrupted|torn):" "14 no leftovers after the repair"
expect_out "^unexpected: objects/zz/not-an-object: not named like an object$" "15 a file not named like an object is left for a human"
check "16 the foreign file is still there" test -f vault/objects/zz/not-an-object
rm -rf vault/objects/zz
check "17 no removed file is left" test ! -e "vault/$t2"
cf audit
expect_clean "18 the second audit is clean"
expect_no_out "^(interrupted|torn|notice):" "19 and says nothing about leftovers"
check "20 every recorded object is intact" test "$(sql "SELECT count(*) FROM evidence")" = 13
cf audit --repair
expect_clean "21 --repair with nothing to repair"
expect_no_out "^repaired:" "22 says nothing about a repair"

# 22a-22d: --repair waits while another process has the vault open, and
# looks at the rows only then: an object that process records meanwhile
# (as an import records what its reader stored in an earlier batch) stays.
head -c 300 /dev/urandom >left/late.bin; late=$(put left/late.bin)
lh=$(sha256sum left/late.bin | cut -c1-64)
flock -s vault/lock sh -c "touch holding; sleep 1; sqlite3 vault/casefile.db \"INSERT INTO objects VALUES(x'$lh', 300, 0)\"" &
holder=$!
i=0; while [ ! -e holding ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
cf audit --repair
wait $holder
expect_clean "22a --repair after the other process closed the vault"
expect_no_out "^repaired:" "22b removed nothing"
check "22c the object recorded meanwhile is still there" test -f "vault/$late"
expect_out "^objects: 14 checked, 14 matched" "22d and audited as recorded"

# 23-25: a real kill -9 of an import, then audit and --repair.
mk_bundle src 60
export CASEFILE_IMPORT_BATCH=20
"$CASEFILE_BIN" import --quiet src/orders-2025-05-02 >/dev/null 2>&1 &
pid=$!
i=0; while [ $i -lt 100 ] && [ "$(find vault/objects -type f | wc -l)" -lt 60 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
cf audit
expect_rc 0 "23 audit after a kill -9 of an import: no problem"
expect_no_out "^unexpected:" "24 nothing unexpected"
cf audit --repair
expect_rc 0 "25 --repair after the kill"
cf import --quiet src/orders-2025-05-02
expect_rc 0 "26 the re-run import completes"
cf audit
expect_clean "27 and the vault is clean"

# 28-31: --repair beside a running import loses nothing.  Leftovers are
# planted, then an import and a repair run at once, three times.
j=1
while [ $j -le 3 ]; do
	rm -rf "src$j"; mk_bundle "src$j" 80 "run$j"
	k=1; while [ $k -le 30 ]; do head -c 200 /dev/urandom >"left/c$j-$k.bin"; put "left/c$j-$k.bin" >/dev/null; k=$((k + 1)); done
	"$CASEFILE_BIN" import --quiet "src$j/orders-2025-05-02" >imp.out 2>imp.err &
	pid=$!
	"$CASEFILE_BIN" audit --repair --quiet >rep.out 2>rep.err; rrc=$?
	wait $pid; irc=$?
	check "$((27 + j)) run $j: import ($irc) and repair ($rrc) both succeed" test "$irc" = 0 -a "$rrc" = 0
	j=$((j + 1))
done
cf audit --json
check "31 nothing lost: every row has its object, no leftovers" jq -e '.ok == true and .objects.missing == 0 and .rows.without_object == 0 and .interrupted.objects == 0' "$out"
# Every file of every bundle was recorded: importing them again adds nothing.
j=1
while [ $j -le 3 ]; do
	cf import "src$j/orders-2025-05-02"
	check "$((31 + j)) bundle $j: every file recorded by the concurrent import" grep -q "320 files, 0 new, 320 duplicate" "$out"
	j=$((j + 1))
done
done_testing

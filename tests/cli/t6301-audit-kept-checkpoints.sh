#!/bin/sh
# SPDX-License-Identifier: MIT
# t6301: checkpoints kept outside the database (VAULT/checkpoints/, and the
# seal.mirror folder).  Regression, 2026-12, issue 11 item 3: deleting every
# head with the newest sealed rows, their objects and ledger nodes left a
# vault that `audit` passed and that a fresh `seal` made look original.
. "$(dirname "$0")/../lib.sh"

# 1-3: a vault sealed three times (tree sizes 3, 5, 6), each seal kept.
cf init; "$CASEFILE_BIN" keygen --cn "kept test" >/dev/null
i=1
while [ $i -le 6 ]; do
	printf 'evidence %d %s\n' $i "$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"e$i.txt"
	i=$((i + 1))
done
cf ingest --kind other 6931000000000001 e1.txt e2.txt e3.txt; cf seal
cf ingest --kind other 6931000000000001 e4.txt e5.txt; cf seal
cf ingest --kind other 6931000000000001 e6.txt; cf seal
check "1 three numbered checkpoint files" test "$(ls vault/checkpoints | tr '\n' ' ')" = "00000001.txt 00000002.txt 00000003.txt "
check "2 each is its head's checkpoint, byte for byte" sh -c '
	n=1; for s in 3 5 6; do
		sqlite3 vault/casefile.db "SELECT writefile(\"head.$s\", checkpoint) FROM heads WHERE tree_size = $s" >/dev/null
		cmp "head.$s" "vault/checkpoints/0000000$n.txt" || exit 1; n=$((n + 1))
	done'
cf audit
expect_clean "3 audit of the intact vault"
expect_out "^kept checkpoints: 3 checked, 0 problems$" "4 says the kept checkpoints were checked"
chmod -R u+w vault; cp -r vault good

restore() { chmod -R u+w vault; rm -rf vault; cp -r good vault; }

# 5-12: the issue's attack.  Delete all heads and the newest sealed rows
# (leaves 3-5), their objects and ledger nodes, then audit and seal again.
for i in 4 5 6; do p=$(sha256sum e$i.txt | cut -c1-64); rm -f "vault/objects/$(echo $p | cut -c1-2)/$(echo $p | cut -c3-)"; done
sql "PRAGMA foreign_keys = OFF;
     DELETE FROM objects WHERE sha256 IN (SELECT sha256 FROM evidence WHERE leaf_index >= 3);
     DELETE FROM evidence WHERE leaf_index >= 3;
     DELETE FROM ledger_nodes WHERE ((idx + 1) << level) > 3;
     DELETE FROM heads;"
cf audit
expect_rc 1 "5 audit fails after heads and sealed rows were deleted"
expect_out "^checkpoint: checkpoints/00000002.txt: tree size 5 is not a head in the database, and the ledger has only 3 leaves \(sealed evidence removed\?\)$" "6 names the kept checkpoint whose leaves are gone"
expect_out "^checkpoint: checkpoints/00000003.txt: tree size 6 is not a head in the database, and the ledger has only 3 leaves" "7 and the newest"
expect_out "^checkpoint: checkpoints/00000001.txt: tree size 3 is not a head in the database, though the ledger still holds its tree" "8 and the one whose tree is intact"
expect_out "^head: heads: the database has no tree head, but 3 checkpoints were kept \(heads deleted\?\)$" "9 says there is no head"
cf ingest --kind other 6931000000000001 e4.txt	# new evidence to seal over the gap
cf seal
expect_rc 1 "10 a fresh seal refuses to seal over the deleted history"
expect_err "checkpoints' keeps 3 checkpoints, the vault has 0 tree heads: run 'casefile audit'$" "11 says why"
check "12 no head was written" test "$(sql 'SELECT count(*) FROM heads')" = 0
cf audit
expect_rc 1 "13 audit still fails"
# The attacker also removes the kept folder: seal refuses, the vault keeps checkpoints.
chmod u+w vault/checkpoints; rm -rf vault/checkpoints
cf seal
expect_rc 1 "14 seal refuses when checkpoints/ was deleted"
expect_err "checkpoints' is missing, though this vault keeps its checkpoints there: run 'casefile audit'$" "15 says so"
cf audit
expect_rc 1 "16 audit fails"
expect_out "^checkpoint: checkpoints: '.*/vault/checkpoints' is missing, though this vault keeps its checkpoints there \(deleted\?\)$" "17 naming the folder"

# 18-23: one kept checkpoint deleted, one edited.
restore
chmod u+w vault/checkpoints; rm -f vault/checkpoints/00000002.txt
cf audit
expect_rc 1 "18 a deleted checkpoint file fails the audit"
expect_out "^checkpoint: checkpoints/00000002.txt: missing \(deleted\?\)$" "19 names the file"
expect_out "^checkpoint: head 5: not kept in checkpoints/ \(file deleted\?\)$" "20 and the head it kept"
restore
chmod u+w vault/checkpoints/00000003.txt
sed -i '3{s/^X/Y/;t;s/^./X/}' vault/checkpoints/00000003.txt	# always a change (the root may start with X)
cf audit
expect_rc 1 "21 an edited checkpoint file fails the audit"
expect_out "^checkpoint: checkpoints/00000003.txt: " "22 names the file"
expect_out "^checkpoint: head 6: not kept in checkpoints/" "23 and its head"
cf seal
expect_rc 1 "24 seal refuses too"

# 25-29: an interrupted seal (checkpoint kept, head not committed) is
# reported, and the next seal completes it with the kept bytes.
restore
sql "DELETE FROM heads WHERE tree_size = 6"
cf audit
expect_rc 1 "25 a kept checkpoint without its head fails the audit"
expect_out "^checkpoint: checkpoints/00000003.txt: tree size 6 is not a head in the database, though the ledger still holds its tree \(heads deleted, or a seal was interrupted: 'casefile seal' completes it\)$" "26 says how to complete it"
cf seal
expect_clean "27 seal completes the interrupted seal"
check "28 head 6 is back, with the kept bytes" sh -c '
	sqlite3 vault/casefile.db "SELECT writefile(\"h6\", checkpoint) FROM heads WHERE tree_size = 6" >/dev/null &&
	cmp h6 vault/checkpoints/00000003.txt'
cf audit
expect_clean "29 and the audit passes"
# build --seal keeps its checkpoint like seal.
echo late >late.txt; cf ingest --kind other 6931000000000001 late.txt
cf build 6931000000000001 --seal -o d.pdf
expect_rc 0 "29a build --seal"
check "29b keeps the new head as checkpoint 4" test -f vault/checkpoints/00000004.txt
cf audit
expect_clean "29c and the audit passes"

# 30-33: a vault from before kept checkpoints: the first audit keeps its heads.
restore
chmod u+w vault/checkpoints; rm -rf vault/checkpoints
sql "DELETE FROM meta WHERE key = 'checkpoints.kept'"
cf audit
expect_rc 0 "30 first audit after the upgrade passes"
expect_out "^notice: checkpoints: created with the 3 existing tree heads \(the first audit since checkpoints are kept\)$" "31 says it kept the heads"
check "32 the files are the heads" cmp vault/checkpoints/00000003.txt good/checkpoints/00000003.txt
cf audit
expect_clean "33 the second audit says nothing more"
expect_no_out "^notice" "34 no notice"

# 35-: the mirror.
restore
cf config seal.mirror no-such-dir
expect_rc 2 "35 config refuses a missing mirror folder"
expect_err "^casefile: bad value for 'seal.mirror': cannot use 'no-such-dir': No such file or directory$" "36 naming it"
touch afile; cf config seal.mirror afile
expect_rc 2 "37 and a file"
mkdir share; cf config seal.mirror share
expect_clean "38 config takes an existing folder"
check "39 stored as an absolute path" test "$(sql "SELECT value FROM meta WHERE key = 'seal.mirror'")" = "$SCRATCH/share"
check "40 and fills it with the checkpoints kept so far" diff -r vault/checkpoints share
chmod -R u+w share; rm -f share/*
cf seal
expect_clean "41 seal with nothing new fills an emptied mirror"
check "42 the mirror holds the same files" diff -r vault/checkpoints share
mkdir other; cp good/checkpoints/00000001.txt other/; chmod u+w other/00000001.txt; sed -i '2s/.*/9/' other/00000001.txt
cf config seal.mirror other
expect_rc 2 "43 config refuses a folder holding other checkpoints"
expect_err "^casefile: bad value for 'seal.mirror': '$SCRATCH/other/00000001.txt' holds another checkpoint$" "43a naming the file"
cf audit
expect_clean "44 audit with the mirror"
expect_out "^kept checkpoints: 6 checked, 0 problems \(with the mirror\)$" "45 counts both folders"
e7=$(printf 'evidence 7 %s\n' "$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"); echo "$e7" >e7.txt
cf ingest --kind other 6931000000000001 e7.txt; cf seal
check "46 a new seal writes both copies" cmp vault/checkpoints/00000004.txt share/00000004.txt
chmod u+w share/00000002.txt; rm -f share/00000002.txt
cf audit
expect_rc 1 "47 a checkpoint deleted from the mirror fails the audit"
expect_out "^checkpoint: $SCRATCH/share/00000002.txt: missing \(deleted\?\)$" "48 names it"
cp vault/checkpoints/00000002.txt share/
mv share share.off
cf audit
expect_rc 1 "49 a mirror that is not there fails the audit"
expect_out "^checkpoint: mirror '$SCRATCH/share': '$SCRATCH/share' does not exist \(not mounted\?\): the checkpoints kept there cannot be checked$" "50 says so"
echo e8 >e8.txt; cf ingest --kind other 6931000000000001 e8.txt
cf seal
expect_rc 5 "51 seal fails when the mirror cannot be written"
expect_err "cannot use the checkpoint mirror \(seal.mirror\): '$SCRATCH/share' does not exist" "52 naming the mirror"
check "53 no head was stored" test "$(sql 'SELECT max(tree_size) FROM heads')" = 7
mv share.off share
cf seal
expect_clean "54 with the mirror back, seal works"
check "55 both copies" cmp vault/checkpoints/00000005.txt share/00000005.txt
# Truncation that also removes the kept folder and its mark: only the mirror knows.
chmod -R u+w vault
for i in 4 5 6; do p=$(sha256sum e$i.txt | cut -c1-64); rm -f "vault/objects/$(echo $p | cut -c1-2)/$(echo $p | cut -c3-)"; done
sql "PRAGMA foreign_keys = OFF;
     DELETE FROM objects WHERE sha256 IN (SELECT sha256 FROM evidence WHERE leaf_index >= 3);
     DELETE FROM evidence WHERE leaf_index >= 3;
     DELETE FROM ledger_nodes WHERE ((idx + 1) << level) > 3;
     DELETE FROM heads; DELETE FROM meta WHERE key = 'checkpoints.kept';"
rm -rf vault/checkpoints
cf seal
expect_rc 1 "56 seal refuses: the mirror holds what the vault lacks"
expect_err "the checkpoint mirror holds '$SCRATCH/share/00000005.txt', which the vault lacks" "57 says so"
cf audit
expect_rc 1 "58 audit fails on the mirror"
expect_out "^checkpoint: $SCRATCH/share/00000002.txt: tree size 5 is not a head in the database, and the ledger has only 3 leaves" "59 naming the mirror's checkpoint"

# 60-65: the timestamp token is kept beside its checkpoint.
unset CASEFILE_VAULT; export CASEFILE_VAULT="$SCRATCH/tv"
cf init; "$CASEFILE_BIN" keygen --cn "kept tsa test" >/dev/null
make_test_pki pki || echo "not ok - pki"
start_tsa pki ok
cf ingest --kind other 6931000000000001 e1.txt; cf seal --tsa "$TSA_URL" --tsa-ca pki/ca.pem
stop_tsa
check "60 the token is kept as 00000001.tsr, byte for byte" sh -c '
	sqlite3 tv/casefile.db "SELECT writefile(\"t1\", tst) FROM heads" >/dev/null && cmp t1 tv/checkpoints/00000001.tsr'
check "61 and checks with openssl ts" sh -c 'openssl ts -reply -token_in -in tv/checkpoints/00000001.tsr -token_out -text | grep -q "Hash Algorithm: sha256"'
cf audit
expect_clean "62 audit with a kept token"
chmod u+w tv/checkpoints; rm -f tv/checkpoints/00000001.tsr
cf audit
expect_rc 1 "63 a deleted token fails the audit"
expect_out "^checkpoint: checkpoints/00000001.txt: its timestamp token differs from head 1's$" "64 names it"
head -c 100 t1 >tv/checkpoints/00000001.tsr
cf audit
expect_rc 1 "65 a damaged token fails the audit"
expect_out "^checkpoint: checkpoints/00000001.txt: timestamp token: " "66 names it"
done_testing

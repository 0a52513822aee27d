#!/bin/sh
# SPDX-License-Identifier: MIT
# verify --vault: each exhibit's object is still stored unchanged; --json.
. "$(dirname "$0")/../lib.sh"

echo "chat log" >chat.json; head -c 4000 /dev/urandom >photo.jpg
"$CASEFILE_TOOLS/mkpdf" -z -m in.pdf chat.json photo.jpg || echo "not ok - mkpdf"
cf init; cf keygen --cn "Vault Shop"
# store the exhibits in the vault the way casefile does (objects/ab/cdef…)
cf ingest --kind other 6931000000000001 chat.json photo.jpg
expect_clean "ingest the exhibits"
for f in chat.json photo.jpg; do
	h=$(sha256sum "$f" | cut -c1-64)
	check "'$f' stored as objects/$(echo "$h" | cut -c1-2)/…" \
		test -f "vault/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-)"
done
cf sign in.pdf -o d.pdf; expect_clean "sign"
cf verify d.pdf --vault "$CASEFILE_VAULT"
expect_clean "verify with the vault"
expect_out "^PASS  vault exhibit 1: 'chat.json' is stored unchanged" "exhibit 1 in the vault"
expect_out "^PASS  vault exhibit 2: 'photo.jpg' is stored unchanged" "exhibit 2 in the vault"
expect_out "^PASS  exhibit 2: 'photo.jpg': attachment 'photo.jpg' matches" "compressed attachment hashed"

cf verify d.pdf --json
expect_rc 0 "verify --json"
check "json parses and says ok" python3 -c "
import json,sys; d=json.load(open('$out')); assert d['ok'] is True and d['failures']==0
names=[c['check'] for c in d['checks']]; assert 'byterange' in names and 'exhibit 2' in names, names"

h=$(sha256sum photo.jpg | cut -c1-64)
p="vault/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-)"
chmod u+w "$p"; printf 'X' | dd of="$p" bs=1 seek=5 conv=notrunc 2>/dev/null
cf verify d.pdf --vault "$CASEFILE_VAULT"
expect_rc 1 "changed vault object: exit 1"
expect_out "^FAIL  vault exhibit 2: 'photo.jpg' \\(sha256 $h\\) was changed in the vault" "names the changed object"
expect_out "^PASS  vault exhibit 1" "the other object still passes"
rm -f "$p"
cf verify d.pdf --vault "$CASEFILE_VAULT" --json
expect_rc 1 "missing vault object: exit 1 (json)"
check "json names the missing object" python3 -c "
import json; d=json.load(open('$out')); assert d['ok'] is False
f=[c for c in d['checks'] if c['status']=='FAIL']; assert f[0]['check']=='vault exhibit 2' and 'missing' in f[0]['detail'], f"
cf verify d.pdf --vault "$SCRATCH/nowhere"
expect_rc 1 "a vault that does not exist: exit 1"
expect_out "^FAIL  vault: cannot open vault" "names the vault"
done_testing

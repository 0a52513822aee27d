#!/bin/sh
# SPDX-License-Identifier: MIT
# --json output is valid JSON whatever the user gave: every command that has
# --json is run with a hostile string (quote, backslash, tab, a control
# character, a newline, a byte that is not UTF-8) in every field the user
# controls (vault folder, file and bundle names, notes, claims, key names,
# settings, output paths), and each output must parse with `jq .`.
# Regression (2026-12-03, issue 13): `casefile --json --vault 'x"y' init`
# printed invalid JSON.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-06-01 09:00'
H=$(printf 'q"b\\s\tc\001n\nl\377x')
V="$SCRATCH/v$H"
O=6931000000000001
n=0

# jcf WHAT ARGS...: run casefile --json --vault "$V" ARGS; stdout must be one
# JSON document (jq), and the command must not have failed (exit 0 to 4).
jcf() {
	_what=$1; shift
	cf --json --vault "$V" "$@"
	n=$((n + 1))
	if [ -s "$out" ] && jq -e . "$out" >/dev/null 2>&1 && [ "$rc" -le 4 ]; then
		tap 0 "$n $_what: valid JSON (rc $rc)"
	else
		tap 1 "$n $_what: valid JSON"; show_last
	fi
}

jcf "init" init
expect_rc 0 "init into a hostile folder name"
check "init: the vault name comes back (bad byte as U+FFFD)" \
	sh -c "jq -r .vault '$out' | grep -q 'q\"b'"

mkdir -p "in$H"
printf 'hello\n' >"in$H/note$H.txt"
printf '[{"time":"2025-05-01 10:00:00","from":"buyer","text":"hi"}]\n' >"in$H/chat.json"
jcf "ingest" ingest --note "note $H" "$O" "in$H/note$H.txt" "in$H/chat.json"
expect_rc 3 "ingest of hostile names (the note is not a known format: exit 3)"
check "ingest: path escaped, not cut" sh -c "jq -r '.items[0].path' '$out' | grep -q 'note'"

mkdir -p "b$H/$O" "b$H/6931000000000002"
printf 'x\n' >"b$H/6931000000000002/photo$H.txt"
printf 'y\n' >"b$H/$O/other$H.txt"
jcf "import" import "b$H"
jcf "list" list
jcf "show" show "$O"
jcf "show --messages" show --messages "$O"
# certificate names must be UTF-8 (X.509 UTF8String): the rest of H
K=$(printf 'k"b\\s\tc\001n\nl')
jcf "keygen" keygen --cn "cn $K" --org "org $K"
# settings refuse control characters (config's own check): the rest of H
cf --json --vault "$V" config sign.location "loc $H"
expect_rc 2 "a setting with a control character or a bad byte: refused"
cf --json --vault "$V" config sign.reason 'r"b\s x'
expect_clean "a setting with a quote and a backslash: stored (no output)"
jcf "config get" config sign.reason
jcf "config all" config
jcf "seal" seal
jcf "log" log
jcf "audit" audit --quick
jcf "dispute open" dispute open "$O" --reason quality --claim "claim $H" --note "n $H" \
	--amount 89.00 --requested-at '2025-05-20 10:00'
jcf "dispute update" dispute update "$O" --note "upd $H" --rejected-at '2025-05-22 10:00'
jcf "dispute list" dispute list
jcf "due" due
jcf "check" check "$O"
jcf "statement" statement -o "st$H.txt" "$O"
jcf "stats" stats
jcf "stats --by sku" stats --by sku
jcf "build" build --tsa-optional -o "d$H.pdf" "$O"
jcf "sign" sign -o "s$H.pdf" "d$H.pdf"
jcf "verify" verify "s$H.pdf"
jcf "export" export --all -o "e$H.zip"
expect_rc 0 "export to a hostile name (was a crash in libarchive)"
check "the bag's names are UTF-8 ('_' for the bad byte)" sh -c "unzip -Z1 'e$H.zip' | grep -q 'l_x/bagit.txt'"
jcf "reparse" reparse
jcf "dispute close" dispute close "$O" --outcome won --note "c $H"

echo "1..$tap_n"

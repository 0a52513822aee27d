#!/bin/sh
# SPDX-License-Identifier: MIT
# config: list, get, set, unset; validation of every known key.
. "$(dirname "$0")/../lib.sh"

cf config --help
expect_clean "1 --help without a vault"
expect_out "import\.max_entry_size" "2 --help lists the keys"
cf init
cf config
expect_clean "3 list"
expect_out "^import\.max_entry_size=4294967296  \(default\)$" "4 defaults are marked"
# issue 16: every known setting is listed, unset ones too, each described
expect_out "^tsa\.url  \(unset\)$" "5 unset keys are listed as unset"
expect_out "^    RFC 3161 timestamp server" "5b with a one-line description"
check "5c every key has a description" test "$(grep -c '^    ' "$out")" = "$(grep -c '^[a-z]' "$out")"
cf config import.max_entry_size 512M
expect_clean "6 set a size with a suffix"
cf config import.max_entry_size
expect_clean "7 get"
check "8 stored in bytes" test "$(cat "$out")" = 536870912
cf config import.max_entry_size 2G
cf config import.max_entry_size; check "9 G suffix" test "$(cat "$out")" = 2147483648
cf config tsa.url http://127.0.0.1:3180/tsa
expect_clean "10 set tsa.url"
cf config shop.name '青瓷小铺'
expect_clean "11 set shop.name (UTF-8)"
cf config sign.reason '仲裁证据'
cf config sign.location 'Hangzhou'
cf config sign.contact 'cs@example.com'
cf config import.max_ratio 150.5
expect_clean "12 ratio with a fraction"
cf config import.max_entries 5000
expect_clean "13 max entries"
cf --json config
expect_clean "14 --json list"
expect_out '"shop.name":\{"value":"青瓷小铺","default":false,"description":"[^"]+"\}' "15 --json has values"
expect_out '"import.max_entries":\{"value":"5000","default":false,"description":"[^"]+"\}' "16 --json max entries"
check "17 stored in the meta table" test "$(sql "SELECT value FROM meta WHERE key = 'tsa.url'")" = http://127.0.0.1:3180/tsa

n=17
bad() { # bad KEY VALUE REGEX
	n=$((n + 1))
	cf config -- "$1" "$2"
	if [ "$rc" = 2 ] && grep -Eq -- "^casefile: bad value for '$1': .*$3" "$err"; then
		tap 0 "$n $1 '$2' refused"
	else
		tap 1 "$n $1 '$2' refused"; show_last
	fi
}
bad import.max_entry_size 12Q "'12Q' is not a size"
bad import.max_entry_size -5 "'-5' is not a size"
bad import.max_entry_size 0 "must be more than 0"
bad import.max_entry_size 99999999999999T "too large"
bad import.max_ratio 0.5 "must be at least 1"
bad import.max_ratio nan "is not a number"
bad import.max_ratio '' "is not a number"
bad import.max_entries 1.5 "is not a whole number"
bad import.max_entries 0 "must be more than 0"
bad tsa.url ftp://x "is not an http:// or https:// URL"
bad tsa.url 'http://' "has no host"
bad tsa.url 'http://a b/' "spaces and non-ASCII"
bad shop.name '' "empty"
bad shop.name "$(printf 'a\tb')" "control character"
bad shop.name "$(printf '\377\376')" "not valid UTF-8"
bad sign.reason "$(printf '%0300d' 0)" "longer than 256 bytes"
printf 'not a certificate\n' >notpem.txt
bad tsa.ca notpem.txt "holds no PEM certificate"
bad tsa.ca no-such.pem "cannot read 'no-such.pem'"
check "34 a refused value changes nothing" test "$(sql "SELECT value FROM meta WHERE key = 'import.max_ratio'")" = 150.5

cf config no.such.key 1
expect_rc 2 "35 unknown key: exit 2"
expect_err "^casefile: unknown setting 'no\.such\.key' \(known: tsa\.url, tsa\.ca, tsa\.tls_ca, tsa\.require, import\.max_entry_size, import\.max_ratio, import\.max_entries, import\.ignore, order\.id_pattern, sign\.reason, sign\.location, sign\.contact, sign\.level, sign\.ca, shop\.name, shop\.agents, dispute\.profile, dossier\.max_bytes, seal\.mirror\)$" "36 lists the known keys"
cf config vault_id
expect_rc 2 "37 internal meta rows are not settings"
cf config --unset tsa.url
expect_clean "38 unset"
cf config tsa.url
expect_rc 1 "39 get of an unset key without default: exit 1, like git config"
check "40 and prints nothing" test ! -s "$out"
cf config --unset tsa.url
expect_clean "41 unset twice is fine"
cf config --unset import.max_ratio
cf config import.max_ratio
expect_clean "42 unset falls back to the default"
check "43 default value" test "$(cat "$out")" = 200
cf config dispute.profile douyin
expect_clean "46 dispute.profile: a known profile"
cf config dispute.profile no-such-platform
expect_rc 2 "47 dispute.profile: unknown profile refused"
expect_err "^casefile: bad value for 'dispute\.profile': " "48 says which setting"
mkdir -p pki && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout pki/ca.key -out pki/ca.pem -days 2 -subj /CN=t6060 2>/dev/null
cf config tsa.ca pki/ca.pem
expect_clean "46 tsa.ca takes a PEM certificate file"
check "47 tsa.ca is stored as an absolute path" test "$(sql "SELECT value FROM meta WHERE key = 'tsa.ca'")" = "$SCRATCH/pki/ca.pem"
cf config a b c
expect_rc 2 "44 too many arguments"
cf config --unset tsa.url shop.name
expect_rc 2 "45 --unset with another argument"
done_testing

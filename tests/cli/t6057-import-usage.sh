#!/bin/sh
# SPDX-License-Identifier: MIT
# import: usage errors, --help, and a bad stored limit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf import --help
expect_clean "1 --help works without a vault"
expect_out "^usage: casefile import" "2 --help prints the usage"
expect_out "no-wait" "3 --help documents --no-wait"
cf init
cf import
expect_rc 2 "4 no bundle: exit 2"
expect_err "import needs a bundle" "5 says what is missing"
expect_err "try 'casefile import --help'" "6 hints at --help"
cf import a b
expect_rc 2 "7 two bundles: exit 2"
cf import --date 2025-02-30 x.zip
expect_rc 2 "8 impossible date: exit 2"
expect_err "bad date '2025-02-30': use YYYY-MM-DD" "9 bad date named"
cf import --date 2025-05-02 --date 2025-05-03 x.zip
expect_rc 2 "10 --date twice: exit 2"
cf import --frobnicate x.zip
expect_rc 2 "11 unknown option: exit 2"
mk_bundle src 1
CASEFILE_VAULT="$SCRATCH/nowhere" cf import src
expect_rc 2 "12 no vault: exit 2"
expect_err "is not a casefile vault" "13 no vault: message"
sql "INSERT INTO meta(key, value) VALUES('import.max_ratio', 'lots')"
cf import src
expect_rc 3 "14 a broken stored limit: exit 3"
expect_err "setting 'import.max_ratio': 'lots' is not a number" "15 names the setting"
check "16 nothing imported" test "$(nrows)" = 0
done_testing

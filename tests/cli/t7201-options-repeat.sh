#!/bin/sh
# SPDX-License-Identifier: MIT
# One option parser, one rule for repeats: an option given twice after the
# command name (by its long name, its letter or both; a value or a flag) is
# a usage error, exit 2, naming the option.  A global option before the
# command and the same one after it are two places: the later one wins.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
cf init; expect_clean "1 init"

cf build --lang en --lang zh $O
expect_rc 2 "2 build --lang twice: exit 2"
expect_err "^casefile: option '--lang' given twice$" "3 names the option"
expect_err "^try 'casefile build --help'$" "4 with the hint"
cf build -o a.pdf -o b.pdf $O
expect_rc 2 "5 build -o twice: exit 2"
expect_err "option '--output' given twice" "6 names it by its long name"
cf build -o a.pdf --output=b.pdf $O
expect_rc 2 "7 -o and --output: the same option twice"
cf statement --lang en --lang=en $O
expect_rc 2 "8 statement --lang twice, even the same value"
cf ingest --note a --note b $O x
expect_rc 2 "9 ingest --note twice"
cf list --json --json
expect_rc 2 "10 a flag twice (--json)"
expect_err "option '--json' given twice" "11 names it"
cf audit --quick --quick
expect_rc 2 "12 audit --quick twice"
cf dispute open $O --reason quality --reason other
expect_rc 2 "13 dispute open --reason twice"
cf dispute list --outcome won
expect_rc 2 "14 an option of another subcommand"
expect_err "option '--outcome' does not apply here" "15 says so"
cf import --date
expect_rc 2 "16 a missing value: exit 2"
expect_err "option '--date' needs a value" "17 says so"
cf list --bogus
expect_rc 2 "18 unknown option: exit 2"
expect_err "unknown option '--bogus'" "19 names it"

# global before, command after: two places, the later wins
mkdir other
cf --vault nowhere --json list --vault "$CASEFILE_VAULT"
expect_clean "20 --vault before and after the command: allowed"
expect_out '^\{"orders":\[\]\}$' "21 the later --vault was used"
cf --json --json list
expect_rc 2 "22 a global option twice"
cf list --help
expect_rc 0 "23 --help still works"
expect_out "^usage: casefile list" "24 prints the usage"
cf list -h
expect_rc 0 "25 -h as --help"
echo "1..$tap_n"

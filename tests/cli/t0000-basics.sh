#!/bin/sh
# t0000: --help, --version, command help without a vault, misuse.
. "$(dirname "$0")/../lib.sh"

cf --help
expect_clean "--help exits 0 with empty stderr"
expect_out '^usage: casefile' "--help prints the usage line"
expect_out '5  internal error' "--help lists the exit codes"

cf --version
expect_clean "--version exits 0"
expect_out '^casefile [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

# Every listed command has --help that works without a vault.
"$CASEFILE_BIN" --help | sed -n '/^commands:/,/^$/p' | awk 'NF>1 {print $1}' | grep -v commands: >cmds
check "the command list is not empty" test -s cmds
while read -r c; do
	cf "$c" --help
	expect_clean "'$c --help' exits 0 without a vault"
	expect_out "^usage: casefile $c" "'$c --help' starts with its usage"
done <cmds
check "no vault was created by --help" test ! -e vault

cf help ingest
expect_clean "'help ingest' works"
expect_out '^usage: casefile ingest' "'help ingest' shows ingest's usage"

cf
expect_rc 2 "no command is a usage error"
expect_err 'usage: casefile' "no command prints the usage on stderr"

cf frobnicate
expect_rc 2 "unknown command exits 2"
expect_err "^casefile: 'frobnicate' is not a casefile command" "unknown command is named"
expect_err "try 'casefile --help'" "unknown command hints at --help"

cf --bogus list
expect_rc 2 "unknown global option exits 2"

cf list --bogus
expect_rc 2 "unknown command option exits 2"
expect_err "^usage: casefile list" "misuse prints the command's usage"
expect_err "try 'casefile list --help'" "misuse hints at the command's help"

cf --tz Mars/Olympus list
expect_rc 2 "bad --tz is a usage error"
expect_err "bad time zone 'Mars/Olympus'" "bad --tz is explained"

cf list
expect_rc 2 "a command needing a vault fails clearly without one"
expect_err "is not a casefile vault" "missing vault is explained"

"$CASEFILE_BIN" --help >/dev/full 2>"$err"; rc=$?
expect_rc 5 "a failed write to stdout is an internal error"
expect_err 'cannot write to standard output' "a failed write to stdout is reported"

done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t8100: commands check their arguments before they open the vault, so a
# misuse is reported as such (exit 2, "try 'casefile CMD --help'") even
# where there is no vault; with a vault, the same misuse is the same
# error.  The reason main does not open the vault for the commands
# (issue 13: CMD_NEEDS_VAULT removed, 2026-12-03).
. "$(dirname "$0")/../lib.sh"

n=0
# misuse that each command refuses before it needs the vault
for args in "show" "show 1 2" "list extra" "export --all" "export --all --date 2025-05-02 -o x.zip" \
	    "export 6931000000000001 -o out.pdf" "build" "build bad/id" "build 1 --lang fr" \
	    "reparse --frobnicate" "log extra" "dispute open" "audit --fast --quick" \
	    "seal extra" "tag" "ingest"; do
	cmd=${args%% *}
	n=$((n + 1))
	CASEFILE_VAULT="$SCRATCH/nowhere" cf $args
	expect_rc 2 "$n '$args' without a vault: exit 2"
	expect_err "try 'casefile $cmd[ a-z]* --help'" "$n '$args' without a vault: a usage error"
	check_not "$n '$args': no vault error first" grep -q "not a casefile vault" "$err"
done
cf init
for args in "show 1 2" "export --all" "build 1 --lang fr"; do
	cmd=${args%% *}
	n=$((n + 1))
	cf $args
	expect_rc 2 "$n '$args' with a vault: exit 2"
	expect_err "try 'casefile $cmd --help'" "$n '$args' with a vault: the same usage error"
done
# a well-formed command without a vault: the vault error
CASEFILE_VAULT="$SCRATCH/nowhere" cf list
expect_rc 2 "list without a vault: exit 2"
expect_err "is not a casefile vault" "list without a vault: says so"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# --help of every dispute-area command: stdout, exit 0, no vault needed;
# without a vault each command says so and exits 2.
. "$(dirname "$0")/../lib.sh"
cf --help
for c in dispute due check stats; do
	check "'$c' listed in casefile --help" grep -Eq "^  $c " "$out"
done
for c in "dispute" "dispute open" "dispute update" "dispute close" "dispute list" due check stats; do
	# shellcheck disable=SC2086
	cf $c --help
	expect_clean "$c --help without a vault"
	expect_out "^usage: casefile $c" "$c --help prints its usage"
done
cf due --help
expect_out "exit codes: 0 nothing for the merchant within the window, 4 a merchant" "due documents exit 4"
cf check --help
expect_out "3 a required item is missing" "check documents exit 3"
cf dispute --help
expect_out "3 refused \(nothing changed\)" "dispute documents exit 3"
for c in "dispute list" due "check X" stats; do
	# shellcheck disable=SC2086
	cf $c
	expect_rc 2 "$c without a vault"
	expect_err "is not a casefile vault" "$c says so"
done
cf dispute
expect_rc 2 "dispute without a subcommand"
expect_err "a subcommand is required: open, update, close or list" "says which"
done_testing

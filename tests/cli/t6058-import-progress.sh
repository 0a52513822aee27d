#!/bin/sh
# SPDX-License-Identifier: MIT
# import: the progress line is drawn on a terminal (run under script(1) for
# a pseudo-terminal) and never into a pipe or file, nor with --quiet.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init
mk_bundle b1 2
mk_bundle b2 2 " v2"
mk_bundle b3 2 " v3"

# On a terminal: the bar, then the line cleared before the summary.
script -qec "'$CASEFILE_BIN' import b1/orders-2025-05-02" /dev/null >tty.out 2>&1
check "1 import under a pseudo-terminal succeeds" test "$(sql "SELECT count(*) FROM evidence")" -gt 0
check "2 the progress bar is drawn" grep -aq 'import \[[#.?]*\] [0-9]* files' tty.out
check "3 the line is cleared again (ESC [K)" grep -aq "$(printf '\033\\[K')" tty.out

# Not a terminal: no bar, no escape sequences.
cf import b2/orders-2025-05-02
expect_clean "4 import into files"
check_not "5 no progress bar on stderr" grep -aq 'import \[' "$err"
check_not "6 no escape sequences on stderr" grep -aq "$(printf '\033')" "$err"

# A terminal but --quiet: no bar either.
script -qec "'$CASEFILE_BIN' import --quiet b3/orders-2025-05-02" /dev/null >q.out 2>&1
check_not "7 --quiet draws no bar on a terminal" grep -aq 'import \[' q.out
done_testing

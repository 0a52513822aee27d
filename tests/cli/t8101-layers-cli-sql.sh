#!/bin/sh
# SPDX-License-Identifier: MIT
# t8101: tests/layers.py keeps the SQL out of the commands (issue 13
# section 4): no file of src/cli names sqlite3 (a call, a type, the
# header), so a command parses, calls a service and prints.  A mention in
# a comment is fine.
. "$(dirname "$0")/../lib.sh"

layers_copy
layers_check
expect_rc 0 "1 the tree is clean"
check_not "2 no sqlite3 name in src/cli" grep -rqE '\bsqlite3_[a-z_]+\(|<sqlite3\.h>' "$SRC_DIR/src/cli"

layers_copy
printf 'static int n(void) { return sqlite3_changes(0); }\n' >>t/src/cli/cmd_list.c
layers_check
expect_rc 1 "3 a sqlite3_ call in a command fails"
expect_out 'src/cli/cmd_list.c:[0-9]+: sqlite3_changes outside the db module' "4 the line and the call are named"

layers_copy
printf 'static sqlite3_stmt *st;\n' >>t/src/cli/cmd_show.c
layers_check
expect_rc 1 "5 a sqlite3_stmt in a command fails"

layers_copy
printf '#include <sqlite3.h>\n' >>t/src/cli/main.c
layers_check
expect_rc 1 "6 <sqlite3.h> in main.c fails"
expect_out 'src/cli/main.c:[0-9]+: <sqlite3.h> outside the db module' "7 the include is named"

layers_copy
printf '/* no sqlite3_step here: the service owns it */\n' >>t/src/cli/cmd_export.c
layers_check
expect_rc 0 "8 a comment naming sqlite3_step is fine"

layers_copy
printf 'static void f(void) { struct db_stmt *st; (void)st; }\n' >>t/src/case/evidence.c
layers_check
expect_rc 0 "9 a statement in a service is fine"

done_testing

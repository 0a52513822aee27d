#!/bin/sh
# t8200: tests/layers.py keeps SQLite below the case layer's headers
# (issue 13): struct cf_db is the handle, sqlite3 appears only in
# *_sqlite.h headers, which only store and case .c files include.
. "$(dirname "$0")/../lib.sh"

layers() { python3 "$TESTS_DIR/layers.py" t/src t/include/casefile >"$out" 2>"$err"; rc=$?; }
fresh() { rm -rf t; mkdir t; cp -r "$SRC_DIR/src" "$SRC_DIR/include" t/; }

fresh
layers
expect_rc 0 "1 the tree is clean"

fresh
sed -i 's|^#endif|int item_raw(sqlite3 *db);\n#endif|' t/include/casefile/item.h
layers
expect_rc 1 "2 sqlite3 * in a case header fails"
expect_out 'include/casefile/item.h:[0-9]+: names sqlite3 in a public header' "3 the line is named"

fresh
sed -i 's|^#endif|#include <sqlite3.h>\n#endif|' t/include/casefile/cliopt.h
layers
expect_rc 1 "4 <sqlite3.h> in a cli header fails"

fresh
sed -i 's|^#endif|/* sqlite3 *db is mentioned in a comment only */\n#endif|' t/include/casefile/item.h
layers
expect_rc 0 "5 sqlite3 in a comment is fine"

fresh
printf '#include "casefile/db_sqlite.h"\n' >>t/src/cli/cmd_tag.c
layers
expect_rc 1 "6 a command outside SQL_IN_CLI including db_sqlite.h fails"
expect_out 'cmd_tag.c \(cli\): includes db_sqlite.h' "7 the file is named"

fresh
sed -i 's|^#endif|#include "casefile/db_sqlite.h"\n#endif|' t/include/casefile/seal.h
layers
expect_rc 1 "8 a public header including db_sqlite.h fails"

fresh
printf '#include "casefile/ledger_sqlite.h"\n' >>t/src/input/csv.c
layers
expect_rc 1 "9 an input module including ledger_sqlite.h fails"

fresh
printf '#include "casefile/db_sqlite.h"\n' >>t/src/case/tag.c
layers
expect_rc 0 "10 a case module including db_sqlite.h is fine"

done_testing

#!/bin/sh
# t8200: tests/layers.py keeps SQLite inside the db module (issues 13
# and 18): struct cf_db is the handle, SQL runs through db_stmt.h whatever
# the backend, sqlite3 appears only in the db module's own files, the
# *_stmt.h headers are included only by store and case .c files, and
# db_sqlite.h only by unit tests; and
# environment inputs are read in src/cli only (getenv below cli fails).
. "$(dirname "$0")/../lib.sh"

# mutate 'SHELL CODE': a fresh copy of the tree, changed by the code (run
# inside it), then checked.
mutate() {
	rm -rf t; mkdir t; cp -r "$SRC_DIR/src" "$SRC_DIR/include" t/
	(cd t && eval "$1")
	python3 "$TESTS_DIR/layers.py" t/src t/include/casefile >"$out" 2>"$err"; rc=$?
}
# add_line FILE LINE: LINE before FILE's last #endif (a header) or at its end
add_line() {
	case $1 in
	*.h) sed -i "s|^#endif|$2\n#endif|" "$1" ;;
	*) printf '%s\n' "$2" >>"$1" ;;
	esac
}

mutate :
expect_rc 0 "1 the tree is clean"

mutate 'add_line include/casefile/item.h "int item_raw(sqlite3 *db);"'
expect_rc 1 "2 sqlite3 * in a case header fails"
expect_out 'include/casefile/item.h:[0-9]+: sqlite3 outside the db module' "3 the line is named"

mutate 'add_line include/casefile/cliopt.h "#include <sqlite3.h>"'
expect_rc 1 "4 <sqlite3.h> in a cli header fails"

mutate 'add_line include/casefile/item.h "/* sqlite3 *db in a comment only */"'
expect_rc 0 "5 sqlite3 in a comment is fine"

mutate 'add_line src/cli/cmd_tag.c "#include \"casefile/db_stmt.h\""'
expect_rc 1 "6 a command including db_stmt.h fails"
expect_out 'cmd_tag.c \(cli\): includes db_stmt.h' "7 the file is named"

mutate 'add_line include/casefile/seal.h "#include \"casefile/db_stmt.h\""'
expect_rc 1 "8 a public header including db_stmt.h fails"

mutate 'add_line src/input/csv.c "#include \"casefile/ledger_stmt.h\""'
expect_rc 1 "9 an input module including ledger_stmt.h fails"

mutate 'add_line src/case/tag.c "#include \"casefile/db_stmt.h\""'
expect_rc 0 "10 a case module including db_stmt.h is fine"

mutate 'add_line src/case/tag.c "#include \"casefile/db_sqlite.h\""'
expect_rc 1 "10a a case module including db_sqlite.h (for unit tests) fails"
expect_out 'src/case/tag.c: includes db_sqlite.h' "10b the file is named"

mutate 'add_line src/case/seal.c "static int n(void) { return sqlite3_changes(0); }"'
expect_rc 1 "10c a sqlite3_ call in a case module fails (one API for both backends)"

mutate 'add_line src/pdf/pdf_font.c "static const char *f(void) { return getenv(\"CASEFILE_FONTS\"); }"'
expect_rc 1 "11 getenv below cli fails"
expect_out 'src/pdf/pdf_font.c:[0-9]+: reads the environment below cli' "12 the line is named"

mutate 'add_line src/core/who.c "/* getenv(\"X\") in a comment */"
	add_line src/cli/ctx.c "static const char *g(void) { return getenv(\"X\"); }"'
expect_rc 0 "13 getenv in src/cli or in a comment is fine"

mutate 'add_line src/case/ingest.c "extern char **environ;"'
expect_rc 1 "14 environ below cli fails"

done_testing

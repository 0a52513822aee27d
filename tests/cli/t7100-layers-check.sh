#!/bin/sh
# t7100: tests/layers.py keeps src/ layered (issue 13): the real tree is
# clean; an upward include, a cycle and libharu internals outside
# pdf_haru.c are each reported and fail the check.  And check_not (lib.sh)
# fails when its command cannot answer (missing file, missing tool).
. "$(dirname "$0")/../lib.sh"


python3 "$TESTS_DIR/layers.py" "$SRC_DIR/src" "$SRC_DIR/include/casefile" >"$out" 2>"$err"; rc=$?
expect_rc 0 "1 the tree has no layer problem"
expect_out ', 0 problems$' "2 it says 0 problems"

layers_copy
sed -i 's|#include "casefile/buf.h"|#include "casefile/buf.h"\n#include "casefile/vault.h"|' t/src/core/buf.c
layers_check
expect_rc 1 "3 core including a store header fails"
expect_out 'src/core/buf.c \(core\) includes vault.h \(store\): upward' "4 the upward edge is named"

layers_copy
printf '#include "casefile/kind.h"\n' >>t/src/input/csv.c
printf '#include "casefile/csv.h"\n' >>t/src/input/kind.c
layers_check
expect_rc 1 "5 a cycle inside a layer fails"
expect_out '^cycle: ' "6 the cycle is named"

layers_copy
printf 'static int f(HPDF_Dict d) { return HPDF_Dict_AddName(d, "a", "b"); }\n' >>t/src/pdf/pdf_image.c
layers_check
expect_rc 1 "7 libharu internals outside pdf_haru.c fail"
expect_out 'pdf_image.c:[0-9]+: libharu internals outside pdf_haru.c' "8 the line is named"

layers_copy
printf '#include "casefile/nosuch.h"\n' >>t/src/core/buf.c
layers_check
expect_rc 1 "9 an unknown header fails"

# check_not: a subshell so its TAP line does not count here
echo text >f.txt
o=$(check_not x grep -q nothing-like-this f.txt); check "10 check_not passes on a real no" test "${o#ok }" != "$o"
o=$(check_not x grep -q text no-such-file.txt); check "11 check_not fails on a missing file" test "${o#not ok }" != "$o"
o=$(check_not x no-such-tool-casefile --flag); check "12 check_not fails on a missing tool" test "${o#not ok }" != "$o"
o=$(check_not x grep -q text f.txt); check "13 check_not fails when the command says yes" test "${o#not ok }" != "$o"

done_testing

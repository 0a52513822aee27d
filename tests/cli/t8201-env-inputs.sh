#!/bin/sh
# t8201: environment inputs are read once by main into the context and
# passed down (issue 13): $CASEFILE_TEMPLATES reaches the profile lookup
# deep in `due`, and $CASEFILE_FONTS the PDF writer of `stats --report`,
# with the same precedence and messages as when the modules read them.
. "$(dirname "$0")/../lib.sh"
cf init
cf dispute open A1 --reason quality
expect_rc 0 "1 a dispute to look at"

CASEFILE_TEMPLATES=nodir cf due
expect_err "templates folder 'nodir' \(from CASEFILE_TEMPLATES\) not found" \
	"2 a missing \$CASEFILE_TEMPLATES folder is named as before"

CASEFILE_TEMPLATES= cf check A1
check_not "3 an empty \$CASEFILE_TEMPLATES is unset (default search)" grep -q "from CASEFILE_TEMPLATES" "$err"

mkdir myfonts
echo junk >myfonts/wqy-microhei.ttc
CASEFILE_FONTS=myfonts cf stats --report r.pdf
expect_rc 3 "4 \$CASEFILE_FONTS is searched first: its bad font fails"
expect_err "font 'myfonts/wqy-microhei.ttc': too short" "5 and is named"
check_not "6 nothing written" test -e r.pdf

CASEFILE_FONTS=/nonexistent cf stats --report r.pdf
expect_rc 0 "7 a folder without the font falls back"
check "8 the report is written" test -s r.pdf

done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# build refuses, before writing anything, a dossier that could pass the
# vault setting dossier.max_bytes (unset: 2 GiB - 1, past which libharu
# 2.3.0 writes wrong cross-reference offsets: issue 19), naming both sizes.
. "$(dirname "$0")/../lib.sh"

O=6931000000000401
"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null && "$CASEFILE_BIN" keygen --cn T >/dev/null ||
	{ echo "Bail out! cannot make a vault"; exit 1; }
head -c 3000000 /dev/urandom >big.bin
"$CASEFILE_BIN" ingest --quiet --kind other $O big.bin >/dev/null 2>&1 ||
	{ echo "Bail out! ingest failed"; exit 1; }

cf config dossier.max_bytes 20M
expect_clean "1 dossier.max_bytes takes a size"
cf config dossier.max_bytes lots
expect_rc 2 "2 a bad size is refused"
cf build $O -o d.pdf
expect_rc 3 "3 a dossier that could pass 20M is refused (bad input)"
expect_err "^casefile: cannot write 'd.pdf': the PDF could reach [0-9]+ bytes, more than its limit of 20971520 bytes; attach less\$" \
	"4 says what it could reach and the limit"
check "5 nothing written" test -z "$(ls -A | grep '^d\.pdf')"
cf config dossier.max_bytes 200M
cf build $O -o d.pdf
expect_rc 0 "6 under a limit it fits"
check "7 the dossier is complete" qpdf --check d.pdf
cf config --unset dossier.max_bytes
cf build $O --no-sign -o e.pdf
expect_rc 0 "8 unset: the libharu limit only"
done_testing

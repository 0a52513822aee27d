#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: the same order built twice gives the same layout and
# text; the exhibit numbering and dossier id do not depend on ingest order.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000002
make_order $O
cf build $O -o a.pdf --now 2025-05-04T02:00:00Z
expect_unsealed "first build"
cf build $O -o b.pdf --now 2025-05-04T02:00:00Z
expect_unsealed "second build"
check "same page count" test "$(pdfinfo a.pdf | grep Pages)" = "$(pdfinfo b.pdf | grep Pages)"
pdftotext -layout a.pdf a.txt; pdftotext -layout b.pdf b.txt
check "same text, line for line" cmp a.txt b.txt
mkdir xa xb; (cd xa && pdfdetach -saveall ../a.pdf); (cd xb && pdfdetach -saveall ../b.pdf)
check "same manifest" cmp xa/manifest.json xb/manifest.json

# a later build only changes the generation time
cf build $O -o c.pdf --now 2025-05-05T03:00:00Z
expect_unsealed "third build, a day later"
pdftotext -layout c.pdf c.txt
check "only the generation time differs" sh -c "diff a.txt c.txt | grep '^[<>]' | grep -v -e '2025-05-04 10:00:00' -e '2025-05-05 11:00:00' | wc -l | grep -qx 0"
check "dossier id is stable" test "$(jq -r .dossier_id xa/manifest.json)" = "$(cd xb && jq -r .dossier_id manifest.json)"

# the same files ingested in another order into a second order: same numbering
O2=6931000000000003
mkdir in-$O2 && cp in-$O/* in-$O2/
cf ingest --kind video $O2 in-$O2/pack.mp4; cf ingest --kind photo $O2 in-$O2/IMG_0001.jpg
cf ingest --kind logistics $O2 in-$O2/logistics.json; cf ingest --kind order $O2 in-$O2/order.json
cf ingest --kind chat $O2 in-$O2/chat.json
sql "select name from evidence where order_id='$O2'" >/dev/null
cf build $O2 -o d.pdf --json --now 2025-05-04T02:00:00Z
expect_rc 0 "build of the re-ordered ingest"
mkdir xd; (cd xd && pdfdetach -saveall ../d.pdf)
check "exhibit numbering depends on the rows, not the ingest order" sh -c \
	"test \"\$(jq -c '[.exhibits[] | [.no, .name]]' xa/manifest.json)\" = \"\$(jq -c '[.exhibits[] | [.no, .name]]' xd/manifest.json)\""
check "--json reports the dossier" jq -e '.exhibits == 5 and .attached == 5 and .pages > 3' "$out"
done_testing

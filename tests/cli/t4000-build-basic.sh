#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: the dossier checked with standard tools (qpdf, pdffonts,
# pdftotext, pdfinfo, pdfdetach + sha256sum, pdftoppm).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
make_order $O
check "fixture order ingested" test "$(sql "select count(*) from evidence where order_id='$O'")" = 5

cf build $O -o d.pdf --now 2025-05-04T02:00:00Z
expect_unsealed "build succeeds quietly"
expect_out '^d\.pdf$' "prints the output path"
check "qpdf --check is clean" qpdf --check d.pdf
check "no temp file left" sh -c '! ls d.pdf.tmp-* 2>/dev/null'

pdffonts d.pdf >fonts.txt 2>fonts.err
check "font embedded, subset, with ToUnicode" grep -Eq 'WenQuanYiMicroHei +CID TrueType +Identity-H +yes +yes +yes' fonts.txt

pdftotext d.pdf d.txt 2>txt.err
check "pdftotext prints no warnings" test ! -s txt.err
check "chat text reproduced, phone masked" grep -q '收到的杯子有裂痕，我的电话138\*\*\*\*5678' d.txt
check "merchant reply reproduced" grep -q '您好，麻烦拍一下外包装和裂痕的位置' d.txt
check "street address cut after the district" grep -q '地址是杭州市西湖区\*\*\*\*, order looks' d.txt
check_not "no unmasked phone anywhere" grep -q 13812345678 d.txt
check_not "no unmasked street number" grep -q '文三路123号' d.txt
check "mixed-script message extracted, emoji as a visible substitute" grep -q 'order looks broken 語 □' d.txt
check "statement cites exhibits" grep -q '证据2' d.txt
check "statement quotes the buyer with time" grep -q '5月3日 10:12' d.txt
check "cover says no dispute recorded" grep -q '未记录争议' d.txt
check "video shown as a card with its duration" grep -q '时长: 12.345 s' d.txt

pdfinfo d.pdf >info.txt
pages=$(sed -n 's/^Pages: *//p' info.txt)
check "title in document info" grep -q "^Title: *仲裁举证材料 · $O" info.txt
check "author is the shop" grep -q '^Author: *青瓷小铺' info.txt
check "footer total = page count ($pages)" grep -Eq "共 ?$pages ?页" d.txt
check "Bates number on the last page" grep -q "CF-$O-$(printf %04d "$pages")" d.txt

pdfdetach -list d.pdf >list.txt 2>list.err
check "pdfdetach -list: 5 originals + manifest + proofs" grep -q '^7 embedded files' list.txt
check "manifest.json and proofs.json listed" sh -c "grep -q ': manifest.json$' list.txt && grep -q ': proofs.json$' list.txt"
check "attachments named by exhibit and original name" grep -Eq 'E00[1-5]-IMG_0001.jpg' list.txt
mkdir x && (cd x && pdfdetach -saveall ../d.pdf)
check "manifest.json has the agreed shape" jq -e '.format == "casefile-manifest/1" and .order_id == "'$O'" and (.exhibits | length) == 5 and .generated_at == "2025-05-04T02:00:00Z" and (.exhibits[0] | has("no") and has("kind") and has("name") and has("attachment") and has("sha256") and has("size") and has("ingested_at") and has("evidence_id"))' x/manifest.json
(cd x && manifest_sums manifest.json >SUMS)
check "sha256sum -c against the manifest passes" sh -c 'cd x && test "$(wc -l <SUMS)" = 5 && sha256sum -c SUMS'
check "attached photo is the original" sh -c "cmp x/E00*-IMG_0001.jpg in-$O/IMG_0001.jpg"
check "attached chat log is the original" sh -c "cmp x/E00*-chat.json in-$O/chat.json"

qpdf --json d.pdf >d.json
n=$(jq '[.. | objects | select(has("title")) | .title | select(test("^证据[0-9]+ · "))] | unique | length' d.json)
check "an outline entry per exhibit ($n)" test "$n" = 5
check "outline has every section" sh -c "jq -r '.. | objects | select(has(\"title\")) | .title' d.json | grep -c -E '^(封面|陈述|时间线|证据目录|证据|完整性附录)\$' | grep -qx 12"

# the photo is on the page after the logistics exhibit: find it by its caption
pg=$(for i in $(seq 1 "$pages"); do pdftotext -f $i -l $i d.pdf - 2>/dev/null | grep -q 'SHA-256' && pdftotext -f $i -l $i d.pdf - | grep -Eq '证据[1-5] · IMG_0001.jpg' && echo $i; done | head -1)
pdftoppm -r 20 -f "$pg" -l "$pg" -singlefile d.pdf photo
red=$(convert photo.ppm -fx '(r>0.7 && g<0.25 && b<0.25) ? 1 : 0' -format '%[fx:mean*w*h]' info:)
check "rendered page $pg shows the red photo ($red px)" test "${red%.*}" -gt 2000
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# A dossier past 2 GiB is written whole (issue 19): libharu 2.3.0 writes its
# offsets past 2 GiB wrong, pdf_save() corrects them while writing
# (bigxref.h).  Generated videos of BIG_MB MiB in all, at most 1900 MiB
# each (one attached file stays under 2 GiB), an MP4 skeleton whose mdat is
# zeros (a sparse file until ingest stores it), are attached;
# the signed dossier must pass qpdf --check, pdfsig and casefile verify,
# and a byte flipped past 2 GiB must fail verify.  Slow (writes about
# 3 x BIG_MB of data): run by `make torture`, not `make test`.
#   BIG_MB=2300 (default; 4600 goes past 4 GiB)
. "$(dirname "$0")/../lib.sh"

O=6931000000007600
BIG_MB=${BIG_MB:-2300}
nvid=$(( (BIG_MB + 1899) / 1900 ))
[ "$nvid" -ge 2 ] || nvid=2
part=$((BIG_MB / nvid))
be32() { LC_ALL=C awk -v n="$1" 'BEGIN { printf "%c%c%c%c", int(n / 16777216) % 256, int(n / 65536) % 256, int(n / 256) % 256, n % 256 }'; }
mkvideo() { # mkvideo FILE MB SEED: ftyp, moov/mvhd (95 s), mdat of MB MiB
	{
		be32 24; printf 'ftypisom'; be32 512; printf 'isommp41'
		be32 108; printf 'moov'; be32 100; printf 'mvhd'
		be32 0; be32 0; be32 0; be32 1000; be32 95000
		head -c 80 /dev/zero
		be32 $(( $2 * 1048576 + 8 )); printf 'mdat'
		printf 'video %s' "$3"	# a different object each
	} >"$1"
	truncate -s $(( $2 * 1048576 + 24 + 108 + 8 )) "$1"
}

"$CASEFILE_BIN" init >/dev/null && "$CASEFILE_BIN" keygen --cn "Big Shop" >/dev/null ||
	{ echo "Bail out! cannot make a vault"; exit 1; }
i=1
while [ $i -le $nvid ]; do mkvideo v$i.mp4 "$part" $i; i=$((i + 1)); done
cf ingest --quiet $O v*.mp4
expect_clean "1 $nvid videos of $part MiB are stored"
rm -f v*.mp4
cf build $O -o d.pdf
expect_clean "2 build of a dossier past 2 GiB succeeds"
size=$(stat -c %s d.pdf)
check "3 the dossier is past 2 GiB ($size bytes)" test "$size" -gt 2147483647
check "4 startxref is the true offset" sh -c \
	"tail -c 2048 d.pdf | grep -a -A1 '^startxref' | tail -1 | grep -Eq '^[0-9]{10,}\$'"
check "5 qpdf --check finds no damage" sh -c 'qpdf --check d.pdf >qpdf.txt 2>&1'
check "6 pdfsig: the signature is valid" sh -c \
	"pdfsig d.pdf >sig.txt 2>&1; grep -q 'Signature Validation: Signature is Valid' sig.txt"
check "7 pdfsig: it covers the whole file" grep -q 'Total document signed' sig.txt
check "8 all $nvid videos are attached whole" sh -c \
	"pdfdetach -list d.pdf | grep -c '\\.mp4' | grep -qx $nvid"
cf verify d.pdf
expect_rc 0 "9 casefile verify accepts it"
cf build $O --no-sign -o u.pdf
expect_clean "10 an unsigned build past 2 GiB succeeds"
check "11 and qpdf --check finds no damage" sh -c 'qpdf --check u.pdf >/dev/null 2>&1'
rm -f u.pdf
# a byte flipped past 2 GiB, inside the last video
printf 'X' | dd of=d.pdf bs=1 seek=$((size - 100000000)) conv=notrunc status=none
cf verify d.pdf
check "12 a byte flipped past 2 GiB fails verify" test "$rc" != 0
done_testing

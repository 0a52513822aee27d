#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: originals and photos (JPEG and PNG, padded to an exact
# size) of sizes around the 4096-byte read size and 1 MiB.  Each build ends
# (under a timeout), the attached originals come back byte-identical
# (pdfdetach + cmp), the PDF passes qpdf --check and stays about the size of
# its inputs.
# Regression 2026-12 (issue 11 item 1): a file whose size was a multiple of
# 4096 made build copy it again and again until the disk was full.
. "$(dirname "$0")/../lib.sh"

"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null && "$CASEFILE_BIN" keygen --cn T >/dev/null ||
	{ echo "Bail out! cannot make a vault"; exit 1; }
convert -size 16x16 xc:'#2060c0' -quality 90 base.jpg &&
convert -size 16x16 xc:'#2060c0' base.png ||
	{ echo "Bail out! convert failed"; exit 1; }

# pad SRC DST SIZE: SRC followed by random bytes, SIZE bytes in all (a JPEG
# or PNG decoder stops at its end marker; the trailing bytes are data).
pad() {
	cp "$1" "$2" && head -c $(($3 - $(stat -c %s "$1"))) /dev/urandom >>"$2"
}

n=0
for size in 0 1 4095 4096 4097 8192 65536 1048575 1048576 1048577; do
	n=$((n + 1))
	o=69310000000001$(printf %02d $n)
	mkdir in-$o
	head -c $size /dev/urandom >in-$o/orig.bin
	files="in-$o/orig.bin"
	if [ $size -ge 4095 ]; then
		pad base.jpg in-$o/photo.jpg $size && pad base.png in-$o/photo.png $size
		files="$files in-$o/photo.jpg in-$o/photo.png"
	fi
	sizes_ok=1
	for f in $files; do [ "$(stat -c %s $f)" = $size ] || sizes_ok=0; done
	check "size $size: inputs have exactly $size bytes" test $sizes_ok = 1
	"$CASEFILE_BIN" ingest --quiet --kind other $o in-$o/orig.bin >/dev/null 2>&1
	if [ $size -ge 4095 ]; then
		"$CASEFILE_BIN" ingest --quiet --kind photo $o in-$o/photo.jpg in-$o/photo.png \
			>/dev/null 2>&1
	fi
	timeout 60 "$CASEFILE_BIN" build $o -o d-$o.pdf >"$out" 2>"$err"; rc=$?
	expect_rc 0 "size $size: build ends and succeeds"
	check "size $size: qpdf --check is clean" qpdf --check d-$o.pdf
	mkdir att-$o
	pdfdetach -saveall -o att-$o d-$o.pdf >/dev/null 2>&1
	for f in $files; do
		b=$(basename $f)
		got=$(ls att-$o | grep -- "-$b\$" | head -1)
		check "size $size: attached $b is byte-identical" cmp "in-$o/$b" "att-$o/$got"
	done
	if [ $size -ge 4095 ]; then
		check "size $size: both photos are rendered" \
			sh -c "test \$(pdfimages -list d-$o.pdf | tail -n +3 | wc -l) -ge 2"
	fi
	# the originals are stored (random data), twice for a JPEG (image and
	# attachment); everything else is well under 2 MB
	check "size $size: the PDF is not larger than its inputs allow" \
		test "$(stat -c %s d-$o.pdf)" -lt $((5 * size + 2000000))
done

# The rendered JPEG alone (not attached) takes the same stream path.
o=6931000000000104
timeout 60 "$CASEFILE_BIN" build $o --no-attach-media -o media.pdf >"$out" 2>"$err"; rc=$?
expect_rc 0 "4096-byte photos, not attached: build ends and succeeds"
check "4096-byte photos, not attached: qpdf --check is clean" qpdf --check media.pdf
done_testing

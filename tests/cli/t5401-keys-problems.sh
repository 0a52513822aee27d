#!/bin/sh
# SPDX-License-Identifier: MIT
# t5401 — one rule for every key problem (issue 11, item 7, 2026-12): exit 3
# (bad input) with a message that says what is wrong and how to fix it, the
# same from every command that loads the vault key (build, sign, seal,
# keygen).  Before: mode 0644 gave 3 from build but 2 from seal; a linked
# key gave 5 "Too many levels of symbolic links"; a directory was
# "accessible by group or others"; an empty or garbage key got the hint
# "encrypted?"; CASEFILE_PASSPHRASE= stored the key unencrypted; a wrong
# PKCS#12 passphrase gave 5; keygen --import took a world-readable key or
# passphrase file without a word.  Keys are made here, never committed.
. "$(dirname "$0")/../lib.sh"

O=6931000000000001
cf init
cf keygen --cn "Key Test"
expect_clean "setup: keygen"
printf 'evidence\n' >e.txt
cf ingest --kind other $O e.txt
cf build $O --no-sign -o unsigned.pdf
expect_unsealed "setup: an unsigned dossier to sign"
K="$CASEFILE_VAULT/keys/signing.key"
cp -p "$K" good.key
openssl pkcs8 -topk8 -in good.key -v2 aes-256-cbc -passout pass:secret -out enc.key
chmod 600 enc.key
printf 'secret\n' >pass.txt; chmod 600 pass.txt
printf 'wrong\n' >wrong.txt; chmod 600 wrong.txt
printf 'secret\n' >open.txt; chmod 644 open.txt

restore() { rm -rf "$K"; cp -p good.key "$K"; unset CASEFILE_PASSPHRASE; PF=""; }

# setup CASE: break the vault key (or the passphrase) as the case says
setup() {
	restore
	case $1 in
	mode644) chmod 644 "$K" ;;
	symlink) mv "$K" "$SCRATCH/elsewhere.key"; ln -s "$SCRATCH/elsewhere.key" "$K" ;;
	directory) rm "$K"; mkdir "$K" ;;
	fifo) rm "$K"; mkfifo -m 600 "$K" ;;
	empty) : >"$K" ;;
	garbage) printf 'this is not a key\n' >"$K" ;;
	damaged) printf -- '-----BEGIN PRIVATE KEY-----\nAAAA!!!!\n-----END PRIVATE KEY-----\n' >"$K" ;;
	encrypted) cp enc.key "$K" ;;
	wrongpass) cp enc.key "$K"; export CASEFILE_PASSPHRASE=wrong ;;
	wrongfile) cp enc.key "$K"; PF="--passphrase-file wrong.txt" ;;
	emptyenv) export CASEFILE_PASSPHRASE= ;;
	openpass) cp enc.key "$K"; PF="--passphrase-file open.txt" ;;
	missing) rm "$K" ;;
	esac
}

# CASE|EXIT|stderr regex (VK is the key's path)
cat >cases.txt <<'EOF'
mode644|3|refusing key file 'VK': it is accessible by group or others \(mode 0644\); chmod 600 'VK'$
symlink|3|refusing key file 'VK': it is a symbolic link \(to '.*/elsewhere.key'\); put the file itself there
directory|3|refusing key file 'VK': it is a directory, not a regular file; put the file itself there$
fifo|3|refusing key file 'VK': it is a FIFO, not a regular file
empty|3|key file 'VK' is empty; restore it from a backup$
garbage|3|key file 'VK' is not a PEM private key; restore it from a backup$
damaged|3|key file 'VK' is damaged: its PEM private key cannot be decoded; restore it from a backup$
encrypted|3|key file 'VK' is encrypted: give its passphrase in CASEFILE_PASSPHRASE or with --passphrase-file$
wrongpass|3|wrong passphrase for key file 'VK'$
wrongfile|3|wrong passphrase for key file 'VK'$
emptyenv|3|CASEFILE_PASSPHRASE is set but empty: an empty passphrase is refused; to use a key without a passphrase, unset the variable
openpass|3|refusing passphrase file 'open.txt': it is accessible by group or others \(mode 0644\); chmod 600 'open.txt'$
missing|2|the vault has no signing key
EOF

while IFS='|' read -r case want re; do
	re=$(printf '%s' "$re" | sed "s|VK|$(printf '%s' "$K" | sed 's/[.[\*^$]/\\&/g')|g")
	for cmd in build sign seal; do
		setup "$case"
		case $cmd in
		build) set -- build $O -o b.pdf ;;
		sign) set -- sign unsigned.pdf -o s.pdf ;;
		seal) set -- seal ;;
		esac
		# shellcheck disable=SC2086
		timeout 20 "$CASEFILE_BIN" "$@" $PF >"$out" 2>"$err"; rc=$?
		expect_rc "$want" "$case: $cmd exits $want"
		expect_err "^casefile: .*$re" "$case: $cmd says what is wrong and how to fix it"
	done
	check_not "$case: no signed output" test -e b.pdf -o -e s.pdf
done <cases.txt
restore

# The good key, and the encrypted one with its passphrase, still work.
cf sign unsigned.pdf -o s.pdf
expect_clean "the restored key signs"
rm -f s.pdf
cp enc.key "$K"
cf sign unsigned.pdf -o s.pdf --passphrase-file pass.txt
expect_clean "the encrypted key signs with its passphrase file"
CASEFILE_PASSPHRASE=secret "$CASEFILE_BIN" seal >"$out" 2>"$err"; rc=$?
expect_rc 0 "the encrypted key seals with CASEFILE_PASSPHRASE"
restore

# --- keygen -------------------------------------------------------------
make_test_pki pki || echo "not ok - pki"
cp pki/signer.key open.key; chmod 644 open.key
cp pki/signer.key ok.key; chmod 600 ok.key
openssl pkcs8 -topk8 -in ok.key -v2 aes-256-cbc -passout pass:secret -out encok.key
chmod 600 encok.key
printf 'p12pass\n' >p12pass.txt; chmod 600 p12pass.txt
printf 'p12pass\n' >p12open.txt; chmod 644 p12open.txt
printf 'garbage\n' >garbage.key; chmod 600 garbage.key
: >empty.key; chmod 600 empty.key
mkdir dir.key

# ARGS|EXIT|stderr regex; each in a fresh vault, which must stay keyless
cat >kcases.txt <<'EOF'
--import open.key --cert pki/signer.pem|3|refusing key file 'open.key': it is accessible by group or others \(mode 0644\); chmod 600 'open.key'$
--import pki/signer.p12 --import-passphrase-file p12open.txt|3|refusing passphrase file 'p12open.txt': it is accessible by group or others \(mode 0644\); chmod 600 'p12open.txt'$
--import pki/signer.p12 --import-passphrase-file wrong.txt|3|wrong passphrase for PKCS#12 file 'pki/signer.p12'$
--import pki/signer.p12|3|PKCS#12 file 'pki/signer.p12' needs its passphrase: give it with --import-passphrase-file$
--import garbage.key --cert pki/signer.pem|3|'garbage.key' is neither a PKCS#12 file nor a PEM private key$
--import empty.key --cert pki/signer.pem|3|key file 'empty.key' is empty; export the key again$
--import dir.key --cert pki/signer.pem|3|refusing key file 'dir.key': it is a directory, not a regular file
--import nowhere.key --cert pki/signer.pem|3|cannot open key file 'nowhere.key': No such file or directory$
--import encok.key --cert pki/signer.pem|3|key file 'encok.key' is encrypted: give its passphrase with --import-passphrase-file$
--import encok.key --cert pki/signer.pem --import-passphrase-file wrong.txt|3|wrong passphrase for key file 'encok.key'$
--import ok.key --cert nowhere.pem|3|cannot open certificate file 'nowhere.pem': No such file or directory$
--passphrase-file open.txt|3|refusing passphrase file 'open.txt': it is accessible by group or others
EOF
i=0
while IFS='|' read -r args want re; do
	i=$((i + 1))
	export CASEFILE_VAULT="$SCRATCH/kv$i"
	cf init
	# shellcheck disable=SC2086
	cf keygen $args
	expect_rc "$want" "keygen $args: exit $want"
	expect_err "^casefile: $re" "keygen $args: says what is wrong and how to fix it"
	check_not "keygen $args: no key stored" test -e "$CASEFILE_VAULT/keys/signing.key"
done <kcases.txt

export CASEFILE_VAULT="$SCRATCH/kv-empty-env"
cf init
CASEFILE_PASSPHRASE= "$CASEFILE_BIN" keygen >"$out" 2>"$err"; rc=$?
expect_rc 3 "keygen with CASEFILE_PASSPHRASE set but empty: exit 3"
expect_err "^casefile: CASEFILE_PASSPHRASE is set but empty: an empty passphrase is refused; to use a key without a passphrase, unset the variable \(unset CASEFILE_PASSPHRASE\)$" \
	"says how to store the key unencrypted"
check_not "nothing stored unencrypted" test -e "$CASEFILE_VAULT/keys/signing.key"
(unset CASEFILE_PASSPHRASE; "$CASEFILE_BIN" keygen >"$out" 2>"$err"); rc=$?
expect_rc 0 "with the variable unset, keygen stores the key unencrypted"
check "unencrypted PKCS#8" grep -q "BEGIN PRIVATE KEY" "$CASEFILE_VAULT/keys/signing.key"

# the fixed inputs import
export CASEFILE_VAULT="$SCRATCH/kv-ok"
cf init
cf keygen --import encok.key --cert pki/signer.pem --import-passphrase-file pass.txt
expect_clean "an encrypted PEM key imports with its passphrase file (0600)"
export CASEFILE_VAULT="$SCRATCH/kv-p12"
cf init
cf keygen --import pki/signer.p12 --import-passphrase-file p12pass.txt
expect_clean "a PKCS#12 file imports with its passphrase"
done_testing

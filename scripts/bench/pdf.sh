#!/usr/bin/env bash
# pdf.sh — issue 14's figures: a 10 MB PDF signed inside (RSA and GOST) and verified, whole process,
# beside poppler's `pdfsig -add-signature` and `pdfsig` on the same file (RSA: pdfsig knows no GOST).
# Memory over a 100 MB PDF is measured by signer/pdf's TestLarge (heap peak, logged).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -tags nogui -o "$tmp/qoltanba" ./cmd/qoltanba
q="$tmp/qoltanba"
"$q" testpki init "$tmp/pki" >/dev/null
umask 077
printf 'Qwerty12\n' >"$tmp/pw"

# A 10 MB PDF: the test document with 10 MB of random bytes attached.
head -c $((10 << 20)) /dev/urandom >"$tmp/blob.bin"
qpdf signer/pdf/testdata/table.pdf --add-attachment "$tmp/blob.bin" -- "$tmp/10mb.pdf"
echo "(document: $(($(stat -c %s "$tmp/10mb.pdf") >> 20)) MB)"

# pdfsig signs from an NSS database holding the same RSA key.
nss="$tmp/nss"
mkdir -p "$nss"
certutil -N -d "sql:$nss" --empty-password
pk12util -i "$tmp/pki/rsa/legal_head.p12" -d "sql:$nss" -W Qwerty12 >/dev/null
certutil -A -d "sql:$nss" -n root -t "CT,C,C" -i "$tmp/pki/ca/root_rsa_test.cer" 2>/dev/null || true
nick=$(pdfsig -nssdir "sql:$nss" -list-nicks "$tmp/10mb.pdf" 2>/dev/null | tail -1 | tr -d ' ')

echo "## Whole process: sign a 10 MB PDF inside"
hyperfine -N --warmup 2 --runs 20 --style basic --export-markdown "$tmp/sign.md" \
	-n "qoltanba sign (RSA-2048, PAdES)" "$q sign --key $tmp/pki/rsa/legal_head.p12 --password-file $tmp/pw --force $tmp/10mb.pdf -o $tmp/q.pdf" \
	-n "qoltanba sign (GOST-512, PAdES)" "$q sign --key $tmp/pki/gost/legal_head.p12 --password-file $tmp/pw --force $tmp/10mb.pdf -o $tmp/g.pdf" \
	-n "pdfsig -add-signature (RSA-2048)" "pdfsig -nssdir sql:$nss -add-signature -nick $nick $tmp/10mb.pdf $tmp/p.pdf" \
	>/dev/null 2>&1
cat "$tmp/sign.md"

echo
echo "## Whole process: verify the signed 10 MB PDF (no revocation fetch: --offline / -no-ocsp)"
hyperfine -N -i --warmup 2 --runs 20 --style basic --export-markdown "$tmp/verify.md" \
	-n "qoltanba verify (RSA)" "$q verify --offline $tmp/q.pdf" \
	-n "qoltanba verify (GOST)" "$q verify --offline $tmp/g.pdf" \
	-n "pdfsig (RSA)" "pdfsig -nssdir sql:$nss -no-ocsp $tmp/p.pdf" \
	>/dev/null 2>&1
cat "$tmp/verify.md"

#!/usr/bin/env bash
# formats.sh — issue 3's figures, each beside the reference tool on the same machine:
#   whole-process `qoltanba sign` vs `openssl cms -sign` (RSA, 1 MB, detached) and vs `xmlsec1 --sign` (RSA, 100 KB XML);
#   detached CMS over a large file vs sha256sum (throughput and peak RSS; BIG_MB, default 2048);
#   GOST-512 XML and CMS signatures per second (go test -bench).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/qoltanba" ./cmd/qoltanba
go build -tags nogui -o "$tmp/qoltanba-cli" ./cmd/qoltanba
q="$tmp/qoltanba"
qc="$tmp/qoltanba-cli" # the same CLI without the window: no Fyne start-up cost

"$q" testpki init "$tmp/pki" >/dev/null
umask 077
printf 'Qwerty12\n' >"$tmp/pw"
p12="$tmp/pki/rsa/legal_head.p12"
openssl pkcs12 -legacy -in "$p12" -passin "file:$tmp/pw" -nodes -nocerts -out "$tmp/key.pem" 2>/dev/null
openssl pkcs12 -legacy -in "$p12" -passin "file:$tmp/pw" -nokeys -clcerts -out "$tmp/cert.pem" 2>/dev/null
head -c $((1 << 20)) /dev/urandom >"$tmp/1mb.bin"

echo "## Whole process: sign 1 MB detached CMS with RSA-2048"
echo "(qoltanba also decrypts the .p12 key file: 3DES, PKCS#12 KDF; openssl reads a plain PEM key)"
hyperfine -N --warmup 3 --runs 30 --style basic --export-markdown "$tmp/cms.md" \
	-n "qoltanba sign --format cms --detached" "$q sign --key $p12 --password-file $tmp/pw --format cms --detached --force $tmp/1mb.bin -o $tmp/q.cms" \
	-n "qoltanba (-tags nogui) sign --format cms --detached" "$qc sign --key $p12 --password-file $tmp/pw --format cms --detached --force $tmp/1mb.bin -o $tmp/qc.cms" \
	-n "openssl cms -sign (detached)" "openssl cms -sign -binary -in $tmp/1mb.bin -signer $tmp/cert.pem -inkey $tmp/key.pem -outform DER -out $tmp/o.cms" \
	>/dev/null 2>&1
cat "$tmp/cms.md"

echo
echo "## Whole process: sign a 100 KB XML document with RSA-2048 (whole document, enveloped)"
{
	printf '<agreement xmlns="urn:qoltanba:agreement">'
	for i in $(seq 1 660); do printf '<clause n="%d">Тараптар келісімнің шарттарын растайды. Стороны подтверждают условия.</clause>' "$i"; done
	printf '</agreement>'
} >"$tmp/doc.xml"
# xmlsec1 signs a template: the same document with an empty ds:Signature in NCALayer's shape.
sed 's|</agreement>$|<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></agreement>|' "$tmp/doc.xml" >"$tmp/template.xml"
echo "(document: $(($(stat -c %s "$tmp/doc.xml") / 1024)) KB)"
hyperfine -N --warmup 3 --runs 30 --style basic --export-markdown "$tmp/xml.md" \
	-n "qoltanba sign --format xml" "$q sign --key $p12 --password-file $tmp/pw --force $tmp/doc.xml -o $tmp/q.xml" \
	-n "qoltanba (-tags nogui) sign --format xml" "$qc sign --key $p12 --password-file $tmp/pw --force $tmp/doc.xml -o $tmp/qc.xml" \
	-n "xmlsec1 --sign (template)" "xmlsec1 --sign --privkey-pem $tmp/key.pem,$tmp/cert.pem --output $tmp/x.xml $tmp/template.xml" \
	>/dev/null 2>&1
cat "$tmp/xml.md"

big_mb=${BIG_MB:-2048}
echo
echo "## Detached CMS over a ${big_mb} MB file vs sha256sum (throughput; peak RSS)"
head -c $((big_mb << 20)) /dev/zero >"$tmp/big.bin"
cat "$tmp/big.bin" >/dev/null # warm the page cache for both
measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>&1; read -r secs rss <"$tmp/time"; echo "$secs $rss"; }
read -r qs qr < <(measure "$q" sign --key "$p12" --password-file "$tmp/pw" --format cms --detached "$tmp/big.bin" -o "$tmp/big.cms")
read -r ss sr < <(measure sha256sum "$tmp/big.bin")
awk -v mb="$big_mb" -v qs="$qs" -v qr="$qr" -v ss="$ss" -v sr="$sr" 'BEGIN {
	printf "| tool | seconds | MB/s | peak RSS MB |\n|---|---|---|---|\n"
	printf "| qoltanba sign --detached (RSA, SHA-256) | %.2f | %.0f | %.1f |\n", qs, mb/qs, qr/1024
	printf "| sha256sum | %.2f | %.0f | %.1f |\n", ss, mb/ss, sr/1024
	printf "\nthroughput ratio qoltanba/sha256sum: %.2f (goal >= 0.8); peak RSS goal <= 64 MB\n", (mb/qs)/(mb/ss)
}'
rm -f "$tmp/big.bin"

echo
echo "## GOST-512 signatures per second on a 1 KB agreement (in-process)"
go test -run '^$' -bench 'SignGOST512Agreement' -benchtime 2s ./signer/xmldsig/ ./signer/cms/ | grep -E '^(Benchmark|ok)' | sed 's/^/    /'

#!/usr/bin/env bash
# bench.sh — the figures of `make bench`, each beside the reference tool run on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${QOLTANBA_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# GOST signatures: Qoltanba vs OpenSSL's GOST engine"
scripts/bench/gost.sh

echo
echo "# Signature formats: Qoltanba vs openssl cms, xmlsec1 and sha256sum"
scripts/bench/formats.sh

echo
echo "# PDF: signed inside and verified, Qoltanba vs poppler's pdfsig"
scripts/bench/pdf.sh

echo
echo "# Tokens: signatures through SoftHSM, Qoltanba vs a loop of pkcs11-tool --sign"
go test -run 'Pkcs11ToolSignLoopFigure' -bench 'SoftHSM' -benchtime 2s -v ./signer/pkcs11/ | grep -E '^(Benchmark|ok)|pkcs11-tool|listing' || true

echo
echo "# GUI while signing 1 GB: event-loop latency, repaints, time vs the CLI (Xvfb)"
scripts/bench/gui.sh

echo
echo "# NCALayer bridge: basics.sign over wss vs the same core.Sign in-process (GOST-512, consent scripted);"
echo "# resident memory of a bridge process idle and with 100 idle sockets"
go test -run '^$' -bench 'SignInProcess|SignOverWSS|IdleConnectionsRSS' -benchtime 30x ./bridge/ | grep -E '^(Benchmark|ok)' || true

echo
echo "# Portal sync: pull 10,000 documents of 1 KB and sign-and-send 1,000 (GOST-512) beside as many bare HTTP"
echo "# requests to the same portal; the client's peak RSS during the pull; signatures the portal accepts per second"
go test -run '^$' -bench 'Pull|SignAndSend|PortalAccepts' -benchtime 1x -timeout 30m -v ./sync/exchange/ | grep -E '^(Benchmark|ok)|bench_test' || true

echo
echo "# Document store with 100,000 documents"
go test -run '^$' -bench . -benchtime 20x ./sync/store/ | grep -E '^(Benchmark|ok)' || true

echo
echo "# Whole-process time of 'qoltanba keys info' on an NCA key file (goal <= 50 ms)"
go build -o "$tmp/qoltanba" ./cmd/qoltanba
if [[ -d $shared/testdata/nca ]]; then
	umask 077
	printf 'Qwerty12\n' >"$tmp/password"
	gost="$shared/testdata/nca/gost2015/legal/valid/head.p12"
	rsa=$(ls "$shared"/testdata/nca/rsa2018/RSA256_*.p12 | head -1)
	hyperfine -N --warmup 3 --runs 40 --style basic --export-markdown "$tmp/keys.md" \
		-n "qoltanba keys info (GOST-512 head.p12)" "$tmp/qoltanba keys info $gost --password-file $tmp/password --json" \
		-n "qoltanba keys info (RSA signing key)" "$tmp/qoltanba keys info $rsa --password-file $tmp/password --json" \
		-n "openssl pkcs12 -info (same RSA file, reference)" "openssl pkcs12 -legacy -in $rsa -nokeys -passin file:$tmp/password -out /dev/null" \
		>/dev/null
	cat "$tmp/keys.md"
else
	echo "skipped: $shared/testdata/nca is absent"
fi

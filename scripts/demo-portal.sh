#!/usr/bin/env bash
# demo-portal.sh — make run's local portal: the reference portal in TEST mode (a test PKI, its OCSP/CRL/TSA,
# sample documents) on http://127.0.0.1:8780, data in .run/portal, added to Qoltanba as the portal "demo".
# It keeps running after the window closes (stop it with: pkill -f 'qoltanba-portal serve').
set -euo pipefail
cd "$(dirname "$0")/.."
url=http://127.0.0.1:8780
dir=.run/portal
mkdir -p "$dir"
if ! curl -fsS "$url/api/v1/portal" >/dev/null 2>&1; then
	nohup bin/qoltanba-portal serve --demo --data "$dir" --addr 127.0.0.1:8780 --pki-addr 127.0.0.1:8781 >>.run/portal.log 2>&1 &
	for _ in $(seq 1 100); do
		curl -fsS "$url/api/v1/portal" >/dev/null 2>&1 && break
		sleep 0.1
	done
fi
if curl -fsS "$url/api/v1/portal" >/dev/null 2>&1; then
	bin/qoltanba portal add "$url" --name demo >/dev/null
	echo "demo portal: $url (TEST). Log in under Settings → Portals with $dir/testpki/gost/individual_auth.p12"
	echo "  (open it on the Keys screen first; password Qwerty12); sign with $dir/testpki/gost/individual.p12"
else
	echo "demo portal did not start (see .run/portal.log); the window opens without it" >&2
fi

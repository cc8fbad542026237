#!/usr/bin/env bash
# scripts/screenshots.sh OUTDIR — runs the real program under Xvfb and writes
# a PNG of every screen in every language (OUTDIR/<screen>-<lang>.png), with
# a TEST PKI for keys and signatures, plus the cold-start time to the first
# frame (OUTDIR/first-frame.txt).
#
# Needs: go, xvfb, xauth, x11-apps (xwd), imagemagick (convert), curl.
set -euo pipefail
out=${1:?usage: scripts/screenshots.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$PATH:/usr/local/go/bin
for tool in Xvfb xwd convert; do
	command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (apt-get install xvfb x11-apps imagemagick)" >&2; exit 1; }
done

work=$(mktemp -d)
xvfb_pid="" serve_pid="" app_pid="" portal_pid=""
cleanup() {
	for pid in $app_pid $serve_pid $portal_pid $xvfb_pid; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

echo "building…"
(cd "$root" && go build -ldflags "-X main.version=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)" -o "$work/qoltanba" ./cmd/qoltanba)
bin=$work/qoltanba
(cd "$root" && go build -o "$work/qoltanba-portal" ./cmd/qoltanba-portal)

# A private home (Fyne keeps its preferences there), a TEST PKI beside the
# data folder (its CA certificates go into the data folder's trust/test, as
# the welcome's TEST key puts them; its keys never enter it), its responders
# on 127.0.0.1, key files with their certificates beside them, and documents.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
mkdir -p "$HOME" "$work/keys" "$work/docs"
data=$work/data
port=${QOLTANBA_SCREENSHOT_PORT:-8800}
pki=$work/testpki
"$bin" testpki init "$pki" --url "http://127.0.0.1:$port" >/dev/null
"$bin" testpki serve "$pki" --addr "127.0.0.1:$port" >/dev/null 2>&1 &
serve_pid=$!
mkdir -p "$data/trust/test"
cp "$pki"/ca/*.cer "$data/trust/test/"
for stem in legal_head individual legal_signer; do
	cp "$pki/gost/$stem.p12" "$pki/gost/$stem.cer" "$work/keys/"
done
cat >"$work/docs/invoice-2026-118.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<invoice number="2026-118"><seller bin="260140000015">АО "QOLTANBA TEST"</seller><total currency="KZT">1250000</total></invoice>
XML
printf 'Шарт № 17 / Договор № 17\n' >"$work/docs/contract-17.pdf"
printf 'Qwerty12\n' >"$work/pw"
"$bin" sign --format cms --key "$work/keys/legal_head.p12" --password-file "$work/pw" "$work/docs/contract-17.pdf" 2>/dev/null
export QOLTANBA_KEYS_DIR=$work/keys QOLTANBA_DATA_DIR=$data

# Documents in the store: a contract (text), an invoice (XML, signed), a
# scanned stamp (image).
printf 'Договор поставки № 17 / Жеткізу шарты № 17\nСтороны: ТОО «Альфа» и АО «QOLTANBA TEST»\nСумма: 1 250 000 тенге\n' >"$work/docs/contract-17.txt"
convert -size 480x300 xc:white -fill none -stroke '#1d4e89' -strokewidth 6 -draw 'circle 240,150 240,20' \
	-stroke none -fill '#1d4e89' -font DejaVu-Sans-Bold -pointsize 30 -gravity center -annotate +0+0 'QOLTANBA TEST' "$work/docs/stamp-scan.png"
"$bin" docs add --kind contract --counterparty 'ТОО «Альфа»' --title 'Шарт № 17 / Договор № 17' "$work/docs/contract-17.txt" >/dev/null
"$bin" docs add --kind scan "$work/docs/stamp-scan.png" >/dev/null
inv=$("$bin" docs add --kind invoice --counterparty 'ТОО «Альфа»' --json "$work/docs/invoice-2026-118.xml" | sed -n 's/.*"id": *"\([0-9A-Z]*\)".*/\1/p' | head -1)
# Signed online, against the test PKI's OCSP responder started above, so the
# stored verification is complete (offline it would be indeterminate); then
# exported, so the journal has more than an import to show.
for i in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done
"$bin" docs sign --key "$work/keys/legal_head.p12" --password-file "$work/pw" --trust "$pki/ca" "$inv" >/dev/null 2>&1 ||
	"$bin" docs sign --key "$work/keys/legal_head.p12" --password-file "$work/pw" --offline --trust "$pki/ca" "$inv" >/dev/null 2>&1 ||
	echo "screenshots: docs sign failed" >&2
"$bin" docs export "$inv" -o "$work/docs/invoice-2026-118.evidence.zip" --trust "$pki/ca" >/dev/null 2>&1 || echo "screenshots: docs export failed" >&2

# A demo portal (the reference portal in TEST mode with the sample
# agreements when ../shared has them), logged in, synced, one document
# signed and sent and one agreement accepted: the Agreements and Registers
# screens have something to show.
portal_url=http://127.0.0.1:$((port + 10))
"$work/qoltanba-portal" serve --demo --data "$work/portal" --addr "127.0.0.1:$((port + 10))" --pki-addr "127.0.0.1:$((port + 11))" \
	--agreements "$root/../shared/samples/agreements" >"$work/portal.log" 2>&1 &
portal_pid=$!
for i in $(seq 1 100); do
	curl -fsS "$portal_url/api/v1/portal" >/dev/null 2>&1 && break
	sleep 0.1
done
for cer in "$work/portal/testpki/ca/"*.cer; do cp "$cer" "$data/trust/test/demo-$(basename "$cer")"; done
demo_keys=$work/portal/testpki/gost
if "$bin" portal add "$portal_url" --name demo >/dev/null &&
	"$bin" portal login --key "$demo_keys/individual_auth.p12" --password-file "$work/pw" >/dev/null 2>&1 &&
	"$bin" portal sync >/dev/null; then
	doc=$("$bin" portal list --json | sed -n 's/.*"id": *"\([0-9A-Z]*\)".*/\1/p' | head -1)
	"$bin" portal sign "$doc" --key "$demo_keys/individual.p12" --password-file "$work/pw" >/dev/null 2>&1 || echo "screenshots: portal sign failed" >&2
	ag=$("$bin" agreements list | awk '/privacy/ {print $1; exit}')
	"$bin" agreements accept "$ag" --lang en --key "$demo_keys/individual.p12" --password-file "$work/pw" >/dev/null 2>&1 ||
		echo "screenshots: agreements accept failed" >&2
else
	echo "screenshots: the demo portal did not start or log in (see $work/portal.log)" >&2
fi

display=${QOLTANBA_SCREENSHOT_DISPLAY:-:99}
Xvfb "$display" -screen 0 1120x780x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
sleep 1

# shoot waits until the window is drawn (the frame is no longer all black),
# lets late work finish, and writes the window's part of the screen.
shoot() {
	local file=$1 settle=$2 i
	for i in $(seq 1 100); do
		if [ "$(xwd -root -silent | convert xwd:- -format '%[fx:maxima]' info:)" != "0" ]; then break; fi
		sleep 0.1
	done
	sleep "$settle"
	xwd -root -silent | convert xwd:- -crop 1040x700+0+0 +repage "$file"
}

run() { # run SCREEN LANG [FILE]
	QOLTANBA_SCREEN=$1 QOLTANBA_LANG=$2 QOLTANBA_OPEN=${3:-} "$bin" >/dev/null 2>&1 &
	app_pid=$!
}

# Cold start: exec to the first non-black frame, measured from outside.
start=$(date +%s%N)
QOLTANBA_FIRST_FRAME=1 QOLTANBA_SCREEN=keys "$bin" 2>"$work/first-frame.log" &
app_pid=$!
for i in $(seq 1 200); do
	if [ "$(xwd -root -silent | convert xwd:- -format '%[fx:maxima]' info:)" != "0" ]; then break; fi
	sleep 0.02
done
end=$(date +%s%N)
sleep 0.5
kill $app_pid; wait $app_pid 2>/dev/null || true
{
	echo "exec to first non-black frame (xwd polling, includes ~20–60 ms per poll): $(( (end - start) / 1000000 )) ms"
	grep -h "first frame" "$work/first-frame.log" || true
} | tee "$out/first-frame.txt"

for lang in ${LANGS:-kk ru en}; do
	for screen in ${SCREENS:-welcome keys sign verify documents registers agreements settings about}; do
		file=""
		settle=0.6
		case $screen in
		sign) file=$work/docs/invoice-2026-118.xml ;;
		verify) file=$work/docs/contract-17.pdf.cms; settle=2.5 ;;
		documents) file=invoice-2026-118.xml; settle=1.5 ;;
		registers) settle=2 ;;
		agreements) settle=5 ;; # the list, then the text laid out
		esac
		run "$screen" "$lang" "$file"
		shoot "$out/$screen-$lang.png" "$settle"
		kill $app_pid; wait $app_pid 2>/dev/null || true
		echo "$out/$screen-$lang.png"
	done
done

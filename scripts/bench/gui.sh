#!/usr/bin/env bash
# gui.sh — issue 6's last figure: the window keeps responding and repainting while a 1 GB file is signed.
# Runs ui's glfwprobe test (the GUI's own code on Fyne's real GLFW driver) under Xvfb: event-loop latency idle and
# while signing, screen dumps during the signing, the signing's time; then `qoltanba sign` on the same file and key.
#   MB       size of the file (default 1024; sparse, with 16 random 1 MB blocks)
#   FAMILY   gost or rsa: the test PKI's company-head key (default gost, the welcome's TEST key)
#   RUNS     how many GUI runs (default 1)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
for tool in xvfb-run xwd; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: $tool is absent (scripts/deps.sh shots installs it)"
		exit 0
	fi
done
mb=${MB:-1024}
family=${FAMILY:-gost}
runs=${RUNS:-1}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/qoltanba" ./cmd/qoltanba
go test -c -tags glfwprobe -o "$tmp/ui.probe" ./ui/
"$tmp/qoltanba" testpki init "$tmp/pki" >/dev/null
umask 077
printf 'Qwerty12\n' >"$tmp/pw"
key="$tmp/pki/$family/legal_head.p12"
truncate -s "${mb}M" "$tmp/big.bin"
for i in $(seq 0 15); do
	dd if=/dev/urandom of="$tmp/big.bin" bs=1M count=1 seek=$((i * mb / 16)) conv=notrunc status=none
done

# The CLI first, on the same file and key: a SHA-256 pass for what it prints
# before the password, then the signing pass; no window.
/usr/bin/time -f "%e %U %S" -o "$tmp/time" "$tmp/qoltanba" sign --key "$key" --password-file "$tmp/pw" \
	--format cms --detached "$tmp/big.bin" -o "$tmp/cli.cms" >/dev/null 2>&1
read -r cli_s cli_u cli_sys <"$tmp/time"

for run in $(seq 1 "$runs"); do
	echo "### GUI run $run of $runs ($family key, load average $(cut -d' ' -f1-3 /proc/loadavg))"
	# No session bus: the tray stays off, as on a desktop without one.
	# TMPDIR: whatever the probe leaves goes with $tmp.
	env -u DBUS_SESSION_BUS_ADDRESS LANG=en_US.UTF-8 TMPDIR="$tmp" \
		QOLTANBA_PROBE_FILE="$tmp/big.bin" QOLTANBA_PROBE_KEY="$key" QOLTANBA_PROBE_PASSWORD_FILE="$tmp/pw" \
		xvfb-run -a -s "-screen 0 1280x800x24" "$tmp/ui.probe" -test.v -test.timeout 20m >"$tmp/gui.out" 2>&1 || {
		cat "$tmp/gui.out"
		exit 1
	}
	grep -vE '^(=== RUN|--- PASS|PASS$)|^[0-9/]+ [0-9:]+ (Fyne error| +Cause:| +At:)|^gui-sign ' "$tmp/gui.out"
	grep '^gui-sign ' "$tmp/gui.out" >>"$tmp/gui.lines"
done

echo
echo "## Signing ${mb} MB: the GUI's flow vs qoltanba sign (${family} key, detached CMS)"
awk -v mb="$mb" -v cs="$cli_s" -v cu="$cli_u" -v csys="$cli_sys" '
BEGIN {
	printf "| run | seconds | MB/s | CPU s |\n|---|---|---|---|\n"
	printf "| qoltanba sign (CLI: SHA-256 pass shown before the password + signing pass, no window) | %.2f | %.0f | %.1f |\n", cs, mb/cs, cu+csys
}
{
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	n++
	printf "| GUI run %d: SHA-256 pass for the dialog + signing pass | %.2f | %.0f | %.1f |\n", n, v["total"], mb/v["total"], v["cpu"]
	printf "| GUI run %d: signing pass alone (password → result) | %.2f | %.0f | |\n", n, v["sign"], mb/v["sign"]
}' "$tmp/gui.lines"
echo "(GUI CPU includes drawing with Mesa's software renderer, the probes and the screen dumps)"

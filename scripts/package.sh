#!/usr/bin/env bash
# package.sh [DIST] — the installers of `make package`, written to DIST (default dist/):
#
#   Qoltanba-<version>-x64.msi            Windows, per user, no administrator rights
#   Qoltanba-<version>-x64-allusers.msi   Windows, per machine, for company IT (Program Files)
#   qoltanba-<version>-windows-x64.zip    Windows, portable: the window and the command line
#   qoltanba_<version>_amd64.deb          Debian/Ubuntu: both programs, desktop entry, icon, autostart
#   qoltanba-<version>-linux-x64.tar.gz   Linux, portable
#   SHA256SUMS
#
# Two programs everywhere: the window (qoltanba.exe on Windows, built for the GUI subsystem;
# qoltanba-gui on Linux) and the console command line (qoltanba.com on Windows, which cmd.exe
# prefers for "qoltanba"; qoltanba on Linux), built without Fyne (-tags nogui); bare
# "qoltanba" starts the window. The Windows resources (icon, version information, manifest)
# are compiled by MinGW's windres into a .syso that go build links: one build per program,
# no extra Go dependency (fyne package builds twice and slowly). With SIGN_CERT and SIGN_KEY
# (PEM) the exes and MSIs are signed with osslsigncode.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}
mkdir -p "$dist"
dist=$(cd "$dist" && pwd)

version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
version=${version#v}
# Installers want x.y.z: a tag gives it, else 0.0.<commits>.
if [[ $version =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
	numeric="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
else
	numeric="0.0.$(git rev-list --count HEAD 2>/dev/null || echo 0)"
	version="$numeric-$version"
fi
# -s -w: no symbol table or DWARF in what users install (stack traces keep their names).
ldflags="-s -w -X main.version=$version"

work=$(mktemp -d)
syso=cmd/qoltanba/zz_resources_windows_amd64.syso
trap 'rm -rf "$work" "$syso"' EXIT

echo "== Windows resources ($version)" >&2
go run ./packaging/mkico assets/icon.png "$work/qoltanba.ico"
cp packaging/windows/qoltanba.rc packaging/windows/qoltanba.manifest "$work/"
x86_64-w64-mingw32-windres -DVERSION_TEXT="\\\"$version\\\"" -DVERSION_COMMAS="${numeric//./,},0" \
	-i "$work/qoltanba.rc" -O coff -o "$syso"

echo "== Windows programs (cross-compiled with MinGW)" >&2
mkdir -p "$work/win"
export CC=x86_64-w64-mingw32-gcc
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 go build -trimpath -tags nogui -ldflags "$ldflags" -o "$work/win/qoltanba.com" ./cmd/qoltanba
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 go build -trimpath -ldflags "$ldflags -H windowsgui" -o "$work/win/qoltanba.exe" ./cmd/qoltanba
unset CC
rm -f "$syso"

sign() { # sign FILE: Authenticode with osslsigncode when a certificate is given
	[[ -n ${SIGN_CERT:-} && -n ${SIGN_KEY:-} ]] || return 0
	osslsigncode sign -certs "$SIGN_CERT" -key "$SIGN_KEY" -n Qoltanba -h sha256 -in "$1" -out "$1.signed" >/dev/null
	mv "$1.signed" "$1"
}
sign "$work/win/qoltanba.exe"
sign "$work/win/qoltanba.com"

echo "== Windows installers (wixl)" >&2
cp packaging/windows/qoltanba.wxs "$work/win/"
cp "$work/qoltanba.ico" "$work/win/"
# wixl resolves files relative to the working folder.
(cd "$work/win" &&
	wixl -a x64 -D Version="$numeric" -D Bin=. -D Icon=qoltanba.ico -o "$dist/Qoltanba-$version-x64.msi" qoltanba.wxs &&
	wixl -a x64 -D Version="$numeric" -D Bin=. -D Icon=qoltanba.ico -D PerMachine=1 -o "$dist/Qoltanba-$version-x64-allusers.msi" qoltanba.wxs)
sign "$dist/Qoltanba-$version-x64.msi"
sign "$dist/Qoltanba-$version-x64-allusers.msi"
rm -f "$dist/qoltanba-$version-windows-x64.zip"
(cd "$work/win" && zip -q -X "$dist/qoltanba-$version-windows-x64.zip" qoltanba.exe qoltanba.com)

echo "== Linux programs" >&2
mkdir -p "$work/linux"
go build -trimpath -tags nogui -ldflags "$ldflags" -o "$work/linux/qoltanba" ./cmd/qoltanba
go build -trimpath -ldflags "$ldflags" -o "$work/linux/qoltanba-gui" ./cmd/qoltanba
tar -C "$work/linux" -czf "$dist/qoltanba-$version-linux-x64.tar.gz" --owner=0 --group=0 qoltanba qoltanba-gui

echo "== Debian package" >&2
deb="$work/deb"
install -D -m755 "$work/linux/qoltanba" "$deb/usr/bin/qoltanba"
install -D -m755 "$work/linux/qoltanba-gui" "$deb/usr/bin/qoltanba-gui"
install -D -m644 packaging/linux/qoltanba.desktop "$deb/usr/share/applications/qoltanba.desktop"
install -D -m644 packaging/linux/qoltanba-autostart.desktop "$deb/etc/xdg/autostart/qoltanba.desktop"
install -D -m644 assets/icon.png "$deb/usr/share/icons/hicolor/512x512/apps/qoltanba.png"
mkdir -p "$deb/DEBIAN"
cat >"$deb/DEBIAN/control" <<EOF
Package: qoltanba
Version: $version
Architecture: amd64
Maintainer: Qoltanba developers <dev@qoltanba.kz>
Depends: libc6, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1
Recommends: libnss3-tools
Section: utils
Priority: optional
Description: EDS signing client for Kazakhstan, replacing NCALayer
 Signs and verifies documents with NCA RK keys (GOST and RSA key files, tokens),
 keeps them with a journal, and answers web portals on the NCALayer protocol.
EOF
echo /etc/xdg/autostart/qoltanba.desktop >"$deb/DEBIAN/conffiles"
dpkg-deb --root-owner-group --build "$deb" "$dist/qoltanba_${version}_amd64.deb" >/dev/null

(cd "$dist" && sha256sum Qoltanba-"$version"-x64.msi Qoltanba-"$version"-x64-allusers.msi \
	qoltanba-"$version"-windows-x64.zip qoltanba_"$version"_amd64.deb qoltanba-"$version"-linux-x64.tar.gz >SHA256SUMS)
echo "$dist:" >&2
ls -l "$dist" >&2

#!/usr/bin/env bash
# deps.sh PROFILE... — install the Debian packages a make target needs, and the Go modules.
#
# Idempotent and silent when everything is present: it asks dpkg first and calls apt-get
# only for what is missing. Profiles:
#   build  cgo toolchain and the X11/OpenGL headers Fyne's GUI links against
#   test   build + the independent verifiers (xmlsec1, openssl, pdfsig, qpdf…), the virtual display and the PostgreSQL server the tests use
#   bench  test + OpenSSL headers for the GOST engine comparison harness, hyperfine, Xvfb and xwd for the GUI figure
#   shots  build + a virtual X display and the tools that photograph it (make screenshots)
#   package  build + the Windows cross-compiler, wixl (MSI), zip and osslsigncode (make package)
#   lint   nothing from apt; staticcheck is run through `go run` at a pinned version
set -euo pipefail

declare -A profile_packages=(
	[build]="curl gcc pkg-config libc6-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev"
	[test]="openssl libengine-gost-openssl xmlsec1 softhsm2 opensc xvfb xauth libnss3-tools chromium wine x11-apps postgresql poppler-utils qpdf zbar-tools"
	[bench]="libssl-dev hyperfine time xvfb xauth x11-apps"
	[lint]=""
	[shots]="xvfb xauth x11-apps imagemagick"
	[package]="gcc-mingw-w64-x86-64 wixl msitools zip osslsigncode"
)
# Each profile includes the ones before it.
declare -A profile_includes=([build]="" [test]="build package" [bench]="build test package" [lint]="" [shots]="build" [package]="build")

wanted=()
for p in "$@"; do
	[[ -v profile_packages[$p] ]] || { echo "deps.sh: unknown profile $p" >&2; exit 2; }
	for inc in ${profile_includes[$p]} "$p"; do
		# shellcheck disable=SC2206
		wanted+=(${profile_packages[$inc]})
	done
done

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# De-duplicate while keeping order.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk 'NF && !seen[$0]++')

if ((${#missing[@]})); then
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
		sudo="sudo"
	fi
	echo "deps.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go modules come through the module proxy; `go mod download` is a no-op when the cache is warm.
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
go mod download

# npm packages for the tests, from the npm registry, pinned by their locks: the
# public NCALayer client the bridge's tests drive from Node and Chromium, and
# the external linter of the portal API's contract (@redocly/cli).
for p in "$@"; do
	[[ "$p" == test || "$p" == bench ]] || continue
	for js in bridge/testdata/js sync/api/testdata/lint; do
		if [[ ! -f $js/node_modules/.package-lock.json || $js/package-lock.json -nt $js/node_modules/.package-lock.json ]]; then
			command -v npm >/dev/null || { echo "deps.sh: npm is needed for the tests' JavaScript tools ($js)" >&2; exit 1; }
			npm ci --prefix "$js" --no-audit --no-fund --loglevel=error >/dev/null
		fi
	done
	break
done

#!/usr/bin/env bash
# fuzz.sh [TIME] — run every fuzz target of the module for TIME (default 30s) each, one after another.
# New crashers land in the package's testdata/fuzz/FuzzXxx/ and become regression tests of `make test`.
set -euo pipefail
fuzztime=${1:-30s}
failed=0
while IFS= read -r file; do
	pkg="./$(dirname "$file")"
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(f \*testing\.F\)' "$file" | awk '{print $2}' | cut -d'(' -f1); do
		echo "== $pkg $target ($fuzztime)"
		if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"; then
			failed=1
		fi
	done
done < <(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' --include='*_test.go' . | sed 's|^\./||' | sort)
exit $failed

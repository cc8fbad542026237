#!/usr/bin/env bash
# gost.sh: Qoltanba's GOST signatures side by side with OpenSSL's GOST engine.
#
# Compiles gost_engine_bench.c into a temporary directory, runs it, runs the
# Go benchmarks of signer/gost, and prints one table:
#
#   operation | qoltanba ops/s | engine ops/s | ratio
#
# ratio is qoltanba / engine (above 1: Qoltanba is faster).
# Environment: ENGINE_N (engine operations per measurement, default 500),
# BENCHTIME (go test -benchtime, default 1s), CC (default cc).
# Needs: a C compiler, libssl-dev, libengine-gost-openssl, Go.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cc="${CC:-cc}"
if ! "$cc" -O2 -Wno-deprecated-declarations -o "$tmp/gost_engine_bench" \
	"$root/scripts/bench/gost_engine_bench.c" -lcrypto 2>"$tmp/cc.log"; then
	echo "gost.sh: cannot build the engine benchmark (need libssl-dev):" >&2
	cat "$tmp/cc.log" >&2
	exit 1
fi

echo "== OpenSSL GOST engine (${ENGINE_N:-500} ops each)" >&2
if ! "$tmp/gost_engine_bench" "${ENGINE_N:-500}" >"$tmp/engine.txt"; then
	echo "gost.sh: the engine benchmark failed (is libengine-gost-openssl installed?)" >&2
	exit 1
fi
cat "$tmp/engine.txt" >&2

echo "== go test -bench 'Benchmark(Sign|Verify)' ./signer/gost/" >&2
(cd "$root" && go test -run '^$' -bench 'Benchmark(Sign|Verify)$' \
	-benchtime "${BENCHTIME:-1s}" ./signer/gost/) >"$tmp/go.txt"
grep '^Benchmark' "$tmp/go.txt" >&2 || true

# Go sub-benchmark names → the engine's labels.
awk '
	FNR == NR {
		# engine <label> <sign|verify> <ops> ops/s
		if ($1 == "engine") eng[$2 " " $3] = $4
		next
	}
	/^Benchmark(Sign|Verify)\// {
		split($1, part, "/")
		op = (part[1] == "BenchmarkSign") ? "sign" : "verify"
		sub(/-[0-9]+$/, "", part[2])
		label = part[2]
		if (label == "512A") label = "GOST34.10-2015-512"
		else if (label == "256A") label = "GOST34.10-2015-256"
		else if (label == "CryptoProA") label = "GOST34.310-2004"
		for (i = 2; i < NF; i++) if ($(i + 1) == "ns/op") { q[label " " op] = 1e9 / $i }
		order[++n] = label " " op
	}
	END {
		printf "%-30s | %14s | %12s | %5s\n", "operation", "qoltanba ops/s", "engine ops/s", "ratio"
		printf "%-30s-+-%14s-+-%12s-+-%5s\n", "------------------------------", "--------------", "------------", "-----"
		for (i = 1; i <= n; i++) {
			k = order[i]
			e = (k in eng) ? sprintf("%12.1f", eng[k]) : sprintf("%12s", "n/a")
			r = (k in eng && eng[k] > 0) ? sprintf("%5.2f", q[k] / eng[k]) : "  n/a"
			printf "%-30s | %14.1f | %s | %s\n", k, q[k], e, r
		}
	}
' "$tmp/engine.txt" "$tmp/go.txt"

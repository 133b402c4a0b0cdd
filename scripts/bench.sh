#!/usr/bin/env bash
# Benchmark `usagescan report --format json` on a synthetic Claude Code log tree
# (>= 1 GB, page cache warm): median wall time, GB/s and peak RSS under /usr/bin/time -v.
# When ccusage is found it is measured the same way in the same run, and the ratios are
# printed. Finally both outputs are checked against the generator's truth.
#
# Environment:
#   BENCH_DIR   tree location, generated once and reused     (/tmp/usagescan-bench)
#   BENCH_SIZE  tree size                                     (1.1GB)
#   BENCH_SEED  generator seed                                (1)
#   BENCH_RUNS  timed runs per tool                           (5)
#   CCUSAGE     ccusage binary; else ../peer/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage beside
#               the checkout, else `ccusage` on PATH; CCUSAGE=none skips it
#   BENCH_CHECK 0 skips the check against the truth           (1)
#   USAGESCAN   a usagescan binary to measure instead of building ./cmd/usagescan
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/usagescan-bench}
BENCH_SIZE=${BENCH_SIZE:-1.1GB}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_CHECK=${BENCH_CHECK:-1}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 1; }

if [ ! -x "$TIME" ] || ! "$TIME" -v true >/dev/null 2>&1; then
	die "$TIME (GNU time, for peak RSS) is missing; install it, e.g. on Debian/Ubuntu: apt-get update && apt-get install -y time"
fi
case $BENCH_RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/usagescan-bench-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"

echo "bench: building"
us=${USAGESCAN:-$work/usagescan}
[ -n "${USAGESCAN:-}" ] || go build -o "$us" ./cmd/usagescan
go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen
go build -o "$work/crosscheck" ./internal/benchgen/cmd/crosscheck

# The tree: generated once per (size, seed, generator source), into a temporary folder renamed at the end,
# so an interrupted run never leaves a half tree behind. Only a folder carrying our stamp
# is ever deleted.
gensum=$(cat internal/benchgen/*.go | sha256sum | cut -c1-16) # a changed generator means a new tree
stamp="benchgen size=$BENCH_SIZE seed=$BENCH_SEED source=$gensum"
if [ ! -f "$BENCH_DIR/.benchgen" ] || [ "$(cat "$BENCH_DIR/.benchgen")" != "$stamp" ]; then
	if [ -e "$BENCH_DIR" ]; then
		[ -f "$BENCH_DIR/.benchgen" ] || die "$BENCH_DIR exists and was not made by this script; remove it or set BENCH_DIR"
		rm -rf "$BENCH_DIR"
	fi
	echo "bench: generating $BENCH_SIZE (seed $BENCH_SEED) into $BENCH_DIR"
	tmp="$BENCH_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	"$work/benchgen" -out "$tmp" -size "$BENCH_SIZE" -seed "$BENCH_SEED" -truth "$tmp/truth.json"
	echo "$stamp" >"$tmp/.benchgen"
	mv "$tmp" "$BENCH_DIR"
fi

read -r files bytes < <(find "$BENCH_DIR/projects" -type f -name '*.jsonl' -printf '%s\n' |
	awk '{n++; s+=$1} END {printf "%d %d\n", n, s}')
echo "bench: tree $BENCH_DIR: $bytes bytes in $files .jsonl files"
echo "bench: warming the page cache"
find "$BENCH_DIR/projects" -type f -name '*.jsonl' -exec cat {} + >/dev/null

# The tools run with a throwaway HOME and XDG dirs: nothing from the real home is read.
sandbox=(env -u CLAUDE_CONFIG_DIR HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
	XDG_CACHE_HOME="$work/home/.cache" XDG_DATA_HOME="$work/home/.local/share" XDG_STATE_HOME="$work/home/.local/state")

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.6f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# measure NAME OUT CMD...: runs CMD BENCH_RUNS times, stdout to OUT; sets MEDIAN (s) and RSS (KB, max).
measure() {
	local name=$1 out=$2 i t0 t1 wall kb cpu
	shift 2
	local walls=() rsses=()
	echo "bench: $name: $*"
	for i in $(seq "$BENCH_RUNS"); do
		t0=$(now)
		if ! "${sandbox[@]}" "$TIME" -v -o "$work/time.txt" "$@" >"$out" 2>"$work/stderr.txt"; then
			cat "$work/stderr.txt" >&2
			die "$name failed (run $i)"
		fi
		t1=$(now)
		wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b-a}')
		kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
		cpu=$(awk -F': ' '/User time \(seconds\)/ {u=$2} /System time \(seconds\)/ {s=$2} END {printf "%.2f", u+s}' "$work/time.txt")
		printf 'bench:   run %d: %s s wall, %s s cpu, %.1f MB peak RSS\n' "$i" "$wall" "$cpu" "$(awk -v k="$kb" 'BEGIN {print k/1024}')"
		walls+=("$wall")
		rsses+=("$kb")
	done
	MEDIAN=$(printf '%s\n' "${walls[@]}" | median)
	RSS=$(printf '%s\n' "${rsses[@]}" | sort -n | tail -1)
}

summary() { # NAME MEDIAN RSS_KB
	awk -v n="$1" -v m="$2" -v r="$3" -v b="$bytes" -v runs="$BENCH_RUNS" 'BEGIN {
		printf "%-10s median %.3f s   %.2f GB/s   max peak RSS %.1f MB   (%d runs)\n", n, m, b/1e9/m, r/1024, runs }'
}

measure usagescan "$work/usagescan.json" "$us" report --format json --tz UTC --no-store --logs "$BENCH_DIR"
us_median=$MEDIAN us_rss=$RSS

# The history store: a first ingest (into a new store each run), then an ingest
# with nothing new, which should cost a stat per file.
db="$work/bench.db"
measure "ingest (first)" /dev/null sh -c 'rm -f "$1" "$1-wal" "$1-shm"; exec "$2" ingest --quiet --db "$1" --logs "$3"' sh "$db" "$us" "$BENCH_DIR"
ingest_first=$MEDIAN ingest_rss=$RSS
measure "ingest (no change)" /dev/null "$us" ingest --quiet --db "$db" --logs "$BENCH_DIR"
ingest_none=$MEDIAN

. scripts/find-ccusage.sh
if [ -n "$cc" ]; then
	measure ccusage "$work/ccusage.json" env CLAUDE_CONFIG_DIR="$BENCH_DIR" "$cc" claude monthly --json --offline -z UTC --breakdown
	cc_median=$MEDIAN cc_rss=$RSS
else
	echo "bench: ccusage not found (set CCUSAGE); measuring usagescan only"
fi

echo
echo "tree: $BENCH_DIR, $bytes bytes in $files files ($BENCH_SIZE, seed $BENCH_SEED), page cache warm, $(nproc) cores"
summary usagescan "$us_median" "$us_rss"
awk -v f="$ingest_first" -v n="$ingest_none" -v s="$us_median" -v r="$ingest_rss" 'BEGIN {
	printf "ingest     first: median %.3f s (%.2fx the scan; target <= 1.5x), max peak RSS %.1f MB\n", f, f/s, r/1024
	printf "ingest     no change: median %.0f ms (target <= 100 ms)\n", n*1000 }'
if [ -n "$cc" ]; then
	summary ccusage "$cc_median" "$cc_rss"
	awk -v a="$cc_median" -v b="$us_median" -v c="$cc_rss" -v d="$us_rss" 'BEGIN {
		printf "ratio      ccusage / usagescan: %.2fx wall time, %.2fx peak RSS\n", a/b, c/d }'
fi

if [ "$BENCH_CHECK" != 0 ] && [ -f "$BENCH_DIR/truth.json" ]; then
	echo
	args=(-truth "$BENCH_DIR/truth.json" -usagescan "$work/usagescan.json")
	[ -n "$cc" ] && args+=(-ccusage "$work/ccusage.json")
	"$work/crosscheck" "${args[@]}" || die "totals differ from the truth (BENCH_CHECK=0 skips this check)"
fi

# The status line on a warm store: the store the ingests above filled, fed a session's
# JSON (the tree's largest transcript, rate_limits present, the clock pinned just after
# its last request), against `usagescan --version` in the same run. Target: <= 15x.
sl_transcript=$(find "$BENCH_DIR/projects" -type f -name '*.jsonl' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
sl_last=$(grep -o '"timestamp":"[^"]*"' "$sl_transcript" | cut -d'"' -f4 | sort | tail -1)
sl_now=$(($(date -u -d "$sl_last" +%s) + 60))
printf '{"session_id":"bench","transcript_path":"%s","model":{"id":"claude-sonnet-4-6","display_name":"Sonnet 4.6"},"rate_limits":{"five_hour":{"used_percentage":42,"resets_at":%d},"seven_day":{"used_percentage":36,"resets_at":%d}}}\n' \
	"$sl_transcript" $((sl_now / 3600 * 3600 + 3 * 3600)) $((sl_now + 3 * 86400)) >"$work/statusline.json"
export USAGESCAN_NOW=$(date -u -d "@$sl_now" +%Y-%m-%dT%H:%M:%SZ)
"${sandbox[@]}" "$us" statusline --db "$db" --plan max <"$work/statusline.json" >/dev/null # records the reading
BENCH_RUNS=${BENCH_SL_RUNS:-11} measure "statusline" "$work/statusline.txt" sh -c 'exec "$1" statusline --db "$2" --plan max <"$3"' sh "$us" "$db" "$work/statusline.json"
sl_median=$MEDIAN
BENCH_RUNS=${BENCH_SL_RUNS:-11} measure "--version" /dev/null sh -c 'exec "$1" --version <"$3"' sh "$us" "$db" "$work/statusline.json"
unset USAGESCAN_NOW
echo
echo "statusline: $(cat "$work/statusline.txt")"
awk -v s="$sl_median" -v v="$MEDIAN" 'BEGIN {
	printf "statusline median %.1f ms, --version median %.1f ms: %.1fx (target <= 15x)\n", s*1000, v*1000, s/v }'

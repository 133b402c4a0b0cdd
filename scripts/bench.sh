#!/usr/bin/env bash
# Benchmark usagescan against ccusage on synthetic Claude Code log trees
# (internal/benchgen; page cache warm): median wall time and max peak RSS under
# /usr/bin/time -v, ratios against the targets, and every output's totals checked
# against the generator's truth.
#
# 1. The main tree (BENCH_PROFILE, default realistic: ~1.2 GB, one unique response per
#    ~9 KB, thousands of files with subagent folders):
#    (a) pure scan          usagescan report --format json --tz UTC --no-store --logs TREE
#    (b) fresh home         CLAUDE_CONFIG_DIR=TREE usagescan report --format json --tz UTC,
#                           a new empty XDG_DATA_HOME each run (the store gets created)
#    (c) nothing new        the same command again on the data home (b) left behind
#    (d) ccusage            CLAUDE_CONFIG_DIR=TREE ccusage claude monthly --json --offline -z UTC
#    then usagescan/ccusage for (a), (b), (c) against 0.30x, 0.60x, 0.08x, peak RSS vs 100 MB.
# 2. BENCH_LEAN=1: the lean tree, 1M unique requests in ~1 GB: (a) vs (d), target 0.25x
#    and 250 MB.
# 3. BENCH_STORE=1: lean trees of 100k and 1M requests ingested into two stores
#    (usagescan ingest --db DB --logs TREE), then a report from the store alone
#    (usagescan report --format json --tz UTC --db DB, CLAUDE_CONFIG_DIR an empty folder)
#    over the whole history and over one month (--since 2026-06 --until 2026-06):
#    1M/100k (target <= 3x), month/whole (target <= 0.5x), peak RSS (target <= 120 MB).
#
# Environment:
#   BENCH_PROFILE  realistic, lean or legacy                         (realistic)
#   BENCH_SIZE     main tree size (default: realistic 1.2GB, legacy 1.1GB, lean 1M requests)
#   BENCH_DIR      main tree, generated once and reused              (/tmp/usagescan-bench-PROFILE)
#   BENCH_SEED     generator seed                                    (1)
#   BENCH_RUNS     timed runs per measurement                        (5)
#   BENCH_STORE_RUNS  runs of each report from a store (tens of ms)  (21)
#   BENCH_LEAN     1 adds part 2                                     (0)
#   BENCH_STORE    1 adds part 3                                     (0)
#   BENCH_INGEST   1 also times `usagescan ingest` on the main tree: a first ingest into a new
#                  store (target <= 1.5x the pure scan) and one with nothing new (<= 100 ms)
#   BENCH_LEAN_DIR, BENCH_LEAN100K_DIR  the lean trees   (/tmp/usagescan-bench-lean-1m, -lean-100k)
#   CCUSAGE        ccusage binary; else ../peer/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage
#                  beside the checkout, else `ccusage` on PATH; CCUSAGE=none skips it
#   BENCH_CHECK    0 skips the checks against the truth              (1)
#   USAGESCAN      a usagescan binary to measure instead of building ./cmd/usagescan
# Exit status: 0, or 1 when a tool failed or a total differs from the truth (after the summary).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
BENCH_PROFILE=${BENCH_PROFILE:-realistic}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_CHECK=${BENCH_CHECK:-1}
BENCH_LEAN=${BENCH_LEAN:-0}
BENCH_STORE=${BENCH_STORE:-0}
BENCH_DIR=${BENCH_DIR:-/tmp/usagescan-bench-$BENCH_PROFILE}
BENCH_LEAN_DIR=${BENCH_LEAN_DIR:-/tmp/usagescan-bench-lean-1m}
BENCH_LEAN100K_DIR=${BENCH_LEAN100K_DIR:-/tmp/usagescan-bench-lean-100k}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 1; }

if [ ! -x "$TIME" ] || ! "$TIME" -v true >/dev/null 2>&1; then
	die "$TIME (GNU time, for peak RSS) is missing; install it, e.g. on Debian/Ubuntu: apt-get update && apt-get install -y time"
fi
case $BENCH_RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer" ;; esac
case $BENCH_PROFILE in realistic | lean | legacy) ;; *) die "BENCH_PROFILE must be realistic, lean or legacy" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/usagescan-bench-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/empty/projects"
failed=0
summary_lines=()
say() { summary_lines+=("$*"); } # a line of the final summary

echo "bench: building"
us=${USAGESCAN:-$work/usagescan}
[ -n "${USAGESCAN:-}" ] || go build -o "$us" ./cmd/usagescan
go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen
go build -o "$work/crosscheck" ./internal/benchgen/cmd/crosscheck

# gentree DIR PROFILE SIZE REQUESTS: generates the tree once per (profile, size, requests,
# seed, generator source), into a temporary folder renamed at the end, so an interrupted
# run never leaves a half tree behind. Only a folder carrying our stamp is ever deleted.
gensum=$(cat internal/benchgen/*.go | sha256sum | cut -c1-16) # a changed generator means a new tree
gentree() {
	local dir=$1 profile=$2 size=$3 requests=$4 stamp tmp t0 t1
	stamp="benchgen profile=$profile size=$size requests=$requests seed=$BENCH_SEED source=$gensum"
	if [ -f "$dir/.benchgen" ] && [ "$(cat "$dir/.benchgen")" = "$stamp" ]; then
		return
	fi
	if [ -e "$dir" ]; then
		[ -f "$dir/.benchgen" ] || die "$dir exists and was not made by this script; remove it or set its BENCH_*DIR"
		rm -rf "$dir"
	fi
	echo "bench: generating a $profile tree (size ${size:-any}, requests ${requests:-any}, seed $BENCH_SEED) into $dir"
	tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	local args=(-out "$tmp" -profile "$profile" -seed "$BENCH_SEED" -truth "$tmp/truth.json")
	[ -n "$size" ] && args+=(-size "$size")
	[ -n "$requests" ] && args+=(-requests "$requests")
	t0=$(now)
	"$work/benchgen" "${args[@]}"
	t1=$(now)
	say "$(awk -v a="$t0" -v b="$t1" -v d="$dir" 'BEGIN {printf "generated %s in %.1f s", d, b-a}')"
	echo "$stamp" >"$tmp/.benchgen"
	mv "$tmp" "$dir"
}

# treeinfo DIR: sets FILES, BYTES, REQS (unique requests, from the truth) and warms the page cache.
treeinfo() {
	read -r FILES BYTES < <(find "$1/projects" -type f -name '*.jsonl' -printf '%s\n' |
		awk '{n++; s+=$1} END {printf "%d %d\n", n, s}')
	REQS=$(sed -n 's/^  "requests": \([0-9]*\),*$/\1/p' "$1/truth.json" | head -1)
	echo "bench: tree $1: $BYTES bytes in $FILES .jsonl files, $REQS unique requests; warming the page cache"
	find "$1/projects" -type f -name '*.jsonl' -exec cat {} + >/dev/null
}

# The tools run with a throwaway HOME and XDG dirs: nothing from the real home is read.
sandbox=(env -u CLAUDE_CONFIG_DIR -u USAGESCAN_DB HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
	XDG_CACHE_HOME="$work/home/.cache" XDG_DATA_HOME="$work/home/.local/share" XDG_STATE_HOME="$work/home/.local/state")

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.6f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# measure NAME OUT PRE CMD...: runs PRE (a shell command, untimed) then CMD, BENCH_RUNS times,
# stdout to OUT and stderr to OUT.stderr; sets MEDIAN (s) and RSS (KB, max over the runs).
# A failing run is reported, counted, and leaves MEDIAN empty.
measure() {
	local name=$1 out=$2 pre=$3 i t0 t1 wall kb cpu
	shift 3
	local walls=() rsses=()
	MEDIAN= RSS=
	echo "bench: $name: $*"
	for i in $(seq "$BENCH_RUNS"); do
		eval "$pre"
		t0=$(now)
		if ! "${sandbox[@]}" "$TIME" -v -o "$work/time.txt" "$@" >"$out" 2>"$out.stderr"; then
			cat "$out.stderr" >&2
			echo "bench: $name failed (run $i)" >&2
			failed=1
			return
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

# row LABEL MEDIAN RSS_KB BYTES: one summary line.
row() {
	[ -n "$2" ] || { say "$(printf '%-34s FAILED' "$1")"; return; }
	say "$(awk -v n="$1" -v m="$2" -v r="$3" -v b="$4" 'BEGIN {
		printf "%-34s median %7.3f s  ", n, m
		if (b > 0) printf "%5.2f GB/s  ", b/1e9/m
		printf "max peak RSS %6.1f MB", r/1024 }')"
}

# ratio LABEL NUM DEN TARGET [RSS_KB RSS_TARGET_MB]: "x.xx (target <= t): ok|MISSED".
ratio() {
	[ -n "$2" ] && [ -n "$3" ] || { say "$(printf '%-34s n/a' "$1")"; return; }
	say "$(awk -v n="$1" -v a="$2" -v b="$3" -v t="$4" -v r="${5:-}" -v rt="${6:-}" 'BEGIN {
		x = a / b
		s = sprintf("%-34s %5.2fx (target <= %.2fx: %s)", n, x, t, x <= t ? "ok" : "MISSED")
		if (r != "") s = s sprintf("   peak RSS %.1f MB (target <= %d MB: %s)", r/1024, rt, r/1024 <= rt ? "ok" : "MISSED")
		print s }')"
}

# check LABEL TRUTH [-usagescan FILE] [-ccusage FILE]: the totals against the truth.
check() {
	local label=$1 truth=$2
	shift 2
	[ "$BENCH_CHECK" != 0 ] || return 0
	if "$work/crosscheck" -truth "$truth" "$@" >"$work/check.txt" 2>&1; then
		say "check $label: $(grep -c identical "$work/check.txt") of $(($# / 2)) outputs identical to the truth"
	else
		cat "$work/check.txt" >&2
		say "check $label: DIFFERS from the truth (see above)"
		failed=1
	fi
}

# not_error FILE LABEL: a report's stderr must not carry an error.
not_error() {
	if grep -qi 'error' "$1"; then
		echo "bench: $2 wrote an error:" >&2
		cat "$1" >&2
		say "$2: stderr holds an error (see above)"
		failed=1
	fi
}

. scripts/find-ccusage.sh
[ -n "$cc" ] || echo "bench: ccusage not found (set CCUSAGE); measuring usagescan only"

# --- 1. The main tree ---
case $BENCH_PROFILE in
realistic) gentree "$BENCH_DIR" realistic "${BENCH_SIZE:-1.2GB}" "" ;;
legacy) gentree "$BENCH_DIR" legacy "${BENCH_SIZE:-1.1GB}" "" ;;
lean) if [ -n "${BENCH_SIZE:-}" ]; then gentree "$BENCH_DIR" lean "$BENCH_SIZE" ""; else gentree "$BENCH_DIR" lean "" 1000000; fi ;;
esac
treeinfo "$BENCH_DIR"
tree=$BENCH_DIR bytes=$BYTES
say ""
say "main tree: $tree ($BENCH_PROFILE, seed $BENCH_SEED): $BYTES bytes, $FILES files, $REQS unique requests ($(awk -v r="$REQS" -v b="$BYTES" 'BEGIN {printf "%.0f", r/(b/1e9)}') per GB); page cache warm, $(nproc) cores, $BENCH_RUNS runs each"

measure "(a) pure scan" "$work/a.json" : "$us" report --format json --tz UTC --no-store --logs "$tree"
a_med=$MEDIAN a_rss=$RSS
measure "(b) default run, fresh home" "$work/b.json" 'rm -rf "$work/data"; mkdir -p "$work/data"' \
	env CLAUDE_CONFIG_DIR="$tree" XDG_DATA_HOME="$work/data" "$us" report --format json --tz UTC
b_med=$MEDIAN b_rss=$RSS
storefile=$(find "$work/data" -type f -name '*.db' -printf '%s bytes: %p\n' 2>/dev/null | head -1)
measure "(c) default run, nothing new" "$work/c.json" : \
	env CLAUDE_CONFIG_DIR="$tree" XDG_DATA_HOME="$work/data" "$us" report --format json --tz UTC
c_med=$MEDIAN c_rss=$RSS
if [ "${BENCH_INGEST:-0}" = 1 ]; then # the explicit ingest: a first one into a new store each run, then one with nothing new
	measure "ingest (first)" /dev/null 'rm -f "$work/ingest.db" "$work/ingest.db-wal" "$work/ingest.db-shm"' \
		"$us" ingest --quiet --db "$work/ingest.db" --logs "$tree"
	ingest_first=$MEDIAN ingest_rss=$RSS
	measure "ingest (no change)" /dev/null : "$us" ingest --quiet --db "$work/ingest.db" --logs "$tree"
	ingest_none=$MEDIAN
fi
cc_med= cc_rss=
if [ -n "$cc" ]; then
	measure "(d) ccusage" "$work/d.json" : env CLAUDE_CONFIG_DIR="$tree" "$cc" claude monthly --json --offline -z UTC
	cc_med=$MEDIAN cc_rss=$RSS
fi

row "(a) usagescan pure scan" "$a_med" "$a_rss" "$bytes"
row "(b) usagescan fresh home" "$b_med" "$b_rss" "$bytes"
row "(c) usagescan nothing new" "$c_med" "$c_rss" "$bytes"
say "    store after (b): ${storefile:-none created under XDG_DATA_HOME}"
if [ "${BENCH_INGEST:-0}" = 1 ] && [ -n "${ingest_first:-}" ] && [ -n "${ingest_none:-}" ] && [ -n "$a_med" ]; then
	say "$(awk -v f="$ingest_first" -v n="$ingest_none" -v s="$a_med" -v r="$ingest_rss" 'BEGIN {
		printf "ingest first: median %.3f s (%.2fx the pure scan; target <= 1.5x), max peak RSS %.1f MB\n", f, f/s, r/1024
		printf "ingest with nothing new: median %.0f ms (target <= 100 ms)", n*1000 }')"
fi
if [ -n "$cc" ]; then
	row "(d) ccusage" "$cc_med" "$cc_rss" "$bytes"
	ratio "(a)/(d) pure scan" "$a_med" "$cc_med" 0.30 "$a_rss" 100
	ratio "(b)/(d) fresh home" "$b_med" "$cc_med" 0.60 "$b_rss" 100
	ratio "(c)/(d) nothing new" "$c_med" "$cc_med" 0.08 "$c_rss" 100
	say "$(awk -v a="$cc_rss" -v b="$a_rss" 'BEGIN {printf "%-34s %5.2fx", "peak RSS ccusage/(a)", a/b}')"
fi
if [ -f "$tree/truth.json" ]; then
	args=()
	[ -n "$a_med" ] && args+=(-usagescan "$work/a.json")
	[ -n "$cc_med" ] && args+=(-ccusage "$work/d.json")
	[ ${#args[@]} -gt 0 ] && check "main (a), (d)" "$tree/truth.json" "${args[@]}"
	[ -n "$b_med" ] && check "main (b)" "$tree/truth.json" -usagescan "$work/b.json"
	[ -n "$c_med" ] && check "main (c)" "$tree/truth.json" -usagescan "$work/c.json"
fi

# --- The status line on a warm store: the one (b) filled, fed a session's JSON (the
# tree's largest transcript, rate_limits present, the clock pinned just after its last
# request), against `usagescan --version` in the same run. Target: <= 15x.
sl_db="$work/data/usagescan/usage.db"
if [ -f "$sl_db" ]; then
	sl_transcript=$(find "$tree/projects" -type f -name '*.jsonl' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
	sl_last=$(grep -o '"timestamp":"[^"]*"' "$sl_transcript" | cut -d'"' -f4 | sort | tail -1)
	sl_now=$(($(date -u -d "$sl_last" +%s) + 60))
	printf '{"session_id":"bench","transcript_path":"%s","model":{"id":"claude-sonnet-4-6","display_name":"Sonnet 4.6"},"rate_limits":{"five_hour":{"used_percentage":42,"resets_at":%d},"seven_day":{"used_percentage":36,"resets_at":%d}}}\n' \
		"$sl_transcript" $((sl_now / 3600 * 3600 + 3 * 3600)) $((sl_now + 3 * 86400)) >"$work/statusline.json"
	export USAGESCAN_NOW=$(date -u -d "@$sl_now" +%Y-%m-%dT%H:%M:%SZ)
	"${sandbox[@]}" "$us" statusline --db "$sl_db" --plan max <"$work/statusline.json" >/dev/null # records the reading
	BENCH_RUNS=${BENCH_SL_RUNS:-11} measure "statusline" "$work/statusline.txt" : sh -c 'exec "$1" statusline --db "$2" --plan max <"$3"' sh "$us" "$sl_db" "$work/statusline.json"
	sl_med=$MEDIAN
	BENCH_RUNS=${BENCH_SL_RUNS:-11} measure "--version" /dev/null : "$us" --version
	v_med=$MEDIAN
	unset USAGESCAN_NOW
	say "statusline on the warm store: $(cat "$work/statusline.txt")"
	ratio "statusline/--version" "$sl_med" "$v_med" 15
fi

# --- 2. The lean tree: memory per request ---
if [ "$BENCH_LEAN" = 1 ] || [ "$BENCH_STORE" = 1 ]; then
	gentree "$BENCH_LEAN_DIR" lean "" 1000000
fi
if [ "$BENCH_LEAN" = 1 ]; then
	treeinfo "$BENCH_LEAN_DIR"
	say ""
	say "lean tree: $BENCH_LEAN_DIR: $BYTES bytes, $FILES files, $REQS unique requests"
	measure "lean (a) pure scan" "$work/la.json" : "$us" report --format json --tz UTC --no-store --logs "$BENCH_LEAN_DIR"
	la_med=$MEDIAN la_rss=$RSS
	row "(a) usagescan pure scan" "$la_med" "$la_rss" "$BYTES"
	args=()
	[ -n "$la_med" ] && args+=(-usagescan "$work/la.json")
	if [ -n "$cc" ]; then
		measure "lean (d) ccusage" "$work/ld.json" : env CLAUDE_CONFIG_DIR="$BENCH_LEAN_DIR" "$cc" claude monthly --json --offline -z UTC
		row "(d) ccusage" "$MEDIAN" "$RSS" "$BYTES"
		ratio "(a)/(d) pure scan" "$la_med" "$MEDIAN" 0.25 "$la_rss" 250
		[ -n "$MEDIAN" ] && args+=(-ccusage "$work/ld.json")
	fi
	[ ${#args[@]} -gt 0 ] && check "lean (a), (d)" "$BENCH_LEAN_DIR/truth.json" "${args[@]}"
fi

# --- 3. Reports from the store alone, 100k vs 1M requests ---
if [ "$BENCH_STORE" = 1 ]; then
	gentree "$BENCH_LEAN100K_DIR" lean "" 100000
	say ""
	declare -A whole month whole_rss month_rss
	for n in 100k 1m; do
		case $n in 100k) t=$BENCH_LEAN100K_DIR ;; 1m) t=$BENCH_LEAN_DIR ;; esac
		treeinfo "$t"
		db="$work/store-$n.db"
		t0=$(now)
		if ! "${sandbox[@]}" "$TIME" -v -o "$work/time.txt" "$us" ingest --quiet --db "$db" --logs "$t" >/dev/null 2>"$work/ingest.txt"; then
			cat "$work/ingest.txt" >&2
			say "store $n: ingest FAILED"
			failed=1
			continue
		fi
		t1=$(now)
		# The ingest leaves the store's pages for the kernel to write out: done
		# before the reports are timed, so that they do not run beside it.
		sync "$db" 2>/dev/null || sync
		say "$(awk -v n="$n" -v a="$t0" -v b="$t1" -v r="$REQS" -v kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")" \
			-v s="$(stat -c %s "$db")" 'BEGIN {
			printf "store %-4s: %d requests ingested in %.2f s (peak RSS %.1f MB), store %.0f MB", n, r, b-a, kb/1024, s/1e6 }')"
		# Reports from the store take tens of milliseconds: more runs, as for the status line.
		BENCH_RUNS=${BENCH_STORE_RUNS:-21} measure "store $n: whole history" "$work/s-$n.json" : \
			env CLAUDE_CONFIG_DIR="$work/empty" "$us" report --format json --tz UTC --db "$db"
		whole[$n]=$MEDIAN whole_rss[$n]=$RSS
		not_error "$work/s-$n.json.stderr" "store $n whole-history report"
		[ -n "$MEDIAN" ] && check "store $n whole history" "$t/truth.json" -usagescan "$work/s-$n.json"
		BENCH_RUNS=${BENCH_STORE_RUNS:-21} measure "store $n: one month" "$work/m-$n.json" : \
			env CLAUDE_CONFIG_DIR="$work/empty" "$us" report --format json --tz UTC --db "$db" --since 2026-06 --until 2026-06
		month[$n]=$MEDIAN month_rss[$n]=$RSS
		not_error "$work/m-$n.json.stderr" "store $n one-month report"
		row "store $n report, whole history" "${whole[$n]}" "${whole_rss[$n]}" 0
		row "store $n report, 2026-06" "${month[$n]}" "${month_rss[$n]}" 0
	done
	ratio "store whole history 1M/100k" "${whole[1m]:-}" "${whole[100k]:-}" 3 "${whole_rss[1m]:-}" 120
	ratio "store one month 1M/100k" "${month[1m]:-}" "${month[100k]:-}" 3 "${month_rss[1m]:-}" 120
	ratio "store 1M one month/whole" "${month[1m]:-}" "${whole[1m]:-}" 0.5
fi

echo
echo "=== bench summary ==="
printf '%s\n' "${summary_lines[@]}"
exit $failed

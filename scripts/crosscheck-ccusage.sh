#!/usr/bin/env bash
# Compare per month x model token totals of ccusage (and of usagescan, when it builds)
# with the truth of a benchgen tree, printing every difference.
#
#   scripts/crosscheck-ccusage.sh [TREE]
#
# TREE is a tree made by scripts/bench.sh (it holds truth.json; TRUTH=FILE points
# elsewhere). Without TREE a fresh tree of ${CROSSCHECK_SIZE:-50MB} (profile
# ${CROSSCHECK_PROFILE:-realistic}, seed ${CROSSCHECK_SEED:-1}) is generated in a
# temporary folder; CROSSCHECK_EDGE=1 adds the
# cases where ccusage 20.0.24 departs from the counting rule (benchgen -edge-cases).
# ccusage: see scripts/find-ccusage.sh ($CCUSAGE, else ../peer beside the checkout,
# else `ccusage` on PATH. Exit status: 0 identical, 1 differences or failure.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

die() { echo "crosscheck: $*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/usagescan-crosscheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
go build -o "$work/crosscheck" ./internal/benchgen/cmd/crosscheck

if [ $# -ge 1 ]; then
	tree=$1
	truth=${TRUTH:-$tree/truth.json}
	[ -f "$truth" ] || die "no truth file $truth (set TRUTH=FILE)"
else
	tree=$work/tree
	truth=$work/truth.json
	edge=()
	[ "${CROSSCHECK_EDGE:-0}" = 1 ] && edge=(-edge-cases)
	go run ./internal/benchgen/cmd/benchgen -out "$tree" -size "${CROSSCHECK_SIZE:-50MB}" -profile "${CROSSCHECK_PROFILE:-realistic}" \
		-seed "${CROSSCHECK_SEED:-1}" -truth "$truth" "${edge[@]}"
fi
[ -d "$tree/projects" ] || die "$tree/projects: no such folder"

. scripts/find-ccusage.sh
[ -n "$cc" ] || die "ccusage not found: set CCUSAGE (npm install @ccusage/ccusage-linux-x64@20.0.24 outside the repo)"

sandbox=(env -u CLAUDE_CONFIG_DIR HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
	XDG_CACHE_HOME="$work/home/.cache" XDG_DATA_HOME="$work/home/.local/share")

echo "crosscheck: CLAUDE_CONFIG_DIR=$tree $cc claude monthly --json --offline -z UTC --breakdown"
"${sandbox[@]}" CLAUDE_CONFIG_DIR="$tree" "$cc" claude monthly --json --offline -z UTC --breakdown >"$work/ccusage.json"
args=(-truth "$truth" -ccusage "$work/ccusage.json")

if go build -o "$work/usagescan" ./cmd/usagescan 2>"$work/build.txt"; then
	echo "crosscheck: usagescan report --format json --tz UTC --logs $tree"
	"${sandbox[@]}" "$work/usagescan" report --format json --tz UTC --logs "$tree" >"$work/usagescan.json" ||
		die "usagescan failed"
	args+=(-usagescan "$work/usagescan.json")
else
	echo "crosscheck: usagescan skipped (go build ./cmd/usagescan failed)"
fi
"$work/crosscheck" "${args[@]}"

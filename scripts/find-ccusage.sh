# Sourced by the bench scripts: sets cc to the ccusage binary, or "" when none.
# $CCUSAGE (or "none"), else an npm install in ../peer beside this checkout
# (npm install @ccusage/ccusage-linux-x64@20.0.24 there), else ccusage on PATH.
cc=${CCUSAGE:-}
if [ -z "$cc" ]; then
	peer="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/peer/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"
	if [ -x "$peer" ]; then
		cc=$peer
	else
		cc=$(command -v ccusage || true)
	fi
fi
if [ "$cc" = none ]; then cc=; fi

#!/bin/sh
# Renders a man page with every groff warning enabled; fails on any warning or error, or when groff
# is missing (groff-base comes from .ci/install-deps). Usage: groff_clean.sh PAGE
set -eu
page=$1
command -v groff >/dev/null || { echo "FAIL: groff is not installed (.ci/install-deps installs groff-base)"; exit 1; }
[ -s "$page" ] || { echo "FAIL: no man page at $page"; exit 1; }
out=$(groff -man -ww -z "$page" 2>&1) || { echo "FAIL: groff failed on $page:"; echo "$out"; exit 1; }
[ -z "$out" ] || { echo "FAIL: groff warns about $page:"; echo "$out"; exit 1; }
# The text must also survive a UTF-8 terminal rendering, as man shows it.
out=$(groff -man -ww -Tutf8 "$page" 2>&1 >/dev/null) || { echo "FAIL: groff -Tutf8 failed on $page:"; echo "$out"; exit 1; }
[ -z "$out" ] || { echo "FAIL: groff -Tutf8 warns about $page:"; echo "$out"; exit 1; }
echo "ok: $page renders without warnings"

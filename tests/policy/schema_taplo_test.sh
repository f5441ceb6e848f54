#!/bin/sh
# Validates every example policy (examples/**.toml) and every policy in README.md against the
# generated JSON Schema with taplo, as an editor would, and checks that a misspelt key fails.
# Usage: schema_taplo_test.sh SCHEMA SOURCE_DIR. taplo (@taplo/cli) comes from .ci/install-deps.
set -eu
schema=$1
src=$2
command -v taplo >/dev/null || { echo "FAIL: taplo is not installed (.ci/install-deps installs @taplo/cli)"; exit 1; }
[ -s "$schema" ] || { echo "FAIL: no schema at $schema"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lint() { taplo lint --colors never --schema "file://$schema" "$@" >"$work/out" 2>&1; }

failed=0
# README policies: the ```toml blocks that define a service (a `strategy`) or a [[notify]] channel;
# a block of [[service.NAME.decide]] rules alone is a fragment of a policy, not one.
awk -v dir="$work" '
  /^```toml/ { n++; file = dir "/readme-" n ".toml"; inside = 1; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print > file }
' "$src/README.md"
policies=$(find "$src/examples" -name '*.toml' ! -name '*.test.toml' | sort)
for f in "$work"/readme-*.toml; do
  grep -Eq '^strategy *=|^\[\[notify\]\]' "$f" && policies="$policies $f"
done
count=$(echo $policies | wc -w)
[ "$count" -ge 8 ] || { echo "FAIL: only $count policies found to validate"; failed=1; }
# One taplo run for all of them: each run compiles taplo's WebAssembly anew.
# shellcheck disable=SC2086
if ! lint $policies; then
  echo "FAIL: policies that do not match the schema (README blocks are in $work, shown below):"
  grep -h "invalid file" "$work/out"
  for f in "$work"/readme-*.toml; do grep -q "$f" "$work/out" && { echo "--- $f"; cat "$f"; }; done
  cat "$work/out"
  failed=1
fi

# The schema must be able to fail: a misspelt key, a wrong enum value, a bad duration and a key of
# another source kind, each in a file of its own, all of which taplo must name as invalid.
printf '[service.web]\nstrategy = "releases"\nreleases = "releases"\ncurent   = "current"\n' >"$work/misspelt.toml"
printf '[service.web]\nstrategy = "relases"\n' >"$work/enum.toml"
printf '[service.web]\nstrategy = "git"\ncheckout = "/srv"\ngit_timeout = "10 seconds"\n' >"$work/duration.toml"
printf '[service.web]\nstrategy = "git"\ncheckout = "/srv"\n[service.web.source.s]\nkind = "tcp"\nurl = "http://x/"\nport = 1\n' >"$work/kind.toml"
if lint "$work/misspelt.toml" "$work/enum.toml" "$work/duration.toml" "$work/kind.toml"; then
  echo "FAIL: taplo accepted every broken policy"; failed=1
fi
for f in misspelt enum duration kind; do
  grep "invalid file" "$work/out" | grep -q "$work/$f.toml" || { echo "FAIL: $f.toml passed the schema"; failed=1; }
done
grep -q "'curent' was unexpected" "$work/out" || { echo "FAIL: taplo did not name the misspelt key curent"; cat "$work/out"; failed=1; }
[ $failed -eq 0 ] && echo "ok: $count policies match the schema; a misspelt key, a bad value and another kind's key fail"
exit $failed

#!/bin/sh
# `make fuzz`: runs each libFuzzer target of BUILD/fuzz for SECONDS, seeded with its committed corpus
# (fuzz/corpus/NAME, only read) and its work folder (BUILD/fuzz-work/NAME, where new inputs go).
# A finding is saved under BUILD/fuzz-findings/NAME/ and makes the run fail; the summary gives each
# target's executions. With FUZZ_RUNS set, each target runs that many inputs instead of for SECONDS.
# Usage: fuzz/run.sh BUILD SECONDS [TARGET...]
set -u
cd "$(dirname "$0")/.."
build=$1
seconds=$2
shift 2
targets=${*:-$(sed -n 's/^  \([a-z_]*\)$/\1/p; s/^  \([a-z_]*\))$/\1/p' fuzz/targets.cmake)}
limit="-max_total_time=$seconds"
[ -z "${FUZZ_RUNS:-}" ] || limit="-runs=$FUZZ_RUNS"
failed=0
summary=""
for t in $targets; do
  work="$build/fuzz-work/$t"
  findings="$build/fuzz-findings/$t"
  mkdir -p "$work" "$findings"
  dict=""
  [ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
  echo "== $t: ${limit#-}"
  # -timeout: an input that takes seconds is a finding (a quadratic parser is a denial of service).
  "$build/fuzz/fuzz_$t" "$limit" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" $dict "$work" "fuzz/corpus/$t" \
    >"$build/fuzz-work/$t.log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-work/$t.log" | tail -1)
  if [ $status -ne 0 ]; then
    failed=1
    summary="$summary$t ${runs:-?} FINDING (see $build/fuzz-work/$t.log and $findings/)\n"
    tail -40 "$build/fuzz-work/$t.log"
  else
    summary="$summary$t ${runs:-?} none\n"
  fi
done
printf "\ntarget executions findings\n$summary" | awk '{ printf "%-22s %12s  %s\n", $1, $2, substr($0, length($1) + length($2) + 3) }'
exit $failed

#!/bin/sh
# The baseline: what a careful shell script does for the same rollback — atomic symlink switch,
# restart, then curl until healthy (same probe interval and attempts as the policy).
set -eu
cd "$1"
ln -sfn "$PWD/releases/$2" current.tmp
mv -T current.tmp current
./ctl restart
i=0
until curl -fsS -m 1 "http://127.0.0.1:$(cat port)/health" >/dev/null 2>&1; do
  i=$((i+1))
  [ $i -ge 30 ] && { echo "unhealthy" >&2; exit 2; }
  sleep 0.1
done

#!/bin/sh
# The quickstart, end to end: a healthy v1 runs, a broken v2 is deployed, backstop sees the failing
# health check, rolls back to v1, restarts, verifies, records and notifies, then shows the history.
# usage: demo.sh PATH/TO/backstop [WORKDIR]
set -eu
BACKSTOP=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${2:-$(mktemp -d /tmp/backstop-quickstart.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
  "$WORK/ctl" stop 2>/dev/null || true
  [ -n "${RECEIVER_PID:-}" ] && kill "$RECEIVER_PID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for port in 18080 18081; do
  if curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/"; then
    echo "demo: something already listens on 127.0.0.1:$port; stop it and run the demo again" >&2
    exit 1
  fi
done

say "Workspace $WORK"
# releases/v1 is healthy, releases/v2 is broken ("database pool misconfigured")
cp -R "$HERE/backstop.toml" "$HERE/runbooks" "$HERE/ctl" "$HERE/app.py" "$HERE/receiver.py" "$HERE/releases" "$WORK/"
ln -sfn "$WORK/releases/v1" "$WORK/current"
export BACKSTOP_POLICIES="$WORK/backstop.toml" BACKSTOP_STATE="$WORK/state"

say "backstop check: the policy and its runbook are valid"
"$BACKSTOP" check

say "Start the webhook receiver and the web service on v1"
python3 "$WORK/receiver.py" 18081 "$WORK/notifications.jsonl" & RECEIVER_PID=$!
"$WORK/ctl" start
"$BACKSTOP" verify web

say "Deploy v2 (broken): switch current and restart, as a deploy script would"
ln -sfn "$WORK/releases/v2" "$WORK/current.tmp" && mv -T "$WORK/current.tmp" "$WORK/current"
"$WORK/ctl" restart
"$BACKSTOP" points list web

say "backstop rollback web --dry-run: the plan, nothing changes"
"$BACKSTOP" rollback web --dry-run --reason "what would a rollback do?"

say "backstop verify web --rollback: health fails, so backstop rolls back"
set +e
"$BACKSTOP" verify web --rollback --actor demo --reason "post-deploy check of v2"
code=$?
set -e
echo "exit code: $code"

say "The service answers from v1 again"
curl -fsS http://127.0.0.1:18080/health 2>/dev/null || python3 -c 'import urllib.request;print(urllib.request.urlopen("http://127.0.0.1:18080/health").read().decode(), end="")'

say "The webhook receiver got"
cat "$WORK/notifications.jsonl"

say "backstop history"
"$BACKSTOP" history
"$BACKSTOP" history stats
exit "$code"

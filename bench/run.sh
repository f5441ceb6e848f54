#!/bin/sh
# Benchmarks (not tests): backstop's rollback against a bare shell doing the same steps on the
# quickstart service, backstop's own overhead (dry-run wall time, peak RSS), and the trigger
# evaluation rate (build/expression_bench).
# usage: bench/run.sh PATH/TO/backstop
set -eu
BACKSTOP=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
QS="$HERE/../examples/quickstart"
RUNS=${BENCH_RUNS:-15}
WORK=$(mktemp -d /tmp/backstop-bench.XXXXXX)
cleanup() { "$WORK/ctl" stop 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp "$QS/app.py" "$QS/ctl" "$WORK/"
echo "$PORT" > "$WORK/port"
for r in v1 v2; do mkdir -p "$WORK/releases/$r"; echo '{"healthy": true}' > "$WORK/releases/$r/release.json"; done
ln -sfn "$WORK/releases/v2" "$WORK/current"
cat > "$WORK/backstop.toml" <<TOML
[service.web]
strategy = "releases"
releases = "releases"
current  = "current"
restart  = ["./ctl", "restart"]

[service.web.health]
url      = "http://127.0.0.1:$PORT/health"
timeout  = "1s"
interval = "100ms"
attempts = 30

[service.web.rollback]
max_attempts = 1000000
window       = "1s"
TOML
export BACKSTOP_POLICIES="$WORK/backstop.toml" BACKSTOP_STATE="$WORK/state"
"$WORK/ctl" start
# Each timed run rolls v2 back to v1; the prepare step puts v2 back without restarting.
cat > "$WORK/prepare" <<SH
#!/bin/sh
ln -sfn $WORK/releases/v2 $WORK/current.tmp && mv -T $WORK/current.tmp $WORK/current
SH
chmod +x "$WORK/prepare"
PREPARE="$WORK/prepare"

echo "== rollback end to end: backstop vs bare shell ($RUNS runs each)"
hyperfine -N --style basic --runs "$RUNS" --warmup 2 --prepare "$PREPARE" --export-json "$WORK/rollback.json" \
  -n backstop "$BACKSTOP rollback web --to v1 --yes" \
  -n bare-shell "$HERE/bare_rollback.sh $WORK v1" >/dev/null

echo "== backstop overhead: rollback --dry-run"
"$PREPARE"  # back on v2; dry runs change nothing, so it stays there
hyperfine -N --style basic --runs $((RUNS * 3)) --warmup 3 --export-json "$WORK/dry.json" \
  -n dry-run "$BACKSTOP rollback web --dry-run" \
  -n true "true" >/dev/null

python3 - "$WORK" "$BACKSTOP" <<'PY'
import json, subprocess, sys
work, backstop = sys.argv[1], sys.argv[2]
def medians(name):
    return {r["command"]: sorted(r["times"])[len(r["times"]) // 2] for r in json.load(open(f"{work}/{name}.json"))["results"]}
roll, dry = medians("rollback"), medians("dry")
ratio = roll["backstop"] / roll["bare-shell"]
overhead_ms = dry["dry-run"] * 1000
start_ms = dry["true"] * 1000
# GNU time, not this Python's own rusage: Linux carries a process's peak RSS across exec, so a child
# forked from Python would report Python's size.
timed = subprocess.run(["/usr/bin/time", "-f", "%M", backstop, "rollback", "web", "--dry-run"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
rss_mb = int(timed.stderr.strip().splitlines()[-1]) / 1024
def verdict(ok): return "ok" if ok else "OVER TARGET"
print(f"rollback median: backstop {roll['backstop']*1000:.1f} ms, bare shell {roll['bare-shell']*1000:.1f} ms, "
      f"ratio {ratio:.2f}x (target <= 1.2x) {verdict(ratio <= 1.2)}")
print(f"overhead: dry-run wall time {overhead_ms:.1f} ms (target <= 15 ms) {verdict(overhead_ms <= 15)}; "
      f"starting `true` takes {start_ms:.1f} ms here")
print(f"peak RSS of a dry run: {rss_mb:.1f} MB (target <= 15 MB) {verdict(rss_mb <= 15)}")
PY

echo "== trigger evaluation on one core: the watcher's path (observation in, trigger step out) beside a raw Lua call"
BENCH_BIN="$(dirname "$BACKSTOP")/expression_bench"
"$BENCH_BIN" | tee "$WORK/expr.txt"
python3 - "$WORK/expr.txt" <<'PY'
import sys
figures = dict(line.split() for line in open(sys.argv[1]) if line.strip())
path, lua = float(figures["trigger_path_evals_per_s"]), float(figures["lua_call_evals_per_s"])
ok = path >= 10e6 and path * 4 >= lua
print(f"trigger path {path/1e6:.1f} M/s vs raw Lua call {lua/1e6:.1f} M/s (target >= 10 M/s and within 4x of Lua) "
      + ("ok" if ok else "OVER TARGET"))
PY

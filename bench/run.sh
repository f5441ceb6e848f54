#!/bin/sh
# Benchmarks (not tests): backstop's rollback against a bare shell doing the same steps on the
# quickstart service, backstop's own overhead (dry-run wall time, peak RSS), and the trigger
# evaluation rate (build/expression_bench); `backstop serve`'s event intake on loopback
# (build/event_load); `check` of a generated fleet of 1,000 policies and 100 runbooks
# (bench/gen_policies.py) and the memory (PSS) of `serve` holding that fleet (BENCH_SERVE_HOLD=600 to watch
# it for 10 minutes instead of 1).
# usage: bench/run.sh PATH/TO/backstop
set -eu
BACKSTOP=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
QS="$HERE/../examples/quickstart"
RUNS=${BENCH_RUNS:-15}
WORK=$(mktemp -d /tmp/backstop-bench.XXXXXX)
SERVE_PID= HEALTH_PID=
cleanup() {
  "$WORK/ctl" stop 2>/dev/null || true
  for pid in $SERVE_PID $HEALTH_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
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

# `backstop serve` on POLICIES in the background (log in $WORK/serve-NAME.log); returns once
# GET /healthz answers. Sets SERVE_PID and SERVE_PORT.
start_serve() {
  name=$1 policies=$2
  SERVE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BACKSTOP" --policies "$policies" --state "$WORK/state-$name" serve --listen "127.0.0.1:$SERVE_PORT" \
    --token-file "$WORK/token" >"$WORK/serve-$name.log" 2>&1 &
  SERVE_PID=$!
  python3 - "$SERVE_PORT" <<'PY'
import sys, time, urllib.request
deadline = time.time() + 60
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1).read()
        break
    except OSError:
        if time.time() > deadline: sys.exit("backstop serve did not answer /healthz within 60 s")
        time.sleep(0.05)
PY
}
stop_serve() { kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; SERVE_PID=; }

head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/token"
chmod 600 "$WORK/token"
CONNECTIONS=${BENCH_CONNECTIONS:-8}
SECONDS_LOAD=${BENCH_LOAD_SECONDS:-3}

echo "== event intake on loopback: backstop serve, POST /v1/events on $CONNECTIONS keep-alive connections for ${SECONDS_LOAD}s"
mkdir -p "$WORK/intake"
cat > "$WORK/intake/backstop.toml" <<TOML
[service.web]
strategy = "releases"
releases = "releases"
current  = "current"

[service.web.source.deploys]
kind  = "event"
match = { job = "web" }

[[service.web.trigger]]
name = "deploy_failed"
source = "deploys"
when = 'event == "deploy_failed" and failed'
then = "page"
TOML
start_serve intake "$WORK/intake/backstop.toml"
"$(dirname "$BACKSTOP")/event_load" "$SERVE_PORT" "$(cat "$WORK/token")" "$CONNECTIONS" "$SECONDS_LOAD" web deploys \
  | tee "$WORK/intake.txt"
stop_serve
python3 - "$WORK/intake.txt" <<'PY'
import sys
f = dict(line.split() for line in open(sys.argv[1]) if line.strip())
rate = float(f["events_per_s"])
ok = rate >= 10_000 and int(f["other_answers"]) == 0
print(f"event intake: {rate:,.0f} events/s accepted (2xx) (target >= 10,000 events/s, no other answers) "
      + ("ok" if ok else "OVER TARGET"))
PY

echo "== check of a generated fleet: 1,000 policies, 100 runbooks"
# The fleet's health checks all ask one stand-in server, so that serve below watches healthy services.
HEALTH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$HERE/health_server.py" "$HEALTH_PORT" &
HEALTH_PID=$!
FLEET="$WORK/fleet"
python3 "$HERE/gen_policies.py" "$FLEET" 1000 100 "$HEALTH_PORT"
"$BACKSTOP" --policies "$FLEET" check | tail -n 1
hyperfine -N --style basic --runs $((RUNS * 2)) --warmup 2 --export-json "$WORK/check.json" \
  -n check "$BACKSTOP --policies $FLEET check" >/dev/null
python3 - "$WORK/check.json" <<'PY'
import json, sys
times = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
ms = times[len(times) // 2] * 1000
print(f"check of 1,000 policies and 100 runbooks: median {ms:.1f} ms (target < 100 ms) " + ("ok" if ms < 100 else "OVER TARGET"))
PY

echo "== serve holding the fleet: memory when /healthz first answers, once every polled source was looked at, and ${BENCH_SERVE_HOLD:-60} s later"
start_serve fleet "$FLEET"
python3 - "$SERVE_PID" "$SERVE_PORT" "$WORK/serve-fleet.log" "${BENCH_SERVE_HOLD:-60}" <<'PY'
import re, sys, time, urllib.request
pid, port, log = sys.argv[1], sys.argv[2], sys.argv[3]
def memory():
    # PSS: shared library pages are charged in part to each process mapping them; RSS counts them whole.
    rollup = dict(line.split(":", 1) for line in open(f"/proc/{pid}/smaps_rollup").read().splitlines()[1:])
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    kb = lambda table, key: int(table[key].split()[0]) / 1024
    return kb(rollup, "Pss"), kb(status, "VmRSS"), int(status["Threads"])
ready = memory()
polled = None
deadline = time.time() + 120
while time.time() < deadline:
    m = re.search(r"(\d+) polled source", open(log).read())
    polled = int(m.group(1)) if m else polled
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    seen = sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith("backstop_source_observations_total{"))
    if polled is not None and seen >= polled:
        break
    time.sleep(0.2)
else:
    sys.exit("serve did not look at every polled source within 120 s")
looked = memory()
def verdict(mb): return "ok" if mb < 30 else "OVER TARGET"
print(f"serve with 1,000 services at /healthz: PSS {ready[0]:.1f} MB (VmRSS {ready[1]:.1f} MB), {ready[2]} threads "
      f"(target PSS < 30 MB) {verdict(ready[0])}")
print(f"serve after the first look at all {polled} polled sources: PSS {looked[0]:.1f} MB (VmRSS {looked[1]:.1f} MB), "
      f"{looked[2]} threads (target PSS < 30 MB) {verdict(looked[0])}")
hold = int(sys.argv[4])
if hold > 0:
    # Windows fill and state files get written: what the daemon settles at (health windows are 5 min).
    cpu_ticks = lambda: sum(int(x) for x in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
    ticks, start = cpu_ticks(), time.time()
    time.sleep(hold)
    held = memory()
    cpu = (cpu_ticks() - ticks) / 100 / (time.time() - start) * 100
    print(f"serve {hold} s later: PSS {held[0]:.1f} MB (VmRSS {held[1]:.1f} MB), {held[2]} threads, "
          f"{cpu:.1f}% of one core meanwhile (target PSS < 30 MB) {verdict(held[0])}")
PY
stop_serve

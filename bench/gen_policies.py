#!/usr/bin/env python3
"""Writes a large policy folder for the benchmarks (not a test): SERVICES policy files, one service
each, as a fleet would have them (health check, a log source, an event source, built-in rules from
`use` with tuning, triggers of their own, decision rules, a ladder of levels, some schedules), and
RUNBOOKS Lua runbooks with levels, each shared by SERVICES / RUNBOOKS services. Every service's
health check asks http://127.0.0.1:HEALTH_PORT/health/NAME.

usage: bench/gen_policies.py DIR [SERVICES [RUNBOOKS [HEALTH_PORT]]]   (defaults: 1000, 100, 8080)
"""
import os
import sys

RUNBOOK = """\
-- Runbook {n}: the standard switch, a fuller level that drains first, and checks around them.
local std = require("backstop.default")

local function drain(ctx)
  local r = http.post("http://127.0.0.1:{port}/admin/drain", json.encode({{ service = ctx.service.name }}),
                      {{ timeout = "2s" }})
  if not r then log.warn("drain request not answered") end
end

return {{
  pre = function(ctx)
    log.info(("runbook {n}: %s from %s to %s (%s)"):format(ctx.service.name, ctx.from, ctx.to, ctx.reason))
  end,
  levels = {{
    full = function(ctx)
      drain(ctx)
      service.switch(ctx.to)
      service.restart()
      sleep("1s")
    end,
    cold = function(ctx)
      service.switch(ctx.to)
      service.restart()
    end,
  }},
  verify = function(ctx)
    local ok, message = std.verify(ctx)
    if not ok then return ok, message end
    return wait_http("http://127.0.0.1:{port}/ready", {{ deadline = "20s" }})
  end,
}}
"""

POLICY = """\
# {name}: generated for the benchmarks (bench/gen_policies.py).
[service.{name}]
strategy = "releases"
releases = "/srv/{name}/releases"
current  = "/srv/{name}/current"
restart  = ["systemctl", "restart", "{name}.service"]
env      = "{env}"
use      = ["service_down", "critical_log", "p95_latency"]
cooldown = "15m"

[service.{name}.health]
url      = "http://127.0.0.1:{port}/health/{name}"
timeout  = "1s"
interval = "500ms"
attempts = 20

[service.{name}.source.app_log]
kind     = "log"
path     = "/var/log/{name}/app.log"
pattern  = "CRITICAL|Traceback|panic:"
interval = "15s"

[service.{name}.source.deploys]
kind  = "event"
match = {{ alertname = "DeployFailed", job = "{name}" }}

[service.{name}.rules.service_down]
failures = 2

[service.{name}.rules.p95_latency]
max_ms = {max_ms}
for    = "10m"

[[service.{name}.trigger]]
name     = "deploy_failed"
source   = "deploys"
when     = 'event == "deploy_failed" and failed'
severity = "critical"
then     = "rollback:full"

[[service.{name}.trigger]]
name     = "slow_and_failing"
source   = "health"
when     = "samples >= 5 and (p95 > {max_ms} or consecutive_failures >= 2) and not unknown"
for      = "2m"
severity = "warning"
window   = "5m"

[[service.{name}.decide]]
when = "down"
then = "rollback"

[[service.{name}.decide]]
when = 'severity == "critical" and hotfix_eta <= 15m'
then = "hotfix:15m"

[[service.{name}.decide]]
when = 'severity == "critical" and trigger in ["deploy_failed", "service_down"]'
then = "rollback:full"

[[service.{name}.decide]]
when = 'severity == "warning"'
then = "page"

[[service.{name}.decide]]
when = "true"
then = "none"
{schedule}
[service.{name}.rollback]
runbook      = "runbooks/runbook-{runbook:03d}.lua"
levels       = ["fast", "full", "cold", "manual"]
max_attempts = 3
window       = "1h"
hook_timeout = "2m"
exec_allow   = ["redis-cli"]
"""

SCHEDULE = """
[[service.{name}.schedule]]
cron = "0 4 * * 1"
then = "rollback:cold"
"""


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    services = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    runbooks = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    health_port = int(sys.argv[4]) if len(sys.argv) > 4 else 8080
    os.makedirs(os.path.join(root, "runbooks"), exist_ok=True)
    for n in range(runbooks):
        with open(os.path.join(root, "runbooks", f"runbook-{n:03d}.lua"), "w") as f:
            f.write(RUNBOOK.format(n=n, port=20000 + n))
    for i in range(services):
        name = f"svc-{i:04d}"
        text = POLICY.format(name=name, env=("prod", "staging", "canary")[i % 3], port=health_port,
                             max_ms=400 + 100 * (i % 7), runbook=i % runbooks,
                             schedule=SCHEDULE.format(name=name) if i % 10 == 0 else "")
        with open(os.path.join(root, f"{name}.toml"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

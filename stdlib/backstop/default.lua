-- The standard rollback, for every strategy. A user runbook returns a table with any of the
-- same fields; what it leaves out comes from here. Reuse it with require("backstop.default").
local M = { levels = {} }

-- Nothing to prepare by default; a runbook's pre(ctx) may refuse by raising an error.
function M.pre(ctx) end

-- fast: make the target live by the service's strategy (releases: switch `current`; git: reset or
-- revert, then push) and restart the service.
function M.levels.fast(ctx)
  service.switch(ctx.to)
  service.restart()
end

-- A systemd unit's state and restart count, for verify.
local function unit_state(unit)
  local active, state = systemd.is_active(unit)
  return active, state, systemd.show(unit, "NRestarts")
end

-- Healthy when the policy's health check passes within its attempts. A service without a health
-- check is verified by its restart command having succeeded. A service with a systemd `unit` must
-- also have it active before and after the health wait, without having restarted in between: a
-- unit that failed (or was restarted by systemd) during the window is a failed verification.
function M.verify(ctx)
  local unit = ctx.service.unit
  if unit == nil or ctx.dry_run then
    if ctx.service.health == nil then
      return true, "no health check configured"
    end
    return health.wait()
  end
  local active, state, restarts = unit_state(unit)
  if not active then
    return false, unit .. " is " .. state .. " (expected active)"
  end
  local ok, message = true, unit .. " is active"
  if ctx.service.health ~= nil then
    ok, message = health.wait()
  end
  local active_after, state_after, restarts_after = unit_state(unit)
  if not active_after then
    return false, unit .. " is " .. state_after .. " after the health wait (expected active)"
      .. (ok and "" or "; " .. message)
  end
  if restarts_after ~= restarts then
    return false, unit .. " restarted during verification (NRestarts " .. restarts .. " -> " .. restarts_after .. ")"
  end
  return ok, message
end

function M.post(ctx) end

-- What to do when a trigger whose `then` is "decide" fires and the service has no
-- [[service.NAME.decide]] rules: the default tree of backstop.decide.
M.decide = require("backstop.decide").default

return M

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

-- Healthy when the policy's health check passes within its attempts. A service without a health
-- check is verified by its restart command having succeeded.
function M.verify(ctx)
  if ctx.service.health == nil then
    return true, "no health check configured"
  end
  return health.wait()
end

function M.post(ctx) end

return M

-- Decision trees for decide(ctx). A decide function gets what fired and returns an action —
-- "rollback", "rollback:LEVEL", "hotfix", "hotfix:DURATION", "page" or "none" — and, optionally,
-- why (the history records it as the rule that matched).
local M = {}

-- The default tree, after Pi Forge's: a service that does not answer is rolled back at once; a
-- critical problem waits for a hotfix announced (`backstop hotfix SERVICE --eta`) to land within
-- 15 minutes, and is rolled back otherwise; a warning pages; anything else is left alone.
function M.default(ctx)
  if ctx.down then return "rollback", "down" end
  if ctx.severity == "critical" then
    if ctx.hotfix_eta ~= nil and ctx.hotfix_eta <= 15 * 60 then
      return "hotfix:15m", "critical, hotfix due within 15m"
    end
    return "rollback", "critical"
  end
  if ctx.severity == "warning" then return "page", "warning" end
  return "none", "info"
end

return M

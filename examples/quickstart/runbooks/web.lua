-- The quickstart's runbook: the standard rollback (switch `current`, restart, verify health),
-- plus a notification to a webhook once the rollback is verified.
local WEBHOOK = "http://127.0.0.1:18081/hooks/rollback"

return {
  pre = function(ctx)
    log.info(("rolling %s back from %s to %s (%s)"):format(ctx.service.name, ctx.from, ctx.to, ctx.reason))
  end,

  post = function(ctx)
    local body = json.encode({
      text = ("%s rolled back: %s -> %s"):format(ctx.service.name, ctx.from, ctx.to),
      service = ctx.service.name, env = ctx.service.env, from = ctx.from, to = ctx.to,
      level = ctx.level, actor = ctx.actor, reason = ctx.reason, trigger = ctx.trigger,
      run_id = ctx.run_id, host = ctx.host,
    })
    local resp, err = http.post(WEBHOOK, body, { timeout = "2s", headers = { ["Content-Type"] = "application/json" } })
    if not resp then
      log.warn("webhook not delivered: " .. err)
    elseif resp.status >= 300 then
      log.warn("webhook answered " .. resp.status)
    end
  end,
}

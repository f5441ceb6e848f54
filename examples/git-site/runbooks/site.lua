-- Integrity is the trigger: roll back only when index.json of the published version is corrupt
-- (ctx.from: the tip of the pushed branch, which CI may have moved past this checkout's HEAD), and
-- call the rollback verified only when the file at HEAD now parses.
local ARTIFACT = "index.json"

local function intact(rev)
  local ok, text = pcall(git.show, rev, ARTIFACT)
  if not ok then return false, ARTIFACT .. " missing at " .. rev end
  local doc, err = json.decode(text)
  if doc == nil then return false, ARTIFACT .. " does not parse: " .. err end
  return true, hash.sha256(text)
end

return {
  pre = function(ctx)
    local ok, detail = intact(ctx.from)
    if ok then return nothing_to_do(ARTIFACT .. " at " .. ctx.from .. " is intact (sha256 " .. detail .. ")") end
    log.warn(detail .. "; rolling back to " .. ctx.to)
  end,

  verify = function(ctx)
    -- A dry run switches nothing: HEAD is still the broken version, so look at the target instead.
    local ok, detail = intact(ctx.dry_run and ctx.to or "HEAD")
    return ok, ok and (ARTIFACT .. " intact, sha256 " .. detail) or detail
  end,
}

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
    if ok then error(ARTIFACT .. " at " .. ctx.from .. " is intact (sha256 " .. detail .. "); nothing to roll back") end
    log.warn(detail .. "; rolling back to " .. ctx.to)
  end,

  verify = function(ctx)
    local ok, detail = intact("HEAD")
    return ok, ok and (ARTIFACT .. " intact, sha256 " .. detail) or detail
  end,
}

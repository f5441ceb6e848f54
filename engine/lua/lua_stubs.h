// LuaLS annotation stubs (---@meta) of the runbook API, generated from runbook_api.h, so that
// lua-language-server completes and type-checks runbooks.
#pragma once

#include <string>

namespace backstop::lua {

std::string luals_stubs();

}  // namespace backstop::lua

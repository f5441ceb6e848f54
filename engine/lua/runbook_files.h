// Which files are read as runbook code. A runbook and the modules it requires must resolve, after
// symlinks, to regular files named *.lua, and a module must stay inside the folder it was looked
// up in: error messages quote lines of such files, and of no other (a symlinked ssh key or
// /etc/shadow named as a runbook must not reach stdout, history or CI logs).
#pragma once

#include <filesystem>
#include <string>

namespace backstop::lua {

// "" when `file` may be read as a runbook; otherwise why not ("…/shadow is not a .lua file").
// The message names paths, never content.
std::string runbook_file_problem(const std::filesystem::path& file);

// "" when `file` may be loaded as a module found under `root`: a runbook file (as above) that,
// with symlinks resolved, is inside `root`. `file` must exist.
std::string module_file_problem(const std::filesystem::path& file, const std::filesystem::path& root);

}  // namespace backstop::lua

// What git is given from a policy, checked when policies load: a branch name, a remote and a
// revision. These strings reach git's argv as written, so each check also keeps them from being
// read as options.
#pragma once

#include <string>
#include <string_view>

namespace backstop {

// Each returns "" when `text` is fine, otherwise why not (for a FILE:LINE:COL message).
// A branch: a name `refs/heads/NAME` may have (the rules of `git check-ref-format --branch`).
std::string git_branch_problem(std::string_view branch);
// A remote: the name of a remote configured in the checkout, a URL or a path.
std::string git_remote_problem(std::string_view remote);
// A revision (`known_good`): a commit id, tag or other name git resolves.
std::string git_revision_problem(std::string_view revision);

}  // namespace backstop

// Every name a run's step can have (lock, target, switch, …), as the terminal and history show them:
// a policy test that names a plan's steps is checked against it, since no plan can have another.
#pragma once

#include <span>
#include <string_view>

namespace backstop {

std::span<const std::string_view> run_step_names();
bool is_run_step_name(std::string_view name);

}  // namespace backstop

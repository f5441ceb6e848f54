// One [[notify]] table → an immutable NotifyChannel: its keys per channel type, required ones,
// defaults, accepted events, and "${env:NAME}" syntax of every field that may hold a secret.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

#include "policy/policy.h"
#include "policy/raw_value.h"
#include "policy/report.h"

namespace backstop::policy {

// Checks one element of the `notify` array and reports every problem. The caller keeps the
// result only when no error was reported. A relative `ca_file` resolves against `base_dir`, the
// policy file's folder.
NotifyChannel compile_notify(const RawValue& table, Report& report, const std::filesystem::path& base_dir);

// The outcomes a channel can announce, and the default `events`.
std::span<const std::string_view> notify_events();

}  // namespace backstop::policy

// The files of rules/ (the built-in trigger library), compiled into the binary at build time by
// engine/embed_files.cmake, so `use = ["service_down"]` never depends on files on disk.
#pragma once

#include <span>
#include <string_view>

namespace backstop::policy {

struct BuiltinRuleFile {
    std::string_view name;    // "availability"
    std::string_view path;    // "rules/availability.toml": the file name diagnostics show
    std::string_view source;
};

std::span<const BuiltinRuleFile> builtin_rule_files();

}  // namespace backstop::policy

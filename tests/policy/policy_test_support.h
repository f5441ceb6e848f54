// Shorthands for policy tests: load inline TOML and summarise diagnostics as "code file:line:col".
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace backstop::test {

inline PolicyLoadResult load_one(std::string text, std::string name = "web.toml",
                                 std::filesystem::path base_dir = "/etc/backstop") {
    return load_policies({PolicySource{std::move(name), std::move(text), std::move(base_dir)}});
}

// One string per diagnostic, in reported order, so a test shows every expected problem at once.
inline std::vector<std::string> summary(const PolicyLoadResult& result) {
    std::vector<std::string> out;
    for (const auto& d : result.diagnostics.items())
        out.push_back(d.code + " " + d.where.file + ":" + std::to_string(d.where.line) + ":" +
                      std::to_string(d.where.column));
    return out;
}

inline const Diagnostic* first_with_code(const PolicyLoadResult& result, const std::string& code) {
    for (const auto& d : result.diagnostics.items())
        if (d.code == code) return &d;
    return nullptr;
}

}  // namespace backstop::test

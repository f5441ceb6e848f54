// `backstop check`: every problem in the policies and their runbooks, in one run.
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/json_text.h"
#include "lua/runbook_engine.h"

namespace backstop::cli {

namespace {

Diagnostics check_runbooks(const std::vector<RunbookReference>& runbooks) {
    Diagnostics out;
    std::set<std::filesystem::path> seen;
    for (const auto& ref : runbooks) {
        const auto& file = ref.file;
        if (!seen.insert(file).second) continue;
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::ifstream policy(ref.at.file, std::ios::binary);
            std::ostringstream policy_text;
            policy_text << policy.rdbuf();
            std::string line = line_of(policy_text.str(), ref.at.line);
            out.error("missing-runbook", ref.at, "runbook file not found: " + file.string(), line);
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        out.append(check_runbook(file, text.str(), {}, std::filesystem::path(ref.at.file).parent_path()));
    }
    return out;
}

}  // namespace

int run_check(App& app) {
    PolicyLoadResult loaded = app.load_policies();
    Diagnostics all = loaded.diagnostics;
    all.append(check_runbooks(loaded.runbooks));
    all.sort();
    if (app.json) {
        nlohmann::json j = all.to_json();
        j["services"] = loaded.policies.services.size();
        std::cout << json_text(j, 2) << "\n";
    } else {
        std::cout << all.to_text();
        std::cout << app.policies_path.string() << ": " << loaded.policies.services.size() << " service(s), "
                  << all.error_count() << " error(s), " << all.warning_count() << " warning(s)\n";
    }
    return all.has_errors() ? 1 : 0;
}

}  // namespace backstop::cli

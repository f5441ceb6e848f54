// `backstop check`: every problem in the policies and their runbooks, in one run.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/did_you_mean.h"
#include "core/parallel_for.h"
#include "core/json_text.h"
#include "lua/runbook_engine.h"
#include "lua/runbook_files.h"

namespace backstop::cli {

namespace {

// A level every service has without a runbook function: it ends the run with a checklist.
constexpr const char* kManualLevel = "manual";

// The levels of each runbook file that loaded (its own and the default runbook's).
using RunbookLevels = std::map<std::filesystem::path, std::vector<std::string>>;

// Checks runbooks one after another in one Lua engine: making an engine costs more than loading a
// runbook into it. One runbook's top level could change a table every runbook shares (the default
// runbook's levels, say), which a new engine would not have: after each runbook an empty one shows
// whether the engine still looks new, and one that does not is replaced. A runbook with errors is
// checked again in a new engine, so that what it is told is its own.
class RunbookChecker {
public:
    Diagnostics check(const std::filesystem::path& file, const std::string& text, const std::filesystem::path& policy_dir,
                      std::vector<std::string>* levels) {
        if (!engine_) engine_.emplace(new_engine());
        Diagnostics found = check_runbook(*engine_, file, text, policy_dir, levels);
        if (found.has_errors()) {
            engine_.reset();
            RunbookEngine fresh = new_engine();
            return check_runbook(fresh, file, text, policy_dir, levels);
        }
        if (looks(*engine_) != baseline().look) engine_.reset();
        return found;
    }

    // The default runbook's levels, sorted: those of a service without a runbook. Asked after the
    // runbooks were checked, so with no other thread left.
    static const std::vector<std::string>& default_levels() {
        if (!baseline().taken) new_engine();
        return baseline().levels;
    }

private:
    // What a new engine is like, taken from the first one made: each engine is a worker process,
    // so one made only to be looked at would cost another.
    struct Baseline {
        bool taken = false;
        std::vector<std::string> levels;  // the default runbook's
        std::vector<std::string> look;    // looks() of a new engine
    };
    static Baseline& baseline() {
        static Baseline b;
        return b;
    }

    static RunbookEngine new_engine() {
        static std::once_flag once;
        RunbookEngine engine;
        std::call_once(once, [&] {
            baseline().levels = engine.levels();
            baseline().look = looks(engine);
            baseline().taken = true;
        });
        return engine;
    }

    // What `check` relies on in an engine with an empty runbook: the default levels and hooks.
    static std::vector<std::string> looks(RunbookEngine& engine) {
        std::vector<std::string> seen;
        if (!check_runbook(engine, "(empty runbook)", "return {}", {}, &seen).items().empty()) return {"(broken)"};
        for (auto hook : kRunbookHooks)
            if (engine.has_hook(hook)) seen.push_back("hook:" + std::string(hook));
        return seen;
    }

    std::optional<RunbookEngine> engine_;
};

// The line `at` points to, read again from its file: only diagnostics that are reported need it.
std::string quoted_line(const SourcePosition& at) {
    std::ifstream in(at.file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return line_of(text.str(), at.line);
}

// Every runbook a policy names, once each, shared out over the cores.
Diagnostics check_runbooks(const std::vector<RunbookReference>& runbooks, RunbookLevels& levels) {
    std::vector<const RunbookReference*> distinct;
    std::set<std::filesystem::path> seen;
    for (const auto& ref : runbooks)
        if (seen.insert(ref.file).second) distinct.push_back(&ref);

    struct Checked {
        Diagnostics diagnostics;
        std::optional<std::vector<std::string>> levels;  // when it loaded
    };
    std::vector<Checked> checked(distinct.size());
    parallel_for(distinct.size(), 8, 4, [&](std::size_t i) {
        const RunbookReference& ref = *distinct[i];
        Checked& out = checked[i];
        std::error_code ec;
        if (std::filesystem::exists(ref.file, ec)) {
            if (std::string why = lua::runbook_file_problem(ref.file); !why.empty()) {
                out.diagnostics.error("bad-runbook", ref.at, why, quoted_line(ref.at));
                return;
            }
        }
        std::ifstream in(ref.file, std::ios::binary);
        if (!in) {
            std::ifstream policy(ref.at.file, std::ios::binary);
            std::ostringstream policy_text;
            policy_text << policy.rdbuf();
            std::string line = line_of(policy_text.str(), ref.at.line);
            out.diagnostics.error("missing-runbook", ref.at, "runbook file not found: " + ref.file.string(), line);
            return;
        }
        std::ostringstream text;
        text << in.rdbuf();
        std::vector<std::string> found;
        thread_local RunbookChecker checker;
        out.diagnostics = checker.check(ref.file, text.str(), std::filesystem::path(ref.at.file).parent_path(), &found);
        if (!out.diagnostics.has_errors()) out.levels = std::move(found);
    });

    Diagnostics out;
    for (std::size_t i = 0; i < distinct.size(); ++i) {
        out.append(checked[i].diagnostics);
        if (checked[i].levels) levels[distinct[i]->file] = std::move(*checked[i].levels);
    }
    return out;
}

// Each level a policy names must be one its runbook has (or `manual`); a run would refuse it.
// References to a runbook that did not load are skipped: its own error says enough.
Diagnostics check_levels(const PolicyLoadResult& loaded, const RunbookLevels& runbook_levels) {
    Diagnostics out;
    if (loaded.levels.empty()) return out;
    // Each runbook's levels with `manual`, sorted, as a message lists them.
    auto with_manual = [](std::vector<std::string> levels) {
        if (std::find(levels.begin(), levels.end(), kManualLevel) == levels.end()) levels.push_back(kManualLevel);
        std::sort(levels.begin(), levels.end());
        return levels;
    };
    const std::vector<std::string> default_levels = with_manual(RunbookChecker::default_levels());
    std::map<std::filesystem::path, std::vector<std::string>> known;
    for (const auto& [file, levels] : runbook_levels) known.emplace(file, with_manual(levels));
    // The levels of each service's runbook, by its index in loaded.runbooks; null: it did not load.
    std::vector<const std::vector<std::string>*> of_runbook(loaded.runbooks.size(), nullptr);
    for (std::size_t i = 0; i < loaded.runbooks.size(); ++i)
        if (auto it = known.find(loaded.runbooks[i].file); it != known.end()) of_runbook[i] = &it->second;

    for (const LevelReference& ref : loaded.levels) {
        const bool by_default = ref.runbook == LevelReference::kDefaultRunbook;
        const RunbookReference* runbook = by_default ? nullptr : &loaded.runbooks.at(ref.runbook);
        const std::vector<std::string>* levels = by_default ? &default_levels : of_runbook[ref.runbook];
        if (!levels) continue;
        if (std::binary_search(levels->begin(), levels->end(), ref.level)) continue;

        std::string list;
        for (const auto& k : *levels) list += (list.empty() ? "" : ", ") + k;
        std::string message = "unknown level `" + ref.level + "`; ";
        if (!runbook) {
            message += "the default runbook has: " + list;
        } else {
            // As the policy would name it: relative to the policy file's folder.
            auto folder = std::filesystem::absolute(ref.at.file).lexically_normal().parent_path();
            auto shown = runbook->file.lexically_relative(folder);
            message += (shown.empty() ? runbook->file : shown).string() + " has: " + list;
        }
        std::vector<std::string_view> candidates(levels->begin(), levels->end());
        if (auto guess = did_you_mean(ref.level, candidates)) message += "; did you mean `" + *guess + "`?";
        else if (!runbook) message += " (a runbook's `levels` table defines more)";
        out.error("unknown-level", ref.at, std::move(message), quoted_line(ref.at));
    }
    return out;
}

}  // namespace

int run_check(App& app) {
    // Never freed: the process ends right after, and taking a fleet's compiled policies apart one
    // allocation at a time on the main thread was 5% of `check`. Held by a static so that it stays
    // reachable and LeakSanitizer (`make test-asan`) does not count it; volatile, or the compiler
    // drops a store nothing reads.
    static PolicyLoadResult* volatile kept = nullptr;
    kept = new PolicyLoadResult(app.load_policies());
    PolicyLoadResult& loaded = *kept;
    Diagnostics all = loaded.diagnostics;
    RunbookLevels levels;
    all.append(check_runbooks(loaded.runbooks, levels));
    all.append(check_levels(loaded, levels));
    all.sort();
    // A service with environments is one service: its environments are counted apart.
    std::set<std::string> names;
    std::size_t environments = 0;
    for (const auto& [key, svc] : loaded.policies.services) {
        names.insert(svc.name);
        environments += svc.has_environments ? 1 : 0;
    }
    if (app.json) {
        nlohmann::json j = all.to_json();
        j["services"] = names.size();
        j["environments"] = environments;
        std::cout << json_text(j, 2) << "\n";
    } else {
        std::cout << all.to_text();
        std::cout << app.policies_path.string() << ": " << names.size() << " service(s)"
                  << (environments ? " (" + std::to_string(environments) + " environments)" : std::string()) << ", "
                  << all.error_count() << " error(s), " << all.warning_count() << " warning(s)\n";
    }
    return all.has_errors() ? 1 : 0;
}

}  // namespace backstop::cli

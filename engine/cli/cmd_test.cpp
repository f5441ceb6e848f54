// `backstop test FILE...`: policy tests that teams keep beside their policies, as promtool tests
// Prometheus rules. Each test replays observations or events through the policies, as `simulate`
// does, in a scratch state folder (no history, pauses or points: the same answer on every machine),
// and compares what the triggers did with what the test expects. Nothing is observed or acted on.
#include <stdlib.h>

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/policy_test_file.h"
#include "cli/simulation.h"
#include "cli/verbs.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/json_text.h"
#include "prim/point_store.h"

namespace backstop::cli {

namespace {

// An empty state folder for one test, removed after it.
class ScratchState {
public:
    ScratchState() {
        std::string pattern = (std::filesystem::temp_directory_path() / "backstop-test-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw Error("cannot make a scratch state folder in " + pattern);
        path_ = pattern;
    }
    ~ScratchState() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

std::string offset_text(std::int64_t ms) { return "+" + format_duration(Duration{ms}); }

std::vector<std::string> planned_step_names(const std::vector<StepRecord>& steps) {
    std::vector<std::string> names;
    for (const StepRecord& s : steps) names.push_back(s.name);
    return names;
}

// "[lock, target, switch, record]"
std::string plan_list_text(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return "[" + out + "]";
}

// "+1m10s web/service_down fire rollback:fast (default tree: down) dry_run to v1 plan [lock, …]"
std::string describe_step(const SimulatedStep& s) {
    const TriggerReport& r = s.report;
    std::string out = offset_text(s.at_ms) + " " + r.service + "/" + r.trigger + " " + to_string(r.step);
    if (!r.action.empty()) out += " " + r.action + " (" + r.rule + ") " + to_string(r.outcome);
    if (!r.guard.empty()) out += " guard " + r.guard;
    if (!r.to.empty()) out += " to " + r.to;
    if (r.rolled_back) out += " plan " + plan_list_text(planned_step_names(s.plan_steps));
    return out;
}

std::string describe_expectation(const ExpectedStep& e) {
    std::string out = (e.at_ms ? offset_text(*e.at_ms) + " " : "") + e.service + "/" + e.trigger + " " + e.step;
    if (e.action) out += " " + *e.action;
    if (e.rule) out += " (" + *e.rule + ")";
    if (e.outcome) out += " " + *e.outcome;
    if (e.guard) out += " guard " + *e.guard;
    if (e.to) out += " to " + *e.to;
    if (e.plan) out += " plan " + plan_list_text(*e.plan);
    return out;
}

// A plan matches only when it has exactly the expected steps in their order: a step dropped,
// added or moved fails the test.
bool step_matches(const ExpectedStep& e, const SimulatedStep& s) {
    const TriggerReport& r = s.report;
    return (!e.at_ms || *e.at_ms == s.at_ms) && e.service == r.service && e.trigger == r.trigger && e.step == to_string(r.step) &&
           (!e.action || *e.action == r.action) && (!e.rule || *e.rule == r.rule) && (!e.outcome || *e.outcome == to_string(r.outcome)) &&
           (!e.guard || *e.guard == r.guard) && (!e.to || *e.to == r.to) && (!e.plan || *e.plan == planned_step_names(s.plan_steps));
}

// Where a planned run's steps first part from the expected ones; empty when they do not.
std::string plan_difference(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
    std::size_t i = 0;
    while (i < expected.size() && i < got.size() && expected[i] == got[i]) ++i;
    const std::string n = "step " + std::to_string(i + 1);
    if (i < expected.size() && i < got.size()) return n + ": expected `" + expected[i] + "`, the plan has `" + got[i] + "`";
    if (i < expected.size()) return n + ": expected `" + expected[i] + "`, the plan ends before it";
    if (i < got.size()) return n + ": the plan has `" + got[i] + "`, not expected";
    return "";
}

// What the expected trigger did instead, for the failure message.
std::string what_the_trigger_did(const ExpectedStep& e, const std::vector<SimulatedStep>& steps) {
    std::string out;
    for (const SimulatedStep& s : steps) {
        if (s.report.service != e.service || s.report.trigger != e.trigger || s.report.step == TriggerStep::quiet) continue;
        out += "\n        " + describe_step(s);
        if (e.plan && s.report.rolled_back)
            if (std::string diff = plan_difference(*e.plan, planned_step_names(s.plan_steps)); !diff.empty()) out += "\n          plan " + diff;
    }
    return out.empty() ? " it was quiet throughout (or never evaluated)" : out;
}

// Each expectation must match a step of the replay (in order, each step matching once), and every
// step that fired must have been expected: a rollback nobody expected is a failure too.
std::vector<std::string> compare_with_expectations(const PolicyTestCase& c, const std::vector<SimulatedStep>& steps) {
    std::vector<std::string> problems;
    std::vector<bool> used(steps.size(), false);
    for (const ExpectedStep& e : c.expect) {
        std::size_t i = 0;
        while (i < steps.size() && (used[i] || !step_matches(e, steps[i]))) ++i;
        if (i < steps.size()) {
            used[i] = true;
            continue;
        }
        problems.push_back("expected (" + e.at.file + ":" + std::to_string(e.at.line) + "): " + describe_expectation(e) +
                           "\n      got:" + what_the_trigger_did(e, steps));
    }
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (!used[i] && steps[i].report.step == TriggerStep::fire) problems.push_back("unexpected: " + describe_step(steps[i]));
    return problems;
}

std::vector<SimulatedStep> replay_test(const App& app, const PolicySet& policies, const PolicyTestCase& c) {
    ScratchState scratch;
    App scratch_app = app;
    scratch_app.state_dir = scratch.path();
    Simulation sim(scratch_app, policies, false);
    std::vector<SimulatedStep> steps;
    auto keep = [&steps](std::vector<SimulatedStep> more) {
        for (SimulatedStep& s : more) steps.push_back(std::move(s));
    };
    if (c.events_file) {
        for (const ReplayedEvent& e : read_replay_events(policies, read_recording_file(*c.events_file), c.events_file->string())) keep(sim.observe(e));
        return steps;
    }
    const std::string where = c.observations_file ? c.observations_file->string() : c.at.file + ": [[test.observation]]";
    const std::string text = c.observations_file ? read_recording_file(*c.observations_file) : c.inline_observations;
    for (ReplayedObservation& o : read_replay_observations(policies, text, where))
        keep(sim.observe(*o.service, std::move(o.observation), o.at_ms));
    return steps;
}

struct CaseResult {
    std::string file;
    std::string name;
    std::vector<std::string> problems;
};

// The results of one file's tests; a file that cannot be read, or whose policies do not load, is one
// failed result saying why.
std::vector<CaseResult> run_test_file(const App& app, const std::filesystem::path& path) {
    Diagnostics found;
    std::optional<PolicyTestFile> file = read_policy_test_file(path, found);
    if (!file) return {{path.string(), "(the test file)", {found.to_text()}}};
    App with_policies = app;
    if (file->policies) with_policies.policies_path = *file->policies;
    PolicyLoadResult loaded = with_policies.load_policies();
    if (loaded.diagnostics.has_errors())
        return {{path.string(), "(its policies)", {loaded.diagnostics.to_text() + "the policies do not load (backstop check)"}}};
    std::vector<CaseResult> results;
    for (const PolicyTestCase& c : file->tests) {
        CaseResult r{path.string(), c.name, {}};
        try {
            r.problems = compare_with_expectations(c, replay_test(with_policies, loaded.policies, c));
        } catch (const Error& e) {
            r.problems.push_back(std::string("cannot replay: ") + e.what());
        }
        results.push_back(std::move(r));
    }
    return results;
}

void print_results_text(const std::vector<CaseResult>& results) {
    std::size_t failed = 0;
    for (const CaseResult& r : results) {
        std::cout << (r.problems.empty() ? "ok    " : "FAIL  ") << r.file << ": " << r.name << "\n";
        for (const std::string& p : r.problems) std::cout << "    " << p << "\n";
        failed += r.problems.empty() ? 0 : 1;
    }
    std::cout << results.size() << " test(s), " << failed << " failed\n";
}

void print_results_json(const std::vector<CaseResult>& results) {
    nlohmann::json out = nlohmann::json::array();
    for (const CaseResult& r : results) out.push_back({{"file", r.file}, {"test", r.name}, {"ok", r.problems.empty()}, {"problems", r.problems}});
    std::cout << json_text(out, 2) << "\n";
}

}  // namespace

int run_test(App& app) {
    // The verb table has checked that at least one file follows the verb (positionals[0]).
    const auto& pos = app.args.positionals;
    std::vector<CaseResult> results;
    for (std::size_t i = 1; i < pos.size(); ++i)
        for (CaseResult& r : run_test_file(app, pos[i])) results.push_back(std::move(r));
    if (app.json) print_results_json(results);
    else print_results_text(results);
    for (const CaseResult& r : results)
        if (!r.problems.empty()) return static_cast<int>(Exit::failed);
    return 0;
}

}  // namespace backstop::cli

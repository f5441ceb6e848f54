#include "cli/policy_test_file.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/did_you_mean.h"
#include "core/duration.h"
#include "core/error.h"
#include "policy/field_reader.h"
#include "policy/report.h"
#include "policy/toml_reader.h"
#include "runtime/run_step_names.h"

namespace backstop::cli {

namespace {

using policy::FieldReader;
using policy::RawMember;
using policy::RawValue;
using policy::Report;

constexpr std::array<std::string_view, 2> kFileKeys = {"policies", "test"};
constexpr std::array<std::string_view, 5> kTestKeys = {"name", "observations", "events", "observation", "expect"};
constexpr std::array<std::string_view, 10> kExpectKeys = {"at",      "service", "trigger", "step", "action",
                                                          "rule",    "outcome", "to",      "plan", "guard"};
constexpr std::array<std::string_view, 4> kGuards = {"pause", "cooldown", "max_attempts", "lock"};
constexpr std::array<std::string_view, 6> kSteps = {"quiet", "holding", "delaying", "fire", "active", "cleared"};

// The tables of an array of tables such as [[test]]; an error for anything else.
std::vector<const RawValue*> tables_of(const RawValue& parent, std::string_view key, Report& report) {
    std::vector<const RawValue*> out;
    const RawValue* v = parent.find(key);
    if (!v) return out;
    if (!v->is(RawValue::Kind::array)) {
        report.error("bad-type", v->at, "`" + std::string(key) + "` must be an array of tables ([[...]])");
        return out;
    }
    for (const RawValue& item : v->items) {
        if (item.is(RawValue::Kind::table)) out.push_back(&item);
        else report.error("bad-type", item.at, "each `" + std::string(key) + "` must be a table");
    }
    return out;
}

// `plan`: the step names of the planned run, each one a step a run can have (a typo would otherwise
// only show as a failing test).
std::optional<std::vector<std::string>> read_plan(FieldReader& f, Report& report) {
    std::optional<std::vector<std::string>> plan = f.strings("plan");
    if (!plan) return plan;
    for (const RawValue& item : f.table().find("plan")->items) {
        if (!item.is(RawValue::Kind::string) || is_run_step_name(item.text)) continue;
        std::optional<std::string> meant = did_you_mean(item.text, run_step_names());
        report.error("bad-value", item.at, "no run has a step `" + item.text + "`" + (meant ? "; did you mean `" + *meant + "`?" : "") +
                                               " (`backstop simulate` lists a plan's steps)");
    }
    return plan;
}

ExpectedStep read_expectation(const RawValue& table, Report& report) {
    FieldReader f(table, "test.expect", report);
    f.reject_unknown(kExpectKeys);
    ExpectedStep e;
    e.at = table.at;
    if (auto at = f.duration("at", Duration{0})) e.at_ms = at->count();
    if (auto s = f.string("service", false)) e.service = *s; else f.missing("service");
    if (auto t = f.string("trigger", false)) e.trigger = *t; else f.missing("trigger");
    if (auto step = f.string("step", false)) {
        if (std::find(kSteps.begin(), kSteps.end(), *step) == kSteps.end())
            f.bad_value("step", "`step` must be one of quiet, holding, delaying, fire, active, cleared");
        e.step = *step;
    }
    e.action = f.string("action", false);
    e.rule = f.string("rule", false);
    e.outcome = f.string("outcome", false);
    e.to = f.string("to", false);
    e.plan = read_plan(f, report);
    if (auto guard = f.string("guard", false)) {
        if (std::find(kGuards.begin(), kGuards.end(), *guard) == kGuards.end())
            f.bad_value("guard", "`guard` must be one of pause, cooldown, max_attempts, lock");
        e.guard = *guard;
    }
    return e;
}

// [[test.observation]] as the JSON line `simulate --observations` would read: `at` becomes ms.
std::string observation_line(const RawValue& table, Report& report) {
    nlohmann::json j = nlohmann::json::object();
    for (const RawMember& m : table.members) {
        const RawValue& v = m.value;
        if (m.key == "at") {
            std::string why;
            if (auto d = v.is(RawValue::Kind::string) ? parse_duration(v.text, &why) : std::nullopt) j["at"] = d->count();
            else report.error("bad-duration", v.at, "`at` must be a duration such as \"50s\"" + (why.empty() ? "" : ": " + why));
        } else if (v.is(RawValue::Kind::string)) j[m.key] = v.text;
        else if (v.is(RawValue::Kind::integer)) j[m.key] = v.integer;
        else if (v.is(RawValue::Kind::floating)) j[m.key] = v.floating;
        else if (v.is(RawValue::Kind::boolean)) j[m.key] = v.boolean;
        else report.error("bad-type", v.at, "`" + m.key + "` must be a string, a number or a boolean");
    }
    return j.dump() + "\n";
}

PolicyTestCase read_case(const RawValue& table, const std::filesystem::path& dir, Report& report) {
    FieldReader f(table, "test", report);
    f.reject_unknown(kTestKeys);
    PolicyTestCase c;
    c.at = table.at;
    if (auto n = f.string("name", false)) c.name = *n; else f.missing("name");
    c.observations_file = f.path("observations", dir);
    c.events_file = f.path("events", dir);
    for (const RawValue* o : tables_of(table, "observation", report)) c.inline_observations += observation_line(*o, report);
    const int fed = (c.observations_file ? 1 : 0) + (c.events_file ? 1 : 0) + (c.inline_observations.empty() ? 0 : 1);
    if (fed != 1) report.error("bad-test", table.at, "a test takes one of `observations`, `events` and [[test.observation]]");
    for (const RawValue* e : tables_of(table, "expect", report)) c.expect.push_back(read_expectation(*e, report));
    return c;
}

}  // namespace

std::optional<PolicyTestFile> read_policy_test_file(const std::filesystem::path& path, Diagnostics& out) {
    const std::string name = path.string();
    std::string why;
    std::optional<std::string> read = read_toml_file(path, "test", why);
    if (!read) {
        out.error("unreadable-test", SourcePosition{name}, why);
        return std::nullopt;
    }
    const std::string text = std::move(*read);
    auto root = policy::read_toml(text, name, out);
    if (!root) return std::nullopt;
    Report report(text, out);
    const std::size_t errors_before = out.error_count();
    FieldReader f(*root, "file", report);
    f.reject_unknown(kFileKeys);
    PolicyTestFile file;
    file.path = path;
    const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
    file.policies = f.path("policies", dir);
    for (const RawValue* t : tables_of(*root, "test", report)) file.tests.push_back(read_case(*t, dir, report));
    if (file.tests.empty() && out.error_count() == errors_before) report.error("no-tests", root->at, "no [[test]] in " + name);
    if (out.error_count() != errors_before) return std::nullopt;
    return file;
}

}  // namespace backstop::cli

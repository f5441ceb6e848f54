#include "cli/policy_test_file.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "core/error.h"
#include "policy/field_reader.h"
#include "policy/report.h"
#include "policy/toml_reader.h"
#include "prim/point_store.h"

namespace backstop::cli {

namespace {

using policy::FieldReader;
using policy::RawMember;
using policy::RawValue;
using policy::Report;

constexpr std::array<std::string_view, 2> kFileKeys = {"policies", "test"};
constexpr std::array<std::string_view, 5> kTestKeys = {"name", "observations", "events", "observation", "expect"};
constexpr std::array<std::string_view, 7> kExpectKeys = {"at", "service", "trigger", "step", "action", "rule", "outcome"};
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
    std::optional<std::string> read = read_whole_file(path);
    if (!read) throw Error("cannot read " + name);
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

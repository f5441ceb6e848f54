#include "core/run_record.h"

#include <chrono>
#include <ctime>

namespace backstop {

namespace {

template <typename E, std::size_t N>
std::optional<E> lookup(std::string_view s, const std::pair<E, const char*> (&table)[N]) {
    for (const auto& [value, name] : table)
        if (s == name) return value;
    return std::nullopt;
}

template <typename E, std::size_t N>
const char* name_of(E e, const std::pair<E, const char*> (&table)[N]) {
    for (const auto& [value, name] : table)
        if (value == e) return name;
    return "unknown";
}

constexpr std::pair<RunMode, const char*> kModes[] = {
    {RunMode::normal, "normal"}, {RunMode::dry_run, "dry_run"}, {RunMode::emergency, "emergency"}};
constexpr std::pair<Outcome, const char*> kOutcomes[] = {
    {Outcome::running, "running"},     {Outcome::succeeded, "succeeded"}, {Outcome::failed, "failed"},
    {Outcome::verify_failed, "verify_failed"}, {Outcome::refused, "refused"}, {Outcome::dry_run, "dry_run"},
    {Outcome::incomplete, "incomplete"}, {Outcome::manual, "manual"}, {Outcome::suppressed, "suppressed"}, {Outcome::paged, "paged"},
    {Outcome::awaiting_hotfix, "awaiting_hotfix"}, {Outcome::no_action, "no_action"},
    {Outcome::nothing_to_do, "nothing_to_do"}, {Outcome::unrecorded, "unrecorded"},
    {Outcome::verified, "verified"}, {Outcome::unhealthy, "unhealthy"}};
constexpr std::pair<StepStatus, const char*> kStepStatuses[] = {
    {StepStatus::ok, "ok"}, {StepStatus::failed, "failed"}, {StepStatus::skipped, "skipped"}, {StepStatus::planned, "planned"}};

}  // namespace

const char* to_string(RunMode m) { return name_of(m, kModes); }
const char* to_string(Outcome o) { return name_of(o, kOutcomes); }
const char* to_string(StepStatus s) { return name_of(s, kStepStatuses); }
std::optional<RunMode> run_mode_from(std::string_view s) { return lookup(s, kModes); }
std::optional<Outcome> outcome_from(std::string_view s) { return lookup(s, kOutcomes); }
std::optional<StepStatus> step_status_from(std::string_view s) { return lookup(s, kStepStatuses); }

std::vector<std::string> recordable_outcome_names() {
    std::vector<std::string> out;
    for (const auto& [value, name] : kOutcomes)
        if (value != Outcome::running && value != Outcome::incomplete && value != Outcome::unrecorded && value != Outcome::dry_run)
            out.push_back(name);
    return out;
}

nlohmann::json to_json(const RunRecord& r) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.steps)
        steps.push_back({{"name", s.name}, {"detail", s.detail}, {"status", to_string(s.status)},
                         {"duration_ms", s.duration_ms}, {"message", s.message}});
    nlohmann::json log = nlohmann::json::array();
    for (const auto& l : r.log) log.push_back({{"level", l.level}, {"message", l.message}});
    nlohmann::json notifications = nlohmann::json::array();
    for (const auto& d : r.notifications)
        notifications.push_back({{"channel", d.channel}, {"type", d.type}, {"delivered", d.delivered},
                                 {"attempts", d.attempts}, {"error", d.error}, {"duration_ms", d.duration_ms}});
    nlohmann::json out = {{"run_id", r.run_id},
            {"service", r.service},
            {"env", r.env},
            {"from", r.from},
            {"to", r.to},
            {"level", r.level},
            {"mode", to_string(r.mode)},
            {"actor", r.actor},
            {"reason", r.reason},
            {"trigger", r.trigger},
            {"host", r.host},
            {"started", format_utc(r.started_ms)},
            {"ended", r.ended_ms ? format_utc(r.ended_ms) : ""},
            {"started_ms", r.started_ms},
            {"ended_ms", r.ended_ms},
            {"duration_ms", r.duration_ms()},
            {"outcome", to_string(r.outcome)},
            {"message", r.message},
            {"steps", steps},
            {"log", log},
            {"notifications", notifications},
            {"manual_entry", r.manual_entry}};
    if (!r.decision.is_null()) out["decision"] = r.decision;
    if (!r.history_error.empty()) out["history_error"] = r.history_error;
    return out;
}

RunRecord run_record_from_json(const nlohmann::json& j) {
    RunRecord r;
    r.run_id = j.at("run_id").get<std::string>();
    r.service = j.at("service").get<std::string>();
    r.env = j.value("env", "");
    r.from = j.value("from", "");
    r.to = j.value("to", "");
    r.level = j.value("level", "");
    r.mode = run_mode_from(j.value("mode", "normal")).value_or(RunMode::normal);
    r.actor = j.value("actor", "");
    r.reason = j.value("reason", "");
    r.trigger = j.value("trigger", "manual");
    r.host = j.value("host", "");
    r.started_ms = j.value("started_ms", std::int64_t{0});
    r.ended_ms = j.value("ended_ms", std::int64_t{0});
    r.outcome = outcome_from(j.value("outcome", "running")).value_or(Outcome::running);
    r.message = j.value("message", "");
    for (const auto& s : j.value("steps", nlohmann::json::array()))
        r.steps.push_back({s.value("name", ""), s.value("detail", ""),
                           step_status_from(s.value("status", "ok")).value_or(StepStatus::ok),
                           s.value("duration_ms", std::int64_t{0}), s.value("message", "")});
    for (const auto& l : j.value("log", nlohmann::json::array()))
        r.log.push_back({l.value("level", ""), l.value("message", "")});
    for (const auto& d : j.value("notifications", nlohmann::json::array()))
        r.notifications.push_back({d.value("channel", ""), d.value("type", ""), d.value("delivered", false),
                                   d.value("attempts", 0), d.value("error", ""), d.value("duration_ms", std::int64_t{0})});
    if (j.contains("decision")) r.decision = j["decision"];
    r.manual_entry = j.value("manual_entry", false);
    return r;
}

std::string format_utc(std::int64_t epoch_ms) {
    std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(epoch_ms % 1000));
    return out;
}

std::int64_t now_epoch_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace backstop

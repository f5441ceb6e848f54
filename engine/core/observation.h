// What backstop saw when it looked at a service once (an Observation), and how to look (a
// SourceSpec: one watched thing, e.g. an HTTP endpoint, a log file, a Prometheus query or the host's
// CPU, memory or disk). Plain data.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/duration.h"

namespace backstop {

// `event` is never looked at: its observations arrive from outside (`backstop serve`: Alertmanager,
// POST /v1/events).
enum class SourceKind { http, tcp, command, log, unit, container, process, prometheus, cpu, memory, disk, event };

// ok / failed: the source answered and the service passed / did not pass. unknown: the source could
// not answer (Prometheus unreachable, unreadable file, systemctl timed out...); see `error`.
enum class ObservationStatus { ok, failed, unknown };

struct Observation {
    static constexpr double none = std::numeric_limits<double>::quiet_NaN();

    std::string source;  // the SourceSpec's name
    SourceKind kind = SourceKind::http;
    std::int64_t time_ms = 0;  // when the look started, milliseconds since the Unix epoch
    ObservationStatus status = ObservationStatus::unknown;
    // The kind's number: http, tcp: latency ms (of a failed attempt too); command: exit code; log:
    // new lines that matched; unit, container: restarts; process: the pid; prometheus: the result;
    // cpu: percent busy; memory: percent in use; disk: percent used. NaN when there is none (always
    // when unknown).
    double value = none;
    double latency_ms = none;  // http, tcp, prometheus: how long the request took
    int http_status = 0;       // http: the response status; 0 when none arrived or not http
    std::string state;         // unit: ActiveState; container: State.Status; process: running / dead; event: firing / resolved
    double restarts = none;    // unit: NRestarts; container: RestartCount
    std::string matched_line;  // log: the last new line that matched, trimmed, at most 512 bytes
    std::string event;         // events (Alertmanager, POST /v1/events): the alert or event name
    // events: which alert this is (Alertmanager's fingerprint, else a digest of the name and labels);
    // the source fails while any of its alerts fires. Empty: the observation is the source's state.
    std::string alert;
    std::string detail;        // for people: "GET http://127.0.0.1:8080/health -> 503 in 12 ms"
    std::string error;         // status unknown: why the source could not answer (detail repeats it)
};

struct HttpSourceSettings {
    std::string url;
    std::string method = "GET";
    std::vector<int> expect_status;    // empty: any status from 200 to 399
    std::string body_regex;            // POSIX ERE that must match somewhere in the body; empty: none
    std::optional<Duration> max_latency;  // slower answers fail
};

struct TcpSourceSettings {
    std::string host;
    int port = 0;
};

struct CommandSourceSettings {
    std::vector<std::string> argv;  // run directly, never through a shell
    std::string working_dir;        // empty: inherit
};

struct LogSourceSettings {
    std::string path;
    std::string pattern;  // POSIX ERE searched in each new line
};

struct UnitSourceSettings {
    std::string unit;              // e.g. "web.service"
    std::string scope = "system";  // "system" (systemctl) or "user" (systemctl --user)
};

struct ContainerSourceSettings {
    std::string container;  // name or id
    std::string host;       // DOCKER_HOST value; empty: the environment's
};

struct ProcessSourceSettings {
    std::string pid_file;
};

struct PrometheusSourceSettings {
    std::string url;    // base URL, e.g. "http://127.0.0.1:9090"
    std::string query;  // PromQL instant query answering one number
};

struct DiskSourceSettings {
    std::string path = "/";  // any path on the filesystem to measure
};

// cpu and memory have no settings: they measure the whole host.

struct EventSourceSettings {
    // Label name -> value: an alert or event reaches the source when its labels hold all of them.
    std::map<std::string, std::string> match;
};

// The settings of one kind of source; cpu and memory have none (monostate).
using SourceSettings = std::variant<std::monostate, HttpSourceSettings, TcpSourceSettings, CommandSourceSettings,
                                    LogSourceSettings, UnitSourceSettings, ContainerSourceSettings, ProcessSourceSettings,
                                    PrometheusSourceSettings, DiskSourceSettings, EventSourceSettings>;

struct SourceSpec {
    std::string name;
    SourceKind kind = SourceKind::http;
    Duration interval{10'000};  // how often the scheduler asks; sources themselves do not use it
    Duration timeout{2'000};    // bound on one observation
    // Only the settings for `kind` are kept (a fleet holds thousands of specs, and each source
    // keeps its own copy). Writing through one of these makes it the kept one; reading one that
    // is not kept gives that kind's defaults.
    SourceSettings settings;

    HttpSourceSettings& http() { return settings_as<HttpSourceSettings>(); }
    TcpSourceSettings& tcp() { return settings_as<TcpSourceSettings>(); }
    CommandSourceSettings& command() { return settings_as<CommandSourceSettings>(); }
    LogSourceSettings& log() { return settings_as<LogSourceSettings>(); }
    UnitSourceSettings& unit() { return settings_as<UnitSourceSettings>(); }
    ContainerSourceSettings& container() { return settings_as<ContainerSourceSettings>(); }
    ProcessSourceSettings& process() { return settings_as<ProcessSourceSettings>(); }
    PrometheusSourceSettings& prometheus() { return settings_as<PrometheusSourceSettings>(); }
    DiskSourceSettings& disk() { return settings_as<DiskSourceSettings>(); }
    EventSourceSettings& event() { return settings_as<EventSourceSettings>(); }
    const HttpSourceSettings& http() const { return settings_or_default<HttpSourceSettings>(); }
    const TcpSourceSettings& tcp() const { return settings_or_default<TcpSourceSettings>(); }
    const CommandSourceSettings& command() const { return settings_or_default<CommandSourceSettings>(); }
    const LogSourceSettings& log() const { return settings_or_default<LogSourceSettings>(); }
    const UnitSourceSettings& unit() const { return settings_or_default<UnitSourceSettings>(); }
    const ContainerSourceSettings& container() const { return settings_or_default<ContainerSourceSettings>(); }
    const ProcessSourceSettings& process() const { return settings_or_default<ProcessSourceSettings>(); }
    const PrometheusSourceSettings& prometheus() const { return settings_or_default<PrometheusSourceSettings>(); }
    const DiskSourceSettings& disk() const { return settings_or_default<DiskSourceSettings>(); }
    const EventSourceSettings& event() const { return settings_or_default<EventSourceSettings>(); }

private:
    template <class T>
    T& settings_as() {
        if (!std::holds_alternative<T>(settings)) settings.emplace<T>();
        return std::get<T>(settings);
    }
    template <class T>
    const T& settings_or_default() const {
        static const T defaults{};
        const T* kept = std::get_if<T>(&settings);
        return kept ? *kept : defaults;
    }
};

std::string_view to_string(SourceKind kind);
std::string_view to_string(ObservationStatus status);
// "http", "tcp", ...: nullopt for any other word.
std::optional<SourceKind> parse_source_kind(std::string_view word);
// Every kind's name, for "did you mean" and messages.
std::span<const std::string_view> source_kind_names();

// In SourceKind order; constant, so tables built at compile time (policy_keys.cpp) can name it.
inline constexpr std::string_view kSourceKindNames[] = {"http", "tcp",       "command", "log",
                                                        "unit", "container", "process", "prometheus",
                                                        "cpu",  "memory",    "disk",    "event"};

}  // namespace backstop

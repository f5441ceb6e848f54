#include "lua/remote_host.h"

#include <functional>
#include <map>

#include "core/error.h"
#include "lua/runbook_channel.h"

namespace backstop::lua {

namespace {

using nlohmann::json;

json as_json(const HttpRequest& r) {
    return {{"method", r.method}, {"url", r.url}, {"headers", r.headers}, {"body", r.body}, {"timeout", r.timeout.count()}};
}

HttpRequest decode_http_request(const json& j) {
    HttpRequest r;
    r.method = j.at("method").get<std::string>();
    r.url = j.at("url").get<std::string>();
    r.headers = j.at("headers").get<std::map<std::string, std::string>>();
    r.body = j.at("body").get<std::string>();
    r.timeout = Duration(j.at("timeout").get<Duration::rep>());
    return r;
}

json as_json(const HttpResponse& r) {
    return {{"status", r.status},   {"body", r.body},         {"headers", r.headers},
            {"error", r.error},     {"timed_out", r.timed_out}, {"elapsed", r.elapsed.count()}};
}

HttpResponse decode_http_response(const json& j) {
    HttpResponse r;
    r.status = j.at("status").get<long>();
    r.body = j.at("body").get<std::string>();
    r.headers = j.at("headers").get<std::map<std::string, std::string>>();
    r.error = j.at("error").get<std::string>();
    r.timed_out = j.at("timed_out").get<bool>();
    r.elapsed = Duration(j.at("elapsed").get<Duration::rep>());
    return r;
}

json as_json(const ProcessResult& r) {
    return {{"exit_code", r.exit_code}, {"signal", r.signal}, {"started", r.started}, {"timed_out", r.timed_out},
            {"out", r.out},             {"err", r.err},       {"error", r.error},     {"elapsed", r.elapsed.count()},
            {"timeout", r.timeout.count()}};
}

ProcessResult decode_process_result(const json& j) {
    ProcessResult r;
    r.exit_code = j.at("exit_code").get<int>();
    r.signal = j.at("signal").get<int>();
    r.started = j.at("started").get<bool>();
    r.timed_out = j.at("timed_out").get<bool>();
    r.out = j.at("out").get<std::string>();
    r.err = j.at("err").get<std::string>();
    r.error = j.at("error").get<std::string>();
    r.elapsed = Duration(j.at("elapsed").get<Duration::rep>());
    r.timeout = Duration(j.at("timeout").get<Duration::rep>());
    return r;
}

json as_json(const HealthResult& r) { return {{"ok", r.ok}, {"message", r.message}, {"probes", r.probes}}; }

HealthResult decode_health(const json& j) {
    return HealthResult{j.at("ok").get<bool>(), j.at("message").get<std::string>(), j.at("probes").get<int>()};
}

json as_json(const HttpExpectation& e) {
    return {{"url", e.url},
            {"status", e.status},
            {"body", e.body},
            {"timeout", e.timeout.count()},
            {"interval", e.interval.count()},
            {"deadline", e.deadline.count()}};
}

HttpExpectation decode_expectation(const json& j) {
    HttpExpectation e;
    e.url = j.at("url").get<std::string>();
    e.status = j.at("status").get<int>();
    e.body = j.at("body").get<std::string>();
    e.timeout = Duration(j.at("timeout").get<Duration::rep>());
    e.interval = Duration(j.at("interval").get<Duration::rep>());
    e.deadline = Duration(j.at("deadline").get<Duration::rep>());
    return e;
}

Duration duration_at(const json& a, const char* key) { return Duration(a.at(key).get<Duration::rep>()); }
std::vector<std::string> strings_at(const json& a, const char* key) { return a.at(key).get<std::vector<std::string>>(); }

using Handler = std::function<json(RunbookHost&, const json&)>;

// One entry per RunbookHost method: how backstop makes the call the runbook process sent.
const std::map<std::string, Handler, std::less<>>& handlers() {
    static const std::map<std::string, Handler, std::less<>> table = {
        {"log", [](RunbookHost& h, const json& a) { h.log(static_cast<LogLevel>(a.at("level").get<int>()), a.at("message").get<std::string>()); return json(); }},
        {"http", [](RunbookHost& h, const json& a) { return as_json(h.http(decode_http_request(a))); }},
        {"sleep", [](RunbookHost& h, const json& a) { h.sleep(duration_at(a, "ms")); return json(); }},
        {"list_releases", [](RunbookHost& h, const json&) { return json(h.list_releases()); }},
        {"current_release", [](RunbookHost& h, const json&) { return json(h.current_release()); }},
        {"switch_release", [](RunbookHost& h, const json& a) { h.switch_release(a.at("name").get<std::string>()); return json(); }},
        {"switch_version", [](RunbookHost& h, const json& a) { h.switch_version(a.at("to").get<std::string>()); return json(); }},
        {"restart", [](RunbookHost& h, const json&) { return as_json(h.restart()); }},
        {"git", [](RunbookHost& h, const json& a) { return json(h.git(strings_at(a, "args"), a.at("mutating").get<bool>())); }},
        {"systemd", [](RunbookHost& h, const json& a) {
             return json(h.systemd(a.at("action").get<std::string>(), a.at("unit").get<std::string>(), a.at("property").get<std::string>()));
         }},
        {"docker", [](RunbookHost& h, const json& a) { return json(h.docker(strings_at(a, "args"), a.at("mutating").get<bool>())); }},
        {"probe_health", [](RunbookHost& h, const json&) { return as_json(h.probe_health()); }},
        {"wait_healthy", [](RunbookHost& h, const json&) { return as_json(h.wait_healthy()); }},
        {"exec", [](RunbookHost& h, const json& a) {
             return as_json(h.exec(strings_at(a, "argv"), duration_at(a, "timeout"), a.at("safe").get<bool>()));
         }},
        {"wait_http", [](RunbookHost& h, const json& a) { return as_json(h.wait_http(decode_expectation(a))); }},
        {"wait_tcp", [](RunbookHost& h, const json& a) {
             return as_json(h.wait_tcp(a.at("host").get<std::string>(), a.at("port").get<int>(), duration_at(a, "deadline"),
                                      duration_at(a, "interval")));
         }},
        {"signal", [](RunbookHost& h, const json& a) {
             h.signal(a.at("target").get<std::string>(), a.at("signo").get<int>(), a.at("name").get<std::string>());
             return json();
         }},
    };
    return table;
}

}  // namespace

json answer_host_call(RunbookHost& host, const json& message) {
    std::string failure;
    try {
        const std::string method = message.at("m").get<std::string>();
        auto handler = handlers().find(method);
        if (handler == handlers().end()) throw Error("unknown primitive `" + method + "`");
        return {{"t", "result"}, {"v", handler->second(host, message.at("a"))}};
    } catch (const std::exception& e) {
        failure = e.what();
    }
    return {{"t", "error"}, {"e", failure}};
}

LogLevel log_level_of(const json& message) {
    int level = message.value("level", static_cast<int>(LogLevel::info));
    return level >= 0 && level <= static_cast<int>(LogLevel::error) ? static_cast<LogLevel>(level) : LogLevel::info;
}

json RemoteHost::call(const char* method, json args) {
    write_message(fd_, {{"t", "host"}, {"m", method}, {"a", std::move(args)}});
    std::optional<json> answer = read_message(fd_);
    if (!answer) throw Error("backstop closed the runbook channel");
    if (answer->value("t", "") == "error") throw Error(answer->value("e", "primitive failed"));
    return std::move((*answer)["v"]);
}

void RemoteHost::log_without_host(LogLevel level, const std::string& message) {
    write_message(fd_, {{"t", "log"}, {"level", static_cast<int>(level)}, {"message", message}});
}

void RemoteHost::log(LogLevel level, const std::string& message) {
    call("log", {{"level", static_cast<int>(level)}, {"message", message}});
}

HttpResponse RemoteHost::http(const HttpRequest& request) { return decode_http_response(call("http", as_json(request))); }

void RemoteHost::sleep(Duration d) { call("sleep", {{"ms", d.count()}}); }

std::vector<std::string> RemoteHost::list_releases() { return call("list_releases", json::object()).get<std::vector<std::string>>(); }

std::string RemoteHost::current_release() { return call("current_release", json::object()).get<std::string>(); }

void RemoteHost::switch_release(const std::string& name) { call("switch_release", {{"name", name}}); }

void RemoteHost::switch_version(const std::string& to) { call("switch_version", {{"to", to}}); }

ProcessResult RemoteHost::restart() { return decode_process_result(call("restart", json::object())); }

std::string RemoteHost::git(const std::vector<std::string>& args, bool mutating) {
    return call("git", {{"args", args}, {"mutating", mutating}}).get<std::string>();
}

std::string RemoteHost::systemd(const std::string& action, const std::string& unit, const std::string& property) {
    return call("systemd", {{"action", action}, {"unit", unit}, {"property", property}}).get<std::string>();
}

std::string RemoteHost::docker(const std::vector<std::string>& args, bool mutating) {
    return call("docker", {{"args", args}, {"mutating", mutating}}).get<std::string>();
}

HealthResult RemoteHost::probe_health() { return decode_health(call("probe_health", json::object())); }

HealthResult RemoteHost::wait_healthy() { return decode_health(call("wait_healthy", json::object())); }

ProcessResult RemoteHost::exec(const std::vector<std::string>& argv, Duration timeout, bool safe_in_dry_run) {
    return decode_process_result(call("exec", {{"argv", argv}, {"timeout", timeout.count()}, {"safe", safe_in_dry_run}}));
}

HealthResult RemoteHost::wait_http(const HttpExpectation& expect) { return decode_health(call("wait_http", as_json(expect))); }

HealthResult RemoteHost::wait_tcp(const std::string& host, int port, Duration deadline, Duration interval) {
    return decode_health(
        call("wait_tcp", {{"host", host}, {"port", port}, {"deadline", deadline.count()}, {"interval", interval.count()}}));
}

void RemoteHost::signal(const std::string& target, int signo, const std::string& signal_name) {
    call("signal", {{"target", target}, {"signo", signo}, {"name", signal_name}});
}

}  // namespace backstop::lua

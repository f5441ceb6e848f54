#include "support/recording_host.h"

#include <thread>

namespace backstop::test {

RecordingHost::RecordingHost() {
    response.status = 200;
    response.body = "hello";
    response.headers["content-type"] = "text/plain";
    restart_result.started = true;
    restart_result.exit_code = 0;
}

void RecordingHost::log(LogLevel level, const std::string& message) { logs.push_back({level, message}); }

HttpResponse RecordingHost::http(const HttpRequest& request) {
    requests.push_back(request);
    return response;
}

void RecordingHost::sleep(Duration d) {
    sleeps.push_back(d);
    if (really_sleep) std::this_thread::sleep_for(d);
}

std::vector<std::string> RecordingHost::list_releases() { return releases; }

std::string RecordingHost::current_release() { return current; }

void RecordingHost::switch_version(const std::string& to) { switch_release(to); }

ProcessResult RecordingHost::exec(const std::vector<std::string>& argv, Duration, bool) {
    execs.push_back(argv);
    ProcessResult r;
    r.started = true;
    r.exit_code = 0;
    r.out = "PONG\n";
    return r;
}

HealthResult RecordingHost::wait_http(const HttpExpectation& expect) {
    http_waits.push_back(expect);
    return {true, "ready", 1};
}

HealthResult RecordingHost::wait_tcp(const std::string&, int, Duration, Duration) { return {true, "accepting", 1}; }

void RecordingHost::signal(const std::string& target, int, const std::string& signal_name) {
    signals.push_back(target + " " + signal_name);
}

std::string RecordingHost::git(const std::vector<std::string>& args, bool mutating) {
    git_calls.emplace_back(args, mutating);
    return git_output;
}

std::string RecordingHost::docker(const std::vector<std::string>& args, bool mutating) {
    docker_calls.emplace_back(args, mutating);
    if (!docker_error.empty()) throw Error(docker_error);
    return docker_output;
}

std::string RecordingHost::systemd(const std::string& action, const std::string& unit, const std::string& property) {
    systemd_calls.push_back(action + " " + unit + (property.empty() ? "" : " " + property));
    return action == "is-active" || action == "show" ? systemd_output : "";
}

void RecordingHost::switch_release(const std::string& name) {
    if (!switch_error.empty()) throw Error(switch_error);
    switches.push_back(name);
    current = name;
}

ProcessResult RecordingHost::restart() {
    ++restarts;
    return restart_result;
}

HealthResult RecordingHost::probe_health() {
    ++probes;
    return probe_result;
}

HealthResult RecordingHost::wait_healthy() {
    ++waits;
    return wait_result;
}

std::string RunbookFixture::load(const std::string& text, const std::string& relpath) {
    std::string path = dir.write(relpath, text);
    engine.load(path, text);
    return path;
}

HookOutcome RunbookFixture::run(const std::string& body, const nlohmann::json& ctx) {
    load("return { pre = function(ctx)\n" + body + "\nend }\n");
    return call("pre", ctx);
}

HookOutcome RunbookFixture::call(const std::string& hook, const nlohmann::json& ctx) {
    return engine.call_hook(hook, ctx, host);
}

}  // namespace backstop::test

#include "runtime/run_host.h"

#include "prim/docker_cli.h"

#include <algorithm>
#include <thread>

#include "core/error.h"
#include "prim/git_checkout.h"
#include "prim/process_signal.h"
#include "prim/systemd_units.h"
#include "prim/tcp_probe.h"
#include "runtime/docker_point_restore.h"
#include "runtime/health_check.h"
#include "runtime/point_files.h"
#include "runtime/release_versions.h"

namespace backstop {

namespace {

const char* level_name(LogLevel l) {
    switch (l) {
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
    }
    return "info";
}

std::string join_argv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        bool plain = !a.empty() && a.find_first_of(" \t\"'\\$") == std::string::npos;
        out += plain ? a : "'" + a + "'";
    }
    return out;
}

}  // namespace

RunHost::RunHost(const ServicePolicy& service, VersionStore& versions, ProcessRunner& processes, HttpClient& http,
                 StepRecorder& steps, bool dry_run)
    : service_(service), versions_(versions), processes_(processes), http_(http), steps_(steps), dry_run_(dry_run) {}

const ReleaseStore& RunHost::releases(const char* function) const {
    if (auto* r = dynamic_cast<const ReleaseVersions*>(&versions_)) return r->store();
    throw Error(std::string(function) + " is for strategy \"releases\"; service `" + service_.key + "` uses \"" +
                service_.strategy + "\" (use service.switch)");
}

void RunHost::log(LogLevel level, const std::string& message) { steps_.log(level_name(level), message); }

HttpResponse RunHost::http(const HttpRequest& asked) {
    HttpRequest request = asked;
    request.timeout = within_call(asked.timeout);
    bool reads_only = request.method == "GET" || request.method == "HEAD";
    if (reads_only) return http_.send(request);
    std::string detail = request.method + " " + redact_url(request.url);
    if (dry_run_) {
        steps_.note("http", detail, StepStatus::planned);
        HttpResponse planned;
        planned.status = 200;
        return planned;
    }
    std::size_t step = steps_.start("http", detail);
    HttpResponse resp = http_.send(request);
    if (!resp.transport_ok())
        steps_.finish(step, StepStatus::failed, resp.error);
    else
        steps_.finish(step, resp.status < 400 ? StepStatus::ok : StepStatus::failed, "status " + std::to_string(resp.status));
    return resp;
}

void RunHost::sleep(Duration d) {
    if (dry_run_) {
        steps_.note("sleep", format_duration(d), StepStatus::planned);
        return;
    }
    std::this_thread::sleep_for(within_call(d));
}

std::vector<std::string> RunHost::list_releases() { return releases("releases.list").list(); }

std::string RunHost::current_release() {
    const ReleaseStore& store = releases("releases.current");
    return dry_run_ && !planned_current_.empty() ? planned_current_ : store.current();
}

void RunHost::switch_release(const std::string& name) {
    auto names = releases("releases.switch").list();
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw Error("release `" + name + "` does not exist in " + versions_.where());
    switch_version(name);
}

void RunHost::switch_version(const std::string& to) {
    std::string why;
    auto target = versions_.resolve(to, &why);
    if (!target) throw Error(why);
    std::string from = dry_run_ && !planned_current_.empty() ? planned_current_ : versions_.current();
    if (auto* docker = dynamic_cast<DockerVersions*>(&versions_); docker && point_) {
        restore_docker_point(*docker, from, *target);
        return;
    }
    std::string detail = versions_.describe_switch(from, *target);
    if (dry_run_) {
        steps_.note("switch", detail, StepStatus::planned);
        planned_current_ = *target;
        restore_point_files();
        return;
    }
    std::size_t step = steps_.start("switch", detail);
    try {
        versions_.switch_to(from, *target, steps_.record().run_id, steps_.record().reason);
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
    steps_.finish(step, StepStatus::ok);
    restore_point_files();
}

// A release or a commit is switched first and its files follow before the restart; a container
// reads its files and volumes when it starts, so they go in while it is stopped.
void RunHost::restore_point_files() {
    if (!point_) return;
    PointFiles files(*point_, *point_store_, steps_);
    if (dry_run_)
        files.plan();
    else
        files.restore();
}

void RunHost::restore_docker_point(DockerVersions& versions, const std::string& from, const std::string& to) {
    DockerCli cli(processes_, service_.docker.host, service_.docker.timeout);
    DockerPointRestore restore(versions, *point_, *point_store_, cli, steps_);
    if (dry_run_) {
        restore.plan(from, to);
        planned_current_ = to;
        return;
    }
    restore.run(from, to, steps_.record().run_id);
}

std::string RunHost::git(const std::vector<std::string>& args, bool mutating) {
    if (service_.strategy != "git")
        throw Error("the git module is for strategy \"git\"; service `" + service_.key + "` uses \"" + service_.strategy + "\"");
    GitCheckout checkout(processes_, service_.git.checkout, within_call(service_.git.timeout));
    if (!mutating) return checkout.run(args);
    std::string detail = "git";
    for (const auto& a : args) detail += " " + a;
    if (dry_run_) {
        steps_.note("git", detail, StepStatus::planned);
        return {};
    }
    std::size_t step = steps_.start("git", detail);
    try {
        std::string out = checkout.run(args);
        steps_.finish(step, StepStatus::ok);
        return out;
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
}

std::string RunHost::docker(const std::vector<std::string>& args, bool mutating) {
    DockerCli cli(processes_, service_.docker.host, within_call(service_.docker.timeout));
    if (!mutating) return cli.run(args);
    std::string detail = "docker";
    for (const auto& a : args) detail += " " + a;
    if (dry_run_) {
        steps_.note("docker", detail, StepStatus::planned);
        return {};
    }
    std::size_t step = steps_.start("docker", detail);
    try {
        std::string out = cli.run(args);
        steps_.finish(step, StepStatus::ok);
        return out;
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
}

SystemdUnits RunHost::units(Duration timeout) const {
    return SystemdUnits(processes_, service_.systemd.scope == "user" ? SystemdScope::user : SystemdScope::system,
                        timeout);
}

std::string RunHost::systemd(const std::string& action, const std::string& unit, const std::string& property) {
    Duration timeout = within_call(service_.systemd.timeout);
    SystemdUnits systemctl = units(timeout);
    if (action == "is-active") return systemctl.is_active(unit);
    if (action == "show") return systemctl.show(unit, property);
    if (action != "start" && action != "stop" && action != "restart" && action != "reload")
        throw Error("systemd: unknown action \"" + action + "\" (start, stop, restart, reload, is-active, show)");
    if (auto why = systemd_unit_name_problem(unit); !why.empty()) throw Error(why);
    std::string detail = join_argv(systemctl.command({action, unit})) + " (timeout " + format_duration(timeout) + ")";
    if (dry_run_) {
        steps_.note("systemd", detail, StepStatus::planned);
        return {};
    }
    std::size_t step = steps_.start("systemd", detail);
    try {
        systemctl.run({action, unit});
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
    steps_.finish(step, StepStatus::ok);
    return {};
}

ProcessResult RunHost::restart() {
    // Without a restart command, a systemd service restarts through its unit.
    std::vector<std::string> argv = service_.restart;
    if (argv.empty() && !service_.systemd.unit.empty())
        argv = units(service_.restart_timeout).command({"restart", service_.systemd.unit});
    const Duration timeout = within_call(service_.restart_timeout);
    if (argv.empty()) {
        steps_.note("restart", "no restart command in policy", StepStatus::skipped);
        ProcessResult nothing;
        nothing.started = true;
        nothing.exit_code = 0;
        return nothing;
    }
    std::string detail = join_argv(argv) + " (timeout " + format_duration(timeout) + ")";
    if (dry_run_) {
        steps_.note("restart", detail, StepStatus::planned);
        ProcessResult planned;
        planned.started = true;
        planned.exit_code = 0;
        return planned;
    }
    std::size_t step = steps_.start("restart", detail);
    ProcessRequest req;
    req.argv = argv;
    req.timeout = timeout;
    req.working_dir = service_.policy_file.parent_path().string();
    ProcessResult result = processes_.run(req);
    steps_.finish(step, result.ok() ? StepStatus::ok : StepStatus::failed, result.summary());
    if (!result.ok()) throw Error("restart failed: " + result.summary());
    return result;
}

const HealthCheck& RunHost::health_check() const {
    if (!service_.health) throw Error("service `" + service_.key + "` has no [service." + service_.name + ".health] table");
    return *service_.health;
}

HealthResult RunHost::probe_health() {
    HealthCheck check = health_check();
    check.timeout = within_call(check.timeout);
    if (dry_run_) {
        steps_.note("health", "one probe: GET " + redact_url(check.url), StepStatus::planned);
        return {true, "dry run: not probed", 0};
    }
    std::size_t step = steps_.start("health", "one probe: GET " + redact_url(check.url));
    HealthResult r = probe_once(http_, check);
    steps_.finish(step, r.ok ? StepStatus::ok : StepStatus::failed, r.message);
    return r;
}

HealthResult RunHost::wait_healthy() {
    HealthCheck check = health_check();
    check.timeout = within_call(check.timeout);
    if (dry_run_) {
        steps_.note("health", describe(check), StepStatus::planned);
        return {true, "dry run: not probed", 0};
    }
    std::size_t step = steps_.start("health", describe(check));
    // Each probe and each pause is cut to what is left of the hook, and once nothing is left the
    // wait fails (the next probe's within_call throws).
    HealthResult r;
    try {
        r = wait_until_healthy(http_, check, [this](Duration d) { std::this_thread::sleep_for(within_call(d)); });
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
    steps_.finish(step, r.ok ? StepStatus::ok : StepStatus::failed, r.message);
    return r;
}

}  // namespace backstop

namespace backstop {

namespace {

bool allowed(const std::vector<std::string>& allow, const std::string& program) {
    for (const auto& a : allow) {
        // A bare name allows that name looked up in PATH; a path allows exactly that file.
        if (a == program) return true;
    }
    return false;
}

}  // namespace

ProcessResult RunHost::exec(const std::vector<std::string>& argv, Duration timeout, bool safe_in_dry_run) {
    if (!allowed(service_.rollback.exec_allow, argv.at(0))) {
        std::string list;
        for (const auto& a : service_.rollback.exec_allow) list += (list.empty() ? "" : ", ") + a;
        throw Error("exec: `" + argv[0] + "` is not in rollback.exec_allow of service `" + service_.key + "` (allowed: " +
                    (list.empty() ? "none" : list) + ")");
    }
    timeout = within_call(timeout);
    std::string detail = join_argv(argv) + " (timeout " + format_duration(timeout) + ")";
    if (dry_run_ && !safe_in_dry_run) {
        steps_.note("exec", detail, StepStatus::planned);
        ProcessResult planned;
        planned.started = true;
        planned.exit_code = 0;
        return planned;
    }
    std::size_t step = steps_.start("exec", detail);
    ProcessRequest req;
    req.argv = argv;
    req.timeout = timeout;
    req.working_dir = service_.policy_file.parent_path().string();
    ProcessResult result = processes_.run(req);
    steps_.finish(step, result.ok() ? StepStatus::ok : StepStatus::failed, result.summary());
    return result;
}

HealthResult RunHost::wait_http(const HttpExpectation& asked) {
    HttpExpectation expect = asked;
    expect.deadline = within_call(asked.deadline);
    expect.timeout = within_call(asked.timeout);
    HealthCheck check;
    check.url = expect.url;
    check.expect_status = expect.status;
    check.expect_body = expect.body;
    check.timeout = expect.timeout;
    check.interval = expect.interval;
    std::string detail = "GET " + redact_url(expect.url) + " until " +
                         (expect.status ? std::to_string(expect.status) : std::string("2xx")) +
                         (expect.body.empty() ? "" : " with \"" + expect.body + "\"") + ", within " +
                         format_duration(expect.deadline);
    if (dry_run_) {
        steps_.note("wait", detail, StepStatus::planned);
        return {true, "dry run: not probed", 0};
    }
    std::size_t step = steps_.start("wait", detail);
    HealthResult r = wait_until_healthy_by(http_, check, expect.deadline, [this](Duration d) { sleep(d); });
    steps_.finish(step, r.ok ? StepStatus::ok : StepStatus::failed, r.message);
    return r;
}

HealthResult RunHost::wait_tcp(const std::string& host, int port, Duration asked_deadline, Duration interval) {
    const Duration deadline = within_call(asked_deadline);
    std::string detail = "TCP " + host + ":" + std::to_string(port) + " accepts, within " + format_duration(deadline);
    if (dry_run_) {
        steps_.note("wait", detail, StepStatus::planned);
        return {true, "dry run: not probed", 0};
    }
    std::size_t step = steps_.start("wait", detail);
    auto start = std::chrono::steady_clock::now();
    auto end = start + deadline;
    HealthResult r;
    for (;;) {
        ++r.probes;
        auto left = std::chrono::duration_cast<Duration>(end - std::chrono::steady_clock::now());
        std::string error = tcp_connect_error(host, port, std::max(Duration{1}, std::min(Duration{1000}, left)));
        auto took = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
        if (error.empty()) {
            r.ok = true;
            r.message = host + ":" + std::to_string(port) + " accepted after " + format_elapsed(took);
            break;
        }
        left = std::chrono::duration_cast<Duration>(end - std::chrono::steady_clock::now());
        if (left <= Duration{0}) {
            r.message = host + ":" + std::to_string(port) + " not accepting within " + format_duration(deadline) + ": " + error;
            break;
        }
        sleep(std::min(interval, left));
    }
    steps_.finish(step, r.ok ? StepStatus::ok : StepStatus::failed, r.message);
    return r;
}

void RunHost::signal(const std::string& target, int signo, const std::string& signal_name) {
    bool is_pid = !target.empty() && target.find_first_not_of("0123456789") == std::string::npos;
    std::string pid_file;
    if (!is_pid) {
        std::filesystem::path p(target);
        pid_file = (p.is_absolute() ? p : service_.policy_file.parent_path() / p).lexically_normal().string();
    }
    std::string detail = signal_name + " to " + (is_pid ? "pid " + target : "the process in " + pid_file);
    if (dry_run_) {
        steps_.note("signal", detail, StepStatus::planned);
        return;
    }
    std::size_t step = steps_.start("signal", detail);
    try {
        long pid = is_pid ? std::stol(target) : read_pid_file(pid_file);
        send_signal(pid, signo);
        steps_.finish(step, StepStatus::ok, "pid " + std::to_string(pid));
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
}

}  // namespace backstop

#include "runtime/run_host.h"

#include <algorithm>
#include <thread>

#include "core/error.h"
#include "runtime/health_check.h"

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

RunHost::RunHost(const ServicePolicy& service, const ReleaseStore& releases, ProcessRunner& processes, HttpClient& http,
                 StepRecorder& steps, bool dry_run)
    : service_(service), releases_(releases), processes_(processes), http_(http), steps_(steps), dry_run_(dry_run) {}

void RunHost::log(LogLevel level, const std::string& message) { steps_.log(level_name(level), message); }

HttpResponse RunHost::http(const HttpRequest& request) {
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
    std::this_thread::sleep_for(d);
}

std::vector<std::string> RunHost::list_releases() { return releases_.list(); }

std::string RunHost::current_release() {
    return dry_run_ && !planned_current_.empty() ? planned_current_ : releases_.current();
}

void RunHost::switch_release(const std::string& name) {
    auto names = releases_.list();
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw Error("release `" + name + "` does not exist in " + releases_.releases_dir().string());
    std::string from = current_release();
    std::string detail = releases_.current_link().string() + ": " + (from.empty() ? "(none)" : from) + " -> " + name;
    if (dry_run_) {
        steps_.note("switch", detail, StepStatus::planned);
        planned_current_ = name;
        return;
    }
    std::size_t step = steps_.start("switch", detail);
    try {
        releases_.switch_to(name);
    } catch (const Error& e) {
        steps_.finish(step, StepStatus::failed, e.what());
        throw;
    }
    steps_.finish(step, StepStatus::ok);
}

ProcessResult RunHost::restart() {
    if (service_.restart.empty()) {
        steps_.note("restart", "no restart command in policy", StepStatus::skipped);
        ProcessResult nothing;
        nothing.started = true;
        nothing.exit_code = 0;
        return nothing;
    }
    std::string detail = join_argv(service_.restart) + " (timeout " + format_duration(service_.restart_timeout) + ")";
    if (dry_run_) {
        steps_.note("restart", detail, StepStatus::planned);
        ProcessResult planned;
        planned.started = true;
        planned.exit_code = 0;
        return planned;
    }
    std::size_t step = steps_.start("restart", detail);
    ProcessRequest req;
    req.argv = service_.restart;
    req.timeout = service_.restart_timeout;
    req.working_dir = service_.policy_file.parent_path().string();
    ProcessResult result = processes_.run(req);
    steps_.finish(step, result.ok() ? StepStatus::ok : StepStatus::failed, result.summary());
    if (!result.ok()) throw Error("restart failed: " + result.summary());
    return result;
}

const HealthCheck& RunHost::health_check() const {
    if (!service_.health) throw Error("service `" + service_.name + "` has no [service." + service_.name + ".health] table");
    return *service_.health;
}

HealthResult RunHost::probe_health() {
    const HealthCheck& check = health_check();
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
    const HealthCheck& check = health_check();
    if (dry_run_) {
        steps_.note("health", describe(check), StepStatus::planned);
        return {true, "dry run: not probed", 0};
    }
    std::size_t step = steps_.start("health", describe(check));
    HealthResult r = wait_until_healthy(http_, check, [](Duration d) { std::this_thread::sleep_for(d); });
    steps_.finish(step, r.ok ? StepStatus::ok : StepStatus::failed, r.message);
    return r;
}

}  // namespace backstop

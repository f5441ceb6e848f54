#include "observe/source.h"

#include <cmath>
#include <cstdio>
#include <iterator>

#include "core/error.h"
#include "observe/command_source.h"
#include "observe/container_source.h"
#include "observe/cpu_source.h"
#include "observe/disk_source.h"
#include "observe/http_source.h"
#include "observe/log_source.h"
#include "observe/memory_source.h"
#include "observe/process_source.h"
#include "observe/prometheus_source.h"
#include "observe/tcp_source.h"
#include "observe/unit_source.h"
#include "core/text_pattern.h"
#include "prim/systemd_units.h"

namespace backstop {

namespace {

// Keeps the promise that observe() never throws, whatever a source meets (bad_alloc, a library
// throwing where it should not): the exception becomes an `unknown` observation. Also fills an
// unknown observation's detail with its error.
class NeverThrows : public Source {
public:
    // Keeps only what an observation names, not the whole spec: a daemon holds thousands of sources.
    NeverThrows(std::unique_ptr<Source> inner, const SourceSpec& spec)
        : inner_(std::move(inner)), name_(spec.name), kind_(spec.kind) {}

    Observation observe() override {
        Observation o;
        try {
            o = inner_->observe();
        } catch (const std::exception& e) {
            SourceSpec named;
            named.name = name_;
            named.kind = kind_;
            o = begin_observation(named);
            o.error = std::string("internal error: ") + e.what();
        }
        if (o.detail.empty()) o.detail = o.error;  // so that every observation has something to show
        return o;
    }

    nlohmann::json save_state() const override {
        try {
            return inner_->save_state();
        } catch (const std::exception&) {
            return nlohmann::json::object();  // nothing kept is better than no observation next time
        }
    }

    void restore_state(const nlohmann::json& state) override {
        try {
            inner_->restore_state(state);
        } catch (const std::exception&) {
            // a state that cannot be used is ignored, as promised
        }
    }

private:
    std::unique_ptr<Source> inner_;
    std::string name_;
    SourceKind kind_;
};

bool is_http_url(const std::string& url) { return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0; }

void check_pattern(std::vector<std::string>& problems, const char* field, const std::string& pattern) {
    if (std::string why = TextPattern::problem(pattern); !why.empty())
        problems.push_back(std::string(field) + " `" + pattern + "` is not a valid regular expression: " + why);
}

}  // namespace

nlohmann::json Source::save_state() const { return nlohmann::json::object(); }

void Source::restore_state(const nlohmann::json&) {}

std::vector<std::string> source_spec_problems(const SourceSpec& spec) {
    std::vector<std::string> p;
    if (spec.name.empty()) p.push_back("a source needs a name");
    if (spec.interval <= Duration{0}) p.push_back("interval must be more than 0");
    if (spec.timeout <= Duration{0}) p.push_back("timeout must be more than 0");
    switch (spec.kind) {
        case SourceKind::http: {
            const auto& h = spec.http();
            if (!is_http_url(h.url)) p.push_back("url must start with http:// or https://, not `" + h.url + "`");
            if (h.method.empty()) p.push_back("method must not be empty");
            for (int s : h.expect_status)
                if (s < 100 || s > 599) p.push_back("expected status " + std::to_string(s) + " is not an HTTP status");
            if (!h.body_regex.empty()) check_pattern(p, "body_regex", h.body_regex);
            if (h.max_latency && *h.max_latency <= Duration{0}) p.push_back("max_latency must be more than 0");
            break;
        }
        case SourceKind::tcp:
            if (spec.tcp().host.empty()) p.push_back("host is required");
            if (spec.tcp().port < 1 || spec.tcp().port > 65535) p.push_back("port must be 1-65535, not " + std::to_string(spec.tcp().port));
            break;
        case SourceKind::command:
            if (spec.command().argv.empty() || spec.command().argv[0].empty()) p.push_back("command needs a program to run");
            break;
        case SourceKind::log:
            if (spec.log().path.empty()) p.push_back("path is required");
            if (spec.log().pattern.empty()) p.push_back("pattern is required");
            else check_pattern(p, "pattern", spec.log().pattern);
            break;
        case SourceKind::unit:
            if (std::string why = systemd_unit_name_problem(spec.unit().unit); !why.empty()) p.push_back(why);
            if (spec.unit().scope != "system" && spec.unit().scope != "user")
                p.push_back("scope must be \"system\" or \"user\", not \"" + spec.unit().scope + "\"");
            break;
        case SourceKind::container:
            if (spec.container().container.empty() || spec.container().container.front() == '-')
                p.push_back("container must name a container, not `" + spec.container().container + "`");
            break;
        case SourceKind::process:
            if (spec.process().pid_file.empty()) p.push_back("pid_file is required");
            break;
        case SourceKind::prometheus:
            if (!is_http_url(spec.prometheus().url))
                p.push_back("url must start with http:// or https://, not `" + spec.prometheus().url + "`");
            if (spec.prometheus().query.empty()) p.push_back("query is required");
            break;
        case SourceKind::disk:
            if (spec.disk().path.empty()) p.push_back("path is required");
            break;
        case SourceKind::cpu:
        case SourceKind::memory:
        case SourceKind::event:
            break;
    }
    return p;
}

std::unique_ptr<Source> make_source(const SourceSpec& spec, SourceDeps deps) {
    if (auto problems = source_spec_problems(spec); !problems.empty()) {
        std::string text = "source `" + spec.name + "` (" + std::string(to_string(spec.kind)) + "): " + problems[0];
        for (std::size_t i = 1; i < problems.size(); ++i) text += "; " + problems[i];
        throw Error(text);
    }
    if (spec.kind == SourceKind::event)
        throw Error("source `" + spec.name + "` is of kind event: there is nothing to look at; its observations arrive "
                    "through `backstop serve` (POST /v1/events, POST /v1/alertmanager)");
    std::unique_ptr<Source> source;
    switch (spec.kind) {
        case SourceKind::http: source = std::make_unique<HttpSource>(spec, deps.http); break;
        case SourceKind::tcp: source = std::make_unique<TcpSource>(spec); break;
        case SourceKind::command: source = std::make_unique<CommandSource>(spec, deps.processes); break;
        case SourceKind::log: source = std::make_unique<LogSource>(spec); break;
        case SourceKind::unit: source = std::make_unique<UnitSource>(spec, deps.processes); break;
        case SourceKind::container: source = std::make_unique<ContainerSource>(spec, deps.processes); break;
        case SourceKind::process: source = std::make_unique<ProcessSource>(spec); break;
        case SourceKind::prometheus: source = std::make_unique<PrometheusSource>(spec, deps.http); break;
        case SourceKind::cpu: source = std::make_unique<CpuSource>(spec); break;
        case SourceKind::memory: source = std::make_unique<MemorySource>(spec); break;
        case SourceKind::disk: source = std::make_unique<DiskSource>(spec); break;
        case SourceKind::event: break;  // refused above
    }
    return std::make_unique<NeverThrows>(std::move(source), spec);
}

Observation begin_observation(const SourceSpec& spec) {
    Observation o;
    o.source = spec.name;
    o.kind = spec.kind;
    o.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return o;
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string format_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
    return buf;
}

std::string format_bytes(double bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    std::size_t unit = 0;
    while (bytes >= 1024 && unit + 1 < std::size(units)) {
        bytes /= 1024;
        ++unit;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
    return buf;
}

double round_tenth(double percent) { return std::round(percent * 10) / 10; }

}  // namespace backstop

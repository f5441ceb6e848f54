// `backstop serve [--listen HOST:PORT] [--token-file PATH | --no-auth] [--tls-cert PEM --tls-key PEM]
// [--shutdown-timeout D]`:
// the daemon — sources on their intervals, cron schedules, events from Alertmanager and others,
// /metrics; SIGHUP reloads the policies, SIGTERM stops it.
#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/spdlog.h>

#include "cli/verbs.h"
#include "core/error.h"
#include "serve/daemon.h"

namespace backstop::cli {

namespace {

constexpr const char* kDefaultListen = "127.0.0.1:9470";

// "127.0.0.1:9470", "[::1]:9470", "0.0.0.0:9470".
std::pair<std::string, int> parse_listen(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) throw UsageError{"--listen wants HOST:PORT, e.g. 127.0.0.1:9470, not `" + text + "`"};
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string port_text = text.substr(colon + 1);
    int port = 0;
    try {
        std::size_t used = 0;
        port = std::stoi(port_text, &used);
        if (used != port_text.size()) port = -1;
    } catch (const std::exception&) {
        port = -1;
    }
    if (port < 0 || port > 65535) throw UsageError{"--listen: port must be 0-65535, not `" + port_text + "`"};
    return {host, port};
}

std::string read_pem(const std::string& option, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || text.str().find("-----BEGIN ") == std::string::npos)
        throw UsageError{option + " " + path + ": cannot read a PEM file there"};
    return text.str();
}

// The logger setup_logging made writes from one thread; the daemon logs from many.
void make_logging_thread_safe() {
    auto old = spdlog::default_logger();
    auto shared = std::make_shared<spdlog::sinks::dist_sink_mt>(old->sinks());
    auto logger = std::make_shared<spdlog::logger>(old->name(), shared);
    logger->set_level(old->level());
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace

int run_serve(App& app) {
    make_logging_thread_safe();
    DaemonOptions options;
    std::tie(options.host, options.port) = parse_listen(app.args.value("--listen").value_or(kDefaultListen));
    if (auto d = app.args.duration("--shutdown-timeout")) options.shutdown_timeout = *d;

    const auto cert = app.args.value("--tls-cert");
    const auto key = app.args.value("--tls-key");
    if (cert.has_value() != key.has_value()) throw UsageError{"--tls-cert and --tls-key go together"};
    if (cert) {
        options.tls_cert_pem = read_pem("--tls-cert", *cert);
        options.tls_key_pem = read_pem("--tls-key", *key);
    }

    const char* env_token = std::getenv("BACKSTOP_TOKEN");
    if (app.args.has("--no-auth")) {
        if (app.args.has("--token-file")) throw UsageError{"--no-auth and --token-file contradict each other"};
        spdlog::warn("--no-auth: anyone who can reach {}:{} can POST events that roll services back; for loopback testing only",
                     options.host, options.port);
    } else if (auto file = app.args.value("--token-file")) {
        std::string warning;
        options.token = BearerToken::from_file(*file, &warning);
        if (!warning.empty()) spdlog::warn("{}", warning);
    } else if (env_token && *env_token) {
        options.token = BearerToken::from_value(env_token, "BACKSTOP_TOKEN");
    } else {
        std::cerr << "backstop serve: no token for POST /v1/events and /v1/alertmanager: give --token-file PATH or set "
                     "BACKSTOP_TOKEN (or --no-auth, for loopback testing only)\n";
        return static_cast<int>(Exit::usage);
    }

#ifdef M_ARENA_MAX
    // glibc gives each busy thread a malloc arena of its own and keeps what they free. The daemon's
    // threads mostly wait on the network, so sharing two arenas costs nothing measurable and keeps
    // a fleet's resident memory about 2 MB smaller (bench/run.sh).
    mallopt(M_ARENA_MAX, 2);
#endif
    PolicyLoadResult loaded = app.load_policies();
    if (loaded.diagnostics.has_errors()) {
        std::cerr << loaded.diagnostics.to_text() << "not serving: fix the policies first (backstop check)\n";
        return static_cast<int>(Exit::failed);
    }
    options.policies_path = app.policies_path.string();
    options.workers.state_dir = app.state_dir;
    options.workers.history_file = app.history_file();
    options.workers.lock_dir = app.lock_dir();
    options.workers.points_dir = app.points_dir();
    options.workers.host = this_host();
    options.workers.dry_run = app.args.has("--dry-run");
    options.workers.actor = app.args.value("--actor").value_or("backstop");
    Daemon daemon(std::move(options), [&app] { return app.load_policies(); }, std::move(loaded));
    return daemon.run();
}

}  // namespace backstop::cli

#include "serve/daemon.h"

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <sstream>

#include <spdlog/spdlog.h>

#include "core/run_record.h"
#include "runtime/history_badge.h"
#include "serve/event_routing.h"
#include "serve/signal_pipe.h"
#include "serve/worker_effects.h"

namespace backstop {

struct Daemon::Generation {
    PolicySet policies;  // the workers point into it: a Generation never moves
    std::unique_ptr<WorkerPool> pool;  // before the workers, which leave it when they are destroyed
    std::map<std::string, std::unique_ptr<ServiceWorker>> workers;  // services with triggers or schedules

    void start() {
        for (auto& [name, w] : workers) w->start();
    }
    void stop(bool finish_queue) {
        for (auto& [name, w] : workers) w->stop(finish_queue);
    }
    // The services still busy at `deadline`, with what they do.
    std::vector<std::string> wait(std::chrono::steady_clock::time_point deadline) {
        std::vector<std::string> busy;
        for (auto& [name, w] : workers)
            if (!w->wait_stopped(deadline)) busy.push_back(name + " (" + w->busy_with() + ")");
        return busy;
    }
};

namespace {

std::int64_t epoch_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Each diagnostic's first line: FILE:LINE:COL: error: MESSAGE [code].
void log_diagnostics(const Diagnostics& diagnostics, const char* context) {
    for (const Diagnostic& d : diagnostics.items()) {
        std::string text = d.to_text();
        text = text.substr(0, text.find('\n'));
        if (d.severity == Severity::error) spdlog::error("{}: {}", context, text);
        else spdlog::warn("{}: {}", context, text);
    }
}

}  // namespace

namespace {

// Memory the policy loader freed (documents, diagnostics) goes back to the system instead of
// staying in the allocator's free lists for the life of the daemon.
void release_free_memory() {
#ifdef __GLIBC__
    ::malloc_trim(0);
#endif
}

}  // namespace

Daemon::Daemon(DaemonOptions options, PolicyLoader load, PolicyLoadResult initial)
    : options_(std::move(options)),
      load_(std::move(load)),
      effects_(std::make_unique<WorkerEffects>(options_.workers)),
      current_(make_generation(std::move(initial))) {
    release_free_memory();
}

Daemon::~Daemon() = default;

std::shared_ptr<Daemon::Generation> Daemon::make_generation(PolicyLoadResult loaded) {
    auto g = std::make_shared<Generation>();
    g->policies = std::move(loaded.policies);  // only the policies: diagnostics and references were for loading
    g->pool = std::make_unique<WorkerPool>();
    for (const auto& [name, service] : g->policies.services)
        if (!service.watch.triggers.empty() || !service.watch.schedules.empty())
            g->workers[name] = std::make_unique<ServiceWorker>(g->policies, service, options_.workers, *effects_, metrics_, *g->pool);
    return g;
}

std::shared_ptr<Daemon::Generation> Daemon::current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
}

std::vector<EventsReached> Daemon::deliver(const std::vector<IncomingEvent>& events) {
    std::lock_guard<std::mutex> intake(intake_);
    std::shared_ptr<Generation> g = current();
    std::vector<EventsReached> out;
    std::vector<SpooledEvent> kept;                          // one per source whose service has a worker
    std::vector<std::pair<std::size_t, std::size_t>> where;  // kept[i] is out[first].reached[second]
    const std::int64_t now = epoch_ms();
    for (const IncomingEvent& e : events) {
        EventsReached reached{e.name, e.firing, {}};
        for (const EventRoute& route : route_event(g->policies, e)) {
            // A source no trigger reads is still a match; there is just nothing to evaluate.
            if (g->workers.count(route.service->key)) {
                where.emplace_back(out.size(), reached.reached.size());
                kept.push_back({0, route.service->key, event_observation(*route.source, e, now)});
            }
            reached.reached.push_back({route.service->key, route.source->name, route.triggers});
        }
        out.push_back(std::move(reached));
    }
    if (kept.empty()) return out;
    const bool taken = accepting_ && keep(kept);
    for (std::size_t i = 0; i < kept.size(); ++i) {
        bool& queued = out[where[i].first].reached[where[i].second].queued;
        queued = taken && g->workers.at(kept[i].service)->deliver(std::move(kept[i].observation), kept[i].id);
        if (taken && !queued) effects_->spool().done(kept[i].id);  // answered 503: the sender sends it again
    }
    return out;
}

// Written to the spool before the answer says 202.
bool Daemon::keep(std::vector<SpooledEvent>& events) {
    try {
        effects_->spool().append(events);
        return true;
    } catch (const std::exception& e) {
        spdlog::error("{}; answering 503 so that the sender sends the event again", e.what());
        return false;
    }
}

// Events an earlier process answered 202 and did not evaluate (it stopped, crashed or ran out of
// shutdown time) queue with their services before anything else.
void Daemon::replay_spool() {
    EventSpool& spool = effects_->spool();
    std::vector<SpooledEvent> left;
    try {
        left = spool.unfinished();
    } catch (const std::exception& e) {
        spdlog::error("{}; events kept before the last stop are not replayed", e.what());
        return;
    }
    if (left.empty()) return;
    spdlog::info("replaying {} event(s) kept in {} that were not evaluated before the last stop", left.size(), spool.file().string());
    std::shared_ptr<Generation> g = current();
    for (SpooledEvent& e : left) {
        auto w = g->workers.find(e.service);
        const ServicePolicy* service = g->policies.find(e.service);
        const SourceSpec* source = service ? service->watch.source(e.observation.source) : nullptr;
        if (w == g->workers.end() || !source || source->kind != SourceKind::event) {
            spdlog::warn("kept event {} for {}/{}: the policies have no such watched event source now; dropped", e.observation.event,
                         e.service, e.observation.source);
            spool.done(e.id);
            continue;
        }
        w->second->deliver(std::move(e.observation), e.id);
    }
}

void Daemon::reload() {
    if (retiring_) {
        reload_again_ = true;
        spdlog::info("SIGHUP: the reload before waits for the work at hand; reloading again once it is done");
        return;
    }
    spdlog::info("SIGHUP: reloading the policies from {}", options_.policies_path);
    notifier_.reloading("reloading the policies from " + options_.policies_path);
    PolicyLoadResult loaded;
    try {
        loaded = load_();
    } catch (const std::exception& e) {
        spdlog::error("reload failed: {}; still serving the policies loaded before", e.what());
        metrics_.reloaded(false);
        notifier_.ready("reload failed; " + serving_status());
        return;
    }
    if (loaded.diagnostics.has_errors()) {
        log_diagnostics(loaded.diagnostics, "reload");
        spdlog::error("reload refused: {} error(s) in {}; still serving the policies loaded before (backstop check shows them)",
                      loaded.diagnostics.error_count(), options_.policies_path);
        metrics_.reloaded(false);
        notifier_.ready("reload refused (errors in the policies); " + serving_status());
        return;
    }
    log_diagnostics(loaded.diagnostics, "reload");
    std::shared_ptr<Generation> next = make_generation(std::move(loaded));
    release_free_memory();
    {
        std::lock_guard<std::mutex> intake(intake_);
        std::lock_guard<std::mutex> lock(mutex_);
        retiring_ = current_;
        current_ = next;  // events from now on queue with the new workers until they start
    }
    // The old workers finish the job at hand and the events they queued; then the new ones take over
    // (never two evaluations of one service at a time: both would write its watch state). The main
    // loop looks until they are done, without a deadline (a rollback is bounded by its own
    // timeouts), and takes signals meanwhile.
    retiring_->stop(true);
    for (auto& [name, w] : retiring_->workers)
        if (std::string busy = w->busy_with(); !busy.empty()) {
            spdlog::info("reload waits for {}: {}", name, busy);
            notifier_.status("reloading: waiting for " + name + " (" + busy + ")");
        }
    finish_reload();
}

void Daemon::finish_reload() {
    if (!retiring_ || !retiring_->wait(std::chrono::steady_clock::now()).empty()) return;
    retiring_.reset();  // its watchers save their state before the new workers read it
    std::shared_ptr<Generation> g = current();
    g->start();
    metrics_.reloaded(true);
    spdlog::info("reloaded: {} service(s), {} watched", g->policies.services.size(), g->workers.size());
    if (reload_again_) {
        reload_again_ = false;
        reload();  // systemd stays in "reloading" until that one is done too
        return;
    }
    notifier_.ready("reloaded; " + serving_status());
}

std::optional<nlohmann::json> Daemon::badge(const std::string& service) {
    if (!current()->policies.find(service)) return std::nullopt;
    RunDependencies deps = effects_->dependencies();
    return service_badge(service, deps.history, deps.locks);
}

std::string Daemon::serving_status() const {
    std::shared_ptr<Generation> g = current();
    return "serving " + std::to_string(g->policies.services.size()) + " service(s), " + std::to_string(g->workers.size()) +
           " watched, on " + listening_on_;
}

// The main loop wakes at least this often: to see whether a reload's old workers are done, and to
// feed systemd's watchdog twice per WatchdogSec (a main loop stuck anywhere stops feeding it).
Duration Daemon::loop_wait() const {
    Duration wait{retiring_ ? 100 : 1000};
    if (auto keep_alive = notifier_.keep_alive_interval()) wait = std::min(wait, Duration{keep_alive->count()});
    return wait;
}

int Daemon::run() {
    SignalPipe signals({SIGHUP, SIGTERM, SIGINT});
    std::signal(SIGPIPE, SIG_IGN);  // a peer gone mid-answer is an error code, not the end
    replay_spool();

    HttpApiHooks hooks{[this](const std::vector<IncomingEvent>& events) { return deliver(events); },
                       [this] { return current()->policies.services.size(); }, [this] { return accepting_.load(); },
                       [this](const std::string& service) { return badge(service); }};
    HttpApi api(std::move(hooks), metrics_, options_.token);
    HttpServerOptions server_options;
    server_options.host = options_.host;
    server_options.port = options_.port;
    server_options.tls_cert_pem = options_.tls_cert_pem;
    server_options.tls_key_pem = options_.tls_key_pem;
    server_options.on_refused = [&api](const HttpServerRequest& request, int status) { api.refused(request, status); };
    // Room for the connection cap plus what the workers open (state files, pipes, clients).
    raise_fd_limit(server_options.max_connections + 1024);
    HttpServer server(server_options, [&api](const HttpServerRequest& request) { return api.handle(request); });
    if (server.max_connections() < server_options.max_connections)
        spdlog::warn("the open files limit (ulimit -n) allows only {} HTTP connections of {}", server.max_connections(),
                     server_options.max_connections);

    std::shared_ptr<Generation> g = current();
    std::size_t sources = 0, schedules = 0;
    for (auto& [name, w] : g->workers) {
        sources += w->sources_polled();
        schedules += w->schedules();
    }
    g->start();
    listening_on_ = (options_.tls_cert_pem.empty() ? "http://" : "https://") + server.host() + ":" + std::to_string(server.port());
    spdlog::info("backstop serve listening on {}: {} service(s), {} watched, {} polled source(s), {} schedule(s); POSTs {}",
                 listening_on_, g->policies.services.size(), g->workers.size(), sources, schedules,
                 options_.token ? "need the bearer token" : "need NO token (--no-auth)");
    notifier_.ready(serving_status());

    for (;;) {
        int signo = signals.wait(loop_wait());
        notifier_.keep_alive();
        if (signo == SIGHUP) reload();
        else if (signo == SIGTERM || signo == SIGINT) return shut_down(signo, server);
        finish_reload();
    }
}

// Whatever it was doing (a reload waiting for a rollback included): POSTs get 503 from now on, the
// workers of every generation start nothing new, and the work at hand has the shutdown timeout.
int Daemon::shut_down(int signo, HttpServer& server) {
    {
        std::lock_guard<std::mutex> intake(intake_);  // a delivery in progress is queued before the workers stop
        accepting_ = false;
    }
    spdlog::info("{}: stopping; POSTs get 503, no new work, waiting up to {} for the work at hand", signo == SIGTERM ? "SIGTERM" : "SIGINT",
                 format_duration(options_.shutdown_timeout));
    notifier_.stopping("stopping: waiting up to " + format_duration(options_.shutdown_timeout) + " for the work at hand");
    std::vector<std::shared_ptr<Generation>> generations{current()};
    if (retiring_) generations.push_back(retiring_);
    for (auto& g : generations) g->stop(false);
    for (auto& g : generations)
        for (auto& [name, w] : g->workers)
            if (std::string busy = w->busy_with(); !busy.empty()) spdlog::info("waiting for {}: {}", name, busy);
    const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
    std::vector<std::string> busy;
    for (auto& g : generations)
        for (std::string& b : g->wait(deadline)) busy.push_back(std::move(b));
    server.stop();
    EventSpool& spool = effects_->spool();
    spool.sync();
    if (std::size_t left = spool.pending())
        spdlog::info("{} event(s) not evaluated are kept in {}; the next start evaluates them", left, spool.file().string());
    if (busy.empty()) {
        spdlog::info("stopped");
        return 0;
    }
    std::string list;
    for (const auto& b : busy) list += (list.empty() ? "" : ", ") + b;
    spdlog::error("still busy after the shutdown timeout ({}): {}; exiting anyway", format_duration(options_.shutdown_timeout), list);
    spdlog::shutdown();
    std::_Exit(1);  // the busy threads hold references into this object: returning would destroy them under their feet
}

}  // namespace backstop

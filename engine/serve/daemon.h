// `backstop serve`: the long-running process. Holds the loaded policies and one ServiceWorker per
// watched service (their turns run by a WorkerPool), serves the HTTP API, keeps the events it takes
// in the event spool until evaluated, reloads the policies on SIGHUP (keeping the old ones when the
// new ones have errors) and on SIGTERM/SIGINT, whatever it is doing, stops taking work, lets the
// job at hand finish within the shutdown timeout, and returns. Under a Type=notify unit it tells
// systemd each of these steps and keeps its watchdog fed from the main loop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "policy/policy.h"
#include "serve/bearer_token.h"
#include "serve/daemon_metrics.h"
#include "serve/event_spool.h"
#include "serve/http_api.h"
#include "serve/service_worker.h"
#include "serve/systemd_notifier.h"
#include "serve/worker_pool.h"

namespace backstop {

struct DaemonOptions {
    std::string host = "127.0.0.1";
    int port = 0;
    std::optional<BearerToken> token;  // nullopt: POSTs without authentication (--no-auth)
    std::string tls_cert_pem;          // HTTPS when both are set (PEM text)
    std::string tls_key_pem;
    Duration shutdown_timeout{60'000};
    WorkerSettings workers;
    std::string policies_path;  // for messages
};

using PolicyLoader = std::function<PolicyLoadResult()>;

class Daemon {
public:
    // `initial` must have no errors; `load` reads the policies again on SIGHUP.
    Daemon(DaemonOptions options, PolicyLoader load, PolicyLoadResult initial);
    ~Daemon();

    // Serves until SIGTERM or SIGINT; 0 once everything stopped in time. Throws Error when it
    // cannot listen. When work is still running after the shutdown timeout, it logs what and ends
    // the process with exit code 1 (threads cannot be abandoned safely).
    int run();

private:
    struct Generation;
    std::shared_ptr<Generation> make_generation(PolicyLoadResult loaded);
    std::shared_ptr<Generation> current() const;
    std::vector<EventsReached> deliver(const std::vector<IncomingEvent>& events);
    std::optional<nlohmann::json> badge(const std::string& service);
    bool keep(std::vector<SpooledEvent>& events);
    void replay_spool();
    void reload();
    void finish_reload();
    int shut_down(int signo, HttpServer& server);
    std::string serving_status() const;
    Duration loop_wait() const;

    DaemonOptions options_;
    PolicyLoader load_;
    DaemonMetrics metrics_;
    SystemdNotifier notifier_;
    std::string listening_on_;  // scheme://host:port, once listening
    std::unique_ptr<WorkerEffects> effects_;  // shared by the workers of every generation
    mutable std::mutex mutex_;
    std::shared_ptr<Generation> current_;
    // Deliveries take turns with the swap of generations and the start of shutdown, so an event is
    // kept and queued with workers that take it, or answered 503.
    std::mutex intake_;
    std::atomic<bool> accepting_{true};  // set under intake_
    // A reload's old generation, finishing the job at hand and its queue before the new one starts;
    // only the main loop touches these.
    std::shared_ptr<Generation> retiring_;
    bool reload_again_ = false;  // a SIGHUP came during a reload
};

}  // namespace backstop

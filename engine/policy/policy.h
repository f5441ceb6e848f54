// The immutable policy model: what `backstop` knows about each service once the TOML files are
// loaded and checked. Built only by the policy loader; everything downstream reads it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/service_key.h"
#include "policy/watch_policy.h"
#include "prim/mail_client.h"

namespace backstop {

struct HealthCheck {
    std::string url;
    Duration timeout{1000};
    Duration interval{1000};
    int attempts = 30;          // verification gives up after this many failed probes
    int expect_status = 0;      // 0: any 2xx; otherwise this exact status
    std::string expect_body;    // substring the body must contain; empty: no check
    SourcePosition defined_at;
};

struct RollbackSettings {
    std::filesystem::path runbook;  // absolute; empty: the default runbook from stdlib
    SourcePosition runbook_at;      // where `runbook` was written, for diagnostics
    int max_attempts = 3;           // rollbacks allowed within `window`
    Duration window{3'600'000};
    std::string level = "fast";     // level used when the CLI names none
    Duration hook_timeout{300'000}; // wall-clock limit of one runbook hook call
    // Programs runbooks may exec: a bare name allows that name looked up in PATH, a path allows
    // exactly that file. Nothing else runs.
    std::vector<std::string> exec_allow;
    // The level ladder: when a level's verification fails, the next one runs. Empty: `level` alone.
    std::vector<std::string> levels;
};

// strategy "git": versions are commits of a checkout.
struct GitSettings {
    std::filesystem::path checkout;       // absolute path of the working tree
    std::string mode = "reset";           // reset: hard reset (+ force push); revert: revert commits (+ push)
    std::string remote;                   // push here after a rollback; empty: no push
    std::string branch;                   // the branch pushed
    std::vector<std::string> known_good;  // revisions known to be good, newest first; empty: HEAD~1
    Duration timeout{60'000};             // per git command
};

// What a rollback point of the service keeps besides its version.
struct PointSettings {
    std::vector<std::filesystem::path> config;   // files whose content (and SHA-256) a point keeps
    std::vector<std::filesystem::path> volumes;  // folders archived with --include-volumes
    std::vector<std::string> docker_volumes;     // docker named volumes, likewise (strategy "docker")
    int keep = 0;                                // after each create, prune to this many; 0: keep all
    Duration max_age{0};                         // after each create, prune older ones (never the newest); 0: no limit
};

// A service run as a systemd unit: restarted through it (unless `restart` is set) and verified as
// active before and after the health wait.
struct SystemdSettings {
    std::string unit;              // e.g. "web.service"; empty: the service is not a systemd unit
    std::string scope = "system";  // "system" (systemctl) or "user" (systemctl --user)
    Duration timeout{60'000};      // per systemctl command other than the restart
};

// strategy "docker": the service is a container; versions are image references.
struct DockerSettings {
    std::string container;    // the container's name
    std::string image;        // repository whose tags are the versions; empty: the container's image's
    std::string host;         // DOCKER_HOST value; empty: the environment's
    Duration timeout{60'000}; // per docker command
};

struct ServicePolicy {
    std::string name;
    std::string strategy;               // "releases", "git" or "docker"
    std::filesystem::path releases;     // absolute folder holding one folder per release
    std::filesystem::path current;      // absolute path of the symlink to the live release
    std::vector<std::string> restart;   // argv run after a switch; empty: nothing to restart
    Duration restart_timeout{60'000};
    GitSettings git;                    // strategy "git" only
    DockerSettings docker;              // strategy "docker" only
    SystemdSettings systemd;            // unit, scope
    std::optional<HealthCheck> health;
    RollbackSettings rollback;
    PointSettings points;
    WatchSettings watch;                // sources, triggers, decisions, schedules
    // The environment: one of its [service.NAME.env.ENV] tables, or `env = "prod"` for a service
    // that is one. Records carry it, and the service's state is kept under `key`.
    std::string env;
    bool has_environments = false;      // defined by env tables: every command names one (--env)
    std::string key;                    // service_key(name, env): PolicySet's key, the state's name

    // `backstop VERB` operands naming this service, for commands suggested to a person.
    std::string command_operand() const { return has_environments ? name + " --env " + env : name; }
    std::filesystem::path policy_file;  // the file that defined the service
    SourcePosition defined_at;
};

// A [[notify]] channel: where a finished run is announced. URLs and credentials are kept as
// written, "${env:NAME}" references unexpanded; they are expanded only when a message is sent, so
// no policy, plan, record or message built from these fields ever holds a secret.
enum class NotifyType { slack, discord, webhook, email };

struct NotifyChannel {
    std::string name;                   // unique across every policy file
    NotifyType type = NotifyType::webhook;
    std::string url;                    // slack, discord, webhook: template of the URL POSTed to
    std::map<std::string, std::string> headers;  // extra request headers (templates); not for email
    std::vector<std::string> events;    // outcomes announced: succeeded, failed, verify_failed, refused
    std::vector<std::string> services;  // empty: every service
    std::map<std::string, int> colors;  // slack, discord: 0xRRGGBB by outcome, overriding the defaults
    Duration timeout{5000};             // one attempt
    Duration deadline{30'000};          // every attempt of one delivery, retries and backoff included
    // email only
    std::string smtp_url;               // template; smtp:// (STARTTLS when offered) or smtps://
    std::string from;
    std::vector<std::string> to;
    std::string username;               // template
    std::string password;               // template
    MailTls tls = MailTls::when_offered;  // `tls`; `required` by default when there is a login
    std::string ca_file;                // absolute path of PEM certificates to trust; empty: the system's
    SourcePosition defined_at;

    // Whether this channel announces a run of `service` in `env` that ended as `outcome`
    // ("succeeded"…). `services` may name a service (every environment) or NAME@ENV.
    bool wants(const std::string& service, const std::string& env, const std::string& outcome) const {
        bool service_ok = services.empty();
        for (const auto& s : services) service_ok = service_ok || s == service || s == service_key(service, env);
        bool event_ok = false;
        for (const auto& e : events) event_ok = event_ok || e == outcome;
        return service_ok && event_ok;
    }
};

inline const char* to_string(NotifyType t) {
    switch (t) {
        case NotifyType::slack: return "slack";
        case NotifyType::discord: return "discord";
        case NotifyType::webhook: return "webhook";
        case NotifyType::email: return "email";
    }
    return "webhook";
}

struct PolicySet {
    std::map<std::string, ServicePolicy> services;  // by key: NAME, or NAME@ENV for each environment
    std::vector<NotifyChannel> channels;            // [[notify]] tables of every file, in load order

    const ServicePolicy* find(const std::string& key) const {
        auto it = services.find(key);
        return it == services.end() ? nullptr : &it->second;
    }
    // The service a person or a recording names: NAME@ENV, or NAME of a service without
    // environments (whatever its `env` label). nullptr when unknown, or when NAME has environments.
    const ServicePolicy* find_named(const std::string& name) const {
        if (const ServicePolicy* s = find(name)) return s;
        auto it = services.lower_bound(name + "@");
        if (it == services.end() || it->second.name != name || it->second.has_environments) return nullptr;
        return &it->second;
    }
    // The environments of service `name`, in name order; empty when it has none (or is unknown).
    std::vector<std::string> environments(const std::string& name) const {
        std::vector<std::string> out;
        for (auto it = services.lower_bound(name + "@"); it != services.end() && it->second.name == name; ++it)
            if (it->second.has_environments) out.push_back(it->second.env);
        return out;
    }
};

// One policy document: its text and the name errors should carry (normally its path).
struct PolicySource {
    std::string name;                // file path as shown in diagnostics
    std::string text;
    std::filesystem::path base_dir;  // relative paths in the document resolve against this
};

// A runbook a policy names, so its file can be checked even when the service has other errors.
struct RunbookReference {
    std::string service;
    std::filesystem::path file;
    SourcePosition at;
};

// A level a policy names (in `levels`, `level`, or a `rollback:LEVEL` of a trigger, a rule's tuning,
// a decision rule or a schedule), so `check` can match it against the levels of the service's runbook.
struct LevelReference {
    static constexpr std::size_t kDefaultRunbook = static_cast<std::size_t>(-1);

    std::string level;
    SourcePosition at;
    std::size_t runbook = kDefaultRunbook;  // the service's runbook: an index into PolicyLoadResult::runbooks
};

struct PolicyLoadResult {
    PolicySet policies;  // services without errors
    std::vector<RunbookReference> runbooks;
    std::vector<LevelReference> levels;  // of every service, with errors or not
    Diagnostics diagnostics;
    bool successful() const { return !diagnostics.has_errors(); }
};

// Parses and checks every source, collecting every problem rather than stopping at the first.
// Does not read files: runbook existence and Lua syntax are checked by the runbook loader.
PolicyLoadResult load_policies(const std::vector<PolicySource>& sources);

}  // namespace backstop

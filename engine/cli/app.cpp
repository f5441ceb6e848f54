#include "cli/app.h"

#include <cstdlib>
#include <iostream>
#include <set>
#include <pwd.h>
#include <unistd.h>

#include "cli/policy_files.h"
#include "core/error.h"
#include "prim/history_file.h"
#include "prim/lock_files.h"

namespace backstop::cli {

namespace fs = std::filesystem;

namespace {
std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
}  // namespace

fs::path default_policies_path() { return env_or("BACKSTOP_POLICIES", "/etc/backstop"); }

fs::path default_state_dir() {
    if (const char* v = std::getenv("BACKSTOP_STATE"); v && *v) return v;
    if (::geteuid() == 0) return "/var/lib/backstop";
    if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return fs::path(x) / "backstop";
    return fs::path(env_or("HOME", "/tmp")) / ".local/state/backstop";
}

std::string this_host() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

std::string default_actor() {
    // Under sudo, the person is who matters, not root.
    if (const char* s = std::getenv("SUDO_USER"); s && *s) return s;
    if (const char* u = std::getenv("USER"); u && *u) return u;
    if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
    return "uid " + std::to_string(::geteuid());
}

PolicyLoadResult App::load_policies() const {
    PolicyFiles files = read_policy_files(policies_path);
    PolicyLoadResult loaded = backstop::load_policies(files.sources);
    loaded.diagnostics.append(files.problems);
    return loaded;
}

namespace {

std::string comma_separated(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// The service or environment `name` with `env` names, when the policies have it; a usage error when
// the two do not go together, since guessing an environment could act on production.
const ServicePolicy* resolve_service(const PolicySet& policies, const std::string& name, const std::optional<std::string>& env) {
    std::vector<std::string> envs = policies.environments(name);
    if (!envs.empty()) {
        if (!env)
            throw UsageError{"service `" + name + "` has environments (" + comma_separated(envs) + "): name one with --env"};
        if (const ServicePolicy* svc = policies.find(service_key(name, *env))) return svc;
        throw UsageError{"service `" + name + "` has no environment `" + *env + "` (it has " + comma_separated(envs) + ")"};
    }
    const ServicePolicy* svc = policies.find_named(name);
    if (svc && env && svc->env != *env)
        throw UsageError{"service `" + name + "` has no environments" +
                         (svc->env.empty() ? std::string() : " (its label is `" + svc->env + "`)") + "; leave out --env"};
    return svc;
}

}  // namespace

const ServicePolicy* App::service(const std::string& name, PolicyLoadResult& holder) const {
    holder = load_policies();
    const ServicePolicy* svc = resolve_service(holder.policies, name, args.value("--env"));
    if (svc) {
        // Broken policies elsewhere must not stop an urgent rollback of a service that loaded fine.
        if (holder.diagnostics.has_errors())
            std::cerr << "backstop: warning: " << holder.diagnostics.error_count()
                      << " problem(s) in other policies; run `backstop check`\n";
        return svc;
    }
    if (holder.diagnostics.has_errors()) std::cerr << holder.diagnostics.to_text();
    std::set<std::string> known;
    for (const auto& [_, s] : holder.policies.services) known.insert(s.name);
    throw Error("unknown service `" + name + "` in " + policies_path.string() + " (known: " +
                (known.empty() ? "none" : comma_separated({known.begin(), known.end()})) + ")");
}

std::unique_ptr<HistoryStore> App::history() const { return make_history_file(history_file()); }
std::unique_ptr<LockManager> App::locks() const { return make_lock_files(lock_dir()); }

}  // namespace backstop::cli

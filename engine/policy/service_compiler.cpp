// One [service.NAME] table → ServicePolicy. Its keys are those of policy_keys.cpp; a key added
// there is read here.
#include "policy/service_compiler.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/did_you_mean.h"
#include "policy/field_reader.h"
#include "policy/policy_keys.h"
#include "policy/watch_compiler.h"
#include "prim/git_names.h"
#include "prim/systemd_units.h"

namespace backstop::policy {

namespace {

const std::span<const std::string_view> kStrategies = find_key(Section::service, "strategy")->choices;
const std::span<const std::string_view> kGitModes = find_key(Section::service, "mode")->choices;
const std::span<const std::string_view> kSystemdScopes = find_key(Section::service, "scope")->choices;

bool is_bare_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool valid_service_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name)
        if (!is_bare_key_char(c) && c != '.') return false;
    return true;
}

bool is_http_url(std::string_view url) {
    std::string_view rest;
    if (url.starts_with("http://"))
        rest = url.substr(7);
    else if (url.starts_with("https://"))
        rest = url.substr(8);
    else
        return false;
    return !rest.empty() && rest.front() != '/';
}

HealthCheck compile_health(FieldReader& fields) {
    HealthCheck health;
    health.defined_at = fields.table().at;
    if (auto url = fields.string("url")) {
        if (is_http_url(*url))
            health.url = *url;
        else
            fields.bad_value("url", "`url` must be an http:// or https:// URL with a host, got \"" + *url + "\"");
    } else if (!fields.table().find("url")) {
        fields.missing("url");
    }
    if (auto d = fields.duration("timeout")) health.timeout = *d;
    // Zero is a fair interval: probe again as soon as the previous probe has failed.
    if (auto d = fields.duration("interval", Duration{0})) health.interval = *d;
    if (auto n = fields.integer("attempts", 1)) health.attempts = *n;
    if (auto n = fields.integer("expect_status", 100, 599)) health.expect_status = *n;
    if (auto s = fields.string("expect_body")) health.expect_body = *s;
    return health;
}

void compile_git(FieldReader& fields, const RawMember& service, const std::filesystem::path& base_dir, GitSettings& git) {
    if (auto p = fields.path("checkout", base_dir))
        git.checkout = *p;
    else if (!service.value.find("checkout"))
        fields.missing("checkout");
    if (auto mode = fields.string("mode")) {
        if (!is_choice(kGitModes, *mode))
            fields.bad_value("mode", "unknown git mode \"" + *mode + "\"; accepted: \"reset\" (hard reset, optionally "
                                     "force-pushed) and \"revert\" (commit a revert of the bad range and push it)");
        else
            git.mode = *mode;
    }
    // Each reaches git's argv as written, so each is checked now: nothing reaches git that it
    // would read as an option or that names nothing ("${env:…}" is not expanded here).
    if (auto r = fields.string("remote", false)) {
        if (auto why = git_remote_problem(*r); !why.empty())
            fields.bad_value("remote", why + "; name a remote of the checkout (`git remote add`), a URL or a path");
        else
            git.remote = *r;
    }
    if (auto b = fields.string("branch", false)) {
        if (auto why = git_branch_problem(*b); !why.empty())
            fields.bad_value("branch", why);
        else
            git.branch = *b;
    }
    if (auto known = fields.argv("known_good")) {
        for (const auto& rev : *known)
            if (auto why = git_revision_problem(rev); !why.empty()) fields.bad_value("known_good", "`known_good`: " + why);
        git.known_good = std::move(*known);
    }
    if (auto d = fields.duration("git_timeout")) git.timeout = *d;
    if (!git.remote.empty() && !fields.table().find("branch"))
        fields.bad_value("remote", "`remote` needs `branch`: the branch to push after a rollback");
}

void compile_docker(FieldReader& fields, DockerSettings& docker) {
    if (auto c = fields.string("container")) {
        if (c->empty() || c->front() == '-' || c->find_first_of(" /:") != std::string::npos)
            fields.bad_value("container", "`container` must be a container name, got \"" + *c + "\"");
        else
            docker.container = *c;
    } else if (!fields.table().find("container")) {
        fields.missing("container");
    }
    if (auto i = fields.string("image", false)) {
        if (!i->empty() && i->front() == '-')
            fields.bad_value("image", "`image` must be an image repository, got \"" + *i + "\"");
        else
            docker.image = *i;
    }
    if (auto h = fields.string("docker_host", false)) docker.host = *h;
    if (auto d = fields.duration("docker_timeout")) docker.timeout = *d;
}

void compile_systemd(FieldReader& fields, SystemdSettings& systemd) {
    if (auto unit = fields.string("unit")) {
        if (auto why = systemd_unit_name_problem(*unit); !why.empty())
            fields.bad_value("unit", why);
        else
            systemd.unit = *unit;
    }
    if (auto scope = fields.string("scope")) {
        if (is_choice(kSystemdScopes, *scope))
            systemd.scope = *scope;
        else
            fields.bad_value("scope", "unknown systemd scope \"" + *scope + "\"; accepted: \"system\" (systemctl) and "
                                      "\"user\" (systemctl --user)");
    }
    if (auto d = fields.duration("unit_timeout")) systemd.timeout = *d;
    if (systemd.unit.empty() && !fields.table().find("unit")) {
        if (fields.table().find("scope")) fields.bad_value("scope", "`scope` needs `unit`: the systemd unit it applies to");
        if (fields.table().find("unit_timeout"))
            fields.bad_value("unit_timeout", "`unit_timeout` needs `unit`: the systemd unit it applies to");
    }
}

RollbackSettings compile_rollback(FieldReader& fields, const std::filesystem::path& base_dir) {
    RollbackSettings rollback;
    if (auto p = fields.path("runbook", base_dir)) {
        rollback.runbook = *p;
        rollback.runbook_at = fields.table().find("runbook")->at;
    }
    if (auto n = fields.integer("max_attempts", 1)) rollback.max_attempts = *n;
    if (auto d = fields.duration("window")) rollback.window = *d;
    if (auto s = fields.string("level", false)) rollback.level = *s;
    if (auto d = fields.duration("hook_timeout")) rollback.hook_timeout = *d;
    if (auto allowed = fields.argv("exec_allow")) rollback.exec_allow = std::move(*allowed);
    if (auto levels = fields.argv("levels")) {
        rollback.levels = std::move(*levels);
        if (!fields.table().find("level")) rollback.level = rollback.levels.front();
        else if (std::find(rollback.levels.begin(), rollback.levels.end(), rollback.level) == rollback.levels.end())
            fields.bad_value("level", "`level` \"" + rollback.level + "\" is not on the `levels` ladder");
    }
    return rollback;
}

// A key of another strategy (`checkout` in a releases service) would be read by nothing: say so
// rather than let it look like it took effect.
void reject_other_strategy_keys(const RawValue& service, const std::string& strategy, Report& report) {
    for (const RawMember& m : service.members) {
        const KeySpec* spec = find_key(Section::service, m.key);
        if (!spec || applies(*spec, strategy)) continue;
        report.error("unknown-key", m.key_at,
                     "`" + m.key + "` does not apply to a " + strategy + " service; it is for strategy \"" +
                         std::string(spec->only_for) + "\"");
    }
}

}  // namespace

std::string service_label(const std::string& name) {
    for (char c : name)
        if (!is_bare_key_char(c)) return "service.\"" + name + "\"";
    return "service." + name;
}

std::string home_of_key(std::string_view key, const std::string& service_name) {
    std::string label = service_label(service_name);
    if (find_key(Section::service, key)) return "[" + label + "]";
    if (find_key(Section::health, key)) return "[" + label + ".health]";
    if (find_key(Section::rollback, key)) return "[" + label + ".rollback]";
    if (find_key(Section::points, key)) return "[" + label + ".points]";
    return {};
}

ServicePolicy compile_service(const RawMember& service, const PolicySource& source, Report& report,
                              CompileCache& cache, const std::string& environment) {
    const std::string& name = service.key;
    if (!valid_service_name(name))
        report.error("bad-value", service.key_at,
                     "service name \"" + name + "\" may only use letters, digits, '_', '-' and '.'");

    ServicePolicy policy;
    policy.name = name;
    policy.env = environment;
    policy.has_environments = !environment.empty();
    // Absolute, so commands run "in the policy's folder" do not depend on the caller's cwd.
    policy.policy_file = (source.base_dir / std::filesystem::path(source.name).filename()).lexically_normal();
    policy.defined_at = service.value.at;

    FieldReader fields(service.value, service_label(name) + (environment.empty() ? "" : ".env." + environment), report);
    // Keys written in the wrong one of the three tables are the commonest slip: say where they go.
    auto home = [&](std::string_view key) { return home_of_key(key, name); };
    fields.reject_unknown(key_names(Section::service), home);

    auto strategy = fields.string("strategy");
    if (strategy) {
        if (!is_choice(kStrategies, *strategy)) {
            std::string message = "unknown strategy \"" + *strategy + "\"; accepted:";
            for (auto s : kStrategies) message += " \"" + std::string(s) + "\"";
            if (auto guess = did_you_mean(*strategy, kStrategies)) message += "; did you mean \"" + *guess + "\"?";
            fields.bad_value("strategy", std::move(message));
        } else {
            policy.strategy = *strategy;
        }
    } else if (!service.value.find("strategy")) {
        fields.missing("strategy");
    }

    if (!policy.strategy.empty()) reject_other_strategy_keys(service.value, policy.strategy, report);

    auto releases = fields.path("releases", source.base_dir);
    auto current = fields.path("current", source.base_dir);
    if (policy.strategy == "releases") {
        if (!releases && !service.value.find("releases")) fields.missing("releases");
        if (!current && !service.value.find("current")) fields.missing("current");
    }
    if (policy.strategy == "git") compile_git(fields, service, source.base_dir, policy.git);
    if (policy.strategy == "docker") compile_docker(fields, policy.docker);
    if (releases && current && *releases == *current)
        fields.bad_value("current", "`current` is the symlink to one release, so it cannot be the `releases` folder itself");
    if (releases) policy.releases = *releases;
    if (current) policy.current = *current;

    if (auto argv = fields.argv("restart")) policy.restart = std::move(*argv);
    if (auto d = fields.duration("restart_timeout")) policy.restart_timeout = *d;
    if (environment.empty())
        if (auto label = fields.string("env")) policy.env = *label;
    policy.key = service_key(name, policy.env);
    compile_systemd(fields, policy.systemd);

    if (const RawValue* table = fields.subtable("health")) {
        FieldReader health(*table, fields.label() + ".health", report);
        health.reject_unknown(key_names(Section::health), home);
        policy.health = compile_health(health);
    } else if (!service.value.find("health")) {
        report.warning("no-health-check", service.value.at,
                       "service `" + name + "` has no [" + fields.label() +
                           ".health] table; unless its runbook's verify checks the service, a rollback is only "
                           "verified by the restart command's exit status");
    }
    if (const RawValue* table = fields.subtable("points")) {
        FieldReader points(*table, fields.label() + ".points", report);
        points.reject_unknown(key_names(Section::points), home);
        auto absolute = [&](const std::vector<std::string>& paths) {
            std::vector<std::filesystem::path> out;
            for (const auto& p : paths) out.push_back((source.base_dir / p).lexically_normal());
            return out;
        };
        if (auto files = points.argv("config")) policy.points.config = absolute(*files);
        if (auto folders = points.argv("volumes")) policy.points.volumes = absolute(*folders);
        if (auto names = points.strings("docker_volumes")) {
            if (policy.strategy == "docker")
                policy.points.docker_volumes = *names;
            else if (!names->empty())
                points.bad_value("docker_volumes", "docker_volumes needs strategy \"docker\" (the container is stopped "
                                                   "while its volumes are restored); use `volumes` for folders");
        }
        if (auto keep = points.integer("keep", 1)) policy.points.keep = *keep;
        if (auto age = points.duration("max_age")) policy.points.max_age = *age;
    }
    if (const RawValue* table = fields.subtable("rollback")) {
        FieldReader rollback(*table, fields.label() + ".rollback", report);
        rollback.reject_unknown(key_names(Section::rollback), home);
        policy.rollback = compile_rollback(rollback, source.base_dir);
    }
    compile_watch(fields, source, report, cache, policy);

    return policy;
}

}  // namespace backstop::policy

// The key tables of the policy format. A key added to a compiler goes here first: the compiler
// rejects what is not listed, and the schema and the man page describe what is.
#include "policy/policy_keys.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <utility>

#include "core/observation.h"

namespace backstop::policy {

namespace {

using T = KeyType;

constexpr std::string_view kStrategyChoices[] = {"releases", "git", "docker"};
constexpr std::string_view kGitModeChoices[] = {"reset", "revert"};
constexpr std::string_view kScopes[] = {"system", "user"};
constexpr std::string_view kSeverities[] = {"info", "warning", "critical"};
constexpr std::string_view kNotifyTypes[] = {"slack", "discord", "webhook", "email"};
constexpr std::string_view kMailTlsModes[] = {"required", "none"};
// The first kDefaultNotifyEvents are announced when `events` is left out: every rollback outcome
// and every page, not the quiet ones (held back, decided to do nothing, found nothing to do) nor
// the outcomes of `backstop verify` (verified, unhealthy), which a channel announces only when listed.
constexpr std::string_view kNotifyEvents[] = {"succeeded", "failed",          "verify_failed", "refused",
                                              "manual",    "paged",           "awaiting_hotfix", "suppressed",
                                              "no_action", "nothing_to_do",   "verified",      "unhealthy"};
constexpr std::string_view kLookedAt = "http tcp command log unit container process prometheus cpu memory disk";

constexpr KeySpec kTopKeys[] = {
    {.name = "service", .type = T::named_tables, .description = "one table per service: [service.NAME]",
     .content = Section::service},
    {.name = "notify", .type = T::tables, .description = "channels finished runs are announced on: [[notify]]",
     .content = Section::notify},
};

constexpr KeySpec kServiceKeys[] = {
    {.name = "strategy", .description = "how versions are kept: release folders, commits of a git checkout, or images of a container",
     .required = true, .choices = kStrategyChoices},
    {.name = "releases", .type = T::path, .description = "releases: folder holding one folder per release",
     .required_for = "releases"},
    {.name = "current", .type = T::path, .description = "releases: the symlink pointing at the live release",
     .required_for = "releases"},
    {.name = "restart", .type = T::argv, .description = "argv run after a switch (no shell), in the policy file's folder"},
    {.name = "restart_timeout", .type = T::duration, .description = "the restart command is killed (with its process group) after this",
     .default_value = "\"60s\""},
    {.name = "env", .type = T::environments,
     .description = "the service's environments, [service.NAME.env.ENV] tables each overriding any key of the service "
                    "(then every command names one with --env); or a label such as \"prod\" for a service that is one",
     .default_note = "no environments", .content = Section::environment},
    {.name = "health", .type = T::table, .description = "the health check verification uses", .content = Section::health},
    {.name = "rollback", .type = T::table, .description = "runbook, attempts and levels of a rollback",
     .content = Section::rollback},
    {.name = "points", .type = T::table, .description = "what a rollback point keeps besides the version",
     .content = Section::points},
    {.name = "source", .type = T::named_tables, .description = "things the service is watched through, by name",
     .content = Section::source},
    {.name = "trigger", .type = T::tables, .description = "conditions over a source's observations that act",
     .content = Section::trigger},
    {.name = "use", .type = T::rule_names, .description = "built-in rules to enable (backstop rules list)"},
    {.name = "rules", .type = T::table, .description = "tuning of the rules in `use`, by rule name",
     .content = Section::rule},
    {.name = "decide", .type = T::tables, .description = "ordered decision rules: the first whose `when` holds gives the action",
     .content = Section::decide},
    {.name = "schedule", .type = T::tables, .description = "actions taken on a cron schedule by `backstop serve`",
     .content = Section::schedule},
    {.name = "cooldown", .type = T::duration, .description = "after a trigger acted, it does not act again for this long",
     .default_value = "\"10m\""},
    {.name = "checkout", .type = T::path, .description = "git: the working tree the service runs from", .required_for = "git", .only_for = "git"},
    {.name = "mode", .description = "git: hard reset (force-push with a lease) or a revert commit (pushed)",
     .default_value = "\"reset\"", .only_for = "git", .choices = kGitModeChoices},
    {.name = "remote", .description = "git: the remote the branch is published to (a remote name, URL or path); needs `branch`", .only_for = "git"},
    {.name = "branch", .description = "git: the branch fetched before and pushed after a rollback", .only_for = "git"},
    {.name = "known_good", .type = T::argv, .description = "git: rollback targets, newest first",
     .default_note = "the current version's parent", .only_for = "git"},
    {.name = "git_timeout", .type = T::duration, .description = "git: limit of each git command", .default_value = "\"60s\"", .only_for = "git"},
    {.name = "container", .description = "docker: the container's name", .required_for = "docker", .only_for = "docker"},
    {.name = "image", .description = "docker: the repository whose tags are the versions",
     .default_note = "the container's image's repository", .only_for = "docker"},
    {.name = "docker_host", .description = "docker: the engine, e.g. \"unix:///run/docker.sock\"",
     .default_note = "$DOCKER_HOST", .only_for = "docker"},
    {.name = "docker_timeout", .type = T::duration, .description = "docker: limit of each docker command",
     .default_value = "\"60s\"", .only_for = "docker"},
    {.name = "unit", .description = "the service's systemd unit, e.g. \"web.service\": restarted and checked through it"},
    {.name = "scope", .description = "the manager of `unit`: systemctl (system) or systemctl --user (user)",
     .default_value = "\"system\"", .choices = kScopes},
    {.name = "unit_timeout", .type = T::duration, .description = "limit of each systemctl command other than the restart",
     .default_value = "\"60s\""},
};

constexpr KeySpec kHealthKeys[] = {
    {.name = "url", .description = "http:// or https:// URL probed with GET", .required = true},
    {.name = "timeout", .type = T::duration, .description = "limit of one probe", .default_value = "\"1s\""},
    {.name = "interval", .type = T::duration, .description = "wait between probes", .default_value = "\"1s\""},
    {.name = "attempts", .type = T::integer, .description = "verification gives up after this many failed probes",
     .default_value = "30", .min = 1, .max = INT32_MAX},
    {.name = "expect_status", .type = T::integer, .description = "the exact status a healthy answer has",
     .default_note = "any 2xx", .min = 100, .max = 599},
    {.name = "expect_body", .description = "text a healthy answer's body contains"},
};

constexpr KeySpec kRollbackKeys[] = {
    {.name = "runbook", .type = T::path, .description = "Lua runbook overriding parts of the default runbook",
     .default_note = "the default runbook"},
    {.name = "max_attempts", .type = T::integer, .description = "rollbacks allowed within `window`; more are refused",
     .default_value = "3", .min = 1, .max = INT32_MAX},
    {.name = "window", .type = T::duration, .description = "the period `max_attempts` counts in", .default_value = "\"1h\""},
    {.name = "level", .description = "the level run when none is named", .default_note = "the first of `levels`, else \"fast\""},
    {.name = "hook_timeout", .type = T::duration, .description = "wall-clock limit of one runbook hook call",
     .default_value = "\"5m\""},
    {.name = "exec_allow", .type = T::argv,
     .description = "programs runbooks may exec: a bare name is looked up in PATH, a path allows exactly that file"},
    {.name = "levels", .type = T::argv, .description = "the level ladder: when a level fails, the next one runs",
     .default_note = "[level]"},
};

constexpr KeySpec kPointsKeys[] = {
    {.name = "config", .type = T::argv, .description = "config files whose content and SHA-256 each point keeps"},
    {.name = "volumes", .type = T::argv, .description = "data folders archived with --include-volumes"},
    {.name = "docker_volumes", .type = T::strings,
     .description = "docker: named volumes archived with --include-volumes"},
    {.name = "keep", .type = T::integer, .description = "after each create, only the newest this many points stay",
     .default_note = "keep all", .min = 1, .max = INT32_MAX},
    {.name = "max_age", .type = T::duration,
     .description = "after each create, points older than this are pruned too; the newest point always stays",
     .default_note = "no age limit"},
};

constexpr KeySpec kSourceKeys[] = {
    {.name = "kind", .description = "what is looked at", .required = true, .choices = kSourceKindNames},
    {.name = "interval", .type = T::duration, .description = "how often the daemon looks", .default_value = "\"10s\"",
     .only_for = kLookedAt},
    {.name = "timeout", .type = T::duration, .description = "limit of one look", .default_value = "\"2s\"",
     .only_for = kLookedAt},
    {.name = "url", .description = "http: the URL asked; prometheus: the server's base URL", .required_for = "http prometheus",
     .only_for = "http prometheus"},
    {.name = "method", .description = "http: the request method", .default_value = "\"GET\"", .only_for = "http"},
    {.name = "expect_status", .type = T::status_codes, .description = "http: the statuses that pass",
     .default_note = "200-399", .only_for = "http"},
    {.name = "body", .description = "http: a POSIX extended regular expression the body must match", .only_for = "http"},
    {.name = "max_latency", .type = T::duration, .description = "http: slower answers fail", .only_for = "http"},
    {.name = "host", .description = "tcp: the host connected to", .default_value = "\"127.0.0.1\"", .only_for = "tcp"},
    {.name = "port", .type = T::integer, .description = "tcp: the port connected to", .required_for = "tcp",
     .only_for = "tcp", .min = 1, .max = 65535},
    {.name = "command", .type = T::argv, .description = "command: argv run without a shell; exit 0 passes",
     .required_for = "command", .only_for = "command"},
    {.name = "working_dir", .type = T::path, .description = "command: the folder it runs in",
     .default_note = "the policy file's folder", .only_for = "command"},
    {.name = "path", .type = T::path, .description = "log: the file followed; disk: a path on the file system measured",
     .default_note = "disk: \"/\"", .required_for = "log", .only_for = "log disk"},
    {.name = "pattern", .description = "log: a POSIX extended regular expression; a new matching line fails",
     .required_for = "log", .only_for = "log"},
    {.name = "unit", .description = "unit: the systemd unit that must be active", .required_for = "unit", .only_for = "unit"},
    {.name = "scope", .description = "unit: its manager", .default_value = "\"system\"", .only_for = "unit",
     .choices = kScopes},
    {.name = "container", .description = "container: the container that must be running", .required_for = "container",
     .only_for = "container"},
    {.name = "docker_host", .description = "container: the docker engine", .default_note = "$DOCKER_HOST",
     .only_for = "container"},
    {.name = "pid_file", .type = T::path, .description = "process: the file holding the pid that must be alive",
     .required_for = "process", .only_for = "process"},
    {.name = "query", .description = "prometheus: an instant query answering one number", .required_for = "prometheus",
     .only_for = "prometheus"},
    {.name = "match", .type = T::string_table, .description = "event: labels an alert or event must carry to reach it",
     .only_for = "event"},
};

constexpr KeySpec kTriggerKeys[] = {
    {.name = "name", .description = "unique in the service; history and metrics use it", .required = true},
    {.name = "source", .description = "the source it reads", .required = true},
    {.name = "when", .description = "an expression over the source's observations", .required = true},
    {.name = "for", .type = T::duration, .description = "the condition must hold this long before the trigger fires",
     .default_value = "\"0s\""},
    {.name = "severity", .description = "read by decision rules", .default_value = "\"critical\"", .choices = kSeverities},
    {.name = "delay", .type = T::duration, .description = "after it held long enough, check once more after this before acting",
     .default_value = "\"0s\""},
    {.name = "then", .type = T::action, .description = "what to do when it fires", .default_value = "\"decide\""},
    {.name = "window", .type = T::duration, .description = "the period avg, p95, restarts_delta… are computed over",
     .default_value = "\"5m\""},
    {.name = "baseline", .type = T::duration, .description = "`baseline` is the mean of value over this long before the window",
     .default_value = "\"1h\""},
    {.name = "cooldown", .type = T::duration, .description = "after it acted, it does not act again for this long",
     .default_note = "the service's `cooldown`"},
};

constexpr KeySpec kDecideKeys[] = {
    {.name = "when", .description = "an expression over the trigger that fired", .required = true},
    {.name = "then", .type = T::action, .description = "the action when `when` holds (not decide)", .required = true},
};

constexpr KeySpec kScheduleKeys[] = {
    {.name = "cron", .description = "a five-field cron schedule, e.g. \"0 */6 * * *\"", .required = true},
    {.name = "then", .type = T::action, .description = "the action: rollback, rollback:LEVEL, page or none", .required = true},
};

constexpr KeySpec kNotifyKeys[] = {
    {.name = "name", .description = "unique across all files; letters, digits, '_', '-', '.'", .required = true},
    {.name = "type", .description = "the kind of receiver", .required = true, .choices = kNotifyTypes},
    {.name = "events", .type = T::strings, .description = "outcomes announced",
     .default_value = R"(["succeeded", "failed", "verify_failed", "refused", "manual", "paged", "awaiting_hotfix"])",
     .choices = kNotifyEvents},
    {.name = "services", .type = T::strings, .description = "services announced", .default_note = "every service"},
    {.name = "colors", .type = T::string_table, .description = "colour per outcome, \"#rrggbb\" by event name, e.g. { verified = \"#2ECC71\" }",
     .default_note = "green succeeded, verified; yellow verify_failed and the quiet ones; red the others",
     .only_for = "slack discord"},
    {.name = "timeout", .type = T::duration, .description = "limit of one attempt", .default_value = "\"5s\""},
    {.name = "deadline", .type = T::duration, .description = "limit of every attempt of one delivery; at least `timeout`",
     .default_value = "\"30s\""},
    {.name = "url", .description = "http:// or https:// URL POSTed to, normally \"${env:NAME}\"",
     .required_for = "slack discord webhook", .only_for = "slack discord webhook"},
    {.name = "headers", .type = T::string_table, .description = "extra request headers, e.g. { Authorization = \"Bearer ${env:TOKEN}\" }",
     .only_for = "slack discord webhook"},
    {.name = "smtp_url", .description = "smtp://HOST:PORT (STARTTLS when offered) or smtps://HOST:PORT",
     .required_for = "email", .only_for = "email"},
    {.name = "from", .description = "the sender, addr or Name <addr>", .required_for = "email", .only_for = "email"},
    {.name = "to", .type = T::strings, .description = "the recipients", .required_for = "email", .only_for = "email"},
    {.name = "username", .description = "SMTP login", .only_for = "email"},
    {.name = "password", .description = "SMTP password, normally \"${env:NAME}\"; needs `username`", .only_for = "email"},
    {.name = "tls", .description = "\"required\": STARTTLS or smtps:// or nothing is sent; \"none\": plain text, login included (check warns)",
     .default_note = "\"required\" when `username` is set, else STARTTLS when offered", .only_for = "email", .choices = kMailTlsModes},
    {.name = "ca_file", .type = T::path, .description = "PEM certificates to trust for the server's TLS, besides the system's",
     .only_for = "email"},
};

// [service.NAME.env.ENV]: any key of the service but `strategy` (environments share how versions
// are kept) and `env`; none is required there, since the service's own table may hold it.
constexpr std::size_t kEnvironmentKeyCount = std::size(kServiceKeys) - 2;
constexpr std::array<KeySpec, kEnvironmentKeyCount> environment_keys() {
    std::array<KeySpec, kEnvironmentKeyCount> out{};
    std::size_t n = 0;
    for (const KeySpec& k : kServiceKeys) {
        if (k.name == "strategy" || k.name == "env") continue;
        KeySpec copy = k;
        copy.required = false;
        copy.required_for = {};
        out[n++] = copy;
    }
    return out;
}
constexpr std::array<KeySpec, kEnvironmentKeyCount> kEnvironmentKeys = environment_keys();

constexpr std::array<SectionSpec, 12> kSections = {{
    {Section::top, "top level", "A policy file holds services and notification channels.", "", kTopKeys},
    {Section::service, "[service.NAME]",
     "A service: how its versions are kept, how it is restarted, watched and rolled back. NAME: letters, digits, '_', '-', "
     "'.'; defined once across all files.",
     "strategy", kServiceKeys},
    {Section::health, "[service.NAME.health]",
     "The health check the default verify uses, also watched as the source \"health\".", "", kHealthKeys},
    {Section::rollback, "[service.NAME.rollback]", "How a rollback of the service runs.", "", kRollbackKeys},
    {Section::points, "[service.NAME.points]", "What `backstop points create` keeps besides the version.", "", kPointsKeys},
    {Section::source, "[service.NAME.source.SOURCE]",
     "Something the service is watched through; each look gives an observation: ok, failed or unknown.", "kind",
     kSourceKeys},
    {Section::trigger, "[[service.NAME.trigger]]", "A condition over a source's recent observations that acts when it holds.",
     "", kTriggerKeys},
    {Section::rule, "[service.NAME.rules.RULE]",
     "Tuning of a built-in rule the service uses: any trigger key but `name`, or one of the rule's parameters.", "",
     kTriggerKeys},
    {Section::decide, "[[service.NAME.decide]]", "A decision rule for triggers whose `then` is \"decide\".", "", kDecideKeys},
    {Section::schedule, "[[service.NAME.schedule]]", "An action `backstop serve` takes on a cron schedule.", "",
     kScheduleKeys},
    {Section::notify, "[[notify]]", "A channel finished runs are announced on.", "type", kNotifyKeys},
    {Section::environment, "[service.NAME.env.ENV]",
     "One environment of a service (test, prod): the service's keys with these laid over them, tables merged key by "
     "key, anything else (arrays of tables included) replaced. ENV: letters, digits, '_', '-', '.'.",
     "", kEnvironmentKeys},
}};

bool listed(std::string_view list, std::string_view value) {
    while (!list.empty()) {
        std::size_t space = list.find(' ');
        if (list.substr(0, space) == value) return true;
        if (space == std::string_view::npos) break;
        list.remove_prefix(space + 1);
    }
    return false;
}

// Every (section, discriminator value) list of names, built once: compilers ask for them per table.
struct NameLists {
    std::map<std::pair<Section, std::string_view>, std::vector<std::string_view>> lists;
    std::vector<std::string_view> rule_tuning;

    NameLists() {
        for (const SectionSpec& s : kSections) {
            std::vector<std::string_view> values = {std::string_view{}};
            if (const KeySpec* d = s.discriminator.empty() ? nullptr : find_key(s.id, s.discriminator))
                values.insert(values.end(), d->choices.begin(), d->choices.end());
            for (std::string_view v : values) {
                auto& names = lists[{s.id, v}];
                for (const KeySpec& k : s.keys)
                    if (applies(k, v)) names.push_back(k.name);
            }
        }
        for (const KeySpec& k : kTriggerKeys)
            if (k.name != "name") rule_tuning.push_back(k.name);
    }
};

const NameLists& name_lists() {
    static const NameLists lists;
    return lists;
}

}  // namespace

std::span<const SectionSpec> sections() { return kSections; }

const SectionSpec& section(Section id) { return kSections[static_cast<std::size_t>(id)]; }

const KeySpec* find_key(Section s, std::string_view key) {
    for (const KeySpec& k : section(s).keys)
        if (k.name == key) return &k;
    return nullptr;
}

bool is_choice(std::span<const std::string_view> choices, std::string_view value) {
    return std::find(choices.begin(), choices.end(), value) != choices.end();
}

bool applies(const KeySpec& key, std::string_view value) {
    return value.empty() || key.only_for.empty() || listed(key.only_for, value);
}

const std::vector<std::string_view>& key_names(Section s, std::string_view value) {
    static const std::vector<std::string_view> none;
    const auto& lists = name_lists().lists;
    auto it = lists.find({s, value});
    return it == lists.end() ? none : it->second;
}

const std::vector<std::string_view>& rule_tuning_key_names() { return name_lists().rule_tuning; }

}  // namespace backstop::policy

#include "cli/verbs.h"

#include "core/run_record.h"

namespace backstop::cli {

namespace {

OptionSpec flag(std::string name, std::string help, std::string short_name = "") {
    return {std::move(name), ValueKind::none, "", std::move(help), std::move(short_name), {}};
}
OptionSpec value(std::string name, ValueKind kind, std::string value_name, std::string help) {
    return {std::move(name), kind, std::move(value_name), std::move(help), "", {}};
}

const OptionSpec kJson = flag("--json", "print the result as JSON on stdout");
const OptionSpec kDryRun = flag("--dry-run", "plan every step and print it; change nothing (recorded as a dry run)");
const OptionSpec kReason = value("--reason", ValueKind::text, "TEXT", "why, for history and notifications");
const OptionSpec kActor = value("--actor", ValueKind::text, "NAME", "who acts, for history (default $SUDO_USER, else $USER)");
const OptionSpec kDaemonActor = value("--actor", ValueKind::text, "NAME", "who acts, for history (default backstop)");
// Verbs that name a service take it; parse_args refuses it anywhere else rather than ignore it.
const OptionSpec kEnv = value("--env", ValueKind::text, "ENV", "the environment, for a service with [service.NAME.env.ENV] tables (required for one)");
const OptionSpec kLevel = value("--level", ValueKind::text, "NAME", "the runbook level to roll back with (default the policy's `level`)");

Operands service_operand() { return {1, 1, {}, ValueKind::service}; }

std::vector<Verb> make_table() {
    return {
        {"check", {"check [--json]"}, "Check policies and runbooks; report every problem as FILE:LINE:COL",
         {kJson}, {}, {"backstop check", "backstop --policies ./policies check --json"}, run_check},
        {"rollback",
         {"rollback SERVICE [--env ENV] [--to NAME] [--level NAME] [--dry-run] [--emergency] [--reason TEXT] [--actor NAME] [--yes] [--json]"},
         "Roll a service back to the previous (or named) release, verify it and record it",
         {value("--to", ValueKind::text, "NAME", "the target: a release, git revision, image tag or rollback point rb-… (default the previous one)"),
          kEnv, kLevel, kDryRun, flag("--emergency", "skip verification (recorded, with the reason)"), kReason, kActor,
          flag("--yes", "do not ask for confirmation on a terminal", "-y"), kJson},
         service_operand(), {"backstop rollback web --dry-run", "backstop rollback web --to v41 --reason 'bad deploy' --yes"},
         run_rollback},
        {"verify", {"verify SERVICE [--env ENV] [--rollback] [--level NAME] [--reason TEXT] [--actor NAME] [--json]"},
         "Verify a service as it runs now; with --rollback, roll it back when verification fails",
         {flag("--rollback", "roll the service back when verification fails"), kEnv, kLevel, kReason, kActor, kJson},
         service_operand(), {"backstop verify web --rollback"}, run_verify},
        {"points",
         {"points list SERVICE [--env ENV] [--json]", "points create SERVICE [--env ENV] --description TEXT [--include-volumes] [--dry-run] [--json]",
          "points delete ID [--json]", "points delete latest --service S [--json]"},
         "List releases and rollback points with their size; make a point (version, config files, volumes); delete one",
         {kJson, kEnv, value("--description", ValueKind::text, "TEXT", "what the point is for (points create)"),
          flag("--include-volumes", "archive the service's volumes too (points create)"),
          flag("--dry-run", "say what the point would hold and which points `keep` and `max_age` would prune; change nothing (points create)"),
          value("--service", ValueKind::service, "S", "the service whose newest point `latest` names (points delete)")},
         {2, 2, {"list", "create", "delete"}, ValueKind::service, {{"delete", ValueKind::point}}},
         {"backstop points create web --description 'before the schema migration'", "backstop points list web",
          "backstop points delete latest --service web"},
         run_points},
        {"history",
         {"history [--service S] [--env ENV] [--limit N] [--json]", "history stats [--service S] [--env ENV] [--json]", "history badge SERVICE [--env ENV]",
          "history add SERVICE [--env ENV] --from NAME --to NAME --reason TEXT --outcome OUTCOME [--actor NAME] [--dry-run] [--json]"},
         "Show recorded runs, newest first, success rate and MTTR, or a service's status badge (shields.io JSON); record a rollback done by hand",
         {value("--service", ValueKind::service, "S", "only the runs of this service (NAME, every environment, or NAME@ENV)"),
          value("--env", ValueKind::text, "ENV", "only the runs of this environment; for add and badge, the service's environment"),
          value("--limit", ValueKind::count, "N", "show at most N runs (default 20)"),
          value("--from", ValueKind::text, "NAME", "the version the service was on before the rollback by hand (history add)"),
          value("--to", ValueKind::text, "NAME", "the version it was rolled back to (history add)"),
          value("--reason", ValueKind::text, "TEXT", "why it was rolled back (history add)"),
          {"--outcome", ValueKind::choice, "OUTCOME", "how the rollback by hand ended (history add)", "", recordable_outcome_names()},
          kActor, flag("--dry-run", "print the record history add would write; write nothing"), kJson},
         {0, 2, {"stats", "add", "badge"}, ValueKind::text, {{"add", ValueKind::service}, {"badge", ValueKind::service}}},
         {"backstop history --service web --limit 5", "backstop history stats --json",
          "backstop history badge web",
          "backstop history add web --from v42 --to v41 --reason 'rolled back by hand' --outcome succeeded"},
         run_history},
        {"eval", {"eval [SERVICE...] [--env ENV] [--once] [--dry-run] [--actor NAME] [--json]"},
         "Evaluate every trigger once and act on those that fire (for cron and CI)",
         {flag("--once", "one pass (what eval always does; for crontabs that say so)"),
          flag("--dry-run", "plan the actions; change nothing and keep no trigger state"), kEnv, kDaemonActor, kJson},
         {0, Operands::kAny, {}, ValueKind::service}, {"backstop eval --once", "backstop eval web --dry-run --json"}, run_eval},
        {"simulate", {"simulate --observations FILE [--json]", "simulate --event FILE [--json]"},
         "Replay recorded observations or an alert through triggers, guards and decisions; print what would be done and why",
         {value("--observations", ValueKind::file, "FILE", "JSON lines of recorded observations to replay"),
          value("--event", ValueKind::file, "FILE", "an Alertmanager webhook body or generic events to replay"), kJson},
         {}, {"backstop simulate --event alert.json"}, run_simulate},
        {"test", {"test FILE... [--json]"},
         "Run policy tests: replay observations or events through the policies and compare what the triggers do with what each test expects",
         {kJson}, {1, Operands::kAny, {}, ValueKind::file}, {"backstop test policies/tests/web_test.toml"}, run_test},
        {"rules", {"rules list [--json]"}, "Show the built-in trigger rules and their defaults", {kJson},
         {1, 1, {"list"}, ValueKind::text}, {"backstop rules list"}, run_rules},
        {"pause", {"pause SERVICE [--env ENV] [--for DURATION] [--reason TEXT] [--actor NAME] [--json]"},
         "Hold back every action triggers decide for a service (planned work); each is recorded as suppressed",
         {value("--for", ValueKind::duration, "DURATION", "end the pause by itself after this long (default: until resume)"),
          kEnv, kReason, kActor, kJson},
         service_operand(), {"backstop pause web --for 30m --reason 'database migration'"}, run_pause},
        {"resume", {"resume SERVICE [--env ENV] [--json]"}, "Let triggers act again after `pause`", {kEnv, kJson}, service_operand(),
         {"backstop resume web"}, run_resume},
        {"serve",
         {"serve [--listen HOST:PORT] [--token-file PATH | --no-auth] [--tls-cert PEM --tls-key PEM] [--shutdown-timeout D] "
          "[--dry-run] [--actor NAME]"},
         "Run the daemon: sources on their intervals, cron schedules, Alertmanager and other events, /metrics",
         {value("--listen", ValueKind::text, "HOST:PORT", "where to listen (default 127.0.0.1:9470)"),
          value("--token-file", ValueKind::file, "PATH", "bearer token for POST /v1/events and /v1/alertmanager (or $BACKSTOP_TOKEN)"),
          flag("--no-auth", "accept events without a token (loopback testing only)"),
          value("--tls-cert", ValueKind::file, "PEM", "serve HTTPS with this certificate chain"),
          value("--tls-key", ValueKind::file, "PEM", "the private key of --tls-cert"),
          value("--shutdown-timeout", ValueKind::duration, "D", "how long SIGTERM waits for running actions"),
          flag("--dry-run", "plan the actions triggers decide; change nothing"), kDaemonActor},
         {}, {"BACKSTOP_TOKEN=$(cat /etc/backstop/token) backstop serve --listen 127.0.0.1:9470"}, run_serve},
        {"hotfix", {"hotfix SERVICE [--env ENV] --eta DURATION [--reason TEXT] [--actor NAME] [--json]", "hotfix SERVICE [--env ENV] --clear [--json]"},
         "Announce a fix on its way: decision rules see hotfix_eta (the default tree waits for one due within 15m)",
         {value("--eta", ValueKind::duration, "DURATION", "when the fix is expected live, from now"), kEnv, kReason, kActor,
          flag("--clear", "withdraw the announcement"), kJson},
         service_operand(), {"backstop hotfix web --eta 10m --reason 'fix for #4711 is in CI'"}, run_hotfix},
        // The build writes the man page and the completions with this; the completions ask for service names.
        {"__generate", {"__generate NAME [FILE]"}, "Write a generated file (cli/generate.cpp), to stdout without FILE", {},
         {1, 2, {}, ValueKind::file},
         {"backstop __generate man1 build/man/backstop.1"}, run_generate, true},
        {"__services", {"__services"}, "The names of the services in the policies, one a line", {}, {}, {"backstop __services"},
         run_services, true},
        {"__points", {"__points"}, "The ids of the rollback points in the state folder, newest first for each service", {}, {},
         {"backstop __points"}, run_point_ids, true},
    };
}

}  // namespace

const std::vector<Verb>& verbs() {
    static const std::vector<Verb> table = make_table();
    return table;
}

const Verb* find_verb(const std::string& name) {
    for (const auto& v : verbs())
        if (v.name == name) return &v;
    return nullptr;
}

const std::vector<OptionSpec>& global_options() {
    static const std::vector<OptionSpec> options = {
        value("--policies", ValueKind::path, "PATH", "policy file, or folder of *.toml (default $BACKSTOP_POLICIES, else /etc/backstop)"),
        value("--state", ValueKind::dir, "DIR", "history, locks and points (default $BACKSTOP_STATE, else /var/lib/backstop as root, else $XDG_STATE_HOME/backstop or ~/.local/state/backstop)"),
        {"--log-format", ValueKind::choice, "FORMAT", "the log on stderr as text (default) or json", "", {"text", "json"}},
        flag("--verbose", "debug logging: every step as it starts and ends", "-v"),
        flag("--help", "show help for backstop, or for the verb it follows", "-h"),
        flag("--version", "print the version and the commit it was built from"),
    };
    return options;
}

}  // namespace backstop::cli

#include "cli/verbs.h"

namespace backstop::cli {

namespace {
const OptionSpec kJson{"--json"};
}

const std::vector<Verb>& verbs() {
    static const std::vector<Verb> table = {
        {"check", "check [--json]", "Check policies and runbooks; report every problem as FILE:LINE:COL", {kJson}, run_check},
        {"rollback",
         "rollback SERVICE [--to NAME] [--level NAME] [--dry-run] [--emergency] [--reason TEXT] [--actor NAME] [--yes] [--json]",
         "Roll a service back to the previous (or named) release, verify it and record it",
         {{"--to", true}, {"--level", true}, {"--dry-run"}, {"--emergency"}, {"--reason", true}, {"--actor", true}, {"--yes", false, "-y"}, kJson},
         run_rollback},
        {"verify", "verify SERVICE [--rollback] [--reason TEXT] [--actor NAME] [--json]",
         "Verify a service as it runs now; with --rollback, roll it back when verification fails",
         {{"--rollback"}, {"--reason", true}, {"--actor", true}, {"--level", true}, kJson},
         run_verify},
        {"points", "points list SERVICE | create SERVICE --description TEXT [--include-volumes] | delete ID [--json]",
         "List releases and rollback points; make a point (version, config files, volumes); delete one",
         {kJson, {"--description", true}, {"--include-volumes"}}, run_points},
        {"history", "history [stats] [--service S] [--limit N] [--json]", "Show recorded runs, newest first, or success rate and MTTR",
         {{"--service", true}, {"--limit", true}, kJson}, run_history},
        {"eval", "eval [SERVICE...] [--once] [--dry-run] [--json]",
         "Evaluate every trigger once and act on those that fire (for cron and CI)",
         {{"--once"}, {"--dry-run"}, {"--actor", true}, kJson}, run_eval},
        {"simulate", "simulate --observations FILE | --event FILE [--json]",
         "Replay recorded observations or an alert through triggers, guards and decisions; print what would be done and why",
         {{"--observations", true}, {"--event", true}, kJson}, run_simulate},
        {"rules", "rules list [--json]", "Show the built-in trigger rules and their defaults", {kJson}, run_rules},
        {"pause", "pause SERVICE [--for DURATION] [--reason TEXT]",
         "Hold back every action triggers decide for a service (planned work); each is recorded as suppressed",
         {{"--for", true}, {"--reason", true}, {"--actor", true}}, run_pause},
        {"resume", "resume SERVICE", "Let triggers act again after `pause`", {}, run_resume},
        {"serve",
         "serve [--listen HOST:PORT] [--token-file PATH | --no-auth] [--tls-cert PEM --tls-key PEM] [--shutdown-timeout D] "
         "[--dry-run]",
         "Run the daemon: sources on their intervals, cron schedules, Alertmanager and other events, /metrics",
         {{"--listen", true}, {"--token-file", true}, {"--no-auth"}, {"--tls-cert", true}, {"--tls-key", true},
          {"--shutdown-timeout", true}, {"--dry-run"}, {"--actor", true}},
         run_serve},
        {"hotfix", "hotfix SERVICE --eta DURATION [--reason TEXT] | hotfix SERVICE --clear",
         "Announce a fix on its way: decision rules see hotfix_eta (the default tree waits for one due within 15m)",
         {{"--eta", true}, {"--reason", true}, {"--actor", true}, {"--clear"}}, run_hotfix},
    };
    return table;
}

}  // namespace backstop::cli

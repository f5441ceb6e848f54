#include "cli/reference.h"

namespace backstop::cli {

const std::vector<ReferenceEntry>& exit_codes() {
    static const std::vector<ReferenceEntry> codes = {
        {"0", "done: verified, emergency rollback done, nothing to do, dry run done, check clean, verify healthy; "
              "help and --version"},
        {"1", "failed, nothing older to roll back to, unknown release, check found errors, verify unhealthy, the ladder "
              "ended at manual, eval acted and that action failed or was refused"},
        {"2", "switched and restarted, but verification failed (nothing is rolled forward automatically)"},
        {"3", "refused: another rollback of the service holds its lock, or max_attempts within window was reached"},
        {"4", "done as for 0 (or failed as for 1-3), but the run's end could not be written to history"},
        {"64", "usage error: unknown verb or option, a missing or extra argument, a value out of range"},
    };
    return codes;
}

const std::vector<ReferenceEntry>& environment_variables() {
    static const std::vector<ReferenceEntry> vars = {
        {"BACKSTOP_POLICIES", "the policies when --policies is not given (default /etc/backstop)"},
        {"BACKSTOP_STATE", "the state folder when --state is not given"},
        {"XDG_STATE_HOME", "without BACKSTOP_STATE and not root: the state folder is $XDG_STATE_HOME/backstop"},
        {"HOME", "without BACKSTOP_STATE and XDG_STATE_HOME and not root: the state folder is ~/.local/state/backstop"},
        {"SUDO_USER, USER", "the default --actor of the verbs people run"},
        {"BACKSTOP_TOKEN", "serve: the bearer token for POST /v1/events and /v1/alertmanager when --token-file is not given"},
        {"BACKSTOP_RUN_ID", "set by backstop for every command a run starts (restart, exec, git, docker, systemctl)"},
    };
    return vars;
}

const std::vector<ReferenceEntry>& files() {
    static const std::vector<ReferenceEntry> paths = {
        {"/etc/backstop/", "the policies (*.toml) and the runbooks they name, by default"},
        {"/var/lib/backstop/", "the state folder when run as root; else $XDG_STATE_HOME/backstop or ~/.local/state/backstop"},
        {"STATE/history.jsonl", "every run and decision, one JSON record a line, appended"},
        {"STATE/locks/SERVICE.lock", "held (flock) by the run of a service in progress"},
        {"STATE/points/SERVICE/ID/", "a rollback point: its record, config files and volume archives"},
        {"STATE/paused/, STATE/hotfix/", "pauses (backstop pause) and hotfix announcements (backstop hotfix)"},
        {"STATE/watch/, STATE/events/", "trigger windows and log positions between runs; the daemon's event spool"},
    };
    return paths;
}

}  // namespace backstop::cli

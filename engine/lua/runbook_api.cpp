// The runbook API table. A function a binding registers is listed here with its parameters and
// results as a script sees them; api_test checks the two against a real sandboxed state.
#include "lua/runbook_api.h"

namespace backstop::lua {

namespace {

using F = LuaFunctionDoc;
using V = LuaValueDoc;

const LuaValueDoc kLogArgs{"...", "any", "values joined with spaces (tostring applied), like print"};
const LuaValueDoc kOkMessage[] = {{"ok", "boolean", "whether it held"}, {"message", "string", "what was seen"}};
const LuaValueDoc kUnit{"unit", "string", "unit name, e.g. \"web.service\""};
const LuaValueDoc kContainer{"container", "string", "container name or id"};
const LuaValueDoc kHttpOpts{"opts", "table", "timeout = \"1s\" or seconds (default 5s); headers = { name = value }", true};
const std::vector<LuaValueDoc> kHttpResult = {
    {"response", "table|nil", "{ status = 200, body = \"…\", headers = { [\"content-type\"] = \"…\" } } for any HTTP answer, "
                              "4xx and 5xx included (header names lower-case); nil when none arrived"},
    {"err", "string?", "why no answer arrived (\"connection refused\", \"timed out after 1s\")"}};

std::vector<LuaModuleDoc> build_modules() {
    return {
        {"log", "The run's log (stderr and the run's history record); lines are cut at 16 KiB.", false,
         {F{"debug", "A debug line.", {kLogArgs}, {}}, F{"info", "An info line; print is log.info.", {kLogArgs}, {}},
          F{"warn", "A warning line.", {kLogArgs}, {}}, F{"error", "An error line (it does not raise).", {kLogArgs}, {}}}},
        {"http", "HTTP requests through backstop; redirects are not followed.", false,
         {F{"get", "GET a URL.", {{"url", "string", "http:// or https:// URL"}, kHttpOpts}, kHttpResult},
          F{"post", "POST to a URL; planned, not sent, in a dry run.",
            {{"url", "string", "http:// or https:// URL"},
             {"body", "string|table", "the body; a table is sent as JSON (content-type application/json unless opts.headers sets one)"},
             kHttpOpts},
            kHttpResult}}},
        {"sleep", "Waiting: counts against the wall clock, not the CPU budget; skipped in a dry run.", true,
         {F{"sleep", "Waits for a while.", {{"duration", "number|string", "seconds (0.5) or a duration string (\"500ms\", \"2s\")"}}, {}}}},
        {"json", "JSON encoding and decoding (4 MiB, 100 levels of nesting at most).", false,
         {F{"encode", "Encodes a value as JSON; raises for functions, NaN, cyclic tables and text over 4 MiB.",
            {{"value", "any", "nil, boolean, number, string or table (keys 1..n make an array; {} is an object)"},
             {"opts", "table", "{ indent = 2 } for pretty output", true}},
            {{"text", "string", "the JSON text"}}},
          F{"decode", "Decodes JSON text.", {{"text", "string", "JSON text, at most 4 MiB, nested at most 100 levels"}},
            {{"value", "any", "objects as tables, arrays as sequences, null as nil; nil on an error"},
             {"err", "string?", "why the text is not JSON or is over the limits"}}}}},
        {"releases", "The release folders of a releases service and its `current` symlink.", false,
         {F{"list", "Release names, oldest first (natural order: v9 < v10).", {}, {{"names", "string[]", "release names"}}},
          F{"current", "The release `current` points to.", {}, {{"name", "string?", "nil when there is none"}}},
          F{"switch", "Points `current` at a release atomically; planned in a dry run; raises when it does not exist.",
            {{"name", "string", "release name"}}, {}}}},
        {"service", "Making a version live and restarting the service.", false,
         {F{"restart", "Runs the policy's restart argv (or restarts its unit); raises with the exit code and stderr tail on "
                       "failure; planned in a dry run.",
            {}, {{"ok", "boolean", "true"}, {"summary", "string", "e.g. \"exit 0\""}}},
          F{"switch", "Makes a version live by the service's strategy (release name, git revision); planned in a dry run.",
            {{"version", "string", "the version to make live"}}, {}}}},
        {"health", "The policy's [service.NAME.health] check.", false,
         {F{"probe", "One probe.", {}, {kOkMessage[0], kOkMessage[1]}},
          F{"wait", "Probes until healthy or `attempts` are used up; shaped for `return health.wait()` in verify.", {},
            {kOkMessage[0], kOkMessage[1]}}}},
        {"git", "The checkout of a git service; reads run in dry runs too, changes are planned there. Failures raise with "
                "git's exit code and stderr tail.",
         false,
         {F{"head", "The full commit id of HEAD.", {}, {{"id", "string", "commit id"}}},
          F{"log", "Recent commits, newest first.", {{"n", "integer", "how many (default 10)", true}},
            {{"commits", "{id: string, subject: string}[]", "commit ids and subjects"}}},
          F{"is_clean", "Whether tracked files have no uncommitted changes.", {}, {{"clean", "boolean", "no uncommitted changes"}}},
          F{"show", "A file's content at a revision.",
            {{"rev", "string", "revision"}, {"path", "string", "file path in the repository"}}, {{"content", "string", "the file"}}},
          F{"reset", "Hard-resets the checkout to a revision; planned in a dry run.", {{"rev", "string", "revision"}}, {}},
          F{"revert", "Commits a revert of each commit of a range; planned in a dry run.",
            {{"range", "string", "commits to revert, e.g. \"abc123..HEAD\""}}, {}},
          F{"push", "Pushes; planned in a dry run.",
            {{"remote", "string", "remote name or URL"}, {"refspec", "string", "e.g. \"HEAD:refs/heads/gh-pages\""},
             {"opts", "{force: boolean}", "force = true pushes with --force-with-lease", true}},
            {}}}},
        {"hash", "Digests for integrity checks.", false,
         {F{"sha256", "The SHA-256 digest in lower-case hex, as sha256sum prints it.", {{"text", "string", "any bytes"}},
            {{"digest", "string", "64 hex digits"}}}}},
        {"exec", "Running a program listed in the policy's rollback.exec_allow (argv, no shell), in the policy's folder.", true,
         {F{"exec", "Runs an allowed program; planned in a dry run unless opts.dry_run = true (read-only commands). Raises "
                    "when the program is not allowed, cannot start or times out.",
            {{"argv", "string[]", "e.g. {\"redis-cli\", \"SAVE\"}"},
             {"opts", "{timeout: string|number, dry_run: boolean}", "timeout (default 30s); dry_run = true runs it in dry runs too", true}},
            {{"result", "{ok: boolean, code: integer, stdout: string, stderr: string, summary: string}",
              "a non-zero exit is a result, not an error"}}}}},
        {"wait_http", "Polling a URL until it answers as expected.", true,
         {F{"wait_http", "Polls until opts.status and opts.body hold or opts.deadline passes; planned in a dry run.",
            {{"url", "string", "http:// or https:// URL"},
             {"opts", "{status: integer, body: string, deadline: string|number, interval: string|number, timeout: string|number}",
              "status (default any 2xx), body (substring), deadline (30s), interval (500ms), timeout per request (2s)", true}},
            {kOkMessage[0], kOkMessage[1]}}}},
        {"wait_tcp", "Polling until something accepts connections.", true,
         {F{"wait_tcp", "Polls until a connection is accepted or opts.deadline passes.",
            {{"host", "string", "host name or address"}, {"port", "integer", "TCP port"},
             {"opts", "{deadline: string|number, interval: string|number}", "deadline (30s), interval (250ms)", true}},
            {kOkMessage[0], kOkMessage[1]}}}},
        {"signal", "Sending a signal to a process.", true,
         {F{"signal", "Sends a signal to a pid or to the pid in a pid file; planned in a dry run; raises when it cannot be delivered.",
            {{"target", "integer|string", "a pid, or a pid file (relative to the policy's folder)"},
             {"name", "string", "\"HUP\", \"TERM\", \"USR1\", …"}},
            {}}}},
        {"systemd", "Units of the policy's systemd manager (`scope`); reads run in dry runs too, changes are planned there. "
                    "Failures raise with systemctl's exit code and stderr tail.",
         false,
         {F{"start", "Starts a unit.", {kUnit}, {}}, F{"stop", "Stops a unit.", {kUnit}, {}},
          F{"restart", "Restarts a unit (starts it when it was not running).", {kUnit}, {}},
          F{"reload", "Tells a unit to reload its configuration.", {kUnit}, {}},
          F{"is_active", "Whether a unit is active; a unit that does not exist is \"inactive\".", {kUnit},
            {{"active", "boolean", "true when active"}, {"state", "string", "active, inactive, failed, activating…"}}},
          F{"show", "A unit's property as systemctl shows it.",
            {kUnit, {"property", "string", "e.g. \"MainPID\", \"NRestarts\""}}, {{"value", "string", "the property's value"}}}}},
        {"docker", "Containers and images of the service's Docker engine (`docker_host`, else $DOCKER_HOST); reads run in dry "
                   "runs too, changes are planned there. Failures raise with docker's exit code and stderr tail.",
         false,
         {F{"inspect", "What `docker container inspect` reports (Id, Name, Config, HostConfig, State…).", {kContainer},
            {{"info", "table", "the inspect document"}}},
          F{"ps", "Every container, running or not.", {},
            {{"containers", "{id: string, name: string, image: string, state: string, status: string}[]", "one per container"}}},
          F{"image_exists", "Whether the engine has an image.", {{"ref", "string", "image reference (repo:tag) or id"}},
            {{"exists", "boolean", "true when it has it"}}},
          F{"tag", "Tags an image.", {{"source", "string", "existing image"}, {"target", "string", "new reference for it"}}, {}},
          F{"run", "`docker run` with these arguments.", {{"...", "string", "arguments (\"-d\", \"--name\", \"web\", \"app:v1\", …)"}},
            {{"output", "string", "trimmed output: the container id with -d; \"\" in a dry run"}}},
          F{"stop", "Stops a container.", {kContainer}, {}}, F{"start", "Starts a container.", {kContainer}, {}},
          F{"rm", "Removes a container, stopping it first (rm -f).", {kContainer}, {}}}},
        {"nothing_to_do", "Ending a run that has nothing to roll back.", true,
         {F{"nothing_to_do",
            "`return nothing_to_do(\"artifact intact\")` from pre ends the run with outcome nothing_to_do (exit 0): nothing "
            "changed, not a failure, not counted against max_attempts.",
            {{"reason", "string", "why there is nothing to do"}}, {{"marker", "table", "{ nothing_to_do = reason }"}}}}},
    };
}

std::vector<LuaClassDoc> build_classes() {
    return {
        {"backstop.Health", "The service's [service.NAME.health] table.",
         {{"url", "string", "URL probed"}, {"timeout_ms", "integer", "per probe"}, {"interval_ms", "integer", "between probes"},
          {"attempts", "integer", "probes before giving up"}, {"expect_status", "integer", "0: any 2xx"},
          {"expect_body", "string", "substring a healthy body contains"}}},
        {"backstop.Service", "The service's policy as a table.",
         {{"name", "string", "service name"}, {"strategy", "string", "\"releases\", \"git\" or \"docker\""},
          {"env", "string", "the policy's env label"}, {"releases", "string", "releases folder"},
          {"current", "string", "the current symlink"}, {"restart", "string[]", "restart argv"},
          {"restart_timeout_ms", "integer", "restart limit"}, {"policy_file", "string", "the file that defined it"},
          {"rollback", "{runbook: string, max_attempts: integer, window_ms: integer, level: string}", "[service.NAME.rollback]"},
          {"health", "backstop.Health", "the health table", true}, {"unit", "string", "systemd unit", true},
          {"scope", "string", "\"system\" or \"user\"", true}, {"unit_timeout_ms", "integer", "systemctl limit", true},
          {"container", "string", "docker: container name", true}, {"image", "string", "docker: image repository", true},
          {"docker_host", "string", "docker: engine", true}}},
        {"backstop.Ctx", "What a hook or level gets.",
         {{"service", "backstop.Service", "the policy"}, {"from", "string", "the version rolled back from"},
          {"to", "string", "the version rolled back to"}, {"level", "string", "the level that runs"},
          {"dry_run", "boolean", "a dry run: primitives that change things are planned"},
          {"emergency", "boolean", "--emergency: verify is skipped"}, {"reason", "string", "why the run happens"},
          {"actor", "string", "who started it"}, {"trigger", "string", "the trigger that started it, or \"\""},
          {"run_id", "string", "the run's id in history"}, {"host", "string", "the host it runs on"}}},
        {"backstop.DecideCtx", "What decide(ctx) gets: it reads ctx only, primitives raise there.",
         {{"service", "backstop.Service", "the policy"}, {"trigger", "string", "the trigger that fired"},
          {"severity", "string", "info, warning or critical"}, {"source", "string", "the source it read"},
          {"down", "boolean", "the source's latest look failed: the service does not answer"},
          {"consecutive_failures", "number", "failed looks in a row"}, {"levels", "string[]", "the policy's level ladder"},
          {"value", "number", "the source's latest value", true},
          {"hotfix_eta", "number", "seconds until an announced hotfix", true},
          {"event", "string", "for events: the alert or event name", true}}},
        {"backstop.Runbook", "What a runbook file returns; what it leaves out comes from the default runbook.",
         {{"pre", "fun(ctx: backstop.Ctx)", "before anything changes; an error aborts the run", true},
          {"levels", "table<string, fun(ctx: backstop.Ctx)>", "the levels, e.g. fast, full; the chosen one does the switch", true},
          {"verify", "fun(ctx: backstop.Ctx): boolean, string", "after the level, unless --emergency: ok, message", true},
          {"post", "fun(ctx: backstop.Ctx)", "after a verified rollback; an error is recorded as a warning", true},
          {"decide", "fun(ctx: backstop.DecideCtx): string, string", "an action (\"rollback:full\", \"page\"…) and why", true}}},
    };
}

}  // namespace

const std::vector<LuaModuleDoc>& runbook_modules() {
    static const std::vector<LuaModuleDoc> modules = build_modules();
    return modules;
}

const std::vector<LuaClassDoc>& runbook_classes() {
    static const std::vector<LuaClassDoc> classes = build_classes();
    return classes;
}

}  // namespace backstop::lua

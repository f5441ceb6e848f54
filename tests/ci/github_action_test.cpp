// The GitHub Action (ci/github/action.yml) run step by step by run_action.py, as the runner would,
// against the built binary and a real release-folder service answering /health on loopback.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <catch2/catch.hpp>

#include "prim/process_runner.h"
#include "support/quickstart_service.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace fs = std::filesystem;

namespace {

const std::string kAction = std::string(BACKSTOP_SOURCE_DIR) + "/ci/github/action.yml";

// What GitHub sets for a workflow run; the action records them in the run's reason and actor.
const std::map<std::string, std::string> kGithubEnv = {
    {"GITHUB_ACTOR", "octocat"},           {"GITHUB_WORKFLOW", "deploy"},
    {"GITHUB_SHA", "0123456789abcdef0123"}, {"GITHUB_SERVER_URL", "https://github.example"},
    {"GITHUB_REPOSITORY", "team/site"},    {"GITHUB_RUN_ID", "42"}};

std::string path_with_backstop() {
    const char* path = std::getenv("PATH");
    return fs::path(BACKSTOP_BINARY).parent_path().string() + ":" + (path ? path : "/usr/bin:/bin");
}

struct ActionRun {
    std::shared_ptr<TempDir> runner_temp;  // RUNNER_TEMP, which holds the record: kept while the test reads it
    nlohmann::json report;
    std::string summary() const { return report["summary"]; }
    std::string log() const { return report["log"]; }
    std::string output(const std::string& name) const { return report["outputs"][name]; }
    bool job_failed() const { return report["job_failed"]; }
    int exit_code() const { return report["exit_code"]; }
    nlohmann::json step(const std::string& name) const {
        for (const auto& s : report["steps"])
            if (s["name"] == name) return s;
        FAIL("the action has no step named " << name);
        return {};
    }
};

// Runs the action with `inputs` in `workspace`; PATH finds the built backstop unless `path` says otherwise.
ActionRun run_action(const nlohmann::json& inputs, const std::string& workspace, const std::string& path = path_with_backstop()) {
    auto runner_temp = std::make_shared<TempDir>("backstop-runner");
    ProcessRequest req;
    req.argv = {BACKSTOP_CI_PYTHON, "-B", BACKSTOP_ACTION_DRIVER, kAction, inputs.dump(), workspace, runner_temp->path()};
    req.env_overrides = kGithubEnv;
    req.env_overrides["PATH"] = path;
    req.timeout = Duration{240'000};  // hang guard
    ProcessResult r = make_process_runner()->run(req);
    INFO("run_action.py: " << r.summary(20) << "\n" << r.err);
    REQUIRE(r.ok());
    ActionRun run{runner_temp, nlohmann::json::parse(r.out)};
    UNSCOPED_INFO("log:\n" << run.log() << "\nsummary:\n" << run.summary());
    return run;
}

nlohmann::json read_json(const std::string& file) {
    std::ifstream in(file);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    auto j = nlohmann::json::parse(text.str(), nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    return j;
}

// The service running on `current`, with `releases` (name, healthy) and a policy probing `attempts` times.
void deploy(QuickstartService& qs, const std::vector<std::pair<std::string, bool>>& releases, const std::string& current,
            int attempts = 20) {
    for (const auto& [name, healthy] : releases) qs.add_release(name, healthy);
    qs.write_policy(QuickstartService::kDefaultRollbackTable, attempts);
    qs.point_current_at(current);
    qs.start();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

nlohmann::json verify_inputs(const QuickstartService& qs, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json in = {{"step", "verify"}, {"service", "web"}, {"policies", "backstop.toml"}, {"state-dir", qs.state()}};
    in.update(extra);
    return in;
}

// The upload step runs, names the record file, and that file is the run's record in JSON.
nlohmann::json uploaded_record(const ActionRun& run) {
    nlohmann::json upload = run.step("Upload the run record");
    CHECK(upload["uses"].get<std::string>().rfind("actions/upload-artifact@", 0) == 0);
    REQUIRE(upload["condition"] == true);
    REQUIRE(upload["with"]["path"] == run.output("record"));
    REQUIRE(fs::is_regular_file(run.output("record")));
    nlohmann::json record = read_json(run.output("record"));
    CHECK(record["run_id"] == run.output("run-id"));
    CHECK(record["outcome"] == run.output("outcome"));
    return record;
}

}  // namespace

TEST_CASE("action: check passes on valid policies", "[ci]") {
    QuickstartService qs;
    qs.write_policy();
    ActionRun run = run_action({{"policies", "backstop.toml"}}, qs.dir().path());
    CHECK_FALSE(run.job_failed());
    CHECK(run.output("outcome") == "passed");
    CHECK(run.output("exit-code") == "0");
    CHECK(run.output("record") == "");
    CHECK(run.step("Upload the run record")["condition"] == false);
    CHECK(contains(run.summary(), "## backstop check: passed"));
    CHECK(contains(run.summary(), "Policies `backstop.toml`: 1 service(s), 0 error(s), 0 warning(s)."));
    CHECK(contains(run.summary(), "Exit code `0`: the policies are valid."));
}

TEST_CASE("action: check fails the job on a broken policy and says why", "[ci]") {
    TempDir workspace("backstop-ws");
    workspace.write("policies/web.toml", "[service.web]\nstrategy = \"releasez\"\nreleases = \"r\"\ncurrent = \"c\"\n");
    ActionRun run = run_action(nlohmann::json::object(), workspace.path());  // `policies` by default
    CHECK(run.job_failed());
    CHECK(run.exit_code() == 1);
    CHECK(run.step("Exit with backstop's exit code")["exit_code"] == 1);
    CHECK(run.output("outcome") == "failed");
    CHECK(run.output("exit-code") == "1");
    CHECK(contains(run.summary(), "## backstop check: failed"));
    CHECK(contains(run.summary(), "policies/web.toml:2:12: error: unknown strategy \"releasez\""));
    CHECK(contains(run.summary(), "Exit code `1`: check found errors"));
    CHECK(contains(run.log(), "::error file=policies/web.toml,line=2,col=12,title=backstop check [bad-value]::unknown strategy"));
}

TEST_CASE("action: verify of a healthy service passes and uploads its record", "[ci]") {
    QuickstartService qs;
    deploy(qs, {{"v1", true}}, "v1");
    ActionRun run = run_action(verify_inputs(qs), qs.dir().path());
    CHECK_FALSE(run.job_failed());
    CHECK(run.output("exit-code") == "0");
    CHECK(run.output("outcome") == "verified");
    CHECK(run.output("healthy") == "true");
    CHECK(qs.current_release() == "v1");
    nlohmann::json record = uploaded_record(run);
    CHECK(record["service"] == "web");
    CHECK(record["actor"] == "octocat");
    CHECK(record["reason"] == "post-deploy verify from GitHub Actions (deploy) of 0123456789ab: "
                              "https://github.example/team/site/actions/runs/42");
    CHECK(contains(run.summary(), "## backstop verify `web`: healthy"));
    CHECK(contains(run.summary(), "| Verification | healthy on `v1`"));
    CHECK(contains(run.summary(), "| Exit code | `0`: healthy"));
}

TEST_CASE("action: the env input names the environment verify needs, and its record carries it", "[ci]") {
    QuickstartService qs;
    deploy(qs, {{"v1", true}}, "v1");
    qs.write_policy(std::string(QuickstartService::kDefaultRollbackTable) + "[service.web.env.prod]\n");
    ActionRun without = run_action(verify_inputs(qs), qs.dir().path());
    CHECK(without.job_failed());
    CHECK(without.exit_code() == 64);  // backstop never picks an environment by itself
    ActionRun run = run_action(verify_inputs(qs, {{"env", "prod"}}), qs.dir().path());
    CHECK_FALSE(run.job_failed());
    CHECK(run.output("outcome") == "verified");
    nlohmann::json record = uploaded_record(run);
    CHECK(record["service"] == "web");
    CHECK(record["env"] == "prod");
}

TEST_CASE("action: verify of an unhealthy service rolls it back and reports from -> to", "[ci]") {
    QuickstartService qs;
    deploy(qs, {{"v1", true}, {"v2", false}}, "v2", 50);
    ActionRun run = run_action(verify_inputs(qs), qs.dir().path());
    CHECK(qs.current_release() == "v1");
    CHECK(qs.health() == "200 ok v1\n");
    CHECK_FALSE(run.job_failed());  // backstop exits 0: rolled back and verified
    CHECK(run.output("exit-code") == "0");
    CHECK(run.output("outcome") == "succeeded");
    CHECK(run.output("healthy") == "false");
    CHECK(run.output("from") == "v2");
    CHECK(run.output("to") == "v1");
    nlohmann::json record = uploaded_record(run);
    CHECK(record["from"] == "v2");
    CHECK(record["to"] == "v1");
    CHECK(record["trigger"] == "health_check");
    CHECK(contains(run.summary(), "## backstop verify `web`: rolled back and verified"));
    CHECK(contains(run.summary(), "| From -> to | `v2` -> `v1` |"));
    CHECK(contains(run.summary(), "| switch | ok |"));
}

TEST_CASE("action: a rollback that cannot be done fails the job with backstop's exit code", "[ci]") {
    QuickstartService qs;
    deploy(qs, {{"v1", false}}, "v1", 5);  // broken, and nothing older to go back to
    ActionRun run = run_action(verify_inputs(qs), qs.dir().path());
    CHECK(run.job_failed());
    CHECK(run.exit_code() == 1);
    CHECK(run.output("exit-code") == "1");
    CHECK(run.output("outcome") == "failed");
    CHECK(uploaded_record(run)["from"] == "v1");
    CHECK(contains(run.summary(), "## backstop verify `web`: the rollback failed"));
    CHECK(contains(run.log(), "::error title=backstop::backstop exited 1"));
}

TEST_CASE("action: a dry run of an unhealthy service plans the rollback and switches nothing", "[ci]") {
    QuickstartService qs;
    deploy(qs, {{"v1", true}, {"v2", false}}, "v2", 5);
    ActionRun run = run_action(verify_inputs(qs, {{"dry-run", "true"}}), qs.dir().path());
    CHECK(qs.current_release() == "v2");
    CHECK(run.job_failed());  // the service is still unhealthy: verify's exit code
    CHECK(run.exit_code() == 1);
    CHECK(run.output("outcome") == "dry_run");
    CHECK(run.output("healthy") == "false");
    nlohmann::json record = uploaded_record(run);
    CHECK(record["mode"] == "dry_run");
    CHECK(record["to"] == "v1");
    CHECK(contains(run.summary(), "| Verification | unhealthy on `v2`"));
    CHECK(contains(run.summary(), "| Would roll back | `v2` -> `v1` (dry run: nothing changed) |"));
}

TEST_CASE("action: inputs holding $(...), backticks and quotes are text, never run", "[ci]") {
    QuickstartService qs;
    deploy(qs, {{"v1", true}}, "v1");
    const std::string marker = qs.dir().file("pwned");
    const std::string evil = "$(touch " + marker + ") `touch " + marker + "` \"; touch " + marker + "; echo '";

    ActionRun bad_service = run_action(verify_inputs(qs, {{"service", "web" + evil}}), qs.dir().path());
    CHECK(bad_service.job_failed());
    CHECK(bad_service.output("exit-code") == "1");  // backstop: unknown service
    CHECK(bad_service.output("record") == "");
    CHECK(contains(bad_service.summary(), "no run recorded"));
    CHECK(contains(bad_service.summary(), "unknown service"));

    ActionRun bad_reason = run_action(verify_inputs(qs, {{"reason", evil}, {"artifact-name", evil}}), qs.dir().path());
    CHECK_FALSE(bad_reason.job_failed());
    CHECK(uploaded_record(bad_reason)["reason"] == evil);
    CHECK(bad_reason.step("Upload the run record")["with"]["name"] == evil);
    CHECK_FALSE(fs::exists(marker));
}

TEST_CASE("action: without backstop on PATH and no deb input, the job fails saying how to get it", "[ci]") {
    TempDir workspace("backstop-ws");
    TempDir bin("backstop-bin");  // only the tools the install step uses, and no backstop
    for (const char* tool : {"bash", "jq", "od", "tr", "mktemp", "cat", "head", "id"})
        fs::create_symlink(fs::path("/usr/bin") / tool, bin.file(tool));
    ActionRun run = run_action(nlohmann::json::object(), workspace.path(), bin.path());
    CHECK(run.job_failed());
    CHECK(run.step("Install backstop")["exit_code"] == 1);
    CHECK(run.step("Run backstop")["condition"] == false);
    CHECK(contains(run.log(), "backstop is not on PATH and the deb input names no package"));
    CHECK(contains(run.summary(), "make deb"));

    ActionRun missing_deb = run_action({{"deb", "no/such/backstop.deb"}}, workspace.path(), bin.path());
    CHECK(missing_deb.step("Install backstop")["exit_code"] == 1);
    CHECK(contains(missing_deb.log(), "deb: no such file: no/such/backstop.deb"));
}

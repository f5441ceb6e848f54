// The built binary and a service run as a real Docker container: a rollback recreates the
// container from the older image with the same settings, a dry run only plans, and an unknown
// target leaves the container alone. The image is busybox httpd serving /health from a file that
// only the healthy version has.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "prim/http_client.h"
#include "support/backstop_cli.h"
#include "support/docker_engine.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct ContainerService {
    DockerEngine& engine = DockerEngine::shared();
    TempDir dir{"backstop-docker-svc"};
    int port = free_port();
    std::string name = "web-" + std::to_string(port);
    std::string repo = "app" + std::to_string(port);

    std::string volume;  // a docker named volume mounted at /state, when asked for

    // v1 healthy, v2 broken; the container runs `running_tag` (v2 unless asked otherwise).
    explicit ContainerService(const std::string& running_tag = "v2", bool named_volume = false) {
        engine.build_app_image(repo + ":v1", true);
        engine.build_app_image(repo + ":v2", false);
        dir.write("data/marker", "kept\n");
        std::vector<std::string> run = {"run", "-d", "--name", name, "--network", "host", "--init", "--restart", "on-failure:3",
                                        "--env", "GREETING=hello", "--volume", dir.file("data") + ":/data:ro", "--label", "tier=web"};
        if (named_volume) {
            volume = "state-" + std::to_string(port);
            engine.must({"volume", "create", volume});
            run.insert(run.end(), {"--mount", "type=volume,src=" + volume + ",dst=/state"});
        }
        run.insert(run.end(), {repo + ":" + running_tag, "/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:" + std::to_string(port), "-h", "/www"});
        engine.must(run);
        wait_answering();
        REQUIRE(health().rfind(running_tag == "v2" ? "404" : "200", 0) == 0);
        dir.write("backstop.toml", "[service.web]\n"
                                   "strategy       = \"docker\"\n"
                                   "container      = \"" + name + "\"\n"
                                   "image          = \"" + repo + "\"\n"
                                   "docker_host    = \"" + engine.host() + "\"\n"
                                   "docker_timeout = \"30s\"\n"
                                   "\n[service.web.health]\n"
                                   "url      = \"http://127.0.0.1:" + std::to_string(port) + "/health\"\n"
                                   "timeout  = \"1s\"\n"
                                   "interval = \"100ms\"\n"
                                   "attempts = 50\n"
                                   "\n[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n");
    }
    ~ContainerService() {
        engine.docker({"rm", "-f", name});
        if (!volume.empty()) engine.docker({"volume", "rm", "-f", volume});
    }

    void wait_answering() const {
        for (int i = 0; i < 100 && health().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // GET /health: "STATUS BODY", or "" when nothing answers.
    std::string health() const {
        HttpRequest req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + "/health";
        req.timeout = Duration{1000};
        HttpResponse r = make_http_client()->send(req);
        if (!r.transport_ok()) return "";
        return std::to_string(r.status) + " " + r.body;
    }
    CliResult backstop(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--policies", dir.file("backstop.toml"), "--state", dir.file("state")});
        return run_backstop(args, engine.env(), 120);
    }
    std::string inspect(const std::string& format) const { return engine.inspect(name, format); }
};

}  // namespace

TEST_CASE("rollback recreates the container from the previous image with the same settings", "[docker][e2e]") {
    ContainerService s;
    std::string old_id = s.inspect("{{.Id}}");
    CliResult r = s.backstop({"rollback", "web", "--reason", "bad v2"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(s.inspect("{{.Config.Image}}") == s.repo + ":v1");
    CHECK(s.inspect("{{.Id}}") != old_id);
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.inspect("{{.HostConfig.NetworkMode}}") == "host");
    CHECK(s.inspect("{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}") == "on-failure:3");
    CHECK(s.inspect("{{.HostConfig.Init}}") == "true");
    CHECK(s.inspect("{{json .HostConfig.Binds}}") == "[\"" + s.dir.file("data") + ":/data:ro\"]");
    CHECK(s.inspect("{{json .Config.Env}}").find("\"GREETING=hello\"") != std::string::npos);
    CHECK(s.inspect("{{index .Config.Labels \"tier\"}}") == "web");
    CHECK(s.inspect("{{json .Config.Cmd}}").find("httpd") != std::string::npos);
    CHECK(s.health().rfind("200 ok " + s.repo + ":v1", 0) == 0);
    CHECK(s.engine.must({"exec", s.name, "cat", "/data/marker"}) == "kept");
    // No staged container left behind.
    CHECK(s.engine.must({"ps", "-a", "--filter", "name=" + s.name + "-backstop", "--format", "{{.Names}}"}).empty());
    CHECK(r.out.find(s.repo + ":v2 -> " + s.repo + ":v1") != std::string::npos);
}

TEST_CASE("a dry run of a docker rollback plans and changes nothing", "[docker][e2e]") {
    ContainerService s;
    std::string old_id = s.inspect("{{.Id}}");
    CliResult r = s.backstop({"rollback", "web", "--dry-run"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find(s.repo + ":v1") != std::string::npos);
    CHECK(s.inspect("{{.Id}}") == old_id);
    CHECK(s.inspect("{{.Config.Image}}") == s.repo + ":v2");
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.engine.must({"ps", "-a", "--filter", "name=" + s.name, "--format", "{{.Names}}"}) == s.name);
}

TEST_CASE("rollback --to an unknown image fails and leaves the container running", "[docker][e2e]") {
    ContainerService s;
    std::string old_id = s.inspect("{{.Id}}");
    CliResult r = s.backstop({"rollback", "web", "--to", s.repo + ":nope"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK((r.out + r.err).find(s.repo + ":nope") != std::string::npos);
    CHECK(s.inspect("{{.Id}}") == old_id);
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.inspect("{{.Config.Image}}") == s.repo + ":v2");
}

TEST_CASE("the Lua docker module drives the real engine", "[docker][lua]") {
    ContainerService s;
    s.dir.write("runbook.lua", R"(
return {
  verify = function(ctx)
    local name = ctx.service.container
    local out = {}
    local function add(k, v) out[#out + 1] = k .. "=" .. tostring(v) end
    local c = docker.inspect(name)
    add("image", c.Config.Image)
    add("running", c.State.Running)
    add("v1", docker.image_exists(ctx.service.image .. ":v1"))
    add("nope", docker.image_exists(ctx.service.image .. ":nope"))
    docker.tag(ctx.service.image .. ":v1", ctx.service.image .. ":good")
    add("tagged", docker.image_exists(ctx.service.image .. ":good"))
    docker.stop(name)
    add("stopped", docker.inspect(name).State.Running)
    docker.start(name)
    add("started", docker.inspect(name).State.Running)
    local id = docker.run("-d", "--name", name .. "-side", "--network", "none", ctx.service.image .. ":v1",
                          "/bin/busybox", "sleep", "60")
    local seen = false
    for _, p in ipairs(docker.ps()) do if p.name == name .. "-side" then seen = (p.state == "running") end end
    add("side", seen and #id == 64)
    docker.rm(name .. "-side")
    local ok, err = pcall(docker.stop, "no-such-container")
    add("missing", tostring(ok) .. " [" .. err .. "]")
    return true, table.concat(out, " ")
  end,
}
)");
    std::string policy = s.dir.read("backstop.toml");
    s.dir.write("backstop.toml", policy + "runbook = \"runbook.lua\"\n");
    CliResult r = s.backstop({"verify", "web", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::string message = r.json()["message"];
    CHECK(message.find("image=" + s.repo + ":v2 ") != std::string::npos);
    CHECK(message.find("running=true ") != std::string::npos);
    CHECK(message.find("v1=true nope=false tagged=true ") != std::string::npos);
    CHECK(message.find("stopped=false started=true side=true ") != std::string::npos);
    CHECK(message.find("missing=false [") != std::string::npos);
    CHECK(message.find("exit 1") != std::string::npos);
    CHECK(s.engine.must({"ps", "-a", "--filter", "name=" + s.name + "-side", "--format", "{{.Names}}"}).empty());
}

TEST_CASE("when the container's tag has moved, its current version is the image id it runs", "[docker][e2e]") {
    ContainerService s;
    std::string running = s.inspect("{{.Image}}");
    s.engine.build_app_image(s.repo + ":v2", true);  // v2 now names another image
    CliResult r = s.backstop({"rollback", "web", "--dry-run", "--to", s.repo + ":v1"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find(running + " -> " + s.repo + ":v1") != std::string::npos);
    CHECK(s.inspect("{{.Image}}") == running);
}

TEST_CASE("a new container that cannot start is replaced by the old one, and the run fails", "[docker][e2e]") {
    ContainerService s;
    s.engine.build_app_image(s.repo + ":v0", true, false);  // no /bin/busybox: created, never started
    std::string old_image = s.inspect("{{.Image}}");
    CliResult r = s.backstop({"rollback", "web", "--to", s.repo + ":v0", "--json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.inspect("{{.Image}}") == old_image);
    CHECK(s.inspect("{{.HostConfig.RestartPolicy.Name}}") == "on-failure");
    CHECK(s.health().rfind("404", 0) == 0);  // answering again, on the old (broken) v2
    CHECK(s.engine.must({"ps", "-a", "--filter", "name=" + s.name, "--format", "{{.Names}}"}) == s.name);
    std::string history = s.dir.read("state/history.jsonl");
    CHECK(history.find("restored on " + s.repo + ":v2") != std::string::npos);
    CHECK(history.find("\"outcome\":\"failed\"") != std::string::npos);
}

TEST_CASE("a docker point keeps the image id and a named volume, rollback to it follows the id when the tag moved",
          "[docker][points]") {
    ContainerService s("v1", true);
    s.engine.must({"exec", s.name, "/bin/sh", "-c", "echo one > /state/data"});
    std::string v1_id = s.inspect("{{.Image}}");
    std::string policy = s.dir.read("backstop.toml");
    s.dir.write("backstop.toml", policy + "\n[service.web.points]\ndocker_volumes = [\"" + s.volume + "\"]\n");

    CliResult made = s.backstop({"points", "create", "web", "--description", "before the migration", "--include-volumes", "--json"});
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    auto point = made.json();
    CHECK(point["version"] == s.repo + ":v1");
    CHECK(point["version_id"] == v1_id);
    REQUIRE(point["volumes"].size() == 1);
    CHECK(point["volumes"][0]["docker_volume"] == s.volume);
    std::string id = point["id"];

    // A deploy re-pushes the v1 tag with other content and the migration rewrites the volume.
    s.engine.build_app_image(s.repo + ":v1", true);
    REQUIRE(s.engine.must({"image", "inspect", "--format", "{{.Id}}", s.repo + ":v1"}) != v1_id);
    s.engine.must({"exec", s.name, "/bin/sh", "-c", "echo two > /state/data"});

    CliResult plan = s.backstop({"rollback", "web", "--to", id, "--dry-run"});
    INFO(plan.out << plan.err);
    REQUIRE(plan.exit_code == 0);
    CHECK(plan.out.find(v1_id) != std::string::npos);
    CHECK(plan.out.find("docker volume " + s.volume) != std::string::npos);
    CHECK(s.engine.must({"exec", s.name, "cat", "/state/data"}) == "two");

    CliResult r = s.backstop({"rollback", "web", "--to", id});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(s.inspect("{{.Image}}") == v1_id);
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.engine.must({"exec", s.name, "cat", "/state/data"}) == "one");
    CHECK(s.health().rfind("200", 0) == 0);
}

// Rolling a docker service back to a rollback point against a real dockerd, with an image v2 that
// migrates its named volume (schema 1 -> 2) and a v1 that refuses a volume it does not understand:
// the point's config and volume must be back before v1 starts, a config-only point must be read
// by a container started after the restore, and a point image that cannot start puts back v2 with
// v2's data.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "prim/http_client.h"
#include "support/backstop_cli.h"
#include "support/docker_engine.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// Both versions serve /health, /config (the config file as read at start) and /data (the
// volume's data) on 127.0.0.1:$PORT. v1 stops when /ctl/v1-broken exists (a dependency it needs
// is gone).
const char* kV1 = R"(#!/bin/sh
[ -e /ctl/v1-broken ] && { echo "v1: a dependency is gone" >&2; exit 4; }
schema=$(cat /state/schema 2>/dev/null)
case "$schema" in
  "") echo 1 > /state/schema; echo "v1 data" > /state/data ;;
  1) ;;
  *) echo "v1: the volume has schema $schema, v1 knows 1" >&2; exit 3 ;;
esac
mkdir -p /www
echo "ok v1" > /www/health
cat /config/app.conf > /www/config
cat /state/data > /www/data
exec httpd -f -p "127.0.0.1:$PORT" -h /www
)";

const char* kV2 = R"(#!/bin/sh
schema=$(cat /state/schema 2>/dev/null)
case "$schema" in
  1) echo "v2 data, migrated" > /state/data; echo 2 > /state/schema ;;
  2) ;;
  *) echo "v2: the volume has schema $schema" >&2; exit 3 ;;
esac
mkdir -p /www
echo "ok v2" > /www/health
cat /config/app.conf > /www/config
cat /state/data > /www/data
exec httpd -f -p "127.0.0.1:$PORT" -h /www
)";

struct MigratingService {
    DockerEngine& engine = DockerEngine::shared();
    TempDir dir{"backstop-docker-points"};
    int port = free_port();
    std::string name = "app-" + std::to_string(port);
    std::string repo = "migrating" + std::to_string(port);
    std::string volume = "appdata-" + std::to_string(port);

    MigratingService() {
        engine.build_busybox_image(repo + ":v1", {{"app/run", kV1}});
        engine.build_busybox_image(repo + ":v2", {{"app/run", kV2}});
        engine.must({"volume", "create", volume});
        dir.mkdir("ctl");
        dir.write("conf/app.conf", "color = blue\n");
        deploy("v1");
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
                                   "\n[service.web.points]\n"
                                   "config         = [\"" + dir.file("conf/app.conf") + "\"]\n"
                                   "docker_volumes = [\"" + volume + "\"]\n"
                                   "\n[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n");
    }
    ~MigratingService() {
        engine.docker({"rm", "-f", name});
        engine.docker({"volume", "rm", "-f", volume});
    }

    // What a deploy does: the container replaced by one of `tag` with the same settings.
    void deploy(const std::string& tag) {
        engine.docker({"rm", "-f", name});
        engine.must({"run", "-d", "--name", name, "--network", "host", "--init", "--env", "PORT=" + std::to_string(port),
                     "--mount", "type=volume,src=" + volume + ",dst=/state", "--volume",
                     dir.file("conf/app.conf") + ":/config/app.conf:ro", "--volume", dir.file("ctl") + ":/ctl:ro",
                     repo + ":" + tag, "/bin/sh", "/app/run"});
        for (int i = 0; i < 100 && get("/health").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        REQUIRE(get("/health") == "ok " + tag);
    }
    // The body of GET PATH, trimmed; "" when nothing answers or the status is not 200.
    std::string get(const std::string& path) const {
        HttpRequest req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + path;
        req.timeout = Duration{1000};
        HttpResponse r = make_http_client()->send(req);
        if (!r.transport_ok() || r.status != 200) return "";
        std::string body = r.body;
        while (!body.empty() && body.back() == '\n') body.pop_back();
        return body;
    }
    // A file of the named volume, read by a throwaway container (whatever the service's state).
    std::string in_volume(const std::string& file) const {
        return engine.must({"run", "--rm", "--network", "none", "--mount", "type=volume,src=" + volume + ",dst=/state",
                            repo + ":v1", "cat", "/state/" + file});
    }
    // What lies beside the volume's data folder on the host (backstop's kept copies), by name.
    std::string beside_volume() const {
        std::filesystem::path data = engine.must({"volume", "inspect", "--format", "{{.Mountpoint}}", volume});
        std::string out;
        for (const auto& e : std::filesystem::directory_iterator(data.parent_path()))
            if (e.path().filename() != data.filename()) out += e.path().filename().string() + " ";
        return out;
    }
    std::string image_id(const std::string& tag) const {
        return engine.must({"image", "inspect", "--format", "{{.Id}}", repo + ":" + tag});
    }
    std::string inspect(const std::string& format) const { return engine.inspect(name, format); }
    std::string leftovers() const {
        return engine.must({"ps", "-a", "--filter", "name=" + name + "-backstop", "--format", "{{.Names}}"});
    }
    std::string make_point(bool volumes) const {
        std::vector<std::string> args = {"points", "create", "web", "--description", "before v2", "--json"};
        if (volumes) args.push_back("--include-volumes");
        CliResult made = backstop(args);
        INFO(made.out << made.err);
        REQUIRE(made.exit_code == 0);
        return made.json()["id"];
    }
    CliResult backstop(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--policies", dir.file("backstop.toml"), "--state", dir.file("state")});
        return run_backstop(args, engine.env(), 180);
    }
};

// Names of the run's steps, in order.
std::vector<std::string> step_names(const nlohmann::json& record) {
    std::vector<std::string> out;
    for (const auto& s : record["steps"]) out.push_back(s["name"]);
    return out;
}

// Position of the first step called `name` (steps.size() when there is none).
std::size_t first(const std::vector<std::string>& steps, const std::string& name) {
    return static_cast<std::size_t>(std::find(steps.begin(), steps.end(), name) - steps.begin());
}

std::string joined(const std::vector<std::string>& steps) {
    std::string out;
    for (const auto& s : steps) out += (out.empty() ? "" : " ") + s;
    return out;
}

}  // namespace

TEST_CASE("rollback to a point with volumes stops v2, restores the v1 config and volume, then starts v1",
          "[faults][docker][points]") {
    MigratingService s;
    std::string point = s.make_point(true);
    s.dir.write("conf/app.conf", "color = green\n");
    s.deploy("v2");
    REQUIRE(s.in_volume("schema") == "2");
    REQUIRE(s.get("/config") == "color = green");

    CliResult r = s.backstop({"rollback", "web", "--to", point, "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(s.inspect("{{.Image}}") == s.image_id("v1"));
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.in_volume("schema") == "1");
    CHECK(s.in_volume("data") == "v1 data");
    CHECK(s.get("/data") == "v1 data");          // what v1 read from the volume at its start
    CHECK(s.get("/config") == "color = blue");   // and from its config file
    CHECK(s.dir.read("conf/app.conf") == "color = blue\n");
    CHECK(s.leftovers().empty());
    CHECK(s.beside_volume().empty());  // v2's data, kept aside until the start, is gone

    auto record = r.json();
    CHECK(record["outcome"] == "succeeded");
    auto steps = step_names(record);
    INFO(joined(steps));
    CHECK(first(steps, "stop") < first(steps, "config"));
    CHECK(first(steps, "config") < first(steps, "volume"));
    CHECK(first(steps, "volume") < first(steps, "start"));
    CHECK(first(steps, "start") < first(steps, "verify"));
    CHECK(first(steps, "verify") < steps.size());
    CHECK(first(steps, "put-back") == steps.size());
    for (const auto& step : record["steps"]) CHECK(step["status"] != "failed");
}

TEST_CASE("rollback to a config-only point starts the container after the config is back", "[faults][docker][points]") {
    MigratingService s;
    std::string point = s.make_point(false);
    s.dir.write("conf/app.conf", "color = green\n");
    s.engine.must({"restart", "--time", "1", s.name});
    for (int i = 0; i < 100 && s.get("/config") != "color = green"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(s.get("/config") == "color = green");

    CliResult r = s.backstop({"rollback", "web", "--to", point, "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(s.get("/config") == "color = blue");  // read by the container at its start
    CHECK(s.engine.must({"exec", s.name, "cat", "/config/app.conf"}) == "color = blue");
    CHECK(s.inspect("{{.Image}}") == s.image_id("v1"));
    CHECK(s.inspect("{{.State.Running}}") == "true");
    auto steps = step_names(r.json());
    INFO(joined(steps));
    CHECK(first(steps, "stop") < first(steps, "config"));
    CHECK(first(steps, "config") < first(steps, "start"));
    CHECK(first(steps, "start") < first(steps, "verify"));
    CHECK(first(steps, "verify") < steps.size());
}

TEST_CASE("when the point's image cannot start, v2 is put back with v2's volume and config, and the run fails",
          "[faults][docker][points]") {
    MigratingService s;
    std::string point = s.make_point(true);
    s.dir.write("conf/app.conf", "color = green\n");
    s.deploy("v2");
    std::string v2_container = s.inspect("{{.Id}}");
    s.dir.write("ctl/v1-broken", "yes\n");

    CliResult r = s.backstop({"rollback", "web", "--to", point, "--json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(s.inspect("{{.Image}}") == s.image_id("v2"));
    CHECK(s.inspect("{{.Id}}") == v2_container);  // the same container, not a copy
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.in_volume("schema") == "2");
    CHECK(s.in_volume("data") == "v2 data, migrated");
    CHECK(s.beside_volume().empty());
    CHECK(s.dir.read("conf/app.conf") == "color = green\n");
    CHECK(s.get("/health") == "ok v2");
    CHECK(s.get("/config") == "color = green");
    CHECK(s.leftovers().empty());

    auto record = r.json();
    CHECK(record["outcome"] == "failed");
    std::string message = record["message"];
    CHECK(message.find("did not stay up") != std::string::npos);
    CHECK(message.find("put back container " + s.name + " on " + s.repo + ":v2 with the config files and volume content it had") !=
          std::string::npos);
    auto steps = step_names(record);
    INFO(joined(steps));
    REQUIRE(first(steps, "put-back") < steps.size());
    CHECK(record["steps"][first(steps, "put-back")]["status"] == "ok");
    CHECK(first(steps, "volume") < first(steps, "start"));
    CHECK(first(steps, "start") < first(steps, "put-back"));
    // The history keeps the same account.
    std::string history = s.dir.read("state/history.jsonl");
    CHECK(history.find("put back container " + s.name) != std::string::npos);
}

TEST_CASE("when a volume cannot be restored, the config already restored goes back and v2 starts again",
          "[faults][docker][points]") {
    MigratingService s;
    std::string point = s.make_point(true);
    s.dir.write("conf/app.conf", "color = green\n");
    s.deploy("v2");
    std::string v2_container = s.inspect("{{.Id}}");
    s.dir.write("state/points/web/" + point + "/volume-1.tar.gz", "not the archive the point made\n");

    CliResult r = s.backstop({"rollback", "web", "--to", point, "--json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(s.inspect("{{.Id}}") == v2_container);
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.dir.read("conf/app.conf") == "color = green\n");
    CHECK(s.get("/config") == "color = green");
    CHECK(s.in_volume("schema") == "2");
    CHECK(s.leftovers().empty());
    auto record = r.json();
    std::string message = record["message"];
    CHECK(message.find("missing or corrupt") != std::string::npos);
    CHECK(message.find("put back container " + s.name) != std::string::npos);
    auto steps = step_names(record);
    INFO(joined(steps));
    CHECK(first(steps, "config") < first(steps, "volume"));
    CHECK(first(steps, "volume") < first(steps, "put-back"));
    CHECK(first(steps, "start") == steps.size());
}

TEST_CASE("a dry run of a point rollback plans stop, restore, start in that order and changes nothing",
          "[faults][docker][points]") {
    MigratingService s;
    std::string point = s.make_point(true);
    s.dir.write("conf/app.conf", "color = green\n");
    s.deploy("v2");
    std::string v2_container = s.inspect("{{.Id}}");

    CliResult r = s.backstop({"rollback", "web", "--to", point, "--dry-run", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto record = r.json();
    CHECK(record["outcome"] == "dry_run");
    auto steps = step_names(record);
    INFO(joined(steps));
    CHECK(first(steps, "stop") < first(steps, "config"));
    CHECK(first(steps, "config") < first(steps, "volume"));
    CHECK(first(steps, "volume") < first(steps, "start"));
    CHECK(first(steps, "start") < first(steps, "verify"));
    for (const auto& step : record["steps"])
        if (step["name"] == "stop" || step["name"] == "config" || step["name"] == "volume" || step["name"] == "start")
            CHECK(step["status"] == "planned");
    CHECK(s.inspect("{{.Id}}") == v2_container);
    CHECK(s.inspect("{{.State.Running}}") == "true");
    CHECK(s.in_volume("schema") == "2");
    CHECK(s.dir.read("conf/app.conf") == "color = green\n");
    CHECK(s.leftovers().empty());
}

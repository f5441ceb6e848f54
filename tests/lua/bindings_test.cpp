// The Lua modules translate arguments and results to and from the RunbookHost faithfully.
#include <catch2/catch.hpp>

#include "support/recording_host.h"

using namespace backstop;
using backstop::test::RunbookFixture;
using nlohmann::json;

TEST_CASE("log and print go to the host's log", "[lua][bindings]") {
    RunbookFixture f;
    REQUIRE(f.run("log.info('switching', 'to', ctx.to, 3, true)\nlog.warn('w')\nlog.error('e')\nlog.debug('d')\n"
                  "print('printed', nil)",
                  {{"to", "v2"}})
                .ok());
    REQUIRE(f.host.logs.size() == 5);
    CHECK(f.host.logs[0].level == LogLevel::info);
    CHECK(f.host.logs[0].message == "switching to v2 3 true");
    CHECK(f.host.logs[1].level == LogLevel::warn);
    CHECK(f.host.logs[2].level == LogLevel::error);
    CHECK(f.host.logs[3].level == LogLevel::debug);
    CHECK(f.host.logs[4].level == LogLevel::info);
    CHECK(f.host.logs[4].message == "printed nil");
}

TEST_CASE("logging at load time does not need a host", "[lua][bindings]") {
    RunbookFixture f;
    REQUIRE_NOTHROW(f.load("log.info('loading')\nprint('hi')\nreturn {}\n"));
    CHECK(f.host.logs.empty());
}

TEST_CASE("http.get and http.post", "[lua][bindings]") {
    RunbookFixture f;
    SECTION("a GET with options returns status, body and headers") {
        HookOutcome out = f.run(R"(
local r = http.get("http://127.0.0.1:8080/health", { timeout = "1500ms", headers = { ["X-Token"] = "abc", N = 5 } })
return r.status, r.body, r.headers["content-type"]
)");
        REQUIRE(out.ok());
        CHECK(out.returns == std::vector<json>{200, "hello", "text/plain"});
        REQUIRE(f.host.requests.size() == 1);
        const HttpRequest& req = f.host.requests[0];
        CHECK(req.method == "GET");
        CHECK(req.url == "http://127.0.0.1:8080/health");
        CHECK(req.timeout == Duration(1500));
        CHECK(req.headers == std::map<std::string, std::string>{{"X-Token", "abc"}, {"N", "5"}});
    }
    SECTION("the default timeout is 5s; a number is seconds") {
        REQUIRE(f.run("http.get('http://x/')\nhttp.get('http://x/', { timeout = 2.5 })").ok());
        REQUIRE(f.host.requests.size() == 2);
        CHECK(f.host.requests[0].timeout == Duration(5000));
        CHECK(f.host.requests[1].timeout == Duration(2500));
    }
    SECTION("an HTTP error status is still a response") {
        f.host.response.status = 503;
        HookOutcome out = f.run("local r = http.get('http://x/') return r.status");
        REQUIRE(out.ok());
        CHECK(out.returns.at(0) == 503);
    }
    SECTION("a transport failure is nil, message") {
        f.host.response = HttpResponse{};
        f.host.response.error = "connection refused";
        HookOutcome out = f.run("return http.get('http://x/')");
        REQUIRE(out.ok());
        CHECK(out.returns == std::vector<json>{nullptr, "connection refused"});
    }
    SECTION("POST with a string body") {
        REQUIRE(f.run("http.post('http://x/hook', 'text body', { headers = { ['Content-Type'] = 'text/plain' } })").ok());
        REQUIRE(f.host.requests.size() == 1);
        CHECK(f.host.requests[0].method == "POST");
        CHECK(f.host.requests[0].body == "text body");
        CHECK(f.host.requests[0].headers.at("Content-Type") == "text/plain");
    }
    SECTION("POST with a table body sends JSON") {
        REQUIRE(f.run("http.post('http://x/hook', { service = 'web', to = ctx.to })", {{"to", "v2"}}).ok());
        REQUIRE(f.host.requests.size() == 1);
        CHECK(json::parse(f.host.requests[0].body) == json{{"service", "web"}, {"to", "v2"}});
        CHECK(f.host.requests[0].headers.at("Content-Type") == "application/json");
    }
    SECTION("bad options are errors") {
        HookOutcome out = f.run("http.get('http://x/', { timout = 1 })");
        CHECK(out.status == HookOutcome::Status::error);
        CHECK_THAT(out.message, Catch::Contains("unknown option `timout`"));
        out = f.run("http.get('http://x/', { timeout = 'soon' })");
        CHECK(out.status == HookOutcome::Status::error);
        CHECK_THAT(out.message, Catch::Contains("timeout"));
        CHECK(f.host.requests.empty());
    }
}

TEST_CASE("sleep takes seconds or a duration string", "[lua][bindings]") {
    RunbookFixture f;
    REQUIRE(f.run("sleep(0.25)\nsleep('2s')\nsleep(1)").ok());
    CHECK(f.host.sleeps == std::vector<Duration>{Duration(250), Duration(2000), Duration(1000)});
    HookOutcome bad = f.run("sleep('a while')");
    CHECK(bad.status == HookOutcome::Status::error);
    CHECK_THAT(bad.message, Catch::Contains("bad argument #1 to 'sleep'"));
    CHECK(f.run("sleep(-1)").status == HookOutcome::Status::error);
}

TEST_CASE("json.encode and json.decode round-trip", "[lua][bindings]") {
    RunbookFixture f;
    SECTION("round trip through Lua") {
        HookOutcome out = f.run(R"(
local v = { name = "web", list = { 1, 2.5, "three", true }, nested = { deep = { x = 1 } }, empty = {} }
local text = json.encode(v)
local back = json.decode(text)
return text, back.name, back.list[2], back.list[3], back.nested.deep.x, json.encode(back) == text
)");
        REQUIRE(out.ok());
        CHECK(json::parse(out.returns.at(0).get<std::string>()) ==
              json::parse(R"({"name":"web","list":[1,2.5,"three",true],"nested":{"deep":{"x":1}},"empty":{}})"));
        CHECK(out.returns.at(1) == "web");
        CHECK(out.returns.at(2) == 2.5);
        CHECK(out.returns.at(3) == "three");
        CHECK(out.returns.at(4) == 1);
        CHECK(out.returns.at(5) == true);
    }
    SECTION("decode: null is nil, bad text is nil, message") {
        HookOutcome out = f.run("local v = json.decode('{\"a\":null,\"b\":[1,null,3]}')\n"
                                "local bad, err = json.decode('{oops')\n"
                                "return v.a == nil, v.b[3], bad, err");
        REQUIRE(out.ok());
        CHECK(out.returns.at(0) == true);
        CHECK(out.returns.at(1) == 3);
        CHECK(out.returns.at(2).is_null());
        CHECK_THAT(out.returns.at(3).get<std::string>(), Catch::StartsWith("json.decode: parse error at line 1"));
    }
    SECTION("encode refuses what JSON cannot hold") {
        for (const char* body : {"json.encode({ f = print })", "local t = {} t.self = t json.encode(t)",
                                 "json.encode(0/0)", "json.encode({ [true] = 1 })"}) {
            HookOutcome out = f.run(body);
            INFO(body << " → " << out.message);
            CHECK(out.status == HookOutcome::Status::error);
            CHECK_THAT(out.message, Catch::Contains("runbook.lua:2:"));
        }
    }
    SECTION("pretty printing") {
        HookOutcome out = f.run("return json.encode({ a = 1 }, { indent = 2 })");
        REQUIRE(out.ok());
        CHECK(out.returns.at(0) == "{\n  \"a\": 1\n}");
    }
}

TEST_CASE("releases", "[lua][bindings]") {
    RunbookFixture f;
    HookOutcome out = f.run("local list = releases.list()\nreleases.switch(list[2])\nreturn list, releases.current()");
    REQUIRE(out.ok());
    CHECK(out.returns.at(0) == json{"v1", "v2", "v10"});
    CHECK(out.returns.at(1) == "v2");
    CHECK(f.host.switches == std::vector<std::string>{"v2"});

    SECTION("no current release is nil") {
        f.host.current.clear();
        HookOutcome none = f.run("return releases.current() == nil");
        CHECK(none.returns.at(0) == true);
    }
    SECTION("an Error from the host becomes a Lua error with its message") {
        f.host.switch_error = "release `v9` does not exist";
        HookOutcome bad = f.run("releases.switch('v9')");
        CHECK(bad.status == HookOutcome::Status::error);
        CHECK(bad.message == f.dir.file("runbook.lua") + ":2: release `v9` does not exist");
        HookOutcome caught = f.run("return pcall(releases.switch, 'v9')");
        REQUIRE(caught.ok());
        CHECK(caught.returns.at(0) == false);
        CHECK_THAT(caught.returns.at(1).get<std::string>(), Catch::EndsWith("release `v9` does not exist"));
    }
    SECTION("arguments are checked") {
        HookOutcome bad = f.run("releases.switch()");
        CHECK(bad.status == HookOutcome::Status::error);
        CHECK_THAT(bad.message, Catch::Contains("bad argument #1 to 'switch'"));
    }
}

TEST_CASE("service.restart", "[lua][bindings]") {
    RunbookFixture f;
    HookOutcome ok = f.run("return service.restart()");
    REQUIRE(ok.ok());
    CHECK(ok.returns == std::vector<json>{true, "exit 0"});

    f.host.restart_result.exit_code = 3;
    f.host.restart_result.err = "unit web.service not found\n";
    HookOutcome failed = f.run("service.restart()\nreturn 'not reached'");
    CHECK(failed.status == HookOutcome::Status::error);
    CHECK(failed.message == f.dir.file("runbook.lua") + ":2: service.restart failed: exit 3: unit web.service not found");
    CHECK(f.host.restarts == 2);
}

TEST_CASE("systemd", "[lua][bindings]") {
    RunbookFixture f;
    f.host.systemd_output = "failed";
    HookOutcome out = f.run(R"(
systemd.start("a.service")
systemd.stop("b.service")
systemd.restart("c.service")
systemd.reload("d.service")
local active, state = systemd.is_active("e.service")
return active, state, systemd.show("f.service", "MainPID"), systemd.start("g.service")
)");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<json>{false, "failed", "failed"});
    CHECK(f.host.systemd_calls == std::vector<std::string>{"start a.service", "stop b.service", "restart c.service",
                                                            "reload d.service", "is-active e.service",
                                                            "show f.service MainPID", "start g.service"});

    f.host.systemd_output = "active";
    HookOutcome active = f.run("return systemd.is_active('web.service')");
    CHECK(active.returns == std::vector<json>{true, "active"});

    HookOutcome missing = f.run("systemd.show('web.service')");
    CHECK(missing.status == HookOutcome::Status::error);
    CHECK_THAT(missing.message, Catch::Contains("bad argument #2 to 'show'"));
}

TEST_CASE("health.probe and health.wait", "[lua][bindings]") {
    RunbookFixture f;
    f.host.probe_result = {false, "503 Service Unavailable", 1};
    HookOutcome out = f.run("local ok, msg = health.probe()\nreturn ok, msg, health.wait()");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<json>{false, "503 Service Unavailable", true, "200 OK after 2 probes (1s)"});
    CHECK(f.host.probes == 1);
    CHECK(f.host.waits == 1);
}

TEST_CASE("every module is a global and a backstop.<name> module", "[lua][bindings]") {
    RunbookFixture f;
    HookOutcome out = f.run(R"(
local same = {}
for _, name in ipairs({ "log", "http", "sleep", "json", "releases", "service", "health", "systemd" }) do
  same[#same + 1] = require("backstop." .. name) == _ENV[name]
end
return same
)");
    REQUIRE(out.ok());
    CHECK(out.returns.at(0) == json{true, true, true, true, true, true, true, true});
}

TEST_CASE("primitives refuse to run outside a hook", "[lua][bindings]") {
    for (const char* call : {"releases.list()", "releases.current()", "releases.switch('v1')", "service.restart()",
                             "health.probe()", "health.wait()", "http.get('http://x/')", "http.post('http://x/', '')",
                             "sleep(1)", "systemd.is_active('web.service')", "systemd.start('web.service')"}) {
        RunbookFixture f;
        INFO(call);
        try {
            f.load(std::string(call) + "\nreturn {}\n");
            FAIL("load should have failed");
        } catch (const RunbookLoadError& e) {
            CHECK_THAT(e.detail(), Catch::EndsWith("is only available inside a rollback hook (pre, a level, verify, post)"));
            CHECK(e.where().line == 1);
        }
    }
}

TEST_CASE("docker", "[lua][bindings]") {
    RunbookFixture f;
    f.host.docker_output = "abc123\n";
    HookOutcome out = f.run(R"(
docker.tag("app:v1", "app:good")
docker.stop("web")
docker.start("web")
docker.rm("old")
return docker.run("-d", "--name", "web", "app:v1"), docker.image_exists("app:v1")
)");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<json>{"abc123", true});
    using Call = std::pair<std::vector<std::string>, bool>;
    CHECK(f.host.docker_calls == std::vector<Call>{{{"tag", "app:v1", "app:good"}, true},
                                                   {{"stop", "--", "web"}, true},
                                                   {{"start", "--", "web"}, true},
                                                   {{"rm", "-f", "--", "old"}, true},
                                                   {{"run", "-d", "--name", "web", "app:v1"}, true},
                                                   {{"image", "inspect", "--format", "{{.Id}}", "--", "app:v1"}, false}});

    f.host.docker_output = R"([{"Id": "c1", "Config": {"Image": "app:v2"}}])";
    HookOutcome inspected = f.run("local c = docker.inspect('web') return c.Id, c.Config.Image");
    CHECK(inspected.returns == std::vector<json>{"c1", "app:v2"});

    f.host.docker_output = "{\"ID\":\"c1\",\"Names\":\"web\",\"Image\":\"app:v2\",\"State\":\"running\",\"Status\":\"Up\"}\n";
    HookOutcome listed = f.run("local l = docker.ps() return #l, l[1].name, l[1].image, l[1].state");
    CHECK(listed.returns == std::vector<json>{1, "web", "app:v2", "running"});

    f.host.docker_error = "`docker image inspect` failed: exit 1: Error: No such image: app:nope";
    HookOutcome absent = f.run("return docker.image_exists('app:nope')");
    CHECK(absent.returns == std::vector<json>{false});
    HookOutcome failed = f.run("docker.stop('web')");
    CHECK(failed.status == HookOutcome::Status::error);
    CHECK_THAT(failed.message, Catch::Contains("No such image"));
}

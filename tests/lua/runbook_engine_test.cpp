// Loading runbooks, merging them with the default, calling hooks and levels, `check` diagnostics.
#include <catch2/catch.hpp>

#include "support/recording_host.h"

using namespace backstop;
using backstop::test::RunbookFixture;
using backstop::test::TempDir;
using nlohmann::json;

TEST_CASE("the default runbook alone", "[lua][runbook]") {
    RunbookFixture f;
    CHECK(f.engine.has_hook("pre"));
    CHECK(f.engine.has_hook("verify"));
    CHECK(f.engine.has_hook("post"));
    CHECK(f.engine.has_hook("decide"));  // the default tree of backstop.decide
    CHECK_FALSE(f.engine.defines("pre"));
    CHECK_FALSE(f.engine.defines("decide"));
    CHECK(f.engine.levels() == std::vector<std::string>{"fast"});

    SECTION("fast switches and restarts") {
        HookOutcome out = f.engine.call_level("fast", {{"to", "v2"}}, f.host);
        REQUIRE(out.ok());
        CHECK(f.host.switches == std::vector<std::string>{"v2"});
        CHECK(f.host.restarts == 1);
    }
    SECTION("verify without a health check trusts the restart") {
        HookOutcome out = f.call("verify", {{"service", {{"name", "web"}}}});
        REQUIRE(out.ok());
        CHECK(out.returns == std::vector<json>{true, "no health check configured"});
        CHECK(f.host.waits == 0);
    }
    SECTION("verify with a health check waits for it") {
        HookOutcome out = f.call("verify", {{"service", {{"health", {{"url", "http://x/"}}}}}});
        REQUIRE(out.ok());
        CHECK(out.returns == std::vector<json>{true, "200 OK after 2 probes (1s)"});
        CHECK(f.host.waits == 1);
    }
    SECTION("verify of a systemd unit requires it active before and after the health wait") {
        json ctx = {{"service", {{"unit", "web.service"}, {"health", {{"url", "http://x/"}}}}}};
        f.host.systemd_output = "active";  // also NRestarts, unchanged
        HookOutcome out = f.call("verify", ctx);
        REQUIRE(out.ok());
        CHECK(out.returns == std::vector<json>{true, "200 OK after 2 probes (1s)"});
        CHECK(f.host.systemd_calls == std::vector<std::string>{"is-active web.service", "show web.service NRestarts",
                                                                "is-active web.service", "show web.service NRestarts"});
        CHECK(f.host.waits == 1);

        f.host.systemd_output = "failed";
        HookOutcome failed = f.call("verify", ctx);
        REQUIRE(failed.ok());
        CHECK(failed.returns == std::vector<json>{false, "web.service is failed (expected active)"});
        CHECK(f.host.waits == 1);

        ctx["dry_run"] = true;  // the unit is not looked at: the restart was only planned
        HookOutcome dry = f.call("verify", ctx);
        CHECK(dry.returns.at(0) == true);
    }
    SECTION("decide is the default tree") {
        HookOutcome out = f.engine.call_pure_hook("decide", {{"down", false}, {"severity", "critical"}, {"hotfix_eta", 300}});
        REQUIRE(out.ok());
        CHECK(out.returns == std::vector<json>{"hotfix:15m", "critical, hotfix due within 15m"});
    }
    SECTION("an undefined hook") {
        CHECK(f.call("nonsense").status == HookOutcome::Status::not_defined);
    }
}

TEST_CASE("a user runbook overrides hooks and levels one by one", "[lua][runbook]") {
    RunbookFixture f;
    f.load(R"(
return {
  verify = function(ctx) return false, "custom verify for " .. ctx.to end,
  levels = {
    full = function(ctx) releases.switch(ctx.to) service.restart() service.restart() end,
    fast = function(ctx) log.info("my fast") end,
  },
}
)");
    CHECK(f.engine.defines("verify"));
    CHECK_FALSE(f.engine.defines("pre"));
    CHECK(f.engine.has_hook("pre"));  // from the default
    CHECK(f.engine.levels() == std::vector<std::string>{"fast", "full"});
    CHECK(f.engine.warnings().items().empty());

    HookOutcome verify = f.call("verify", {{"to", "v2"}});
    REQUIRE(verify.ok());
    CHECK(verify.returns == std::vector<json>{false, "custom verify for v2"});
    CHECK(f.call("pre").ok());

    REQUIRE(f.engine.call_level("full", {{"to", "v1"}}, f.host).ok());
    CHECK(f.host.switches == std::vector<std::string>{"v1"});
    CHECK(f.host.restarts == 2);

    REQUIRE(f.engine.call_level("fast", json::object(), f.host).ok());
    CHECK(f.host.restarts == 2);  // the user's fast replaced the default one
    REQUIRE(f.host.logs.size() == 1);
    CHECK(f.host.logs[0].message == "my fast");

    HookOutcome unknown = f.engine.call_level("medium", json::object(), f.host);
    CHECK(unknown.status == HookOutcome::Status::error);
    CHECK(unknown.message == "unknown level `medium`; known levels: fast, full");
}

TEST_CASE("a runbook can extend the default through require", "[lua][runbook]") {
    RunbookFixture f;
    f.load(R"(
local default = require "backstop.default"
return {
  pre = function(ctx) default.pre(ctx) return "wrapped", type(default.levels.fast) end,
}
)");
    HookOutcome out = f.call("pre");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<json>{"wrapped", "function"});
}

TEST_CASE("loading again replaces the user runbook", "[lua][runbook]") {
    RunbookFixture f;
    f.load("return { pre = function() return 1 end, levels = { slow = function() end } }");
    CHECK(f.engine.levels() == std::vector<std::string>{"fast", "slow"});
    f.load("return { pre = function() return 2 end }", "other.lua");
    CHECK(f.engine.levels() == std::vector<std::string>{"fast"});
    CHECK(f.call("pre").returns.at(0) == 2);
}

TEST_CASE("errors carry the runbook's file:line and a traceback", "[lua][runbook]") {
    RunbookFixture f;
    std::string path = f.load(R"(local function inner(x)
  error("boom: " .. x)
end
return {
  pre = function(ctx)
    inner(ctx.to)
  end,
  post = function(ctx) error({ code = 1 }) end,
}
)");
    HookOutcome out = f.call("pre", {{"to", "v2"}});
    CHECK(out.status == HookOutcome::Status::error);
    CHECK(out.message == path + ":2: boom: v2");
    CHECK_THAT(out.traceback, Catch::StartsWith("stack traceback:"));
    CHECK_THAT(out.traceback, Catch::Contains("runbook.lua:2: in"));
    CHECK_THAT(out.traceback, Catch::Contains("runbook.lua:6: in"));
    CHECK(out.returns.empty());

    HookOutcome post = f.call("post");
    CHECK(post.status == HookOutcome::Status::error);
    CHECK(post.message == "(error object is a table value)");
}

TEST_CASE("errors inside the default runbook point into stdlib/", "[lua][runbook]") {
    RunbookFixture f;
    f.host.switch_error = "no release named v9";
    HookOutcome out = f.engine.call_level("fast", {{"to", "v9"}}, f.host);
    CHECK(out.status == HookOutcome::Status::error);
    CHECK_THAT(out.message, Catch::StartsWith("stdlib/backstop/default.lua:"));
    CHECK_THAT(out.message, Catch::EndsWith(": no release named v9"));
    CHECK_THAT(out.traceback, Catch::Contains("stdlib/backstop/default.lua"));
}

TEST_CASE("ctx arrives as a table and return values come back as JSON", "[lua][runbook]") {
    RunbookFixture f;
    f.load(R"(
return {
  pre = function(ctx)
    return ctx.service.name, ctx.to, #ctx.list, ctx.list[2], ctx.flag, ctx.ratio,
           ctx.service.health == nil, math.type(ctx.big)
  end,
  post = function(ctx)
    return { a = 1, b = { 1, 2, 3 }, c = { x = "y" }, e = {}, [5] = "five" }, nil, 1.5
  end,
  decide = function() return function() end end,
}
)");
    json ctx = {{"service", {{"name", "web"}, {"health", nullptr}}},
                {"to", "v2"},
                {"list", {10, 20, 30}},
                {"flag", true},
                {"ratio", 0.5},
                {"big", 9007199254740993LL}};
    HookOutcome pre = f.call("pre", ctx);
    REQUIRE(pre.ok());
    CHECK(pre.returns == std::vector<json>{"web", "v2", 3, 20, true, 0.5, true, "integer"});

    HookOutcome post = f.call("post");
    REQUIRE(post.ok());
    REQUIRE(post.returns.size() == 3);
    CHECK(post.returns[0] == json::parse(R"({"a":1,"b":[1,2,3],"c":{"x":"y"},"e":{},"5":"five"})"));
    CHECK(post.returns[1].is_null());
    CHECK(post.returns[2] == 1.5);

    HookOutcome decide = f.call("decide");
    CHECK(decide.status == HookOutcome::Status::error);
    CHECK_THAT(decide.message, Catch::Contains("cannot convert a function value to JSON"));
}

TEST_CASE("require loads helper files next to the runbook, once", "[lua][runbook]") {
    RunbookFixture f;
    f.dir.write("lib/util.lua", "local M = { loads = 0 }\nfunction M.double(x) return 2 * x end\nreturn M\n");
    f.dir.write("lib/counter.lua", "local util = require 'lib.util'\nutil.loads = util.loads + 1\nreturn util\n");
    f.load(R"(
local util = require "lib.util"
local again = require "lib.counter"
return {
  pre = function(ctx) return util.double(21), util == again, util.loads, require("backstop.json") == json end,
}
)");
    HookOutcome out = f.call("pre");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<json>{42, true, 1, true});
}

TEST_CASE("require also finds files next to the policy, after the runbook's folder", "[lua][runbook]") {
    TempDir dir("backstop-lua-policy");
    dir.write("shared/notify.lua", "return { where = 'policy folder' }\n");
    dir.write("runbooks/shared/local.lua", "return { where = 'runbook folder' }\n");
    dir.write("runbooks/web.lua",
              "local n = require 'shared.notify'\nlocal l = require 'shared.local'\n"
              "return { pre = function() return n.where, l.where end }\n");
    RunbookEngine engine;
    engine.load_file(dir.file("runbooks/web.lua"), dir.path());
    test::RecordingHost host;
    HookOutcome out = engine.call_hook("pre", json::object(), host);
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<json>{"policy folder", "runbook folder"});

    RunbookEngine without_policy_dir;
    CHECK_THROWS_WITH(without_policy_dir.load_file(dir.file("runbooks/web.lua")), Catch::Contains("shared.notify"));
}

TEST_CASE("a runbook in a relative folder finds its helpers there", "[lua][runbook]") {
    TempDir dir("backstop-lua-rel");
    dir.write("runbooks/lib/util.lua", "return { name = 'util' }\n");
    auto previous = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    RunbookEngine engine;
    test::RecordingHost host;
    std::string text = "local u = require 'lib.util'\nreturn { pre = function() return u.name end }\n";
    REQUIRE_NOTHROW(engine.load("runbooks/web.lua", text));
    HookOutcome out = engine.call_hook("pre", json::object(), host);
    std::filesystem::current_path(previous);
    REQUIRE(out.ok());
    CHECK(out.returns.at(0) == "util");
}

TEST_CASE("load errors", "[lua][runbook]") {
    RunbookFixture f;
    auto load_error = [&](const std::string& text) -> RunbookLoadError {
        try {
            f.load(text);
        } catch (const RunbookLoadError& e) {
            return e;
        }
        FAIL("no RunbookLoadError for: " << text);
        throw;
    };
    std::string path = f.dir.file("runbook.lua");

    SECTION("syntax error") {
        auto e = load_error("return {\n  pre = function(ctx)\n    local x = = 1\n  end\n}\n");
        CHECK(e.code() == "lua-syntax");
        CHECK(e.where().file == path);
        CHECK(e.where().line == 3);
        CHECK(e.detail() == "unexpected symbol near '='");
        CHECK(std::string(e.what()) == path + ":3: unexpected symbol near '='");
    }
    SECTION("runtime error at the top level") {
        auto e = load_error("local x = 1\nlocal y = x.field\nreturn {}\n");
        CHECK(e.code() == "lua-load");
        CHECK(e.where().line == 2);
        CHECK_THAT(e.detail(), Catch::Contains("attempt to index a number value"));
    }
    SECTION("primitives are not available at load time") {
        auto e = load_error("\nreleases.switch('v1')\nreturn {}\n");
        CHECK(e.code() == "lua-load");
        CHECK(e.where().line == 2);
        CHECK(e.detail() == "`releases.switch` is only available inside a rollback hook (pre, a level, verify, post)");
    }
    SECTION("not a table") {
        auto e = load_error("return 42\n");
        CHECK(e.code() == "lua-load");
        CHECK(e.where().file == path);
        CHECK(e.detail() == "a runbook must return a table (of pre, post, verify, decide, levels), not a number");
    }
    SECTION("a hook that is not a function") {
        auto e = load_error("return { verify = true }\n");
        CHECK(e.detail() == "runbook field `verify` must be a function, not a boolean");
    }
    SECTION("a level that is not a function") {
        auto e = load_error("return { levels = { full = 'restart' } }\n");
        CHECK(e.detail() == "runbook field `levels.full` must be a function, not a string");
    }
    SECTION("a broken helper is a syntax error of the helper") {
        std::string helper = f.dir.write("lib/broken.lua", "return {\n  x = ,\n}\n");
        auto e = load_error("local b = require 'lib.broken'\nreturn {}\n");
        CHECK(e.code() == "lua-syntax");
        CHECK(e.where().file == helper);
        CHECK(e.where().line == 2);
    }
}

TEST_CASE("check_runbook reports syntax and load problems as diagnostics", "[lua][runbook][check]") {
    TempDir dir("backstop-lua-check");
    SECTION("syntax error: file, line, code and the quoted line") {
        std::string text = "return {\n  pre = function(ctx)\n    if ctx.to then\n  end,\n}\n";
        std::string path = dir.write("web.lua", text);
        Diagnostics d = check_runbook(path, text);
        REQUIRE(d.items().size() == 1);
        const Diagnostic& e = d.items()[0];
        CHECK(e.severity == Severity::error);
        CHECK(e.code == "lua-syntax");
        CHECK(e.where.file == path);
        CHECK(e.where.line == 4);
        CHECK(e.source_line == "  end,");
        CHECK(e.message == "unexpected symbol near ','");
    }
    SECTION("load error") {
        std::string text = "local cfg = nil\nlocal port = cfg.port\nreturn {}\n";
        std::string path = dir.write("web.lua", text);
        Diagnostics d = check_runbook(path, text);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].code == "lua-load");
        CHECK(d.items()[0].where.line == 2);
        CHECK(d.items()[0].source_line == "local port = cfg.port");
    }
    SECTION("a long path Lua abbreviates is mapped back") {
        std::string text = "return {\n  pre = function( end\n}\n";
        std::string path = dir.write("a/very/long/folder/name/that/lua/will/shorten/in/its/messages/web.lua", text);
        Diagnostics d = check_runbook(path, text);
        REQUIRE(d.items().size() == 1);
        CHECK(d.items()[0].where.file == path);
        CHECK(d.items()[0].where.line == 2);
    }
    SECTION("unknown fields are warnings with a suggestion") {
        std::string text = "return {\n  verfy = function(ctx)\n    return true\n  end,\n  timeout = 5,\n}\n";
        std::string path = dir.write("web.lua", text);
        Diagnostics d = check_runbook(path, text);
        REQUIRE(d.items().size() == 2);
        CHECK_FALSE(d.has_errors());
        d.sort();
        const Diagnostic* verfy = nullptr;
        for (const auto& item : d.items())
            if (item.message.find("verfy") != std::string::npos) verfy = &item;
        REQUIRE(verfy != nullptr);
        CHECK(verfy->code == "lua-unknown-field");
        CHECK(verfy->where.line == 2);
        CHECK(verfy->source_line == "  verfy = function(ctx)");
        CHECK_THAT(verfy->message, Catch::Contains("did you mean `verify`?"));
    }
    SECTION("a good runbook has no diagnostics") {
        std::string text = "return { verify = function() return true, 'ok' end }\n";
        std::string path = dir.write("web.lua", text);
        CHECK(check_runbook(path, text).items().empty());
    }
}

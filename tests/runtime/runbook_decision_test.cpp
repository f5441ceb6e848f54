// decide(ctx): the default tree shipped in stdlib (backstop.decide), a runbook's own decide, and
// what happens when a runbook's decide cannot decide.
#include <catch2/catch.hpp>

#include "decide/expression_values.h"
#include "runtime/runbook_decision.h"
#include "support/temp_dir.h"

using namespace backstop;
using backstop::test::TempDir;

namespace {
ServicePolicy service_with_runbook(const TempDir& dir, const std::string& lua) {
    ServicePolicy s;
    s.name = "web";
    s.key = "web";
    s.policy_file = dir.file("backstop.toml");
    s.rollback.levels = {"fast", "full", "manual"};
    if (!lua.empty()) s.rollback.runbook = dir.write("runbooks/web.lua", lua);
    return s;
}
DecisionInput fired(std::string severity, bool down) {
    DecisionInput in;
    in.trigger = "errors";
    in.severity = std::move(severity);
    in.source = "metrics";
    in.down = down;
    return in;
}
}  // namespace

TEST_CASE("default tree: down rolls back, critical waits for a near hotfix, warning pages", "[decide][tree]") {
    TempDir dir;
    ServicePolicy web = service_with_runbook(dir, "");
    Decision d = decide_by_runbook(web, fired("critical", true));
    CHECK(d.action.text() == "rollback");
    CHECK(d.rule == "default tree: down");
    CHECK(d.explanation == "down=true severity=\"critical\" consecutive_failures=0 value=unknown hotfix_eta=unknown");
    CHECK(d.error.empty());

    DecisionInput in = fired("critical", false);
    in.hotfix_eta_s = 600;
    d = decide_by_runbook(web, in);
    CHECK(d.action.kind == ActionSpec::Kind::hotfix);
    CHECK(d.action.deadline == Duration{900'000});
    CHECK(d.rule == "default tree: critical, hotfix due within 15m");

    in.hotfix_eta_s = 3600;  // too far away
    CHECK(decide_by_runbook(web, in).action.text() == "rollback");
    in.hotfix_eta_s = kUnknownNumber;  // none announced
    CHECK(decide_by_runbook(web, in).rule == "default tree: critical");
    CHECK(decide_by_runbook(web, fired("warning", false)).action.kind == ActionSpec::Kind::page);
    CHECK(decide_by_runbook(web, fired("info", false)).action.kind == ActionSpec::Kind::none);
}

TEST_CASE("a runbook's decide(ctx) decides, and may reuse the default tree", "[decide][tree]") {
    TempDir dir;
    ServicePolicy web = service_with_runbook(dir, R"(
local tree = require("backstop.decide")
return {
  decide = function(ctx)
    if ctx.trigger == "errors" and ctx.value ~= nil and ctx.value > 0.5 then
      return "rollback:" .. ctx.levels[2], "error rate " .. ctx.value .. " on " .. ctx.service.name
    end
    return tree.default(ctx)
  end,
}
)");
    DecisionInput in = fired("warning", false);
    in.value = 0.75;
    Decision d = decide_by_runbook(web, in);
    CHECK(d.action.text() == "rollback:full");
    CHECK(d.rule == "runbook decide (runbooks/web.lua): error rate 0.75 on web");
    CHECK(d.explanation == "down=false severity=\"warning\" consecutive_failures=0 value=0.75 hotfix_eta=unknown");

    in.value = 0.2;
    d = decide_by_runbook(web, in);
    CHECK(d.action.kind == ActionSpec::Kind::page);
    CHECK(d.rule == "runbook decide (runbooks/web.lua): warning");
}

TEST_CASE("a runbook without decide gets the default tree", "[decide][tree]") {
    TempDir dir;
    ServicePolicy web = service_with_runbook(dir, "return { levels = { fast = function(ctx) end } }\n");
    Decision d = decide_by_runbook(web, fired("critical", false));
    CHECK(d.rule == "default tree: critical");
    CHECK(d.error.empty());
}

TEST_CASE("a decide that cannot decide falls back to the default tree and says why", "[decide][tree]") {
    TempDir dir;
    SECTION("it raises: the error keeps the runbook's file and line") {
        ServicePolicy web = service_with_runbook(dir, "return {\n  decide = function(ctx)\n    error(\"no idea\")\n  end,\n}\n");
        Decision d = decide_by_runbook(web, fired("critical", true));
        CHECK(d.action.text() == "rollback");
        CHECK(d.rule == "default tree: down (the runbook's decide failed)");
        CHECK_THAT(d.error, Catch::Contains("web.lua:3: no idea"));
    }
    SECTION("it returns something that is not an action") {
        ServicePolicy web = service_with_runbook(dir, "return { decide = function(ctx) return \"rewind\" end }\n");
        Decision d = decide_by_runbook(web, fired("warning", false));
        CHECK(d.action.kind == ActionSpec::Kind::page);
        CHECK_THAT(d.error, Catch::StartsWith("decide(ctx) returned \"rewind\": unknown action"));
        web = service_with_runbook(dir, "return { decide = function(ctx) return 42 end }\n");
        CHECK_THAT(decide_by_runbook(web, fired("warning", false)).error, Catch::Contains("must return an action string"));
    }
    SECTION("it calls a primitive: decisions read ctx only") {
        ServicePolicy web = service_with_runbook(dir, "return { decide = function(ctx) releases.switch(\"v1\") return \"none\" end }\n");
        Decision d = decide_by_runbook(web, fired("warning", false));
        CHECK(d.action.kind == ActionSpec::Kind::page);
        CHECK_THAT(d.error, Catch::Contains("`releases.switch` is only available inside a rollback hook"));
    }
    SECTION("it loops: the budget stops it") {
        ServicePolicy web = service_with_runbook(dir, "return { decide = function(ctx) while true do end end }\n");
        Decision d = decide_by_runbook(web, fired("critical", false));
        CHECK(d.action.text() == "rollback");
        CHECK_FALSE(d.error.empty());
    }
    SECTION("the runbook does not load") {
        ServicePolicy web = service_with_runbook(dir, "return {\n  decide = function(ctx)\n");
        Decision d = decide_by_runbook(web, fired("critical", true));
        CHECK(d.rule == "default tree: down (the runbook's decide failed)");
        CHECK_THAT(d.error, Catch::StartsWith("runbook did not load: "));
    }
}

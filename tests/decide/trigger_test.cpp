// The pure decision core: derived values over an observation window, a trigger's `for`, `delay`,
// refiring and clearing, decision rules in order, and the built-in rules library
// compiling in full.
#include <cmath>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "decide/decision_tree.h"
#include "decide/firing_alerts.h"
#include "decide/observation_window.h"
#include "decide/trigger_schema.h"
#include "decide/trigger_state.h"
#include "policy/rule_library.h"

using namespace backstop;

namespace {

Observation look(std::int64_t t_ms, ObservationStatus status, double value, double restarts = Observation::none) {
    Observation o;
    o.source = "health";
    o.time_ms = t_ms;
    o.status = status;
    o.value = value;
    o.restarts = restarts;
    return o;
}

struct Evaluated {
    ExpressionSchema schema = trigger_schema();
    ExpressionValues values{schema};
};

double number(const Evaluated& e, std::size_t slot) { return e.values.number(slot); }

TriggerSlots all_slots() {
    TriggerSlots s;
    s.set();
    return s;
}

}  // namespace

TEST_CASE("window: runs, percentiles, baseline and restarts_delta", "[decide][window]") {
    namespace s = trigger_slot;
    ObservationWindow w;
    const std::int64_t minute = 60'000;
    // An hour of baseline at 100 ms, then a window of 10 looks from 10 to 100 ms… then failures.
    for (int i = 0; i < 60; ++i) w.add(look(i * minute, ObservationStatus::ok, 100, 2));
    for (int i = 1; i <= 10; ++i) w.add(look(60 * minute + i * 20'000, ObservationStatus::ok, i * 10.0, i > 5 ? 4 : 2));
    w.add(look(64 * minute, ObservationStatus::failed, 500, 5));
    w.add(look(64 * minute + 1000, ObservationStatus::failed, 600, 5));

    Evaluated e;
    w.fill(e.values, all_slots(), Duration{5 * minute}, Duration{60 * minute}, 64 * minute + 1000);
    CHECK(number(e, s::consecutive_failures) == 2);
    CHECK(number(e, s::consecutive_successes) == 0);
    CHECK(e.values.boolean(s::failed));
    CHECK_FALSE(e.values.boolean(s::ok));
    CHECK(number(e, s::value) == 600);
    CHECK(number(e, s::samples) == 12);  // window 59m01s..64m01s: 10 good looks and 2 failures
    CHECK(number(e, s::max) == 600);
    CHECK(number(e, s::p50) == 60);  // nearest rank: the 6th of 12
    CHECK(number(e, s::p95) == 600);
    CHECK(number(e, s::baseline) == 100);
    CHECK(number(e, s::restarts_delta) == 3);  // 2 before the window, 5 at its end
}

TEST_CASE("window: an empty window is unknown, and its state survives JSON", "[decide][window]") {
    namespace s = trigger_slot;
    ObservationWindow w;
    Evaluated e;
    w.fill(e.values, all_slots(), Duration{300'000}, Duration{3'600'000}, 1000);
    CHECK(e.values.boolean(s::unknown));
    CHECK(std::isnan(number(e, s::value)));
    CHECK(std::isnan(number(e, s::p95)));

    w.add(look(1000, ObservationStatus::failed, 12));
    w.add(look(2000, ObservationStatus::failed, 14));
    ObservationWindow restored;
    restored.load_json(w.to_json());
    Evaluated r;
    restored.fill(r.values, all_slots(), Duration{300'000}, Duration{3'600'000}, 2000);
    CHECK(number(r, s::consecutive_failures) == 2);
    CHECK(number(r, s::avg) == 13);
    restored.load_json(nlohmann::json::parse("{\"samples\": \"torn\"}"));  // ignored, not a crash
}

TEST_CASE("window: a long run keeps exactly the samples within `keep`, oldest dropped", "[decide][window]") {
    namespace s = trigger_slot;
    ObservationWindow w(Duration{10'000});  // keeps 10 s
    // A day of looks every 100 ms, values counting up: the window must hold the last 10 s only, with
    // the dropped room reclaimed as it goes.
    const int looks = 864'000;
    for (int i = 0; i < looks; ++i) w.add(look(std::int64_t{i} * 100, ObservationStatus::ok, i));
    const std::int64_t now = std::int64_t{looks - 1} * 100;
    Evaluated e;
    w.fill(e.values, all_slots(), Duration{10'000}, Duration{0}, now);
    CHECK(number(e, s::samples) == 101);  // now-10 s .. now, both ends included
    CHECK(number(e, s::min) == looks - 101);
    CHECK(number(e, s::max) == looks - 1);
    CHECK(number(e, s::consecutive_successes) == looks);
    CHECK(w.to_json()["samples"].size() == 101);

    // After a pause longer than `keep`, only the new look remains.
    w.add(look(now + 60'000, ObservationStatus::failed, 7));
    Evaluated later;
    w.fill(later.values, all_slots(), Duration{10'000}, Duration{0}, now + 60'000);
    CHECK(number(later, s::samples) == 1);
    CHECK(number(later, s::avg) == 7);
    CHECK(w.to_json()["samples"].size() == 1);
}

TEST_CASE("trigger state: for, delay, active, refire after cooldown, cleared", "[decide][trigger]") {
    TriggerPolicy t;
    t.hold = Duration{60'000};
    t.delay = Duration{30'000};
    TriggerState st;
    Duration cooldown{600'000};
    CHECK(st.advance(t, false, 0, cooldown) == TriggerStep::quiet);
    CHECK(st.advance(t, true, 10'000, cooldown) == TriggerStep::holding);
    CHECK(st.advance(t, true, 69'999, cooldown) == TriggerStep::holding);
    CHECK(st.advance(t, true, 70'000, cooldown) == TriggerStep::delaying);  // held for 60 s: re-check in 30 s
    CHECK(st.advance(t, true, 99'999, cooldown) == TriggerStep::delaying);
    CHECK(st.advance(t, true, 100'000, cooldown) == TriggerStep::fire);
    CHECK(st.advance(t, true, 110'000, cooldown) == TriggerStep::active);
    CHECK(st.advance(t, true, 699'999, cooldown) == TriggerStep::active);
    // Still holding a cooldown later: it fires again (after its delay), and the guards decide.
    CHECK(st.advance(t, true, 700'000, cooldown) == TriggerStep::delaying);
    CHECK(st.advance(t, true, 730'000, cooldown) == TriggerStep::fire);
    CHECK(st.advance(t, false, 740'000, cooldown) == TriggerStep::cleared);
    CHECK(st.advance(t, false, 750'000, cooldown) == TriggerStep::quiet);

    SECTION("a condition that stops holding during the delay does not fire") {
        TriggerState d;
        TriggerPolicy quick;
        quick.delay = Duration{30'000};
        CHECK(d.advance(quick, true, 0, cooldown) == TriggerStep::delaying);
        CHECK(d.advance(quick, false, 10'000, cooldown) == TriggerStep::quiet);
        CHECK(d.advance(quick, true, 20'000, cooldown) == TriggerStep::delaying);
    }
    SECTION("the state survives JSON, hotfix deadline included") {
        TriggerState h;
        h.advance(TriggerPolicy{}, true, 5, cooldown);
        h.hotfix_deadline_ms = 42;
        h.hotfix_level = "full";
        TriggerState back;
        back.load_json(h.to_json());
        CHECK(back.fired);
        CHECK(back.hotfix_deadline_ms == 42);
        CHECK(back.hotfix_level == "full");
        CHECK(back.advance(TriggerPolicy{}, true, 10, cooldown) == TriggerStep::active);
    }
}

TEST_CASE("trigger state: when it must be evaluated again with nothing new observed", "[decide][trigger]") {
    TriggerPolicy t;
    t.hold = Duration{60'000};
    t.delay = Duration{30'000};
    TriggerState st;
    Duration cooldown{600'000};
    CHECK_FALSE(st.next_check_ms(t));
    st.advance(t, true, 10'000, cooldown);
    CHECK(st.next_check_ms(t) == 70'000);  // the `for` ends
    st.advance(t, true, 70'000, cooldown);
    CHECK(st.next_check_ms(t) == 100'000);  // the `delay` re-check
    CHECK(st.advance(t, true, 100'000, cooldown) == TriggerStep::fire);
    CHECK_FALSE(st.next_check_ms(t));  // fired: only news changes it
    st.hotfix_deadline_ms = 400'000;
    CHECK(st.next_check_ms(t) == 400'000);
    st.advance(t, false, 110'000, cooldown);
    CHECK_FALSE(st.next_check_ms(t));
}

TEST_CASE("firing alerts: a source fails while any of its alerts fires", "[decide][alerts]") {
    FiringAlerts a;
    CHECK(a.update("web-1", true, 10));
    CHECK_FALSE(a.update("web-1", true, 20));  // a repeat changes nothing
    CHECK(a.update("web-2", true, 30));
    CHECK(a.firing() == 2);
    CHECK(a.update("web-1", false, 40));
    CHECK(a.firing() == 1);
    CHECK_FALSE(a.update("web-3", false, 50));  // resolved without having fired here
    FiringAlerts back;
    back.load_json(a.to_json());
    CHECK(back.firing() == 1);
    CHECK(back.update("web-2", false, 60));
    CHECK(back.firing() == 0);

    FiringAlerts flood;
    for (std::size_t i = 0; i <= FiringAlerts::kMaxTracked; ++i) flood.update("a" + std::to_string(i), true, static_cast<std::int64_t>(i));
    CHECK(flood.firing() == FiringAlerts::kMaxTracked);
    CHECK_FALSE(flood.update("a0", false, 0));  // the longest-firing one was forgotten
}

namespace {
DecisionRule decision_rule(const char* when, const char* then) {
    static const auto schema = std::shared_ptr<const ExpressionSchema>(&decision_schema(), [](const ExpressionSchema*) {});
    auto compiled = compile_expression(when, *schema);
    REQUIRE(compiled.ok());
    std::string why;
    auto action = parse_action(then, false, &why);
    REQUIRE(action);
    DecisionRule r;
    r.when.text = when;
    r.when.schema = schema;
    r.when.expression = std::make_shared<const Expression>(std::move(*compiled.expression));
    r.then = *action;
    return r;
}
}  // namespace

TEST_CASE("decision rules: the first that holds decides, none matching is no decision", "[decide][tree]") {
    std::vector<DecisionRule> rules = {decision_rule("down", "rollback:full"),
                                       decision_rule("severity == \"critical\" and hotfix_eta <= 15m", "hotfix:10m"),
                                       decision_rule("severity == \"critical\"", "rollback")};
    DecisionInput in;
    in.severity = "critical";
    in.down = true;
    auto d = decide_by_rules(rules, in, "decide");
    REQUIRE(d);
    CHECK(d->action.text() == "rollback:full");
    CHECK(d->rule == "decide #1: down");
    CHECK(d->explanation == "down=true");

    in.down = false;
    in.hotfix_eta_s = 600;
    d = decide_by_rules(rules, in, "decide");
    CHECK(d->action.kind == ActionSpec::Kind::hotfix);
    CHECK(d->action.deadline == Duration{600'000});
    in.hotfix_eta_s = kUnknownNumber;  // none announced: unknown never satisfies <=
    CHECK(decide_by_rules(rules, in, "decide")->rule == "decide #3: severity == \"critical\"");
    in.severity = "warning";
    CHECK_FALSE(decide_by_rules(rules, in, "decide"));
    CHECK_FALSE(decide_by_rules({}, in, "decide"));
}

TEST_CASE("actions: every spelling, and what is refused", "[decide][tree]") {
    std::string why;
    CHECK(parse_action("rollback:full", true, &why)->level == "full");
    CHECK(parse_action("hotfix:30m", true, &why)->deadline == Duration{1'800'000});
    CHECK(parse_action("page", true, &why)->kind == ActionSpec::Kind::page);
    CHECK_FALSE(parse_action("decide", false, &why));
    CHECK(why.find("cannot `decide` again") != std::string::npos);
    CHECK_FALSE(parse_action("hotfix:soon", true, &why));
    CHECK_FALSE(parse_action("rolback", true, &why));
    CHECK(why.find("unknown action \"rolback\"") != std::string::npos);
    CHECK_FALSE(parse_action("page:loud", true, &why));
}

TEST_CASE("the built-in rules library loads cleanly and names its parameters", "[decide][rules]") {
    const auto& lib = policy::RuleLibrary::builtin();
    CHECK_FALSE(lib.problems().has_errors());
    REQUIRE(lib.find("service_down"));
    CHECK(lib.find("service_down")->params == std::vector<std::pair<std::string, double>>{{"failures", 3}});
    for (const char* name : {"service_down", "high_error_rate", "p95_latency", "crash_loop", "critical_log", "cpu_pressure",
                             "memory_pressure", "disk_pressure", "database_down", "database_errors", "latency_regression"}) {
        INFO(name);
        CHECK(lib.find(name));
    }
}

#include "runtime/runbook_decision.h"

#include <cmath>
#include <optional>

#include "decide/expression.h"
#include "lua/runbook_engine.h"
#include "runtime/run_context.h"

namespace backstop {

namespace {

// A decision reads a few numbers; it gets far less room than a rollback hook.
SandboxLimits decision_limits() {
    SandboxLimits limits;
    limits.memory_bytes = 16u << 20;
    limits.cpu_budget = Duration{200};
    limits.wall_timeout = Duration{2000};
    return limits;
}

// The values decide(ctx) was given, as the history shows them.
std::string explain(const DecisionInput& in) {
    std::string out = "down=" + std::string(in.down ? "true" : "false") + " severity=\"" + in.severity + "\"";
    out += " consecutive_failures=" + format_expression_number(in.consecutive_failures);
    out += " value=" + format_expression_number(in.value);
    out += " hotfix_eta=" + format_expression_number(in.hotfix_eta_s);
    if (!in.event.empty()) out += " event=\"" + in.event + "\"";
    return out;
}

// The runbook as the policy names it: relative to the policy's folder when inside it.
std::string runbook_name(const ServicePolicy& service) {
    auto relative = service.rollback.runbook.lexically_relative(service.policy_file.parent_path());
    bool inside = !relative.empty() && *relative.begin() != "..";
    return inside ? relative.string() : service.rollback.runbook.string();
}

// The action and reason decide returned, or why they are not usable.
std::optional<Decision> read_returns(const HookOutcome& call, const std::string& label, std::string& error) {
    if (!call.ok()) {
        error = call.message.empty() ? std::string("decide(ctx) ") + to_string(call.status) : call.message;
        return std::nullopt;
    }
    if (call.returns.empty() || !call.returns[0].is_string()) {
        error = "decide(ctx) must return an action string (rollback, rollback:LEVEL, hotfix, hotfix:DURATION, page, none), got " +
                (call.returns.empty() ? std::string("nothing") : call.returns[0].dump());
        return std::nullopt;
    }
    std::string text = call.returns[0].get<std::string>();
    std::string why;
    auto action = parse_action(text, false, &why);
    if (!action) {
        error = "decide(ctx) returned \"" + text + "\": " + why;
        return std::nullopt;
    }
    std::string reason = call.returns.size() > 1 && call.returns[1].is_string() ? call.returns[1].get<std::string>() : text;
    return Decision{*action, label + ": " + reason, ""};
}

// Whole numbers as Lua integers, so `ctx.value .. " lines"` reads "3 lines", not "3.0 lines".
nlohmann::json number_json(double v) {
    if (v == std::trunc(v) && std::fabs(v) < 9.0e15) return static_cast<std::int64_t>(v);
    return v;
}

}  // namespace

nlohmann::json decision_context(const ServicePolicy& service, const DecisionInput& in) {
    nlohmann::json ctx = {{"service", service_to_json(service)},
                          {"trigger", in.trigger},
                          {"severity", in.severity},
                          {"source", in.source},
                          {"down", in.down},
                          {"consecutive_failures", number_json(in.consecutive_failures)},
                          {"levels", service.rollback.levels}};
    // Unknown numbers are nil in Lua, so `ctx.hotfix_eta ~= nil` means a hotfix was announced.
    if (!std::isnan(in.value)) ctx["value"] = number_json(in.value);
    if (!std::isnan(in.hotfix_eta_s)) ctx["hotfix_eta"] = number_json(in.hotfix_eta_s);
    if (!in.event.empty()) ctx["event"] = in.event;
    return ctx;
}

Decision decide_by_runbook(const ServicePolicy& service, const DecisionInput& in) {
    const nlohmann::json ctx = decision_context(service, in);
    const auto& runbook = service.rollback.runbook;
    std::string error;
    std::optional<RunbookEngine> engine(std::in_place, decision_limits());
    if (!runbook.empty()) {
        try {
            engine->load_file(runbook, service.policy_file.parent_path());
            if (engine->defines("decide")) {
                auto decided = read_returns(engine->call_pure_hook("decide", ctx), "runbook decide (" + runbook_name(service) + ")", error);
                if (decided) {
                    decided->explanation = explain(in);
                    return *decided;
                }
                engine.reset();  // its effective decide is the one that failed
            }
        } catch (const Error& e) {
            error = std::string("runbook did not load: ") + e.what();
            engine.reset();
        }
    }
    if (!engine) engine.emplace(decision_limits());
    std::string default_error;
    auto decided = read_returns(engine->call_pure_hook("decide", ctx), "default tree", default_error);
    if (!decided) throw Error("the default decision tree failed: " + default_error);
    decided->explanation = explain(in);
    decided->error = error;
    if (!error.empty()) decided->rule += " (the runbook's decide failed)";
    return *decided;
}

}  // namespace backstop

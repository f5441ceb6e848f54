// Evaluations per second of compiled `when` expressions, next to the cheapest way to ask Lua the same
// question through its C API. Prints one `name value` line per figure, for scripts:
//   expression_evals_per_s 212.4e6
//   lua_call_evals_per_s 14.2e6
//   expression_vs_lua_ratio 15.0
// Every case evaluates the same varying inputs and its results are counted, so the compiler cannot
// drop the loop, and the counts must agree between cases. More cases: add a Case to main().
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <lua.hpp>

#include "decide/expression.h"
#include "decide/observation_window.h"
#include "decide/trigger_schema.h"
#include "decide/trigger_state.h"
#include "policy/watch_policy.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kInputs = 1024;  // a power of two: the index wraps with a mask
constexpr double kMinSeconds = 0.5;

// Values around the 0.05 threshold, about half of them above it.
std::vector<double> make_inputs() {
    std::vector<double> inputs(kInputs);
    std::uint32_t state = 12345;
    for (double& x : inputs) {
        state = state * 1664525u + 1013904223u;
        x = static_cast<double>(state >> 8) / static_cast<double>(1u << 24) * 0.1;
    }
    return inputs;
}

struct Measurement {
    double per_second = 0;
    std::uint64_t trues_per_round = 0;  // over one pass of the inputs, for the cross-check
};

// Runs `step` (one evaluation of one input, returning the condition's value) over the inputs in
// rounds until kMinSeconds have passed.
template <class Step>
Measurement measure(const std::vector<double>& inputs, Step step) {
    Measurement m;
    for (double x : inputs) m.trues_per_round += step(x) ? 1 : 0;
    std::uint64_t evaluations = 0;
    std::uint64_t trues = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    do {
        for (int round = 0; round < 256; ++round)
            for (std::size_t i = 0; i < kInputs; ++i) trues += step(inputs[i]) ? 1 : 0;
        evaluations += 256 * kInputs;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < kMinSeconds);
    if (trues != m.trues_per_round * (evaluations / kInputs)) {
        std::fprintf(stderr, "expression_bench: results changed between rounds\n");
        std::exit(1);
    }
    m.per_second = static_cast<double>(evaluations) / elapsed;
    return m;
}

// `function(value) return value > 0.05 end`, called once per evaluation the way an embedding
// would: push the function and the argument, pcall, read the boolean.
class LuaThreshold {
public:
    LuaThreshold() : L_(luaL_newstate()) {
        if (luaL_dostring(L_, "return function(value) return value > 0.05 end") != LUA_OK) {
            std::fprintf(stderr, "expression_bench: %s\n", lua_tostring(L_, -1));
            std::exit(1);
        }
        ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);
    }
    ~LuaThreshold() { lua_close(L_); }
    LuaThreshold(const LuaThreshold&) = delete;
    LuaThreshold& operator=(const LuaThreshold&) = delete;

    bool operator()(double value) {
        lua_rawgeti(L_, LUA_REGISTRYINDEX, ref_);
        lua_pushnumber(L_, value);
        if (lua_pcall(L_, 1, 1, 0) != LUA_OK) {
            std::fprintf(stderr, "expression_bench: %s\n", lua_tostring(L_, -1));
            std::exit(1);
        }
        bool result = lua_toboolean(L_, -1);
        lua_pop(L_, 1);
        return result;
    }

private:
    lua_State* L_;
    int ref_ = LUA_NOREF;
};

backstop::Expression compile_or_exit(const std::string& text, const backstop::ExpressionSchema& schema) {
    auto result = backstop::compile_expression(text, schema);
    if (!result.ok()) {
        std::fprintf(stderr, "expression_bench: %s: %s\n", text.c_str(), result.error.message.c_str());
        std::exit(1);
    }
    return *result.expression;
}

// Millions per second, written so it still parses as a plain number: 52.1e6.
void print_rate(const char* name, double per_second) { std::printf("%s %.1fe6\n", name, per_second / 1e6); }

}  // namespace

int main() {
    const std::vector<double> inputs = make_inputs();

    backstop::ExpressionSchema schema;
    const std::size_t value = schema.add("value", backstop::ValueType::number, "the watched metric");
    backstop::ExpressionValues values(schema);
    const backstop::Expression threshold = compile_or_exit("value > 0.05", schema);

    Measurement compiled = measure(inputs, [&](double x) {
        values.set_number(value, x);
        return threshold.evaluate(values);
    });
    LuaThreshold lua;
    Measurement lua_call = measure(inputs, [&](double x) { return lua(x); });

    if (compiled.trues_per_round != lua_call.trues_per_round) {
        std::fprintf(stderr, "expression_bench: the expression and Lua disagree (%llu vs %llu true)\n",
                     static_cast<unsigned long long>(compiled.trues_per_round),
                     static_cast<unsigned long long>(lua_call.trues_per_round));
        return 1;
    }
    // The trigger path the watcher runs for each observation: window in, derived values, the
    // condition, the trigger's state machine out.
    backstop::TriggerPolicy trigger;
    trigger.name = "error_rate";
    auto trigger_schema = std::make_shared<const backstop::ExpressionSchema>(backstop::trigger_schema());
    trigger.when.schema = trigger_schema;
    trigger.when.expression = std::make_shared<const backstop::Expression>(compile_or_exit("value > 0.05", *trigger_schema));
    backstop::ObservationWindow window;
    backstop::TriggerState state;
    backstop::ExpressionValues trigger_values(*trigger_schema);
    const backstop::TriggerSlots slots = backstop::slots_read(*trigger.when.expression);
    backstop::Observation observation;
    observation.source = "errors";
    observation.kind = backstop::SourceKind::prometheus;
    observation.status = backstop::ObservationStatus::ok;
    std::int64_t now_ms = 0;
    Measurement path = measure(inputs, [&](double x) {
        now_ms += 1000;
        observation.time_ms = now_ms;
        observation.value = x;
        window.add(observation);
        window.fill(trigger_values, slots, trigger.window, trigger.baseline, now_ms);
        bool holds = trigger.when.expression->evaluate(trigger_values);
        state.advance(trigger, holds, now_ms, backstop::Duration{600'000});
        return holds;
    });
    if (path.trues_per_round != compiled.trues_per_round) {
        std::fprintf(stderr, "expression_bench: the trigger path and the expression disagree\n");
        return 1;
    }
    print_rate("trigger_path_evals_per_s", path.per_second);
    std::printf("trigger_path_vs_lua_ratio %.2f\n", path.per_second / lua_call.per_second);
    print_rate("expression_evals_per_s", compiled.per_second);
    print_rate("lua_call_evals_per_s", lua_call.per_second);
    std::printf("expression_vs_lua_ratio %.1f\n", compiled.per_second / lua_call.per_second);
    return 0;
}

// Fuzz target: the text of a `when` expression through the compiler and, when it compiles, through
// evaluation, explain and names_read. The first byte picks the schema (trigger or decision) and the
// type asked for; the rest is the expression.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "decide/expression.h"
#include "decide/trigger_schema.h"
#include "fuzz_check.h"

using namespace backstop;

namespace {

// Values chosen to reach the edges: unknown, zero, negative, huge and infinite numbers.
void fill(const ExpressionSchema& schema, ExpressionValues& values, std::uint8_t seed) {
    static constexpr double kNumbers[] = {std::numeric_limits<double>::quiet_NaN(), 0, 1.5, -3, 1e308,
                                          std::numeric_limits<double>::infinity(), 0.05, 500};
    static constexpr std::string_view kStrings[] = {"", "critical", "HighErrorRate", "active", "a\nb"};
    for (std::size_t slot = 0; slot < schema.size(); ++slot) {
        const std::size_t pick = slot + seed;
        switch (schema.at(slot).type) {
            case ValueType::number: values.set_number(slot, kNumbers[pick % std::size(kNumbers)]); break;
            case ValueType::boolean: values.set_boolean(slot, pick % 2 == 0); break;
            case ValueType::string: values.set_string(slot, kStrings[pick % std::size(kStrings)]); break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const ExpressionSchema triggers = trigger_schema();
    const ExpressionSchema& schema = data[0] & 4 ? decision_schema() : triggers;
    static constexpr ValueType kTypes[] = {ValueType::boolean, ValueType::number, ValueType::string, ValueType::boolean};
    const ValueType expected = kTypes[data[0] & 3];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    ExpressionCompileResult compiled = compile_expression(text, schema, expected);
    if (!compiled.ok()) {
        const ExpressionError& e = compiled.error;
        fuzz::check(e.code == "expr-syntax" || e.code == "expr-unknown-name" || e.code == "expr-type", "a known error code");
        fuzz::check(e.column >= 1 && static_cast<std::size_t>(e.column) <= text.size() + 1, "the column is within the text");
        fuzz::check(!e.message.empty(), "an error says what is wrong");
        return 0;
    }
    const Expression& expression = *compiled.expression;
    fuzz::check(expression.type() == expected, "the expression has the type asked for");
    for (std::uint8_t seed = 0; seed < 3; ++seed) {
        ExpressionValues values(schema);
        fill(schema, values, seed);
        switch (expected) {
            case ValueType::boolean: (void)expression.evaluate(values); break;
            case ValueType::number: (void)expression.evaluate_number(values); break;
            case ValueType::string: (void)expression.evaluate_string(values); break;
        }
        (void)expression.explain(values);
        for (std::string_view name : expression.names_read(values))
            fuzz::check(schema.slot(name).has_value(), "names_read gives names of the schema");
    }
    return 0;
}

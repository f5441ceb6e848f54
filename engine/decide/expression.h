// `when` conditions of triggers and decision rules ("value > 0.05 and p95 > 2 * baseline"):
// compiled once at policy load against an ExpressionSchema, then evaluated on the hot path without
// hashing, allocating or throwing. The language is described in README.md ("Expressions").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decide/expression_compiler.h"
#include "decide/expression_program.h"
#include "decide/expression_schema.h"
#include "decide/expression_values.h"

namespace backstop {

struct ExpressionCompileResult;

class Expression {
public:
    // The condition's value. false when the expression was compiled for another type, or `values`
    // has fewer slots than the names it reads.
    bool evaluate(const ExpressionValues& values) const noexcept;
    // For expressions compiled for a number; NaN otherwise.
    double evaluate_number(const ExpressionValues& values) const noexcept;
    // For expressions compiled for a string; empty otherwise. Points into `values` or into this.
    std::string_view evaluate_string(const ExpressionValues& values) const noexcept;

    // Every name the expression uses with its value now, in order of first appearance:
    // `value=0.071 p95=1.3 severity="critical" hotfix_expected=false`; NaN shows as `unknown`.
    // For the "observed values" of a history record; allocates, so not for the hot path.
    std::string explain(const ExpressionValues& values) const;

    // The names one evaluation actually reads, in reading order, each once: the values that decided
    // the result. `a > 1 or b > 2` reads only `a` when a > 1.
    std::vector<std::string_view> names_read(const ExpressionValues& values) const;

    const std::string& text() const { return program_.text; }
    ValueType type() const { return program_.result; }
    // The names the expression uses, in order of first appearance, with their slots: what the
    // caller must fill in before evaluating.
    const std::vector<ExpressionName>& names_used() const { return program_.names; }

private:
    friend ExpressionCompileResult compile_expression(std::string_view, const ExpressionSchema&, ValueType);
    explicit Expression(ExpressionProgram program) : program_(std::move(program)) {}

    ExpressionProgram program_;
};

struct ExpressionCompileResult {
    std::optional<Expression> expression;
    ExpressionError error;  // when there is no expression
    bool ok() const { return expression.has_value(); }
};

// Compiles `text`, whose value must be of type `expected` (a boolean for conditions). Every name
// must be in `schema`; the values passed to evaluate must come from an ExpressionValues built from
// it (or from a schema that extends it).
ExpressionCompileResult compile_expression(std::string_view text, const ExpressionSchema& schema,
                                           ValueType expected = ValueType::boolean);

// How explain writes a number: the shortest text that reads back exactly ("0.071", "3", "1e+21"),
// "unknown" for NaN.
std::string format_expression_number(double value);

}  // namespace backstop

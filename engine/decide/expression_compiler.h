// Turning the text of a `when` expression into an ExpressionProgram: parsing by precedence, type
// checking against the schema, and emitting bytecode in one pass. Errors point at the offending
// token with a stable code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "decide/expression_program.h"
#include "decide/expression_schema.h"

namespace backstop {

struct ExpressionError {
    int column = 0;    // 1-based, within the expression text
    std::string code;  // "expr-syntax", "expr-unknown-name" or "expr-type"
    std::string message;
};

// nullopt with `program` filled, or the first error. `expected` is the type the whole expression
// must have: boolean for conditions, number for computed values.
std::optional<ExpressionError> compile_program(std::string_view text, const ExpressionSchema& schema,
                                               ValueType expected, ExpressionProgram& program);

}  // namespace backstop

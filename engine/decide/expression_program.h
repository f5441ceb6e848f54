// What a compiled `when` expression is made of: flat bytecode for a typed stack machine, the
// constants and regexes it refers to, and the names it reads. Built by the compiler, run by
// Expression; types were checked at compile time, so no instruction checks them again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/text_pattern.h"
#include "decide/expression_schema.h"

namespace backstop {

enum class Op : std::uint8_t {
    load_number,   // push values[a]
    load_boolean,  // push values[a]
    load_string,   // push values[a]
    push_number,   // push `number`
    push_boolean,  // push a != 0
    push_string,   // push strings[a]
    negate,
    absolute,
    add,
    subtract,
    multiply,
    divide,
    modulo,  // fmod: the sign of the dividend
    minimum, // NaN when either side is NaN
    maximum,
    // Number comparisons; every one is false when a side is NaN (unknown), `!=` included.
    number_equal,
    number_not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    // The same with values[a] on the left and the constant `number` on the right: `value > 0.05`
    // is then one instruction.
    slot_equal,
    slot_not_equal,
    slot_less,
    slot_less_equal,
    slot_greater,
    slot_greater_equal,
    boolean_equal,
    boolean_not_equal,
    string_equal,
    string_not_equal,
    logical_not,
    match,           // string ~ patterns[a]
    in_numbers,      // number in number_lists[a]
    not_in_numbers,  // false for NaN, like every comparison
    in_strings,      // string in string_lists[a]
    in_booleans,     // a: bit 0 set when false is listed, bit 1 when true is
    // Short circuit: jump to `a` keeping the deciding boolean on the stack, else pop it.
    jump_if_false_or_pop,
    jump_if_true_or_pop,
    done,  // the result is on top of the stack
};

struct Instruction {
    Op op = Op::done;
    std::uint32_t a = 0;  // slot, jump target, table index or bit mask
    double number = 0;    // numeric constant
};

// A name the expression reads, in order of first appearance in the text.
struct ExpressionName {
    std::string name;
    std::size_t slot = 0;
    ValueType type = ValueType::number;
};

struct ExpressionProgram {
    std::string text;
    ValueType result = ValueType::boolean;
    std::vector<Instruction> code;
    std::vector<std::string> strings;
    std::vector<std::vector<double>> number_lists;
    std::vector<std::vector<std::string>> string_lists;
    std::vector<std::shared_ptr<const TextPattern>> patterns;
    std::vector<ExpressionName> names;
    std::size_t max_stack = 0;      // deepest the stack gets
    std::size_t slots_needed = 0;   // 1 + the highest slot read
};

// Deepest stack an expression may need; the evaluator keeps it in a fixed array, so deeper
// expressions are refused at compile time.
inline constexpr std::size_t kExpressionStackCapacity = 128;

}  // namespace backstop

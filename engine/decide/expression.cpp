// Running compiled expressions: a switch over flat bytecode with a fixed-size stack on the C++
// stack. Types were checked at compile time, so each instruction knows which member of a Cell it
// reads and writes.
#include "decide/expression.h"

#include <charconv>
#include <cmath>
#include <type_traits>

namespace backstop {

ExpressionCompileResult compile_expression(std::string_view text, const ExpressionSchema& schema, ValueType expected) {
    ExpressionProgram program;
    ExpressionCompileResult result;
    if (auto error = compile_program(text, schema, expected, program))
        result.error = std::move(*error);
    else
        result.expression = Expression(std::move(program));
    return result;
}

namespace {

// Trivial, so the stack array below costs nothing to set up.
union Cell {
    double number;
    bool boolean;
    struct {
        const char* data;
        std::size_t size;
    } text;
};

std::string_view view(const Cell& c) { return {c.text.data, c.text.size}; }
void set_view(Cell& c, std::string_view s) { c.text = {s.data(), s.size()}; }

bool is_nan(double x) { return x != x; }

// Every comparison with NaN ("unknown") is false, `!=` included: an unknown value never fires.
bool not_equal(double a, double b) { return a < b || a > b; }

struct IgnoreReads {
    void operator()(std::uint32_t) const {}
};

// Result is the member to return: reading the whole Cell right after a one-byte boolean store
// would defeat store-to-load forwarding and cost more than the rest of a simple evaluation.
template <class Result, class OnRead>
Result run(const ExpressionProgram& p, const ExpressionValues::Slot* values, OnRead& on_read) noexcept {
    Cell stack[kExpressionStackCapacity];
    Cell* top = stack;  // the next free cell
    const Instruction* const code = p.code.data();
    const Instruction* ip = code;
    while (true) {
        const Instruction& in = *ip++;
        switch (in.op) {
            case Op::load_number:
                on_read(in.a);
                (top++)->number = values[in.a].number;
                break;
            case Op::load_boolean:
                on_read(in.a);
                (top++)->boolean = values[in.a].boolean;
                break;
            case Op::load_string:
                on_read(in.a);
                set_view(*top++, values[in.a].text);
                break;
            case Op::push_number: (top++)->number = in.number; break;
            case Op::push_boolean: (top++)->boolean = in.a != 0; break;
            case Op::push_string: set_view(*top++, p.strings[in.a]); break;
            case Op::negate: top[-1].number = -top[-1].number; break;
            case Op::absolute: top[-1].number = std::fabs(top[-1].number); break;
#define BACKSTOP_BINARY(OP, MEMBER, EXPR)   \
    case Op::OP: {                          \
        --top;                              \
        const double a = top[-1].number;    \
        const double b = top[0].number;     \
        top[-1].MEMBER = (EXPR);            \
        break;                              \
    }
            BACKSTOP_BINARY(add, number, a + b)
            BACKSTOP_BINARY(subtract, number, a - b)
            BACKSTOP_BINARY(multiply, number, a * b)
            BACKSTOP_BINARY(divide, number, a / b)
            BACKSTOP_BINARY(modulo, number, std::fmod(a, b))
            BACKSTOP_BINARY(minimum, number, is_nan(a) || is_nan(b) ? kUnknownNumber : (b < a ? b : a))
            BACKSTOP_BINARY(maximum, number, is_nan(a) || is_nan(b) ? kUnknownNumber : (b > a ? b : a))
            BACKSTOP_BINARY(number_equal, boolean, a == b)
            BACKSTOP_BINARY(number_not_equal, boolean, not_equal(a, b))
            BACKSTOP_BINARY(less, boolean, a < b)
            BACKSTOP_BINARY(less_equal, boolean, a <= b)
            BACKSTOP_BINARY(greater, boolean, a > b)
            BACKSTOP_BINARY(greater_equal, boolean, a >= b)
#undef BACKSTOP_BINARY
#define BACKSTOP_SLOT(OP, EXPR)                \
    case Op::OP: {                             \
        on_read(in.a);                         \
        const double a = values[in.a].number;  \
        const double b = in.number;            \
        (top++)->boolean = (EXPR);             \
        break;                                 \
    }
            BACKSTOP_SLOT(slot_equal, a == b)
            BACKSTOP_SLOT(slot_not_equal, not_equal(a, b))
            BACKSTOP_SLOT(slot_less, a < b)
            BACKSTOP_SLOT(slot_less_equal, a <= b)
            BACKSTOP_SLOT(slot_greater, a > b)
            BACKSTOP_SLOT(slot_greater_equal, a >= b)
#undef BACKSTOP_SLOT
            case Op::boolean_equal:
                --top;
                top[-1].boolean = top[-1].boolean == top[0].boolean;
                break;
            case Op::boolean_not_equal:
                --top;
                top[-1].boolean = top[-1].boolean != top[0].boolean;
                break;
            case Op::string_equal:
                --top;
                top[-1].boolean = view(top[-1]) == view(top[0]);
                break;
            case Op::string_not_equal:
                --top;
                top[-1].boolean = view(top[-1]) != view(top[0]);
                break;
            case Op::logical_not: top[-1].boolean = !top[-1].boolean; break;
            case Op::match: top[-1].boolean = p.patterns[in.a]->found_in(view(top[-1])); break;
            case Op::in_numbers:
            case Op::not_in_numbers: {
                const double x = top[-1].number;
                bool found = false;
                for (double candidate : p.number_lists[in.a]) found = found || x == candidate;
                top[-1].boolean = in.op == Op::in_numbers ? found : !found && !is_nan(x);
                break;
            }
            case Op::in_strings: {
                const std::string_view x = view(top[-1]);
                bool found = false;
                for (const std::string& candidate : p.string_lists[in.a]) found = found || x == candidate;
                top[-1].boolean = found;
                break;
            }
            case Op::in_booleans: top[-1].boolean = ((in.a >> (top[-1].boolean ? 1 : 0)) & 1u) != 0; break;
            case Op::jump_if_false_or_pop:
                if (!top[-1].boolean)
                    ip = code + in.a;
                else
                    --top;
                break;
            case Op::jump_if_true_or_pop:
                if (top[-1].boolean)
                    ip = code + in.a;
                else
                    --top;
                break;
            case Op::done:
                if constexpr (std::is_same_v<Result, bool>)
                    return top[-1].boolean;
                else if constexpr (std::is_same_v<Result, double>)
                    return top[-1].number;
                else
                    return view(top[-1]);
        }
    }
}

template <class Result>
Result run_fast(const ExpressionProgram& p, const ExpressionValues& values) noexcept {
    IgnoreReads ignore;
    return run<Result>(p, values.data(), ignore);
}

void append_quoted(std::string& out, std::string_view s) {
    constexpr std::size_t kMaxShown = 120;
    bool cut = s.size() > kMaxShown;
    if (cut) {
        std::size_t n = kMaxShown;
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 character
        s = s.substr(0, n);
    }
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    const char* hex = "0123456789abcdef";
                    out += "\\x";
                    out += hex[(c >> 4) & 0xF];
                    out += hex[c & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    if (cut) out += "...";
}

}  // namespace

bool Expression::evaluate(const ExpressionValues& values) const noexcept {
    if (program_.result != ValueType::boolean || values.size() < program_.slots_needed) return false;
    return run_fast<bool>(program_, values);
}

double Expression::evaluate_number(const ExpressionValues& values) const noexcept {
    if (program_.result != ValueType::number || values.size() < program_.slots_needed) return kUnknownNumber;
    return run_fast<double>(program_, values);
}

std::string_view Expression::evaluate_string(const ExpressionValues& values) const noexcept {
    if (program_.result != ValueType::string || values.size() < program_.slots_needed) return {};
    return run_fast<std::string_view>(program_, values);
}

std::vector<std::string_view> Expression::names_read(const ExpressionValues& values) const {
    std::vector<std::string_view> names;
    if (values.size() < program_.slots_needed) return names;
    auto record = [&](std::uint32_t slot) {
        for (const auto& n : program_.names)
            if (n.slot == slot) {
                for (std::string_view seen : names)
                    if (seen == n.name) return;
                names.push_back(n.name);
                return;
            }
    };
    switch (program_.result) {
        case ValueType::boolean: run<bool>(program_, values.data(), record); break;
        case ValueType::number: run<double>(program_, values.data(), record); break;
        case ValueType::string: run<std::string_view>(program_, values.data(), record); break;
    }
    return names;
}

std::string Expression::explain(const ExpressionValues& values) const {
    std::string out;
    for (const auto& n : program_.names) {
        if (!out.empty()) out += ' ';
        out += n.name;
        out += '=';
        if (n.slot >= values.size()) {
            out += "missing";
            continue;
        }
        switch (n.type) {
            case ValueType::number: out += format_expression_number(values.number(n.slot)); break;
            case ValueType::boolean: out += values.boolean(n.slot) ? "true" : "false"; break;
            case ValueType::string: append_quoted(out, values.string(n.slot)); break;
        }
    }
    return out;
}

std::string format_expression_number(double value) {
    if (std::isnan(value)) return "unknown";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return ec == std::errc() ? std::string(buf, end) : std::to_string(value);
}

}  // namespace backstop

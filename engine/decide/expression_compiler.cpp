// Recursive descent over the precedence levels (or < and < not < comparison < + - < * / % < unary -
// < primary), checking types and emitting bytecode as it goes. The first error ends compilation;
// it is thrown internally as a Failure and returned as data.
#include "decide/expression_compiler.h"

#include <algorithm>
#include <array>

#include "core/did_you_mean.h"
#include "decide/expression_lexer.h"

namespace backstop {

namespace {

constexpr int kMaxNesting = 32;
constexpr std::size_t kMaxQuoted = 40;

struct Failure {
    ExpressionError error;
};

// A compiled subexpression: its type and where it is in the text, for messages.
struct Operand {
    ValueType type = ValueType::number;
    std::size_t begin = 0;
    std::size_t end = 0;
    bool literal = false;  // a single literal token, shown unquoted: 3, "critical", true
};

struct Function {
    std::string_view name;
    std::size_t arity;
    Op op;
    std::string_view usage;
};
constexpr std::array<Function, 3> kFunctions = {{
    {"abs", 1, Op::absolute, "takes one number: abs(x)"},
    {"min", 2, Op::minimum, "takes two numbers: min(a, b)"},
    {"max", 2, Op::maximum, "takes two numbers: max(a, b)"},
}};

bool is_comparison(TokenKind k) {
    switch (k) {
        case TokenKind::equal:
        case TokenKind::not_equal:
        case TokenKind::less:
        case TokenKind::less_equal:
        case TokenKind::greater:
        case TokenKind::greater_equal:
        case TokenKind::match:
        case TokenKind::kw_in: return true;
        default: return false;
    }
}

Op number_comparison(TokenKind k) {
    switch (k) {
        case TokenKind::equal: return Op::number_equal;
        case TokenKind::not_equal: return Op::number_not_equal;
        case TokenKind::less: return Op::less;
        case TokenKind::less_equal: return Op::less_equal;
        case TokenKind::greater: return Op::greater;
        default: return Op::greater_equal;
    }
}

// `value > k` as one instruction; `k < value` is the same test read from the other side.
Op slot_comparison(Op op, bool mirrored) {
    switch (op) {
        case Op::number_equal: return Op::slot_equal;
        case Op::number_not_equal: return Op::slot_not_equal;
        case Op::less: return mirrored ? Op::slot_greater : Op::slot_less;
        case Op::less_equal: return mirrored ? Op::slot_greater_equal : Op::slot_less_equal;
        case Op::greater: return mirrored ? Op::slot_less : Op::slot_greater;
        default: return mirrored ? Op::slot_less_equal : Op::slot_greater_equal;
    }
}

class Compiler {
public:
    Compiler(std::string_view text, const ExpressionSchema& schema, ExpressionProgram& program)
        : text_(text), schema_(schema), program_(program) {}

    void run(ValueType expected) {
        LexError lex_error;
        if (!lex_expression(text_, tokens_, lex_error)) fail(lex_error.offset, "expr-syntax", lex_error.message);
        if (peek().kind == TokenKind::end) fail(0, "expr-syntax", "empty expression");
        Operand whole = parse_or();
        if (peek().kind == TokenKind::close_paren) fail(peek().offset, "expr-syntax", "\")\" closes no \"(\"");
        if (peek().kind != TokenKind::end) {
            std::optional<std::string_view> keyword = keyword_in_wrong_case(peek());
            fail(peek().offset, "expr-syntax",
                 "unexpected " + describe_token(peek()) +
                     (keyword ? "; keywords are lowercase: \"" + std::string(*keyword) + "\""
                              : "; expected an operator or the end of the expression"));
        }
        if (whole.type != expected)
            fail(whole.begin, "expr-type",
                 describe(whole) + " is a " + std::string(type_name(whole.type)) +
                     (expected == ValueType::boolean ? ", but a condition must be true or false"
                                                     : ", but this expression must give a " +
                                                           std::string(type_name(expected))));
        emit(Op::done, 0);
        if (static_cast<std::size_t>(max_depth_) > kExpressionStackCapacity) fail(0, "expr-syntax", "expression is too complex");
        program_.text = std::string(text_);
        program_.result = expected;
        program_.max_stack = static_cast<std::size_t>(max_depth_);
    }

private:
    // --- tokens and errors

    const Token& peek(std::size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
    const Token& take() {
        const Token& t = tokens_[pos_];
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return t;
    }
    bool at(TokenKind kind) const { return peek().kind == kind; }

    [[noreturn]] void fail(std::size_t offset, std::string code, std::string message) const {
        throw Failure{{static_cast<int>(offset) + 1, std::move(code), std::move(message)}};
    }

    // "value + 1" quoted, or a literal as written: 3, "critical".
    std::string describe(const Operand& o) const {
        std::string_view written = text_.substr(o.begin, o.end - o.begin);
        if (o.literal) return std::string(written);
        if (written.size() > kMaxQuoted) return "\"" + std::string(written.substr(0, kMaxQuoted - 3)) + "...\"";
        return "\"" + std::string(written) + "\"";
    }

    std::string is_a(const Operand& o) const { return describe(o) + " is a " + std::string(type_name(o.type)); }

    void require(const Operand& o, ValueType type, const Token& op, std::string_view needs) const {
        if (o.type != type) fail(o.begin, "expr-type", "\"" + std::string(op.text) + "\" " + std::string(needs) + "; " + is_a(o));
    }

    // Guards recursion, so a pathological "((((…" cannot exhaust the C++ stack.
    struct Nesting {
        Nesting(Compiler& c, std::size_t offset) : c(c) {
            if (++c.nesting_ > kMaxNesting)
                c.fail(offset, "expr-syntax", "expression is nested too deeply (more than " +
                                                  std::to_string(kMaxNesting) + " levels)");
        }
        ~Nesting() { --c.nesting_; }
        Compiler& c;
    };

    // --- emitting

    std::size_t emit(Op op, int stack_effect, std::uint32_t a = 0, double number = 0) {
        program_.code.push_back({op, a, number});
        depth_ += stack_effect;
        max_depth_ = std::max(max_depth_, depth_);
        return program_.code.size() - 1;
    }

    std::size_t here() const { return program_.code.size(); }
    std::uint32_t here32() const { return static_cast<std::uint32_t>(program_.code.size()); }

    template <class T>
    static std::uint32_t add_to(std::vector<T>& table, T value) {
        table.push_back(std::move(value));
        return static_cast<std::uint32_t>(table.size() - 1);
    }

    // Fuses `name OP number` (or `number OP name`) into one slot instruction when both operands
    // are exactly one instruction each.
    void emit_number_comparison(Op op, std::size_t left_start, std::size_t right_start) {
        auto& code = program_.code;
        bool single_operands = right_start == left_start + 1 && code.size() == right_start + 1;
        if (single_operands) {
            Instruction& left = code[left_start];
            Instruction& right = code[right_start];
            if (left.op == Op::load_number && right.op == Op::push_number) {
                left = {slot_comparison(op, false), left.a, right.number};
                code.pop_back();
                --depth_;
                return;
            }
            if (left.op == Op::push_number && right.op == Op::load_number) {
                left = {slot_comparison(op, true), right.a, left.number};
                code.pop_back();
                --depth_;
                return;
            }
        }
        emit(op, -1);
    }

    // --- precedence levels

    Operand parse_or() { return parse_logical(TokenKind::kw_or, Op::jump_if_true_or_pop); }

    Operand parse_and() { return parse_logical(TokenKind::kw_and, Op::jump_if_false_or_pop); }

    // `a or b or c`: each operand that decides the result jumps past the rest, keeping its value.
    Operand parse_logical(TokenKind keyword, Op jump) {
        Operand left = keyword == TokenKind::kw_or ? parse_and() : parse_not();
        std::vector<std::size_t> jumps;
        while (at(keyword)) {
            const Token& op = take();
            require(left, ValueType::boolean, op, "needs booleans");
            jumps.push_back(emit(jump, -1));
            Operand right = keyword == TokenKind::kw_or ? parse_and() : parse_not();
            require(right, ValueType::boolean, op, "needs booleans");
            left = {ValueType::boolean, left.begin, right.end, false};
        }
        for (std::size_t j : jumps) program_.code[j].a = here32();
        return left;
    }

    Operand parse_not() {
        if (!at(TokenKind::kw_not)) return parse_comparison();
        const Token& op = take();
        Nesting guard(*this, op.offset);
        Operand operand = parse_not();
        require(operand, ValueType::boolean, op, "needs a boolean");
        emit(Op::logical_not, 0);
        return {ValueType::boolean, op.offset, operand.end, false};
    }

    Operand parse_comparison() {
        std::size_t left_start = here();
        Operand left = parse_additive();
        bool negated_in = at(TokenKind::kw_not) && peek(1).kind == TokenKind::kw_in;
        if (!is_comparison(peek().kind) && !negated_in) return left;
        if (negated_in) take();
        const Token& op = take();
        Operand result{ValueType::boolean, left.begin, 0, false};
        switch (op.kind) {
            case TokenKind::equal:
            case TokenKind::not_equal: {
                std::size_t right_start = here();
                Operand right = parse_additive();
                if (right.type != left.type)
                    fail(right.begin, "expr-type",
                         "\"" + std::string(op.text) + "\" needs two values of the same type; " + is_a(left) + ", " +
                             is_a(right));
                bool equal = op.kind == TokenKind::equal;
                if (left.type == ValueType::number)
                    emit_number_comparison(number_comparison(op.kind), left_start, right_start);
                else if (left.type == ValueType::boolean)
                    emit(equal ? Op::boolean_equal : Op::boolean_not_equal, -1);
                else
                    emit(equal ? Op::string_equal : Op::string_not_equal, -1);
                result.end = right.end;
                break;
            }
            case TokenKind::match: result.end = parse_match(left, op); break;
            case TokenKind::kw_in: result.end = parse_in(left, op, negated_in); break;
            default: {
                require(left, ValueType::number, op, "needs numbers");
                std::size_t right_start = here();
                Operand right = parse_additive();
                require(right, ValueType::number, op, "needs numbers");
                emit_number_comparison(number_comparison(op.kind), left_start, right_start);
                result.end = right.end;
            }
        }
        if (is_comparison(peek().kind) || (at(TokenKind::kw_not) && peek(1).kind == TokenKind::kw_in))
            fail(peek().offset, "expr-syntax",
                 "comparisons do not chain; join them with \"and\", e.g. \"a < b and b < c\"");
        return result;
    }

    // `line ~ "CRITICAL|Traceback"`: the pattern is a literal, compiled here once.
    std::size_t parse_match(const Operand& left, const Token& op) {
        require(left, ValueType::string, op, "needs a string on its left");
        if (!at(TokenKind::string))
            fail(peek().offset, "expr-syntax",
                 "\"~\" needs a regular expression in a string literal on its right, e.g. line ~ \"CRITICAL|Traceback\"; found " +
                     describe_token(peek()));
        const Token& pattern = take();
        // POSIX extended, as in log source patterns: one dialect for every pattern in a policy.
        if (std::string problem = TextPattern::problem(pattern.string); !problem.empty())
            fail(pattern.offset, "expr-syntax", "invalid regular expression " + describe_token(pattern) + ": " + problem);
        std::uint32_t index = add_to(program_.patterns, std::make_shared<const TextPattern>(pattern.string));
        emit(Op::match, 0, index);
        return pattern.offset + pattern.text.size();
    }

    // `state in ["failed", "restarting"]`, `code not in [200, 204]`: literals of the left side's type.
    std::size_t parse_in(const Operand& left, const Token& op, bool negated) {
        if (!at(TokenKind::open_bracket))
            fail(peek().offset, "expr-syntax",
                 "\"" + std::string(op.text) + "\" needs a list in brackets, e.g. state in [\"failed\", \"restarting\"]; found " +
                     describe_token(peek()));
        take();
        std::vector<double> numbers;
        std::vector<std::string> strings;
        std::uint32_t booleans = 0;
        while (!at(TokenKind::close_bracket)) {
            std::size_t begin = peek().offset;
            bool minus = at(TokenKind::minus);
            if (minus) take();
            const Token& element = take();
            ValueType type = ValueType::number;
            switch (element.kind) {
                case TokenKind::number: numbers.push_back(minus ? -element.number : element.number); break;
                case TokenKind::string: type = ValueType::string; strings.push_back(element.string); break;
                case TokenKind::kw_true: type = ValueType::boolean; booleans |= 2; break;
                case TokenKind::kw_false: type = ValueType::boolean; booleans |= 1; break;
                default:
                    fail(element.offset, "expr-syntax",
                         "a list holds literals (numbers, strings, true, false); found " + describe_token(element));
            }
            if (minus && type != ValueType::number)
                fail(begin, "expr-syntax", "\"-\" needs a number; found " + describe_token(element));
            if (type != left.type) {
                Operand shown{type, begin, element.offset + element.text.size(), true};
                fail(begin, "expr-type",
                     "\"" + std::string(op.text) + "\" needs a list of " + std::string(type_name(left.type)) + "s like " +
                         describe(left) + "; " + is_a(shown));
            }
            if (at(TokenKind::comma)) {
                take();
                if (at(TokenKind::close_bracket)) break;
            } else if (!at(TokenKind::close_bracket)) {
                fail(peek().offset, "expr-syntax", "expected \",\" or \"]\", found " + describe_token(peek()));
            }
        }
        const Token& close = take();
        switch (left.type) {
            case ValueType::number:
                emit(negated ? Op::not_in_numbers : Op::in_numbers, 0, add_to(program_.number_lists, std::move(numbers)));
                break;
            case ValueType::string:
                emit(Op::in_strings, 0, add_to(program_.string_lists, std::move(strings)));
                if (negated) emit(Op::logical_not, 0);
                break;
            case ValueType::boolean: emit(Op::in_booleans, 0, negated ? booleans ^ 3u : booleans); break;
        }
        return close.offset + 1;
    }

    Operand parse_additive() {
        Operand left = parse_multiplicative();
        while (at(TokenKind::plus) || at(TokenKind::minus)) {
            const Token& op = take();
            require(left, ValueType::number, op, "needs numbers");
            Operand right = parse_multiplicative();
            require(right, ValueType::number, op, "needs numbers");
            emit(op.kind == TokenKind::plus ? Op::add : Op::subtract, -1);
            left = {ValueType::number, left.begin, right.end, false};
        }
        return left;
    }

    Operand parse_multiplicative() {
        Operand left = parse_unary();
        while (at(TokenKind::star) || at(TokenKind::slash) || at(TokenKind::percent)) {
            const Token& op = take();
            require(left, ValueType::number, op, "needs numbers");
            Operand right = parse_unary();
            require(right, ValueType::number, op, "needs numbers");
            emit(op.kind == TokenKind::star ? Op::multiply : op.kind == TokenKind::slash ? Op::divide : Op::modulo, -1);
            left = {ValueType::number, left.begin, right.end, false};
        }
        return left;
    }

    Operand parse_unary() {
        if (!at(TokenKind::minus)) return parse_primary();
        const Token& op = take();
        Nesting guard(*this, op.offset);
        std::size_t start = here();
        Operand operand = parse_unary();
        require(operand, ValueType::number, op, "needs a number");
        // A negative literal stays a constant, so `value > -1` still fuses into one instruction.
        if (here() == start + 1 && program_.code.back().op == Op::push_number)
            program_.code.back().number = -program_.code.back().number;
        else
            emit(Op::negate, 0);
        return {ValueType::number, op.offset, operand.end, operand.literal};
    }

    Operand parse_primary() {
        const Token& t = peek();
        std::size_t end = t.offset + t.text.size();
        switch (t.kind) {
            case TokenKind::number:
                take();
                emit(Op::push_number, 1, 0, t.number);
                return {ValueType::number, t.offset, end, true};
            case TokenKind::string:
                take();
                emit(Op::push_string, 1, add_to(program_.strings, t.string));
                return {ValueType::string, t.offset, end, true};
            case TokenKind::kw_true:
            case TokenKind::kw_false:
                take();
                emit(Op::push_boolean, 1, t.kind == TokenKind::kw_true ? 1 : 0);
                return {ValueType::boolean, t.offset, end, true};
            case TokenKind::open_paren: {
                take();
                Nesting guard(*this, t.offset);
                Operand inner = parse_or();
                if (!at(TokenKind::close_paren))
                    fail(peek().offset, "expr-syntax", "expected \")\", found " + describe_token(peek()));
                const Token& close = take();
                return {inner.type, t.offset, close.offset + 1, false};
            }
            case TokenKind::name:
                if (peek(1).kind == TokenKind::open_paren) return parse_call();
                return parse_name();
            default: break;
        }
        std::string after = pos_ > 0 ? " after " + describe_token(tokens_[pos_ - 1]) : "";
        std::string hint = t.kind == TokenKind::kw_not ? "; inside a comparison write it in parentheses: (not x)" : "";
        fail(t.offset, "expr-syntax", "expected a value" + after + ", found " + describe_token(t) + hint);
    }

    Operand parse_name() {
        const Token& t = take();
        std::optional<std::size_t> slot = schema_.slot(t.text);
        if (!slot) fail(t.offset, "expr-unknown-name", unknown_name_message(t));
        const SchemaName& known = schema_.at(*slot);
        std::uint32_t slot32 = static_cast<std::uint32_t>(*slot);
        switch (known.type) {
            case ValueType::number: emit(Op::load_number, 1, slot32); break;
            case ValueType::boolean: emit(Op::load_boolean, 1, slot32); break;
            case ValueType::string: emit(Op::load_string, 1, slot32); break;
        }
        auto& names = program_.names;
        if (std::none_of(names.begin(), names.end(), [&](const ExpressionName& n) { return n.slot == *slot; }))
            names.push_back({known.name, *slot, known.type});
        program_.slots_needed = std::max(program_.slots_needed, *slot + 1);
        return {known.type, t.offset, t.offset + t.text.size(), false};
    }

    // `AND`, `True`: a keyword in the wrong case.
    static std::optional<std::string_view> keyword_in_wrong_case(const Token& t) {
        if (t.kind != TokenKind::name) return std::nullopt;
        for (std::string_view k : {"and", "or", "not", "in", "true", "false"})
            if (k.size() == t.text.size() && edit_distance(t.text, k) == 0) return k;
        return std::nullopt;
    }

    std::string unknown_name_message(const Token& t) const {
        std::string_view name = t.text;
        std::vector<std::string_view> candidates;
        for (const auto& n : schema_.names()) candidates.push_back(n.name);
        std::optional<std::string> guess = did_you_mean(name, candidates);
        if (!guess)
            if (auto keyword = keyword_in_wrong_case(t)) guess = std::string(*keyword);
        std::string message = "unknown name \"" + std::string(name) + "\"";
        if (guess) message += " (did you mean \"" + *guess + "\"?)";
        return message;
    }

    Operand parse_call() {
        const Token& name = take();
        const Token& open = take();
        Nesting guard(*this, open.offset);
        auto function = std::find_if(kFunctions.begin(), kFunctions.end(),
                                     [&](const Function& f) { return f.name == name.text; });
        if (function == kFunctions.end()) {
            if (schema_.slot(name.text))
                fail(name.offset, "expr-syntax",
                     "\"" + std::string(name.text) + "\" is a value, not a function; the functions are abs(x), min(a, b) and max(a, b)");
            std::array<std::string_view, kFunctions.size()> names;
            std::transform(kFunctions.begin(), kFunctions.end(), names.begin(), [](const Function& f) { return f.name; });
            std::optional<std::string> guess = did_you_mean(name.text, names);
            fail(name.offset, "expr-unknown-name",
                 "unknown function \"" + std::string(name.text) + "\"" +
                     (guess ? " (did you mean \"" + *guess + "\"?)" : "; the functions are abs(x), min(a, b) and max(a, b)"));
        }
        std::size_t count = 0;
        std::string usage = "\"" + std::string(function->name) + "\" " + std::string(function->usage);
        while (!at(TokenKind::close_paren)) {
            Operand argument = parse_or();
            if (++count > function->arity) fail(argument.begin, "expr-syntax", usage);
            if (argument.type != ValueType::number) fail(argument.begin, "expr-type", usage + "; " + is_a(argument));
            if (at(TokenKind::close_paren)) break;
            if (!at(TokenKind::comma))
                fail(peek().offset, "expr-syntax", "expected \",\" or \")\", found " + describe_token(peek()));
            take();
            if (at(TokenKind::close_paren)) fail(peek().offset, "expr-syntax", "expected a value after \",\", found \")\"");
        }
        const Token& close = take();
        if (count < function->arity) fail(close.offset, "expr-syntax", usage);
        emit(function->op, 1 - static_cast<int>(function->arity));
        return {ValueType::number, name.offset, close.offset + 1, false};
    }

    std::string_view text_;
    const ExpressionSchema& schema_;
    ExpressionProgram& program_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    int nesting_ = 0;
    int depth_ = 0;
    int max_depth_ = 0;
};

}  // namespace

std::optional<ExpressionError> compile_program(std::string_view text, const ExpressionSchema& schema,
                                               ValueType expected, ExpressionProgram& program) {
    program = {};
    try {
        Compiler(text, schema, program).run(expected);
        return std::nullopt;
    } catch (const Failure& failure) {
        program = {};
        return failure.error;
    }
}

}  // namespace backstop

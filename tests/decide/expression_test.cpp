// The `when` expression language: what each expression evaluates to, and where and why the ones
// that are not valid are refused.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "decide/expression.h"

using backstop::compile_expression;
using backstop::Expression;
using backstop::ExpressionError;
using backstop::ExpressionSchema;
using backstop::ExpressionValues;
using backstop::format_expression_number;
using backstop::kUnknownNumber;
using backstop::ValueType;

namespace {

// The names of a typical trigger, with values a test sets before evaluating.
struct Trigger {
    ExpressionSchema schema;
    std::size_t value = schema.add("value", ValueType::number, "the watched metric");
    std::size_t p95 = schema.add("p95", ValueType::number, "95th percentile latency, seconds");
    std::size_t baseline = schema.add("baseline", ValueType::number, "p95 before the deploy");
    std::size_t failures = schema.add("consecutive_failures", ValueType::number, "failed probes in a row");
    std::size_t status = schema.add("status", ValueType::number, "HTTP status of the last probe");
    std::size_t latency = schema.add("latency_ms", ValueType::number, "latency of the last probe");
    std::size_t line = schema.add("line", ValueType::string, "the log line");
    std::size_t severity = schema.add("severity", ValueType::string, "alert severity");
    std::size_t hotfix = schema.add("hotfix_expected", ValueType::boolean, "a hotfix is announced");
    std::size_t state = schema.add("state", ValueType::string, "unit state");
    std::size_t label = schema.add("labels.severity", ValueType::string, "alert label");
    ExpressionValues values{schema};

    Expression compile(const std::string& text, ValueType type = ValueType::boolean) const {
        auto result = compile_expression(text, schema, type);
        INFO(text << " -> " << result.error.column << " " << result.error.code << " " << result.error.message);
        REQUIRE(result.ok());
        return *result.expression;
    }
    bool check(const std::string& text) const { return compile(text).evaluate(values); }
    double number(const std::string& text) const { return compile(text, ValueType::number).evaluate_number(values); }
    ExpressionError error(const std::string& text, ValueType type = ValueType::boolean) const {
        auto result = compile_expression(text, schema, type);
        INFO(text);
        REQUIRE_FALSE(result.ok());
        return result.error;
    }
};

// "COLUMN CODE MESSAGE", so one CHECK shows all three on failure.
std::string describe(const ExpressionError& e) { return std::to_string(e.column) + " " + e.code + " " + e.message; }

}  // namespace

TEST_CASE("arithmetic follows the usual precedence and associativity", "[expression]") {
    Trigger t;
    CHECK(t.number("1 + 2 * 3") == 7);
    CHECK(t.number("(1 + 2) * 3") == 9);
    CHECK(t.number("10 - 4 - 3") == 3);
    CHECK(t.number("12 / 2 / 3") == 2);
    CHECK(t.number("2 * 3 % 4") == 2);
    CHECK(t.number("7 % 3") == 1);
    CHECK(t.number("-7 % 3") == -1);
    CHECK(t.number("1 / 4") == 0.25);
    CHECK(t.number("-2 * 3") == -6);
    CHECK(t.number("- -3") == 3);
    CHECK(t.number("-(1 + 2)") == -3);
    CHECK(t.number("2 - -1") == 3);
    CHECK(std::isinf(t.number("1 / 0")));
    CHECK(std::isnan(t.number("1 % 0")));
}

TEST_CASE("number literals", "[expression]") {
    Trigger t;
    CHECK(t.number("3") == 3);
    CHECK(t.number("0.05") == 0.05);
    CHECK(t.number(".5") == 0.5);
    CHECK(t.number("1e3") == 1000);
    CHECK(t.number("2.5E-1") == 0.25);
    CHECK(t.number("1e+2") == 100);
}

TEST_CASE("durations are numbers of seconds", "[expression]") {
    Trigger t;
    CHECK(t.number("500ms") == 0.5);
    CHECK(t.number("2s") == 2);
    CHECK(t.number("5m") == 300);
    CHECK(t.number("1h") == 3600);
    CHECK(t.number("1d") == 86400);
    CHECK(t.number("1h30m") == 5400);
    CHECK(t.number("2 * 250ms") == 0.5);
    t.values.set_number(t.p95, 0.7);
    CHECK(t.check("p95 > 500ms"));
    CHECK_FALSE(t.check("p95 > 1s"));
}

TEST_CASE("functions abs, min and max", "[expression]") {
    Trigger t;
    t.values.set_number(t.value, -4);
    CHECK(t.number("abs(value)") == 4);
    CHECK(t.number("abs(2 - 5)") == 3);
    CHECK(t.number("min(value, 1)") == -4);
    CHECK(t.number("max(value, 1)") == 1);
    CHECK(t.number("max(min(3, 9), 2) * 2") == 6);
    CHECK(t.check("abs(value) > 3"));
}

TEST_CASE("logical operators bind looser than comparisons, and looser than not", "[expression]") {
    Trigger t;
    CHECK(t.check("true or false and false"));             // and first
    CHECK_FALSE(t.check("(true or false) and false"));
    CHECK_FALSE(t.check("not false and false"));            // not first
    CHECK(t.check("not (false and false)"));
    CHECK(t.check("not 1 > 2"));                             // the comparison first
    CHECK(t.check("not not true"));
    CHECK(t.check("1 + 1 == 2"));
    CHECK(t.check("2 * 3 > 5 and 10 - 9 < 2"));
    CHECK(t.check("false or false or true"));
    CHECK_FALSE(t.check("true and true and false"));
    t.values.set_number(t.value, 0.071);
    t.values.set_number(t.p95, 1.3);
    t.values.set_number(t.baseline, 0.6);
    CHECK(t.check("value > 0.05 and p95 > 2 * baseline"));
    t.values.set_number(t.baseline, 0.7);
    CHECK_FALSE(t.check("value > 0.05 and p95 > 2 * baseline"));
}

TEST_CASE("number comparisons, with the name on either side", "[expression]") {
    Trigger t;
    t.values.set_number(t.failures, 3);
    struct Case {
        const char* text;
        bool expected;
    };
    const std::vector<Case> cases = {
        {"consecutive_failures >= 3", true}, {"consecutive_failures > 3", false},
        {"consecutive_failures <= 3", true}, {"consecutive_failures < 3", false},
        {"consecutive_failures == 3", true}, {"consecutive_failures != 3", false},
        {"consecutive_failures != 4", true}, {"consecutive_failures == 4", false},
        {"3 <= consecutive_failures", true}, {"3 < consecutive_failures", false},
        {"4 > consecutive_failures", true},  {"3 >= consecutive_failures", true},
        {"2 == consecutive_failures", false}, {"2 != consecutive_failures", true},
        // Not a single name against a constant: the general instructions.
        {"consecutive_failures + 0 >= 3", true}, {"consecutive_failures * 1 > 3", false},
        {"consecutive_failures > -1", true}, {"-consecutive_failures < 0", true},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK(t.check(c.text) == c.expected);
    }
}

TEST_CASE("booleans and strings compare with == and !=", "[expression]") {
    Trigger t;
    t.values.set_boolean(t.hotfix, true);
    t.values.set_string(t.severity, "critical");
    t.values.set_string(t.label, "page");
    CHECK(t.check("hotfix_expected"));
    CHECK(t.check("hotfix_expected == true"));
    CHECK(t.check("hotfix_expected != false"));
    CHECK_FALSE(t.check("not hotfix_expected"));
    CHECK(t.check("severity == \"critical\""));
    CHECK_FALSE(t.check("severity != \"critical\""));
    CHECK(t.check("severity != \"Critical\""));
    CHECK(t.check("\"critical\" == severity"));
    CHECK(t.check("labels.severity == \"page\""));
    CHECK_FALSE(t.check("severity == labels.severity"));
    CHECK_FALSE(t.check("severity == \"critical\" and not hotfix_expected"));
    t.values.set_boolean(t.hotfix, false);
    CHECK(t.check("severity == \"critical\" and not hotfix_expected"));
    CHECK(t.check("(severity == \"critical\") == true"));
}

TEST_CASE("string literals take escaped quotes and backslashes", "[expression]") {
    Trigger t;
    t.values.set_string(t.line, "say \"hi\" \\o/");
    CHECK(t.check(R"(line == "say \"hi\" \\o/")"));
    CHECK(t.compile(R"("a\"b\\c")", ValueType::string).evaluate_string(t.values) == "a\"b\\c");
    CHECK(t.compile(R"("")", ValueType::string).evaluate_string(t.values) == "");
}

TEST_CASE("and/or stop at the operand that decides", "[expression]") {
    Trigger t;
    t.values.set_number(t.value, 5);
    t.values.set_number(t.p95, 1);
    using Names = std::vector<std::string_view>;
    CHECK(t.compile("value > 1 or p95 > 2").names_read(t.values) == Names{"value"});
    CHECK(t.compile("value > 9 or p95 > 2").names_read(t.values) == Names{"value", "p95"});
    CHECK(t.compile("value > 9 and p95 > 2").names_read(t.values) == Names{"value"});
    CHECK(t.compile("value > 1 and p95 > 2").names_read(t.values) == Names{"value", "p95"});
    CHECK(t.compile("value > 9 and p95 > 2 or p95 < 5").names_read(t.values) == Names{"value", "p95"});
    CHECK(t.compile("value > 1 or p95 > 2 or latency_ms > 2").names_read(t.values) == Names{"value"});
    CHECK(t.compile("value > 9 and p95 > 2 and latency_ms > 2").names_read(t.values) == Names{"value"});
    // The kept operand is the result.
    CHECK(t.check("value > 1 or p95 > 2"));
    CHECK_FALSE(t.check("value > 9 and p95 > 2"));
    CHECK(t.check("(value > 9 and p95 > 2) or p95 < 5"));
    CHECK_FALSE(t.check("(value > 1 or p95 > 2) and p95 > 5"));
}

TEST_CASE("~ searches a string with a POSIX extended regular expression, as source patterns do", "[expression]") {
    Trigger t;
    t.values.set_string(t.line, "2024-05-01 CRITICAL disk full");
    CHECK(t.check("line ~ \"CRITICAL|Traceback\""));
    CHECK(t.check("line ~ \"disk\""));                  // anywhere in the string
    CHECK_FALSE(t.check("line ~ \"^disk\""));
    CHECK(t.check("line ~ \"^[0-9]{4}-[[:digit:]]{2}\""));  // grep -E classes, not \d
    CHECK_FALSE(t.check("line ~ \"critical\""));        // case matters
    CHECK(t.check("line ~ \"(full|empty)$\""));
    CHECK(t.check("not line ~ \"Traceback\""));
    t.values.set_string(t.line, "");
    CHECK_FALSE(t.check("line ~ \"x\""));
    CHECK(t.check("line ~ \"^$\""));
}

TEST_CASE("in and not in test membership in a list of literals", "[expression]") {
    Trigger t;
    t.values.set_string(t.state, "restarting");
    t.values.set_number(t.status, 503);
    t.values.set_boolean(t.hotfix, true);
    CHECK(t.check("state in [\"failed\", \"restarting\"]"));
    CHECK_FALSE(t.check("state in [\"failed\"]"));
    CHECK_FALSE(t.check("state not in [\"failed\", \"restarting\"]"));
    CHECK(t.check("state not in [\"failed\"]"));
    CHECK(t.check("status in [500, 502, 503]"));
    CHECK(t.check("status in [500, 502, 503,]"));
    CHECK_FALSE(t.check("status in [200, 204]"));
    CHECK(t.check("status not in [200, 204]"));
    CHECK(t.check("-1 in [1, -1]"));
    CHECK(t.check("status - 3 in [500]"));
    CHECK_FALSE(t.check("status in []"));
    CHECK(t.check("hotfix_expected in [true]"));
    CHECK_FALSE(t.check("hotfix_expected in [false]"));
    CHECK(t.check("hotfix_expected in [false, true]"));
    CHECK_FALSE(t.check("hotfix_expected not in [true]"));
    CHECK(t.check("hotfix_expected not in [false]"));
    CHECK(t.check("not state in [\"failed\"] and status in [503]"));
}

TEST_CASE("an unknown number (NaN) makes every comparison false", "[expression]") {
    Trigger t;  // numbers start unknown
    for (const char* text :
         {"value > 0.05", "value >= 0.05", "value < 0.05", "value <= 0.05", "value == 0.05", "value != 0.05",
          "0.05 < value", "0.05 != value", "value + 1 > 0", "value + 1 != 0", "value == value", "value != value",
          "value in [1, 2]", "value not in [1, 2]", "abs(value) >= 0", "min(value, 1) < 2", "max(value, 1) > 0"}) {
        INFO(text);
        CHECK_FALSE(t.check(text));
    }
    // `not` turns the false into true: write the opposite comparison instead of negating.
    CHECK(t.check("not (value > 0.05)"));
    CHECK(t.check("value > 0.05 or true"));
    CHECK(std::isnan(t.number("value * 2 + 1")));
    CHECK(std::isnan(t.number("min(value, 1)")));
    CHECK(std::isnan(t.number("max(1, value)")));
    t.values.set_number(t.value, kUnknownNumber);
    CHECK_FALSE(t.check("value > 0.05"));
    t.values.set_number(t.value, 0.06);
    CHECK(t.check("value > 0.05"));
}

TEST_CASE("expressions of other result types", "[expression]") {
    Trigger t;
    t.values.set_number(t.p95, 1.5);
    t.values.set_number(t.baseline, 0.5);
    t.values.set_string(t.severity, "warning");
    Expression ratio = t.compile("p95 / baseline", ValueType::number);
    CHECK(ratio.type() == ValueType::number);
    CHECK(ratio.evaluate_number(t.values) == 3);
    CHECK_FALSE(ratio.evaluate(t.values));  // not a condition
    Expression label = t.compile("severity", ValueType::string);
    CHECK(label.evaluate_string(t.values) == "warning");
    CHECK(std::isnan(label.evaluate_number(t.values)));
    Expression condition = t.compile("p95 > baseline");
    CHECK(condition.type() == ValueType::boolean);
    CHECK(condition.evaluate_string(t.values).empty());
    CHECK(std::isnan(condition.evaluate_number(t.values)));
}

TEST_CASE("a compiled expression is a value: copies and moves keep their constants", "[expression]") {
    Trigger t;
    t.values.set_string(t.severity, "critical");
    t.values.set_string(t.line, "x Traceback y");
    std::vector<Expression> kept;
    {
        Expression short_literal = t.compile("severity == \"critical\" and line ~ \"Trace\"");
        Expression copy = short_literal;
        kept.push_back(std::move(short_literal));
        kept.push_back(copy);
    }
    for (int i = 0; i < 20; ++i) kept.push_back(kept.front());  // reallocations move them again
    for (const auto& e : kept) CHECK(e.evaluate(t.values));
}

TEST_CASE("names_used lists each name once in order of appearance, text() gives the source", "[expression]") {
    Trigger t;
    Expression e = t.compile("p95 > 2 * baseline and value > 0.05 or p95 > 9");
    CHECK(e.text() == "p95 > 2 * baseline and value > 0.05 or p95 > 9");
    REQUIRE(e.names_used().size() == 3);
    CHECK(e.names_used()[0].name == "p95");
    CHECK(e.names_used()[0].slot == t.p95);
    CHECK(e.names_used()[1].name == "baseline");
    CHECK(e.names_used()[1].slot == t.baseline);
    CHECK(e.names_used()[2].name == "value");
    CHECK(e.names_used()[2].type == ValueType::number);
    CHECK(t.compile("1 < 2").names_used().empty());
}

TEST_CASE("explain shows the values of the names used", "[expression]") {
    Trigger t;
    t.values.set_number(t.value, 0.071);
    t.values.set_number(t.p95, 1.3);
    t.values.set_number(t.baseline, 0.5);
    CHECK(t.compile("value > 0.05 and p95 > 2 * baseline").explain(t.values) == "value=0.071 p95=1.3 baseline=0.5");
    CHECK(t.compile("p95 > 1 or p95 < 0").explain(t.values) == "p95=1.3");
    t.values.set_number(t.failures, 3);
    t.values.set_number(t.status, 1e21);
    CHECK(t.compile("consecutive_failures >= 3 or status > 0").explain(t.values) == "consecutive_failures=3 status=1e+21");
    t.values.set_string(t.severity, "crit \"x\"\\\n");
    t.values.set_boolean(t.hotfix, false);
    CHECK(t.compile("severity == \"critical\" and not hotfix_expected and latency_ms > 1").explain(t.values) ==
          R"(severity="crit \"x\"\\\n" hotfix_expected=false latency_ms=unknown)");
    const std::string long_line(200, 'a');  // the values keep a view: the text must outlive them
    t.values.set_string(t.line, long_line);
    CHECK(t.compile("line ~ \"a\"").explain(t.values) == "line=\"" + std::string(120, 'a') + "\"...");
    CHECK(t.compile("1 > 0").explain(t.values).empty());
    CHECK(format_expression_number(-2.5) == "-2.5");
    CHECK(format_expression_number(1.0 / 0.0) == "inf");
}

TEST_CASE("syntax errors point at the offending token", "[expression][errors]") {
    Trigger t;
    struct Case {
        const char* text;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"", "1 expr-syntax empty expression"},
        {"   ", "1 expr-syntax empty expression"},
        {"(value > 1", "11 expr-syntax expected \")\", found end of expression"},
        {"(value > 1 p95", "12 expr-syntax expected \")\", found \"p95\""},
        {"value > 1)", "10 expr-syntax \")\" closes no \"(\""},
        {"value >", "8 expr-syntax expected a value after \">\", found end of expression"},
        {"> 1", "1 expr-syntax expected a value, found \">\""},
        {"value > 1 p95", "11 expr-syntax unexpected \"p95\"; expected an operator or the end of the expression"},
        {"0 < value < 1", "11 expr-syntax comparisons do not chain; join them with \"and\", e.g. \"a < b and b < c\""},
        {"value == 1 == true", "12 expr-syntax comparisons do not chain; join them with \"and\", e.g. \"a < b and b < c\""},
        {"value = 1", "7 expr-syntax \"=\" is not an operator here; write \"==\""},
        {"value > 1 && p95 > 1", "11 expr-syntax \"&&\" is not an operator here; write \"and\""},
        {"value > 1 || p95 > 1", "11 expr-syntax \"||\" is not an operator here; write \"or\""},
        {"!hotfix_expected", "1 expr-syntax \"!\" is not an operator here; write \"not\""},
        {"line =~ \"x\"", "6 expr-syntax \"=~\" is not an operator here; write \"~\""},
        {"value > $x", "9 expr-syntax unexpected character \"$\""},
        {"state == 'failed'", "10 expr-syntax strings are written in double quotes: \"text\""},
        {"line == \"abc", "9 expr-syntax string is not closed; end it with \""},
        {"line ~ \"\\d+\"", "9 expr-syntax unknown escape \"\\d\" in a string; only \\\" and \\\\ are escapes, so "
                            "write \\\\d for a backslash followed by d"},
        {"value > 3x", "9 expr-syntax \"3x\" is not a number or duration: unknown unit \"x\" (use ms, s, m, h or d)"},
        {"value > 1.5s", "9 expr-syntax \"1.5s\" is not a number; a duration is whole numbers with units, like 500ms or 1h30m"},
        {"labels. == \"x\"", "1 expr-syntax \"labels.\" is not a name; a dot must be followed by a letter"},
        {"line ~ line", "8 expr-syntax \"~\" needs a regular expression in a string literal on its right, e.g. line ~ "
                        "\"CRITICAL|Traceback\"; found \"line\""},
        {"line ~ \"(disk\"", "8 expr-syntax invalid regular expression \"(disk\": Unmatched ( or \\("},
        {"line ~ \"[ab\"", "8 expr-syntax invalid regular expression \"[ab\": Unmatched [, [^, [:, [., or [="},
        {"line ~ \"a{3,1}\"", "8 expr-syntax invalid regular expression \"a{3,1}\": Invalid content of \\{\\}"},
        {"line ~ \"(?<x>a)\"", "8 expr-syntax invalid regular expression \"(?<x>a)\": Invalid preceding regular expression"},
        {"state in \"failed\"", "10 expr-syntax \"in\" needs a list in brackets, e.g. state in [\"failed\", "
                                "\"restarting\"]; found \"failed\""},
        {"state in [failed]", "11 expr-syntax a list holds literals (numbers, strings, true, false); found \"failed\""},
        {"status in [200 204]", "16 expr-syntax expected \",\" or \"]\", found \"204\""},
        {"status in [200", "15 expr-syntax expected \",\" or \"]\", found end of expression"},
        {"min(value) > 1", "10 expr-syntax \"min\" takes two numbers: min(a, b)"},
        {"max(value, 1, 2) > 1", "15 expr-syntax \"max\" takes two numbers: max(a, b)"},
        {"abs() > 1", "5 expr-syntax \"abs\" takes one number: abs(x)"},
        {"abs(value,) > 1", "11 expr-syntax expected a value after \",\", found \")\""},
        {"min(value 1) > 1", "11 expr-syntax expected \",\" or \")\", found \"1\""},
        {"value(1) > 1", "1 expr-syntax \"value\" is a value, not a function; the functions are abs(x), min(a, b) and max(a, b)"},
        {"value == not hotfix_expected", "10 expr-syntax expected a value after \"==\", found \"not\"; inside a "
                                         "comparison write it in parentheses: (not x)"},
    };
    for (const auto& c : cases) CHECK(describe(t.error(c.text)) == c.expected);
}

TEST_CASE("unknown names are refused with a suggestion when one is close", "[expression][errors]") {
    Trigger t;
    CHECK(describe(t.error("consecutive_failure >= 3")) ==
          "1 expr-unknown-name unknown name \"consecutive_failure\" (did you mean \"consecutive_failures\"?)");
    CHECK(describe(t.error("value > 0.05 and p59 > 1")) == "18 expr-unknown-name unknown name \"p59\" (did you mean \"p95\"?)");
    CHECK(describe(t.error("labels.severty == \"x\"")) ==
          "1 expr-unknown-name unknown name \"labels.severty\" (did you mean \"labels.severity\"?)");
    CHECK(describe(t.error("zebra > 1")) == "1 expr-unknown-name unknown name \"zebra\"");
    CHECK(describe(t.error("value > 1 AND p95 > 1")) == "11 expr-syntax unexpected \"AND\"; keywords are lowercase: \"and\"");
    CHECK(describe(t.error("True")) == "1 expr-unknown-name unknown name \"True\" (did you mean \"true\"?)");
    CHECK(describe(t.error("mx(value, 1) > 1")) == "1 expr-unknown-name unknown function \"mx\" (did you mean \"max\"?)");
    CHECK(describe(t.error("sqrt(value) > 1")) ==
          "1 expr-unknown-name unknown function \"sqrt\"; the functions are abs(x), min(a, b) and max(a, b)");
}

TEST_CASE("type errors name the operand and its type", "[expression][errors]") {
    Trigger t;
    struct Case {
        const char* text;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"value and p95 > 1", "1 expr-type \"and\" needs booleans; \"value\" is a number"},
        {"hotfix_expected or value + 1", "20 expr-type \"or\" needs booleans; \"value + 1\" is a number"},
        {"not severity", "5 expr-type \"not\" needs a boolean; \"severity\" is a string"},
        {"severity > 1", "1 expr-type \">\" needs numbers; \"severity\" is a string"},
        {"value <= \"high\"", "10 expr-type \"<=\" needs numbers; \"high\" is a string"},
        {"value + hotfix_expected > 1", "9 expr-type \"+\" needs numbers; \"hotfix_expected\" is a boolean"},
        {"2 * true > 1", "5 expr-type \"*\" needs numbers; true is a boolean"},
        {"-severity > 1", "2 expr-type \"-\" needs a number; \"severity\" is a string"},
        {"severity == 3", "13 expr-type \"==\" needs two values of the same type; \"severity\" is a string, 3 is a number"},
        {"hotfix_expected != (value > 1) and value != \"x\"",
         "45 expr-type \"!=\" needs two values of the same type; \"value\" is a number, \"x\" is a string"},
        {"value ~ \"x\"", "1 expr-type \"~\" needs a string on its left; \"value\" is a number"},
        {"state in [\"failed\", 3]", "21 expr-type \"in\" needs a list of strings like \"state\"; 3 is a number"},
        {"status not in [200, -1, \"x\"]", "25 expr-type \"in\" needs a list of numbers like \"status\"; \"x\" is a string"},
        {"status in [-true]", "12 expr-syntax \"-\" needs a number; found \"true\""},
        {"abs(line) > 1", "5 expr-type \"abs\" takes one number: abs(x); \"line\" is a string"},
        {"value * 2", "1 expr-type \"value * 2\" is a number, but a condition must be true or false"},
        {"  \"critical\"", "3 expr-type \"critical\" is a string, but a condition must be true or false"},
        {"(p95 + baseline + latency_ms + consecutive_failures)",
         "1 expr-type \"(p95 + baseline + latency_ms + consec...\" is a number, but a condition must be true or false"},
    };
    for (const auto& c : cases) CHECK(describe(t.error(c.text)) == c.expected);
    CHECK(describe(t.error("value > 1", ValueType::number)) ==
          "1 expr-type \"value > 1\" is a boolean, but this expression must give a number");
    CHECK(describe(t.error("value", ValueType::string)) ==
          "1 expr-type \"value\" is a number, but this expression must give a string");
}

TEST_CASE("nesting is bounded so no expression can exhaust the stack", "[expression][errors]") {
    Trigger t;
    std::string ok = std::string(30, '(') + "value" + std::string(30, ')') + " > 1";
    t.values.set_number(t.value, 2);
    CHECK(t.check(ok));
    std::string deep = std::string(40, '(') + "value" + std::string(40, ')') + " > 1";
    CHECK(describe(t.error(deep)) == "33 expr-syntax expression is nested too deeply (more than 32 levels)");
    std::string negations = "value > " + std::string(100, '-') + "1";
    CHECK(t.error(negations).message == "expression is nested too deeply (more than 32 levels)");
    std::string right_heavy;
    for (int i = 0; i < 30; ++i) right_heavy += "value + p95 * (";
    right_heavy += "1" + std::string(30, ')') + " > 0";
    t.values.set_number(t.p95, 1);
    CHECK(t.check(right_heavy));
}

TEST_CASE("values with fewer slots than the expression reads evaluate to false", "[expression]") {
    Trigger t;
    ExpressionSchema small;
    small.add("value", ValueType::number);
    ExpressionValues few(small);
    few.set_number(0, 1);
    Expression e = t.compile("value > 0 and latency_ms > 0");
    CHECK_FALSE(e.evaluate(few));
    CHECK(t.compile("value > 0").evaluate(few));
}

TEST_CASE("the schema gives each name a slot and refuses names that cannot be written", "[expression][schema]") {
    ExpressionSchema schema;
    CHECK(schema.add("value", ValueType::number, "the metric") == 0);
    CHECK(schema.add("labels.team_2", ValueType::string) == 1);
    CHECK(schema.size() == 2);
    CHECK(schema.slot("labels.team_2") == 1u);
    CHECK_FALSE(schema.slot("labels"));
    CHECK(schema.at(0).description == "the metric");
    CHECK(schema.at(1).type == ValueType::string);
    CHECK_THROWS_WITH(schema.add("value", ValueType::number), "expression name \"value\" is registered twice");
    CHECK_THROWS_WITH(schema.add("in", ValueType::number), "expression name \"in\" is a keyword");
    CHECK_THROWS_AS(schema.add("2xx", ValueType::number), backstop::Error);
    CHECK_THROWS_AS(schema.add("a..b", ValueType::number), backstop::Error);
    CHECK_THROWS_AS(schema.add("a.", ValueType::number), backstop::Error);
    CHECK_THROWS_AS(schema.add("", ValueType::number), backstop::Error);
    CHECK_THROWS_AS(schema.add("p-95", ValueType::number), backstop::Error);
    CHECK(backstop::type_name(ValueType::boolean) == "boolean");
}

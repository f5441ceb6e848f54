// Diagnostics render as compiler-style text with the offending line and a caret, and as JSON.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/diagnostic.h"

using backstop::Diagnostic;
using backstop::Diagnostics;
using backstop::Severity;

TEST_CASE("Diagnostic::to_text: position, severity, message, code, line and caret", "[diagnostic]") {
    Diagnostic d{Severity::error, "wrong-type", {"web.toml", 3, 5}, "`attempts` must be an integer, got string",
                 "    attempts = \"3\""};
    CHECK(d.to_text() ==
          "web.toml:3:5: error: `attempts` must be an integer, got string [wrong-type]\n"
          "        attempts = \"3\"\n"
          "        ^\n");
}

TEST_CASE("Diagnostic::to_text for a warning without a column or line", "[diagnostic]") {
    Diagnostic d{Severity::warning, "no-health-check", {"web.toml", 1, 0}, "no health", "[service.web]"};
    CHECK(d.to_text() == "web.toml:1: warning: no health [no-health-check]\n    [service.web]\n");

    Diagnostic bare{Severity::error, "", {"web.toml", 0, 0}, "cannot read", ""};
    CHECK(bare.to_text() == "web.toml: error: cannot read\n");
}

TEST_CASE("the caret keeps tabs so it lines up under tab-indented lines", "[diagnostic]") {
    Diagnostic d{Severity::error, "bad-value", {"f", 1, 3}, "m", "\tx = 1"};
    CHECK(d.to_text() == "f:1:3: error: m [bad-value]\n    \tx = 1\n    \t ^\n");
}

TEST_CASE("Diagnostics counts, sorts by position and renders JSON", "[diagnostic]") {
    Diagnostics list;
    list.error("b", {"f", 9, 1}, "later");
    list.warning("w", {"f", 2, 4}, "warn");
    list.error("a", {"f", 2, 1}, "first");
    CHECK(list.has_errors());
    CHECK(list.error_count() == 2);
    CHECK(list.warning_count() == 1);

    list.sort();
    REQUIRE(list.items().size() == 3);
    CHECK(list.items()[0].code == "a");
    CHECK(list.items()[1].code == "w");
    CHECK(list.items()[2].code == "b");

    nlohmann::json j = list.to_json();
    CHECK(j["ok"] == false);
    CHECK(j["errors"] == 2);
    CHECK(j["warnings"] == 1);
    CHECK(j["diagnostics"][0]["code"] == "a");
    CHECK(j["diagnostics"][0]["line"] == 2);
    CHECK(j["diagnostics"][1]["severity"] == "warning");

    Diagnostics other;
    other.warning("x", {"g", 1, 1}, "only a warning");
    CHECK_FALSE(other.has_errors());
    CHECK(other.to_json()["ok"] == true);
    list.append(other);
    CHECK(list.items().size() == 4);
}

TEST_CASE("line_of returns one line without its newline", "[diagnostic]") {
    std::string_view text = "first\nsecond\r\nthird";
    CHECK(backstop::line_of(text, 1) == "first");
    CHECK(backstop::line_of(text, 2) == "second");
    CHECK(backstop::line_of(text, 3) == "third");
    CHECK(backstop::line_of(text, 4).empty());
    CHECK(backstop::line_of(text, 0).empty());
}

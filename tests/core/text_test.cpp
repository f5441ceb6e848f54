// core/text.h: the one copy of the string helpers the engine used to repeat per file.
#include <catch2/catch.hpp>

#include "core/text.h"

using namespace backstop;

TEST_CASE("trim: white space by default, or the given blanks only", "[text]") {
    CHECK(trim("  \t value \r\n") == "value");
    CHECK(trim(" \f\v ") == "");
    CHECK(trim("") == "");
    CHECK(trim("inner  space") == "inner  space");
    CHECK(trim(" \tvalue\r", " \t") == "value\r");  // HTTP's optional white space leaves a bare CR
    CHECK(trim("\n x \n", " ") == "\n x \n");
}

TEST_CASE("trim_right and tail_lines", "[text]") {
    CHECK(trim_right("error: gone\r\n \n") == "error: gone");
    CHECK(tail_lines("one\ntwo\nthree\n\n", 2) == "two\nthree");
    CHECK(tail_lines("only\n", 3) == "only");
}

TEST_CASE("ASCII case: bytes outside A-Z and a-z stay as they are", "[text]") {
    CHECK(ascii_lower("Content-TYPE") == "content-type");
    CHECK(ascii_upper("sigterm") == "SIGTERM");
    CHECK(ascii_lower("\xC3\x84 ÄB") == "\xC3\x84 Äb");
    CHECK(equals_ignoring_case("Bearer", "bEARER"));
    CHECK_FALSE(equals_ignoring_case("Bearer", "Bearer "));
    CHECK(starts_with_ignoring_case("BEARER token", "bearer "));
    CHECK_FALSE(starts_with_ignoring_case("Bear", "bearer"));
}

TEST_CASE("first_line: up to the first line break, cut with an ellipsis", "[text]") {
    CHECK(first_line("busy\r\nretry later", 200) == "busy");
    CHECK(first_line("a\nb", 200) == "a");
    CHECK(first_line(std::string(10, 'x'), 4) == "xxxx...");
    CHECK(first_line("", 4) == "");
}

// backstop(1) as the build writes it: groff renders it without a warning, and it documents every
// verb, option, exit code, environment variable and file the tables hold.
#include <algorithm>

#include <catch2/catch.hpp>

#include "cli/reference.h"
#include "cli/verbs.h"
#include "cli_tools.h"

using namespace backstop::cli;
using namespace backstop::test;

namespace {

// `text` as the page shows it: roff::text sets `name` in bold, which man's plain text drops, and
// writes an ellipsis as three dots.
std::string shown(std::string text) {
    text.erase(std::remove(text.begin(), text.end(), '`'), text.end());
    for (std::size_t at; (at = text.find("\u2026")) != std::string::npos;) text.replace(at, 3, "...");
    return text;
}

}  // namespace

TEST_CASE("groff renders backstop(1) without warnings", "[cli]") {
    const std::string page = build_file("man/backstop.1");
    backstop::ProcessResult r = run_tool({"groff", "-man", "-ww", "-z", page});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
}

TEST_CASE("backstop(1) documents every verb, option, exit code, variable and file", "[cli]") {
    const std::string page = build_file("man/backstop.1");
    // Wide enough that no usage form or option breaks across lines; man(1) strips the bold.
    backstop::ProcessResult r = run_tool({"man", "--no-hyphenation", "--no-justification", "-l", page},
                                         {{"MANWIDTH", "250"}, {"MAN_KEEP_FORMATTING", ""}, {"MANPAGER", "cat"}, {"PAGER", "cat"}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string& text = r.out;
    INFO(text);
    for (const char* heading : {"NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "VERBS", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"})
        CHECK(text.find(std::string("\n") + heading + "\n") != std::string::npos);
    for (const auto& verb : verbs()) {
        INFO(verb.name);
        if (verb.hidden) {
            CHECK(text.find(verb.name) == std::string::npos);
            continue;
        }
        for (const auto& form : verb.usage) CHECK(text.find("backstop " + form + "\n") != std::string::npos);
        for (const auto& o : verb.options) CHECK(text.find(shown(o.help) + ".") != std::string::npos);
        for (const auto& example : verb.examples) CHECK(text.find(example + "\n") != std::string::npos);
    }
    for (const auto& o : global_options()) CHECK(text.find(shown(o.help) + ".") != std::string::npos);
    for (const auto* table : {&exit_codes(), &environment_variables(), &files()})
        for (const auto& entry : *table) {
            // A short tag shares its line with the text, a long one has a line of its own.
            const std::string tag = "\n       " + entry.name;
            CHECK((text.find(tag + "\n") != std::string::npos || text.find(tag + "  ") != std::string::npos));
            CHECK(text.find(entry.meaning.substr(0, 40)) != std::string::npos);
        }
}

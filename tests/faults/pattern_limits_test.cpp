// Issue 10, E (found by fuzzing the expression compiler): glibc's regcomp copies what a repetition
// repeats, so stacked or nested repetition is exponential (`Ta` and 28 `+` took 2.3 GB, `a*` and ten
// `+` 2.3 s). A pattern past the limits is refused at FILE:LINE:COL before regcomp sees it, in a
// `when` expression and in a log source alike.
#include <string>

#include <catch2/catch.hpp>

#include "core/text_pattern.h"
#include "support/backstop_cli.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// 22 stacked `+`: 4 million copies of `a` inside regcomp (tens of MB; each more doubles it).
const std::string kStacked = "CRIT|Ta" + std::string(22, '+');

std::string policy(const std::string& log_pattern, const std::string& when) {
    return "[service.web]\nstrategy = \"releases\"\nreleases = \"/srv/web/releases\"\ncurrent = \"/srv/web/current\"\n"
           "restart = [\"true\"]\n\n[service.web.source.app_log]\nkind = \"log\"\npath = \"/var/log/web/app.log\"\n"
           "pattern = '" + log_pattern + "'\n\n[[service.web.trigger]]\nname = \"crit\"\nsource = \"app_log\"\n"
           "when = '" + when + "'\nthen = \"page\"\n";
}

}  // namespace

TEST_CASE("a `~` pattern with stacked repetition is refused at its position", "[faults][pattern-limits]") {
    TempDir dir("backstop-pattern");
    std::string file = dir.write("backstop.toml", policy("CRITICAL", "line ~ \"" + kStacked + "\""));
    CliResult r = run_backstop({"--policies", file, "--state", dir.file("state"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK((r.out + r.err).find("backstop.toml:15:") != std::string::npos);
    CHECK((r.out + r.err).find("pattern too complex") != std::string::npos);
}

TEST_CASE("a log source pattern with nested repetition is refused at its position", "[faults][pattern-limits]") {
    TempDir dir("backstop-pattern");
    std::string nested = "((((((((((((((((((((((x+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+";
    std::string file = dir.write("backstop.toml", policy(nested, "value > 0"));
    CliResult r = run_backstop({"--policies", file, "--state", dir.file("state"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK((r.out + r.err).find("backstop.toml:10:") != std::string::npos);
    CHECK((r.out + r.err).find("pattern too complex") != std::string::npos);
}

TEST_CASE("patterns people write still compile and a NUL byte does not cut one short", "[faults][pattern-limits]") {
    for (const char* ok : {"CRITICAL|Traceback|panic: .*goroutine", "([0-9]{1,3}\\.){3}[0-9]{1,3}", "[[:alpha:]]+ x{100}",
                           "(a{10}){10}", ".*?x", "^(GET|POST) /api/v[0-9]+/.* (5[0-9]{2})$"}) {
        INFO(ok);
        CHECK(TextPattern::problem(ok).empty());
        CHECK_NOTHROW(TextPattern(ok));
    }
    CHECK(TextPattern::problem(kStacked).find("too complex") != std::string::npos);
    // Few copies, but each `+` around the star's loop multiplies regcomp's closures: 2.3 s for ten.
    CHECK(TextPattern::problem("a*++++++++++").find("more than 2 repetitions") != std::string::npos);
    CHECK(TextPattern::problem("((x+)*)+").find("more than 2 repetitions") != std::string::npos);
    CHECK_THROWS(TextPattern(kStacked));
    CHECK(TextPattern::problem(std::string("a\0b", 3)) == "a pattern cannot hold a NUL byte");
}

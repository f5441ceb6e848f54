// `backstop VERB --help`, `backstop help VERB` and `backstop --help`, run as a user runs them.
#include <catch2/catch.hpp>

#include "cli/help_text.h"
#include "cli/verbs.h"
#include "support/backstop_cli.h"

using namespace backstop::cli;
using backstop::test::CliResult;
using backstop::test::run_backstop;

namespace {

// What a verb's help must show: each usage form, each option with its help, each example.
void check_verb_help(const Verb& verb, const CliResult& r) {
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("usage: backstop " + verb.usage.front() + "\n") == 0);
    for (const auto& form : verb.usage) CHECK(r.out.find("backstop " + form + "\n") != std::string::npos);
    CHECK(r.out.find(verb.summary) != std::string::npos);
    for (const auto& o : verb.options) {
        INFO(o.name);
        auto at = r.out.find("  " + option_label(o));
        REQUIRE(at != std::string::npos);
        // The help follows its option, on the same line or the next.
        CHECK(r.out.find(o.help, at) < r.out.find("\n  -", at + 3));
    }
    for (const auto& example : verb.examples) CHECK(r.out.find("  " + example + "\n") != std::string::npos);
}

}  // namespace

TEST_CASE("VERB --help and help VERB show the verb's usage, options with their help, and an example", "[cli]") {
    for (const auto& verb : verbs()) {
        if (verb.hidden) continue;
        INFO(verb.name);
        CliResult dashed = run_backstop({verb.name, "--help"});
        check_verb_help(verb, dashed);
        CliResult spelled = run_backstop({"help", verb.name});
        check_verb_help(verb, spelled);
        CHECK(spelled.out == dashed.out);
        // Help never needs the operands, and never runs the verb.
        CHECK(run_backstop({"--policies", "/nonexistent", verb.name, "-h"}).out == dashed.out);
    }
}

TEST_CASE("--help and help list every verb with its summary, and no verb at all is a usage error", "[cli]") {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"}, {"help"}, {"-h"}}) {
        CliResult r = run_backstop(args);
        INFO(args[0] << "\n" << r.out << r.err);
        CHECK(r.exit_code == 0);
        for (const auto& verb : verbs()) {
            if (verb.hidden) CHECK(r.out.find(verb.name) == std::string::npos);
            else CHECK(r.out.find("  " + verb.name + " ") != std::string::npos);
            if (!verb.hidden) CHECK(r.out.find(verb.summary) != std::string::npos);
        }
        for (const auto& o : global_options()) CHECK(r.out.find(o.help) != std::string::npos);
    }
    CliResult none = run_backstop({});
    CHECK(none.exit_code == 64);
    CHECK(none.out.empty());
    CHECK(none.err.find("rollback") != std::string::npos);
}

TEST_CASE("help for a verb that does not exist is a usage error with a suggestion", "[cli]") {
    CliResult r = run_backstop({"help", "rolback"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("unknown verb `rolback`; did you mean `rollback`?") != std::string::npos);
    CHECK(run_backstop({"help", "rollback", "extra"}).exit_code == 64);
}

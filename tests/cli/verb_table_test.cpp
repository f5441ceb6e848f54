// The verb table is the one source of help, usage errors, the man page and the completions: what
// it says about a verb must agree with itself (usage forms, options, examples).
#include <regex>
#include <set>

#include <catch2/catch.hpp>

#include "cli/verbs.h"

using namespace backstop::cli;

namespace {

std::set<std::string> option_names(const Verb& verb) {
    std::set<std::string> names;
    for (const auto& o : verb.options) names.insert(o.name);
    return names;
}

std::set<std::string> options_in_usage(const Verb& verb) {
    std::set<std::string> found;
    static const std::regex option(R"(--[a-z][a-z-]*)");
    for (const auto& form : verb.usage)
        for (std::sregex_iterator it(form.begin(), form.end(), option), end; it != end; ++it) found.insert(it->str());
    return found;
}

// "backstop rollback web --reason 'bad deploy'" -> {"rollback", "web", "--reason", "bad deploy"}.
std::vector<std::string> words_after_backstop(const std::string& example) {
    std::vector<std::string> words;
    std::string word;
    bool quoted = false, in_word = false;
    for (char c : example) {
        if (c == '\'') quoted = !quoted, in_word = true;
        else if (c == ' ' && !quoted) {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else word += c, in_word = true;
    }
    if (in_word) words.push_back(word);
    auto at = std::find(words.begin(), words.end(), "backstop");
    return at == words.end() ? std::vector<std::string>{} : std::vector<std::string>(at + 1, words.end());
}

}  // namespace

TEST_CASE("each verb's usage names exactly its options", "[cli]") {
    for (const auto& verb : verbs()) {
        INFO(verb.name);
        CHECK(options_in_usage(verb) == option_names(verb));
    }
}

TEST_CASE("each verb and option has its help, and each verb an example that parses", "[cli]") {
    for (const auto& verb : verbs()) {
        INFO(verb.name);
        CHECK_FALSE(verb.summary.empty());
        CHECK_FALSE(verb.usage.empty());
        REQUIRE_FALSE(verb.examples.empty());
        for (const auto& o : verb.options) {
            INFO(o.name);
            CHECK_FALSE(o.help.empty());
            CHECK(o.takes_value() == !o.value_name.empty());
        }
        std::vector<OptionSpec> specs = global_options();
        specs.insert(specs.end(), verb.options.begin(), verb.options.end());
        for (const auto& example : verb.examples) {
            INFO(example);
            Args args;
            REQUIRE_NOTHROW(args = parse_args(words_after_backstop(example), specs));
            REQUIRE_FALSE(args.positionals.empty());
            CHECK(args.positionals[0] == verb.name);
            const std::size_t operands = args.positionals.size() - 1;
            CHECK(operands >= verb.operands.min);
            CHECK(operands <= verb.operands.max);
        }
    }
}

TEST_CASE("an option name means the same in every verb", "[cli]") {
    // The completions complete a value by the option's name, whatever the verb.
    std::map<std::string, const OptionSpec*> seen;
    for (const auto& o : global_options()) seen[o.name] = &o;
    for (const auto& verb : verbs())
        for (const auto& o : verb.options) {
            INFO(verb.name << " " << o.name);
            auto [it, first] = seen.emplace(o.name, &o);
            if (first) continue;
            CHECK(it->second->kind == o.kind);
            CHECK(it->second->value_name == o.value_name);
            CHECK(it->second->short_name == o.short_name);
        }
}

TEST_CASE("values are checked by the option's kind", "[cli]") {
    const std::vector<OptionSpec> specs = {{"--limit", ValueKind::count, "N", "at most N", "", {}},
                                           {"--for", ValueKind::duration, "DURATION", "how long", "", {}},
                                           {"--log-format", ValueKind::choice, "F", "format", "", {"text", "json"}}};
    for (std::vector<std::string> bad : {std::vector<std::string>{"--limit", "-1"}, {"--limit", "abc"}, {"--limit=0"}, {"--limit", "5x"},
                                         {"--for", "soon"}, {"--for", "0s"}, {"--for=-5m"}, {"--log-format", "xml"}}) {
        INFO(bad[0] << " " << (bad.size() > 1 ? bad[1] : ""));
        try {
            parse_args(bad, specs);
            FAIL("accepted");
        } catch (const UsageError& e) {
            CHECK(e.message.find(bad[0].substr(0, bad[0].find('='))) == 0);  // the message names the option first
        }
    }
    Args good = parse_args({"--limit", "3", "--for=1h30m", "--log-format", "json"}, specs);
    CHECK(good.count("--limit") == 3u);
    CHECK(good.duration("--for") == backstop::Duration{90 * 60 * 1000});
}

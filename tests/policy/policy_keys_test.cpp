// The key tables (policy/policy_keys.h) are what the schema and backstop.toml(5) are generated
// from; these tests hold the compilers to them: every listed key is read and type-checked by its
// compiler, and a key not listed is refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "policy/policy_keys.h"
#include "policy/policy_schema.h"
#include "policy_test_support.h"

using namespace backstop;
using namespace backstop::policy;

namespace {

// A value the format accepts for no key: a compiler that reads the key must report it.
constexpr const char* kWrongValue = "1979-05-27";

// The discriminator value under which `key` applies, so the compiler looks at it.
std::string applicable(const SectionSpec& s, const KeySpec& key) {
    if (s.discriminator.empty()) return {};
    if (!key.only_for.empty()) return std::string(key.only_for.substr(0, key.only_for.find(' ')));
    return std::string(find_key(s.id, s.discriminator)->choices.front());
}

// A document whose only line at `*line` sets `key` of section `s` to kWrongValue.
std::string document_setting(const SectionSpec& s, const KeySpec& key, int* line) {
    std::string head;
    std::string value = applicable(s, key);
    const std::string service = "[service.web]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\n";
    switch (s.id) {
        case Section::top: break;
        case Section::service: head = "[service.web]\n"; break;
        case Section::health: head = service + "[service.web.health]\n"; break;
        case Section::rollback: head = service + "[service.web.rollback]\n"; break;
        case Section::points: head = service + "[service.web.points]\n"; break;
        case Section::source: head = service + "[service.web.source.s]\n"; break;
        case Section::trigger: head = service + "[[service.web.trigger]]\n"; break;
        case Section::rule:
            head = "[service.web]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\nuse = [\"service_down\"]\n"
                   "[service.web.health]\nurl = \"http://127.0.0.1:1/\"\n[service.web.rules.service_down]\n";
            break;
        case Section::decide: head = service + "[[service.web.decide]]\n"; break;
        case Section::schedule: head = service + "[[service.web.schedule]]\n"; break;
        case Section::notify: head = key.name == "name" ? "[[notify]]\n" : "[[notify]]\nname = \"n\"\n"; break;
        case Section::environment: {
            // The service's strategy decides which keys apply, in an environment as in the service.
            std::string strategy = key.only_for.empty() ? "releases" : std::string(key.only_for.substr(0, key.only_for.find(' ')));
            head = "[service.web]\nstrategy = \"" + strategy + "\"\n[service.web.env.prod]\n";
            break;
        }
    }
    if (!value.empty() && key.name != s.discriminator) head += std::string(s.discriminator) + " = \"" + value + "\"\n";
    *line = static_cast<int>(std::count(head.begin(), head.end(), '\n')) + 1;
    return head + std::string(key.name) + " = " + kWrongValue + "\n";
}

}  // namespace

TEST_CASE("every key of the key tables is read and type-checked by its compiler") {
    int checked = 0;
    for (const SectionSpec& s : sections()) {
        for (const KeySpec& key : s.keys) {
            if (s.id == Section::rule && key.name == "name") continue;  // not a tuning key
            if (s.id == Section::service && key.name == "name") continue;
            int line = 0;
            std::string text = document_setting(s, key, &line);
            auto result = test::load_one(text);
            bool reported = false;
            for (const auto& d : result.diagnostics.items())
                reported = reported || (d.severity == Severity::error && d.where.line == line && d.code != "unknown-key");
            INFO(std::string(s.title) << " `" << key.name << "`:\n" << text);
            INFO(Catch::Detail::stringify(test::summary(result)));
            CHECK(reported);
            ++checked;
        }
    }
    CHECK(checked > 90);
}

TEST_CASE("a key the tables do not list is an unknown key in every section") {
    for (const SectionSpec& s : sections()) {
        if (s.keys.empty()) continue;
        KeySpec invented{.name = "not_a_key"};
        int line = 0;
        std::string text = document_setting(s, invented, &line);
        auto result = test::load_one(text);
        const Diagnostic* d = test::first_with_code(result, "unknown-key");
        INFO(std::string(s.title) << ":\n" << text);
        REQUIRE(d != nullptr);
        CHECK(d->where.line == line);
    }
}

TEST_CASE("the schema lists exactly the keys the compilers accept per section and discriminator value") {
    nlohmann::json schema = policy_schema();
    const auto& defs = schema["definitions"];
    auto properties = [](const nlohmann::json& def) {
        std::vector<std::string> names;
        for (const auto& [name, _] : def["properties"].items()) names.push_back(name);
        std::sort(names.begin(), names.end());
        return names;
    };
    auto sorted = [](const std::vector<std::string_view>& in) {
        std::vector<std::string> out(in.begin(), in.end());
        std::sort(out.begin(), out.end());
        return out;
    };
    CHECK(properties(schema) == sorted(key_names(Section::top)));
    CHECK(properties(defs["service"]) == sorted(key_names(Section::service)));
    CHECK(properties(defs["health"]) == sorted(key_names(Section::health)));
    CHECK(properties(defs["trigger"]) == sorted(key_names(Section::trigger)));
    // Per source kind: the if/then names the keys that kind accepts.
    for (const auto& branch : defs["source"]["allOf"]) {
        std::string kind = branch["if"]["properties"]["kind"]["const"];
        std::vector<std::string> names = branch["then"]["propertyNames"]["enum"];
        std::sort(names.begin(), names.end());
        CHECK(names == sorted(key_names(Section::source, kind)));
    }
    // Each built-in rule's tuning table: the tuning keys and its parameters.
    for (const auto& [rule, def] : defs["rules"]["properties"].items())
        for (std::string_view key : rule_tuning_key_names()) CHECK(def["properties"].contains(std::string(key)));
}

TEST_CASE("a key of another strategy is refused as the schema refuses it") {
    auto result = test::load_one("[service.web]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\ncheckout = \"/srv\"\n");
    const Diagnostic* d = test::first_with_code(result, "unknown-key");
    REQUIRE(d != nullptr);
    CHECK(d->where.line == 5);
    CHECK(d->message.find("strategy \"git\"") != std::string::npos);
}

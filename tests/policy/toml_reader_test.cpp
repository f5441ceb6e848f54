// The TOML reader (toml++): the tree policies are compiled from — kinds, values, members in key
// order, the position of every value and key — and one "toml-syntax" error at FILE:LINE:COL, with
// the offending line, for a document that is not TOML.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "policy/toml_reader.h"
#include "prim/point_store.h"

using namespace backstop;
using namespace backstop::policy;

namespace {

std::string read_file(const std::filesystem::path& p) { return read_whole_file(p).value_or(""); }

RawValue read_ok(const std::string& text, const std::string& name) {
    INFO(name << ":\n" << text);
    Diagnostics diagnostics;
    auto root = read_toml(text, name, diagnostics);
    INFO(diagnostics.to_text());
    REQUIRE(root);
    CHECK(diagnostics.items().empty());
    return std::move(*root);
}

}  // namespace

TEST_CASE("a policy document becomes a tree with the position of every value and key", "[policy][toml]") {
    const std::string name = "web.toml";
    const RawValue root = read_ok(
        "# web\n"
        "[service.web]\n"
        "strategy = \"releases\"\n"
        "  \"quoted key\" = 'lit'\n"
        "inl = { x = 1, y.z = -0.5e3 }\n"
        "[[service.web.trigger]]\n"
        "name = \"t1\"\n"
        "when = [ true,\n  \"é\" ]\n",
        name);
    const RawValue* web = root.find("service")->find("web");
    REQUIRE(web);
    const RawMember& web_member = root.find("service")->members.at(0);
    CHECK(web_member.key == "web");
    CHECK(web_member.key_at.line == 2);
    CHECK(*web_member.key_at.file == name);

    CHECK(web->find("strategy")->text == "releases");
    CHECK(web->find("strategy")->at.line == 3);
    CHECK(web->find("strategy")->at.column == 12);
    CHECK(web->members.at(0).key == "inl");  // members in key order, not the order written
    CHECK(web->find("quoted key")->text == "lit");
    CHECK(web->find("quoted key")->at.column == 18);
    CHECK(web->find("inl")->find("x")->integer == 1);
    CHECK(web->find("inl")->find("y")->find("z")->floating == -500.0);

    const RawValue* triggers = web->find("trigger");
    REQUIRE(triggers);
    REQUIRE(triggers->is(RawValue::Kind::array));
    REQUIRE(triggers->items.size() == 1);
    const RawValue* when = triggers->items[0].find("when");
    REQUIRE(when->items.size() == 2);
    CHECK(when->items[0].boolean);
    CHECK(when->items[1].text == "é");
    CHECK(when->items[1].at.line == 9);
    CHECK(when->items[1].at.column == 3);

    for (std::size_t i = 1; i < web->members.size(); ++i) CHECK(web->members[i - 1].key < web->members[i].key);
}

TEST_CASE("every policy and rule shipped is read without a problem", "[policy][toml]") {
    const std::filesystem::path source(BACKSTOP_SOURCE_DIR);
    std::size_t files = 0;
    for (const char* folder : {"examples", "rules"})
        for (const auto& entry : std::filesystem::recursive_directory_iterator(source / folder))
            if (entry.path().extension() == ".toml") {
                read_ok(read_file(entry.path()), entry.path().string());
                ++files;
            }
    CHECK(files >= 4);
}

TEST_CASE("the whole of TOML is read", "[policy][toml]") {
    const std::vector<std::pair<std::string, std::string>> documents = {
        {"s = \"\"\"\nmulti\nline\"\"\"\n", "string @x.toml:1:5 \"multi\nline\""},
        {"s = '''\nraw\n'''\n", "string @x.toml:1:5 \"raw\n\""},
        {"d = 1979-05-27\n", "date @x.toml:1:5 \"1979-05-27\""},
        {"t = 07:32:00\n", "time @x.toml:1:5 \"07:32:00\""},
        {"dt = 1979-05-27T07:32:00Z\n", "date-time @x.toml:1:6 \"1979-05-27T07:32:00Z\""},
        {"h = 0x1F\n", "integer @x.toml:1:5 31"},
        {"o = 0o17\n", "integer @x.toml:1:5 15"},
        {"b = 0b101\n", "integer @x.toml:1:5 5"},
        {"f = inf\n", "float @x.toml:1:5 inf"},
        {"n = -nan\n", "float @x.toml:1:5 nan"},
        {"\xEF\xBB\xBF" "a = 1\n", "integer @x.toml:1:5 1"},
        {"a = 1\r\nb = \"x\"\r\n", "string @x.toml:2:5 \"x\""},
        {"s = \"tab\\there \\u00e9 \\U0001F600\"\n", "string @x.toml:1:5 \"tab\there é 😀\""},
        {"[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n", "boolean @x.toml:4:10 true"},
    };
    for (const auto& [text, expected] : documents) {
        const std::string tree = tree_text(read_ok(text, "x.toml"));
        INFO(text << "\n" << tree);
        CHECK(tree.find(expected) != std::string::npos);
    }
}

TEST_CASE("a document that is not TOML gets one toml-syntax error at FILE:LINE:COL", "[policy][toml]") {
    // Each with the line of its error.
    const std::vector<std::pair<std::string, int>> documents = {
        {"a = 1\na = 2\n", 2},
        {"[a]\n[a]\n", 2},
        {"[a.b]\n[a]\nb = 1\n", 3},
        {"a.b = 1\n[a]\n", 2},
        {"a = 1\na.b = 2\n", 2},
        {"a = { b = 1 }\na.c = 2\n", 2},
        {"a = [1]\n[[a]]\n", 2},
        {"[[a]]\n[a]\n", 2},
        {"a = { b = 1, }\n", 1},
        {"a = { b = 1, b = 2 }\n", 1},
        {"a = 1 b = 2\n", 1},
        {"x = 1\na = \n", 2},
        {"a = 01\n", 1},
        {"a = 1__0\n", 1},
        {"a = .5\n", 1},
        {"a = 9223372036854775808\n", 1},
        {"\n\na = \"unterminated\n", 3},
        {"a = \"bad \\q escape\"\n", 1},
        {"a = \"\\uD800\"\n", 1},
        {"a = [1,,2]\n", 1},
        {"[]\n", 1},
        {"= 1\n", 1},
        {"a b = 1\n", 1},
        {"a = truex\n", 1},
        {"a = 1 # comment with a \x01 control\n", 1},
        {"a = \"\xff\"\n", 1},
        {"a = \"\xc0\xaf\"\n", 1},
    };
    for (const auto& [text, line] : documents) {
        INFO(text);
        Diagnostics diagnostics;
        CHECK_FALSE(read_toml(text, "x.toml", diagnostics));
        REQUIRE(diagnostics.items().size() == 1);
        const Diagnostic& d = diagnostics.items()[0];
        INFO(d.to_text());
        CHECK(d.code == "toml-syntax");
        CHECK(d.where.file == "x.toml");
        CHECK(d.where.line == line);
        CHECK(d.where.column >= 1);
        CHECK(d.to_text().rfind("x.toml:" + std::to_string(line) + ":" + std::to_string(d.where.column) + ": error: ", 0) == 0);
    }
}

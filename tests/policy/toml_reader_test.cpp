// The fast TOML reader against toml++: the same tree (kinds, values, member order, positions of
// values and keys) for every document within its subset, and no tree — so toml++ reads it and
// words the error — for everything else.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy/toml_fast_reader.h"
#include "policy/toml_reader.h"

using namespace backstop;
using namespace backstop::policy;

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Both readers on `text`: the fast one must read it, and read it as toml++ does.
void check_same_tree(const std::string& text, const std::string& name) {
    INFO(name << ":\n" << text);
    Diagnostics diagnostics;
    auto full = read_toml_with_tomlplusplus(text, name, diagnostics);
    INFO(diagnostics.to_text());
    REQUIRE(full);
    auto fast = read_toml_fast(text, name);
    REQUIRE(fast);
    CHECK(tree_text(*fast) == tree_text(*full));
}

}  // namespace

TEST_CASE("the fast TOML reader reads policies as toml++ does", "[policy][toml]") {
    const std::vector<std::string> documents = {
        "",
        "# only a comment",
        "a = 1",
        "a = 1\n",
        "a = 1\r\nb = \"x\"\r\n[t]\r\nc = true\r\n",
        "top = 1\n[service.web]\nstrategy = \"releases\"\na.b.c = \"x\"\n  \"quoted key\" = 'lit'\narr = [ 1, 2,\n  3, ] # c\n"
        "inl = { x = 1, y.z = \"q\" }\n[service.web.health]\nurl = \"u\"\n[[service.web.trigger]]\nname = \"t1\"\n"
        "[[service.web.trigger]]\nname = \"t2\"\n[service.web.trigger.extra]\n[[service.web.trigger.sub]]\nk = 1.5\n"
        "[service.api]\nf = -0.5e3\nb = true\n",
        "[a.b.c]\nx = 1\n  [a.b]\ny = \"é\"\nz = \"é\" # é\n\"é\" = 2\n[a]\nq = 1\n",
        "[ a . \"b c\" . 'd' ]\n e = 1 # after\n\t[\"x\"]\n",
        "s = \"tab\\there \\\"quoted\\\" back\\\\slash \\u00e9 \\U0001F600 \\b\\f\\n\\r\"\nl = 'C:\\path\\no \"escapes\"'\ne = \"\"\nf = ''\n",
        "i = [0, -0, +0, 7, -17, +42, 1_000, 9223372036854775807, -9223372036854775808]\n",
        "f = [0.5, -0.0, +1.5, 1e3, 1E-3, 6.626e-34, 5e+22, 1_000.000_1, 0e0, 3.14159265358979323846]\n",
        "nested = [[1, 2], [\"a\", [true, false]], [], [ ], { a = 1 }, {}]\n",
        "empty_inline = {}\ninl = { a = { b = { c = [1, { d = 'e' }] } }, \"q k\" = 2 }\n",
        "multi = [\n  # first\n  \"a\", # trailing\n\n  \"b\"\n  ,\n]\n",
        "a.b = 1\na.c = 2\n[x]\ny.z = 1\ny.w = 2\n",
        "[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\nname = \"red delicious\"\n"
        "[[fruits]]\nname = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"\n",
        "b = 1\na = 2\nA = 3\n_ = 4\n-x = 5\n1 = 6\n\"\" = 7\nz-z = 8\n",
        "[service.web.source.alerts]\nkind = \"event\"\nmatch = { alertname = \"HighErrorRate\", job = \"web\" }\n"
        "[[service.web.decide]]\nwhen = 'severity == \"critical\" and hotfix_eta <= 15m'\nthen = \"hotfix:15m\"\n",
    };
    for (std::size_t i = 0; i < documents.size(); ++i) check_same_tree(documents[i], "doc" + std::to_string(i) + ".toml");

    const std::filesystem::path source(BACKSTOP_SOURCE_DIR);
    std::size_t files = 0;
    for (const char* folder : {"examples", "rules"})
        for (const auto& entry : std::filesystem::recursive_directory_iterator(source / folder))
            if (entry.path().extension() == ".toml") {
                check_same_tree(read_file(entry.path()), entry.path().string());
                ++files;
            }
    CHECK(files >= 4);
}

TEST_CASE("the fast TOML reader leaves the rest of TOML and every error to toml++", "[policy][toml]") {
    SECTION("valid TOML outside the subset: toml++ reads it") {
        const std::vector<std::string> documents = {
            "s = \"\"\"\nmulti\nline\"\"\"\n",
            "s = '''\nraw\n'''\n",
            "d = 1979-05-27\n",
            "t = 07:32:00\n",
            "dt = 1979-05-27T07:32:00Z\n",
            "h = 0x1F\n",
            "o = 0o17\n",
            "b = 0b101\n",
            "f = inf\n",
            "n = -nan\n",
            "\xEF\xBB\xBF" "a = 1\n",
            "[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n",
        };
        for (const auto& text : documents) {
            INFO(text);
            CHECK_FALSE(read_toml_fast(text, "x.toml"));
            Diagnostics diagnostics;
            CHECK(read_toml(text, "x.toml", diagnostics));
            CHECK(diagnostics.items().empty());
        }
    }
    SECTION("invalid TOML: toml++ reports it") {
        const std::vector<std::string> documents = {
            "a = 1\na = 2\n",
            "[a]\n[a]\n",
            "[a.b]\n[a]\nb = 1\n",
            "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n",
            "a.b = 1\n[a]\n",
            "a = 1\na.b = 2\n",
            "a = { b = 1 }\na.c = 2\n",
            "a = { b = 1 }\n[a.c]\n",
            "a = [1]\n[[a]]\n",
            "[[a]]\n[a]\n",
            "[a]\n[[a]]\n",
            "a = { b = 1, }\n",
            "a = { b = 1,\n c = 2 }\n",
            "a = { b = 1, b = 2 }\n",
            "a = 1 b = 2\n",
            "a = \n",
            "a = 01\n",
            "a = 1__0\n",
            "a = 1_\n",
            "a = _1\n",
            "a = 1.\n",
            "a = .5\n",
            "a = 1.e5\n",
            "a = 1e\n",
            "a = 9223372036854775808\n",
            "a = \"unterminated\n",
            "a = \"bad \\q escape\"\n",
            "a = \"\\uD800\"\n",
            "a = 'no\nnewline'\n",
            "a = [1, 2\n",
            "a = [1,,2]\n",
            "[ [a] ]\n",
            "[a\n",
            "[]\n",
            "= 1\n",
            "a b = 1\n",
            "a = truex\n",
            "a = 1 # comment with a \x01 control\n",
            "a = 1\rb = 2\n",
            "a = \"\xff\"\n",
            "a = \"\xc0\xaf\"\n",
        };
        for (const auto& text : documents) {
            INFO(text);
            CHECK_FALSE(read_toml_fast(text, "x.toml"));
            Diagnostics diagnostics;
            CHECK_FALSE(read_toml(text, "x.toml", diagnostics));
            REQUIRE(diagnostics.items().size() == 1);
            CHECK(diagnostics.items()[0].code == "toml-syntax");
        }
    }
}

// The bash, zsh and fish completions as the build writes them: each shell parses its file, and a
// completion asked of the shell offers the verbs, a verb's options, option values and the
// services of the policies named on the command line.
#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "cli_tools.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop::cli;
using namespace backstop::test;

namespace {

// What the shell offers for `line` (the cursor at its end), one word a line.
std::vector<std::string> offered(const std::string& shell, const std::string& line) {
    std::vector<std::string> argv;
    if (shell == "bash") {
        // COMP_WORDS as bash splits the line; a trailing space starts an empty word.
        argv = {"bash", "--norc", "-c",
                "source \"$0\"; read -ra COMP_WORDS <<< \"$1\"; [[ $1 == *' ' ]] && COMP_WORDS+=(''); "
                "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _backstop; printf '%s\\n' \"${COMPREPLY[@]}\"",
                build_file("completions/backstop.bash"), line};
    } else if (shell == "fish") {
        argv = {"fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2] | string replace -r '\\t.*' ''; true",
                build_file("completions/backstop.fish"), line};
    } else {
        std::string folder = build_file("completions/_backstop");
        folder.erase(folder.rfind('/'));
        argv = {"zsh", "-f", std::string(BACKSTOP_SOURCE_DIR) + "/tests/cli/zsh_complete.zsh", folder, line};
    }
    backstop::ProcessResult r = run_tool(argv, env_with_backstop());
    INFO(shell << " `" << line << "`: " << r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> words = lines_of(r.out);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    return words;
}

bool has(const std::vector<std::string>& words, const std::string& word) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

std::vector<std::string> visible_verb_names() {
    std::vector<std::string> names;
    for (const auto& v : verbs())
        if (!v.hidden) names.push_back(v.name);
    return names;
}

void check_completions(const std::string& shell) {
    INFO(shell);
    auto all = offered(shell, "backstop ");
    for (const auto& name : visible_verb_names()) CHECK(has(all, name));
    CHECK(has(all, "help"));
    CHECK_FALSE(has(all, "__generate"));
    CHECK(offered(shell, "backstop roll") == std::vector<std::string>{"rollback"});

    auto rollback = offered(shell, "backstop rollback web --");
    for (const auto& o : find_verb("rollback")->options) CHECK(has(rollback, o.name));
    CHECK(has(rollback, "--policies"));
    CHECK_FALSE(has(rollback, "--for"));  // pause's, not rollback's
    auto pause = offered(shell, "backstop pause web --");
    for (const auto& o : find_verb("pause")->options) CHECK(has(pause, o.name));
    CHECK_FALSE(has(pause, "--to"));

    CHECK(offered(shell, "backstop --log-format ") == std::vector<std::string>{"json", "text"});
    CHECK(offered(shell, "backstop points ") == std::vector<std::string>{"create", "delete", "list"});
    CHECK(offered(shell, "backstop help hot") == std::vector<std::string>{"hotfix"});

    QuickstartService qs;
    qs.write_policy();
    auto services = offered(shell, "backstop --policies " + qs.policy() + " rollback ");
    CHECK(services == std::vector<std::string>{"web"});
    CHECK(offered(shell, "backstop history ") == std::vector<std::string>{"add", "badge", "stats"});
    CHECK(offered(shell, "backstop --policies " + qs.policy() + " history badge ") == std::vector<std::string>{"web"});

    // `points delete` takes a point id of the state named, the other words a service.
    qs.add_release("v1", true);
    qs.point_current_at("v1");
    backstop::test::CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", "before", "--json"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    const std::string id = nlohmann::json::parse(made.out).at("id");
    const std::string given = "backstop --policies " + qs.policy() + " --state " + qs.state() + " points ";
    CHECK(offered(shell, given + "delete ") == std::vector<std::string>{id});
    CHECK(offered(shell, given + "list ") == std::vector<std::string>{"web"});
    CHECK_FALSE(has(offered(shell, "backstop --policies " + qs.policy() + " points delete "), "web"));
}

// `parse` checks the file's syntax without running it; then the completions are asked for.
void check_shell(const std::string& shell, const std::vector<std::string>& parse) {
    backstop::ProcessResult parsed = run_tool(parse);
    INFO(parsed.err);
    CHECK(parsed.exit_code == 0);
    CHECK(parsed.err.empty());
    check_completions(shell);
}

}  // namespace

TEST_CASE("bash parses its completion and completes verbs, options, values and services", "[cli]") {
    check_shell("bash", {"bash", "-n", build_file("completions/backstop.bash")});
}

TEST_CASE("zsh parses its completion and completes verbs, options, values and services", "[cli]") {
    check_shell("zsh", {"zsh", "-n", build_file("completions/_backstop")});
}

TEST_CASE("fish parses its completion and completes verbs, options, values and services", "[cli]") {
    check_shell("fish", {"fish", "--no-execute", build_file("completions/backstop.fish")});
}

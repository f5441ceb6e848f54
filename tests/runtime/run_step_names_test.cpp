// The list of step names policy tests are checked against holds every name the runtime gives a
// step, and no name it never gives: a new step cannot make a correct `plan` expectation an error.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "runtime/run_step_names.h"

namespace {

// Every literal name given to a step in engine/runtime: steps.start("lock", …), steps_.note("http",
// …), rec.steps.push_back({"record", …}).
std::set<std::string> step_names_in_runtime_sources() {
    const std::regex step(R"re((?:steps_?\s*\.\s*(?:start|note|run)\(|steps\.push_back\(\{)"([a-z-]+)")re");
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(BACKSTOP_SOURCE_DIR) + "/engine/runtime")) {
        if (entry.path().extension() != ".cpp") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        for (auto it = std::sregex_iterator(s.begin(), s.end(), step); it != std::sregex_iterator(); ++it) names.insert((*it)[1]);
    }
    return names;
}

}  // namespace

TEST_CASE("run step names: the list is the names the runtime gives steps", "[runtime][plan]") {
    const std::set<std::string> in_sources = step_names_in_runtime_sources();
    REQUIRE(in_sources.count("lock") == 1);  // the pattern finds steps at all
    REQUIRE(in_sources.count("record") == 1);
    std::set<std::string> listed;
    for (std::string_view n : backstop::run_step_names()) listed.insert(std::string(n));
    for (const std::string& n : in_sources) {
        INFO("a step named in engine/runtime but not in run_step_names(): " << n);
        CHECK(listed.count(n) == 1);
    }
    for (const std::string& n : listed) {
        INFO("listed in run_step_names() but no step has it: " << n);
        CHECK(in_sources.count(n) == 1);
    }
    CHECK(backstop::is_run_step_name("switch"));
    CHECK_FALSE(backstop::is_run_step_name("swich"));
}

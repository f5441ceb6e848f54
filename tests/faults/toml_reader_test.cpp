// Issue 10, B10: a policy with a very wide table is read in linear time (a reader that looked each
// new key up among the table's earlier keys one by one took 8.6 s for 80,000), duplicates in it
// are still found, and a float toml++ cannot read is refused with its position.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include <catch2/catch.hpp>

#include "policy/toml_reader.h"

using namespace backstop::policy;

namespace {

std::string wide_table(int keys) {
    std::string text = "[service.web.labels]\n";
    for (int i = 0; i < keys; ++i) text += "k" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    return text;
}

// Runs `body` in a child with at most `cpu_seconds` of CPU (SIGXCPU after): a quadratic reader
// needs minutes for what a linear one reads in well under a second, so the bound tells them apart
// however loaded the machine is (it counts CPU, not wall time).
bool finishes_within_cpu(int cpu_seconds, const std::function<bool()>& body) {
    pid_t pid = fork();
    if (pid == 0) {
        rlimit cpu{static_cast<rlim_t>(cpu_seconds), static_cast<rlim_t>(cpu_seconds + 1)};
        setrlimit(RLIMIT_CPU, &cpu);
        _exit(body() ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    INFO("child status " << status);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

TEST_CASE("a table of 300,000 keys reads in linear time", "[faults][toml]") {
    const std::string name = "wide.toml";
    const std::string text = wide_table(300'000);
    CHECK(finishes_within_cpu(20, [&] {
        backstop::Diagnostics diagnostics;
        auto root = read_toml(text, name, diagnostics);
        if (!root) return false;
        const RawValue* labels = root->find("service")->find("web")->find("labels");
        return labels && labels->members.size() == 300'000 && labels->find("k299999")->integer == 299'999;
    }));
}

TEST_CASE("a duplicate key in a wide table is found at its line", "[faults][toml]") {
    const std::string name = "dup.toml";
    backstop::Diagnostics diagnostics;
    CHECK_FALSE(read_toml(wide_table(1000) + "k17 = 1\n", name, diagnostics));
    REQUIRE(diagnostics.items().size() == 1);
    CHECK(diagnostics.items()[0].code == "toml-syntax");
    CHECK(diagnostics.to_text().rfind("dup.toml:1002:", 0) == 0);

    backstop::Diagnostics headers;
    CHECK_FALSE(read_toml("[a]\nx = 1\n[a]\ny = 2\n", name, headers));
    CHECK(headers.to_text().rfind("dup.toml:3:", 0) == 0);
}

// Found by fuzzing: toml++ refuses a float spelled in more than 128 characters, and says where.
TEST_CASE("a float longer than toml++ reads is refused with its position", "[faults][toml-reader]") {
    const std::string name = "long.toml";
    const std::string longest = "f = 1." + std::string(126, '5') + "\n";  // 128 characters
    const std::string too_long = "f = 1." + std::string(127, '5') + "\n";
    backstop::Diagnostics ok;
    CHECK(read_toml(longest, name, ok));

    backstop::Diagnostics refused;
    CHECK_FALSE(read_toml(too_long, name, refused));
    CHECK(refused.to_text().find("long.toml:1:") != std::string::npos);
    CHECK(refused.to_text().find("exceeds length limit of 128 digits") != std::string::npos);
}

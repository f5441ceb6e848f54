// Issue 10, B10: the one-pass TOML reader is linear in the keys of one table. It looked each new
// key up among the table's earlier keys one by one: 80,000 keys took 8.6 s (toml++: 0.11 s).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include <catch2/catch.hpp>

#include "policy/toml_fast_reader.h"
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
        auto root = read_toml_fast(text, name);
        if (!root) return false;
        const RawValue* labels = root->find("service")->find("web")->find("labels");
        return labels && labels->members.size() == 300'000 && labels->find("k299999")->integer == 299'999;
    }));
}

TEST_CASE("the key index still finds duplicates, dotted keys and headers", "[faults][toml]") {
    const std::string name = "dup.toml";
    CHECK_FALSE(read_toml_fast(wide_table(1000) + "k17 = 1\n", name));  // left to toml++, which words the error
    auto dotted = read_toml_fast("[a]\nx.y = 1\nx.z = 2\n[a.b]\nc = 3\n", name);
    REQUIRE(dotted);
    const RawValue* a = dotted->find("a");
    REQUIRE(a);
    CHECK(a->find("x")->find("y")->integer == 1);
    CHECK(a->find("x")->find("z")->integer == 2);
    CHECK(a->find("b")->find("c")->integer == 3);
    CHECK(a->integer == 0);  // the reader's stamps are cleared
    CHECK_FALSE(read_toml_fast("[a]\nx = 1\n[a]\ny = 2\n", name));
}

// Found by the differential fuzz target: the fast reader read a float spelled in 129 characters or
// more, which toml++ refuses, so the same policy loaded or not depending on which reader took it.
TEST_CASE("a float longer than toml++ reads is refused as toml++ refuses it", "[faults][toml-reader]") {
    const std::string name = "long.toml";
    const std::string longest = "f = 1." + std::string(126, '5') + "\n";  // 128 characters: both read it
    const std::string too_long = "f = 1." + std::string(127, '5') + "\n";
    backstop::Diagnostics ok;
    CHECK(read_toml(longest, name, ok));
    CHECK(read_toml_fast(longest, name));

    CHECK_FALSE(read_toml_fast(too_long, name));
    backstop::Diagnostics refused;
    CHECK_FALSE(read_toml(too_long, name, refused));
    CHECK(refused.to_text().find("long.toml:1:") != std::string::npos);
    CHECK(refused.to_text().find("exceeds length limit of 128 digits") != std::string::npos);
}

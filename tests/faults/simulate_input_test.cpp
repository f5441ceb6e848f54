// Issue 10, E (found by fuzzing `simulate`'s input): a recording with members of the wrong type, an
// offset out of range or JSON nested a million deep is an error at its FILE:LINE, never an abort,
// a crash or a replay at a garbage time.
#include <string>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/paging_policy.h"
#include "support/temp_dir.h"

using namespace backstop::test;

namespace {

CliResult simulate(const TempDir& dir, const std::string& verb_option, const std::string& recording) {
    std::string file = dir.write("recording.jsonl", recording);
    return run_backstop({"--policies", dir.write("backstop.toml", kPagingPolicy), "--state", dir.file("state"), "simulate",
                         verb_option, file});
}

}  // namespace

TEST_CASE("simulate: a member of the wrong type is an error at its line", "[faults][simulate-input]") {
    TempDir dir("backstop-simulate");
    struct Case {
        const char* line;
        const char* says;
    };
    const Case cases[] = {
        {R"({"service": 5, "source": "deploys"})", "recording.jsonl:2: `service` must be a string"},
        {R"({"service": "web", "source": ["deploys"]})", "recording.jsonl:2: `source` must be a string"},
        {R"({"service": "web", "source": "deploys", "status": 1})", "recording.jsonl:2: `status` must be a string"},
        {R"({"service": "web", "source": "deploys", "value": "3"})", "recording.jsonl:2: `value` must be a number"},
        {R"({"service": "web", "source": "deploys", "http_status": 1e300})", "recording.jsonl:2: `http_status` must be a whole number"},
    };
    for (const Case& c : cases) {
        INFO(c.line);
        CliResult r = simulate(dir, "--observations", std::string("{\"service\": \"web\", \"source\": \"deploys\"}\n") + c.line + "\n");
        CHECK(r.exit_code == 1);  // an abort (terminate on a JSON type error) exits 134
        CHECK(r.err.find(c.says) != std::string::npos);
        CHECK(r.err.find("terminate") == std::string::npos);
    }
}

TEST_CASE("simulate: an array entry that is not an object is an error, not an abort", "[faults][simulate-input]") {
    TempDir dir("backstop-simulate");
    CliResult r = simulate(dir, "--observations", "[{\"service\": \"web\", \"source\": \"deploys\"}, 7]");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("recording.jsonl: entry 2: not a JSON object") != std::string::npos);
}

TEST_CASE("simulate: an offset out of range is refused before anything is replayed", "[faults][simulate-input]") {
    TempDir dir("backstop-simulate");
    const std::string observation = R"({"service": "web", "source": "deploys", "status": "failed"})";
    const std::string event = R"({"name": "deploy_failed", "status": "firing", "service": "web", "source": "deploys"})";
    for (const char* line : {R"({"service": "web", "source": "deploys", "at": 1e300})",
                             R"({"service": "web", "source": "deploys", "at_s": -5})",
                             R"({"name": "deploy_failed", "status": "firing", "service": "web", "source": "deploys", "at_s": 1e17})"}) {
        INFO(line);
        const bool is_event = std::string(line).find("\"name\"") != std::string::npos;
        CliResult r = simulate(dir, is_event ? "--event" : "--observations", (is_event ? event : observation) + "\n" + line + "\n");
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("recording.jsonl:2: `at") != std::string::npos);
        CHECK(r.out.find("bad_deploy") == std::string::npos);  // line 1 is not replayed either
    }
}

TEST_CASE("simulate: JSON nested a million deep is an error, not a stack overflow", "[faults][simulate-input]") {
    TempDir dir("backstop-simulate");
    const std::string deep = std::string(300'000, '[') + std::string(300'000, ']');
    CliResult r = simulate(dir, "--event", "[{\"name\": \"x\", \"status\": \"firing\", \"x\": " + deep + "}]");
    CHECK(r.exit_code == 1);  // the array's entry was dumped back to text recursively: SIGSEGV, 139
    CHECK(r.err.find("recording.jsonl:1: JSON nested deeper than 64 levels") != std::string::npos);
}

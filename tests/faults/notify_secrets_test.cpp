// Issue 10, C16: a receiver that echoes the request's path and query in its error answer must not
// put any piece of the secret URL into history, stdout or the log.
#include <catch2/catch.hpp>

#include "core/env_template.h"
#include "support/backstop_cli.h"
#include "support/http_receiver.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

constexpr const char* kToken = "T0B0x7Zq9secretPATHtoken";
constexpr const char* kSignature = "sig4f8a2c91e7";
constexpr const char* kPassword = "hunter2secret";

}  // namespace

TEST_CASE("a webhook answering 500 with the secret path and query in its body leaks none of it", "[faults][secrets]") {
    HttpReceiver receiver;
    const std::string path = std::string("/services/T0/B0/") + kToken;
    receiver.respond(path, CannedResponse{500,
                                          std::string("no route for POST ") + path + "?sig=" + kSignature +
                                              " (token " + kToken + ", sig " + kSignature + ")",
                                          {}});
    std::string url = "http://backstop:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(receiver.port()) + path +
                      "?sig=" + kSignature;

    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy("[service.web.rollback]\nmax_attempts = 10\n\n[[notify]]\nname = \"hook\"\ntype = \"webhook\"\n"
                    "url = \"${env:HOOK_URL}\"\ndeadline = \"1s\"\ntimeout = \"500ms\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {{"HOOK_URL", url}});
    INFO(r.out << r.err);  // its outcome does not matter here: every outcome is announced
    REQUIRE(!receiver.requests_to(path).empty());  // it did reach the receiver, which answered 500
    CliResult history = run_backstop(qs.cli({"history", "--json"}));
    CliResult listed = run_backstop(qs.cli({"history"}));
    for (const std::string& where : {r.out, r.err, history.out, listed.out}) {
        CHECK(where.find(kToken) == std::string::npos);
        CHECK(where.find(kSignature) == std::string::npos);
        CHECK(where.find(kPassword) == std::string::npos);
    }
    CHECK(history.out.find("status 500") != std::string::npos);
}

TEST_CASE("scrub replaces each piece of a secret URL a receiver may echo", "[faults][secrets]") {
    std::vector<EnvSecret> secrets{{"HOOK", "https://u:pa55word@hooks.example.com/a/B0XYZtoken1?k=v4lue99&flag=1"}};
    std::string echoed = "user pa55word path /a/B0XYZtoken1 seg B0XYZtoken1 query k=v4lue99&flag=1 value v4lue99 "
                         "decoded /a/B0XYZtoken1 host hooks.example.com";
    std::string out = scrub(echoed, secrets);
    CHECK(out.find("pa55word") == std::string::npos);
    CHECK(out.find("B0XYZtoken1") == std::string::npos);
    CHECK(out.find("v4lue99") == std::string::npos);
    CHECK(out.find("hooks.example.com") != std::string::npos);  // the host is not a secret
    CHECK(scrub("short /a and v1 stay", secrets) == "short /a and v1 stay");
}

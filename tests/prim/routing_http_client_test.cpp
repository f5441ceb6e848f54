// make_http_client(): which requests go over the plain client and which through libcurl, seen from
// the servers that receive them.
#include <cstdlib>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "prim/http_client.h"
#include "prim/plain_http_client.h"
#include "support/http_receiver.h"

using namespace backstop;
using backstop::test::HttpReceiver;
using namespace std::chrono_literals;

namespace {

HttpRequest get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    r.timeout = 5s;
    return r;
}

// Sets an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("routing: without a proxy, http:// to 127.0.0.1 goes straight to the service", "[http]") {
    HttpReceiver service;
    service.respond("/health", {.status = 200, .body = "ok"});
    auto client = make_http_client();
    for (int i = 0; i < 3; ++i) {
        HttpResponse r = client->send(get(service.url("/health")));
        CHECK(r.transport_ok());
        CHECK(r.status == 200);
        CHECK(r.body == "ok");
    }
    CHECK(service.requests().size() == 3);
    CHECK(plain_http_can_send(service.url("/health")));
}

TEST_CASE("routing: with http_proxy set, http:// goes through libcurl to the proxy", "[http]") {
    HttpReceiver service, proxy;
    service.respond("/health", {.status = 200, .body = "direct"});
    proxy.respond_default({.status = 200, .body = "via proxy"});
    ScopedEnv proxied("http_proxy", proxy.url(""));
    ScopedEnv not_exempt("no_proxy", "");
    HttpResponse r = make_http_client()->send(get(service.url("/health")));
    INFO(r.error);
    CHECK(r.status == 200);
    CHECK(r.body == "via proxy");
    CHECK(service.requests().empty());
    auto seen = proxy.requests();
    REQUIRE(seen.size() == 1);
    // A proxy is asked for the absolute URL.
    CHECK(seen[0].path == service.url("/health"));
}

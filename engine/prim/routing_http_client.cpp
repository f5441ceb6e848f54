// make_http_client(): plain http:// to a numeric address or localhost goes over backstop's own
// HTTP/1.1 client; https, host names and proxied requests go through libcurl. A daemon polling a
// fleet's health endpoints then never loads libcurl and the TLS, LDAP and Kerberos libraries it
// brings (about 7 MB resident), and a command that only asks local endpoints starts faster.
#include <cstdlib>
#include <memory>

#include "prim/http_client.h"
#include "prim/plain_http_client.h"

namespace backstop {

namespace {

// The variables libcurl reads to proxy an http:// URL (it ignores upper-case HTTP_PROXY on purpose).
// With one set, every request goes through libcurl so that proxying and no_proxy work as before.
bool proxy_configured() {
    for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"})
        if (const char* value = std::getenv(name); value && *value) return true;
    return false;
}

class RoutingHttpClient final : public HttpClient {
public:
    HttpResponse send(const HttpRequest& request) override {
        if (!proxied_ && plain_http_can_send(request.url)) return plain_->send(request);
        if (!curl_) curl_ = make_curl_http_client();
        return curl_->send(request);
    }

private:
    const bool proxied_ = proxy_configured();
    std::unique_ptr<HttpClient> plain_ = make_plain_http_client();
    std::unique_ptr<HttpClient> curl_;  // made on the first request that needs it
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client() { return std::make_unique<RoutingHttpClient>(); }

}  // namespace backstop

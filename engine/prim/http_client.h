// HTTP requests with a hard deadline: the interface, and the clients behind it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/duration.h"

namespace backstop {

struct HttpRequest {
    std::string method = "GET";  // GET, POST, PUT, HEAD...
    std::string url;
    std::map<std::string, std::string> headers;
    std::string body;
    Duration timeout{5000};  // whole request, connect included
};

struct HttpResponse {
    long status = 0;  // 0 when no HTTP answer arrived
    std::string body;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string error;                           // transport failure ("timed out after 1s", "connection refused")
    bool timed_out = false;
    Duration elapsed{0};

    bool transport_ok() const { return error.empty(); }
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Never throws for network trouble: failures come back in HttpResponse::error.
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

// The libcurl client (loaded on the first request, prim/curl_library.h). It keeps one connection
// open between calls, so make one per thread.
std::unique_ptr<HttpClient> make_http_client();

}  // namespace backstop

// An HttpClient for plain http:// to numeric addresses and localhost, written on sockets so that
// health polls neither load libcurl (and its TLS stack) nor burn a port per request.
#pragma once

#include <memory>
#include <string>

#include "prim/http_client.h"

namespace backstop {

// True for http:// URLs this client can send: a numeric IPv4 host, a bracketed numeric IPv6 host or
// localhost, no user:pass@. Everything else (https, host names, odd ports) is libcurl's.
bool plain_http_can_send(const std::string& url);

// One per thread. Keeps a few idle keep-alive connections per host:port and reuses them.
std::unique_ptr<HttpClient> make_plain_http_client();

}  // namespace backstop

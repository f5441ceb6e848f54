// An HttpClient for work that runs on whichever pool thread is free: each request goes to the
// calling thread's own libcurl client (a curl handle belongs to one thread), made on first use and
// kept, with its open connections, until the thread ends.
#pragma once

#include "prim/http_client.h"

namespace backstop {

class ThreadHttpClient final : public HttpClient {
public:
    HttpResponse send(const HttpRequest& request) override;
};

}  // namespace backstop

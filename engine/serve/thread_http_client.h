// An HttpClient for work that runs on whichever pool thread is free: each request goes to the
// calling thread's own client (make_http_client: its connections and curl handle belong to one
// thread), made on first use and kept, with its open connections, until the thread ends.
#pragma once

#include "prim/http_client.h"

namespace backstop {

class ThreadHttpClient final : public HttpClient {
public:
    HttpResponse send(const HttpRequest& request) override;
};

}  // namespace backstop

#include "serve/thread_http_client.h"

#include <memory>

namespace backstop {

HttpResponse ThreadHttpClient::send(const HttpRequest& request) {
    thread_local std::unique_ptr<HttpClient> client;
    if (!client) client = make_http_client();
    return client->send(request);
}

}  // namespace backstop

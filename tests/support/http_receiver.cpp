#include "support/http_receiver.h"

#include <microhttpd.h>
#include <netinet/in.h>

#include <algorithm>
#include <stdexcept>

#include "core/text.h"
#include "prim/http_server.h"

namespace backstop::test {

namespace {

// One request as it arrives: the raw target from the request line, then headers and body.
struct Arrival {
    std::string target;  // as sent: path and query, not decoded
    bool started = false;
    ReceivedRequest request;
};

}  // namespace

struct HttpReceiver::Impl {
    MHD_Daemon* daemon = nullptr;
    mutable std::mutex mutex;
    mutable std::condition_variable arrived;
    std::condition_variable stopping_cv;  // wakes delayed answers when the receiver stops
    bool stopping = false;
    std::vector<ReceivedRequest> requests;
    std::map<std::string, std::vector<CannedResponse>> responses;
    std::map<std::string, std::size_t> served;  // how far into each sequence we are
    CannedResponse default_response;

    CannedResponse pick_response(const std::string& path) {
        std::lock_guard lock(mutex);
        auto it = responses.find(path);
        if (it == responses.end() || it->second.empty()) return default_response;
        std::size_t& next = served[path];
        const CannedResponse& r = it->second[std::min(next, it->second.size() - 1)];
        ++next;
        return r;
    }

    void record(const ReceivedRequest& request) {
        {
            std::lock_guard lock(mutex);
            requests.push_back(request);
        }
        arrived.notify_all();
    }

    // False when the receiver stopped during the delay.
    bool wait_out(std::chrono::milliseconds delay) {
        std::unique_lock lock(mutex);
        return !stopping_cv.wait_for(lock, delay, [&] { return stopping; });
    }

    MHD_Result answer(MHD_Connection* c, Arrival& a) {
        record(a.request);
        CannedResponse canned = pick_response(a.request.path);
        if (canned.delay.count() > 0 && !wait_out(canned.delay)) return MHD_NO;
        if (canned.drop) return MHD_NO;  // libmicrohttpd closes the connection without an answer
        MHD_Response* response = MHD_create_response_from_buffer(
            canned.body.size(), const_cast<char*>(canned.body.data()), MHD_RESPMEM_MUST_COPY);
        if (!response) return MHD_NO;
        for (const auto& [name, value] : canned.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
        const MHD_Result queued = MHD_queue_response(c, static_cast<unsigned>(canned.status), response);
        MHD_destroy_response(response);
        return queued;
    }

    MHD_Result on_request(MHD_Connection* c, const char* method, const char* data, std::size_t* size, Arrival& a) {
        if (!a.started) {
            a.started = true;
            a.request.method = method;
            const auto q = a.target.find('?');
            a.request.path = a.target.substr(0, q);
            if (q != std::string::npos) a.request.query = a.target.substr(q + 1);
            a.request.headers = backstop::request_headers(c);
            return MHD_YES;
        }
        if (*size > 0) {
            a.request.body.append(data, *size);
            *size = 0;
            return MHD_YES;
        }
        return answer(c, a);
    }
};

namespace {

void* on_request_line(void*, const char* uri, MHD_Connection*) {
    auto* a = new (std::nothrow) Arrival;
    if (a) a->target = uri ? uri : "";
    return a;
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char*, const char* method, const char*, const char* data,
                      std::size_t* size, void** req_cls) {
    auto* a = static_cast<Arrival*>(*req_cls);
    if (!a) return MHD_NO;
    return static_cast<HttpReceiver::Impl*>(cls)->on_request(c, method, data, size, *a);
}

void on_completed(void*, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
    delete static_cast<Arrival*>(*req_cls);
    *req_cls = nullptr;
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
    auto it = headers.find(ascii_lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpReceiver::HttpReceiver() : impl_(std::make_unique<Impl>()) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // A thread per connection, so a delayed answer holds up only its own client. The server answers
    // an `Expect: 100-continue` itself and drops a client silent for 10 s.
    impl_->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC, 0, nullptr, nullptr,
        on_request, impl_.get(),
        MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_URI_LOG_CALLBACK, on_request_line, nullptr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, nullptr,
        MHD_OPTION_END);
    if (!impl_->daemon) throw std::runtime_error("HttpReceiver: cannot listen on 127.0.0.1");
    const auto* bound = MHD_get_daemon_info(impl_->daemon, MHD_DAEMON_INFO_BIND_PORT);
    port_ = bound ? bound->port : 0;
}

HttpReceiver::~HttpReceiver() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->stopping_cv.notify_all();
    MHD_stop_daemon(impl_->daemon);  // closes every connection and joins its thread
}

std::string HttpReceiver::url(std::string_view path) const {
    std::string out = "http://127.0.0.1:" + std::to_string(port_);
    if (path.empty() || path.front() != '/') out += '/';
    out += path;
    return out;
}

void HttpReceiver::respond(const std::string& path, CannedResponse response) {
    respond_sequence(path, {std::move(response)});
}

void HttpReceiver::respond_sequence(const std::string& path, std::vector<CannedResponse> responses) {
    std::lock_guard lock(impl_->mutex);
    impl_->responses[path] = std::move(responses);
    impl_->served[path] = 0;
}

void HttpReceiver::respond_default(CannedResponse response) {
    std::lock_guard lock(impl_->mutex);
    impl_->default_response = std::move(response);
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

std::vector<ReceivedRequest> HttpReceiver::requests_to(std::string_view path) const {
    std::lock_guard lock(impl_->mutex);
    std::vector<ReceivedRequest> out;
    for (const auto& r : impl_->requests)
        if (r.path == path) out.push_back(r);
    return out;
}

bool HttpReceiver::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->mutex);
    return impl_->arrived.wait_for(lock, timeout, [&] { return impl_->requests.size() >= n; });
}

void HttpReceiver::clear_requests() {
    std::lock_guard lock(impl_->mutex);
    impl_->requests.clear();
}

}  // namespace backstop::test

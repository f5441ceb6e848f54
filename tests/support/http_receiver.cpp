#include "support/http_receiver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/text.h"

namespace backstop::test {

namespace {

constexpr std::chrono::milliseconds kIoTimeout{10'000};  // a client silent this long is dropped
constexpr std::size_t kMaxHead = 64 * 1024;

const char* reason(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return "Status";
    }
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
    auto it = headers.find(ascii_lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpReceiver::HttpReceiver() {
    int wake[2];
    if (::pipe2(wake, O_CLOEXEC) != 0) throw std::runtime_error("HttpReceiver: pipe failed");
    wake_read_ = wake[0];
    wake_write_ = wake[1];

    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("HttpReceiver: socket failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 128) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string why = std::strerror(errno);
        ::close(listen_fd_);
        ::close(wake_read_);
        ::close(wake_write_);
        throw std::runtime_error("HttpReceiver: cannot listen on 127.0.0.1: " + why);
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

HttpReceiver::~HttpReceiver() {
    char byte = 1;
    while (::write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
    }
    if (acceptor_.joinable()) acceptor_.join();
    // The acceptor is gone, so nobody adds connections any more.
    for (auto& c : connections_)
        if (c.thread.joinable()) c.thread.join();
    ::close(listen_fd_);
    ::close(wake_read_);
    ::close(wake_write_);
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
    std::lock_guard lock(mutex_);
    responses_[path] = std::move(responses);
    served_[path] = 0;
}

void HttpReceiver::respond_default(CannedResponse response) {
    std::lock_guard lock(mutex_);
    default_response_ = std::move(response);
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<ReceivedRequest> HttpReceiver::requests_to(std::string_view path) const {
    std::lock_guard lock(mutex_);
    std::vector<ReceivedRequest> out;
    for (const auto& r : requests_)
        if (r.path == path) out.push_back(r);
    return out;
}

bool HttpReceiver::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void HttpReceiver::clear_requests() {
    std::lock_guard lock(mutex_);
    requests_.clear();
}

bool HttpReceiver::wait_readable(int fd, std::chrono::milliseconds timeout) const {
    pollfd fds[2] = {{wake_read_, POLLIN, 0}, {fd, POLLIN, 0}};
    nfds_t n = fd >= 0 ? 2 : 1;
    int rc;
    do {
        rc = ::poll(fds, n, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0 || fds[0].revents) return false;
    return true;
}

void HttpReceiver::accept_loop() {
    while (wait_readable(listen_fd_, std::chrono::milliseconds(-1))) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(mutex_);
        // Join finished connections so a long test does not pile up threads.
        std::erase_if(connections_, [](Connection& c) {
            if (!*c.done) return false;
            c.thread.join();
            return true;
        });
        auto done = std::make_shared<bool>(false);
        connections_.push_back({std::thread([this, fd, done] {
                                    serve(fd);
                                    ::close(fd);
                                    std::lock_guard inner(mutex_);
                                    *done = true;
                                }),
                                done});
    }
}

CannedResponse HttpReceiver::pick_response(const std::string& path) {
    std::lock_guard lock(mutex_);
    auto it = responses_.find(path);
    if (it == responses_.end() || it->second.empty()) return default_response_;
    std::size_t& next = served_[path];
    const CannedResponse& r = it->second[std::min(next, it->second.size() - 1)];
    ++next;
    return r;
}

void HttpReceiver::serve(int fd) {
    std::string buf;
    char chunk[16 * 1024];
    auto read_more = [&]() -> bool {
        if (!wait_readable(fd, kIoTimeout)) return false;
        ssize_t n;
        do {
            n = ::recv(fd, chunk, sizeof chunk, 0);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) return false;
        buf.append(chunk, static_cast<std::size_t>(n));
        return true;
    };

    std::size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (buf.size() > kMaxHead || !read_more()) return;
    }

    ReceivedRequest req;
    std::string_view head(buf.data(), head_end);
    auto line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    auto sp1 = request_line.find(' ');
    auto sp2 = request_line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return;
    req.method = std::string(request_line.substr(0, sp1));
    std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));

    std::string_view rest = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!rest.empty()) {
        auto eol = rest.find("\r\n");
        std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name = ascii_lower(trim(line.substr(0, colon), " \t\r"));
        std::string value(trim(line.substr(colon + 1), " \t\r"));
        auto [it, inserted] = req.headers.try_emplace(name, value);
        if (!inserted) it->second += ", " + value;
    }

    std::size_t length = 0;
    if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
        try {
            length = std::stoul(it->second);
        } catch (const std::exception&) {
            return;
        }
    }
    if (ascii_lower(req.header("expect")) == "100-continue" && length > 0 &&
        !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
        return;
    buf.erase(0, head_end + 4);
    while (buf.size() < length)
        if (!read_more()) return;
    req.body = buf.substr(0, length);

    const bool is_head = req.method == "HEAD";
    {
        std::lock_guard lock(mutex_);
        requests_.push_back(req);
    }
    arrived_.notify_all();

    CannedResponse response = pick_response(req.path);
    if (response.delay.count() > 0 && !wait_readable(-1, response.delay)) {
        // wait_readable(-1, ...) returns false both on timeout and on stop; tell them apart.
        pollfd wake{wake_read_, POLLIN, 0};
        if (::poll(&wake, 1, 0) > 0) return;
    }
    if (response.drop) return;

    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless) out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Connection: close\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    if (!bodiless && !is_head) out += response.body;
    if (send_all(fd, out)) ::shutdown(fd, SHUT_WR);
}

}  // namespace backstop::test

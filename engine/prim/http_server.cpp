#include "prim/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"

namespace backstop {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kReadPerTurn = 256 * 1024;      // per connection and poll round, so one cannot starve the rest
constexpr std::size_t kUnsentLimit = 256 * 1024;      // stop answering pipelined requests until this much is sent
constexpr std::chrono::milliseconds kLinger{1000};    // how long to drain input after a final answer
constexpr std::chrono::milliseconds kAcceptPause{100};  // after running out of file descriptors

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_tchar(char c) {
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_ctl_or_space(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

// Whether a comma-separated header value contains `token` (any case), e.g. Connection: keep-alive, close.
bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        auto comma = list.find(',');
        if (lower(trim_ows(list.substr(0, comma))) == token) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

const char* reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 410: return "Gone";
        case 411: return "Length Required";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 505: return "HTTP Version Not Supported";
        default: return "";
    }
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

void append_response(std::string& out, const HttpServerResponse& r, bool head_request, bool close) {
    out += "HTTP/1.1 ";
    out += std::to_string(r.status);
    out += ' ';
    out += reason_phrase(r.status);
    out += "\r\n";
    const bool bodiless = r.status == 204 || r.status == 304;
    if (!r.content_type.empty() && !has_line_break(r.content_type)) {
        out += "Content-Type: ";
        out += r.content_type;
        out += "\r\n";
    }
    if (!bodiless) {
        out += "Content-Length: ";
        out += std::to_string(r.body.size());
        out += "\r\n";
    }
    for (const auto& [name, value] : r.headers) {
        const std::string key = lower(name);
        if (key == "content-length" || key == "connection" || key == "transfer-encoding" ||
            (key == "content-type" && !r.content_type.empty()) || !is_token(name) || has_line_break(value))
            continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
    if (!bodiless && !head_request) out += r.body;
}

HttpServerResponse plain(int status, std::string body) {
    HttpServerResponse r;
    r.status = status;
    r.body = std::move(body);
    r.body += '\n';
    return r;
}

std::string peer_name(const sockaddr_storage& addr) {
    char host[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
        ::inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(a.sin_port));
    }
    if (addr.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
        ::inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(a.sin6_port));
    }
    return "unknown";
}

struct Connection {
    int fd = -1;
    std::string peer;
    std::string in;  // received and not yet answered
    std::string out;
    std::size_t out_sent = 0;
    Clock::time_point deadline;  // the current request (or the final flush) must be done by then
    bool closing = false;        // close once `out` is sent
    bool draining = false;       // final answer sent: discard input until EOF or the deadline
    bool peer_done = false;      // the client shut down its side
    bool sent_continue = false;  // 100 Continue already sent for the request in `in`

    bool has_unsent() const { return out_sent < out.size(); }
};

// What parsing the start of a connection's input gave.
struct Parsed {
    enum Kind { incomplete, complete, failed } kind = incomplete;
    HttpServerRequest request;
    std::size_t consumed = 0;  // bytes of the whole request, head and body
    bool keep_alive = true;
    bool wants_continue = false;  // incomplete body and the client waits for 100 Continue
    int status = 0;               // when failed
    std::string why;              // when failed
};

// The poll loop and its connections; lives on the server thread only.
class Loop {
public:
    Loop(const HttpServerOptions& options, const HttpHandler& handler, int listen_fd, int wake_fd)
        : options_(options), handler_(handler), listen_fd_(listen_fd), wake_fd_(wake_fd), chunk_(kReadChunk) {}

    ~Loop() {
        for (auto& c : connections_)
            if (c->fd >= 0) ::close(c->fd);
    }

    void run() {
        std::vector<pollfd> fds;
        while (true) {
            now_ = Clock::now();
            fds.clear();
            fds.push_back({wake_fd_, POLLIN, 0});
            const bool accepting = now_ >= accept_paused_until_;
            fds.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});
            auto next_deadline = Clock::time_point::max();
            if (!accepting) next_deadline = accept_paused_until_;
            for (const auto& c : connections_) {
                fds.push_back({c->fd, static_cast<short>(c->has_unsent() ? POLLOUT : POLLIN), 0});
                next_deadline = std::min(next_deadline, c->deadline);
            }
            int timeout = -1;
            if (next_deadline != Clock::time_point::max()) {
                auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_deadline - now_).count();
                timeout = static_cast<int>(std::clamp<long long>(wait, 0, 60'000));
            }
            const int rc = ::poll(fds.data(), fds.size(), timeout);
            if (rc < 0 && errno != EINTR) return;  // only EFAULT/EINVAL/ENOMEM: nothing sensible to retry
            if (fds[0].revents) return;
            now_ = Clock::now();
            if (rc > 0) {
                for (std::size_t i = 0; i < connections_.size(); ++i) {
                    const short ev = fds[i + 2].revents;
                    Connection& c = *connections_[i];
                    if (!ev || c.fd < 0) continue;
                    if (ev & POLLNVAL) close_connection(c);
                    else if (c.has_unsent()) serve(c);  // POLLOUT, or POLLERR/POLLHUP that send() reports
                    else on_readable(c);
                }
            }
            for (auto& c : connections_)
                if (c->fd >= 0 && c->deadline <= now_) on_deadline(*c);
            std::erase_if(connections_, [](const std::unique_ptr<Connection>& c) { return c->fd < 0; });
            if (rc > 0 && (fds[1].revents & POLLIN)) accept_all();
        }
    }

private:
    void accept_all() {
        for (int i = 0; i < 64; ++i) {
            sockaddr_storage addr{};
            socklen_t len = sizeof addr;
            const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    accept_paused_until_ = now_ + kAcceptPause;
                if (errno == EINTR || errno == ECONNABORTED) continue;
                return;
            }
            if (connections_.size() >= options_.max_connections) {
                std::string busy;
                append_response(busy, plain(503, "too many connections"), false, true);
                (void)::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                ::close(fd);
                continue;
            }
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_unique<Connection>();
            c->fd = fd;
            c->peer = peer_name(addr);
            c->deadline = now_ + options_.read_timeout;
            connections_.push_back(std::move(c));
        }
    }

    void close_connection(Connection& c) {
        if (c.fd >= 0) ::close(c.fd);
        c.fd = -1;
    }

    void on_readable(Connection& c) {
        std::size_t total = 0;
        while (total < kReadPerTurn) {
            const ssize_t n = ::recv(c.fd, chunk_.data(), chunk_.size(), 0);
            if (n > 0) {
                total += static_cast<std::size_t>(n);
                if (!c.draining) c.in.append(chunk_.data(), static_cast<std::size_t>(n));
                // A short read emptied the socket: skip the recv that would only say EAGAIN.
                if (static_cast<std::size_t>(n) < chunk_.size()) break;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            // EOF, or a reset: no more requests will come.
            if (c.draining || n < 0) {
                close_connection(c);
                return;
            }
            c.peer_done = true;
            break;
        }
        if (!c.draining) serve(c);
    }

    // Answers every complete request in `in`, sends what it can, and decides what happens next.
    void serve(Connection& c) {
        while (true) {
            const bool more = !c.closing && answer_requests(c);
            flush(c);
            if (c.fd < 0 || c.has_unsent()) return;  // wait until the socket takes more
            if (more) continue;
            if (c.closing && !c.peer_done) {
                // Let the client read the final answer instead of a reset caused by its unread data.
                ::shutdown(c.fd, SHUT_WR);
                c.draining = true;
                c.in.clear();
                c.deadline = now_ + std::min<Duration>(kLinger, options_.read_timeout);
            } else if (c.closing || c.peer_done) {
                close_connection(c);
            }
            return;
        }
    }

    // True when it stopped only because enough answers wait to be sent.
    bool answer_requests(Connection& c) {
        std::size_t done = 0;  // answered bytes of `in`, erased once at the end: pipelining stays linear
        bool backlogged = false;
        while (!c.closing) {
            if (c.out.size() - c.out_sent >= kUnsentLimit) {
                backlogged = true;
                break;
            }
            // RFC 9112 2.2: ignore empty lines before a request line.
            while (done < c.in.size() && (c.in[done] == '\r' || c.in[done] == '\n')) ++done;
            if (done == c.in.size()) break;

            Parsed p = parse(std::string_view(c.in).substr(done));
            if (p.kind == Parsed::incomplete) {
                if (p.wants_continue && !c.sent_continue) {
                    c.out += "HTTP/1.1 100 Continue\r\n\r\n";
                    c.sent_continue = true;
                }
                break;
            }
            if (p.kind == Parsed::failed) {
                append_response(c.out, plain(p.status, p.why), false, true);
                c.closing = true;
                break;
            }
            p.request.peer = c.peer;
            HttpServerResponse response = call_handler(p.request);
            const bool close = !p.keep_alive || has_token(header_value(response, "connection"), "close");
            append_response(c.out, response, p.request.method == "HEAD", close);
            done += p.consumed;
            c.sent_continue = false;
            c.deadline = now_ + options_.read_timeout;
            if (close) c.closing = true;
        }
        c.in.erase(0, done);
        return backlogged;
    }

    static std::string header_value(const HttpServerResponse& r, std::string_view name) {
        for (const auto& [key, value] : r.headers)
            if (lower(key) == name) return value;
        return {};
    }

    HttpServerResponse call_handler(const HttpServerRequest& request) {
        try {
            HttpServerResponse r = handler_(request);
            if (r.status < 200 || r.status > 999) return plain(500, "handler answered with status " + std::to_string(r.status));
            return r;
        } catch (const std::exception& e) {
            return plain(500, std::string("internal error: ") + e.what());
        } catch (...) {
            return plain(500, "internal error");
        }
    }

    void flush(Connection& c) {
        while (c.has_unsent()) {
            const ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
            if (n > 0) {
                c.out_sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            close_connection(c);  // EPIPE, ECONNRESET: the client is gone
            return;
        }
        c.out.clear();
        c.out_sent = 0;
    }

    void on_deadline(Connection& c) {
        // A request in progress gets a 408; an idle keep-alive connection, an unread answer or the end of
        // a lingering close just ends.
        if (c.draining || c.has_unsent() || c.in.empty()) {
            close_connection(c);
            return;
        }
        c.in.clear();
        append_response(c.out, plain(408, "request not received within the read timeout"), false, true);
        c.closing = true;
        serve(c);
        if (c.fd >= 0 && !c.draining) c.deadline = now_ + kLinger;  // the 408 itself must not pin it either
    }

    Parsed parse(std::string_view in) const {
        Parsed p;
        auto fail = [&](int status, std::string why) {
            p.kind = Parsed::failed;
            p.status = status;
            p.why = std::move(why);
            return p;
        };
        // Only the first max_header_bytes can hold the end of the head; never scan a large body.
        const std::string_view window = in.substr(0, options_.max_header_bytes + 4);
        const std::size_t crlf = window.find("\r\n\r\n");
        const std::size_t lf = window.find("\n\n");
        std::size_t head_end = std::min(crlf, lf);
        const bool head_too_large = head_end == std::string_view::npos ? in.size() > options_.max_header_bytes
                                                                        : head_end > options_.max_header_bytes;
        if (head_too_large)
            return fail(431, "request headers larger than " + std::to_string(options_.max_header_bytes) + " bytes");
        if (head_end == std::string_view::npos) return p;
        const std::size_t body_start = head_end + (head_end == crlf ? 4 : 2);
        std::string_view head(in.data(), head_end);

        auto next_line = [&head]() {
            auto eol = head.find('\n');
            std::string_view line = head.substr(0, eol);
            head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            return line;
        };

        std::string_view request_line = next_line();
        const auto sp1 = request_line.find(' ');
        const auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos)
            return fail(400, "malformed request line");
        std::string_view method = request_line.substr(0, sp1);
        std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
        std::string_view version = request_line.substr(sp2 + 1);
        if (!is_token(method)) return fail(400, "malformed method");
        if (target.empty() || (target.front() != '/' && target != "*") || std::any_of(target.begin(), target.end(), is_ctl_or_space))
            return fail(400, "malformed request target");
        if (version.size() != 8 || !version.starts_with("HTTP/") || !is_digit(version[5]) || version[6] != '.' ||
            !is_digit(version[7]))
            return fail(400, "malformed HTTP version");
        if (version != "HTTP/1.1" && version != "HTTP/1.0") return fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");

        HttpServerRequest& r = p.request;
        r.method = std::string(method);
        const auto q = target.find('?');
        r.path = std::string(target.substr(0, q));
        if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
        r.version = std::string(version);

        while (!head.empty()) {
            std::string_view line = next_line();
            if (line.empty()) continue;
            if (line.front() == ' ' || line.front() == '\t') return fail(400, "folded header lines are not supported");
            const auto colon = line.find(':');
            if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return fail(400, "malformed header line");
            std::string_view value = trim_ows(line.substr(colon + 1));
            if (std::any_of(value.begin(), value.end(), [](char ch) {
                    return (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7f;
                }))
                return fail(400, "control character in a header value");
            auto [it, inserted] = r.headers.try_emplace(lower(line.substr(0, colon)), value);
            if (!inserted) {
                it->second += ", ";
                it->second += value;
            }
        }

        if (auto te = r.headers.find("transfer-encoding"); te != r.headers.end()) {
            if (has_token(te->second, "chunked")) return fail(411, "chunked request bodies are not supported; send Content-Length");
            return fail(501, "unsupported transfer encoding");
        }
        std::size_t length = 0;
        if (auto cl = r.headers.find("content-length"); cl != r.headers.end()) {
            // Repeated identical values ("5, 5") are allowed; anything else is a smuggling attempt.
            std::string_view first;
            std::string_view list = cl->second;
            while (true) {
                auto comma = list.find(',');
                std::string_view item = trim_ows(list.substr(0, comma));
                if (item.empty() || !std::all_of(item.begin(), item.end(), is_digit))
                    return fail(400, "malformed Content-Length");
                if (first.empty()) first = item;
                else if (item != first) return fail(400, "conflicting Content-Length values");
                if (comma == std::string_view::npos) break;
                list.remove_prefix(comma + 1);
            }
            while (first.size() > 1 && first.front() == '0') first.remove_prefix(1);
            if (first.size() > 15 || (length = std::stoull(std::string(first))) > options_.max_body_bytes)
                return fail(413, "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
        }
        const auto connection = r.headers.find("connection");
        if (version == "HTTP/1.1") p.keep_alive = connection == r.headers.end() || !has_token(connection->second, "close");
        else p.keep_alive = connection != r.headers.end() && has_token(connection->second, "keep-alive");

        if (in.size() - body_start < length) {
            auto expect = r.headers.find("expect");
            p.wants_continue = version == "HTTP/1.1" && expect != r.headers.end() && lower(expect->second) == "100-continue";
            p.request = {};
            return p;
        }
        r.body = std::string(in.substr(body_start, length));
        p.consumed = body_start + length;
        p.kind = Parsed::complete;
        return p;
    }

    const HttpServerOptions& options_;
    const HttpHandler& handler_;
    int listen_fd_;
    int wake_fd_;
    std::vector<char> chunk_;
    std::vector<std::unique_ptr<Connection>> connections_;
    Clock::time_point now_;
    Clock::time_point accept_paused_until_;
};

}  // namespace

std::string HttpServerRequest::header(std::string_view name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    if (!handler_) throw Error("HTTP server on " + where + ": no handler");
    if (options_.max_connections == 0) options_.max_connections = 1;
    if (options_.read_timeout <= Duration::zero()) throw Error("HTTP server on " + where + ": read timeout must be positive");

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port_text = std::to_string(options_.port);
    if (int rc = ::getaddrinfo(options_.host.empty() ? nullptr : options_.host.c_str(), port_text.c_str(), &hints, &found); rc != 0)
        throw Error("cannot listen on " + where + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);

    std::string why = "no address";
    for (const addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            why = std::strerror(errno);
            continue;
        }
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
            why = std::strerror(errno);
            ::close(fd);
            continue;
        }
        listen_fd_ = fd;
    }
    if (listen_fd_ < 0) throw Error("cannot listen on " + where + ": " + why);

    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                             : reinterpret_cast<sockaddr_in&>(bound).sin_port);

    int wake[2];
    if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        why = std::strerror(errno);
        ::close(listen_fd_);
        throw Error("HTTP server on " + where + ": " + why);
    }
    wake_read_ = wake[0];
    wake_write_ = wake[1];
    try {
        thread_ = std::thread([this] { run(); });
    } catch (const std::exception& e) {
        ::close(listen_fd_);
        ::close(wake_read_);
        ::close(wake_write_);
        throw Error("HTTP server on " + where + ": cannot start its thread: " + e.what());
    }
}

HttpServer::~HttpServer() {
    stop();
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
    ::close(wake_read_);
    ::close(wake_write_);
}

void HttpServer::stop() {
    if (!stopping_.exchange(true)) {
        const char byte = 1;
        while (::write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
        }
    }
    if (std::this_thread::get_id() == thread_.get_id()) return;
    std::lock_guard lock(stop_mutex_);
    if (thread_.joinable()) thread_.join();
}

void HttpServer::run() {
    try {
        Loop(options_, handler_, listen_fd_, wake_read_).run();
    } catch (...) {
        // Out of memory is the only way here; the server ends, the process does not.
    }
}

}  // namespace backstop

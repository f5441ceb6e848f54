// The socket-level HttpClient for plain http:// (see plain_http_client.h): HTTP/1.1 with keep-alive,
// a whole-request deadline, and the same behaviour and error wording as the libcurl client.
#include "prim/plain_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "core/text.h"

namespace backstop {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxBody = 16 << 20;
constexpr std::size_t kMaxHead = 100 * 1024;  // curl's limit on response headers
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxIdlePerEndpoint = 2;
// Per client. A full pool closes finished connections rather than evicting idle ones: with a poller
// cycling through more endpoints than this, evicting the oldest would evict exactly the next one needed.
constexpr std::size_t kMaxIdle = 256;
constexpr auto kMaxIdleAge = std::chrono::seconds(60);

// HTTP's optional white space around header values and list items.
constexpr std::string_view kOws = " \t";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Whether a comma-separated header value contains `token` (any case), e.g. Connection: keep-alive, close.
bool has_token(std::string_view list, std::string_view token) {
    while (true) {
        const auto comma = list.find(',');
        if (ascii_lower(trim(list.substr(0, comma), kOws)) == token) return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

std::string os_error(int err) { return std::generic_category().message(err); }

// Network trouble unwinds to send() as one value, which keeps the protocol code straight-line.
struct Failure {
    std::string error;
    bool timed_out = false;
    bool nothing_received = false;  // no response byte arrived: safe to retry an idempotent request
};

[[noreturn]] void malformed(const std::string& why) { throw Failure{"malformed response from server: " + why}; }

[[noreturn]] void too_large() { throw Failure{"response body larger than 16 MiB"}; }

// An owned socket, closed when dropped.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

private:
    int fd_;
};

// ---- URLs ----

struct Target {
    std::string host;         // without brackets: "127.0.0.1", "::1", "localhost"
    std::string host_header;  // "127.0.0.1:8080", "[::1]:8080", "localhost" (port 80)
    int port = 80;
    std::string path;  // path and query, at least "/"
};

std::optional<int> parse_port(std::string_view s) {
    int port = 0;
    if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), is_digit)) return {};
    std::from_chars(s.data(), s.data() + s.size(), port);
    return port >= 1 && port <= 65535 ? std::optional(port) : std::nullopt;
}

bool is_numeric(const std::string& host, int family) {
    in6_addr buf{};
    return ::inet_pton(family, host.c_str(), &buf) == 1;
}

// curl removes "." and ".." segments; such paths are left to it.
bool has_dot_segment(std::string path) {
    path = path.substr(0, path.find('?')) + '/';
    return path.find("/./") != std::string::npos || path.find("/../") != std::string::npos;
}

// nullopt and why, when this client cannot send to `url`.
std::optional<Target> parse_url(const std::string& url, std::string& problem) {
    auto malformed_url = [&] { problem = "malformed URL `" + url + "`"; return std::nullopt; };
    auto unsupported = [&] {
        problem = "plain HTTP client cannot send `" + url + "` (http:// to a numeric address or localhost only)";
        return std::nullopt;
    };
    if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return malformed_url();
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos || scheme_end == 0) return malformed_url();
    if (ascii_lower(url.substr(0, scheme_end)) != "http") return unsupported();
    const std::string_view rest = std::string_view(url).substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) return unsupported();
    std::optional<std::string_view> port_text;
    Target t;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return malformed_url();
        t.host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return malformed_url();
        if (!after.empty()) port_text = after.substr(1);
        if (!is_numeric(t.host, AF_INET6)) return unsupported();  // zone ids and the like
        t.host_header = "[" + t.host + "]";
    } else {
        const auto colon = authority.find(':');
        t.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
        if (t.host.empty()) return malformed_url();
        if (!is_numeric(t.host, AF_INET) && ascii_lower(t.host) != "localhost") return unsupported();
        t.host_header = t.host;
    }
    if (port_text) {
        const auto port = parse_port(*port_text);
        if (!port) return malformed_url();
        t.port = *port;
        if (t.port != 80) t.host_header += ":" + std::to_string(t.port);
    }
    tail = tail.substr(0, tail.find('#'));
    t.path = tail.starts_with('/') ? std::string(tail) : "/" + std::string(tail);
    if (has_dot_segment(t.path)) return unsupported();
    return t;
}

// ---- sockets ----

void wait_ready(int fd, short events, Clock::time_point deadline, Duration timeout) {
    while (true) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) throw Failure{"timed out after " + format_duration(timeout), true};
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
        if (rc > 0) return;
        if (rc < 0 && errno != EINTR) throw Failure{"poll failed: " + os_error(errno)};
    }
}

Failure connect_failure(int err) {
    switch (err) {
        case ECONNREFUSED: return {"connection refused"};
        case ENETUNREACH: return {"network unreachable"};
        case EHOSTUNREACH: return {"host unreachable"};
        default: return {"cannot connect: " + os_error(err)};
    }
}

Fd connect_to(const std::string& numeric_host, int port, Clock::time_point deadline, Duration timeout) {
    sockaddr_storage storage{};
    socklen_t size = 0;
    if (auto* v4 = reinterpret_cast<sockaddr_in*>(&storage); ::inet_pton(AF_INET, numeric_host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        size = sizeof *v4;
    } else {
        storage = {};
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
        ::inet_pton(AF_INET6, numeric_host.c_str(), &v6->sin6_addr);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        size = sizeof *v6;
    }
    Fd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) throw Failure{"cannot connect: " + os_error(errno)};
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&storage), size) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) throw connect_failure(errno);
        wait_ready(fd.get(), POLLOUT, deadline, timeout);
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) throw connect_failure(err);
    }
    return fd;
}

// Like curl, localhost is 127.0.0.1 and then ::1, without asking a resolver.
Fd connect_any(const Target& t, Clock::time_point deadline, Duration timeout) {
    if (ascii_lower(t.host) != "localhost") return connect_to(t.host, t.port, deadline, timeout);
    try {
        return connect_to("127.0.0.1", t.port, deadline, timeout);
    } catch (const Failure& first) {
        if (first.timed_out) throw;
        try {
            return connect_to("::1", t.port, deadline, timeout);
        } catch (const Failure& second) {
            if (second.timed_out) throw;
            throw first;
        }
    }
}

// Nothing may arrive on an idle connection: readable means the server closed it (or sent junk).
bool still_open(int fd) {
    pollfd p{fd, POLLIN, 0};
    int rc;
    do rc = ::poll(&p, 1, 0);
    while (rc < 0 && errno == EINTR);
    return rc == 0;
}

// One request's I/O on a connected socket, every wait bounded by the request's deadline.
class Wire {
public:
    Wire(int fd, Clock::time_point deadline, Duration timeout) : fd_(fd), deadline_(deadline), timeout_(timeout) {}

    // False when the server closed or reset the connection: an answer it sent first may still be read.
    bool send_all(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n >= 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                wait_ready(fd_, POLLOUT, deadline_, timeout_);
            } else if (errno == EPIPE || errno == ECONNRESET) {
                return false;
            } else if (errno != EINTR) {
                throw Failure{"send failure: " + os_error(errno)};
            }
        }
        return true;
    }

    // The next line without its CRLF (or bare LF).
    std::string line() {
        while (true) {
            if (const auto lf = in_.find('\n', pos_); lf != std::string::npos) {
                std::string_view l(in_.data() + pos_, lf - pos_);
                pos_ = lf + 1;
                if (l.ends_with('\r')) l.remove_suffix(1);
                return std::string(l);
            }
            if (in_.size() - pos_ > kMaxHead) malformed("headers larger than 100 KiB");
            if (!fill()) {
                if (received_ == 0) throw Failure{"empty reply from server"};
                throw Failure{"transfer closed with outstanding read data remaining"};
            }
        }
    }

    std::string take(std::size_t n) {
        while (in_.size() - pos_ < n)
            if (!fill())
                throw Failure{"transfer closed with " + std::to_string(n - (in_.size() - pos_)) + " bytes remaining to read"};
        std::string out = in_.substr(pos_, n);
        pos_ += n;
        return out;
    }

    void take_until_close(std::string& out) {
        do {
            out.append(in_, pos_);
            pos_ = in_.size();
            if (out.size() > kMaxBody) too_large();
        } while (fill());
    }

    bool drained() const { return pos_ == in_.size(); }
    std::size_t received() const { return received_; }

private:
    // False at end of stream.
    bool fill() {
        if (pos_ == in_.size() || pos_ >= kReadChunk) {
            in_.erase(0, pos_);
            pos_ = 0;
        }
        // Health answers are small: start with 4 KiB (resize zero-fills) and read more as more comes.
        const std::size_t old = in_.size();
        const std::size_t chunk = std::clamp(old, std::size_t{4096}, kReadChunk);
        in_.resize(old + chunk);
        while (true) {
            const ssize_t n = ::recv(fd_, in_.data() + old, chunk, 0);
            if (n >= 0) {
                in_.resize(old + static_cast<std::size_t>(n));
                received_ += static_cast<std::size_t>(n);
                return n > 0;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                wait_ready(fd_, POLLIN, deadline_, timeout_);
            } else if (const int err = errno; err != EINTR) {
                throw Failure{err == ECONNRESET ? "connection reset by peer" : "receive failure: " + os_error(err)};
            }
        }
    }

    int fd_;
    Clock::time_point deadline_;
    Duration timeout_;
    std::string in_;
    std::size_t pos_ = 0;
    std::size_t received_ = 0;
};

// ---- HTTP ----

std::string format_request(const std::string& method, const HttpRequest& request, const Target& target) {
    std::string caller;
    bool has_host = false, has_agent = false, has_accept = false;
    for (const auto& [name, value] : request.headers) {
        const std::string key = ascii_lower(name);
        const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), is_tchar) && !has_line_break(value);
        if (!valid || key == "content-length" || key == "transfer-encoding") continue;  // we frame the body
        has_host |= key == "host";
        has_agent |= key == "user-agent";
        has_accept |= key == "accept";
        caller += value.empty() ? name + ":\r\n" : name + ": " + value + "\r\n";
    }
    std::string out = method + " " + target.path + " HTTP/1.1\r\n";
    if (!has_host) out += "Host: " + target.host_header + "\r\n";
    if (!has_agent) out += "User-Agent: backstop\r\n";
    if (!has_accept) out += "Accept: */*\r\n";
    if (!request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    out += caller;
    out += "\r\n";
    out += request.body;
    return out;
}

// "HTTP/1.1 200 OK" -> {200, 1}.
std::pair<long, int> parse_status_line(std::string_view l) {
    if (l.size() < 12 || !l.starts_with("HTTP/1.") || !is_digit(l[7]) || l[8] != ' ' || l[9] < '1' || l[9] > '9' ||
        !is_digit(l[10]) || !is_digit(l[11]) || (l.size() > 12 && l[12] != ' '))
        malformed("bad status line");
    return {std::stol(std::string(l.substr(9, 3))), l[7] - '0'};
}

// Header lines up to the blank line, into `headers`; repeats joined by ", " as the curl client does.
void read_headers(Wire& wire, std::map<std::string, std::string>& headers) {
    std::size_t total = 0;
    for (std::string l = wire.line(); !l.empty(); l = wire.line()) {
        total += l.size();
        if (total > kMaxHead) malformed("headers larger than 100 KiB");
        const auto colon = l.find(':');
        if (colon == std::string::npos || colon == 0) continue;  // not a header: ignored, as curl does
        const std::string_view value = trim(std::string_view(l).substr(colon + 1), kOws);
        auto [it, inserted] = headers.try_emplace(ascii_lower(trim(std::string_view(l).substr(0, colon), kOws)), value);
        if (!inserted) it->second.append(", ").append(value);
    }
}

std::optional<std::size_t> parse_content_length(std::string_view value) {
    std::optional<std::size_t> length;
    while (true) {  // repeated headers arrive joined by ", " and must agree
        const auto comma = value.find(',');
        const std::string_view item = trim(value.substr(0, comma), kOws);
        std::size_t n = 0;
        if (item.empty() || item.size() > 18 || !std::all_of(item.begin(), item.end(), is_digit)) return {};
        std::from_chars(item.data(), item.data() + item.size(), n);
        if (length && *length != n) return {};
        length = n;
        if (comma == std::string_view::npos) return length;
        value.remove_prefix(comma + 1);
    }
}

std::optional<std::size_t> parse_chunk_size(std::string_view l) {
    const std::string_view hex = trim(l.substr(0, l.find(';')), kOws);
    std::size_t n = 0;
    if (hex.empty() || hex.size() > 15) return {};
    const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), n, 16);
    if (ec != std::errc() || end != hex.data() + hex.size()) return {};
    return n;
}

void read_chunked(Wire& wire, HttpResponse& response) {
    while (true) {
        const auto size = parse_chunk_size(wire.line());
        if (!size) malformed("bad chunk size");
        if (*size == 0) break;
        if (*size > kMaxBody - response.body.size()) too_large();
        response.body += wire.take(*size);
        if (!wire.line().empty()) malformed("chunk longer than its size");
    }
    read_headers(wire, response.headers);  // trailers, which curl also hands over as headers
}

std::string header(const HttpResponse& response, const std::string& name) {
    const auto it = response.headers.find(name);
    return it == response.headers.end() ? "" : it->second;
}

// Reads the final response (after any 1xx) into `response`; true when the connection may be reused.
bool read_response(Wire& wire, bool head_request, HttpResponse& response) {
    long status = 0;
    int minor = 0;
    do {  // only the final response's headers count, as with curl
        response.headers.clear();
        std::tie(status, minor) = parse_status_line(wire.line());
        read_headers(wire, response.headers);
    } while (status < 200);
    response.status = status;
    bool length_known = true;
    const std::string transfer_encoding = header(response, "transfer-encoding");
    const std::string content_length = header(response, "content-length");
    if (head_request || status == 204 || status == 304) {
        // no body
    } else if (!transfer_encoding.empty()) {
        if (ascii_lower(trim(std::string_view(transfer_encoding).substr(transfer_encoding.rfind(',') + 1), kOws)) == "chunked") {
            read_chunked(wire, response);
        } else {
            wire.take_until_close(response.body);
            length_known = false;
        }
    } else if (!content_length.empty()) {
        const auto length = parse_content_length(content_length);
        if (!length) malformed("bad Content-Length");
        if (*length > kMaxBody) too_large();
        response.body = wire.take(*length);
    } else {
        wire.take_until_close(response.body);
        length_known = false;
    }
    const std::string connection = header(response, "connection");
    const bool persistent = minor >= 1 ? !has_token(connection, "close") : has_token(connection, "keep-alive");
    return length_known && persistent && wire.drained();
}

class PlainHttpClient final : public HttpClient {
public:
    HttpResponse send(const HttpRequest& request) override;

private:
    struct Idle {
        std::string key;
        Fd fd;
        Clock::time_point since;
    };

    void perform(const HttpRequest& request, HttpResponse& response);
    void forget_old_idle();
    Fd take_idle(const std::string& key);
    void keep_idle(const std::string& key, Fd fd);

    std::vector<Idle> idle_;
};

HttpResponse PlainHttpClient::send(const HttpRequest& request) {
    const auto start = Clock::now();
    HttpResponse response;
    try {
        perform(request, response);
    } catch (const Failure& f) {
        response.body.clear();  // a partial body is of no use and may be 16 MiB
        response.error = f.error;
        response.timed_out = f.timed_out;
    } catch (const std::exception& e) {
        response = HttpResponse{};
        response.error = std::string("HTTP request failed: ") + e.what();
    }
    response.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - start);
    return response;
}

void PlainHttpClient::perform(const HttpRequest& request, HttpResponse& response) {
    std::string problem;
    const auto target = parse_url(request.url, problem);
    if (!target) throw Failure{problem};
    std::string method = ascii_upper(request.method.empty() ? "GET" : request.method);
    if (!std::all_of(method.begin(), method.end(), is_tchar)) throw Failure{"invalid HTTP method `" + method + "`"};

    const auto deadline = Clock::now() + std::max(Duration(1), request.timeout);
    const std::string message = format_request(method, request, *target);
    const std::string key = ascii_lower(target->host_header);
    auto exchange = [&](Fd fd) {
        Wire wire(fd.get(), deadline, request.timeout);
        try {
            wire.send_all(message);  // when the server hung up, what it answered first is still read
            if (read_response(wire, method == "HEAD", response)) keep_idle(key, std::move(fd));
        } catch (Failure& f) {
            f.nothing_received = wire.received() == 0;
            throw;
        }
    };

    if (Fd idle = take_idle(key); idle.valid()) {
        try {
            exchange(std::move(idle));
            return;
        } catch (const Failure& f) {
            // The server may have closed the connection just as it was reused; a request it cannot have
            // answered is sent once more, on a new connection, when repeating it is harmless.
            if (f.timed_out || !f.nothing_received || (method != "GET" && method != "HEAD")) throw;
            response = HttpResponse{};
        }
    }
    exchange(connect_any(*target, deadline, request.timeout));
}

void PlainHttpClient::forget_old_idle() {
    const auto now = Clock::now();
    std::erase_if(idle_, [&](const Idle& c) { return now - c.since > kMaxIdleAge; });
}

Fd PlainHttpClient::take_idle(const std::string& key) {
    forget_old_idle();
    while (true) {
        const auto it = std::find_if(idle_.rbegin(), idle_.rend(), [&](const Idle& c) { return c.key == key; });
        if (it == idle_.rend()) return Fd();
        Fd fd = std::move(it->fd);
        idle_.erase(std::next(it).base());
        if (still_open(fd.get())) return fd;
    }
}

void PlainHttpClient::keep_idle(const std::string& key, Fd fd) {
    forget_old_idle();
    const auto same = std::count_if(idle_.begin(), idle_.end(), [&](const Idle& c) { return c.key == key; });
    if (static_cast<std::size_t>(same) < kMaxIdlePerEndpoint && idle_.size() < kMaxIdle)
        idle_.push_back({key, std::move(fd), Clock::now()});
}

}  // namespace

bool plain_http_can_send(const std::string& url) {
    std::string problem;
    return parse_url(url, problem).has_value();
}

std::unique_ptr<HttpClient> make_plain_http_client() { return std::make_unique<PlainHttpClient>(); }

}  // namespace backstop

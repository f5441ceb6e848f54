#include "prim/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>

#include "core/error.h"
#include "core/text.h"
#include "prim/http_connection_guard.h"

namespace backstop {

namespace {

// Descriptors kept free for everything else the process opens (state files, pipes to children, clients).
constexpr std::size_t kSpareDescriptors = 256;

bool is_tchar(char c) {
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool is_ctl_or_space(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

std::string address_text(const sockaddr* addr) {
    char host[INET6_ADDRSTRLEN] = {};
    if (addr && addr->sa_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, host, sizeof host);
    else if (addr && addr->sa_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, host, sizeof host);
    else
        return "unknown";
    return host;
}

std::string peer_text(const sockaddr* addr) {
    if (addr && addr->sa_family == AF_INET)
        return address_text(addr) + ":" + std::to_string(ntohs(reinterpret_cast<const sockaddr_in*>(addr)->sin_port));
    if (addr && addr->sa_family == AF_INET6)
        return "[" + address_text(addr) + "]:" + std::to_string(ntohs(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_port));
    return "unknown";
}

bool is_loopback(const sockaddr* addr) {
    if (addr && addr->sa_family == AF_INET)
        return (ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr) >> 24) == 127;
    if (addr && addr->sa_family == AF_INET6) {
        const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127);
    }
    return false;
}

// What one request gathered across libmicrohttpd's calls; made when its request line is read.
struct RequestState {
    std::string target;  // as sent
    HttpServerRequest request;
    bool started = false;     // the headers were seen
    bool too_large = false;   // the body went over the limit: the rest is read and dropped
};

// RFC 9112 3.2: origin-form, absolute-form (scheme and authority dropped) or asterisk-form.
bool split_target(std::string_view target, HttpServerRequest& r) {
    if (target.empty() || std::any_of(target.begin(), target.end(), is_ctl_or_space)) return false;
    if (const auto scheme = target.find("://"); scheme != std::string_view::npos && target.front() != '/') {
        const std::string name = ascii_lower(target.substr(0, scheme));
        if (name != "http" && name != "https") return false;
        target.remove_prefix(scheme + 3);
        const auto rest = target.find_first_of("/?");
        if (rest == 0) return false;  // no authority
        target = rest == std::string_view::npos ? std::string_view() : target.substr(rest);
        if (target.empty() || target.front() == '?') {
            r.path = "/";
            if (!target.empty()) r.query = std::string(target.substr(1));
            return true;
        }
    } else if (target != "*" && target.front() != '/') {
        return false;
    }
    const auto q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    return true;
}

MHD_Result count_host(void* cls, MHD_ValueKind, const char* key, const char*) {
    *static_cast<int*>(cls) += ::strcasecmp(key, "Host") == 0;
    return MHD_YES;
}

HttpServerResponse plain(int status, std::string body) {
    HttpServerResponse r;
    r.status = status;
    r.body = std::move(body);
    r.body += '\n';
    return r;
}

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    HttpHandler handler;
    HttpConnectionGuard guard;
    MHD_Daemon* daemon = nullptr;
    std::atomic<bool> refusing{false};
    std::mutex stop_mutex;
    static thread_local bool on_server_thread;

    Impl(HttpServerOptions o, HttpHandler h)
        : options(std::move(o)), handler(std::move(h)),
          guard({options.read_timeout, options.max_connections, options.max_connections_per_address}) {}

    // The request's fields from libmicrohttpd, and the first refusal that applies to it (0: none).
    int start_request(MHD_Connection* c, const char* method, const char* version, RequestState& s) {
        HttpServerRequest& r = s.request;
        r.method = method;
        r.version = version;
        r.headers = request_headers(c);
        const auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        r.peer = peer_text(info ? info->client_addr : nullptr);
        int hosts = 0;
        MHD_get_connection_values(c, MHD_HEADER_KIND, count_host, &hosts);
        // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
        if (hosts > 1 || (hosts == 0 && r.version != "HTTP/1.0")) return 400;
        if (!is_token(r.method) || !split_target(s.target, r)) return 400;
        return body_framing(r);
    }

    // Refuses what libmicrohttpd lets through but could frame the body two ways (request smuggling):
    // differing Content-Length values, Transfer-Encoding beside Content-Length, codings but chunked.
    int body_framing(HttpServerRequest& r) const {
        const auto coding = r.headers.find("transfer-encoding");
        const auto length = r.headers.find("content-length");
        if (coding != r.headers.end()) return length != r.headers.end() ? 400 : ascii_lower(coding->second) == "chunked" ? 0 : 501;
        if (length == r.headers.end()) return 0;
        std::string_view list = length->second;  // repeated headers arrive joined by ", "
        std::string_view first = list.substr(0, list.find(','));
        for (std::size_t comma; (comma = list.find(',')) != std::string_view::npos;) {
            list.remove_prefix(comma + 1);
            while (!list.empty() && list.front() == ' ') list.remove_prefix(1);
            if (list.substr(0, list.find(',')) != first) return 400;
        }
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), n);
        if (ec == std::errc::result_out_of_range || (ec == std::errc() && n > options.max_body_bytes)) return 413;
        if (ec != std::errc() || end != first.data() + first.size()) return 400;
        r.body.reserve(n);
        return 0;
    }

    static std::string refusal_text(int status, const HttpServerRequest& r, std::size_t max_body) {
        if (status == 413) return "request body larger than " + std::to_string(max_body) + " bytes";
        if (status == 501) return "unsupported transfer coding; send Content-Length or chunked";
        if (r.version != "HTTP/1.0" && r.headers.find("host") == r.headers.end()) return "no Host header";
        if (r.header("host").find(',') != std::string::npos) return "more than one Host header";
        if (!is_token(r.method)) return "malformed method";
        if (r.path.empty()) return "malformed request target";
        return "conflicting Content-Length or Transfer-Encoding";
    }

    MHD_Result refuse(MHD_Connection* c, int status, RequestState& s) {
        if (options.on_refused) {
            try {
                options.on_refused(s.request, status);
            } catch (...) {
                // Counting is best effort; the answer still goes out.
            }
        }
        HttpServerResponse r = plain(status, refusal_text(status, s.request, options.max_body_bytes));
        r.headers["Connection"] = "close";
        return respond(c, r);
    }

    HttpServerResponse call_handler(const HttpServerRequest& request) {
        try {
            HttpServerResponse r = handler(request);
            if (r.status < 200 || r.status > 999) return plain(500, "handler answered with status " + std::to_string(r.status));
            return r;
        } catch (const std::exception& e) {
            return plain(500, std::string("internal error: ") + e.what());
        } catch (...) {
            return plain(500, "internal error");
        }
    }

    MHD_Result respond(MHD_Connection* c, const HttpServerResponse& r) {
        MHD_Response* response =
            MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
        if (!response) return MHD_NO;
        if (!r.content_type.empty() && !has_line_break(r.content_type))
            MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
        for (const auto& [name, value] : r.headers) {
            const std::string key = ascii_lower(name);
            if (key == "content-length" || key == "transfer-encoding" || (key == "content-type" && !r.content_type.empty()) ||
                !is_token(name) || has_line_break(value))
                continue;
            if (key == "connection" && ascii_lower(value) != "close") continue;
            MHD_add_response_header(response, name.c_str(), value.c_str());
        }
        const MHD_Result queued = MHD_queue_response(c, static_cast<unsigned>(r.status), response);
        MHD_destroy_response(response);
        guard.answering(c);
        return queued;
    }

    MHD_Result on_request(MHD_Connection* c, const char* method, const char* version, const char* data, std::size_t* size,
                          void** req_cls) {
        auto* s = static_cast<RequestState*>(*req_cls);
        if (!s || refusing) return MHD_NO;
        if (!s->started) {
            s->started = true;
            if (int status = start_request(c, method, version, *s)) return refuse(c, status, *s);
            return MHD_YES;
        }
        if (*size > 0) {
            // Only a chunked body can grow past an announced length; read it to its end, keep none of it.
            if (!s->too_large && s->request.body.size() + *size > options.max_body_bytes) {
                s->too_large = true;
                std::string().swap(s->request.body);
            }
            if (!s->too_large) s->request.body.append(data, *size);
            *size = 0;
            return MHD_YES;
        }
        if (s->too_large) return refuse(c, 413, *s);
        on_server_thread = true;
        HttpServerResponse response = call_handler(s->request);
        on_server_thread = false;
        return respond(c, response);
    }
};

thread_local bool HttpServer::Impl::on_server_thread = false;

namespace {

MHD_Result admit(void* cls, const sockaddr* addr, socklen_t) {
    auto* impl = static_cast<HttpServer::Impl*>(cls);
    return impl->guard.admits(address_text(addr), is_loopback(addr)) ? MHD_YES : MHD_NO;
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char*, const char* method, const char* version,
                      const char* data, std::size_t* size, void** req_cls) {
    return static_cast<HttpServer::Impl*>(cls)->on_request(c, method, version, data, size, req_cls);
}

void* on_request_line(void*, const char* uri, MHD_Connection*) {
    auto* s = new (std::nothrow) RequestState;
    if (s) s->target = uri ? uri : "";
    return s;
}

void on_completed(void* cls, MHD_Connection* c, void** req_cls, MHD_RequestTerminationCode) {
    delete static_cast<RequestState*>(*req_cls);
    *req_cls = nullptr;
    static_cast<HttpServer::Impl*>(cls)->guard.answered(c);
}

void on_connection(void* cls, MHD_Connection* c, void**, MHD_ConnectionNotificationCode code) {
    auto& guard = static_cast<HttpServer::Impl*>(cls)->guard;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard.closed(c);
        return;
    }
    const auto* fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const auto* addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fd) return;
    const sockaddr* peer = addr ? addr->client_addr : nullptr;
    guard.opened(c, fd->connect_fd, address_text(peer), is_loopback(peer));
}

// libmicrohttpd's messages are about single bad clients; under a flood they would drown the log.
void drop_log(void*, const char*, va_list) {}

// getaddrinfo + bind + listen, so the errors name the address as the operator wrote it.
int listen_on(const HttpServerOptions& options) {
    const std::string where = options.host + ":" + std::to_string(options.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port_text = std::to_string(options.port);
    if (int rc = ::getaddrinfo(options.host.empty() ? nullptr : options.host.c_str(), port_text.c_str(), &hints, &found); rc != 0)
        throw Error("cannot listen on " + where + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    std::string why = "no address";
    for (const addrinfo* a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            why = std::strerror(errno);
            continue;
        }
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) return fd;
        why = std::strerror(errno);
        ::close(fd);
    }
    throw Error("cannot listen on " + where + ": " + why);
}

int bound_port(int fd) {
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                             : reinterpret_cast<sockaddr_in&>(bound).sin_port);
}

std::size_t current_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1 << 20;
    return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

std::size_t raise_fd_limit(std::size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return current_fd_limit();
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    return current_fd_limit();
}

std::string HttpServerRequest::header(std::string_view name) const {
    auto it = headers.find(ascii_lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : options_(std::move(options)) {
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    if (!handler) throw Error("HTTP server on " + where + ": no handler");
    if (options_.read_timeout <= Duration::zero()) throw Error("HTTP server on " + where + ": read timeout must be positive");
    const std::size_t fds = current_fd_limit();
    options_.max_connections = std::clamp<std::size_t>(options_.max_connections, 1, fds > 2 * kSpareDescriptors ? fds - kSpareDescriptors : fds / 2);
    const bool tls = !options_.tls_cert_pem.empty() || !options_.tls_key_pem.empty();
    if (tls && (options_.tls_cert_pem.empty() || options_.tls_key_pem.empty()))
        throw Error("HTTP server on " + where + ": TLS needs both a certificate and a key");

    const int listen_fd = listen_on(options_);
    port_ = bound_port(listen_fd);
    impl_ = std::make_unique<Impl>(options_, std::move(handler));
    // Idle time without progress before libmicrohttpd drops a connection, in whole seconds; the guard
    // enforces the exact deadline for requests, this one bounds answers nobody reads.
    const auto idle = static_cast<unsigned>(std::max<long long>(1, (options_.read_timeout.count() + 999) / 1000));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (tls) flags |= MHD_USE_TLS;
    // Memory per connection holds the request head and the buffers around it; beyond it, 431.
    const std::size_t memory = options_.max_header_bytes;
    MHD_OptionItem tls_options[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, const_cast<char*>(impl_->options.tls_cert_pem.c_str())},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(impl_->options.tls_key_pem.c_str())},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>("NORMAL:-VERS-TLS1.0:-VERS-TLS1.1")},
        {MHD_OPTION_END, 0, nullptr},
    };
    impl_->daemon = MHD_start_daemon(
        flags, 0, admit, impl_.get(), backstop::on_request, impl_.get(),
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(options_.max_connections),
        MHD_OPTION_CONNECTION_TIMEOUT, idle,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, impl_.get(),
        MHD_OPTION_URI_LOG_CALLBACK, on_request_line, impl_.get(),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, impl_.get(),
        MHD_OPTION_EXTERNAL_LOGGER, drop_log, nullptr,
        // -1: refuse whitespace between a header name and its colon (RFC 9112 5.1 MUST; this is what
        // -1 means in 0.9.75's documentation). Host is checked here, not by 1, which 0.9.75 answers garbled.
        MHD_OPTION_STRICT_FOR_CLIENT, -1,
        MHD_OPTION_ARRAY, tls_options,
        MHD_OPTION_END);
    if (!impl_->daemon) {
        ::close(listen_fd);
        impl_.reset();
        throw Error("HTTP server on " + where + (tls ? ": cannot start (a certificate or key libmicrohttpd cannot read?)" : ": cannot start"));
    }
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::stop() {
    if (!impl_) return;
    impl_->refusing = true;
    if (Impl::on_server_thread) return;  // the server thread cannot wait for itself; the destructor ends it
    std::lock_guard lock(impl_->stop_mutex);
    impl_->guard.stop();
    if (impl_->daemon) MHD_stop_daemon(impl_->daemon);
    impl_->daemon = nullptr;
}

std::map<std::string, std::string> request_headers(MHD_Connection* connection) {
    std::map<std::string, std::string> headers;
    MHD_get_connection_values(
        connection, MHD_HEADER_KIND,
        [](void* cls, MHD_ValueKind, const char* key, const char* value) {
            auto& into = *static_cast<std::map<std::string, std::string>*>(cls);
            auto [it, inserted] = into.try_emplace(ascii_lower(key), value ? value : "");
            if (!inserted) {
                it->second += ", ";
                it->second += value ? value : "";
            }
            return MHD_YES;
        },
        &headers);
    return headers;
}

}  // namespace backstop

#include "support/smtp_sink.h"

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

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/text.h"

namespace backstop::test {

namespace {

constexpr std::chrono::milliseconds kIoTimeout{10'000};  // a client silent this long is dropped
constexpr std::size_t kMaxMessage = 16 * 1024 * 1024;

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        int v = value(c);
        if (v < 0) continue;  // padding, whitespace
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

// "<a@b>" out of "FROM:<a@b> SIZE=12"; the whole argument when there are no brackets.
std::string address_in(std::string_view arg) {
    auto open = arg.find('<');
    auto close = arg.find('>', open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
        auto colon = arg.find(':');
        return std::string(colon == std::string_view::npos ? arg : arg.substr(colon + 1));
    }
    return std::string(arg.substr(open + 1, close - open - 1));
}

// "\0user\0password" (RFC 4616) → user, password.
void parse_plain(const std::string& decoded, SmtpMessage& m) {
    auto first = decoded.find('\0');
    if (first == std::string::npos) return;
    auto second = decoded.find('\0', first + 1);
    if (second == std::string::npos) return;
    m.auth_user = decoded.substr(first + 1, second - first - 1);
    m.auth_password = decoded.substr(second + 1);
}

// One client's connection: the socket, and the TLS session over it once STARTTLS succeeded.
struct Channel {
    int fd;
    SSL* ssl = nullptr;

    ~Channel() {
        if (!ssl) return;
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    bool send(std::string_view data) {
        if (!ssl) return send_all(fd, data);
        while (!data.empty()) {
            int n = SSL_write(ssl, data.data(), static_cast<int>(data.size()));
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    // Bytes read; 0 or less when the client went away.
    ssize_t receive(char* buffer, std::size_t size) {
        if (ssl) return SSL_read(ssl, buffer, static_cast<int>(size));
        ssize_t n;
        do {
            n = ::recv(fd, buffer, size, 0);
        } while (n < 0 && errno == EINTR);
        return n;
    }
    // Decrypted bytes waiting in OpenSSL, which poll(2) on the socket cannot see.
    bool pending() const { return ssl && SSL_pending(ssl) > 0; }
    // The TLS handshake as the server; false when it fails.
    bool start_tls(SSL_CTX* context) {
        ssl = SSL_new(context);
        return ssl && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1;
    }
};

}  // namespace

std::string SmtpMessage::header(std::string_view name) const {
    std::string head = data.substr(0, data.find("\r\n\r\n"));
    std::string wanted = ascii_upper(name) + ":";
    std::size_t pos = 0;
    while (pos < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        std::string line = head.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? head.size() : eol + 2;
        if (ascii_upper(line.substr(0, wanted.size())) != wanted) continue;
        std::string value = line.substr(wanted.size());
        // Folded continuation lines start with whitespace.
        while (pos < head.size() && (head[pos] == ' ' || head[pos] == '\t')) {
            std::size_t next = head.find("\r\n", pos);
            value += head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
            pos = next == std::string::npos ? head.size() : next + 2;
        }
        auto start = value.find_first_not_of(" \t");
        return start == std::string::npos ? std::string() : value.substr(start);
    }
    return {};
}

std::string SmtpMessage::body() const {
    auto end = data.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : data.substr(end + 4);
}

SmtpSink::SmtpSink() {
    int wake[2];
    if (::pipe2(wake, O_CLOEXEC) != 0) throw std::runtime_error("SmtpSink: pipe failed");
    wake_read_ = wake[0];
    wake_write_ = wake[1];

    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("SmtpSink: socket failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string why = std::strerror(errno);
        ::close(listen_fd_);
        ::close(wake_read_);
        ::close(wake_write_);
        throw std::runtime_error("SmtpSink: cannot listen on 127.0.0.1: " + why);
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

SmtpSink::~SmtpSink() {
    char byte = 1;
    while (::write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
    }
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& c : connections_)
        if (c.thread.joinable()) c.thread.join();
    ::close(listen_fd_);
    ::close(wake_read_);
    ::close(wake_write_);
    SSL_CTX_free(tls_);
}

std::string SmtpSink::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

void SmtpSink::reply_to_data(std::vector<int> codes) {
    std::lock_guard lock(mutex_);
    data_replies_ = codes.empty() ? std::vector<int>{250} : std::move(codes);
    data_served_ = 0;
}

void SmtpSink::delay_greeting(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    greeting_delay_ = delay;
}

void SmtpSink::offer_starttls(const std::string& cert_file, const std::string& key_file) {
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    if (!context || SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        char why[256];
        ERR_error_string_n(ERR_get_error(), why, sizeof why);
        SSL_CTX_free(context);
        throw std::runtime_error(std::string("SmtpSink: OpenSSL cannot use the certificate: ") + why);
    }
    std::lock_guard lock(mutex_);
    SSL_CTX_free(tls_);
    tls_ = context;
}

std::size_t SmtpSink::logins() const {
    std::lock_guard lock(mutex_);
    return login_count_;
}

std::vector<SmtpMessage> SmtpSink::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

bool SmtpSink::wait_for_messages(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

std::size_t SmtpSink::connections() const {
    std::lock_guard lock(mutex_);
    return connection_count_;
}

bool SmtpSink::wait_readable(int fd, std::chrono::milliseconds timeout) const {
    pollfd fds[2] = {{wake_read_, POLLIN, 0}, {fd, POLLIN, 0}};
    nfds_t n = fd >= 0 ? 2 : 1;
    int rc;
    do {
        rc = ::poll(fds, n, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    return rc > 0 && !fds[0].revents;
}

bool SmtpSink::stopping() const {
    pollfd wake{wake_read_, POLLIN, 0};
    return ::poll(&wake, 1, 0) > 0;
}

void SmtpSink::accept_loop() {
    while (wait_readable(listen_fd_, std::chrono::milliseconds(-1))) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(mutex_);
        ++connection_count_;
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

void SmtpSink::serve(int fd) {
    std::chrono::milliseconds delay;
    SSL_CTX* tls;
    {
        std::lock_guard lock(mutex_);
        delay = greeting_delay_;
        tls = tls_;
    }
    // Bounds a TLS handshake or record that never completes; poll bounds the rest.
    timeval io_timeout{static_cast<time_t>(kIoTimeout.count() / 1000), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &io_timeout, sizeof io_timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &io_timeout, sizeof io_timeout);
    Channel channel{fd};
    if (delay.count() > 0 && !wait_readable(-1, delay) && stopping()) return;
    if (!send_all(fd, "220 127.0.0.1 backstop test sink ESMTP\r\n")) return;

    std::string buf;
    char chunk[16 * 1024];
    // One line without its CRLF; false when the client went away or fell silent.
    auto read_line = [&](std::string& line) -> bool {
        std::size_t eol;
        while ((eol = buf.find("\r\n")) == std::string::npos) {
            if (buf.size() > kMaxMessage || (!channel.pending() && !wait_readable(fd, kIoTimeout))) return false;
            ssize_t n = channel.receive(chunk, sizeof chunk);
            if (n <= 0) return false;
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        return true;
    };
    auto reply = [&](const std::string& text) { return channel.send(text + "\r\n"); };

    SmtpMessage current;
    std::string helo;
    std::string mechanism, user, password;
    std::string line;
    while (read_line(line)) {
        std::string verb = ascii_upper(line.substr(0, line.find(' ')));
        std::string arg = line.find(' ') == std::string::npos ? std::string() : line.substr(line.find(' ') + 1);
        bool ok = true;
        if (verb == "EHLO") {
            helo = arg;
            ok = reply("250-127.0.0.1 greets " + arg) && reply("250-8BITMIME") &&
                 (!tls || channel.ssl || reply("250-STARTTLS")) && reply("250-AUTH PLAIN LOGIN") &&
                 reply("250 SIZE 16777216");
        } else if (verb == "STARTTLS" && tls && !channel.ssl) {
            // RFC 3207: nothing sent before the handshake counts after it, so the client starts over.
            if (!reply("220 2.0.0 ready to start TLS") || !buf.empty() || !channel.start_tls(tls)) return;
            helo.clear();
            mechanism.clear();
            user.clear();
            password.clear();
            current = SmtpMessage{};
        } else if (verb == "HELO") {
            helo = arg;
            ok = reply("250 127.0.0.1");
        } else if (verb == "AUTH") {
            {
                std::lock_guard lock(mutex_);
                ++login_count_;
            }
            std::string mech = ascii_upper(arg.substr(0, arg.find(' ')));
            std::string initial = arg.find(' ') == std::string::npos ? std::string() : arg.substr(arg.find(' ') + 1);
            SmtpMessage creds;
            if (mech == "PLAIN") {
                if (initial.empty()) {
                    if (!reply("334 ") || !read_line(initial)) return;
                }
                parse_plain(base64_decode(initial), creds);
            } else if (mech == "LOGIN") {
                std::string u = initial, p;
                if (u.empty() && (!reply("334 VXNlcm5hbWU6") || !read_line(u))) return;  // "Username:"
                if (!reply("334 UGFzc3dvcmQ6") || !read_line(p)) return;                  // "Password:"
                creds.auth_user = base64_decode(u);
                creds.auth_password = base64_decode(p);
            } else {
                ok = reply("504 5.5.4 mechanism not supported");
                if (!ok) return;
                continue;
            }
            mechanism = mech;
            user = creds.auth_user;
            password = creds.auth_password;
            ok = reply("235 2.7.0 accepted");
        } else if (verb == "MAIL") {
            current = SmtpMessage{};
            current.mail_from = address_in(arg);
            ok = reply("250 2.1.0 ok");
        } else if (verb == "RCPT") {
            current.rcpt_to.push_back(address_in(arg));
            ok = reply("250 2.1.5 ok");
        } else if (verb == "DATA") {
            if (!reply("354 end data with <CR><LF>.<CR><LF>")) return;
            std::string data;
            std::string l;
            for (;;) {
                if (!read_line(l)) return;
                if (l == ".") break;
                if (!l.empty() && l.front() == '.') l.erase(0, 1);  // dot-stuffing
                data += l + "\r\n";
            }
            current.helo = helo;
            current.auth_mechanism = mechanism;
            current.auth_user = user;
            current.auth_password = password;
            current.data = std::move(data);
            current.tls = channel.ssl != nullptr;
            int code;
            {
                std::lock_guard lock(mutex_);
                code = data_replies_[std::min(data_served_, data_replies_.size() - 1)];
                ++data_served_;
                if (code == 250) messages_.push_back(current);
            }
            if (code == 250) arrived_.notify_all();
            ok = reply(code == 250 ? "250 2.0.0 queued" : std::to_string(code) + (code < 500 ? " try again later" : " refused"));
        } else if (verb == "RSET") {
            current = SmtpMessage{};
            ok = reply("250 2.0.0 ok");
        } else if (verb == "NOOP") {
            ok = reply("250 2.0.0 ok");
        } else if (verb == "QUIT") {
            reply("221 2.0.0 bye");
            return;
        } else {
            ok = reply("502 5.5.2 command not recognised");
        }
        if (!ok) return;
    }
}

}  // namespace backstop::test

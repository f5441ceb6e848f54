// A real SMTP server on 127.0.0.1 (ephemeral port) for tests: speaks enough of RFC 5321 for a
// mail client (EHLO/HELO, AUTH PLAIN/LOGIN, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT, and
// STARTTLS through OpenSSL when given a certificate), accepts any login, and records every login
// and message. Replies to DATA can be scripted (451, then 250).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace backstop::test {

struct SmtpMessage {
    std::string helo;                  // the name EHLO/HELO gave
    std::string auth_mechanism;        // PLAIN, LOGIN; empty without AUTH
    std::string auth_user;
    std::string auth_password;
    std::string mail_from;             // the address inside MAIL FROM:<…>
    std::vector<std::string> rcpt_to;  // the addresses inside RCPT TO:<…>
    std::string data;                  // the message as sent after DATA, dot-unstuffed, CRLF kept
    bool tls = false;                  // it came over TLS (after STARTTLS)

    // The first header called `name` (any case), unfolded; "" when absent.
    std::string header(std::string_view name) const;
    // Everything after the blank line that ends the headers.
    std::string body() const;
};

class SmtpSink {
public:
    // Binds 127.0.0.1:0 and starts serving at once; throws std::runtime_error when it cannot.
    SmtpSink();
    // Stops serving, interrupts pending delays, joins every thread.
    ~SmtpSink();
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    int port() const { return port_; }
    std::string url() const;  // "smtp://127.0.0.1:PORT"

    // The reply to the end of each message's data, in order; the last repeats. Default: 250.
    // A message answered with anything but 250 is not recorded.
    void reply_to_data(std::vector<int> codes);
    // Wait this long before the greeting: a server that hangs.
    void delay_greeting(std::chrono::milliseconds delay);
    // Offer STARTTLS with this certificate and key (PEM files); throws std::runtime_error when
    // OpenSSL cannot use them. Without it the sink offers no TLS at all.
    void offer_starttls(const std::string& cert_file, const std::string& key_file);

    std::vector<SmtpMessage> messages() const;
    bool wait_for_messages(std::size_t n, std::chrono::milliseconds timeout) const;
    std::size_t connections() const;
    // AUTH commands received, whether or not a message followed.
    std::size_t logins() const;

private:
    struct Connection {
        std::thread thread;
        std::shared_ptr<bool> done;  // guarded by mutex_
    };

    void accept_loop();
    void serve(int fd);
    bool wait_readable(int fd, std::chrono::milliseconds timeout) const;  // false on stop/timeout
    bool stopping() const;

    int listen_fd_ = -1;
    int wake_read_ = -1;
    int wake_write_ = -1;
    int port_ = 0;

    mutable std::mutex mutex_;
    mutable std::condition_variable arrived_;
    std::vector<SmtpMessage> messages_;
    std::vector<int> data_replies_{250};
    std::size_t data_served_ = 0;
    std::chrono::milliseconds greeting_delay_{0};
    std::size_t connection_count_ = 0;
    std::size_t login_count_ = 0;
    ssl_ctx_st* tls_ = nullptr;  // set before clients connect, freed by the destructor
    std::vector<Connection> connections_;
    std::thread acceptor_;
};

}  // namespace backstop::test

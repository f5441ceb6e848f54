// Sending one email over SMTP with a hard deadline (libcurl's smtp:// and smtps://).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/duration.h"

namespace backstop {

// Whether the conversation must be encrypted: smtps://, or smtp:// upgraded with STARTTLS.
enum class MailTls {
    when_offered,  // without a login: STARTTLS when the server offers it, else plain; with one: required
    required,      // STARTTLS or smtps://; a server without TLS gets nothing, not even the login
    none,          // plain text, login included: only when the policy says so
};

struct MailMessage {
    std::string smtp_url;              // smtp://host[:port] or smtps://host[:port]
    MailTls tls = MailTls::when_offered;
    std::string ca_file;               // PEM certificates to trust instead of the system's; empty: system
    std::string username;              // empty: no login
    std::string password;
    std::string from;                  // envelope sender: an address, or "Name <address>"
    std::vector<std::string> to;       // envelope recipients, same forms
    std::string data;                  // the whole message, headers and body, CRLF line ends
    Duration timeout{5000};            // the whole conversation, connect included
};

struct MailResult {
    bool sent = false;
    std::string error;      // "connection refused", "timed out after 5s", "recipient refused: 550 …"
    bool timed_out = false;
    bool permanent = false; // retrying cannot help (login denied, bad URL, no TLS where required)
    Duration elapsed{0};
};

class MailClient {
public:
    virtual ~MailClient() = default;
    // Never throws for network or SMTP trouble: failures come back in MailResult::error.
    virtual MailResult send(const MailMessage& message) = 0;
};

// libcurl-backed; one per thread.
std::unique_ptr<MailClient> make_curl_mail_client();

// "Backstop <ops@example.com>" → "ops@example.com"; a bare address is returned unchanged.
std::string mail_address(const std::string& text);

}  // namespace backstop

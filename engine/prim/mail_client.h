// Sending one email over SMTP with a hard deadline (libcurl's smtp:// and smtps://).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/duration.h"

namespace backstop {

struct MailMessage {
    std::string smtp_url;              // smtp://host[:port] (STARTTLS when offered) or smtps://host[:port]
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
    bool permanent = false; // retrying cannot help (login denied, bad URL)
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

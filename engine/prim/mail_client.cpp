// The libcurl-backed MailClient: one SMTP conversation per message (notifications are rare, so no
// connection is kept), a hard deadline, failures as short strings that never quote the URL or the
// credentials.
#include "prim/mail_client.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <string_view>

#include "prim/curl_library.h"

namespace backstop {

namespace {

using Clock = std::chrono::steady_clock;

struct Upload {
    std::string_view data;
    std::size_t sent = 0;
};

// libcurl is C: nothing may throw through it.
size_t on_read(char* buffer, size_t size, size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    std::size_t n = std::min(size * count, upload->data.size() - upload->sent);
    std::memcpy(buffer, upload->data.data() + upload->sent, n);
    upload->sent += n;
    return n;
}

struct EasyDeleter {
    void operator()(CURL* easy) const { curl::api().easy_cleanup(easy); }
};

std::string angle(const std::string& text) { return "<" + mail_address(text) + ">"; }

// smtps:// is TLS from the start whatever this says; for smtp:// it decides STARTTLS. A login is
// never sent in plain text unless the message says MailTls::none.
long use_ssl(const MailMessage& message) {
    switch (message.tls) {
        case MailTls::required: return CURLUSESSL_ALL;
        case MailTls::none: return CURLUSESSL_NONE;
        case MailTls::when_offered: break;
    }
    return message.username.empty() ? CURLUSESSL_TRY : CURLUSESSL_ALL;
}

class CurlMailClient final : public MailClient {
public:
    MailResult send(const MailMessage& message) override {
        const auto start = Clock::now();
        MailResult result;
        try {
            result = perform(message);
        } catch (const std::exception& e) {
            result = MailResult{};
            result.error = std::string("sending mail failed: ") + e.what();
        }
        result.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - start);
        return result;
    }

private:
    MailResult perform(const MailMessage& message);
};

MailResult CurlMailClient::perform(const MailMessage& message) {
    MailResult result;
    const curl::Api& api = curl::api();
    if (!api.error.empty()) {
        result.error = api.error;
        result.permanent = true;
        return result;
    }
    std::unique_ptr<CURL, EasyDeleter> easy(api.easy_init());
    if (!easy) {
        result.error = "cannot initialise libcurl";
        return result;
    }
    CURL* c = easy.get();
    char errbuf[CURL_ERROR_SIZE] = {};
    Upload upload{message.data, 0};
    const long timeout_ms = std::max<long>(1, static_cast<long>(message.timeout.count()));
    const std::string from = angle(message.from);

    curl::Slist recipients;
    for (const auto& to : message.to) {
        if (!curl::append(recipients, angle(to))) {
            result.error = "out of memory building the recipient list";
            return result;
        }
    }
    api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    api.easy_setopt(c, CURLOPT_URL, message.smtp_url.c_str());
    api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
#if LIBCURL_VERSION_NUM >= 0x075500
    api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    api.easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    api.easy_setopt(c, CURLOPT_USE_SSL, use_ssl(message));
    if (!message.ca_file.empty()) api.easy_setopt(c, CURLOPT_CAINFO, message.ca_file.c_str());
    api.easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    api.easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    api.easy_setopt(c, CURLOPT_UPLOAD, 1L);
    api.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.data.size()));
    api.easy_setopt(c, CURLOPT_READFUNCTION, &on_read);
    api.easy_setopt(c, CURLOPT_READDATA, &upload);
    if (!message.username.empty()) {
        api.easy_setopt(c, CURLOPT_USERNAME, message.username.c_str());
        api.easy_setopt(c, CURLOPT_PASSWORD, message.password.c_str());
    }

    CURLcode code = api.easy_perform(c);
    if (code == CURLE_OK) {
        result.sent = true;
        return result;
    }
    long os_errno = 0;
    long reply = 0;  // the last SMTP reply code
    api.easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    result.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    switch (code) {
        case CURLE_LOGIN_DENIED:
            result.error = "login denied (check username and password)";
            result.permanent = true;
            break;
        case CURLE_URL_MALFORMAT:
            result.error = "malformed smtp_url";
            result.permanent = true;
            break;
        case CURLE_UNSUPPORTED_PROTOCOL:
            result.error = "unsupported smtp_url scheme (use smtp:// or smtps://)";
            result.permanent = true;
            break;
        case CURLE_USE_SSL_FAILED:
            result.error = "the server offers no TLS (STARTTLS), which this channel requires: nothing was sent, "
                           "the login included (use smtps://, a server with STARTTLS, or tls = \"none\")";
            result.permanent = true;
            break;
        case CURLE_PEER_FAILED_VERIFICATION:
            result.error = "the server's TLS certificate is not trusted (" + std::string(*errbuf ? errbuf : "verification failed") +
                           "); set `ca_file` to the certificate of the CA that signed it";
            result.permanent = true;
            break;
        default:
            result.error = curl::describe_common(code, os_errno, errbuf, message.timeout);
            if (result.error.empty())
                result.error = *errbuf ? std::string(errbuf) : std::string(api.easy_strerror(code));
            break;
    }
    if (reply >= 400 && result.error.find(std::to_string(reply)) == std::string::npos)
        result.error += " (server replied " + std::to_string(reply) + ")";
    // 5xx replies are the server's final word (unknown recipient, message refused).
    if (reply >= 500 && reply < 600) result.permanent = true;
    return result;
}

}  // namespace

std::string mail_address(const std::string& text) {
    auto open = text.rfind('<');
    auto close = text.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open) return text.substr(open + 1, close - open - 1);
    return text;
}

std::unique_ptr<MailClient> make_curl_mail_client() { return std::make_unique<CurlMailClient>(); }

}  // namespace backstop

// The libcurl-backed HttpClient: one easy handle per client (so connections are reused), a hard
// whole-request deadline, failures turned into short readable strings. libcurl itself is loaded
// on the first request (prim/curl_library.h).
#include "prim/http_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <string_view>

#include "prim/curl_library.h"

namespace backstop {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// libcurl is C: nothing may throw through it, so the callbacks swallow and report "stop".
size_t on_body(char* data, size_t size, size_t count, void* user) {
    try {
        static_cast<std::string*>(user)->append(data, size * count);
        return size * count;
    } catch (const std::exception&) {
        return 0;
    }
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* headers = static_cast<std::map<std::string, std::string>*>(user);
    try {
        std::string_view line = trim(std::string_view(data, size * count));
        if (line.starts_with("HTTP/")) {
            headers->clear();  // a new response (after 100 Continue): keep only the final one's
        } else if (auto colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
            std::string name = lower(trim(line.substr(0, colon)));
            std::string_view value = trim(line.substr(colon + 1));
            auto [it, inserted] = headers->try_emplace(name, value);
            if (!inserted) it->second.append(", ").append(value);
        }
        return size * count;
    } catch (const std::exception&) {
        return 0;
    }
}

std::string describe(CURLcode code, long os_errno, const char* errbuf, const HttpRequest& request) {
    std::string common = curl::describe_common(code, os_errno, errbuf, request.timeout);
    if (!common.empty()) return common;
    switch (code) {
        case CURLE_URL_MALFORMAT:
            return "malformed URL `" + request.url + "`";
        case CURLE_UNSUPPORTED_PROTOCOL:
            return "unsupported URL scheme in `" + request.url + "` (use http or https)";
        default:
            return errbuf && *errbuf ? std::string(errbuf) : std::string(curl::api().easy_strerror(code));
    }
}

class CurlHttpClient final : public HttpClient {
public:
    CurlHttpClient() = default;
    ~CurlHttpClient() override {
        if (curl_) curl::api().easy_cleanup(curl_);
    }
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    HttpResponse send(const HttpRequest& request) override;

private:
    HttpResponse perform(const HttpRequest& request);

    CURL* curl_ = nullptr;
};

HttpResponse CurlHttpClient::send(const HttpRequest& request) {
    const auto start = Clock::now();
    HttpResponse response;
    try {
        response = perform(request);
    } catch (const std::exception& e) {
        response = HttpResponse{};
        response.error = std::string("HTTP request failed: ") + e.what();
    }
    response.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - start);
    return response;
}

HttpResponse CurlHttpClient::perform(const HttpRequest& request) {
    HttpResponse response;
    const curl::Api& api = curl::api();
    if (!api.error.empty()) {
        response.error = api.error;
        return response;
    }
    if (!curl_) curl_ = api.easy_init();
    if (!curl_) {
        response.error = "cannot initialise libcurl";
        return response;
    }
    // Reset keeps the connection cache; only the previous request's options go.
    api.easy_reset(curl_);

    char errbuf[CURL_ERROR_SIZE] = {};
    const long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
    api.easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf);
    api.easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    api.easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
    api.easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    api.easy_setopt(curl_, CURLOPT_USERAGENT, "backstop");  // a User-Agent header replaces it
#if LIBCURL_VERSION_NUM >= 0x075500
    api.easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    api.easy_setopt(curl_, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    api.easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &on_body);
    api.easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    api.easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &on_header);
    api.easy_setopt(curl_, CURLOPT_HEADERDATA, &response.headers);

    std::string method = request.method.empty() ? "GET" : request.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    auto send_body = [&] {
        api.easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        api.easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
    };
    if (method == "HEAD") {
        api.easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && request.body.empty()) {
        api.easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else if (method == "POST") {
        send_body();
    } else {
        api.easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
        if (!request.body.empty() || method == "PUT" || method == "PATCH") send_body();
    }

    curl::Slist headers;
    bool has_expect = false;
    for (const auto& [name, value] : request.headers) {
        if (lower(name) == "expect") has_expect = true;
        // "Name;" is curl's spelling of a header with an empty value.
        if (!curl::append(headers, value.empty() ? name + ";" : name + ": " + value)) {
            response.error = "out of memory building request headers";
            return response;
        }
    }
    // No "Expect: 100-continue" round trip for larger bodies unless the caller asks for it.
    if (!has_expect && !curl::append(headers, "Expect:")) {
        response.error = "out of memory building request headers";
        return response;
    }
    api.easy_setopt(curl_, CURLOPT_HTTPHEADER, headers.get());

    CURLcode code = api.easy_perform(curl_);

    long status = 0;
    api.easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    response.status = status;
    if (code != CURLE_OK) {
        long os_errno = 0;
        api.easy_getinfo(curl_, CURLINFO_OS_ERRNO, &os_errno);
        response.error = describe(code, os_errno, errbuf, request);
        response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    }
    // The handle outlives this call; leave no pointers into this frame behind in it.
    api.easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    api.easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    api.easy_setopt(curl_, CURLOPT_WRITEDATA, nullptr);
    api.easy_setopt(curl_, CURLOPT_HEADERDATA, nullptr);
    return response;
}

}  // namespace

std::unique_ptr<HttpClient> make_http_client() { return std::make_unique<CurlHttpClient>(); }

}  // namespace backstop

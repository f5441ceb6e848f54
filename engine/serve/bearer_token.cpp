#include "serve/bearer_token.h"

#include <algorithm>
#include <cctype>

#include <sys/stat.h>

#include "core/error.h"
#include "core/text.h"
#include "prim/point_store.h"

namespace backstop {

namespace {

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Compare over the longer length so a prefix of the token is not faster to reject.
    std::size_t n = std::max(a.size(), b.size());
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

BearerToken BearerToken::from_file(const std::filesystem::path& file, std::string* warning) {
    auto text = read_whole_file(file);
    if (!text) throw Error("cannot read the token file " + file.string());
    struct stat st{};
    if (warning && ::stat(file.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        *warning = "token file " + file.string() + " can be read by others; chmod 600 it";
    return from_value(*text, "token file " + file.string());
}

BearerToken BearerToken::from_value(std::string_view value, const std::string& origin) {
    std::string_view token = trim(value, " \t\r\n");
    if (token.empty()) throw Error(origin + " holds no token");
    return BearerToken(std::string(token));
}

bool BearerToken::accepts(std::string_view authorization) const {
    authorization = trim(authorization, " \t\r\n");
    constexpr std::string_view scheme = "Bearer ";
    // The scheme is not secret; only the token is compared in constant time.
    if (authorization.size() < scheme.size()) return false;
    bool scheme_ok = starts_with_ignoring_case(authorization, scheme);
    bool token_ok = constant_time_equal(trim(authorization.substr(scheme.size()), " \t\r\n"), token_);
    return scheme_ok && token_ok;
}

}  // namespace backstop

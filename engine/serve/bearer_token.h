// The shared secret that POSTs to `backstop serve` must carry (`Authorization: Bearer TOKEN`): read
// from a file or the environment, compared in constant time, never shown.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace backstop {

class BearerToken {
public:
    // The file's content without surrounding blanks and newlines. Throws Error when it cannot be
    // read or holds nothing; `warning` (optional) is set when others may read it.
    static BearerToken from_file(const std::filesystem::path& file, std::string* warning = nullptr);
    // Throws Error when `value` is empty after trimming.
    static BearerToken from_value(std::string_view value, const std::string& origin);

    // True when `authorization` (the header's value) is "Bearer " + the token. The time taken does
    // not depend on how much of a wrong token was right.
    bool accepts(std::string_view authorization) const;

private:
    explicit BearerToken(std::string token) : token_(std::move(token)) {}
    std::string token_;
};

// Equal contents, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace backstop

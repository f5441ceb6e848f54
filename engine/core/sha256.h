// SHA-256 through OpenSSL's EVP interface, for integrity checks of artifacts, config files and
// archives (hex digests, as sha256sum prints them). Files are hashed in fixed-size chunks, so a
// multi-gigabyte archive costs 64 KiB of memory, not its size.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of every includer

namespace backstop {

// An incremental digest: update() any number of times, then hex() once.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view data);
    // The digest of everything given to update(), in lower-case hex. Ends the digest.
    std::string hex();

private:
    evp_md_ctx_st* context_;
};

std::string sha256_hex(std::string_view data);

// Reads `fd` from where it stands to its end, 64 KiB at a time. Throws Error naming `what` when
// a read fails; the descriptor stays open.
std::string sha256_fd_hex(int fd, const std::string& what);

// The digest of the file at `path` (read as sha256_fd_hex reads); nullopt when it cannot be
// opened, with errno saying why. Throws Error when a read fails.
std::optional<std::string> sha256_file_hex(const std::filesystem::path& path);

}  // namespace backstop

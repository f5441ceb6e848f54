// SHA-256 as a thin wrapper over OpenSSL's EVP digests (libcrypto).
#include "core/sha256.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/error.h"

namespace backstop {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// EVP fails only when libcrypto cannot allocate or its provider is unusable: nothing a caller can
// work around, but never a reason to give a wrong digest.
void require(int ok, const char* step) {
    if (ok != 1) throw Error(std::string("SHA-256: ") + step + " failed in libcrypto");
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_) throw Error("SHA-256: libcrypto could not allocate a digest");
    if (EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_);
        throw Error("SHA-256: libcrypto could not start a digest");
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::update(std::string_view data) {
    require(EVP_DigestUpdate(context_, data.data(), data.size()), "update");
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    require(EVP_DigestFinal_ex(context_, digest, &size), "final");
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out += kDigits[digest[i] >> 4];
        out += kDigits[digest[i] & 0xf];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    Sha256 digest;
    digest.update(data);
    return digest.hex();
}

std::string sha256_fd_hex(int fd, const std::string& what) {
    Sha256 digest;
    char buffer[kChunk];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot read " + what + ": " + std::strerror(errno));
        if (n == 0) break;
        digest.update(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    return digest.hex();
}

std::optional<std::string> sha256_file_hex(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    try {
        std::string hex = sha256_fd_hex(fd, path.string());
        ::close(fd);
        return hex;
    } catch (const Error&) {
        ::close(fd);
        throw;
    }
}

}  // namespace backstop

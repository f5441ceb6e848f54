// SHA-256 (OpenSSL EVP) against the FIPS 180-4 / NIST CAVP examples, whole, streamed in odd-sized
// pieces and read from files.
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/sha256.h"
#include "support/temp_dir.h"

using namespace backstop;

namespace {

struct KnownAnswer {
    std::string message;
    std::string digest;
};

const std::string kMillionA(1'000'000, 'a');

const std::vector<KnownAnswer>& known_answers() {
    static const std::vector<KnownAnswer> answers = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {kMillionA, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    return answers;
}

}  // namespace

TEST_CASE("SHA-256 gives the NIST known answers", "[core][sha256]") {
    for (const auto& [message, digest] : known_answers()) {
        INFO(message.substr(0, 60) << " (" << message.size() << " bytes)");
        CHECK(sha256_hex(message) == digest);
    }
}

TEST_CASE("SHA-256 streamed in odd-sized pieces gives the same digests", "[core][sha256]") {
    // Piece sizes around the 64-byte block and across it, so pieces end everywhere in a block.
    const std::vector<std::size_t> sizes = {1, 3, 7, 55, 56, 63, 64, 65, 119, 997, 4093};
    for (const auto& [message, digest] : known_answers()) {
        Sha256 streamed;
        std::size_t done = 0;
        for (std::size_t i = 0; done < message.size(); ++i) {
            const std::size_t piece = std::min(sizes[i % sizes.size()], message.size() - done);
            streamed.update(std::string_view(message).substr(done, piece));
            done += piece;
        }
        CHECK(streamed.hex() == digest);
    }
    Sha256 nothing;
    nothing.update("");
    CHECK(nothing.hex() == known_answers()[0].digest);
}

TEST_CASE("SHA-256 of a file is read in chunks from a file or an open descriptor", "[core][sha256]") {
    test::TempDir dir("backstop-sha256");
    const std::string million = dir.write("million-a", kMillionA);
    CHECK(sha256_file_hex(million) == known_answers()[4].digest);
    CHECK(sha256_file_hex(dir.write("empty", "")) == known_answers()[0].digest);
    CHECK_FALSE(sha256_file_hex(dir.file("missing")));

    int fd = ::open(million.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::lseek(fd, 999'997, SEEK_SET) == 999'997);  // from where it stands: the last three
    CHECK(sha256_fd_hex(fd, "million-a") == sha256_hex("aaa"));
    ::close(fd);
}

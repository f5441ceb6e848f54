// A throw-away self-signed certificate for 127.0.0.1, made with the `openssl` CLI, for TLS servers
// in tests; clients trust it by naming the certificate file as their CA.
#pragma once

#include <string>

#include "support/temp_dir.h"

namespace backstop::test {

struct TestCertificate {
    std::string cert_file;  // PEM; also the CA file a client trusts
    std::string key_file;   // PEM, unencrypted
};

// Writes cert.pem and key.pem into `dir` (valid two days, subjectAltName IP:127.0.0.1). Throws
// std::runtime_error when `openssl` fails.
TestCertificate make_test_certificate(const TempDir& dir);

}  // namespace backstop::test

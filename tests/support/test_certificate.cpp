#include "support/test_certificate.h"

#include <cstdlib>
#include <stdexcept>

namespace backstop::test {

TestCertificate make_test_certificate(const TempDir& dir) {
    TestCertificate made{dir.file("cert.pem"), dir.file("key.pem")};
    const std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                                "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
                                made.key_file + "' -out '" + made.cert_file + "' 2>'" + dir.file("openssl.log") + "'";
    if (std::system(command.c_str()) != 0)
        throw std::runtime_error("openssl could not make a test certificate: " + dir.read("openssl.log"));
    return made;
}

}  // namespace backstop::test

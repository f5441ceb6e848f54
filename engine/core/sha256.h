// SHA-256, for integrity checks of artifacts and config files (hex digests, as sha256sum prints).
#pragma once

#include <string>
#include <string_view>

namespace backstop {

std::string sha256_hex(std::string_view data);

}  // namespace backstop

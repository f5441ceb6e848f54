// Writing man pages: roff text from plain text, so generated pages render without groff warnings.
#pragma once

#include <string>
#include <string_view>

namespace backstop::cli::roff {

// `text` as roff running text: backslashes escaped, `name` in bold, characters beyond ASCII as
// groff named characters, and a line starting with '.' or '\'' kept from being read as a request.
std::string text(std::string_view text);

// The .TH line and the NAME section: `page` "backstop.toml", `section` "5", `summary` one line.
std::string header(std::string_view page, std::string_view section, std::string_view summary);

}  // namespace backstop::cli::roff

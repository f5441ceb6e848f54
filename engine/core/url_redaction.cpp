#include "core/url_redaction.h"

namespace backstop {

std::string redact_url(const std::string& url) {
    std::string out = url;
    auto scheme = out.find("://");
    std::size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
    auto at = out.find('@', host_start);
    auto slash = out.find('/', host_start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) out.erase(host_start, at + 1 - host_start);
    auto q = out.find_first_of("?#");
    if (q != std::string::npos) out.erase(q);
    return out;
}

}  // namespace backstop

// Where the checks of one policy document put their findings: diagnostics that quote the offending
// line of that document, so every caller gets the source line without carrying the text around.
#pragma once

#include <string>
#include <string_view>

#include "core/diagnostic.h"

namespace backstop::policy {

class Report {
public:
    Report(std::string_view text, Diagnostics& out) : text_(text), out_(out) {}

    void error(std::string code, const SourcePosition& at, std::string message) {
        out_.error(std::move(code), at, std::move(message), line_of(text_, at.line));
    }
    void warning(std::string code, const SourcePosition& at, std::string message) {
        out_.warning(std::move(code), at, std::move(message), line_of(text_, at.line));
    }
    std::size_t error_count() const { return out_.error_count(); }
    Diagnostics& diagnostics() const { return out_; }

private:
    std::string_view text_;
    Diagnostics& out_;
};

}  // namespace backstop::policy

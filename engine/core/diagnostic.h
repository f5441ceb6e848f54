// Problems found while loading policies and runbooks, as data: every problem of one `check` run,
// each with a stable code, FILE:LINE:COL and the offending line, rendered as text or JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace backstop {

struct SourcePosition {
    std::string file;
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based; 0 when unknown
};

enum class Severity { error, warning };

struct Diagnostic {
    Severity severity = Severity::error;
    std::string code;  // stable identifier, e.g. "unknown-key"
    SourcePosition where;
    std::string message;
    std::string source_line;  // the offending line, without its newline; may be empty

    // "FILE:LINE:COL: error: MESSAGE [code]" then the quoted line and a caret under the column.
    std::string to_text() const;
    nlohmann::json to_json() const;
};

class Diagnostics {
public:
    void add(Diagnostic d) { items_.push_back(std::move(d)); }
    void error(std::string code, SourcePosition where, std::string message, std::string source_line = {});
    void warning(std::string code, SourcePosition where, std::string message, std::string source_line = {});
    void append(const Diagnostics& other);

    bool has_errors() const;
    std::size_t error_count() const;
    std::size_t warning_count() const;
    const std::vector<Diagnostic>& items() const { return items_; }

    // Sorted by file, line, column so output is stable across runs.
    void sort();
    std::string to_text() const;
    nlohmann::json to_json() const;

private:
    std::vector<Diagnostic> items_;
};

// The 1-based `line` of `text`, without its newline; empty when out of range.
std::string line_of(std::string_view text, int line);

}  // namespace backstop

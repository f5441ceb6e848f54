#include "core/diagnostic.h"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

namespace backstop {

namespace {
const char* severity_name(Severity s) { return s == Severity::error ? "error" : "warning"; }
}  // namespace

std::string Diagnostic::to_text() const {
    std::string out = where.file;
    if (where.line > 0) {
        out += ":" + std::to_string(where.line);
        if (where.column > 0) out += ":" + std::to_string(where.column);
    }
    out += std::string(": ") + severity_name(severity) + ": " + message;
    if (!code.empty()) out += " [" + code + "]";
    out += "\n";
    if (!source_line.empty()) {
        out += "    " + source_line + "\n";
        if (where.column > 0) {
            std::string pad;
            // Keep tabs so the caret lines up under tab-indented lines.
            for (int i = 0; i < where.column - 1 && i < static_cast<int>(source_line.size()); ++i)
                pad += source_line[i] == '\t' ? '\t' : ' ';
            out += "    " + pad + "^\n";
        }
    }
    return out;
}

nlohmann::json Diagnostic::to_json() const {
    return {{"severity", severity_name(severity)}, {"code", code},       {"file", where.file},
            {"line", where.line},                  {"column", where.column}, {"message", message},
            {"source_line", source_line}};
}

void Diagnostics::error(std::string code, SourcePosition where, std::string message, std::string source_line) {
    items_.push_back({Severity::error, std::move(code), std::move(where), std::move(message), std::move(source_line)});
}

void Diagnostics::warning(std::string code, SourcePosition where, std::string message, std::string source_line) {
    items_.push_back({Severity::warning, std::move(code), std::move(where), std::move(message), std::move(source_line)});
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; });
}

std::size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

void Diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.where.file, a.where.line, a.where.column) < std::tie(b.where.file, b.where.line, b.where.column);
    });
}

std::string Diagnostics::to_text() const {
    std::string out;
    for (const auto& d : items_) out += d.to_text();
    return out;
}

nlohmann::json Diagnostics::to_json() const {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : items_) list.push_back(d.to_json());
    return {{"ok", !has_errors()}, {"errors", error_count()}, {"warnings", warning_count()}, {"diagnostics", list}};
}

std::string line_of(std::string_view text, int line) {
    if (line < 1) return {};
    std::size_t pos = 0;
    for (int l = 1; l < line; ++l) {
        pos = text.find('\n', pos);
        if (pos == std::string_view::npos) return {};
        ++pos;
    }
    std::size_t end = text.find('\n', pos);
    std::string out(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return out;
}

}  // namespace backstop

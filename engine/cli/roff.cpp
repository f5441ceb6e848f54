#include "cli/roff.h"

#include <cstdint>
#include <cstdio>

namespace backstop::cli {

namespace {

// The code point of the UTF-8 sequence at `i`, advancing `i` past it; U+FFFD for a broken one.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    std::uint32_t cp = length == 4 ? lead & 0x07 : length == 3 ? lead & 0x0F : length == 2 ? lead & 0x1F : lead;
    if (length == 1 || i + length > s.size()) {
        ++i;
        return 0xFFFD;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    i += length;
    return cp;
}

}  // namespace

std::string roff_escape(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        line_start = c == '\n';
        if (static_cast<unsigned char>(c) >= 0x80) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\[u%04X]", static_cast<unsigned>(next_code_point(text, i)));
            out += buf;
            continue;
        }
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
        ++i;
    }
    return out;
}

RoffPage::RoffPage(std::string_view name, int section, std::string_view source, std::string_view manual) {
    out_ << ".TH \"" << roff_escape(name) << "\" \"" << section << "\" \"\" \"" << roff_escape(source) << "\" \""
         << roff_escape(manual) << "\"\n";
}

void RoffPage::heading(std::string_view title) { out_ << ".SH \"" << roff_escape(title) << "\"\n"; }

void RoffPage::subheading(std::string_view title) { out_ << ".SS \"" << roff_escape(title) << "\"\n"; }

void RoffPage::paragraph(std::string_view text) { out_ << ".PP\n" << roff_escape(text) << "\n"; }

void RoffPage::item(std::string_view term, std::string_view argument, std::string_view text) {
    out_ << ".TP\n\\fB" << roff_escape(term) << "\\fR";
    if (!argument.empty()) out_ << " \\fI" << roff_escape(argument) << "\\fR";
    out_ << "\n" << roff_escape(text) << "\n";
}

void RoffPage::literal(const std::vector<std::string>& lines) {
    out_ << ".PP\n.RS 4\n.nf\n";
    for (const auto& line : lines) out_ << roff_escape(line) << "\n";
    out_ << ".fi\n.RE\n";
}

void RoffPage::indent() { out_ << ".RS\n"; }

void RoffPage::outdent() { out_ << ".RE\n"; }

}  // namespace backstop::cli

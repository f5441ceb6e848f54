#include "cli/roff.h"

#include <cstdint>
#include <cstdio>

namespace backstop::cli::roff {

namespace {

// The code point of the UTF-8 sequence at `i` (advancing `i` past it); U+FFFD when malformed.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    auto byte = static_cast<unsigned char>(s[i++]);
    int extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : -1;
    if (extra < 0) return 0xFFFD;
    std::uint32_t cp = byte & (0x3F >> extra);
    for (int k = 0; k < extra; ++k) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    }
    return cp;
}

std::string named_character(std::uint32_t cp) {
    switch (cp) {
        case 0x2026: return "\\&...";
        case 0x2014: return "\\(em";
        case 0x2013: return "\\(en";
        case 0x2192: return "\\(->";
        case 0x2190: return "\\(<-";
        case 0x2265: return "\\(>=";
        case 0x2264: return "\\(<=";
        case 0x2212: return "\\-";
        case 0x2018: return "\\(oq";
        case 0x2019: return "\\(cq";
        case 0x201C: return "\\(lq";
        case 0x201D: return "\\(rq";
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\[u%04X]", static_cast<unsigned>(cp));
    return buf;
}

}  // namespace

std::string text(std::string_view in) {
    std::string out;
    bool bold = false;
    for (std::size_t i = 0; i < in.size();) {
        char c = in[i];
        bool line_start = out.empty() || out.back() == '\n';
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (static_cast<unsigned char>(c) >= 0x80) {
            out += named_character(next_code_point(in, i));
            continue;
        }
        ++i;
        if (c == '\\') out += "\\e";
        else if (c == '`') out += (bold = !bold) ? "\\fB" : "\\fR";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    if (bold) out += "\\fR";
    return out;
}

std::string header(std::string_view page, std::string_view section, std::string_view summary) {
    std::string upper;
    for (char c : page) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    return ".TH " + upper + " " + std::string(section) + " \"\" \"backstop " BACKSTOP_VERSION "\" \"backstop manual\"\n" +
           ".SH NAME\n" + text(page) + " \\- " + text(summary) + "\n";
}

}  // namespace backstop::cli::roff

namespace backstop::cli {

RoffPage::RoffPage(std::string_view page, std::string_view section, std::string_view summary) {
    out_ << roff::header(page, section, summary);
}

void RoffPage::heading(std::string_view title) { out_ << ".SH \"" << roff::text(title) << "\"\n"; }

void RoffPage::subheading(std::string_view title) { out_ << ".SS \"" << roff::text(title) << "\"\n"; }

void RoffPage::paragraph(std::string_view text) { out_ << ".PP\n" << roff::text(text) << "\n"; }

void RoffPage::item(std::string_view term, std::string_view argument, std::string_view text) {
    out_ << ".TP\n\\fB" << roff::text(term) << "\\fR";
    if (!argument.empty()) out_ << " \\fI" << roff::text(argument) << "\\fR";
    out_ << "\n" << roff::text(text) << "\n";
}

void RoffPage::literal(const std::vector<std::string>& lines) {
    out_ << ".PP\n.RS 4\n.nf\n";
    for (const auto& line : lines) out_ << roff::text(line) << "\n";
    out_ << ".fi\n.RE\n";
}

void RoffPage::indent() { out_ << ".RS\n"; }

void RoffPage::outdent() { out_ << ".RE\n"; }

}  // namespace backstop::cli

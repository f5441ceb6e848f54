// A man page as roff (the man macros): headings, paragraphs, tagged items and examples, with the
// text escaped so that any string from a table can go in. backstop(1) is written with it; more
// pages (backstop.toml(5), backstop-lua(7)) can be too.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace backstop::cli {

// `text` as roff input text: backslashes, hyphens (as \-, so options copy as typed), a leading
// `.` or `'`, and every non-ASCII character (as \[uXXXX]) escaped.
std::string roff_escape(std::string_view text);

class RoffPage {
public:
    // `.TH NAME SECTION "" "SOURCE" "MANUAL"`; no date, so a page is the same whenever it is built.
    RoffPage(std::string_view name, int section, std::string_view source, std::string_view manual);

    void heading(std::string_view title);     // .SH
    void subheading(std::string_view title);  // .SS
    void paragraph(std::string_view text);    // .PP
    // .TP: a bold term (with an optional italic argument after it) and its text.
    void item(std::string_view term, std::string_view argument, std::string_view text);
    // Lines shown as typed, indented and unfilled (commands, usage forms).
    void literal(const std::vector<std::string>& lines);
    void indent();    // .RS: what follows is indented, until outdent()
    void outdent();   // .RE

    std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
};

}  // namespace backstop::cli

// Writing man pages: roff text from plain text, so generated pages render without groff warnings,
// and RoffPage for a page made of headings, paragraphs, tagged items and literal lines.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace backstop::cli::roff {

// `text` as roff running text: backslashes escaped, `name` in bold, characters beyond ASCII as
// groff named characters, and a line starting with '.' or '\'' kept from being read as a request.
std::string text(std::string_view text);

// The .TH line and the NAME section: `page` "backstop.toml", `section` "5", `summary` one line.
std::string header(std::string_view page, std::string_view section, std::string_view summary);

}  // namespace backstop::cli::roff

namespace backstop::cli {

// A man page written section by section; every string goes through roff::text.
class RoffPage {
public:
    // Starts with roff::header: the .TH line (no date, so a page is the same whenever it is built) and NAME.
    RoffPage(std::string_view page, std::string_view section, std::string_view summary);

    void heading(std::string_view title);     // .SH
    void subheading(std::string_view title);  // .SS
    void paragraph(std::string_view text);    // .PP
    // .TP: a bold term (with an optional italic argument after it) and its text.
    void item(std::string_view term, std::string_view argument, std::string_view text);
    // Lines shown as typed, indented and unfilled (commands, usage forms).
    void literal(const std::vector<std::string>& lines);
    void indent();   // .RS: what follows is indented, until outdent()
    void outdent();  // .RE

    std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
};

}  // namespace backstop::cli

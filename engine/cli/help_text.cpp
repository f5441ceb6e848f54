#include "cli/help_text.h"

#include <algorithm>

#include "core/build_version.h"
#include "cli/reference.h"

namespace backstop::cli {

namespace {

constexpr std::size_t kLabelWidth = 24;

std::string joined(const std::vector<std::string>& words, const char* between) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : between) + w;
    return out;
}

// "  LABEL   help", the help on its own line when the label is too wide.
void print_row(std::ostream& out, const std::string& label, const std::string& help) {
    out << "  " << label;
    if (label.size() + 2 > kLabelWidth) out << "\n" << std::string(kLabelWidth + 2, ' ');
    else out << std::string(kLabelWidth - label.size(), ' ');
    out << help << "\n";
}

}  // namespace

std::string option_label(const OptionSpec& option) {
    std::string label = option.short_name.empty() ? option.name : option.short_name + ", " + option.name;
    if (option.kind == ValueKind::choice) return label + " " + joined(option.choices, "|");
    if (option.takes_value()) label += " " + option.value_name;
    return label;
}

std::string usage_text(const Verb& verb) {
    std::string out;
    for (std::size_t i = 0; i < verb.usage.size(); ++i) out += (i == 0 ? "usage: backstop " : "       backstop ") + verb.usage[i] + "\n";
    return out;
}

std::string version_line() { return "backstop " + build_version(); }

void print_overview(std::ostream& out) {
    out << version_line() << " - deployment rollback as policy\n\n"
        << "usage: backstop [GLOBAL OPTIONS] VERB [ARGS]\n"
        << "       backstop help VERB   (or backstop VERB --help)\n\nverbs:\n";
    std::size_t width = 0;
    for (const auto& v : verbs()) width = std::max(width, v.name.size());
    for (const auto& v : verbs())
        if (!v.hidden) out << "  " << v.name << std::string(width + 2 - v.name.size(), ' ') << v.summary << "\n";
    out << "\nglobal options:\n";
    for (const auto& o : global_options()) print_row(out, option_label(o), o.help);
    out << "\nexit codes:\n";
    for (const auto& c : exit_codes()) print_row(out, c.name, c.meaning);
    out << "\nSee `man backstop` for files and environment.\n";
}

void print_verb_help(std::ostream& out, const Verb& verb) {
    out << usage_text(verb) << "\n" << verb.summary << ".\n";
    out << "\noptions:\n";
    for (const auto& o : verb.options) print_row(out, option_label(o), o.help);
    out << "\nglobal options:";
    const auto& globals = global_options();
    for (std::size_t i = 0; i < globals.size(); ++i) out << (i == 0 ? " " : ", ") << option_label(globals[i]);
    out << " (see `backstop help`)\n\nexample" << (verb.examples.size() > 1 ? "s" : "") << ":\n";
    for (const auto& e : verb.examples) out << "  " << e << "\n";
}

}  // namespace backstop::cli

// fish: one `complete` line per verb, option and operand, conditioned on the verb already typed.
#include <algorithm>
#include <string_view>

#include "cli/completions.h"

namespace backstop::cli {

namespace {

// `text` as a single-quoted fish string.
std::string fish_quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

// The flags of `complete` for an option's value: none, files, folders, choices or service names.
std::string value_flags(const OptionSpec& o) {
    switch (o.kind) {
        case ValueKind::none: return "";
        case ValueKind::file:
        case ValueKind::path: return " -r -F";
        case ValueKind::dir: return " -x -a '(__fish_complete_directories)'";
        case ValueKind::service: return " -x -a '(__backstop_names services)'";
        case ValueKind::point: return " -x -a '(__backstop_names points)'";
        case ValueKind::choice: return " -x -a " + fish_quoted(completion::joined(o.choices));
        default: return " -x";
    }
}

std::string option_line(const OptionSpec& o, const std::string& condition) {
    std::string line = "complete -c backstop";
    if (!condition.empty()) line += " -n " + fish_quoted(condition);
    if (!o.short_name.empty()) line += " -s " + o.short_name.substr(1);
    return line + " -l " + o.name.substr(2) + value_flags(o) + " -d " + fish_quoted(o.help) + "\n";
}

void write_operand_line(std::ostream& out, ValueKind kind, const std::string& condition) {
    if (kind == ValueKind::service) out << "complete -c backstop -n " << fish_quoted(condition) << " -a '(__backstop_names services)'\n";
    else if (kind == ValueKind::point) out << "complete -c backstop -n " << fish_quoted(condition) << " -a '(__backstop_names points)'\n";
    else if (kind == ValueKind::file) out << "complete -c backstop -n " << fish_quoted(condition) << " -F\n";
}

// The operands of a verb: its words first (`points list`), then services or files.
void write_operands(std::ostream& out, const Verb& v, const std::string& on_verb) {
    const Operands& ops = v.operands;
    if (ops.max == 0) return;
    if (!ops.words.empty())
        out << "complete -c backstop -n " << fish_quoted(on_verb + "; and not __fish_seen_subcommand_from " + completion::joined(ops.words))
            << " -a " << fish_quoted(completion::joined(ops.words)) << "\n";
    std::vector<std::string> plain_words;
    for (const auto& w : ops.words)
        if (std::none_of(ops.word_kinds.begin(), ops.word_kinds.end(), [&](const auto& wk) { return wk.first == w; }))
            plain_words.push_back(w);
    const std::string after_words =
        ops.words.empty() ? on_verb : on_verb + "; and __fish_seen_subcommand_from " + completion::joined(plain_words);
    write_operand_line(out, ops.kind, after_words);
    for (const auto& [word, kind] : ops.word_kinds)
        write_operand_line(out, kind, on_verb + "; and __fish_seen_subcommand_from " + word);
}

}  // namespace

void write_fish_completion(std::ostream& out) {
    std::string names = "help";
    for (const Verb* v : completion::visible_verbs()) names += " " + v->name;
    const std::string no_verb = "not __fish_seen_subcommand_from " + names;
    out << "# fish completion for backstop(1), generated from its verb table by `backstop __generate fish`.\n"
        << "# Load it with `source backstop.fish`.\n\n"
        << "# The services or the point ids (__services, __points) of the policies and state named on the\n"
        << "# command line.\n"
        << "function __backstop_names\n"
        << "    set -l words (commandline -opc)\n"
        << "    set -l given\n"
        << "    for option in --policies --state\n"
        << "        if set -l at (contains -i -- $option $words)\n"
        << "            set -a given $option $words[(math $at + 1)]\n"
        << "        end\n"
        << "    end\n"
        << "    backstop $given __$argv[1] 2>/dev/null\n"
        << "end\n\n"
        << "complete -c backstop -f\n";
    for (const Verb* v : completion::visible_verbs())
        out << "complete -c backstop -n " << fish_quoted(no_verb) << " -a " << v->name << " -d " << fish_quoted(v->summary) << "\n";
    out << "complete -c backstop -n " << fish_quoted(no_verb) << " -a help -d 'Show the help of backstop or of a verb'\n"
        << "complete -c backstop -n '__fish_seen_subcommand_from help' -a " << fish_quoted(names.substr(5)) << "\n";
    for (const auto& o : global_options()) out << option_line(o, "");
    for (const Verb* v : completion::visible_verbs()) {
        const std::string on_verb = "__fish_seen_subcommand_from " + v->name;
        for (const auto& o : v->options) out << option_line(o, on_verb);
        write_operands(out, *v, on_verb);
    }
}

}  // namespace backstop::cli

// zsh: a #compdef function for fpath; _arguments for the options of the command line and of each verb.
#include <string_view>

#include "cli/completions.h"

namespace backstop::cli {

namespace {

// `text` inside a single-quoted _arguments spec: brackets end the description, quotes the word.
std::string spec_quoted(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else if (c == '[' || c == ']' || c == ':' || c == '\\') out += std::string("\\") + c;
        else out += c;
    }
    return out;
}

// `text` inside a single-quoted shell word.
std::string single_quoted(std::string_view text) {
    std::string out;
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out;
}

std::string action_for(ValueKind kind, const std::vector<std::string>& choices = {}) {
    switch (kind) {
        case ValueKind::file:
        case ValueKind::path: return "_files";
        case ValueKind::dir: return "_files -/";
        case ValueKind::service: return "_backstop_services";
        case ValueKind::point: return "_backstop_points";
        case ValueKind::choice: return "(" + completion::joined(choices) + ")";
        default: return " ";
    }
}

// One _arguments spec for an option, e.g. '(-y --yes)'{-y,--yes}'[do not ask]'.
std::string option_spec(const OptionSpec& o) {
    std::string value;
    if (o.takes_value()) value = ":" + spec_quoted(o.value_name) + ":" + action_for(o.kind, o.choices);
    const std::string help = "[" + spec_quoted(o.help) + "]";
    if (o.short_name.empty()) return "'" + o.name + (o.takes_value() ? "=" : "") + help + value + "'";
    return "'(" + o.short_name + " " + o.name + ")'{" + o.short_name + "," + o.name + "}'" + help + value + "'";
}

// The function completing the operands after a verb's first word when some words take another
// kind (`points delete ID`): a case on that word.
std::string word_kinds_function(const Verb& v) {
    std::string out = "_backstop_" + v.name + "_operand() {\n  case $words[2] in\n";
    for (const auto& [word, kind] : v.operands.word_kinds) out += "    (" + word + ") " + action_for(kind) + " ;;\n";
    return out + "    (*) " + action_for(v.operands.kind) + " ;;\n  esac\n}\n\n";
}

std::string operand_specs(const Verb& v) {
    const Operands& ops = v.operands;
    const std::string action = ops.word_kinds.empty() ? action_for(ops.kind) : "_backstop_" + v.name + "_operand";
    const std::string what = ops.kind == ValueKind::service && ops.word_kinds.empty() ? "service" : "argument";
    std::string out;
    std::size_t next = 1;
    if (!ops.words.empty() && ops.max >= 1) out += " '1:subcommand:(" + completion::joined(ops.words) + ")'", next = 2;
    if (ops.max == Operands::kAny) return out + " '*:" + what + ":" + action + "'";
    for (; next <= ops.max; ++next) out += " '" + std::to_string(next) + ":" + what + ":" + action + "'";
    return out;
}

void write_zsh_verb_cases(std::ostream& out) {
    std::string names;
    for (const Verb* v : completion::visible_verbs()) names += (names.empty() ? "" : " ") + v->name;
    out << "        case $words[1] in\n"
        << "          help) _arguments '1:verb:(" << names << ")' && ret=0 ;;\n";
    for (const Verb* v : completion::visible_verbs()) {
        out << "          " << v->name << ") _arguments -S $globals";
        for (const auto& o : v->options) out << " \\\n              " << option_spec(o);
        out << operand_specs(*v) << " && ret=0 ;;\n";
    }
    out << "        esac ;;\n";
}

}  // namespace

void write_zsh_completion(std::ostream& out) {
    out << "#compdef backstop\n"
        << "# zsh completion for backstop(1), generated from its verb table by `backstop __generate zsh`.\n"
        << "# Load it with `fpath=(FOLDER $fpath); autoload -Uz compinit; compinit` (FOLDER holds this _backstop).\n\n"
        << "# The services or the point ids (__services, __points) of the policies and state named on the\n"
        << "# command line.\n"
        << "_backstop_names() {\n"
        << "  local -a given names\n"
        << "  local i\n"
        << "  for ((i = 1; i < $#_backstop_words; i++)); do\n"
        << "    [[ $_backstop_words[i] == (--policies|--state) ]] && given+=($_backstop_words[i] $_backstop_words[i+1])\n"
        << "  done\n"
        << "  names=(${(f)\"$(backstop $given __$1 2>/dev/null)\"})\n"
        << "  _describe -t $1 $2 names\n"
        << "}\n\n"
        << "_backstop_services() { _backstop_names services service; }\n"
        << "_backstop_points() { _backstop_names points point; }\n\n";
    for (const Verb* v : completion::visible_verbs())
        if (!v->operands.word_kinds.empty()) out << word_kinds_function(*v);
    out
        << "_backstop() {\n"
        << "  local -a _backstop_words globals verbs\n"
        << "  _backstop_words=($words)\n"
        << "  local curcontext=$curcontext state line ret=1\n"
        << "  globals=(";
    for (const auto& o : global_options()) out << "\n    " << option_spec(o);
    out << "\n  )\n  verbs=(";
    for (const Verb* v : completion::visible_verbs()) out << "\n    '" << v->name << ":" << single_quoted(v->summary) << "'";
    out << "\n    'help:Show the help of backstop or of a verb'\n  )\n"
        << "  _arguments -C -S $globals '1: :->verb' '*:: :->args' && ret=0\n"
        << "  case $state in\n"
        << "    verb) _describe -t verbs verb verbs && ret=0 ;;\n"
        << "    args)\n"
        << "      curcontext=${curcontext%:*:*}:backstop-$words[1]:\n";
    write_zsh_verb_cases(out);
    out << "  esac\n"
        << "  return ret\n"
        << "}\n\n"
        << "_backstop \"$@\"\n";
}

}  // namespace backstop::cli

// bash: one function, _backstop, that finds the verb in COMP_WORDS and completes from a case per verb.
#include <map>

#include "cli/completions.h"

namespace backstop::cli {

namespace {

using completion::joined;

const char* kind_word(ValueKind kind) {
    switch (kind) {
        case ValueKind::service: return "service";
        case ValueKind::point: return "point";
        case ValueKind::file: return "file";
        default: return "text";
    }
}

std::vector<std::string> option_words(const std::vector<OptionSpec>& options) {
    std::vector<std::string> out;
    for (const auto& o : options) {
        out.push_back(o.name);
        if (!o.short_name.empty()) out.push_back(o.short_name);
    }
    return out;
}

// The compgen call that completes a value of `kind` (COMPREPLY=(...) or a compopt first).
std::string reply_for(ValueKind kind, const std::vector<std::string>& choices = {}) {
    switch (kind) {
        case ValueKind::file:
        case ValueKind::path: return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))";
        case ValueKind::dir: return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))";
        case ValueKind::service: return "COMPREPLY=($(compgen -W \"$(_backstop_names services)\" -- \"$cur\"))";
        case ValueKind::point: return "COMPREPLY=($(compgen -W \"$(_backstop_names points)\" -- \"$cur\"))";
        case ValueKind::choice: return "COMPREPLY=($(compgen -W '" + joined(choices) + "' -- \"$cur\"))";
        default: return "COMPREPLY=()";
    }
}

void write_value_cases(std::ostream& out) {
    out << "    case $prev in\n";
    std::map<std::string, std::vector<std::string>> names_by_reply;
    for (const auto& o : completion::every_option())
        if (o.takes_value()) names_by_reply[reply_for(o.kind, o.choices)].push_back(o.name);
    for (const auto& [reply, names] : names_by_reply) {
        std::string pattern;
        for (const auto& n : names) pattern += (pattern.empty() ? "" : "|") + n;
        out << "        " << pattern << ") " << reply << "; return ;;\n";
    }
    out << "    esac\n";
}

void write_bash_verb_cases(std::ostream& out) {
    std::vector<std::string> verb_names;
    for (const Verb* v : completion::visible_verbs()) verb_names.push_back(v->name);
    out << "    local options='' words='' kind='' wordkinds='' max=0\n"
        << "    case $verb in\n"
        << "        '') if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$globals\" -- \"$cur\"));\n"
        << "            else COMPREPLY=($(compgen -W '" << joined(verb_names) << " help' -- \"$cur\")); fi; return ;;\n"
        << "        help) words='" << joined(verb_names) << "'; max=1 ;;\n";
    for (const Verb* v : completion::visible_verbs()) {
        const Operands& ops = v->operands;
        std::vector<std::string> word_kinds;
        for (const auto& [word, kind] : ops.word_kinds) word_kinds.push_back(word + ":" + kind_word(kind));
        out << "        " << v->name << ") options='" << joined(option_words(v->options)) << "'; words='" << joined(ops.words)
            << "'; kind=" << kind_word(ops.kind) << "; wordkinds='" << joined(word_kinds)
            << "'; max=" << (ops.max == Operands::kAny ? -1 : static_cast<long>(ops.max)) << " ;;\n";
    }
    out << "        *) return ;;\n    esac\n";
}

}  // namespace

void write_bash_completion(std::ostream& out) {
    std::vector<std::string> globals = option_words(global_options());
    std::vector<std::string> takes_value;
    for (const auto& o : completion::every_option())
        if (o.takes_value() && o.name != "--policies" && o.name != "--state") takes_value.push_back(o.name);
    std::string skip;
    for (const auto& n : takes_value) skip += (skip.empty() ? "" : "|") + n;

    out << "# bash completion for backstop(1), generated from its verb table by `backstop __generate bash`.\n"
        << "# Load it with `source backstop.bash`.\n"
        << "# The services or the point ids (__services, __points) of the policies and state named on the\n"
        << "# command line: _backstop's locals policies and state.\n"
        << "_backstop_names() {\n"
        << "    backstop ${policies:+--policies \"$policies\"} ${state:+--state \"$state\"} \"__$1\" 2>/dev/null\n"
        << "}\n\n"
        << "_backstop() {\n"
        << "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
        << "    local globals='" << joined(globals) << "'\n"
        << "    local verb='' policies='' state='' i w\n"
        << "    local -a operands=()\n"
        << "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        << "        w=${COMP_WORDS[i]}\n"
        << "        case $w in\n"
        << "            --policies) policies=${COMP_WORDS[i+1]}; i=$((i + 1)) ;;\n"
        << "            --state) state=${COMP_WORDS[i+1]}; i=$((i + 1)) ;;\n"
        << "            " << skip << ") i=$((i + 1)) ;;\n"
        << "            -*) ;;\n"
        << "            *) if [[ -z $verb ]]; then verb=$w; else operands+=(\"$w\"); fi ;;\n"
        << "        esac\n"
        << "    done\n";
    write_value_cases(out);
    write_bash_verb_cases(out);
    out << "    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$options $globals\" -- \"$cur\")); return; fi\n"
        << "    if ((max >= 0 && ${#operands[@]} >= max)); then COMPREPLY=(); return; fi\n"
        << "    if ((${#operands[@]} == 0)) && [[ -n $words ]]; then COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")); return; fi\n"
        << "    for w in $wordkinds; do [[ ${operands[0]} == \"${w%%:*}\" ]] && kind=${w#*:}; done\n"
        << "    case $kind in\n"
        << "        service) " << reply_for(ValueKind::service) << " ;;\n"
        << "        point) " << reply_for(ValueKind::point) << " ;;\n"
        << "        file) " << reply_for(ValueKind::file) << " ;;\n"
        << "        *) COMPREPLY=() ;;\n"
        << "    esac\n"
        << "}\n"
        << "complete -F _backstop backstop\n";
}

}  // namespace backstop::cli

// backstop's entry point: global options, then one verb from the table in cli/verbs.cpp.
#include <iostream>

#include "cli/help_text.h"
#include "cli/logging.h"
#include "cli/verbs.h"
#include "core/did_you_mean.h"
#include "core/error.h"

using namespace backstop;
using namespace backstop::cli;

namespace {

// Every option of every verb, values unchecked: enough to find the verb and --help, whatever
// the verb's own options say about their values.
std::vector<OptionSpec> options_to_find_the_verb() {
    std::vector<OptionSpec> all = global_options();
    for (const auto& v : verbs())
        for (OptionSpec o : v.options) {
            if (o.takes_value()) o.kind = ValueKind::text;
            all.push_back(std::move(o));
        }
    return all;
}

const Verb& known_verb(const std::string& name) {
    if (const Verb* verb = find_verb(name)) return *verb;
    std::vector<std::string_view> names;
    for (const auto& v : verbs())
        if (!v.hidden) names.push_back(v.name);
    std::string message = "unknown verb `" + name + "`";
    if (auto guess = did_you_mean(name, names)) message += "; did you mean `" + *guess + "`?";
    throw UsageError{message + " (see `backstop help`)"};
}

// The operands after the verb: how many, and a first one from the verb's words (`points list`).
void check_operands(const Verb& verb, const std::vector<std::string>& positionals) {
    const Operands& ops = verb.operands;
    const std::size_t given = positionals.size() - 1;
    if (given > ops.max) throw UsageError{"unexpected argument `" + positionals[ops.max + 1] + "`"};
    if (given < ops.min) throw UsageError{"missing argument" + std::string(ops.min - given > 1 ? "s" : "")};
    if (given == 0 || ops.words.empty()) return;
    for (const auto& w : ops.words)
        if (w == positionals[1]) return;
    std::string list;
    for (std::size_t i = 0; i < ops.words.size(); ++i)
        list += (i == 0 ? "" : i + 1 == ops.words.size() ? " or " : ", ") + ops.words[i];
    throw UsageError{"`" + verb.name + "` takes " + list + ", not `" + positionals[1] + "`"};
}

// `backstop`, `backstop help [VERB]`, `backstop [VERB] --help`; nullopt when this is not a call for help.
std::optional<int> answer_help(const Args& first) {
    const auto& pos = first.positionals;
    if (pos.empty()) {
        // Nothing asked: the overview, as an error, for a script that forgot its verb.
        print_overview(first.has("--help") ? std::cout : std::cerr);
        return first.has("--help") ? 0 : static_cast<int>(Exit::usage);
    }
    if (pos[0] == "help") {
        if (pos.size() > 2) throw UsageError{"`help` takes one verb, not `" + pos[2] + "`"};
        if (pos.size() == 1) print_overview(std::cout);
        else print_verb_help(std::cout, known_verb(pos[1]));
        return 0;
    }
    if (!first.has("--help")) return std::nullopt;
    print_verb_help(std::cout, known_verb(pos[0]));
    return 0;
}

int run(const std::vector<std::string>& raw, const Verb*& verb) {
    Args first = parse_args(raw, options_to_find_the_verb());
    if (first.has("--version")) {
        std::cout << version_line() << "\n";
        return 0;
    }
    if (auto help = answer_help(first)) return *help;
    verb = &known_verb(first.positionals[0]);
    std::vector<OptionSpec> specs = global_options();
    specs.insert(specs.end(), verb->options.begin(), verb->options.end());

    App app;
    app.args = parse_args(raw, specs);
    check_operands(*verb, app.args.positionals);
    std::string format = app.args.value("--log-format").value_or("text");
    LogFormat log_format = format == "json" ? LogFormat::json : LogFormat::text;
    if (!app.args.has("--log-format") && stderr_is_journal()) log_format = LogFormat::journal;  // under systemd
    setup_logging(log_format, app.args.has("--verbose"));
    app.policies_path = app.args.value("--policies").value_or(default_policies_path().string());
    app.state_dir = app.args.value("--state").value_or(default_state_dir().string());
    app.json = app.args.has("--json");
    return verb->run(app);
}

// The verb a command line that did not parse names, if any: its usage helps with the mistake.
const Verb* verb_named_in(const std::vector<std::string>& raw) {
    for (const auto& word : raw)
        if (const Verb* verb = find_verb(word)) return verb;
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> raw(argv + 1, argv + argc);
    const Verb* verb = nullptr;  // once known, a usage error shows its usage
    try {
        return run(raw, verb);
    } catch (const UsageError& e) {
        std::cerr << "backstop: " << e.message << "\n";
        if (!verb) verb = verb_named_in(raw);
        if (verb) std::cerr << usage_text(*verb) << "(`backstop " << verb->name << " --help` shows its options)\n";
        return static_cast<int>(Exit::usage);
    } catch (const Error& e) {
        std::cerr << "backstop: error: " << e.what() << "\n";
        return static_cast<int>(Exit::failed);
    }
}

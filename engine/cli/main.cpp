// backstop's entry point: global options, then one verb from the table in cli/verbs.cpp.
#include <iostream>

#include "cli/editor_files.h"
#include "cli/logging.h"
#include "cli/verbs.h"
#include "core/error.h"

using namespace backstop;
using namespace backstop::cli;

namespace {

const std::vector<OptionSpec> kGlobalOptions = {
    {"--policies", true}, {"--state", true}, {"--log-format", true}, {"--verbose", false, "-v"}, {"--help", false, "-h"}, {"--version"}};

void print_help(std::ostream& out) {
    out << "backstop " BACKSTOP_VERSION " - deployment rollback as policy\n\n"
        << "usage: backstop [--policies PATH] [--state DIR] [--log-format text|json] [-v] VERB [ARGS]\n\nverbs:\n";
    for (const auto& v : verbs()) out << "  " << v.usage << "\n      " << v.summary << "\n";
    out << "\nglobal options:\n"
        << "  --policies PATH   policy file, or folder of *.toml (default $BACKSTOP_POLICIES or /etc/backstop)\n"
        << "  --state DIR       history and locks (default $BACKSTOP_STATE, /var/lib/backstop as root,\n"
        << "                    else $XDG_STATE_HOME/backstop or ~/.local/state/backstop)\n"
        << "  --log-format F    text (default) or json, for the log on stderr\n"
        << "  -v, --verbose     debug logging\n\n"
        << "exit codes: 0 done (verified, emergency or dry run), 1 failed or nothing to roll back to,\n"
        << "            2 switched but verification failed, 3 refused (locked or max_attempts),\n"
        << "            4 done but its end could not be written to history, 64 usage error\n";
}

const Verb* find_verb(const std::string& name) {
    for (const auto& v : verbs())
        if (v.name == name) return &v;
    return nullptr;
}

std::vector<OptionSpec> all_options() {
    std::vector<OptionSpec> all = kGlobalOptions;
    for (const auto& v : verbs()) all.insert(all.end(), v.options.begin(), v.options.end());
    return all;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> raw(argv + 1, argv + argc);
    try {
        // First pass only finds the verb; the second checks options against that verb's list.
        Args first = parse_args(raw, all_options());
        if (first.has("--version")) {
            std::cout << "backstop " BACKSTOP_VERSION "\n";
            return 0;
        }
        if (first.has("--help") || first.positionals.empty() || first.positionals[0] == "help") {
            print_help(first.positionals.empty() && !first.has("--help") ? std::cerr : std::cout);
            return first.positionals.empty() && !first.has("--help") ? static_cast<int>(Exit::usage) : 0;
        }
        if (first.positionals[0] == "__generate") return run_generate(first.positionals);
        const Verb* verb = find_verb(first.positionals[0]);
        if (!verb) throw UsageError{"unknown verb `" + first.positionals[0] + "`; see `backstop help`"};
        std::vector<OptionSpec> specs = kGlobalOptions;
        specs.insert(specs.end(), verb->options.begin(), verb->options.end());

        App app;
        app.args = parse_args(raw, specs);
        std::string format = app.args.value("--log-format").value_or("text");
        if (format != "text" && format != "json") throw UsageError{"--log-format must be text or json"};
        LogFormat log_format = format == "json" ? LogFormat::json : LogFormat::text;
        if (!app.args.has("--log-format") && stderr_is_journal()) log_format = LogFormat::journal;  // under systemd
        setup_logging(log_format, app.args.has("--verbose"));
        app.policies_path = app.args.value("--policies").value_or(default_policies_path().string());
        app.state_dir = app.args.value("--state").value_or(default_state_dir().string());
        app.json = app.args.has("--json");
        return verb->run(app);
    } catch (const UsageError& e) {
        std::cerr << "backstop: " << e.message << "\n";
        return static_cast<int>(Exit::usage);
    } catch (const Error& e) {
        std::cerr << "backstop: error: " << e.what() << "\n";
        return static_cast<int>(Exit::failed);
    }
}

// The CLI's verbs as a table: name, usage, one-line help, options (each with its help), operands,
// an example, and the function that runs it. Help, usage errors, the man page and the shell
// completions are all written from this table.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "cli/app.h"

namespace backstop::cli {

// What follows the verb on the command line, besides options.
struct Operands {
    static constexpr std::size_t kAny = static_cast<std::size_t>(-1);
    std::size_t min = 0;
    std::size_t max = 0;                 // kAny: no limit
    std::vector<std::string> words;      // a first operand that is one of these (`points list`)
    ValueKind kind = ValueKind::text;    // what the other operands are, for the completions
    // Words whose operands are of another kind than `kind`: `points delete` takes a point id.
    std::vector<std::pair<std::string, ValueKind>> word_kinds;
};

struct Verb {
    std::string name;
    std::vector<std::string> usage;  // each form without "backstop ": "rollback SERVICE [--to NAME] …"
    std::string summary;             // one line for `backstop help`
    std::vector<OptionSpec> options;
    Operands operands;
    std::vector<std::string> examples;  // whole command lines
    int (*run)(App& app);
    bool hidden = false;  // not in help, the man page or the completions (the build's and the completions' own)
};

const std::vector<Verb>& verbs();
const Verb* find_verb(const std::string& name);
// Options every verb takes: --policies, --state, --log-format, -v, --help, --version.
const std::vector<OptionSpec>& global_options();

int run_check(App& app);
int run_test(App& app);
int run_rollback(App& app);
int run_verify(App& app);
int run_points(App& app);
int run_history(App& app);
int run_history_add(App& app);  // `history add`, which run_history hands on
int run_eval(App& app);
int run_rules(App& app);
int run_pause(App& app);
int run_resume(App& app);
int run_serve(App& app);
int run_hotfix(App& app);
int run_generate(App& app);
int run_services(App& app);
int run_point_ids(App& app);
int run_simulate(App& app);

}  // namespace backstop::cli

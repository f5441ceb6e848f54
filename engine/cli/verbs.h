// The CLI's verbs as a table: name, options, one-line help, and the function that runs it.
#pragma once

#include <string>
#include <vector>

#include "cli/app.h"

namespace backstop::cli {

struct Verb {
    std::string name;
    std::string usage;    // "rollback SERVICE [--to NAME] …"
    std::string summary;  // one line for `backstop help`
    std::vector<OptionSpec> options;
    int (*run)(App& app);
};

const std::vector<Verb>& verbs();

int run_check(App& app);
int run_rollback(App& app);
int run_verify(App& app);
int run_points(App& app);
int run_history(App& app);
int run_eval(App& app);
int run_rules(App& app);
int run_pause(App& app);
int run_resume(App& app);
int run_serve(App& app);
int run_hotfix(App& app);
int run_simulate(App& app);

}  // namespace backstop::cli

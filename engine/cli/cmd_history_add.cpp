// `backstop history add`: a rollback done by hand, recorded as a manual entry through the same
// history writer (flock, one whole-line append, fdatasync) as every run backstop makes itself.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "runtime/rollback_runner.h"

namespace backstop::cli {

namespace {

std::string required_value(const App& app, const std::string& option, const std::string& value_name) {
    auto v = app.args.value(option);
    if (!v || v->empty()) throw UsageError{"history add needs " + option + " " + value_name};
    return *v;
}

// The entry as the command line gives it; the service's name and env are filled in once the
// policies know it. Throws UsageError before anything is read.
RunRecord entry_from_args(const App& app) {
    RunRecord r;
    r.run_id = new_run_id();
    r.from = required_value(app, "--from", "NAME");
    r.to = required_value(app, "--to", "NAME");
    r.reason = required_value(app, "--reason", "TEXT");
    // The verb table has checked the value against recordable_outcome_names().
    r.outcome = *outcome_from(required_value(app, "--outcome", "OUTCOME"));
    r.actor = app.args.value("--actor").value_or(default_actor());
    r.host = this_host();
    r.started_ms = r.ended_ms = now_epoch_ms();
    r.message = "rollback done by hand, recorded with `backstop history add`";
    r.manual_entry = true;
    return r;
}

void print_entry(const RunRecord& r, bool dry_run) {
    std::cout << (dry_run ? "Dry run (nothing will be recorded): would record " : "Recorded ") << r.run_id
              << " (manual entry): " << r.service << (r.env.empty() ? "" : " [" + r.env + "]") << " " << r.from << " -> "
              << r.to << ", " << to_string(r.outcome) << ", by " << r.actor << ": " << r.reason << "\n";
}

}  // namespace

int run_history_add(App& app) {
    const std::string& name = app.args.positionals.at(2);
    for (const char* option : {"--service", "--limit"})
        if (app.args.has(option)) throw UsageError{std::string("history add takes the service as its operand; ") + option + " is for the list"};
    RunRecord r = entry_from_args(app);
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(name, loaded);
    r.service = svc->name;
    r.env = svc->env;
    bool dry_run = app.args.has("--dry-run");
    if (!dry_run) app.history()->record(r);
    if (app.json) {
        nlohmann::json j = to_json(r);
        j["dry_run"] = dry_run;
        std::cout << json_text(j, 2) << "\n";
        return 0;
    }
    print_entry(r, dry_run);
    return 0;
}

}  // namespace backstop::cli

#include "cli/man_page.h"

#include "cli/reference.h"
#include "cli/verbs.h"
#include "cli/roff.h"

namespace backstop::cli {

namespace {

void write_option(RoffPage& page, const OptionSpec& o) {
    std::string term = o.short_name.empty() ? o.name : o.short_name + ", " + o.name;
    std::string argument = o.kind == ValueKind::choice ? "" : o.value_name;
    if (o.kind == ValueKind::choice)
        for (std::size_t i = 0; i < o.choices.size(); ++i) term += (i == 0 ? " " : "|") + o.choices[i];
    page.item(term, argument, o.help + ".");
}

void write_verb(RoffPage& page, const Verb& verb) {
    page.subheading(verb.name);
    std::vector<std::string> forms;
    for (const auto& form : verb.usage) forms.push_back("backstop " + form);
    page.literal(forms);
    page.paragraph(verb.summary + ".");
    if (!verb.options.empty()) {
        page.indent();
        for (const auto& o : verb.options) write_option(page, o);
        page.outdent();
    }
    page.paragraph(verb.examples.size() > 1 ? "Examples:" : "Example:");
    page.literal(verb.examples);
}

void write_table(RoffPage& page, const std::string& title, const std::vector<ReferenceEntry>& entries) {
    page.heading(title);
    for (const auto& e : entries) page.item(e.name, "", e.meaning + ".");
}

}  // namespace

void write_man_page(std::ostream& out) {
    RoffPage page("backstop", "1", "deployment rollback as policy");
    page.heading("SYNOPSIS");
    std::vector<std::string> synopsis = {"backstop [GLOBAL OPTIONS] VERB [ARGS]", "backstop help [VERB]", "backstop VERB --help",
                                         "backstop --version"};
    page.literal(synopsis);
    page.heading("DESCRIPTION");
    page.paragraph(
        "backstop makes rolling a deployment back a policy. Each service has a TOML policy (where its releases are, how it "
        "restarts, how it is verified, what triggers a rollback and which level) and optionally a Lua runbook. backstop checks "
        "them, watches health checks and metrics, decides between waiting for a hotfix and rolling back, and acts through "
        "built-in primitives (release folders, git, systemd, docker, webhooks), recording every run in its history.");
    page.paragraph(
        "Every verb that changes something takes --dry-run to show what it would do first, and every run says why it acted. "
        "The report goes to stdout and the log to stderr; verbs with --json print one JSON document on stdout.");
    page.heading("GLOBAL OPTIONS");
    page.paragraph("These go anywhere on the command line, before or after the verb.");
    for (const auto& o : global_options()) write_option(page, o);
    page.heading("VERBS");
    for (const auto& verb : verbs())
        if (!verb.hidden) write_verb(page, verb);
    write_table(page, "EXIT STATUS", exit_codes());
    write_table(page, "ENVIRONMENT", environment_variables());
    write_table(page, "FILES", files());
    page.heading("SEE ALSO");
    page.paragraph("backstop.toml(5) for the policy format, backstop-lua(7) for the runbook API, and the README of the "
                   "backstop sources for a tutorial.");
    out << page.text();
}

}  // namespace backstop::cli

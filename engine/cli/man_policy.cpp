// backstop.toml(5): every section of the policy format with its keys (type, default, what it
// means), the built-in rules and their parameters, all read from policy_keys.h and rules/.
#include <sstream>

#include "cli/man_pages.h"
#include "cli/roff.h"
#include "decide/expression.h"
#include "policy/policy_keys.h"
#include "policy/rule_library.h"

namespace backstop::cli {

namespace {

using policy::KeySpec;
using policy::KeyType;
using policy::Section;

std::string type_name(const KeySpec& k) {
    switch (k.type) {
        case KeyType::string: return "string";
        case KeyType::integer: return "integer";
        case KeyType::duration: return "duration";
        case KeyType::path: return "path";
        case KeyType::argv: return "array of strings (argv)";
        case KeyType::strings: return "array of strings";
        case KeyType::status_codes: return "integer or array of integers";
        case KeyType::string_table: return "table of strings";
        case KeyType::action: return "action";
        case KeyType::rule_names: return "array of rule names";
        case KeyType::table: return "table " + std::string(policy::section(k.content).title);
        case KeyType::tables: return "array of tables " + std::string(policy::section(k.content).title);
        case KeyType::named_tables: return "tables " + std::string(policy::section(k.content).title);
        case KeyType::environments: return "string, or tables " + std::string(policy::section(k.content).title);
    }
    return "value";
}

std::string quoted_list(std::span<const std::string_view> items) {
    std::string out;
    for (auto item : items) out += (out.empty() ? "\"" : ", \"") + std::string(item) + "\"";
    return out;
}

void key_entry(std::ostream& out, const KeySpec& k, std::string_view discriminator) {
    std::string facts = type_name(k);
    if (k.required) facts += "; required";
    if (!k.required_for.empty()) facts += "; required for " + std::string(discriminator) + " " + std::string(k.required_for);
    if (!k.default_value.empty()) facts += "; default " + std::string(k.default_value);
    if (!k.default_note.empty()) facts += "; default: " + std::string(k.default_note);
    if (k.min < k.max) facts += "; " + std::to_string(k.min) + " to " + std::to_string(k.max);
    out << ".TP\n\\fB" << roff::text(k.name) << "\\fR (" << roff::text(facts) << ")\n" << roff::text(k.description) << ".";
    if (!k.choices.empty()) out << " One of " << roff::text(quoted_list(k.choices)) << ".";
    if (!k.only_for.empty()) out << " Only for " << roff::text(discriminator) << " " << roff::text(k.only_for) << ".";
    out << "\n";
}

void section_entry(std::ostream& out, const policy::SectionSpec& s) {
    out << ".SS \"" << roff::text(s.title) << "\"\n" << roff::text(s.description) << "\n";
    for (const KeySpec& k : s.keys)
        if (s.id != Section::rule || k.name != "name") key_entry(out, k, s.discriminator);
}

void rules_section(std::ostream& out) {
    out << ".SH BUILT-IN RULES\n"
        << "Enabled with \\fBuse\\fR and tuned in [service.NAME.rules.RULE]; \\fBbackstop rules list\\fR shows them.\n";
    for (const auto& rule : policy::RuleLibrary::builtin().rules()) {
        out << ".TP\n\\fB" << roff::text(rule.name) << "\\fR\n" << roff::text(rule.description) << "\n";
        if (const policy::RawValue* when = rule.table->find("when"))
            out << ".br\nwhen: " << roff::text(when->text) << "\n";
        std::string params;
        for (const auto& [name, value] : rule.params)
            params += (params.empty() ? "" : ", ") + name + " = " + format_expression_number(value);
        if (!params.empty()) out << ".br\nparameters: " << roff::text(params) << "\n";
    }
}

constexpr const char* kPolicyDescription =
    "backstop reads its policies from TOML files: \\fB\\-\\-policies PATH\\fR names a file or a folder, in which every "
    "*.toml below it is loaded in path order. Each file holds [service.NAME] tables and [[notify]] channels. Unknown "
    "keys are errors (with a did-you-mean), so a typo never silently disables a safety setting; \\fBbackstop check\\fR "
    "reports every problem as FILE:LINE:COL.\n"
    ".PP\n"
    "Durations are strings with units ms, s, m, h, d, combinable (\"1h30m\"). Relative paths resolve against the "
    "folder of the policy file that contains them. An action is \"decide\", \"rollback\", \"rollback:LEVEL\", "
    "\"hotfix\", \"hotfix:DURATION\", \"page\" or \"none\". Patterns are POSIX extended regular expressions, as in "
    "grep \\-E. In [[notify]] channels, \"${env:NAME}\" is expanded only when a message is sent.\n"
    ".PP\n"
    "A JSON Schema of this format, backstop.schema.json, is generated from the same tables, so editors (taplo, VS "
    "Code's Even Better TOML) can check and complete policies as they are written.\n";

}  // namespace

std::string policy_man_page() {
    std::ostringstream out;
    out << roff::header("backstop.toml", "5", "backstop policy files")
        << ".SH SYNOPSIS\n/etc/backstop/*.toml, or the files named by \\fB\\-\\-policies\\fR or $BACKSTOP_POLICIES\n"
        << ".SH DESCRIPTION\n" << kPolicyDescription << ".SH SECTIONS\n";
    for (const auto& s : policy::sections()) section_entry(out, s);
    rules_section(out);
    out << ".SH EXAMPLE\n.nf\n"
        << "[service.web]\nstrategy = \"releases\"\nreleases = \"/srv/web/releases\"\ncurrent  = \"/srv/web/current\"\n"
        << "restart  = [\"systemctl\", \"restart\", \"web\"]\nuse      = [\"service_down\"]\n\n"
        << "[service.web.health]\nurl = \"http://127.0.0.1:8080/health\"\n\n"
        << "[[notify]]\nname = \"ops\"\ntype = \"webhook\"\nurl  = \"${env:OPS_WEBHOOK_URL}\"\n.fi\n"
        << ".SH SEE ALSO\n.BR backstop (1),\n.BR backstop\\-lua (7)\n";
    return out.str();
}

}  // namespace backstop::cli

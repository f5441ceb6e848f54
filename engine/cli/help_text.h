// `backstop help`, `backstop VERB --help` and the usage a usage error shows, written from the verb table.
#pragma once

#include <ostream>
#include <string>

#include "cli/verbs.h"

namespace backstop::cli {

// "-y, --yes", "--to NAME", "--log-format text|json".
std::string option_label(const OptionSpec& option);
// "usage: backstop rollback SERVICE …", one line per form.
std::string usage_text(const Verb& verb);
// "backstop 0.1.0 (abc1234)".
std::string version_line();

void print_overview(std::ostream& out);
void print_verb_help(std::ostream& out, const Verb& verb);

}  // namespace backstop::cli

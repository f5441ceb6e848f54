// Shell completions for bash, zsh and fish, written from the verb table: verbs, each verb's
// options and operands, and option values (files, folders, choices, service names from
// `backstop __services`).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/verbs.h"

namespace backstop::cli {

void write_bash_completion(std::ostream& out);
void write_zsh_completion(std::ostream& out);
void write_fish_completion(std::ostream& out);

// What the three have in common.
namespace completion {
// The verbs a person types (not the hidden ones), in table order.
std::vector<const Verb*> visible_verbs();
// Every option any verb or the command line as a whole takes, each name once.
std::vector<OptionSpec> every_option();
std::string joined(const std::vector<std::string>& words);
}  // namespace completion

}  // namespace backstop::cli

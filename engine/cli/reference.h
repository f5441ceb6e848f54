// What the help and the man page say about backstop beyond its verbs: exit codes, environment
// variables and files. One table each, so the two cannot disagree.
#pragma once

#include <string>
#include <vector>

namespace backstop::cli {

struct ReferenceEntry {
    std::string name;     // "64", "BACKSTOP_STATE", "/etc/backstop/"
    std::string meaning;  // one or two sentences
};

const std::vector<ReferenceEntry>& exit_codes();
const std::vector<ReferenceEntry>& environment_variables();
const std::vector<ReferenceEntry>& files();

}  // namespace backstop::cli

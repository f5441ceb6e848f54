// backstop(1): the command line — verbs, options, exit codes, environment and files — as a man
// page written from the verb table and the reference tables.
#pragma once

#include <ostream>

namespace backstop::cli {

void write_man_page(std::ostream& out);

}  // namespace backstop::cli

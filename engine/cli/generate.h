// The files the build writes from backstop's own tables (`backstop __generate NAME FILE`): man
// pages, shell completions, the policy JSON Schema and the LuaLS stubs. A new one is a writer,
// one more row in generated_files() and one more pair in backstop_generated (engine/CMakeLists.txt).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace backstop::cli {

struct GeneratedFile {
    std::string name;  // what `__generate` is asked for: "man1", "schema"
    std::string what;  // "backstop(1)", for messages
    void (*write)(std::ostream& out);
};

const std::vector<GeneratedFile>& generated_files();

}  // namespace backstop::cli

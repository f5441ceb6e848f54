// The hidden `__generate` verb: files generated from the engine's tables for editors and man.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backstop::cli {

// The text of one generated file ("schema", "man5", "man7", "lua-stubs"), nullopt for another name.
std::optional<std::string> generated_file(std::string_view what);

// positionals: {"__generate", WHAT [, FILE]}. Throws UsageError for a WHAT it does not know.
int run_generate(const std::vector<std::string>& positionals);

}  // namespace backstop::cli

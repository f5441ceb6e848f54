// Fuzz target, differential: whenever the one-pass TOML reader accepts a document, toml++ must
// accept it too and give the same RawValue tree (kinds, values, member order, every position).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "policy/toml_fast_reader.h"
#include "policy/toml_reader.h"

using namespace backstop;
using namespace backstop::policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string name = "fuzz.toml";
    auto fast = read_toml_fast(text, name);
    if (!fast) return 0;  // outside the subset or invalid: read_toml leaves it to toml++
    Diagnostics diagnostics;
    auto full = read_toml_with_tomlplusplus(text, name, diagnostics);
    if (!full) {
        std::fprintf(stderr, "toml++ refuses what the fast reader read:\n%s", diagnostics.to_text().c_str());
        fuzz::check(false, "toml++ reads every document the fast reader reads");
    }
    const std::string fast_text = tree_text(*fast), full_text = tree_text(*full);
    if (fast_text != full_text) {
        std::fprintf(stderr, "fast reader:\n%s\ntoml++:\n%s", fast_text.c_str(), full_text.c_str());
        fuzz::check(false, "both readers give the same tree");
    }
    return 0;
}

// Fuzz target: a policy document's text through the whole loader: read_toml (toml++) and the service
// and notify compilers, as `backstop check` runs them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "policy/policy.h"

using namespace backstop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    PolicySource source{"fuzz.toml", std::string(reinterpret_cast<const char*>(data), size), "/nonexistent/policies"};
    PolicyLoadResult loaded = load_policies({source});
    const std::string text = loaded.diagnostics.to_text();
    fuzz::check(loaded.successful() || !text.empty(), "a refused document says why");
    return 0;
}

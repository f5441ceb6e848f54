// Fuzz target: any bytes through the TOML reader and then the whole policy loader, as `check` reads
// a policy file. Never a crash; a refusal is one toml-syntax error inside the document; a tree has
// its members in key order (RawValue::find relies on it) and every position inside the document.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "policy/policy.h"
#include "policy/toml_reader.h"

using namespace backstop;
using namespace backstop::policy;

namespace {

void check_positions(const RawPosition& at, int lines, const std::string& name) {
    fuzz::check(at.file == &name, "positions name the document");
    fuzz::check(at.line >= 1 && at.line <= lines && at.column >= 1, "positions lie inside the document");
}

void check_tree(const RawValue& v, int lines, const std::string& name) {
    check_positions(v.at, lines, name);
    for (std::size_t i = 0; i < v.members.size(); ++i) {
        if (i > 0) fuzz::check(v.members[i - 1].key < v.members[i].key, "members are in key order, each key once");
        check_positions(v.members[i].key_at, lines, name);
        check_tree(v.members[i].value, lines, name);
    }
    for (const RawValue& item : v.items) check_tree(item, lines, name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string name = "fuzz.toml";
    const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    Diagnostics diagnostics;
    auto root = read_toml(text, name, diagnostics);
    if (root) {
        fuzz::check(diagnostics.items().empty(), "a document read is read without problems");
        // The root table of a document has no position of its own to check.
        for (const RawMember& m : root->members) check_tree(m.value, lines, name);
    } else {
        fuzz::check(diagnostics.items().size() == 1 && diagnostics.items()[0].code == "toml-syntax",
                    "a refused document gets one toml-syntax error");
        const SourcePosition& at = diagnostics.items()[0].where;
        fuzz::check(at.file == name && at.line >= 1 && at.line <= lines, "the error's line is in the document");
    }
    PolicyLoadResult loaded = load_policies({PolicySource{name, text, "/nonexistent/policies"}});
    fuzz::check(root || !loaded.successful(), "the loader refuses what the reader refuses");
    return 0;
}

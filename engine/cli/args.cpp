#include "cli/args.h"

namespace backstop::cli {

Args parse_args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
    Args out;
    bool options_done = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            out.positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        std::string name = a, inline_value;
        bool has_inline = false;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = a.substr(0, eq);
            inline_value = a.substr(eq + 1);
            has_inline = true;
        }
        const OptionSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == name || (!s.short_name.empty() && s.short_name == name)) spec = &s;
        if (!spec) throw UsageError{"unknown option " + name};
        if (!spec->takes_value) {
            if (has_inline) throw UsageError{spec->name + " takes no value"};
            out.flags.insert(spec->name);
            continue;
        }
        if (has_inline) {
            out.values[spec->name] = inline_value;
        } else {
            if (i + 1 >= argv.size()) throw UsageError{spec->name + " needs a value"};
            out.values[spec->name] = argv[++i];
        }
    }
    return out;
}

}  // namespace backstop::cli

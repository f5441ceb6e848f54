#include "cli/completions.h"

namespace backstop::cli {

namespace completion {

std::vector<const Verb*> visible_verbs() {
    std::vector<const Verb*> out;
    for (const auto& v : verbs())
        if (!v.hidden) out.push_back(&v);
    return out;
}

std::vector<OptionSpec> every_option() {
    std::vector<OptionSpec> out = global_options();
    auto add = [&](const OptionSpec& o) {
        for (const auto& seen : out)
            if (seen.name == o.name) return;
        out.push_back(o);
    };
    for (const Verb* v : visible_verbs())
        for (const auto& o : v->options) add(o);
    return out;
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

}  // namespace completion

}  // namespace backstop::cli

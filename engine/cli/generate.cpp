// `backstop __generate NAME FILE` (the build's) and `backstop __services` (the completions').
#include "cli/generate.h"

#include <fstream>
#include <iostream>

#include "cli/completions.h"
#include "cli/man_page.h"
#include "cli/verbs.h"
#include "core/error.h"

namespace backstop::cli {

const std::vector<GeneratedFile>& generated_files() {
    static const std::vector<GeneratedFile> files = {
        {"man1", "backstop(1)", write_man_page},
        {"bash", "the bash completion", write_bash_completion},
        {"zsh", "the zsh completion", write_zsh_completion},
        {"fish", "the fish completion", write_fish_completion},
    };
    return files;
}

int run_generate(App& app) {
    const std::string& name = app.args.positionals[1];
    const std::string& path = app.args.positionals[2];
    for (const auto& file : generated_files()) {
        if (file.name != name) continue;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        file.write(out);
        out.close();
        if (!out) throw Error("cannot write " + file.what + " to " + path);
        return 0;
    }
    std::string known;
    for (const auto& file : generated_files()) known += (known.empty() ? "" : ", ") + file.name;
    throw UsageError{"__generate: no generated file `" + name + "` (known: " + known + ")"};
}

// Quiet when the policies cannot be read: a completion shows nothing rather than an error.
int run_services(App& app) {
    PolicyLoadResult loaded = app.load_policies();
    for (const auto& [name, _] : loaded.policies.services) std::cout << name << "\n";
    return 0;
}

}  // namespace backstop::cli

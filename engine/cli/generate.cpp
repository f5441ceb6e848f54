// `backstop __generate NAME [FILE]` (the build's), `backstop __services` and `__points` (the completions').
#include "cli/generate.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/completions.h"
#include "cli/editor_files.h"
#include "cli/man_page.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "prim/point_store.h"
#include "prim/process_runner.h"

namespace backstop::cli {

const std::vector<GeneratedFile>& generated_files() {
    static const std::vector<GeneratedFile> files = {
        {"man1", "backstop(1)", write_man_page},
        {"bash", "the bash completion", write_bash_completion},
        {"zsh", "the zsh completion", write_zsh_completion},
        {"fish", "the fish completion", write_fish_completion},
        {"schema", "the policy JSON Schema", write_policy_schema},
        {"lua-stubs", "the LuaLS stubs", write_lua_stubs},
        {"man5", "backstop.toml(5)", write_policy_man_page},
        {"man7", "backstop-lua(7)", write_lua_man_page},
    };
    return files;
}

namespace {

const GeneratedFile& generated_file(const std::string& name) {
    for (const auto& file : generated_files())
        if (file.name == name) return file;
    std::string known;
    for (const auto& file : generated_files()) known += (known.empty() ? "" : ", ") + file.name;
    throw UsageError{"__generate: no generated file `" + name + "` (known: " + known + ")"};
}

// Written beside and renamed over, so a build interrupted midway leaves no half file behind.
void write_whole(const GeneratedFile& file, const std::string& path) {
    const std::string partial = path + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        file.write(out);
        if (!out.flush()) throw Error("cannot write " + file.what + " to " + partial);
    }
    if (std::rename(partial.c_str(), path.c_str()) != 0) throw Error("cannot rename " + partial + " to " + path);
}

}  // namespace

int run_generate(App& app) {
    const GeneratedFile& file = generated_file(app.args.positionals[1]);
    if (app.args.positionals.size() == 2) file.write(std::cout);
    else write_whole(file, app.args.positionals[2]);
    return 0;
}

// Quiet when the policies cannot be read: a completion shows nothing rather than an error.
int run_services(App& app) {
    PolicyLoadResult loaded = app.load_policies();
    for (const auto& [name, _] : loaded.policies.services) std::cout << name << "\n";
    return 0;
}

// Every point in the state, as `points delete` finds them: also those of services no longer in the
// policies, and without loading the policies on every TAB.
int run_point_ids(App& app) {
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    std::error_code ec;
    for (const auto& service : std::filesystem::directory_iterator(app.points_dir(), ec))
        if (service.is_directory(ec))
            for (const auto& p : store.list(service.path().filename().string())) std::cout << p.id << "\n";
    return 0;
}

}  // namespace backstop::cli

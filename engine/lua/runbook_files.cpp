#include "lua/runbook_files.h"

namespace backstop::lua {

namespace fs = std::filesystem;

std::string runbook_file_problem(const fs::path& file) {
    std::error_code ec;
    fs::path real = fs::canonical(file, ec);
    if (ec) return file.string() + ": " + ec.message();
    if (!fs::is_regular_file(real, ec)) return file.string() + (real != file ? " (-> " + real.string() + ")" : "") + " is not a regular file";
    if (real.extension() != ".lua")
        return file.string() + (real != file ? " (-> " + real.string() + ")" : "") +
               " is not a .lua file; runbooks and their modules must be";
    return {};
}

std::string module_file_problem(const fs::path& file, const fs::path& root) {
    if (std::string why = runbook_file_problem(file); !why.empty()) return why;
    std::error_code ec;
    fs::path real = fs::canonical(file, ec);
    fs::path real_root = fs::canonical(root, ec);
    if (ec) return root.string() + ": " + ec.message();
    fs::path inside = real.lexically_relative(real_root);
    if (inside.empty() || *inside.begin() == "..")
        return file.string() + " resolves to " + real.string() + ", outside " + real_root.string() +
               "; modules must be files inside the runbook's folder";
    return {};
}

}  // namespace backstop::lua

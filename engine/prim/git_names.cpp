#include "prim/git_names.h"

namespace backstop {

namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Problems every string handed to git shares: a reference that is never expanded here, a leading
// '-' that git would take for an option, control characters.
std::string argument_problem(std::string_view what, std::string_view text) {
    if (text.empty()) return std::string(what) + " is empty";
    if (text.find("${") != std::string_view::npos)
        return std::string(what) + " " + quoted(text) +
               " is passed to git as written: \"${env:…}\" is expanded only in [[notify]] channels";
    if (text.front() == '-') return std::string(what) + " " + quoted(text) + " starts with '-'";
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f) return std::string(what) + " " + quoted(text) + " contains a control character";
    return {};
}

std::string branch_component_problem(std::string_view name, std::string_view component) {
    if (component.empty()) return "branch " + quoted(name) + " has an empty path component";
    if (component.front() == '.') return "branch " + quoted(name) + " has a path component starting with '.'";
    if (component.ends_with(".lock")) return "branch " + quoted(name) + " has a path component ending in \".lock\"";
    return {};
}

}  // namespace

std::string git_branch_problem(std::string_view branch) {
    if (auto why = argument_problem("branch", branch); !why.empty()) return why;
    if (branch == "@" || branch == "HEAD") return "branch " + quoted(branch) + " is not a branch name";
    if (branch.find_first_of(" ~^:?*[\\") != std::string_view::npos)
        return "branch " + quoted(branch) + " may not contain a space or any of ~^:?*[\\";
    if (branch.find("..") != std::string_view::npos || branch.find("@{") != std::string_view::npos)
        return "branch " + quoted(branch) + " may not contain \"..\" or \"@{\"";
    if (branch.starts_with("refs/"))
        return "branch " + quoted(branch) + " is a full ref; write the branch's name (\"" +
               std::string(branch.starts_with("refs/heads/") ? branch.substr(11) : branch) + "\")";
    if (branch.back() == '.') return "branch " + quoted(branch) + " ends with '.'";
    std::size_t start = 0;
    while (true) {
        std::size_t slash = branch.find('/', start);
        std::string_view component = branch.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (auto why = branch_component_problem(branch, component); !why.empty()) return why;
        if (slash == std::string_view::npos) return {};
        start = slash + 1;
    }
}

std::string git_remote_problem(std::string_view remote) { return argument_problem("remote", remote); }

std::string git_revision_problem(std::string_view revision) { return argument_problem("revision", revision); }

}  // namespace backstop

// A git working tree, driven through the git CLI with a timeout per command. Errors name the
// command, git's exit code and the tail of its stderr.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/duration.h"
#include "prim/process_runner.h"

namespace backstop {

class GitCheckout {
public:
    GitCheckout(ProcessRunner& runner, std::filesystem::path dir, Duration timeout);

    // Runs `git ARGS` in the checkout; returns stdout. Throws Error on failure.
    std::string run(const std::vector<std::string>& args) const;

    std::string resolve(const std::string& rev) const;  // full commit id; throws when unknown
    std::string head() const;                           // full commit id of HEAD
    std::string short_id(const std::string& rev) const;
    std::string subject(const std::string& rev) const;  // first line of the commit message
    bool is_clean() const;                              // no changes to tracked files
    bool is_ancestor(const std::string& ancestor, const std::string& of) const;
    // Fetches `branch` of `remote` (its objects, and its remote-tracking ref when `remote` is a
    // configured remote); returns the full commit id of the branch's tip there. Throws Error.
    std::string fetch_tip(const std::string& remote, const std::string& branch) const;

    const std::filesystem::path& dir() const { return dir_; }

private:
    ProcessRunner& runner_;
    std::filesystem::path dir_;
    Duration timeout_;
};

}  // namespace backstop

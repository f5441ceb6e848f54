// What the CLI tests share: running the tools that read backstop's generated files (groff, man,
// bash, zsh, fish) and finding those files in the build tree.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "prim/process_runner.h"

namespace backstop::test {

// `argv` through the real process runner, with `env` added to the environment. A tool that is
// missing fails the test (`make test` installs them all), it never skips it.
ProcessResult run_tool(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});

// BUILD/relpath, e.g. build_file("man/backstop.1"); fails the test when the build did not write it.
std::string build_file(const std::string& relpath);

// The lines of `text`, without empty ones.
std::vector<std::string> lines_of(const std::string& text);

// PATH with the built binary's folder first, so completions that run `backstop` run this one.
std::map<std::string, std::string> env_with_backstop();

}  // namespace backstop::test

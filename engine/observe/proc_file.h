// A whole pseudo-file under /proc (/proc/stat, /proc/meminfo): the kernel reports their size as 0,
// so they are read until the end rather than by size.
#pragma once

#include <optional>
#include <string>

namespace backstop {

// The file's text (at most `max` bytes), or nullopt with `error` set ("no such file", strerror text).
std::optional<std::string> read_proc_file(const std::string& path, std::string& error, std::size_t max = 1u << 20);

}  // namespace backstop

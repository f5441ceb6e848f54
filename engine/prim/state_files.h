// The state folder (history, locks, points, watch state, pauses): folders 0750 and files 0640
// whatever the umask, every file opened with O_NOFOLLOW|O_CLOEXEC, and a folder others can write
// refused, so nobody but its owner can plant a link that makes backstop write somewhere else.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <sys/types.h>

namespace backstop {

inline constexpr mode_t kStateFolderMode = 0750;
inline constexpr mode_t kStateFileMode = 0640;

// Creates `root` and then `root/sub` one folder at a time, each new one with mode 0750 whatever the
// umask. `root` may be a symbolic link to a folder; the folders of `sub` may not. Throws Error naming
// the folder when one is not a folder, or others can write it.
void prepare_state_folder(const std::filesystem::path& root, const std::filesystem::path& sub = {});
// The same checks, creating nothing: a folder that does not exist passes (there is nothing to read).
void check_state_folder(const std::filesystem::path& root, const std::filesystem::path& sub = {});

// open(2) of a file in a checked state folder with O_NOFOLLOW|O_CLOEXEC added; a file it creates
// gets mode 0640 whatever the umask. Refuses a symbolic link or anything but a regular file.
// Returns -1 only when the file does not exist and `flags` lacks O_CREAT; otherwise throws Error
// ("cannot open WHAT FILE: …").
int open_state_file(const std::filesystem::path& file, int flags, const std::string& what);

// The whole file; nullopt when it does not exist. Throws Error as open_state_file does.
std::optional<std::string> read_state_file(const std::filesystem::path& file, const std::string& what);
// Replaces the file atomically: a new temp file beside it (O_EXCL, mode 0640), fsync, rename.
void write_state_file(const std::filesystem::path& file, const std::string& content, const std::string& what);
// Copies the file at `from` (any file the process can read) into `file` as write_state_file writes,
// 64 KiB at a time, and returns the SHA-256 (hex) of the bytes copied. Throws Error.
std::string copy_to_state_file(const std::filesystem::path& from, const std::filesystem::path& file, const std::string& what);
// The SHA-256 (hex) of a state file, read 64 KiB at a time; nullopt when it does not exist. Throws
// Error as open_state_file does, or when a read fails.
std::optional<std::string> sha256_of_state_file(const std::filesystem::path& file, const std::string& what);

}  // namespace backstop

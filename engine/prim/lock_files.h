// Service locks as flock(2) on one file per service: the kernel drops a lock whose holder died,
// so a crashed run never blocks the next one.
#pragma once

#include <filesystem>
#include <memory>

#include "core/service_lock.h"

namespace backstop {

std::unique_ptr<LockManager> make_lock_files(const std::filesystem::path& dir);

}  // namespace backstop

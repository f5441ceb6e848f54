// History as an append-only JSON-lines file: one line per record write, fsync'd, whole lines only.
#pragma once

#include <filesystem>
#include <memory>

#include "core/history_store.h"

namespace backstop {

std::unique_ptr<HistoryStore> make_history_file(const std::filesystem::path& file);

}  // namespace backstop

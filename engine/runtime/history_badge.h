// A service's status badge: its newest telling run as shields.io endpoint JSON
// ({"schemaVersion":1,"label","message","color"}), what `history badge` prints and `serve` answers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/history_store.h"
#include "core/service_lock.h"

namespace backstop {

// From `history`'s runs of `service`, newest first, the first that says how the service is: a
// rollback's outcome, a verification's, a run cut off or in progress. Dry runs and runs that changed
// nothing (refused, held back, paged, nothing to do) are passed over. No such run: "no runs", grey.
nlohmann::json service_badge(const std::string& service, HistoryStore& history, LockManager& locks);

}  // namespace backstop

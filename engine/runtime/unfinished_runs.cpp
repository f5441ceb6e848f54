#include "runtime/unfinished_runs.h"

namespace backstop {

void mark_incomplete_runs(std::vector<RunRecord>& runs, LockManager& locks) {
    for (auto& r : runs) {
        if (r.outcome != Outcome::running) continue;
        auto holder = locks.current_holder(r.service);
        if (!holder || holder->run_id != r.run_id) {
            r.outcome = Outcome::incomplete;
            if (r.message.empty()) r.message = "the run ended without recording its outcome (process killed?)";
        }
    }
}

}  // namespace backstop

// Mutual exclusion between runs of one service, across processes. The holder's identity is kept
// so a refused run can say who holds the lock and since when.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace backstop {

struct LockHolder {
    std::string run_id;
    std::string actor;
    std::string host;
    long pid = 0;
    std::int64_t since_ms = 0;
};

class HeldLock {
public:
    virtual ~HeldLock() = default;  // releases
    // The holder before us when it died holding the lock (a clean release leaves no holder
    // behind): its processes may still be running.
    virtual std::optional<LockHolder> dead_holder() const { return std::nullopt; }
};

class LockManager {
public:
    virtual ~LockManager() = default;
    // nullptr when another run holds it; `holder` is then filled with what that run wrote.
    virtual std::unique_ptr<HeldLock> try_acquire(const std::string& service, const LockHolder& me,
                                                  LockHolder* holder) = 0;
    // Who holds the lock right now, if anyone.
    virtual std::optional<LockHolder> current_holder(const std::string& service) = 0;
};

}  // namespace backstop

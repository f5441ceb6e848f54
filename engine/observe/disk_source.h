// A filesystem's space as a source: value = percent used as `df` computes it, used / (used +
// available to unprivileged users) * 100, rounded to 0.1, from statvfs(path). Always ok when statvfs
// answered: thresholds belong to triggers. statvfs can block for good on a hung network mount, so it
// runs on a thread of its own, waited for up to the timeout; while it has not answered, each look is
// `unknown` and waits again for the same call instead of starting another. Keeps no state.
#pragma once

#include <memory>

#include "observe/source.h"

namespace backstop {

class DiskSource : public Source {
public:
    explicit DiskSource(SourceSpec spec);
    Observation observe() override;

private:
    struct Call;  // one statvfs on its thread

    SourceSpec spec_;
    std::shared_ptr<Call> pending_;  // a call that has not answered yet
};

}  // namespace backstop

// A process named by a pid file as a source: ok while that pid is alive (kill(pid, 0) succeeds and
// it is not a zombie); state "running" or "dead"; value = the pid. A missing pid file means the
// process is gone (`failed`); an unreadable one, or one without a pid, is `unknown`. As with any pid
// file, a pid reused by an unrelated process after a crash looks alive.
#pragma once

#include "observe/source.h"

namespace backstop {

class ProcessSource : public Source {
public:
    explicit ProcessSource(SourceSpec spec);
    Observation observe() override;

private:
    SourceSpec spec_;
};

}  // namespace backstop

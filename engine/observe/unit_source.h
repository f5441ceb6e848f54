// A systemd unit as a source (through `systemctl [--user] show`): state = ActiveState, restarts =
// NRestarts (also the value); ok when active. A unit systemd does not know is `failed`; systemctl
// failing or timing out is `unknown`.
#pragma once

#include "observe/source.h"

namespace backstop {

class UnitSource : public Source {
public:
    UnitSource(SourceSpec spec, ProcessRunner& runner);
    Observation observe() override;

private:
    SourceSpec spec_;
    ProcessRunner& runner_;
};

}  // namespace backstop

// A program as a source (a check script): run without a shell, killed at the timeout. ok on exit 0;
// value = the exit code. A timeout or a signal is `failed`; a program that cannot start is `unknown`.
#pragma once

#include "observe/source.h"

namespace backstop {

class CommandSource : public Source {
public:
    CommandSource(SourceSpec spec, ProcessRunner& runner);
    Observation observe() override;

private:
    SourceSpec spec_;
    ProcessRunner& runner_;
};

}  // namespace backstop

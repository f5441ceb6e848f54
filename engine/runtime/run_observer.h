// Live progress of a run for whoever is watching (the terminal, a log). History gets the same
// steps at the end; this is for seeing them as they happen.
#pragma once

#include "core/run_record.h"

namespace backstop {

class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void step_started(const StepRecord&) {}
    virtual void step_finished(const StepRecord&) {}
    virtual void logged(const LogLine&) {}
};

}  // namespace backstop

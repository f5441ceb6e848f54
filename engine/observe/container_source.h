// A Docker container as a source (through `docker container inspect`): state = State.Status,
// restarts = RestartCount (also the value); ok when running and not restarting. No such container is
// `failed` (state "missing"); docker failing or timing out is `unknown`.
#pragma once

#include "observe/source.h"

namespace backstop {

class ContainerSource : public Source {
public:
    ContainerSource(SourceSpec spec, ProcessRunner& runner);
    Observation observe() override;

private:
    SourceSpec spec_;
    ProcessRunner& runner_;
};

}  // namespace backstop

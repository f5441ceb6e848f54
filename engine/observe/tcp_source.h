// A TCP port as a source: ok when a connection is accepted within the timeout; value = connect ms.
#pragma once

#include "observe/source.h"

namespace backstop {

class TcpSource : public Source {
public:
    explicit TcpSource(SourceSpec spec);
    Observation observe() override;

private:
    SourceSpec spec_;
};

}  // namespace backstop

// An HTTP endpoint as a source: one request per observation. ok when the status is expected (any
// 200-399 unless listed), the body matches `body_regex` and the answer came within `max_latency`.
// A refused or timed-out request is `failed` (the service is down), never `unknown`.
#pragma once

#include <memory>

#include "observe/source.h"
#include "core/text_pattern.h"

namespace backstop {

class HttpSource : public Source {
public:
    // Throws Error when the body regex does not compile.
    HttpSource(SourceSpec spec, HttpClient& http);
    Observation observe() override;

private:
    bool status_expected(long status) const;
    std::string expected_statuses() const;

    SourceSpec spec_;
    HttpClient& http_;
    std::unique_ptr<TextPattern> body_;  // null: the body is not checked
};

}  // namespace backstop

// A PromQL query as a source: GET <url>/api/v1/query?query=... The value is the number that came
// back: a scalar, or an instant vector with exactly one series. ok whenever a number came back
// (thresholds belong to triggers); unknown otherwise: Prometheus unreachable or erroring (its error
// text is kept), no series ("query returned no series"), several series (aggregate them, e.g. with
// sum or max), or a string or range-vector result.
#pragma once

#include <string>
#include <string_view>

#include "observe/source.h"

namespace backstop {

class PrometheusSource : public Source {
public:
    PrometheusSource(SourceSpec spec, HttpClient& http);
    Observation observe() override;

private:
    SourceSpec spec_;
    HttpClient& http_;
};

// `text` percent-encoded for a URL query (every byte but A-Z a-z 0-9 - . _ ~).
std::string url_query_encode(std::string_view text);

}  // namespace backstop

#include "observe/tcp_source.h"

#include "prim/tcp_probe.h"

namespace backstop {

TcpSource::TcpSource(SourceSpec spec) : spec_(std::move(spec)) {}

Observation TcpSource::observe() {
    Observation o = begin_observation(spec_);
    auto start = std::chrono::steady_clock::now();
    std::string error = tcp_connect_error(spec_.tcp().host, spec_.tcp().port, spec_.timeout);
    o.latency_ms = o.value = elapsed_ms(start);
    std::string where = "connect " + spec_.tcp().host + ":" + std::to_string(spec_.tcp().port);
    if (error.empty()) {
        o.status = ObservationStatus::ok;
        o.detail = where + " in " + format_ms(o.latency_ms);
    } else {
        o.status = ObservationStatus::failed;
        o.detail = where + ": " + error;
    }
    return o;
}

}  // namespace backstop

#include "observe/command_source.h"

namespace backstop {

namespace {

// "`check.sh --quick`", shortened when long: for details only.
std::string shown(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
    if (out.size() > 120) out = out.substr(0, 117) + "...";
    return "`" + out + "`";
}

}  // namespace

CommandSource::CommandSource(SourceSpec spec, ProcessRunner& runner) : spec_(std::move(spec)), runner_(runner) {}

Observation CommandSource::observe() {
    Observation o = begin_observation(spec_);
    ProcessRequest request;
    request.argv = spec_.command().argv;
    request.working_dir = spec_.command().working_dir;
    request.timeout = spec_.timeout;
    request.max_output = 64 * 1024;
    ProcessResult result = runner_.run(request);
    if (!result.started) {
        o.error = shown(request.argv) + " could not start: " + result.error;
        return o;
    }
    if (!result.timed_out && result.signal == 0 && !result.error.empty()) {  // its exit status was lost
        o.error = shown(request.argv) + ": " + result.error;
        return o;
    }
    o.detail = shown(request.argv) + ": " + result.summary();
    if (result.timed_out || result.signal != 0) {
        o.status = ObservationStatus::failed;
        return o;
    }
    o.value = result.exit_code;
    o.status = result.exit_code == 0 ? ObservationStatus::ok : ObservationStatus::failed;
    return o;
}

}  // namespace backstop

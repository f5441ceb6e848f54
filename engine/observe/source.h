// A source: one watched thing (SourceSpec) that produces one Observation each time it is asked.
// Sources never throw from observe(): every failure, timeout included, becomes an observation.
// Thread-safety: a source keeps state between calls (the log source remembers its place), so each
// source is used by one thread at a time; different sources may run on different threads as long as
// each thread has its own HttpClient (see SourceDeps). That state can outlive the process: see
// save_state / restore_state (for `backstop eval --once` from cron, a fresh process every run).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/observation.h"
#include "prim/http_client.h"
#include "prim/process_runner.h"

namespace backstop {

class Source {
public:
    virtual ~Source() = default;
    // Looks once, within the spec's timeout (log and process sources only read local files).
    virtual Observation observe() = 0;

    // What the source remembers between observations, as JSON to keep until the next process:
    // {} when its kind keeps nothing (log: its place in the file; cpu: the previous reading).
    virtual nlohmann::json save_state() const;
    // Continues from what save_state returned, possibly in another process. Call it before the first
    // observe(). A state it does not understand (garbage, another kind's, another file's) is ignored:
    // the source then behaves as a fresh one.
    virtual void restore_state(const nlohmann::json& state);
};

// What sources use to reach the world. Both must outlive the sources made with them, and the
// HttpClient must belong to the thread that calls observe() (libcurl handles are per thread).
struct SourceDeps {
    ProcessRunner& processes;
    HttpClient& http;
};

// Everything wrong with `spec` (missing URL, bad regex, port out of range...), one message each;
// empty when make_source will accept it. For the policy loader's diagnostics.
std::vector<std::string> source_spec_problems(const SourceSpec& spec);

// The source `spec` describes. Throws Error (naming the source) when source_spec_problems has any.
std::unique_ptr<Source> make_source(const SourceSpec& spec, SourceDeps deps);

// An observation of `spec` stamped now: name, kind and time set, status unknown, numbers NaN.
Observation begin_observation(const SourceSpec& spec);

// Milliseconds since `start` on the steady clock, with sub-millisecond precision.
double elapsed_ms(std::chrono::steady_clock::time_point start);
// A measured time for details: "0.4 ms", "12 ms", "2001 ms".
std::string format_ms(double ms);
// A size for details: "512 B", "3.4 KiB", "12.0 GiB".
std::string format_bytes(double bytes);
// `percent` rounded to one decimal, as details show it and `df` thinks of it.
double round_tenth(double percent);

}  // namespace backstop

#include "decide/trigger_schema.h"

namespace backstop {

ExpressionSchema trigger_schema() {
    using T = ValueType;
    ExpressionSchema s;
    s.add("value", T::number, "the source's number: latency ms (http, tcp), exit code (command), matching lines (log), restarts (unit, container), query result (prometheus)");
    s.add("ok", T::boolean, "the latest observation passed");
    s.add("failed", T::boolean, "the latest observation failed (the service did not pass)");
    s.add("unknown", T::boolean, "the source could not answer (timeout, Prometheus down, unreadable file)");
    s.add("latency_ms", T::number, "how long the latest request took");
    s.add("http_status", T::number, "the latest HTTP status; 0 when none arrived");
    s.add("state", T::string, "unit ActiveState, container State.Status, process running/dead");
    s.add("line", T::string, "log: the latest line that matched");
    s.add("event", T::string, "events: the alert or event name of the latest observation");
    s.add("restarts", T::number, "unit NRestarts, container RestartCount");
    s.add("consecutive_failures", T::number, "failed observations in a row, up to the latest");
    s.add("consecutive_successes", T::number, "ok observations in a row, up to the latest");
    s.add("consecutive_unknown", T::number, "unknown observations in a row, up to the latest");
    s.add("samples", T::number, "observations with a value within the trigger's window");
    s.add("avg", T::number, "mean of value over the window");
    s.add("min", T::number, "smallest value over the window");
    s.add("max", T::number, "largest value over the window");
    s.add("p50", T::number, "median of value over the window");
    s.add("p95", T::number, "95th percentile of value over the window");
    s.add("p99", T::number, "99th percentile of value over the window");
    s.add("baseline", T::number, "mean of value over the baseline period before the window");
    s.add("restarts_delta", T::number, "increase of restarts over the window");
    return s;
}

const ExpressionSchema& decision_schema() {
    static const ExpressionSchema schema = [] {
        using T = ValueType;
        ExpressionSchema s;
        s.add("trigger", T::string, "name of the trigger that fired");
        s.add("severity", T::string, "its severity: info, warning or critical");
        s.add("source", T::string, "the source it read");
        s.add("value", T::number, "the source's latest value");
        s.add("down", T::boolean, "the source's latest observation failed: the service does not answer");
        s.add("consecutive_failures", T::number, "failed observations in a row");
        s.add("hotfix_eta", T::number, "seconds until a declared hotfix (backstop hotfix SERVICE --eta); unknown when none");
        s.add("event", T::string, "for events: the alert name or event name");
        return s;
    }();
    return schema;
}

}  // namespace backstop

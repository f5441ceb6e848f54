#include "decide/trigger_policy.h"

namespace backstop {

const char* to_string(TriggerSeverity s) {
    switch (s) {
        case TriggerSeverity::info: return "info";
        case TriggerSeverity::warning: return "warning";
        case TriggerSeverity::critical: return "critical";
    }
    return "critical";
}

}  // namespace backstop

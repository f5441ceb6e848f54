// What a service watches and how it decides (issue "triggers"): its sources, the triggers over
// their observations, the decision rules (both in decide/trigger_policy.h) and the schedules. Part
// of the immutable policy model; expressions arrive compiled.
#pragma once

#include <string>
#include <vector>

#include "core/cron_schedule.h"
#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/observation.h"
#include "decide/trigger_policy.h"

namespace backstop {

struct ScheduleSpec {
    std::string cron_text;
    CronSchedule cron;
    ActionSpec then;
    SourcePosition defined_at;
};

struct WatchSettings {
    std::vector<SourceSpec> sources;
    std::vector<TriggerPolicy> triggers;
    std::vector<DecisionRule> decide;  // empty: the runbook's decide(ctx), else the default tree
    std::vector<ScheduleSpec> schedules;
    Duration cooldown{600'000};        // per service and trigger, after an action

    const SourceSpec* source(const std::string& name) const {
        for (const auto& s : sources)
            if (s.name == name) return &s;
        return nullptr;
    }
};

}  // namespace backstop

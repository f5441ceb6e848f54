// The watching part of a [service.NAME] table → WatchSettings: [service.NAME.source.X] tables,
// [[service.NAME.trigger]], `use` with [service.NAME.rules.RULE] tuning, [[service.NAME.decide]],
// [[service.NAME.schedule]] and `cooldown`. Expressions are compiled here, once.
#pragma once

#include "policy/compile_cache.h"
#include "policy/field_reader.h"
#include "policy/policy.h"
#include "policy/raw_value.h"
#include "policy/report.h"

namespace backstop::policy {

// `fields` reads the service table; `policy.health` must already be compiled (it is the default
// "health" source).
void compile_watch(FieldReader& fields, const PolicySource& source, Report& report, CompileCache& cache,
                   ServicePolicy& policy);

}  // namespace backstop::policy

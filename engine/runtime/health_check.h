// Health probes as a policy describes them: one probe, or probing until healthy.
#pragma once

#include <functional>

#include "core/url_redaction.h"
#include "lua/runbook_host.h"
#include "policy/policy.h"
#include "prim/http_client.h"

namespace backstop {

HealthResult probe_once(HttpClient& http, const HealthCheck& check);

// Probes every `interval` until one passes or `attempts` probes failed. `sleep` is how the wait
// is spent, so callers can stop early.
HealthResult wait_until_healthy(HttpClient& http, const HealthCheck& check, const std::function<void(Duration)>& sleep);

// Like wait_until_healthy, but bounded by `deadline` instead of a number of probes.
HealthResult wait_until_healthy_by(HttpClient& http, const HealthCheck& check, Duration deadline,
                                   const std::function<void(Duration)>& sleep);

// "GET http://…/health until 2xx, up to 30 probes every 100ms (1s each)"
std::string describe(const HealthCheck& check);

}  // namespace backstop

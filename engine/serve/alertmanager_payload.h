// Alertmanager's webhook body (webhook_config, payload version 4): a group of alerts, each with
// status, labels, annotations and startsAt/endsAt, read into IncomingEvents.
#pragma once

#include <string_view>

#include "serve/incoming_event.h"

namespace backstop {

// One IncomingEvent per entry of `alerts`: name = the `alertname` label, firing or resolved as the
// alert's own status says, its `fingerprint`, summary = the `summary` annotation (else
// `description`). Refuses a body that is not JSON, has no `alerts` array, names another `version`
// than "4", or holds an alert without a valid status or with labels that are not strings.
EventParse parse_alertmanager_payload(std::string_view body);

}  // namespace backstop

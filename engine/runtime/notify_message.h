// What a notification says about a finished run, per channel type: Slack blocks and a Discord embed
// coloured by outcome, the generic webhook JSON and an email. Functions of the record and a colour:
// no other channel settings, so nothing here can ever hold a secret.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run_record.h"

namespace backstop {

constexpr int kColourGreen = 0x2ECC71;   // succeeded, verified
constexpr int kColourRed = 0xE74C3C;     // failed, refused, incomplete, unhealthy
constexpr int kColourYellow = 0xF1C40F;  // verify_failed (a warning: switched, but not healthy), dry runs

// 0xRRGGBB of a message about a run that ended as `outcome`: the channel's `colors` entry for it
// (keyed by outcome name), else the default.
int outcome_colour(Outcome outcome, const std::map<std::string, int>& overrides = {});
// "#2ECC71"
std::string colour_hex(int colour);

// "web rolled back v2 -> v1: succeeded", "web rollback v2 -> v1: verify_failed", "web rollback: refused",
// "web verified healthy on v2: verified"
std::string headline(const RunRecord& run);

// {"text": headline, "attachments": [{"color": "#rrggbb", "blocks": [header, message, fields, reason, context]}]}:
// Slack colours only an attachment's bar, so the blocks go in one.
nlohmann::json slack_payload(const RunRecord& run, int colour);
// {"username": "backstop", "embeds": [{"title", "description", "color", "fields", "timestamp", "footer"}]}
nlohmann::json discord_payload(const RunRecord& run, int colour);
// {"event": outcome, "run": to_json(run)}
nlohmann::json webhook_payload(const RunRecord& run);

// "[backstop] web rolled back v2 -> v1: succeeded"
std::string email_subject(const RunRecord& run);
// The plain-text body: the fields, the message, the steps. "\n" line ends.
std::string email_body(const RunRecord& run);
// The whole message (headers and body) as SMTP carries it: CRLF line ends, lines kept short.
// `from` and `to` are used verbatim in the From and To headers.
std::string email_message(const RunRecord& run, const std::string& from, const std::vector<std::string>& to);

}  // namespace backstop

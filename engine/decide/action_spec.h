// What a trigger, decision rule or schedule does once it holds (`then`): decide, roll back (to a
// level), hotfix with a deadline, page, or nothing. Parsed from policy text, read by decide/ and runtime/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/duration.h"

namespace backstop {

// The `then` of a trigger, decision rule or schedule: "decide", "rollback", "rollback:full",
// "hotfix", "hotfix:15m", "page", "none".
struct ActionSpec {
    enum class Kind { decide, rollback, hotfix, page, none };
    Kind kind = Kind::decide;
    std::string level;             // rollback (and hotfix's fallback): the ladder's first level when empty
    Duration deadline{900'000};    // hotfix: roll back when the trigger still holds after this

    std::string text() const;      // as written in policies
};

// nullopt, with *why, when `text` is not an action; `allow_decide` is false where "decide" would
// loop (in decision rules).
std::optional<ActionSpec> parse_action(std::string_view text, bool allow_decide, std::string* why);

const char* to_string(ActionSpec::Kind k);

}  // namespace backstop

#include "decide/action_spec.h"

namespace backstop {

const char* to_string(ActionSpec::Kind k) {
    switch (k) {
        case ActionSpec::Kind::decide: return "decide";
        case ActionSpec::Kind::rollback: return "rollback";
        case ActionSpec::Kind::hotfix: return "hotfix";
        case ActionSpec::Kind::page: return "page";
        case ActionSpec::Kind::none: return "none";
    }
    return "none";
}

std::string ActionSpec::text() const {
    switch (kind) {
        case Kind::rollback: return level.empty() ? "rollback" : "rollback:" + level;
        case Kind::hotfix: return "hotfix:" + format_duration(deadline);
        default: return to_string(kind);
    }
}

std::optional<ActionSpec> parse_action(std::string_view text, bool allow_decide, std::string* why) {
    std::string_view head = text.substr(0, text.find(':'));
    std::string_view arg = head.size() < text.size() ? text.substr(head.size() + 1) : std::string_view{};
    bool has_arg = head.size() < text.size();
    ActionSpec a;
    auto no_arg = [&](ActionSpec::Kind k) -> std::optional<ActionSpec> {
        if (has_arg) {
            *why = "`" + std::string(head) + "` takes no argument";
            return std::nullopt;
        }
        a.kind = k;
        return a;
    };
    if (head == "decide") {
        if (!allow_decide) {
            *why = "a decision rule cannot `decide` again; use rollback, rollback:LEVEL, hotfix, page or none";
            return std::nullopt;
        }
        return no_arg(ActionSpec::Kind::decide);
    }
    if (head == "page") return no_arg(ActionSpec::Kind::page);
    if (head == "none") return no_arg(ActionSpec::Kind::none);
    if (head == "rollback") {
        a.kind = ActionSpec::Kind::rollback;
        a.level = std::string(arg);
        if (has_arg && arg.empty()) {
            *why = "`rollback:` needs a level, e.g. rollback:fast";
            return std::nullopt;
        }
        return a;
    }
    if (head == "hotfix") {
        a.kind = ActionSpec::Kind::hotfix;
        if (has_arg) {
            std::string d_why;
            auto d = parse_duration(arg, &d_why);
            if (!d) {
                *why = "hotfix deadline: " + d_why;
                return std::nullopt;
            }
            a.deadline = *d;
        }
        return a;
    }
    *why = "unknown action \"" + std::string(text) +
           "\"; accepted: decide, rollback, rollback:LEVEL, hotfix, hotfix:DURATION, page, none";
    return std::nullopt;
}

}  // namespace backstop

// Message content per channel type. Every type carries the same facts (service, env, from -> to,
// level, outcome, duration, actor, reason, trigger, host), cut to the receivers' documented limits
// so a long runbook message never turns a notification into a 400.
#include "runtime/notify_message.h"

#include <cstdio>
#include <ctime>
#include <utility>

#include "core/duration.h"

namespace backstop {

namespace {

// At most `max` bytes, never splitting a UTF-8 sequence; "…" marks a cut.
std::string cut(const std::string& s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t end = max >= 3 ? max - 3 : 0;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    return s.substr(0, end) + "\xE2\x80\xA6";
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

std::string transition(const RunRecord& run) {
    return (run.from.empty() ? std::string("(none)") : run.from) + " -> " + (run.to.empty() ? std::string("?") : run.to);
}

std::string level_text(const RunRecord& run) {
    std::string level = or_dash(run.level);
    if (run.mode != RunMode::normal) level += std::string(" (") + to_string(run.mode) + ")";
    return level;
}

std::string duration_text(const RunRecord& run) { return format_elapsed(Duration{run.duration_ms()}); }

// The facts every message shows, in the order people read them.
std::vector<std::pair<std::string, std::string>> facts(const RunRecord& run) {
    return {{"Service", run.service},  {"Env", or_dash(run.env)},        {"From -> To", transition(run)},
            {"Level", level_text(run)}, {"Outcome", to_string(run.outcome)}, {"Duration", duration_text(run)},
            {"Actor", or_dash(run.actor)}, {"Trigger", or_dash(run.trigger)}, {"Host", or_dash(run.host)}};
}

// Slack's mrkdwn treats these three as control characters.
std::string slack_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

const char* outcome_mark(Outcome o) {
    switch (o) {
        case Outcome::succeeded: return ":white_check_mark:";
        case Outcome::verify_failed: return ":warning:";
        case Outcome::dry_run: return ":memo:";
        case Outcome::nothing_to_do: return ":information_source:";
        case Outcome::verified: return ":large_green_circle:";
        default: return ":x:";
    }
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\r' || c == '\n') c = ' ';
    return s;
}

std::string base64(const std::string& in) {
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (i < in.size()) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// A header value: one line, RFC 2047-encoded when it is not plain ASCII.
std::string header_value(const std::string& s) {
    std::string line = one_line(s);
    for (char c : line)
        if (static_cast<unsigned char>(c) >= 0x80) return "=?UTF-8?B?" + base64(line) + "?=";
    return line;
}

std::string rfc5322_date(std::int64_t epoch_ms) {
    std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7], tm.tm_mday,
                  kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

}  // namespace

int outcome_colour(Outcome outcome, const std::map<std::string, int>& overrides) {
    if (auto it = overrides.find(to_string(outcome)); it != overrides.end()) return it->second;
    switch (outcome) {
        case Outcome::succeeded:
        case Outcome::verified:
        case Outcome::nothing_to_do: return kColourGreen;
        case Outcome::verify_failed:
        case Outcome::paged:
        case Outcome::awaiting_hotfix:
        case Outcome::suppressed:
        case Outcome::no_action:
        case Outcome::dry_run: return kColourYellow;
        default: return kColourRed;
    }
}

std::string colour_hex(int colour) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%06X", static_cast<unsigned>(colour) & 0xFFFFFFu);
    return buf;
}

std::string headline(const RunRecord& run) {
    std::string out = run.service;
    if (run.outcome == Outcome::verified || run.outcome == Outcome::unhealthy)
        return out + (run.outcome == Outcome::verified ? " verified healthy on " : " unhealthy on ") + or_dash(run.to) + ": " +
               to_string(run.outcome);
    if (!run.decision.is_null() && run.outcome != Outcome::succeeded && run.to.empty())
        return out + ": " + to_string(run.outcome) + " (" + run.trigger + ")";
    if (run.outcome == Outcome::succeeded)
        out += " rolled back " + transition(run);
    else if (!run.to.empty())
        out += " rollback " + transition(run);
    else
        out += " rollback";
    return out + ": " + to_string(run.outcome);
}

nlohmann::json slack_payload(const RunRecord& run, int colour) {
    nlohmann::json blocks = nlohmann::json::array();
    std::string title = std::string(outcome_mark(run.outcome)) + " " + headline(run);
    // plain_text header: 150 characters at most.
    blocks.push_back({{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", cut(title, 150)}, {"emoji", true}}}});
    if (!run.message.empty())
        blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", cut(slack_escape(run.message), 3000)}}}});
    nlohmann::json fields = nlohmann::json::array();  // ten at most
    for (const auto& [name, value] : facts(run))
        fields.push_back({{"type", "mrkdwn"}, {"text", cut("*" + slack_escape(name) + "*\n" + slack_escape(value), 2000)}});
    blocks.push_back({{"type", "section"}, {"fields", fields}});
    if (!run.reason.empty())
        blocks.push_back({{"type", "section"},
                          {"text", {{"type", "mrkdwn"}, {"text", cut("*Reason*\n" + slack_escape(run.reason), 3000)}}}});
    blocks.push_back({{"type", "context"},
                      {"elements", nlohmann::json::array({{{"type", "mrkdwn"},
                                                           {"text", "backstop run " + run.run_id + " at " +
                                                                        format_utc(run.ended_ms ? run.ended_ms : run.started_ms)}}})}});
    nlohmann::json attachment = {{"color", colour_hex(colour)}, {"blocks", blocks}};
    return {{"text", cut(headline(run), 3000)}, {"attachments", nlohmann::json::array({attachment})}};
}

nlohmann::json discord_payload(const RunRecord& run, int colour) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [name, value] : facts(run))
        fields.push_back({{"name", name}, {"value", cut(value, 1024)}, {"inline", true}});
    fields.push_back({{"name", "Reason"}, {"value", cut(or_dash(run.reason), 1024)}, {"inline", false}});
    nlohmann::json embed = {{"title", cut(headline(run), 256)},
                            {"color", colour},
                            {"fields", fields},
                            {"timestamp", format_utc(run.ended_ms ? run.ended_ms : run.started_ms)},
                            {"footer", {{"text", "backstop run " + run.run_id}}}};
    // Discord refuses an empty description.
    if (!run.message.empty()) embed["description"] = cut(run.message, 4096);
    return {{"username", "backstop"}, {"embeds", nlohmann::json::array({embed})}};
}

nlohmann::json webhook_payload(const RunRecord& run) { return {{"event", to_string(run.outcome)}, {"run", to_json(run)}}; }

std::string email_subject(const RunRecord& run) { return "[backstop] " + headline(run); }

std::string email_body(const RunRecord& run) {
    std::string out = headline(run) + "\n\n";
    auto all = facts(run);
    all.push_back({"Reason", or_dash(run.reason)});
    all.push_back({"Run", run.run_id});
    all.push_back({"Started", format_utc(run.started_ms)});
    for (const auto& [name, value] : all) {
        std::string label = name + ":";
        out += label + std::string(label.size() < 12 ? 12 - label.size() : 1, ' ') + value + "\n";
    }
    if (!run.message.empty()) out += "\n" + run.message + "\n";
    if (!run.steps.empty()) {
        out += "\nSteps:\n";
        for (const auto& s : run.steps) {
            out += "  [" + std::string(to_string(s.status)) + "] " + s.name + "  " + s.detail + "\n";
            if (!s.message.empty()) out += "      " + s.message + "\n";
        }
    }
    return out;
}

std::string email_message(const RunRecord& run, const std::string& from, const std::vector<std::string>& to) {
    std::string recipients;
    for (const auto& t : to) recipients += (recipients.empty() ? "" : ", ") + one_line(t);
    std::string out;
    auto header = [&](const char* name, const std::string& value) { out += std::string(name) + ": " + value + "\r\n"; };
    header("From", one_line(from));
    header("To", recipients);
    header("Subject", header_value(email_subject(run)));
    header("Date", rfc5322_date(run.ended_ms ? run.ended_ms : now_epoch_ms()));
    header("Message-ID", "<" + run.run_id + "." + std::to_string(now_epoch_ms()) + "@backstop>");
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=utf-8");
    header("Content-Transfer-Encoding", "8bit");
    header("X-Backstop-Outcome", to_string(run.outcome));
    out += "\r\n";
    // SMTP allows 998 bytes a line; runbook output can be longer.
    constexpr std::size_t kWrap = 900;
    std::string body = email_body(run);
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t nl = body.find('\n', pos);
        std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        while (line.size() > kWrap) {
            std::size_t at = kWrap;
            while (at > 0 && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) --at;
            out += line.substr(0, at) + "\r\n";
            line.erase(0, at);
        }
        out += line + "\r\n";
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

}  // namespace backstop

// One [[notify]] table → NotifyChannel. Its keys, types and events are those of policy_keys.cpp;
// keep NotifyChannel in policy.h and the README's Notifications section in step with them.
#include "policy/notify_compiler.h"

#include <algorithm>
#include <array>

#include "core/did_you_mean.h"
#include "core/env_template.h"
#include "policy/field_reader.h"
#include "policy/policy_keys.h"

namespace backstop::policy {

namespace {

constexpr std::string_view kLabel = "[notify]";  // FieldReader brackets it: "[[notify]]"

const std::span<const std::string_view> kTypes = find_key(Section::notify, "type")->choices;
const std::span<const std::string_view> kEvents = find_key(Section::notify, "events")->choices;
const std::span<const std::string_view> kTlsModes = find_key(Section::notify, "tls")->choices;

std::string listed(std::span<const std::string_view> list) {
    std::string out;
    for (auto k : list) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

bool valid_channel_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

// `text` must be a valid template; reported at `at` when it is not.
bool check_template(std::string_view key, const std::string& text, const SourcePosition& at, Report& report) {
    if (auto why = env_template_error(text)) {
        report.error("bad-value", at, "`" + std::string(key) + "`: " + *why);
        return false;
    }
    return true;
}

// For URLs that start with literal text, the scheme can be checked now; "${env:URL}" only at send time.
bool literal_scheme_ok(std::string_view url, std::initializer_list<std::string_view> schemes) {
    if (url.starts_with("${")) return true;
    for (auto s : schemes) {
        if (!url.starts_with(s)) continue;
        std::string_view rest = url.substr(s.size());
        return !rest.empty() && rest.front() != '/';
    }
    return false;
}

std::optional<NotifyType> type_named(std::string_view name) {
    if (name == "slack") return NotifyType::slack;
    if (name == "discord") return NotifyType::discord;
    if (name == "webhook") return NotifyType::webhook;
    if (name == "email") return NotifyType::email;
    return std::nullopt;
}

void compile_events(FieldReader& fields, NotifyChannel& channel, Report& report) {
    channel.events.assign(kEvents.begin(), kEvents.begin() + kDefaultNotifyEvents);
    auto events = fields.strings("events");
    if (!events) return;
    const RawValue& raw = *fields.table().find("events");
    if (events->empty()) {
        report.error("bad-value", raw.at, "`events` is empty, so the channel would never be used; leave it out to announce every outcome");
        return;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < events->size(); ++i) {
        const std::string& e = (*events)[i];
        if (is_choice(kEvents, e)) {
            if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
            continue;
        }
        std::string message;
        if (e == "dry_run")
            message = "dry runs are never announced: `rollback --dry-run` lists the channels as planned steps instead";
        else {
            message = "unknown event \"" + e + "\"";
            if (auto guess = did_you_mean(e, kEvents)) message += "; did you mean \"" + *guess + "\"?";
            message += " (events: " + listed(kEvents) + ")";
        }
        report.error("bad-value", raw.items[i].at, std::move(message));
    }
    channel.events = std::move(out);
}

// "#rrggbb" → 0xRRGGBB; nullopt for anything else.
std::optional<int> channel_hex_colour(std::string_view text) {
    if (text.size() != 7 || text[0] != '#') return std::nullopt;
    int value = 0;
    for (char c : text.substr(1)) {
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0) return std::nullopt;
        value = value * 16 + digit;
    }
    return value;
}

// The sub-table `key` of `table`; nullptr when it is absent, or not a table (reported: it must be `what`).
const RawValue* channel_sub_table(const RawValue& table, std::string_view key, std::string_view what, Report& report) {
    const RawValue* found = table.find(key);
    if (!found || found->is(RawValue::Kind::table)) return found;
    report.error("wrong-type", found->at,
                 "`" + std::string(key) + "` must be " + std::string(what) + ", got " + std::string(kind_name(found->kind)));
    return nullptr;
}

// `colors = { verified = "#2ECC71", failed = "#FF0000" }`: keys are event names, values "#rrggbb".
void compile_colors(const RawValue& table, NotifyChannel& channel, Report& report) {
    const RawValue* colors = channel_sub_table(table, "colors", "a table of \"#rrggbb\" by event, e.g. { verified = \"#2ECC71\" }", report);
    if (!colors) return;
    for (const RawMember& c : colors->members) {
        if (!is_choice(kEvents, c.key)) {
            std::string message = "`colors`: unknown event \"" + c.key + "\"";
            if (auto guess = did_you_mean(c.key, kEvents)) message += "; did you mean \"" + *guess + "\"?";
            report.error("unknown-key", c.key_at, message + " (events: " + listed(kEvents) + ")");
        } else if (!c.value.is(RawValue::Kind::string)) {
            report.error("wrong-type", c.value.at,
                         "`colors." + c.key + "` must be a string \"#rrggbb\", got " + std::string(kind_name(c.value.kind)));
        } else if (auto value = channel_hex_colour(c.value.text)) {
            channel.colors[c.key] = *value;
        } else {
            report.error("bad-value", c.value.at,
                         "`colors." + c.key + "` is \"" + c.value.text + "\"; write a colour as \"#rrggbb\", e.g. \"#2ECC71\"");
        }
    }
}

void compile_http(FieldReader& fields, NotifyChannel& channel, Report& report) {
    if (auto url = fields.string("url", false)) {
        const SourcePosition& at = fields.table().find("url")->at;
        if (check_template("url", *url, at, report)) {
            if (!literal_scheme_ok(*url, {"http://", "https://"}))
                report.error("bad-value", at, "`url` must be an http:// or https:// URL with a host, or \"${env:NAME}\"");
            else
                channel.url = *url;
            // Slack and Discord webhook URLs are credentials: anyone holding one can post.
            if (channel.type != NotifyType::webhook && env_names(*url).empty())
                report.warning("literal-secret", at,
                               "a " + std::string(to_string(channel.type)) +
                                   " webhook URL is a secret; keep it out of the policy with url = \"${env:NAME}\"");
        }
    } else if (!fields.table().find("url")) {
        fields.missing("url");
    }

    const RawValue* headers =
        channel_sub_table(fields.table(), "headers", "a table of strings, e.g. { Authorization = \"Bearer ${env:TOKEN}\" }", report);
    if (!headers) return;
    for (const RawMember& h : headers->members) {
        if (!h.value.is(RawValue::Kind::string)) {
            report.error("wrong-type", h.value.at,
                         "header `" + h.key + "` must be a string, got " + std::string(kind_name(h.value.kind)));
        } else if (h.key.empty() || h.key.find_first_of(" :\r\n") != std::string::npos ||
                   h.value.text.find_first_of("\r\n") != std::string::npos) {
            report.error("bad-value", h.key_at, "header `" + h.key + "` is not a valid HTTP header");
        } else if (check_template("headers." + h.key, h.value.text, h.value.at, report)) {
            channel.headers[h.key] = h.value.text;
        }
    }
}

// `tls`: a channel that logs in requires TLS unless the policy says "none", which `check` warns of.
void compile_tls(FieldReader& fields, NotifyChannel& channel, Report& report, const std::filesystem::path& base_dir) {
    const RawValue& table = fields.table();
    const bool login = table.find("username") != nullptr;
    channel.tls = login ? MailTls::required : MailTls::when_offered;
    if (auto tls = fields.string("tls")) {
        const SourcePosition& at = table.find("tls")->at;
        if (*tls == "required") {
            channel.tls = MailTls::required;
        } else if (*tls == "none") {
            channel.tls = MailTls::none;
            if (channel.smtp_url.rfind("smtps://", 0) == 0)
                report.error("bad-value", at, "`tls = \"none\"` contradicts `smtp_url`, whose smtps:// is TLS from the start");
            else if (login)
                report.warning("plain-login", at,
                               "`tls = \"none\"`: the login, password included, crosses the network in plain text; "
                               "use a server with STARTTLS or smtps://");
        } else {
            std::string message = "unknown `tls` \"" + *tls + "\"; accepted: " + listed(kTlsModes);
            if (auto guess = did_you_mean(*tls, kTlsModes)) message += "; did you mean \"" + *guess + "\"?";
            fields.bad_value("tls", std::move(message));
        }
    }
    if (auto ca = fields.path("ca_file", base_dir)) channel.ca_file = ca->string();
}

void compile_email(FieldReader& fields, NotifyChannel& channel, Report& report, const std::filesystem::path& base_dir) {
    const RawValue& table = fields.table();
    if (auto url = fields.string("smtp_url", false)) {
        const SourcePosition& at = table.find("smtp_url")->at;
        if (check_template("smtp_url", *url, at, report)) {
            if (!literal_scheme_ok(*url, {"smtp://", "smtps://"}))
                report.error("bad-value", at, "`smtp_url` must be an smtp:// or smtps:// URL with a host, or \"${env:NAME}\"");
            else
                channel.smtp_url = *url;
        }
    } else if (!table.find("smtp_url")) {
        fields.missing("smtp_url");
    }
    if (auto from = fields.string("from", false)) {
        if (check_template("from", *from, table.find("from")->at, report)) channel.from = *from;
    } else if (!table.find("from")) {
        fields.missing("from");
    }
    if (auto to = fields.strings("to")) {
        const RawValue& raw = *table.find("to");
        if (to->empty()) report.error("bad-value", raw.at, "`to` must name at least one recipient");
        for (std::size_t i = 0; i < to->size(); ++i) {
            if ((*to)[i].empty())
                report.error("bad-value", raw.items[i].at, "`to[" + std::to_string(i) + "]` must not be empty");
            else if (check_template("to", (*to)[i], raw.items[i].at, report))
                channel.to.push_back((*to)[i]);
        }
    } else if (!table.find("to")) {
        fields.missing("to");
    }
    if (auto user = fields.string("username", false)) {
        if (check_template("username", *user, table.find("username")->at, report)) channel.username = *user;
    }
    if (auto password = fields.string("password", false)) {
        const SourcePosition& at = table.find("password")->at;
        if (check_template("password", *password, at, report)) {
            channel.password = *password;
            if (env_names(*password).empty())
                report.warning("literal-secret", at, "`password` is written in the policy; use password = \"${env:NAME}\"");
        }
        if (!table.find("username"))
            report.error("missing-key", at, "`password` needs a `username` to log in with");
    }
    compile_tls(fields, channel, report, base_dir);
}


}  // namespace

std::span<const std::string_view> notify_events() { return kEvents; }

NotifyChannel compile_notify(const RawValue& table, Report& report, const std::filesystem::path& base_dir) {
    NotifyChannel channel;
    channel.defined_at = table.at;
    FieldReader fields(table, std::string(kLabel), report);
    fields.reject_unknown(key_names(Section::notify));

    if (auto name = fields.string("name", false)) {
        if (valid_channel_name(*name))
            channel.name = *name;
        else
            fields.bad_value("name", "channel name \"" + *name + "\" may only use letters, digits, '_', '-' and '.'");
    } else if (!table.find("name")) {
        fields.missing("name");
    }

    std::optional<NotifyType> type;
    if (auto t = fields.string("type")) {
        type = type_named(*t);
        if (!type) {
            std::string message = "unknown notification type \"" + *t + "\"; accepted: " + listed(kTypes);
            if (auto guess = did_you_mean(*t, kTypes)) message += "; did you mean \"" + *guess + "\"?";
            fields.bad_value("type", std::move(message));
        }
    } else if (!table.find("type")) {
        fields.missing("type");
    }

    compile_events(fields, channel, report);
    if (auto services = fields.strings("services")) channel.services = std::move(*services);
    if (auto d = fields.duration("timeout")) channel.timeout = *d;
    if (auto d = fields.duration("deadline")) channel.deadline = *d;
    if (channel.deadline < channel.timeout)
        fields.bad_value("deadline", "`deadline` (" + format_duration(channel.deadline) +
                                         ") covers every attempt, so it cannot be shorter than `timeout` (" +
                                         format_duration(channel.timeout) + ")");

    if (!type) {
        // The type-specific checks need a type; the syntax of references does not.
        for (std::string_view key : {"url", "smtp_url", "from", "username", "password"})
            if (auto text = fields.string(key)) check_template(key, *text, table.find(key)->at, report);
        return channel;
    }
    channel.type = *type;
    const bool email = *type == NotifyType::email;
    // Keys of the other kind of channel: known, but meaningless here.
    const std::string_view type_name = to_string(*type);
    for (const RawMember& m : table.members) {
        const KeySpec* spec = find_key(Section::notify, m.key);
        if (!spec || applies(*spec, type_name)) continue;
        std::vector<std::string_view> own;
        for (const KeySpec& k : section(Section::notify).keys)
            if (!k.only_for.empty() && applies(k, type_name)) own.push_back(k.name);
        report.error("unknown-key", m.key_at,
                     "`" + m.key + "` does not apply to a " + std::string(type_name) + " channel; it takes " + listed(own));
    }
    if (email) {
        compile_email(fields, channel, report, base_dir);
    } else {
        compile_http(fields, channel, report);
        if (*type != NotifyType::webhook) compile_colors(table, channel, report);  // webhook: reported above
    }
    return channel;
}

}  // namespace backstop::policy

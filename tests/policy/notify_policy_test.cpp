// [[notify]] channels in policies: what loads (defaults, each type, templates kept unexpanded) and
// every mistake reported with its code and FILE:LINE:COL.
#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "policy_test_support.h"

using namespace backstop;
using backstop::test::first_with_code;
using backstop::test::load_one;
using backstop::test::summary;
using Catch::Contains;
using Strings = std::vector<std::string>;

namespace {

// A valid service (4 lines) so channel lines start at line 5.
constexpr const char* kHead = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current = "/srv/web/current"
)";

PolicyLoadResult load_with(const std::string& tail) { return load_one(std::string(kHead) + tail); }

// Only the notify-related diagnostics: the service head's no-health-check warning is not news.
Strings notify_summary(const PolicyLoadResult& result) {
    Strings out;
    for (const auto& s : summary(result))
        if (s.rfind("no-health-check", 0) != 0) out.push_back(s);
    return out;
}

const Diagnostic* nth(const PolicyLoadResult& result, std::size_t n) {
    std::size_t i = 0;
    for (const auto& d : result.diagnostics.items()) {
        if (d.code == "no-health-check") continue;
        if (i++ == n) return &d;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("notify: the documented channels load, templates kept as written", "[policy][notify]") {
    auto result = load_with(R"(
[[notify]]
name     = "ops-discord"
type     = "discord"
url      = "${env:DISCORD_WEBHOOK_URL}"
events   = ["succeeded", "failed", "verify_failed", "refused"]
services = ["web"]
timeout  = "5s"
deadline = "30s"

[[notify]]
name     = "oncall-mail"
type     = "email"
smtp_url = "smtp://127.0.0.1:2525"
from     = "backstop <backstop@example.com>"
to       = ["oncall@example.com"]
username = "bot"
password = "${env:SMTP_PASSWORD}"
events   = ["failed", "verify_failed"]

[[notify]]
name    = "audit"
type    = "webhook"
url     = "https://audit.example/hooks/backstop"
headers = { Authorization = "Bearer ${env:AUDIT_TOKEN}" }
)");
    INFO(result.diagnostics.to_text());
    REQUIRE(result.successful());
    CHECK(notify_summary(result).empty());
    const auto& channels = result.policies.channels;
    REQUIRE(channels.size() == 3);

    const NotifyChannel& discord = channels[0];
    CHECK(discord.name == "ops-discord");
    CHECK(discord.type == NotifyType::discord);
    CHECK(discord.url == "${env:DISCORD_WEBHOOK_URL}");
    CHECK(discord.events == Strings{"succeeded", "failed", "verify_failed", "refused"});
    CHECK(discord.services == Strings{"web"});
    CHECK(discord.timeout == Duration{5000});
    CHECK(discord.deadline == Duration{30'000});
    CHECK(discord.defined_at.file == "web.toml");
    CHECK(discord.defined_at.line == 6);

    const NotifyChannel& mail = channels[1];
    CHECK(mail.type == NotifyType::email);
    CHECK(mail.smtp_url == "smtp://127.0.0.1:2525");
    CHECK(mail.from == "backstop <backstop@example.com>");
    CHECK(mail.to == Strings{"oncall@example.com"});
    CHECK(mail.username == "bot");
    CHECK(mail.password == "${env:SMTP_PASSWORD}");
    CHECK(mail.events == Strings{"failed", "verify_failed"});
    CHECK(mail.wants("web", "", "failed"));
    CHECK_FALSE(mail.wants("web", "", "succeeded"));

    const NotifyChannel& audit = channels[2];
    CHECK(audit.headers == std::map<std::string, std::string>{{"Authorization", "Bearer ${env:AUDIT_TOKEN}"}});
}

TEST_CASE("notify: defaults are every rollback outcome and pages, every service, 5s per attempt, 30s in all", "[policy][notify]") {
    auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"${env:HOOK_URL}\"\n");
    REQUIRE(result.successful());
    REQUIRE(result.policies.channels.size() == 1);
    const NotifyChannel& c = result.policies.channels[0];
    CHECK(c.events == Strings{"succeeded", "failed", "verify_failed", "refused", "manual", "paged", "awaiting_hotfix"});
    CHECK(c.services.empty());
    CHECK(c.timeout == Duration{5000});
    CHECK(c.deadline == Duration{30'000});
    CHECK(c.wants("anything", "", "refused"));
    CHECK_FALSE(c.wants("anything", "", "dry_run"));
}

TEST_CASE("notify: channels from several files, names unique across them", "[policy][notify]") {
    auto result = load_policies({
        PolicySource{"a.toml", std::string(kHead) + "[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\n", "/etc/backstop"},
        PolicySource{"b.toml", "[[notify]]\nname = \"other\"\ntype = \"webhook\"\nurl = \"http://y/\"\n\n"
                               "[[notify]]\nname = \"hook\"\ntype = \"slack\"\nurl = \"${env:SLACK}\"\n", "/etc/backstop"},
    });
    CHECK(notify_summary(result) == Strings{"duplicate-notify b.toml:7:8"});
    const Diagnostic* d = first_with_code(result, "duplicate-notify");
    REQUIRE(d);
    CHECK(d->message == "notify channel `hook` is already defined at a.toml:6; channel names must be unique");
    REQUIRE(result.policies.channels.size() == 2);
    CHECK(result.policies.channels[0].name == "hook");
    CHECK(result.policies.channels[0].url == "http://x/");
    CHECK(result.policies.channels[1].name == "other");
}

TEST_CASE("notify: unknown keys, with did-you-mean, and the top-level key itself", "[policy][notify]") {
    SECTION("a misspelt key in a channel") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\nevnts = [\"failed\"]\n");
        CHECK(notify_summary(result) == Strings{"unknown-key web.toml:9:1"});
        CHECK(nth(result, 0)->message == "unknown key `evnts` in [[notify]]; did you mean `events`?");
        CHECK(result.policies.channels.empty());
    }
    SECTION("a misspelt [[notify]]") {
        auto result = load_with("[[notfy]]\nname = \"hook\"\n");
        REQUIRE(first_with_code(result, "unknown-key"));
        CHECK_THAT(first_with_code(result, "unknown-key")->message, Contains("did you mean `notify`?"));
    }
    SECTION("[notify] as a single table") {
        auto result = load_with("[notify]\nname = \"hook\"\n");
        CHECK(notify_summary(result) == Strings{"wrong-type web.toml:5:1"});
        CHECK_THAT(nth(result, 0)->message, Contains("write each channel as [[notify]]"));
    }
    SECTION("keys of the other kind of channel") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\nto = [\"a@b\"]\n");
        CHECK(notify_summary(result) == Strings{"unknown-key web.toml:9:1"});
        CHECK(nth(result, 0)->message == "`to` does not apply to a webhook channel; it takes url, headers");
    }
}

TEST_CASE("notify: required keys, types and values", "[policy][notify]") {
    SECTION("missing name, type") {
        auto result = load_with("[[notify]]\nurl = \"http://x/\"\n");
        CHECK(notify_summary(result) == Strings{"missing-key web.toml:5:1", "missing-key web.toml:5:1"});
        CHECK(nth(result, 0)->message == "[[notify]] is missing the required key `name`");
        CHECK(nth(result, 1)->message == "[[notify]] is missing the required key `type`");
    }
    SECTION("missing url") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"discord\"\n");
        CHECK(notify_summary(result) == Strings{"missing-key web.toml:5:1"});
        CHECK(nth(result, 0)->message == "[[notify]] is missing the required key `url`");
    }
    SECTION("an email channel without smtp_url, from, to") {
        auto result = load_with("[[notify]]\nname = \"mail\"\ntype = \"email\"\n");
        CHECK(notify_summary(result) == Strings{"missing-key web.toml:5:1", "missing-key web.toml:5:1", "missing-key web.toml:5:1"});
        CHECK_THAT(nth(result, 2)->message, Contains("`to`"));
    }
    SECTION("a bad type, with did-you-mean") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"discrod\"\nurl = \"http://x/\"\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:7:8"});
        CHECK(nth(result, 0)->message ==
              "unknown notification type \"discrod\"; accepted: slack, discord, webhook, email; did you mean \"discord\"?");
    }
    SECTION("wrong types") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\n"
                                "events = \"failed\"\nservices = [\"web\", 3]\ntimeout = 5\n");
        CHECK(notify_summary(result) ==
              Strings{"wrong-type web.toml:9:10", "wrong-type web.toml:10:20", "wrong-type web.toml:11:11"});
        CHECK(nth(result, 0)->message == "`events` must be an array of strings, got string");
        CHECK(nth(result, 1)->message == "`services[1]` must be a string, got integer");
    }
    SECTION("unknown events, with did-you-mean; dry runs are never announced") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\n"
                                "events = [\"failed\", \"suceeded\", \"dry_run\", \"exploded\"]\n");
        CHECK(notify_summary(result) ==
              Strings{"bad-value web.toml:9:21", "bad-value web.toml:9:33", "bad-value web.toml:9:44"});
        CHECK(nth(result, 0)->message ==
              "unknown event \"suceeded\"; did you mean \"succeeded\"? (events: succeeded, failed, verify_failed, refused, manual, paged, awaiting_hotfix, suppressed, no_action, nothing_to_do, verified, unhealthy)");
        CHECK_THAT(nth(result, 1)->message, Contains("dry runs are never announced"));
        CHECK(nth(result, 2)->message == "unknown event \"exploded\" (events: succeeded, failed, verify_failed, refused, manual, paged, awaiting_hotfix, suppressed, no_action, nothing_to_do, verified, unhealthy)");
    }
    SECTION("an empty event list") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\nevents = []\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:9:10"});
    }
    SECTION("a URL that is not http(s), and an smtp_url that is not smtp(s)") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"ftp://x/\"\n\n"
                                "[[notify]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"http://x\"\nfrom = \"a@b\"\nto = [\"c@d\"]\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:8:7", "bad-value web.toml:13:12"});
    }
    SECTION("a deadline shorter than one attempt") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\ntimeout = \"10s\"\ndeadline = \"2s\"\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:10:12"});
        CHECK_THAT(nth(result, 0)->message, Contains("cannot be shorter than `timeout` (10s)"));
    }
    SECTION("a password without a username") {
        auto result = load_with("[[notify]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://x\"\nfrom = \"a@b\"\n"
                                "to = [\"c@d\"]\npassword = \"${env:P}\"\n");
        CHECK(notify_summary(result) == Strings{"missing-key web.toml:11:12"});
    }
    SECTION("a bad channel name") {
        auto result = load_with("[[notify]]\nname = \"ops discord\"\ntype = \"webhook\"\nurl = \"http://x/\"\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:6:8"});
    }
}

TEST_CASE("notify: ${env:NAME} references are checked where they are written", "[policy][notify]") {
    struct Case {
        const char* url;
        const char* message;
    };
    const Case cases[] = {
        {"${env:HOOK_URL", "`url`: unterminated reference `${env:HOOK_URL`; write ${env:NAME}"},
        {"${HOOK_URL}", "`url`: `${HOOK_URL}` is not a reference backstop knows; only ${env:NAME} is supported"},
        {"https://x/${env:}", "`url`: `${env:}` names no environment variable"},
        {"${env:1HOOK}", "`url`: `${env:1HOOK}`: `1HOOK` is not an environment variable name (letters, digits and _, not starting with a digit)"},
    };
    for (const Case& c : cases) {
        auto result = load_with(std::string("[[notify]]\nname = \"hook\"\ntype = \"slack\"\nurl = \"") + c.url + "\"\n");
        INFO(c.url);
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:8:7"});
        CHECK(nth(result, 0)->message == c.message);
        CHECK(result.policies.channels.empty());
    }
    SECTION("in a password and a header, and with an unknown type") {
        auto result = load_with("[[notify]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://x\"\nfrom = \"a@b\"\n"
                                "to = [\"c@d\"]\nusername = \"u\"\npassword = \"${env:PASS\"\n\n"
                                "[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\nheaders = { X-Token = \"${TOKEN}\" }\n\n"
                                "[[notify]]\nname = \"other\"\ntype = \"pager\"\nurl = \"${env:\"\n");
        CHECK(notify_summary(result) ==
              Strings{"bad-value web.toml:12:12", "bad-value web.toml:18:23", "bad-value web.toml:22:8", "bad-value web.toml:23:7"});
    }
}

TEST_CASE("notify: warnings for secrets written into the policy and for unknown services", "[policy][notify]") {
    auto result = load_with("[[notify]]\nname = \"slack\"\ntype = \"slack\"\nurl = \"https://hooks.slack.com/services/T/B/x\"\n"
                            "services = [\"wbe\", \"web\"]\n\n"
                            "[[notify]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://x\"\nfrom = \"a@b\"\n"
                            "to = [\"c@d\"]\nusername = \"u\"\npassword = \"hunter2\"\n");
    INFO(result.diagnostics.to_text());
    CHECK(result.successful());
    CHECK(notify_summary(result) == Strings{"literal-secret web.toml:8:7", "unknown-service web.toml:9:13", "literal-secret web.toml:18:12"});
    CHECK(nth(result, 1)->message == "notify channel `slack` names service `wbe`, which no policy defines; did you mean `web`?");
    CHECK(result.policies.channels.size() == 2);
}

TEST_CASE("notify: a service another file defines is known", "[policy][notify]") {
    auto result = load_policies({
        PolicySource{"notify.toml", "[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\nservices = [\"web\"]\n", "/etc/backstop"},
        PolicySource{"web.toml", kHead, "/etc/backstop"},
    });
    CHECK(notify_summary(result).empty());
    CHECK(result.policies.channels.size() == 1);
}

TEST_CASE("notify: `tls` of an email channel, required by default with a login, and `ca_file`", "[policy][notify]") {
    // Lines 5-10; what each section adds starts on line 11.
    const std::string mail = "[[notify]]\nname = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://x\"\nfrom = \"a@b\"\nto = [\"c@d\"]\n";
    const std::string login = "username = \"u\"\npassword = \"${env:P}\"\n";
    auto channel = [](const PolicyLoadResult& r) -> const NotifyChannel& {
        INFO(r.diagnostics.to_text());
        REQUIRE(r.successful());
        REQUIRE(r.policies.channels.size() == 1);
        return r.policies.channels[0];
    };
    SECTION("a login without `tls`: TLS required") {
        auto result = load_with(mail + login);
        CHECK(channel(result).tls == MailTls::required);
        CHECK(notify_summary(result).empty());
    }
    SECTION("no login: STARTTLS when offered") {
        CHECK(channel(load_with(mail)).tls == MailTls::when_offered);
    }
    SECTION("tls = \"none\" with a login loads, warned of at its value") {
        auto result = load_with(mail + login + "tls = \"none\"\n");
        CHECK(channel(result).tls == MailTls::none);
        CHECK(notify_summary(result) == Strings{"plain-login web.toml:13:7"});
        CHECK_THAT(nth(result, 0)->message, Contains("password included, crosses the network in plain text"));
    }
    SECTION("tls = \"required\" without a login, and a ca_file relative to the policy's folder") {
        auto result = load_with(mail + "tls = \"required\"\nca_file = \"certs/ca.pem\"\n");
        CHECK(channel(result).tls == MailTls::required);
        CHECK(channel(result).ca_file == "/etc/backstop/certs/ca.pem");
        CHECK(notify_summary(result).empty());
    }
    SECTION("an unknown value, with did-you-mean") {
        auto result = load_with(mail + login + "tls = \"requried\"\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:13:7"});
        CHECK(nth(result, 0)->message == "unknown `tls` \"requried\"; accepted: required, none; did you mean \"required\"?");
    }
    SECTION("tls = \"none\" with smtps://") {
        std::string smtps = mail;
        smtps.replace(smtps.find("smtp://x"), 8, "smtps://x");
        auto result = load_with(smtps + "tls = \"none\"\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:11:7"});
    }
    SECTION("`tls` and `ca_file` on a webhook: keys of email channels") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\ntls = \"none\"\nca_file = \"/x\"\n");
        CHECK(notify_summary(result) == Strings{"unknown-key web.toml:9:1", "unknown-key web.toml:10:1"});
    }
}

TEST_CASE("notify: `colors` by event as \"#rrggbb\", each mistake at its position", "[policy][notify]") {
    SECTION("overrides load as 0xRRGGBB; the other outcomes keep their defaults") {
        auto result = load_with("[[notify]]\nname = \"ops\"\ntype = \"discord\"\nurl = \"${env:U}\"\n"
                                "colors = { verified = \"#00ccff\", failed = \"#8B0000\" }\n");
        CHECK(notify_summary(result).empty());
        REQUIRE(result.policies.channels.size() == 1);
        CHECK(result.policies.channels[0].colors == std::map<std::string, int>{{"verified", 0x00CCFF}, {"failed", 0x8B0000}});
    }
    SECTION("not a colour, not a string, not an event, not a table") {
        auto result = load_with("[[notify]]\nname = \"ops\"\ntype = \"slack\"\nurl = \"${env:U}\"\n"
                                "colors = { verified = \"green\", failed = 3, verifed = \"#00FF00\", refused = \"#12345G\" }\n"
                                "[[notify]]\nname = \"ops2\"\ntype = \"discord\"\nurl = \"${env:U}\"\ncolors = \"#00FF00\"\n");
        CHECK(notify_summary(result) == Strings{"bad-value web.toml:9:23", "wrong-type web.toml:9:41", "unknown-key web.toml:9:44",
                                                "bad-value web.toml:9:75", "wrong-type web.toml:14:10"});
        CHECK(nth(result, 0)->message == "`colors.verified` is \"green\"; write a colour as \"#rrggbb\", e.g. \"#2ECC71\"");
        CHECK(nth(result, 1)->message == "`colors.failed` must be a string \"#rrggbb\", got integer");
        CHECK_THAT(nth(result, 2)->message, Contains("`colors`: unknown event \"verifed\"; did you mean \"verified\"?"));
    }
    SECTION("webhook and email channels have no colours") {
        auto result = load_with("[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://x/\"\ncolors = { failed = \"#FF0000\" }\n");
        CHECK(notify_summary(result) == Strings{"unknown-key web.toml:9:1"});
        CHECK_THAT(nth(result, 0)->message, Contains("`colors` does not apply to a webhook channel"));
    }
}

TEST_CASE("notify: `verified` and `unhealthy` are announced only by channels that list them", "[policy][notify]") {
    auto result = load_with("[[notify]]\nname = \"all\"\ntype = \"webhook\"\nurl = \"http://x/\"\n\n"
                            "[[notify]]\nname = \"deploys\"\ntype = \"webhook\"\nurl = \"http://x/\"\nevents = [\"verified\", \"unhealthy\"]\n");
    CHECK(notify_summary(result).empty());
    REQUIRE(result.policies.channels.size() == 2);
    CHECK_FALSE(result.policies.channels[0].wants("web", "", "verified"));
    CHECK_FALSE(result.policies.channels[0].wants("web", "", "unhealthy"));
    CHECK(result.policies.channels[1].wants("web", "", "verified"));
    CHECK(result.policies.channels[1].wants("web", "", "unhealthy"));
}

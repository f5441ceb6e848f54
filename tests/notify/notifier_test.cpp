// Notifications against real loopback receivers: what each channel type sends, which runs reach
// which channel, retries, deadlines, parallel delivery, and that no expanded secret ever leaves.
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>

#include <catch2/catch.hpp>

#include "core/json_text.h"
#include "runtime/notifier.h"
#include "runtime/notify_message.h"
#include "support/backstop_cli.h"
#include "support/http_receiver.h"
#include "support/smtp_sink.h"
#include "support/temp_dir.h"
#include "support/test_certificate.h"

using namespace backstop;
using backstop::test::CannedResponse;
using backstop::test::HttpReceiver;
using backstop::test::SmtpSink;
using Catch::Contains;

namespace {

using Clock = std::chrono::steady_clock;

RunRecord sample_run(Outcome outcome = Outcome::succeeded, std::string service = "web") {
    RunRecord r;
    r.run_id = "20261123T152439-d183daf0";
    r.service = std::move(service);
    r.env = "prod";
    r.from = "v2";
    r.to = "v1";
    r.level = "fast";
    r.actor = "alice";
    r.reason = "bad deploy <v2> & co";
    r.trigger = "health_check";
    r.host = "box-7";
    r.started_ms = 1'795'000'000'000;
    r.ended_ms = r.started_ms + 1234;
    r.outcome = outcome;
    r.message = "web rolled back from v2 to v1 and verified";
    r.steps.push_back({"switch", "/srv/web/current: v2 -> v1", StepStatus::ok, 3, ""});
    return r;
}

EnvLookup fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

NotifyChannel http_channel(NotifyType type, std::string name = "hook", std::string url = "${env:HOOK_URL}") {
    NotifyChannel c;
    c.name = std::move(name);
    c.type = type;
    c.url = std::move(url);
    c.events = {"succeeded", "failed", "verify_failed", "refused"};
    c.timeout = Duration{2000};
    c.deadline = Duration{3000};
    return c;
}

std::vector<Delivery> send(const std::vector<NotifyChannel>& channels, const RunRecord& run, const EnvLookup& env) {
    Notifier notifier(channels, env);
    notifier.start(run);
    return notifier.wait();
}

nlohmann::json body_of(const test::ReceivedRequest& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    INFO(r.body);
    REQUIRE_FALSE(j.is_discarded());
    return j;
}

std::string discord_field(const nlohmann::json& embed, const std::string& name) {
    for (const auto& f : embed["fields"])
        if (f["name"] == name) return f["value"];
    return "(absent)";
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

TEST_CASE("webhook: the history record as JSON, POSTed to the expanded URL", "[notify]") {
    HttpReceiver hook;
    auto deliveries = send({http_channel(NotifyType::webhook)}, sample_run(), fake_env({{"HOOK_URL", hook.url("/hook")}}));
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0].channel == "hook");
    CHECK(deliveries[0].type == "webhook");
    CHECK(deliveries[0].delivered);
    CHECK(deliveries[0].attempts == 1);
    CHECK(deliveries[0].error.empty());

    auto requests = hook.requests_to("/hook");
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].header("Content-Type") == "application/json");
    auto j = body_of(requests[0]);
    CHECK(j["event"] == "succeeded");
    const auto& run = j["run"];
    CHECK(run["run_id"] == "20261123T152439-d183daf0");
    CHECK(run["service"] == "web");
    CHECK(run["env"] == "prod");
    CHECK(run["from"] == "v2");
    CHECK(run["to"] == "v1");
    CHECK(run["level"] == "fast");
    CHECK(run["outcome"] == "succeeded");
    CHECK(run["duration_ms"] == 1234);
    CHECK(run["actor"] == "alice");
    CHECK(run["reason"] == "bad deploy <v2> & co");
    CHECK(run["trigger"] == "health_check");
    CHECK(run["host"] == "box-7");
    CHECK(run["steps"][0]["name"] == "switch");
}

TEST_CASE("discord: one embed, coloured by outcome, with every fact as a field", "[notify]") {
    struct Case {
        Outcome outcome;
        int colour;
    };
    const Case cases[] = {{Outcome::succeeded, 0x2ECC71},
                          {Outcome::failed, 0xE74C3C},
                          {Outcome::refused, 0xE74C3C},
                          {Outcome::verify_failed, 0xF1C40F}};
    HttpReceiver discord;
    for (const Case& c : cases) {
        discord.clear_requests();
        auto deliveries = send({http_channel(NotifyType::discord, "ops-discord")}, sample_run(c.outcome),
                               fake_env({{"HOOK_URL", discord.url("/api/webhooks/1/abc")}}));
        REQUIRE(deliveries.size() == 1);
        CHECK(deliveries[0].delivered);
        auto requests = discord.requests_to("/api/webhooks/1/abc");
        REQUIRE(requests.size() == 1);
        auto j = body_of(requests[0]);
        INFO(to_string(c.outcome) << ": " << j.dump());
        REQUIRE(j["embeds"].is_array());
        REQUIRE(j["embeds"].size() == 1);
        const auto& embed = j["embeds"][0];
        CHECK(embed["color"] == c.colour);
        CHECK_THAT(embed["title"].get<std::string>(), Contains("web") && Contains("v2 -> v1") && Contains(to_string(c.outcome)));
        CHECK(embed["description"] == "web rolled back from v2 to v1 and verified");
        CHECK(discord_field(embed, "Service") == "web");
        CHECK(discord_field(embed, "Env") == "prod");
        CHECK(discord_field(embed, "From -> To") == "v2 -> v1");
        CHECK(discord_field(embed, "Level") == "fast");
        CHECK(discord_field(embed, "Outcome") == to_string(c.outcome));
        CHECK(discord_field(embed, "Duration") == "1.23s");
        CHECK(discord_field(embed, "Actor") == "alice");
        CHECK(discord_field(embed, "Reason") == "bad deploy <v2> & co");
        CHECK(discord_field(embed, "Trigger") == "health_check");
        CHECK(discord_field(embed, "Host") == "box-7");
        CHECK_THAT(embed["footer"]["text"].get<std::string>(), Contains("20261123T152439-d183daf0"));
    }
    CHECK(outcome_colour(Outcome::incomplete) == kColourRed);
    CHECK(outcome_colour(Outcome::dry_run) == kColourYellow);
}

TEST_CASE("discord never sends an empty description or field value", "[notify]") {
    RunRecord r = sample_run(Outcome::refused);
    r.message.clear();
    r.env.clear();
    r.from.clear();
    r.to.clear();
    r.reason.clear();
    auto j = discord_payload(r, outcome_colour(r.outcome));
    CHECK_FALSE(j["embeds"][0].contains("description"));
    for (const auto& f : j["embeds"][0]["fields"]) CHECK_FALSE(f["value"].get<std::string>().empty());
    CHECK(j["embeds"][0]["title"] == "web rollback: refused");
}

TEST_CASE("slack: blocks with a header, the message, the facts as fields and the reason, in a coloured attachment", "[notify]") {
    HttpReceiver slack;
    auto deliveries = send({http_channel(NotifyType::slack, "ops-slack")}, sample_run(Outcome::verify_failed),
                           fake_env({{"HOOK_URL", slack.url("/services/T/B/x")}}));
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0].delivered);
    auto requests = slack.requests_to("/services/T/B/x");
    REQUIRE(requests.size() == 1);
    auto j = body_of(requests[0]);
    INFO(j.dump(2));
    CHECK(j["text"] == "web rollback v2 -> v1: verify_failed");
    REQUIRE(j["attachments"].size() == 1);
    CHECK(j["attachments"][0]["color"] == "#F1C40F");
    const nlohmann::json& blocks = j["attachments"][0]["blocks"];
    REQUIRE(blocks.is_array());
    std::vector<std::string> types;
    for (const auto& b : blocks) types.push_back(b["type"]);
    CHECK(types == std::vector<std::string>{"header", "section", "section", "section", "context"});
    CHECK(blocks[0]["text"]["type"] == "plain_text");
    CHECK_THAT(blocks[0]["text"]["text"].get<std::string>(), Contains("web rollback v2 -> v1: verify_failed"));
    std::vector<std::string> fields;
    for (const auto& f : blocks[2]["fields"]) fields.push_back(f["text"]);
    CHECK(fields == std::vector<std::string>{"*Service*\nweb", "*Env*\nprod", "*From -&gt; To*\nv2 -&gt; v1", "*Level*\nfast",
                                             "*Outcome*\nverify_failed", "*Duration*\n1.23s", "*Actor*\nalice",
                                             "*Trigger*\nhealth_check", "*Host*\nbox-7"});
    // mrkdwn control characters are escaped.
    CHECK(blocks[3]["text"]["text"] == "*Reason*\nbad deploy &lt;v2&gt; &amp; co");
}

TEST_CASE("email over SMTP: envelope, login, subject and a text body with every fact", "[notify]") {
    test::TempDir dir("backstop-smtp-tls");
    const test::TestCertificate cert = test::make_test_certificate(dir);
    SmtpSink sink;
    sink.offer_starttls(cert.cert_file, cert.key_file);
    NotifyChannel mail;
    mail.ca_file = cert.cert_file;
    mail.name = "oncall-mail";
    mail.type = NotifyType::email;
    mail.smtp_url = "${env:SMTP_URL}";
    mail.from = "backstop <backstop@example.com>";
    mail.to = {"oncall@example.com", "Lead <lead@example.com>"};
    mail.username = "bot";
    mail.password = "${env:SMTP_PASSWORD}";
    mail.events = {"succeeded"};
    mail.timeout = Duration{3000};
    mail.deadline = Duration{6000};

    auto deliveries = send({mail}, sample_run(), fake_env({{"SMTP_URL", sink.url()}, {"SMTP_PASSWORD", "hunter2"}}));
    REQUIRE(deliveries.size() == 1);
    INFO(deliveries[0].error);
    CHECK(deliveries[0].type == "email");
    CHECK(deliveries[0].delivered);
    CHECK(deliveries[0].attempts == 1);

    auto messages = sink.messages();
    REQUIRE(messages.size() == 1);
    const auto& m = messages[0];
    CHECK(m.mail_from == "backstop@example.com");
    CHECK(m.rcpt_to == std::vector<std::string>{"oncall@example.com", "lead@example.com"});
    CHECK(m.tls);
    CHECK(m.auth_user == "bot");
    CHECK(m.auth_password == "hunter2");
    CHECK(m.header("Subject") == "[backstop] web rolled back v2 -> v1: succeeded");
    CHECK(m.header("From") == "backstop <backstop@example.com>");
    CHECK(m.header("To") == "oncall@example.com, Lead <lead@example.com>");
    CHECK(m.header("Content-Type") == "text/plain; charset=utf-8");
    std::string body = m.body();
    INFO(body);
    for (const char* expected : {"Service:    web", "Env:        prod", "From -> To: v2 -> v1", "Level:      fast",
                                 "Outcome:    succeeded", "Duration:   1.23s", "Actor:      alice",
                                 "Reason:     bad deploy <v2> & co", "Trigger:    health_check", "Host:       box-7",
                                 "web rolled back from v2 to v1 and verified", "[ok] switch  /srv/web/current: v2 -> v1"})
        CHECK_THAT(body, Contains(expected));
    CHECK(body.find("\r\n") != std::string::npos);
}

TEST_CASE("email: a message line starting with a dot survives, and a 451 is retried", "[notify]") {
    SmtpSink sink;
    sink.reply_to_data({451, 250});
    NotifyChannel mail;
    mail.name = "mail";
    mail.type = NotifyType::email;
    mail.smtp_url = sink.url();
    mail.from = "backstop@example.com";
    mail.to = {"oncall@example.com"};
    mail.events = {"failed"};
    RunRecord run = sample_run(Outcome::failed);
    run.message = ".hidden line\n.";

    auto deliveries = send({mail}, run, fake_env({}));
    REQUIRE(deliveries.size() == 1);
    INFO(deliveries[0].error);
    CHECK(deliveries[0].delivered);
    CHECK(deliveries[0].attempts == 2);
    auto messages = sink.messages();
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].header("Subject") == "[backstop] web rollback v2 -> v1: failed");
    CHECK_THAT(messages[0].body(), Contains("\r\n.hidden line\r\n.\r\n"));
}

TEST_CASE("events and services choose which runs reach a channel", "[notify]") {
    HttpReceiver hook;
    auto env = fake_env({{"HOOK_URL", hook.url("/hook")}});
    NotifyChannel failures = http_channel(NotifyType::webhook, "failures");
    failures.events = {"failed", "verify_failed"};
    NotifyChannel api_only = http_channel(NotifyType::webhook, "api-only");
    api_only.services = {"api"};

    SECTION("an outcome not in `events` sends nothing") {
        Notifier n({failures}, env);
        CHECK(n.start(sample_run(Outcome::succeeded)) == 0);
        CHECK(n.wait().empty());
        CHECK(hook.requests().empty());
    }
    SECTION("an outcome in `events` is sent") {
        auto d = send({failures}, sample_run(Outcome::verify_failed), env);
        REQUIRE(d.size() == 1);
        CHECK(d[0].delivered);
        REQUIRE(hook.requests().size() == 1);
        CHECK(body_of(hook.requests()[0])["event"] == "verify_failed");
    }
    SECTION("a service not in `services` sends nothing; a listed one does") {
        CHECK(send({api_only}, sample_run(Outcome::succeeded, "web"), env).empty());
        CHECK(hook.requests().empty());
        auto d = send({api_only}, sample_run(Outcome::succeeded, "api"), env);
        REQUIRE(d.size() == 1);
        CHECK(d[0].channel == "api-only");
        CHECK(hook.requests().size() == 1);
    }
    SECTION("several channels: each that wants the run, in channel order") {
        auto d = send({failures, api_only, http_channel(NotifyType::slack, "all")}, sample_run(Outcome::failed, "api"), env);
        REQUIRE(d.size() == 3);
        CHECK(d[0].channel == "failures");
        CHECK(d[1].channel == "api-only");
        CHECK(d[2].channel == "all");
        CHECK(hook.requests().size() == 3);
    }
}

TEST_CASE("500 then 200: retried after a backoff and delivered on the second attempt", "[notify]") {
    HttpReceiver hook;
    hook.respond_sequence("/hook", {CannedResponse{500, "busy"}, CannedResponse{200, "ok"}});
    auto started = Clock::now();
    auto d = send({http_channel(NotifyType::webhook)}, sample_run(), fake_env({{"HOOK_URL", hook.url("/hook")}}));
    REQUIRE(d.size() == 1);
    CHECK(d[0].delivered);
    CHECK(d[0].attempts == 2);
    CHECK(d[0].error.empty());
    CHECK(hook.requests_to("/hook").size() == 2);
    CHECK(seconds_since(started) >= 0.2);  // the first backoff (a lower bound: load only adds to it)
}

TEST_CASE("a receiver that keeps failing: retried with backoff until the deadline", "[notify]") {
    HttpReceiver hook;
    hook.respond("/hook", CannedResponse{503, "down for maintenance"});
    NotifyChannel c = http_channel(NotifyType::webhook);
    c.deadline = Duration{2000};
    auto d = send({c}, sample_run(), fake_env({{"HOOK_URL", hook.url("/hook")}}));
    REQUIRE(d.size() == 1);
    CHECK_FALSE(d[0].delivered);
    // 200ms, 400ms, 800ms… between attempts: at most four start within two seconds (a slow machine
    // fits fewer, never more); each reached the receiver.
    CHECK(d[0].attempts >= 2);
    CHECK(d[0].attempts <= 4);
    CHECK(hook.requests_to("/hook").size() == static_cast<std::size_t>(d[0].attempts));
    CHECK(d[0].error == "POST ${env:HOOK_URL}: status 503: down for maintenance");
}

TEST_CASE("a 4xx answer other than 408/429 is final and not retried", "[notify]") {
    HttpReceiver hook;
    hook.respond("/hook", CannedResponse{404, "Unknown Webhook"});
    auto d = send({http_channel(NotifyType::discord)}, sample_run(), fake_env({{"HOOK_URL", hook.url("/hook")}}));
    REQUIRE(d.size() == 1);
    CHECK_FALSE(d[0].delivered);
    CHECK(d[0].attempts == 1);
    CHECK(d[0].error == "POST ${env:HOOK_URL}: status 404: Unknown Webhook");
}

TEST_CASE("a hanging receiver is cut by the per-attempt timeout, and wait() returns by the deadline", "[notify]") {
    HttpReceiver hook;
    hook.respond("/hang", CannedResponse{200, "late", {}, std::chrono::seconds(30)});
    NotifyChannel c = http_channel(NotifyType::webhook);
    c.timeout = Duration{500};
    c.deadline = Duration{1500};
    RunRecord run = sample_run();
    const nlohmann::json before = to_json(run);

    auto started = Clock::now();
    Notifier notifier({c}, fake_env({{"HOOK_URL", hook.url("/hang")}}));
    REQUIRE(notifier.start(run) == 1);
    auto d = notifier.wait();
    double took = seconds_since(started);
    REQUIRE(d.size() == 1);
    CHECK_FALSE(d[0].delivered);
    CHECK(d[0].attempts >= 2);
    // On a slow machine the last attempt may start late and be cut short by the deadline.
    CHECK_THAT(d[0].error, Catch::StartsWith("POST ${env:HOOK_URL}: timed out after "));
    CHECK(took >= 1.0);  // a lower bound: attempts of 500ms with a backoff between them
    CHECK(took < 20);    // hang guard: the receiver answers only after 30 s
    CHECK(d[0].duration_ms >= 1000);
    CHECK(to_json(run) == before);  // the run is only read
}

TEST_CASE("start() returns while the delivery still runs, on a thread of its own", "[notify]") {
    HttpReceiver hook;
    NotifyChannel c = http_channel(NotifyType::webhook);
    c.deadline = Duration{60'000};
    auto start_returned = std::make_shared<std::promise<void>>();
    std::shared_future<void> released = start_returned->get_future().share();
    // The delivery reads HOOK_URL only once start() has returned. A start() that delivered before
    // returning would wait here for 30 s (hang guard), then find no URL and deliver nothing.
    EnvLookup env = [released, url = hook.url("/hook")](const std::string& name) -> std::optional<std::string> {
        if (released.wait_for(std::chrono::seconds(30)) != std::future_status::ready || name != "HOOK_URL")
            return std::nullopt;
        return url;
    };
    Notifier notifier({c}, env);
    REQUIRE(notifier.start(sample_run()) == 1);
    start_returned->set_value();
    auto d = notifier.wait();
    REQUIRE(d.size() == 1);
    CHECK(d[0].delivered);
    CHECK(hook.requests_to("/hook").size() == 1);
}

TEST_CASE("channels are delivered in parallel", "[notify]") {
    HttpReceiver hook;
    std::vector<NotifyChannel> channels;
    for (const char* name : {"a", "b", "c"}) {
        NotifyChannel c = http_channel(NotifyType::webhook, name);
        c.deadline = Duration{60'000};
        channels.push_back(c);
    }
    // Each delivery reads HOOK_URL only once all three have asked for it: deliveries one after
    // another would leave the first waiting here for 30 s (hang guard), then without a URL.
    struct Gate {
        std::mutex mutex;
        std::condition_variable all_in;
        int arrived = 0;
    };
    auto gate = std::make_shared<Gate>();
    EnvLookup env = [gate, url = hook.url("/hook")](const std::string&) -> std::optional<std::string> {
        std::unique_lock lock(gate->mutex);
        ++gate->arrived;
        gate->all_in.notify_all();
        if (!gate->all_in.wait_for(lock, std::chrono::seconds(30), [&] { return gate->arrived >= 3; })) return std::nullopt;
        return url;
    };
    auto d = send(channels, sample_run(), env);
    REQUIRE(d.size() == 3);
    for (const auto& x : d) CHECK(x.delivered);
    CHECK(hook.requests_to("/hook").size() == 3);
}

TEST_CASE("a missing environment variable is an error naming it, and nothing is sent", "[notify]") {
    auto d = send({http_channel(NotifyType::webhook)}, sample_run(), fake_env({{"OTHER", "x"}}));
    REQUIRE(d.size() == 1);
    CHECK_FALSE(d[0].delivered);
    CHECK(d[0].attempts == 0);
    CHECK(d[0].error == "environment variable HOOK_URL is not set");
}

TEST_CASE("expanded secrets never appear in errors or in the record", "[notify]") {
    const std::string closed = "http://127.0.0.1:" + std::to_string(test::free_port());
    RunRecord run = sample_run();
    // Closed ports refuse at once; a short deadline keeps the retries short.
    auto http_channel = [](NotifyType type, std::string name = "hook", std::string url = "${env:HOOK_URL}") {
        NotifyChannel c = ::http_channel(type, std::move(name), std::move(url));
        c.timeout = c.deadline = Duration{700};
        return c;
    };

    SECTION("the whole URL from the environment, secret in path, query and userinfo") {
        auto d = send({http_channel(NotifyType::discord)}, run,
                      fake_env({{"HOOK_URL", "http://user:pw-s3cr3t@127.0.0.1:" + std::to_string(test::free_port()) +
                                                 "/api/webhooks/1/path-s3cr3t?token=query-s3cr3t"}}));
        REQUIRE(d.size() == 1);
        CHECK_FALSE(d[0].delivered);
        CHECK(d[0].error == "POST ${env:HOOK_URL}: connection refused");
        run.notifications = d;
    }
    SECTION("a token spliced into a literal URL") {
        auto d = send({http_channel(NotifyType::slack, "hook", closed + "/services/${env:SLACK_TOKEN}?x=1")}, run,
                      fake_env({{"SLACK_TOKEN", "T000/B000/path-s3cr3t"}}));
        REQUIRE(d.size() == 1);
        CHECK(d[0].error == "POST " + closed + "/services/${env:SLACK_TOKEN}: connection refused");
        run.notifications = d;
    }
    SECTION("a URL curl cannot parse is quoted in curl's error: scrubbed too") {
        auto d = send({http_channel(NotifyType::webhook)}, run, fake_env({{"HOOK_URL", "http://bad host/?token=query-s3cr3t"}}));
        REQUIRE(d.size() == 1);
        CHECK_FALSE(d[0].delivered);
        CHECK_THAT(d[0].error, Contains("${env:HOOK_URL}"));
        run.notifications = d;
    }
    SECTION("a header value and an SMTP password") {
        NotifyChannel hook = http_channel(NotifyType::webhook, "hook", closed + "/hook");
        hook.headers = {{"Authorization", "Bearer ${env:API_TOKEN}"}};
        NotifyChannel mail;
        mail.name = "mail";
        mail.type = NotifyType::email;
        mail.smtp_url = "smtp://127.0.0.1:" + std::to_string(test::free_port());
        mail.from = "backstop@example.com";
        mail.to = {"oncall@example.com"};
        mail.username = "bot";
        mail.password = "${env:SMTP_PASSWORD}";
        mail.events = {"succeeded"};
        mail.timeout = Duration{1000};
        mail.deadline = Duration{1000};
        auto d = send({hook, mail}, run, fake_env({{"API_TOKEN", "header-s3cr3t"}, {"SMTP_PASSWORD", "smtp-s3cr3t"}}));
        REQUIRE(d.size() == 2);
        CHECK_FALSE(d[0].delivered);
        CHECK_FALSE(d[1].delivered);
        CHECK_THAT(d[1].error, Contains("connection refused"));
        run.notifications = d;
    }
    INFO(json_text(to_json(run)));
    REQUIRE_FALSE(run.notifications.empty());
    for (const auto& d : run.notifications) CHECK(d.error.find("s3cr3t") == std::string::npos);
    CHECK(json_text(to_json(run)).find("s3cr3t") == std::string::npos);
    CHECK(notifications_summary(run.notifications).find("s3cr3t") == std::string::npos);
}

TEST_CASE("scrub replaces every occurrence of every secret by its reference", "[notify]") {
    std::vector<EnvSecret> secrets = {{"A", "abc"}, {"AB", "abcdef"}};
    CHECK(scrub("x abcdef y abc z abc", secrets) == "x ${env:AB} y ${env:A} z ${env:A}");
    CHECK(scrub("nothing here", secrets) == "nothing here");
    CHECK(scrub("empty values are ignored", {{"E", ""}}) == "empty values are ignored");
}

TEST_CASE("deliveries round-trip through the history record", "[notify]") {
    RunRecord run = sample_run();
    run.notifications = {{"ops-discord", "discord", true, 1, "", 120}, {"mail", "email", false, 3, "SMTP smtp://x: timed out after 5s", 5003}};
    RunRecord back = run_record_from_json(nlohmann::json::parse(json_text(to_json(run))));
    REQUIRE(back.notifications.size() == 2);
    CHECK(back.notifications[1].channel == "mail");
    CHECK(back.notifications[1].type == "email");
    CHECK_FALSE(back.notifications[1].delivered);
    CHECK(back.notifications[1].attempts == 3);
    CHECK(back.notifications[1].error == "SMTP smtp://x: timed out after 5s");
    CHECK(back.notifications[1].duration_ms == 5003);
    CHECK(to_json(run)["notifications"][0]["delivered"] == true);
    CHECK(notifications_summary(run.notifications) == "ops-discord ok, mail failed (SMTP smtp://x: timed out after 5s)");
    CHECK(to_json(RunRecord{})["notifications"].empty());
}

TEST_CASE("a dry run plans the channels a real run would use, without sending", "[notify]") {
    NotifyChannel hook = http_channel(NotifyType::discord, "ops-discord", "https://discord.example/api/webhooks/1/x?wait=true&token=abc");
    NotifyChannel failures = http_channel(NotifyType::slack, "failures");
    failures.events = {"failed"};
    NotifyChannel mail;
    mail.name = "mail";
    mail.type = NotifyType::email;
    mail.smtp_url = "smtp://mail.example:587";
    mail.from = "backstop@example.com";
    mail.to = {"a@example.com", "b@example.com"};
    mail.username = "bot";
    mail.password = "${env:SMTP_PASSWORD}";
    mail.events = {"succeeded"};

    RunRecord rec;
    RunObserver silent;
    StepRecorder steps(rec, silent);
    plan_notifications({hook, failures, mail}, sample_run(), Outcome::succeeded, steps, fake_env({}));
    REQUIRE(rec.steps.size() == 2);
    CHECK(rec.steps[0].name == "notify");
    CHECK(rec.steps[0].status == StepStatus::planned);
    CHECK(rec.steps[0].detail == "discord ops-discord: POST https://discord.example/api/webhooks/1/x");
    CHECK(rec.steps[0].message.empty());
    CHECK(rec.steps[1].detail == "email mail: to a@example.com, b@example.com via smtp://mail.example:587");
    CHECK(rec.steps[1].message == "not set: SMTP_PASSWORD; the notification would not be sent");

    RunRecord failed;
    StepRecorder failed_steps(failed, silent);
    plan_notifications({hook, failures, mail}, sample_run(), Outcome::failed, failed_steps, fake_env({{"HOOK_URL", "http://x/"}}));
    REQUIRE(failed.steps.size() == 2);
    CHECK(failed.steps[1].detail == "slack failures: POST ${env:HOOK_URL}");
    CHECK(failed.steps[1].message.empty());
}

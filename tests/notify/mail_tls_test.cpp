// A mail channel that logs in requires TLS (STARTTLS or smtps://) unless its policy says
// tls = "none": against a real SMTP sink on loopback, with and without STARTTLS, through the
// notifier and through the built binary (history and log).
#include <fstream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/json_text.h"
#include "runtime/notifier.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"
#include "support/smtp_sink.h"
#include "support/temp_dir.h"
#include "support/test_certificate.h"

using namespace backstop;
using backstop::test::SmtpSink;
using Catch::Contains;

namespace {

constexpr const char* kPassword = "smtp-s3cr3t";

RunRecord failed_run() {
    RunRecord r;
    r.run_id = "20261207T120000-0badc0de";
    r.service = "web";
    r.from = "v2";
    r.to = "v1";
    r.outcome = Outcome::failed;
    r.message = "web could not be rolled back";
    return r;
}

NotifyChannel login_channel(const std::string& url) {
    NotifyChannel mail;
    mail.name = "oncall-mail";
    mail.type = NotifyType::email;
    mail.smtp_url = url;
    mail.from = "backstop@example.com";
    mail.to = {"oncall@example.com"};
    mail.username = "bot";
    mail.password = "${env:SMTP_PASSWORD}";
    mail.events = {"failed"};
    mail.timeout = Duration{5000};
    mail.deadline = Duration{10000};
    return mail;
}

// The one delivery of `channel`'s announcement of a failed run.
Delivery send(const NotifyChannel& channel) {
    Notifier notifier({channel}, [](const std::string& name) -> std::optional<std::string> {
        if (name == "SMTP_PASSWORD") return std::string(kPassword);
        return std::nullopt;
    });
    notifier.start(failed_run());
    auto deliveries = notifier.wait();
    REQUIRE(deliveries.size() == 1);
    return deliveries[0];
}

// Sends, expecting delivery, and returns the one message the sink received.
test::SmtpMessage received(const NotifyChannel& channel, const SmtpSink& sink) {
    Delivery d = send(channel);
    INFO(d.error);
    CHECK(d.delivered);
    auto messages = sink.messages();
    REQUIRE(messages.size() == 1);
    return messages[0];
}

}  // namespace

TEST_CASE("a mail login is refused over a server that offers no TLS: nothing is sent", "[notify]") {
    SmtpSink sink;  // no STARTTLS
    NotifyChannel mail = login_channel(sink.url());
    CHECK(mail.tls == MailTls::when_offered);  // as a channel built in code has it: the login still needs TLS

    Delivery d = send(mail);
    INFO(d.error);
    CHECK_FALSE(d.delivered);
    CHECK(d.attempts == 1);  // final: retrying cannot make the server offer TLS
    CHECK_THAT(d.error, Contains("the server offers no TLS (STARTTLS), which this channel requires"));
    CHECK(sink.logins() == 0);
    CHECK(sink.messages().empty());
    CHECK(d.error.find(kPassword) == std::string::npos);
    RunRecord run = failed_run();
    run.notifications = {d};
    CHECK(json_text(to_json(run)).find(kPassword) == std::string::npos);
}

TEST_CASE("a mail login goes over STARTTLS to a server the channel's ca_file trusts", "[notify]") {
    test::TempDir dir("backstop-smtp-tls");
    const test::TestCertificate cert = test::make_test_certificate(dir);
    SmtpSink sink;
    sink.offer_starttls(cert.cert_file, cert.key_file);
    NotifyChannel mail = login_channel(sink.url());
    mail.tls = MailTls::required;

    SECTION("trusted through ca_file: sent over TLS") {
        mail.ca_file = cert.cert_file;
        const test::SmtpMessage m = received(mail, sink);
        CHECK(m.tls);
        CHECK(m.auth_user == "bot");
        CHECK(m.auth_password == kPassword);
    }
    SECTION("not trusted without it: refused before the login") {
        Delivery d = send(mail);
        INFO(d.error);
        CHECK_FALSE(d.delivered);
        CHECK_THAT(d.error, Contains("certificate is not trusted"));
        CHECK_THAT(d.error, Contains("ca_file"));
        CHECK(sink.logins() == 0);
        CHECK(sink.messages().empty());
    }
}

TEST_CASE("tls = \"none\" allows a plain-text login", "[notify]") {
    SmtpSink sink;
    NotifyChannel mail = login_channel(sink.url());
    mail.tls = MailTls::none;
    const test::SmtpMessage m = received(mail, sink);
    CHECK_FALSE(m.tls);
    CHECK(m.auth_password == kPassword);
}

TEST_CASE("through the binary: check warns of tls = \"none\", a refused login keeps the password out of history and output",
          "[notify][e2e]") {
    SmtpSink sink;
    test::QuickstartService qs;
    qs.simulate_bad_deploy();
    const std::string rollback = "[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n\n";
    const std::string channel = "[[notify]]\nname = \"oncall-mail\"\ntype = \"email\"\nsmtp_url = \"" + sink.url() +
                                "\"\nfrom = \"backstop@example.com\"\nto = [\"oncall@example.com\"]\nusername = \"bot\"\n"
                                "password = \"${env:SMTP_PASSWORD}\"\n";
    const std::map<std::string, std::string> env = {{"SMTP_PASSWORD", kPassword}};

    qs.write_policy(rollback + channel + "tls = \"none\"\n");
    test::CliResult checked = test::run_backstop(qs.cli({"check"}), env);
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    CHECK_THAT(checked.out, Contains("backstop.toml:25:7: warning: `tls = \"none\"`: the login, password included, crosses"));

    qs.write_policy(rollback + channel);
    test::CliResult rolled = test::run_backstop(qs.cli({"rollback", "web", "--reason", "bad deploy"}), env);
    INFO(rolled.out << rolled.err);
    // However the run ends (the app may be slow to come up on a busy machine), it is announced.
    CHECK_THAT(rolled.out, Contains("[FAIL] notify   email oncall-mail"));
    CHECK(sink.logins() == 0);
    CHECK(sink.messages().empty());
    std::ifstream in(qs.state() + "/history.jsonl");
    std::stringstream history;
    history << in.rdbuf();
    INFO(history.str());
    CHECK_THAT(history.str(), Contains("offers no TLS"));
    for (const std::string& where : {history.str(), rolled.out, rolled.err, checked.out, checked.err})
        CHECK(where.find(kPassword) == std::string::npos);
}

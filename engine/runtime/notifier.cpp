// Delivery of run notifications. Each attempt is bounded by the channel's `timeout` and by what
// is left of its `deadline`, so a hanging receiver costs at most the deadline; every error text
// passes through scrub() before it leaves this file, so no expanded secret reaches a record.
#include "runtime/notifier.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <system_error>

#include "core/error.h"
#include "core/json_text.h"
#include "core/text.h"
#include "prim/http_client.h"
#include "prim/mail_client.h"
#include "runtime/health_check.h"
#include "runtime/notify_message.h"

namespace backstop {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Duration kFirstBackoff{200};
constexpr Duration kMaxBackoff{5000};

struct AttemptResult {
    bool ok = false;
    bool permanent = false;  // retrying cannot help
    bool timed_out = false;
    std::string error;
    Duration retry_after{0};  // the receiver asked us to wait this long (429 Retry-After)
};

// One channel's transport, with its templates already expanded.
class Sender {
public:
    virtual ~Sender() = default;
    virtual AttemptResult attempt(Duration timeout) = 0;
};

void replace_all(std::string& text, const std::string& what, const std::string& with) {
    if (what.empty()) return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
}

bool has_scheme(const std::string& url, std::initializer_list<std::string_view> schemes) {
    for (auto s : schemes)
        if (url.starts_with(s) && url.size() > s.size() && url[s.size()] != '/') return true;
    return false;
}

class HttpSender final : public Sender {
public:
    HttpSender(HttpRequest request, std::string shown) : request_(std::move(request)), shown_(std::move(shown)) {}

    AttemptResult attempt(Duration timeout) override {
        request_.timeout = timeout;
        HttpResponse resp = client_->send(request_);
        AttemptResult r;
        if (!resp.transport_ok()) {
            r.error = "POST " + shown_ + ": " + resp.error;
            r.timed_out = resp.timed_out;
            replace_all(r.error, request_.url, shown_);  // "malformed URL `…`" quotes it
            return r;
        }
        if (resp.status >= 200 && resp.status < 300) {
            r.ok = true;
            return r;
        }
        r.error = "POST " + shown_ + ": status " + std::to_string(resp.status);
        if (!resp.body.empty()) r.error += ": " + first_line(resp.body, 200);
        // 408, 429 and 5xx are the receiver's passing trouble; other answers will not change.
        r.permanent = !(resp.status == 408 || resp.status == 429 || resp.status >= 500);
        if (auto it = resp.headers.find("retry-after"); it != resp.headers.end()) {
            int secs = 0;
            const std::string& v = it->second;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
            if (ec == std::errc() && end == v.data() + v.size() && secs > 0) r.retry_after = Duration{secs * 1000LL};
        }
        return r;
    }

private:
    HttpRequest request_;
    std::string shown_;
    std::unique_ptr<HttpClient> client_ = make_http_client();
};

class MailSender final : public Sender {
public:
    MailSender(MailMessage message, std::string shown) : message_(std::move(message)), shown_(std::move(shown)) {}

    AttemptResult attempt(Duration timeout) override {
        message_.timeout = timeout;
        MailResult sent = client_->send(message_);
        AttemptResult r;
        r.ok = sent.sent;
        r.permanent = sent.permanent;
        r.timed_out = sent.timed_out;
        if (!sent.sent) r.error = "SMTP " + shown_ + ": " + sent.error;
        return r;
    }

private:
    MailMessage message_;
    std::string shown_;
    std::unique_ptr<MailClient> client_ = make_curl_mail_client();
};

// Expands one template into `out`, collecting its secrets; false with `error` naming the variable.
bool expand_into(const std::string& text, const EnvLookup& getenv, std::string& out, std::vector<EnvSecret>& secrets,
                 std::string& error) {
    ExpandedTemplate e = expand_env(text, getenv);
    secrets.insert(secrets.end(), e.secrets.begin(), e.secrets.end());
    if (!e.ok()) {
        error = e.error;
        return false;
    }
    out = std::move(e.text);
    return true;
}

// The URL as messages may show it: secrets back to their references, no credentials, no query.
std::string shown_url(const std::string& expanded, const std::vector<EnvSecret>& secrets) {
    return redact_url(scrub(expanded, secrets));
}

std::unique_ptr<Sender> make_sender(const NotifyChannel& channel, const RunRecord& run, const EnvLookup& getenv,
                                    std::vector<EnvSecret>& secrets, std::string& error) {
    if (channel.type == NotifyType::email) {
        MailMessage m;
        if (!expand_into(channel.smtp_url, getenv, m.smtp_url, secrets, error)) return nullptr;
        std::string shown = shown_url(m.smtp_url, secrets);
        if (!has_scheme(m.smtp_url, {"smtp://", "smtps://"})) {
            error = "`smtp_url` (" + shown + ") is not an smtp:// or smtps:// URL";
            return nullptr;
        }
        if (!expand_into(channel.username, getenv, m.username, secrets, error)) return nullptr;
        if (!expand_into(channel.password, getenv, m.password, secrets, error)) return nullptr;
        if (!expand_into(channel.from, getenv, m.from, secrets, error)) return nullptr;
        for (const auto& t : channel.to) {
            std::string address;
            if (!expand_into(t, getenv, address, secrets, error)) return nullptr;
            m.to.push_back(std::move(address));
        }
        m.tls = channel.tls;
        m.ca_file = channel.ca_file;
        m.data = email_message(run, m.from, m.to);
        return std::make_unique<MailSender>(std::move(m), std::move(shown));
    }

    HttpRequest req;
    req.method = "POST";
    if (!expand_into(channel.url, getenv, req.url, secrets, error)) return nullptr;
    std::string shown = shown_url(req.url, secrets);
    if (!has_scheme(req.url, {"http://", "https://"})) {
        error = "`url` (" + shown + ") is not an http:// or https:// URL";
        return nullptr;
    }
    for (const auto& [name, value] : channel.headers) {
        if (!expand_into(value, getenv, req.headers[name], secrets, error)) return nullptr;
    }
    req.headers.emplace("Content-Type", "application/json");
    const int colour = outcome_colour(run.outcome, channel.colors);
    nlohmann::json payload = channel.type == NotifyType::slack     ? slack_payload(run, colour)
                             : channel.type == NotifyType::discord ? discord_payload(run, colour)
                                                                   : webhook_payload(run);
    req.body = json_text(payload);
    return std::make_unique<HttpSender>(std::move(req), std::move(shown));
}

}  // namespace

Delivery deliver(const NotifyChannel& channel, const RunRecord& run, const EnvLookup& getenv) {
    const auto started = Clock::now();
    const auto deadline = started + channel.deadline;
    Delivery d;
    d.channel = channel.name;
    d.type = to_string(channel.type);
    std::vector<EnvSecret> secrets;
    std::string error;
    try {
        std::unique_ptr<Sender> sender = make_sender(channel, run, getenv, secrets, error);
        Duration backoff = kFirstBackoff;
        while (sender) {
            auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
            if (left <= Duration{0}) break;
            ++d.attempts;
            const bool cut_short = left < channel.timeout;
            AttemptResult r = sender->attempt(std::min(channel.timeout, left));
            if (r.ok) {
                d.delivered = true;
                error.clear();
                break;
            }
            error = std::move(r.error);
            if (cut_short && r.timed_out) error += " (cut short by the " + format_duration(channel.deadline) + " deadline)";
            if (r.permanent) break;
            Duration pause = std::max(backoff, r.retry_after);
            backoff = std::min(backoff * 2, kMaxBackoff);
            if (Clock::now() + pause >= deadline) break;
            std::this_thread::sleep_for(pause);
        }
    } catch (const std::exception& e) {
        d.delivered = false;
        error = std::string("notification failed: ") + e.what();
    }
    if (!d.delivered && error.empty()) error = "deadline " + format_duration(channel.deadline) + " passed before an attempt";
    d.error = scrub(std::move(error), secrets);
    d.duration_ms = std::chrono::duration_cast<Duration>(Clock::now() - started).count();
    return d;
}

struct Notifier::Job {
    const NotifyChannel* channel = nullptr;
    RunRecord run;
    Delivery result;
    std::thread thread;
};

Notifier::Notifier(std::vector<NotifyChannel> channels, EnvLookup getenv)
    : channels_(std::move(channels)), getenv_(std::move(getenv)) {}

Notifier::~Notifier() {
    for (auto& job : jobs_)
        if (job->thread.joinable()) job->thread.join();
}

std::size_t Notifier::start(const RunRecord& run) {
    const std::string outcome = to_string(run.outcome);
    for (const NotifyChannel& channel : channels_) {
        if (!channel.wants(run.service, run.env, outcome)) continue;
        auto job = std::make_unique<Job>();
        job->channel = &channel;
        job->run = run;
        job->result.channel = channel.name;
        job->result.type = to_string(channel.type);
        Job* j = job.get();
        try {
            j->thread = std::thread([j, this] { j->result = deliver(*j->channel, j->run, getenv_); });
        } catch (const std::system_error& e) {
            j->result.error = std::string("cannot start a delivery thread: ") + e.what();
        }
        jobs_.push_back(std::move(job));
    }
    return jobs_.size();
}

std::vector<Delivery> Notifier::wait() {
    std::vector<Delivery> out;
    for (auto& job : jobs_) {
        if (job->thread.joinable()) job->thread.join();
        out.push_back(job->result);
    }
    return out;
}

std::string describe(const NotifyChannel& channel) {
    std::string out = std::string(to_string(channel.type)) + " " + channel.name + ": ";
    if (channel.type != NotifyType::email) return out + "POST " + redact_url(channel.url);
    std::string to;
    for (const auto& t : channel.to) to += (to.empty() ? "" : ", ") + t;
    return out + "to " + to + " via " + redact_url(channel.smtp_url);
}

void plan_notifications(const std::vector<NotifyChannel>& channels, const RunRecord& run, Outcome outcome,
                        StepRecorder& steps, const EnvLookup& getenv) {
    for (const NotifyChannel& channel : channels) {
        if (!channel.wants(run.service, run.env, to_string(outcome))) continue;
        std::vector<std::string> names;
        for (const std::string* t : {&channel.url, &channel.smtp_url, &channel.username, &channel.password, &channel.from})
            for (auto& n : env_names(*t)) names.push_back(std::move(n));
        for (const auto& t : channel.to)
            for (auto& n : env_names(t)) names.push_back(std::move(n));
        for (const auto& [header, value] : channel.headers)
            for (auto& n : env_names(value)) names.push_back(std::move(n));
        std::vector<std::string> missing;
        for (const auto& n : names)
            if (!(getenv && getenv(n)) && std::find(missing.begin(), missing.end(), n) == missing.end()) missing.push_back(n);
        std::string unset;
        for (const auto& n : missing) unset += (unset.empty() ? "" : ", ") + n;
        steps.note("notify", describe(channel), StepStatus::planned,
                   unset.empty() ? std::string() : "not set: " + unset + "; the notification would not be sent");
    }
}

void announce_recorded_run(RunRecord& run, const std::vector<NotifyChannel>& channels, HistoryStore& history,
                           const EnvLookup& getenv, RunObserver& observer) {
    Notifier notifier(channels, getenv);
    if (notifier.start(run) == 0) return;
    run.notifications = notifier.wait();
    for (const Delivery& d : run.notifications) {
        StepRecord step{"notify", d.type + " " + d.channel, d.delivered ? StepStatus::ok : StepStatus::failed,
                        d.duration_ms, d.delivered ? "delivered" : d.error};
        if (d.attempts > 1 || !d.delivered) step.message += " (" + std::to_string(d.attempts) + (d.attempts == 1 ? " attempt)" : " attempts)");
        run.steps.push_back(step);
        observer.step_finished(run.steps.back());
    }
    try {
        history.record(run);
    } catch (const Error&) {
        // The run's own record stands; only the delivery results are lost.
    }
}

std::string notifications_summary(const std::vector<Delivery>& deliveries) {
    std::string out;
    for (const auto& d : deliveries) {
        out += (out.empty() ? "" : ", ") + d.channel;
        out += d.delivered ? " ok" : " failed (" + d.error + ")";
    }
    return out;
}

}  // namespace backstop

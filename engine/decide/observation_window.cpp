#include "decide/observation_window.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "decide/expression.h"

namespace backstop {

void ObservationWindow::add(const Observation& o) {
    latest_ = o;
    samples_.push_back({o.time_ms, o.status, o.value, o.restarts});
    failures_ = o.status == ObservationStatus::failed ? failures_ + 1 : 0;
    successes_ = o.status == ObservationStatus::ok ? successes_ + 1 : 0;
    unknowns_ = o.status == ObservationStatus::unknown ? unknowns_ + 1 : 0;
    while (head_ < samples_.size() && samples_[head_].time_ms < o.time_ms - keep_.count()) ++head_;
    if (head_ == samples_.size()) {
        samples_.clear();
        head_ = 0;
    } else if (head_ >= 16 && head_ * 2 >= samples_.size()) {
        samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
}

namespace {

double percentile(std::vector<double>& sorted, double q) {
    if (sorted.empty()) return kUnknownNumber;
    // Nearest rank: the smallest value with at least q of the samples at or below it.
    std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[rank == 0 ? 0 : rank - 1];
}

}  // namespace

void ObservationWindow::fill(ExpressionValues& v, const TriggerSlots& wanted, Duration window, Duration baseline,
                             std::int64_t now_ms) const {
    namespace s = trigger_slot;
    const Observation& o = latest_;
    bool have = !empty();
    v.set_number(s::value, have ? o.value : kUnknownNumber);
    v.set_boolean(s::ok, have && o.status == ObservationStatus::ok);
    v.set_boolean(s::failed, have && o.status == ObservationStatus::failed);
    v.set_boolean(s::unknown, !have || o.status == ObservationStatus::unknown);
    v.set_number(s::latency_ms, o.latency_ms);
    v.set_number(s::http_status, o.http_status);
    v.set_string(s::state, o.state);
    v.set_string(s::line, o.matched_line);
    v.set_string(s::event, o.event);
    v.set_number(s::restarts, o.restarts);
    v.set_number(s::consecutive_failures, failures_);
    v.set_number(s::consecutive_successes, successes_);
    v.set_number(s::consecutive_unknown, unknowns_);

    if (!reads_statistics(wanted)) return;

    std::int64_t window_start = now_ms - window.count();
    std::int64_t baseline_start = window_start - baseline.count();
    std::vector<double> in_window;
    double sum = 0, base_sum = 0;
    std::size_t base_n = 0;
    double first_restarts = kUnknownNumber, last_restarts = kUnknownNumber;
    const std::span<const Sample> samples = live();
    for (const Sample& x : samples) {
        if (x.time_ms >= window_start && x.time_ms <= now_ms) {
            if (!std::isnan(x.restarts)) {
                if (std::isnan(first_restarts)) first_restarts = x.restarts;
                last_restarts = x.restarts;
            }
            if (!std::isnan(x.value)) {
                in_window.push_back(x.value);
                sum += x.value;
            }
        } else if (x.time_ms >= baseline_start && x.time_ms < window_start && !std::isnan(x.value)) {
            base_sum += x.value;
            ++base_n;
        }
    }
    // restarts_delta also counts restarts before the window's first sample: the sample just before it.
    for (auto it = samples.rbegin(); it != samples.rend(); ++it)
        if (it->time_ms < window_start && !std::isnan(it->restarts)) {
            first_restarts = it->restarts;
            break;
        }
    v.set_number(s::samples, static_cast<double>(in_window.size()));
    v.set_number(s::avg, in_window.empty() ? kUnknownNumber : sum / static_cast<double>(in_window.size()));
    v.set_number(s::baseline, base_n == 0 ? kUnknownNumber : base_sum / static_cast<double>(base_n));
    v.set_number(s::restarts_delta, std::isnan(first_restarts) ? kUnknownNumber : last_restarts - first_restarts);
    if (wanted.test(s::min) || wanted.test(s::max) || wanted.test(s::p50) || wanted.test(s::p95) || wanted.test(s::p99)) {
        std::sort(in_window.begin(), in_window.end());
        v.set_number(s::min, in_window.empty() ? kUnknownNumber : in_window.front());
        v.set_number(s::max, in_window.empty() ? kUnknownNumber : in_window.back());
        v.set_number(s::p50, percentile(in_window, 0.50));
        v.set_number(s::p95, percentile(in_window, 0.95));
        v.set_number(s::p99, percentile(in_window, 0.99));
    }
}

namespace {
double number_or_nan(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : kUnknownNumber; }
nlohmann::json nan_as_null(double d) { return std::isnan(d) ? nlohmann::json() : nlohmann::json(d); }
}  // namespace

nlohmann::json ObservationWindow::to_json() const {
    nlohmann::json samples = nlohmann::json::array();
    for (const Sample& x : live())
        samples.push_back({x.time_ms, std::string(backstop::to_string(x.status)), nan_as_null(x.value), nan_as_null(x.restarts)});
    const Observation& o = latest_;
    return {{"samples", samples},
            {"failures", failures_},
            {"successes", successes_},
            {"unknowns", unknowns_},
            {"latest",
             {{"time_ms", o.time_ms}, {"status", std::string(backstop::to_string(o.status))}, {"value", nan_as_null(o.value)},
              {"latency_ms", nan_as_null(o.latency_ms)}, {"http_status", o.http_status}, {"state", o.state},
              {"restarts", nan_as_null(o.restarts)}, {"line", o.matched_line}, {"event", o.event}, {"detail", o.detail}, {"error", o.error}}}};
}

namespace {
ObservationStatus status_from(const nlohmann::json& j) {
    std::string s = j.is_string() ? j.get<std::string>() : "";
    return s == "ok" ? ObservationStatus::ok : s == "failed" ? ObservationStatus::failed : ObservationStatus::unknown;
}
}  // namespace

void ObservationWindow::load_json(const nlohmann::json& j) {
    if (!j.is_object()) return;
    samples_.clear();
    head_ = 0;
    for (const auto& x : j.value("samples", nlohmann::json::array()))
        if (x.is_array() && x.size() == 4 && x[0].is_number_integer())
            samples_.push_back({x[0].get<std::int64_t>(), status_from(x[1]), number_or_nan(x[2]), number_or_nan(x[3])});
    failures_ = j.value("failures", 0);
    successes_ = j.value("successes", 0);
    unknowns_ = j.value("unknowns", 0);
    if (const auto& l = j.value("latest", nlohmann::json::object()); l.is_object()) {
        latest_.time_ms = l.value("time_ms", std::int64_t{0});
        latest_.status = status_from(l.value("status", nlohmann::json()));
        latest_.value = number_or_nan(l.value("value", nlohmann::json()));
        latest_.latency_ms = number_or_nan(l.value("latency_ms", nlohmann::json()));
        latest_.http_status = l.value("http_status", 0);
        latest_.state = l.value("state", "");
        latest_.restarts = number_or_nan(l.value("restarts", nlohmann::json()));
        latest_.matched_line = l.value("line", "");
        latest_.event = l.value("event", "");
        latest_.detail = l.value("detail", "");
        latest_.error = l.value("error", "");
    }
}

bool reads_statistics(const TriggerSlots& slots) {
    for (std::size_t i = trigger_slot::samples; i < trigger_slot::count; ++i)
        if (slots.test(i)) return true;
    return false;
}

TriggerSlots slots_read(const Expression& expression) {
    TriggerSlots out;
    for (const auto& n : expression.names_used())
        if (n.slot < trigger_slot::count) out.set(n.slot);
    return out;
}

}  // namespace backstop

#include "serve/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

#include "core/error.h"

namespace backstop {

namespace {

bool valid_name(const std::string& name, bool colons_allowed) {
    if (name.empty()) return false;
    auto ok = [&](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons_allowed && c == ':') ||
               (!first && c >= '0' && c <= '9');
    };
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!ok(name[i], i == 0)) return false;
    return true;
}

void append_escaped(std::string& out, const std::string& text, bool escape_quotes) {
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '"' && escape_quotes) out += "\\\"";
        else out += c;
    }
}

// a="1",b="2": how a series' labels are written inside the braces, and its key in the family.
std::string series_labels(const MetricLabels& labels) {
    std::string out;
    for (const auto& [key, value] : labels) {
        if (!out.empty()) out += ',';
        out += key;
        out += "=\"";
        append_escaped(out, value, true);
        out += '"';
    }
    return out;
}

// name{a="1",b="2"} or name{a="1",le="0.5"}; no braces when there are no labels.
void append_sample(std::string& out, const std::string& name, const std::string& labels, double value,
                   const std::string* le = nullptr) {
    out += name;
    if (!labels.empty() || le) {
        out += '{';
        out += labels;
        if (le) {
            if (!labels.empty()) out += ',';
            out += "le=\"";
            out += *le;
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    out += format_metric_value(value);
    out += '\n';
}

template <class Series>
constexpr const char* type_name() {
    if constexpr (std::is_same_v<Series, Counter>) return "counter";
    else if constexpr (std::is_same_v<Series, Gauge>) return "gauge";
    else return "histogram";
}

template <class Family>
struct SeriesOf;
template <class Series>
struct SeriesOf<MetricFamily<Series>> {
    using type = Series;
};

std::string describe_bounds(const std::vector<double>& bounds) {
    std::string out;
    for (double b : bounds) out += (out.empty() ? "" : ", ") + format_metric_value(b);
    return "[" + out + "]";
}

}  // namespace

std::string format_metric_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // Integers below 2^53 are exact in a double: print them as integers, never as 1e+06.
    if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0)
        return std::to_string(static_cast<long long>(value));
    char buf[32];
    auto result = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, result.ptr);
}

void Counter::inc(double by) {
    if (!(by >= 0)) return;
    value_.fetch_add(by, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
    if (std::isnan(value)) return;
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
    std::lock_guard lock(mutex_);
    ++counts_[bucket];
    sum_ += value;
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    std::lock_guard lock(mutex_);
    s.cumulative.reserve(counts_.size());
    for (std::uint64_t c : counts_) {
        s.count += c;
        s.cumulative.push_back(s.count);
    }
    s.sum = sum_;
    return s;
}

template <class Series>
MetricFamily<Series>::MetricFamily(std::string name, std::string help, std::vector<double> upper_bounds)
    : name_(std::move(name)), help_(std::move(help)), upper_bounds_(std::move(upper_bounds)) {}

template <class Series>
Series& MetricFamily<Series>::with(const MetricLabels& labels) {
    std::string text = series_labels(labels);
    std::lock_guard lock(mutex_);
    auto it = series_.find(text);
    if (it != series_.end()) return *it->second;
    for (const auto& [key, value] : labels) {
        if (!valid_name(key, false) || key.starts_with("__"))
            throw Error("metric " + name_ + ": invalid label name \"" + key + "\"");
        if (std::is_same_v<Series, Histogram> && key == "le")
            throw Error("metric " + name_ + ": a histogram cannot have a label named \"le\"");
    }
    std::unique_ptr<Series> series;
    if constexpr (std::is_same_v<Series, Histogram>) series = std::make_unique<Histogram>(upper_bounds_);
    else series = std::make_unique<Series>();
    return *series_.emplace(std::move(text), std::move(series)).first->second;
}

template <class Series>
void MetricFamily<Series>::render(std::string& out) const {
    std::lock_guard lock(mutex_);
    // HELP and TYPE even without series: a scrape shows every family the daemon can report from
    // its first start, before anything was counted.
    out += "# HELP ";
    out += name_;
    out += ' ';
    append_escaped(out, help_, false);
    out += "\n# TYPE ";
    out += name_;
    out += ' ';
    out += type_name<Series>();
    out += '\n';
    for (const auto& [labels, series] : series_) {
        if constexpr (std::is_same_v<Series, Histogram>) {
            const Histogram::Snapshot s = series->snapshot();
            const std::string bucket_name = name_ + "_bucket";
            for (std::size_t i = 0; i < upper_bounds_.size(); ++i) {
                const std::string le = format_metric_value(upper_bounds_[i]);
                append_sample(out, bucket_name, labels, static_cast<double>(s.cumulative[i]), &le);
            }
            const std::string inf = "+Inf";
            append_sample(out, bucket_name, labels, static_cast<double>(s.count), &inf);
            append_sample(out, name_ + "_sum", labels, s.sum);
            append_sample(out, name_ + "_count", labels, static_cast<double>(s.count));
        } else {
            append_sample(out, name_, labels, series->value());
        }
    }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

std::vector<double> MetricsRegistry::default_seconds_buckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

template <class Series>
MetricFamily<Series>& MetricsRegistry::add(const std::string& name, const std::string& help,
                                           std::vector<double> upper_bounds) {
    if (!valid_name(name, true)) throw Error("invalid metric name \"" + name + "\"");
    std::lock_guard lock(mutex_);
    for (auto& family : families_) {
        MetricFamily<Series>* found = nullptr;
        const char* other_type = nullptr;
        std::visit(
            [&](auto& f) {
                if (f->name() != name) return;
                using Other = typename SeriesOf<std::remove_cvref_t<decltype(*f)>>::type;
                if constexpr (std::is_same_v<Other, Series>) found = f.get();
                else other_type = type_name<Other>();
            },
            family);
        if (other_type) throw Error("metric " + name + " is already registered as a " + other_type);
        if (found) {
            if (found->upper_bounds_ != upper_bounds)
                throw Error("histogram " + name + " is already registered with buckets " +
                            describe_bounds(found->upper_bounds_));
            return *found;
        }
    }
    auto family = std::unique_ptr<MetricFamily<Series>>(new MetricFamily<Series>(name, help, std::move(upper_bounds)));
    MetricFamily<Series>& ref = *family;
    families_.emplace_back(std::move(family));
    return ref;
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help) {
    return add<Counter>(name, help, {});
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help) {
    return add<Gauge>(name, help, {});
}

HistogramFamily& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                            std::vector<double> upper_bounds) {
    if (!upper_bounds.empty() && std::isinf(upper_bounds.back()) && upper_bounds.back() > 0) upper_bounds.pop_back();
    for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
        if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1]))
            throw Error("histogram " + name + ": buckets must be increasing finite numbers, got " +
                        describe_bounds(upper_bounds));
    }
    return add<Histogram>(name, help, std::move(upper_bounds));
}

std::string MetricsRegistry::render() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& family : families_) std::visit([&](const auto& f) { f->render(out); }, family);
    return out;
}

}  // namespace backstop

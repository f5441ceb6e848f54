#include "core/cron_schedule.h"

#include <array>
#include <cctype>
#include <chrono>
#include <vector>

#include "core/text.h"

namespace backstop {

namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Field {
    std::string_view name;
    int low;
    int high;
    const std::string_view* names = nullptr;  // names[i] stands for low_name_value + i
    int name_count = 0;
    int first_name_value = 0;
    std::string_view name_hint;  // "jan..dec"
};

const Field kFields[5] = {
    {"minute", 0, 59},
    {"hour", 0, 23},
    {"day-of-month", 1, 31},
    {"month", 1, 12, kMonthNames.data(), 12, 1, "jan..dec"},
    {"day-of-week", 0, 7, kWeekdayNames.data(), 7, 0, "sun..sat"},
};

struct Macro {
    std::string_view name;
    std::string_view expansion;
};

constexpr Macro kMacros[] = {
    {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"},
};

// Largest day of each month in any year: February counts its 29th.
constexpr int kMaxDays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// Years 0..9999: where std::chrono's calendar is comfortably valid and no arithmetic can overflow.
constexpr std::int64_t kFirstSupported = -62'167'219'200;
constexpr std::int64_t kLastSupported = 253'402'300'799;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// Parses one field into a bit set, reporting columns relative to the whole schedule text.
class FieldParser {
public:
    FieldParser(const Field& field, std::string_view text, int column, CronError* error)
        : field_(field), text_(text), column_(column), error_(error) {}

    std::optional<std::uint64_t> parse() {
        std::uint64_t bits = 0;
        std::size_t start = 0;
        while (true) {
            std::size_t comma = text_.find(',', start);
            std::size_t end = comma == std::string_view::npos ? text_.size() : comma;
            if (!parse_item(start, end, bits)) return std::nullopt;
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        return bits;
    }

private:
    bool fail(std::size_t at, std::string message) {
        if (error_) *error_ = {column_ + static_cast<int>(at), std::move(message)};
        return false;
    }

    std::string range_text() const { return std::to_string(field_.low) + "-" + std::to_string(field_.high); }

    // A number or a name starting at `pos`; advances `pos` past it.
    bool parse_value(std::size_t& pos, std::size_t end, int& value) {
        std::size_t start = pos;
        while (pos < end && std::isalnum(static_cast<unsigned char>(text_[pos]))) ++pos;
        std::string_view token = text_.substr(start, pos - start);
        if (token.empty()) {
            if (start >= end) return fail(start, std::string(field_.name) + ": expected a number after \"" +
                                                     std::string(text_.substr(0, start)) + "\"");
            return fail(start, std::string(field_.name) + ": unexpected \"" + std::string(1, text_[start]) +
                                   "\"; expected a number or *");
        }
        bool digits = true;
        for (char c : token) digits = digits && std::isdigit(static_cast<unsigned char>(c));
        if (digits) {
            if (token.size() > 4)
                return fail(start, std::string(field_.name) + " " + std::string(token) + " out of range " + range_text());
            value = std::stoi(std::string(token));
            if (value < field_.low || value > field_.high)
                return fail(start, std::string(field_.name) + " " + std::string(token) + " out of range " + range_text());
            return true;
        }
        for (int i = 0; i < field_.name_count; ++i) {
            if (equals_ignoring_case(token, field_.names[i])) {
                value = field_.first_name_value + i;
                return true;
            }
        }
        if (field_.name_count == 0)
            return fail(start, std::string(field_.name) + ": expected a number, found \"" + std::string(token) + "\"");
        return fail(start, "unknown " + std::string(field_.name) + " \"" + std::string(token) + "\"; use " +
                               std::string(field_.name_hint) + " or " + range_text());
    }

    bool parse_item(std::size_t start, std::size_t end, std::uint64_t& bits) {
        if (start == end) return fail(start, std::string(field_.name) + ": empty item in list");
        std::size_t pos = start;
        int first = field_.low;
        int last = field_.high;
        bool is_range = true;
        if (text_[pos] == '*') {
            ++pos;
        } else {
            if (!parse_value(pos, end, first)) return false;
            last = first;
            is_range = false;
            if (pos < end && text_[pos] == '-') {
                ++pos;
                if (!parse_value(pos, end, last)) return false;
                is_range = true;
                if (first > last)
                    return fail(start, std::string(field_.name) + " range " +
                                           std::string(text_.substr(start, pos - start)) +
                                           " goes backwards (write it as two ranges, e.g. 22-23,0-2)");
            }
        }
        int step = 1;
        if (pos < end && text_[pos] == '/') {
            if (!is_range)
                return fail(pos, std::string(field_.name) + ": a step needs a range or *, e.g. " +
                                     std::to_string(first) + "-" + std::to_string(field_.high) + "/" +
                                     std::string(text_.substr(pos + 1, end - pos - 1)));
            std::size_t step_start = ++pos;
            while (pos < end && std::isdigit(static_cast<unsigned char>(text_[pos]))) ++pos;
            std::string_view step_text = text_.substr(step_start, pos - step_start);
            if (step_text.empty()) return fail(step_start, std::string(field_.name) + ": expected a step after /");
            if (step_text.size() > 4 || std::stoi(std::string(step_text)) < 1 ||
                std::stoi(std::string(step_text)) > field_.high)
                return fail(step_start, std::string(field_.name) + " step " + std::string(step_text) +
                                            " out of range 1-" + std::to_string(field_.high));
            step = std::stoi(std::string(step_text));
        }
        if (pos < end)
            return fail(pos, std::string(field_.name) + ": unexpected \"" + std::string(text_.substr(pos, end - pos)) + "\"");
        for (int v = first; v <= last; v += step) bits |= std::uint64_t{1} << v;
        return true;
    }

    const Field& field_;
    std::string_view text_;
    int column_;
    CronError* error_;
};

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(std::string_view text, CronError* error) {
    auto fail = [&](int column, std::string message) -> std::optional<CronSchedule> {
        if (error) *error = {column, std::move(message)};
        return std::nullopt;
    };
    std::string_view trimmed = trim(text, " \t\r\n");
    const int lead = static_cast<int>(trimmed.data() - text.data());
    if (trimmed.empty()) return fail(0, "empty schedule; write e.g. \"*/15 * * * *\" or \"@daily\"");

    // Macros expand to five fields; columns then point at the macro itself.
    std::string_view fields_text = trimmed;
    bool from_macro = false;
    if (trimmed.front() == '@') {
        std::size_t end = 0;
        while (end < trimmed.size() && !is_blank(trimmed[end])) ++end;
        std::string_view name = trimmed.substr(0, end);
        if (end < trimmed.size())
            return fail(lead + static_cast<int>(trim(trimmed.substr(end), " \t\r\n").data() - trimmed.data()) + 1,
                        "unexpected text after " + std::string(name));
        const Macro* found = nullptr;
        for (const auto& m : kMacros)
            if (equals_ignoring_case(name, m.name)) found = &m;
        if (!found)
            return fail(lead + 1, "unknown schedule " + std::string(name) +
                                      "; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually");
        fields_text = found->expansion;
        from_macro = true;
    }

    struct Piece {
        std::string_view text;
        int column;  // 1-based, in `text`
    };
    std::vector<Piece> pieces;
    for (std::size_t i = 0; i < fields_text.size();) {
        if (is_blank(fields_text[i])) {
            ++i;
            continue;
        }
        std::size_t start = i;
        while (i < fields_text.size() && !is_blank(fields_text[i])) ++i;
        int column = from_macro ? lead + 1 : lead + static_cast<int>(start) + 1;
        pieces.push_back({fields_text.substr(start, i - start), column});
    }
    if (pieces.size() != 5) {
        const int column = pieces.size() > 5 ? pieces[5].column : lead + static_cast<int>(trimmed.size()) + 1;
        return fail(column, "expected 5 fields (minute hour day-of-month month day-of-week), found " +
                                std::to_string(pieces.size()));
    }

    std::uint64_t bits[5];
    for (int f = 0; f < 5; ++f) {
        auto parsed = FieldParser(kFields[f], pieces[f].text, pieces[f].column, error).parse();
        if (!parsed) return std::nullopt;
        bits[f] = *parsed;
    }

    CronSchedule s;
    s.text_ = std::string(trimmed);
    s.minutes_ = bits[0];
    s.hours_ = static_cast<std::uint32_t>(bits[1]);
    s.days_of_month_ = static_cast<std::uint32_t>(bits[2]);
    s.months_ = static_cast<std::uint16_t>(bits[3]);
    s.days_of_week_ = static_cast<std::uint8_t>((bits[4] | bits[4] >> 7) & 0x7f);  // 7 is Sunday too
    s.any_day_of_month_ = pieces[2].text.front() == '*';
    s.any_day_of_week_ = pieces[4].text.front() == '*';

    // Only "these days of the month, whatever the weekday" can be impossible: a restricted day of week
    // alone always matches some day, and `*`-style days of month always include the 1st.
    if (!s.any_day_of_month_ && s.any_day_of_week_) {
        bool possible = false;
        for (int m = 1; m <= 12; ++m)
            if (s.months_ >> m & 1)
                for (int d = 1; d <= kMaxDays[m]; ++d) possible = possible || (s.days_of_month_ >> d & 1);
        if (!possible)
            return fail(pieces[2].column, "day-of-month " + std::string(pieces[2].text) + " never occurs in month " +
                                              std::string(pieces[3].text) + ", so the schedule would never run");
    }
    return s;
}

bool CronSchedule::day_matches(int day_of_month, int weekday) const {
    const bool dom = days_of_month_ >> day_of_month & 1;
    const bool dow = days_of_week_ >> weekday & 1;
    if (any_day_of_month_ || any_day_of_week_) return dom && dow;
    return dom || dow;
}

std::int64_t CronSchedule::next_after(std::int64_t epoch_seconds) const {
    using namespace std::chrono;
    if (epoch_seconds < kFirstSupported || epoch_seconds > kLastSupported) return kNever;
    const std::int64_t start = floor_div(epoch_seconds, 60) * 60 + 60;
    const std::int64_t start_day = floor_div(start, 86'400);
    const int start_minute_of_day = static_cast<int>((start - start_day * 86'400) / 60);
    const year_month_day first{sys_days{days{start_day}}};

    int y = static_cast<int>(first.year());
    unsigned m = static_cast<unsigned>(first.month());
    unsigned first_day = static_cast<unsigned>(first.day());
    // A matching day exists within every 400-year Gregorian cycle once parse() has accepted the
    // schedule, so this bound is never reached by a parsed schedule.
    for (int months_scanned = 0; months_scanned <= 12 * 401; ++months_scanned) {
        if (months_ >> m & 1) {
            const unsigned last_day = static_cast<unsigned>(year_month_day_last{year{y}, month_day_last{month{m}}}.day());
            for (unsigned d = first_day; d <= last_day; ++d) {
                const sys_days date{year{y} / month{m} / day{d}};
                if (!day_matches(static_cast<int>(d), static_cast<int>(weekday{date}.c_encoding()))) continue;
                const bool is_start_day = date.time_since_epoch().count() == start_day;
                const int from = is_start_day ? start_minute_of_day : 0;
                for (int h = from / 60; h < 24; ++h) {
                    if (!(hours_ >> h & 1)) continue;
                    for (int minute = h == from / 60 ? from % 60 : 0; minute < 60; ++minute)
                        if (minutes_ >> minute & 1)
                            return std::int64_t{date.time_since_epoch().count()} * 86'400 + h * 3600 + minute * 60;
                }
            }
        }
        first_day = 1;
        if (++m == 13) {
            m = 1;
            ++y;
        }
    }
    return kNever;
}

}  // namespace backstop

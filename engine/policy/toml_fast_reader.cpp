#include "policy/toml_fast_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace backstop::policy {

namespace {

// Thrown inside the reader: the document is outside the subset or invalid; toml++ takes over.
struct Unsupported {};

// How a table or array came to be, which decides what may still add to it (TOML 1.0, "Table").
// While reading it is kept in the value's `integer`, unused for tables and arrays, with the number
// of the [section] that made it in the bits above; finish() clears it.
enum class Origin : std::int64_t {
    root = 1,
    header = 2,         // [a.b] defined it
    implicit = 3,       // a super-table a header created on the way ([a] of [a.b]); a header may define it later
    dotted = 4,         // a.b = 1 created it; only the same section may add to it
    inline_table = 5,   // { ... }: complete as written
    array_element = 6,  // a table of [[a]]
    static_array = 7,   // [1, 2]: complete as written
    table_array = 8,    // made by [[a]]: [[a]] appends to it
};

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxFloatChars = 128;  // toml++'s limit (its parse_float), so both refuse alike
constexpr std::size_t kTableRoom = 4;  // members reserved for a table, to spare moves of small ones
constexpr std::size_t kArrayRoom = 4;

// While reading, a table's `integer` holds its origin (bits 0-7), its section (8-31) and the
// number of its key index (32-62; 0 until it has one), all cleared by finish().
constexpr std::int64_t kIndexShift = 32;
constexpr std::int64_t kStampMask = (std::int64_t{1} << kIndexShift) - 1;
Origin origin(const RawValue& v) { return static_cast<Origin>(v.integer & 0xff); }
std::int64_t section_of(const RawValue& v) { return (v.integer & kStampMask) >> 8; }
void stamp(RawValue& v, Origin o, std::int64_t section) {
    v.integer = (v.integer & ~kStampMask) | static_cast<std::int64_t>(o) | ((section << 8) & kStampMask);
}
std::size_t index_number(const RawValue& v) { return static_cast<std::size_t>(v.integer >> kIndexShift); }

bool is_bare_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Strict UTF-8: no overlong forms, surrogates or code points above U+10FFFF.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) extra = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) extra = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) extra = 3, cp = c & 0x07;
        else return false;
        if (i + static_cast<std::size_t>(extra) >= n) return false;
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Members in key order, as toml++'s std::map hands them over; the origin stamps cleared.
void finish(RawValue& v) {
    if (v.is(RawValue::Kind::table)) {
        std::sort(v.members.begin(), v.members.end(), [](const RawMember& a, const RawMember& b) { return a.key < b.key; });
        for (auto& m : v.members) finish(m.value);
        v.integer = 0;
    } else if (v.is(RawValue::Kind::array)) {
        for (auto& item : v.items) finish(item);
        v.integer = 0;
    }
}

class Reader {
public:
    Reader(std::string_view text, const std::string& name) : s_(text), name_(name) {}

    RawValue read() {
        RawValue root = table_at(position(0), Origin::root);
        root.at.line = root.at.column = 1;
        RawValue* current = &root;
        while (i_ < s_.size()) {
            skip_blanks();
            if (at_line_end()) {
                end_line();
                continue;
            }
            if (s_[i_] == '[') {
                current = &header(root);
            } else {
                key_value(*current);
                end_line();
            }
        }
        finish(root);
        return root;
    }

private:
    // One part of a dotted key, and where it is written.
    struct Segment {
        std::string key;
        std::size_t offset;  // of its first character
        int line;
        std::size_t line_start;
    };

    char peek(std::size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
    bool at_end() const { return i_ >= s_.size(); }

    // 1-based line and column (in code points, like toml++) of byte `at` on the current line.
    RawPosition position(std::size_t at) const { return position(at, line_, line_start_); }
    RawPosition position(const Segment& s) const { return position(s.offset, s.line, s.line_start); }
    RawPosition position(std::size_t at, int line, std::size_t line_start) const {
        int column = 1;
        for (std::size_t j = line_start; j < at; ++j)
            if ((static_cast<unsigned char>(s_[j]) & 0xC0) != 0x80) ++column;
        return {&name_, line, column};
    }

    // The member `key` of `table`, or nullptr. Each table gets a hash index of its keys the first
    // time it is searched, so a table of n keys is read in O(n), not O(n^2).
    RawValue* member(RawValue& table, const std::string& key) {
        std::size_t n = index_number(table);
        if (n == 0) {
            key_index_.emplace_back();
            n = key_index_.size();
            table.integer |= static_cast<std::int64_t>(n) << kIndexShift;
            for (std::size_t k = 0; k < table.members.size(); ++k) key_index_.back().emplace(table.members[k].key, k);
        }
        const auto& index = key_index_[n - 1];
        auto at = index.find(key);
        return at == index.end() ? nullptr : &table.members[at->second].value;
    }

    // Appends a member to `table` and returns its value, keeping the table's key index.
    RawValue& add_member(RawValue& table, RawMember m) {
        if (std::size_t n = index_number(table); n != 0) key_index_[n - 1].emplace(m.key, table.members.size());
        table.members.push_back(std::move(m));
        return table.members.back().value;
    }

    RawValue table_at(RawPosition at, Origin o) const {
        RawValue t;
        t.kind = RawValue::Kind::table;
        t.at = at;
        t.members.reserve(kTableRoom);
        stamp(t, o, section_);
        return t;
    }

    void skip_blanks() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }

    bool at_line_end() const { return at_end() || s_[i_] == '#' || s_[i_] == '\n' || s_[i_] == '\r'; }

    // A newline ("\n" or "\r\n") at i_.
    void newline() {
        if (s_[i_] == '\r') {
            if (peek(1) != '\n') throw Unsupported{};
            ++i_;
        }
        ++i_;
        ++line_;
        line_start_ = i_;
    }

    void comment() {
        ++i_;  // '#'
        while (i_ < s_.size() && s_[i_] != '\n') {
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '\r' && peek(1) == '\n') break;
            if ((c < 0x20 && c != '\t') || c == 0x7f) throw Unsupported{};
            ++i_;
        }
    }

    // Blanks, then an optional comment, then the end of the line or of the text.
    void end_line() {
        skip_blanks();
        if (at_end()) return;
        if (s_[i_] == '#') comment();
        if (at_end()) return;
        if (s_[i_] != '\n' && s_[i_] != '\r') throw Unsupported{};
        newline();
    }

    // Blanks, comments and newlines, as arrays allow between their items.
    void skip_array_space() {
        while (!at_end()) {
            const char c = s_[i_];
            if (c == ' ' || c == '\t') ++i_;
            else if (c == '#') comment();
            else if (c == '\n' || c == '\r') newline();
            else break;
        }
    }

    // The segments of a dotted key, into segments_ (reused: most keys are one bare word).
    std::vector<Segment>& key() {
        std::vector<Segment>& segments = segments_;
        segments.clear();
        while (true) {
            Segment seg{{}, i_, line_, line_start_};
            const char c = peek();
            if (c == '"') seg.key = basic_string();
            else if (c == '\'') seg.key = literal_string();
            else if (is_bare_key_char(c)) {
                const std::size_t start = i_;
                while (i_ < s_.size() && is_bare_key_char(s_[i_])) ++i_;
                seg.key.assign(s_.substr(start, i_ - start));
            } else {
                throw Unsupported{};
            }
            segments.push_back(std::move(seg));
            skip_blanks();
            if (peek() != '.') return segments;
            ++i_;
            skip_blanks();
        }
    }

    // [a.b] or [[a.b]] at i_: the table that key-values below it fill.
    RawValue& header(RawValue& root) {
        const RawPosition at = position(i_);
        const bool array = peek(1) == '[';
        i_ += array ? 2 : 1;
        skip_blanks();
        std::vector<Segment>& segments = key();
        if (peek() != ']' || (array && peek(1) != ']')) throw Unsupported{};
        i_ += array ? 2 : 1;
        end_line();
        ++section_;

        RawValue* table = &root;
        for (std::size_t k = 0; k + 1 < segments.size(); ++k) {
            RawValue* child = member(*table, segments[k].key);
            if (!child) {
                table = &add_member(*table, {segments[k].key, position(segments[k]), table_at(at, Origin::implicit)});
            } else if (child->is(RawValue::Kind::table) && (origin(*child) == Origin::header || origin(*child) == Origin::implicit)) {
                table = child;
            } else if (child->is(RawValue::Kind::array) && origin(*child) == Origin::table_array) {
                table = &child->items.back();
            } else {
                throw Unsupported{};
            }
        }
        Segment& last = segments.back();
        RawValue* existing = member(*table, last.key);
        if (array) {
            if (!existing) {
                RawValue list;
                list.kind = RawValue::Kind::array;
                list.at = at;
                stamp(list, Origin::table_array, section_);
                existing = &add_member(*table, {std::move(last.key), position(last), std::move(list)});
            } else if (!existing->is(RawValue::Kind::array) || origin(*existing) != Origin::table_array) {
                throw Unsupported{};
            }
            existing->items.push_back(table_at(at, Origin::array_element));
            return existing->items.back();
        }
        if (!existing) {
            return add_member(*table, {std::move(last.key), position(last), table_at(at, Origin::header)});
        }
        if (!existing->is(RawValue::Kind::table) || origin(*existing) != Origin::implicit) throw Unsupported{};
        existing->at = at;  // toml++ moves a table's position to the header that defines it
        stamp(*existing, Origin::header, section_);
        return *existing;
    }

    // key = value, into `table` (a header's table, the root or an inline table).
    void key_value(RawValue& table, int depth = 0) {
        std::vector<Segment>& segments = key();
        if (peek() != '=') throw Unsupported{};
        ++i_;
        skip_blanks();
        RawValue* target = &table;
        for (std::size_t k = 0; k + 1 < segments.size(); ++k) {
            RawValue* child = member(*target, segments[k].key);
            if (!child) {
                const RawPosition at = position(segments[k]);
                target = &add_member(*target, {segments[k].key, at, table_at(at, Origin::dotted)});
            } else if (child->is(RawValue::Kind::table) && origin(*child) == Origin::dotted && section_of(*child) == section_) {
                target = child;
            } else {
                throw Unsupported{};
            }
        }
        Segment last = std::move(segments.back());  // value() may read keys of an inline table
        if (member(*target, last.key)) throw Unsupported{};
        RawValue v = value(depth);
        add_member(*target, {std::move(last.key), position(last), std::move(v)});
    }

    RawValue value(int depth) {
        if (depth > kMaxDepth) throw Unsupported{};
        RawValue v;
        v.at = position(i_);
        const char c = peek();
        if (c == '"') {
            v.kind = RawValue::Kind::string;
            v.text = basic_string();
        } else if (c == '\'') {
            v.kind = RawValue::Kind::string;
            v.text = literal_string();
        } else if (c == '[') {
            array(v, depth);
        } else if (c == '{') {
            inline_table(v, depth);
        } else if (s_.substr(i_, 4) == "true") {
            v.kind = RawValue::Kind::boolean;
            v.boolean = true;
            i_ += 4;
        } else if (s_.substr(i_, 5) == "false") {
            v.kind = RawValue::Kind::boolean;
            i_ += 5;
        } else if (is_digit(c) || c == '+' || c == '-') {
            number(v);
        } else {
            throw Unsupported{};
        }
        return v;
    }

    std::string basic_string() {
        if (s_.substr(i_, 3) == "\"\"\"") throw Unsupported{};
        ++i_;
        std::string out;
        while (true) {
            const std::size_t start = i_;
            while (i_ < s_.size()) {
                const auto c = static_cast<unsigned char>(s_[i_]);
                if (c == '"' || c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f) break;
                ++i_;
            }
            out.append(s_.substr(start, i_ - start));
            if (at_end()) throw Unsupported{};
            const char c = s_[i_];
            if (c == '"') {
                ++i_;
                return out;
            }
            if (c != '\\') throw Unsupported{};  // a control character or a newline
            const char e = peek(1);
            i_ += 2;
            switch (e) {
                case 'b': out += '\b'; break;
                case 't': out += '\t'; break;
                case 'n': out += '\n'; break;
                case 'f': out += '\f'; break;
                case 'r': out += '\r'; break;
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case 'u':
                case 'U': {
                    const int digits = e == 'u' ? 4 : 8;
                    std::uint32_t cp = 0;
                    for (int k = 0; k < digits; ++k) {
                        const int h = hex_value(peek());
                        if (h < 0) throw Unsupported{};
                        cp = cp * 16 + static_cast<std::uint32_t>(h);
                        ++i_;
                    }
                    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw Unsupported{};
                    append_utf8(out, cp);
                    break;
                }
                default: throw Unsupported{};
            }
        }
    }

    std::string literal_string() {
        if (s_.substr(i_, 3) == "'''") throw Unsupported{};
        const std::size_t start = ++i_;
        while (i_ < s_.size() && s_[i_] != '\'') {
            const auto c = static_cast<unsigned char>(s_[i_]);
            if ((c < 0x20 && c != '\t') || c == 0x7f) throw Unsupported{};
            ++i_;
        }
        if (at_end()) throw Unsupported{};
        return std::string(s_.substr(start, i_++ - start));
    }

    // Digits with single underscores between them, appended to `out` without the underscores.
    static bool digits(std::string_view tok, std::size_t& p, std::string& out) {
        const std::size_t start = p;
        while (p < tok.size()) {
            if (is_digit(tok[p])) out += tok[p++];
            else if (tok[p] == '_' && p > start && is_digit(tok[p - 1]) && p + 1 < tok.size() && is_digit(tok[p + 1])) ++p;
            else break;
        }
        return p > start;
    }

    // Decimal integers and floats; anything else that starts like a number (dates, times, 0x…,
    // inf, nan) is left to toml++.
    void number(RawValue& v) {
        const std::size_t start = i_;
        while (i_ < s_.size() && (is_bare_key_char(s_[i_]) || s_[i_] == '+' || s_[i_] == '.' || s_[i_] == ':')) ++i_;
        const std::string_view tok = s_.substr(start, i_ - start);
        std::size_t p = 0;
        const bool negative = tok[0] == '-';
        if (tok[0] == '+' || tok[0] == '-') ++p;
        std::string text;
        if (!digits(tok, p, text) || (text.size() > 1 && text[0] == '0')) throw Unsupported{};
        if (p == tok.size()) {
            std::uint64_t magnitude = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude);
            const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
            if (ec != std::errc() || end != text.data() + text.size() || magnitude > limit) throw Unsupported{};
            v.kind = RawValue::Kind::integer;
            v.integer = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
            return;
        }
        bool is_float = false;
        if (tok[p] == '.') {
            ++p;
            text += '.';
            if (!digits(tok, p, text)) throw Unsupported{};
            is_float = true;
        }
        if (p < tok.size() && (tok[p] == 'e' || tok[p] == 'E')) {
            ++p;
            text += 'e';
            if (p < tok.size() && (tok[p] == '+' || tok[p] == '-')) text += tok[p++];
            if (!digits(tok, p, text)) throw Unsupported{};
            is_float = true;
        }
        // toml++ refuses a float spelled in more than 128 characters (sign and underscores aside).
        if (!is_float || p != tok.size() || text.size() > kMaxFloatChars) throw Unsupported{};
        double d = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc() || end != text.data() + text.size()) throw Unsupported{};
        v.kind = RawValue::Kind::floating;
        v.floating = negative ? -d : d;
    }

    void array(RawValue& v, int depth) {
        v.kind = RawValue::Kind::array;
        v.items.reserve(kArrayRoom);
        stamp(v, Origin::static_array, section_);
        ++i_;
        while (true) {
            skip_array_space();
            if (peek() == ']') break;
            v.items.push_back(value(depth + 1));
            skip_array_space();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() != ']') throw Unsupported{};
            break;
        }
        ++i_;
    }

    void inline_table(RawValue& v, int depth) {
        v.kind = RawValue::Kind::table;
        v.members.reserve(kTableRoom);
        stamp(v, Origin::inline_table, section_);
        ++i_;
        skip_blanks();
        if (peek() == '}') {
            ++i_;
            return;
        }
        while (true) {
            key_value(v, depth + 1);
            skip_blanks();
            if (peek() == ',') {
                ++i_;
                skip_blanks();
                continue;
            }
            if (peek() != '}') throw Unsupported{};
            ++i_;
            return;
        }
    }

    std::vector<Segment> segments_;
    std::string_view s_;
    const std::string& name_;
    std::size_t i_ = 0;
    int line_ = 1;
    std::size_t line_start_ = 0;
    std::int64_t section_ = 0;
    std::vector<std::unordered_map<std::string, std::size_t>> key_index_;  // by index_number - 1
};

}  // namespace

std::optional<RawValue> read_toml_fast(std::string_view text, const std::string& name) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF" || !valid_utf8(text)) return std::nullopt;
    try {
        return Reader(text, name).read();
    } catch (const Unsupported&) {
        return std::nullopt;
    }
}

}  // namespace backstop::policy

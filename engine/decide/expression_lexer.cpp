// Splitting a `when` expression into tokens. Durations are read here (`500ms` is one token worth 0.5)
// so the parser only ever sees numbers.
#include "decide/expression_lexer.h"

#include <charconv>

#include "core/duration.h"

namespace backstop {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

struct Fixed {
    std::string_view spelling;
    TokenKind kind;
};

// Two-character operators before their one-character prefixes.
constexpr Fixed kOperators[] = {
    {"==", TokenKind::equal},       {"!=", TokenKind::not_equal},  {"<=", TokenKind::less_equal},
    {">=", TokenKind::greater_equal}, {"<", TokenKind::less},      {">", TokenKind::greater},
    {"~", TokenKind::match},        {"(", TokenKind::open_paren},  {")", TokenKind::close_paren},
    {"[", TokenKind::open_bracket}, {"]", TokenKind::close_bracket}, {",", TokenKind::comma},
    {"+", TokenKind::plus},         {"-", TokenKind::minus},       {"*", TokenKind::star},
    {"/", TokenKind::slash},        {"%", TokenKind::percent},
};

constexpr Fixed kKeywords[] = {
    {"and", TokenKind::kw_and}, {"or", TokenKind::kw_or},     {"not", TokenKind::kw_not},
    {"in", TokenKind::kw_in},   {"true", TokenKind::kw_true}, {"false", TokenKind::kw_false},
};

// Operators people bring from other languages, and what to write instead. The two-character ones
// are looked for before the real operators, the one-character ones after (so "==" stays "==").
struct Foreign {
    std::string_view spelling;
    std::string_view instead;
};
constexpr Foreign kForeignPairs[] = {{"&&", "and"}, {"||", "or"}, {"=~", "~"}};
constexpr Foreign kForeignSingles[] = {{"=", "=="}, {"!", "not"}, {"&", "and"}, {"|", "or"}};

class Lexer {
public:
    Lexer(std::string_view text, std::vector<Token>& tokens, LexError& error)
        : text_(text), tokens_(tokens), error_(error) {}

    bool run() {
        while (true) {
            while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                           text_[pos_] == '\r'))
                ++pos_;
            if (pos_ == text_.size()) break;
            char c = text_[pos_];
            bool ok = is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])) ? number()
                      : is_alpha(c)                                                                   ? word()
                      : c == '"'                                                                      ? string()
                                                                                                      : symbol();
            if (!ok) return false;
        }
        Token end;
        end.offset = text_.size();
        tokens_.push_back(std::move(end));
        return true;
    }

private:
    bool fail(std::size_t offset, std::string message) {
        error_ = {offset, std::move(message)};
        return false;
    }

    void push(TokenKind kind, std::size_t start) {
        Token t;
        t.kind = kind;
        t.offset = start;
        t.text = text_.substr(start, pos_ - start);
        tokens_.push_back(std::move(t));
    }

    void skip_digits() {
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }

    // 3, 0.05, .5, 1e3, 2.5e-3; or a duration: 500ms, 5m, 1h30m (whole numbers with units).
    bool number() {
        std::size_t start = pos_;
        bool whole = true;
        skip_digits();
        if (pos_ < text_.size() && text_[pos_] == '.') {
            whole = false;
            ++pos_;
            skip_digits();
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            std::size_t after = pos_ + 1;
            if (after < text_.size() && (text_[after] == '+' || text_[after] == '-')) ++after;
            if (after < text_.size() && is_digit(text_[after])) {
                whole = false;
                pos_ = after;
                skip_digits();
            }
        }
        std::size_t mantissa_end = pos_;
        while (pos_ < text_.size() && (is_alpha(text_[pos_]) || is_digit(text_[pos_]) || text_[pos_] == '.')) ++pos_;
        std::string_view written = text_.substr(start, pos_ - start);
        double value = 0;
        if (pos_ > mantissa_end) {
            if (!whole)
                return fail(start, "\"" + std::string(written) +
                                       "\" is not a number; a duration is whole numbers with units, like 500ms or 1h30m");
            std::string why;
            auto duration = parse_duration(written, &why);
            if (!duration) return fail(start, "\"" + std::string(written) + "\" is not a number or duration: " + why);
            value = to_seconds(*duration);
        } else {
            auto [end, ec] = std::from_chars(written.data(), written.data() + written.size(), value);
            if (ec != std::errc() || end != written.data() + written.size())
                return fail(start, "\"" + std::string(written) + "\" is not a number");
        }
        push(TokenKind::number, start);
        tokens_.back().number = value;
        return true;
    }

    bool word() {
        std::size_t start = pos_;
        while (true) {
            while (pos_ < text_.size() && (is_alpha(text_[pos_]) || is_digit(text_[pos_]))) ++pos_;
            if (pos_ + 1 < text_.size() && text_[pos_] == '.' && is_alpha(text_[pos_ + 1])) {
                ++pos_;
                continue;
            }
            break;
        }
        if (pos_ < text_.size() && text_[pos_] == '.')
            return fail(start, "\"" + std::string(text_.substr(start, pos_ + 1 - start)) +
                                   "\" is not a name; a dot must be followed by a letter");
        std::string_view written = text_.substr(start, pos_ - start);
        TokenKind kind = TokenKind::name;
        for (const auto& k : kKeywords)
            if (k.spelling == written) kind = k.kind;
        push(kind, start);
        return true;
    }

    // "text" with \" and \\ as the only escapes.
    bool string() {
        std::size_t start = pos_++;
        std::string value;
        while (true) {
            if (pos_ >= text_.size()) return fail(start, "string is not closed; end it with \"");
            char c = text_[pos_];
            if (c == '"') break;
            if (c == '\\') {
                if (pos_ + 1 >= text_.size()) return fail(start, "string is not closed; end it with \"");
                char escaped = text_[pos_ + 1];
                if (escaped != '"' && escaped != '\\')
                    return fail(pos_, "unknown escape \"\\" + std::string(1, escaped) +
                                          "\" in a string; only \\\" and \\\\ are escapes, so write \\\\" +
                                          std::string(1, escaped) + " for a backslash followed by " +
                                          std::string(1, escaped));
                value += escaped;
                pos_ += 2;
                continue;
            }
            value += c;
            ++pos_;
        }
        ++pos_;
        push(TokenKind::string, start);
        tokens_.back().string = std::move(value);
        return true;
    }

    bool symbol() {
        std::string_view rest = text_.substr(pos_);
        auto foreign = [&](const Foreign& f) {
            return fail(pos_, "\"" + std::string(f.spelling) + "\" is not an operator here; write \"" +
                                  std::string(f.instead) + "\"");
        };
        for (const auto& f : kForeignPairs)
            if (rest.starts_with(f.spelling)) return foreign(f);
        for (const auto& o : kOperators)
            if (rest.starts_with(o.spelling)) {
                std::size_t start = pos_;
                pos_ += o.spelling.size();
                push(o.kind, start);
                return true;
            }
        for (const auto& f : kForeignSingles)
            if (rest.starts_with(f.spelling)) return foreign(f);
        unsigned char c = static_cast<unsigned char>(text_[pos_]);
        if (c == '\'') return fail(pos_, "strings are written in double quotes: \"text\"");
        if (c < 0x20 || c >= 0x7f) return fail(pos_, "unexpected character in the expression");
        return fail(pos_, "unexpected character \"" + std::string(1, static_cast<char>(c)) + "\"");
    }

    std::string_view text_;
    std::vector<Token>& tokens_;
    LexError& error_;
    std::size_t pos_ = 0;
};

}  // namespace

bool lex_expression(std::string_view text, std::vector<Token>& tokens, LexError& error) {
    tokens.clear();
    return Lexer(text, tokens, error).run();
}

std::string describe_token(const Token& token) {
    if (token.kind == TokenKind::end) return "end of expression";
    if (token.kind == TokenKind::string) return std::string(token.text);
    return "\"" + std::string(token.text) + "\"";
}

}  // namespace backstop

// Tokens of the `when` expression language, each with the offset it starts at so errors can point
// at it: numbers (durations already in seconds), strings (unescaped), names, keywords, operators.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace backstop {

enum class TokenKind {
    end,
    number,
    string,
    name,
    kw_and,
    kw_or,
    kw_not,
    kw_in,
    kw_true,
    kw_false,
    open_paren,
    close_paren,
    open_bracket,
    close_bracket,
    comma,
    plus,
    minus,
    star,
    slash,
    percent,
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    match,
};

struct Token {
    TokenKind kind = TokenKind::end;
    std::size_t offset = 0;  // 0-based into the expression text
    std::string_view text;   // as written; empty for `end`
    double number = 0;       // number tokens; durations in seconds
    std::string string;      // string tokens, escapes resolved
};

struct LexError {
    std::size_t offset = 0;
    std::string message;
};

// The tokens of `text`, ending with one `end` token at text.size(); false with `error` set at the
// first thing that is not a token.
bool lex_expression(std::string_view text, std::vector<Token>& tokens, LexError& error);

// How an error message shows a token: `"and"`, `")"`, `end of expression`.
std::string describe_token(const Token& token);

}  // namespace backstop

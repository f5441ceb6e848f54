// Suggestions for misspelt names. Rollback policies are edited under stress; pointing at the
// intended key turns an "unknown key" error into a one-glance fix.
#include "core/did_you_mean.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/text.h"

namespace backstop {

namespace {

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t substitute = diagonal + (ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1);
            diagonal = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
        }
    }
    return row[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 3;
    for (auto c : candidates) {
        std::size_t d = edit_distance(word, c);
        // Two edits on a two-letter word can reach almost anything; that is no longer a typo.
        if (d < best_distance && d < word.size()) {
            best = c;
            best_distance = d;
        }
    }
    if (best) return std::string(*best);
    if (word.size() < 3) return std::nullopt;
    // An abbreviation (`max` for `max_attempts`) picks the shortest completion; a name with
    // extra words (`window_size` for `window`) the longest candidate it starts with.
    for (auto c : candidates)
        if (starts_with_ignoring_case(c, word) && (!best || c.size() < best->size())) best = c;
    if (best) return std::string(*best);
    // A qualified name written bare: `attempts` for `max_attempts`, `timeout` for `hook_timeout`.
    for (auto c : candidates)
        if (c.size() > word.size() && c[c.size() - word.size() - 1] == '_' &&
            edit_distance(c.substr(c.size() - word.size()), word) == 0 && (!best || c.size() < best->size()))
            best = c;
    if (best) return std::string(*best);
    for (auto c : candidates)
        if (starts_with_ignoring_case(word, c) && c.size() >= 3 && (!best || c.size() > best->size())) best = c;
    if (best) return std::string(*best);
    return std::nullopt;
}

}  // namespace backstop

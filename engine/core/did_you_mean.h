// Suggestions for misspelt names ("did you mean `attempts`?"), by edit distance or prefix.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace backstop {

// Levenshtein distance, ASCII case-insensitive: `Attempts` is one typo away from `attempts`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate `word` was most likely meant to be: the closest within 2 edits, else one that
// `word` abbreviates, ends (`attempts` → `max_attempts`) or extends. nullopt when nothing is close
// enough to be a fair guess.
std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace backstop

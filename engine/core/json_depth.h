// How deep JSON text nests, read from the raw text without parsing it: lets a caller refuse a hostile
// document before a parser builds it (every level costs the parser memory, and it keeps it).
#pragma once

#include <cstddef>
#include <string_view>

namespace backstop {

// True when no array or object in `text` opens more than `max_depth` levels deep. Brackets inside
// strings do not count (escapes honoured). Says nothing about whether `text` is valid JSON.
bool json_depth_within(std::string_view text, std::size_t max_depth);

}  // namespace backstop

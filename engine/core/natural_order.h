// Natural ordering of release names: digit runs compare by value, so v9 < v10 and
// 2026-01-02_0900 < 2026-01-02_1000.
#pragma once

#include <string_view>

namespace backstop {

// <0, 0, >0 like strcmp.
int natural_compare(std::string_view a, std::string_view b);

inline bool natural_less(std::string_view a, std::string_view b) { return natural_compare(a, b) < 0; }

}  // namespace backstop

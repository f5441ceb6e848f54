#include "core/natural_order.h"

#include <cctype>

namespace backstop {

namespace {
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
}  // namespace

int natural_compare(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            std::size_t zi = i, zj = j;
            while (zi < a.size() && a[zi] == '0') ++zi;
            while (zj < b.size() && b[zj] == '0') ++zj;
            std::size_t ei = zi, ej = zj;
            while (ei < a.size() && is_digit(a[ei])) ++ei;
            while (ej < b.size() && is_digit(b[ej])) ++ej;
            // Without leading zeros, a longer digit run is a larger number.
            if (ei - zi != ej - zj) return (ei - zi) < (ej - zj) ? -1 : 1;
            for (std::size_t k = 0; k < ei - zi; ++k)
                if (a[zi + k] != b[zj + k]) return a[zi + k] < b[zj + k] ? -1 : 1;
            // Equal values: fewer leading zeros first, so the order stays total.
            if ((ei - i) != (ej - j)) return (ei - i) < (ej - j) ? -1 : 1;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
            ++i;
            ++j;
        }
    }
    if (i == a.size() && j == b.size()) return 0;
    return i == a.size() ? -1 : 1;
}

}  // namespace backstop

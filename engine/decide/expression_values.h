// The values one evaluation of `when` expressions sees: a flat array indexed by schema slot, filled
// by the caller before each evaluation. No hashing, no allocation after construction.
#pragma once

#include <cassert>
#include <cstddef>
#include <limits>
#include <string_view>
#include <vector>

#include "decide/expression_schema.h"

namespace backstop {

// NaN in a number slot means "unknown" (a source did not answer); comparisons with it are false.
inline constexpr double kUnknownNumber = std::numeric_limits<double>::quiet_NaN();

class ExpressionValues {
public:
    struct Slot {
        double number = kUnknownNumber;
        std::string_view text;
        bool boolean = false;
    };

    // One slot per name of `schema`: numbers unknown, booleans false, strings empty.
    explicit ExpressionValues(const ExpressionSchema& schema) : slots_(schema.size()) {
        for (const auto& name : schema.names()) types_.push_back(name.type);
    }

    void set_number(std::size_t slot, double value) {
        check(slot, ValueType::number);
        slots_[slot].number = value;
    }
    void set_boolean(std::size_t slot, bool value) {
        check(slot, ValueType::boolean);
        slots_[slot].boolean = value;
    }
    // Only the view is kept: the text must outlive every evaluation that reads it.
    void set_string(std::size_t slot, std::string_view value) {
        check(slot, ValueType::string);
        slots_[slot].text = value;
    }

    double number(std::size_t slot) const { return slots_[slot].number; }
    bool boolean(std::size_t slot) const { return slots_[slot].boolean; }
    std::string_view string(std::size_t slot) const { return slots_[slot].text; }

    std::size_t size() const { return slots_.size(); }
    const Slot* data() const { return slots_.data(); }

private:
    // A value of the wrong type lands in a field that type-checked code never reads: harmless, but
    // a bug in the caller, so debug builds stop on it.
    void check([[maybe_unused]] std::size_t slot, [[maybe_unused]] ValueType type) const {
        assert(slot < types_.size() && types_[slot] == type);
    }

    std::vector<Slot> slots_;
    std::vector<ValueType> types_;
};

}  // namespace backstop

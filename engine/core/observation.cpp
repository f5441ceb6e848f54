#include "core/observation.h"

#include <array>

namespace backstop {

namespace {

constexpr std::span<const std::string_view> kind_names = kSourceKindNames;

}  // namespace

std::string_view to_string(SourceKind kind) { return kind_names[static_cast<std::size_t>(kind)]; }

std::string_view to_string(ObservationStatus status) {
    switch (status) {
        case ObservationStatus::ok: return "ok";
        case ObservationStatus::failed: return "failed";
        case ObservationStatus::unknown: return "unknown";
    }
    return "unknown";
}

std::optional<SourceKind> parse_source_kind(std::string_view word) {
    for (std::size_t i = 0; i < kind_names.size(); ++i)
        if (kind_names[i] == word) return static_cast<SourceKind>(i);
    return std::nullopt;
}

std::span<const std::string_view> source_kind_names() { return kind_names; }

}  // namespace backstop
